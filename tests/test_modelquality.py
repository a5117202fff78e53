"""Model quality: the merge rules, metrics against scikit-learn and AWS's documented examples, the
standard-deviation rule, constraints and violations, CloudWatch data, and scheduled executions on
a concept-drift scenario whose labels arrive late."""

import copy
import json
from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics as skm

from monitorlab.serving import capture, scenarios
from monitorlab.monitoring import groundtruth, modelquality as mq
from monitorlab.account.clock import COURSE_EPOCH
from monitorlab.course import setup
from monitorlab.stats import model_metrics

# One xdist group: the module-scoped course (about 6 s to set up) is then built once.
pytestmark = pytest.mark.xdist_group("modelquality")

FIXTURES = Path(__file__).parent / "fixtures" / "model_quality"
T0 = pd.Timestamp("2026-01-05T00:00:00Z")


def load(name):
    return json.loads((FIXTURES / name).read_text())


def captures_frame(rows):
    """rows: (eventId, inferenceId or None, prediction)."""
    return pd.DataFrame({"prediction": [r[2] for r in rows], "eventId": [r[0] for r in rows],
                         "inferenceId": [r[1] for r in rows], "inferenceTime": T0})


def truth_frame(rows):
    """rows: (eventId, label text, hours after T0 collected)."""
    return pd.DataFrame({"eventId": [r[0] for r in rows], "groundTruth": [r[1] for r in rows],
                         "collectedAt": [T0 + pd.Timedelta(hours=r[2]) for r in rows]})


def random_binary(n, seed=0):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.3).astype(np.int64)
    return y, np.clip(0.3 * y + 0.7 * rng.random(n), 0, 1)


# -- merge ----------------------------------------------------------------------------------

def test_merge_prefers_inference_id_then_falls_back_to_event_id():
    captures = captures_frame([("e1", "i1", 0.9), ("e2", None, 0.2), ("e3", "i3", 0.7),
                               ("e4", "", 0.4)])
    truth = truth_frame([("i1", "1", 30), ("e2", "0", 30), ("e3", "1", 30), ("e4", "0", 30),
                         ("stranger", "1", 30)])
    result = mq.merge(captures, truth)
    # e3's capture carries inferenceId i3, so a label keyed by its eventId does not match
    assert result.frame["eventId"].tolist() == ["e1", "e2", "e4"]
    assert result.frame["groundTruth"].tolist() == [1.0, 0.0, 0.0]
    assert result.unmatched_predictions == 1
    assert result.orphan_labels == 2          # "e3" and "stranger"
    assert result.counts() == {"matched": 3, "unmatched_predictions": 1, "orphan_labels": 2,
                               "duplicate_labels": 0, "invalid_labels": 0, "missing_predictions": 0}


def test_merge_duplicates_latest_collected_wins_and_is_counted():
    captures = captures_frame([("e1", "a", 0.9), ("e2", "b", 0.1), ("e3", "c", 0.5)])
    truth = truth_frame([("a", "0", 40), ("a", "1", 30),      # later collected (40 h) wins: 0
                         ("b", "0", 30), ("b", "1", 30),      # same time: the later row wins: 1
                         ("c", "1", 30)])
    result = mq.merge(captures, truth)
    assert result.frame["groundTruth"].tolist() == [0.0, 1.0, 1.0]
    assert result.duplicates == 2
    assert result.frame["collectedAt"].tolist() == [T0 + pd.Timedelta(hours=h) for h in (40, 30, 30)]


def test_merge_counts_invalid_labels_and_missing_predictions():
    captures = captures_frame([("e1", "a", 0.9), ("e2", "b", np.nan), ("e3", "c", 0.5)])
    truth = truth_frame([("a", "yes", 30), ("b", "1", 30), ("c", "0.5", 30)])
    result = mq.merge(captures, truth)
    assert result.frame["eventId"].tolist() == ["e3"]
    assert result.invalid_labels == 1 and result.missing_predictions == 1
    with pytest.raises(ValueError, match="inferenceId"):
        mq.merge(captures.drop(columns="inferenceId"), truth)
    with pytest.raises(ValueError, match="groundTruth"):
        mq.merge(captures, truth.drop(columns="groundTruth"))


