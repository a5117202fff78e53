"""Model-quality monitoring: merge predictions with late labels, metrics, constraints, executions.

A model-quality execution on AWS runs two processing jobs: a **merge** job that joins the
captured predictions of a window with the ground truth uploaded since, and an **analysis** job
that computes the metrics of the problem type, checks them against the baseline constraints and
publishes them to CloudWatch (SAGEMAKER.md sections 4.1 to 4.4). moto runs neither (MOTO.md:
monitoring schedules and executions are not implemented), so this module does both, visibly:

* :func:`merge`: capture ``inferenceId`` <-> ground-truth ``eventId``, else capture ``eventId``;
* :func:`model_quality_statistics`: ``statistics.json`` for ``BinaryClassification``,
  ``MulticlassClassification`` or ``Regression``;
* :func:`suggest_constraints` / :func:`evaluate`: ``constraints.json`` and the violations;
* :func:`cloudwatch_metric_data`: datapoints in ``aws/sagemaker/Endpoints/model-metrics``;
* :func:`run_model_quality_execution`: one scheduled execution, end to end, on S3 and CloudWatch.

Labels are read by :func:`monitorlab.monitoring.groundtruth.read_ground_truth` (re-exported here).
Choices where AWS documents nothing are stated where they are made and tagged [U].
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
from botocore.exceptions import ClientError

from monitorlab.account.alarms import COMPARISONS
from monitorlab.serving.capture import read_captures
from monitorlab.account.clock import as_utc
from monitorlab.monitoring.groundtruth import read_ground_truth
from monitorlab.serving.model import split_s3_uri
from monitorlab.monitoring.monitor import completion
from monitorlab.stats.model_metrics import (binary_metrics, multiclass_metrics, regression_metrics,
                                             standard_deviations)

PROBLEM_TYPES = ("BinaryClassification", "MulticlassClassification", "Regression")
METRICS_KEYS = {"BinaryClassification": "binary_classification_metrics",
                "MulticlassClassification": "multiclass_classification_metrics",
                "Regression": "regression_metrics"}
CONSTRAINTS_KEYS = {"BinaryClassification": "binary_classification_constraints",
                    "MulticlassClassification": "multiclass_classification_constraints",
                    "Regression": "regression_constraints"}
#: Metrics a suggested constraints file sets a threshold on (best-constant baselines excluded).
CONSTRAINED_METRICS = {
    "BinaryClassification": ("recall", "precision", "accuracy", "true_positive_rate",
                             "true_negative_rate", "false_positive_rate", "false_negative_rate",
                             "auc", "f0_5", "f1", "f2"),
    "MulticlassClassification": ("accuracy", "weighted_recall", "weighted_precision",
                                 "weighted_f0_5", "weighted_f1", "weighted_f2"),
    "Regression": ("mae", "mse", "rmse", "r2"),
}
#: Metrics where lower is better: their constraint is ``GreaterThanThreshold``.
LOWER_IS_BETTER = frozenset({"mae", "mse", "rmse", "false_positive_rate", "false_negative_rate"})
NAMESPACE = "aws/sagemaker/Endpoints/model-metrics"
_METRICS_PER_CALL = 500


# --------------------------------------------------------------------------------------------
# Merge
# --------------------------------------------------------------------------------------------

@dataclass
class MergeResult:
    """Predictions joined with their labels, and every row or label that could not be used.

    ``frame``: the capture columns plus ``groundTruth`` (float) and ``collectedAt``, one row per
    usable captured prediction. ``unmatched_predictions``: captured rows without a label (yet).
    ``orphan_labels``: distinct label ids with no captured row in the window. ``duplicates``: label
    records dropped because a later one exists for the same id. ``invalid_labels``: matched labels
    that are not numbers. ``missing_predictions``: matched rows whose capture has no output.
    """

    frame: pd.DataFrame
    unmatched_predictions: int
    orphan_labels: int
    duplicates: int
    invalid_labels: int = 0
    missing_predictions: int = 0

    def counts(self) -> dict[str, int]:
        return {"matched": len(self.frame), "unmatched_predictions": self.unmatched_predictions,
                "orphan_labels": self.orphan_labels, "duplicate_labels": self.duplicates,
                "invalid_labels": self.invalid_labels,
                "missing_predictions": self.missing_predictions}


def join_keys(captures: pd.DataFrame) -> np.ndarray:
    """The merge key of each captured row: ``inferenceId`` when present, else ``eventId``
    (DG model-monitor-model-quality-merge)."""
    inference_ids = captures["inferenceId"]
    has_id = (inference_ids.notna() & (inference_ids != "")).to_numpy()
    return np.where(has_id, _as_text(inference_ids), _as_text(captures["eventId"]))


def _as_text(ids: pd.Series) -> np.ndarray:
    """Ids as an object array of text (already-text columns are not copied element by element)."""
    text = ids if pd.api.types.is_object_dtype(ids) else ids.astype(str)
    return text.to_numpy(dtype=object)


def latest_positions(ground_truth: pd.DataFrame) -> tuple[np.ndarray, int]:
    """Row positions of one label per ``eventId``: the **latest collected** wins (largest
    ``collectedAt``; on a tie, or without that column, the later row, i.e. the later file and
    line). Returns the positions (in collection order) and the number of records dropped."""
    order = np.arange(len(ground_truth))
    if "collectedAt" in ground_truth.columns:
        times = pd.to_datetime(ground_truth["collectedAt"], utc=True).array.asi8  # NaT sorts first
        order = np.argsort(times, kind="stable")
    ids = _as_text(ground_truth["eventId"])[order]
    keep = ~pd.Series(ids).duplicated(keep="last").to_numpy()
    return order[keep], int(len(order) - keep.sum())


def latest_labels(ground_truth: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """:func:`latest_positions` as a frame: one label per ``eventId``, and the records dropped."""
    positions, duplicates = latest_positions(ground_truth)
    return ground_truth.take(positions), duplicates


def merge(captures, ground_truth) -> MergeResult:
    """Join captured predictions (a :class:`~monitorlab.serving.capture.CaptureWindow` or its frame) with
    ground truth (a :class:`~monitorlab.monitoring.groundtruth.GroundTruthWindow` or a frame with ``eventId``
    and ``groundTruth``, optionally ``collectedAt``).

    One left ``pandas.merge`` of the key columns (each captured row's join key against the
    deduplicated label ids) finds every row's label; captured rows without one are unmatched
    predictions, labels never hit are orphans. Ids are compared as text. Labels are numbers in
    every problem type (captured predictions are numbers too): a label that is not a number is
    counted in ``invalid_labels`` and left out, never silently dropped.
    """
    captures = getattr(captures, "frame", captures)
    ground_truth = getattr(ground_truth, "frame", ground_truth)
    _require(captures, ("prediction", "eventId", "inferenceId"), "captured frame",
             "read it with monitorlab.serving.capture.read_captures")
    _require(ground_truth, ("eventId", "groundTruth"), "ground-truth frame",
             "read it with monitorlab.monitoring.groundtruth.read_ground_truth")
    positions, duplicates = latest_positions(ground_truth)
    labels = ground_truth[[c for c in ("groundTruth", "collectedAt") if c in ground_truth.columns]]
    left = pd.DataFrame({"key": join_keys(captures)})
    right = pd.DataFrame({"key": _as_text(ground_truth["eventId"])[positions],
                          "label_row": positions})
    joined = left.merge(right, on="key", how="left", sort=False)  # keeps the captures' order
    label_row = joined["label_row"].to_numpy()
    found = ~np.isnan(label_row)
    rows, label_rows = np.flatnonzero(found), label_row[found].astype(np.int64)
    raw = labels["groundTruth"].iloc[label_rows]
    values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype="float64")
    invalid = np.isnan(values)
    missing = np.isnan(captures["prediction"].to_numpy(dtype="float64")[rows]) & ~invalid
    usable = ~invalid & ~missing
    frame = captures.take(rows[usable])
    frame.index = pd.RangeIndex(len(frame))
    frame["groundTruth"] = values[usable]
    frame["collectedAt"] = (labels["collectedAt"].iloc[label_rows[usable]].array
                            if "collectedAt" in labels.columns else pd.NaT)
    orphans = len(positions) - np.count_nonzero(np.bincount(label_rows, minlength=len(labels)))
    return MergeResult(frame=frame, unmatched_predictions=int((~found).sum()),
                       orphan_labels=int(orphans), duplicates=int(duplicates),
                       invalid_labels=int(invalid.sum()), missing_predictions=int(missing.sum()))


def _require(frame: pd.DataFrame, columns, what: str, fix: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"the {what} lacks the columns {missing}; {fix}")


def _json_number(value: float):
    """A float for JSON; NaN as the string ``"NaN"`` (how Model Monitor writes it)."""
    return "NaN" if value is None or np.isnan(value) else float(value)


def model_quality_statistics(frame: pd.DataFrame, problem_type: str, *,
                             probability_threshold: float = 0.5, seed: int = 0) -> dict:
    """``statistics.json`` of merged rows (columns ``prediction`` and ``groundTruth``).

    Layout copied from the real SDK fixture (``pipeline/quality_check_step/model_quality/
    statistics.json``): ``{"version": 0.0, "dataset": {"item_count": n}, "<type>_metrics":
    {name: {"value": v, "standard_deviation": sd}}}`` (no ``evaluation_time``: the real file has
    none). Confusion matrix and curves are written as plain objects, as in the DG example.
    For ``BinaryClassification`` ``prediction`` is the probability of class 1.
    """
    _check_problem_type(problem_type)
    _require(frame, ("prediction", "groundTruth"), "merged frame", "build it with merge()")
    if frame.empty:
        raise ValueError("no merged rows: model-quality metrics need predictions with labels")
    y = frame["groundTruth"].to_numpy(dtype="float64")
    prediction = frame["prediction"].to_numpy(dtype="float64")
    if problem_type == "BinaryClassification":
        values = binary_metrics(y, prediction, probability_threshold)
    elif problem_type == "MulticlassClassification":
        values = multiclass_metrics(y, prediction)
    else:
        values = regression_metrics(y, prediction)
    deviations = standard_deviations(problem_type, y, prediction, probability_threshold, seed)
    metrics = {name: ({"value": _json_number(value), "standard_deviation":
                       _json_number(deviations[name])} if name in deviations else value)
               for name, value in values.items()}
    return {"version": 0.0, "dataset": {"item_count": int(len(frame))},
            METRICS_KEYS[problem_type]: metrics}


def _check_problem_type(problem_type: str) -> None:
    if problem_type not in PROBLEM_TYPES:
        raise ValueError(f"problem_type must be one of {PROBLEM_TYPES}, got {problem_type!r}")


def problem_type_of(document: dict, keys: dict[str, str] = METRICS_KEYS) -> str:
    """The problem type a statistics (or, with ``CONSTRAINTS_KEYS``, constraints) file is for."""
    found = [ptype for ptype, key in keys.items() if key in document]
    if len(found) != 1:
        raise ValueError(f"expected exactly one of {sorted(keys.values())} in the file, "
                         f"found {[keys[p] for p in found] or 'none'}")
    return found[0]


def scalar_metrics(statistics: dict) -> dict[str, float]:
    """``{name: value}`` of every ``{"value": ...}`` metric (NaN for ``"NaN"``)."""
    metrics = statistics[METRICS_KEYS[problem_type_of(statistics)]]
    return {name: float(entry["value"]) for name, entry in metrics.items()
            if isinstance(entry, dict) and "value" in entry}


# --------------------------------------------------------------------------------------------
# Constraints and violations
# --------------------------------------------------------------------------------------------

def suggest_constraints(statistics: dict, problem_type: str | None = None) -> dict:
    """``constraints.json`` from baseline statistics, in Model Monitor's layout.

    Rule (from the real SDK regression fixture, where every threshold equals the baseline value):
    ``threshold`` = the baseline value; ``comparison_operator`` = ``GreaterThanThreshold`` for
    error-like metrics (:data:`LOWER_IS_BETTER`), else ``LessThanThreshold``. Metrics listed in
    :data:`CONSTRAINED_METRICS`; a NaN baseline value gets no constraint. AWS's general rule is
    not documented [U] and AWS advises reviewing suggested thresholds: with threshold = baseline,
    any dip below the baseline is a violation, so loosen them before monitoring.
    """
    found = problem_type_of(statistics)
    if problem_type is not None and problem_type != found:
        raise ValueError(f"the statistics hold {METRICS_KEYS[found]}, not {problem_type} metrics")
    values = scalar_metrics(statistics)
    names = [n for n in CONSTRAINED_METRICS[found] if n in values and not np.isnan(values[n])]
    constraints = {name: {"threshold": values[name], "comparison_operator": (
        "GreaterThanThreshold" if name in LOWER_IS_BETTER else "LessThanThreshold")}
        for name in names}
    return {"version": 0.0, CONSTRAINTS_KEYS[found]: constraints}


def evaluate(statistics: dict, constraints: dict) -> dict:
    """Check each constraint: a violation when ``value <operator> threshold`` holds.

    Returns ``{"violations": [{"constraint_check_type": operator, "metric_name": name,
    "description": "Metric f2 with 0.61 was LessThanThreshold 0.7"}]}``. That wording is from an
    AWS-style custom-metrics package, **not** a file the built-in container was seen to write
    (SAGEMAKER.md section 4.4, [U]). A metric whose value is NaN cannot be compared and is not
    reported; a constraint on a metric the statistics lack raises ``ValueError``.
    """
    ptype = problem_type_of(constraints, CONSTRAINTS_KEYS)
    if problem_type_of(statistics) != ptype:
        raise ValueError(f"constraints are for {ptype} but the statistics are for "
                         f"{problem_type_of(statistics)}")
    values = scalar_metrics(statistics)
    violations = []
    for name, rule in constraints[CONSTRAINTS_KEYS[ptype]].items():
        if name not in values:
            raise ValueError(f"constraint on {name!r}, which the statistics do not hold; "
                             f"choose from {sorted(values)}")
        operator, threshold = rule["comparison_operator"], float(rule["threshold"])
        if operator not in COMPARISONS:
            raise ValueError(f"comparison_operator {operator!r} for {name}: use one of "
                             f"{sorted(COMPARISONS)}")
        value = values[name]
        if not np.isnan(value) and COMPARISONS[operator](value, threshold):
            violations.append({
                "constraint_check_type": operator, "metric_name": name,
                "description": f"Metric {name} with {value} was {operator} {threshold}"})
    return {"violations": violations}


# --------------------------------------------------------------------------------------------
# CloudWatch
# --------------------------------------------------------------------------------------------

def cloudwatch_metric_data(statistics: dict, endpoint: str, schedule: str,
                           timestamp: datetime | None = None) -> list[dict]:
    """``MetricData`` for ``put_metric_data`` in :data:`NAMESPACE`: one datum per scalar metric
    (named as in statistics.json), dimensions ``Endpoint`` and ``MonitoringSchedule``
    (DG model-monitor-model-quality-cw). Confusion matrix, curves and NaN values are not sent."""
    dimensions = [{"Name": "Endpoint", "Value": endpoint},
                  {"Name": "MonitoringSchedule", "Value": schedule}]
    stamp = {} if timestamp is None else {"Timestamp": as_utc(timestamp)}
    return [{"MetricName": name, "Dimensions": dimensions, "Value": value, "Unit": "None", **stamp}
            for name, value in scalar_metrics(statistics).items() if not np.isnan(value)]


def publish_metrics(cloudwatch, metric_data: list[dict]) -> int:
    """Send ``metric_data`` in batched ``put_metric_data`` calls; returns the number of calls."""
    calls = 0
    for start in range(0, len(metric_data), _METRICS_PER_CALL):
        cloudwatch.put_metric_data(Namespace=NAMESPACE,
                                   MetricData=metric_data[start:start + _METRICS_PER_CALL])
        calls += 1
    return calls


# --------------------------------------------------------------------------------------------
# One monitoring execution
# --------------------------------------------------------------------------------------------

_OFFSET = re.compile(r"^(?P<sign>[-+]?)P(?!$)(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
                     r"(?:T(?=\d)(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?"
                     r"(?:(?P<seconds>\d+)S)?)?$")


def parse_offset(text: str) -> timedelta:
    """An ISO-8601 duration such as ``-P1D``, ``-PT1H`` or ``-P1DT12H`` as a signed timedelta.

    ``StartTimeOffset``/``EndTimeOffset`` are such durations (botocore pattern ``.?P.*``, at most 15
    characters). Years and months are refused: their length is ambiguous; write days (``-P30D``).
    """
    if not isinstance(text, str) or len(text) > 15:
        raise ValueError(f"offset must be an ISO-8601 duration of at most 15 characters like "
                         f"'-P1D' or '-PT1H', got {text!r}")
    match = _OFFSET.match(text.strip().upper())
    if not match:
        raise ValueError(f"offset {text!r} is not an ISO-8601 duration like '-P1D', '-PT1H' or "
                         "'-P1DT6H' (years and months are not accepted: use days)")
    parts = {k: int(v) for k, v in match.groupdict().items() if k != "sign" and v}
    delta = timedelta(**parts)
    return -delta if match["sign"] == "-" else delta


@dataclass(frozen=True)
class ModelQualityJob:
    """What ``create_model_quality_job_definition`` and ``create_monitoring_schedule`` hold.

    ``capture_uri`` is the endpoint's ``DataCaptureConfig.DestinationS3Uri``, ``ground_truth_uri``
    the ``GroundTruthS3Input.S3Uri``, ``output_uri`` the ``MonitoringOutputConfig`` S3 URI. The
    window of an execution scheduled at *t* is ``[t + start_offset, t + end_offset)``
    (DG model-monitor-model-quality-schedule: ``-P8D``/``-P1D`` at 2020-01-09T13:00 analyses
    2020-01-01T13:00 to 2020-01-08T13:00). ``constraints`` is a baseline constraints.json dict.
    """

    endpoint_name: str
    schedule_name: str
    capture_uri: str
    ground_truth_uri: str
    output_uri: str
    problem_type: str = "BinaryClassification"
    start_offset: str = "-P1D"
    end_offset: str = "-PT1H"
    probability_threshold: float = 0.5
    constraints: dict | None = None
    variant_name: str = "AllTraffic"
    publish_cloudwatch_metrics: bool = True
    seed: int = 0

    def __post_init__(self):
        _check_problem_type(self.problem_type)
        for uri in (self.capture_uri, self.ground_truth_uri, self.output_uri):
            split_s3_uri(uri)
        start, end = parse_offset(self.start_offset), parse_offset(self.end_offset)
        if end > timedelta(0) or start >= end:
            raise ValueError(f"need start_offset < end_offset <= 0 (the window lies before the "
                             f"execution), got {self.start_offset!r} and {self.end_offset!r}")
        if (self.constraints is not None
                and problem_type_of(self.constraints, CONSTRAINTS_KEYS) != self.problem_type):
            raise ValueError(f"the constraints are not {CONSTRAINTS_KEYS[self.problem_type]}")

    def window(self, scheduled_time) -> tuple[datetime, datetime]:
        """The ``[start, end)`` of inference times the execution at ``scheduled_time`` analyses."""
        moment = as_utc(scheduled_time)
        return moment + parse_offset(self.start_offset), moment + parse_offset(self.end_offset)

    def executor(self, s3, cloudwatch):
        """``execute(scheduled_time) -> record`` for a schedule runner."""
        return functools.partial(run_model_quality_execution, s3, cloudwatch, self)


def report_prefix(output_uri: str, *parts: str, hour: datetime) -> tuple[str, str]:
    """(bucket, ``{prefix}/{parts...}/yyyy/mm/dd/hh/``) of an execution's output folder."""
    bucket, prefix = split_s3_uri(output_uri.rstrip("/"))
    return bucket, "/".join(p for p in (prefix, *parts, f"{as_utc(hour):%Y/%m/%d/%H}") if p) + "/"


