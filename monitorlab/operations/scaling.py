"""Endpoint autoscaling: configured through Application Auto Scaling on moto, executed here.

moto stores scalable targets, scaling policies and scheduled actions, but creates no alarms and
never scales (MOTO.md; ``describe_scaling_activities`` is not implemented). So:

* **moto** keeps what you register: :func:`register_variant`, :func:`put_target_tracking`,
  :func:`put_step_scaling`, :func:`put_scheduled_action` are the boto3 calls you would make on AWS;
* **the engine** creates the CloudWatch alarms a target-tracking policy owns
  (:func:`create_target_tracking_alarms`, named as AWS names them), and :func:`simulate` plays a
  day minute by minute on the simulated clock: it reads the configuration back from moto, serves
  each minute with :mod:`.capacity`, evaluates every alarm with CloudWatch's M-of-N rule
  (:func:`monitorlab.account.alarms.decide_state`), applies policies, cooldowns, min/max and
  scheduled actions, and records scaling activities as ``describe_scaling_activities`` would list
  them.

Rules (Application Auto Scaling user guide, "Target tracking scaling policies", "Step scaling
policies", "Scheduled scaling"; SageMaker DG "Automatic scaling of Amazon SageMaker AI models"):

* Target tracking on ``SageMakerVariantInvocationsPerInstance`` (invocations per instance per
  minute) owns two alarms: **AlarmHigh**, metric > target for 3 of 3 one-minute periods, and
  **AlarmLow**, metric < 0.9 x target for 15 of 15 periods. New capacity =
  ``ceil(in service x metric / target)``, clamped to [MinCapacity, MaxCapacity].
* Cooldowns (SageMaker's default 300 s each): after a scale-out, no further scale-out for
  ``ScaleOutCooldown``; a scale-in waits ``ScaleInCooldown`` after the last scaling activity of
  either kind (our reading of "scale in conservatively"; AWS lets a larger scale-out through
  during a scale-out cooldown, which this engine does not model).
* Step scaling: your own alarm (``AlarmActions`` = the policy ARN); while it is in ALARM, the step
  whose ``[MetricIntervalLowerBound, MetricIntervalUpperBound)`` holds ``metric - threshold``
  sets the adjustment (``ChangeInCapacity``, ``PercentChangeInCapacity`` or ``ExactCapacity``),
  then ``Cooldown`` seconds pass before it acts again.
* Scheduled actions (``cron(M H * * ? *)`` daily or ``at(yyyy-mm-ddThh:mm:ss)``, UTC) set
  MinCapacity/MaxCapacity at that minute; the desired count is clamped into the new range.
* A new instance serves after its profile's ``provisioning_minutes`` (the cold start of a
  real-time endpoint); removed instances stop at once.
"""

from __future__ import annotations

import math
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from monitorlab.account.alarms import decide_state
from monitorlab.account.clock import COURSE_EPOCH, as_utc
from monitorlab.operations.capacity import Workload, jitter, minute_index, profile, serve_minute

NAMESPACE = "sagemaker"
DIMENSION = "sagemaker:variant:DesiredInstanceCount"
PREDEFINED = "SageMakerVariantInvocationsPerInstance"
DEFAULT_COOLDOWN = 300
HIGH_PERIODS, LOW_PERIODS, LOW_FACTOR = 3, 15, 0.9
#: metric name in an alarm -> column of the simulated minute
METRIC_COLUMNS = {"InvocationsPerInstance": "invocations_per_instance", "Invocations": "invocations",
                  "ModelLatency": "model_latency_us", "OverheadLatency": "overhead_latency_us",
                  "CPUUtilization": "cpu", "MemoryUtilization": "memory",
                  "Invocation5XXErrors": "errors_5xx"}


def resource_id(endpoint: str, variant: str = "AllTraffic") -> str:
    """Application Auto Scaling's id of a variant: ``endpoint/<endpoint>/variant/<variant>``."""
    return f"endpoint/{endpoint}/variant/{variant}"


# --------------------------------------------------------------------------------------------
# Configuration: the boto3 calls, stored by moto
# --------------------------------------------------------------------------------------------

