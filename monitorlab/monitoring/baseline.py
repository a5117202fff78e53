"""Suggest a data-quality baseline: ``statistics.json`` and ``constraints.json`` in Model Monitor's format.

A baselining job (``DefaultModelMonitor.suggest_baseline``) profiles the training data with Deequ
on Spark and writes two files (SAGEMAKER.md section 2; real examples in the SDK's
``tests/data``, copied to ``tests/fixtures/sagemaker/``):

* ``statistics.json``: ``version`` 0.0, ``dataset.item_count`` and, per feature, ``name``,
  ``inferred_type`` and either ``numerical_statistics`` (``common.num_present``/``num_missing``,
  ``mean``, ``sum``, ``std_dev`` (population, ddof=0), ``min``, ``max``, ``distribution.kll``
  with 10 ``buckets`` and a KLL ``sketch``) or ``string_statistics`` (``common``,
  ``distinct_count`` as a float, ``distribution.categorical.buckets`` of ``{value, count}``).
* ``constraints.json``: ``version`` 0.0, per feature ``name``, ``inferred_type``, ``completeness``,
  ``num_constraints.is_non_negative`` or ``string_constraints.domains``, and the
  ``monitoring_config`` a real baseline job suggests (:data:`SUGGESTED_MONITORING_CONFIG`).

How a pandas column gets its ``inferred_type`` (our choice; Deequ infers from CSV *text*):

* integer and bool dtypes (numpy or nullable): ``Integral`` (bools as 0/1);
* float dtypes: ``Fractional``, even when every value is whole: a float column is the analogue of
  CSV text such as ``1.0``, which Deequ calls Fractional (the SDK fixture's 0/1 columns are
  Fractional). Trap: one missing value turns a pandas int column into float64; use ``Int64``;
* object, string and category dtypes: each distinct value is classified as Deequ's
  ``StatefulDataType`` would classify its text: Python int/bool -> Integral, Python float ->
  Fractional, text matching ``^[+-]? ?\\d+$`` -> Integral, ``^[+-]? ?(\\d+\\.\\d*|\\.\\d+)$`` ->
  Fractional (Deequ's regexes, requiring at least one digit), anything else -> String. Then
  Deequ's ``DataTypeHistogram.determineType``: any String -> String, else any Fractional ->
  Fractional, else Integral. So ``["1", "2"]`` is Integral and ``["1", "a"]`` is String;
* datetime-like dtypes: String (Deequ maps timestamps to String).

Missing values: ``None``, ``NaN``, ``pd.NA``, ``NaT`` and the empty string (Spark's CSV reader reads
an empty field as null). For a numerical feature, ``num_present`` counts the values that are finite
numbers (Spark casts other text to null); a text value in a numeric column is therefore counted in
``num_missing`` here, while the completeness check (which looks at nulls) does not count it.
"""

from __future__ import annotations

import dataclasses
import decimal
import json
import math
import re
from dataclasses import dataclass
from urllib.parse import urlparse

import numpy as np
import pandas as pd

from monitorlab.stats import kll

NUMERIC_TYPES = ("Integral", "Fractional")
STATISTICS_TYPES = ("Integral", "Fractional", "String")
CONSTRAINT_TYPES = ("Integral", "Fractional", "String", "Unknown")
#: Equal-width buckets per numerical feature; not configurable in Model Monitor.
NUM_BUCKETS = 10
#: Categorical buckets kept in ``statistics.json`` (Deequ ``Histogram.MaximumAllowedDetailBins``).
MAX_CATEGORICAL_BUCKETS = 1000
#: ``string_constraints.domains`` only for at most this many distinct values (Deequ
#: ``ColumnProfiler.DEFAULT_CARDINALITY_THRESHOLD``: histograms only below it) ...
DOMAIN_MAX_DISTINCT = 120
#: ... and when at most this fraction of the distinct values were seen exactly once (Deequ
#: ``CategoricalRangeRule``). SageMaker's exact rule is undocumented; this is Deequ's.
DOMAIN_MAX_SINGLETON_RATIO = 0.1

#: What a real baseline job suggests (SDK ``pipeline/quality_check_step/data_quality/good_cases/
#: constraints.json``), plus the two categorical keys documented in DG:model-monitor-byoc-constraints
#: (``categorical_comparison_threshold`` defaults to ``comparison_threshold``; LInfinity is the default).
SUGGESTED_MONITORING_CONFIG = {
    "evaluate_constraints": "Enabled",
    "emit_metrics": "Enabled",
    "datatype_check_threshold": 1.0,
    "domain_content_threshold": 1.0,
    "distribution_constraints": {
        "perform_comparison": "Enabled",
        "comparison_threshold": 0.1,
        "comparison_method": "Robust",
        "categorical_comparison_threshold": 0.1,
        "categorical_drift_method": "LInfinity",
    },
}

