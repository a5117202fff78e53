"""Re-baselining after a new model is deployed: the three baselines every model-dependent monitor
reads, computed from the **new** model, written where and as SageMaker writes them.

A SageMaker Pipeline re-baselines with one check step per monitor (DG
pipelines-quality-clarify-baseline-lifecycle): a ``QualityCheck`` step (``CheckType``
``DATA_QUALITY``) runs the Model Monitor baselining job, and a ``ClarifyCheck`` step per Clarify
monitor (``MODEL_BIAS``, ``MODEL_EXPLAINABILITY``) runs the Clarify baselining job. With
``SkipCheck=True`` and ``RegisterNewBaseline=True`` a step compares nothing and makes what it just
calculated (``CalculatedBaseline*``) the baseline used for drift checks from now on
(``BaselineUsedForDriftCheck*``); ``ListPipelineExecutionSteps`` shows those URIs in each step's
``Metadata.QualityCheck`` / ``Metadata.ClarifyCheck``. moto stores the definition and runs no
step (MOTO.md), so :func:`run_rebaseline` runs them on the simulated clock and records them so.

Where each baselining job writes (``{output}`` = :attr:`RebaselineJob.output_uri`):

=============================  =============================================  =====================
step                           files                                          the monitor reading
=============================  =============================================  =====================
``DataQualityBaseline``        ``{output}/data-quality/statistics.json``,     data quality (02/03):
                               ``constraints.json`` (Model Monitor's          ``DataQualityJob``
                               baselining job writes both at its output)
``ModelBiasBaseline``          ``{output}/model-bias/analysis_config.json``   bias drift (06):
                               and ``analysis.json`` (the Clarify job        ``BiasDriftJob.baseline``
                               uploads its config beside its output; the
                               baseline *is* ``analysis.json``, SAGEMAKER.md
                               6.3)
``ModelExplainabilityBaseline`` ``{output}/model-explainability/``            attribution drift (07):
                               ``analysis_config.json``, ``analysis.json``   ``ExecutionConfig.baseline``
=============================  =============================================  =====================

What depends on the model, and so must be recomputed (the rest is the same data, same numbers):

* data quality: the ``prediction`` column's statistics (the inputs' statistics do not change);
* bias: every **post-training** metric (DPPL, DI, RD, ...: they read the predicted labels,
  ``probability > ProbabilityThresholdAttribute``); pre-training metrics (CI, DPL, ...) read only
  the labels and facets, so on the same rows they are equal;
* attribution: every global SHAP value and the expected value (the explained model changed).

Engine choices, said in the lesson:

* **One set of rows** (features + ``label``) feeds the three jobs: after concept drift the rows
  should be the recent labelled window the new model was trained on, so the bias baseline describes
  the new concept and the new model together.
* **The bias file the monitor reads** may be an edited copy of the baselining job's
  ``analysis.json`` (module 06: :func:`~monitorlab.monitoring.biasdrift.select_metrics` and
  :func:`~monitorlab.monitoring.biasdrift.with_tolerance`), written to
  ``{output}/model-bias/drift-check/analysis.json`` and recorded as
  ``BaselineUsedForDriftCheckConstraints``; AWS lets you supply any constraints file, the folder
  name is ours. Without edits both URIs are the job's ``analysis.json``.
* **SHAP** uses the monitor's log-odds Tree SHAP (:mod:`monitorlab.monitoring.attribution`), so the
  baseline and the monitor's windows are in the same output space; the ``analysis_config.json``
  records ``use_logit: true`` and a median/mode baseline row, as module 07's monitor config does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from monitorlab.account.clock import SimClock
from monitorlab.maintenance.pipeline import PipelineRun, upsert_pipeline
from monitorlab.maintenance.pipeline import rebaseline as data_quality_files
from monitorlab.monitoring import attribution, biasdrift, clarify_files
from monitorlab.serving import data
from monitorlab.serving.model import predict_proba, split_s3_uri

PIPELINE_NAME = "monitorlab-rebaseline"
#: Model Monitor's analyzer image in us-east-1 (the data-quality baselining job's container).
MODEL_MONITOR_IMAGE = "156813124566.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer"
#: Each step: its folder under the output, the step type, its CheckType, simulated minutes.
STEPS = {"DataQualityBaseline": ("data-quality", "QualityCheck", "DATA_QUALITY", 8),
         "ModelBiasBaseline": ("model-bias", "ClarifyCheck", "MODEL_BIAS", 10),
         "ModelExplainabilityBaseline": ("model-explainability", "ClarifyCheck",
                                         "MODEL_EXPLAINABILITY", 15)}
DRIFT_CHECK_FOLDER = "drift-check"


@dataclass
class RebaselineJob:
    """The re-baseline run's parameters.

    ``analysis_config``: the bias monitor's ``analysis_config.json`` (monitor form: ``label``,
    ``label_values_or_threshold``, ``facet``); ``bias_metrics`` / ``bias_tolerance``: the edits of
    the file the bias monitor reads (``None`` / ``0``: none); ``model_name``: the deployed model, as
    the Clarify configs' ``predictor`` names it.
    """

    output_uri: str
    analysis_config: dict
    group: str = ""
    model_name: str = "adult-income-v2"
    probability_threshold: float = 0.5
    bias_metrics: tuple[str, ...] | None = None
    bias_tolerance: float | dict = 0.0
    shap_sample: int = attribution.BASELINE_SAMPLE
    seed: int = 0
    folders: dict = field(default_factory=lambda: {name: spec[0] for name, spec in STEPS.items()})

    def __post_init__(self):
        split_s3_uri(self.output_uri)
        clarify_files.read_analysis_config(self.analysis_config)
        if not 0 <= self.probability_threshold <= 1:
            raise ValueError(f"probability_threshold must be in [0, 1] (the monitor's "
                             f"ProbabilityThresholdAttribute), got {self.probability_threshold!r}")

    def uri(self, step: str, file_name: str = "") -> str:
        """``{output}/{step folder}/{file_name}``."""
        return f"{self.output_uri.rstrip('/')}/{self.folders[step]}/{file_name}"


# --------------------------------------------------------------------------------------------
# The definition moto stores
# --------------------------------------------------------------------------------------------

def rebaseline_definition(role_arn: str, group: str, output_uri: str) -> dict:
    """The re-baseline pipeline's definition JSON: one check step per monitor, each with
    ``SkipCheck=True`` and ``RegisterNewBaseline=True`` (the SDK's ``QualityCheckStep`` /
    ``ClarifyCheckStep`` request fields)."""
    steps = []
    for name, (folder, kind, check_type, _) in STEPS.items():
        image = MODEL_MONITOR_IMAGE if kind == "QualityCheck" else biasdrift.CLARIFY_IMAGE
        arguments = {
            "ProcessingResources": {"ClusterConfig": {"InstanceType": "ml.m5.xlarge",
                                                      "InstanceCount": 1, "VolumeSizeInGB": 30}},
            "AppSpecification": {"ImageUri": image}, "RoleArn": role_arn,
            "ProcessingOutputConfig": {"Outputs": [{"OutputName": folder, "S3Output": {
                "S3Uri": f"{output_uri.rstrip('/')}/{folder}", "LocalPath": "/opt/ml/processing/output",
                "S3UploadMode": "EndOfJob"}}]}}
        steps.append({"Name": name, "Type": kind, "Arguments": arguments, "CheckType": check_type,
                      "ModelPackageGroupName": group, "SkipCheck": True,
                      "RegisterNewBaseline": True, "FailOnViolation": False})
    return {"Version": "2020-12-01", "Metadata": {}, "Parameters": [], "Steps": steps}


def store_rebaseline_pipeline(sm, role_arn: str, group: str, output_uri: str) -> dict:
    """Create (or update) the re-baseline pipeline in moto; returns the stored definition."""
    return upsert_pipeline(sm, PIPELINE_NAME, rebaseline_definition(role_arn, group, output_uri), role_arn)


# --------------------------------------------------------------------------------------------
# The three baselining jobs
# --------------------------------------------------------------------------------------------

def data_quality_step(s3, job: RebaselineJob, model, rows: pd.DataFrame) -> tuple[dict, dict]:
    """``statistics.json``/``constraints.json`` of the rows with the new model's predictions."""
    statistics, constraints = data_quality_files(s3, model, rows, job.uri("DataQualityBaseline"),
                                                 seed=job.seed)
    calculated = {"CalculatedBaselineStatistics": job.uri("DataQualityBaseline", "statistics.json"),
                  "CalculatedBaselineConstraints": job.uri("DataQualityBaseline", "constraints.json")}
    used = {"BaselineUsedForDriftCheckStatistics": calculated["CalculatedBaselineStatistics"],
            "BaselineUsedForDriftCheckConstraints": calculated["CalculatedBaselineConstraints"]}
    return {"statistics": statistics, "constraints": constraints}, {**calculated, **used}


