"""Evaluate CloudWatch metric alarms from metric data, and deliver their notifications.

moto stores alarms but never evaluates them and never fires their actions (MOTO.md: a 0.99
datapoint against a 0.3 threshold stays OK; ``set_alarm_state`` fires no SNS action and no
EventBridge event). This module does what CloudWatch does, visibly:

1. read the alarm's definition back with ``describe_alarms``;
2. fetch the last ``EvaluationPeriods`` periods of its metric with ``get_metric_statistics``;
3. decide the state with CloudWatch's M-out-of-N rule and ``TreatMissingData``;
4. on a change, call ``set_alarm_state`` and deliver the notification: an SNS message in
   CloudWatch's alarm-notification JSON to every ARN in ``AlarmActions`` / ``OKActions`` /
   ``InsufficientDataActions``, and an EventBridge event ``CloudWatch Alarm State Change``
   (source ``aws.cloudwatch``) on the default bus. Subscribe an SQS queue to either to see the
   message a retraining pipeline would receive.

Evaluation rule (CloudWatch docs, "Evaluating an alarm"; simplified where noted):

* A period *breaches* when its statistic compares true against ``Threshold`` with
  ``ComparisonOperator``.
* ``TreatMissingData``: ``breaching`` / ``notBreaching`` fill a missing period as bad / good;
  ``missing`` (the default) and ``ignore`` leave it out.
* ALARM when at least ``DatapointsToAlarm`` (default ``EvaluationPeriods``) periods breach.
* Otherwise OK when at least one period has data (or was filled); if every period is missing,
  ``missing`` gives INSUFFICIENT_DATA and ``ignore`` keeps the current state.
  (Real CloudWatch may look back further than N periods when data is missing; we do not.)

moto starts a new alarm in ``OK``; real CloudWatch starts it in ``INSUFFICIENT_DATA``. The first
evaluation here sets the real state.
"""

from __future__ import annotations

import json
import operator
from dataclasses import dataclass
from datetime import datetime, timedelta

from monitorlab.account.clock import as_utc

COMPARISONS = {
    "GreaterThanThreshold": operator.gt,
    "GreaterThanOrEqualToThreshold": operator.ge,
    "LessThanThreshold": operator.lt,
    "LessThanOrEqualToThreshold": operator.le,
}
TREAT_MISSING = ("missing", "ignore", "breaching", "notBreaching")
REGION_NAMES = {"us-east-1": "US East (N. Virginia)", "us-west-2": "US West (Oregon)",
                "eu-west-1": "EU (Ireland)"}


@dataclass(frozen=True)
class Evaluation:
    """The outcome of evaluating one alarm at one moment."""

    alarm_name: str
    old_state: str
    new_state: str
    reason: str
    values: tuple  # one per period, oldest first; None where data is missing
    timestamp: datetime

    @property
    def changed(self) -> bool:
        return self.old_state != self.new_state


def decide_state(values, threshold: float, comparison: str, datapoints_to_alarm: int,
                 treat_missing: str, current_state: str) -> tuple[str, int]:
    """(new state, breaching periods) for per-period ``values`` (``None`` = missing).

    Pure function: the whole CloudWatch rule, testable without AWS.
    """
    if comparison not in COMPARISONS:
        raise ValueError(f"ComparisonOperator {comparison!r} is not supported; use one of "
                         f"{sorted(COMPARISONS)} (anomaly-detection bands are not modelled)")
    if treat_missing not in TREAT_MISSING:
        raise ValueError(f"TreatMissingData must be one of {TREAT_MISSING}, got {treat_missing!r}")
    compare = COMPARISONS[comparison]
    flags = []
    for value in values:
        if value is None:
            if treat_missing in ("breaching", "notBreaching"):
                flags.append(treat_missing == "breaching")
            continue
        flags.append(bool(compare(value, threshold)))
    breaching = sum(flags)
    if breaching >= datapoints_to_alarm:
        return "ALARM", breaching
    if flags:
        return "OK", breaching
    return (current_state if treat_missing == "ignore" else "INSUFFICIENT_DATA"), 0