SPARK_COLUMN_NAME = re.compile(r"[a-z0-9_]+")
_INTEGRAL_TEXT = r"[+-]? ?\d+"
_FRACTIONAL_TEXT = r"[+-]? ?(?:\d+\.\d*|\.\d+)"


# ---------------------------------------------------------------------------------------------
# Column names
# ---------------------------------------------------------------------------------------------

def check_column_names(columns) -> None:
    """Raise ``ValueError`` unless every name is Spark-compliant: lowercase letters, digits, ``_``.

    Model Monitor's analyzer runs Spark SQL over the columns; the message names the column and a
    compliant rename.
    """
    seen = set()
    for position, name in enumerate(columns):
        if not isinstance(name, str) or not SPARK_COLUMN_NAME.fullmatch(name):
            suggestion = re.sub(r"[^a-z0-9_]+", "_", str(name).lower()).strip("_") or f"_c{position}"
            raise ValueError(
                f"column {name!r} is not a Spark-compliant name (lowercase letters, digits and "
                f"underscores only): rename it, e.g. df = df.rename(columns={{{name!r}: {suggestion!r}}})")
        if name in seen:
            raise ValueError(f"column {name!r} appears twice: give every column a unique name")
        seen.add(name)


# ---------------------------------------------------------------------------------------------
# Reading a column: missing values, numbers, text, categories
# ---------------------------------------------------------------------------------------------

_MISSING, _INTEGRAL, _FRACTIONAL, _TEXT, _NON_FINITE = range(5)


@dataclass(frozen=True)
class ColumnValues:
    """What the checks need from one column, computed once, vectorised.

    ``numbers`` are the finite numbers among the present values, in row order (``float64``);
    ``num_text`` counts present values Deequ would call String (text that is not a number, other
    objects); ``num_strings`` counts present values *held as text*, numeric-looking or not;
    ``num_non_finite`` counts present infinities; ``categories`` counts ``str(value)`` over the
    present values (``None`` until asked for, see :func:`with_categories`).
    """

    item_count: int
    num_non_null: int
    numbers: np.ndarray
    num_text: int
    num_strings: int
    num_non_finite: int
    has_fractional: bool
    categories: pd.Series | None = None

    def num_whole(self) -> int:
        """How many of ``numbers`` have no fractional part."""
        return int(np.count_nonzero(self.numbers == np.trunc(self.numbers)))

    def inferred_type(self) -> str:
        """Deequ ``determineType`` over the present values; ``Unknown`` if none is present."""
        if self.num_non_null == 0:
            return "Unknown"
        if self.num_text > 0:
            return "String"
        return "Fractional" if self.has_fractional else "Integral"

    def type_match_fraction(self, inferred_type: str) -> float:
        """Fraction of present values that fit ``inferred_type`` (the ``data_type_check`` ratio).

        Integral: whole finite numbers (``3``, ``3.0``, ``"3"``); Fractional: any finite number (an
        integer is a valid fractional value); String: values held as text (``"3"`` too), so a
        categorical column whose values arrive as numbers fails. Nulls are not counted
        (``completeness_check`` covers them).
        """
        if self.num_non_null == 0:
            return 1.0
        matching = {"Integral": self.num_whole, "Fractional": lambda: self.numbers.size,
                    "String": lambda: self.num_strings}[inferred_type]()
        return matching / self.num_non_null


def read_column(series: pd.Series) -> ColumnValues:
    """Classify every value of ``series`` (see module docstring), without a per-row Python loop.

    Object, string and category columns get their ``categories`` at once (they come from the same
    factorisation); numeric columns only through :func:`with_categories`.
    """
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_integer_dtype(dtype) \
            or pd.api.types.is_float_dtype(dtype):
        return _read_numeric(series)
    if pd.api.types.is_datetime64_any_dtype(dtype) or pd.api.types.is_timedelta64_dtype(dtype) \
            or isinstance(dtype, pd.PeriodDtype):
        series = series.astype(str).where(series.notna(), None)
    return _read_objects(series)