def bias_processing_config(job: RebaselineJob) -> dict:
    """The Clarify baselining job's ``analysis_config.json`` (processing form, SAGEMAKER.md 6.1):
    the monitor's config plus ``dataset_type``, ``methods``, ``predictor`` and the threshold."""
    config = clarify_files.read_analysis_config(job.analysis_config)
    config.pop("methods", None)
    return {**config, "dataset_type": "text/csv",
            "methods": {"pre_training_bias": {"methods": "all"},
                        "post_training_bias": {"methods": "all"}},
            "predictor": _predictor(job.model_name),
            "probability_threshold": float(job.probability_threshold)}


def bias_step(s3, job: RebaselineJob, rows: pd.DataFrame, probabilities) -> tuple[dict, dict]:
    """Clarify's bias ``analysis.json`` of the rows with the new model's predicted labels, and the
    file the monitor reads (edited when the job asks: module docstring)."""
    label = biasdrift.label_name(clarify_files.read_analysis_config(job.analysis_config))
    if label not in rows.columns:
        raise ValueError(f"rows have no label column {label!r} (the analysis_config's label): "
                         "pass the labelled window, with its ground truth")
    columns = data.FEATURES + [label]
    analysis = biasdrift.suggest_baseline(rows[columns], probabilities, job.analysis_config,
                                          probability_threshold=job.probability_threshold)
    attribution.write_json(s3, job.uri("ModelBiasBaseline", "analysis_config.json"),
                           bias_processing_config(job))
    calculated = attribution.write_json(s3, job.uri("ModelBiasBaseline", "analysis.json"), analysis)
    used, monitored = calculated, analysis
    if job.bias_metrics is not None or job.bias_tolerance:
        monitored = analysis if job.bias_metrics is None else biasdrift.select_metrics(analysis, job.bias_metrics)
        monitored = biasdrift.with_tolerance(monitored, job.bias_tolerance)
        used = attribution.write_json(
            s3, job.uri("ModelBiasBaseline", f"{DRIFT_CHECK_FOLDER}/analysis.json"), monitored)
    return ({"bias_baseline": analysis, "bias_drift_check": monitored},
            {"CalculatedBaselineConstraints": calculated, "BaselineUsedForDriftCheckConstraints": used})


