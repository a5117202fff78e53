"""SageMaker Clarify's bias metrics, re-implemented with vectorised numpy.

Pre-training (data) metrics: CI, DPL, KL, JS, LP, TVD, KS, CDDL.
Post-training (model) metrics: DPPL, DI, DCA, DCR, RD, SD, DAR, DRR, AD, TE, CDDPL, FT, GE.

Fidelity source: ``smclarify`` 0.5 (``src/smclarify/bias/metrics/{pretraining,posttraining,common}.py``
and ``bias/report.py``), the library the Clarify container runs: real ``analysis.json`` files carry
its docstrings as descriptions (misspelling "Kullback-Liebler" included) and its error strings.
Formulas and names: AWS Developer Guide pages ``clarify-bias-metric-*`` and
``clarify-post-training-bias-metric-*``. Every number smclarify prints for the examples in the
course reference is reproduced by ``tests/test_bias.py``.

Conventions (Clarify's):

* **Facets.** ``facet_values_or_threshold`` selects the sensitive, disfavoured facet *d*; every other
  row is facet *a*. Metrics read "a minus d", so a positive DPL means *d* gets fewer positive labels.
* **Values or threshold.** A list of values selects rows whose value is in the list. A single number
  on a numeric column is a threshold *t* that selects ``value > t`` (Clarify writes the interval
  ``"(t, max]"``). The positive label is chosen by ``label_values_or_threshold`` the same way.
* **divide(0, 0) = 0, divide(x, 0) = ±inf** (smclarify ``common.divide``).
* Multi-valued labels are binarised (positive vs the rest) before KL, JS, LP, TVD and KS, as
  smclarify's ``bias_report`` does; the array-level functions below accept any label.

Choices where smclarify and the docs are not enough (each also said where it is made):

* *Value or threshold?* smclarify decides from the dtype and, for integer columns, from the share
  of distinct values (>= 5% means "continuous"), so the same ``[40]`` on an integer ``age`` is a
  threshold on 1,000 rows and an equality test on 100,000, and ``[1]`` on a 12-row 0/1 label is
  the empty interval ``(1, 1]`` (DPL silently 0). We decide from the dtype and the values alone,
  never from the row count: several values, or a non-numeric / boolean / ``category`` column, mean
  equality; one number on a numeric column is a threshold, except on a two-valued numeric column
  (0/1, 1/2, ...) that contains that number, which is matched by equality. Cast a column to
  ``category`` to force equality.
* *FT's sign.* smclarify counts a flip "to positive" when the model says 1 and the kNN trained on
  facet *a* says 0; the AWS docs count the opposite, so the two differ in sign. We follow smclarify
  (the container runs it); ``ft_sign="aws_docs"`` gives the docs' sign.
* *Bad input* raises :class:`ValueError` naming the column and the fix (missing column, NaN in the
  facet, label, prediction or group column, label values that select no row, a non-binary label
  with no ``label_values_or_threshold``, no positive prediction). A metric Clarify reports as an error
  (empty facet, no group variable, no common label value, ...) gets ``None`` and an entry in
  :attr:`BiasMetrics.errors`, as in ``analysis.json``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

import numpy as np
import pandas as pd

PRETRAINING_METRICS = ("CI", "DPL", "KL", "JS", "LP", "TVD", "KS", "CDDL")
POSTTRAINING_METRICS = ("DPPL", "DI", "DCA", "DCR", "RD", "SD", "DAR", "DRR", "AD", "TE",
                        "CDDPL", "FT", "GE")

#: First docstring line of each smclarify metric: the ``description`` in ``analysis.json``.
#: Those of CDDL, CI, DPL, JS, KL, KS, LP and TVD are copied from the real
#: ``pipeline/clarify_check_step/data_bias/good_cases/analysis.json`` (aws/sagemaker-python-sdk).
DESCRIPTIONS = {
    "CI": "Class Imbalance (CI)",
    "DPL": "Difference in Positive Proportions in Labels (DPL)",
    "KL": "Kullback-Liebler Divergence (KL)",
    "JS": "Jensen-Shannon Divergence (JS)",
    "LP": "L-p Norm (LP)",
    "TVD": "Total Variation Distance (TVD)",
    "KS": "Kolmogorov-Smirnov Distance (KS)",
    "CDDL": "Conditional Demographic Disparity in Labels (CDDL)",
    "DPPL": "Difference in Positive Proportions in Predicted Labels (DPPL)",
    "DI": "Disparate Impact (DI)",
    "DCA": "Difference in Conditional Acceptance (DCA)",
    "DCR": "Difference in Conditional Rejection (DCR)",
    "RD": "Recall Difference (RD)",
    "SD": "Specificity Difference (SD)",
    "DAR": "Difference in Acceptance Rates (DAR)",
    "DRR": "Difference in Rejection Rates (DRR)",
    "AD": "Accuracy Difference (AD)",
    "TE": "Treatment Equality (TE)",
    "CDDPL": "Conditional Demographic Disparity in Predicted Labels (CDDPL)",
    "FT": "Flip Test (FT)",
    "GE": "Generalized Entropy (GE)",
}

FT_SIGNS = ("smclarify", "aws_docs")
#: Metrics that do not depend on the facet (smclarify computes them even when a facet is empty).
FACET_INDEPENDENT = frozenset({"GE"})
#: smclarify's exact message for CDDL/CDDPL without a group variable (seen in real analysis.json).
NO_GROUP_VARIABLE = "Group variable is empty or not provided"


class MetricUndefined(ValueError):
    """A metric has no value for this data; reported as ``value: null`` plus ``error``."""


class BiasMetrics(dict):
    """Metric name -> value (float, ``inf``/``-inf``, or ``None`` when the metric errored).

    ``errors`` maps the name of each errored metric to its message, as ``analysis.json`` does.
    """

    def __init__(self, values=(), errors=None):
        super().__init__(values)
        self.errors: dict[str, str] = dict(errors or {})

    def __repr__(self) -> str:
        return f"BiasMetrics({dict(self)!r}, errors={self.errors!r})"


# ---------------------------------------------------------------------------------------------
# Selections: which rows are facet d, which labels are positive
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Selection:
    """The rows a ``values_or_threshold`` selects, and the string Clarify writes for it.

    ``value_or_threshold`` is ``",".join(values)`` (``"F"``) for values, ``"(t, max]"`` for a
    threshold (``"(40.0, 60.0]"``); ``threshold`` is ``t``, or ``None`` for values.
    """

    mask: np.ndarray
    value_or_threshold: str
    threshold: float | None = None
    values: tuple = ()


def select(series: pd.Series, values_or_threshold, *, role: str = "facet") -> Selection:
    """Select the rows of ``series`` that ``values_or_threshold`` names (see the module notes).

    ``role`` ("facet", "label", ...) only words the error messages.
    """
    values = _value_list(values_or_threshold, series.name, role)
    if uses_threshold(series, values):
        return _threshold_selection(series, _as_number(values[0]))
    return _value_selection(series, values, role)


def uses_threshold(series: pd.Series, values: Sequence) -> bool:
    """True when ``values`` is one number applied to a numeric column as a lower bound ``> t``.

    Two-valued numeric columns that contain the number (a 0/1 label with ``[1]``) are matched by
    equality instead; smclarify's row-count-dependent rule is described in the module docstring.
    """
    if len(values) != 1 or _as_number(values[0]) is None or not _is_numeric(series):
        return False
    return not _two_valued_containing(series.to_numpy(), _as_number(values[0]))


def one_vs_all_values(series: pd.Series) -> list[list]:
    """The value lists Clarify uses when a facet has no ``value_or_threshold``: one per value.

    Values come in order of first appearance (pandas ``unique``, as smclarify). Only for
    categorical columns: a numeric column needs a threshold.
    """
    if _is_numeric(series) and not _two_valued(series.to_numpy()):
        raise ValueError(f"facet column {series.name!r} is numeric, so it needs a threshold: give "
                         f"value_or_threshold [t] (facet d = {series.name} > t), or cast the column "
                         "to 'category' to compute one-vs-all metrics for each value")
    return [[_plain(value)] for value in pd.unique(series)]


def _value_list(values_or_threshold, column, role: str) -> list:
    if values_or_threshold is None or isinstance(values_or_threshold, (str, bytes)) or np.isscalar(
            values_or_threshold):
        values = [] if values_or_threshold is None else [values_or_threshold]
    else:
        values = list(values_or_threshold)
    if not values:
        hint = " (for one group per value, loop over one_vs_all_values)" if role == "facet" else ""
        raise ValueError(f"no {role} values or threshold given for column {column!r}: pass a list "
                         f"of values (e.g. ['F']) or a one-number threshold (e.g. [40] for > 40)"
                         f"{hint}")
    return values


def _threshold_selection(series: pd.Series, threshold: float) -> Selection:
    values = series.to_numpy()
    lower, upper = sorted(np.array([threshold, values.max()]))
    return Selection(values > threshold, f"({lower}, {upper}]", threshold)


def _value_selection(series: pd.Series, values: list, role: str) -> Selection:
    mask = _isin(series, values)
    if not mask.any():
        converted = _converted_values(series, values, role)
        mask = _isin(series, converted)
    return Selection(mask, ",".join(map(str, values)), None, tuple(values))


def _isin(series: pd.Series, values: list) -> np.ndarray:
    """``series.isin(values)`` as a numpy bool array; category columns compare integer codes."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        wanted = series.cat.categories.get_indexer(pd.Index(values, dtype=object))
        is_wanted = np.zeros(len(series.cat.categories) + 1, dtype=bool)  # last: code -1 (NaN)
        is_wanted[wanted[wanted >= 0]] = True
        return is_wanted[series.cat.codes.to_numpy()]
    if len(values) == 1 and _is_numeric(series) and _as_number(values[0]) is not None:
        return series.to_numpy() == _as_number(values[0])
    return series.isin(values).to_numpy()


