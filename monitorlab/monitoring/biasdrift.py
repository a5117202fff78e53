"""Bias drift monitoring: Clarify's bias metrics on live traffic, checked against a baseline.

A bias drift execution on AWS (``MonitoringType`` ``ModelBias``) runs the Clarify container on a
window of captured predictions **merged with their ground truth**, computes the pre- and
post-training bias metrics of the analysis configuration, compares them with the baseline (the
baselining job's ``analysis.json``) and publishes them to CloudWatch (SAGEMAKER.md sections 4.1 to
4.3 and 6). moto stores the ``ModelBiasJobDefinition`` but runs no schedule and no container
(MOTO.md), so this module does the execution, visibly:

* :class:`BiasDriftJob`: what the job definition and the schedule hold;
* :func:`run_bias_drift_execution`: one execution, end to end, on S3 and CloudWatch;
* :func:`suggest_baseline`: the baseline ``analysis.json`` from training data and the model's
  predictions (what ``ModelBiasMonitor.suggest_baseline`` runs);
* :func:`select_metrics` and :func:`with_tolerance`: edits of a baseline file (ours, see below);
* :func:`job_definition_request`: the ``CreateModelBiasJobDefinition`` request moto stores;
* :func:`metrics_table` and :func:`metric_history`: ``analysis.json`` and execution records as
  tables, for figures.

How one execution works (:func:`run_bias_drift_execution`):

1. read the window's captures (the features the endpoint received and the probability it
   returned) and the labels collected from the window's start until the execution runs;
2. merge them with :func:`monitorlab.monitoring.modelquality.merge` (capture ``inferenceId`` = label
   ``eventId``, else the capture's ``eventId``): only predictions that have a label are analysed;
3. predicted label = 1 when probability **>** ``probability_threshold`` (the ``EndpointInput``
   ``ProbabilityThresholdAttribute``, default 0.5: "probability greater than" the threshold);
   label = the ground truth; the facet columns come from the captured features;
4. compute ``analysis.json`` with :func:`monitorlab.monitoring.clarify_files.bias_report` (pre- and
   post-training metrics, or the ``methods`` the configuration asks for);
5. with a baseline, compare with :func:`monitorlab.monitoring.clarify_files.bias_drift_violations`: a
   violation when a metric is farther from its fair value than the baseline's
   (``|current| > |baseline|``, ``|DI - 1| > |DI_baseline - 1|`` for DI);
6. write ``analysis.json`` (and ``constraint_violations.json`` when there is a baseline) to
   ``{output}/{endpoint}/{schedule}/yyyy/mm/dd/hh/`` and the merged rows to
   ``{output}/merge/{endpoint}/{schedule}/yyyy/mm/dd/hh/merged.jsonl`` (SAGEMAKER.md 4.1: Clarify
   monitors write merged data under ``{output}/merge``; the file's layout is ours);
7. publish ``bias_metric_<NAME>`` to ``aws/sagemaker/Endpoints/bias-metrics`` with the dimensions
   Endpoint, MonitoringSchedule, BiasStage, Label, LabelValue, Facet, FacetValue.

Choices where AWS documents nothing (taught in module 06):

* **No baseline, no violations.** AWS: "providing constraints file to the monitor can enable
  violations file generation". Without a baseline the execution writes ``analysis.json``,
  publishes the metrics and completes with no ``constraint_violations.json``.
* **Only the baseline's metrics are checked.** A metric missing from the baseline, or errored in
  either file, is never a violation (:mod:`monitorlab.monitoring.clarify_files`). A baseline computed with
  ``methods`` limited to a few metrics therefore checks only those.
* **The rule has no tolerance.** With small windows, sampling noise alone pushes a metric past its
  baseline about half the time. AWS lets you supply your own constraints file; :func:`with_tolerance`
  writes one whose values are moved away from the fair value by a margin you choose, and
  :func:`select_metrics` keeps the metrics you mean to watch. Both edits are ours.
* **Facets and labels.** The facet is read from the captured request, so it must be one of the
  captured feature columns; the label column is named by the configuration's ``label`` and filled
  with the ground truth. FT needs all-numeric features, so on Adult's captured rows (text
  categoricals) it is ``null`` with smclarify's error, as the container would report it.
* **Records.** ``Metrics`` maps ``"<facet>/<facet value>/<METRIC>"`` (``"sex/Female/DPPL"``) to the
  value (errored metrics left out); ``ViolatedMetrics`` lists the same keys, in the order of the
  violations file. The rest of the record has the shape every monitor's record has
  (:func:`monitorlab.monitoring.modelquality.run_model_quality_execution`).
"""

