"""Data-quality evaluation: every check type fires on a crafted window and stays silent on a clean one."""

import copy
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from monitorlab.monitoring import baseline, dataquality
from monitorlab.stats import drift

FIXTURES = Path(__file__).parent / "fixtures" / "sagemaker"
ROWS = 3000


def frame(seed: int, rows: int = ROWS) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "age": rng.integers(18, 80, rows),
        "income": rng.normal(50.0, 10.0, rows),
        "hours": rng.uniform(10.0, 60.0, rows),
        "workclass": rng.choice(["private", "self_emp", "gov"], rows, p=[0.6, 0.3, 0.1]),
    })


@pytest.fixture(scope="module")
def suggested():
    return baseline.suggest_baseline(frame(seed=1))


def found(violations: dict) -> list[tuple[str, str]]:
    return [(v["feature_name"], v["constraint_check_type"]) for v in violations["violations"]]


def test_clean_window_has_no_violations(suggested):
    statistics, constraints = suggested
    assert dataquality.evaluate(frame(seed=2), statistics, constraints) == {"violations": []}


def _text_in_age(w):
    w["age"] = w["age"].astype(object)
    w.loc[:299, "age"] = "unknown"
    return w


CRAFTED = {
    "data_type_check": (_text_in_age, [("age", "data_type_check")]),
    "completeness_check": (lambda w: w.assign(hours=w["hours"].mask(w.index < 30)),
                           [("hours", "completeness_check")]),
    "baseline_drift_check": (lambda w: w.assign(income=w["income"] + 8.0), [("income", "baseline_drift_check")]),
    "missing_column_check": (lambda w: w.drop(columns=["hours"]), [("hours", "missing_column_check")]),
    "extra_column_check": (lambda w: w.assign(zip_code="02134"), [("zip_code", "extra_column_check")]),
    "categorical_values_check": (lambda w: w.assign(workclass=w["workclass"].mask(w.index < 5, "never_worked")),
                                 [("workclass", "categorical_values_check")]),
}


@pytest.mark.parametrize("check_type", dataquality.CHECK_TYPES)
def test_each_check_type_fires_on_a_crafted_window(suggested, check_type):
    statistics, constraints = suggested
    craft, expected = CRAFTED[check_type]
    window = craft(frame(seed=2).copy())
    assert found(dataquality.evaluate(window, statistics, constraints)) == expected


def test_descriptions_follow_the_real_messages(suggested):
    statistics, constraints = suggested
    window = frame(seed=2)
    window["age"] = window["age"] + 0.5           # 0% whole numbers
    window.loc[:2999 - 2700, "hours"] = np.nan     # 300 of 3000 missing
    window["income"] = window["income"] + 30.0
    window.loc[:29, "workclass"] = "never_worked"
    violations = dataquality.evaluate(window, statistics, constraints)["violations"]
    by_check = {(v["feature_name"], v["constraint_check_type"]): v["description"] for v in violations}
    assert by_check[("age", "data_type_check")] == (
        "Data type match requirement is not met. Expected data type: Integral, Expected match: 100.0%. "
        "Observed: Only 0.0% of data is Integral.")
    assert by_check[("hours", "completeness_check")] == "Value: 0.9 does not meet the constraint requirement! "
    assert by_check[("workclass", "categorical_values_check")] == \
        "Value: 0.99 does not meet the constraint requirement! "
    distance = dataquality.run_checks(window, statistics, constraints).drift["income"].value
    assert by_check[("income", "baseline_drift_check")] == \
        f"Baseline drift distance: {distance!r} exceeds threshold: 0.1"


def test_violations_have_the_structure_of_a_real_file(suggested):
    statistics, constraints = suggested
    window = frame(seed=2).assign(extra="x")
    ours = dataquality.evaluate(window, statistics, constraints)
    theirs = json.loads((FIXTURES / "monitor__constraint_violations.json").read_text())
    assert list(ours) == list(theirs) == ["violations"]
    assert [list(v) for v in ours["violations"]] == [list(theirs["violations"][0])]
    assert all(isinstance(value, str) for v in ours["violations"] for value in v.values())


# --------------------------------------------------------------------------------------------
# Bad data never crashes
# --------------------------------------------------------------------------------------------

