"""Module 08 engine: triggers, the pipeline's condition and quality gate, the registry, rollout
plans, A/B routing and the rollback decision.

The AWS-touching tests share one sandbox and one small course setup (module scope) to stay cheap.
"""

import json
from datetime import datetime, timedelta, timezone

import numpy as np
import pandas as pd
import pytest

from monitorlab.maintenance import pipeline as pl
from monitorlab.maintenance import registry, rollout, triggers
from monitorlab.serving.data import FEATURES, load_adult
from monitorlab.serving.scenarios import generate_traffic

NOW = datetime(2026, 1, 12, tzinfo=timezone.utc)


# --------------------------------------------------------------------------------------------
# Pure rules
# --------------------------------------------------------------------------------------------

def test_three_trigger_kinds_fire_independently():
    policy = triggers.TriggerPolicy(alarm_names=("f1-low",), every=timedelta(days=7), f1_floor=0.6)
    recent = NOW - timedelta(days=1)
    assert triggers.due_triggers(policy, NOW, alarm_states={"f1-low": "OK"}, last_retrain=recent,
                                 latest_f1=0.7) == []
    assert triggers.due_triggers(policy, NOW, alarm_states={"f1-low": "ALARM"}, last_retrain=recent) == ["threshold"]
    assert triggers.due_triggers(policy, NOW, last_retrain=NOW - timedelta(days=7)) == ["schedule"]
    assert triggers.due_triggers(policy, NOW, last_retrain=recent, latest_f1=0.59) == ["performance"]
    assert triggers.due_triggers(policy, NOW, alarm_states={"f1-low": "ALARM"}, last_retrain=None,
                                 latest_f1=0.1) == ["threshold", "schedule", "performance"]


def test_condition_step_is_greater_or_equal_with_the_gain():
    assert pl.condition_passes(0.52, 0.50, 0.02)
    assert not pl.condition_passes(0.5199, 0.50, 0.02)
    assert not pl.condition_passes(0.40, 0.50, 0.0)


def test_balanced_weights_give_each_class_half():
    weights = pl.balanced_weights([1, 0, 0, 0])
    assert weights.tolist() == [2.0, 2 / 3, 2 / 3, 2 / 3] and weights.sum() == pytest.approx(4)
    with pytest.raises(ValueError, match="both classes"):
        pl.balanced_weights([0, 0])


@pytest.mark.parametrize("routing, kwargs, plan", [
    ("ALL_AT_ONCE", {}, [(0, 1.0), (300, 1.0)]),
    ("CANARY", {"canary_percent": 10}, [(0, 0.1), (300, 1.0), (600, 1.0)]),
    ("LINEAR", {"linear_percent": 25}, [(0, 0.25), (300, 0.5), (600, 0.75), (900, 1.0), (1200, 1.0)]),
    ("LINEAR", {"linear_percent": 40}, [(0, 0.4), (300, 0.8), (600, 1.0), (900, 1.0)]),
])
def test_shift_plans(routing, kwargs, plan):
    config = rollout.deployment_config(routing, wait_seconds=300, alarms=("a",), **kwargs)
    assert rollout.shift_plan(config) == plan
    assert config["AutoRollbackConfiguration"] == {"Alarms": [{"AlarmName": "a"}]}
    assert rollout.share_at(plan, 0) == plan[0][1] and rollout.share_at(plan, -1) == 0.0


def test_bad_deployment_configs_name_the_field():
    with pytest.raises(ValueError, match="routing must be one of"):
        rollout.deployment_config("BLUE")
    bad = rollout.deployment_config("CANARY")
    bad["BlueGreenUpdatePolicy"]["TrafficRoutingConfiguration"]["CanarySize"]["Value"] = 0
    with pytest.raises(ValueError, match="CanarySize"):
        rollout.shift_plan(bad)
    with pytest.raises(ValueError, match="TrafficRoutingConfiguration"):
        rollout.shift_plan({})


