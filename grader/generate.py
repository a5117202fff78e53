"""Generating a lab's release (``labs/<lab>``) from its source (``solutions/<lab>``).

Every generation runs in a fresh temporary course directory with its own temporary gradebook:
the lab's source folder is copied in, ``nbgrader generate_assignment`` (its Python API) writes
the release and records the lab (cells, hidden tests, points, checksums) in the gradebook, and
the source copy is deleted. Nothing touches the instructor's ``gradebook.db``, so no stale
database state can break a later run, and the same source always gives the same bytes:

- cells without an id (nbformat 4.5) get ids from their position in the temporary copy
  (nbformat would otherwise invent random ones on every read);
- the release notebook is re-serialised canonically (nbformat JSON, sorted keys, final newline).
"""

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from nbgrader.converters import GenerateAssignment

from grader import layout
from grader.notebooks import ensure_cell_ids, read_notebook, write_notebook
from grader.runner import NbgraderFailed, run_converter
from grader.settings import course_config

GRADEBOOK = "gradebook.db"


class GenerateError(RuntimeError):
    """nbgrader could not generate a lab (the message names the source notebook and the fix)."""


@dataclass(frozen=True)
class Generated:
    """A lab generated in a temporary course: its release folder and its gradebook."""

    lab: str
    release: Path
    gradebook: Path


def generate_lab(root: Path, lab: str, workdir: Path) -> Generated:
    """Generate ``lab`` of the course at ``root`` inside the empty folder ``workdir``.

    ``workdir/course/labs/<lab>`` receives the release and ``workdir/gradebook.db`` the gradebook;
    the copied source is deleted before returning, so ``workdir`` holds no solutions.
    Raises ``GenerateError`` (naming the notebook) if nbgrader rejects the source.
    """
    course = workdir / "course"
    source_copy = course / layout.SOURCE_DIR / lab
    shutil.copytree(layout.source_dir(root, lab), source_copy,
                    ignore=shutil.ignore_patterns(*layout.IGNORED_PARTS, "*.pyc"))
    _stabilise_cell_ids(layout.source_notebook(root, lab), source_copy / f"{lab}.ipynb")
    gradebook = workdir / GRADEBOOK
    try:
        run_converter(GenerateAssignment, course_config(course, gradebook), assignment_id=lab,
                      force=True, create_assignment=True)
    except NbgraderFailed as exc:
        raise GenerateError(
            f"{layout.source_notebook(root, lab)}: nbgrader generate_assignment failed: {exc}. "
            "Fix the cell or its nbgrader metadata (JupyterLab: the 'Create Assignment' cell "
            "toolbar) and run again.") from exc
    finally:
        shutil.rmtree(course / layout.SOURCE_DIR, ignore_errors=True)
    release = course / layout.RELEASE_DIR / lab
    for notebook in release.rglob("*.ipynb"):
        write_notebook(read_notebook(notebook), notebook)
    return Generated(lab=lab, release=release, gradebook=gradebook)


def _stabilise_cell_ids(source: Path, copy: Path) -> None:
    """Give the temporary ``copy`` of ``source`` deterministic cell ids where ids are missing.

    ``source`` is read first as a notebook, so a broken one is reported under its own name.
    """
    read_notebook(source)
    raw = json.loads(source.read_text(encoding="utf-8"))
    if ensure_cell_ids(raw):
        copy.write_text(json.dumps(raw, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
                        encoding="utf-8")
