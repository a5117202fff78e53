"""Finding submissions: ``DIR/<student>/<lab>/<lab>.ipynb`` or ``DIR/<student>/<lab>.ipynb``.

The first is nbgrader's own layout (``submitted/``, or what ``nbgrader zip_collect`` makes);
the second is what a simple upload folder looks like. Only the notebook of a submission is
graded: other files a learner put next to it are ignored (the lab's own data files come from
the release).
"""

from dataclasses import dataclass
from pathlib import Path

from grader.layout import LAB_NAME, is_ignored


@dataclass(frozen=True)
class Submission:
    """One learner's notebook for one lab."""

    student: str
    lab: str
    notebook: Path


def find_submissions(folder: Path) -> tuple[list[Submission], list[str]]:
    """The submissions under ``folder`` (sorted) and warnings about what was skipped."""
    found: dict[tuple[str, str], Submission] = {}
    skipped = []
    for student_dir in _subfolders(folder):
        for entry in sorted(student_dir.iterdir()):
            if entry.name.startswith(".") or is_ignored(Path(entry.name)):
                continue
            sub = _as_submission(student_dir.name, entry)
            if sub is None:
                if entry.suffix == ".ipynb" or entry.is_dir():
                    skipped.append(f"{entry}: skipped; a submission is <student>/labNN_topic/"
                                   "labNN_topic.ipynb or <student>/labNN_topic.ipynb")
            elif (sub.student, sub.lab) in found:
                skipped.append(f"{entry}: a second submission of {sub.lab} by {sub.student}; "
                               f"graded {found[sub.student, sub.lab].notebook} instead")
            else:
                found[sub.student, sub.lab] = sub
    return sorted(found.values(), key=lambda s: (s.student, s.lab)), skipped


def _subfolders(folder: Path) -> list[Path]:
    """Visible, non-cache sub-folders of ``folder``, sorted by name."""
    return sorted(p for p in folder.iterdir()
                  if p.is_dir() and not p.name.startswith(".") and not is_ignored(Path(p.name)))


def _as_submission(student: str, entry: Path) -> Submission | None:
    """``entry`` (inside a student's folder) as a submission, or None if it is not one."""
    if entry.is_dir() and LAB_NAME.match(entry.name):
        notebook = entry / f"{entry.name}.ipynb"
        return Submission(student, entry.name, notebook) if notebook.is_file() else None
    if entry.is_file() and entry.suffix == ".ipynb" and LAB_NAME.match(entry.stem):
        return Submission(student, entry.stem, entry)
    return None
