"""Library API for tests: build submissions from answers and grade them like the CLI does.

    from grader.notebooks import write_notebook
    from grader.testing import apply_answers, grade_notebook, release_notebook, solution_answers

    lab = "labNN_topic"  # grade ids below are illustrative: use your lab's
    nb = apply_answers(release_notebook(lab),
                       {**solution_answers(lab), "q3-answer": 'answer = "B"'})
    write_notebook(nb, tmp_path / f"{lab}.ipynb")
    result = grade_notebook(tmp_path / f"{lab}.ipynb", lab)
    assert result.per_task["q3-tests"] == (0.0, 1.0)    # (points, max)

``grade_cases(lab)`` grades the solution, the untouched release and every ``grader/cases`` case
in one batch and returns each result with its expected score.

``grade_notebook`` and ``grade_notebooks`` run ``grader.autograde`` (the path of
``python -m grader autograde``): same sandbox, same environment, same nbgrader. They grade
``default_jobs()`` submissions at a time: the cores this process may use, shared among the
pytest-xdist workers, so that ``pytest -n 2`` on two cores runs two kernels, not four.
"""

import copy
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from nbformat import NotebookNode

from grader import layout
from grader.autograde import grade_submissions
from grader.cases import Case, load_cases
from grader.notebooks import answer_cells, grade_id, read_notebook, without_solution_markers
from grader.notebooks import task_points, write_notebook
from grader.results import SubmissionResult
from grader.settings import DEFAULT_CELL_TIMEOUT
from grader.submissions import Submission


@dataclass(frozen=True)
class GradeResult:
    """A graded notebook: total, maximum, ``per_task`` (grade_id -> (points, max)), error."""

    total: float
    max_total: float
    per_task: dict[str, tuple[float, float]]
    error: str | None = None
    notes: tuple[str, ...] = ()
    messages: dict[str, str] | None = None

    @classmethod
    def from_result(cls, result: SubmissionResult) -> "GradeResult":
        """Convert an autograde result."""
        return cls(total=result.score, max_total=result.max_score,
                   per_task={t.grade_id: (t.points, t.max_points) for t in result.tasks},
                   error=result.error, notes=tuple(result.notes),
                   messages={t.grade_id: t.message for t in result.tasks})


