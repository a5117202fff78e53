"""Bias drift monitoring: baselines, baseline edits, executions on a seeded scenario, files, metrics."""

import json
import math

import numpy as np
import pandas as pd
import pytest

from monitorlab.monitoring import biasdrift as bd
from monitorlab.monitoring import clarify_files, groundtruth
from monitorlab.serving import data, scenarios
from monitorlab.account.clock import COURSE_EPOCH, as_utc
from monitorlab.course import setup
from monitorlab.serving.model import course_model, predict_proba
from monitorlab.monitoring.monitor import ScheduleRunner

T0 = as_utc(COURSE_EPOCH)
CONFIG = {"label": "label", "label_values_or_threshold": [1],
          "facet": [{"name_or_index": "sex", "value_or_threshold": ["Female"]}]}

# SAGEMAKER.md section 5.3: smclarify 0.5 on 12 rows (facet sex = F, label 1).
ORACLE = pd.DataFrame({
    "x1": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5],
    "x2": [0, 1, 0, 1, 0, 1, 1, 0, 1, 0, 1, 0],
    "sex": list("MMMMMMMFFFFF"),
    "label": [1, 1, 1, 0, 1, 0, 1, 0, 1, 0, 0, 1]})
ORACLE_PRED = [1, 1, 0, 0, 1, 1, 1, 0, 1, 0, 1, 0]


def values(analysis, stage="post_training_bias_metrics"):
    entry = analysis[stage]["facets"]["sex"][0]
    return {m["name"]: m["value"] for m in entry["metrics"]}


# -- baselines and their edits --------------------------------------------------------------------

def test_suggest_baseline_reproduces_smclarify_on_the_oracle():
    config = {**CONFIG, "facet": [{"name_or_index": "sex", "value_or_threshold": ["F"]}]}
    from_labels = bd.suggest_baseline(ORACLE, ORACLE_PRED, config)
    post = values(from_labels)
    assert post["DPPL"] == pytest.approx(0.3142857142857143)
    assert post["DI"] == pytest.approx(0.56)
    assert post["RD"] == pytest.approx(0.30000000000000004)
    assert post["AD"] == pytest.approx(0.11428571428571432)
    assert post["FT"] == pytest.approx(-0.2)   # x1, x2 numeric: FT has a value, smclarify's sign
    assert values(from_labels, "pre_training_bias_metrics")["DPL"] == pytest.approx(0.3142857142857143)
    # probabilities are cut at "greater than" the threshold: 0.5 itself is negative
    probabilities = np.where(np.array(ORACLE_PRED) == 1, 0.9, 0.5)
    assert values(bd.suggest_baseline(ORACLE, probabilities, config)) == post
    with pytest.raises(ValueError, match="no positive prediction"):
        bd.suggest_baseline(ORACLE, probabilities, config, probability_threshold=0.95)
    with pytest.raises(ValueError, match="one prediction per row"):
        bd.suggest_baseline(ORACLE, ORACLE_PRED[:5], config)


def test_predicted_labels_are_strictly_greater_than_the_threshold():
    assert bd.predicted_labels([0.2, 0.5, 0.5000001, 0.9], 0.5).tolist() == [0, 0, 1, 1]
    assert bd.predicted_labels([0.2, 0.5, 0.9], 0.3).tolist() == [0, 1, 1]


def test_with_tolerance_moves_values_away_from_the_fair_value():
    baseline = bd.suggest_baseline(ORACLE, ORACLE_PRED, {
        **CONFIG, "facet": [{"name_or_index": "sex", "value_or_threshold": ["F"]}]})
    wide = values(bd.with_tolerance(baseline, {"DI": 0.1, "DPPL": 0.05, "FT": 0.1}))
    post = values(baseline)
    assert wide["DI"] == pytest.approx(0.46)          # fair value 1: 0.56 -> 0.46
    assert wide["DPPL"] == pytest.approx(0.3642857142857143)
    assert wide["FT"] == pytest.approx(-0.3)          # negative values move further down
    assert wide["RD"] == post["RD"]                   # not named: unchanged
    assert values(baseline) == post                   # the input is not modified
    current = bd.with_tolerance(baseline, 0.04)       # every metric 0.04 worse than the baseline
    assert len(clarify_files.bias_drift_violations(baseline, current)["violations"]) > 10
    assert clarify_files.bias_drift_violations(bd.with_tolerance(baseline, 0.05), current)["violations"] == []
    kept = bd.select_metrics(baseline, ["DI", "RD"])
    assert [m["name"] for m in kept["post_training_bias_metrics"]["facets"]["sex"][0]["metrics"]] == ["DI", "RD"]
    assert kept["pre_training_bias_metrics"]["facets"]["sex"][0]["metrics"] == []
    assert [v["metric_name"] for v in clarify_files.bias_drift_violations(kept, current)["violations"]] \
        == ["DI", "RD"]
    with pytest.raises(ValueError, match="tolerance"):
        bd.with_tolerance(baseline, -1)
    with pytest.raises(ValueError, match="analysis.json"):
        bd.select_metrics({"violations": []}, ["DI"])