def test_ks_matches_l_infinity_of_the_empirical_cdfs():
    from monitorlab.stats.drift import linf_simple

    rng = np.random.default_rng(0)
    a, b = pd.DataFrame({"x": rng.normal(size=300)}), pd.DataFrame({"x": rng.normal(0.5, size=200)})
    assert triggers.ks_distances(a, b, ["x"])["x"] == pytest.approx(linf_simple(a["x"].to_numpy(), b["x"].to_numpy()))
    with pytest.raises(ValueError, match="no values in the window"):
        triggers.ks_distances(a, pd.DataFrame({"x": [np.nan]}), ["x"])


# --------------------------------------------------------------------------------------------
# On moto
# --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def course():
    from monitorlab.account.sandbox import Sandbox
    from monitorlab.course import setup

    sandbox = Sandbox().start()
    yield setup(sandbox=sandbox)
    sandbox.stop()


def test_registry_versions_and_approval_event(course):
    sm, s3 = course.client("sagemaker"), course.client("s3")
    group, bucket = course.account.model_package_group, course.account.bucket
    uri = registry.write_metrics(s3, f"s3://{bucket}/t/evaluation.json", {"f1": 0.5, "auc": 0.7})
    first = registry.register_model(sm, group, f"s3://{bucket}/m1.tar.gz", uri)
    second = registry.register_model(sm, group, f"s3://{bucket}/m2.tar.gz", uri)
    assert [v["status"] for v in registry.versions(sm, group)][-2:] == ["PendingManualApproval"] * 2
    assert registry.latest_approved(sm, group) is None
    event = registry.set_approval(sm, first, "Approved")
    registry.set_approval(sm, second, "Rejected", "F1 too low")
    assert event["DetailType"] == "SageMaker Model Package State Change"
    assert json.loads(event["Detail"])["ModelApprovalStatus"] == "Approved"
    assert registry.latest_approved(sm, group)["ModelPackageArn"] == first
    document = json.loads(s3.get_object(Bucket=bucket, Key="t/evaluation.json")["Body"].read())
    assert document["binary_classification_metrics"]["f1"]["value"] == 0.5
    with pytest.raises(ValueError, match="ModelApprovalStatus"):
        registry.set_approval(sm, first, "approved")


def test_alarm_rule_reaches_the_queue_and_dispatch_calls_the_handler(course):
    events, sqs = course.client("events"), course.client("sqs")
    url = triggers.rule_to_queue(events, sqs, "retrain-on-f1", triggers.alarm_pattern("adult-income-f1"))
    for name, state in (("adult-income-f1-low", "ALARM"), ("adult-income-f1-low", "OK"), ("other", "ALARM")):
        events.put_events(Entries=[{"Source": "aws.cloudwatch", "DetailType": "CloudWatch Alarm State Change",
                                    "Detail": json.dumps({"alarmName": name, "state": {"value": state}})}])
    started = triggers.dispatch(sqs, url, lambda event: event["detail"]["alarmName"])
    assert started == ["adult-income-f1-low"]


def test_pipeline_definition_is_stored_as_json(course):
    stored = pl.store_pipeline(course.client("sagemaker"), course.account.role_arn,
                               course.account.model_package_group, min_gain=0.03)
    steps = {s["Name"]: s for s in stored["Steps"]}
    assert stored["Version"] == "2020-12-01"
    assert steps["CheckF1"]["Arguments"]["Conditions"][0]["Type"] == "GreaterThanOrEqualTo"
    assert steps["CheckF1"]["Arguments"]["ElseSteps"][0]["Type"] == "Fail"
    assert {"Name": "MinF1Gain", "Type": "Float", "DefaultValue": 0.03} in stored["Parameters"]


def test_quality_gate_refuses_missing_values_but_not_drift(course):
    model = course.endpoint.model
    train = load_adult("train").sample(2000, random_state=0)
    statistics, constraints = pl.rebaseline(course.client("s3"), model, train,
                                            f"s3://{course.account.bucket}/t/baseline")

    def window(scenario):
        rows = generate_traffic(scenario, hours=2, requests_per_hour=150, change_hour=0, seed=4).requests
        from monitorlab.serving.model import predict_proba
        return rows.assign(prediction=predict_proba(model, rows))

    broken = pl.broken_data_violations(window("missing_values"), statistics, constraints)
    assert {(v["feature_name"], v["constraint_check_type"]) for v in broken} == {("education_num", "completeness_check")}
    assert pl.broken_data_violations(window("covariate_shift"), statistics, constraints) == []


