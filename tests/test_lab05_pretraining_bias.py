"""Module 05 (pre-training bias): the lecture and lab run, the lab grades as designed, and every
literal in the lab's hidden tests (and every number the lecture's text quotes) equals what the
engine computes.

The constants at the top are the hidden tests' inputs; the tests recompute each expected value
with ``monitorlab.stats.bias`` and look for it, as written, in the solution's hidden-test source, so an
engine change that would silently make a hidden test wrong fails here instead.
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

# Task 1: (column, value_or_threshold) of the hidden tests.
TASK1_HIDDEN = [
    ([38.5, 40.0, 40.5, 60.0, 12.0], [40.0]),
    ([39, 40, 43, 45, 46, 52], [40, 41, 42, 43, 44, 45]),
    (["White", "Black", "Asian-Pac-Islander", "Black", "Other"], ["Black", "Other"]),
    ([-5, -2, 0, 3], [-2]),
]
TASK1_VISIBLE = [
    (["Male", "Female", "Female", "Male"], ["Female"]),
    ([25, 40, 41, 60], [40]),
]
# Task 2: the threshold facet (age > 40) and the favoured, larger facet d.
TASK2_AGES = [23, 31, 40, 41, 44, 52, 58, 63, 36, 40, 47, 29, 35, 38]
TASK2_LABELS = [0, 0, 1, 1, 0, 1, 1, 0, 0, 0, 1, 0, 1, 1]
TASK2_FAVOURED_D = [True] * 6 + [False] * 3
TASK2_FAVOURED_LABELS = [1, 1, 1, 1, 0, 1, 0, 1, 0]
# The 12-row oracle of the course reference (smclarify 0.5): sex, zip, label.
ORACLE_SEX = ["M"] * 7 + ["F"] * 5
ORACLE_ZIP = list("AABBABAABBAB")
ORACLE_LABEL = [1, 1, 1, 0, 1, 0, 1, 0, 1, 0, 0, 1]
# Task 3: (is_d, is_positive, groups) of the hidden tests.
T, F = True, False
TASK3_HIDDEN = [
    ([T, T, F, F, T, F, T, F, F], [F, F, F, F, T, T, F, T, F], ["north"] * 4 + ["south"] * 5),
    ([F, F, F, T, T, F, F, T, F, T], [T, F, T, F, F, T, T, T, F, F], [3, 3, 3, 1, 1, 1, 1, 2, 2, 2]),
    ([T, T, T, F, F, F, F, F], [F, F, T, T, T, F, T, T], ["all"] * 8),
]



def assigned(source: str, name: str):
    """The value of the literal assigned to ``name`` in a cell's source (evaluated with pd, np)."""
    import ast

    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            expression = ast.Expression(node.value)
            return eval(compile(expression, name, "eval"),  # noqa: S307  (our own notebook)
                        {"pd": pd, "np": np, "_T": True, "_F": False})
    raise KeyError(f"{name} is not assigned in the cell")


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
# 2. Grading: solution full marks, untouched release 0, each typical mistake its exact score
# --------------------------------------------------------------------------------------------

def test_solution_untouched_and_every_case_grade_exactly():
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

def test_task1_expected_masks_are_the_engines_selection(sources):
    tests = sources["task1-facet-tests"]
    hidden = assigned(tests, "_task1_hidden")
    assert [(list(values), chosen) for values, chosen, *_ in hidden] == TASK1_HIDDEN
    for values, chosen, expected, *_ in hidden:
        assert expected == bias.select(pd.Series(values), chosen).mask.tolist(), (values, chosen)
    assert isinstance(hidden[2][0], pd.Series)  # one column is passed as a Series
    for values, chosen in TASK1_VISIBLE:
        assert f"{values!r}, {chosen!r}, {bias.select(pd.Series(values), chosen).mask.tolist()!r}" \
            in tests.replace('"', "'")
    # the hidden columns cover both rules and never hit the engine's two-valued special case
    kinds = [bias.uses_threshold(pd.Series(v), c) for v, c in TASK1_HIDDEN]
    assert kinds == [True, False, False, True]


def test_task1_solution_agrees_with_the_engine_on_more_columns(sources):
    namespace = {"pd": pd, "np": np}
    exec(sources["task1-facet-answer"], namespace)  # noqa: S102
    adult = load_adult("train").head(500)
    for column, chosen in [("age", [40]), ("age", [40, 41, 42]), ("sex", ["Female"]),
                           ("hours_per_week", [39.5]), ("race", ["Black", "Other"])]:
        got = namespace["facet_d"](adult[column], chosen)
        assert got.tolist() == bias.select(adult[column], chosen).mask.tolist(), (column, chosen)