def test_all_null_feature(suggested):
    statistics, constraints = suggested
    window = frame(seed=2).assign(income=np.nan, workclass=None)
    report = dataquality.run_checks(window, statistics, constraints)
    assert found(report.constraint_violations) == [("income", "completeness_check"),
                                                   ("workclass", "completeness_check")]
    assert {"MetricName": "feature_non_null_income", "Value": 0.0} in report.metrics
    assert "income" not in report.drift and "workclass" not in report.drift


def test_text_in_a_numeric_column_is_a_type_violation_not_a_crash(suggested):
    statistics, constraints = suggested
    window = frame(seed=2).assign(hours="n/a")
    report = dataquality.run_checks(window, statistics, constraints)
    assert found(report.constraint_violations) == [("hours", "data_type_check")]
    hours = next(f for f in report.statistics["features"] if f["name"] == "hours")
    assert hours["numerical_statistics"] == {"common": {"num_present": 0, "num_missing": ROWS}}


def test_constant_columns_and_unseen_categories(suggested):
    statistics, constraints = suggested
    window = frame(seed=2).assign(hours=35.0, workclass="martian")
    assert found(dataquality.evaluate(window, statistics, constraints)) == [
        ("hours", "baseline_drift_check"), ("workclass", "categorical_values_check"),
        ("workclass", "baseline_drift_check")]


def test_numbers_arriving_as_floats_with_nan_still_count_as_integral(suggested):
    statistics, constraints = suggested
    window = frame(seed=2)
    window["age"] = window["age"].astype(float)
    assert dataquality.evaluate(window, statistics, constraints) == {"violations": []}


def test_string_feature_receiving_numbers_is_a_type_violation(suggested):
    statistics, constraints = suggested
    window = frame(seed=2).assign(workclass=1)
    assert ("workclass", "data_type_check") in found(dataquality.evaluate(window, statistics, constraints))


def test_string_feature_with_numeric_looking_text_passes_on_its_own_data():
    training = pd.DataFrame({"code": ["a1", "7", "b2"] * 20})  # "7" is text: String still matches
    statistics, constraints = baseline.suggest_baseline(training)
    assert constraints["features"][0]["inferred_type"] == "String"
    assert dataquality.evaluate(training, statistics, constraints) == {"violations": []}


def test_unhashable_json_values_are_compared_as_text(suggested):
    statistics, constraints = suggested
    window = frame(seed=2, rows=60).astype({"workclass": object, "income": object})
    window.loc[:5, "workclass"] = pd.Series([["private"], {"k": 1}] * 3)
    window.loc[:5, "income"] = pd.Series([[1.0], {"v": 2}] * 3)
    assert found(dataquality.evaluate(window, statistics, constraints)) == [
        ("income", "data_type_check"), ("workclass", "categorical_values_check")]


def test_empty_window_is_refused(suggested):
    statistics, constraints = suggested
    with pytest.raises(ValueError, match="no rows"):
        dataquality.evaluate(frame(seed=2).iloc[:0], statistics, constraints)


@pytest.mark.parametrize("mutate, needle", [
    (lambda s, c: s["features"][0].pop("numerical_statistics"), "features[0] is missing the key 'numerical_statistics'"),
    (lambda s, c: c.pop("features"), "constraints is missing the key 'features'"),
    (lambda s, c: c["monitoring_config"]["distribution_constraints"].update(comparison_threshold="0.1"),
     "comparison_threshold"),
])
def test_malformed_baseline_files_name_the_key(suggested, mutate, needle):
    statistics, constraints = copy.deepcopy(suggested)
    mutate(statistics, constraints)
    with pytest.raises(ValueError) as caught:
        dataquality.evaluate(frame(seed=2), statistics, constraints)
    assert needle in str(caught.value)


# --------------------------------------------------------------------------------------------
# monitoring_config
# --------------------------------------------------------------------------------------------

def drifted_window() -> pd.DataFrame:
    window = frame(seed=2)
    window["income"] += 4.0
    window["workclass"] = np.where(np.arange(ROWS) % 3 == 0, "gov", window["workclass"])
    return window


