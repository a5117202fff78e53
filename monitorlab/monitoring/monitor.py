"""Monitoring schedules and executions, run on the simulated clock.

moto 5.2 (5.2.5 and later 5.2.x) has no monitoring schedules or executions (``create_monitoring_schedule`` and
``list_monitoring_executions`` raise ``NotImplementedError``; MOTO.md). So the engine keeps the
schedule definitions itself and runs each execution the way Model Monitor's container does:

1. the schedule's cron expression gives the scheduled times (whole hours only, as on AWS);
2. each execution analyses a window of captured traffic ending at its scheduled time;
3. it writes its reports to ``{output}/{endpoint}/{schedule}/yyyy/mm/dd/hh/`` and publishes its
   metrics to CloudWatch with dimensions ``Endpoint`` and ``MonitoringSchedule``;
4. it returns an execution record shaped like ``describe_monitoring_execution``'s summary, with
   status ``Completed``, ``CompletedWithViolations`` or ``Failed`` (and ``FailureReason``).

Data quality (:func:`run_data_quality_execution`) is built here; other monitors (model quality,
bias drift, attribution drift) plug into the same :class:`ScheduleRunner` through any callable
``execute(scheduled_time) -> record``.

Choices where AWS is ambiguous (taught in module 03):

* **Window**: the schedule's interval before the scheduled time, ``[t - interval, t)`` (one hour
  for ``cron(0 * ? * * *)``). AWS's contract examples show one-hour windows and say SageMaker
  sometimes reads more.
* **Columns**: like Model Monitor, the window is laid out *output first, then input*
  (``prediction`` then the features) and mapped to the baseline's columns **by position**. A
  baseline whose first column is the training label (an integer) will therefore see live
  probabilities in that column: the ``data_type_check`` violation of the AWS intro example.
* **Namespace**: the docs disagree (SAGEMAKER.md §4.2); we publish data-quality metrics to
  ``aws/sagemaker/Endpoints/data-metrics`` with dimensions ``Endpoint`` and
  ``MonitoringSchedule``, the choice the official BYOC notebook graphs.
* **No traffic**: the execution is ``Failed`` with ``FailureReason`` "Job inputs had no data", and
  publishes no metrics.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable

import pandas as pd

from monitorlab.monitoring import baseline, dataquality
from monitorlab.serving.capture import read_captures
from monitorlab.account.clock import as_utc, hour_floor
from monitorlab.account.cloudwatch import dimensions, put_metrics, with_context
from monitorlab.serving.model import split_s3_uri

DATA_METRICS_NAMESPACE = "aws/sagemaker/Endpoints/data-metrics"
NO_DATA = "Job inputs had no data"
_CRON = re.compile(r"^cron\(0 (\S+) \? \* \* \*\)$")


# --------------------------------------------------------------------------------------------
# Schedules
# --------------------------------------------------------------------------------------------

def parse_schedule(expression: str) -> tuple[int, int]:
    """``(first hour, interval in hours)`` of a Model Monitor cron expression.

    Accepted (SageMaker's documented forms): ``cron(0 * ? * * *)`` hourly, ``cron(0 H ? * * *)``
    daily at hour H, ``cron(0 H/N ? * * *)`` every N hours from hour H. Anything else raises
    ``ValueError`` saying which forms exist: AWS supports only whole-hour rates from 1 to 24.
    """
    match = _CRON.match(expression.strip()) if isinstance(expression, str) else None
    if not match:
        raise ValueError(f"schedule {expression!r} is not a Model Monitor cron expression; use "
                         "cron(0 * ? * * *) (hourly), cron(0 H ? * * *) (daily at H) or "
                         "cron(0 H/N ? * * *) (every N hours)")
    hours = match.group(1)
    if hours == "*":
        return 0, 1
    first, _, step = hours.partition("/")
    first_hour, interval = int(first), int(step) if step else 24
    if not 0 <= first_hour <= 23 or not 1 <= interval <= 24:
        raise ValueError(f"schedule {expression!r}: hour must be 0-23 and the rate 1-24 hours")
    return first_hour, interval


def scheduled_times(expression: str, start, end) -> list[datetime]:
    """Every scheduled time ``t`` with ``start < t <= end``."""
    first_hour, interval = parse_schedule(expression)
    start, end = as_utc(start), as_utc(end)
    times, moment = [], hour_floor(start)
    while moment <= end:
        due = (moment.hour - first_hour) % interval == 0 if interval < 24 else moment.hour == first_hour
        if moment > start and due:
            times.append(moment)
        moment += timedelta(hours=1)
    return times


@dataclass
class Schedule:
    """A monitoring schedule the engine keeps (moto cannot): a name, a cron, what to run."""

    name: str
    expression: str
    execute: Callable[[datetime], dict]
    monitoring_type: str = "DataQuality"
    executions: list = field(default_factory=list)

    def __post_init__(self):
        parse_schedule(self.expression)  # fail at definition time, not at the first run


class ScheduleRunner:
    """Replays schedules over simulated time: ``runner.run(until=...)`` runs every due execution."""

    def __init__(self, clock, start=None):
        """``start``: executions scheduled after this moment are due (default: ``clock.now()``).

        Pass the traffic's start when the runner is created after replaying traffic, or the
        replayed hours are already in the past and never analysed.
        """
        self.clock = clock
        self.schedules: dict[str, Schedule] = {}
        self._last_run = as_utc(start) if start is not None else clock.now()

    def add(self, schedule: Schedule) -> Schedule:
        if schedule.name in self.schedules:
            raise ValueError(f"a schedule named {schedule.name!r} already exists; pick another name")
        self.schedules[schedule.name] = schedule
        return schedule

    def run(self, until) -> list[dict]:
        """Advance the clock to ``until``, running each schedule's due executions in time order."""
        until = as_utc(until)
        due = sorted((t, name) for name, s in self.schedules.items()
                     for t in scheduled_times(s.expression, self._last_run, until))
        records = []
        for moment, name in due:
            self.clock.advance_to(max(moment, self.clock.now()))
            record = self.schedules[name].execute(moment)
            self.schedules[name].executions.append(record)
            records.append(record)
        self.clock.advance_to(max(until, self.clock.now()))
        self._last_run = until
        return records

    def list_monitoring_executions(self, schedule_name: str) -> list[dict]:
        """The executions of one schedule, oldest first (``list_monitoring_executions``)."""
        if schedule_name not in self.schedules:
            raise ValueError(f"no schedule named {schedule_name!r}; known: {sorted(self.schedules)}")
        return list(self.schedules[schedule_name].executions)


# --------------------------------------------------------------------------------------------
# Data quality
# --------------------------------------------------------------------------------------------

@dataclass
class DataQualityJob:
    """Everything a data-quality execution needs (a ``DataQualityJobDefinition`` in AWS terms)."""

    endpoint_name: str
    schedule_name: str
    capture_uri: str
    output_uri: str
    statistics: dict
    constraints: dict
    expression: str = "cron(0 * ? * * *)"
    variant_name: str = "AllTraffic"

    def __post_init__(self):
        """Refuse a job without a valid baseline now, naming the field, not at its first run."""
        for field_name, validate in (("statistics", baseline.validate_statistics),
                                     ("constraints", baseline.validate_constraints)):
            if not isinstance(getattr(self, field_name), dict):
                raise ValueError(f"DataQualityJob.{field_name} must be the baseline's "
                                 f"{field_name}.json as a dict (see monitorlab.monitoring.baseline."
                                 "suggest_baseline / read_baseline), got "
                                 f"{type(getattr(self, field_name)).__name__}")
            validate(getattr(self, field_name))
        parse_schedule(self.expression)

    @classmethod
    def from_baseline_uri(cls, s3, baseline_uri: str, **kwargs) -> "DataQualityJob":
        """Read ``statistics.json``/``constraints.json`` from ``baseline_uri`` (validated)."""
        statistics, constraints = baseline.read_baseline(s3, baseline_uri.rstrip("/") + "/")
        return cls(statistics=statistics, constraints=constraints, **kwargs)


def monitoring_frame(window: pd.DataFrame, baseline_statistics: dict,
                     input_columns: list[str]) -> pd.DataFrame:
    """Model Monitor's table: output column first, then the inputs, named by baseline position.

    Positions beyond the baseline keep their capture names (they become extra columns); baseline
    columns beyond the window's width are absent (missing columns).
    """
    ordered = window[["prediction"] + list(input_columns)]
    names = [f["name"] for f in baseline_statistics["features"]]
    renamed = [names[i] if i < len(names) else column for i, column in enumerate(ordered.columns)]
    return ordered.set_axis(renamed, axis=1)


def baseline_frame(features: pd.DataFrame, predictions, input_columns: list[str]) -> pd.DataFrame:
    """The dataset to baseline: the model's output first, then the inputs, as Model Monitor assumes.

    Baselining the *training label* in that position instead is the classic mistake: the live
    column then holds probabilities and ``data_type_check`` fires (Integral vs Fractional).
    """
    frame = features[list(input_columns)].reset_index(drop=True)
    output = pd.Series(pd.Series(predictions).to_numpy(), name="prediction")  # keep its dtype
    return pd.concat([output, frame], axis=1)


def report_prefix(output_uri: str, endpoint: str, schedule: str, scheduled_time: datetime) -> str:
    """``{output}/{endpoint}/{schedule}/yyyy/mm/dd/hh/`` (the key prefix, without the bucket)."""
    _, prefix = split_s3_uri(output_uri.rstrip("/"))
    parts = [p for p in (prefix, endpoint, schedule, f"{as_utc(scheduled_time):%Y/%m/%d/%H}") if p]
    return "/".join(parts) + "/"


def write_reports(s3, output_uri: str, prefix: str, documents: dict[str, dict]) -> dict[str, str]:
    """Write each ``{file name: document}`` as JSON under ``prefix``; returns their URIs."""
    bucket, _ = split_s3_uri(output_uri)
    uris = {}
    for name, document in documents.items():
        s3.put_object(Bucket=bucket, Key=prefix + name, Body=baseline.baseline_json(document),
                      ContentType="application/json")
        uris[name] = f"s3://{bucket}/{prefix}{name}"
    return uris


def completion(violations: int) -> tuple[str, str]:
    """``(MonitoringExecutionStatus, ExitMessage)`` of a finished execution, in AWS's wording
    (``CompletedWithViolations: Job completed successfully with 60 violations.``)."""
    if violations:
        return ("CompletedWithViolations",
                f"CompletedWithViolations: Job completed successfully with {violations} violations.")
    return "Completed", "Completed: Job completed successfully with no violations."


def execution_record(job_name: str, endpoint: str, scheduled_time: datetime, status: str,
                     monitoring_type: str, **details) -> dict:
    """A ``MonitoringExecutionSummary``-shaped record plus the engine's details."""
    record = {"MonitoringScheduleName": job_name, "ScheduledTime": as_utc(scheduled_time),
              "EndpointName": endpoint, "MonitoringType": monitoring_type,
              "MonitoringExecutionStatus": status}
    record.update(details)
    return record


def run_data_quality_execution(job: DataQualityJob, scheduled_time, *, s3, cloudwatch,
                               columns: list[str] | None = None, seed: int = 0) -> dict:
    """One data-quality execution for the window ending at ``scheduled_time``."""
    from monitorlab.serving import data

    scheduled_time = as_utc(scheduled_time)
    _, interval = parse_schedule(job.expression)
    start = scheduled_time - timedelta(hours=interval)
    window = read_captures(s3, job.capture_uri, job.endpoint_name, start, scheduled_time,
                           variant=job.variant_name, columns=columns)
    common = {"WindowStart": start, "WindowEnd": scheduled_time, "Rows": len(window.frame),
              "MalformedCaptureLines": window.problem_counts()}
    if window.frame.empty:
        return execution_record(job.schedule_name, job.endpoint_name, scheduled_time, "Failed",
                                "DataQuality", FailureReason=NO_DATA, **common)
    table = monitoring_frame(window.frame, job.statistics, columns or data.FEATURES)
    report = dataquality.run_checks(table, job.statistics, job.constraints, seed=seed)
    prefix = report_prefix(job.output_uri, job.endpoint_name, job.schedule_name, scheduled_time)
    uris = write_reports(s3, job.output_uri, prefix, {
        "statistics.json": report.statistics, "constraints.json": job.constraints,
        "constraint_violations.json": report.constraint_violations})
    datums = with_context(report.metrics, dimensions(Endpoint=job.endpoint_name,
                                                     MonitoringSchedule=job.schedule_name),
                          scheduled_time)
    put_metrics(cloudwatch, DATA_METRICS_NAMESPACE, datums)
    count = len(report.constraint_violations["violations"])
    status, message = completion(count)
    return execution_record(job.schedule_name, job.endpoint_name, scheduled_time, status,
                            "DataQuality", ExitMessage=message, Violations=count,
                            ViolatedFeatures=sorted({v["feature_name"] for v in
                                                     report.constraint_violations["violations"]}),
                            Drift={name: result.value for name, result in sorted(report.drift.items())},
                            Reports=uris, MetricsPublished=len(datums), **common)


def data_quality_schedule(job: DataQualityJob, *, s3, cloudwatch, seed: int = 0) -> Schedule:
    """A :class:`Schedule` that runs :func:`run_data_quality_execution` for ``job``."""
    def execute(moment):
        return run_data_quality_execution(job, moment, s3=s3, cloudwatch=cloudwatch, seed=seed)

    return Schedule(job.schedule_name, job.expression, execute, "DataQuality")


def read_report(s3, uri: str) -> dict:
    """Load one JSON report back from S3."""
    bucket, key = split_s3_uri(uri)
    return json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
