"""Ground-truth labels for model-quality monitoring: records, late arrival, upload and read-back.

Model Monitor measures model quality by joining captured predictions with labels that arrive
*later* (a loan defaults months after the decision; a fraud label comes after an investigation).
This module owns those labels:

* the record SageMaker expects (DG model-monitor-model-quality-merge; SAGEMAKER.md section 4.3),
  one JSON object per line::

    {"groundTruthData":{"data":"1","encoding":"CSV"},"eventMetadata":{"eventId":"<id>"},"eventVersion":"0"}

  ``eventId`` must be the capture's ``inferenceId`` (what the caller passed to ``invoke_endpoint``):
  the merge matches a capture's ``inferenceId`` to the label's ``eventId`` and falls back to the
  capture's own ``eventId`` only when the capture has no ``inferenceId``;
* a seeded **label-arrival model** (:class:`ArrivalModel`): how long after the inference each label
  is collected, some never;
* :func:`upload_ground_truth`: write the labels collected by a given moment to
  ``{prefix}/yyyy/mm/dd/hh/{MMSS}.jsonl``, grouped by the UTC hour the label was **collected**
  (not the hour of the inference: DG model-monitor-model-quality-merge);
* :func:`read_ground_truth`: read them back for a time range, counting unusable lines by reason.

File-name rule (ours; AWS only fixes the hour prefix, and the official notebook names files
``{MMSS}.jsonl`` by upload time, EX model-quality cell 53): one file per collection hour and upload,
named by the minute and second of the **first** label it holds. Uploading again up to a later
moment therefore overwrites each hour's file with a superset (idempotent: no duplicates appear),
and ``since=`` uploads only newer labels into new files.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from monitorlab.serving.capture import list_hourly_files
from monitorlab.account.clock import as_utc
from monitorlab.serving.model import split_s3_uri

PROBLEM_COLUMNS = ["file", "line", "reason", "detail"]
#: Columns of a ground-truth frame read from S3 (``groundTruth`` is the raw label text).
FRAME_COLUMNS = ["eventId", "groundTruth", "collectedAt", "file", "line"]
#: Delay bands of the default arrival model: (share of requests, earliest hours, latest hours).
DEFAULT_BANDS = ((0.15, 1.0, 24.0), (0.75, 24.0, 72.0))


# --------------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------------

def ground_truth_record(event_id: str, label, encoding: str = "CSV") -> dict:
    """One ground-truth record in SageMaker's format (``data`` is the label as text)."""
    if encoding not in ("CSV", "JSON"):
        raise ValueError(f"encoding must be 'CSV' or 'JSON', got {encoding!r}")
    return {"groundTruthData": {"data": str(label), "encoding": encoding},
            "eventMetadata": {"eventId": str(event_id)}, "eventVersion": "0"}


def label_text(labels: pd.Series) -> pd.Series:
    """Labels as the text of ``groundTruthData.data``: integers as ``"1"``, other numbers as the
    shortest text that reads back to the same float, strings unchanged."""
    if pd.api.types.is_bool_dtype(labels):
        return labels.astype("int64").astype(str)
    if pd.api.types.is_float_dtype(labels):
        whole = labels.notna().all() and bool((labels == np.floor(labels)).all())
        return labels.astype("int64").astype(str) if whole else labels.astype(str)
    return labels.astype(str)


def record_lines(event_ids: pd.Series, labels: pd.Series) -> pd.Series:
    """JSON Lines text of :func:`ground_truth_record` for many labels, built without a Python loop.

    Raises ``ValueError`` if an id or label holds a control character (it could not be written as
    a JSON string without escapes the course does not need).
    """
    ids, texts = event_ids.astype(str), label_text(labels)
    for name, values in (("eventId", ids), ("label", texts)):
        if values.str.contains(r"[\x00-\x1f]", regex=True).any():
            raise ValueError(f"a ground-truth {name} contains a control character; "
                             "use printable ids and labels")
    ids, texts = _json_escape(ids), _json_escape(texts)
    return ('{"groundTruthData":{"data":"' + texts + '","encoding":"CSV"},'
            '"eventMetadata":{"eventId":"' + ids + '"},"eventVersion":"0"}')


def _json_escape(values: pd.Series) -> pd.Series:
    return values.str.replace("\\", "\\\\", regex=False).str.replace('"', '\\"', regex=False)