class NoLabelledData(ValueError):
    """The window has no captured prediction, or none of them has a label yet: the execution fails."""


def labelled_window(s3, job, start: datetime, end: datetime, moment: datetime, counts: dict,
                    columns: list[str] | None = None) -> MergeResult:
    """The captures with ``start <= inferenceTime < end`` merged with the labels collected from
    ``start`` until ``moment``, for any monitor that needs ground truth (model quality, bias drift).

    ``job`` needs ``capture_uri``, ``endpoint_name``, ``variant_name`` and ``ground_truth_uri``;
    ``counts`` receives what was read, matched and left over. Raises :class:`NoLabelledData` with
    the reason when there is no traffic or no label yet (AWS fails those executions).
    """
    captures = read_captures(s3, job.capture_uri, job.endpoint_name, start, end,
                             job.variant_name, columns=columns)
    counts.update(captured_rows=len(captures.frame), capture_problems=captures.problem_counts())
    if captures.frame.empty:
        raise NoLabelledData(f"No captured predictions for endpoint {job.endpoint_name} with "
                             f"inferenceTime in [{start:%Y-%m-%dT%H:%M:%SZ}, "
                             f"{end:%Y-%m-%dT%H:%M:%SZ})")
    labels = read_ground_truth(s3, job.ground_truth_uri, start, moment)
    counts.update(ground_truth_records=labels.records, ground_truth_problems=labels.problem_counts())
    merged = merge(captures, labels)
    counts.update(merged.counts())
    if merged.frame.empty:
        raise NoLabelledData(f"No ground truth matched the {len(captures.frame)} captured "
                             f"predictions: {labels.records} labels collected under "
                             f"{job.ground_truth_uri} by {moment:%Y-%m-%dT%H:%M:%SZ}")
    return merged


