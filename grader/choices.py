"""Do a lab's choice questions give the answer away by length or position? (issue 14)

A question is a run of options ``A) ... · B) ... · C) ...`` in a markdown cell, named by the last
backticked UPPER_CASE variable before its ``A)``; its right letter is what the solution's answer
cell assigns to that variable (``VAR = "B"``). ``audit`` reports, over the questions found, how
often the right option is the longest (by more than ``SLACK`` characters over the next one) and
how the right letters spread over A-D. ``python -m grader.choices`` prints it for every lab.
"""

import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from grader import layout
from grader.notebooks import read_notebook

OPTION = re.compile(r"(?:(?<=\s)|^)([A-F])\) ")
VARIABLE = re.compile(r"`([A-Z][A-Z0-9_]{2,})`")
SLACK = 10  # characters: an option this much longer than every other stands out


@dataclass(frozen=True)
class Question:
    """One choice question: lab, variable, options (letter -> text), right letter."""

    lab: str
    variable: str
    options: dict[str, str]
    right: str

    @property
    def right_is_longest(self) -> bool:
        """The right option is longer than every other by more than ``SLACK`` characters."""
        others = [len(t) for letter, t in self.options.items() if letter != self.right]
        return len(self.options[self.right]) > max(others) + SLACK


def questions(root: Path, lab: str) -> list[Question]:
    """Every choice question of a lab whose right letter the solution gives."""
    nb = read_notebook(layout.source_notebook(root, lab))
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    found = []
    for cell in (c for c in nb.cells if c.cell_type == "markdown"):
        for block_start, block in _blocks(cell.source):
            names = VARIABLE.findall(cell.source[:block_start])
            answer = re.search(rf"^{names[-1]}\s*=\s*[\"']([A-F])[\"']", code, re.M) if names else None
            options = _options(block)
            if answer and answer.group(1) in options and len(options) >= 3:
                found.append(Question(lab, names[-1], options, answer.group(1)))
    return found


def _blocks(text: str):
    """``(start, text)`` of each run of options (from an ``A)`` to a blank line or new item)."""
    for match in re.finditer(r"(?:(?<=\s)|^)A\) ", text):
        rest = text[match.start():]
        end = re.search(r"\n\s*\n|\n- |\n\*\*", rest)
        yield match.start(), rest[:end.start()] if end else rest


def _options(block: str) -> dict[str, str]:
    """``letter -> option text`` of one run of options, in order A, B, C..."""
    marks = list(OPTION.finditer(block))
    options = {}
    for i, mark in enumerate(marks):
        if mark.group(1) != "ABCDEF"[i]:
            break
        stop = marks[i + 1].start() if i + 1 < len(marks) else len(block)
        options[mark.group(1)] = " ".join(block[mark.end():stop].split()).rstrip(" ·")
    return options


def audit(qs: list[Question]) -> dict:
    """``{"questions", "right_is_longest", "letters"}`` over ``qs``."""
    return {"questions": len(qs), "right_is_longest": sum(q.right_is_longest for q in qs),
            "letters": dict(sorted(Counter(q.right for q in qs).items()))}


def main() -> int:
    """Print the audit of every lab, then of all of them."""
    root = layout.course_root(None)
    everything = []
    for lab in layout.list_labs(root):
        qs = questions(root, lab)
        everything += qs
        print(lab, audit(qs))
    print("all labs", audit(everything))
    return 0


if __name__ == "__main__":
    sys.exit(main())
