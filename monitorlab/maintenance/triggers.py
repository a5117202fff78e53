"""What starts a retraining run: the three trigger kinds, the EventBridge rule that matches an
alarm, the dispatcher that does what moto's EventBridge cannot, and the scheduled check that
AWS now recommends instead of Model Monitor.

Trigger kinds (:func:`due_triggers`), usually combined:

* **threshold**: a monitoring alarm (drift distance, F1, bias metric) is in ``ALARM``;
* **schedule**: a fixed cadence (EventBridge Scheduler, e.g. ``rate(7 days)``) since the last
  retrain, the floor that catches slow decay nobody alarms on;
* **performance**: the latest measured model metric (F1 from the model-quality monitor, with its
  late labels) is below a floor, even if no alarm was defined for it.

What moto does (MOTO.md): EventBridge matches patterns and delivers to SQS, Logs and buses; a
rule whose target is a SageMaker pipeline, Lambda, SNS or Step Functions makes ``put_events``
raise. So the course's rules target an SQS queue, and :func:`dispatch` drains the queue and calls
the handler (the pipeline run) itself, visibly. On AWS the rule would name the pipeline as its
target (:func:`pipeline_target`) and no code would sit in between.

The replacement pattern (:func:`scheduled_check`): AWS closed Model Monitor to new customers and
points to a scheduled job (EventBridge Scheduler → a processing job or Lambda running an
open-source drift check) that publishes a CloudWatch metric, with a CloudWatch alarm and SNS for
the alert. The check here is SciPy's two-sample Kolmogorov-Smirnov test per numeric feature
(``scipy.stats.ks_2samp``): its statistic is the same L-infinity distance Model Monitor's
``Simple`` method reports, so the two ways can be compared on the same traffic.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from scipy import stats

from monitorlab.account.alarms import receive_all
from monitorlab.account.clock import as_utc
from monitorlab.account.cloudwatch import dimensions, put_metrics

TRIGGER_KINDS = ("threshold", "schedule", "performance")
CHECK_NAMESPACE = "MonitorLab/ScheduledChecks"


@dataclass(frozen=True)
class TriggerPolicy:
    """When to retrain: alarm names to watch, a cadence, and a metric floor."""

    alarm_names: tuple[str, ...] = ()
    every: timedelta | None = timedelta(days=7)
    f1_floor: float | None = None


def due_triggers(policy: TriggerPolicy, now, *, alarm_states: dict[str, str] | None = None,
                 last_retrain=None, latest_f1: float | None = None) -> list[str]:
    """The trigger kinds that fire at ``now`` (empty list: do not retrain)."""
    fired = []
    states = alarm_states or {}
    if any(states.get(name) == "ALARM" for name in policy.alarm_names):
        fired.append("threshold")
    if policy.every is not None and (last_retrain is None
                                     or as_utc(now) - as_utc(last_retrain) >= policy.every):
        fired.append("schedule")
    if policy.f1_floor is not None and latest_f1 is not None and latest_f1 < policy.f1_floor:
        fired.append("performance")
    return fired


def alarm_pattern(alarm_prefix: str) -> dict:
    """The EventBridge pattern that matches an alarm named ``alarm_prefix...`` going to ``ALARM``."""
    return {"source": ["aws.cloudwatch"], "detail-type": ["CloudWatch Alarm State Change"],
            "detail": {"alarmName": [{"prefix": alarm_prefix}], "state": {"value": ["ALARM"]}}}


def approval_pattern(group: str) -> dict:
    """The pattern that matches a model package of ``group`` being approved."""
    return {"source": ["aws.sagemaker"], "detail-type": ["SageMaker Model Package State Change"],
            "detail": {"ModelPackageGroupName": [group], "ModelApprovalStatus": ["Approved"]}}


def pipeline_target(pipeline_arn: str, role_arn: str, parameters: dict | None = None) -> dict:
    """The target AWS would use: EventBridge starts the pipeline directly (not runnable on moto)."""
    return {"Id": "retrain", "Arn": pipeline_arn, "RoleArn": role_arn,
            "SageMakerPipelineParameters": {"PipelineParameterList": [
                {"Name": k, "Value": str(v)} for k, v in (parameters or {}).items()]}}


def rule_to_queue(events, sqs, rule_name: str, pattern: dict) -> str:
    """Create ``rule_name`` with ``pattern`` and an SQS queue as its target; returns the queue URL."""
    url = sqs.create_queue(QueueName=f"{rule_name}-target")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name=rule_name, EventPattern=json.dumps(pattern), State="ENABLED")
    events.put_targets(Rule=rule_name, Targets=[{"Id": "queue", "Arn": arn}])
    return url


def dispatch(sqs, queue_url: str, handler) -> list:
    """Drain the rule's queue and call ``handler(event)`` for each event; returns the results.

    This is the engine standing in for EventBridge's SageMaker-pipeline target."""
    return [handler(event) for event in receive_all(sqs, queue_url)]


# --------------------------------------------------------------------------------------------
# The replacement pattern: a scheduled open-source check, a metric, an alarm
# --------------------------------------------------------------------------------------------

def ks_distances(reference, window, features) -> dict[str, float]:
    """``{feature: KS statistic}`` (SciPy ``ks_2samp``) between ``reference`` and ``window``."""
    result = {}
    for feature in features:
        ref = np.asarray(reference[feature], dtype=float)
        live = np.asarray(window[feature], dtype=float)
        ref, live = ref[~np.isnan(ref)], live[~np.isnan(live)]
        if len(ref) == 0 or len(live) == 0:
            raise ValueError(f"feature {feature!r} has no values in the "
                             f"{'reference' if len(ref) == 0 else 'window'}; check the data feed")
        result[feature] = float(stats.ks_2samp(ref, live).statistic)
    return result


def scheduled_check(cloudwatch, reference, window, features, *, check_name: str, when: datetime) -> dict:
    """One run of the scheduled job: KS per feature, published as ``ks_<feature>`` in
    ``MonitorLab/ScheduledChecks`` (dimension ``Check``) at ``when``; returns the distances."""
    distances = ks_distances(reference, window, features)
    datums = [{"MetricName": f"ks_{f}", "Value": v, "Unit": "None", "Timestamp": as_utc(when),
               "Dimensions": dimensions(Check=check_name)} for f, v in distances.items()]
    put_metrics(cloudwatch, CHECK_NAMESPACE, datums)
    return distances


def create_check_schedule(scheduler, name: str, target_arn: str, role_arn: str,
                          expression: str = "rate(1 day)") -> dict:
    """The EventBridge Scheduler schedule that would start the check (moto stores it; it never
    fires, so the lesson calls :func:`scheduled_check` at the scheduled times)."""
    scheduler.create_schedule(Name=name, ScheduleExpression=expression,
                              FlexibleTimeWindow={"Mode": "OFF"},
                              Target={"Arn": target_arn, "RoleArn": role_arn,
                                      "Input": json.dumps({"check": name})})
    return scheduler.get_schedule(Name=name)