def test_evaluate_constraints_disabled_gives_no_violations_but_metrics(suggested):
    statistics, constraints = copy.deepcopy(suggested)
    constraints["monitoring_config"]["evaluate_constraints"] = "Disabled"
    report = dataquality.run_checks(drifted_window().assign(extra=1), statistics, constraints)
    assert report.constraint_violations == {"violations": []}
    assert "feature_baseline_drift_income" in [m["MetricName"] for m in report.metrics]


def test_emit_metrics_disabled(suggested):
    statistics, constraints = copy.deepcopy(suggested)
    constraints["monitoring_config"]["emit_metrics"] = "Disabled"
    assert dataquality.run_checks(frame(seed=2), statistics, constraints).metrics == []


def test_perform_comparison_disabled(suggested):
    statistics, constraints = copy.deepcopy(suggested)
    constraints["monitoring_config"]["distribution_constraints"]["perform_comparison"] = "Disabled"
    report = dataquality.run_checks(drifted_window(), statistics, constraints)
    assert report.constraint_violations == {"violations": []} and report.drift == {}


def test_simple_and_robust_methods(suggested):
    statistics, constraints = copy.deepcopy(suggested)
    window = drifted_window()
    robust = dataquality.run_checks(window, statistics, constraints).drift
    constraints["monitoring_config"]["distribution_constraints"]["comparison_method"] = "Simple"
    simple = dataquality.run_checks(window, statistics, constraints).drift
    correction = drift.robust_correction(ROWS, ROWS)
    assert simple["income"].method == "linf_simple" and robust["income"].method == "linf_robust"
    assert robust["income"].value == pytest.approx(simple["income"].value - correction)
    assert simple["workclass"].method == "categorical_linf"
    assert simple["workclass"].value == pytest.approx(
        drift.categorical_linf(statistics["features"][3], window["workclass"].to_numpy()))


def test_chi_squared_categorical_method_flags_small_p_values(suggested):
    statistics, constraints = copy.deepcopy(suggested)
    constraints["monitoring_config"]["distribution_constraints"].update(
        categorical_drift_method="ChiSquared", categorical_comparison_threshold=0.05)
    clean = dataquality.run_checks(frame(seed=2), statistics, constraints)
    shifted = dataquality.run_checks(drifted_window(), statistics, constraints)
    assert clean.drift["workclass"].method == "chi_square_p_value"
    assert not clean.drift["workclass"].drifted and shifted.drift["workclass"].drifted
    assert ("workclass", "baseline_drift_check") in found(shifted.constraint_violations)
    description = next(v["description"] for v in shifted.constraint_violations["violations"]
                       if v["feature_name"] == "workclass")
    assert description.startswith("Baseline drift p-value: ") and description.endswith("threshold: 0.05")


@pytest.mark.parametrize("spelling", ["monitoringConfigOverrides", "monitoring_config_overrides"])
def test_per_feature_overrides(suggested, spelling):
    statistics, constraints = copy.deepcopy(suggested)
    income = constraints["features"][1]
    income[spelling] = {"distribution_constraints": {"comparison_threshold": 0.9}}
    constraints["features"][3]["string_constraints"]["monitoring_config_overrides"] = {
        "evaluate_constraints": "Disabled"}
    assert found(dataquality.evaluate(drifted_window(), statistics, constraints)) == []


def test_datatype_threshold_is_a_minimum_match_fraction(suggested):
    statistics, constraints = copy.deepcopy(suggested)
    window = _text_in_age(frame(seed=2))  # 10% text
    constraints["monitoring_config"]["datatype_check_threshold"] = 0.85
    assert found(dataquality.evaluate(window, statistics, constraints)) == []
    constraints["monitoring_config"]["datatype_check_threshold"] = 0.95
    assert found(dataquality.evaluate(window, statistics, constraints)) == [("age", "data_type_check")]


def test_missing_monitoring_config_uses_documented_defaults():
    config = dataquality.feature_config({})
    assert (config.datatype_check_threshold, config.comparison_threshold, config.comparison_method,
            config.categorical_comparison_threshold, config.categorical_drift_method) == \
        (0.1, 0.1, "Robust", 0.1, "LInfinity")
    legacy = dataquality.feature_config({"distribution_constraints": {"enable_comparisons": False,
                                                                      "comparison_threshold": 0.3}})
    assert not legacy.perform_comparison and legacy.categorical_comparison_threshold == 0.3