def test_merge_real_sdk_capture_and_actuals_join_on_event_id():
    # SDK tests/data/monitor/{capture,actuals}.jsonl: same eventIds, no inferenceId; their
    # inferenceTime is a "{%s}" template, filled here.
    text = (FIXTURES / "monitor__capture.jsonl").read_text().replace("{%s}", "2026-01-05T00:10:00Z")
    window = capture.parse_capture_files([("capture.jsonl", text)], columns=[f"_c{i}" for i in range(7)])
    assert window.problem_counts() == {} and len(window.frame) == 44
    labels = groundtruth.parse_ground_truth_files(
        [("gt/2026/01/05/01/0000.jsonl", (FIXTURES / "monitor__actuals.jsonl").read_text())])
    result = mq.merge(window, labels)
    assert result.counts()["matched"] == 44 and result.orphan_labels == 0
    statistics = mq.model_quality_statistics(result.frame, "BinaryClassification")
    assert statistics["dataset"] == {"item_count": 44}


# -- metrics ------------------------------------------------------------------------------

def test_binary_metrics_equal_scikit_learn():
    y, p = random_binary(500, seed=1)
    m = model_metrics.binary_metrics(y, p, threshold=0.5)
    predicted = (p > 0.5).astype(int)
    tn, fp, fn, tp = skm.confusion_matrix(y, predicted).ravel()
    assert m["confusion_matrix"] == {"0": {"0": tn, "1": fp}, "1": {"0": fn, "1": tp}}
    expected = {"accuracy": skm.accuracy_score(y, predicted), "precision": skm.precision_score(y, predicted),
                "recall": skm.recall_score(y, predicted), "true_positive_rate": skm.recall_score(y, predicted),
                "true_negative_rate": skm.recall_score(y, predicted, pos_label=0),
                "false_positive_rate": fp / (fp + tn), "false_negative_rate": fn / (fn + tp),
                "auc": skm.roc_auc_score(y, p), "f0_5": skm.fbeta_score(y, predicted, beta=0.5),
                "f1": skm.f1_score(y, predicted), "f2": skm.fbeta_score(y, predicted, beta=2)}
    ones = np.ones_like(y)
    for name, beta in (("f0_5", 0.5), ("f1", 1.0), ("f2", 2.0)):
        expected[f"{name}_best_constant_classifier"] = skm.fbeta_score(y, ones, beta=beta)
    expected.update(recall_best_constant_classifier=1.0,
                    precision_best_constant_classifier=skm.precision_score(y, ones),
                    accuracy_best_constant_classifier=skm.accuracy_score(y, ones))
    for name, value in expected.items():
        assert m[name] == pytest.approx(value, rel=1e-12, abs=1e-15), name
    fpr, tpr, _ = skm.roc_curve(y, p)
    assert m["receiver_operating_characteristic_curve"] == {"false_positive_rates": fpr.tolist(),
                                                            "true_positive_rates": tpr.tolist()}
    precision, recall, _ = skm.precision_recall_curve(y, p, drop_intermediate=True)
    assert m["precision_recall_curve"] == {"precisions": precision[::-1].tolist(),
                                           "recalls": recall[::-1].tolist()}
    assert list(m) == list(model_metrics.BINARY_ORDER)


def test_threshold_is_strictly_greater_and_curves_are_thinned():
    assert model_metrics.binary_labels([0.5, 0.50001, 0.2], 0.5).tolist() == [0, 1, 0]
    y, p = random_binary(5000, seed=2)
    m = model_metrics.binary_metrics(y, p)
    curve = m["receiver_operating_characteristic_curve"]
    assert len(curve["false_positive_rates"]) <= model_metrics.CURVE_POINTS
    assert curve["false_positive_rates"][0] == 0.0 and curve["true_positive_rates"][-1] == 1.0
    assert m["precision_recall_curve"]["recalls"][0] == 0.0


def test_sorted_auc_equals_scikit_learn_with_ties():
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 3000)
    scores = np.round(rng.random(3000) + 0.2 * y, 2)  # many ties
    order = np.argsort(-scores)
    assert model_metrics.sorted_auc(y[order], scores[order]) == pytest.approx(skm.roc_auc_score(y, scores), rel=1e-12)


