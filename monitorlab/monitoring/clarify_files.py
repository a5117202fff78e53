"""Clarify's bias files: ``analysis_config.json`` in, ``analysis.json`` and violations out.

* :func:`read_analysis_config` validates an analysis configuration (monitor or processing-job form,
  DG clarify-config-json-monitor-bias-parameters).
* :func:`bias_report` computes :mod:`monitorlab.stats.bias` metrics for every configured facet and lays
  them out as Clarify's ``analysis.json`` (layout of the real
  ``pipeline/clarify_check_step/data_bias/good_cases/analysis.json`` in aws/sagemaker-python-sdk;
  metric order, descriptions and "Infinity" strings as smclarify 0.5 ``bias/report.py``).
* :func:`bias_drift_violations` compares a monitoring run's ``analysis.json`` with the baseline's
  (the bias baseline "constraints" file *is* the baselining job's ``analysis.json``) and writes
  ``constraint_violations.json`` in the real format (DG clarify-model-monitor-bias-drift-violations).
* :func:`cloudwatch_metric_data` turns an ``analysis.json`` into ``put_metric_data`` entries
  (DG clarify-model-monitor-bias-drift-cw).

Choices where AWS documents nothing:

* **Drift rule.** The docs: a violation when the current value is farther from the fair value than
  the baseline's. For every metric but DI the fair value is 0, so ``|current| > |baseline|``
  (GE >= 0, so for GE this is ``current > baseline``; KL can be negative, see
  :func:`monitorlab.stats.bias.kl_divergence`, and is compared by size too). DI is a ratio whose fair
  value is 1: ``|DI_current - 1| > |DI_baseline - 1|``. Infinite values compare as infinitely far.
  A metric that errored in either file, or is missing from the baseline, is not checked. (One
  version of the docs page says only "different from its peer"; we follow the "worse than the
  baseline" wording, which comes with the DPPL example 0.2 -> 0.1 fine, 0.2 -> -0.3 violation.)
* **facet_value / FacetValue / LabelValue.** The docs say these come from the configuration's
  ``value_or_threshold``; for a threshold facet the docs' example shows ``"40"``, not the interval
  ``"(40, 60]"`` the analysis writes. We write the interval's lower bound as written (``"40"``,
  ``"40.0"``), and the value list otherwise (``"F"``). Baseline and current are matched on facet and
  this value, so a threshold facet still matches when the window's maximum changes.
* **FT features** are every column except the facet being measured, the label, the prediction and
  the group variable (smclarify keeps the group variable if it is in the data frame, which makes FT
  fail on a text group column).
* **Duplicates.** A facet listed twice with different values gets both value sets, in order,
  under its one name in ``facets``; an entry repeated exactly, repeated ``headers`` and a data
  frame with two columns of one name are refused (ValueError).
* **Probabilities.** With ``probability_threshold`` in the configuration and a float prediction
  column, a prediction is positive when probability > threshold (Clarify's
  ``ProbabilityThresholdAttribute``); a non-float prediction column is read as labels.
"""

from __future__ import annotations

import difflib
import json
import math
import re
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from monitorlab.stats import bias
from monitorlab.account.clock import as_utc

ANALYSIS_VERSION = "1.0"
BIAS_METRICS_NAMESPACE = "aws/sagemaker/Endpoints/bias-metrics"
BATCH_BIAS_METRICS_NAMESPACE = "aws/sagemaker/ModelMonitoring/bias-metrics"
#: How Clarify publishes +inf to CloudWatch. The docs (DG clarify-model-monitor-bias-drift-cw) print
#: "2.348543e108", which is 2**360 rounded to 7 digits; 2**360 is the largest value CloudWatch's
#: PutMetricData accepts (API MetricDatum: "Values must be in the range of -2^360 to 2^360"), and
#: the literal 2.348543e108 is just above it, so we publish exactly 2**360.
PUBLISHED_INFINITY = float(2**360)
#: analysis.json stage key -> CloudWatch ``BiasStage`` value (capitalisation as the docs).
STAGES = {"pre_training_bias_metrics": "Pre-training",
          "post_training_bias_metrics": "Post-Training"}
CONSTRAINT_CHECK_TYPE = "bias_drift_check"