def run_model_quality_execution(s3, cloudwatch, job: ModelQualityJob, scheduled_time) -> dict:
    """Run one model-quality execution at ``scheduled_time`` and return its record.

    1. read the window's captures (:func:`monitorlab.serving.capture.read_captures`);
    2. read the labels collected from the window's start until ``scheduled_time`` (our choice
       [U]: a label is collected after its inference, and the job sees what exists when it runs);
    3. :func:`merge`, then :func:`model_quality_statistics`, and :func:`evaluate` when the job has
       constraints;
    4. write ``statistics.json``, ``constraints.json`` and ``constraint_violations.json`` (the
       last two only with constraints) to ``{output}/{endpoint}/{schedule}/yyyy/mm/dd/hh/`` (hour
       of ``scheduled_time``), and the merged rows as JSON Lines to
       ``{output}/merge/{endpoint}/{schedule}/yyyy/mm/dd/hh/merged.jsonl`` (the merge job's real
       file layout is not documented [U]);
    5. publish the scalar metrics (batched ``put_metric_data``, timestamp = ``scheduled_time``).

    Status ``Failed`` (nothing written, nothing published) when the window has no captured
    prediction, no captured prediction has a label (as on AWS: no traffic or no ground truth fails
    the job), or the data is unusable (e.g. a binary label that is not 0/1). Otherwise
    ``CompletedWithViolations`` or ``Completed``, with the real ``ExitMessage`` wording.
    """
    moment = as_utc(scheduled_time)
    start, end = job.window(moment)
    record = _record(job, moment, start, end)
    try:
        merged = labelled_window(s3, job, start, end, moment, record["Counts"])
        statistics = model_quality_statistics(merged.frame, job.problem_type, seed=job.seed,
                                              probability_threshold=job.probability_threshold)
        violations = evaluate(statistics, job.constraints) if job.constraints is not None else None
    except (ValueError, ClientError) as error:
        return _failed(record, str(error))
    record["Reports"] = _write_reports(s3, job, moment, statistics, violations, merged.frame)
    if job.publish_cloudwatch_metrics:
        datums = cloudwatch_metric_data(statistics, job.endpoint_name, job.schedule_name, moment)
        publish_metrics(cloudwatch, datums)
        record["MetricsPublished"] = len(datums)
    return _completed(record, statistics, violations)