def register_variant(aas, endpoint: str, variant: str = "AllTraffic", *, min_capacity: int = 1,
                     max_capacity: int = 4) -> str:
    """``register_scalable_target`` for a variant's instance count; returns its resource id."""
    if not 0 <= min_capacity <= max_capacity:
        raise ValueError(f"need 0 <= MinCapacity <= MaxCapacity, got {min_capacity} and {max_capacity}")
    rid = resource_id(endpoint, variant)
    aas.register_scalable_target(ServiceNamespace=NAMESPACE, ResourceId=rid, ScalableDimension=DIMENSION,
                                 MinCapacity=min_capacity, MaxCapacity=max_capacity)
    return rid


def put_target_tracking(aas, rid: str, target_value: float, *, name: str = "invocations-target",
                        scale_in_cooldown: int = DEFAULT_COOLDOWN,
                        scale_out_cooldown: int = DEFAULT_COOLDOWN, disable_scale_in: bool = False) -> str:
    """A target-tracking policy on ``SageMakerVariantInvocationsPerInstance``; returns its ARN."""
    if not target_value > 0:
        raise ValueError(f"TargetValue must be > 0 invocations per instance per minute, got {target_value!r}")
    config = {"TargetValue": float(target_value),
              "PredefinedMetricSpecification": {"PredefinedMetricType": PREDEFINED},
              "ScaleInCooldown": int(scale_in_cooldown), "ScaleOutCooldown": int(scale_out_cooldown),
              "DisableScaleIn": bool(disable_scale_in)}
    return aas.put_scaling_policy(PolicyName=name, ServiceNamespace=NAMESPACE, ResourceId=rid,
                                  ScalableDimension=DIMENSION, PolicyType="TargetTrackingScaling",
                                  TargetTrackingScalingPolicyConfiguration=config)["PolicyARN"]


def put_step_scaling(aas, rid: str, steps: list[dict], *, name: str = "step-scaling",
                     adjustment_type: str = "ChangeInCapacity", cooldown: int = DEFAULT_COOLDOWN) -> str:
    """A step-scaling policy (``steps``: StepAdjustments dicts); returns its ARN. Attach an alarm
    to it with ``put_metric_alarm(..., AlarmActions=[arn])``."""
    if adjustment_type not in ("ChangeInCapacity", "PercentChangeInCapacity", "ExactCapacity"):
        raise ValueError(f"AdjustmentType {adjustment_type!r}: use ChangeInCapacity, "
                         "PercentChangeInCapacity or ExactCapacity")
    config = {"AdjustmentType": adjustment_type, "StepAdjustments": steps, "Cooldown": int(cooldown),
              "MetricAggregationType": "Average"}
    return aas.put_scaling_policy(PolicyName=name, ServiceNamespace=NAMESPACE, ResourceId=rid,
                                  ScalableDimension=DIMENSION, PolicyType="StepScaling",
                                  StepScalingPolicyConfiguration=config)["PolicyARN"]


def put_scheduled_action(aas, rid: str, name: str, schedule: str, *, min_capacity: int | None = None,
                         max_capacity: int | None = None) -> None:
    """A scheduled action that sets MinCapacity and/or MaxCapacity at ``schedule`` (UTC)."""
    parse_schedule(schedule)
    action = {k: v for k, v in (("MinCapacity", min_capacity), ("MaxCapacity", max_capacity)) if v is not None}
    if not action:
        raise ValueError("a scheduled action needs min_capacity and/or max_capacity")
    aas.put_scheduled_action(ServiceNamespace=NAMESPACE, ScheduledActionName=name, ResourceId=rid,
                             ScalableDimension=DIMENSION, Schedule=schedule, ScalableTargetAction=action)


_CRON = re.compile(r"^cron\((\d{1,2}) (\d{1,2}) \* \* \? \*\)$")
_AT = re.compile(r"^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$")


def parse_schedule(expression: str) -> tuple[str, object]:
    """``("daily", (hour, minute))`` for ``cron(M H * * ? *)``, ``("once", datetime)`` for ``at(...)``."""
    text = expression.strip() if isinstance(expression, str) else ""
    if match := _CRON.match(text):
        minute, hour = int(match.group(1)), int(match.group(2))
        if minute < 60 and hour < 24:
            return "daily", (hour, minute)
    if match := _AT.match(text):
        return "once", as_utc(match.group(1))
    raise ValueError(f"Schedule {expression!r} is not supported here; use cron(M H * * ? *) for every "
                     "day at H:M UTC or at(yyyy-mm-ddThh:mm:ss) for once")


