"""A local SageMaker real-time endpoint that honours ``DataCaptureConfig``.

moto stores endpoints but never runs a model and never captures data (MOTO.md: ``invoke_endpoint``
returns a canned body for any endpoint name). So the course deploys the model *configuration* to
moto (Model, EndpointConfig with ``DataCaptureConfig``, Endpoint) and serves the model here.
:class:`LocalEndpoint` reads its configuration back from moto with ``describe_endpoint`` and
``describe_endpoint_config``, exactly as the real service would, and then:

* answers ``invoke_endpoint`` calls for ``text/csv`` and ``application/json`` with the probability
  of income > 50K (CSV: one number per line; JSON: ``{"predictions": [p, ...]}``);
* captures sampled requests as JSON Lines in SageMaker's record format, under
  ``{DestinationS3Uri}/{endpoint}/{variant}/yyyy/mm/dd/hh/{MM-SS-mmm}-{uuid}.jsonl``, one file per
  hour and flush, encrypted with ``KmsKeyId`` (SSE-KMS) when given;
* publishes the endpoint's CloudWatch metrics in namespace ``AWS/SageMaker`` (dimensions
  ``EndpointName``, ``VariantName``), aggregated per minute as statistic sets and sent in batched
  ``put_metric_data`` calls, as the real service does.

Choices where AWS documents nothing (taught in module 01):

* Sampling: one seeded uniform draw per request; captured when ``draw * 100 < InitialSamplingPercentage``.
* Encoding: a payload whose media type (the part before ``;``) is listed in
  ``CsvContentTypes`` is captured as text with ``encoding`` ``"CSV"``, in ``JsonContentTypes`` as
  ``"JSON"``; anything else, or every payload when ``CaptureContentTypeHeader`` is absent, is
  base64-encoded with ``encoding`` ``"BASE64"`` (AWS documents base64 as the default but no
  captured file showing the label was found).
* Failed requests (4XX) are not captured, and count in ``Invocations`` and ``Invocation4XXErrors``.
* A model output that is not a finite number is a container failure: the request fails with
  HTTP 500 (``ModelError``, ``OriginalStatusCode`` 500), is not captured, and counts in
  ``Invocation5XXErrors`` (module 08's deliberately broken release produces these).
* An endpoint config with several production variants is served one variant per
  :class:`LocalEndpoint` (``variant_name=``); routing between them is
  :mod:`monitorlab.maintenance.rollout`'s job.
* ``ModelLatency`` and ``OverheadLatency`` (microseconds) come from a seeded latency model so runs
  are reproducible; ``latency="measured"`` times the real prediction instead.
"""

from __future__ import annotations

import base64
import io
import json
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import pandas as pd
from botocore.exceptions import ClientError
from botocore.response import StreamingBody

from monitorlab.serving import data
from monitorlab.account.clock import SimClock, format_inference_time, hour_floor
from monitorlab.account.cloudwatch import put_metrics
from monitorlab.serving.model import as_model_input, download_model, split_s3_uri, upload_model

NAMESPACE = "AWS/SageMaker"
DEFAULT_VARIANT = "AllTraffic"
CSV = "text/csv"
JSON = "application/json"
SUPPORTED_CONTENT_TYPES = (CSV, JSON)
SKLEARN_IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"


# --------------------------------------------------------------------------------------------
# Configuration
# --------------------------------------------------------------------------------------------

def data_capture_config(destination_s3_uri: str, *, sampling_percentage: int = 20,
                        capture_modes: tuple[str, ...] = ("Input", "Output"),
                        csv_content_types: tuple[str, ...] | None = (CSV,),
                        json_content_types: tuple[str, ...] | None = (JSON,),
                        kms_key_id: str | None = None, enable: bool = True) -> dict:
    """A ``DataCaptureConfig`` for ``create_endpoint_config``, with the SageMaker SDK's defaults.

    Pass ``csv_content_types=None, json_content_types=None`` to omit ``CaptureContentTypeHeader``
    (every payload is then captured base64-encoded).
    """
    validate_sampling_percentage(sampling_percentage)
    config = {
        "EnableCapture": enable,
        "InitialSamplingPercentage": sampling_percentage,
        "DestinationS3Uri": destination_s3_uri,
        "CaptureOptions": [{"CaptureMode": mode} for mode in capture_modes],
    }
    if kms_key_id:
        config["KmsKeyId"] = kms_key_id
    header = {key: list(types) for key, types in (("CsvContentTypes", csv_content_types),
                                                   ("JsonContentTypes", json_content_types)) if types}
    if header:  # the API requires 1-10 entries in each list it is given: omit empty ones
        config["CaptureContentTypeHeader"] = header
    return config


