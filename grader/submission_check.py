"""Honest variations made gradable, and the integrity report of a submission.

``normalise_submission`` runs before nbgrader sees a notebook: JupyterLab's copy/paste keeps a
cell's nbgrader metadata, and two cells with one ``grade_id`` made nbgrader 0.9.6 fail
(``DeduplicateIds`` leaves an empty ``nbgrader`` dict, and a later step reads its
``grade_id``: ``KeyError``). Every copy but the **last** (the one nbgrader itself keeps) loses
its nbgrader metadata and runs as an ordinary cell, so no code the learner wrote is dropped. A
cell whose nbgrader metadata lacks a ``grade_id`` becomes ordinary too.

``integrity_flags`` reads the submission's answer cells for code that reaches into the test
machinery (``import builtins``, ``sys.settrace``, IPython hooks, ``gc``/``ctypes``/``inspect``
tricks, assigning a builtin's name) or into ``grader``. Flags inform the instructor; the score
stays what the answers earn (the trusted checks do not depend on any of it).
"""

import re
from collections import Counter

from nbformat import NotebookNode

from grader.notebooks import answer_cells, grade_id

TAMPERING = [
    (r"\bimport\s+builtins\b|\bfrom\s+builtins\s+import\b|__builtins__", "touches builtins"),
    (r"\bsys\.(settrace|setprofile|stdout|displayhook|excepthook)\b|\bthreading\.settrace\b",
     "replaces an interpreter hook (sys.settrace/stdout/displayhook...)"),
    (r"get_ipython\s*\(\s*\)\s*\.\s*(events|input_transformers|ast_transformers|"
     r"display_formatter|set_custom_exc|run_cell)", "patches IPython (events, transformers, formatters)"),
    (r"\b(gc\.get_referrers|gc\.get_objects|ctypes|inspect\.currentframe|sys\._getframe)\b",
     "uses gc/ctypes/frame introspection"),
    (r"\bmath\.isclose\s*=|\bnp\.isclose\s*=|\bnumpy\.isclose\s*=", "replaces math/numpy comparisons"),
    (r"\bgrader\b", "refers to the grader"),
    (r"\bgetattr\s*\(\s*(monitorlab|capture|drift|ranking)|\bimportlib\b|__import__",
     "looks names up at run time (getattr/importlib: a way round the engine-function check)"),
]
BUILTIN_NAMES = ("min", "max", "round", "float", "int", "abs", "sum", "len", "print", "isinstance",
                 "type", "str", "bool", "repr", "set", "list", "dict", "tuple", "open")
SHADOW = re.compile(r"^\s*(?:def\s+(%s)\s*\(|(%s)\s*=[^=])" % ("|".join(BUILTIN_NAMES),
                                                                 "|".join(BUILTIN_NAMES)), re.M)


def normalise_submission(nb: NotebookNode) -> NotebookNode:
    """``nb`` with duplicated or id-less nbgrader metadata removed (see the module docstring)."""
    ids = [grade_id(cell) if "nbgrader" in cell.get("metadata", {}) else None for cell in nb.cells]
    last = {gid: index for index, gid in enumerate(ids) if gid}
    for index, cell in enumerate(nb.cells):
        meta = cell.get("metadata", {})
        if "nbgrader" in meta and (not ids[index] or last.get(ids[index]) != index):
            del meta["nbgrader"]
    return nb


def duplicate_notes(nb: NotebookNode) -> list[str]:
    """One note per grade_id that appeared in more than one cell."""
    counts = Counter(grade_id(c) for c in nb.cells if grade_id(c))
    return [f"{gid} appeared in {n} cells (copy/paste?); the last one was graded, the others ran "
            "as ordinary cells" for gid, n in counts.items() if n > 1]


def integrity_flags(nb: NotebookNode) -> list[str]:
    """Answer cells (and cells the learner added) that reach into the test machinery."""
    flags = []
    cells = [c for c in nb.cells if c.cell_type == "code"
             and (c in answer_cells(nb) or "nbgrader" not in c.get("metadata", {}))]
    for cell in cells:
        name = grade_id(cell) or "an added cell"
        for pattern, what in TAMPERING:
            if re.search(pattern, cell.source):
                flags.append(f"{name}: {what}")
        for match in SHADOW.finditer(cell.source):
            flags.append(f"{name}: assigns the builtin name {match.group(1) or match.group(2)}")
    return sorted(set(flags))


def _answers(nb: NotebookNode) -> dict[str, str]:
    """``grade_id -> answer source`` with whitespace collapsed (for comparing copies)."""
    return {grade_id(c): " ".join(c.source.split()) for c in answer_cells(nb) if grade_id(c)}


def copy_flags(notebooks: dict[str, NotebookNode], solution: NotebookNode,
               release: NotebookNode) -> dict[str, list[str]]:
    """Per submission name: answers identical to the published solution or to another's.

    The solution's answers are compared without their ``### BEGIN/END SOLUTION`` lines; an
    answer left as released is never a copy.
    """
    from grader.notebooks import without_solution_markers

    stubs = _answers(release)
    key = {grade_id(c): " ".join(without_solution_markers(c.source).split())
           for c in answer_cells(solution) if grade_id(c)}
    owners: dict[tuple[str, str], list[str]] = {}
    flags: dict[str, list[str]] = {name: [] for name in notebooks}
    for name, nb in notebooks.items():
        for gid, src in _answers(nb).items():
            if not src or src == stubs.get(gid):
                continue
            if src == key.get(gid):
                flags[name].append(f"{gid}: identical to the published solution")
            owners.setdefault((gid, src), []).append(name)
    for (gid, _), names in owners.items():
        for name in names if len(names) > 1 else []:
            others = ", ".join(n for n in names if n != name)
            flags[name].append(f"{gid}: identical to the answer of {others}")
    return flags
