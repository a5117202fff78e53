"""Publishing CloudWatch metrics in batches, as SageMaker's containers do.

One ``put_metric_data`` call takes at most 1,000 datums (the current CloudWatch limit); we send at
most 500 per call to stay well under the 1 MB payload limit. Every publisher in the engine (the
endpoint, each monitor) goes through :func:`put_metrics`.
"""

from __future__ import annotations

from datetime import datetime

PER_CALL = 500


def put_metrics(cloudwatch, namespace: str, datums: list[dict]) -> int:
    """Send ``datums`` to ``namespace`` in batches; returns the number of calls made."""
    calls = 0
    for start in range(0, len(datums), PER_CALL):
        cloudwatch.put_metric_data(Namespace=namespace, MetricData=datums[start:start + PER_CALL])
        calls += 1
    return calls


def with_context(datums: list[dict], dimensions: list[dict], timestamp: datetime) -> list[dict]:
    """Copies of ``datums`` with ``dimensions`` and ``timestamp`` added (monitor metrics carry both)."""
    return [{**datum, "Dimensions": dimensions, "Timestamp": timestamp} for datum in datums]


def dimensions(**pairs: str) -> list[dict]:
    """``dimensions(Endpoint="e", MonitoringSchedule="s")`` → CloudWatch's list-of-dicts form."""
    return [{"Name": name, "Value": value} for name, value in pairs.items()]
