"""Module 02 (Baselines): the lecture and lab run, the lab grades as designed, and every literal in
the lab's hidden tests equals what the engine computes.

The functions at the top (``extract_literals``, ``frame_cases``, ``profile_cases``,
``task4_literals``) are how those literals were made; the tests re-run them and look for the
results in the solution's hidden-test source, so an engine change (statistics layout, bucket
rule, completeness rule, suggested config) that would silently make a hidden test wrong fails here.
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


def _person(age, workclass, hours):
    """One applicant (the same helper the task 2 test cell defines)."""
    return {"age": age, "workclass": workclass, "education": "Bachelors", "education_num": 13,
            "marital_status": "Never-married", "occupation": "Adm-clerical",
            "relationship": "Not-in-family", "race": "White", "sex": "Male", "capital_gain": 0,
            "capital_loss": 0, "hours_per_week": hours, "native_country": "United-States"}


def frame_cases() -> list[tuple[pd.DataFrame, object, list, list]]:
    """Task 2's hidden inputs (df, predictions) and expected prediction and age columns, by the engine."""
    people = [_person(25, "Private", 40), _person(52, "State-gov", 50), _person(38, "Private", 20)]
    shuffled = pd.DataFrame(people, index=[10, 11, 12])
    shuffled["label"], shuffled["fnlwgt"], shuffled["income"] = [0, 1, 0], [1, 2, 3], ["<=50K", ">50K", "<=50K"]
    shuffled = shuffled[list(reversed(shuffled.columns))]
    unsorted = pd.DataFrame([_person(61, "Self-emp-inc", 60), _person(19, "Private", 15),
                             _person(44, "Local-gov", 40)], index=[100, 7, 42])
    label_first = pd.DataFrame([_person(33, "Private", 45), _person(47, "Federal-gov", 40)])
    label_first.insert(0, "label", [1, 0])
    cases = [(shuffled, np.array([0.2, 0.7, 0.05])),
             (unsorted, pd.Series([0.9, 0.1, 0.4])),
             (label_first, [0.61, 0.12])]
    out = []
    for df, predictions in cases:
        expected = monitor.baseline_frame(df, predictions, data.FEATURES)
        out.append((df, predictions, expected["prediction"].tolist(), expected["age"].tolist()))
    return out


#: Task 3's inputs: visible first, then the four hidden ones (as they are written in the test cell).
PROFILE_INPUTS = [
    "list(range(1, 11))",
    "[4, 8, None, 15, 16, 23, 42, float('nan')]",
    "np.array([0, 5, 5, 10, 20, 25, 50, 50, 12.5, 37.5])",
    "pd.Series([-2.5, -1.0, 0.0, 0.5, 4.0, 7.5, np.nan])",
    "(np.arange(1, 51) % 7) * 1.5",
]


def _profile_input(text: str):
    return eval(text, {"np": np, "pd": pd})  # noqa: S307  (our own literals above)


def profile_expected(values) -> tuple:
    """``(num_present, num_missing, mean, std_dev, min, max, [(lower, upper, count), ...])`` by the engine."""
    array = np.array([np.nan if v is None else v for v in values], dtype=float)
    block = baseline.numerical_statistics(array[np.isfinite(array)], array.size)
    buckets = [(b["lower_bound"], b["upper_bound"], b["count"])
               for b in block["distribution"]["kll"]["buckets"]]
    return (block["common"]["num_present"], block["common"]["num_missing"], block["mean"],
            block["std_dev"], block["min"], block["max"], buckets)


def profile_cases() -> list[tuple[str, tuple]]:
    return [(text, profile_expected(_profile_input(text))) for text in PROFILE_INPUTS]


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
# 2. Grading: solution full marks, untouched release 0, each typical mistake its exact score
# --------------------------------------------------------------------------------------------

def test_solution_untouched_and_every_case_grade_exactly():
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