def _converted_values(series: pd.Series, values: list, role: str) -> list:
    """smclarify's fallback when no row matches: give the values the column's type.

    ``["1"]`` on an integer column becomes ``[1]``; ``[1]`` on a text column becomes ``["1"]``.
    A value that cannot take the column's type is a configuration mistake and raises.
    """
    reference = series.cat.categories if isinstance(series.dtype, pd.CategoricalDtype) else series
    if pd.api.types.is_bool_dtype(reference.dtype):
        return [str(v).lower() == "true" if isinstance(v, str) else bool(v) for v in values]
    if _is_numeric(reference):
        numbers = [_as_number(v) for v in values]
        if any(n is None for n in numbers):
            raise ValueError(f"{role} column {series.name!r} is numeric but {role} values {values!r} "
                             f"are not numbers; give values the column holds, e.g. "
                             f"{_examples(series)!r}")
        return numbers
    return [str(v) for v in values]


def _examples(series: pd.Series, count: int = 6) -> list:
    """A few of the column's values, sorted, as plain Python values for messages."""
    return sorted(map(_plain, pd.unique(series)), key=str)[:count]


def _is_numeric(series: pd.Series) -> bool:
    dtype = series.dtype
    return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)


def _as_number(value) -> float | None:
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)):
        return value
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _two_valued(values: np.ndarray) -> bool:
    low, high = values.min(), values.max()
    return bool(np.all((values == low) | (values == high)))


