"""Publishing a generated release into ``labs/<lab>`` without destroying a learner's work.

Learners work in ``labs/`` in their clone. ``publish`` refuses to overwrite a lab notebook whose
answer cells were edited (nbgrader's checksum of the cell no longer matches), unless forced.
"""

import shutil
from pathlib import Path

from nbgrader import utils as nbutils

from grader import layout
from grader.generate import Generated
from grader.notebooks import NotebookError, answer_cells, grade_id, read_notebook


class LearnerWorkError(RuntimeError):
    """``labs/<lab>`` holds edited answers that regenerating would destroy."""


def edited_answers(notebook: Path) -> list[str]:
    """The grade ids of answer cells whose source differs from the released one."""
    try:
        nb = read_notebook(notebook)
    except NotebookError:
        return []
    return [grade_id(cell) for cell in answer_cells(nb)
            if "checksum" in cell.metadata.nbgrader
            and nbutils.compute_checksum(cell) != cell.metadata.nbgrader["checksum"]]


def publish(generated: Generated, root: Path, *, force: bool = False) -> list[str]:
    """Make ``labs/<lab>`` hold exactly the generated release; return what changed.

    Raises ``LearnerWorkError`` if a notebook there has edited answers and ``force`` is False.
    """
    target = layout.release_dir(root, generated.lab)
    new, old = layout.lab_files(generated.release), layout.lab_files(target)
    if not force:
        _refuse_if_edited(root, [old[rel] for rel in old if rel.endswith(".ipynb")])
    changes = []
    for rel, source in new.items():
        dest = target / rel
        if not dest.is_file() or dest.read_bytes() != source.read_bytes():
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, dest)
            changes.append(rel)
    for rel in sorted(old.keys() - new.keys()):
        old[rel].unlink()
        changes.append(f"{rel} (removed)")
    _remove_empty_dirs(target)
    return changes


def remove_orphans(root: Path, labs: list[str], *, force: bool = False) -> list[str]:
    """Delete ``labs/`` folders whose lab no longer exists in ``solutions/``; return their names."""
    orphans = [lab for lab in layout.released_labs(root) if lab not in labs]
    for lab in orphans:
        folder = layout.release_dir(root, lab)
        if not force:
            _refuse_if_edited(root, list(folder.rglob("*.ipynb")))
        shutil.rmtree(folder)
    return orphans


def _refuse_if_edited(root: Path, notebooks: list[Path]) -> None:
    """Raise ``LearnerWorkError`` naming the first notebook with edited answers."""
    for notebook in notebooks:
        edited = edited_answers(notebook)
        if edited:
            raise LearnerWorkError(
                f"{notebook.relative_to(root)} holds edited answers ({', '.join(edited)}); "
                "regenerating would overwrite them. Copy the notebook elsewhere first, or pass "
                "--force to overwrite it.")


def _remove_empty_dirs(folder: Path) -> None:
    """Remove empty sub-folders of ``folder`` (deepest first)."""
    if not folder.is_dir():
        return
    for sub in sorted((p for p in folder.rglob("*") if p.is_dir()), reverse=True):
        if not any(sub.iterdir()):
            sub.rmdir()