def schedule_due(expression: str, moment: datetime) -> bool:
    """Whether a scheduled action fires in the minute starting at ``moment``."""
    kind, when = parse_schedule(expression)
    if kind == "daily":
        return (moment.hour, moment.minute) == when
    return when.replace(second=0) == moment


def create_target_tracking_alarms(cloudwatch, aas, rid: str) -> list[str]:
    """Create the AlarmHigh/AlarmLow pair AWS would create for each target-tracking policy of ``rid``
    (moto creates none). Names: ``TargetTracking-<rid>-AlarmHigh-<uuid>``. Returns the names."""
    endpoint, variant = rid.split("/")[1], rid.split("/")[3]
    names = []
    for policy in _policies(aas, rid, "TargetTrackingScaling"):
        target = policy["TargetTrackingScalingPolicyConfiguration"]["TargetValue"]
        seed = uuid.uuid5(uuid.NAMESPACE_URL, policy["PolicyARN"])
        pairs = [("AlarmHigh", HIGH_PERIODS, target, "GreaterThanThreshold"),
                 ("AlarmLow", LOW_PERIODS, LOW_FACTOR * target, "LessThanThreshold")]
        for kind, periods, threshold, comparison in pairs:
            name = f"TargetTracking-{rid}-{kind}-{uuid.uuid5(seed, kind)}"
            cloudwatch.put_metric_alarm(
                AlarmName=name, Namespace="AWS/SageMaker", MetricName="InvocationsPerInstance",
                Dimensions=[{"Name": "EndpointName", "Value": endpoint}, {"Name": "VariantName", "Value": variant}],
                Statistic="Sum", Period=60, EvaluationPeriods=periods, DatapointsToAlarm=periods,
                Threshold=float(threshold), ComparisonOperator=comparison, AlarmActions=[policy["PolicyARN"]],
                AlarmDescription=f"DO NOT EDIT OR DELETE. For TargetTrackingScaling policy {policy['PolicyARN']}.")
            names.append(name)
    return names


def _policies(aas, rid: str, kind: str | None = None) -> list[dict]:
    policies = aas.describe_scaling_policies(ServiceNamespace=NAMESPACE, ResourceId=rid)["ScalingPolicies"]
    return [p for p in policies if kind is None or p["PolicyType"] == kind]


# --------------------------------------------------------------------------------------------
# Execution: what Application Auto Scaling would do, minute by minute
# --------------------------------------------------------------------------------------------

@dataclass
class Rule:
    """One alarm wired to one policy, as the engine evaluates it each minute."""

    alarm_name: str
    policy_arn: str
    policy_name: str
    metric: str
    threshold: float
    comparison: str
    periods: int
    datapoints: int
    kind: str                      # "high", "low" (target tracking) or "step"
    config: dict = field(default_factory=dict)
    state: str = "OK"


@dataclass
class Plan:
    """The scaling configuration of one variant, read back from moto."""

    rid: str
    min_capacity: int
    max_capacity: int
    rules: list
    scheduled: list

    @classmethod
    def from_api(cls, aas, cloudwatch, rid: str) -> "Plan":
        targets = aas.describe_scalable_targets(ServiceNamespace=NAMESPACE, ResourceIds=[rid])["ScalableTargets"]
        if not targets:
            raise ValueError(f"{rid} is not registered: call register_variant() (register_scalable_target) first")
        policies = {p["PolicyARN"]: p for p in _policies(aas, rid)}
        rules = [rule for alarm in cloudwatch.describe_alarms()["MetricAlarms"]
                 for rule in _rules_for(alarm, policies)]
        scheduled = aas.describe_scheduled_actions(ServiceNamespace=NAMESPACE, ResourceId=rid)["ScheduledActions"]
        return cls(rid, targets[0]["MinCapacity"], targets[0]["MaxCapacity"], rules, scheduled)


