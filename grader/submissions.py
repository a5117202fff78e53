"""Finding submissions: ``DIR/<student>/<lab>/<lab>.ipynb`` or ``DIR/<student>/<lab>.ipynb``.

The first is nbgrader's own layout (``submitted/``, or what ``nbgrader zip_collect`` makes);
the second is what a simple upload folder looks like. Only the notebook of a submission is
graded; every other file in a lab folder (a wrongly named notebook, an archive, data) and every
symbolic link gets a line saying what was found and what to do, which ``autograde`` prints and
writes into the CSV (task ``FILE``) and the JSON (``skipped``).
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
            if entry.is_symlink():
                skipped.append(f"{entry}: a symbolic link, not followed; submit the file itself")
                continue
            sub = _as_submission(student_dir.name, entry)
            if entry.is_dir() and LAB_NAME.match(entry.name):
                skipped += stray_files(entry, sub)
            if sub is None:
                skipped.append(f"{entry}: skipped; {_what(entry)}. A submission is "
                               "<student>/labNN_topic/labNN_topic.ipynb or "
                               "<student>/labNN_topic.ipynb")
            elif (sub.student, sub.lab) in found:
                skipped.append(f"{entry}: a second submission of {sub.lab} by {sub.student}; "
                               f"graded {found[sub.student, sub.lab].notebook} instead")
            else:
                found[sub.student, sub.lab] = sub
    return sorted(found.values(), key=lambda s: (s.student, s.lab)), skipped


def stray_files(lab_dir: Path, sub: Submission | None) -> list[str]:
    """A line for every file in a lab folder that is not the notebook graded."""
    lines = []
    for path in sorted(lab_dir.rglob("*")):
        if is_ignored(path.relative_to(lab_dir)) or path.is_dir():
            continue
        if sub is not None and path == sub.notebook and not path.is_symlink():
            continue
        lines.append(f"{path}: not graded; {_what(path)}. Only {lab_dir.name}/{lab_dir.name}.ipynb "
                     "is graded: rename your notebook to that, or extract an archive")
    return lines


def _what(path: Path) -> str:
    """What a stray entry looks like, for the note."""
    if path.is_symlink():
        return "a symbolic link (never followed)"
    if path.is_dir():
        return "a folder whose name is not a lab's"
    if path.suffix.lower() in (".zip", ".tar", ".gz", ".tgz", ".7z", ".rar"):
        return "an archive"
    if path.suffix == ".ipynb":
        return "a notebook with another name"
    return f"a {path.suffix or 'extension-less'} file"


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
