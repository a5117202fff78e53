"""Module 05 (pre-training bias): the lecture and lab run, the lab grades as designed, and every
expected value of the lab's trusted checks (``grader/checks/lab05_pretraining_bias.py``) equals
what the engine computes.

The code tasks' hidden data sets are drawn per grading run; the tests draw them for several seeds
and recompute the checks' expected values from the formulas, so an engine change that would
silently make a check wrong fails here instead. Tasks 4-7 keep literals read from the lab's
set-up: the tests recompute them from the lab's own ``analysis.json``.
"""

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from monitorlab.stats import bias
from monitorlab.stats.bias import pretraining_metrics
from monitorlab.monitoring.clarify_files import bias_report, read_analysis_config
from monitorlab.serving.data import load_adult, load_german

from grader.testing import cell_sources

ROOT = Path(__file__).resolve().parent.parent
LAB = "lab05_pretraining_bias"
LECTURE = ROOT / "course" / "05_pretraining_bias.ipynb"
SOLUTION = ROOT / "solutions" / LAB / f"{LAB}.ipynb"

# The 12-row oracle of the course reference (smclarify 0.5): sex, zip, label.
ORACLE_SEX = ["M"] * 7 + ["F"] * 5
ORACLE_ZIP = list("AABBABAABBAB")
ORACLE_LABEL = [1, 1, 1, 0, 1, 0, 1, 0, 1, 0, 0, 1]
SEEDS = range(6)



def metric(df: pd.DataFrame, name: str, facet: str, values, group_variable=None):
    return pretraining_metrics(df, "y", facet, [1], values, group_variable=group_variable,
                               methods=[name])[name]


def cddl(is_d, is_positive, groups) -> float:
    df = pd.DataFrame({"f": np.where(is_d, "d", "a"), "y": np.asarray(is_positive, dtype=int),
                       "g": groups})
    return metric(df, "CDDL", "f", ["d"], group_variable="g")


@pytest.fixture(scope="module")
def sources():
    return cell_sources(SOLUTION)


@pytest.fixture(scope="module")
def lab_setup(sources):
    """The namespace of the lab's setup cell (its sandbox stopped afterwards)."""
    namespace: dict = {}
    exec(sources["setup"], namespace)  # noqa: S102  (our own notebook's setup cell)
    yield namespace
    namespace["sb"].stop()


# --------------------------------------------------------------------------------------------
# 1. The lecture and the solution run headless
# --------------------------------------------------------------------------------------------

# --------------------------------------------------------------------------------------------
# 2. Grading: untouched release 0, each typical mistake its exact score (solution: test_notebooks)
# --------------------------------------------------------------------------------------------

def test_untouched_and_every_case_grade_exactly():
    from grader.testing import grading_mismatches

    assert grading_mismatches(LAB, max_total=36) == {}


def test_release_holds_no_solution_and_no_hidden_test():
    from grader.notebooks import read_notebook

    release = "\n".join(c.source for c in read_notebook(ROOT / "labs" / LAB / f"{LAB}.ipynb").cells)
    for marker in ["BEGIN SOLUTION", "BEGIN HIDDEN TESTS", 'MOST_DISADVANTAGED = "foreign_worker"',
                   "0.963", "ROWS_TO_DROP = 1000", "0.3148148148148148", "-0.29166666666666663",
                   '"value_or_threshold": ["Black"]', "_task1_hidden", "math.inf if numerator"]:
        assert marker not in release, marker


# --------------------------------------------------------------------------------------------
# 3. Every literal in the hidden tests equals what the engine computes
# --------------------------------------------------------------------------------------------

def drawn(grade_id: str) -> list[dict]:
    """The check's hidden inputs for several grading runs."""
    from grader.checks import lab05_pretraining_bias as checks
    from grader.trusted import draw_inputs

    found = {c.grade_id: c for c in checks.CHECKS}
    return [draw_inputs({grade_id: found[grade_id]}, seed)[grade_id] for seed in SEEDS]


