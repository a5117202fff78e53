"""Every lecture and every lab solution runs top to bottom headless, offline, without an error or a
stderr write; every lecture shows a figure; every solution test cell ends with its full points
(a lab scored by trusted checks, ``grader/checks/<lab>.py``: its visible checks all pass, and in
the same run the grader's evaluation of each task, scored by the lab's checks as the grader scores
it, gives full marks: ``grader.testing.solution_check_scores``. That lab's tests prove the
untouched release and every typical mistake through the whole grader).

(Committed notebooks carry no outputs: tests/test_packaging.py. Time budgets are measured by
benchmarks/notebooks.py, never asserted here.)
"""

from pathlib import Path

import pytest

from grader.testing import execute_headless, notebook_problems, short_of_full_marks
from grader.testing import solution_check_scores, visible_failures
from grader.trusted import checks_file, load_checks

ROOT = Path(__file__).resolve().parent.parent
LECTURES = sorted(ROOT.glob("course/*.ipynb"))
SOLUTIONS = sorted(ROOT.glob("solutions/*/*.ipynb"))


def _figures(nb) -> int:
    return sum("image/png" in output.get("data", {}) for cell in nb.cells
               if cell.cell_type == "code" for output in cell.outputs)


def test_every_module_has_a_lecture_and_a_lab():
    lecture_numbers = {path.name[:2] for path in LECTURES}
    lab_numbers = {path.parent.name[3:5] for path in SOLUTIONS}
    assert lecture_numbers == lab_numbers and len(LECTURES) >= 8


@pytest.mark.parametrize("path", LECTURES, ids=[p.stem for p in LECTURES])
def test_lecture_runs_headless_and_shows_a_figure(path, tmp_path):
    nb = execute_headless(path, tmp_path, timeout=180)
    assert notebook_problems(nb) == []
    assert _figures(nb) >= 1, f"{path.name} shows no figure"


@pytest.mark.parametrize("path", SOLUTIONS, ids=[p.stem for p in SOLUTIONS])
def test_solution_runs_headless_with_full_marks_in_every_test_cell(path, tmp_path):
    lab = path.parent.name
    if not checks_file(ROOT, lab).is_file():
        nb = execute_headless(path, tmp_path, timeout=180)
        assert notebook_problems(nb) == []
        assert short_of_full_marks(nb) == {}
        return
    nb, scores, seed = solution_check_scores(lab, tmp_path, root=ROOT)
    assert notebook_problems(nb) == []
    assert visible_failures(nb) == {}
    short = {gid: (points, full, messages) for gid, (points, full, messages) in scores.items()
             if points != full}
    assert short == {}, f"hidden inputs of seed {seed}"
    assert sorted(scores) == sorted(load_checks(checks_file(ROOT, lab)))
