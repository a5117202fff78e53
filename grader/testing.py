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
import math
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from nbformat import NotebookNode
from nbgrader import utils as nbutils

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
    """Grade the untouched release and every case; return what is off (``{}`` if all is as
    designed): the release declares ``max_total`` points and scores 0, each case its score.

    The cases are graded in bundles (``case_bundles``), each case proven by the tasks it touches
    (``bundle_mismatches``: every test cell no case of the bundle touches must keep its full
    points); a bundle that does not add up is graded again case by case, so a failure always
    names the case, and two cases that interact cost time, never a false result.

    The solution is not graded here: ``solution_check_scores`` proves its full marks from the
    same trusted checks in the headless run that also proves its visible tests pass
    (tests/test_notebooks.py), and the bundles prove the pipeline with the solution's answers.
    """
    root = layout.course_root(root)
    release = release_notebook(lab, root=root)
    answers = solution_answers(lab, root=root)
    cases = load_cases(root, lab)
    tasks = answer_tasks(release)
    bundles = case_bundles(cases, tasks)
    notebooks = {"untouched": (release, 0.0)}
    for number, bundle in enumerate(bundles):
        merged = {k: v for case in bundle for k, v in case.replacements.items()}
        notebooks[f"bundle{number}"] = (apply_answers(release, {**answers, **merged}), None)
    graded = _grade_built(lab, notebooks, root=root, jobs=jobs)
    off: dict[str, object] = {}
    points = task_points(release)
    if not math.isclose(sum(points.values()), max_total):
        off["max_total"] = sum(points.values())
    result = graded["untouched"]
    if result.error or not math.isclose(result.total, 0.0, abs_tol=1e-9):
        off["untouched"] = (result.total, 0.0, result.error, result.per_task)
    alone = [case for number, bundle in enumerate(bundles)
             if bundle_mismatches(graded[f"bundle{number}"], bundle, tasks, points)
             for case in bundle]
    if alone:
        singles = {case.name: (apply_answers(release, {**answers, **case.replacements}),
                               float(case.expected_score)) for case in alone}
        for name, result in _grade_built(lab, singles, root=root, jobs=jobs).items():
            expected = singles[name][1]
            if result.error or not math.isclose(result.total, expected, abs_tol=1e-9):
                off[name] = (result.total, expected, result.error, result.per_task)
    return off


def solution_check_scores(lab: str, workdir: Path | str, *, root: Path | str | None = None,
                          seed: int | None = None, timeout: int = 180):
    """Run the lab's solution headless as a learner would, each checked test cell followed by
    the evaluation cell the grader puts in its place (``grader.trusted``), and score them.

    Returns ``(executed notebook, {grade_id: (points, max points, messages)}, seed)``: the points
    are what ``grader.trusted_execute`` would record (the same inputs for ``seed``, the same
    ``score_cell`` and ``forbidden_uses``), so one kernel run proves both that the visible tests
    pass and that the trusted checks give the solution full marks.
    """
    import secrets

    from nbformat.v4 import new_code_cell

    from grader.trusted import checks_file, draw_inputs, evaluation_cell, forbidden_uses
    from grader.trusted import load_checks, new_nonce, score_cell

    root = layout.course_root(root)
    checks = load_checks(checks_file(root, lab))
    seed = secrets.randbelow(2**31) if seed is None else int(seed)
    inputs, nonce = draw_inputs(checks, seed), new_nonce()
    nb = read_notebook(layout.source_notebook(root, lab))
    answers = {grade_id(c): c.source for c in nb.cells if nbutils.is_solution(c)}
    cells, evaluations = [], {}
    for cell in nb.cells:
        cells.append(cell)
        gid = grade_id(cell) if nbutils.is_grade(cell) and cell.cell_type == "code" else None
        if gid in checks:
            evaluations[len(cells)] = gid
            cells.append(new_code_cell(evaluation_cell(checks[gid], inputs[gid], nonce)))
    nb.cells = cells
    path = Path(workdir) / f"{lab}.ipynb"
    write_notebook(nb, path)
    executed = execute_headless(path, workdir, timeout=timeout)
    scores = {}
    for index, gid in evaluations.items():
        points, messages = score_cell(checks[gid], inputs[gid], executed.cells[index].outputs, nonce)
        if forbidden := forbidden_uses(checks[gid], answers):
            points, messages = 0.0, forbidden + messages
        scores[gid] = (points, checks[gid].points, messages)
    return executed, scores, seed