#: Keys of Clarify's analysis configuration (DG clarify-processing-job-configure-analysis and
#: clarify-config-json-monitor-bias-parameters); the ones this module does not use pass through.
KNOWN_CONFIG_KEYS = frozenset({
    "version", "dataset_type", "dataset_uri", "headers", "label", "label_headers", "features",
    "label_values_or_threshold", "facet", "group_variable", "predicted_label",
    "probability_threshold", "joinsource_name_or_index", "facet_dataset_uri", "facet_headers",
    "predicted_label_dataset_uri", "predicted_label_headers", "excluded_columns", "methods",
    "predictor", "s3_data_distribution_type",
})
_STAGE_METHODS = {"pre_training_bias": bias.PRETRAINING_METRICS,
                  "post_training_bias": bias.POSTTRAINING_METRICS}


# ---------------------------------------------------------------------------------------------
# analysis_config.json
# ---------------------------------------------------------------------------------------------

def read_analysis_config(config) -> dict:
    """Validate an analysis configuration given as a dict or as the path of its JSON file.

    Required for bias: ``label`` (name or index), ``label_values_or_threshold`` (non-empty list),
    ``facet`` (non-empty list of ``{"name_or_index", optional "value_or_threshold"}``). Optional:
    ``group_variable``, ``probability_threshold`` (0..1), ``headers`` (unique names), ``methods``,
    ``predicted_label``. Returns a validated copy; raises ValueError naming the field and the fix.
    """
    raw = _load_json(config, "analysis config")
    if not isinstance(raw, dict):
        raise ValueError(f"analysis config must be a JSON object, got {type(raw).__name__}")
    _check_known_keys(raw)
    result = dict(raw)
    result["headers"] = _headers(raw.get("headers"))
    result["label"] = _name_or_index(raw.get("label"), "label", result["headers"], required=True)
    result["label_values_or_threshold"] = _value_list(
        raw.get("label_values_or_threshold"), "label_values_or_threshold", required=True)
    result["facet"] = _facets(raw.get("facet"), result["headers"])
    for key in ("group_variable", "predicted_label"):
        result[key] = _name_or_index(raw.get(key), key, result["headers"], required=False)
    result["probability_threshold"] = _probability(raw.get("probability_threshold"))
    result["methods"] = _methods(raw.get("methods"))
    return {key: value for key, value in result.items() if value is not None}


def _load_json(source, what: str):
    if isinstance(source, (dict, list)):
        return json.loads(json.dumps(source))  # a deep copy the caller cannot alias
    path = Path(source)
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise ValueError(f"{what} file {str(path)!r} does not exist") from None
    except json.JSONDecodeError as error:
        raise ValueError(f"{what} file {str(path)!r} is not valid JSON: {error}") from None