def test_job_refuses_configurations_it_could_not_run():
    uris = ("adult-income", "bias", "s3://b/c", "s3://b/g", "s3://b/o")
    with pytest.raises(ValueError, match="not a captured feature"):
        bd.BiasDriftJob(*uris, {**CONFIG, "facet": [{"name_or_index": "gender", "value_or_threshold": ["F"]}]})
    with pytest.raises(ValueError, match="ProbabilityThresholdAttribute"):
        bd.BiasDriftJob(*uris, {**CONFIG, "probability_threshold": 0.7}, probability_threshold=0.5)
    with pytest.raises(ValueError, match="clashes"):
        bd.BiasDriftJob(*uris, {**CONFIG, "label": "age"})
    with pytest.raises(ValueError, match="start_offset < end_offset"):
        bd.BiasDriftJob(*uris, CONFIG, start_offset="-P1D", end_offset="-P2D")
    with pytest.raises(ValueError, match="between 0 and 1"):
        bd.BiasDriftJob(*uris, CONFIG, probability_threshold=50)
    with pytest.raises(ValueError, match="did you mean 'facet'"):
        bd.BiasDriftJob(*uris, {**CONFIG, "facets": []})
    job = bd.BiasDriftJob(*uris, {**CONFIG, "probability_threshold": 0.7}, probability_threshold=0.7,
                          start_offset="-P3D", end_offset="-P2D")
    assert job.window("2026-01-09T00:00:00Z") == (as_utc("2026-01-06T00:00:00Z"), as_utc("2026-01-07T00:00:00Z"))


# -- executions on the bias_drift scenario --------------------------------------------------------

@pytest.fixture(scope="module")
def drift():
    """Four days of bias_drift traffic (women's education and capital_gain corrupted from hour
    48), all captured, late labels simulated and uploaded, a daily runner created at T0."""
    course = setup(sampling_percentage=100)
    runner = ScheduleRunner(course.clock)
    traffic = scenarios.generate_traffic("bias_drift", hours=96, requests_per_hour=40, change_hour=48)
    course.endpoint.replay(traffic)
    labels = groundtruth.simulate_labels(traffic, seed=0)
    s3 = course.client("s3")
    groundtruth.upload_ground_truth(s3, f"s3://{course.account.bucket}/ground-truth", labels,
                                    up_to=T0 + pd.Timedelta(days=8))
    train = data.load_adult("train")
    baseline = bd.suggest_baseline(train[data.FEATURES + ["label"]],
                                   predict_proba(course_model(), train), CONFIG)
    yield course, runner, traffic, baseline
    course.sandbox.stop()


def drift_job(course, baseline, ground_truth="ground-truth", **kwargs):
    bucket = course.account.bucket
    return bd.BiasDriftJob(course.endpoint.endpoint_name, "adult-income-bias", course.capture_uri,
                           f"s3://{bucket}/{ground_truth}", f"s3://{bucket}/bias-drift", CONFIG,
                           baseline=baseline, start_offset="-P3D", end_offset="-P2D", **kwargs)