def _two_valued_containing(values: np.ndarray, number: float) -> bool:
    return _two_valued(values) and number in (values.min(), values.max())


def _plain(value):
    """A numpy scalar as the Python scalar ``json`` and ``str`` expect."""
    return value.item() if isinstance(value, np.generic) else value


# ---------------------------------------------------------------------------------------------
# Input checks
# ---------------------------------------------------------------------------------------------

def column(df: pd.DataFrame, name, role: str, argument: str) -> pd.Series:
    """``df[name]`` without missing values, or a ValueError that names the column, the argument
    and the columns present. Text columns come back as ``category`` (one hashing pass; the NaN check
    and the selection then work on integer codes)."""
    series = _existing_column(df, name, role, argument)
    if pd.api.types.is_object_dtype(series.dtype) or pd.api.types.is_string_dtype(series.dtype):
        series = series.astype("category")
    return require_complete(series, role)


def _existing_column(df: pd.DataFrame, name, role: str, argument: str) -> pd.Series:
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"expected a pandas DataFrame, got {type(df).__name__}")
    if len(df) == 0:
        raise ValueError("the data has no rows: bias metrics need at least one row in each facet")
    if name not in df.columns:
        raise ValueError(f"{role} column {name!r} is not in the data; columns are "
                         f"{list(df.columns)!r}: fix the {argument} argument")
    series = df[name]
    if isinstance(series, pd.DataFrame):
        raise ValueError(f"the data has {series.shape[1]} columns named {name!r}; rename them so "
                         f"the {role} column is unique")
    return series


def require_complete(series: pd.Series, role: str, missing: np.ndarray | None = None) -> pd.Series:
    """Raise ValueError if ``series`` holds NaN/None (``missing``: the mask, when already known):
    Clarify would silently count them as facet *a* or as negative labels."""
    if missing is None:
        missing = series.isna().to_numpy()
    if missing.any():
        first = series.index[np.flatnonzero(missing)[0]]
        raise ValueError(f"{role} column {series.name!r} has {int(missing.sum())} missing value(s) "
                         f"(first at index {first!r}); drop or fill them before computing bias "
                         f"metrics, e.g. df.dropna(subset=[{series.name!r}])")
    return series


def requested_metrics(methods, available: Sequence[str]) -> list[str]:
    """``"all"`` or a list of metric short names, checked against ``available``."""
    if isinstance(methods, str) and methods == "all":
        return list(available)
    names = [methods] if isinstance(methods, str) else list(methods)
    unknown = [name for name in names if name not in available]
    if unknown or not names:
        raise ValueError(f"unknown metric(s) {unknown!r} in methods; use 'all' or names from "
                         f"{list(available)!r}")
    return [name for name in available if name in names]


def positive_labels(series: pd.Series, label_values_or_threshold) -> Selection:
    """Which rows have the positive label; ``None`` is allowed only for a 0/1 or boolean label.

    A selection with no positive row raises ValueError: it is almost always a wrong value or type
    (``">50k"`` for ``">50K"``), which smclarify would silently turn into DPL = 0.
    """
    if label_values_or_threshold is None:
        label_values_or_threshold = [_default_positive(series)]
    selection = select(series, label_values_or_threshold, role="label")
    if not selection.mask.any():
        how = (f"is a threshold (label > {selection.threshold}) above every value; cast the column "
               "to 'category' to match the value itself" if selection.threshold is not None else
               "matches no value; give positive values the column holds")
        raise ValueError(f"label_values_or_threshold {label_values_or_threshold!r} selects no row "
                         f"of label column {series.name!r} (values seen: {_examples(series)!r}): it "
                         f"{how}")
    return selection


def _default_positive(series: pd.Series):
    if pd.api.types.is_bool_dtype(series.dtype):
        return True
    uniques = pd.unique(series)
    if set(np.asarray(uniques).tolist()) <= {0, 1}:
        return 1
    raise ValueError(f"label column {series.name!r} is not a 0/1 or boolean column (values "
                     f"{_examples(series)!r}): give label_values_or_threshold, "
                     "the positive values (e.g. ['>50K']) or a one-number threshold [t] (label > t)")