def _read_numeric(series: pd.Series) -> ColumnValues:
    if isinstance(series.dtype, np.dtype) and series.dtype.kind == "f":
        values = series.to_numpy()
    else:
        values = series.to_numpy(dtype=np.float64, na_value=np.nan)
    finite = np.isfinite(values)
    numbers = values[finite]
    num_non_null = int(values.size - np.count_nonzero(np.isnan(values)))
    return ColumnValues(
        item_count=int(values.size), num_non_null=num_non_null, numbers=numbers.astype(np.float64),
        num_text=0, num_strings=0, num_non_finite=num_non_null - int(numbers.size),
        has_fractional=pd.api.types.is_float_dtype(series.dtype) and num_non_null > 0)


def with_categories(column: ColumnValues, series: pd.Series) -> ColumnValues:
    """``column`` with ``categories`` filled in (counts of ``str(value)`` over present values)."""
    if column.categories is not None:
        return column
    codes, uniques = _factorize(series)
    counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
    return dataclasses.replace(column, categories=_string_counts(np.asarray(uniques, dtype=object), counts))


def _read_objects(series: pd.Series) -> ColumnValues:
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes = series.cat.codes.to_numpy()
        uniques = np.asarray(series.cat.categories, dtype=object)
    else:
        codes, uniques = _factorize(series)
        uniques = np.asarray(uniques, dtype=object)
    kinds, parsed, held_as_text = _classify(uniques)
    counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
    is_number = np.append((kinds == _INTEGRAL) | (kinds == _FRACTIONAL), False)
    numbers = parsed[codes[is_number[codes]]]  # code -1 indexes the appended False
    present = kinds != _MISSING
    return ColumnValues(
        item_count=int(codes.size), num_non_null=int(counts[present].sum()), numbers=numbers,
        num_text=int(counts[kinds == _TEXT].sum()),
        num_strings=int(counts[(held_as_text & present) | (kinds == _TEXT)].sum()),
        num_non_finite=int(counts[kinds == _NON_FINITE].sum()),
        has_fractional=bool(np.any(counts[kinds == _FRACTIONAL] > 0)),
        categories=_string_counts(uniques[present], counts[present]))


def _factorize(series: pd.Series):
    """``pd.factorize``; unhashable values (lists, dicts from JSON captures) are compared as text."""
    try:
        return pd.factorize(series, use_na_sentinel=True)
    except TypeError:
        return pd.factorize(series.astype(str).where(series.notna(), None), use_na_sentinel=True)