def test_multiclass_and_regression_equal_scikit_learn():
    rng = np.random.default_rng(4)
    y = rng.integers(0, 4, 800)
    predicted = np.where(rng.random(800) < 0.6, y, rng.integers(0, 5, 800))  # class 4 only predicted
    m = model_metrics.multiclass_metrics(y, predicted)
    assert m["accuracy"] == pytest.approx(skm.accuracy_score(y, predicted))
    for name, beta in (("f0_5", 0.5), ("f1", 1.0), ("f2", 2.0)):
        _, _, f, _ = skm.precision_recall_fscore_support(y, predicted, beta=beta, average="weighted",
                                                         zero_division=0)
        assert m[f"weighted_{name}"] == pytest.approx(f, rel=1e-12)
    p, r, _, _ = skm.precision_recall_fscore_support(y, predicted, average="weighted", zero_division=0)
    assert (m["weighted_precision"], m["weighted_recall"]) == (pytest.approx(p), pytest.approx(r))
    matrix = skm.confusion_matrix(y, predicted, labels=[0, 1, 2, 3, 4])
    assert m["confusion_matrix"]["2"] == {str(j): int(matrix[2, j]) for j in range(5)}
    constant = np.full_like(y, 4)  # best constant classifier: the largest class label
    assert m["weighted_f1_best_constant_classifier"] == skm.f1_score(y, constant, average="weighted",
                                                                     zero_division=0)
    truth, guess = rng.normal(size=300), rng.normal(size=300)
    r = model_metrics.regression_metrics(truth, guess)
    assert r == {"mae": skm.mean_absolute_error(truth, guess), "mse": skm.mean_squared_error(truth, guess),
                 "rmse": np.sqrt(skm.mean_squared_error(truth, guess)), "r2": skm.r2_score(truth, guess)}


def test_metrics_reproduce_the_aws_documentation_examples():
    # DG model-monitor-model-quality-metrics (awsdocs/amazon-sagemaker-developer-guide):
    # binary example, 4 rows with confusion matrix {"0": {"0": 1, "1": 2}, "1": {"0": 0, "1": 1}}
    binary = model_metrics.binary_metrics([1, 0, 0, 0], [0.9, 0.6, 0.7, 0.2])
    assert binary["confusion_matrix"] == {"0": {"0": 1, "1": 2}, "1": {"0": 0, "1": 1}}
    assert {k: binary[k] for k in (
        "recall", "precision", "accuracy", "recall_best_constant_classifier",
        "precision_best_constant_classifier", "accuracy_best_constant_classifier",
        "true_positive_rate", "true_negative_rate", "false_positive_rate", "false_negative_rate",
        "auc", "f0_5", "f1", "f2", "f0_5_best_constant_classifier", "f1_best_constant_classifier",
        "f2_best_constant_classifier")} == {
        "recall": 1.0, "precision": 0.3333333333333333, "accuracy": 0.5,
        "recall_best_constant_classifier": 1.0, "precision_best_constant_classifier": 0.25,
        "accuracy_best_constant_classifier": 0.25, "true_positive_rate": 1.0,
        "true_negative_rate": 0.33333333333333337, "false_positive_rate": 0.6666666666666666,
        "false_negative_rate": 0.0, "auc": 1.0, "f0_5": 0.3846153846153846, "f1": 0.5,
        "f2": 0.7142857142857143, "f0_5_best_constant_classifier": 0.29411764705882354,
        "f1_best_constant_classifier": 0.4, "f2_best_constant_classifier": 0.625}
    # multiclass and regression examples: one data set, confusion matrix [[1180, 510], [268, 138]]
    y = np.repeat([0, 0, 1, 1], [1180, 510, 268, 138])
    predicted = np.repeat([0, 1, 0, 1], [1180, 510, 268, 138])
    multi = model_metrics.multiclass_metrics(y, predicted)
    assert multi == {
        "confusion_matrix": {"0": {"0": 1180, "1": 510}, "1": {"0": 268, "1": 138}},
        "accuracy": 0.6288167938931297, "weighted_recall": 0.6288167938931297,
        "weighted_precision": 0.6983172269629505, "weighted_f0_5": 0.6803947317178771,
        "weighted_f1": 0.6571162346664904, "weighted_f2": 0.6384024354394601,
        "accuracy_best_constant_classifier": 0.19370229007633588,
        "weighted_recall_best_constant_classifier": 0.19370229007633588,
        "weighted_precision_best_constant_classifier": 0.03752057718081697,
        "weighted_f0_5_best_constant_classifier": 0.04473443104152011,
        "weighted_f1_best_constant_classifier": 0.06286421244683643,
        "weighted_f2_best_constant_classifier": 0.10570313141262414}
    regression = model_metrics.regression_metrics(y, predicted)
    assert regression["mae"] == regression["mse"] == 0.3711832061068702
    assert regression["rmse"] == 0.609248066149471
    assert regression["r2"] == pytest.approx(-1.3766111872212665, abs=2e-15)