def group_codes(df: pd.DataFrame, group_variable) -> np.ndarray | None:
    """Integer codes 0..G-1 of the CDDL group variable (a column name or a Series), or None."""
    if group_variable is None:
        return None
    if isinstance(group_variable, pd.Series):
        if len(group_variable) != len(df):
            raise ValueError(f"group_variable has {len(group_variable)} rows but the data has "
                             f"{len(df)}; pass a column name or a Series aligned with the data")
        series = group_variable.reset_index(drop=True)
    else:
        series = _existing_column(df, group_variable, "group variable", "group_variable")
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes = series.cat.codes.to_numpy().astype(np.intp)
    else:
        codes = pd.factorize(series, sort=True)[0]  # NaN -> -1: no separate isna pass
    require_complete(series, "group variable", missing=codes < 0)
    return codes


# ---------------------------------------------------------------------------------------------
# Counting
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Confusion:
    """Confusion counts of one facet (observed label vs predicted label)."""

    tp: int
    fp: int
    fn: int
    tn: int

    @property
    def n(self) -> int:
        return self.tp + self.fp + self.fn + self.tn

    @property
    def positives(self) -> int:
        """Observed positives n^(1)."""
        return self.tp + self.fn

    @property
    def negatives(self) -> int:
        """Observed negatives n^(0)."""
        return self.fp + self.tn

    @property
    def predicted_positives(self) -> int:
        """Predicted positives n'^(1)."""
        return self.tp + self.fp

    @property
    def predicted_negatives(self) -> int:
        """Predicted negatives n'^(0)."""
        return self.fn + self.tn


def confusion_by_facet(is_d: np.ndarray, is_positive: np.ndarray,
                       predicted_positive: np.ndarray | None = None) -> tuple[Confusion, Confusion]:
    """``(facet a, facet d)`` confusion counts in one ``np.bincount`` pass.

    Without predictions every row counts as predicted negative (only ``positives``, ``negatives``
    and ``n`` are then meaningful).
    """
    code = (_as_bytes(is_d) << 2) | (_as_bytes(is_positive) << 1)  # one byte a row
    if predicted_positive is not None:
        code |= _as_bytes(predicted_positive)
    counts = np.bincount(code, minlength=8).reshape(2, 2, 2).tolist()  # [d][y][y_hat]
    return tuple(Confusion(tp=c[1][1], fp=c[0][1], fn=c[1][0], tn=c[0][0]) for c in counts)


def _as_bytes(mask) -> np.ndarray:
    """A boolean mask as 0/1 bytes, without copying a bool array."""
    return np.asarray(mask, dtype=bool).view(np.uint8)


def divide(numerator: float, denominator: float) -> float:
    """Clarify's division: ``0/0 = 0``, ``x/0 = +inf`` or ``-inf``, else ``x/y``
    (smclarify ``common.divide``)."""
    if denominator == 0:
        if numerator == 0:
            return 0.0
        return -np.inf if numerator < 0 else np.inf
    return numerator / denominator


def difference_of_rates(first: float, second: float) -> float:
    """``first - second``, except 0 when both rates are +inf (smclarify's rule for DCA, DCR, DAR,
    DRR, RD, SD, AD and TE)."""
    if first == second == np.inf:
        return 0.0
    return first - second


# ---------------------------------------------------------------------------------------------
# Pre-training metrics
# ---------------------------------------------------------------------------------------------

def class_imbalance(n_a: int, n_d: int) -> float:
    """CI = (n_a - n_d) / (n_a + n_d), in [-1, 1]; positive when facet d is under-represented.

    Source: smclarify ``pretraining.CI``; DG clarify-bias-metric-class-imbalance.
    """
    return float(n_a - n_d) / (n_a + n_d)


def difference_in_positive_proportions(positives_a: int, n_a: int,
                                       positives_d: int, n_d: int) -> float:
    """DPL = q_a - q_d with q = n^(1) / n (DPPL: the same with predicted labels).

    Source: smclarify ``common.DPL``; DG clarify-bias-metric-true-label-imbalance, -dppl.
    """
    return positives_a / n_a - positives_d / n_d


def label_distributions(labels, is_d) -> tuple[np.ndarray, np.ndarray]:
    """The label PMFs P_a and P_d on their *aligned non-zero support* (smclarify
    ``util.pdfs_aligned_nonzero``): label values in sorted order, keeping only values that occur in
    both facets. The kept probabilities are **not renormalised**, so they may sum to less than 1.
    """
    codes, _ = pd.factorize(pd.Series(labels), sort=True)
    is_d = np.asarray(is_d, dtype=bool)
    size = codes.max() + 1 if len(codes) else 0
    counts_a = np.bincount(codes[~is_d], minlength=size)
    counts_d = np.bincount(codes[is_d], minlength=size)
    return aligned_pmfs(counts_a, counts_d)


