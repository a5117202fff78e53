"""A learner's local check: run the saved lab in a fresh kernel and score its visible tests.

From a terminal::

    python -m grader selfcheck labs/lab01_data_capture/lab01_data_capture.ipynb

From a cell of the lab itself (save the notebook first: the check reads the saved file)::

    from grader.selfcheck import selfcheck
    selfcheck("lab01_data_capture.ipynb")

How it avoids running itself forever: it executes a *copy of the saved file* in a *separate
kernel* whose environment carries ``MONITORLAB_SELFCHECK=1``; a ``selfcheck(...)`` call inside
that run (the cell above) sees the flag and returns at once without executing anything. It does
the same under ``nbgrader autograde`` (``NBGRADER_EXECUTION`` set), so leaving the call in a
submitted lab costs nothing.

Scores follow ``nbgrader.utils.determine_grade``, as autograde does: a test cell that raises or
writes to stderr scores 0, one whose last expression is a number scores that number, any other
scores its points. Only the visible tests are in a released lab: the hidden tests, which decide
the grade, run when the lab is autograded.
"""

import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader import utils as nbutils

from grader import layout
from grader.environment import SELFCHECK_FLAG, grading_env
from grader.execute import ExecutionFailed, execute_notebook
from grader.notebooks import answer_cells, grade_cells, grade_id, output_text, read_notebook
from grader.settings import DEFAULT_CELL_TIMEOUT

COPY_LIMIT = 100 * 2**20  # at most this many bytes of the notebook's folder are copied


@dataclass
class TaskCheck:
    """The visible-test result of one task (one graded cell)."""

    grade_id: str
    points: float
    max_points: float
    message: str = ""

    @property
    def status(self) -> str:
        """passed, partial or failed."""
        if self.points >= self.max_points:
            return "passed"
        return "partial" if self.points > 0 else "failed"


@dataclass
class SelfCheckReport:
    """What ``selfcheck`` found: tasks, unanswered cells, answer errors; ``skipped`` if not run."""

    notebook: str
    tasks: list[TaskCheck] = field(default_factory=list)
    unanswered: list[str] = field(default_factory=list)
    answer_errors: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    skipped: str | None = None

    @property
    def total(self) -> float:
        """Points from the visible tests."""
        return sum(t.points for t in self.tasks)

    @property
    def max_total(self) -> float:
        """Points available."""
        return sum(t.max_points for t in self.tasks)

    def __repr__(self) -> str:
        return (f"SelfCheckReport({self.notebook!r}, total={self.total:g}, "
                f"max_total={self.max_total:g})")

    def __str__(self) -> str:
        return format_report(self)


def selfcheck(notebook: str | Path | None = None, *, timeout: int = DEFAULT_CELL_TIMEOUT,
              show: bool = True) -> SelfCheckReport:
    """Execute a copy of the saved ``notebook`` and score its visible tests per task.

    ``notebook`` defaults to the notebook of the calling Jupyter session. Prints the report
    when ``show`` is true; returns it either way.
    """
    if os.environ.get(SELFCHECK_FLAG) or os.environ.get("NBGRADER_EXECUTION"):
        report = SelfCheckReport(str(notebook), skipped="already inside a self-check or "
                                 "autograde run: nothing executed")
    else:
        report = run_selfcheck(_locate(notebook), timeout=timeout)
    if show:
        print(format_report(report))
    return report


def run_selfcheck(path: Path, *, timeout: int = DEFAULT_CELL_TIMEOUT) -> SelfCheckReport:
    """Execute a copy of ``path`` in a temporary folder and score it (see module docstring)."""
    nb = read_notebook(path)
    report = SelfCheckReport(str(path))
    with tempfile.TemporaryDirectory(prefix="monitorlab-selfcheck-") as tmp:
        workdir = _copy_siblings(path, Path(tmp) / "lab")
        env = {**grading_env(Path(tmp)), SELFCHECK_FLAG: "1"}
        try:
            execute_notebook(nb, workdir, timeout=timeout, env=env)
        except ExecutionFailed as exc:
            report.error = f"{path}: {exc}"
    report.tasks = [score_cell(cell) for cell in grade_cells(nb)]
    for cell in answer_cells(nb):
        if _untouched(cell):
            report.unanswered.append(grade_id(cell))
        elif any(o.output_type == "error" for o in cell.get("outputs", [])):
            report.answer_errors[grade_id(cell)] = output_text(cell, limit=300)
    return report


def score_cell(cell) -> TaskCheck:
    """A graded cell's points (``determine_grade``) and what it printed."""
    max_points = float(cell.metadata.nbgrader["points"])
    try:
        points, _ = nbutils.determine_grade(cell)
    except ValueError as exc:  # a partial-credit number above the cell's points
        return TaskCheck(grade_id(cell), 0.0, max_points, f"invalid test score: {exc}")
    if points is None:
        return TaskCheck(grade_id(cell), 0.0, max_points, "graded by the instructor, not here")
    return TaskCheck(grade_id(cell), float(points), max_points, output_text(cell))


def format_report(report: SelfCheckReport) -> str:
    """The report as text: a line per task (status, points, messages) and the total."""
    if report.skipped:
        return f"selfcheck skipped: {report.skipped}."
    name = Path(report.notebook).name
    lines = [f"Self-check of {name}: visible tests only; the hidden tests decide your grade."]
    if Path(report.notebook).is_file():
        saved = time.strftime("%H:%M:%S", time.localtime(Path(report.notebook).stat().st_mtime))
        lines[0] += f" (file saved at {saved}: save first to check your latest edits)"
    if report.error:
        lines.append(f"ERROR: {report.error}")
    width = max([len(t.grade_id) for t in report.tasks] + [5])
    for task in report.tasks:
        lines.append(f"  {task.grade_id.ljust(width)}  {task.points:g}/{task.max_points:g}  "
                     f"{task.status}")
        if task.message and task.status != "passed":
            lines += ["      " + line for line in task.message.splitlines()]
    lines.append(f"  {'total'.ljust(width)}  {report.total:g}/{report.max_total:g}")
    if report.unanswered:
        lines.append("Not answered yet: " + ", ".join(report.unanswered))
    for gid, message in report.answer_errors.items():
        lines.append(f"Answer cell {gid} raised {message}")
    return "\n".join(lines)


def _untouched(cell) -> bool:
    """True if an answer cell still holds its released source (nbgrader checksum unchanged)."""
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
    files = [p for p in layout.lab_files(path.parent).values() if p.suffix != ".ipynb"]
    dest.mkdir(parents=True)
    if sum(p.stat().st_size for p in files) <= COPY_LIMIT:
        for file in files:
            target = dest / file.relative_to(path.parent)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(file, target)
    return dest
