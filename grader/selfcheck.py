"""A learner's local check: run the saved lab in a fresh kernel and read its visible tests.

Every lab's last cell, *Check my work*, calls it. From a terminal::

    python -m grader selfcheck labs/lab01_data_capture/lab01_data_capture.ipynb

From a cell of the lab itself (save the notebook first: the check reads the saved file)::

    from grader.selfcheck import selfcheck
    selfcheck("lab01_data_capture.ipynb")

How it avoids running itself forever: it executes a *copy of the saved file* in a *separate
kernel* whose environment carries ``MONITORLAB_SELFCHECK=1``; a ``selfcheck(...)`` call inside
that run (the cell above) sees the flag and returns at once without executing anything. It does
the same under ``nbgrader autograde`` (``NBGRADER_EXECUTION`` set), so leaving the call in a
submitted lab costs nothing.

Only the visible tests are in a released lab: the hidden tests, which decide the points, run when
the lab is graded. So the report never shows the visible points as a score (a right answer would
read "1/6"): each task is "visible checks pass, N points decided at grading", "recorded, graded
later" (choice answers, whose form only is checked here), "to fix" with what is wrong, or "not
answered yet" (``visible_outcome`` reads a test cell's output; ``determine_grade`` still gives the
visible points, kept in ``TaskCheck.points``). After the report, the course progress
(``grader.progress``).
"""

import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from grader.speedups import skip_slow_optional_imports

skip_slow_optional_imports()  # before nbformat/nbgrader are imported (below, or lazily)

from grader.environment import SELFCHECK_FLAG  # noqa: E402
from grader.settings import DEFAULT_CELL_TIMEOUT  # noqa: E402

if TYPE_CHECKING:
    from grader.progress import ProgressBar

# nbgrader, nbformat and nbclient are imported inside the functions that need them: every lab's
# last cell imports this module, and under autograde (or inside a self-check) ``selfcheck``
# returns at once, so the import must cost nothing (it cost 2 s of CPU per graded notebook).

COPY_LIMIT = 100 * 2**20  # at most this many bytes of the notebook's folder are copied


# What a released test cell says about its visible part. Issue 14 may change how test cells
# report; ``visible_outcome`` is the one place that reads them.
VISIBLE_SCORE = re.compile(r"visible check: ([0-9.]+) / ([0-9.]+)")
RECORDED = re.compile(r"\brecorded\b")
PROBLEM_MARK = "✗"

PASSED, RECORDED_LATER, TO_FIX, NOT_ANSWERED = "passed", "recorded", "to fix", "not answered"
STATUS_WORDS = {
    PASSED: "visible checks pass, {points:g} points decided at grading",
    RECORDED_LATER: "recorded, graded later ({points:g} points)",
    TO_FIX: "to fix ({points:g} points):",
    NOT_ANSWERED: "not answered yet ({points:g} points)",
}


def visible_outcome(cell, points: float | None) -> tuple[str, list[str]]:
    """``(status, messages)`` of an executed test cell's visible checks; ``points`` its score.

    1. it raised, printed a ``✗`` line, or printed ``visible check: X / Y`` with X < Y:
       ``to fix``, with the error and those lines;
    2. it printed that answers were ``recorded`` (choice tasks: only their form is checked
       here): ``recorded``;
    3. it printed ``visible check: X / Y`` with X = Y, or scored points: ``passed``;
    4. it scored nothing and complained of nothing (only the form was checked): ``recorded``.
    The hidden tests, absent from a released lab, decide the points in every case.
    """
    from grader.notebooks import output_text

    text = output_text(cell)
    problems = [line.strip() for line in text.splitlines()
                if line.lstrip().startswith(PROBLEM_MARK)]
    errors = [f"{o.ename}: {o.evalue}".rstrip(": ") for o in cell.get("outputs", [])
              if o.output_type == "error"]
    score = VISIBLE_SCORE.search(text)
    if errors or problems or (score and float(score[1]) < float(score[2])):
        return TO_FIX, problems + errors or [score[0]]
    if RECORDED.search(text):
        return RECORDED_LATER, []
    return (PASSED, []) if score or (points or 0) > 0 else (RECORDED_LATER, [])


@dataclass
class TaskCheck:
    """The visible-test result of one task (one graded cell)."""

    grade_id: str
    points: float
    max_points: float
    message: str = ""
    outcome: str = PASSED
    problems: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        """passed, recorded, to fix or not answered (see ``visible_outcome``)."""
        return self.outcome

    def describe(self) -> str:
        """The task's line of the report, in the words every lab and the README use."""
        return STATUS_WORDS[self.outcome].format(points=self.max_points)