def test_router_splits_by_weight_and_honours_target_variant(course):
    sb, sm, s3 = course.sandbox, course.client("sagemaker"), course.client("s3")
    model = course.endpoint.model
    rollout.deploy_config(sm, s3, course.account, "ab", "ab-config",
                          [{"name": "A", "model": model, "weight": 3.0}, {"name": "B", "model": model, "weight": 1.0}],
                          capture_config=sm.describe_endpoint_config(EndpointConfigName="adult-income-config")["DataCaptureConfig"])
    sm.create_endpoint(EndpointName="ab", EndpointConfigName="ab-config")
    start = course.clock.now()
    variants = {n: rollout.fleet(sb, "ab", start=start, variant_name=n, seed=i) for i, n in enumerate("AB")}
    router = rollout.VariantRouter(sm, "ab", variants, seed=0)
    traffic = generate_traffic("none", hours=1, requests_per_hour=400, start=start, seed=1)
    counts = router.replay(traffic)
    assert counts["A"] + counts["B"] == 400 and 260 < counts["A"] < 340
    assert variants["B"].capture_keys and all("/ab/B/" in k for k in variants["B"].capture_keys)
    assert router.assign(5, "B").tolist() == ["B"] * 5
    with pytest.raises(ValueError, match="TargetVariant 'C'"):
        router.assign(1, "C")
    sm.update_endpoint_weights_and_capacities(EndpointName="ab", DesiredWeightsAndCapacities=[
        {"VariantName": "A", "DesiredWeight": 0.0, "DesiredInstanceCount": 1}])
    assert set(router.assign(50).tolist()) == {"B"}


def test_rollback_when_the_alarm_fires_and_success_when_it_does_not(course):
    sb, sm, s3, cw = course.sandbox, course.client("sagemaker"), course.client("s3"), course.client("cloudwatch")
    model = course.endpoint.model
    cw.put_metric_alarm(AlarmName="t-5xx", Namespace="AWS/SageMaker", MetricName="Invocation5XXErrors",
                        Dimensions=[{"Name": "EndpointName", "Value": "adult-income"},
                                    {"Name": "VariantName", "Value": "AllTraffic"}],
                        Statistic="Sum", Period=60, EvaluationPeriods=1, Threshold=0,
                        ComparisonOperator="GreaterThanThreshold", TreatMissingData="notBreaching")
    config = rollout.deployment_config("CANARY", wait_seconds=120, canary_percent=50, alarms=("t-5xx",))
    results = {}
    for name, release in (("bad", rollout.BrokenRelease(model, fraction=0.5)), ("good", model)):
        rollout.deploy_config(sm, s3, course.account, "adult-income", f"cfg-{name}",
                              [{"name": "AllTraffic", "model": model, "weight": 1.0}])
        course.clock.advance(minutes=10)
        green = rollout.fleet(sb, "adult-income", start=course.clock.now(), model=release, config_name=f"cfg-{name}")
        start = pd.Timestamp(course.clock.now()).ceil("min")
        traffic = generate_traffic("none", hours=1, requests_per_hour=600, start=start, seed=2)
        traffic.requests = traffic.requests[traffic.requests["timestamp"] < start + pd.Timedelta(minutes=6)]
        results[name] = rollout.run_blue_green(course.endpoint, green, config, traffic, cloudwatch=cw,
                                               clock=course.clock)
        results[name].live = rollout.finish_deployment(sm, "adult-income", f"cfg-{name}", results[name])
    bad, good = results["bad"], results["good"]
    assert bad.status == "RolledBack" and "t-5xx" in bad.reason
    assert bad.timeline["green_errors_5xx"].iloc[0] > 0 and bad.timeline["alarm"].iloc[0] == "ALARM"
    assert (bad.timeline["green_share"].iloc[1:] == 0).all() and bad.timeline["green_requests"].iloc[1:].sum() == 0
    assert bad.live == "adult-income-config"
    assert good.status == "Succeeded" and good.timeline["green_errors_5xx"].sum() == 0
    assert good.timeline["green_share"].tolist() == [0.5, 0.5, 1.0, 1.0, 1.0, 1.0]
    assert good.live == "cfg-good"


