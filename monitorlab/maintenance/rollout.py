"""Deployment guardrails: production variants (A/B), shadow variants, and blue/green rollouts
with canary or linear traffic shifting, baking periods and automatic rollback on an alarm.

What moto does (MOTO.md): it stores endpoint configs with several ``ProductionVariants`` and their
weights, and ``update_endpoint_weights_and_capacities`` works. It drops
``ShadowProductionVariants``, ignores ``TargetVariant``, and ``update_endpoint`` (the call that
carries a ``DeploymentConfig``) is not implemented. So the engine routes, copies and shifts traffic
itself, on the simulated clock, through one :class:`~monitorlab.serving.endpoint.LocalEndpoint` per
variant or fleet: each request really goes through a model, Data Capture and the endpoint's
CloudWatch metrics, so the alarm that rolls a deployment back is evaluated from real data
(:mod:`monitorlab.account.alarms`).

SageMaker semantics followed (Developer Guide, "Deployment guardrails", "Blue/Green deployments",
"Shadow variants"; API ``DeploymentConfig``):

* **All at once**: 100 % of traffic moves to the new (green) fleet, then a baking period of
  ``WaitIntervalInSeconds`` watches the alarms.
* **Canary**: ``CanarySize`` percent moves first and bakes ``WaitIntervalInSeconds``; then the
  rest moves and bakes again.
* **Linear**: ``LinearStepSize`` percent more every ``WaitIntervalInSeconds`` until 100 %; the last
  step's wait is the final baking period.
* Any alarm of ``AutoRollbackConfiguration.Alarms`` in ``ALARM`` at any time during the shift or
  a baking period sends **all** traffic back to the blue fleet; the endpoint keeps its old config.
* On success the blue fleet is terminated after ``TerminationWaitInSeconds``.

Engine choices where AWS leaves room (taught in module 08): sizes are given as
``CAPACITY_PERCENT`` and applied as the share of *requests* (AWS shifts instance capacity, which
routes the same share of requests when instances are equal); alarms are evaluated at the end of
every simulated minute; the final bake after a canary lasts ``WaitIntervalInSeconds`` too. At the
end of a successful rollout the engine re-creates the endpoint on the new config
(``delete_endpoint`` + ``create_endpoint``), because moto has no ``update_endpoint``; AWS swaps it
in place with no downtime.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from monitorlab.account.alarms import evaluate_alarm
from monitorlab.account.clock import SimClock
from monitorlab.serving.endpoint import SKLEARN_IMAGE, LocalEndpoint
from monitorlab.serving.model import upload_model

ROUTING_TYPES = ("ALL_AT_ONCE", "CANARY", "LINEAR")


# --------------------------------------------------------------------------------------------
# Configuration: DeploymentConfig and the shift plan it implies
# --------------------------------------------------------------------------------------------

def deployment_config(routing: str = "CANARY", *, wait_seconds: int = 300, canary_percent: float = 10,
                      linear_percent: float = 25, termination_wait_seconds: int = 300,
                      alarms: tuple[str, ...] = (), max_timeout_seconds: int = 3600) -> dict:
    """The ``DeploymentConfig`` of ``update_endpoint``, as the API takes it."""
    if routing not in ROUTING_TYPES:
        raise ValueError(f"routing must be one of {ROUTING_TYPES}, got {routing!r}")
    routing_config = {"Type": routing, "WaitIntervalInSeconds": int(wait_seconds)}
    if routing == "CANARY":
        routing_config["CanarySize"] = {"Type": "CAPACITY_PERCENT", "Value": canary_percent}
    if routing == "LINEAR":
        routing_config["LinearStepSize"] = {"Type": "CAPACITY_PERCENT", "Value": linear_percent}
    config = {"BlueGreenUpdatePolicy": {
        "TrafficRoutingConfiguration": routing_config,
        "TerminationWaitInSeconds": int(termination_wait_seconds),
        "MaximumExecutionTimeoutInSeconds": int(max_timeout_seconds)}}
    if alarms:
        config["AutoRollbackConfiguration"] = {"Alarms": [{"AlarmName": a} for a in alarms]}
    return config


def shift_plan(config: dict) -> list[tuple[int, float]]:
    """``[(seconds from the start, green share from then on), ...]`` and, last, the end of the
    final baking period with share 1.0: the stages a ``DeploymentConfig`` walks through.

    >>> shift_plan(deployment_config("CANARY", wait_seconds=600, canary_percent=10))
    [(0, 0.1), (600, 1.0), (1200, 1.0)]
    """
    try:
        routing = config["BlueGreenUpdatePolicy"]["TrafficRoutingConfiguration"]
        kind, wait = routing["Type"], int(routing["WaitIntervalInSeconds"])
    except (KeyError, TypeError):
        raise ValueError("DeploymentConfig needs BlueGreenUpdatePolicy.TrafficRoutingConfiguration "
                         "with Type and WaitIntervalInSeconds; build it with deployment_config()") from None
    if kind == "ALL_AT_ONCE":
        shares = [1.0]
    elif kind == "CANARY":
        shares = [_percent(routing, "CanarySize") / 100, 1.0]
    elif kind == "LINEAR":
        step = _percent(routing, "LinearStepSize") / 100
        shares = [min(1.0, step * k) for k in range(1, int(np.ceil(1 / step - 1e-9)) + 1)]
    else:
        raise ValueError(f"TrafficRoutingConfiguration.Type must be one of {ROUTING_TYPES}, got {kind!r}")
    return [(wait * i, share) for i, share in enumerate(shares)] + [(wait * len(shares), 1.0)]


def _percent(routing: dict, key: str) -> float:
    size = routing.get(key) or {}
    value = size.get("Value")
    if size.get("Type") != "CAPACITY_PERCENT" or not isinstance(value, (int, float)) or not 0 < value <= 100:
        raise ValueError(f"{key} must be {{'Type': 'CAPACITY_PERCENT', 'Value': 0 < v <= 100}}, got {size!r}")
    return float(value)


def share_at(plan: list[tuple[int, float]], seconds: float) -> float:
    """The green share in force ``seconds`` after the deployment started."""
    share = 0.0
    for start, value in plan:
        if seconds >= start:
            share = value
    return share


# --------------------------------------------------------------------------------------------
# Deploying several variants on moto
# --------------------------------------------------------------------------------------------

def deploy_config(sm, s3, account, endpoint_name: str, config_name: str, variants: list[dict], *,
                  capture_config: dict | None = None) -> dict:
    """Upload each variant's model and create its Model and one EndpointConfig holding them all.

    ``variants``: ``[{"name": "A", "model": fitted_pipeline, "weight": 0.9}, ...]``. Returns
    ``{variant name: model data URL}``. The endpoint itself is created (or swapped) by the caller.
    """
    if not variants:
        raise ValueError("variants must list at least one {'name', 'model', 'weight'}")
    production, urls = [], {}
    for variant in variants:
        name = variant["name"]
        model_name = f"{config_name}-{name}".lower()
        urls[name] = upload_model(s3, account.bucket, f"models/{model_name}/model.tar.gz", variant["model"])
        sm.create_model(ModelName=model_name, ExecutionRoleArn=account.role_arn,
                        PrimaryContainer={"Image": SKLEARN_IMAGE, "ModelDataUrl": urls[name]})
        production.append({"VariantName": name, "ModelName": model_name, "InitialInstanceCount": 1,
                           "InstanceType": "ml.m5.large", "InitialVariantWeight": float(variant["weight"])})
    kwargs = {"EndpointConfigName": config_name, "ProductionVariants": production}
    if capture_config is not None:
        kwargs["DataCaptureConfig"] = capture_config
    sm.create_endpoint_config(**kwargs)
    return urls


def current_weights(sm, endpoint_name: str) -> dict[str, float]:
    """``{variant: CurrentWeight}`` as ``describe_endpoint`` reports it."""
    variants = sm.describe_endpoint(EndpointName=endpoint_name)["ProductionVariants"]
    return {v["VariantName"]: float(v.get("CurrentWeight", v.get("DesiredWeight", 1.0))) for v in variants}


# --------------------------------------------------------------------------------------------
# A/B and shadow routing
# --------------------------------------------------------------------------------------------

class VariantRouter:
    """Route requests to production variants by weight (or ``TargetVariant``), and copy them to
    a shadow variant whose replies are captured but never returned.

    ``variants`` maps variant names to their :class:`LocalEndpoint` (each with its own clock, since
    the fleets serve in parallel). Weights are read from moto (``describe_endpoint``), so
    ``update_endpoint_weights_and_capacities`` changes the split, as on AWS. A variant is chosen
    with probability weight / sum of weights (one seeded draw per request).
    """

    def __init__(self, sm, endpoint_name: str, variants: dict[str, LocalEndpoint], *,
                 shadow: LocalEndpoint | None = None, shadow_fraction: float = 1.0, seed: int = 0):
        if not 0 < shadow_fraction <= 1:
            raise ValueError(f"shadow_fraction must be in (0, 1], got {shadow_fraction}")
        self.sm, self.endpoint_name, self.variants = sm, endpoint_name, dict(variants)
        self.shadow, self.shadow_fraction = shadow, shadow_fraction
        self._rng = np.random.default_rng([seed, 81])

    def weights(self) -> dict[str, float]:
        weights = current_weights(self.sm, self.endpoint_name)
        unknown = set(weights) - set(self.variants)
        if unknown:
            raise ValueError(f"variants {sorted(unknown)} have weight on the endpoint but no "
                             "LocalEndpoint in this router; pass them in variants=")
        return weights

    def assign(self, n: int, target_variant: str | None = None) -> np.ndarray:
        """The variant each of ``n`` requests goes to."""
        if target_variant is not None:
            if target_variant not in self.variants:
                raise ValueError(f"TargetVariant {target_variant!r} is not a variant of "
                                 f"{self.endpoint_name!r}; choose one of {sorted(self.variants)}")
            return np.full(n, target_variant, dtype=object)
        weights = self.weights()
        names = sorted(weights)
        total = sum(weights.values())
        if total <= 0:
            raise ValueError("every variant weight is 0: no variant can take traffic")
        edges = np.cumsum([weights[name] / total for name in names])
        index = np.minimum(np.searchsorted(edges, self._rng.random(n), side="right"), len(names) - 1)
        return np.asarray(names, dtype=object)[index]

    def invoke_endpoint(self, *, EndpointName: str, Body, TargetVariant: str | None = None, **kwargs) -> dict:
        """``invoke_endpoint`` with ``TargetVariant``: the chosen variant answers; a shadow copy
        is served and captured, and its reply dropped."""
        name = self.assign(1, TargetVariant)[0]
        if self.shadow is not None and self._rng.random() < self.shadow_fraction:
            self.shadow.clock.advance_to(max(self.shadow.clock.now(), self.variants[name].clock.now()))
            self.shadow.invoke_endpoint(EndpointName=EndpointName, Body=Body, **kwargs)
        return self.variants[name].invoke_endpoint(EndpointName=EndpointName, Body=Body, **kwargs)

    def replay(self, traffic, *, target_variant: str | None = None) -> dict[str, int]:
        """Replay a traffic frame through the router; returns requests per variant (and shadow)."""
        frame = getattr(traffic, "requests", traffic)
        chosen = self.assign(len(frame), target_variant)
        counts = {}
        for name, endpoint in self.variants.items():
            part = frame[chosen == name]
            if len(part):
                endpoint.replay(part)
            counts[name] = int(len(part))
        if self.shadow is not None:
            copied = frame[self._rng.random(len(frame)) < self.shadow_fraction]
            if len(copied):
                self.shadow.replay(copied)
            counts[f"shadow:{self.shadow.variant_name}"] = int(len(copied))
        return counts


# --------------------------------------------------------------------------------------------
# Blue/green with traffic shifting and automatic rollback
# --------------------------------------------------------------------------------------------

@dataclass
class DeploymentResult:
    """What happened: the final status, when and why it rolled back, and a per-minute timeline."""

    status: str                       # "Succeeded" or "RolledBack"
    timeline: pd.DataFrame            # minute, green_share, blue/green requests and 5XX, alarm
    rollback_time: object = None
    reason: str = ""
    events: list[dict] = field(default_factory=list)


def run_blue_green(blue: LocalEndpoint, green: LocalEndpoint, config: dict, traffic, *,
                   cloudwatch, clock: SimClock, seed: int = 0) -> DeploymentResult:
    """Shift ``traffic`` (requests with timestamps from the next whole minute on) from ``blue`` to
    ``green`` as ``config`` says, evaluating the rollback alarms at the end of every minute.

    Requests after the plan's end all go to green (success) or blue (rolled back).
    """
    plan = shift_plan(config)
    alarms = [a["AlarmName"] for a in config.get("AutoRollbackConfiguration", {}).get("Alarms", [])]
    frame = getattr(traffic, "requests", traffic)
    times = pd.to_datetime(frame["timestamp"], utc=True)
    start = pd.Timestamp(clock.now()).ceil("min")     # CloudWatch periods start on whole minutes
    clock.advance_to(start.to_pydatetime())
    if len(frame) and times.min() < start:
        raise ValueError("traffic starts before the deployment: give requests from clock.now() on")
    rng = np.random.default_rng([seed, 82])
    rows, events, rolled_back, reason, when = [], [], False, "", None
    minutes = int(np.ceil((times.max() - start).total_seconds() / 60)) if len(frame) else 0
    for minute in range(max(minutes, plan[-1][0] // 60)):
        lo, hi = start + pd.Timedelta(minutes=minute), start + pd.Timedelta(minutes=minute + 1)
        share = 0.0 if rolled_back else share_at(plan, minute * 60)
        part = frame[((times >= lo) & (times < hi)).to_numpy()]
        to_green = rng.random(len(part)) < share
        served = {name: _serve(fleet, part[mask]) for name, fleet, mask in
                  (("blue", blue, ~to_green), ("green", green, to_green))}
        clock.advance_to(hi.to_pydatetime())
        states = {name: evaluate_alarm(cloudwatch, name, hi.to_pydatetime()).new_state for name in alarms}
        firing = sorted(name for name, state in states.items() if state == "ALARM")
        rows.append({"minute": lo, "green_share": share, **{f"{k}_{m}": v[m] for k, v in served.items()
                                                             for m in ("requests", "errors_5xx")},
                     "alarm": "ALARM" if firing else "OK"})
        if firing and not rolled_back and minute * 60 < plan[-1][0]:
            rolled_back, when = True, hi
            reason = f"alarm {firing[0]} went to ALARM {minute + 1} min into the deployment"
            events.append({"time": hi, "event": "rollback", "detail": reason})
    status = "RolledBack" if rolled_back else "Succeeded"
    return DeploymentResult(status, pd.DataFrame(rows), when, reason, events)


def _serve(fleet: LocalEndpoint, part: pd.DataFrame) -> dict[str, int]:
    before = fleet.counts["errors_5xx"]
    if len(part):
        fleet.replay(part)
    else:
        fleet.flush()
    return {"requests": int(len(part)), "errors_5xx": fleet.counts["errors_5xx"] - before}


def finish_deployment(sm, endpoint_name: str, new_config_name: str, result: DeploymentResult) -> str:
    """Point the endpoint at the new config after a successful rollout; returns the live config.

    moto has no ``update_endpoint``: the engine deletes and re-creates the endpoint on the new
    config (AWS swaps it in place). After a rollback the old config stays, as on AWS.
    """
    if result.status == "Succeeded":
        sm.delete_endpoint(EndpointName=endpoint_name)
        sm.create_endpoint(EndpointName=endpoint_name, EndpointConfigName=new_config_name)
    return sm.describe_endpoint(EndpointName=endpoint_name)["EndpointConfigName"]


def fleet(sandbox, endpoint_name: str, *, start, model=None, variant_name: str | None = None,
          config_name: str | None = None, seed: int = 0) -> LocalEndpoint:
    """A :class:`LocalEndpoint` for one variant or fleet, with its own clock starting at ``start``."""
    return LocalEndpoint.from_sandbox(sandbox, endpoint_name, clock=SimClock(start), model=model,
                                      variant_name=variant_name, endpoint_config_name=config_name,
                                      seed=seed)


class BrokenRelease:
    """A deliberately bad release for the lesson: the model is fine, but its packaging bug makes
    the inference code return NaN for every request with ``capital_gain`` above 0 and for
    ``fraction`` of the others (seeded), so the container answers HTTP 500 for those requests.

    It stands for the everyday release bug (a wrong feature order, a missing dependency) that
    offline evaluation cannot see and a canary catches.
    """

    def __init__(self, model, fraction: float = 0.3, seed: int = 0):
        self.model, self.fraction = model, fraction
        self._rng = np.random.default_rng([seed, 83])

    def predict_proba(self, frame: pd.DataFrame) -> np.ndarray:
        probabilities = np.asarray(self.model.predict_proba(frame), dtype=float).copy()
        broken = (frame["capital_gain"].to_numpy(float) > 0) | (self._rng.random(len(frame)) < self.fraction)
        probabilities[broken, :] = np.nan
        return probabilities
