"""Module 02 (Baselines): the lecture and lab run, the lab grades as designed, and every expected
value of the lab's trusted checks (``grader/checks/lab02_baselines.py``) equals what the engine
computes.

The code tasks' hidden inputs are drawn per grading run; the tests draw them for several seeds and
recompute the checks' expected values independently (position-aligned frames, numpy statistics
and ``np.histogram``). ``extract_literals`` and ``task4_literals`` are how task 1's literals and
task 4's expectations were made: the tests re-run them and compare with the checks module, so an
engine change (statistics layout, bucket rule, completeness rule, suggested config) that would
silently make a check wrong fails here.
"""

import copy
import functools
import hashlib
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from monitorlab.monitoring import baseline, dataquality, monitor
from monitorlab.serving import data, model

from grader.checks import lab02_baselines as checks
from grader.testing import cell_sources

ROOT = Path(__file__).resolve().parent.parent
LAB = "lab02_baselines"
LECTURE = ROOT / "course" / "02_baselines.ipynb"
SOLUTION = ROOT / "solutions" / LAB / f"{LAB}.ipynb"

#: Task 1: the seed that picks the extract rows whose education_num was lost, and the share lost.
EXTRACT_SEED, EXTRACT_LOSS = 2026, 0.01
#: Task 4: rows per hourly window the completeness bounds are judged for; the accepted range.
WINDOW_ROWS, LOWEST_ACCEPTED, SIGMAS_BELOW = 200, 0.80, 2.0
INCOMPLETE = ("workclass", "occupation", "native_country")
SEEDS = range(6)


# --------------------------------------------------------------------------------------------
# How the hidden-test literals are made
# --------------------------------------------------------------------------------------------

def extract_frame() -> pd.DataFrame:
    """Task 1's data: the Adult test split with education_num lost for about 1 % of rows (NaN)."""
    extract = data.load_adult("test")
    lost = np.random.default_rng(EXTRACT_SEED).random(len(extract)) < EXTRACT_LOSS
    extract["education_num"] = extract["education_num"].astype("float64").where(~lost)
    return extract


@functools.lru_cache(maxsize=1)
def extract_baseline() -> tuple[dict, dict]:
    extract = extract_frame()
    predictions = model.predict_proba(model.course_model(), extract)
    return baseline.suggest_baseline(monitor.baseline_frame(extract, predictions, data.FEATURES))


@functools.lru_cache(maxsize=1)
def extract_literals() -> dict:
    """Task 1's five answers, read from the extract's baseline by the engine."""
    statistics, constraints = extract_baseline()
    features = {f["name"]: f for f in statistics["features"]}
    buckets = features["age"]["numerical_statistics"]["distribution"]["kll"]["buckets"]
    marital = features["marital_status"]["string_statistics"]["distribution"]["categorical"]["buckets"]
    return {
        "missing_education_num": features["education_num"]["numerical_statistics"]["common"]["num_missing"],
        "present_education_num": features["education_num"]["numerical_statistics"]["common"]["num_present"],
        "education_num_type": features["education_num"]["inferred_type"],
        "age_45_count": next(b["count"] for b in buckets if b["lower_bound"] <= 45 < b["upper_bound"]),
        "age_buckets": [b["count"] for b in buckets],
        "married_count": next(b["count"] for b in marital if b["value"] == "Married-civ-spouse"),
        "occupation_completeness": next(f["completeness"] for f in constraints["features"]
                                        if f["name"] == "occupation"),
        "occupation_observed": features["occupation"]["string_statistics"]["common"]["num_present"]
        / statistics["dataset"]["item_count"],
    }


@functools.lru_cache(maxsize=1)
def production_baseline() -> tuple[dict, dict]:
    train = data.load_adult("train")
    predictions = model.predict_proba(model.course_model(), train)
    return baseline.suggest_baseline(monitor.baseline_frame(train, predictions, data.FEATURES))


def domains_digest(domains) -> str:
    """What the task 4 test cell compares a feature's domains with: sha256 of the sorted JSON list."""
    return hashlib.sha256(json.dumps(sorted(domains)).encode()).hexdigest()[:16]


