"""The retraining pipeline: recent labelled traffic → quality gate → train → evaluate against the
current model → condition → register (``PendingManualApproval``), then re-baseline after deploy.

What moto does (MOTO.md): ``create_pipeline`` stores the definition JSON and
``start_pipeline_execution`` answers ``Succeeded`` at once without running a step;
``list_pipeline_execution_steps`` is not implemented. So the definition is stored in moto as the
real JSON a SageMaker Pipeline holds (:func:`pipeline_definition`, the shape the SageMaker Python
SDK's ``pipeline.definition()`` produces), and the engine runs the same steps itself on the
simulated clock (:func:`run_retraining`), recording each step as ``ListPipelineExecutionSteps``
would show it (``StepName``, ``StepStatus``, ``StartTime``, ``EndTime``, ``FailureReason``).

Steps and the rule each applies:

1. ``PrepareData`` (Processing): the captured requests of the last ``window_hours`` (a *sliding
   window*: old behaviour ages out) merged with their late labels on ``inferenceId``; a seeded
   70/30 split into training rows and a holdout.
2. ``DataQualityGate`` (QualityCheck): Model Monitor's checks of the window against the current
   data-quality baseline. Broken-data checks (``completeness_check``, ``data_type_check``,
   ``missing_column_check``, ``extra_column_check``) stop the run: retraining on a broken upstream
   feed would teach the model the bug. Drift (``baseline_drift_check``) does not stop it: drift is
   why we retrain. (Engine choice: which checks gate is the pipeline author's decision on AWS.)
3. ``TrainModel`` (Training): the course pipeline refitted on the window's training rows, with
   *balanced class weights* (each class weighs half of the total, module 05's remedy for
   imbalance): after concept drift the positive class is rarer and noisier, and an unweighted
   refit predicts too few positives at the 0.5 threshold (its F1 falls although its AUC rises).
4. ``EvaluateModel`` (Processing): F1, precision, recall, AUC of the candidate **and** of the
   current model on the **same holdout**, written as ``evaluation.json``.
5. ``CheckF1`` (Condition, ``GreaterThanOrEqualTo``): candidate F1 ≥ current F1 + ``min_gain``.
   False: the ``Fail`` step ends the run with the reason.
6. ``RegisterModel`` (RegisterModel): a new version in the model package group, status
   ``PendingManualApproval``, its metrics attached. A person (or a rule) approves it; deployment
   follows approval, outside the pipeline, as in AWS's MLOps templates.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np
import pandas as pd

from monitorlab.account.clock import SimClock, as_utc
from monitorlab.maintenance import registry
from monitorlab.monitoring import baseline, dataquality
from monitorlab.monitoring.groundtruth import read_ground_truth
from monitorlab.monitoring.modelquality import merge
from monitorlab.monitoring.monitor import baseline_frame, monitoring_frame
from monitorlab.serving import data
from monitorlab.serving.capture import read_captures
from monitorlab.serving.model import as_model_input, build_pipeline, predict_proba, upload_model
from monitorlab.stats.model_metrics import binary_metrics

PIPELINE_NAME = "monitorlab-retrain"
BROKEN_DATA_CHECKS = ("completeness_check", "data_type_check", "missing_column_check",
                      "extra_column_check")
#: Simulated minutes each step takes (the order of magnitude of a small SageMaker job).
STEP_MINUTES = {"PrepareData": 6, "DataQualityGate": 5, "TrainModel": 12, "EvaluateModel": 5,
                "CheckF1": 0, "RegisterModel": 1, "Fail": 0}
REPORTED = ("f1", "precision", "recall", "auc", "accuracy")


def pipeline_definition(role_arn: str, group: str, *, min_gain: float = 0.02) -> dict:
    """The pipeline's definition JSON (schema ``2020-12-01``), as ``create_pipeline`` stores it."""
    image = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
    processing = {"ProcessingResources": {"ClusterConfig": {"InstanceType": "ml.m5.large",
                                                            "InstanceCount": 1, "VolumeSizeInGB": 30}},
                  "AppSpecification": {"ImageUri": image}, "RoleArn": role_arn}
    evaluation = {"Std:JsonGet": {"PropertyFile": {"Get": "Steps.EvaluateModel.PropertyFiles.Evaluation"},
                                  "Path": "candidate.f1"}}
    current = {"Std:JsonGet": {"PropertyFile": {"Get": "Steps.EvaluateModel.PropertyFiles.Evaluation"},
                               "Path": "current.f1"}}
    return {
        "Version": "2020-12-01", "Metadata": {},
        "Parameters": [{"Name": "WindowHours", "Type": "Integer", "DefaultValue": 24},
                       {"Name": "MinF1Gain", "Type": "Float", "DefaultValue": min_gain}],
        "Steps": [
            {"Name": "PrepareData", "Type": "Processing", "Arguments": processing},
            {"Name": "DataQualityGate", "Type": "QualityCheck", "DependsOn": ["PrepareData"],
             "Arguments": {**processing, "QualityCheckConfig": {"Type": "DataQuality"}},
             "CheckJobConfig": {"SkipCheck": False, "RegisterNewBaseline": False,
                                "FailOnViolation": True}},
            {"Name": "TrainModel", "Type": "Training", "DependsOn": ["DataQualityGate"],
             "Arguments": {"AlgorithmSpecification": {"TrainingImage": image, "TrainingInputMode": "File"},
                           "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1,
                                              "VolumeSizeInGB": 30}, "RoleArn": role_arn}},
            {"Name": "EvaluateModel", "Type": "Processing", "Arguments": processing,
             "PropertyFiles": [{"PropertyFileName": "Evaluation", "OutputName": "evaluation",
                                "FilePath": "evaluation.json"}]},
            {"Name": "CheckF1", "Type": "Condition", "Arguments": {
                "Conditions": [{"Type": "GreaterThanOrEqualTo", "LeftValue": evaluation,
                                "RightValue": {"Std:Join": {"On": "+", "Values": [current, {"Get": "Parameters.MinF1Gain"}]}}}],
                "IfSteps": [{"Name": "RegisterModel", "Type": "RegisterModel", "Arguments": {
                    "ModelPackageGroupName": group, "ModelApprovalStatus": "PendingManualApproval",
                    "InferenceSpecification": {"Containers": [{"Image": image, "ModelDataUrl": {
                        "Get": "Steps.TrainModel.ModelArtifacts.S3ModelArtifacts"}}],
                        "SupportedContentTypes": ["text/csv"], "SupportedResponseMIMETypes": ["text/csv"]}}}],
                "ElseSteps": [{"Name": "Fail", "Type": "Fail", "Arguments": {
                    "ErrorMessage": "candidate F1 is not better than the current model's"}}]}},
        ],
    }