def _rules_for(alarm: dict, policies: dict) -> list[Rule]:
    rules = []
    for arn in alarm.get("AlarmActions", []):
        if arn not in policies:
            continue
        policy = policies[arn]
        if alarm["MetricName"] not in METRIC_COLUMNS:
            raise ValueError(f"alarm {alarm['AlarmName']}: metric {alarm['MetricName']!r} is not simulated; "
                             f"use one of {sorted(METRIC_COLUMNS)}")
        if policy["PolicyType"] == "TargetTrackingScaling":
            kind = "high" if "-AlarmHigh-" in alarm["AlarmName"] else "low"
            config = policy["TargetTrackingScalingPolicyConfiguration"]
        else:
            kind, config = "step", policy["StepScalingPolicyConfiguration"]
        rules.append(Rule(alarm["AlarmName"], arn, policy["PolicyName"], alarm["MetricName"],
                          float(alarm["Threshold"]), alarm["ComparisonOperator"], int(alarm["EvaluationPeriods"]),
                          int(alarm.get("DatapointsToAlarm") or alarm["EvaluationPeriods"]), kind, config))
    return rules


@dataclass
class Fleet:
    """Instances in service, instances starting, and the timestamps cooldowns are measured from."""

    in_service: int
    pending: list = field(default_factory=list)       # minute index at which each one is ready
    last_out: float = -math.inf
    last_any: float = -math.inf
    rule_last: dict = field(default_factory=dict)

    @property
    def desired(self) -> int:
        return self.in_service + len(self.pending)

    def set_desired(self, count: int, minute: int, provisioning: float) -> None:
        if count > self.desired:
            ready = minute + max(1, math.ceil(provisioning))
            self.pending += [ready] * (count - self.desired)
            self.last_out = minute
        elif count < self.desired:
            drop = self.desired - count
            from_pending = min(drop, len(self.pending))
            self.pending = self.pending[:len(self.pending) - from_pending]
            self.in_service -= drop - from_pending
        self.last_any = minute

    def arrive(self, minute: int) -> None:
        ready = sum(1 for m in self.pending if m <= minute)
        self.pending = [m for m in self.pending if m > minute]
        self.in_service += ready


def simulate(aas, cloudwatch, rid: str, requests_per_minute, *, instance_type: str = "ml.m5.large",
             initial_instances: int = 1, workload: Workload | None = None, start=COURSE_EPOCH,
             seed: int = 0, noise: float = 0.03) -> tuple[pd.DataFrame, list[dict]]:
    """Play ``requests_per_minute`` against the variant's scaling configuration (read from moto).

    Returns (one row per minute: traffic, desired and in-service instances, the capacity model's
    metrics; the scaling activities, oldest first, in ``describe_scaling_activities``' shape).
    """
    plan = Plan.from_api(aas, cloudwatch, rid)
    prof, workload = profile(instance_type), workload or Workload()
    arrivals = np.asarray(requests_per_minute, dtype=float)
    index = minute_index(as_utc(start), len(arrivals))
    fleet = Fleet(int(np.clip(initial_instances, plan.min_capacity, plan.max_capacity)))
    bounds = [plan.min_capacity, plan.max_capacity]
    history: dict[str, list] = {column: [] for column in set(METRIC_COLUMNS.values())}
    rows, activities, backlog = [], [], 0.0
    for t, (moment, count) in enumerate(zip(index, arrivals)):
        moment = moment.to_pydatetime()
        _scheduled(plan, moment, bounds, fleet, t, prof, activities)
        fleet.arrive(t)
        served = serve_minute(count, fleet.in_service, prof, workload, backlog)
        backlog = served.backlog
        row = vars(served) | {"instances": fleet.in_service, "desired": fleet.desired,
                              "invocations_per_instance": count / fleet.in_service if fleet.in_service else np.nan}
        rows.append(row)
        for column in history:
            history[column].append(row[column])
        _apply_rules(plan, history, fleet, t, moment, bounds, prof, activities)
    frame = jitter(pd.DataFrame(rows), seed, noise).set_index(index)
    for rule in plan.rules:
        cloudwatch.set_alarm_state(AlarmName=rule.alarm_name, StateValue=rule.state,
                                   StateReason="Evaluated by the monitorlab scaling engine at the end of the run")
    return frame, activities


def _scheduled(plan, moment, bounds, fleet, t, prof, activities) -> None:
    for action in plan.scheduled:
        if not schedule_due(action["Schedule"], moment):
            continue
        target = action["ScalableTargetAction"]
        bounds[0] = target.get("MinCapacity", bounds[0])
        bounds[1] = target.get("MaxCapacity", bounds[1])
        wanted = int(np.clip(fleet.desired, bounds[0], bounds[1]))
        cause = f"scheduled action name {action['ScheduledActionName']} was triggered"
        _record(activities, moment, plan.rid, fleet, wanted, cause, t, prof, force=True)


