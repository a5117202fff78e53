"""Reading, writing and cleaning notebooks, byte-for-byte deterministically."""

import json
from pathlib import Path

import nbformat
from nbformat import NotebookNode
from nbgrader import utils as nbutils

SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")


class NotebookError(ValueError):
    """A file is not a notebook the grader can use (the message names the file and the fix)."""


def read_notebook(path: Path | str) -> NotebookNode:
    """Read a notebook (as nbformat 4); raise ``NotebookError`` naming the file if it is broken."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise NotebookError(f"{path}: no such notebook") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise NotebookError(f"{path} cannot be read as UTF-8 text ({exc})") from None
    try:
        return nbformat.reads(text, as_version=4)
    except (json.JSONDecodeError, nbformat.reader.NotJSONError) as exc:
        raise NotebookError(
            f"{path} is not valid notebook JSON ({_first_line(exc)}); the file is damaged. Fix: "
            "open a fresh copy of the lab from labs/ and paste your answers into it.") from None
    except Exception as exc:  # nbformat raises several types for malformed structures
        raise NotebookError(
            f"{path} is not a valid Jupyter notebook ({_first_line(exc)})") from None


def dumps(nb: NotebookNode) -> str:
    """Serialise a notebook canonically: nbformat's JSON (sorted keys, indent 1) and a newline."""
    text = nbformat.writes(nb)
    return text if text.endswith("\n") else text + "\n"


def write_notebook(nb: NotebookNode, path: Path | str) -> bool:
    """Write ``nb`` to ``path`` canonically; return True if the file's bytes changed."""
    path = Path(path)
    data = dumps(nb).encode("utf-8")
    if path.is_file() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return True


def ensure_cell_ids(raw: dict) -> bool:
    """Give ids to cells of a raw notebook dict that lack one (nbformat >= 4.5), by position.

    Works on the JSON before nbformat sees it: nbformat would invent random ids on every read,
    and a generated lab would change bytes on every run. Returns True if any id was added.
    """
    if (raw.get("nbformat", 0), raw.get("nbformat_minor", 0)) < (4, 5):
        return False
    cells = raw.get("cells", [])
    taken = {cell.get("id") for cell in cells}
    added = False
    for index, cell in enumerate(cells):
        if not cell.get("id"):
            new_id = f"cell-{index}"
            while new_id in taken:
                new_id += "x"
            cell["id"] = new_id
            taken.add(new_id)
            added = True
    return added


def strip_outputs(nb: NotebookNode) -> bool:
    """Clear outputs, execution counts and execution timing metadata; return True if changed."""
    changed = False
    for cell in nb.cells:
        if cell.cell_type == "code":
            if cell.get("outputs") or cell.get("execution_count") is not None:
                cell.outputs = []
                cell.execution_count = None
                changed = True
        if "execution" in cell.get("metadata", {}):
            del cell.metadata["execution"]
            changed = True
    return changed


def grade_id(cell: NotebookNode) -> str | None:
    """The nbgrader ``grade_id`` of a cell, or None for an ordinary cell."""
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def grade_cells(nb: NotebookNode) -> list[NotebookNode]:
    """The graded (autograder-test or manually graded) cells, in notebook order."""
    return [cell for cell in nb.cells if nbutils.is_grade(cell)]


def answer_cells(nb: NotebookNode) -> list[NotebookNode]:
    """The cells learners answer in (nbgrader solution cells), in notebook order."""
    return [cell for cell in nb.cells if nbutils.is_solution(cell)]


def task_points(nb: NotebookNode) -> dict[str, float]:
    """``grade_id -> points`` for every graded cell, in notebook order."""
    return {grade_id(cell): float(cell.metadata.nbgrader["points"]) for cell in grade_cells(nb)}


def without_solution_markers(source: str) -> str:
    """A solution cell's source with its ``### BEGIN/END SOLUTION`` lines removed."""
    lines = source.split("\n")
    return "\n".join(line for line in lines
                     if not any(marker in line for marker in SOLUTION_MARKERS))


def output_text(cell: NotebookNode, limit: int = 2000) -> str:
    """What a code cell printed (stdout, stderr) and the error it raised, as plain text."""
    parts = []
    for output in cell.get("outputs", []):
        if output.output_type == "stream":
            parts.append(output.text)
        elif output.output_type == "error":
            parts.append(f"{output.ename}: {output.evalue}".rstrip(": ") + "\n")
    text = "".join(parts).strip()
    return text if len(text) <= limit else text[:limit] + " [...]"


def _first_line(exc: Exception) -> str:
    """The first line of an exception's message."""
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