def validate_sampling_percentage(value) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 0 <= value <= 100:
        raise ValueError(f"InitialSamplingPercentage must be an integer from 0 to 100, got {value!r}")


@dataclass(frozen=True)
class CaptureSettings:
    """A parsed ``DataCaptureConfig``: what the endpoint captures, where, and how."""

    enabled: bool
    sampling_percentage: int
    destination_s3_uri: str
    capture_input: bool
    capture_output: bool
    kms_key_id: str | None
    csv_types: tuple[str, ...] | None
    json_types: tuple[str, ...] | None

    @classmethod
    def from_api(cls, config: dict | None) -> "CaptureSettings":
        """Parse the dict ``describe_endpoint_config`` returns under ``DataCaptureConfig``."""
        if not config:
            return cls(False, 0, "", False, False, None, None, None)
        for key in ("InitialSamplingPercentage", "DestinationS3Uri", "CaptureOptions"):
            if key not in config:
                raise ValueError(f"DataCaptureConfig is missing {key!r}; see data_capture_config()")
        validate_sampling_percentage(config["InitialSamplingPercentage"])
        split_s3_uri(config["DestinationS3Uri"])
        modes = {option.get("CaptureMode") for option in config["CaptureOptions"]}
        unknown = modes - {"Input", "Output", "InputAndOutput"}
        if unknown or not modes:
            raise ValueError(f"CaptureOptions CaptureMode must be Input, Output or InputAndOutput; "
                             f"got {sorted(map(str, unknown)) or 'nothing'}")
        header = config.get("CaptureContentTypeHeader")
        return cls(
            enabled=bool(config.get("EnableCapture", True)),
            sampling_percentage=int(config["InitialSamplingPercentage"]),
            destination_s3_uri=config["DestinationS3Uri"].rstrip("/"),
            capture_input=bool(modes & {"Input", "InputAndOutput"}),
            capture_output=bool(modes & {"Output", "InputAndOutput"}),
            kms_key_id=config.get("KmsKeyId") or None,
            csv_types=_lower(header.get("CsvContentTypes", [])) if header else None,
            json_types=_lower(header.get("JsonContentTypes", [])) if header else None,
        )

    def encoding_for(self, content_type: str) -> str:
        """``"CSV"``, ``"JSON"`` or ``"BASE64"`` for a payload of ``content_type``."""
        media_type = content_type.split(";")[0].strip().lower()
        if self.csv_types and media_type in self.csv_types:
            return "CSV"
        if self.json_types and media_type in self.json_types:
            return "JSON"
        return "BASE64"


def _lower(values) -> tuple[str, ...]:
    return tuple(v.split(";")[0].strip().lower() for v in values)


