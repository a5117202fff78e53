"""Grades of autograded submissions, and the table, CSV and JSON they are reported in.

CSV (one file, long format, machine readable): columns ``student, lab, task, points,
max_points, note``; one row per graded cell (``task`` = its nbgrader ``grade_id``, ``note`` =
what the test printed or raised, first line), then one row per submission with ``task`` =
``TOTAL`` (``note`` = the error that stopped grading, if any). Rows are sorted by student, lab,
then the tasks' order in the notebook. Numbers are written with ``format(x, "g")``. A note that
(or a student id) starting with ``= + - @ | %``, a tab or a carriage return gets a leading ``'`` so
that spreadsheets do not run it as a formula.

JSON: ``{"cell_timeout": s, "skipped": [...], "results": [...]}``, one object per submission with
its tasks (including the full messages), error, notes, grading time, the ``seed`` of the hidden
inputs, whether it ran ``sandboxed``, its ``integrity`` flags, the tasks ``scored_in_kernel``
(a lab without trusted checks yet) and, when grading failed, the tail of the grading log.
"""

import csv
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

TOTAL = "TOTAL"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "|", "%")
CSV_COLUMNS = ("student", "lab", "task", "points", "max_points", "note")


@dataclass
class TaskScore:
    """Points of one graded cell (a task) and what its test printed."""

    grade_id: str
    points: float
    max_points: float
    message: str = ""


@dataclass
class SubmissionResult:
    """The grade of one submission; ``error`` says why grading stopped (score 0) if it did."""

    student: str
    lab: str
    notebook: str
    tasks: list[TaskScore] = field(default_factory=list)
    error: str | None = None
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    log: str = ""
    seed: int | None = None
    sandboxed: bool | None = None
    integrity: list[str] = field(default_factory=list)
    scored_in_kernel: list[str] = field(default_factory=list)  # tasks of a lab not converted yet

    @property
    def score(self) -> float:
        """Total points (0 if grading failed)."""
        return 0.0 if self.error else round(sum(t.points for t in self.tasks), 6)

    @property
    def max_score(self) -> float:
        """Total points available."""
        return round(sum(t.max_points for t in self.tasks), 6)

    def to_dict(self) -> dict:
        """A JSON-ready dict (with ``score`` and ``max_score``)."""
        data = asdict(self)
        data.update(score=self.score, max_score=self.max_score)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "SubmissionResult":
        """Inverse of ``to_dict``."""
        fields = {k: v for k, v in data.items() if k not in ("score", "max_score")}
        fields["tasks"] = [TaskScore(**t) for t in fields.get("tasks", [])]
        return cls(**fields)


def failed(student: str, lab: str, notebook: str, error: str,
           points: dict[str, float] | None = None, **extra) -> SubmissionResult:
    """A result with score 0 for every task and the error that stopped grading."""
    tasks = [TaskScore(gid, 0.0, pts) for gid, pts in (points or {}).items()]
    return SubmissionResult(student, lab, notebook, tasks=tasks, error=error, **extra)


def sort_results(results: list[SubmissionResult]) -> list[SubmissionResult]:
    """Results in a stable order: by student, then lab."""
    return sorted(results, key=lambda r: (r.student, r.lab, r.notebook))


def write_csv(results: list[SubmissionResult], path: Path, skipped: list[str] = ()) -> None:
    """Write the long-format grade CSV described in the module docstring.

    Each ``skipped`` line (a file that was not graded, see ``grader.submissions``) becomes a row
    with task ``FILE``, student and lab taken from its path where they can be.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for r in sort_results(results):
            for t in r.tasks:
                writer.writerow([_cell_text(r.student), r.lab, t.grade_id, _num(t.points),
                                 _num(t.max_points), _cell_text(_first_line(t.message))])
            writer.writerow([_cell_text(r.student), r.lab, TOTAL, _num(r.score),
                             _num(r.max_score), _cell_text(r.error or "; ".join(r.notes))])
        for line in skipped:
            student, lab = _owner(line)
            writer.writerow([_cell_text(student), _cell_text(lab), "FILE", "", "", _cell_text(line)])


def write_json(results: list[SubmissionResult], path: Path, cell_timeout: int,
               skipped: list[str] = ()) -> None:
    """Write every result (tasks, messages, errors, notes) and every skipped file as JSON."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"cell_timeout": cell_timeout, "skipped": list(skipped),
            "results": [r.to_dict() for r in sort_results(results)]}
    path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def format_table(results: list[SubmissionResult], note_width: int = 70) -> str:
    """A plain-text grade table per lab: student, score, max, points per task, note."""
    blocks = []
    for lab in sorted({r.lab for r in results}):
        rows = [r for r in sort_results(results) if r.lab == lab]
        task_ids = list(dict.fromkeys(t.grade_id for r in rows for t in r.tasks))
        header = ["student", "score", "max", *task_ids, "note"]
        body = [[r.student, _num(r.score), _num(r.max_score),
                 *[_task_points(r, gid) for gid in task_ids],
                 _clip(r.error or "; ".join(r.notes), note_width)] for r in rows]
        blocks.append(f"== {lab} ==\n" + _align([header, *body]))
    return "\n\n".join(blocks)


def _owner(line: str) -> tuple[str, str]:
    """(student, lab) of a skipped-file line ``.../<student>/<labNN_x>/file: ...``, best effort."""
    parts = Path(line.split(": ", 1)[0]).parts
    labs = [i for i, part in enumerate(parts) if part.startswith("lab") and part[3:5].isdigit()]
    if labs and labs[0] > 0:
        return parts[labs[0] - 1], Path(parts[labs[0]]).stem
    return (parts[-2] if len(parts) > 1 else ""), ""


def _task_points(result: SubmissionResult, grade_id: str) -> str:
    """The points of one task of a result, or '-' if the result has no such task."""
    for task in result.tasks:
        if task.grade_id == grade_id:
            return _num(task.points)
    return "-"


def _align(rows: list[list[str]]) -> str:
    """Rows as left-aligned columns (the last column unpadded)."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    lines = ["  ".join([*(cell.ljust(w) for cell, w in zip(row, widths)), row[-1]]).rstrip()
             for row in rows]
    return "\n".join(lines)


def _num(value: float) -> str:
    """A number as text without float noise: 2, 1.5, 0.333333."""
    return format(round(float(value), 6), "g")


def _first_line(text: str) -> str:
    """The first non-empty line of ``text``."""
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def _cell_text(text: str) -> str:
    """Text for a CSV cell that spreadsheets will not run as a formula (learner output)."""
    return "'" + text if text[:1] in FORMULA_STARTS else text


def _clip(text: str, width: int) -> str:
    """``text`` on one line, cut to ``width`` characters."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."