@functools.lru_cache(maxsize=1)
def task4_literals() -> dict:
    """Task 4: observed completeness, accepted bounds, workclass domains, config, and the rest."""
    statistics, constraints = production_baseline()
    item_count = statistics["dataset"]["item_count"]
    observed = {}
    for feature in statistics["features"]:
        block = feature.get("numerical_statistics") or feature.get("string_statistics")
        observed[feature["name"]] = block["common"]["num_present"] / item_count
    bounds = {name: (LOWEST_ACCEPTED,
                     observed[name] - SIGMAS_BELOW * math.sqrt(observed[name] * (1 - observed[name]) / WINDOW_ROWS))
              for name in INCOMPLETE}
    rest = {}
    for feature in constraints["features"]:
        domains = (feature.get("string_constraints") or {}).get("domains")
        rest[feature["name"]] = [feature["inferred_type"], feature.get("num_constraints"),
                                 None if domains is None else domains_digest(domains)]
    by_name = {f["name"]: f for f in constraints["features"]}
    return {"observed": {name: observed[name] for name in INCOMPLETE}, "bounds": bounds,
            "workclass_domains": by_name["workclass"]["string_constraints"]["domains"],
            "monitoring_config": constraints["monitoring_config"], "rest": rest,
            "complete": sorted(name for name in observed if observed[name] == 1.0),
            "statistics": statistics, "constraints": constraints}



def run_lab_cells(*grade_ids: str) -> dict:
    """Execute the solution's setup cell, then ``grade_ids`` in order; return the namespace."""
    sources = cell_sources(SOLUTION)
    namespace: dict = {}
    exec(sources["setup"], namespace)  # noqa: S102  (our own notebook)
    try:
        for grade_id in grade_ids:
            exec(sources[grade_id], namespace)  # noqa: S102
    finally:
        namespace["sb"].stop()
    return namespace


# --------------------------------------------------------------------------------------------
# 1. The lecture and the solution run headless
# --------------------------------------------------------------------------------------------

# --------------------------------------------------------------------------------------------
# 2. Grading: untouched release 0, each typical mistake its exact score (solution: test_notebooks)
# --------------------------------------------------------------------------------------------

def test_untouched_and_every_case_grade_exactly():
    from grader.testing import grading_mismatches

    assert grading_mismatches(LAB, max_total=27) == {}


