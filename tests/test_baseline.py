"""Baseline suggestion: statistics.json / constraints.json against real SageMaker files, KLL, S3."""

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from monitorlab.monitoring import baseline
from monitorlab.stats import drift, kll

FIXTURES = Path(__file__).parent / "fixtures" / "sagemaker"


def real(name: str) -> dict:
    """A real SDK file copied to tests/fixtures/sagemaker/ (see the README there)."""
    return json.loads((FIXTURES / name).read_text())


REAL_STATISTICS = "pipeline__quality_check_step__data_quality__statistics.json"
REAL_STRING_STATISTICS = "monitor__statistics.json"
REAL_CONSTRAINTS = "pipeline__quality_check_step__data_quality__good_cases__constraints.json"
REAL_STRING_CONSTRAINTS = "monitor__constraints.json"


def skeleton(value):
    """Key structure and value types: dicts by key, lists as the set of their items' skeletons."""
    if isinstance(value, dict):
        return {key: skeleton(item) for key, item in value.items()}
    if isinstance(value, list):
        shapes = {json.dumps(skeleton(item), sort_keys=True) for item in value}
        return sorted(shapes)
    return type(value).__name__


def training_frame(rows: int = 100, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "age": rng.integers(18, 80, rows),
        "income": rng.normal(50.0, 10.0, rows),
        "workclass": rng.choice(["private", "self_emp", "gov"], rows, p=[0.6, 0.3, 0.1]),
    })


# --------------------------------------------------------------------------------------------
# Structure and values against the real files
# --------------------------------------------------------------------------------------------

def test_statistics_have_the_structure_and_types_of_real_files():
    statistics, _ = baseline.suggest_baseline(training_frame())
    numeric_real = real(REAL_STATISTICS)
    string_real = real(REAL_STRING_STATISTICS)
    assert skeleton({k: v for k, v in statistics.items() if k != "features"}) == \
        skeleton({k: v for k, v in numeric_real.items() if k != "features"})
    assert skeleton(statistics["features"][1]) == skeleton(numeric_real["features"][0])
    assert skeleton(statistics["features"][2]) == skeleton(string_real["features"][0])
    # Integral features are written exactly like Fractional ones (floats throughout)
    assert skeleton(statistics["features"][0]) == skeleton(numeric_real["features"][0])
    assert statistics["features"][0]["inferred_type"] == "Integral"


def test_constraints_have_the_structure_and_types_of_real_files():
    _, constraints = baseline.suggest_baseline(training_frame())
    numeric_real = real(REAL_CONSTRAINTS)
    string_real = real(REAL_STRING_CONSTRAINTS)["features"][1]  # the one without overrides
    assert skeleton({k: v for k, v in constraints.items() if k != "features"})["version"] == "float"
    assert skeleton(constraints["features"][1]) == skeleton(numeric_real["features"][0])
    assert skeleton(constraints["features"][2]) == skeleton(string_real)
    ours, theirs = constraints["monitoring_config"], numeric_real["monitoring_config"]
    assert {k: skeleton(ours[k]) for k in theirs if k != "distribution_constraints"} == \
        {k: skeleton(v) for k, v in theirs.items() if k != "distribution_constraints"}
    for key, value in theirs["distribution_constraints"].items():
        assert ours["distribution_constraints"][key] == value


def test_monitoring_config_is_what_a_real_baseline_job_suggests():
    _, constraints = baseline.suggest_baseline(training_frame())
    assert constraints["monitoring_config"] == {
        "evaluate_constraints": "Enabled", "emit_metrics": "Enabled",
        "datatype_check_threshold": 1.0, "domain_content_threshold": 1.0,
        "distribution_constraints": {
            "perform_comparison": "Enabled", "comparison_threshold": 0.1, "comparison_method": "Robust",
            "categorical_comparison_threshold": 0.1, "categorical_drift_method": "LInfinity"}}