def test_binary_rejects_labels_other_than_0_and_1():
    frame = pd.DataFrame({"prediction": [0.2, 0.8], "groundTruth": [0.0, 2.0]})
    with pytest.raises(ValueError, match="0 or 1"):
        mq.model_quality_statistics(frame, "BinaryClassification")
    with pytest.raises(ValueError, match="problem_type"):
        mq.model_quality_statistics(frame, "Ranking")


# -- statistics.json and the standard-deviation rule ---------------------------------------------

def test_standard_deviation_only_from_200_rows():
    y, p = random_binary(200, seed=5)
    small = mq.model_quality_statistics(pd.DataFrame({"prediction": p[:199], "groundTruth": y[:199]}),
                                        "BinaryClassification")
    metrics = small["binary_classification_metrics"]
    assert {e["standard_deviation"] for e in metrics.values() if "value" in e} == {"NaN"}
    frame = pd.DataFrame({"prediction": p, "groundTruth": y})
    large = mq.model_quality_statistics(frame, "BinaryClassification", seed=7)
    assert large == mq.model_quality_statistics(frame, "BinaryClassification", seed=7)  # seeded
    f1 = large["binary_classification_metrics"]["f1"]
    masks = model_metrics.subsamples(200, seed=7)
    assert [int(m.sum()) for m in masks] == [160] * 5
    runs = [skm.f1_score(y[m], (p[m] > 0.5).astype(int)) for m in masks]
    assert f1["standard_deviation"] == pytest.approx(np.std(runs, ddof=1), rel=1e-12)
    auc_runs = [skm.roc_auc_score(y[m], p[m]) for m in masks]
    assert large["binary_classification_metrics"]["auc"]["standard_deviation"] == pytest.approx(
        np.std(auc_runs, ddof=1), rel=1e-9)


def test_statistics_have_the_structure_of_the_real_file():
    real = load("pipeline__quality_check_step__model_quality__statistics.json")
    rng = np.random.default_rng(6)
    frame = pd.DataFrame({"prediction": rng.normal(size=100), "groundTruth": rng.normal(size=100)})
    ours = mq.model_quality_statistics(frame, "Regression")
    assert list(ours) == list(real) == ["version", "dataset", "regression_metrics"]
    assert ours["version"] == real["version"] == 0.0 and isinstance(ours["version"], float)
    assert list(ours["dataset"]) == list(real["dataset"]) == ["item_count"]
    assert type(ours["dataset"]["item_count"]) is type(real["dataset"]["item_count"]) is int
    assert list(ours["regression_metrics"]) == list(real["regression_metrics"])
    for name, entry in real["regression_metrics"].items():
        assert list(ours["regression_metrics"][name]) == list(entry) == ["value", "standard_deviation"]
        assert ours["regression_metrics"][name]["standard_deviation"] == entry["standard_deviation"] == "NaN"
    json.dumps(ours, allow_nan=False)  # strict JSON


# -- constraints and violations ----------------------------------------------------------------

def test_suggested_constraints_reproduce_the_real_good_case():
    statistics = load("pipeline__quality_check_step__model_quality__statistics.json")
    good = load("pipeline__quality_check_step__model_quality__good_cases__constraints.json")
    assert mq.suggest_constraints(statistics, "Regression") == good
    assert list(mq.suggest_constraints(statistics)) == list(good)
    with pytest.raises(ValueError, match="regression_metrics"):
        mq.suggest_constraints(statistics, "BinaryClassification")


