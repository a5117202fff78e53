"""A learner's course progress, and a text progress bar for slow steps.

``python -m grader progress`` (or the end of every ``selfcheck()``) prints one line per lab of
the learner's ``workspace/labs``: tasks answered (an answer cell differs from the released one,
nbgrader's checksum) and what the lab's last self-check said, then the course total.

Each ``selfcheck`` records its result next to the notebook in ``.<lab>.selfcheck.json`` (a
hidden, git-ignored file); nothing is recorded for the tracked ``labs/`` and ``solutions/``.
"""

import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader import utils as nbutils

from grader import layout
from grader.notebooks import NotebookError, read_notebook
from grader.settings import REPO_ROOT

STATUSES = ("passed", "recorded", "to fix", "not answered")


class ProgressBar:
    """``label [#####.....] 12/30`` on one line, redrawn in place (terminal and notebook)."""

    def __init__(self, label: str, total: int, width: int = 30, stream=None) -> None:
        self.label, self.total, self.width = label, max(total, 1), width
        self.done = 0
        self.stream = stream or sys.stdout
        self._draw()

    def step(self, **_hook_arguments) -> None:
        """Advance by one (usable as nbclient's ``on_cell_executed`` hook)."""
        self.done = min(self.done + 1, self.total)
        self._draw()

    def close(self) -> None:
        """End the bar's line."""
        self.stream.write("\n")
        self.stream.flush()

    def _draw(self) -> None:
        filled = round(self.width * self.done / self.total)
        self.stream.write(f"\r{self.label} [{'#' * filled}{'.' * (self.width - filled)}] "
                          f"{self.done}/{self.total} cells")
        self.stream.flush()


@dataclass
class LabProgress:
    """One lab of a learner's workspace."""

    lab: str
    tasks: int = 0
    answered: int = 0
    points: float = 0.0
    checked_at: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    error: str | None = None


def record_file(notebook: Path) -> Path:
    """Where ``record`` keeps a notebook's last self-check."""
    return notebook.parent / f".{notebook.stem}.selfcheck.json"


def record(notebook: Path, report) -> Path | None:
    """Save a self-check report's counts for the progress view; None for tracked notebooks."""
    notebook = Path(notebook).resolve()
    tracked = [REPO_ROOT / layout.RELEASE_DIR, REPO_ROOT / layout.SOURCE_DIR]
    if any(notebook.is_relative_to(folder) for folder in tracked):
        return None
    data = {"checked_at": time.strftime("%Y-%m-%d %H:%M"), "counts": report.counts(),
            "error": report.error}
    target = record_file(notebook)
    try:
        target.write_text(json.dumps(data, indent=1), encoding="utf-8")
    except OSError:
        return None
    return target


def lab_progress(notebook: Path) -> LabProgress:
    """Tasks, answered tasks and points of a lab notebook, and its last recorded self-check."""
    row = LabProgress(notebook.stem)
    try:
        nb = read_notebook(notebook)
    except NotebookError as exc:
        row.error = str(exc)
        return row
    answers = []
    for cell in nb.cells:
        if nbutils.is_grade(cell):
            row.tasks += 1
            row.points += float(cell.metadata.nbgrader.get("points", 0))
            row.answered += any(_edited(a) for a in answers)
            answers = []
        elif nbutils.is_solution(cell):
            answers.append(cell)
    saved = record_file(notebook)
    if saved.is_file():
        data = json.loads(saved.read_text(encoding="utf-8"))
        row.checked_at, row.counts = data["checked_at"], data["counts"]
    return row


def course_progress(notebook_or_folder: Path) -> list[LabProgress]:
    """Every lab in a ``labs`` folder (given, or the one holding the given lab notebook)."""
    path = Path(notebook_or_folder).resolve()
    folder = path.parent.parent if path.suffix == ".ipynb" else path
    return [lab_progress(nb) for nb in sorted(folder.glob("lab*/lab*.ipynb"))
            if nb.stem == nb.parent.name and layout.LAB_NAME.match(nb.stem)]


def format_progress(rows: list[LabProgress]) -> str:
    """The progress view: a line per lab and the course total."""
    if not rows:
        return "Course progress: no labs found."
    width = max(len(r.lab) for r in rows)
    lines = ["Course progress (answered tasks; the last self-check of each lab):"]
    for r in rows:
        last = ("not self-checked yet" if not r.checked_at else
                f"{r.checked_at}: " + ", ".join(f"{r.counts.get(s, 0)} {s}" for s in STATUSES))
        lines.append(f"  {r.lab.ljust(width)}  {r.answered}/{r.tasks} answered  "
                     f"{r.points:g} points  {r.error or last}")
    total = {s: sum(r.counts.get(s, 0) for r in rows) for s in STATUSES}
    lines.append(f"  {'total'.ljust(width)}  {sum(r.answered for r in rows)}/"
                 f"{sum(r.tasks for r in rows)} answered  {sum(r.points for r in rows):g} points  "
                 + ", ".join(f"{total[s]} {s}" for s in STATUSES))
    return "\n".join(lines)


def _edited(cell) -> bool:
    """True if an answer cell no longer holds its released source (nbgrader checksum)."""
    checksum = cell.metadata.get("nbgrader", {}).get("checksum")
    return checksum is not None and checksum != nbutils.compute_checksum(cell)
