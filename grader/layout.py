"""Where the course keeps its labs: ``solutions/labNN_topic/labNN_topic.ipynb`` and ``labs/...``."""

import re
from pathlib import Path

from grader.settings import REPO_ROOT

SOURCE_DIR = "solutions"
RELEASE_DIR = "labs"
LAB_NAME = re.compile(r"^lab\d{2}_[a-z0-9_]+$")
IGNORED_PARTS = {".ipynb_checkpoints", "__pycache__", ".DS_Store"}


class LayoutError(ValueError):
    """The course folders are not laid out as the grader expects (the message says the fix)."""


def course_root(root: Path | str | None = None) -> Path:
    """The course root: ``root`` if given, else the repository this package lives in."""
    return Path(root).resolve() if root is not None else REPO_ROOT


def source_dir(root: Path, lab: str) -> Path:
    """``solutions/<lab>``."""
    return root / SOURCE_DIR / lab


def release_dir(root: Path, lab: str) -> Path:
    """``labs/<lab>``."""
    return root / RELEASE_DIR / lab


def source_notebook(root: Path, lab: str) -> Path:
    """``solutions/<lab>/<lab>.ipynb``."""
    return source_dir(root, lab) / f"{lab}.ipynb"


def release_notebook(root: Path, lab: str) -> Path:
    """``labs/<lab>/<lab>.ipynb``."""
    return release_dir(root, lab) / f"{lab}.ipynb"


def list_labs(root: Path) -> list[str]:
    """The labs in ``solutions/``, sorted: every folder named ``labNN_topic``.

    Raises ``LayoutError`` if a lab folder lacks its notebook.
    """
    folder = root / SOURCE_DIR
    if not folder.is_dir():
        return []
    labs = sorted(p.name for p in folder.iterdir() if p.is_dir() and LAB_NAME.match(p.name))
    for lab in labs:
        if not source_notebook(root, lab).is_file():
            raise LayoutError(
                f"{source_dir(root, lab)} has no {lab}.ipynb: a lab folder must hold a notebook "
                f"with the folder's name. Rename the notebook to {lab}.ipynb.")
    return labs


def released_labs(root: Path) -> list[str]:
    """The lab folders present in ``labs/``, sorted."""
    folder = root / RELEASE_DIR
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if p.is_dir() and LAB_NAME.match(p.name))


def resolve_labs(root: Path, names: list[str] | None) -> list[str]:
    """The labs named (all labs if none), each checked to exist in ``solutions/``."""
    known = list_labs(root)
    if not names:
        return known
    missing = [n for n in names if n not in known]
    if missing:
        raise LayoutError(
            f"no lab named {', '.join(missing)} in {root / SOURCE_DIR}; "
            f"labs there: {', '.join(known) or '(none)'}.")
    return list(dict.fromkeys(names))


def is_ignored(path: Path) -> bool:
    """True for editor and cache files that never belong to a lab."""
    return any(part in IGNORED_PARTS or part.endswith(".pyc") for part in path.parts)


def lab_files(folder: Path) -> dict[str, Path]:
    """Every file of a lab folder by relative POSIX path, without ignored files."""
    if not folder.is_dir():
        return {}
    files = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if path.is_file() and not is_ignored(rel):
            files[rel.as_posix()] = path
    return files