def store_pipeline(sm, role_arn: str, group: str, *, min_gain: float = 0.02) -> dict:
    """Create (or update) the pipeline in moto and return the definition moto stored."""
    return upsert_pipeline(sm, PIPELINE_NAME, pipeline_definition(role_arn, group, min_gain=min_gain),
                           role_arn)


def upsert_pipeline(sm, name: str, definition: dict, role_arn: str) -> dict:
    """``create_pipeline`` (or ``update_pipeline`` if ``name`` exists) with ``definition`` as JSON;
    returns the definition moto stored."""
    text = json.dumps(definition)
    names = [p["PipelineName"] for p in sm.list_pipelines()["PipelineSummaries"]]
    if name in names:
        sm.update_pipeline(PipelineName=name, PipelineDefinition=text, RoleArn=role_arn)
    else:
        sm.create_pipeline(PipelineName=name, PipelineDefinition=text, RoleArn=role_arn)
    return json.loads(sm.describe_pipeline(PipelineName=name)["PipelineDefinition"])


# --------------------------------------------------------------------------------------------
# The steps, run by the engine
# --------------------------------------------------------------------------------------------

@dataclass
class RetrainingJob:
    """Where the pipeline reads and writes, and its rules (a pipeline's parameters)."""

    endpoint_name: str
    capture_uri: str
    ground_truth_uri: str
    artifacts_uri: str                 # s3://bucket/prefix for models and evaluation.json
    group: str
    statistics: dict                   # the current data-quality baseline
    constraints: dict
    variant_name: str = "AllTraffic"
    window_hours: int = 24
    min_gain: float = 0.02
    holdout_fraction: float = 0.3
    seed: int = 0


