"""The SageMaker Model Registry: model package versions, their metrics and the approval gate.

moto implements the registry (MOTO.md): groups, versions numbered 1, 2, ..., approval updates and
listing by status all work; it emits no EventBridge event when a status changes, so the engine
publishes SageMaker's ``SageMaker Model Package State Change`` event itself
(:func:`package_state_event`), which a rule can turn into a deployment.

The metrics a version carries are a model-quality ``statistics.json``-style document
(``binary_classification_metrics``, each ``{"value", "standard_deviation"}``), written to S3 and
referenced from ``ModelMetrics.ModelQuality.Statistics``, as the SageMaker SDK's ``ModelMetrics``
/ ``MetricsSource`` do (Developer Guide, "Model quality metrics" and "Register a model version").
"""

from __future__ import annotations

import json

from monitorlab.serving.endpoint import CSV, SKLEARN_IMAGE
from monitorlab.serving.model import split_s3_uri

APPROVAL_STATUSES = ("PendingManualApproval", "Approved", "Rejected")


def metrics_document(metrics: dict[str, float]) -> dict:
    """``{"binary_classification_metrics": {name: {"value": v, "standard_deviation": "NaN"}}}``."""
    return {"binary_classification_metrics": {
        name: {"value": float(value), "standard_deviation": "NaN"} for name, value in sorted(metrics.items())}}


def write_metrics(s3, uri: str, metrics: dict[str, float]) -> str:
    """Write the evaluation document to ``uri`` (``s3://bucket/.../evaluation.json``); returns it."""
    bucket, key = split_s3_uri(uri)
    s3.put_object(Bucket=bucket, Key=key, ContentType="application/json",
                  Body=json.dumps(metrics_document(metrics), indent=2, sort_keys=True).encode())
    return uri


def register_model(sm, group: str, model_data_url: str, metrics_uri: str, *,
                   status: str = "PendingManualApproval", description: str = "") -> str:
    """``create_model_package`` in ``group``; returns the new version's ARN (``.../group/N``)."""
    _check_status(status)
    return sm.create_model_package(
        ModelPackageGroupName=group, ModelPackageDescription=description, ModelApprovalStatus=status,
        InferenceSpecification={"Containers": [{"Image": SKLEARN_IMAGE, "ModelDataUrl": model_data_url}],
                                "SupportedContentTypes": [CSV], "SupportedResponseMIMETypes": [CSV]},
        ModelMetrics={"ModelQuality": {"Statistics": {"ContentType": "application/json",
                                                      "S3Uri": metrics_uri}}})["ModelPackageArn"]


def set_approval(sm, package_arn: str, status: str, description: str = "") -> dict:
    """Approve or reject a version; returns the ``SageMaker Model Package State Change`` event
    AWS would emit (moto emits none: put it on a bus with :func:`publish_state_change`)."""
    _check_status(status)
    sm.update_model_package(ModelPackageArn=package_arn, ModelApprovalStatus=status,
                            ApprovalDescription=description)
    return package_state_event(sm.describe_model_package(ModelPackageName=package_arn))


def package_state_event(package: dict) -> dict:
    """The EventBridge event for a model package (source ``aws.sagemaker``)."""
    return {"Source": "aws.sagemaker", "DetailType": "SageMaker Model Package State Change",
            "Resources": [package["ModelPackageArn"]],
            "Detail": json.dumps({"ModelPackageGroupName": package["ModelPackageGroupName"],
                                  "ModelPackageVersion": package["ModelPackageVersion"],
                                  "ModelPackageArn": package["ModelPackageArn"],
                                  "ModelApprovalStatus": package["ModelApprovalStatus"]})}


def publish_state_change(events, event: dict) -> None:
    events.put_events(Entries=[event])


def latest_approved(sm, group: str) -> dict | None:
    """The newest ``Approved`` version of ``group`` (what a deployment should serve), or None."""
    summaries = sm.list_model_packages(ModelPackageGroupName=group, ModelApprovalStatus="Approved",
                                       SortBy="CreationTime", SortOrder="Descending")["ModelPackageSummaryList"]
    if not summaries:
        return None
    newest = max(summaries, key=lambda s: s["ModelPackageVersion"])
    return sm.describe_model_package(ModelPackageName=newest["ModelPackageArn"])


def versions(sm, group: str) -> list[dict]:
    """Every version of ``group``: number, status and ARN, oldest first."""
    summaries = sm.list_model_packages(ModelPackageGroupName=group)["ModelPackageSummaryList"]
    return sorted(({"version": s["ModelPackageVersion"], "status": s["ModelApprovalStatus"],
                    "arn": s["ModelPackageArn"]} for s in summaries), key=lambda v: v["version"])


def _check_status(status: str) -> None:
    if status not in APPROVAL_STATUSES:
        raise ValueError(f"ModelApprovalStatus must be one of {APPROVAL_STATUSES}, got {status!r}")
