"""monitorlab.course.quick_check: the ungraded lecture self-check gives immediate feedback."""

import pytest

from monitorlab.course import quick_check

WHY = {"a": "A is wrong because x.", "b": "B holds because y."}


def test_right_answer_any_case(capsys):
    quick_check(" B ", "b", WHY)
    assert capsys.readouterr().out == "Right. B holds because y.\n"


def test_wrong_answer_explains_the_option_chosen(capsys):
    quick_check("a", "b", WHY)
    assert capsys.readouterr().out == "Not quite. A is wrong because x.\n"


def test_unanswered_and_unknown_letters_prompt_without_revealing(capsys):
    quick_check(None, "b", WHY)
    quick_check("z", "b", WHY)
    out = capsys.readouterr().out
    assert "set answer to one of a, b" in out and "'z' is not an option" in out
    assert "y." not in out and "x." not in out


def test_a_right_letter_missing_from_the_options_is_an_authoring_error():
    with pytest.raises(ValueError, match="right='c'"):
        quick_check("a", "c", WHY)