def test_release_holds_no_solution_and_no_hidden_test():
    from grader.notebooks import read_notebook

    release = "\n".join(c.source for c in read_notebook(ROOT / "labs" / LAB / f"{LAB}.ipynb").cells)
    literals = extract_literals()
    for marker in ["BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "suggested_completeness(_p", 'ORDER = "B"',
                   'append("Gig-economy")', "_workclass_domains =", repr(literals["occupation_completeness"]),
                   f"MISSING_EDUCATION_NUM, {literals['missing_education_num']!r}"]:
        assert marker not in release, marker


# --------------------------------------------------------------------------------------------
# 3. Every literal in the hidden tests equals what the engine computes
# --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sources():
    return cell_sources(SOLUTION)


def drawn(grade_id: str) -> list[dict]:
    """The check's hidden inputs for several grading runs."""
    from grader.trusted import draw_inputs

    found = {c.grade_id: c for c in checks.CHECKS}
    return [draw_inputs({grade_id: found[grade_id]}, seed)[grade_id] for seed in SEEDS]


def test_task1_checks_literals_are_the_extract_baseline():
    literals = extract_literals()
    assert literals["education_num_type"] == "Fractional" == checks.EDUCATION_NUM_TYPE  # NaN: float column
    assert literals["missing_education_num"] + literals["present_education_num"] == 16281
    assert checks.MISSING_EDUCATION_NUM == literals["missing_education_num"]
    assert checks.PRESENT_EDUCATION_NUM == literals["present_education_num"]
    assert checks.AGE_45_BUCKET_COUNT == literals["age_45_count"]
    assert checks.AGE_BUCKETS == literals["age_buckets"]
    assert checks.MARRIED_COUNT == literals["married_count"]
    assert checks.OCCUPATION_COMPLETENESS == literals["occupation_completeness"]
    assert checks.OCCUPATION_OBSERVED == literals["occupation_observed"]


def test_task2_checks_expect_the_engine_frames(sources):
    namespace = {"pd": pd, "np": np, "FEATURES": data.FEATURES}
    exec(sources["task2-frame-answer"], namespace)  # noqa: S102  (our own solution)
    for inputs in drawn("task2-frame-tests"):
        cases = inputs["cases"]
        for case in cases:
            want = checks.expected_frame(case)
            # by position: prediction i and row i of the given rows, whatever the index labels
            assert list(want.columns) == ["prediction"] + data.FEATURES
            assert want["prediction"].tolist() == case["predictions"]
            assert want["age"].tolist() == [row["age"] for row in case["rows"]]
            df = pd.DataFrame(case["rows"], index=case["index"])[case["columns"]]
            given = case["predictions"]
            predictions = {"array": np.array(given), "series": pd.Series(given)}.get(case["passed_as"], given)
            pd.testing.assert_frame_equal(namespace["make_baseline_frame"](df, predictions), want,
                                          check_dtype=False)
        # the old hidden literals' structure: extra columns reversed; labels outside 0..n-1
        # with a Series aligned 0..n-1 (an index-aligned insert gets NaN); the label first, a list
        assert cases[1]["columns"][:3] == ["income", "fnlwgt", "label"] and cases[1]["passed_as"] == "array"
        assert cases[1]["index"] != [0, 1, 2]
        assert not set(cases[2]["index"]) & {0, 1, 2} and cases[2]["index"] != sorted(cases[2]["index"])
        assert cases[2]["passed_as"] == "series"
        assert cases[3]["columns"][0] == "label" and cases[3]["passed_as"] == "list"


def test_task3_checks_expect_engine_statistics(sources):
    namespace = {"pd": pd, "np": np, "math": math}
    exec(sources["task3-profile-answer"], namespace)  # noqa: S102
    for inputs in drawn("task3-profile-tests"):
        cases = inputs["cases"]
        assert [c["passed_as"] for c in cases] == ["list", "list", "array", "series", "array"]
        assert None in cases[1]["values"] and "nan" in cases[1]["values"] and "nan" in cases[3]["values"]
        for number, case in enumerate(cases):
            values = np.array([np.nan if v is None or v == "nan" else v for v in case["values"]], dtype=float)
            present = values[np.isfinite(values)]
            expected = checks.expected_profile(case["values"])
            assert expected[:6] == (present.size, values.size - present.size, present.mean(),
                                    present.std(), present.min(), present.max())
            # np.histogram (a natural learner answer) agrees with the engine's buckets
            counts, edges = np.histogram(present, bins=10)
            assert counts.tolist() == [c for *_, c in expected[6]]
            assert np.allclose(edges[:-1], [lo for lo, _, _ in expected[6]])
            # every hidden input has a value exactly on an inner edge: (lower, upper] is wrong there
            inner = {lo for lo, _, _ in expected[6][1:]}
            assert number == 0 or inner & set(present.tolist()), case
            got = namespace["numeric_profile"](values.tolist() if case["passed_as"] == "list" else present)
            assert [b["count"] for b in got["buckets"]] == [c for *_, c in expected[6]]
        assert any(v < 0 for v in cases[3]["values"] if v != "nan") and len(cases[4]["values"]) == 50


def test_task4_checks_expect_the_production_baseline():
    literals, want = task4_literals(), checks.task4_expected()
    assert want["bounds"] == literals["bounds"]
    assert want["workclass_domains"] == literals["workclass_domains"]
    assert want["monitoring_config"] == literals["monitoring_config"] == baseline.SUGGESTED_MONITORING_CONFIG
    assert want["complete"] == literals["complete"]
    for name, (kind, numeric, domains) in want["rest"].items():
        assert [kind, numeric, None if domains is None else domains_digest(domains)] == literals["rest"][name]
    # the upper bounds the hidden test used to hold as literals
    assert {n: round(high, 12) for n, (_, high) in want["bounds"].items()} == {
        "workclass": 0.910992354314, "occupation": 0.910718969323, "native_country": 0.963341866570}
    # the engine's bound for an hourly window is accepted, the observed fraction is not
    for name, (low, high) in literals["bounds"].items():
        p = literals["observed"][name]
        assert low <= baseline.suggested_completeness(p, WINDOW_ROWS) <= high
        assert low <= baseline.suggested_completeness(p) <= high          # the suggested (100 rows)
        assert not p <= high


def test_engine_functions_are_forbidden_in_the_code_tasks(sources):
    from grader.trusted import forbidden_uses

    found = {c.grade_id: c for c in checks.CHECKS}
    frame = "def make_baseline_frame(df, predictions):\n    return monitor.baseline_frame(df, predictions, FEATURES)\n"
    profile = ("def numeric_profile(values):\n    # not baseline.numerical_statistics\n"
               "    return baseline.numerical_statistics(np.array(values), len(values))\n")
    assert len(forbidden_uses(found["task2-frame-tests"], {"task2-frame-answer": frame})) == 1
    assert len(forbidden_uses(found["task3-profile-tests"], {"task3-profile-answer": profile})) == 1
    for test_id, answer_id in [("task2-frame-tests", "task2-frame-answer"),
                               ("task3-profile-tests", "task3-profile-answer")]:
        assert forbidden_uses(found[test_id], {answer_id: sources[answer_id]}) == []


@pytest.fixture(scope="module")
def lab():
    """The solution's setup, task 1 answer, task 4 window and answer, and task 6 run, executed once."""
    return run_lab_cells("task1-read-answer", "task4-window", "task4-config-answer", "task6-run")


def test_task1_setup_writes_that_extract_and_the_solution_reads_it(lab):
    namespace = lab
    literals = extract_literals()
    assert namespace["MISSING_EDUCATION_NUM"] == literals["missing_education_num"]
    assert namespace["EDUCATION_NUM_TYPE"] == literals["education_num_type"]
    assert namespace["AGE_45_BUCKET_COUNT"] == literals["age_45_count"]
    assert namespace["MARRIED_COUNT"] == literals["married_count"]
    assert namespace["OCCUPATION_COMPLETENESS"] == literals["occupation_completeness"]


def test_task4_window_shows_both_false_alarms_and_the_solution_stops_them(lab):
    namespace = lab
    alerts = {(v["feature_name"], v["constraint_check_type"]) for v in namespace["VIOLATIONS"]}
    assert alerts == {(name, "completeness_check") for name in INCOMPLETE} | {
        ("workclass", "categorical_values_check")}
    fixed = namespace["FIXED_CONSTRAINTS"]
    literals = task4_literals()
    assert namespace["STATISTICS"] == literals["statistics"]
    assert dataquality.evaluate(namespace["WINDOW_TABLE"], literals["statistics"], fixed) == {"violations": []}
    # the checks rebuild that hour without the endpoint: the same table, the same verdicts
    statistics, constraints, window = checks.production()
    assert statistics == literals["statistics"] and constraints == literals["constraints"]
    pd.testing.assert_frame_equal(window.astype(object).where(window.notna(), None),
                                  namespace["WINDOW_TABLE"].astype(object).where(namespace["WINDOW_TABLE"].notna(), None),
                                  check_exact=True)
    from grader.cases.lab02_baselines import CASES

    answers = [namespace["TIGHT_CONSTRAINTS"], fixed] + [
        _run_answer(namespace, case.replacements["task4-config-answer"]) for case in CASES
        if "task4-config-answer" in case.replacements]
    for answer in answers:
        assert (dataquality.evaluate(window.copy(), statistics, copy.deepcopy(answer))
                == dataquality.evaluate(namespace["WINDOW_TABLE"].copy(), statistics, copy.deepcopy(answer)))
    # and the fix still catches a real fault: an hour where the pipeline drops workclass
    broken = namespace["WINDOW_TABLE"].copy()
    broken["workclass"] = None
    found = dataquality.evaluate(broken, literals["statistics"], fixed)["violations"]
    assert ("workclass", "completeness_check") in {(v["feature_name"], v["constraint_check_type"]) for v in found}


def _run_answer(namespace: dict, source: str) -> dict:
    """``FIXED_CONSTRAINTS`` as a task 4 answer makes it from the lab's namespace."""
    scope = {"copy": copy, "baseline": baseline, "STATISTICS": namespace["STATISTICS"],
             "TIGHT_CONSTRAINTS": namespace["TIGHT_CONSTRAINTS"]}
    exec(source, scope)  # noqa: S102  (our own cases)
    return scope["FIXED_CONSTRAINTS"]


def test_task6_run_shows_the_label_first_trap(lab):
    namespace = lab
    alerts = [(v["feature_name"], v["constraint_check_type"]) for v in namespace["LABEL_FIRST_VIOLATIONS"]]
    assert alerts == [("prediction", "data_type_check"), ("prediction", "baseline_drift_check")]
    assert namespace["LABEL_FIRST_RECORD"]["Violations"] == 2


def test_label_first_case_matches_the_engine_trap():
    """The figure's baseline column holds 0/1 only, inferred Integral (what task 6 is about)."""
    train = data.load_adult("train")
    statistics, _ = baseline.suggest_baseline(monitor.baseline_frame(train, train[data.LABEL], data.FEATURES))
    first = statistics["features"][0]
    assert (first["name"], first["inferred_type"]) == ("prediction", "Integral")
    counts = [b["count"] for b in first["numerical_statistics"]["distribution"]["kll"]["buckets"]]
    assert counts[1:9] == [0.0] * 8 and counts[0] + counts[9] == len(train)


def test_domains_digest_is_order_free():
    assert domains_digest(["b", "a"]) == domains_digest(["a", "b"])
    assert copy.deepcopy(task4_literals()["rest"]["workclass"][2]) == \
        domains_digest(task4_literals()["workclass_domains"])