def period_values(cloudwatch, alarm: dict, now: datetime) -> list:
    """The alarm statistic for each of its last ``EvaluationPeriods`` whole periods before ``now``."""
    period = int(alarm["Period"])
    count = int(alarm["EvaluationPeriods"])
    epoch = int(as_utc(now).timestamp())
    end = datetime.fromtimestamp(epoch - epoch % period, tz=as_utc(now).tzinfo)
    start = end - timedelta(seconds=period * count)
    statistic = alarm.get("Statistic")
    if not statistic:
        raise ValueError(f"alarm {alarm['AlarmName']!r} uses ExtendedStatistic or metric math, "
                         "which moto cannot compute; use Statistic (Average, Sum, Minimum, "
                         "Maximum or SampleCount)")
    response = cloudwatch.get_metric_statistics(
        Namespace=alarm["Namespace"], MetricName=alarm["MetricName"],
        Dimensions=alarm.get("Dimensions", []), StartTime=start, EndTime=end, Period=period,
        Statistics=[statistic])
    by_start = {as_utc(d["Timestamp"]): d[statistic] for d in response["Datapoints"]}
    return [by_start.get(start + timedelta(seconds=period * i)) for i in range(count)]


def evaluate_alarm(cloudwatch, alarm_name: str, now: datetime, *, sns=None, events=None,
                   region: str = "us-east-1") -> Evaluation:
    """Evaluate ``alarm_name`` at ``now``; on a state change set it and deliver notifications."""
    alarms = cloudwatch.describe_alarms(AlarmNames=[alarm_name])["MetricAlarms"]
    if not alarms:
        raise ValueError(f"no metric alarm named {alarm_name!r}; create it with put_metric_alarm")
    alarm = alarms[0]
    values = period_values(cloudwatch, alarm, now)
    needed = int(alarm.get("DatapointsToAlarm") or alarm["EvaluationPeriods"])
    state, breaching = decide_state(values, float(alarm["Threshold"]), alarm["ComparisonOperator"],
                                    needed, alarm.get("TreatMissingData") or "missing",
                                    alarm["StateValue"])
    reason = _reason(alarm, values, breaching, needed, state)
    result = Evaluation(alarm_name, alarm["StateValue"], state, reason, tuple(values), as_utc(now))
    if result.changed:
        _apply(cloudwatch, alarm, result, sns, events, region)
    return result


def evaluate_alarms(cloudwatch, now: datetime, *, sns=None, events=None, prefix: str | None = None,
                    region: str = "us-east-1") -> list[Evaluation]:
    """Evaluate every metric alarm (optionally those whose name starts with ``prefix``)."""
    kwargs = {"AlarmNamePrefix": prefix} if prefix else {}
    names = [a["AlarmName"] for a in cloudwatch.describe_alarms(**kwargs)["MetricAlarms"]]
    return [evaluate_alarm(cloudwatch, name, now, sns=sns, events=events, region=region)
            for name in sorted(names)]


def _reason(alarm, values, breaching, needed, state) -> str:
    present = [v for v in values if v is not None]
    shown = ", ".join(f"{v:g}" for v in present[-5:]) or "none"
    if state == "INSUFFICIENT_DATA":
        return f"Insufficient Data: {len(values)} datapoints were unknown."
    return (f"Threshold Crossed: {breaching} out of the last {len(values)} datapoints "
            f"[{shown}] {'were' if state == 'ALARM' else 'were not'} {_comparison_words(alarm)} "
            f"the threshold ({alarm['Threshold']:g}) (minimum {needed} datapoints for "
            f"OK -> ALARM transition).")


def _comparison_words(alarm) -> str:
    return {"GreaterThanThreshold": "greater than", "GreaterThanOrEqualToThreshold":
            "greater than or equal to", "LessThanThreshold": "less than",
            "LessThanOrEqualToThreshold": "less than or equal to"}[alarm["ComparisonOperator"]]


def _apply(cloudwatch, alarm, result: Evaluation, sns, events, region) -> None:
    reason_data = {"version": "1.0", "queryDate": result.timestamp.isoformat(),
                   "threshold": alarm["Threshold"], "recentDatapoints": [v for v in result.values if v is not None]}
    cloudwatch.set_alarm_state(AlarmName=alarm["AlarmName"], StateValue=result.new_state,
                               StateReason=result.reason, StateReasonData=json.dumps(reason_data))
    if not alarm.get("ActionsEnabled", True):
        return
    actions = {"ALARM": "AlarmActions", "OK": "OKActions",
               "INSUFFICIENT_DATA": "InsufficientDataActions"}[result.new_state]
    if sns is not None:
        for arn in alarm.get(actions, []):
            if arn.startswith("arn:aws:sns:"):
                sns.publish(TopicArn=arn, Subject=_subject(alarm, result, region),
                            Message=json.dumps(sns_message(alarm, result, region)))
    if events is not None:
        events.put_events(Entries=[{
            "Source": "aws.cloudwatch", "DetailType": "CloudWatch Alarm State Change",
            "Resources": [alarm["AlarmArn"]], "Time": result.timestamp,
            "Detail": json.dumps(event_detail(alarm, result))}])


