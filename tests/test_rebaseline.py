"""Module 08's re-baseline run: the data-quality, bias and SHAP baselines of the NEW model, written
where SageMaker writes them, read back by the three monitors, and the next window clean.

One sandbox and one retrained candidate (concept drift, 30 h of labelled traffic) for the module.
"""

import json

import pandas as pd
import pytest

from monitorlab.maintenance import pipeline as pl
from monitorlab.maintenance import rebaseline as rb
from monitorlab.maintenance import rollout
from monitorlab.monitoring import attribution as at
from monitorlab.monitoring import biasdrift
from monitorlab.monitoring.groundtruth import ArrivalModel, simulate_labels, upload_ground_truth
from monitorlab.monitoring.monitor import DataQualityJob, read_report, run_data_quality_execution
from monitorlab.serving import data
from monitorlab.serving.scenarios import generate_traffic

from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
CONFIG = {"label": "label", "label_values_or_threshold": [1],
          "facet": [{"name_or_index": "sex", "value_or_threshold": ["Female"]}]}
WATCHED = {"bias_metrics": ("DI", "RD"), "bias_tolerance": {"DI": 0.08, "RD": 0.2}}
POST_TRAINING = {"DPPL", "DI", "RD", "DAR", "DRR", "AD", "DCA", "DCR", "SD", "TE", "GE"}


@pytest.fixture(scope="module")
def world():
    from monitorlab.account.sandbox import Sandbox
    from monitorlab.course import setup

    sandbox = Sandbox().start()
    course = setup(sandbox=sandbox)
    rows = generate_traffic("concept_drift", hours=30, requests_per_hour=100, change_hour=0, seed=3).requests
    candidate = pl.train_candidate(rows, seed=0)
    s3, bucket = course.client("s3"), course.account.bucket
    runs = {}
    for version, model in (("v1", course.endpoint.model), ("v2", candidate)):
        job = rb.RebaselineJob(output_uri=f"s3://{bucket}/baselines/{version}", analysis_config=CONFIG,
                               group=course.account.model_package_group, **WATCHED)
        runs[version] = rb.run_rebaseline(job, model, rows, s3=s3, clock=course.clock)
    yield {"course": course, "rows": rows, "candidate": candidate, "runs": runs, "s3": s3, "bucket": bucket}
    sandbox.stop()


def load(s3, uri):
    return read_report(s3, uri)


def metadata(run, step):
    record = next(s for s in run.steps if s["StepName"] == step)
    return next(iter(record["Metadata"].values()))


def test_each_step_records_its_outputs_where_sagemaker_writes_them(world):
    run, s3, bucket = world["runs"]["v2"], world["s3"], world["bucket"]
    assert run.status == "Succeeded"
    assert [s["StepName"] for s in run.steps] == list(rb.STEPS)
    assert [s["EndTime"] > s["StartTime"] for s in run.steps] == [True] * 3
    base = f"s3://{bucket}/baselines/v2"
    dq, bias, shap = (metadata(run, name) for name in rb.STEPS)
    assert dq["CheckType"] == "DATA_QUALITY" and bias["CheckType"] == "MODEL_BIAS"
    assert shap["CheckType"] == "MODEL_EXPLAINABILITY"
    assert dq["CalculatedBaselineStatistics"] == f"{base}/data-quality/statistics.json"
    assert dq["CalculatedBaselineConstraints"] == f"{base}/data-quality/constraints.json"
    assert bias["CalculatedBaselineConstraints"] == f"{base}/model-bias/analysis.json"
    assert bias["BaselineUsedForDriftCheckConstraints"] == f"{base}/model-bias/drift-check/analysis.json"
    assert shap["CalculatedBaselineConstraints"] == shap["BaselineUsedForDriftCheckConstraints"] \
        == f"{base}/model-explainability/analysis.json"
    assert all(m["SkipCheck"] and m["RegisterNewBaseline"] for m in (dq, bias, shap))
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="baselines/v2/")["Contents"]}
    assert keys == {f"baselines/v2/{k}" for k in (
        "data-quality/statistics.json", "data-quality/constraints.json",
        "model-bias/analysis_config.json", "model-bias/analysis.json", "model-bias/drift-check/analysis.json",
        "model-explainability/analysis_config.json", "model-explainability/analysis.json")}
    table = run.step_table()
    assert table["Outputs"].tolist() == ["data-quality/statistics.json, data-quality/constraints.json",
                                         "model-bias/analysis.json", "model-explainability/analysis.json"]