def shap_processing_config(job: RebaselineJob, rows: pd.DataFrame) -> dict:
    """The explainability baselining job's ``analysis_config.json``: ``methods.shap`` with a
    median/mode baseline row (SAGEMAKER.md 7), ``use_logit: true`` (the monitor's log-odds)."""
    baseline_row = [_plain(rows[f].median()) if f in data.NUMERIC_FEATURES else _plain(rows[f].mode().iloc[0])
                    for f in data.FEATURES]
    return {"version": "1.0", "dataset_type": "text/csv", "headers": list(data.FEATURES),
            "methods": {"shap": {"baseline": [baseline_row], "num_samples": 100,
                                 "agg_method": "mean_abs", "use_logit": True,
                                 "save_local_shap_values": False, "seed": job.seed}},
            "predictor": {**_predictor(job.model_name), "label_headers": [attribution.DEFAULT_LABEL]}}


def explainability_step(s3, job: RebaselineJob, model, rows: pd.DataFrame) -> tuple[dict, dict]:
    """Global SHAP ``analysis.json`` of a seeded sample of the rows, explained by the new model."""
    analysis = attribution.suggest_baseline(model, rows[data.FEATURES], sample_size=job.shap_sample,
                                            seed=job.seed)
    attribution.write_json(s3, job.uri("ModelExplainabilityBaseline", "analysis_config.json"),
                           shap_processing_config(job, rows))
    uri = attribution.write_json(s3, job.uri("ModelExplainabilityBaseline", "analysis.json"), analysis)
    return ({"attribution_baseline": analysis},
            {"CalculatedBaselineConstraints": uri, "BaselineUsedForDriftCheckConstraints": uri})


def _predictor(model_name: str) -> dict:
    return {"model_name": model_name, "instance_type": "ml.m5.xlarge", "initial_instance_count": 1,
            "accept_type": "text/csv", "content_type": "text/csv"}


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


# --------------------------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------------------------

def run_rebaseline(job: RebaselineJob, model, rows: pd.DataFrame, *, s3, clock: SimClock) -> PipelineRun:
    """Run the three baselining steps for ``model`` on ``rows`` (features + label) at
    ``clock.now()``; each step record carries ``Metadata.QualityCheck`` or
    ``Metadata.ClarifyCheck`` with the URIs it calculated, ``run.outputs`` the documents."""
    missing = [c for c in data.FEATURES if c not in rows.columns]
    if missing or len(rows) == 0:
        raise ValueError(f"rows must hold the feature columns and at least one row; missing "
                         f"{missing}: pass the labelled window the model was trained on")
    rows = rows.reset_index(drop=True)
    probabilities = predict_proba(model, rows)
    steps = {"DataQualityBaseline": lambda: data_quality_step(s3, job, model, rows),
             "ModelBiasBaseline": lambda: bias_step(s3, job, rows, probabilities),
             "ModelExplainabilityBaseline": lambda: explainability_step(s3, job, model, rows)}
    run = PipelineRun(status="Executing")
    for name, step in steps.items():
        _, kind, check_type, minutes = STEPS[name]
        record = {"StepName": name, "StartTime": clock.now()}
        try:
            documents, uris = step()
        except ValueError as error:
            record.update(StepStatus="Failed", FailureReason=f"{name}: {error}")
            run.status, run.failure_reason = "Failed", record["FailureReason"]
        else:
            record.update(StepStatus="Succeeded", Metadata={kind: {
                "CheckType": check_type, **uris, "ModelPackageGroupName": job.group,
                "SkipCheck": True, "RegisterNewBaseline": True}})
            run.outputs.update(documents)
        clock.advance(minutes=minutes)
        record["EndTime"] = clock.now()
        run.steps.append(record)
        if run.status == "Failed":
            return run
    run.status = "Succeeded"
    return run