def test_real_bad_case_constraints_give_one_violation_on_mse():
    statistics = load("pipeline__quality_check_step__model_quality__statistics.json")
    good = load("pipeline__quality_check_step__model_quality__good_cases__constraints.json")
    bad = load("pipeline__quality_check_step__model_quality__bad_cases__constraints.json")
    assert mq.evaluate(statistics, good) == {"violations": []}
    assert mq.evaluate(statistics, bad) == {"violations": [{
        "constraint_check_type": "GreaterThanThreshold", "metric_name": "mse",
        "description": "Metric mse with 0.33364933609800973 was GreaterThanThreshold 0.03364933609800973"}]}


def test_binary_constraints_operators_and_evaluation():
    y, p = random_binary(300, seed=8)
    statistics = mq.model_quality_statistics(pd.DataFrame({"prediction": p, "groundTruth": y}),
                                             "BinaryClassification")
    constraints = mq.suggest_constraints(statistics)
    rules = constraints["binary_classification_constraints"]
    assert list(rules) == list(mq.CONSTRAINED_METRICS["BinaryClassification"])
    assert rules["false_positive_rate"]["comparison_operator"] == "GreaterThanThreshold"
    assert rules["f2"] == {"threshold": statistics["binary_classification_metrics"]["f2"]["value"],
                           "comparison_operator": "LessThanThreshold"}
    assert mq.evaluate(statistics, constraints) == {"violations": []}   # threshold = value
    stricter = copy.deepcopy(constraints)
    stricter["binary_classification_constraints"]["f2"]["threshold"] = 0.99
    (violation,) = mq.evaluate(statistics, stricter)["violations"]
    f2 = statistics["binary_classification_metrics"]["f2"]["value"]
    assert violation == {"constraint_check_type": "LessThanThreshold", "metric_name": "f2",
                         "description": f"Metric f2 with {f2} was LessThanThreshold 0.99"}
    stricter["binary_classification_constraints"]["f_2"] = {"threshold": 1,
                                                             "comparison_operator": "LessThanThreshold"}
    with pytest.raises(ValueError, match="f_2"):
        mq.evaluate(statistics, stricter)
    regression = load("pipeline__quality_check_step__model_quality__good_cases__constraints.json")
    with pytest.raises(ValueError, match="Regression"):
        mq.evaluate(statistics, regression)


# -- CloudWatch and offsets ---------------------------------------------------------------------

def test_cloudwatch_metric_data_scalars_only():
    y, p = random_binary(300, seed=9)
    statistics = mq.model_quality_statistics(pd.DataFrame({"prediction": p, "groundTruth": y}),
                                             "BinaryClassification")
    data = mq.cloudwatch_metric_data(statistics, "ep", "sched", COURSE_EPOCH)
    names = [d["MetricName"] for d in data]
    assert "f2" in names and "auc" in names and "confusion_matrix" not in names
    assert "receiver_operating_characteristic_curve" not in names and len(names) == 17
    assert data[0]["Dimensions"] == [{"Name": "Endpoint", "Value": "ep"},
                                     {"Name": "MonitoringSchedule", "Value": "sched"}]
    assert data[0]["Timestamp"] == COURSE_EPOCH and mq.NAMESPACE == "aws/sagemaker/Endpoints/model-metrics"


@pytest.mark.parametrize("text, expected", [
    ("-P1D", timedelta(days=-1)), ("-PT1H", timedelta(hours=-1)), ("-P1DT6H", timedelta(hours=-30)),
    ("-P8D", timedelta(days=-8)), ("-PT30M", timedelta(minutes=-30)), ("-PT0H", timedelta(0)),
    ("P1W", timedelta(weeks=1))])
def test_parse_offset(text, expected):
    assert mq.parse_offset(text) == expected


@pytest.mark.parametrize("text", ["-P1M", "-P", "-PT", "1D", "-P1H", "-PT1D", "", "-P1DT1H1M1S00000"])
def test_parse_offset_rejects(text):
    with pytest.raises(ValueError, match="duration"):
        mq.parse_offset(text)


