"""Choice questions give nothing away by length or position (issue 14).

``REWRITTEN`` lists the labs whose options have been rewritten so far; every lab joins it once its
options are (``python -m grader.choices`` prints the audit of every lab). Over those labs the
right option may be the clearly longest (``grader.choices.SLACK``) at most a fair share of the
time (one in the number of options), and no letter may be right for more than 40 % of them.
"""

from pathlib import Path

import pytest

from grader.choices import Question, audit, questions

ROOT = Path(__file__).resolve().parent.parent
REWRITTEN = ["lab00_orientation", "lab01_data_capture", "lab02_baselines", "lab03_drift",
             "lab04_model_quality", "lab05_pretraining_bias", "lab07_attribution_drift",
             "lab08_retraining_deployment", "lab09_operations_cost", "lab10_security"]


@pytest.fixture(scope="module")
def rewritten() -> list[Question]:
    return [q for lab in REWRITTEN for q in questions(ROOT, lab)]


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


def test_the_audit_catches_a_giveaway():
    giveaway = Question("x", "Q", {"A": "no", "B": "a long and careful right answer", "C": "nope"}, "B")
    assert audit([giveaway] * 3) == {"questions": 3, "right_is_longest": 3, "letters": {"B": 3}}