def test_task1_literals_are_the_extract_baseline(sources):
    literals = extract_literals()
    tests = sources["task1-read-tests"]
    assert literals["education_num_type"] == "Fractional"         # NaN made the int column float
    assert literals["missing_education_num"] + literals["present_education_num"] == 16281
    assert f"MISSING_EDUCATION_NUM, {literals['missing_education_num']!r}" in tests
    assert f"MISSING_EDUCATION_NUM, {literals['present_education_num']!r}" in tests
    assert f"AGE_45_BUCKET_COUNT, {literals['age_45_count']!r}" in tests
    assert f"_age_counts = {literals['age_buckets']!r}" in tests
    assert f"MARRIED_COUNT, {literals['married_count']!r}" in tests
    assert f"OCCUPATION_COMPLETENESS, {literals['occupation_completeness']!r}" in tests
    assert f"{literals['occupation_observed']!r}" in tests


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


def test_task2_hidden_expectations_are_the_engine_frames(sources):
    tests = sources["task2-frame-tests"]
    for _, _, predictions, ages in frame_cases():
        assert f"{predictions!r}, {ages!r}" in tests
    # the test cell's helper builds the same people as _person above
    assert '"relationship": "Not-in-family", "race": "White", "sex": "Male", "capital_gain": 0,' in tests


def test_task3_hidden_profiles_are_engine_statistics(sources):
    tests = sources["task3-profile-tests"]
    for text, expected in profile_cases():
        assert f"({text},\n     {expected!r})" in tests, text
    # np.histogram (a natural learner answer) agrees with the engine's buckets on every input
    for text, expected in profile_cases():
        values = np.array([np.nan if v is None else v for v in _profile_input(text)], dtype=float)
        values = values[np.isfinite(values)]
        counts, edges = np.histogram(values, bins=10)
        assert counts.tolist() == [c for *_, c in expected[6]]
        assert np.allclose(edges[:-1], [lo for lo, _, _ in expected[6]])


def test_task4_literals_are_the_production_baseline(sources):
    literals = task4_literals()
    tests = sources["task4-config-tests"]
    assert f"_bounds = {literals['bounds']!r}" in tests
    assert f"_workclass_domains = {literals['workclass_domains']!r}" in tests
    assert f"_config = {literals['monitoring_config']!r}" in tests
    assert f"_rest = {literals['rest']!r}" in tests
    assert f"_complete = {literals['complete']!r}" in tests
    assert literals["monitoring_config"] == baseline.SUGGESTED_MONITORING_CONFIG
    # the engine's bound for an hourly window is accepted, the observed fraction is not
    for name, (low, high) in literals["bounds"].items():
        p = literals["observed"][name]
        assert low <= baseline.suggested_completeness(p, WINDOW_ROWS) <= high
        assert low <= baseline.suggested_completeness(p) <= high          # the suggested (100 rows)
        assert not p <= high


def test_task4_window_shows_both_false_alarms_and_the_solution_stops_them(lab):
    namespace = lab
    checks = {(v["feature_name"], v["constraint_check_type"]) for v in namespace["VIOLATIONS"]}
    assert checks == {(name, "completeness_check") for name in INCOMPLETE} | {
        ("workclass", "categorical_values_check")}
    fixed = namespace["FIXED_CONSTRAINTS"]
    literals = task4_literals()
    assert namespace["STATISTICS"] == literals["statistics"]
    assert dataquality.evaluate(namespace["WINDOW_TABLE"], literals["statistics"], fixed) == {"violations": []}
    # and the fix still catches a real fault: an hour where the pipeline drops workclass
    broken = namespace["WINDOW_TABLE"].copy()
    broken["workclass"] = None
    found = dataquality.evaluate(broken, literals["statistics"], fixed)["violations"]
    assert ("workclass", "completeness_check") in {(v["feature_name"], v["constraint_check_type"]) for v in found}


def test_task6_run_shows_the_label_first_trap(lab):
    namespace = lab
    checks = [(v["feature_name"], v["constraint_check_type"]) for v in namespace["LABEL_FIRST_VIOLATIONS"]]
    assert checks == [("prediction", "data_type_check"), ("prediction", "baseline_drift_check")]
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