def _grade_built(lab: str, notebooks: dict[str, tuple[NotebookNode, object]], *, root: Path,
                 jobs: int | None) -> dict[str, GradeResult]:
    """Write ``name -> (notebook, anything)`` to a temporary folder and grade them in one batch."""
    with tempfile.TemporaryDirectory(prefix=f"monitorlab-cases-{lab}-") as tmp:
        paths = {}
        for name, (nb, _) in notebooks.items():
            paths[name] = Path(tmp) / name / lab / f"{lab}.ipynb"
            write_notebook(nb, paths[name])
        return grade_notebooks(paths, lab, root=root, jobs=jobs)


def answer_tasks(release: NotebookNode) -> dict[str, tuple[str, ...]]:
    """``answer grade_id -> the test cells that grade it``: the first run of test cells after it.

    Answer cells in a row (two parts of one task) share the test cells that follow them.
    """
    tasks: dict[str, list[str]] = {}
    pending: list[str] = []
    tested = False
    for cell in release.cells:
        if nbutils.is_solution(cell):
            if tested:
                pending, tested = [], False
            pending.append(grade_id(cell))
            tasks[grade_id(cell)] = []
        elif nbutils.is_grade(cell):
            tested = True
            for answer in pending:
                tasks[answer].append(grade_id(cell))
    return {answer: tuple(tests) for answer, tests in tasks.items()}


def case_tasks(case: Case, tasks: dict[str, tuple[str, ...]]) -> set[str]:
    """The test cells a case's answers are graded by (``answer_tasks``)."""
    return {test for answer in case.replacements for test in tasks.get(answer, ())}


def case_bundles(cases: list[Case], tasks: dict[str, tuple[str, ...]]) -> list[list[Case]]:
    """The cases in groups whose members touch different test cells (so different answers).

    Greedy, widest case first: a bundle is one notebook holding all its cases' answers at once,
    so a lab needs about as many notebooks as its most-cased task has cases.
    """
    bundles: list[tuple[set[str], list[Case]]] = []
    for case in sorted(cases, key=lambda c: -len(case_tasks(c, tasks))):
        touched = case_tasks(case, tasks)
        for used, members in bundles:
            if touched and not touched & used:
                used |= touched
                members.append(case)
                break
        else:
            bundles.append((set(touched), [case]))
    return [members for _, members in bundles]


def bundle_mismatches(result: GradeResult, bundle: list[Case], tasks: dict[str, tuple[str, ...]],
                      points: dict[str, float]) -> list[str]:
    """Why a graded bundle does not prove each of its cases (``[]`` when it does).

    Each case must lose exactly ``full marks - its expected score`` over the test cells it touches,
    and every test cell no case touches must keep its full points. A case whose effect reaches
    another case's test cells fails this, and is then graded alone.
    """
    if result.error:
        return [f"bundle did not grade: {result.error}"]
    got = {gid: result.per_task.get(gid, (0.0, max_points))[0] for gid, max_points in points.items()}
    full = sum(points.values())
    problems, touched = [], set()
    for case in bundle:
        mine = case_tasks(case, tasks)
        touched |= mine
        lost = sum(points[gid] - got[gid] for gid in mine)
        if not math.isclose(lost, full - case.expected_score, abs_tol=1e-9):
            problems.append(f"{case.name} lost {lost:g} on {sorted(mine)}, expected "
                            f"{full - case.expected_score:g}")
    problems += [f"{gid} scored {got[gid]:g} of {points[gid]:g} and no case touches it"
                 for gid in points if gid not in touched and not math.isclose(got[gid], points[gid])]
    return problems


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