def test_task1_checks_expect_the_engines_selection():
    from grader.checks.lab05_pretraining_bias import expected_facet

    for inputs in drawn("task1-facet-tests"):
        for values, chosen, *_ in inputs["visible"] + inputs["hidden"]:
            by_rule = ([v > chosen[0] for v in values] if bias.uses_threshold(pd.Series(values), chosen)
                       else [v in chosen for v in values])
            assert expected_facet(values, chosen) == by_rule
        hidden = inputs["hidden"]
        # both rules, never the engine's two-valued special case; thresholds the columns hold
        assert [bias.uses_threshold(pd.Series(v), c) for v, c, *_ in hidden] == [True, False, False, True]
        assert all(len(set(v)) > 2 for v, *_ in hidden)
        assert hidden[0][1][0] in hidden[0][0] and hidden[3][1][0] in hidden[3][0] and hidden[3][1][0] < 0
        assert isinstance(hidden[0][1][0], float) and hidden[2][2] == "series"
        band, ages = hidden[1][1], hidden[1][0]
        assert band[0] in ages and any(a > band[-1] for a in ages)   # a band is not "> first"
        assert any(v in hidden[2][1] for v in hidden[2][0])


def test_task1_solution_agrees_with_the_engine_on_more_columns(sources):
    namespace = {"pd": pd, "np": np}
    exec(sources["task1-facet-answer"], namespace)  # noqa: S102
    adult = load_adult("train").head(500)
    for column, chosen in [("age", [40]), ("age", [40, 41, 42]), ("sex", ["Female"]),
                           ("hours_per_week", [39.5]), ("race", ["Black", "Other"])]:
        got = namespace["facet_d"](adult[column], chosen)
        assert got.tolist() == bias.select(adult[column], chosen).mask.tolist(), (column, chosen)


def test_task2_checks_expect_engine_values():
    from grader.checks.lab05_pretraining_bias import ORACLE_IS_D, ORACLE_POSITIVE, expected_task2

    oracle = pd.DataFrame({"sex": ORACLE_SEX, "y": ORACLE_LABEL})
    ci, dpl = metric(oracle, "CI", "sex", ["F"]), metric(oracle, "DPL", "sex", ["F"])
    # the smclarify 0.5 oracle values (course reference, section 5.3) and the engine agree
    assert (ci, dpl) == (0.16666666666666666, 0.3142857142857143)
    assert ORACLE_IS_D == [s == "F" for s in ORACLE_SEX] and ORACLE_POSITIVE == [y == 1 for y in ORACLE_LABEL]
    for inputs in drawn("task2-metrics-tests"):
        for name, args, *_ in inputs["cases"]:
            got = expected_task2(name, args)
            if name == "clarify_divide":
                x, y = args
                assert got == (x / y if y else (0.0 if x == 0 else math.copysign(math.inf, x)))
                continue
            is_d = np.array(args[0])
            if is_d.all() or not is_d.any():
                assert got is None
            elif name == "class_imbalance":
                assert math.isclose(got, ((~is_d).sum() - is_d.sum()) / len(is_d), abs_tol=1e-15)
            else:
                pos = np.array(args[1])
                assert math.isclose(got, pos[~is_d].mean() - pos[is_d].mean(), abs_tol=1e-15)
        hidden = [(name, args) for name, args, *_ in inputs["cases"][4:]]
        assert [expected_task2(*c) for c in hidden[:2]] == [math.inf, -math.inf]
        assert expected_task2(*hidden[2]) != 0 and expected_task2(*hidden[4]) < 0   # unequal facets
        assert expected_task2(*hidden[5]) < 0 and expected_task2(*hidden[7]) is None