def _classify(uniques: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Kind, numeric value and is-text of each distinct value (a loop over distinct values, not rows)."""
    kinds = np.full(len(uniques), _TEXT, dtype=np.int8)
    parsed = np.full(len(uniques), np.nan)
    is_text = np.fromiter((isinstance(value, str) for value in uniques), bool, len(uniques))
    _classify_text(uniques[is_text], np.flatnonzero(is_text), kinds, parsed)
    for index in np.flatnonzero(~is_text):
        kinds[index], parsed[index] = _classify_object(uniques[index])
    return kinds, parsed, is_text


def _classify_text(texts: np.ndarray, where: np.ndarray, kinds: np.ndarray, parsed: np.ndarray) -> None:
    text = pd.Series(texts, dtype=object)
    integral = text.str.fullmatch(_INTEGRAL_TEXT).to_numpy(dtype=bool)
    fractional = text.str.fullmatch(_FRACTIONAL_TEXT).to_numpy(dtype=bool)
    numeric = integral | fractional
    kinds[where[integral]] = _INTEGRAL
    kinds[where[fractional]] = _FRACTIONAL
    kinds[where[(text == "").to_numpy()]] = _MISSING
    parsed[where[numeric]] = pd.to_numeric(text[numeric].str.replace(" ", "", regex=False)).to_numpy(
        dtype=np.float64)


def _classify_object(value) -> tuple[int, float]:
    if isinstance(value, (bool, np.bool_, int, np.integer)):
        return _INTEGRAL, float(value)
    if isinstance(value, (float, np.floating, decimal.Decimal)):
        number = float(value)
        return (_FRACTIONAL, number) if math.isfinite(number) else (_NON_FINITE, np.nan)
    return _TEXT, np.nan


def _string_counts(values: np.ndarray, counts: np.ndarray) -> pd.Series:
    """Counts keyed by ``str(value)`` (values that print alike are merged), zero counts dropped."""
    keep = counts > 0
    labels = [str(value) for value in values[keep]]
    series = pd.Series(counts[keep].astype(np.int64), index=pd.Index(labels, dtype=object))
    if series.index.has_duplicates:
        series = series.groupby(level=0, sort=False).sum()
    return series


# ---------------------------------------------------------------------------------------------
# statistics.json
# ---------------------------------------------------------------------------------------------

def equal_width_buckets(numbers: np.ndarray, minimum: float, maximum: float) -> list[dict]:
    """10 buckets: ``lower = min + (max-min)*i/10``, ``upper = min + (max-min)*(i+1)/10``.

    ``[lower, upper)``, the last ``[lower, upper]``; ``count`` as float (Deequ
    ``KLLSketch.computeMetricFrom``, same floating-point bound formula; Deequ reads the counts
    from the sketch's ranks, we count exactly, which is identical while the sketch is raw).

    Every value is counted: the formula can put the top edge a few ulps below ``max`` (for
    ``min=-0.7, max=1.73`` it gives 1.7299999999999998), and the maximum then still goes in the
    last bucket, as ``np.histogram`` does, so the ten counts always sum to the values given.
    The written bounds keep Deequ's formula.
    """
    edges = [minimum + (maximum - minimum) * i / NUM_BUCKETS for i in range(NUM_BUCKETS + 1)]
    index = _bucket_index(numbers, np.asarray(edges))
    counts = np.bincount(np.minimum(index, NUM_BUCKETS - 1), minlength=NUM_BUCKETS)
    return [{"lower_bound": edges[i], "upper_bound": edges[i + 1], "count": float(counts[i])}
            for i in range(NUM_BUCKETS)]


def _bucket_index(numbers: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """``i`` with ``edges[i] <= x < edges[i+1]`` (10 for ``x >= edges[10]``), values >= ``edges[0]``.

    Same result as ``searchsorted(edges, x, "right") - 1``, by arithmetic and a one-step
    correction against the exact edges (3x faster on a million values); ranges only a few ulps
    wide, where one step is not enough, use ``searchsorted``.
    """
    width = edges[-1] - edges[0]
    if not width > 1e-6 * max(abs(edges[0]), abs(edges[-1])):
        return np.searchsorted(edges, numbers, side="right") - 1
    index = np.clip(((numbers - edges[0]) * (NUM_BUCKETS / width)).astype(np.int64), 0, NUM_BUCKETS)
    index -= numbers < edges[index]
    upper = np.minimum(index + 1, NUM_BUCKETS)
    index += (numbers >= edges[upper]) & (index < NUM_BUCKETS)
    return index


def numerical_statistics(numbers: np.ndarray, item_count: int, seed: int = 0) -> dict:
    """``numerical_statistics`` of a feature from its finite numbers (row order)."""
    present = int(numbers.size)
    block = {"common": {"num_present": present, "num_missing": int(item_count - present)}}
    if present == 0:
        return block
    total = float(np.sum(numbers))
    minimum, maximum = float(np.min(numbers)), float(np.max(numbers))
    block.update({
        "mean": total / present, "sum": total, "std_dev": float(np.std(numbers)),
        "min": minimum, "max": maximum,
        "distribution": {"kll": {
            "buckets": equal_width_buckets(numbers, minimum, maximum),
            "sketch": kll.sketch_json(kll.build_sketch(numbers, seed=seed))}}})
    return block


def string_statistics(categories: pd.Series, num_present: int, item_count: int) -> dict:
    """``string_statistics``: ``distinct_count`` (float, exact here; Deequ's is an HLL estimate)
    and the categorical buckets, most frequent first (ties by value), at most 1000."""
    ordered = _by_popularity(categories)
    return {
        "common": {"num_present": int(num_present), "num_missing": int(item_count - num_present)},
        "distinct_count": float(len(categories)),
        "distribution": {"categorical": {"buckets": [
            {"value": value, "count": int(count)}
            for value, count in ordered.iloc[:MAX_CATEGORICAL_BUCKETS].items()]}}}


def _by_popularity(categories: pd.Series) -> pd.Series:
    frame = pd.DataFrame({"value": categories.index.astype(str), "count": categories.to_numpy()})
    frame = frame.sort_values(["count", "value"], ascending=[False, True], kind="stable")
    return pd.Series(frame["count"].to_numpy(), index=frame["value"].to_numpy())


def feature_statistics(name: str, column: ColumnValues, inferred_type: str, seed: int = 0) -> dict:
    """One entry of ``statistics.json``'s ``features``; ``column`` must carry categories for String."""
    feature = {"name": name, "inferred_type": inferred_type}
    if inferred_type in NUMERIC_TYPES:
        feature["numerical_statistics"] = numerical_statistics(column.numbers, column.item_count, seed)
    else:
        feature["string_statistics"] = string_statistics(column.categories, column.num_non_null,
                                                         column.item_count)
    return feature


def statistics_document(item_count: int, features: list[dict]) -> dict:
    """The whole ``statistics.json`` object."""
    return {"version": 0.0, "dataset": {"item_count": int(item_count)}, "features": features}


def compute_statistics(df: pd.DataFrame, types: dict[str, str] | None = None, seed: int = 0) -> dict:
    """``statistics.json`` of ``df``; ``types`` fixes a column's ``inferred_type`` (a window is typed
    by its baseline), otherwise it is inferred. Raises ``ValueError`` for a column with no present
    value or with infinities when its type has to be inferred."""
    _check_frame(df)
    features = []
    for name in df.columns:
        series = df[name]
        column = read_column(series)
        inferred_type = (types or {}).get(name) or _inferred_for_baseline(name, column)
        if inferred_type == "String":
            column = with_categories(column, series)
        features.append(feature_statistics(name, column, inferred_type, seed))
    return statistics_document(len(df), features)


def _check_frame(df) -> None:
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"expected a pandas DataFrame, got {type(df).__name__}")
    if len(df) == 0 or len(df.columns) == 0:
        raise ValueError(f"the DataFrame is empty ({len(df)} rows, {len(df.columns)} columns): "
                         "a baseline needs data")


def _inferred_for_baseline(name: str, column: ColumnValues) -> str:
    inferred_type = column.inferred_type()
    if inferred_type == "Unknown":
        raise ValueError(f"column {name!r} has no present value (all null): its type cannot be "
                         "inferred; drop the column or baseline on data where it is filled")
    if column.num_non_finite:
        raise ValueError(f"column {name!r} holds {column.num_non_finite} infinite value(s): replace "
                         "them (e.g. with NaN) before suggesting a baseline")
    return inferred_type


# ---------------------------------------------------------------------------------------------
# constraints.json
# ---------------------------------------------------------------------------------------------

#: Rows per monitoring window that suggested completeness bounds are sized for (one hour of the
#: course endpoint's traffic is 200 requests; a smaller number gives a looser, safer bound).
WINDOW_ROWS = 100
#: How many binomial standard deviations below the observed completeness the suggestion sits.
COMPLETENESS_SIGMAS = 4.0


def suggested_completeness(observed: float, window_rows: int = WINDOW_ROWS,
                           sigmas: float = COMPLETENESS_SIGMAS) -> float:
    """The completeness to require of a monitoring window, given the training data's.

    A complete column keeps 1.0 (what real baselines suggest: SDK fixture). For a column with
    missing values AWS does not document its rule, and requiring the observed fraction itself
    makes about half of all windows fail by chance. We follow the idea of Deequ's
    ``RetainCompletenessRule`` (suggest a lower confidence bound, not the observed value), sized
    for the window being checked, because it is the window's completeness that gets compared::

        p - sigmas * sqrt(p (1 - p) / window_rows)        (floored at 0)
    """
    if observed >= 1.0:
        return 1.0
    return max(0.0, observed - sigmas * math.sqrt(observed * (1 - observed) / window_rows))


def suggest_constraints(statistics: dict, window_rows: int = WINDOW_ROWS) -> dict:
    """``constraints.json`` suggested from ``statistics.json``.

    * ``completeness`` = 1.0 for complete columns, else a lower bound below the observed non-null
      fraction (:func:`suggested_completeness`, sized for ``window_rows``);
    * ``num_constraints.is_non_negative`` = ``min >= 0`` (numerical features);
    * ``string_constraints.domains`` = every observed value, most frequent first, when the
      feature has at most 120 distinct values and at most 10% of them were seen exactly once
      (Deequ ``ColumnProfiler`` histogram threshold + ``CategoricalRangeRule``);
    * ``monitoring_config`` = :data:`SUGGESTED_MONITORING_CONFIG`.
    """
    validate_statistics(statistics)
    item_count = statistics["dataset"]["item_count"]
    features = [_feature_constraints(feature, item_count, window_rows)
                for feature in statistics["features"]]
    return {"version": 0.0, "features": features,
            "monitoring_config": json.loads(json.dumps(SUGGESTED_MONITORING_CONFIG))}


def _feature_constraints(feature: dict, item_count: int, window_rows: int) -> dict:
    block = feature.get("numerical_statistics") or feature.get("string_statistics")
    present = block["common"]["num_present"]
    observed = present / item_count if item_count else 0.0
    constraint = {"name": feature["name"], "inferred_type": feature["inferred_type"],
                  "completeness": suggested_completeness(observed, window_rows)}
    if feature["inferred_type"] in NUMERIC_TYPES and "min" in block:
        constraint["num_constraints"] = {"is_non_negative": bool(block["min"] >= 0)}
    elif feature["inferred_type"] == "String":
        domains = _suggested_domains(block)
        if domains is not None:
            constraint["string_constraints"] = {"domains": domains}
    return constraint


def _suggested_domains(string_block: dict) -> list[str] | None:
    buckets = string_block["distribution"]["categorical"]["buckets"]
    distinct = string_block["distinct_count"]
    if not buckets or distinct > DOMAIN_MAX_DISTINCT or len(buckets) < distinct:
        return None
    singletons = sum(1 for bucket in buckets if bucket["count"] == 1)
    if singletons / len(buckets) > DOMAIN_MAX_SINGLETON_RATIO:
        return None
    return [bucket["value"] for bucket in buckets]


def suggest_baseline(df: pd.DataFrame, seed: int = 0,
                     window_rows: int = WINDOW_ROWS) -> tuple[dict, dict]:
    """``(statistics, constraints)`` for a training DataFrame, as a baselining job writes them.

    Column names must be Spark-compliant (:func:`check_column_names`); every column needs at
    least one present value. ``seed`` drives the KLL compaction offsets (same data and seed, same
    bytes).
    """
    _check_frame(df)
    check_column_names(df.columns)
    statistics = compute_statistics(df, seed=seed)
    return statistics, suggest_constraints(statistics, window_rows)


# ---------------------------------------------------------------------------------------------
# Validation (ValueError naming the key)
# ---------------------------------------------------------------------------------------------

def _require(mapping, key: str, where: str, kinds, what: str):
    if not isinstance(mapping, dict):
        raise ValueError(f"{where} must be a JSON object, got {type(mapping).__name__}")
    if key not in mapping:
        raise ValueError(f"{where} is missing the key {key!r} ({what})")
    value = mapping[key]
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in _as_tuple(kinds)):
        raise ValueError(f"{where}.{key} must be {what}, got {value!r:.80}")
    return value


def _as_tuple(kinds) -> tuple:
    return kinds if isinstance(kinds, tuple) else (kinds,)


_NUMBER = (int, float)


def validate_statistics(statistics: dict, where: str = "statistics") -> None:
    """Raise ``ValueError`` naming the first missing or malformed key of a ``statistics.json``."""
    _require(statistics, "version", where, _NUMBER, "a number (0.0)")
    dataset = _require(statistics, "dataset", where, dict, "an object with 'item_count'")
    item_count = _require(dataset, "item_count", f"{where}.dataset", int, "a whole number")
    features = _require(statistics, "features", where, list, "a list of features")
    for index, feature in enumerate(features):
        _validate_feature_statistics(feature, item_count, f"{where}.features[{index}]")
    _check_unique_names(features, where)


def _check_unique_names(features: list, where: str) -> None:
    seen = set()
    for index, feature in enumerate(features):
        if feature["name"] in seen:
            raise ValueError(f"{where}.features[{index}].name {feature['name']!r} appears twice: "
                             "each feature must be listed once")
        seen.add(feature["name"])


def _validate_feature_statistics(feature, item_count: int, where: str) -> None:
    _require(feature, "name", where, str, "the feature name")
    kind = _require(feature, "inferred_type", where, str, "Integral, Fractional or String")
    if kind not in STATISTICS_TYPES:
        raise ValueError(f"{where}.inferred_type must be one of {STATISTICS_TYPES}, got {kind!r}")
    if kind in NUMERIC_TYPES:
        _validate_numerical(_require(feature, "numerical_statistics", where, dict, "an object"),
                            f"{where}.numerical_statistics")
    else:
        _validate_string(_require(feature, "string_statistics", where, dict, "an object"),
                         f"{where}.string_statistics")


def _validate_common(block: dict, where: str) -> int:
    common = _require(block, "common", where, dict, "an object with num_present, num_missing")
    present = _require(common, "num_present", f"{where}.common", int, "a whole number")
    _require(common, "num_missing", f"{where}.common", int, "a whole number")
    return present


def _validate_numerical(block: dict, where: str) -> None:
    if _validate_common(block, where) == 0:
        return
    for key in ("mean", "sum", "std_dev", "min", "max"):
        _require(block, key, where, _NUMBER, "a number")
    distribution = _require(block, "distribution", where, dict, "an object with 'kll'")
    sketch_block = _require(distribution, "kll", f"{where}.distribution", dict,
                            "an object with 'buckets' and 'sketch'")
    buckets = _require(sketch_block, "buckets", f"{where}.distribution.kll", list, "a list of buckets")
    for index, bucket in enumerate(buckets):
        for key in ("lower_bound", "upper_bound", "count"):
            _require(bucket, key, f"{where}.distribution.kll.buckets[{index}]", _NUMBER, "a number")
    sketch = _require(sketch_block, "sketch", f"{where}.distribution.kll", dict,
                      "an object with 'parameters' and 'data'")
    _require(sketch, "parameters", f"{where}.distribution.kll.sketch", dict, "an object {c, k}")
    kll.sketch_levels(sketch, f"{where}.distribution.kll.sketch")


def _validate_string(block: dict, where: str) -> None:
    _validate_common(block, where)
    _require(block, "distinct_count", where, _NUMBER, "a number")
    distribution = _require(block, "distribution", where, dict, "an object with 'categorical'")
    categorical = _require(distribution, "categorical", f"{where}.distribution", dict,
                           "an object with 'buckets'")
    buckets = _require(categorical, "buckets", f"{where}.distribution.categorical", list,
                       "a list of {value, count}")
    for index, bucket in enumerate(buckets):
        path = f"{where}.distribution.categorical.buckets[{index}]"
        _require(bucket, "value", path, str, "a string")
        _require(bucket, "count", path, _NUMBER, "a number")


_SWITCH_KEYS = ("evaluate_constraints", "emit_metrics")
_THRESHOLD_KEYS = ("datatype_check_threshold", "domain_content_threshold")
_DISTRIBUTION_THRESHOLD_KEYS = ("comparison_threshold", "categorical_comparison_threshold")
_CHOICES = {"perform_comparison": ("Enabled", "Disabled"), "evaluate_constraints": ("Enabled", "Disabled"),
            "emit_metrics": ("Enabled", "Disabled"), "comparison_method": ("Simple", "Robust"),
            "categorical_drift_method": ("LInfinity", "ChiSquared")}


def validate_constraints(constraints: dict, where: str = "constraints") -> None:
    """Raise ``ValueError`` naming the first missing or malformed key of a ``constraints.json``.

    Unknown keys are allowed (real files carry older ones such as ``enable_comparisons``).
    """
    _require(constraints, "version", where, _NUMBER, "a number (0.0)")
    features = _require(constraints, "features", where, list, "a list of features")
    for index, feature in enumerate(features):
        _validate_feature_constraints(feature, f"{where}.features[{index}]")
    _check_unique_names(features, where)
    if "monitoring_config" in constraints:
        validate_monitoring_config(constraints["monitoring_config"], f"{where}.monitoring_config")


def _validate_feature_constraints(feature, where: str) -> None:
    _require(feature, "name", where, str, "the feature name")
    kind = _require(feature, "inferred_type", where, str, "Integral, Fractional, String or Unknown")
    if kind not in CONSTRAINT_TYPES:
        raise ValueError(f"{where}.inferred_type must be one of {CONSTRAINT_TYPES}, got {kind!r}")
    if "completeness" in feature:
        completeness = _require(feature, "completeness", where, _NUMBER, "a number in [0, 1]")
        if not 0.0 <= completeness <= 1.0:
            raise ValueError(f"{where}.completeness must be in [0, 1], got {completeness!r}")
    if "num_constraints" in feature:
        numeric = _require(feature, "num_constraints", where, dict, "an object")
        if "is_non_negative" in numeric:
            _require(numeric, "is_non_negative", f"{where}.num_constraints", bool, "true or false")
    if "string_constraints" in feature:
        strings = _require(feature, "string_constraints", where, dict, "an object")
        if "domains" in strings:
            domains = _require(strings, "domains", f"{where}.string_constraints", list, "a list of strings")
            if not all(isinstance(value, str) for value in domains):
                raise ValueError(f"{where}.string_constraints.domains must hold strings only")
    for path, overrides in feature_overrides(feature, where):
        validate_monitoring_config(overrides, path)


def feature_overrides(feature: dict, where: str = "feature") -> list[tuple[str, dict]]:
    """Per-feature monitoring-config overrides, in every spelling seen in AWS material.

    ``monitoringConfigOverrides`` (docs), ``monitoring_config_overrides`` at feature level or inside
    ``string_constraints`` / ``num_constraints`` (SDK ``monitor/constraints.json``). Later wins.
    """
    found = []
    for key in ("monitoringConfigOverrides", "monitoring_config_overrides"):
        if key in feature:
            found.append((f"{where}.{key}", feature[key]))
    for block in ("num_constraints", "string_constraints"):
        inner = feature.get(block)
        if isinstance(inner, dict) and "monitoring_config_overrides" in inner:
            found.append((f"{where}.{block}.monitoring_config_overrides", inner["monitoring_config_overrides"]))
    return found


def validate_monitoring_config(config, where: str = "monitoring_config") -> None:
    """Check the values of the keys present (all optional); distribution keys may be flat or nested."""
    if not isinstance(config, dict):
        raise ValueError(f"{where} must be a JSON object, got {type(config).__name__}")
    _validate_config_values(config, where, _SWITCH_KEYS, _THRESHOLD_KEYS + _DISTRIBUTION_THRESHOLD_KEYS)
    if "distribution_constraints" in config:
        inner = _require(config, "distribution_constraints", where, dict, "an object")
        _validate_config_values(inner, f"{where}.distribution_constraints", ("perform_comparison",),
                                _DISTRIBUTION_THRESHOLD_KEYS)


def _validate_config_values(config: dict, where: str, switches, thresholds) -> None:
    for key in (*switches, "perform_comparison", "comparison_method", "categorical_drift_method"):
        if key in config and config[key] not in _CHOICES[key]:
            raise ValueError(f"{where}.{key} must be one of {_CHOICES[key]}, got {config[key]!r}")
    for key in thresholds:
        if key in config:
            value = _require(config, key, where, _NUMBER, "a non-negative number")
            if value < 0:
                raise ValueError(f"{where}.{key} must be >= 0, got {value!r}")


# ---------------------------------------------------------------------------------------------
# S3
# ---------------------------------------------------------------------------------------------

STATISTICS_FILE = "statistics.json"
CONSTRAINTS_FILE = "constraints.json"


def split_s3_uri(uri: str) -> tuple[str, str]:
    """``s3://bucket/some/prefix`` -> ``("bucket", "some/prefix/")`` (empty prefix allowed)."""
    parsed = urlparse(uri) if isinstance(uri, str) else None
    if parsed is None or parsed.scheme != "s3" or not parsed.netloc:
        raise ValueError(f"expected an S3 URI such as 's3://bucket/baseline/', got {uri!r}")
    prefix = parsed.path.lstrip("/")
    return parsed.netloc, (prefix.rstrip("/") + "/") if prefix else ""


def baseline_json(document: dict) -> bytes:
    """The bytes we write: key order as built (AWS's order), 2-space indent, UTF-8; deterministic."""
    return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False).encode("utf-8")


