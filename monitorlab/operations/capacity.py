"""How many requests an endpoint instance serves, at what latency and utilisation.

moto's endpoints serve nothing (MOTO.md), and the module-01 endpoint draws latencies that ignore
load. This capacity model is what makes ``ModelLatency``, ``OverheadLatency``, the instance
utilisation metrics and the errors respond to traffic, minute by minute, so the scaling engine
(:mod:`.scaling`) has something real to react to.

The model, per minute (every constant is a course assumption, not an AWS figure; AWS publishes no
capacity numbers because they depend on your model):

* one instance serves at most ``capacity_rps = profile.rps * workload.speedup / workload.model_cost``
  requests per second; ``load = offered / (instances * capacity_rps)``;
* requests beyond capacity wait in the model server's queue (``backlog``, carried to the next
  minute); past ``max_queue_seconds`` of work the container refuses them, counted as
  ``Invocation5XXErrors`` (AWS: a saturated container answers 5XX; the platform does not queue);
* ``ModelLatency`` = service time x ``1 / (1 - min(load, 0.95))`` (an M/M/1-style wait inside the
  container) + the time to drain the backlog; it is measured inside the container, so queueing
  counts here, not in overhead;
* ``OverheadLatency`` = ``overhead_ms + per_kb_ms * payload_kb``: SageMaker's own time (auth,
  routing, payload transfer); only the payload moves it;
* ``CPUUtilization`` = ``vcpus * 100 * (idle + (1 - idle) * min(load, 1))``: SageMaker reports
  the **sum over vCPUs**, so 4 busy vCPUs read 400 %; ``MemoryUtilization`` and
  ``DiskUtilization`` are percentages of the instance's memory and disk.

Metric names, namespaces and units are AWS's (DG: monitoring-cloudwatch): ``AWS/SageMaker`` holds
the invocation metrics (latencies in microseconds), ``/aws/sagemaker/Endpoints`` the instance
metrics, both with dimensions ``EndpointName`` and ``VariantName``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

from monitorlab.account.cloudwatch import dimensions, put_metrics

INVOCATION_NAMESPACE = "AWS/SageMaker"
INSTANCE_NAMESPACE = "/aws/sagemaker/Endpoints"
MAX_LOAD_FOR_WAIT = 0.95


@dataclass(frozen=True)
class InstanceProfile:
    """What one instance of a type does for the course model (course assumptions)."""

    instance_type: str
    vcpus: int
    memory_gib: float
    rps: float                   # requests per second at 100 % CPU, 1 KB payload
    service_ms: float            # model time per request on an idle instance
    provisioning_minutes: float = 6.0   # a new instance is InService this long after scale-out
    idle_cpu: float = 0.03


#: Course figures for the course model (a scikit-learn pipeline); see the module docstring.
PROFILES = {p.instance_type: p for p in (
    InstanceProfile("ml.t2.medium", 2, 4, rps=12, service_ms=14),
    InstanceProfile("ml.m5.large", 2, 8, rps=25, service_ms=8),
    InstanceProfile("ml.m5.xlarge", 4, 16, rps=50, service_ms=8),
    InstanceProfile("ml.c5.xlarge", 4, 8, rps=60, service_ms=6.5),
    InstanceProfile("ml.c7g.xlarge", 4, 8, rps=66, service_ms=6),
    InstanceProfile("ml.inf1.xlarge", 4, 8, rps=90, service_ms=4),
    InstanceProfile("ml.g4dn.xlarge", 4, 16, rps=110, service_ms=3.5, provisioning_minutes=9),
)}


@dataclass(frozen=True)
class Workload:
    """What a request costs: payload size, model cost (1 = the course model), model memory."""

    payload_kb: float = 1.0
    model_cost: float = 1.0      # 3.0 = a model three times as slow per request
    model_memory_gib: float = 1.2
    overhead_ms: float = 2.5
    per_kb_ms: float = 0.04      # payload transfer and deserialisation outside the container
    disk_percent: float = 18.0
    max_queue_seconds: float = 20.0

    def __post_init__(self):
        for name in ("payload_kb", "model_cost", "model_memory_gib", "max_queue_seconds"):
            if not getattr(self, name) > 0:
                raise ValueError(f"Workload.{name} must be > 0, got {getattr(self, name)!r}")


def profile(instance_type: str) -> InstanceProfile:
    """The :class:`InstanceProfile` of ``instance_type``, or a ``ValueError`` listing the known ones."""
    if instance_type not in PROFILES:
        raise ValueError(f"no capacity profile for instance_type {instance_type!r}; "
                         f"use one of {sorted(PROFILES)}")
    return PROFILES[instance_type]


def capacity_rps(prof: InstanceProfile, workload: Workload) -> float:
    """Requests per second one instance serves at 100 % CPU: ``rps / model_cost``."""
    return prof.rps / workload.model_cost


@dataclass
class Minute:
    """One minute of one variant, as its CloudWatch metrics would show it."""

    invocations: int
    errors_5xx: int
    model_latency_us: float
    overhead_latency_us: float
    cpu: float
    memory: float
    disk: float
    backlog: float
    load: float


def serve_minute(arrivals: float, instances: int, prof: InstanceProfile, workload: Workload,
                 backlog: float = 0.0) -> Minute:
    """Serve one minute of ``arrivals`` requests on ``instances`` in-service instances.

    ``backlog`` is the queue left from the previous minute; the result's ``backlog`` is the queue
    left for the next one. With 0 instances every request fails (5XX).
    """
    if instances < 0 or arrivals < 0:
        raise ValueError("arrivals and instances must be >= 0")
    overhead_us = (workload.overhead_ms + workload.per_kb_ms * workload.payload_kb) * 1000
    if instances == 0:
        return Minute(int(round(arrivals)), int(round(arrivals + backlog)), 0.0, overhead_us,
                      0.0, 0.0, 0.0, 0.0, np.inf)
    per_second = instances * capacity_rps(prof, workload)
    can_serve = per_second * 60.0
    offered = arrivals + backlog
    load = offered / can_serve
    served = min(offered, can_serve)
    queue = offered - served
    limit = per_second * workload.max_queue_seconds
    refused = max(0.0, queue - limit)
    queue -= refused
    service_us = prof.service_ms * workload.model_cost * 1000
    wait = 1.0 / (1.0 - min(load, MAX_LOAD_FOR_WAIT))
    drain_us = (queue / per_second) * 1e6 / 2 if queue else 0.0   # average wait of a queued request
    cpu = prof.vcpus * 100 * (prof.idle_cpu + (1 - prof.idle_cpu) * min(load, 1.0))
    memory = 100 * (workload.model_memory_gib + 0.6 + 0.4 * min(load, 1.0)) / prof.memory_gib
    return Minute(int(round(arrivals)), int(round(refused)), service_us * wait + drain_us, overhead_us,
                  cpu, min(memory, 100.0), workload.disk_percent, queue, load)


def simulate_load(requests_per_minute, instances, instance_type: str = "ml.m5.large",
                  workload: Workload | None = None, *, start: datetime | None = None,
                  seed: int = 0, noise: float = 0.03) -> pd.DataFrame:
    """Minute-by-minute metrics for a fixed fleet: one row per minute (see :class:`Minute`).

    ``instances`` is one count for every minute or a sequence as long as the traffic. A seeded
    multiplicative jitter of ``noise`` makes the latencies look measured; ``noise=0`` is exact.
    """
    arrivals = np.asarray(requests_per_minute, dtype=float)
    fleet = np.broadcast_to(np.asarray(instances, dtype=int), arrivals.shape)
    prof, workload = profile(instance_type), workload or Workload()
    rows, backlog = [], 0.0
    for count, n in zip(arrivals, fleet):
        minute = serve_minute(count, int(n), prof, workload, backlog)
        backlog = minute.backlog
        rows.append(vars(minute) | {"instances": int(n)})
    frame = pd.DataFrame(rows)
    return jitter(frame, seed, noise).set_index(minute_index(start, len(frame)))


def jitter(frame: pd.DataFrame, seed: int, noise: float) -> pd.DataFrame:
    """Multiply the latency columns by a seeded lognormal factor (sd ``noise``)."""
    rng = np.random.default_rng(seed)
    out = frame.copy()
    for column in ("model_latency_us", "overhead_latency_us"):
        out[column] = (out[column] * rng.lognormal(0.0, noise, len(out))).round(1)
    return out


def minute_index(start: datetime | None, length: int) -> pd.DatetimeIndex:
    """UTC minute timestamps from ``start`` (default the course epoch)."""
    from monitorlab.account.clock import COURSE_EPOCH
    return pd.date_range(start or COURSE_EPOCH, periods=length, freq="min", tz="UTC", name="minute")


def metric_datums(frame: pd.DataFrame, endpoint: str, variant: str = "AllTraffic") -> dict[str, list]:
    """CloudWatch datums per namespace for a frame from :func:`simulate_load` (or the scaler).

    ``AWS/SageMaker``: Invocations, InvocationsPerInstance, Invocation5XXErrors (Count),
    ModelLatency, OverheadLatency (Microseconds); ``/aws/sagemaker/Endpoints``: CPUUtilization,
    MemoryUtilization, DiskUtilization (Percent).
    """
    dims = dimensions(EndpointName=endpoint, VariantName=variant)
    per_instance = frame["invocations"] / frame["instances"].where(frame["instances"] > 0)
    columns = {
        INVOCATION_NAMESPACE: [("Invocations", frame["invocations"], "Count"),
                               ("InvocationsPerInstance", per_instance, "Count"),
                               ("Invocation5XXErrors", frame["errors_5xx"], "Count"),
                               ("ModelLatency", frame["model_latency_us"], "Microseconds"),
                               ("OverheadLatency", frame["overhead_latency_us"], "Microseconds")],
        INSTANCE_NAMESPACE: [("CPUUtilization", frame["cpu"], "Percent"),
                             ("MemoryUtilization", frame["memory"], "Percent"),
                             ("DiskUtilization", frame["disk"], "Percent")]}
    out = {}
    for namespace, series in columns.items():
        out[namespace] = [{"MetricName": name, "Dimensions": dims, "Timestamp": moment.to_pydatetime(),
                           "Value": float(value), "Unit": unit}
                          for name, values, unit in series
                          for moment, value in values.items() if pd.notna(value)]
    return out


def publish(cloudwatch, frame: pd.DataFrame, endpoint: str, variant: str = "AllTraffic") -> int:
    """Send :func:`metric_datums` to CloudWatch in batches; returns the number of calls."""
    return sum(put_metrics(cloudwatch, namespace, datums)
               for namespace, datums in metric_datums(frame, endpoint, variant).items())


def spike_day(base_rps: float = 8.0, peak_rps: float = 40.0, *, spike_start_hour: float = 13.0,
              spike_hours: float = 1.5, seed: int = 0) -> np.ndarray:
    """Requests per minute over one day: a business-hours curve, a sudden spike, seeded noise.

    ``base_rps`` is the night-time rate, the day peaks near ``2.5 x base_rps`` at 14:00 UTC, and
    from ``spike_start_hour`` for ``spike_hours`` the rate jumps to ``peak_rps``.
    """
    hours = np.arange(24 * 60) / 60.0
    daily = base_rps * (1 + 1.5 * np.exp(-((hours - 14.0) / 4.0) ** 2))
    spike = (hours >= spike_start_hour) & (hours < spike_start_hour + spike_hours)
    rate = np.where(spike, peak_rps, daily)
    rng = np.random.default_rng(seed)
    return rng.poisson(rate * 60).astype(float)