def _record(job: ModelQualityJob, moment: datetime, start: datetime, end: datetime) -> dict:
    """The execution record: ``MonitoringExecutionSummary`` keys, plus the engine's details in the
    same shape as every monitor's (:func:`monitorlab.monitoring.monitor.execution_record`): ``WindowStart``,
    ``WindowEnd``, ``Counts``, ``Reports`` (file name -> URI), ``Metrics``, ``Violations`` (a
    count), ``ViolatedMetrics``, ``MetricsPublished``."""
    return {"MonitoringScheduleName": job.schedule_name, "ScheduledTime": moment,
            "CreationTime": moment, "LastModifiedTime": moment,
            "MonitoringExecutionStatus": "InProgress",
            "EndpointName": job.endpoint_name, "MonitoringType": "ModelQuality",
            "WindowStart": start, "WindowEnd": end, "Counts": {}, "Reports": {},
            "Metrics": {}, "Violations": 0, "ViolatedMetrics": [], "MetricsPublished": 0}


def _failed(record: dict, reason: str) -> dict:
    record.update(MonitoringExecutionStatus="Failed", FailureReason=reason)
    return record


def _completed(record: dict, statistics: dict, violations: dict | None) -> dict:
    found = [] if violations is None else violations["violations"]
    record["Metrics"] = scalar_metrics(statistics)
    record["Violations"] = len(found)
    record["ViolatedMetrics"] = [violation["metric_name"] for violation in found]
    status, message = completion(len(found))
    record.update(MonitoringExecutionStatus=status, ExitMessage=message)
    return record