def aligned_pmfs(counts_a: np.ndarray, counts_d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Aligned PMFs from per-value counts of the two facets (same value order), as
    :func:`label_distributions` describes."""
    counts_a, counts_d = np.asarray(counts_a), np.asarray(counts_d)
    if counts_a.sum() == 0 or counts_d.sum() == 0:
        raise MetricUndefined("Facet set is empty: a label distribution needs rows in both facets")
    both = (counts_a > 0) & (counts_d > 0)
    if not both.any():
        raise MetricUndefined("No instance of common facet found, dataset may be too small: no label "
                              "value occurs in both facet a and facet d")
    return counts_a[both] / counts_a.sum(), counts_d[both] / counts_d.sum()


def kl_divergence(p_a: np.ndarray, p_d: np.ndarray) -> float:
    """KL(P_a || P_d) = sum_y P_a(y) ln(P_a(y) / P_d(y)) over the aligned support.

    Because the support keeps only label values present in both facets and is not renormalised,
    this KL **can be negative**: with P_a = (0.2, 0.2, 0.6) and P_d = (0.4, 0.6, 0) the third value
    is dropped and KL = 0.2 ln(0.5) + 0.2 ln(1/3) = -0.358. A true KL (>= 0) would be +inf here,
    since P_d is 0 where P_a is not. Source: smclarify ``pretraining.KL``; DG
    clarify-bias-metric-kl-divergence.
    """
    return float(np.sum(p_a * np.log(p_a / p_d)))


def js_divergence(p_a: np.ndarray, p_d: np.ndarray) -> float:
    """JS = 1/2 [KL(P_a || P) + KL(P_d || P)] with P = (P_a + P_d) / 2, on the aligned support.

    Source: smclarify ``pretraining.JS``; DG clarify-bias-metric-jensen-shannon-divergence.
    """
    mixture = 1 / 2 * (p_a + p_d)
    return float(0.5 * (np.sum(p_a * np.log(p_a / mixture)) + np.sum(p_d * np.log(p_d / mixture))))


def lp_norm(p_a: np.ndarray, p_d: np.ndarray, order: float = 2) -> float:
    """LP = (sum_y |P_a(y) - P_d(y)|^p)^(1/p); Clarify fixes p = 2.

    Source: smclarify ``pretraining.LP_norm``; DG clarify-bias-metric-lp-norm.
    """
    return float(np.linalg.norm(p_a - p_d, order))


def total_variation_distance(p_a: np.ndarray, p_d: np.ndarray) -> float:
    """TVD = 1/2 sum_y |P_a(y) - P_d(y)| (half the L1 norm).

    Source: smclarify ``pretraining.TVD``; DG clarify-bias-metric-total-variation-distance.
    """
    return 0.5 * lp_norm(p_a, p_d, 1)


def ks_distance(p_a: np.ndarray, p_d: np.ndarray) -> float:
    """KS = max_y |P_a(y) - P_d(y)|: the L-infinity distance of the label **PMFs** (not of CDFs).

    Source: smclarify ``pretraining.KS``; DG clarify-bias-metric-kolmogorov-smirnov.
    """
    return lp_norm(p_a, p_d, np.inf)


def conditional_demographic_disparity(is_d: np.ndarray, is_positive: np.ndarray,
                                      groups: np.ndarray | None) -> float:
    """CDD = sum_i n_i DD_i / sum_i n_i over the groups i of the group variable, where
    DD_i = (rejected in d / rejected) - (accepted in d / accepted) within group i, and a ratio with
    an empty denominator counts as 0. CDDL uses labels, CDDPL predicted labels.

    Source: smclarify ``common.CDD``; DG clarify-bias-metric-cddl, -cddpl.
    """
    if groups is None or len(groups) == 0:
        raise MetricUndefined(NO_GROUP_VARIABLE)
    if not is_positive.any():
        raise MetricUndefined("No positive labels in set")
    if is_positive.all():
        raise MetricUndefined("No negative labels in set")
    n_groups = int(groups.max()) + 1
    code = groups * 4 + ((_as_bytes(is_positive) << 1) | _as_bytes(is_d))
    counts = np.bincount(code, minlength=4 * n_groups).reshape(n_groups, 2, 2)  # [g][y][d]
    accepted_share = _shares(counts[:, 1, 1], counts[:, 1].sum(axis=1))
    rejected_share = _shares(counts[:, 0, 1], counts[:, 0].sum(axis=1))
    sizes = counts.sum(axis=(1, 2)).astype(float)
    return divide(float(np.sum(sizes * (rejected_share - accepted_share))), float(np.sum(sizes)))


def _shares(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
    return np.divide(part, whole, out=np.zeros(len(part)), where=whole != 0)


# ---------------------------------------------------------------------------------------------
# Post-training metrics
# ---------------------------------------------------------------------------------------------

def disparate_impact(a: Confusion, d: Confusion) -> float:
    """DI = q'_d / q'_a with q' = n'^(1) / n (predicted positive rates); fair value 1.

    Source: smclarify ``posttraining.DI``; DG clarify-post-training-bias-metric-di.
    """
    return divide(d.predicted_positives / d.n, a.predicted_positives / a.n)


def difference_in_conditional_acceptance(a: Confusion, d: Confusion) -> float:
    """DCA = c_a - c_d with c = n^(1) / n'^(1) (observed over predicted positives).

    Source: smclarify ``common.DCO``; DG clarify-post-training-bias-metric-dca ("DCAcc").
    """
    return difference_of_rates(divide(a.positives, a.predicted_positives),
                               divide(d.positives, d.predicted_positives))


def difference_in_conditional_rejection(a: Confusion, d: Confusion) -> float:
    """DCR = r_d - r_a with r = n^(0) / n'^(0) (observed over predicted negatives).

    Source: smclarify ``common.DCO``; DG clarify-post-training-bias-metric-dcr.
    """
    return difference_of_rates(divide(d.negatives, d.predicted_negatives),
                               divide(a.negatives, a.predicted_negatives))


def recall_difference(a: Confusion, d: Confusion) -> float:
    """RD = TPR_a - TPR_d with TPR = TP / (TP + FN).

    Source: smclarify ``common.DLA``; DG clarify-post-training-bias-metric-rd.
    """
    return difference_of_rates(divide(a.tp, a.tp + a.fn), divide(d.tp, d.tp + d.fn))


def specificity_difference(a: Confusion, d: Confusion) -> float:
    """SD = TNR_d - TNR_a with TNR = TN / (TN + FP).

    Source: smclarify ``common.DLA``; DG clarify-post-training-bias-metric-sd.
    """
    return difference_of_rates(divide(d.tn, d.tn + d.fp), divide(a.tn, a.tn + a.fp))


def difference_in_acceptance_rates(a: Confusion, d: Confusion) -> float:
    """DAR = TP_a / (TP_a + FP_a) - TP_d / (TP_d + FP_d) (difference in precision).

    Source: smclarify ``common.DLR``; DG clarify-post-training-bias-metric-dar.
    """
    return difference_of_rates(divide(a.tp, a.predicted_positives),
                               divide(d.tp, d.predicted_positives))


def difference_in_rejection_rates(a: Confusion, d: Confusion) -> float:
    """DRR = TN_d / (TN_d + FN_d) - TN_a / (TN_a + FN_a).

    Source: smclarify ``common.DLR``; DG clarify-post-training-bias-metric-drr.
    """
    return difference_of_rates(divide(d.tn, d.predicted_negatives),
                               divide(a.tn, a.predicted_negatives))


def accuracy_difference(a: Confusion, d: Confusion) -> float:
    """AD = ACC_a - ACC_d with ACC = (TP + TN) / n.

    Source: smclarify ``posttraining.AD``; DG clarify-post-training-bias-metric-ad.
    """
    return difference_of_rates(divide(a.tp + a.tn, a.n), divide(d.tp + d.tn, d.n))


def treatment_equality(a: Confusion, d: Confusion) -> float:
    """TE = FN_d / FP_d - FN_a / FP_a; 0 when both ratios are +inf, else ±inf when one is.

    Source: smclarify ``posttraining.TE``; DG clarify-post-training-bias-metric-te.
    """
    return difference_of_rates(divide(d.fn, d.fp), divide(a.fn, a.fp))


def generalized_entropy(is_positive: np.ndarray, predicted_positive: np.ndarray,
                        alpha: float = 2) -> float:
    """GE(alpha) = sum_i [(b_i / mean(b))^alpha - 1] / (n alpha (alpha - 1)), with the benefit
    b_i = y_hat_i - y_i + 1 (0 for a false negative, 1 when correct, 2 for a false positive).
    Clarify uses alpha = 2. It does not depend on the facet.

    Computed from the counts of each benefit value. Source: smclarify ``common.GE``; DG
    clarify-post-training-bias-metric-ge.
    """
    if alpha in (0, 1):
        raise ValueError("generalized_entropy is defined here for alpha other than 0 and 1")
    n = len(is_positive)
    benefit = predicted_positive.astype(np.intp) - is_positive + 1
    counts = np.bincount(benefit, minlength=3)
    mean = (counts[1] + 2 * counts[2]) / n
    if mean == 0:
        raise MetricUndefined("All predicted labels are false negatives. There should be at least "
                              "one prediction that is not false negative.")
    total = np.dot(counts, (np.arange(3) / mean) ** alpha - 1)
    return float(total / (n * alpha * (alpha - 1)))


def flip_test(features: np.ndarray, is_d: np.ndarray, predicted_positive: np.ndarray,
              *, sign: str = "smclarify") -> float:
    """FT: train a k-nearest-neighbours classifier on facet a's features and a's *predicted*
    labels, predict facet d with it, and compare with the model's predictions for d.

    smclarify (``sign="smclarify"``, our default): FT = (F+ - F-) / n_d with F+ = #{model 1, kNN 0}
    and F- = #{model 0, kNN 1}. The AWS docs (``sign="aws_docs"``) define F+ as "d members with an
    unfavourable outcome whose neighbours in a were favourable" = #{model 0, kNN 1}: the opposite
    sign. kNN as smclarify: scikit-learn ``KNeighborsClassifier`` with k = 5 if n_a > 9 else 1,
    uniform weights, Minkowski p = 2.

    Source: smclarify ``posttraining.FT``; DG clarify-post-training-bias-metric-ft.
    """
    from sklearn.neighbors import KNeighborsClassifier  # imported here: it costs ~0.5 s

    if sign not in FT_SIGNS:
        raise ValueError(f"ft_sign must be one of {FT_SIGNS!r}, got {sign!r}")
    features_a, features_d = features[~is_d], features[is_d]
    neighbours = 5 if len(features_a) > 9 else 1
    knn = KNeighborsClassifier(n_neighbors=neighbours, weights="uniform", p=2, metric="minkowski")
    knn_d = knn.fit(features_a, predicted_positive[~is_d]).predict(features_d).astype(bool)
    model_d = predicted_positive[is_d]
    model_only = int(np.count_nonzero(model_d & ~knn_d))
    knn_only = int(np.count_nonzero(~model_d & knn_d))
    if sign == "aws_docs":
        return divide(knn_only - model_only, len(features_d))
    return divide(model_only - knn_only, len(features_d))


def flip_test_features(df: pd.DataFrame, exclude: Iterable, feature_columns=None) -> np.ndarray:
    """The FT feature matrix: ``feature_columns``, or every column but ``exclude`` (facet, label,
    predicted label and group variable). Raises MetricUndefined as smclarify reports it."""
    names = list(feature_columns) if feature_columns is not None else [
        name for name in df.columns if name not in set(exclude)]
    missing = [name for name in names if name not in df.columns]
    if missing:
        raise ValueError(f"feature_columns {missing!r} are not in the data; columns are "
                         f"{list(df.columns)!r}")
    frame = df[names]
    if not names:
        raise MetricUndefined("FlipTest needs at least one numeric feature column besides the "
                              "facet, label, predicted label and group variable")
    if frame.shape[1] != frame.select_dtypes([np.number, bool]).shape[1]:
        raise MetricUndefined("FlipTest does not support non-numeric columns")
    matrix = frame.to_numpy(dtype=float)
    if np.isnan(matrix).any():
        raise MetricUndefined("FlipTest features contain missing values (NaN); fill or drop them")
    return matrix


# ---------------------------------------------------------------------------------------------
# Dispatch: metric name -> value or error
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class BiasInputs:
    """Everything the metrics read, per row: facet d, positive label, positive prediction, groups,
    and the FT feature matrix (or the MetricUndefined explaining why there is none)."""

    is_d: np.ndarray
    is_positive: np.ndarray
    predicted_positive: np.ndarray | None = None
    groups: np.ndarray | None = None
    features: np.ndarray | MetricUndefined | None = None
    ft_sign: str = "smclarify"


def _label_pmfs(i: BiasInputs, a: Confusion, d: Confusion):
    return aligned_pmfs([a.negatives, a.positives], [d.negatives, d.positives])


def _features(i: BiasInputs) -> np.ndarray:
    if isinstance(i.features, MetricUndefined):
        raise i.features
    return i.features


_METRICS: dict[str, Callable[[BiasInputs, Confusion, Confusion], float]] = {
    "CI": lambda i, a, d: class_imbalance(a.n, d.n),
    "DPL": lambda i, a, d: difference_in_positive_proportions(a.positives, a.n, d.positives, d.n),
    "KL": lambda i, a, d: kl_divergence(*_label_pmfs(i, a, d)),
    "JS": lambda i, a, d: js_divergence(*_label_pmfs(i, a, d)),
    "LP": lambda i, a, d: lp_norm(*_label_pmfs(i, a, d)),
    "TVD": lambda i, a, d: total_variation_distance(*_label_pmfs(i, a, d)),
    "KS": lambda i, a, d: ks_distance(*_label_pmfs(i, a, d)),
    "CDDL": lambda i, a, d: conditional_demographic_disparity(i.is_d, i.is_positive, i.groups),
    "DPPL": lambda i, a, d: difference_in_positive_proportions(
        a.predicted_positives, a.n, d.predicted_positives, d.n),
    "DI": lambda i, a, d: disparate_impact(a, d),
    "DCA": lambda i, a, d: difference_in_conditional_acceptance(a, d),
    "DCR": lambda i, a, d: difference_in_conditional_rejection(a, d),
    "RD": lambda i, a, d: recall_difference(a, d),
    "SD": lambda i, a, d: specificity_difference(a, d),
    "DAR": lambda i, a, d: difference_in_acceptance_rates(a, d),
    "DRR": lambda i, a, d: difference_in_rejection_rates(a, d),
    "AD": lambda i, a, d: accuracy_difference(a, d),
    "TE": lambda i, a, d: treatment_equality(a, d),
    "CDDPL": lambda i, a, d: conditional_demographic_disparity(
        i.is_d, i.predicted_positive, i.groups),
    "FT": lambda i, a, d: flip_test(_features(i), i.is_d, i.predicted_positive, sign=i.ft_sign),
    "GE": lambda i, a, d: generalized_entropy(i.is_positive, i.predicted_positive),
}


def compute_metrics(names: Sequence[str], inputs: BiasInputs, facet_note: str = "") -> BiasMetrics:
    """Compute ``names`` for one facet selection; undefined metrics become ``None`` + error.

    ``facet_note`` (:func:`facet_description`) words the empty-facet error.
    """
    a, d = confusion_by_facet(inputs.is_d, inputs.is_positive, inputs.predicted_positive)
    empty = _empty_facet_error(a, d, facet_note)
    result = BiasMetrics()
    for name in names:
        try:
            if empty and name not in FACET_INDEPENDENT:
                raise MetricUndefined(empty)
            result[name] = float(_METRICS[name](inputs, a, d))
        except MetricUndefined as undefined:
            result[name] = None
            result.errors[name] = str(undefined)
    return result


def _empty_facet_error(a: Confusion, d: Confusion, facet_note: str) -> str | None:
    if d.n == 0:
        return f"Facet set is empty: no row has {facet_note or 'the sensitive facet value'}"
    if a.n == 0:
        return f"Negated facet set is empty: every row has {facet_note or 'the sensitive value'}"
    return None


# ---------------------------------------------------------------------------------------------
# Public entry points
# ---------------------------------------------------------------------------------------------

def pretraining_metrics(df: pd.DataFrame, label, facet, label_values_or_threshold,
                        facet_values_or_threshold, group_variable=None,
                        methods="all") -> BiasMetrics:
    """Clarify's pre-training metrics for one facet selection: CI, DPL, KL, JS, LP, TVD, KS, CDDL.

    ``label``/``facet``: column names. ``label_values_or_threshold``: the positive label values or
    a one-number threshold (``None`` only for a 0/1 or boolean label). ``facet_values_or_threshold``:
    the values of facet d, or a one-number threshold (d = value > t); for one-vs-all use
    :func:`one_vs_all_values`. ``group_variable``: column name or Series for CDDL.
    Returns :class:`BiasMetrics` (name -> value, ``errors``).
    """
    names = requested_metrics(methods, PRETRAINING_METRICS)
    is_positive = positive_labels(column(df, label, "label", "label"),
                                  label_values_or_threshold).mask
    facet_d = select(column(df, facet, "facet", "facet"), facet_values_or_threshold)
    inputs = BiasInputs(facet_d.mask, is_positive, groups=group_codes(df, group_variable))
    return compute_metrics(names, inputs, facet_description(facet, facet_d))


def posttraining_metrics(df: pd.DataFrame, label, predicted_label, facet,
                         label_values_or_threshold, facet_values_or_threshold,
                         group_variable=None, methods="all", *, probability_threshold=None,
                         ft_sign: str = "smclarify", feature_columns=None) -> BiasMetrics:
    """Clarify's post-training metrics: DPPL, DI, DCA, DCR, RD, SD, DAR, DRR, AD, TE, CDDPL, FT, GE.

    As :func:`pretraining_metrics`, plus ``predicted_label`` (column of predicted labels, selected
    with ``label_values_or_threshold`` like the label; or of probabilities when
    ``probability_threshold`` is given: positive when probability > threshold, as Clarify's
    ``ProbabilityThresholdAttribute``). ``ft_sign``: "smclarify" (default) or "aws_docs".
    ``feature_columns``: FT's features (default: every column but facet, label, prediction and
    group variable; all must be numeric).
    """
    names = requested_metrics(methods, POSTTRAINING_METRICS)
    if ft_sign not in FT_SIGNS:
        raise ValueError(f"ft_sign must be one of {FT_SIGNS!r}, got {ft_sign!r}")
    label_series = column(df, label, "label", "label")
    labels = positive_labels(label_series, label_values_or_threshold)
    predictions = column(df, predicted_label, "predicted label", "predicted_label")
    predicted = predicted_positives(predictions, labels, probability_threshold)
    facet_d = select(column(df, facet, "facet", "facet"), facet_values_or_threshold)
    group_column = None if isinstance(group_variable, pd.Series) else group_variable
    exclude = (facet, label, predicted_label, group_column)
    inputs = BiasInputs(facet_d.mask, labels.mask, predicted, group_codes(df, group_variable),
                        _features_or_error(df, names, exclude, feature_columns), ft_sign)
    return compute_metrics(names, inputs, facet_description(facet, facet_d))


def predicted_positives(predictions: pd.Series, labels: Selection,
                        probability_threshold=None) -> np.ndarray:
    """Which predictions are positive: probability > ``probability_threshold`` when given, else the
    label's own rule (same threshold, or same values). Raises if none is positive, as smclarify
    ("No Label values are present in the predicted Label Column")."""
    if probability_threshold is not None:
        if not _is_numeric(predictions):
            raise ValueError(f"predicted label column {predictions.name!r} must hold probabilities "
                             "(numbers) when probability_threshold is given")
        mask = predictions.to_numpy() > probability_threshold
    elif labels.threshold is not None:
        if not _is_numeric(predictions):
            raise ValueError(f"the label uses the threshold {labels.threshold!r}, so predicted label "
                             f"column {predictions.name!r} must be numeric too")
        mask = predictions.to_numpy() > labels.threshold
    else:
        mask = _value_selection(predictions, list(labels.values), "predicted label").mask
    if not mask.any():
        raise ValueError(f"no positive prediction in column {predictions.name!r}: Clarify cannot "
                         "compute post-training metrics without one; check the predicted labels "
                         "and label_values_or_threshold (or probability_threshold)")
    return mask


def _features_or_error(df, names, exclude, feature_columns):
    if "FT" not in names:
        return None
    try:
        return flip_test_features(df, exclude, feature_columns)
    except MetricUndefined as undefined:
        return undefined


def facet_description(facet, selection: Selection) -> str:
    """How an error message names facet d: "column 'sex' in ['F']" or "column 'age' > 40"."""
    if selection.threshold is not None:
        return f"column {facet!r} > {selection.threshold}"
    return f"column {facet!r} in {list(selection.values)!r}"