@dataclass
class PipelineRun:
    """One execution as the engine ran it: status, the step records, and what it produced."""

    status: str                                     # "Succeeded" or "Failed"
    steps: list[dict] = field(default_factory=list)
    failure_reason: str = ""
    outputs: dict = field(default_factory=dict)     # candidate, metrics, package_arn, frames

    def step_table(self) -> pd.DataFrame:
        """One row per step; with an ``Outputs`` column (the files each check step calculated)
        when the steps carry ``Metadata``, as re-baseline steps do."""
        rows = [{k: s.get(k) for k in ("StepName", "StepStatus", "StartTime", "EndTime",
                                       "FailureReason")} for s in self.steps]
        if any("Metadata" in s for s in self.steps):
            for row, step in zip(rows, self.steps):
                row["Outputs"] = calculated_files(step.get("Metadata", {}))
        return pd.DataFrame(rows)


def calculated_files(metadata: dict) -> str:
    """``CalculatedBaseline*`` URIs of a step's ``Metadata`` as short ``folder/file`` names."""
    uris = [uri for check in metadata.values() for key, uri in check.items()
            if key.startswith("CalculatedBaseline")]
    return ", ".join("/".join(uri.split("/")[-2:]) for uri in uris)


class _Stop(Exception):
    """A step failed: the run ends with this reason."""


def run_retraining(job: RetrainingJob, current_model, *, s3, sm, clock: SimClock) -> PipelineRun:
    """Run the pipeline's steps at ``clock.now()`` for the window that ends then."""
    run = PipelineRun(status="Executing")
    steps = (("PrepareData", _prepare), ("DataQualityGate", _gate), ("TrainModel", _train),
             ("EvaluateModel", _evaluate), ("CheckF1", _condition), ("RegisterModel", _register))
    context = {"job": job, "current": current_model, "s3": s3, "sm": sm, "clock": clock}
    for name, step in steps:
        record = {"StepName": name, "StartTime": clock.now()}
        try:
            run.outputs.update(step(context, run.outputs))
            record["StepStatus"] = "Succeeded"
        except _Stop as stop:
            record.update(StepStatus="Failed", FailureReason=str(stop))
            run.status, run.failure_reason = "Failed", str(stop)
        clock.advance(minutes=STEP_MINUTES[name])
        record["EndTime"] = clock.now()
        run.steps.append(record)
        if run.status == "Failed":
            if name == "CheckF1":
                run.steps.append({"StepName": "Fail", "StepStatus": "Succeeded", "StartTime": clock.now(),
                                  "EndTime": clock.now(), "FailureReason": None})
            return run
    run.status = "Succeeded"
    return run


def labelled_window(s3, job: RetrainingJob, end) -> pd.DataFrame:
    """Captured requests of the ``window_hours`` before ``end`` with their labels (``label``)."""
    end = as_utc(end)
    start = end - timedelta(hours=job.window_hours)
    captures = read_captures(s3, job.capture_uri, job.endpoint_name, start, end, variant=job.variant_name)
    labels = read_ground_truth(s3, job.ground_truth_uri, start, end)
    merged = merge(captures, labels).frame
    return merged.assign(label=merged["groundTruth"].astype("int64"))


def _prepare(context, outputs) -> dict:
    job = context["job"]
    window = labelled_window(context["s3"], job, context["clock"].now())
    if len(window) < 200 or window["label"].nunique() < 2:
        raise _Stop(f"PrepareData: only {len(window)} labelled rows in the last {job.window_hours} h "
                    "(need 200 with both classes); wait for more labels")
    holdout = np.random.default_rng([job.seed, 91]).random(len(window)) < job.holdout_fraction
    return {"window": window, "train": window[~holdout].reset_index(drop=True),
            "holdout": window[holdout].reset_index(drop=True)}


def broken_data_violations(window: pd.DataFrame, statistics: dict, constraints: dict) -> list[dict]:
    """The violations of the window that mean broken data (not drift)."""
    table = monitoring_frame(window, statistics, data.FEATURES)
    report = dataquality.evaluate(table, statistics, constraints)
    return [v for v in report["violations"] if v["constraint_check_type"] in BROKEN_DATA_CHECKS]