def _check_known_keys(raw: dict) -> None:
    for key in raw:
        if key not in KNOWN_CONFIG_KEYS:
            close = difflib.get_close_matches(key, KNOWN_CONFIG_KEYS, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ValueError(f"unknown analysis config key {key!r}{hint} Known keys: "
                             f"{sorted(KNOWN_CONFIG_KEYS)}")


def _headers(headers):
    if headers is None:
        return None
    if not isinstance(headers, list) or not all(isinstance(h, str) for h in headers):
        raise ValueError("headers must be a list of column names (strings)")
    repeated = sorted({h for h in headers if headers.count(h) > 1})
    if repeated:
        raise ValueError(f"headers repeat {repeated!r}; every column name must be unique")
    return headers


def _name_or_index(value, field: str, headers, *, required: bool):
    if value is None:
        if required:
            raise ValueError(f"analysis config needs {field!r}: the column name (or 0-based index)")
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError(f"{field} must be a column name or a 0-based index, got {value!r}")
    if headers is not None and isinstance(value, str) and value not in headers:
        raise ValueError(f"{field} {value!r} is not in headers {headers!r}")
    if headers is not None and isinstance(value, int) and not 0 <= value < len(headers):
        raise ValueError(f"{field} index {value} is outside headers (0..{len(headers) - 1})")
    return value


def _value_list(values, field: str, *, required: bool):
    if values is None and not required:
        return None
    if not isinstance(values, list) or not values:
        raise ValueError(f"{field} must be a non-empty list of values or one threshold, "
                         f"e.g. [1] or ['F'] or [40], got {values!r}")
    if not all(isinstance(v, (str, int, float, bool)) for v in values):
        raise ValueError(f"{field} holds only strings, numbers or booleans, got {values!r}")
    return values


def _facets(facets, headers) -> list[dict]:
    if not isinstance(facets, list) or not facets:
        raise ValueError("analysis config needs 'facet': a non-empty list such as "
                         "[{'name_or_index': 'sex', 'value_or_threshold': ['F']}]")
    checked = []
    for number, facet in enumerate(facets):
        if not isinstance(facet, dict) or "name_or_index" not in facet:
            raise ValueError(f"facet[{number}] must be an object with 'name_or_index', got {facet!r}")
        _name_or_index(facet["name_or_index"], f"facet[{number}].name_or_index", headers,
                       required=True)
        if "value_or_threshold" in facet:
            _value_list(facet["value_or_threshold"], f"facet[{number}].value_or_threshold",
                        required=True)
        if dict(facet) in checked:
            raise ValueError(f"facet[{number}] repeats an earlier facet entry {facet!r}; remove it")
        checked.append(dict(facet))
    return checked


def _probability(value):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ValueError(f"probability_threshold must be a number between 0 and 1, got {value!r}")
    return value


def _methods(methods):
    if methods is None:
        return None
    if not isinstance(methods, dict):
        raise ValueError("methods must be an object such as "
                         "{'pre_training_bias': {'methods': 'all'}}")
    for stage, available in _STAGE_METHODS.items():
        if stage in methods:
            chosen = methods[stage].get("methods", "all") if isinstance(methods[stage], dict) else None
            if chosen is None:
                raise ValueError(f"methods.{stage} must be an object such as {{'methods': 'all'}}")
            bias.requested_metrics(chosen, available)
    return methods


# ---------------------------------------------------------------------------------------------
# analysis.json
# ---------------------------------------------------------------------------------------------

def bias_report(df: pd.DataFrame, config, predicted_label=None, *,
                ft_sign: str = "smclarify") -> dict:
    """Clarify's ``analysis.json`` for ``df`` under the analysis ``config`` (dict or path).

    Pre-training metrics always (unless ``methods`` leaves them out); post-training metrics when
    predictions are given: ``predicted_label`` is a column name or a Series/array aligned with
    ``df`` (default: the config's ``predicted_label``). One entry per facet, or per value of a
    facet given without ``value_or_threshold`` (one-vs-all). JSON-ready: infinities are the
    strings "Infinity"/"-Infinity", errored metrics have ``value: None`` and ``error``.
    """
    config = read_analysis_config(config)
    df = _with_headers(df, config.get("headers"))
    label_name = _column_name(df, config["label"], "label")
    labels = bias.positive_labels(bias.column(df, label_name, "label", "label"),
                                  config["label_values_or_threshold"])
    group_name = _optional_name(df, config.get("group_variable"), "group_variable")
    groups = bias.group_codes(df, group_name)
    report = {"version": ANALYSIS_VERSION}
    stages = _stages(config, predicted_label)
    if "pre_training_bias" in stages:
        inputs = bias.BiasInputs(np.zeros(0, bool), labels.mask, groups=groups)
        report["pre_training_bias_metrics"] = _stage(
            df, config, stages["pre_training_bias"], inputs, label_name, labels, ())
    if "post_training_bias" in stages:
        predictions = _predictions(df, config, predicted_label)
        inputs = bias.BiasInputs(np.zeros(0, bool), labels.mask, bias.predicted_positives(
            predictions, labels, _probability_threshold(config, predictions)), groups,
            ft_sign=ft_sign)
        exclude = (label_name, predictions.name, group_name)
        report["post_training_bias_metrics"] = _stage(
            df, config, stages["post_training_bias"], inputs, label_name, labels, exclude)
    return report


def analysis_json(analysis: dict) -> str:
    """``analysis.json`` text (4-space indent, as the real files); refuses NaN."""
    return json.dumps(analysis, indent=4, allow_nan=False)


def _stages(config: dict, predicted_label) -> dict[str, list[str]]:
    methods = config.get("methods")
    has_predictions = predicted_label is not None or "predicted_label" in config
    stages = {}
    for stage, available in _STAGE_METHODS.items():
        if methods is not None and stage not in methods:
            continue
        chosen = methods[stage].get("methods", "all") if methods else "all"
        stages[stage] = bias.requested_metrics(chosen, available)
    if not has_predictions:
        if methods is not None and "post_training_bias" in methods:
            raise ValueError("methods asks for post_training_bias but no predictions were given: "
                             "pass predicted_label= (a column name or a Series)")
        stages.pop("post_training_bias", None)
    return stages


def _stage(df, config, names, inputs, label_name, labels, exclude) -> dict:
    facets = {}
    for facet in config["facet"]:
        name = _column_name(df, facet["name_or_index"], "facet")
        series = bias.column(df, name, "facet", "facet.name_or_index")
        needs_features = "FT" in names and inputs.predicted_positive is not None
        features = _features(df, (name,) + tuple(exclude)) if needs_features else None
        entries = []
        for values in _facet_value_lists(series, facet.get("value_or_threshold")):
            selection = bias.select(series, values)
            facet_inputs = bias.BiasInputs(selection.mask, inputs.is_positive,
                                           inputs.predicted_positive, inputs.groups, features,
                                           inputs.ft_sign)
            metrics = bias.compute_metrics(names, facet_inputs,
                                           bias.facet_description(name, selection))
            entries.append({"value_or_threshold": selection.value_or_threshold,
                            "metrics": _metric_entries(metrics)})
        facets.setdefault(name, []).extend(entries)  # a facet listed twice: both value sets
    return {"label": label_name, "facets": facets,
            "label_value_or_threshold": labels.value_or_threshold}


def _facet_value_lists(series: pd.Series, values) -> list:
    return [values] if values is not None else bias.one_vs_all_values(series)


def _features(df, exclude):
    try:
        return bias.flip_test_features(df, [name for name in exclude if name is not None])
    except bias.MetricUndefined as undefined:
        return undefined


def _metric_entries(metrics: bias.BiasMetrics) -> list[dict]:
    entries = []
    for name in sorted(metrics):  # smclarify sorts metrics by name
        entry = {"name": name, "description": bias.DESCRIPTIONS[name],
                 "value": _json_value(metrics[name])}
        if name in metrics.errors:
            entry["error"] = metrics.errors[name]
        entries.append(entry)
    return entries


def _json_value(value):
    """smclarify ``report.inf_as_str``: +-inf become "Infinity" / "-Infinity"."""
    if value is not None and math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def _with_headers(df: pd.DataFrame, headers) -> pd.DataFrame:
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"expected a pandas DataFrame, got {type(df).__name__}")
    if headers is None or all(h in df.columns for h in headers):
        return df
    unnamed = list(df.columns) == list(range(df.shape[1]))  # read_csv(header=None) gives 0..n-1
    if unnamed and len(headers) == df.shape[1]:
        return df.set_axis(headers, axis=1)
    raise ValueError(f"headers {headers!r} do not match the data's columns {list(df.columns)!r}: "
                     "give a data frame with those columns, or one without names and as many "
                     "columns as headers")