def test_task3_checks_expect_engine_cddl(sources):
    from grader.checks.lab05_pretraining_bias import engine_metric

    visible = cddl(np.array(ORACLE_SEX) == "F", np.array(ORACLE_LABEL) == 1, ORACLE_ZIP)
    assert visible == 0.3333333333333333  # the smclarify oracle's CDDL (course reference, 5.3)
    namespace = {"pd": pd, "np": np, "math": math}
    exec(sources["task2-metrics-answer"] + "\n" + sources["task3-cddl-answer"], namespace)  # noqa: S102
    for inputs in drawn("task3-cddl-tests"):
        cases = [args for args, *_ in inputs["cases"]]
        for is_d, is_positive, groups in cases:
            want = engine_metric("CDDL", is_d, is_positive, groups)
            assert want == cddl(is_d, is_positive, groups)
            assert math.isclose(namespace["cddl"](np.array(is_d), np.array(is_positive), groups), want,
                                rel_tol=1e-12, abs_tol=1e-15)
        # the first hidden set needs divide(0, 0) = 0: a group without accepted rows
        is_d, is_positive, groups = cases[1]
        assert not any(p for p, g in zip(is_positive, groups) if g == "north")
        assert len(set(cases[3][2])) == 1 and len(set(cases[2][2])) == 3


def test_task3_solution_matches_the_engine_on_adult(sources):
    namespace = {"pd": pd, "np": np, "math": math}
    exec(sources["task2-metrics-answer"] + "\n" + sources["task3-cddl-answer"], namespace)  # noqa: S102
    adult = load_adult("train")
    is_d = (adult["sex"] == "Female").to_numpy()
    is_positive = adult["label"].to_numpy() == 1
    engine = pretraining_metrics(adult, "label", "sex", [1], ["Female"], group_variable="education")
    assert math.isclose(namespace["cddl"](is_d, is_positive, adult["education"].astype(str).to_numpy()),
                        engine["CDDL"], rel_tol=1e-9)
    assert math.isclose(namespace["dpl"](is_d, is_positive), engine["DPL"], rel_tol=1e-12)
    assert math.isclose(namespace["class_imbalance"](is_d), engine["CI"], rel_tol=1e-12)


def test_task4_answers_follow_from_the_labs_analysis_json(lab_setup, sources):
    import json

    s3, bucket, prefix = lab_setup["s3"], lab_setup["BUCKET"], lab_setup["PREFIX"]
    analysis = json.loads(s3.get_object(Bucket=bucket, Key=f"{prefix}/output/analysis.json")["Body"].read())
    stage = analysis["pre_training_bias_metrics"]
    assert stage["label"] == "credit" and stage["label_value_or_threshold"] == "good"
    values = {facet: {m["name"]: m for m in entries[0]["metrics"]}
              for facet, entries in stage["facets"].items()}
    dpl = {facet: metrics["DPL"]["value"] for facet, metrics in values.items()}
    assert max(dpl, key=dpl.get) == "foreign_worker"                      # MOST_DISADVANTAGED
    assert stage["facets"]["age"][0]["value_or_threshold"] == "(25, 75]"  # AGE_D: older than 25
    assert dpl["age"] < 0                                                 # AGE_FAVOURED: d favoured
    share = (1 - values["foreign_worker"]["CI"]["value"]) / 2
    german = lab_setup["german"]
    assert math.isclose(share, (german["foreign_worker"] == "True").mean())
    from grader.checks import lab05_pretraining_bias as checks

    assert checks.MOST_DISADVANTAGED == max(dpl, key=dpl.get)
    assert abs(share - checks.FOREIGN_SHARE) < 1e-9
    assert all(m["CDDL"]["value"] is None and m["CDDL"]["error"] == bias.NO_GROUP_VARIABLE
               for m in values.values())                                  # CDDL_NULL: no group_variable


