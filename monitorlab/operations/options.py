"""SageMaker's four inference options on one workload: limits, cold starts, what each bills.

Limits (SageMaker DG "Inference options", "Serverless Inference", "Asynchronous Inference",
"Batch transform"; the service quotas in force when this was written):

| option | max request payload | max processing time | scales to zero | bills |
|---|---|---|---|---|
| real-time | 6 MB | 60 s | no (min 1 instance) | instance-hours, always on |
| serverless | 4 MB | 60 s | yes | GB-seconds of compute + data processed |
| asynchronous | 1 GB (payload in S3) | 1 hour | yes (autoscaling MinCapacity 0) | instance-hours while running |
| batch transform | 100 MB per mini-batch (``MaxPayloadInMB``) | days (no per-request limit) | yes (job ends) | instance-hours of the job |

The serverless model here (:func:`serverless_day`) is the engine's, on the simulated clock: moto
stores a ``ServerlessConfig`` but runs nothing. Containers needed per minute follow Little's law
(``ceil(requests per second x duration)``); a container stays warm ``keep_warm_minutes`` after its
last use (AWS documents no figure: we chose 10); a request that needs a container beyond the warm
and provisioned ones pays a cold start; beyond ``MaxConcurrency`` requests are throttled
(``ThrottlingException``, HTTP 429).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

LIMITS = {
    "real-time": {"max_payload_mb": 6, "max_seconds": 60, "scales_to_zero": False},
    "serverless": {"max_payload_mb": 4, "max_seconds": 60, "scales_to_zero": True},
    "async": {"max_payload_mb": 1024, "max_seconds": 3600, "scales_to_zero": True},
    "batch": {"max_payload_mb": 100, "max_seconds": None, "scales_to_zero": True},
}
SERVERLESS_MEMORY_MB = (1024, 2048, 3072, 4096, 5120, 6144)
SERVERLESS_MAX_CONCURRENCY = 200
KEEP_WARM_MINUTES = 10


def limit_problems(option: str, payload_mb: float, seconds: float) -> list[str]:
    """Why a request of ``payload_mb`` taking ``seconds`` cannot use ``option`` (empty: it can)."""
    if option not in LIMITS:
        raise ValueError(f"option {option!r}: use one of {sorted(LIMITS)}")
    limits, problems = LIMITS[option], []
    if payload_mb > limits["max_payload_mb"]:
        problems.append(f"payload {payload_mb:g} MB > {option}'s {limits['max_payload_mb']} MB")
    if limits["max_seconds"] is not None and seconds > limits["max_seconds"]:
        problems.append(f"processing {seconds:g} s > {option}'s {limits['max_seconds']} s")
    return problems


def serverless_config(memory_mb: int, max_concurrency: int, provisioned: int = 0) -> dict:
    """A ``ServerlessConfig`` for ``create_endpoint_config``'s production variant, validated."""
    if memory_mb not in SERVERLESS_MEMORY_MB:
        raise ValueError(f"MemorySizeInMB must be one of {SERVERLESS_MEMORY_MB}, got {memory_mb!r}")
    if not 1 <= max_concurrency <= SERVERLESS_MAX_CONCURRENCY:
        raise ValueError(f"MaxConcurrency must be 1-{SERVERLESS_MAX_CONCURRENCY}, got {max_concurrency!r}")
    if not 0 <= provisioned <= max_concurrency:
        raise ValueError(f"ProvisionedConcurrency must be 0-MaxConcurrency ({max_concurrency}), got {provisioned!r}")
    config = {"MemorySizeInMB": memory_mb, "MaxConcurrency": max_concurrency}
    if provisioned:
        config["ProvisionedConcurrency"] = provisioned
    return config


def serverless_day(requests_per_minute, *, memory_mb: int = 2048, max_concurrency: int = 20,
                   provisioned: int = 0, duration_ms: float = 60.0, cold_start_ms: float = 2500.0,
                   keep_warm_minutes: int = KEEP_WARM_MINUTES) -> pd.DataFrame:
    """Per minute: containers needed, cold starts, throttled requests, GB-seconds billed.

    ``containers = ceil(rpm / 60 x duration_s)``; ``cold_starts = max(0, containers - warm)`` with
    ``warm = max(provisioned, containers used in the previous keep_warm_minutes)``; requests
    beyond ``MaxConcurrency`` containers are throttled; on-demand GB-seconds are
    ``served x duration_s x memory_gb`` plus each cold start's ``cold_start_s x memory_gb``.
    """
    serverless_config(memory_mb, max_concurrency, provisioned)
    rpm = np.asarray(requests_per_minute, dtype=float)
    needed = np.ceil(rpm / 60.0 * duration_ms / 1000.0).astype(int)
    used = np.minimum(needed, max_concurrency)
    throttled = np.where(needed > max_concurrency, rpm * (1 - max_concurrency / np.maximum(needed, 1)), 0.0)
    warm_before = np.array([max([provisioned, *used[max(0, t - keep_warm_minutes):t]]) for t in range(len(used))])
    cold = np.maximum(0, used - warm_before)
    memory_gb = memory_mb / 1024
    served = rpm - throttled
    return pd.DataFrame({"requests": rpm, "containers": used, "cold_starts": cold,
                         "throttled": np.round(throttled), "served": served,
                         "gb_seconds": (served * duration_ms / 1000 + cold * cold_start_ms / 1000) * memory_gb})


def batch_hours(rows: int, rows_per_second_per_instance: float, instances: int = 1,
                startup_minutes: float = 5.0) -> float:
    """Billed instance-hours of one batch transform job: start-up plus ``rows / throughput``."""
    if rows_per_second_per_instance <= 0 or instances < 1:
        raise ValueError("rows_per_second_per_instance must be > 0 and instances >= 1")
    seconds = rows / (rows_per_second_per_instance * instances)
    return instances * (startup_minutes / 60 + seconds / 3600)


def async_instance_minutes(requests_per_minute, capacity_per_minute: float, *,
                           scale_in_after_minutes: int = 15, start_minutes: int = 6) -> tuple[np.ndarray, np.ndarray]:
    """(instances per minute, queue per minute) of an async endpoint with MinCapacity 0 and 1 instance.

    Requests wait in the internal queue; an instance starts when the queue is non-empty (ready after
    ``start_minutes``) and stops after ``scale_in_after_minutes`` with an empty queue.
    """
    rpm = np.asarray(requests_per_minute, dtype=float)
    running, ready_at, idle, queue = 0, None, 0, 0.0
    instances, backlog = np.zeros(len(rpm), int), np.zeros(len(rpm))
    for t, count in enumerate(rpm):
        queue += count
        if queue > 0 and running == 0 and ready_at is None:
            ready_at = t + start_minutes
        if ready_at is not None and t >= ready_at:
            running, ready_at = 1, None
        if running:
            queue = max(0.0, queue - capacity_per_minute)
            idle = idle + 1 if queue == 0 and count == 0 else 0
            if idle >= scale_in_after_minutes:
                running, idle = 0, 0
        instances[t] = running or (1 if ready_at is not None else 0)   # a starting instance is billed
        backlog[t] = queue
    return instances, backlog


def containers_for(requests_per_second: float, duration_ms: float) -> int:
    """Little's law: concurrent containers needed = ``ceil(rate x duration)``."""
    return math.ceil(requests_per_second * duration_ms / 1000.0)