@dataclass
class SelfCheckReport:
    """What ``selfcheck`` found: tasks, unanswered cells, answer errors; ``skipped`` if not run."""

    notebook: str
    tasks: list[TaskCheck] = field(default_factory=list)
    unanswered: list[str] = field(default_factory=list)
    answer_errors: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    skipped: str | None = None
    shown: bool = False

    @property
    def total(self) -> float:
        """Points the visible tests gave (a released lab's visible tests give only part)."""
        return sum(t.points for t in self.tasks)

    @property
    def max_total(self) -> float:
        """Points available."""
        return sum(t.max_points for t in self.tasks)

    def counts(self) -> dict[str, int]:
        """How many tasks have each status."""
        return {status: sum(t.status == status for t in self.tasks) for status in STATUS_WORDS}

    def __repr__(self) -> str:
        return (f"SelfCheckReport({self.notebook!r}, "
                + ", ".join(f"{k}={v}" for k, v in self.counts().items()) + ")")

    def __str__(self) -> str:
        return format_report(self)

    def _ipython_display_(self) -> None:
        """As a cell's last value: the report, unless ``selfcheck`` already printed it."""
        if not self.shown:
            print(format_report(self))


def selfcheck(notebook: str | Path | None = None, *, timeout: int = DEFAULT_CELL_TIMEOUT,
              show: bool = True) -> SelfCheckReport:
    """Execute a copy of the saved ``notebook`` and report each task's visible checks.

    ``notebook`` defaults to the notebook of the calling Jupyter session. Prints a progress bar
    while the copy runs, then the report and the course progress (``grader.progress``) when
    ``show`` is true; returns the report either way and records it for the progress view.
    """
    if os.environ.get(SELFCHECK_FLAG) or os.environ.get("NBGRADER_EXECUTION"):
        report = SelfCheckReport(str(notebook), skipped="already inside a self-check or "
                                 "autograde run: nothing executed")
        if show:
            print(format_report(report))
            report.shown = True
        return report
    from grader import progress

    path = _locate(notebook)
    report = run_selfcheck(path, timeout=timeout, show_progress=show)
    progress.record(path, report)
    if show:
        print(format_report(report))
        print()
        print(progress.format_progress(progress.course_progress(path)))
        report.shown = True
    return report


def run_selfcheck(path: Path, *, timeout: int = DEFAULT_CELL_TIMEOUT,
                  show_progress: bool = False) -> SelfCheckReport:
    """Execute a copy of ``path`` in a temporary folder and read it (see module docstring)."""
    from grader.environment import grading_env
    from grader.execute import ExecutionFailed, execute_notebook
    from grader.notebooks import answer_cells, grade_id, output_text, read_notebook

    nb = read_notebook(path)
    report = SelfCheckReport(str(path))
    bar = _progress_bar(path, nb) if show_progress else None
    with tempfile.TemporaryDirectory(prefix="monitorlab-selfcheck-") as tmp:
        workdir = _copy_siblings(path, Path(tmp) / "lab")
        env = {**grading_env(Path(tmp)), SELFCHECK_FLAG: "1"}
        try:
            execute_notebook(nb, workdir, timeout=timeout, env=env,
                             on_cell=bar.step if bar else None)
        except ExecutionFailed as exc:
            report.error = f"{path}: {exc}"
        finally:
            if bar:
                bar.close()
    report.tasks = [score_cell(cell, answers) for cell, answers in tasks_with_answers(nb)]
    for cell in answer_cells(nb):
        if _untouched(cell):
            report.unanswered.append(grade_id(cell))
        elif any(o.output_type == "error" for o in cell.get("outputs", [])):
            report.answer_errors[grade_id(cell)] = output_text(cell, limit=300)
    return report


def _progress_bar(path: Path, nb) -> "ProgressBar":
    """A bar over the cells nbclient will run (it skips empty code cells)."""
    from grader import progress

    cells = sum(c.cell_type == "code" and bool(c.source.strip()) for c in nb.cells)
    return progress.ProgressBar(f"Running a copy of {path.name}", cells)


def tasks_with_answers(nb) -> list[tuple]:
    """Each graded cell with the answer cells since the previous graded cell (its task's)."""
    from nbgrader import utils as nbutils

    pairs, answers = [], []
    for cell in nb.cells:
        if nbutils.is_grade(cell):
            pairs.append((cell, answers))
            answers = []
        elif nbutils.is_solution(cell):
            answers.append(cell)
    return pairs