class _Constant:
    """A model that answers ``value`` for every row: its replies are easy to recognise."""

    def __init__(self, value):
        self.value = value

    def predict_proba(self, frame):
        return np.tile([1 - self.value, self.value], (len(frame), 1))


def test_shadow_variant_gets_a_copy_whose_reply_is_captured_but_never_returned(course):
    sb, sm, s3 = course.sandbox, course.client("sagemaker"), course.client("s3")
    model = course.endpoint.model
    capture = sm.describe_endpoint_config(EndpointConfigName="adult-income-config")["DataCaptureConfig"]
    rollout.deploy_config(sm, s3, course.account, "sh", "sh-config",
                          [{"name": "Prod", "model": model, "weight": 1.0}], capture_config=capture)
    # moto drops ShadowProductionVariants: the shadow fleet reads its own (never live) config
    rollout.deploy_config(sm, s3, course.account, "sh", "sh-shadow-config",
                          [{"name": "ShadowV2", "model": model, "weight": 1.0}], capture_config=capture)
    sm.create_endpoint(EndpointName="sh", EndpointConfigName="sh-config")
    start = course.clock.now()
    prod = rollout.fleet(sb, "sh", start=start, variant_name="Prod", seed=1)
    shadow = rollout.fleet(sb, "sh", start=start, model=_Constant(0.999), config_name="sh-shadow-config", seed=2)
    router = rollout.VariantRouter(sm, "sh", {"Prod": prod}, shadow=shadow, seed=0)
    traffic = generate_traffic("none", hours=1, requests_per_hour=60, start=start, seed=5)
    line = ",".join(map(str, traffic.requests[FEATURES].iloc[0]))
    response = router.invoke_endpoint(EndpointName="sh", Body=line)
    reply = float(response["Body"].read().decode())
    assert response["InvokedProductionVariant"] == "Prod" and reply != pytest.approx(0.999)
    assert shadow.counts["invocations"] == 1 and prod.counts["invocations"] == 1

    counts = router.replay(traffic)
    assert counts == {"Prod": 60, "shadow:ShadowV2": 60}
    prod.flush(), shadow.flush()
    assert shadow.capture_keys and all("/sh/ShadowV2/" in key for key in shadow.capture_keys)
    assert prod.capture_keys and all("/sh/Prod/" in key for key in prod.capture_keys)
    bucket = course.account.bucket
    records = [json.loads(line) for key in shadow.capture_keys
               for line in s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode().splitlines()]
    assert len(records) == 61
    assert {r["captureData"]["endpointOutput"]["data"] for r in records} == {"0.999"}
    prod_outputs = [json.loads(line)["captureData"]["endpointOutput"]["data"] for key in prod.capture_keys
                    for line in s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode().splitlines()]
    assert len(prod_outputs) == 61 and "0.999" not in prod_outputs

    # a shadow that fails never reaches the user; a fraction copies only some requests
    after = pd.Timestamp(prod.clock.now()).ceil("h").to_pydatetime()
    broken = rollout.fleet(sb, "sh", start=after, config_name="sh-shadow-config",
                           model=rollout.BrokenRelease(model, fraction=1.0), seed=3)
    safe = rollout.VariantRouter(sm, "sh", {"Prod": prod}, shadow=broken, shadow_fraction=0.5, seed=0)
    later = generate_traffic("none", hours=1, requests_per_hour=200, start=after, seed=6)
    copied = safe.replay(later)["shadow:ShadowV2"]
    assert 70 < copied < 130 and broken.counts["errors_5xx"] == copied
    assert prod.counts["errors_5xx"] == 0
    with pytest.raises(ValueError, match="shadow_fraction"):
        rollout.VariantRouter(sm, "sh", {"Prod": prod}, shadow=shadow, shadow_fraction=0)