def _column_name(df: pd.DataFrame, name_or_index, field: str):
    if isinstance(name_or_index, int) and name_or_index not in df.columns:
        if not 0 <= name_or_index < df.shape[1]:
            raise ValueError(f"{field} index {name_or_index} is outside the data's "
                             f"{df.shape[1]} columns")
        return df.columns[name_or_index]
    return name_or_index


def _optional_name(df, name_or_index, field):
    return None if name_or_index is None else _column_name(df, name_or_index, field)


def _predictions(df: pd.DataFrame, config: dict, predicted_label) -> pd.Series:
    if predicted_label is None:
        predicted_label = config["predicted_label"]
    if isinstance(predicted_label, (str, int)) and not isinstance(predicted_label, bool):
        name = _column_name(df, predicted_label, "predicted_label")
        return bias.column(df, name, "predicted label", "predicted_label")
    values = pd.Series(np.asarray(predicted_label), name="predicted_label")
    if len(values) != len(df):
        raise ValueError(f"predicted_label has {len(values)} values but the data has {len(df)} "
                         "rows; pass one prediction per row")
    return bias.require_complete(values, "predicted label")


def _probability_threshold(config: dict, predictions: pd.Series):
    if "probability_threshold" in config and pd.api.types.is_float_dtype(predictions.dtype):
        return config["probability_threshold"]
    return None


# ---------------------------------------------------------------------------------------------
# constraint_violations.json
# ---------------------------------------------------------------------------------------------

def bias_drift_violations(baseline_analysis, current_analysis) -> dict:
    """``constraint_violations.json`` of a bias drift check (dicts or paths of analysis.json).

    A violation for each metric whose current value is farther from its fair value than the
    baseline's (module docstring: 0 for all but DI, 1 for DI).
    """
    baseline = {(facet, _match_key(facet_value), name): value for facet, facet_value, name, value
                in metric_rows(_load_json(baseline_analysis, "baseline"))}
    violations = []
    for facet, facet_value, name, value in metric_rows(_load_json(current_analysis, "analysis")):
        reference = baseline.get((facet, _match_key(facet_value), name))
        if value is None or reference is None or not is_worse(name, value, reference):
            continue
        violations.append({"facet": facet, "facet_value": facet_value, "metric_name": name,
                           "constraint_check_type": CONSTRAINT_CHECK_TYPE,
                           "description": f"Value {_format(value)} does not meet the constraint "
                                          "requirement"})
    return {"version": ANALYSIS_VERSION, "violations": violations}