def test_task5_solution_config_is_valid_and_checked_literally(lab_setup, sources):
    namespace = {"ADULT_HEADERS": lab_setup["ADULT_HEADERS"]}
    exec(sources["task5-config-answer"], namespace)  # noqa: S102
    config = namespace["ANALYSIS_CONFIG"]
    assert read_analysis_config(config) == config
    report = bias_report(lab_setup["adult"], config)
    facets = report["pre_training_bias_metrics"]["facets"]
    assert [e["value_or_threshold"] for e in facets["age"]] == ["(60, 90]"]
    assert [e["value_or_threshold"] for e in facets["race"]] == ["Black"]
    assert "post_training_bias_metrics" not in report
    from grader.checks import lab05_pretraining_bias as checks

    assert checks.ADULT_HEADERS == lab_setup["ADULT_HEADERS"]
    assert checks.score_task5({"config": {"value": config}}, {}) == (5.0, [])
    assert lab_setup["ADULT_HEADERS"] == list(lab_setup["adult"].columns)


def test_task6_figure_supports_the_answers():
    german = load_german()
    amounts = german["amount"]
    at = {t: pretraining_metrics(german, "label", "amount", [1], [t], methods=["CI", "DPL"])
          for t in (2000, 2250, 2500, 8000, 12000, 15000)}
    # CI_ZERO_AT = B (2,300): CI changes sign between 2,250 and 2,500, around the median
    assert at[2250]["CI"] < 0 < at[2500]["CI"] and 2250 < amounts.median() < 2500
    # READ_DPL = C: DPL at 8,000 is about 0.26 and positive (facet d rated good less often)
    assert abs(at[8000]["DPL"] - 0.26) < 0.01
    # RIGHT_END = D: past 12,000 facet d is a handful of loans
    assert at[12000]["CI"] > 0.95 and int((amounts > 12000).sum()) < 25
    assert int((amounts > 15000).sum()) <= 5


def test_task7_rows_to_drop():
    others_rate = 1600 / 8000
    keep = others_rate * 800 / (1 - others_rate)          # keep / (keep + 800 negatives) = 0.2
    from grader.checks.lab05_pretraining_bias import ROWS_TO_DROP

    assert keep == 200 and 1200 - keep == ROWS_TO_DROP


# --------------------------------------------------------------------------------------------
# 4. The numbers the lecture's text quotes
# --------------------------------------------------------------------------------------------

def test_numbers_quoted_in_the_lecture():
    adult = load_adult("train")
    sex = pretraining_metrics(adult, "label", "sex", [1], ["Female"], group_variable="education")
    assert round(sex["CI"], 3) == 0.338 and round(sex["DPL"], 3) == 0.196
    assert round((1 - sex["CI"]) / 2, 2) == 0.33
    assert round(sex["CDDL"], 2) == 0.25                                # "25 points within levels"
    is_d, pos = (adult["sex"] == "Female").to_numpy(), adult["label"].to_numpy() == 1
    overall = (is_d & ~pos).sum() / (~pos).sum() - (is_d & pos).sum() / pos.sum()
    assert round(overall, 2) == 0.24                                    # "24 points overall"
    curve = {t: pretraining_metrics(adult, "label", "age", [1], [t], methods=["DPL"])["DPL"]
             for t in range(20, 76)}
    assert min(t for t, v in curve.items() if v > 0) == 60              # "sign flips at 60"
    assert all(v < 0 for t, v in curve.items() if t < 60)
    band = adult["age"].between(40, 45)
    assert round(adult.loc[band, "label"].mean(), 2) == 0.36 and round(adult.loc[~band, "label"].mean(), 2) == 0.22
    known = adult.dropna(subset=["workclass"])
    never = pretraining_metrics(known, "label", "workclass", [1], ["Never-worked"])
    assert never["KL"] < 0 and int((known["workclass"] == "Never-worked").sum()) == 7
    german = load_german()
    german["young"] = np.where(german["age"] <= 25, "yes", "no")
    young = pretraining_metrics(german, "label", "young", [1], ["yes"])
    foreign = pretraining_metrics(german, "label", "foreign_worker", [1], ["True"])
    assert round(young["DPL"], 2) == 0.15 and round(foreign["DPL"], 2) == 0.20
    assert round((1 - foreign["CI"]) / 2, 2) == 0.96
    assert not (german["status_sex"] == "female : single").any()        # "no row is a single woman"