from __future__ import annotations

import copy
import functools
import json
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
from botocore.exceptions import ClientError

from monitorlab.monitoring import clarify_files
from monitorlab.serving import data
from monitorlab.account.clock import as_utc
from monitorlab.account.cloudwatch import put_metrics
from monitorlab.serving.model import split_s3_uri
from monitorlab.monitoring.modelquality import labelled_window, merged_lines, parse_offset, report_prefix
from monitorlab.monitoring.monitor import Schedule, completion

MONITORING_TYPE = "ModelBias"
NAMESPACE = clarify_files.BIAS_METRICS_NAMESPACE
#: The Clarify processing image in us-east-1 (the account the region's image lives in).
CLARIFY_IMAGE = "205585389593.dkr.ecr.us-east-1.amazonaws.com/sagemaker-clarify-processing:1.0"
#: Name of the predicted-label column the execution adds (0/1 after the probability threshold).
PREDICTED_LABEL = "predicted_label"
STAGES = tuple(clarify_files.STAGES)


# --------------------------------------------------------------------------------------------
# The job
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class BiasDriftJob:
    """What ``create_model_bias_job_definition`` and ``create_monitoring_schedule`` hold.

    ``capture_uri``: the endpoint's ``DataCaptureConfig.DestinationS3Uri``; ``ground_truth_uri``:
    ``GroundTruthS3Input.S3Uri``; ``output_uri``: the ``MonitoringOutputConfig`` S3 URI.
    ``analysis_config``: the monitor's ``analysis_config.json`` as a dict (``label``,
    ``label_values_or_threshold``, ``facet``, optional ``group_variable``, ``headers``,
    ``methods``). ``baseline``: the baselining job's ``analysis.json`` (or ``None``: no
    violations). ``probability_threshold``: ``EndpointInput.ProbabilityThresholdAttribute``.
    The window of an execution scheduled at *t* is ``[t + start_offset, t + end_offset)``, as for
    model quality: offsets leave time for late labels to arrive. ``features``: the captured
    columns, in the order of the request's CSV.
    """

    endpoint_name: str
    schedule_name: str
    capture_uri: str
    ground_truth_uri: str
    output_uri: str
    analysis_config: dict
    baseline: dict | None = None
    probability_threshold: float = 0.5
    start_offset: str = "-P1D"
    end_offset: str = "-PT1H"
    variant_name: str = "AllTraffic"
    features: tuple[str, ...] = field(default=tuple(data.FEATURES))
    publish_cloudwatch_metrics: bool = True

    def __post_init__(self):
        for uri in (self.capture_uri, self.ground_truth_uri, self.output_uri):
            split_s3_uri(uri)
        start, end = parse_offset(self.start_offset), parse_offset(self.end_offset)
        if end > timedelta(0) or start >= end:
            raise ValueError(f"need start_offset < end_offset <= 0 (the window lies before the "
                             f"execution), got {self.start_offset!r} and {self.end_offset!r}")
        threshold = self.probability_threshold
        if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) \
                or not 0 <= threshold <= 1:
            raise ValueError(f"probability_threshold must be a number between 0 and 1 (the "
                             f"ProbabilityThresholdAttribute), got {threshold!r}")
        config = clarify_files.read_analysis_config(self.analysis_config)
        object.__setattr__(self, "features", tuple(self.features))
        check_config(config, self.features, threshold)
        if self.baseline is not None:
            check_baseline(self.baseline)

    def window(self, scheduled_time) -> tuple[datetime, datetime]:
        """The ``[start, end)`` of inference times the execution at ``scheduled_time`` analyses."""
        moment = as_utc(scheduled_time)
        return moment + parse_offset(self.start_offset), moment + parse_offset(self.end_offset)

    def executor(self, s3, cloudwatch):
        """``execute(scheduled_time) -> record`` for a :class:`~monitorlab.monitoring.monitor.ScheduleRunner`."""
        return functools.partial(run_bias_drift_execution, s3, cloudwatch, self)

    def schedule(self, s3, cloudwatch, expression: str = "cron(0 * ? * * *)") -> Schedule:
        """A :class:`~monitorlab.monitoring.monitor.Schedule` (hourly by default) running this job."""
        return Schedule(self.schedule_name, expression, self.executor(s3, cloudwatch),
                        MONITORING_TYPE)