def _gate(context, outputs) -> dict:
    job = context["job"]
    broken = broken_data_violations(outputs["window"], job.statistics, job.constraints)
    if broken:
        first = broken[0]
        raise _Stop(f"DataQualityGate: {len(broken)} broken-data violation(s), e.g. "
                    f"{first['constraint_check_type']} on {first['feature_name']}: {first['description']}")
    return {"gate_violations": 0}


def balanced_weights(labels) -> np.ndarray:
    """Per-row weights so each class weighs half the total: ``0.5 / share of its class``."""
    y = np.asarray(labels, dtype=float)
    share = y.mean()
    if not 0 < share < 1:
        raise ValueError("balanced weights need both classes in the labels")
    return np.where(y == 1, 0.5 / share, 0.5 / (1 - share))


def train_candidate(rows: pd.DataFrame, seed: int = 0):
    """The course pipeline fitted on ``rows`` (features + ``label``) with balanced class weights."""
    return build_pipeline(seed).fit(as_model_input(rows), rows["label"].to_numpy(),
                                    classifier__sample_weight=balanced_weights(rows["label"]))


def _train(context, outputs) -> dict:
    return {"candidate": train_candidate(outputs["train"], seed=context["job"].seed)}


def holdout_metrics(model, holdout: pd.DataFrame) -> dict[str, float]:
    """F1, precision, recall, AUC and accuracy of ``model`` on ``holdout`` (threshold 0.5)."""
    values = binary_metrics(holdout["label"], predict_proba(model, holdout))
    return {name: float(values[name]) for name in REPORTED}


def _evaluate(context, outputs) -> dict:
    job, holdout = context["job"], outputs["holdout"]
    evaluation = {"candidate": holdout_metrics(outputs["candidate"], holdout),
                  "current": holdout_metrics(context["current"], holdout), "holdout_rows": len(holdout)}
    uri = f"{job.artifacts_uri.rstrip('/')}/{context['clock'].now():%Y%m%dT%H%M}/evaluation.json"
    registry.write_metrics(context["s3"], uri, evaluation["candidate"])
    return {"evaluation": evaluation, "evaluation_uri": uri}


def condition_passes(candidate_f1: float, current_f1: float, min_gain: float) -> bool:
    """The ``CheckF1`` condition: ``candidate >= current + min_gain``."""
    return bool(candidate_f1 >= current_f1 + min_gain)


def _condition(context, outputs) -> dict:
    evaluation, gain = outputs["evaluation"], context["job"].min_gain
    new, old = evaluation["candidate"]["f1"], evaluation["current"]["f1"]
    if not condition_passes(new, old, gain):
        raise _Stop(f"CheckF1: candidate F1 {new:.4f} < current F1 {old:.4f} + {gain} on the same "
                    f"holdout ({evaluation['holdout_rows']} rows); not registered")
    return {}


def _register(context, outputs) -> dict:
    job, s3 = context["job"], context["s3"]
    key_prefix = outputs["evaluation_uri"][len("s3://"):].split("/", 1)
    model_url = upload_model(s3, key_prefix[0], key_prefix[1].replace("evaluation.json", "model.tar.gz"),
                             outputs["candidate"])
    arn = registry.register_model(context["sm"], job.group, model_url, outputs["evaluation_uri"],
                                  description=f"retrained on {job.window_hours} h of labelled traffic")
    return {"package_arn": arn, "model_data_url": model_url}


# --------------------------------------------------------------------------------------------
# After deployment: re-baseline
# --------------------------------------------------------------------------------------------

def rebaseline(s3, model, training_rows: pd.DataFrame, uri: str, *, seed: int = 0) -> tuple[dict, dict]:
    """New ``statistics.json``/``constraints.json`` for the deployed model, from the data it was
    trained on and **its** predictions (output first), written under ``uri``; returns both."""
    frame = baseline_frame(training_rows, predict_proba(model, training_rows), data.FEATURES)
    statistics, constraints = baseline.suggest_baseline(frame, seed=seed)
    baseline.write_baseline(s3, uri.rstrip("/") + "/", statistics, constraints)
    return statistics, constraints