def test_the_monitor_flags_the_drift_from_the_change_and_not_before(drift):
    course, runner, traffic, baseline = drift
    s3, cloudwatch = course.client("s3"), course.client("cloudwatch")
    watched = bd.with_tolerance(bd.select_metrics(baseline, ["DI", "RD"]), {"DI": 0.08, "RD": 0.2})
    job = drift_job(course, watched)
    runner.add(job.schedule(s3, cloudwatch, "cron(0 0 ? * * *)"))
    records = runner.run(until=T0 + pd.Timedelta(days=6))
    assert [r["ScheduledTime"] for r in records] == [T0 + pd.Timedelta(days=d) for d in range(1, 7)]
    status = [r["MonitoringExecutionStatus"] for r in records]
    # days 1-2: the window [t-3D, t-2D) lies before the traffic; days 3-4: the two days before the
    # change (hour 48); days 5-6: the two days after it
    assert status == ["Failed", "Failed", "Completed", "Completed",
                      "CompletedWithViolations", "CompletedWithViolations"]
    assert records[0]["FailureReason"].startswith("No captured predictions for endpoint adult-income")
    assert traffic.truth.change_time == records[4]["WindowStart"]
    for record in records[4:]:
        assert record["ViolatedMetrics"] == ["sex/Female/DI", "sex/Female/RD"]
        assert record["ExitMessage"] == "CompletedWithViolations: Job completed successfully with 2 violations."
        assert record["Metrics"]["sex/Female/DI"] < 0.2 < min(r["Metrics"]["sex/Female/DI"] for r in records[2:4])
    pre = [r["Metrics"]["sex/Female/DPPL"] for r in records[2:4]]
    post = [r["Metrics"]["sex/Female/DPPL"] for r in records[4:]]
    # DPPL grows too, but women's positive rate was ~7 %, so the absolute gap can grow by that much
    # at most: day-to-day noise is as large, and DPPL alone would not separate the days
    assert np.mean(post) > np.mean(pre) and min(post) < max(pre)
    counts = records[4]["Counts"]
    assert counts["captured_rows"] == 960
    assert 0.6 < counts["matched"] / 960 < 0.8          # labels 2-3 days old: most, not all, arrived
    # the files, in the real layout and format
    bucket = course.account.bucket
    folder = f"s3://{bucket}/bias-drift/adult-income/adult-income-bias/2026/01/10/00/"
    assert records[4]["Reports"] == {
        "analysis.json": folder + "analysis.json",
        "constraint_violations.json": folder + "constraint_violations.json",
        "merged.jsonl": f"s3://{bucket}/bias-drift/merge/adult-income/adult-income-bias/2026/01/10/00/merged.jsonl"}
    read = lambda uri: s3.get_object(Bucket=bucket, Key=uri.split("/", 3)[3])["Body"].read().decode()
    violations = json.loads(read(records[4]["Reports"]["constraint_violations.json"]))
    assert violations["version"] == "1.0"
    assert [(v["facet"], v["facet_value"], v["metric_name"], v["constraint_check_type"]) for v in violations["violations"]] \
        == [("sex", "Female", "DI", "bias_drift_check"), ("sex", "Female", "RD", "bias_drift_check")]
    assert violations["violations"][0]["description"] == \
        f"Value {records[4]['Metrics']['sex/Female/DI']!r} does not meet the constraint requirement"
    analysis = json.loads(read(records[4]["Reports"]["analysis.json"]))
    assert analysis["post_training_bias_metrics"]["label"] == "label"
    assert values(analysis)["FT"] is None     # Adult's text features: smclarify's error, as the container
    assert len(read(records[4]["Reports"]["merged.jsonl"]).splitlines()) == counts["matched"]
    # the metrics, in CloudWatch at the scheduled times
    points = cloudwatch.get_metric_statistics(
        Namespace="aws/sagemaker/Endpoints/bias-metrics", MetricName="bias_metric_DI",
        StartTime=T0, EndTime=T0 + pd.Timedelta(days=7), Period=86400, Statistics=["Average"],
        Dimensions=[{"Name": "Endpoint", "Value": "adult-income"},
                    {"Name": "MonitoringSchedule", "Value": "adult-income-bias"},
                    {"Name": "BiasStage", "Value": "Post-Training"},
                    {"Name": "Label", "Value": "label"}, {"Name": "LabelValue", "Value": "1"},
                    {"Name": "Facet", "Value": "sex"}, {"Name": "FacetValue", "Value": "Female"}])["Datapoints"]
    by_time = {p["Timestamp"]: p["Average"] for p in points}
    assert by_time == pytest.approx({r["ScheduledTime"]: r["Metrics"]["sex/Female/DI"] for r in records[2:]})
    # 8 pre- + 13 post-training metrics, less the errored CDDL, CDDPL (no group) and FT (text features)
    assert records[2]["MetricsPublished"] == 18
    history = bd.metric_history(records, "sex/Female/DI")
    assert history["violated"].tolist() == [False] * 4 + [True] * 2
    assert history["value"].isna().tolist() == [True, True, False, False, False, False]

    # Without labels, without a baseline, with the raw baseline, with a threshold nobody passes
    # (one module fixture: the scenario is replayed once per test process)
    after_change = T0 + pd.Timedelta(days=5)
    no_labels = bd.run_bias_drift_execution(s3, cloudwatch, drift_job(course, baseline, "no-labels-yet"), after_change)
    assert no_labels["MonitoringExecutionStatus"] == "Failed"
    assert no_labels["FailureReason"].startswith("No ground truth matched the 960 captured predictions: 0 labels")
    assert no_labels["Reports"] == {} and no_labels["MetricsPublished"] == 0
    # no baseline: analysis.json and metrics, no violations file, never a violation
    record = bd.run_bias_drift_execution(s3, cloudwatch, drift_job(course, None, publish_cloudwatch_metrics=False),
                                         after_change)
    assert record["MonitoringExecutionStatus"] == "Completed" and record["Violations"] == 0
    assert set(record["Reports"]) == {"analysis.json", "merged.jsonl"}
    # the raw baseline (no tolerance): the AWS rule flags sampling noise before the change too
    raw = bd.run_bias_drift_execution(s3, cloudwatch, drift_job(course, baseline, publish_cloudwatch_metrics=False),
                                      T0 + pd.Timedelta(days=3))
    assert raw["MonitoringExecutionStatus"] == "CompletedWithViolations"
    # a threshold that leaves no positive prediction fails the execution with the reason
    strict = bd.run_bias_drift_execution(s3, cloudwatch, drift_job(course, None, probability_threshold=1.0),
                                         after_change)
    assert strict["MonitoringExecutionStatus"] == "Failed"
    assert "no positive prediction" in strict["FailureReason"]