def label_name(config: dict) -> str:
    """The label column's name: ``label`` itself, or ``headers[label]`` for an index."""
    label = config["label"]
    if isinstance(label, int):
        headers = config.get("headers")
        if headers is None:
            raise ValueError("analysis config 'label' is an index but there are no 'headers': "
                             "give the label column's name")
        return headers[label]
    return label


def facet_names(config: dict) -> list[str]:
    """The facet column names of a configuration (indexes resolved through ``headers``)."""
    names = []
    for facet in config["facet"]:
        name = facet["name_or_index"]
        if isinstance(name, int):
            if config.get("headers") is None:
                raise ValueError("a facet name_or_index is an index but there are no 'headers': "
                                 "give the facet column's name")
            name = config["headers"][name]
        names.append(name)
    return names


def check_config(config: dict, features, probability_threshold) -> None:
    """Refuse a monitor configuration the execution could not run (ValueError naming the fix)."""
    config = clarify_files.read_analysis_config(config)
    label = label_name(config)
    if label in features or label == PREDICTED_LABEL:
        raise ValueError(f"label {label!r} clashes with a captured feature column; name the label "
                         "column something else (e.g. 'label')")
    missing = [name for name in facet_names(config) if name not in features]
    if missing:
        raise ValueError(f"facet {missing!r} is not a captured feature: the monitor reads the facet "
                         f"from the captured request, so choose among {list(features)!r}")
    group = config.get("group_variable")
    if isinstance(group, str) and group not in features:
        raise ValueError(f"group_variable {group!r} is not a captured feature; choose among "
                         f"{list(features)!r}")
    own = config.get("probability_threshold")
    if own is not None and own != probability_threshold:
        raise ValueError(f"the analysis config says probability_threshold {own} but the job uses "
                         f"{probability_threshold}: the monitor's threshold is the EndpointInput's "
                         "ProbabilityThresholdAttribute; remove it from the config or make them equal")


def check_baseline(baseline) -> None:
    """A baseline must be an ``analysis.json`` dict with at least one stage of metrics."""
    if not isinstance(baseline, dict) or not any(stage in baseline for stage in STAGES):
        raise ValueError("the baseline must be a baselining job's analysis.json (a dict with "
                         "'pre_training_bias_metrics' and/or 'post_training_bias_metrics'); build "
                         "it with suggest_baseline()")


# --------------------------------------------------------------------------------------------
# The data an execution analyses
# --------------------------------------------------------------------------------------------

def predicted_labels(probabilities, threshold: float = 0.5) -> np.ndarray:
    """1 where probability > ``threshold`` (strictly: "probability greater than"), else 0."""
    return (np.asarray(probabilities, dtype="float64") > threshold).astype(np.int64)


def bias_frame(merged: pd.DataFrame, config: dict, features) -> pd.DataFrame:
    """The table Clarify analyses: the captured features plus the label column (ground truth,
    integer when every label is a whole number).

    Captured numbers come back as floats; a numeric column holding only whole numbers is made
    integer again, as in the training data, so a threshold facet is written ``"(40, 90]"`` in both
    the baseline and the live analysis and the two match on ``facet_value`` ``"40"``.
    """
    frame = merged[list(features)].copy()
    for name in frame.columns:
        values = frame[name]
        if pd.api.types.is_float_dtype(values.dtype) and values.notna().all() \
                and bool((values == np.floor(values)).all()):
            frame[name] = values.astype(np.int64)
    truth = merged["groundTruth"].to_numpy(dtype="float64")
    whole = bool(np.all(truth == np.floor(truth)))
    frame[label_name(config)] = truth.astype(np.int64) if whole else truth
    return frame.reset_index(drop=True)