def score_cell(cell, answers=()) -> TaskCheck:
    """A graded cell's visible outcome (``visible_outcome``) and points (``determine_grade``).

    A task whose answer cells all still hold the released text is ``not answered``.
    """
    from nbgrader import utils as nbutils

    from grader.notebooks import grade_id, output_text

    max_points = float(cell.metadata.nbgrader["points"])
    try:
        points, _ = nbutils.determine_grade(cell)
    except ValueError as exc:  # a partial-credit number above the cell's points
        return TaskCheck(grade_id(cell), 0.0, max_points, f"invalid test score: {exc}",
                         TO_FIX, [f"invalid test score: {exc}"])
    if points is None:
        return TaskCheck(grade_id(cell), 0.0, max_points, "graded by the instructor, not here",
                         RECORDED_LATER)
    outcome, problems = visible_outcome(cell, points)
    if answers and all(_untouched(a) for a in answers):
        outcome, problems = NOT_ANSWERED, []
    return TaskCheck(grade_id(cell), float(points), max_points, output_text(cell), outcome,
                     problems)


def format_report(report: SelfCheckReport) -> str:
    """The report as text: a line per task (its status in the course's words) and a summary."""
    if report.skipped:
        return f"selfcheck skipped: {report.skipped}."
    name = Path(report.notebook).name
    lines = [f"Self-check of {name}: the visible checks only; hidden tests decide the points "
             "when the lab is graded."]
    if Path(report.notebook).is_file():
        saved = time.strftime("%H:%M:%S", time.localtime(Path(report.notebook).stat().st_mtime))
        lines.append(f"(checked the file saved at {saved}: save first to check your latest edits)")
    if report.error:
        lines.append(f"ERROR: {report.error}")
    width = max([len(t.grade_id) for t in report.tasks] + [5])
    for task in report.tasks:
        mark = {PASSED: "✓", RECORDED_LATER: "✓", TO_FIX: "✗", NOT_ANSWERED: "·"}[task.status]
        lines.append(f"  {mark} {task.grade_id.ljust(width)}  {task.describe()}")
        lines += ["        " + problem for problem in task.problems]
    counts = report.counts()
    lines.append(f"{len(report.tasks)} tasks: {counts[PASSED]} pass their visible checks, "
                 f"{counts[RECORDED_LATER]} recorded, {counts[TO_FIX]} to fix, "
                 f"{counts[NOT_ANSWERED]} not answered yet; {report.max_total:g} points decided "
                 "at grading.")
    for gid, message in report.answer_errors.items():
        lines.append(f"Answer cell {gid} raised {message}")
    return "\n".join(lines)


def _untouched(cell) -> bool:
    """True if an answer cell still holds its released source (nbgrader checksum unchanged)."""
    from nbgrader import utils as nbutils

    checksum = cell.metadata.get("nbgrader", {}).get("checksum")
    return checksum is not None and checksum == nbutils.compute_checksum(cell)


def _locate(notebook: str | Path | None) -> Path:
    """The notebook to check: the argument, else the calling Jupyter session's notebook."""
    candidate = notebook or os.environ.get("JPY_SESSION_NAME")
    if not candidate:
        raise ValueError("selfcheck(): name the notebook to check, e.g. "
                         "selfcheck('lab01_data_capture.ipynb')")
    path = Path(candidate).expanduser()
    if not path.is_file() and Path(path.name).is_file():
        path = Path(path.name)
    if not path.is_file():
        raise FileNotFoundError(f"selfcheck(): no notebook {candidate} (looked in {Path.cwd()}); "
                                "pass the notebook's file name, as shown in its tab")
    return path.resolve()


def _copy_siblings(path: Path, dest: Path) -> Path:
    """Copy the files next to the notebook (data, sub-folders; no notebooks) to ``dest``.

    Nothing is copied if they weigh more than ``COPY_LIMIT`` (the notebook is then not in a lab
    folder). Returns ``dest``, the folder the notebook runs in.
    """
    from grader import layout

    files = [p for p in layout.lab_files(path.parent).values() if p.suffix != ".ipynb"]
    dest.mkdir(parents=True)
    if sum(p.stat().st_size for p in files) <= COPY_LIMIT:
        for file in files:
            target = dest / file.relative_to(path.parent)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(file, target)
    return dest
