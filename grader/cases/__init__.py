"""Typical wrong answers per lab, graded by the tests and by ``python -m grader demo``.

A lab author adds ``grader/cases/labNN_topic.py`` defining ``CASES``, a list of ``Case``::

    from grader.cases import Case

    CASES = [
        Case("forgot_sampling", {"capture_config": "config = {...}"}, expected_score=3.0,
             note="sets SamplingPercentage to 1 instead of 100"),
    ]

``replacements`` maps answer-cell grade ids to the learner's source for those cells; every other
answer cell keeps the solution (``grader.testing.solution_answers``), so each case isolates one
mistake. ``expected_score`` is the exact total the autograder must give. The names
``solution`` and ``untouched`` are reserved for the two cases every lab has implicitly: the
solution (full marks) and the released lab left as it is (0).
"""

import importlib.util
from dataclasses import dataclass
from pathlib import Path

RESERVED = ("solution", "untouched")


@dataclass(frozen=True)
class Case:
    """One typical submission: answers replaced on top of the solution, and its exact score."""

    name: str
    replacements: dict[str, str]
    expected_score: float
    note: str = ""


class CaseError(ValueError):
    """A cases file is malformed (the message names the file and the fix)."""


def cases_file(root: Path, lab: str) -> Path:
    """``grader/cases/<lab>.py`` of the course at ``root``."""
    return Path(root) / "grader" / "cases" / f"{lab}.py"


def load_cases(root: Path, lab: str) -> list[Case]:
    """The ``CASES`` of a lab (an empty list if the lab has no cases file)."""
    path = cases_file(root, lab)
    if not path.is_file():
        return []
    spec = importlib.util.spec_from_file_location(f"_monitorlab_cases_{lab}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    cases = getattr(module, "CASES", None)
    _check(cases, path)
    return list(cases)


def _check(cases, path: Path) -> None:
    """Raise ``CaseError`` unless ``cases`` is a list of ``Case`` with unique, free names."""
    if not isinstance(cases, (list, tuple)) or not all(isinstance(c, Case) for c in cases):
        raise CaseError(f"{path} must define CASES = [Case(...), ...] "
                        "(from grader.cases import Case)")
    names = [c.name for c in cases]
    clashes = sorted({n for n in names if names.count(n) > 1 or n in RESERVED})
    if clashes:
        raise CaseError(f"{path}: case names must be unique and not {' or '.join(RESERVED)}; "
                        f"rename {', '.join(clashes)}")