def test_files_have_the_layout_sagemaker_writes(world):
    s3, base = world["s3"], f"s3://{world['bucket']}/baselines/v2"
    real_stats = json.loads((FIXTURES / "sagemaker/monitor__statistics.json").read_text())
    stats = load(s3, f"{base}/data-quality/statistics.json")
    assert list(stats) == list(real_stats) and stats["features"][0]["name"] == "prediction"
    real = json.loads((FIXTURES / "clarify/data_bias_good_cases_analysis.json").read_text())
    bias = load(s3, f"{base}/model-bias/analysis.json")
    assert set(bias) == set(real) | {"post_training_bias_metrics"}
    for stage in biasdrift.STAGES:
        assert list(bias[stage]) == list(real["pre_training_bias_metrics"])
        entry = bias[stage]["facets"]["sex"][0]
        assert list(entry) == ["value_or_threshold", "metrics"] and entry["value_or_threshold"] == "Female"
        assert all({"name", "description", "value"} <= set(m) for m in entry["metrics"])
    shap = load(s3, f"{base}/model-explainability/analysis.json")
    values = shap["explanations"]["kernel_shap"]["label0"]
    assert shap["version"] == "1.0" and set(values["global_shap_values"]) == set(data.FEATURES)
    shap_config = load(s3, f"{base}/model-explainability/analysis_config.json")
    assert shap_config["methods"]["shap"]["use_logit"] is True
    assert len(shap_config["methods"]["shap"]["baseline"][0]) == len(shap_config["headers"]) == len(data.FEATURES)
    bias_config = load(s3, f"{base}/model-bias/analysis_config.json")
    assert bias_config["predictor"]["model_name"] == "adult-income-v2"
    assert bias_config["probability_threshold"] == 0.5 and bias_config["facet"] == CONFIG["facet"]
    watched = load(s3, f"{base}/model-bias/drift-check/analysis.json")
    names = {m["name"] for stage in biasdrift.STAGES for m in watched[stage]["facets"]["sex"][0]["metrics"]}
    assert names == {"DI", "RD"}


def test_the_new_baselines_come_from_the_new_model(world):
    old, new = world["runs"]["v1"].outputs, world["runs"]["v2"].outputs
    # data quality: the prediction column changes, the inputs (same rows) do not
    columns = {v: {f["name"]: f for f in run["statistics"]["features"]} for v, run in (("old", old), ("new", new))}
    assert columns["old"]["prediction"]["numerical_statistics"]["mean"] != \
        pytest.approx(columns["new"]["prediction"]["numerical_statistics"]["mean"], abs=0.01)
    assert columns["old"]["age"] == columns["new"]["age"]
    # bias: pre-training metrics read labels and facets only, post-training ones the predictions
    before, after = biasdrift.metric_values(old["bias_baseline"]), biasdrift.metric_values(new["bias_baseline"])
    for key in before:
        if key.split("/")[-1] in POST_TRAINING:
            assert after[key] != pytest.approx(before[key], abs=1e-6), key
        else:
            assert after[key] == before[key], key
    # the bias baseline is exactly what the bias monitor's own baselining function gives for v2
    rows = world["rows"]
    from monitorlab.serving.model import predict_proba
    assert new["bias_baseline"] == biasdrift.suggest_baseline(
        rows[data.FEATURES + ["label"]], predict_proba(world["candidate"], rows), CONFIG)
    # attribution: every feature's global SHAP value changes, and so does the ranking's top
    shap = {v: run["attribution_baseline"]["explanations"]["kernel_shap"]["label0"]["global_shap_values"]
            for v, run in (("old", old), ("new", new))}
    assert all(shap["old"][f] != pytest.approx(shap["new"][f], rel=1e-3) for f in data.FEATURES
               if f not in ("race", "native_country"))
    assert sorted(shap["new"], key=shap["new"].get)[-3:] != sorted(shap["old"], key=shap["old"].get)[-3:]