# --------------------------------------------------------------------------------------------
# Late arrival
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ArrivalModel:
    """When labels arrive: a mixture of uniform delay bands; the rest of the requests never get one.

    ``bands`` holds ``(share, low_hours, high_hours)``: that share of requests is labelled after a
    delay drawn uniformly from ``[low_hours, high_hours)``. The default (:data:`DEFAULT_BANDS`):

    * 15 % within the first day (1 to 24 h), e.g. customers who complain quickly;
    * 75 % after 1 to 3 days (24 to 72 h), the usual labelling backlog;
    * the remaining 10 % are **never** labelled.

    The expected labelled fraction after an age *a* is ``F(a) = sum_i share_i * clip((a - low_i) /
    (high_i - low_i), 0, 1)``.
    """

    bands: tuple[tuple[float, float, float], ...] = DEFAULT_BANDS

    def __post_init__(self):
        shares = [band[0] for band in self.bands]
        if any(s < 0 for s in shares) or sum(shares) > 1 + 1e-12:
            raise ValueError(f"band shares must be >= 0 and sum to at most 1, got {shares}")
        for share, low, high in self.bands:
            if not 0 <= low < high:
                raise ValueError(f"each band needs 0 <= low_hours < high_hours, "
                                 f"got ({low}, {high})")

    @property
    def never(self) -> float:
        """The share of requests that never get a label."""
        return max(0.0, 1.0 - sum(band[0] for band in self.bands))

    def delays(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` delays in hours (NaN = never labelled): one uniform draw picks the band, a second
        places the delay uniformly inside it."""
        edges = np.cumsum([band[0] for band in self.bands])
        band = np.searchsorted(edges, rng.random(n), side="right")
        low = np.array([b[1] for b in self.bands] + [np.nan])[band]
        high = np.array([b[2] for b in self.bands] + [np.nan])[band]
        return low + rng.random(n) * (high - low)

    def fraction_by_age(self, age_hours) -> np.ndarray:
        """Expected fraction of requests labelled ``age_hours`` after their inference."""
        age = np.asarray(age_hours, dtype="float64")
        return sum(share * np.clip((age - low) / (high - low), 0.0, 1.0)
                   for share, low, high in self.bands) + 0.0 * age

    def window_fraction(self, start, end, at) -> float:
        """Expected fraction of a window's requests labelled by ``at``, for traffic spread evenly
        over ``[start, end)``.

        Exact: the mean of ``F(at - t)`` over ``t`` in the window, integrated band by band with
        ``G`` the antiderivative of the band's CDF:
        ``(G(at - start) - G(at - end)) / (end - start)``.
        """
        start, end, at = as_utc(start), as_utc(end), as_utc(at)
        if end <= start:
            raise ValueError(f"end ({end.isoformat()}) must be after start ({start.isoformat()})")
        oldest, newest = _hours(at - start), _hours(at - end)
        width = oldest - newest
        return float(sum(share * (_band_integral(oldest, low, high) -
                                  _band_integral(newest, low, high)) / width
                         for share, low, high in self.bands))


def _hours(delta: timedelta) -> float:
    return delta.total_seconds() / 3600.0


def _band_integral(x: float, low: float, high: float) -> float:
    """G(x) = integral of clip((u - low) / (high - low), 0, 1) du from -inf to x."""
    if x <= low:
        return 0.0
    if x <= high:
        return (x - low) ** 2 / (2.0 * (high - low))
    return (high - low) / 2.0 + (x - high)


def simulate_labels(traffic, model: ArrivalModel | None = None, *, seed: int = 0,
                    id_column: str = "inference_id", label_column: str = "label") -> pd.DataFrame:
    """When each request's true label is collected, under ``model`` (default :class:`ArrivalModel`).

    ``traffic`` is a :class:`~monitorlab.serving.scenarios.Traffic` or a frame with ``timestamp``, the id
    the caller passed as ``InferenceId`` and the label. Returns one row per request: ``eventId``
    (= that id), ``label``, ``inferenceTime`` and ``collectedAt`` (rounded **up** to whole seconds,
    as S3 keys and capture times have second resolution; ``NaT`` for a label that never arrives).
    """
    frame = getattr(traffic, "requests", traffic)
    missing = [c for c in ("timestamp", id_column, label_column) if c not in frame.columns]
    if missing:
        raise ValueError(f"traffic needs the columns {missing} (timestamp, the InferenceId "
                         "passed to invoke_endpoint, and the true label)")
    model = ArrivalModel() if model is None else model
    delays = model.delays(len(frame), np.random.default_rng([seed, 21]))
    times = pd.to_datetime(frame["timestamp"], utc=True).reset_index(drop=True)
    collected = pd.Series(pd.NaT, index=times.index, dtype=times.dtype)
    arrives = ~np.isnan(delays)  # no arithmetic on NaN delays: it overflows inside pandas' casts
    collected[arrives] = (times[arrives] + pd.to_timedelta(delays[arrives], unit="h")).dt.ceil("s")
    return pd.DataFrame({"eventId": frame[id_column].astype(str).to_numpy(),
                         "label": frame[label_column].to_numpy(),
                         "inferenceTime": times, "collectedAt": collected})


def labelled_fraction(labels: pd.DataFrame, start, end, at) -> float:
    """Observed fraction of the requests with ``start <= inferenceTime < end`` whose label was
    collected by ``at`` (inclusive). NaN when the window holds no request."""
    times = labels["inferenceTime"]
    inside = (times >= pd.Timestamp(as_utc(start))) & (times < pd.Timestamp(as_utc(end)))
    if not inside.any():
        return float("nan")
    arrived = labels.loc[inside, "collectedAt"] <= pd.Timestamp(as_utc(at))
    return float(arrived.mean())


# --------------------------------------------------------------------------------------------
# Upload
# --------------------------------------------------------------------------------------------

def ground_truth_key(s3_uri: str, first_collected: datetime) -> str:
    """The key of the file whose first label was collected at ``first_collected``:
    ``{prefix}/yyyy/mm/dd/hh/{MMSS}.jsonl``."""
    _, prefix = split_s3_uri(s3_uri.rstrip("/"))
    moment = as_utc(first_collected)
    return "/".join(p for p in (prefix, f"{moment:%Y/%m/%d/%H}", f"{moment:%M%S}.jsonl") if p)


def upload_ground_truth(s3, s3_uri: str, labels: pd.DataFrame, up_to, *, since=None) -> dict:
    """Upload the labels with ``since < collectedAt <= up_to`` (``since=None``: all by ``up_to``).

    ``labels`` needs ``eventId``, ``label`` and ``collectedAt`` (as :func:`simulate_labels` makes).
    One file per collection hour (see the module docstring for the name rule), records in
    collection order. Returns ``{"labels": n, "keys": [...]}``.
    """
    missing = [c for c in ("eventId", "label", "collectedAt") if c not in labels.columns]
    if missing:
        raise ValueError(f"labels need the columns {missing}; build them with simulate_labels()")
    bucket, _ = split_s3_uri(s3_uri)
    collected = pd.to_datetime(labels["collectedAt"], utc=True)
    keep = collected.notna() & (collected <= pd.Timestamp(as_utc(up_to)))
    if since is not None:
        keep &= collected > pd.Timestamp(as_utc(since))
    chosen = labels.loc[keep.to_numpy(), ["eventId", "label"]].assign(collectedAt=collected[keep])
    chosen = chosen.sort_values("collectedAt", kind="stable").reset_index(drop=True)
    lines = record_lines(chosen["eventId"], chosen["label"])
    keys = []
    for _, group in chosen.groupby(chosen["collectedAt"].dt.floor("h"), sort=True):
        key = ground_truth_key(s3_uri, group["collectedAt"].iloc[0].to_pydatetime())
        body = "\n".join(lines.loc[group.index].tolist()) + "\n"
        s3.put_object(Bucket=bucket, Key=key, Body=body.encode(),
                      ContentType="application/jsonlines")
        keys.append(key)
    return {"labels": int(len(chosen)), "keys": keys}


# --------------------------------------------------------------------------------------------
# Read back
# --------------------------------------------------------------------------------------------

@dataclass
class GroundTruthWindow:
    """The labels read for a time range, the problems met reading them, and the files read."""

    frame: pd.DataFrame
    problems: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=PROBLEM_COLUMNS))
    files: list[str] = field(default_factory=list)

    @property
    def records(self) -> int:
        return len(self.frame)

    def problem_counts(self) -> dict[str, int]:
        """Number of unusable lines per reason."""
        counts = self.problems["reason"].value_counts().sort_index()
        return {str(k): int(v) for k, v in counts.items()}

    def __repr__(self) -> str:
        return (f"GroundTruthWindow({len(self.frame)} labels in {len(self.files)} files, "
                f"problems={self.problem_counts()})")


def key_time(key: str) -> pd.Timestamp:
    """The collection time a key encodes: its ``yyyy/mm/dd/hh`` prefix plus the ``MMSS`` of the
    file name when the name starts with four digits (else the start of the hour)."""
    parts = key.split("/")
    if len(parts) < 5:
        raise ValueError(f"ground-truth key {key!r} lacks the yyyy/mm/dd/hh/ prefix")
    year, month, day, hour = (int(p) for p in parts[-5:-1])
    moment = pd.Timestamp(year=year, month=month, day=day, hour=hour, tz="UTC")
    name = parts[-1]
    if name[:4].isdigit() and int(name[:2]) < 60 and int(name[2:4]) < 60:
        moment += pd.Timedelta(minutes=int(name[:2]), seconds=int(name[2:4]))
    return moment


def list_ground_truth_files(s3, s3_uri: str, start, end) -> list[str]:
    """Keys of the ``.jsonl`` files collected in ``[start, end)``: the hour prefixes overlapping the
    range, then each file's :func:`key_time`. Sorted, i.e. in collection order."""
    _, prefix = split_s3_uri(s3_uri.rstrip("/"))
    keys = list_hourly_files(
        s3, s3_uri, start, end,
        lambda hour: "/".join(p for p in (prefix, f"{hour:%Y/%m/%d/%H}") if p) + "/")
    low, high = pd.Timestamp(as_utc(start)), pd.Timestamp(as_utc(end))
    return [k for k in keys if low <= key_time(k) < high]


def read_ground_truth(s3, s3_uri: str, start, end) -> GroundTruthWindow:
    """Read every label collected in ``[start, end)`` under ``s3_uri``.

    Records carry no timestamp, so "collected" is what the key says (:func:`key_time`); a label
    collected in the very second ``end`` is not read. Rows come in collection order (key, then
    line), which is what :func:`monitorlab.monitoring.modelquality.merge` uses to let the latest label win.
    """
    bucket, _ = split_s3_uri(s3_uri)
    sources = [(key, s3.get_object(Bucket=bucket, Key=key)["Body"].read()
                .decode("utf-8", errors="replace"))
               for key in list_ground_truth_files(s3, s3_uri, start, end)]
    return parse_ground_truth_files(sources)


def parse_ground_truth_files(sources: list[tuple[str, str]]) -> GroundTruthWindow:
    """Parse ``(key, JSON Lines text)`` pairs. Pure: no S3, so tests and labs can feed text.

    Problem reasons: ``bad_json``, ``missing_key``, ``unknown_encoding`` (not CSV or JSON),
    ``bad_label`` (JSON ``data`` that is not one value). Parsing is line by line, like
    :mod:`monitorlab.serving.capture`, because every bad line is reported with its file and number.
    """
    rows, problems = [], []
    for name, text in sources:
        collected = _safe_key_time(name)
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            parsed = _parse_line(line)
            if parsed[0] == "problem":
                problems.append({"file": name, "line": number, "reason": parsed[1],
                                 "detail": parsed[2]})
            else:
                rows.append((parsed[0], parsed[1], collected, name, number))
    frame = pd.DataFrame(rows, columns=FRAME_COLUMNS)
    frame["collectedAt"] = pd.to_datetime(frame["collectedAt"], utc=True)
    return GroundTruthWindow(frame=frame, problems=pd.DataFrame(problems, columns=PROBLEM_COLUMNS),
                             files=[name for name, _ in sources])


def _safe_key_time(name: str):
    try:
        return key_time(name)
    except ValueError:
        return pd.NaT


def _parse_line(line: str) -> tuple:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        return ("problem", "bad_json", str(error))
    try:
        payload = record["groundTruthData"]
        event_id = record["eventMetadata"]["eventId"]
        data, encoding = payload["data"], payload["encoding"]
    except (KeyError, TypeError) as error:
        return ("problem", "missing_key", f"no {error} in the record")
    if encoding == "CSV":
        return (str(event_id), str(data).strip())
    if encoding != "JSON":
        return ("problem", "unknown_encoding", f"encoding {encoding!r} is not CSV or JSON")
    value = _json_label(data)
    if value is None:
        return ("problem", "bad_label", f"JSON data {str(data)[:60]!r} is not a single label value")
    return (str(event_id), value)


def _json_label(data) -> str | None:
    """The label in JSON ``data``: a number or string, or the one value of a one-key object or
    one-item list (the official bias notebook writes ``'{"label": 1}'``)."""
    try:
        value = json.loads(data) if isinstance(data, str) else data
    except json.JSONDecodeError:
        return None
    if isinstance(value, dict) and len(value) == 1:
        value = next(iter(value.values()))
    elif isinstance(value, list) and len(value) == 1:
        value = value[0]
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, (int, float, str)):
        return str(value)
    return None