def default_jobs() -> int:
    """Grading workers for this process: usable cores // pytest-xdist workers, at least 1.

    ``PYTEST_XDIST_WORKER_COUNT`` is set by pytest-xdist in each of its workers; without it the
    process has the machine to itself.
    """
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT") or 1)
    return max(1, (cores or 1) // max(1, workers))


def grade_notebook(notebook_path: Path | str, lab: str, *, root: Path | str | None = None,
                   timeout: int = DEFAULT_CELL_TIMEOUT) -> GradeResult:
    """Autograde one notebook as a submission of ``lab``."""
    return grade_notebooks({"learner": notebook_path}, lab, root=root, timeout=timeout)["learner"]


def grade_notebooks(notebooks: dict[str, Path | str], lab: str, *,
                    root: Path | str | None = None, timeout: int = DEFAULT_CELL_TIMEOUT,
                    jobs: int | None = None) -> dict[str, GradeResult]:
    """Autograde several notebooks of one lab in one run; keys are names (used as students)."""
    subs = [Submission(name, lab, Path(path)) for name, path in notebooks.items()]
    results = grade_submissions(subs, layout.course_root(root), timeout=timeout,
                                jobs=jobs or default_jobs())
    return {r.student: GradeResult.from_result(r) for r in results}


def release_notebook(lab: str, *, root: Path | str | None = None) -> NotebookNode:
    """The released notebook ``labs/<lab>/<lab>.ipynb``."""
    return read_notebook(layout.release_notebook(layout.course_root(root), lab))


def solution_answers(lab: str, *, root: Path | str | None = None) -> dict[str, str]:
    """``grade_id -> source`` of every answer cell of the solution, markers removed."""
    nb = read_notebook(layout.source_notebook(layout.course_root(root), lab))
    return {grade_id(cell): without_solution_markers(cell.source) for cell in answer_cells(nb)}


def apply_answers(release_nb: NotebookNode | Path | str,
                  replacements: dict[str, str]) -> NotebookNode:
    """A copy of the released notebook with answer cells' sources replaced (by grade_id).

    Raises ``KeyError`` naming the grade ids that are not answer cells of the notebook.
    """
    nb = read_notebook(release_nb) if isinstance(release_nb, (str, Path)) else release_nb
    nb = copy.deepcopy(nb)
    cells = {grade_id(cell): cell for cell in answer_cells(nb)}
    unknown = sorted(set(replacements) - set(cells))
    if unknown:
        raise KeyError(f"no answer cell with grade_id {', '.join(unknown)}; answer cells are: "
                       f"{', '.join(cells) or '(none)'} (test cells cannot be replaced: "
                       "autograde restores them)")
    for gid, source in replacements.items():
        cells[gid].source = source
    return nb


def case_notebooks(lab: str, dest: Path, *, root: Path | str | None = None,
                   cases: list[Case] | None = None) -> dict[str, tuple[Path, float]]:
    """Write the lab's demo submissions under ``dest/<name>/<lab>/<lab>.ipynb``.

    Returns ``name -> (path, expected score)`` for ``solution`` (full marks), ``untouched``
    (the release as it is: 0) and every case of ``grader/cases/<lab>.py`` (or ``cases``).
    """
    root = layout.course_root(root)
    release = release_notebook(lab, root=root)
    answers = solution_answers(lab, root=root)
    built = {"solution": (apply_answers(release, answers), sum(task_points(release).values())),
             "untouched": (release, 0.0)}
    for case in load_cases(root, lab) if cases is None else cases:
        built[case.name] = (apply_answers(release, {**answers, **case.replacements}),
                            float(case.expected_score))
    out = {}
    for name, (nb, expected) in built.items():
        path = Path(dest) / name / lab / f"{lab}.ipynb"
        write_notebook(nb, path)
        out[name] = (path, expected)
    return out


def grade_cases(lab: str, *, root: Path | str | None = None,
                timeout: int = DEFAULT_CELL_TIMEOUT,
                jobs: int | None = None) -> dict[str, tuple[GradeResult, float]]:
    """Grade the solution, the untouched release and every case of ``lab``.

    Returns ``name -> (result, expected score)``; a test asserts they agree.
    """
    with tempfile.TemporaryDirectory(prefix=f"monitorlab-cases-{lab}-") as tmp:
        built = case_notebooks(lab, Path(tmp), root=root)
        graded = grade_notebooks({name: path for name, (path, _) in built.items()}, lab,
                                 root=root, timeout=timeout, jobs=jobs)
    return {name: (graded[name], expected) for name, (_, expected) in built.items()}


def grading_mismatches(lab: str, *, max_total: float, root: Path | str | None = None,
                       jobs: int | None = None) -> dict[str, object]:
    """Grade the solution, the untouched release and every case; return what is off (``{}`` if all
    is as designed): the solution must score ``max_total``, the release 0, each case its score.
    """
    import math

    graded = grade_cases(lab, root=root, jobs=jobs)
    off: dict[str, object] = {}
    if graded["solution"][0].max_total != max_total:
        off["max_total"] = graded["solution"][0].max_total
    for name, (result, expected) in graded.items():
        if result.error or not math.isclose(result.total, expected, abs_tol=1e-9):
            off[name] = (result.total, expected, result.error, result.per_task)
    return off


# --------------------------------------------------------------------------------------------
# Helpers every lab's tests use (tests/test_labNN_*.py)
# --------------------------------------------------------------------------------------------

def execute_headless(path: Path | str, workdir: Path | str, *, timeout: int = 120,
                     as_grader: bool = False) -> NotebookNode:
    """Run a notebook top to bottom in a fresh venv kernel with fake AWS credentials.

    ``as_grader=True`` uses the grader's exact environment (``MPLBACKEND=Agg``: no inline
    figures); the default keeps matplotlib's inline backend, as a learner sees the notebook.
    """
    from grader.environment import SELFCHECK_FLAG, grading_env
    from grader.execute import execute_notebook

    workdir = Path(workdir)
    # a lab's own "Check my work" cell must not start a nested self-check in a headless run
    env = {**grading_env(workdir / "scratch"), SELFCHECK_FLAG: "1"}
    if not as_grader:
        env.pop("MPLBACKEND", None)
    return execute_notebook(read_notebook(Path(path)), workdir, timeout=timeout, env=env)


def notebook_problems(nb: NotebookNode) -> list[str]:
    """Every error and every stderr write in an executed notebook (a test cell with either scores 0)."""
    found = []
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                found.append(f"cell {index}: {output.ename}: {output.evalue}")
            elif output.output_type == "stream" and output.name == "stderr":
                found.append(f"cell {index} wrote to stderr: {output.text[:200]}")
    return found


def short_of_full_marks(nb: NotebookNode) -> dict[str, tuple[float, float]]:
    """``{grade_id: (points, max)}`` for every test cell of an executed notebook below full marks."""
    from nbgrader.utils import determine_grade, is_grade

    short = {}
    for cell in filter(is_grade, nb.cells):
        if cell.cell_type != "code" or cell.metadata.nbgrader.get("solution"):
            continue
        points, maximum = determine_grade(cell)
        if points != maximum:
            short[grade_id(cell)] = (points, maximum)
    return short


def visible_failures(nb: NotebookNode) -> dict[str, str]:
    """``{grade_id: output}`` for every test cell of an executed notebook that printed a ``✗``."""
    from nbgrader.utils import is_grade

    from grader.notebooks import output_text

    return {grade_id(cell): output_text(cell) for cell in filter(is_grade, nb.cells)
            if cell.cell_type == "code" and "✗" in output_text(cell)}


def cell_sources(path: Path | str) -> dict[str, str]:
    """``grade_id -> source`` of every nbgrader cell of a notebook (plain cells, such as a lab's
    *Check my work* cell, have no grade id and are left out)."""
    return {grade_id(c): c.source for c in read_notebook(path).cells if grade_id(c)}


def hidden_test_source(lab: str, *, root: Path | str | None = None) -> str:
    """The ``### BEGIN/END HIDDEN TESTS`` blocks of a source lab, concatenated (for literal checks)."""
    nb = read_notebook(layout.source_notebook(layout.course_root(root), lab))
    blocks = []
    for cell in nb.cells:
        text = cell.source
        while "### BEGIN HIDDEN TESTS" in text:
            start = text.index("### BEGIN HIDDEN TESTS")
            end = text.index("### END HIDDEN TESTS", start)
            blocks.append(text[start:end])
            text = text[end + 1:]
    return "\n".join(blocks)