def _write_reports(s3, job: ModelQualityJob, moment: datetime, statistics: dict,
                   violations: dict | None, merged: pd.DataFrame) -> dict[str, str]:
    bucket, folder = report_prefix(job.output_uri, job.endpoint_name, job.schedule_name,
                                   hour=moment)
    files = {"statistics.json": statistics}
    if violations is not None:
        files["constraints.json"] = job.constraints
        files["constraint_violations.json"] = violations
    written = {}
    for file_name, document in files.items():
        s3.put_object(Bucket=bucket, Key=folder + file_name, ContentType="application/json",
                      Body=json.dumps(document, indent=2).encode())
        written[file_name] = f"s3://{bucket}/{folder}{file_name}"
    _, merge_folder = report_prefix(job.output_uri, "merge", job.endpoint_name, job.schedule_name,
                                    hour=moment)
    s3.put_object(Bucket=bucket, Key=merge_folder + "merged.jsonl",
                  Body=merged_lines(merged).encode(), ContentType="application/jsonlines")
    written["merged.jsonl"] = f"s3://{bucket}/{merge_folder}merged.jsonl"
    return written


def merged_lines(merged: pd.DataFrame) -> str:
    """The merged rows as JSON Lines: ``eventId``, ``inferenceId``, ``inferenceTime``,
    ``prediction``, ``groundTruth`` (our flat layout)."""
    columns = merged[["eventId", "inferenceId", "inferenceTime", "prediction", "groundTruth"]].copy()
    times = pd.to_datetime(columns["inferenceTime"], utc=True)
    columns["inferenceTime"] = times.dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    return columns.to_json(orient="records", lines=True)
