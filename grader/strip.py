"""Clearing outputs from committed notebooks: ``python -m grader strip PATH...``."""

from pathlib import Path

from grader.layout import is_ignored
from grader.notebooks import read_notebook, strip_outputs, write_notebook


def notebook_paths(paths: list[Path]) -> list[Path]:
    """The notebooks named, and those inside named folders (recursively, no checkpoints).

    Raises ``FileNotFoundError`` for a path that does not exist.
    """
    found = []
    for path in paths:
        if path.is_dir():
            found += [p for p in sorted(path.rglob("*.ipynb"))
                      if not is_ignored(p.relative_to(path))]
        elif path.is_file():
            found.append(path)
        else:
            raise FileNotFoundError(f"{path}: no such file or folder")
    return list(dict.fromkeys(found))


def strip(paths: list[Path], *, check: bool = False) -> list[Path]:
    """Clear outputs and execution counts in place; return the notebooks that had some.

    With ``check`` nothing is written (a CI check that committed notebooks carry no outputs).
    """
    dirty = []
    for path in notebook_paths(paths):
        nb = read_notebook(path)
        if strip_outputs(nb):
            dirty.append(path)
            if not check:
                write_notebook(nb, path)
    return dirty