def create_endpoint(sandbox, account, endpoint_name: str, *, model=None,
                    capture_config: dict | None = None, variant_name: str = DEFAULT_VARIANT,
                    instance_type: str = "ml.m5.large") -> dict:
    """Deploy the model's configuration to moto: ``model.tar.gz`` in S3, Model, EndpointConfig, Endpoint.

    Returns the names and URIs created. ``model`` defaults to the course model.
    """
    from monitorlab.serving.model import course_model

    s3, sm = sandbox.client("s3"), sandbox.client("sagemaker")
    model = course_model() if model is None else model
    model_uri = upload_model(s3, account.bucket, f"models/{endpoint_name}/model.tar.gz", model)
    model_name = f"{endpoint_name}-model"
    sm.create_model(ModelName=model_name, ExecutionRoleArn=account.role_arn,
                    PrimaryContainer={"Image": SKLEARN_IMAGE, "ModelDataUrl": model_uri})
    config_name = f"{endpoint_name}-config"
    kwargs = {"EndpointConfigName": config_name, "ProductionVariants": [{
        "VariantName": variant_name, "ModelName": model_name, "InitialInstanceCount": 1,
        "InstanceType": instance_type, "InitialVariantWeight": 1.0}]}
    if capture_config is not None:
        CaptureSettings.from_api(capture_config)  # fail early, with our message, on a bad config
        kwargs["DataCaptureConfig"] = capture_config
    sm.create_endpoint_config(**kwargs)
    sm.create_endpoint(EndpointName=endpoint_name, EndpointConfigName=config_name)
    return {"endpoint_name": endpoint_name, "endpoint_config_name": config_name,
            "model_name": model_name, "model_data_url": model_uri, "variant_name": variant_name}


# --------------------------------------------------------------------------------------------
# Request parsing
# --------------------------------------------------------------------------------------------

class BadRequest(ValueError):
    """A request the model rejects; carries the HTTP status the container would return."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def serialize_csv(frame: pd.DataFrame) -> list[str]:
    """One CSV line per row of ``frame`` (features in model order, missing values empty)."""
    features = frame[data.FEATURES]
    text = features.to_csv(header=False, index=False, lineterminator="\n", na_rep="")
    return text.rstrip("\n").split("\n")


def parse_request(body: bytes | str, content_type: str) -> pd.DataFrame:
    """Turn a request body into feature rows, or raise :class:`BadRequest` saying what is wrong."""
    frame, problems = rows_to_frame(parse_rows(body, content_type))
    if problems.notna().any():
        raise BadRequest(problems.dropna().iloc[0])
    return frame


def parse_rows(body: bytes | str, content_type: str) -> list[list]:
    """Split a body into rows of raw values, checking content type, emptiness and shape."""
    media_type = (content_type or "").split(";")[0].strip().lower()
    if media_type not in SUPPORTED_CONTENT_TYPES:
        raise BadRequest(f"unsupported content type {content_type!r}; send text/csv or "
                         "application/json", status=415)
    text = body.decode("utf-8", errors="replace") if isinstance(body, (bytes, bytearray)) else str(body)
    if not text.strip():
        raise BadRequest("empty request body; send at least one row of "
                         f"{len(data.FEATURES)} features")
    return _parse_csv(text) if media_type == CSV else _parse_json(text)


def rows_to_frame(rows: list[list]) -> tuple[pd.DataFrame, pd.Series]:
    """Typed feature frame for ``rows`` and, per row, the first problem found (or ``None``).

    Vectorised over all rows, so a whole replay is converted at once.
    """
    frame = pd.DataFrame(rows, columns=data.FEATURES, dtype=object)
    problems = pd.Series([None] * len(frame), dtype=object)
    for column in data.NUMERIC_FEATURES:
        frame[column], bad = _numeric_column(frame[column])
        first_problem = problems.isna() & bad
        problems[first_problem] = [f"{column} must be a number, got {v!r}"
                                   for v in _raw(rows, column, first_problem)]
    for column in data.CATEGORICAL_FEATURES:
        text = frame[column].astype(str).str.strip()
        frame[column] = text.where(text.str.len() > 0, None)
    return frame, problems


def _raw(rows, column, mask) -> list:
    index = data.FEATURES.index(column)
    return [rows[i][index] for i in np.flatnonzero(mask.to_numpy())]


def _parse_csv(text: str) -> list[list[str]]:
    rows = [line.split(",") for line in text.strip("\n").split("\n")]
    for number, row in enumerate(rows, start=1):
        if len(row) != len(data.FEATURES):
            raise BadRequest(f"row {number} has {len(row)} columns, expected {len(data.FEATURES)} "
                             f"({', '.join(data.FEATURES)})")
    return rows


def _parse_json(text: str) -> list[list]:
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as error:
        raise BadRequest(f"body is not valid JSON: {error}") from None
    instances = payload.get("instances") if isinstance(payload, dict) else None
    if not isinstance(instances, list) or not instances:
        raise BadRequest('JSON body must be {"instances": [...]} with at least one row')
    rows = []
    for number, item in enumerate(instances, start=1):
        if isinstance(item, dict):
            missing = [f for f in data.FEATURES if f not in item]
            if missing:
                raise BadRequest(f"instance {number} lacks {missing}")
            item = [item[f] for f in data.FEATURES]
        if not isinstance(item, list) or len(item) != len(data.FEATURES):
            raise BadRequest(f"instance {number} must list {len(data.FEATURES)} values or be an "
                             "object keyed by feature name")
        rows.append(["" if v is None else v for v in item])
    return rows


def _numeric_column(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(float values with blanks as NaN, mask of values that are not numbers)."""
    text = values.astype(str).str.strip()
    blank = (text == "") | (text.str.lower() == "nan")
    numbers = pd.to_numeric(text.where(~blank, None), errors="coerce").astype("float64")
    return numbers, numbers.isna() & ~blank