def test_recomputes_the_real_statistics_from_their_raw_sketch_values():
    """The SDK fixture has n=100 < k, so each sketch's level 0 is the raw column, in row order."""
    real_statistics = real(REAL_STATISTICS)
    frame = pd.DataFrame({f["name"]: f["numerical_statistics"]["distribution"]["kll"]["sketch"]["data"][0]
                          for f in real_statistics["features"]})
    statistics, constraints = baseline.suggest_baseline(frame)
    for ours, theirs in zip(statistics["features"], real_statistics["features"]):
        ours, theirs = ours["numerical_statistics"], theirs["numerical_statistics"]
        # Spark accumulates std_dev with Welford's update row by row; numpy's two-pass formula
        # agrees to the last couple of bits (0.8330066026148893 vs ...891 for _c0).
        assert ours.pop("std_dev") == pytest.approx(theirs.pop("std_dev"), rel=1e-14)
        assert ours == theirs  # mean, sum, min, max, buckets (bounds bit for bit), sketch
    assert statistics["version"] == 0.0 and statistics["dataset"] == {"item_count": 100}
    assert constraints["features"] == real(REAL_CONSTRAINTS)["features"]


@pytest.mark.parametrize("name", [REAL_STATISTICS, REAL_STRING_STATISTICS])
def test_validator_accepts_real_statistics(name):
    baseline.validate_statistics(real(name))


@pytest.mark.parametrize("name", [
    REAL_CONSTRAINTS, REAL_STRING_CONSTRAINTS,
    "pipeline__quality_check_step__data_quality__bad_cases__constraints.json"])
def test_validator_accepts_real_constraints(name):
    baseline.validate_constraints(real(name))


# --------------------------------------------------------------------------------------------
# Types, missing values, buckets, constraints
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("values, expected", [
    (pd.Series([1, 2, 3]), "Integral"),
    (pd.Series([1, None, 3], dtype="Int64"), "Integral"),
    (pd.Series([True, False]), "Integral"),
    (pd.Series([1.0, 2.0]), "Fractional"),            # float dtype = text "1.0": Fractional
    (pd.Series([1.0, np.nan]), "Fractional"),          # the int-with-NaN trap
    (pd.Series(["1", "2", "-3"]), "Integral"),         # Deequ classifies the text
    (pd.Series(["1.5", "2"]), "Fractional"),
    (pd.Series(["1", "a"]), "String"),
    (pd.Series([1, 2.5], dtype=object), "Fractional"),
    (pd.Series([1, "a"], dtype=object), "String"),
    (pd.Series(["a", "b"], dtype="category"), "String"),
    (pd.Series(pd.to_datetime(["2026-01-05", "2026-01-06"])), "String"),
    (pd.Series(["x", None], dtype="string"), "String"),
])
def test_inferred_type_of_pandas_columns(values, expected):
    statistics = baseline.compute_statistics(pd.DataFrame({"col": values}))
    assert statistics["features"][0]["inferred_type"] == expected


def test_missing_values_and_completeness():
    frame = pd.DataFrame({"num": [1.0, np.nan, 3.0, 4.0], "text": ["a", None, "", "a"]})
    statistics, constraints = baseline.suggest_baseline(frame)
    num, text = statistics["features"]
    assert num["numerical_statistics"]["common"] == {"num_present": 3, "num_missing": 1}
    assert text["string_statistics"]["common"] == {"num_present": 2, "num_missing": 2}  # "" is null
    assert text["string_statistics"]["distribution"]["categorical"]["buckets"] == [{"value": "a", "count": 2}]
    expected = [baseline.suggested_completeness(0.75), baseline.suggested_completeness(0.5)]
    assert [f["completeness"] for f in constraints["features"]] == expected


def test_numerical_statistics_values():
    values = np.array([3.0, -1.0, 2.0, 2.0, 10.0])
    block = baseline.numerical_statistics(values, item_count=6)
    assert block["common"] == {"num_present": 5, "num_missing": 1}
    assert (block["mean"], block["sum"], block["min"], block["max"]) == (3.2, 16.0, -1.0, 10.0)
    assert block["std_dev"] == pytest.approx(np.std(values, ddof=0))
    assert block["distribution"]["kll"]["sketch"] == {"parameters": {"c": 0.64, "k": 2048.0},
                                                      "data": [[3.0, -1.0, 2.0, 2.0, 10.0]]}


def test_buckets_are_equal_width_half_open_and_the_last_closed():
    values = np.array([0.0, 0.1, 0.5, 0.9999, 1.0, 1.0])
    buckets = baseline.equal_width_buckets(values, 0.0, 1.0)
    assert [b["lower_bound"] for b in buckets] == [i / 10 for i in range(10)]
    assert [b["upper_bound"] for b in buckets] == [(i + 1) / 10 for i in range(10)]
    assert [b["count"] for b in buckets] == [1.0, 1.0, 0, 0, 0, 1.0, 0, 0, 0, 3.0]
    assert all(isinstance(b["count"], float) for b in buckets)