def test_job_window_follows_the_documented_example():
    # DG model-monitor-model-quality-schedule: -P8D/-P1D at 2020-01-09T13:00 analyses
    # 2020-01-01T13:00 to 2020-01-08T13:00
    job = mq.ModelQualityJob("ep", "s", "s3://b/c", "s3://b/g", "s3://b/o",
                             start_offset="-P8D", end_offset="-P1D")
    start, end = job.window("2020-01-09T13:00:00Z")
    assert (start.isoformat(), end.isoformat()) == ("2020-01-01T13:00:00+00:00", "2020-01-08T13:00:00+00:00")
    with pytest.raises(ValueError, match="start_offset < end_offset"):
        mq.ModelQualityJob("ep", "s", "s3://b/c", "s3://b/g", "s3://b/o", start_offset="-PT1H",
                           end_offset="-P1D")
    with pytest.raises(ValueError, match="S3 URI"):
        mq.ModelQualityJob("ep", "s", "b/c", "s3://b/g", "s3://b/o")


# -- executions on a course scenario --------------------------------------------------------------

@pytest.fixture(scope="module")
def drift():
    """48 h of concept-drift traffic (labels change from hour 24), all captured, labels simulated."""
    course = setup(sampling_percentage=100)
    traffic = scenarios.generate_traffic("concept_drift", hours=48, requests_per_hour=50, change_hour=24)
    course.endpoint.replay(traffic)
    labels = groundtruth.simulate_labels(traffic, seed=0)
    yield course, traffic, labels
    course.sandbox.stop()


def baseline_constraints(course, labels):
    """Baseline on day 1 with every label, then loosened (AWS advises reviewing suggestions):
    only f1, 0.1 below its baseline value."""
    window = course.read_window(T0, T0 + pd.Timedelta(days=1))
    merged = mq.merge(window, labels.assign(groundTruth=labels["label"].astype(str)))
    statistics = mq.model_quality_statistics(merged.frame, "BinaryClassification")
    f1 = mq.suggest_constraints(statistics)["binary_classification_constraints"]["f1"]
    return {"version": 0.0, "binary_classification_constraints": {
        "f1": {"threshold": round(f1["threshold"] - 0.1, 2), "comparison_operator": "LessThanThreshold"}}}


def drift_job(course, constraints, ground_truth="ground-truth"):
    bucket = course.account.bucket
    return mq.ModelQualityJob(course.endpoint.endpoint_name, "adult-income-model-quality",
                              course.capture_uri, f"s3://{bucket}/{ground_truth}",
                              f"s3://{bucket}/model-quality", start_offset="-P2D",
                              end_offset="-PT0H", constraints=constraints)