def analyse(frame: pd.DataFrame, config: dict, probabilities, threshold: float) -> dict:
    """``analysis.json`` of ``frame`` (features + label) with predicted labels from
    ``probabilities > threshold``."""
    config = {k: v for k, v in clarify_files.read_analysis_config(config).items()
              if k != "probability_threshold"}
    predicted = pd.Series(predicted_labels(probabilities, threshold), name=PREDICTED_LABEL)
    return clarify_files.bias_report(frame, config, predicted_label=predicted)


def suggest_baseline(train_df: pd.DataFrame, predictions, analysis_config: dict, *,
                     probability_threshold: float = 0.5) -> dict:
    """The baseline ``analysis.json`` from training (or validation) data and the model's outputs.

    ``train_df`` holds the features and the label column the configuration names;
    ``predictions`` are the model's probabilities for those rows (floats, thresholded with
    ``> probability_threshold``) or its 0/1 labels. This is what the baselining job computes: the
    same metrics the monitor will compute on live traffic, on data you trust. Limit what is
    checked with the configuration's ``methods`` or with :func:`select_metrics`.
    """
    values = np.asarray(predictions)
    if len(values) != len(train_df):
        raise ValueError(f"predictions has {len(values)} values but train_df has {len(train_df)} "
                         "rows; pass one prediction per row")
    if not np.issubdtype(values.dtype, np.number) or np.issubdtype(values.dtype, np.bool_):
        values = values.astype("float64")
    config = clarify_files.read_analysis_config(analysis_config)
    label = label_name(config)
    if label not in train_df.columns:
        raise ValueError(f"train_df has no label column {label!r}; columns are "
                         f"{list(train_df.columns)!r}")
    frame = train_df.reset_index(drop=True)
    if np.issubdtype(values.dtype, np.floating) and not np.all(np.isin(values, (0.0, 1.0))):
        return analyse(frame, config, values, probability_threshold)
    return analyse(frame, config, values.astype("float64"), 0.5)


# --------------------------------------------------------------------------------------------
# Editing a baseline (ours)
# --------------------------------------------------------------------------------------------

def select_metrics(baseline: dict, names) -> dict:
    """A copy of ``baseline`` holding only the metrics ``names``: the monitor checks only those."""
    check_baseline(baseline)
    wanted = {names} if isinstance(names, str) else set(names)
    result = copy.deepcopy(baseline)
    for stage in STAGES:
        for entries in result.get(stage, {}).get("facets", {}).values():
            for entry in entries:
                entry["metrics"] = [m for m in entry["metrics"] if m["name"] in wanted]
    return result


def with_tolerance(baseline: dict, tolerance) -> dict:
    """A copy of ``baseline`` whose every value is moved **away from its fair value** (1 for DI, 0
    for the others) by ``tolerance``: a float for every metric, or ``{metric: margin}`` (metrics
    not named keep their value).

    The monitor then flags a metric only when ``|current - fair| > |baseline - fair| + margin``.
    AWS compares with the constraints file as given and has no tolerance setting; writing such a
    file is how you add one (our helper). Infinite and errored values are kept as they are.
    """
    check_baseline(baseline)
    margins = tolerance if isinstance(tolerance, dict) else None
    if margins is None and (not isinstance(tolerance, (int, float)) or tolerance < 0):
        raise ValueError(f"tolerance must be a number >= 0 or a dict of them, got {tolerance!r}")
    result = copy.deepcopy(baseline)
    for stage in STAGES:
        for entries in result.get(stage, {}).get("facets", {}).values():
            for entry in entries:
                for metric in entry["metrics"]:
                    margin = margins.get(metric["name"], 0.0) if margins is not None else tolerance
                    value = metric.get("value")
                    if margin < 0:
                        raise ValueError(f"tolerance for {metric['name']} must be >= 0")
                    if "error" in metric or not isinstance(value, (int, float)) or margin == 0:
                        continue
                    fair = 1.0 if metric["name"] == "DI" else 0.0
                    direction = 1.0 if value >= fair else -1.0
                    metric["value"] = fair + direction * (abs(value - fair) + margin)
    return result


# --------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------

def metric_key(facet, facet_value: str, name: str) -> str:
    """The key of one metric in an execution record: ``"sex/Female/DPPL"``."""
    return f"{facet}/{facet_value}/{name}"


