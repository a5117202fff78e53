"""Choice questions give nothing away by length or position (issue 14).

Every lab's options have been rewritten (``python -m grader.choices`` prints the audit). Across
all labs, and in each lab on its own, the right option may be the clearly longest
(``grader.choices.SLACK``) at most a fair share of the time (one in the number of options), and
no letter may be right for more than 40 % of the questions.
"""

from pathlib import Path

import pytest

from grader.choices import Question, audit, questions
from grader.layout import list_labs

ROOT = Path(__file__).resolve().parent.parent
LABS = list_labs(ROOT)  # every lab, so a new lab is audited from its first commit


@pytest.fixture(scope="module")
def rewritten() -> list[Question]:
    return [q for lab in LABS for q in questions(ROOT, lab)]


def test_the_parser_finds_every_question_of_lab01():
    found = {q.variable: q.right for q in questions(ROOT, "lab01_data_capture")}
    assert found == {"CUT_COST": "B", "JOIN_LABELS": "D", "WHERE_STORED": "A",
                     "BEFORE_MONITOR": "C", "MONITOR_ACTION": "C"}


def test_the_longest_option_is_right_no_more_than_a_fair_share(rewritten):
    fair = sum(1 / len(q.options) for q in rewritten)
    assert audit(rewritten)["right_is_longest"] <= fair


def test_no_letter_dominates(rewritten):
    letters = audit(rewritten)["letters"]
    assert max(letters.values()) <= 0.4 * len(rewritten), letters


@pytest.mark.parametrize("lab", LABS)
def test_each_lab_alone_gives_nothing_away(lab):
    qs = questions(ROOT, lab)
    found = audit(qs)
    assert found["right_is_longest"] <= sum(1 / len(q.options) for q in qs), found
    assert max(found["letters"].values(), default=0) <= 0.4 * len(qs), found


def test_the_audit_catches_a_giveaway():
    giveaway = Question("x", "Q", {"A": "no", "B": "a long and careful right answer", "C": "nope"}, "B")
    assert audit([giveaway] * 3) == {"questions": 3, "right_is_longest": 3, "letters": {"B": 3}}
