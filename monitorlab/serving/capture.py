"""Read Data Capture files from S3 for a time window into a DataFrame.

Captured files live at ``{DestinationS3Uri}/{endpoint}/{variant}/yyyy/mm/dd/hh/*.jsonl`` (UTC
hour of the invocation). :func:`read_captures` lists the hour prefixes that overlap the window,
parses every line, keeps the records whose ``inferenceTime`` falls in ``[start, end)``, and returns
a :class:`CaptureWindow`: one row per input row (a request carrying several CSV lines or JSON
instances gives several rows sharing its ``eventId``), with the feature columns, ``prediction``,
``eventId``, ``inferenceId`` and ``inferenceTime``.

Nothing is silently dropped: a line that cannot be used is recorded in ``problems`` with its file,
line number, reason and detail. Reasons: ``bad_json``, ``missing_key``, ``bad_base64``,
``unknown_encoding``, ``bad_time``, ``wrong_column_count``, ``prediction_count_mismatch``.

Numeric features come back as ``float64`` when every present value parses as a number; if any
value is text, the column keeps the raw strings so the data-quality monitor can flag the type.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from monitorlab.serving import data
from monitorlab.account.clock import as_utc, hour_floor
from monitorlab.serving.model import split_s3_uri

PROBLEM_COLUMNS = ["file", "line", "reason", "detail"]
META_COLUMNS = ["prediction", "eventId", "inferenceId", "inferenceTime"]


@dataclass
class CaptureWindow:
    """The captured rows of a window, the problems met reading it, and the files read."""

    frame: pd.DataFrame
    problems: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=PROBLEM_COLUMNS))
    files: list[str] = field(default_factory=list)
    records: int = 0

    def problem_counts(self) -> dict[str, int]:
        """Number of unusable lines per reason."""
        return {str(k): int(v) for k, v in self.problems["reason"].value_counts().sort_index().items()}

    def __repr__(self) -> str:
        return (f"CaptureWindow({len(self.frame)} rows from {self.records} records in "
                f"{len(self.files)} files, problems={self.problem_counts()})")


def hour_prefix(destination_s3_uri: str, endpoint: str, variant: str, hour: datetime) -> str:
    """The S3 key prefix of one capture hour: ``{prefix}/{endpoint}/{variant}/yyyy/mm/dd/hh/``.

    ``hour`` may be any time in any time zone: the prefix is that of its UTC hour.
    """
    _, prefix = split_s3_uri(destination_s3_uri.rstrip("/"))
    parts = [p for p in (prefix, endpoint, variant, f"{hour_floor(hour):%Y/%m/%d/%H}") if p]
    return "/".join(parts) + "/"


def list_capture_files(s3, destination_s3_uri: str, endpoint: str, start, end,
                       variant: str = "AllTraffic") -> list[str]:
    """Keys of the capture files in every hour prefix overlapping ``[start, end)``, sorted."""
    return list_hourly_files(s3, destination_s3_uri, start, end,
                             lambda hour: hour_prefix(destination_s3_uri, endpoint, variant, hour))


def list_hourly_files(s3, s3_uri: str, start, end, prefix_of) -> list[str]:
    """Sorted keys of the ``.jsonl`` files under ``prefix_of(hour)`` for every UTC hour overlapping
    ``[start, end)``: how every hourly S3 layout (capture, ground truth) is listed."""
    bucket, _ = split_s3_uri(s3_uri)
    start, end = as_utc(start), as_utc(end)
    if end <= start:
        raise ValueError(f"end ({end.isoformat()}) must be after start ({start.isoformat()})")
    keys, hour = [], hour_floor(start)
    paginator = s3.get_paginator("list_objects_v2")
    while hour < end:
        for page in paginator.paginate(Bucket=bucket, Prefix=prefix_of(hour)):
            keys.extend(obj["Key"] for obj in page.get("Contents", []) if obj["Key"].endswith(".jsonl"))
        hour += timedelta(hours=1)
    return sorted(keys)


def read_captures(s3, destination_s3_uri: str, endpoint: str, start, end,
                  variant: str = "AllTraffic", columns: list[str] | None = None) -> CaptureWindow:
    """Read every captured record with ``start <= inferenceTime < end`` into a :class:`CaptureWindow`."""
    bucket, _ = split_s3_uri(destination_s3_uri)
    keys = list_capture_files(s3, destination_s3_uri, endpoint, start, end, variant)
    sources = []
    for key in keys:
        text = s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode("utf-8", errors="replace")
        sources.append((key, text))
    window = parse_capture_files(sources, columns=columns)
    return filter_window(window, start, end)


def filter_window(window: CaptureWindow, start, end) -> CaptureWindow:
    """Keep the rows whose ``inferenceTime`` is in ``[start, end)``."""
    times = window.frame["inferenceTime"]
    keep = (times >= pd.Timestamp(as_utc(start))) & (times < pd.Timestamp(as_utc(end)))
    frame = window.frame[keep.to_numpy()].reset_index(drop=True)
    records = frame["eventId"].nunique() if len(frame) else 0
    return CaptureWindow(frame=frame, problems=window.problems, files=window.files, records=records)


def parse_capture_files(sources: list[tuple[str, str]], columns: list[str] | None = None) -> CaptureWindow:
    """Parse ``(file name, JSON Lines text)`` pairs. Pure: no S3, so tests and labs can feed text."""
    columns = list(columns or data.FEATURES)
    inputs, outputs, metas, problems = [], [], [], []
    for name, text in sources:
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            parsed = _parse_line(line, len(columns))
            if isinstance(parsed, tuple) and parsed[0] == "problem":
                problems.append({"file": name, "line": number, "reason": parsed[1], "detail": parsed[2]})
                continue
            rows, predictions, meta = parsed
            inputs.extend(rows)
            outputs.extend(predictions)
            metas.extend([meta] * len(rows))
    frame = _build_frame(inputs, outputs, metas, columns)
    problem_frame = pd.DataFrame(problems, columns=PROBLEM_COLUMNS)
    return CaptureWindow(frame=frame, problems=problem_frame, files=[n for n, _ in sources],
                         records=len({m[0] for m in metas}))


def _parse_line(line: str, width: int):
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        return ("problem", "bad_json", str(error))
    if not isinstance(record, dict):
        return ("problem", "missing_key", f"the line is a JSON {type(record).__name__}, not a record")
    try:
        capture = record["captureData"]
        meta = record["eventMetadata"]
        event_id = meta["eventId"]
        time_text = meta["inferenceTime"]
    except (KeyError, TypeError) as error:
        return ("problem", "missing_key", f"no {error} in the record")
    if not isinstance(capture, dict) or not ({"endpointInput", "endpointOutput"} & set(capture)):
        return ("problem", "missing_key", "captureData has neither endpointInput nor endpointOutput")
    try:
        moment = pd.Timestamp(as_utc(time_text))
    except (ValueError, TypeError):
        return ("problem", "bad_time", f"inferenceTime {time_text!r} is not YYYY-MM-DDTHH:MM:SSZ")
    try:
        rows = _input_rows(capture.get("endpointInput"), width)
        predictions = _output_values(capture.get("endpointOutput"))
    except _LineProblem as problem:
        return ("problem", problem.reason, problem.detail)
    if rows is None:
        rows = [[None] * width] * max(1, len(predictions or []))
    if predictions is None:
        predictions = [np.nan] * len(rows)
    if len(predictions) != len(rows):
        return ("problem", "prediction_count_mismatch",
                f"{len(rows)} input rows but {len(predictions)} predictions")
    return rows, predictions, (event_id, meta.get("inferenceId"), moment)


class _LineProblem(Exception):
    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason, self.detail = reason, detail


def decode_payload(payload: dict) -> str:
    """The text of an ``endpointInput``/``endpointOutput`` payload, base64-decoded if needed."""
    try:
        encoding, text = payload["encoding"], payload["data"]
    except (KeyError, TypeError) as error:
        raise _LineProblem("missing_key", f"payload has no {error}") from None
    if not isinstance(text, str):
        raise _LineProblem("missing_key", f"payload data must be a string, got {type(text).__name__}")
    if encoding in ("CSV", "JSON"):
        return text
    if encoding == "BASE64":
        try:
            return base64.b64decode(text, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError) as error:
            raise _LineProblem("bad_base64", f"data is not valid base64 text: {error}") from None
    raise _LineProblem("unknown_encoding", f"encoding {encoding!r} is not CSV, JSON or BASE64")


def _is_json(payload: dict, text: str) -> bool:
    media = str(payload.get("observedContentType", "")).split(";")[0].strip().lower()
    return payload.get("encoding") == "JSON" or media.endswith("json")


def _input_rows(payload: dict | None, width: int) -> list[list] | None:
    if payload is None:
        return None
    text = decode_payload(payload)
    if _is_json(payload, text):
        try:
            instances = json.loads(text)["instances"]
        except (json.JSONDecodeError, KeyError, TypeError) as error:
            raise _LineProblem("bad_json", f"input JSON has no instances list: {error}") from None
        rows = [[row.get(c) for c in data.FEATURES] if isinstance(row, dict) else row
                for row in instances]
    else:
        rows = [line.split(",") for line in text.strip("\n").split("\n")]
    for row in rows:
        if not isinstance(row, list) or len(row) != width:
            got = len(row) if isinstance(row, list) else type(row).__name__
            raise _LineProblem("wrong_column_count", f"input row has {got} values, expected {width}")
    return rows


def _output_values(payload: dict | None) -> list[float] | None:
    if payload is None:
        return None
    text = decode_payload(payload)
    if _is_json(payload, text):
        try:
            values = json.loads(text)["predictions"]
        except (json.JSONDecodeError, KeyError, TypeError) as error:
            raise _LineProblem("bad_json", f"output JSON has no predictions list: {error}") from None
    else:
        values = text.strip("\n").split("\n")
    try:
        return [float(v) for v in values]
    except (TypeError, ValueError) as error:
        raise _LineProblem("wrong_column_count", f"prediction is not a number: {error}") from None


def _build_frame(inputs, outputs, metas, columns) -> pd.DataFrame:
    features = pd.DataFrame(inputs, columns=columns, dtype=object)
    for column in columns:
        text = features[column].astype(str).str.strip()
        blank = features[column].isna() | (text == "") | (text == "None")
        if column in data.NUMERIC_FEATURES:
            numbers = pd.to_numeric(text.where(~blank, None), errors="coerce")
            if not (numbers.isna() & ~blank).any():
                features[column] = numbers.astype("float64")
                continue
        features[column] = text.where(~blank, None)
    meta = pd.DataFrame(metas, columns=["eventId", "inferenceId", "inferenceTime"])
    meta["inferenceTime"] = pd.to_datetime(meta["inferenceTime"], utc=True)
    meta.insert(0, "prediction", np.asarray(outputs, dtype="float64"))
    return pd.concat([features, meta], axis=1)