def metric_values(analysis: dict) -> dict[str, float]:
    """``{metric_key: value}`` for every metric of an analysis.json that has a value."""
    return {metric_key(facet, value, name): number
            for facet, value, name, number in clarify_files.metric_rows(analysis)
            if number is not None}


def metrics_table(analysis: dict) -> pd.DataFrame:
    """An analysis.json as a table: ``stage``, ``facet``, ``facet_value``, ``metric``, ``value``
    (NaN when errored), ``error``."""
    rows = []
    for stage in STAGES:
        for facet, entries in analysis.get(stage, {}).get("facets", {}).items():
            for entry in entries:
                for metric in entry["metrics"]:
                    value = _number(metric)
                    rows.append({"stage": stage.replace("_bias_metrics", ""), "facet": facet,
                                 "facet_value": clarify_files.configured_value(
                                     entry["value_or_threshold"]),
                                 "metric": metric["name"],
                                 "value": np.nan if value is None else value,
                                 "error": metric.get("error")})
    return pd.DataFrame(rows, columns=["stage", "facet", "facet_value", "metric", "value", "error"])


def _number(metric: dict) -> float | None:
    """A metric entry's value as a float (``"Infinity"`` parsed), None when errored."""
    value = metric.get("value")
    if "error" in metric or value is None:
        return None
    return {"Infinity": math.inf, "-Infinity": -math.inf}.get(value, value) if isinstance(
        value, str) else float(value)


def metric_history(records, key: str) -> pd.DataFrame:
    """One metric across execution records: ``window_start``, ``window_end``, ``status``,
    ``value`` (NaN when the execution failed or lacks it), ``violated``, ``matched`` rows."""
    rows = [{"window_start": r["WindowStart"], "window_end": r["WindowEnd"],
             "scheduled_time": r["ScheduledTime"], "status": r["MonitoringExecutionStatus"],
             "value": r.get("Metrics", {}).get(key, np.nan),
             "violated": key in r.get("ViolatedMetrics", []),
             "matched": r.get("Counts", {}).get("matched", 0)} for r in records]
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# One execution
# --------------------------------------------------------------------------------------------

def run_bias_drift_execution(s3, cloudwatch, job: BiasDriftJob, scheduled_time) -> dict:
    """Run one bias drift execution at ``scheduled_time`` and return its record (module docstring).

    ``Failed`` (nothing written, nothing published) when the window has no captured prediction,
    when no captured prediction has a label yet, or when the data cannot be analysed (e.g. no
    positive prediction, a facet column with missing values): the reason is in ``FailureReason``.
    Otherwise ``CompletedWithViolations`` or ``Completed`` with the real ``ExitMessage`` wording.
    """
    moment = as_utc(scheduled_time)
    start, end = job.window(moment)
    record = _record(job, moment, start, end)
    try:
        merged = labelled_window(s3, job, start, end, moment, record["Counts"],
                                 columns=list(job.features))
        frame = bias_frame(merged.frame, job.analysis_config, job.features)
        analysis = analyse(frame, job.analysis_config, merged.frame["prediction"].to_numpy(),
                           job.probability_threshold)
        violations = (clarify_files.bias_drift_violations(job.baseline, analysis)
                      if job.baseline is not None else None)
    except (ValueError, ClientError) as error:
        return _failed(record, str(error))
    record["Reports"] = _write_reports(s3, job, moment, analysis, violations, merged.frame)
    if job.publish_cloudwatch_metrics:
        datums = clarify_files.cloudwatch_metric_data(analysis, job.endpoint_name,
                                                      job.schedule_name, timestamp=moment)
        put_metrics(cloudwatch, NAMESPACE, datums)
        record["MetricsPublished"] = len(datums)
    return _completed(record, analysis, violations)


def _record(job: BiasDriftJob, moment: datetime, start: datetime, end: datetime) -> dict:
    return {"MonitoringScheduleName": job.schedule_name, "ScheduledTime": moment,
            "CreationTime": moment, "LastModifiedTime": moment,
            "MonitoringExecutionStatus": "InProgress",
            "EndpointName": job.endpoint_name, "MonitoringType": MONITORING_TYPE,
            "WindowStart": start, "WindowEnd": end, "Counts": {}, "Reports": {},
            "Metrics": {}, "Violations": 0, "ViolatedMetrics": [], "MetricsPublished": 0}