@pytest.mark.parametrize("values", [
    np.array([-0.7, 0.2, 1.73]),  # the formula's top edge is 1.7299999999999998 < max
    np.random.default_rng(2).normal(size=1000),  # top edge one ulp below max as well
])
def test_buckets_count_every_value_when_the_top_edge_rounds_below_the_maximum(values):
    minimum, maximum = float(values.min()), float(values.max())
    buckets = baseline.equal_width_buckets(values, minimum, maximum)
    assert buckets[-1]["upper_bound"] < maximum  # the rounding this test is about
    assert sum(b["count"] for b in buckets) == values.size
    assert [b["count"] for b in buckets] == np.histogram(values, bins=10)[0].tolist()


def test_constant_column_puts_everything_in_the_last_bucket():
    statistics, constraints = baseline.suggest_baseline(pd.DataFrame({"c": [5.0] * 7}))
    block = statistics["features"][0]["numerical_statistics"]
    assert block["std_dev"] == 0.0
    assert [b["count"] for b in block["distribution"]["kll"]["buckets"]] == [0.0] * 9 + [7.0]
    assert constraints["features"][0]["num_constraints"] == {"is_non_negative": True}


def test_is_non_negative_follows_the_minimum():
    _, constraints = baseline.suggest_baseline(pd.DataFrame({"a": [0, 1, 2], "b": [-0.5, 1.0, 2.0]}))
    assert [f["num_constraints"]["is_non_negative"] for f in constraints["features"]] == [True, False]


def test_domains_for_small_cardinality_only():
    rng = np.random.default_rng(1)
    rows = 2000
    frame = pd.DataFrame({
        "small": rng.choice(["b", "a", "c"], rows, p=[0.5, 0.3, 0.2]),
        "many": [f"id{i}" for i in range(rows)],                        # > 120 distinct
        "singletons": ["x"] * (rows - 30) + [f"rare{i}" for i in range(30)],  # 30/31 seen once
    })
    _, constraints = baseline.suggest_baseline(frame)
    small, many, singletons = constraints["features"]
    assert small["string_constraints"] == {"domains": ["b", "a", "c"]}  # most frequent first
    assert "string_constraints" not in many and "string_constraints" not in singletons


def test_categorical_buckets_are_capped_at_1000_most_frequent():
    values = [f"v{i:04d}" for i in range(1500)] + ["v0007"] * 3
    statistics, _ = baseline.suggest_baseline(pd.DataFrame({"s": values}))
    block = statistics["features"][0]["string_statistics"]
    assert block["distinct_count"] == 1500.0
    buckets = block["distribution"]["categorical"]["buckets"]
    assert len(buckets) == 1000 and buckets[0] == {"value": "v0007", "count": 4}
    assert buckets[1]["value"] == "v0000"


# --------------------------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, fix", [("Age", "'age'"), ("hours per week", "'hours_per_week'"),
                                       ("income-usd", "'income_usd'"), (3, "'3'")])
def test_non_spark_names_are_refused_with_the_column_and_a_rename(name, fix):
    with pytest.raises(ValueError) as caught:
        baseline.suggest_baseline(pd.DataFrame({name: [1, 2]}))
    assert repr(name) in str(caught.value) and fix in str(caught.value)
    assert "lowercase letters, digits and underscores" in str(caught.value)


@pytest.mark.parametrize("frame, needle", [
    (pd.DataFrame({"a": [None, None]}), "no present value"),
    (pd.DataFrame({"a": [np.nan, np.nan]}), "no present value"),
    (pd.DataFrame({"a": [1.0, np.inf]}), "infinite"),
    (pd.DataFrame({"a": []}), "empty"),
    ([1, 2], "DataFrame"),
])
def test_bad_frames_raise_a_clear_error(frame, needle):
    with pytest.raises(ValueError, match=needle):
        baseline.suggest_baseline(frame)


def test_duplicate_names_are_refused():
    frame = pd.DataFrame([[1, 2]], columns=["a", "a"])
    with pytest.raises(ValueError, match="appears twice"):
        baseline.suggest_baseline(frame)