def test_drift_is_flagged_once_labels_arrive_and_not_before(drift):
    course, traffic, labels = drift
    s3, cloudwatch = course.client("s3"), course.client("cloudwatch")
    constraints = baseline_constraints(course, labels)
    assert constraints["binary_classification_constraints"]["f1"]["threshold"] == 0.54
    execute = drift_job(course, constraints).executor(s3, cloudwatch)
    change = traffic.truth.change_time
    records = {}
    for hours in (48, 72):
        moment = T0 + pd.Timedelta(hours=hours)
        groundtruth.upload_ground_truth(s3, f"s3://{course.account.bucket}/ground-truth", labels, up_to=moment)
        records[hours] = execute(moment)
    # At 48 h the whole drifted day is in the window but only ~7 % of its labels have arrived.
    assert groundtruth.labelled_fraction(labels, change, change + timedelta(days=1),
                                         T0 + pd.Timedelta(hours=48)) < 0.1
    early = records[48]
    assert early["MonitoringExecutionStatus"] == "Completed"
    assert early["ExitMessage"] == "Completed: Job completed successfully with no violations."
    assert early["Metrics"]["f1"] > 0.54
    # ... yet with every label the same window is already below the threshold: only the labels lag
    window = course.read_window(T0, T0 + pd.Timedelta(hours=48))
    oracle = mq.merge(window, labels.assign(groundTruth=labels["label"].astype(str)))
    f1_all = mq.model_quality_statistics(oracle.frame, "BinaryClassification")
    assert f1_all["binary_classification_metrics"]["f1"]["value"] < 0.54
    late = records[72]
    assert late["MonitoringExecutionStatus"] == "CompletedWithViolations"
    assert late["ExitMessage"] == "CompletedWithViolations: Job completed successfully with 1 violations."
    assert late["ViolatedMetrics"] == ["f1"] and late["Violations"] == 1
    assert late["Metrics"]["f1"] < 0.45
    counts = late["Counts"]
    assert counts["captured_rows"] == 1200
    assert counts["matched"] + counts["unmatched_predictions"] == 1200
    assert counts["capture_problems"] == {} and counts["ground_truth_problems"] == {}
    # reports in the real key layout, metrics in CloudWatch at the scheduled time
    bucket = course.account.bucket
    prefix = f"s3://{bucket}/model-quality/adult-income/adult-income-model-quality/2026/01/08/00/"
    assert late["Reports"] == {"statistics.json": prefix + "statistics.json",
                               "constraints.json": prefix + "constraints.json",
                               "constraint_violations.json": prefix + "constraint_violations.json",
                               "merged.jsonl": f"s3://{course.account.bucket}/model-quality/merge/adult-income/"
                                         "adult-income-model-quality/2026/01/08/00/merged.jsonl"}
    key = prefix.split("/", 3)[3]
    stored = s3.get_object(Bucket=bucket, Key=key + "constraint_violations.json")["Body"].read()
    assert [v["metric_name"] for v in json.loads(stored)["violations"]] == late["ViolatedMetrics"]
    merged_key = late["Reports"]["merged.jsonl"].split("/", 3)[3]
    merged_lines = s3.get_object(Bucket=bucket, Key=merged_key)["Body"].read()
    assert len(merged_lines.decode().splitlines()) == counts["matched"]
    points = cloudwatch.get_metric_statistics(
        Namespace=mq.NAMESPACE, MetricName="f1", StartTime=T0, EndTime=T0 + pd.Timedelta(days=5),
        Period=3600, Statistics=["Average"],
        Dimensions=[{"Name": "Endpoint", "Value": "adult-income"},
                    {"Name": "MonitoringSchedule", "Value": "adult-income-model-quality"}])["Datapoints"]
    by_time = {p["Timestamp"]: p["Average"] for p in points}
    assert by_time == pytest.approx({T0 + pd.Timedelta(hours=48): early["Metrics"]["f1"],
                                     T0 + pd.Timedelta(hours=72): late["Metrics"]["f1"]})


def test_executions_fail_without_traffic_or_labels(drift):
    course, _, labels = drift
    s3, cloudwatch = course.client("s3"), course.client("cloudwatch")
    no_labels = mq.run_model_quality_execution(s3, cloudwatch, drift_job(course, None, "empty-gt"),
                                               T0 + pd.Timedelta(hours=30))
    assert no_labels["MonitoringExecutionStatus"] == "Failed"
    assert no_labels["FailureReason"].startswith("No ground truth matched the 1500 captured predictions")
    assert no_labels["Reports"] == {} and "ExitMessage" not in no_labels
    no_traffic = mq.run_model_quality_execution(s3, cloudwatch, drift_job(course, None),
                                                T0 + pd.Timedelta(days=6))
    assert no_traffic["MonitoringExecutionStatus"] == "Failed"
    assert no_traffic["FailureReason"].startswith("No captured predictions for endpoint adult-income")
    assert (no_traffic["WindowStart"], no_traffic["WindowEnd"]) == (T0 + pd.Timedelta(days=4), T0 + pd.Timedelta(days=6))
    # without constraints: statistics only, no violations file, status Completed
    uri = f"s3://{course.account.bucket}/ground-truth-all"
    groundtruth.upload_ground_truth(s3, uri, labels, up_to=T0 + pd.Timedelta(days=5))
    job = mq.ModelQualityJob("adult-income", "no-baseline", course.capture_uri, uri,
                             f"s3://{course.account.bucket}/mq2", start_offset="-P1D",
                             end_offset="-PT0H", publish_cloudwatch_metrics=False)
    record = mq.run_model_quality_execution(s3, cloudwatch, job, T0 + pd.Timedelta(days=5))
    assert record["MonitoringExecutionStatus"] == "Failed"   # window [day 4, day 5) has no traffic
    record = mq.run_model_quality_execution(s3, cloudwatch, job, T0 + pd.Timedelta(hours=24))
    assert record["MonitoringExecutionStatus"] == "Completed"
    assert set(record["Reports"]) == {"statistics.json", "merged.jsonl"}
    assert record["Counts"]["matched"] > 0 and record["Violations"] == 0