def test_task2_literals_are_engine_values(sources):
    tests = sources["task2-metrics-tests"]
    oracle = pd.DataFrame({"sex": ORACLE_SEX, "y": ORACLE_LABEL})
    ci, dpl = metric(oracle, "CI", "sex", ["F"]), metric(oracle, "DPL", "sex", ["F"])
    # the smclarify 0.5 oracle values (course reference, section 5.3) and the engine agree
    assert (ci, dpl) == (0.16666666666666666, 0.3142857142857143)
    assert f"(_is_d,), {ci!r}" in tests and f"(_is_d, _is_pos), {dpl!r}" in tests

    ages = pd.DataFrame({"age": TASK2_AGES, "y": TASK2_LABELS})
    assert f"_ages = np.array({TASK2_AGES!r})" in tests
    assert f"_labels = np.array({TASK2_LABELS!r}) == 1" in tests
    assert f"(_ages > 40,), {metric(ages, 'CI', 'age', [40])!r}" in tests
    assert f"(_ages > 40, _labels), {metric(ages, 'DPL', 'age', [40])!r}" in tests

    favoured = pd.DataFrame({"f": np.where(TASK2_FAVOURED_D, "d", "a"), "y": TASK2_FAVOURED_LABELS})
    assert f"_fav_pos = np.array({TASK2_FAVOURED_LABELS!r}) == 1" in tests
    assert f"(_fav_d,), {metric(favoured, 'CI', 'f', ['d'])!r}" in tests
    assert f"(_fav_d, _fav_pos), {metric(favoured, 'DPL', 'f', ['d'])!r}" in tests

    empty = pretraining_metrics(pd.DataFrame({"f": ["a"] * 4, "y": [1, 0, 1, 0]}), "y", "f", [1],
                                ["d"], methods=["CI", "DPL"])
    assert empty == {"CI": None, "DPL": None} and set(empty.errors) == {"CI", "DPL"}
    assert "(_none_d,), None" in tests

    for numerator, denominator, expected in [(0, 0, "0.0"), (1, 4, "0.25"), (5, 0, "math.inf"),
                                             (-3, 0, "-math.inf")]:
        assert repr(bias.divide(numerator, denominator)) == repr(eval(expected))  # noqa: S307
        assert f"({numerator}, {denominator}), {expected}," in tests


def test_task3_literals_are_engine_cddl(sources):
    tests = sources["task3-cddl-tests"]
    visible = cddl(np.array(ORACLE_SEX) == "F", np.array(ORACLE_LABEL) == 1, ORACLE_ZIP)
    assert visible == 0.3333333333333333  # the smclarify oracle's CDDL (course reference, 5.3)
    assert f'list("AABBABAABBAB")), {visible!r}' in tests
    hidden = assigned(tests, "_task3_hidden")
    assert [args for args, *_ in hidden] == [tuple(case) for case in TASK3_HIDDEN]
    for (is_d, is_positive, groups), expected, *_ in hidden:
        assert expected == cddl(is_d, is_positive, groups)
    # the first set really needs divide(0, 0) = 0: a group without accepted rows
    is_d, is_positive, groups = TASK3_HIDDEN[0]
    assert not np.array(is_positive)[np.array(groups) == "north"].any()


def test_task3_solution_matches_the_engine(sources):
    namespace = {"pd": pd, "np": np, "math": math}
    exec(sources["task2-metrics-answer"] + "\n" + sources["task3-cddl-answer"], namespace)  # noqa: S102
    for is_d, is_positive, groups in TASK3_HIDDEN:
        assert math.isclose(namespace["cddl"](np.array(is_d), np.array(is_positive), groups),
                            cddl(is_d, is_positive, groups), rel_tol=1e-12)
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
    assert "abs(float(FOREIGN_SHARE) - 0.963) <= 0.001" in sources["task4-report-tests"]
    assert abs(share - 0.963) < 1e-9
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
    tests = sources["task5-config-tests"]
    headers = "[" + ", ".join(f'"{h}"' for h in lab_setup["ADULT_HEADERS"]) + "]"
    assert f'_config.get("headers") == {headers}' in tests
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
    assert keep == 200 and 1200 - keep == 1000


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