@pytest.mark.parametrize("mutate, needle", [
    (lambda s: s.pop("features"), "missing the key 'features'"),
    (lambda s: s["dataset"].pop("item_count"), "statistics.dataset is missing the key 'item_count'"),
    (lambda s: s["features"][0].pop("inferred_type"), "features[0] is missing the key 'inferred_type'"),
    (lambda s: s["features"][0].update(inferred_type="Boolean"), "features[0].inferred_type"),
    (lambda s: s["features"][1]["numerical_statistics"].pop("mean"), "numerical_statistics is missing the key 'mean'"),
    (lambda s: s["features"][1]["numerical_statistics"]["distribution"]["kll"]["sketch"].update(data="x"),
     "sketch.data"),
    (lambda s: s["features"][2]["string_statistics"]["common"].update(num_present="3"),
     "features[2].string_statistics.common.num_present"),
    (lambda s: s["features"][2].update(name="age"), "features[2].name 'age' appears twice"),
])
def test_malformed_statistics_name_the_key(mutate, needle):
    statistics, _ = baseline.suggest_baseline(training_frame())
    mutate(statistics)
    with pytest.raises(ValueError) as caught:
        baseline.validate_statistics(statistics)
    assert needle in str(caught.value)


@pytest.mark.parametrize("mutate, needle", [
    (lambda c: c.pop("version"), "missing the key 'version'"),
    (lambda c: c["features"][0].update(completeness=1.5), "features[0].completeness"),
    (lambda c: c["features"][0]["num_constraints"].update(is_non_negative="yes"), "is_non_negative"),
    (lambda c: c["monitoring_config"]["distribution_constraints"].update(comparison_method="robust"),
     "monitoring_config.distribution_constraints.comparison_method"),
    (lambda c: c["monitoring_config"].update(emit_metrics=True), "monitoring_config.emit_metrics"),
    (lambda c: c["monitoring_config"]["distribution_constraints"].update(categorical_drift_method="KS"),
     "categorical_drift_method"),
    (lambda c: c["features"][2].update(monitoringConfigOverrides={"comparison_threshold": -1}),
     "features[2].monitoringConfigOverrides.comparison_threshold"),
])
def test_malformed_constraints_name_the_key(mutate, needle):
    _, constraints = baseline.suggest_baseline(training_frame())
    mutate(constraints)
    with pytest.raises(ValueError) as caught:
        baseline.validate_constraints(constraints)
    assert needle in str(caught.value)


# --------------------------------------------------------------------------------------------
# KLL sketch
# --------------------------------------------------------------------------------------------

def test_sketch_keeps_raw_values_in_row_order_up_to_k():
    values = np.random.default_rng(0).normal(size=kll.DEFAULT_K)
    levels = kll.build_sketch(values)
    assert len(levels) == 1 and np.array_equal(levels[0], values)


@pytest.mark.parametrize("rows", [2049, 10_000, 123_457])
def test_sketch_weights_add_up_to_n_and_levels_respect_capacities(rows):
    values = np.random.default_rng(rows).exponential(size=rows)
    levels = kll.build_sketch(values, seed=3)
    assert kll.total_weight(levels) == rows
    capacities = kll.level_capacities(rows)
    assert len(levels) == len(capacities)
    assert all(len(level) <= capacity for level, capacity in zip(levels, capacities))
    assert sum(len(level) for level in levels) < 3 * kll.DEFAULT_K
    assert np.isin(np.concatenate(levels), values).all()  # KLL keeps real values only


def test_sketch_is_deterministic_per_seed_and_accurate():
    values = np.random.default_rng(5).lognormal(size=200_000)
    first, again = kll.build_sketch(values, seed=11), kll.build_sketch(values, seed=11)
    other = kll.build_sketch(values, seed=12)
    assert json.dumps(kll.sketch_json(first)) == json.dumps(kll.sketch_json(again))
    assert json.dumps(kll.sketch_json(first)) != json.dumps(kll.sketch_json(other))
    sketch = kll.sketch_json(first)
    assert drift.linf_simple(values, sketch) < 0.01  # worst rank error of the sketch's CDF


def test_sketch_levels_reject_bad_data():
    with pytest.raises(ValueError, match="sketch.data"):
        kll.sketch_levels({"data": [[1.0, "x"]]})
    with pytest.raises(ValueError, match="'data'"):
        kll.sketch_levels({"parameters": {}})


# --------------------------------------------------------------------------------------------
# Determinism and S3
# --------------------------------------------------------------------------------------------