def _failed(record: dict, reason: str) -> dict:
    record.update(MonitoringExecutionStatus="Failed", FailureReason=reason)
    return record


def _completed(record: dict, analysis: dict, violations: dict | None) -> dict:
    found = [] if violations is None else violations["violations"]
    record["Metrics"] = metric_values(analysis)
    record["Violations"] = len(found)
    record["ViolatedMetrics"] = [metric_key(v["facet"], v["facet_value"], v["metric_name"])
                                 for v in found]
    status, message = completion(len(found))
    record.update(MonitoringExecutionStatus=status, ExitMessage=message)
    return record


def _write_reports(s3, job: BiasDriftJob, moment: datetime, analysis: dict,
                   violations: dict | None, merged: pd.DataFrame) -> dict[str, str]:
    bucket, folder = report_prefix(job.output_uri, job.endpoint_name, job.schedule_name,
                                   hour=moment)
    files = {"analysis.json": clarify_files.analysis_json(analysis)}
    if violations is not None:
        files["constraint_violations.json"] = json.dumps(violations, indent=4)
    written = {}
    for file_name, text in files.items():
        s3.put_object(Bucket=bucket, Key=folder + file_name, Body=text.encode(),
                      ContentType="application/json")
        written[file_name] = f"s3://{bucket}/{folder}{file_name}"
    _, merge_folder = report_prefix(job.output_uri, "merge", job.endpoint_name, job.schedule_name,
                                    hour=moment)
    s3.put_object(Bucket=bucket, Key=merge_folder + "merged.jsonl",
                  Body=merged_lines(merged).encode(), ContentType="application/jsonlines")
    written["merged.jsonl"] = f"s3://{bucket}/{merge_folder}merged.jsonl"
    return written


# --------------------------------------------------------------------------------------------
# The API request moto stores
# --------------------------------------------------------------------------------------------

def job_definition_request(job: BiasDriftJob, *, job_definition_name: str, role_arn: str,
                           config_uri: str, constraints_uri: str | None = None,
                           kms_key_id: str | None = None, image_uri: str = CLARIFY_IMAGE,
                           instance_type: str = "ml.m5.xlarge") -> dict:
    """Keyword arguments of ``create_model_bias_job_definition`` for ``job``.

    ``config_uri``: where the ``analysis_config.json`` is in S3; ``constraints_uri``: the
    baseline ``analysis.json`` (``ModelBiasBaselineConfig.ConstraintsResource``). The
    probability threshold and the offsets go in ``EndpointInput``, not in the analysis config.
    moto stores the definition; ``create_monitoring_schedule`` is not implemented in moto, so the
    engine's :class:`~monitorlab.monitoring.monitor.ScheduleRunner` runs the executions.
    """
    request = {
        "JobDefinitionName": job_definition_name,
        "ModelBiasAppSpecification": {"ImageUri": image_uri, "ConfigUri": config_uri},
        "ModelBiasJobInput": {
            "EndpointInput": {"EndpointName": job.endpoint_name,
                              "LocalPath": "/opt/ml/processing/input/endpoint",
                              "S3InputMode": "File", "S3DataDistributionType": "FullyReplicated",
                              "ProbabilityThresholdAttribute": float(job.probability_threshold),
                              "StartTimeOffset": job.start_offset,
                              "EndTimeOffset": job.end_offset},
            "GroundTruthS3Input": {"S3Uri": job.ground_truth_uri}},
        "ModelBiasJobOutputConfig": {"MonitoringOutputs": [{"S3Output": {
            "S3Uri": job.output_uri, "LocalPath": "/opt/ml/processing/output",
            "S3UploadMode": "EndOfJob"}}]},
        "JobResources": {"ClusterConfig": {"InstanceCount": 1, "InstanceType": instance_type,
                                           "VolumeSizeInGB": 20}},
        "RoleArn": role_arn,
        "StoppingCondition": {"MaxRuntimeInSeconds": 1800},
    }
    if kms_key_id is not None:
        request["ModelBiasJobOutputConfig"]["KmsKeyId"] = kms_key_id
    if constraints_uri is not None:
        request["ModelBiasBaselineConfig"] = {"ConstraintsResource": {"S3Uri": constraints_uri}}
    return request