def test_the_next_window_of_each_monitor_runs_clean_against_the_new_baselines(world):
    course, s3, bucket = world["course"], world["s3"], world["bucket"]
    cloudwatch, candidate = course.client("cloudwatch"), world["candidate"]
    start = pd.Timestamp(course.clock.now()).ceil("h")
    served = rollout.fleet(course.sandbox, "adult-income", start=start.to_pydatetime(), model=candidate, seed=5)
    traffic = generate_traffic("concept_drift", hours=24, requests_per_hour=100, change_hour=0, start=start, seed=40)
    served.replay(traffic)
    truth = f"s3://{bucket}/ground-truth/rebaseline"
    end = start + pd.Timedelta(hours=30)
    upload_ground_truth(s3, truth, simulate_labels(traffic, ArrivalModel(bands=((0.95, 1.0, 6.0),)), seed=4), end)
    outcomes = {}
    for version, run in world["runs"].items():
        dq_meta = metadata(run, "DataQualityBaseline")
        dq = DataQualityJob.from_baseline_uri(
            s3, dq_meta["BaselineUsedForDriftCheckStatistics"].rsplit("/", 1)[0],
            endpoint_name="adult-income", schedule_name=f"dq-{version}", capture_uri=course.capture_uri,
            output_uri=f"s3://{bucket}/monitoring/dq")
        bias = biasdrift.BiasDriftJob(
            endpoint_name="adult-income", schedule_name=f"bias-{version}", capture_uri=course.capture_uri,
            ground_truth_uri=truth, output_uri=f"s3://{bucket}/monitoring/bias", analysis_config=CONFIG,
            baseline=load(s3, metadata(run, "ModelBiasBaseline")["BaselineUsedForDriftCheckConstraints"]),
            start_offset="-PT30H", end_offset="-PT6H")
        shap = at.ExecutionConfig(
            explainer=candidate, capture_uri=course.capture_uri, endpoint="adult-income",
            schedule=f"attr-{version}", output_uri=f"s3://{bucket}/monitoring/attr",
            baseline=load(s3, metadata(run, "ModelExplainabilityBaseline")["BaselineUsedForDriftCheckConstraints"]))
        outcomes[version] = {
            "dq": run_data_quality_execution(dq, start + pd.Timedelta(hours=1), s3=s3, cloudwatch=cloudwatch),
            "bias": biasdrift.run_bias_drift_execution(s3, cloudwatch, bias, end),
            "attr": at.run_attribution_execution(s3, cloudwatch, shap, start, start + pd.Timedelta(hours=1))}
    new = outcomes["v2"]
    assert {kind: r["MonitoringExecutionStatus"] for kind, r in new.items()} == \
        {"dq": "Completed", "bias": "Completed", "attr": "Completed"}
    assert new["dq"]["Rows"] == 100 and new["bias"]["Counts"]["matched"] > 2000 and new["attr"]["Rows"] == 100
    assert new["attr"]["Ndcg"]["label0"] > 0.99
    # the old model's data-quality baseline would have flagged the new model's own predictions
    assert outcomes["v1"]["dq"]["MonitoringExecutionStatus"] == "CompletedWithViolations"
    assert outcomes["v1"]["dq"]["ViolatedFeatures"] == ["prediction"]


def test_rebaseline_pipeline_definition_is_stored_with_its_check_steps(world):
    course = world["course"]
    stored = rb.store_rebaseline_pipeline(course.client("sagemaker"), course.account.role_arn,
                                          course.account.model_package_group, f"s3://{world['bucket']}/baselines/v2")
    assert [(s["Name"], s["Type"], s["CheckType"]) for s in stored["Steps"]] == [
        ("DataQualityBaseline", "QualityCheck", "DATA_QUALITY"),
        ("ModelBiasBaseline", "ClarifyCheck", "MODEL_BIAS"),
        ("ModelExplainabilityBaseline", "ClarifyCheck", "MODEL_EXPLAINABILITY")]
    assert all(s["SkipCheck"] and s["RegisterNewBaseline"] for s in stored["Steps"])
    assert stored["Steps"][1]["Arguments"]["AppSpecification"]["ImageUri"] == biasdrift.CLARIFY_IMAGE


def test_a_failed_step_stops_the_run_with_its_reason(world):
    course = world["course"]
    job = rb.RebaselineJob(output_uri=f"s3://{world['bucket']}/baselines/bad", analysis_config=CONFIG)
    run = rb.run_rebaseline(job, world["candidate"], world["rows"].drop(columns="label"),
                            s3=world["s3"], clock=course.clock)
    assert run.status == "Failed" and [s["StepStatus"] for s in run.steps] == ["Succeeded", "Failed"]
    assert "ModelBiasBaseline" in run.failure_reason and "label" in run.failure_reason
    with pytest.raises(ValueError, match="probability_threshold"):
        rb.RebaselineJob(output_uri="s3://b/p", analysis_config=CONFIG, probability_threshold=1.5)
    with pytest.raises(ValueError, match="feature columns"):
        rb.run_rebaseline(job, world["candidate"], pd.DataFrame(), s3=world["s3"], clock=course.clock)