def format_predictions(probabilities: np.ndarray, accept: str) -> tuple[bytes, str]:
    """The response body and content type for ``accept`` (CSV unless JSON was asked for)."""
    if (accept or CSV).split(";")[0].strip().lower() == JSON:
        body = json.dumps({"predictions": [round(float(p), 12) for p in probabilities]})
        return body.encode(), JSON
    return "\n".join(format(float(p), ".12g") for p in probabilities).encode(), CSV


# --------------------------------------------------------------------------------------------
# Latency and metrics
# --------------------------------------------------------------------------------------------

def simulated_latency_us(rng: np.random.Generator, rows: int) -> tuple[float, float]:
    """(ModelLatency, OverheadLatency) in microseconds from a seeded model.

    Model time ~ lognormal around 6 ms plus 40 us per row; overhead ~ lognormal around 2.5 ms.
    """
    model_us = float(rng.lognormal(np.log(6000.0), 0.25) + 40.0 * rows)
    overhead_us = float(rng.lognormal(np.log(2500.0), 0.3))
    return round(model_us, 1), round(overhead_us, 1)


@dataclass
class MetricBuffer:
    """Per-minute statistic sets for the endpoint's metrics, flushed in batched ``put_metric_data``."""

    dimensions: list
    stats: dict = field(default_factory=lambda: defaultdict(lambda: [0.0, 0.0, np.inf, -np.inf]))
    calls: int = 0

    def add(self, name: str, minute: datetime, value: float) -> None:
        entry = self.stats[(name, minute)]
        entry[0] += 1
        entry[1] += value
        entry[2] = min(entry[2], value)
        entry[3] = max(entry[3], value)

    def flush(self, cloudwatch) -> int:
        """Send everything buffered; returns the number of datapoints sent."""
        items = [self._datum(name, minute, entry)
                 for (name, minute), entry in sorted(self.stats.items())]
        self.calls += put_metrics(cloudwatch, NAMESPACE, items)
        self.stats.clear()
        return len(items)

    def _datum(self, name, minute, entry) -> dict:
        count, total, low, high = entry
        unit = "Microseconds" if name.endswith("Latency") else "None"
        return {"MetricName": name, "Dimensions": self.dimensions, "Timestamp": minute,
                "Unit": unit, "StatisticValues": {"SampleCount": count, "Sum": total,
                                                  "Minimum": low, "Maximum": high}}


# --------------------------------------------------------------------------------------------
# The endpoint
# --------------------------------------------------------------------------------------------