def _subject(alarm, result, region) -> str:
    where = REGION_NAMES.get(region, region)
    return f'{result.new_state}: "{alarm["AlarmName"]}" in {where}'[:100]


def sns_message(alarm: dict, result: Evaluation, region: str = "us-east-1") -> dict:
    """The JSON body CloudWatch publishes to an alarm's SNS topic."""
    return {
        "AlarmName": alarm["AlarmName"], "AlarmDescription": alarm.get("AlarmDescription"),
        "AWSAccountId": alarm["AlarmArn"].split(":")[4], "NewStateValue": result.new_state,
        "NewStateReason": result.reason, "StateChangeTime": result.timestamp.isoformat(),
        "Region": REGION_NAMES.get(region, region), "AlarmArn": alarm["AlarmArn"],
        "OldStateValue": result.old_state,
        "Trigger": {
            "MetricName": alarm["MetricName"], "Namespace": alarm["Namespace"],
            "StatisticType": "Statistic", "Statistic": alarm["Statistic"].upper(),
            "Unit": alarm.get("Unit"),
            "Dimensions": [{"value": d["Value"], "name": d["Name"]} for d in alarm.get("Dimensions", [])],
            "Period": alarm["Period"], "EvaluationPeriods": alarm["EvaluationPeriods"],
            "DatapointsToAlarm": alarm.get("DatapointsToAlarm") or alarm["EvaluationPeriods"],
            "ComparisonOperator": alarm["ComparisonOperator"], "Threshold": alarm["Threshold"],
            "TreatMissingData": alarm.get("TreatMissingData") or "missing",
        },
    }


def event_detail(alarm: dict, result: Evaluation) -> dict:
    """The ``detail`` of EventBridge's ``CloudWatch Alarm State Change`` event."""
    return {
        "alarmName": alarm["AlarmName"],
        "state": {"value": result.new_state, "reason": result.reason,
                  "timestamp": result.timestamp.isoformat()},
        "previousState": {"value": result.old_state},
        "configuration": {"metrics": [{"metricStat": {
            "metric": {"namespace": alarm["Namespace"], "name": alarm["MetricName"],
                       "dimensions": {d["Name"]: d["Value"] for d in alarm.get("Dimensions", [])}},
            "period": alarm["Period"], "stat": alarm["Statistic"]}}]},
    }


def subscribe_queue_to_topic(sns, sqs, topic_arn: str, queue_name: str) -> str:
    """Create an SQS queue subscribed to ``topic_arn`` and return its URL."""
    url = sqs.create_queue(QueueName=queue_name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=arn)
    return url


def route_alarm_events_to_queue(events, sqs, queue_name: str, rule_name: str = "alarm-state-changes",
                                alarm_prefix: str | None = None) -> str:
    """An EventBridge rule sending ``CloudWatch Alarm State Change`` events to a new SQS queue."""
    url = sqs.create_queue(QueueName=queue_name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    pattern = {"source": ["aws.cloudwatch"], "detail-type": ["CloudWatch Alarm State Change"]}
    if alarm_prefix:
        pattern["detail"] = {"alarmName": [{"prefix": alarm_prefix}]}
    events.put_rule(Name=rule_name, EventPattern=json.dumps(pattern))
    events.put_targets(Rule=rule_name, Targets=[{"Id": "queue", "Arn": arn}])
    return url


def receive_all(sqs, queue_url: str) -> list[dict]:
    """Drain a queue and return the message bodies, JSON-decoded where possible."""
    bodies = []
    while True:
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
        if not messages:
            return bodies
        for message in messages:
            try:
                bodies.append(json.loads(message["Body"]))
            except json.JSONDecodeError:
                bodies.append(message["Body"])
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