# --------------------------------------------------------------------------------------------
# Window statistics, metrics, real files, determinism
# --------------------------------------------------------------------------------------------

def test_window_statistics_are_typed_by_the_baseline(suggested):
    statistics, _ = suggested
    window = frame(seed=2, rows=500)
    window["age"] = window["age"].astype(float)
    window.loc[0, "age"] = np.nan
    ours = dataquality.window_statistics(window, statistics)
    assert [f["inferred_type"] for f in ours["features"]] == ["Integral", "Fractional", "Fractional", "String"]
    assert ours["dataset"] == {"item_count": 500}
    baseline.validate_statistics(ours)
    assert ours == dataquality.run_checks(window, *suggested).statistics
    age = ours["features"][0]["numerical_statistics"]
    assert age["common"] == {"num_present": 499, "num_missing": 1}
    assert age["distribution"]["kll"]["sketch"]["data"][0] == window["age"].dropna().tolist()


def test_metrics_are_cloudwatch_datums(suggested):
    statistics, constraints = suggested
    window = frame(seed=2)
    window.loc[:9, "income"] = np.nan
    report = dataquality.run_checks(window, statistics, constraints)
    by_name = {m["MetricName"]: m for m in report.metrics}
    assert list(by_name)[:3] == ["feature_data_age", "feature_non_null_age", "feature_baseline_drift_age"]
    income = window["income"].dropna()
    assert by_name["feature_data_income"]["StatisticValues"] == {
        "SampleCount": float(ROWS - 10), "Sum": pytest.approx(income.sum()),
        "Minimum": income.min(), "Maximum": income.max()}
    assert by_name["feature_non_null_income"]["Value"] == (ROWS - 10) / ROWS
    assert by_name["feature_baseline_drift_income"]["Value"] == report.drift["income"].value
    assert "feature_data_workclass" not in by_name  # numerical features only
    assert {"feature_non_null_workclass", "feature_baseline_drift_workclass"} <= set(by_name)


def test_real_pipeline_baseline_against_its_own_data_and_the_bad_case():
    statistics = json.loads((FIXTURES / "pipeline__quality_check_step__data_quality__statistics.json").read_text())
    good = json.loads((FIXTURES / "pipeline__quality_check_step__data_quality__good_cases__constraints.json").read_text())
    bad = json.loads((FIXTURES / "pipeline__quality_check_step__data_quality__bad_cases__constraints.json").read_text())
    window = pd.DataFrame({f["name"]: f["numerical_statistics"]["distribution"]["kll"]["sketch"]["data"][0]
                           for f in statistics["features"]})
    assert dataquality.evaluate(window, statistics, good) == {"violations": []}
    assert dataquality.evaluate(window, statistics, bad)["violations"] == [{
        "feature_name": "_c5", "constraint_check_type": "data_type_check",
        "description": "Data type match requirement is not met. Expected data type: String, Expected "
                       "match: 100.0%. Observed: Only 0.0% of data is String."}]


def test_real_string_baseline_with_legacy_config():
    statistics = json.loads((FIXTURES / "monitor__statistics.json").read_text())
    constraints = json.loads((FIXTURES / "monitor__constraints.json").read_text())
    value = "preproc-not-YET-supported-for-csv-json"
    # no domain_content_threshold in this older file: the documented default 0.1 applies
    assert found(dataquality.evaluate(pd.DataFrame({"message": [value] * 9 + ["other"]}),
                                      statistics, constraints)) == [("second_message", "missing_column_check")]
    assert found(dataquality.evaluate(pd.DataFrame({"message": ["other"] * 10}), statistics, constraints)) == [
        ("message", "categorical_values_check"), ("second_message", "missing_column_check")]


def test_same_input_same_bytes(suggested):
    statistics, constraints = suggested
    window = drifted_window()
    first = dataquality.run_checks(window, statistics, constraints, seed=3)
    again = dataquality.run_checks(window.copy(), statistics, constraints, seed=3)
    for a, b in ((first.constraint_violations, again.constraint_violations),
                 (first.statistics, again.statistics), (first.metrics, again.metrics)):
        assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
