"""Data-quality monitoring: check a window of captured data against the baseline.

What a data-quality monitoring execution does (SAGEMAKER.md sections 3 and 4): profile the window
into its own ``statistics.json`` (typed by the baseline), evaluate the baseline's
``constraints.json``, write ``constraint_violations.json`` (``{"violations": [...]}``, no
``version`` key) and, when ``emit_metrics`` is Enabled, publish per-feature CloudWatch metrics.
This module computes all of that and returns it; it never calls AWS (``monitor`` writes the
files and publishes the metrics).

The checks (``constraint_check_type``), in the order each feature reports them:

==========================  ======================================================================
``data_type_check``         fraction of present values of the expected type (Integral: whole
                            numbers; Fractional: any finite number; String: text) is below
                            ``datatype_check_threshold``. Nulls are left to completeness.
``completeness_check``      observed non-null fraction < the feature's ``completeness``. (The docs
                            say "exceeds"; a violation means the observed value is *below*.)
``categorical_values_check`` fraction of present values inside ``string_constraints.domains`` is
                            below ``domain_content_threshold`` (suggested 1.0: any unseen value).
``baseline_drift_check``    distance between window and baseline distributions exceeds
                            ``comparison_threshold`` (numerical) or ``categorical_comparison_threshold``
                            (string): LInfinity, Simple = ``linf_simple``, Robust = ``linf_robust``
                            (c_alpha 1.8, Deequ 2.0.2). With ``categorical_drift_method`` ChiSquared
                            the value is the chi-square test's p-value (Deequ's default output) and
                            drift means p-value < threshold. The SageMaker mapping is [U]; ours is
                            stated here and in the lesson.
``missing_column_check``    a baseline column is absent from the window (one violation per column).
``extra_column_check``      a window column is not in the baseline (one violation per column).
==========================  ======================================================================

Descriptions follow the real messages: data type as in the intro example notebook ("Data type
match requirement is not met. Expected data type: Integral, Expected match: 100.0%. Observed:
Only 0.0% of data is Integral."), completeness and categorical values as in the SDK's
``monitor/constraint_violations.json`` ("Value: 0.0 does not meet the constraint requirement! ",
the value being the observed fraction), drift as "Baseline drift distance: 0.27 exceeds threshold:
0.1". The missing/extra column wording is ours (AWS's is unverified). ``num_constraints.
is_non_negative`` has no check type in AWS's list; it is not enforced (the drift check sees it).

Metrics (``emit_metrics``; DG:model-monitor-interpreting-cloudwatch): ``feature_data_<f>``
(numerical: SampleCount, Sum, Minimum, Maximum; CloudWatch derives Average),
``feature_non_null_<f>`` (the completeness fraction) and ``feature_baseline_drift_<f>`` (the
drift value), as ``PutMetricData`` datums without dimensions or timestamp.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from monitorlab.monitoring import baseline
from monitorlab.stats import drift

CHECK_TYPES = ("data_type_check", "completeness_check", "baseline_drift_check",
               "missing_column_check", "extra_column_check", "categorical_values_check")

#: Values used when ``monitoring_config`` omits a key: the documented defaults
#: (DG:model-monitor-byoc-constraints); ``comparison_method`` Robust as baselines suggest.
#: ``categorical_comparison_threshold`` defaults to the (resolved) ``comparison_threshold``.
DOCUMENTED_DEFAULTS = {
    "evaluate_constraints": "Enabled",
    "emit_metrics": "Enabled",
    "datatype_check_threshold": 0.1,
    "domain_content_threshold": 0.1,
    "perform_comparison": "Enabled",
    "comparison_threshold": 0.1,
    "comparison_method": "Robust",
    "categorical_drift_method": "LInfinity",
}


# ---------------------------------------------------------------------------------------------
# Configuration
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class FeatureConfig:
    """``monitoring_config`` resolved for one feature (defaults, then global keys, then overrides)."""

    evaluate_constraints: bool
    emit_metrics: bool
    datatype_check_threshold: float
    domain_content_threshold: float
    perform_comparison: bool
    comparison_threshold: float
    comparison_method: str
    categorical_comparison_threshold: float
    categorical_drift_method: str


def _flatten(config: dict) -> dict:
    """Top-level and ``distribution_constraints`` keys in one dict; legacy ``enable_comparisons``
    (a boolean in the SDK's ``monitor/constraints.json``) stands for ``perform_comparison``."""
    flat = {key: value for key, value in config.items() if key != "distribution_constraints"}
    flat.update(config.get("distribution_constraints") or {})
    if "perform_comparison" not in flat and isinstance(flat.get("enable_comparisons"), bool):
        flat["perform_comparison"] = "Enabled" if flat["enable_comparisons"] else "Disabled"
    return flat


def feature_config(monitoring_config: dict | None, feature_constraint: dict | None = None) -> FeatureConfig:
    """Resolve the configuration a feature is checked with."""
    settings = dict(DOCUMENTED_DEFAULTS)
    settings.update(_flatten(monitoring_config or {}))
    for _, overrides in baseline.feature_overrides(feature_constraint or {}):
        settings.update(_flatten(overrides))
    settings.setdefault("categorical_comparison_threshold", settings["comparison_threshold"])
    return FeatureConfig(
        evaluate_constraints=settings["evaluate_constraints"] == "Enabled",
        emit_metrics=settings["emit_metrics"] == "Enabled",
        datatype_check_threshold=float(settings["datatype_check_threshold"]),
        domain_content_threshold=float(settings["domain_content_threshold"]),
        perform_comparison=settings["perform_comparison"] == "Enabled",
        comparison_threshold=float(settings["comparison_threshold"]),
        comparison_method=settings["comparison_method"],
        categorical_comparison_threshold=float(settings["categorical_comparison_threshold"]),
        categorical_drift_method=settings["categorical_drift_method"])


# ---------------------------------------------------------------------------------------------
# Drift between a window feature and its baseline feature (both statistics.json entries)
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DriftResult:
    """One feature's ``baseline_drift_check`` value: ``method`` names the function of :mod:`drift`."""

    method: str
    value: float
    threshold: float
    drifted: bool


def baseline_drift(baseline_feature: dict, window_feature: dict, config: FeatureConfig) -> DriftResult | None:
    """Compare a window feature with its baseline feature, as statistics.json entries.

    Numerical: the two KLL sketches (Deequ compares sketches); string: the categorical buckets.
    ``None`` when either side has no values to compare (completeness/data type checks report that).
    """
    if "numerical_statistics" in baseline_feature and "numerical_statistics" in window_feature:
        return _numerical_drift(baseline_feature["numerical_statistics"],
                                window_feature["numerical_statistics"], config)
    if "string_statistics" in baseline_feature and "string_statistics" in window_feature:
        return _categorical_drift(baseline_feature["string_statistics"],
                                  window_feature["string_statistics"], config)
    return None


def _numerical_drift(reference: dict, current: dict, config: FeatureConfig) -> DriftResult | None:
    if reference["common"]["num_present"] == 0 or current["common"]["num_present"] == 0:
        return None
    ref, cur = drift.as_numerical(reference), drift.as_numerical(current)
    if config.comparison_method == "Simple":
        return _exceeds("linf_simple", drift.linf_simple(ref, cur), config.comparison_threshold)
    return _exceeds("linf_robust", drift.linf_robust(ref, cur), config.comparison_threshold)


def _categorical_drift(reference: dict, current: dict, config: FeatureConfig) -> DriftResult | None:
    ref, cur = drift.as_category_counts(reference), drift.as_category_counts(current)
    if ref.sum() == 0 or cur.sum() == 0:
        return None
    threshold = config.categorical_comparison_threshold
    if config.categorical_drift_method == "ChiSquared":
        p_value = drift.chi_square(ref, cur).p_value
        if math.isnan(p_value):
            return None
        return DriftResult("chi_square_p_value", p_value, threshold, p_value < threshold)
    if config.comparison_method == "Simple":
        return _exceeds("categorical_linf", drift.categorical_linf(ref, cur), threshold)
    return _exceeds("categorical_linf_robust", drift.categorical_linf_robust(ref, cur), threshold)


def _exceeds(method: str, value: float, threshold: float) -> DriftResult:
    return DriftResult(method, value, threshold, value > threshold)


# ---------------------------------------------------------------------------------------------
# Violations
# ---------------------------------------------------------------------------------------------

def _violation(feature: str, check: str, description: str) -> dict:
    return {"feature_name": feature, "constraint_check_type": check, "description": description}


def _percent(fraction: float) -> str:
    return repr(round(fraction * 100, 4))


def data_type_violation(feature: str, expected_type: str, threshold: float, observed: float) -> dict:
    return _violation(feature, "data_type_check",
                      f"Data type match requirement is not met. Expected data type: {expected_type}, "
                      f"Expected match: {_percent(threshold)}%. Observed: Only {_percent(observed)}% "
                      f"of data is {expected_type}.")


def value_violation(feature: str, check: str, observed: float) -> dict:
    return _violation(feature, check, f"Value: {observed!r} does not meet the constraint requirement! ")


def drift_violation(feature: str, result: DriftResult) -> dict:
    if result.method == "chi_square_p_value":
        text = f"Baseline drift p-value: {result.value!r} is below threshold: {result.threshold!r}"
    else:
        text = f"Baseline drift distance: {result.value!r} exceeds threshold: {result.threshold!r}"
    return _violation(feature, "baseline_drift_check", text)


def column_count_violation(feature: str, check: str, window_columns: int, baseline_columns: int) -> dict:
    kind = "missing" if check == "missing_column_check" else "extra"
    return _violation(feature, check,
                      f"There are {kind} columns in current dataset. Number of columns in current "
                      f"dataset: {window_columns}, Number of columns in baseline constraints: "
                      f"{baseline_columns}")


# ---------------------------------------------------------------------------------------------
# The execution
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DataQualityReport:
    """Everything one execution produces: the three JSON documents' content and the metrics."""

    constraint_violations: dict
    statistics: dict
    metrics: list[dict]
    drift: dict[str, DriftResult]


def _check_inputs(window_df, statistics: dict, constraints: dict) -> None:
    baseline.validate_statistics(statistics)
    baseline.validate_constraints(constraints)
    if not isinstance(window_df, pd.DataFrame):
        raise ValueError(f"window_df must be a pandas DataFrame, got {type(window_df).__name__}")
    if len(window_df) == 0:
        raise ValueError("the window has no rows: there is nothing to monitor (SageMaker marks an "
                         "execution without traffic Failed); widen the window or send traffic")
    duplicated = window_df.columns[window_df.columns.duplicated()]
    if len(duplicated):
        raise ValueError(f"window column {duplicated[0]!r} appears twice: give every column a unique name")


def _baseline_columns(statistics: dict, constraints: dict) -> list[str]:
    names = [feature["name"] for feature in constraints["features"]]
    return names + [f["name"] for f in statistics["features"] if f["name"] not in set(names)]


def _window_type(name: str, stats_by_name: dict, constraints_by_name: dict, column) -> str:
    if name in stats_by_name:
        return stats_by_name[name]["inferred_type"]
    declared = constraints_by_name.get(name, {}).get("inferred_type")
    if declared in baseline.STATISTICS_TYPES:
        return declared
    inferred = column.inferred_type()
    return inferred if inferred in baseline.STATISTICS_TYPES else "String"


def _profile(window_df: pd.DataFrame, names: list[str], stats_by_name: dict,
             constraints_by_name: dict, seed: int) -> tuple[dict, dict]:
    """Window ``statistics.json`` (baseline columns present in the window) and each ColumnValues."""
    columns, features = {}, []
    for name in names:
        if name not in window_df.columns:
            continue
        series = window_df[name]
        column = baseline.read_column(series)
        inferred_type = _window_type(name, stats_by_name, constraints_by_name, column)
        if inferred_type == "String" or _domains(constraints_by_name.get(name)) is not None:
            column = baseline.with_categories(column, series)
        columns[name] = column
        features.append(baseline.feature_statistics(name, column, inferred_type, seed))
    return baseline.statistics_document(len(window_df), features), columns


def window_statistics(window_df: pd.DataFrame, baseline_statistics: dict, seed: int = 0) -> dict:
    """``statistics.json`` of the window: every baseline feature present, typed by the baseline."""
    baseline.validate_statistics(baseline_statistics)
    if not isinstance(window_df, pd.DataFrame):
        raise ValueError(f"window_df must be a pandas DataFrame, got {type(window_df).__name__}")
    stats_by_name = {f["name"]: f for f in baseline_statistics["features"]}
    document, _ = _profile(window_df, list(stats_by_name), stats_by_name, {}, seed)
    return document


def run_checks(window_df: pd.DataFrame, statistics: dict, constraints: dict, *,
               seed: int = 0) -> DataQualityReport:
    """Profile the window, evaluate every check, collect the metrics. Never calls AWS.

    Raises ``ValueError`` naming the key for malformed ``statistics``/``constraints``, and for an
    empty window. Bad data (all-null features, unseen categories, text in numeric columns,
    constant columns) produces violations, never an exception.
    """
    _check_inputs(window_df, statistics, constraints)
    stats_by_name = {f["name"]: f for f in statistics["features"]}
    constraints_by_name = {f["name"]: f for f in constraints["features"]}
    names = _baseline_columns(statistics, constraints)
    window_stats, columns = _profile(window_df, names, stats_by_name, constraints_by_name, seed)
    window_features = {f["name"]: f for f in window_stats["features"]}
    global_config = constraints.get("monitoring_config") or {}
    violations, metrics, drifts = [], [], {}
    for name in names:
        config = feature_config(global_config, constraints_by_name.get(name))
        if name not in columns:
            if config.evaluate_constraints:
                violations.append(column_count_violation(name, "missing_column_check",
                                                         len(window_df.columns), len(names)))
            continue
        result = _drift_if_enabled(stats_by_name.get(name), window_features[name], config)
        if result is not None:
            drifts[name] = result
        if config.evaluate_constraints:
            violations += _feature_violations(name, columns[name], constraints_by_name.get(name),
                                              config, result)
        if config.emit_metrics:
            metrics += _feature_metrics(name, columns[name], window_features[name], result)
    if feature_config(global_config).evaluate_constraints:
        violations += _extra_column_violations(window_df, names)
    return DataQualityReport({"violations": violations}, window_stats, metrics, drifts)


def _drift_if_enabled(baseline_feature: dict | None, window_feature: dict,
                      config: FeatureConfig) -> DriftResult | None:
    if not config.perform_comparison or baseline_feature is None:
        return None
    return baseline_drift(baseline_feature, window_feature, config)


def evaluate(window_df: pd.DataFrame, statistics: dict, constraints: dict, *, seed: int = 0) -> dict:
    """``constraint_violations.json`` content for the window: ``{"violations": [...]}``.

    Use :func:`run_checks` for the window statistics, metrics and drift values as well.
    """
    return run_checks(window_df, statistics, constraints, seed=seed).constraint_violations


def _feature_violations(name: str, column, constraint: dict | None, config: FeatureConfig,
                        result: DriftResult | None) -> list[dict]:
    found = []
    if constraint is not None:
        found += _constraint_violations(name, column, constraint, config)
    if result is not None and result.drifted:
        found.append(drift_violation(name, result))
    return found


def _constraint_violations(name: str, column, constraint: dict, config: FeatureConfig) -> list[dict]:
    found = []
    expected = constraint["inferred_type"]
    if expected in baseline.STATISTICS_TYPES and column.num_non_null > 0:
        observed = column.type_match_fraction(expected)
        if observed < config.datatype_check_threshold:
            found.append(data_type_violation(name, expected, config.datatype_check_threshold, observed))
    completeness = column.num_non_null / column.item_count
    if "completeness" in constraint and completeness < constraint["completeness"]:
        found.append(value_violation(name, "completeness_check", completeness))
    domains = _domains(constraint)
    if domains is not None and column.num_non_null > 0:
        in_domain = _in_domain_fraction(column, domains)
        if in_domain < config.domain_content_threshold:
            found.append(value_violation(name, "categorical_values_check", in_domain))
    return found


def _domains(constraint: dict | None) -> list[str] | None:
    return ((constraint or {}).get("string_constraints") or {}).get("domains")


def _in_domain_fraction(column, domains: list[str]) -> float:
    categories = column.categories
    inside = categories[categories.index.isin(domains)].sum()
    return float(inside) / column.num_non_null


def _extra_column_violations(window_df: pd.DataFrame, names: list[str]) -> list[dict]:
    known = set(names)
    extra = [str(column) for column in window_df.columns if column not in known]
    return [column_count_violation(column, "extra_column_check", len(window_df.columns), len(names))
            for column in extra]


def _feature_metrics(name: str, column, window_feature: dict, result: DriftResult | None) -> list[dict]:
    metrics = []
    numbers = window_feature.get("numerical_statistics", {})
    if numbers.get("common", {}).get("num_present", 0) > 0:
        metrics.append({"MetricName": f"feature_data_{name}", "StatisticValues": {
            "SampleCount": float(numbers["common"]["num_present"]), "Sum": numbers["sum"],
            "Minimum": numbers["min"], "Maximum": numbers["max"]}})
    metrics.append({"MetricName": f"feature_non_null_{name}",
                    "Value": column.num_non_null / column.item_count})
    if result is not None and np.isfinite(result.value):
        metrics.append({"MetricName": f"feature_baseline_drift_{name}", "Value": result.value})
    return metrics