def is_worse(name: str, current: float, baseline: float) -> bool:
    """True when ``current`` is farther from the metric's fair value (1 for DI, else 0)."""
    fair = 1.0 if name == "DI" else 0.0
    return abs(current - fair) > abs(baseline - fair)


def metric_rows(analysis: dict):
    """Yield ``(facet, facet_value, metric_name, value)`` for every metric in an analysis.json;
    value is a float (infinities parsed) or None when the metric errored."""
    for stage in STAGES:
        for facet, entries in analysis.get(stage, {}).get("facets", {}).items():
            for entry in entries:
                facet_value = configured_value(entry["value_or_threshold"])
                for metric in entry["metrics"]:
                    yield facet, facet_value, metric["name"], _parse_value(metric)


def configured_value(value_or_threshold: str) -> str:
    """The configuration's value for an analysis string: ``"(40, 60]"`` -> ``"40"``, ``"F"`` -> ``"F"``."""
    interval = re.fullmatch(r"\((.+), (.+)\]", value_or_threshold)
    return interval.group(1) if interval else value_or_threshold


def _match_key(facet_value: str) -> str:
    """Facet values compared across files: numbers by value, so a threshold written ``"40"`` by
    integer training data matches ``"40.0"`` from captured (float) traffic."""
    try:
        return repr(float(facet_value))
    except ValueError:
        return facet_value


def _parse_value(metric: dict):
    value = metric.get("value")
    if "error" in metric or value is None:
        return None
    if value == "Infinity":
        return math.inf
    if value == "-Infinity":
        return -math.inf
    return float(value)


def _format(value: float) -> str:
    return _json_value(value) if math.isinf(value) else repr(float(value))


# ---------------------------------------------------------------------------------------------
# CloudWatch
# ---------------------------------------------------------------------------------------------

def cloudwatch_metric_data(analysis: dict, endpoint: str | None, schedule: str, *,
                           timestamp: datetime | str) -> list[dict]:
    """``put_metric_data`` ``MetricData`` entries for an analysis.json: one ``bias_metric_<NAME>``
    per metric and facet value, with dimensions Endpoint (left out when ``endpoint`` is None, as for
    batch transform), MonitoringSchedule, BiasStage, Label, LabelValue, Facet, FacetValue.

    +-inf is published as +-2**360 (the docs' "2.348543e108") and errored metrics are not published (DG
    clarify-model-monitor-bias-drift-cw). Send them to :data:`BIAS_METRICS_NAMESPACE` (or
    :data:`BATCH_BIAS_METRICS_NAMESPACE`), at most 1000 entries per call. ``timestamp`` comes from
    the simulated clock.
    """
    moment = as_utc(timestamp)
    entries = []
    for stage_key, stage_name in STAGES.items():
        stage = analysis.get(stage_key)
        if not stage:
            continue
        label = [("Label", str(stage["label"])),
                 ("LabelValue", configured_value(stage["label_value_or_threshold"]))]
        for facet, entries_for_facet in stage["facets"].items():
            for entry in entries_for_facet:
                facet_dims = [("Facet", str(facet)),
                              ("FacetValue", configured_value(entry["value_or_threshold"]))]
                head = [("Endpoint", endpoint)] if endpoint is not None else []
                dims = head + [("MonitoringSchedule", schedule), ("BiasStage", stage_name)] + \
                    label + facet_dims
                entries += _published(entry["metrics"], dims, moment)
    return entries


def _published(metrics: list[dict], dims: list[tuple], moment: datetime) -> list[dict]:
    dimensions = [{"Name": name, "Value": value} for name, value in dims]
    published = []
    for metric in metrics:
        value = _parse_value(metric)
        if value is None:
            continue
        if math.isinf(value):
            value = math.copysign(PUBLISHED_INFINITY, value)
        published.append({"MetricName": f"bias_metric_{metric['name']}",
                          "Dimensions": [dict(d) for d in dimensions], "Timestamp": moment,
                          "Value": value, "Unit": "None"})
    return published