def test_same_input_gives_the_same_bytes():
    frame = training_frame(rows=5000)
    first = baseline.suggest_baseline(frame, seed=4)
    again = baseline.suggest_baseline(frame.copy(), seed=4)
    assert json.dumps(first, sort_keys=True) == json.dumps(again, sort_keys=True)
    assert baseline.baseline_json(first[0]) == baseline.baseline_json(again[0])


@pytest.fixture
def s3():
    from monitorlab.account.sandbox import Sandbox
    box = Sandbox().start()
    client = box.client("s3")
    client.create_bucket(Bucket="course-bucket")
    yield client
    box.stop()


def test_write_and_read_baseline_round_trip(s3):
    statistics, constraints = baseline.suggest_baseline(training_frame())
    uris = baseline.write_baseline(s3, "s3://course-bucket/baselines/v1", statistics, constraints)
    assert uris == {"statistics": "s3://course-bucket/baselines/v1/statistics.json",
                    "constraints": "s3://course-bucket/baselines/v1/constraints.json"}
    body = s3.get_object(Bucket="course-bucket", Key="baselines/v1/statistics.json")["Body"].read()
    assert body == baseline.baseline_json(statistics)
    assert baseline.read_baseline(s3, "s3://course-bucket/baselines/v1/") == (statistics, constraints)


def test_read_baseline_names_the_problem(s3):
    statistics, constraints = baseline.suggest_baseline(training_frame())
    with pytest.raises(ValueError, match="does not exist"):
        baseline.read_baseline(s3, "s3://course-bucket/nowhere")
    del statistics["features"][0]["name"]
    s3.put_object(Bucket="course-bucket", Key="bad/statistics.json", Body=json.dumps(statistics))
    s3.put_object(Bucket="course-bucket", Key="bad/constraints.json", Body=json.dumps(constraints))
    with pytest.raises(ValueError, match=r"statistics\.json\.features\[0\] is missing the key 'name'"):
        baseline.read_baseline(s3, "s3://course-bucket/bad")
    s3.put_object(Bucket="course-bucket", Key="bad/statistics.json", Body=b"{not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        baseline.read_baseline(s3, "s3://course-bucket/bad")


def test_write_baseline_refuses_malformed_documents_and_uris(s3):
    statistics, constraints = baseline.suggest_baseline(training_frame())
    with pytest.raises(ValueError, match="S3 URI"):
        baseline.write_baseline(s3, "course-bucket/baselines", statistics, constraints)
    constraints["monitoring_config"]["evaluate_constraints"] = "On"
    with pytest.raises(ValueError, match="evaluate_constraints"):
        baseline.write_baseline(s3, "s3://course-bucket/x", statistics, constraints)
    assert "Contents" not in s3.list_objects_v2(Bucket="course-bucket", Prefix="x/")


def test_completeness_constraint_is_a_float_fraction():
    _, constraints = baseline.suggest_baseline(pd.DataFrame({"a": [1.0] * 3 + [math.nan]}),
                                               window_rows=10_000)
    assert constraints["features"][0]["completeness"] == pytest.approx(0.75 - 4 * math.sqrt(0.75 * 0.25 / 10_000))


def test_suggested_completeness_is_a_lower_bound_sized_for_the_window():
    assert baseline.suggested_completeness(1.0) == 1.0  # complete columns: exactly as AWS suggests
    bound = baseline.suggested_completeness(0.9436, window_rows=100)
    assert bound == pytest.approx(0.9436 - 4 * math.sqrt(0.9436 * 0.0564 / 100))
    assert bound < baseline.suggested_completeness(0.9436, window_rows=1000) < 0.9436
    assert baseline.suggested_completeness(0.01, window_rows=1) == 0.0


def test_fast_bucket_index_equals_searchsorted_on_awkward_ranges():
    rng = np.random.default_rng(12)
    for _ in range(300):
        low = rng.normal() * 10.0 ** rng.integers(-5, 8)
        high = low + abs(rng.normal()) * 10.0 ** rng.integers(-14, 8)
        if not high > low:
            continue
        edges = np.array([low + (high - low) * i / 10 for i in range(11)])
        values = np.concatenate([rng.uniform(low, high, 200), edges, np.nextafter(edges, np.inf),
                                 np.nextafter(edges, -np.inf)])
        values = values[values >= low]
        assert np.array_equal(baseline._bucket_index(values, edges),
                              np.searchsorted(edges, values, side="right") - 1)