def write_baseline(s3_client, s3_uri_prefix: str, statistics: dict, constraints: dict) -> dict[str, str]:
    """Validate, then write ``statistics.json`` and ``constraints.json`` under ``s3_uri_prefix``.

    Returns ``{"statistics": uri, "constraints": uri}`` (what ``create_monitoring_schedule`` takes).
    """
    validate_statistics(statistics)
    validate_constraints(constraints)
    bucket, prefix = split_s3_uri(s3_uri_prefix)
    uris = {}
    for kind, name, document in (("statistics", STATISTICS_FILE, statistics),
                                 ("constraints", CONSTRAINTS_FILE, constraints)):
        s3_client.put_object(Bucket=bucket, Key=prefix + name, Body=baseline_json(document),
                             ContentType="application/json")
        uris[kind] = f"s3://{bucket}/{prefix}{name}"
    return uris


def read_baseline(s3_client, s3_uri_prefix: str) -> tuple[dict, dict]:
    """Read and validate ``statistics.json`` and ``constraints.json`` under ``s3_uri_prefix``.

    Raises ``ValueError`` naming the file and the missing or malformed key.
    """
    bucket, prefix = split_s3_uri(s3_uri_prefix)
    statistics = _read_json(s3_client, bucket, prefix + STATISTICS_FILE)
    constraints = _read_json(s3_client, bucket, prefix + CONSTRAINTS_FILE)
    validate_statistics(statistics, where=STATISTICS_FILE)
    validate_constraints(constraints, where=CONSTRAINTS_FILE)
    return statistics, constraints


def _read_json(s3_client, bucket: str, key: str) -> dict:
    try:
        body = s3_client.get_object(Bucket=bucket, Key=key)["Body"].read()
    except s3_client.exceptions.NoSuchKey:
        raise ValueError(f"s3://{bucket}/{key} does not exist: write the baseline first "
                         "(write_baseline) or fix the prefix") from None
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"s3://{bucket}/{key} is not valid JSON: {error}") from None