def test_job_definition_request_is_stored_by_moto():
    from monitorlab.account.sandbox import Sandbox

    with Sandbox() as sb:
        account = sb.bootstrap()
        sm = sb.client("sagemaker")
        job = bd.BiasDriftJob("adult-income", "adult-income-bias", f"s3://{account.bucket}/datacapture",
                              f"s3://{account.bucket}/ground-truth", f"s3://{account.bucket}/bias-drift", CONFIG,
                              start_offset="-P3D", end_offset="-P2D")
        request = bd.job_definition_request(
            job, job_definition_name="adult-income-bias", role_arn=account.role_arn,
            config_uri=f"s3://{account.bucket}/bias/analysis_config.json",
            constraints_uri=f"s3://{account.bucket}/bias/baseline/analysis.json",
            kms_key_id=account.kms_key_arn)
        sm.create_model_bias_job_definition(**request)
        stored = sm.describe_model_bias_job_definition(JobDefinitionName="adult-income-bias")
        with pytest.raises(NotImplementedError):   # moto: no schedules; the engine's runner runs them
            sm.create_monitoring_schedule(MonitoringScheduleName="s", MonitoringScheduleConfig={
                "ScheduleConfig": {"ScheduleExpression": "cron(0 0 ? * * *)"},
                "MonitoringJobDefinitionName": "adult-income-bias", "MonitoringType": "ModelBias"})
    endpoint_input = stored["ModelBiasJobInput"]["EndpointInput"]
    assert endpoint_input["ProbabilityThresholdAttribute"] == 0.5
    assert (endpoint_input["StartTimeOffset"], endpoint_input["EndTimeOffset"]) == ("-P3D", "-P2D")
    assert stored["ModelBiasBaselineConfig"]["ConstraintsResource"]["S3Uri"].endswith("analysis.json")
    assert stored["ModelBiasJobOutputConfig"]["KmsKeyId"] == account.kms_key_arn


def test_metrics_table_and_keys():
    analysis = bd.suggest_baseline(ORACLE, ORACLE_PRED,
                                   {**CONFIG, "facet": [{"name_or_index": "x1", "value_or_threshold": [3]}]})
    table = bd.metrics_table(analysis)
    # the threshold's lower bound as the analysis writes it: a float column gives "3.0" (hence
    # bias_frame makes whole-number captured columns integer again, as in the training data)
    assert set(table["facet_value"]) == {"3.0"}
    assert set(table["stage"]) == {"pre_training", "post_training"}
    keys = bd.metric_values(analysis)
    assert "x1/3.0/DPPL" in keys and all(not math.isnan(v) for v in keys.values())
