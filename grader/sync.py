"""Checking that ``labs/`` is exactly what ``generate`` makes of ``solutions/``."""

import difflib
import tempfile
from dataclasses import dataclass
from pathlib import Path

from grader import layout
from grader.generate import generate_lab

DIFF_LINES = 12


@dataclass(frozen=True)
class Difference:
    """One way ``labs/`` differs from a fresh generation: the file, the problem, a diff excerpt."""

    path: str
    problem: str
    detail: str = ""

    def __str__(self) -> str:
        text = f"{self.path}: {self.problem}"
        return text + ("\n" + self.detail if self.detail else "")


def check_sync(root: Path, names: list[str] | None = None) -> list[Difference]:
    """Generate every lab (or those named) into a temp folder and compare with ``labs/``.

    Checking every lab also reports ``labs/`` folders whose source is gone.
    """
    labs = layout.resolve_labs(root, names)
    differences = []
    for lab in labs:
        with tempfile.TemporaryDirectory(prefix=f"monitorlab-sync-{lab}-") as tmp:
            generated = generate_lab(root, lab, Path(tmp))
            differences += compare_folders(generated.release, layout.release_dir(root, lab), root)
    orphans = [] if names else [lab for lab in layout.released_labs(root) if lab not in labs]
    for orphan in orphans:
        differences.append(Difference(
            f"{layout.RELEASE_DIR}/{orphan}",
            f"has no source {layout.SOURCE_DIR}/{orphan}/{orphan}.ipynb; delete the folder "
            "(or restore its source)"))
    return differences


def compare_folders(expected: Path, actual: Path, root: Path) -> list[Difference]:
    """The files of ``actual`` that are missing, extra or different compared with ``expected``."""
    want, have = layout.lab_files(expected), layout.lab_files(actual)
    shown = actual.relative_to(root).as_posix()
    differences = []
    for rel in sorted(want.keys() | have.keys()):
        path = f"{shown}/{rel}"
        if rel not in have:
            differences.append(Difference(path, "missing; run `python -m grader generate`"))
        elif rel not in want:
            differences.append(Difference(path, "is not produced by generate; delete it (or add "
                                                "it to the lab's source folder)"))
        elif want[rel].read_bytes() != have[rel].read_bytes():
            differences.append(Difference(
                path, "differs from what generate makes of its source; run "
                      "`python -m grader generate` and commit the result",
                _diff_excerpt(want[rel], have[rel], path)))
    return differences


def _diff_excerpt(expected: Path, actual: Path, name: str) -> str:
    """The first lines of a unified diff (committed -> generated) of two text files."""
    try:
        old = actual.read_text(encoding="utf-8").splitlines()
        new = expected.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        return "    (binary files differ)"
    lines = list(difflib.unified_diff(old, new, f"{name} (committed)", f"{name} (generated)",
                                      n=1, lineterm=""))
    more = len(lines) - DIFF_LINES
    excerpt = ["    " + line for line in lines[:DIFF_LINES]]
    if more > 0:
        excerpt.append(f"    ... ({more} more diff lines)")
    return "\n".join(excerpt)