def _apply_rules(plan, history, fleet, t, moment, bounds, prof, activities) -> None:
    for rule in plan.rules:
        values = history[METRIC_COLUMNS[rule.metric]][-rule.periods:]
        values = [None if v is None or (isinstance(v, float) and math.isnan(v)) else v for v in values]
        if len(values) < rule.periods:
            continue
        rule.state, _ = decide_state(values, rule.threshold, rule.comparison, rule.datapoints, "missing", rule.state)
        if rule.state != "ALARM":
            continue
        wanted = _wanted(rule, values[-1], fleet)
        wanted = int(np.clip(wanted, bounds[0], bounds[1]))
        if wanted == fleet.desired or not _cooled(rule, fleet, t, wanted):
            continue
        cause = f"monitor alarm {rule.alarm_name} in state ALARM triggered policy {rule.policy_name}"
        _record(activities, moment, plan.rid, fleet, wanted, cause, t, prof)
        fleet.rule_last[rule.alarm_name] = t


def _wanted(rule: Rule, value: float, fleet: Fleet) -> int:
    """The desired count a rule asks for, before min/max."""
    if rule.kind in ("high", "low"):
        target = rule.config["TargetValue"]
        if rule.kind == "low" and rule.config.get("DisableScaleIn"):
            return fleet.desired
        return max(1, math.ceil(round(fleet.in_service * value / target, 9)))
    step = step_adjustment(rule.config["StepAdjustments"], value - rule.threshold)
    if step is None:
        return fleet.desired
    kind = rule.config["AdjustmentType"]
    if kind == "ExactCapacity":
        return step
    if kind == "PercentChangeInCapacity":
        change = fleet.desired * step / 100
        return fleet.desired + int(math.copysign(max(1, abs(math.trunc(change))), change)) if change else fleet.desired
    return fleet.desired + step


def step_adjustment(steps: list[dict], difference: float) -> int | None:
    """The ``ScalingAdjustment`` of the step whose bounds (relative to the alarm threshold) hold
    ``difference``: lower bound inclusive, upper bound exclusive, a missing bound is infinite."""
    for step in steps:
        lower = step.get("MetricIntervalLowerBound", -math.inf)
        upper = step.get("MetricIntervalUpperBound", math.inf)
        if lower <= difference < upper:
            return int(step["ScalingAdjustment"])
    return None


def _cooled(rule: Rule, fleet: Fleet, t: int, wanted: int) -> bool:
    """Whether the rule may act now (cooldowns in seconds, the clock in minutes)."""
    if rule.kind == "step":
        last = fleet.rule_last.get(rule.alarm_name, -math.inf)
        return (t - last) * 60 >= rule.config.get("Cooldown", DEFAULT_COOLDOWN)
    if wanted > fleet.desired:
        return (t - fleet.last_out) * 60 >= rule.config.get("ScaleOutCooldown", DEFAULT_COOLDOWN)
    return (t - fleet.last_any) * 60 >= rule.config.get("ScaleInCooldown", DEFAULT_COOLDOWN)


def _record(activities, moment, rid, fleet, wanted, cause, t, prof, force=False) -> None:
    if wanted == fleet.desired and not force:
        return
    before = fleet.desired
    if wanted != before:
        fleet.set_desired(wanted, t, prof.provisioning_minutes)
    activities.append({
        "ActivityId": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{rid}/{t}/{len(activities)}")),
        "ServiceNamespace": NAMESPACE, "ResourceId": rid, "ScalableDimension": DIMENSION,
        "Description": f"Setting desired instance count to {wanted}.",
        "Cause": f"At {moment:%Y-%m-%dT%H:%M:%SZ} a {cause}, changing the desired capacity from {before} to {wanted}.",
        "StartTime": moment, "EndTime": moment + timedelta(minutes=prof.provisioning_minutes if wanted > before else 0),
        "StatusCode": "Successful"})


def instance_minutes(frame: pd.DataFrame) -> float:
    """Billed instance-minutes: SageMaker bills every instance from launch, so count ``desired``
    (starting instances cost money before they serve)."""
    return float(frame["desired"].sum())