class LocalEndpoint:
    """Serve the deployed model locally, with SageMaker's Data Capture and endpoint metrics.

    >>> endpoint = LocalEndpoint.from_sandbox(sb, "adult-income", clock=clock)
    >>> response = endpoint.invoke_endpoint(EndpointName="adult-income", ContentType="text/csv",
    ...                                     Body=line, InferenceId="42")
    >>> endpoint.flush()   # write the buffered capture file and metrics now
    """

    def __init__(self, endpoint_name: str, *, sagemaker, s3, cloudwatch, clock: SimClock,
                 model=None, seed: int = 0, latency: str = "simulated",
                 variant_name: str | None = None, endpoint_config_name: str | None = None):
        if latency not in ("simulated", "measured"):
            raise ValueError("latency must be 'simulated' or 'measured'")
        self.endpoint_name = endpoint_name
        self._sm, self._s3, self._cw = sagemaker, s3, cloudwatch
        self.clock = clock
        self.latency = latency
        self._sampling_rng = np.random.default_rng([seed, 11])
        self._id_rng = np.random.default_rng([seed, 12])
        self._latency_rng = np.random.default_rng([seed, 13])
        self._file_rng = np.random.default_rng([seed, 14])  # file names never shift event ids
        self._wanted_variant = variant_name
        self._config_name = endpoint_config_name  # a config not yet live (a blue/green green fleet)
        self.reload_config()
        self.model = download_model(s3, self.model_data_url) if model is None else model
        self._metrics = MetricBuffer([{"Name": "EndpointName", "Value": endpoint_name},
                                      {"Name": "VariantName", "Value": self.variant_name}])
        self._pending: list[str] = []
        self._pending_hour: datetime | None = None
        self._pending_first: datetime | None = None
        self.counts = {"invocations": 0, "captured": 0, "errors_4xx": 0, "errors_5xx": 0, "files": 0}
        self.capture_keys: list[str] = []

    @classmethod
    def from_sandbox(cls, sandbox, endpoint_name: str, *, clock: SimClock, **kwargs) -> "LocalEndpoint":
        return cls(endpoint_name, sagemaker=sandbox.client("sagemaker"), s3=sandbox.client("s3"),
                   cloudwatch=sandbox.client("cloudwatch"), clock=clock, **kwargs)

    def reload_config(self) -> None:
        """Read the endpoint, its config and model back from moto, as the real service would."""
        try:
            endpoint = self._sm.describe_endpoint(EndpointName=self.endpoint_name)
        except ClientError as error:
            raise ValueError(f"endpoint {self.endpoint_name!r} does not exist in the sandbox; "
                             "create it first with monitorlab.serving.endpoint.create_endpoint()") from error
        config = self._sm.describe_endpoint_config(
            EndpointConfigName=self._config_name or endpoint["EndpointConfigName"])
        variants = {v["VariantName"]: v for v in config["ProductionVariants"]}
        wanted = self._wanted_variant or config["ProductionVariants"][0]["VariantName"]
        if wanted not in variants:
            raise ValueError(f"variant_name {wanted!r} is not a production variant of endpoint "
                             f"{self.endpoint_name!r}; choose one of {sorted(variants)}")
        variant = variants[wanted]
        self.variant_name = variant["VariantName"]
        self.capture = CaptureSettings.from_api(config.get("DataCaptureConfig"))
        container = self._sm.describe_model(ModelName=variant["ModelName"])["PrimaryContainer"]
        self.model_data_url = container["ModelDataUrl"]

    # -- the runtime API ------------------------------------------------------------------------
    def invoke_endpoint(self, *, EndpointName: str, Body, ContentType: str = CSV,
                        Accept: str | None = None, InferenceId: str | None = None, **_ignored) -> dict:
        """Same arguments and response shape as ``sagemaker-runtime``'s ``invoke_endpoint``."""
        if EndpointName != self.endpoint_name:
            raise _client_error("ValidationError", 400,
                                f"Endpoint {EndpointName} of account 123456789012 not found.")
        body = Body.encode() if isinstance(Body, str) else bytes(Body)
        return self._serve([body], [ContentType], [Accept], [InferenceId], [self.clock.now()])[0]

    def replay(self, traffic, *, content_type: str = CSV, accept: str | None = None,
               use_inference_id: bool = True) -> dict:
        """Send every request of ``traffic`` (a :class:`~monitorlab.serving.scenarios.Traffic` or frame
        with ``timestamp`` and the features), one row per request, advancing the clock to each
        request's timestamp. Returns the counts. Predicts in bulk for speed; the records and
        metrics are the same as calling :meth:`invoke_endpoint` once per row.
        """
        frame = getattr(traffic, "requests", traffic)
        if "timestamp" not in frame.columns:
            raise ValueError("traffic needs a 'timestamp' column (UTC) for each request")
        if content_type.split(";")[0] == JSON:
            bodies = [json.dumps({"instances": [row]}).encode() for row in _json_rows(frame)]
        else:
            bodies = [line.encode() for line in serialize_csv(frame)]
        ids = (frame["inference_id"].astype(str).tolist()
               if use_inference_id and "inference_id" in frame.columns else [None] * len(frame))
        times = [t.to_pydatetime() for t in pd.to_datetime(frame["timestamp"], utc=True)]
        self._serve(bodies, [content_type] * len(frame), [accept] * len(frame), ids, times)
        self.flush()
        return dict(self.counts)

    def flush(self) -> None:
        """Write the buffered capture records as one S3 object and send the buffered metrics."""
        self._flush_capture()
        self._metrics.flush(self._cw)

    # -- internals --------------------------------------------------------------------------
    def _serve(self, bodies, content_types, accepts, ids, times) -> list[dict]:
        errors, owners, all_rows = {}, [], []
        for index, (body, content_type) in enumerate(zip(bodies, content_types)):
            try:
                rows = parse_rows(body, content_type)
            except BadRequest as error:
                errors[index] = error
                continue
            all_rows.extend(rows)
            owners.extend([index] * len(rows))
        frame, problems = rows_to_frame(all_rows)
        owners = np.asarray(owners, dtype=np.int64)
        for row in np.flatnonzero(problems.notna().to_numpy()):
            owner = int(owners[row])
            row_in_request = row - int(np.searchsorted(owners, owner)) + 1
            errors.setdefault(owner, BadRequest(f"row {row_in_request}: {problems.iloc[row]}"))
        valid = ~np.isin(owners, list(errors))
        probabilities = np.full(len(owners), np.nan)
        probabilities[valid] = self._predict(frame[valid])
        for row in np.flatnonzero(valid & ~np.isfinite(probabilities)):
            errors.setdefault(int(owners[row]), BadRequest(
                f"the model returned {probabilities[row]} for row "
                f"{row - int(np.searchsorted(owners, owners[row])) + 1}, not a probability", status=500))
        starts = np.searchsorted(owners, np.arange(len(bodies)))
        ends = np.searchsorted(owners, np.arange(len(bodies)), side="right")
        responses = []
        for index in range(len(bodies)):
            self.clock.advance_to(times[index])
            if index in errors:
                self._record_error(errors[index].status)
                responses.append(errors[index])
                continue
            result = probabilities[starts[index]:ends[index]]
            responses.append(self._respond(bodies[index], content_types[index], accepts[index],
                                           ids[index], result, len(result)))
        if len(bodies) == 1 and 0 in errors:
            raise _model_error(errors[0], self.endpoint_name)
        return responses

    def _predict(self, frame: pd.DataFrame) -> np.ndarray:
        if frame.empty:
            return np.empty(0)
        started = time.perf_counter()
        probabilities = self.model.predict_proba(as_model_input(frame))[:, 1]
        self._measured_us_per_row = (time.perf_counter() - started) * 1e6 / len(frame)
        return probabilities

    def _respond(self, body, content_type, accept, inference_id, probabilities, rows) -> dict:
        now = self.clock.now()
        out_body, out_type = format_predictions(probabilities, accept)
        model_us, overhead_us = simulated_latency_us(self._latency_rng, rows)
        if self.latency == "measured":
            model_us = round(self._measured_us_per_row * rows, 1)
        minute = now.replace(second=0, microsecond=0)
        for name, value in (("Invocations", 1.0), ("Invocation4XXErrors", 0.0),
                            ("Invocation5XXErrors", 0.0), ("ModelLatency", model_us),
                            ("OverheadLatency", overhead_us)):
            self._metrics.add(name, minute, value)
        self.counts["invocations"] += 1
        if self._should_capture():
            self._capture(body, content_type, out_body, out_type, inference_id, now)
        return {"ResponseMetadata": {"HTTPStatusCode": 200}, "ContentType": out_type,
                "InvokedProductionVariant": self.variant_name,
                "Body": StreamingBody(io.BytesIO(out_body), len(out_body))}

    def _record_error(self, status: int = 400) -> None:
        minute = self.clock.now().replace(second=0, microsecond=0)
        server = status >= 500
        self._metrics.add("Invocations", minute, 1.0)
        self._metrics.add("Invocation4XXErrors", minute, 0.0 if server else 1.0)
        self._metrics.add("Invocation5XXErrors", minute, 1.0 if server else 0.0)
        self.counts["invocations"] += 1
        self.counts["errors_5xx" if server else "errors_4xx"] += 1

    def _should_capture(self) -> bool:
        if not self.capture.enabled:
            return False
        draw = self._sampling_rng.random()
        return draw * 100 < self.capture.sampling_percentage

    def _capture(self, body, content_type, out_body, out_type, inference_id, now) -> None:
        capture_data = {}
        if self.capture.capture_input:
            capture_data["endpointInput"] = self._payload(body, content_type, "INPUT")
        if self.capture.capture_output:
            capture_data["endpointOutput"] = self._payload(out_body, out_type, "OUTPUT")
        metadata = {"eventId": self._uuid()}
        if inference_id is not None:
            metadata["inferenceId"] = str(inference_id)
        metadata["inferenceTime"] = format_inference_time(now)
        record = {"captureData": capture_data, "eventMetadata": metadata, "eventVersion": "0"}
        if self._pending_hour is not None and hour_floor(now) != self._pending_hour:
            self._flush_capture()
        if self._pending_hour is None:
            self._pending_hour, self._pending_first = hour_floor(now), now
        self._pending.append(json.dumps(record, separators=(",", ":")))
        self.counts["captured"] += 1

    def _payload(self, payload: bytes, content_type: str, mode: str) -> dict:
        encoding = self.capture.encoding_for(content_type)
        if encoding == "BASE64":
            text = base64.b64encode(payload).decode("ascii")
        else:
            text = payload.decode("utf-8")
        return {"observedContentType": content_type, "mode": mode, "data": text,
                "encoding": encoding}

    def _uuid(self, rng: np.random.Generator | None = None) -> str:
        return str(uuid.UUID(bytes=(rng or self._id_rng).bytes(16), version=4))

    def _flush_capture(self) -> None:
        if not self._pending:
            return
        first = self._pending_first
        bucket, prefix = split_s3_uri(self.capture.destination_s3_uri)
        name = f"{first:%M-%S}-{first.microsecond // 1000:03d}-{self._uuid(self._file_rng)}.jsonl"
        key = "/".join(p for p in (prefix, self.endpoint_name, self.variant_name,
                                   f"{first:%Y/%m/%d/%H}", name) if p)
        extra = {}
        if self.capture.kms_key_id:
            extra = {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": self.capture.kms_key_id}
        self._s3.put_object(Bucket=bucket, Key=key, Body=("\n".join(self._pending) + "\n").encode(),
                            ContentType="application/jsonlines", **extra)
        self.capture_keys.append(key)
        self.counts["files"] += 1
        self._pending, self._pending_hour, self._pending_first = [], None, None


def _json_rows(frame: pd.DataFrame) -> list[list]:
    features = frame[data.FEATURES].astype(object)
    features = features.where(features.notna(), None)
    return [[_plain(v) for v in row] for row in features.itertuples(index=False, name=None)]


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


def _client_error(code: str, status: int, message: str, **extra) -> ClientError:
    response = {"Error": {"Code": code, "Message": message},
                "ResponseMetadata": {"HTTPStatusCode": status}, **extra}
    return ClientError(response, "InvokeEndpoint")


def _model_error(error: BadRequest, endpoint_name: str) -> ClientError:
    """SageMaker's wrapping of a container error: ``ModelError`` (HTTP 424) with the original status."""
    kind = "server" if error.status >= 500 else "client"
    message = (f"Received {kind} error ({error.status}) from primary with message \"{error}\". "
               f"See the log group /aws/sagemaker/Endpoints/{endpoint_name} for more information.")
    return _client_error("ModelError", 424, message, OriginalStatusCode=error.status,
                         OriginalMessage=str(error))
