"""Alarm evaluation semantics (M of N, missing data) and notification delivery to SQS."""

import json
from datetime import datetime, timedelta, timezone

import pytest

from monitorlab.account import alarms
from monitorlab.account.sandbox import Sandbox

T0 = datetime(2026, 1, 5, tzinfo=timezone.utc)


@pytest.mark.parametrize("values, treat, current, expected", [
    ([0.2, 0.3, 0.05], "missing", "OK", ("ALARM", 2)),        # 2 of 3 breach
    ([0.2, 0.05, 0.05], "missing", "OK", ("OK", 1)),
    ([None, None, None], "missing", "OK", ("INSUFFICIENT_DATA", 0)),
    ([None, None, None], "ignore", "ALARM", ("ALARM", 0)),     # ignore keeps the state
    ([None, 0.3, None], "breaching", "OK", ("ALARM", 3)),
    ([None, 0.3, None], "notBreaching", "OK", ("OK", 1)),
    ([None, 0.3, None], "missing", "OK", ("OK", 1)),
    ([0.1, 0.1, 0.1], "missing", "OK", ("OK", 0)),            # equal is not greater
])
def test_decide_state(values, treat, current, expected):
    assert alarms.decide_state(values, 0.1, "GreaterThanThreshold", 2, treat, current) == expected


def test_comparison_operators_and_bad_settings():
    assert alarms.decide_state([0.1], 0.1, "GreaterThanOrEqualToThreshold", 1, "missing", "OK")[0] == "ALARM"
    assert alarms.decide_state([0.7], 0.8, "LessThanThreshold", 1, "missing", "OK")[0] == "ALARM"
    with pytest.raises(ValueError, match="ComparisonOperator"):
        alarms.decide_state([1], 0, "GreaterThanUpperThreshold", 1, "missing", "OK")
    with pytest.raises(ValueError, match="TreatMissingData"):
        alarms.decide_state([1], 0, "GreaterThanThreshold", 1, "zero", "OK")


@pytest.fixture
def sb():
    box = Sandbox().start()
    yield box
    box.stop()


def put_hourly(cw, values, start=T0):
    cw.put_metric_data(Namespace="aws/sagemaker/Endpoints/data-metrics", MetricData=[
        {"MetricName": "feature_baseline_drift_age", "Timestamp": start + timedelta(hours=i), "Value": v,
         "Dimensions": [{"Name": "Endpoint", "Value": "adult-income"},
                        {"Name": "MonitoringSchedule", "Value": "hourly"}]}
        for i, v in enumerate(values) if v is not None])


def make_alarm(cw, topic, treat="missing"):
    cw.put_metric_alarm(
        AlarmName="drift-age", Namespace="aws/sagemaker/Endpoints/data-metrics",
        MetricName="feature_baseline_drift_age", Statistic="Maximum", Period=3600,
        EvaluationPeriods=3, DatapointsToAlarm=2, Threshold=0.1,
        ComparisonOperator="GreaterThanThreshold", TreatMissingData=treat,
        Dimensions=[{"Name": "Endpoint", "Value": "adult-income"},
                    {"Name": "MonitoringSchedule", "Value": "hourly"}],
        AlarmActions=[topic], OKActions=[topic], AlarmDescription="age drifted")


def test_alarm_fires_and_notifications_arrive_in_sqs(sb):
    cw, sns, sqs, events = (sb.client(n) for n in ("cloudwatch", "sns", "sqs", "events"))
    topic = sns.create_topic(Name="monitoring-alerts")["TopicArn"]
    sns_queue = alarms.subscribe_queue_to_topic(sns, sqs, topic, "alerts-from-sns")
    event_queue = alarms.route_alarm_events_to_queue(events, sqs, "alerts-from-eventbridge")
    make_alarm(cw, topic)
    put_hourly(cw, [0.02, 0.03, 0.01, 0.25, 0.3])
    quiet = alarms.evaluate_alarm(cw, "drift-age", T0 + timedelta(hours=3), sns=sns, events=events)
    assert quiet.new_state == "OK" and quiet.values == (0.02, 0.03, 0.01)
    fired = alarms.evaluate_alarm(cw, "drift-age", T0 + timedelta(hours=5), sns=sns, events=events)
    assert (fired.old_state, fired.new_state) == ("OK", "ALARM")
    assert cw.describe_alarms(AlarmNames=["drift-age"])["MetricAlarms"][0]["StateValue"] == "ALARM"
    envelope = alarms.receive_all(sqs, sns_queue)
    assert len(envelope) == 1 and envelope[0]["Type"] == "Notification"
    assert envelope[0]["Subject"] == 'ALARM: "drift-age" in US East (N. Virginia)'
    message = json.loads(envelope[0]["Message"])
    assert message["NewStateValue"] == "ALARM" and message["OldStateValue"] == "OK"
    assert message["Trigger"]["MetricName"] == "feature_baseline_drift_age"
    assert "2 out of the last 3 datapoints" in message["NewStateReason"]
    event = alarms.receive_all(sqs, event_queue)
    assert len(event) == 1 and event[0]["detail-type"] == "CloudWatch Alarm State Change"
    assert event[0]["detail"]["state"]["value"] == "ALARM"
    # evaluating again without a change sends nothing more
    again = alarms.evaluate_alarm(cw, "drift-age", T0 + timedelta(hours=5), sns=sns, events=events)
    assert not again.changed and alarms.receive_all(sqs, sns_queue) == []


def test_missing_data_gives_insufficient_data_then_recovers(sb):
    cw, sns, sqs = (sb.client(n) for n in ("cloudwatch", "sns", "sqs"))
    topic = sns.create_topic(Name="t")["TopicArn"]
    make_alarm(cw, topic)
    result = alarms.evaluate_alarm(cw, "drift-age", T0 + timedelta(hours=3), sns=sns)
    assert result.new_state == "INSUFFICIENT_DATA"
    put_hourly(cw, [None, None, None, 0.01])
    assert alarms.evaluate_alarm(cw, "drift-age", T0 + timedelta(hours=4, minutes=20)).new_state == "OK"


def test_unknown_alarm_is_named(sb):
    with pytest.raises(ValueError, match="nope"):
        alarms.evaluate_alarm(sb.client("cloudwatch"), "nope", T0)
