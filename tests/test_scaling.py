"""Autoscaling: configured through Application Auto Scaling on moto, executed by the engine."""

import numpy as np
import pytest

from monitorlab.account.sandbox import Sandbox
from monitorlab.operations import scaling as sc


@pytest.fixture()
def clients():
    box = Sandbox().start()
    yield box.client("application-autoscaling"), box.client("cloudwatch")
    box.stop()


def _alarms(cloudwatch):
    return {a["AlarmName"]: a for a in cloudwatch.describe_alarms()["MetricAlarms"]}


def test_target_tracking_owns_a_high_and_a_low_alarm(clients):
    aas, cw = clients
    rid = sc.register_variant(aas, "ep", min_capacity=1, max_capacity=5)
    sc.put_target_tracking(aas, rid, 600)
    names = sc.create_target_tracking_alarms(cw, aas, rid)
    alarms = _alarms(cw)
    high = alarms[next(n for n in names if "-AlarmHigh-" in n)]
    low = alarms[next(n for n in names if "-AlarmLow-" in n)]
    assert high["Threshold"] == 600 and high["EvaluationPeriods"] == 3 and high["Period"] == 60
    assert low["Threshold"] == pytest.approx(540) and low["EvaluationPeriods"] == 15
    assert high["MetricName"] == "InvocationsPerInstance" and names[0].startswith("TargetTracking-endpoint/ep/variant/AllTraffic-")


def test_target_tracking_scales_out_after_three_minutes_and_in_after_fifteen(clients):
    aas, cw = clients
    rid = sc.register_variant(aas, "ep", min_capacity=1, max_capacity=5)
    sc.put_target_tracking(aas, rid, 600, scale_in_cooldown=300, scale_out_cooldown=300)
    sc.create_target_tracking_alarms(cw, aas, rid)
    traffic = np.r_[np.full(10, 300.0), np.full(30, 1700.0), np.full(60, 100.0)]
    frame, acts = sc.simulate(aas, cw, rid, traffic, noise=0)
    # minutes 10, 11, 12 breach: the policy acts at the end of minute 12, ceil(1 x 1700/600) = 3; 1700/3 = 567 > 540 keeps AlarmLow quiet
    assert acts[0]["Description"] == "Setting desired instance count to 3." and acts[0]["StartTime"].minute == 12
    assert frame["desired"].iloc[13] == 3 and frame["instances"].iloc[13] == 1   # still starting
    assert frame["instances"].iloc[12 + 6 + 1] == 3                               # 6 min provisioning
    # the low alarm needs 15 quiet minutes (from minute 40) -> acts at minute 54
    scale_in = [a for a in acts if "AlarmLow" in a["Cause"]]
    assert scale_in and scale_in[0]["StartTime"].minute == 54 and frame["desired"].iloc[-1] == 1
    states = {a["AlarmName"].split("-")[-6]: a["StateValue"] for a in cw.describe_alarms()["MetricAlarms"]}
    assert states == {"AlarmHigh": "OK", "AlarmLow": "ALARM"}


def test_max_capacity_and_scale_out_cooldown_hold(clients):
    aas, cw = clients
    rid = sc.register_variant(aas, "ep", min_capacity=1, max_capacity=2)
    sc.put_target_tracking(aas, rid, 100, scale_out_cooldown=600)
    sc.create_target_tracking_alarms(cw, aas, rid)
    frame, acts = sc.simulate(aas, cw, rid, np.full(40, 2000.0), noise=0)
    assert frame["desired"].max() == 2 and len(acts) == 1


def test_step_scaling_uses_the_step_the_breach_falls_in(clients):
    aas, cw = clients
    rid = sc.register_variant(aas, "ep", min_capacity=1, max_capacity=8)
    arn = sc.put_step_scaling(aas, rid, [
        {"MetricIntervalLowerBound": 0, "MetricIntervalUpperBound": 50, "ScalingAdjustment": 1},
        {"MetricIntervalLowerBound": 50, "ScalingAdjustment": 3}], cooldown=600)
    cw.put_metric_alarm(AlarmName="cpu-high", Namespace="/aws/sagemaker/Endpoints", MetricName="CPUUtilization",
                        Statistic="Average", Period=60, EvaluationPeriods=2, Threshold=100.0,
                        ComparisonOperator="GreaterThanThreshold", AlarmActions=[arn])
    assert sc.step_adjustment([{"MetricIntervalLowerBound": 0, "MetricIntervalUpperBound": 50, "ScalingAdjustment": 1}], 50) is None
    frame, acts = sc.simulate(aas, cw, rid, np.full(20, 1500.0), noise=0)   # 1 instance at 100 % load: CPU ~200
    assert acts[0]["Description"] == "Setting desired instance count to 4." and acts[0]["StartTime"].minute == 1
    assert len(acts) == 1                                                     # the 600 s cooldown holds


def test_scheduled_action_raises_the_floor_before_business_hours(clients):
    aas, cw = clients
    rid = sc.register_variant(aas, "ep", min_capacity=1, max_capacity=6)
    sc.put_scheduled_action(aas, rid, "morning", "cron(30 0 * * ? *)", min_capacity=3)
    sc.put_scheduled_action(aas, rid, "evening", "cron(0 1 * * ? *)", min_capacity=1)
    frame, acts = sc.simulate(aas, cw, rid, np.full(90, 60.0), noise=0)
    assert [a["Description"] for a in acts][:1] == ["Setting desired instance count to 3."]
    assert frame["desired"].iloc[29] == 1 and frame["desired"].iloc[30] == 3
    assert "scheduled action name morning" in acts[0]["Cause"]


def test_bad_configuration_is_refused_with_the_field_named(clients):
    aas, cw = clients
    with pytest.raises(ValueError, match="MinCapacity <= MaxCapacity"):
        sc.register_variant(aas, "ep", min_capacity=3, max_capacity=2)
    with pytest.raises(ValueError, match="Schedule"):
        sc.parse_schedule("rate(5 minutes)")
    with pytest.raises(ValueError, match="not registered"):
        sc.simulate(aas, cw, sc.resource_id("nowhere"), [1.0])
