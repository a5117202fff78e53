"""Distribution distances, in one place: L-infinity (simple and robust), chi-square, PSI, KL, JS.

Model Monitor's ``baseline_drift_check`` uses Deequ's ``Distance.scala`` (SAGEMAKER.md section
3.1). A monitoring execution compares the window with the **baseline file**, not with the training
data, so every function here takes as the reference (and as the current side) any of:

* numerical: a 1-D array-like of numbers (NaN dropped); a KLL ``sketch`` object
  (``{"parameters", "data"}``), a ``kll`` object (``{"buckets", "sketch"}``), a
  ``numerical_statistics`` object or a whole feature of ``statistics.json``; a list of
  ``{"lower_bound", "upper_bound", "count"}`` buckets (the CDF is then known only at the bucket
  boundaries; see :func:`linf_simple`);
* categorical: a mapping ``{category: count}``, a ``value_counts()`` Series (numbers indexed by
  text labels; for integer-coded categories pass a dict), a list of
  ``{"value", "count"}`` buckets, a ``categorical``/``string_statistics`` object or feature from
  ``statistics.json``, or a 1-D array of raw category values (strings).

Categories are compared as strings (``str(value)``), as they appear in ``statistics.json``.

Deequ's duplicate-collapsing quirk. Deequ builds the CDF from ``QuantileNonSample.getRankMap``,
a ``ListMap`` keyed by value, which keeps one entry per distinct value. For a raw (level-0)
sketch it therefore compares the *sets of distinct values*: ``[0,0,0,1]`` vs ``[0,1,1,1]`` gives
0.0 where ``scipy.stats.ks_2samp`` gives 0.5. Our default is the true two-sample KS statistic;
``deequ_compat=True`` reproduces the quirk (each distinct value keeps the weight of its last
occurrence in Deequ's sort order, levels in order), for teaching the difference.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from monitorlab.stats.kll import sketch_levels, weighted_items

#: Deequ's default c(alpha) = 1.8 (alpha ~ 0.003; hard-coded in Deequ 2.0.2, which SageMaker runs).
DEFAULT_C_ALPHA = 1.8
#: What replaces an empty bin's frequency in PSI and KL (ln(0) is undefined).
DEFAULT_EPSILON = 1e-4


# ---------------------------------------------------------------------------------------------
# Reference representations
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class EmpiricalCDF:
    """A step CDF: ``points`` sorted and distinct, ``cumulative[i]`` = weight of items <= points[i]."""

    points: np.ndarray
    cumulative: np.ndarray
    total: float

    def at_or_below(self, x: np.ndarray) -> np.ndarray:
        """F(x) = P(X <= x), vectorised."""
        return self._padded()[np.searchsorted(self.points, x, side="right")] / self.total

    def below(self, x: np.ndarray) -> np.ndarray:
        """P(X < x), vectorised (the CDF's left limit)."""
        return self._padded()[np.searchsorted(self.points, x, side="left")] / self.total

    def quantiles(self, probabilities: np.ndarray) -> np.ndarray:
        """Inverse CDF: the smallest point whose F reaches each probability (``inverted_cdf``)."""
        index = np.searchsorted(self.cumulative / self.total, probabilities, side="left")
        return self.points[np.minimum(index, len(self.points) - 1)]

    def _padded(self) -> np.ndarray:
        return np.concatenate(([0.0], self.cumulative))


@dataclass(frozen=True)
class BinnedCDF:
    """Bucket counts only (``statistics.json`` buckets without a sketch): ``[lo, hi)``, last closed."""

    edges: np.ndarray
    counts: np.ndarray

    @property
    def total(self) -> float:
        return float(self.counts.sum())


def empirical_cdf(values, weights=None, *, deequ_compat: bool = False) -> EmpiricalCDF:
    """Step CDF of ``values`` (weights default to 1; NaN dropped).

    ``deequ_compat``: one entry per distinct value carrying the weight of its last occurrence
    after a stable sort (Deequ ``getRankMap``), so the total is the collapsed weight.
    """
    values = np.asarray(values, dtype=np.float64).ravel()
    if weights is None:
        return _unweighted_cdf(values[~np.isnan(values)], deequ_compat)
    weights = np.asarray(weights, dtype=np.float64).ravel()
    keep = ~np.isnan(values)
    values, weights = values[keep], weights[keep]
    _require_values(values)
    order = np.argsort(values, kind="stable")
    values, weights = values[order], weights[order]
    last_of_run = np.concatenate((values[1:] != values[:-1], [True]))
    if deequ_compat:
        collapsed = weights[last_of_run]
        cumulative = np.cumsum(collapsed)
    else:
        cumulative = np.cumsum(weights)[last_of_run]
    return EmpiricalCDF(values[last_of_run], cumulative, float(cumulative[-1]))


def _unweighted_cdf(values: np.ndarray, deequ_compat: bool) -> EmpiricalCDF:
    """Raw sample, every weight 1: a plain sort (no stable argsort, no gather), as ``ks_2samp`` does.

    F at the i-th distinct value = (index of its last occurrence + 1) / n. Deequ's duplicate
    collapse gives every distinct value weight 1 (its last occurrence's weight), so
    ``deequ_compat`` becomes a count of distinct values.
    """
    _require_values(values)
    values = np.sort(values)
    last_of_run = np.empty(values.size, dtype=bool)
    np.not_equal(values[1:], values[:-1], out=last_of_run[:-1])
    last_of_run[-1] = True
    points = values[last_of_run]
    if deequ_compat:
        cumulative = np.arange(1.0, points.size + 1.0)
    else:
        cumulative = np.flatnonzero(last_of_run).astype(np.float64) + 1.0
    return EmpiricalCDF(points, cumulative, float(cumulative[-1]))


def _require_values(values: np.ndarray) -> None:
    if values.size == 0:
        raise ValueError("cannot build a distribution from an empty sample (no non-NaN values)")


def as_numerical(x, *, deequ_compat: bool = False) -> EmpiricalCDF | BinnedCDF:
    """Turn any numerical representation (see module docstring) into a CDF."""
    if isinstance(x, (EmpiricalCDF, BinnedCDF)):
        return x
    if isinstance(x, Mapping):
        return _numerical_from_mapping(x, deequ_compat)
    if _is_bucket_list(x, "lower_bound"):
        return _binned_from_buckets(x)
    values = _numeric_array(x)
    return empirical_cdf(values, deequ_compat=deequ_compat)


def _numerical_from_mapping(x: Mapping, deequ_compat: bool) -> EmpiricalCDF | BinnedCDF:
    for wrapper in ("numerical_statistics", "distribution", "kll"):
        if wrapper in x:
            return _numerical_from_mapping(x[wrapper], deequ_compat)
    if "data" in x:
        values, weights = weighted_items(sketch_levels(x))
        return empirical_cdf(values, weights, deequ_compat=deequ_compat)
    if "sketch" in x:
        return _numerical_from_mapping(x["sketch"], deequ_compat)
    if "buckets" in x:
        return _binned_from_buckets(x["buckets"])
    raise ValueError("a numerical reference mapping needs one of the keys 'numerical_statistics', "
                     f"'distribution', 'kll', 'sketch', 'data' or 'buckets'; got keys {sorted(x)}")


def _binned_from_buckets(buckets) -> BinnedCDF:
    try:
        lower = np.array([b["lower_bound"] for b in buckets], dtype=np.float64)
        upper = np.array([b["upper_bound"] for b in buckets], dtype=np.float64)
        counts = np.array([b["count"] for b in buckets], dtype=np.float64)
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"each bucket needs numeric 'lower_bound', 'upper_bound', 'count': {error}") from None
    if counts.sum() <= 0:
        raise ValueError("the buckets hold no values (all counts are 0)")
    return BinnedCDF(np.concatenate((lower, upper[-1:])), counts)


def _numeric_array(x) -> np.ndarray:
    try:
        values = np.asarray(x, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        raise ValueError("a numerical sample must hold numbers only; use categorical_linf for "
                         "categories") from None
    return values[~np.isnan(values)]


def _is_bucket_list(x, key: str) -> bool:
    return isinstance(x, (list, tuple)) and len(x) > 0 and isinstance(x[0], Mapping) and key in x[0]


def as_category_counts(x) -> pd.Series:
    """Turn any categorical representation (see module docstring) into counts indexed by ``str``.

    The result is sorted by label; labels that are equal as strings (``1`` and ``"1"``) are
    added together. Counts must be non-negative numbers (``ValueError`` otherwise).
    """
    if _is_counts_series(x):
        labels, values = x.index, x.to_numpy(dtype=np.float64, na_value=np.nan)
    elif isinstance(x, Mapping):
        return _counts_from_mapping(x)
    elif _is_bucket_list(x, "value"):
        return _counts_from_buckets(x)
    else:
        raw = pd.Series(np.asarray(x, dtype=object).ravel()).dropna().value_counts(sort=False)
        labels, values = raw.index, raw.to_numpy(dtype=np.float64)
    return _sorted_counts(labels, values)


def _sorted_counts(labels, values) -> pd.Series:
    """Counts per ``str(label)`` (equal strings added), sorted by label, as a float Series.

    A plain dict merge instead of ``groupby``: a monitoring execution calls this for every
    categorical feature, and pandas' groupby costs about a millisecond a call. Plain object labels
    also keep a categorical index (which would carry unobserved categories along) out.
    """
    totals: dict[str, float] = {}
    for label, value in zip(labels, values):
        value = float(value)
        if not value >= 0:  # negative or NaN
            raise ValueError("category counts must be non-negative numbers")
        key = str(label)
        totals[key] = totals.get(key, 0.0) + value
    keys = sorted(totals)
    return pd.Series([totals[k] for k in keys], index=pd.Index(keys, dtype=object), dtype=np.float64)


def _is_counts_series(x) -> bool:
    """A ``value_counts()`` result: numbers indexed by labels (text); other Series are raw values."""
    return (isinstance(x, pd.Series) and pd.api.types.is_numeric_dtype(x.dtype)
            and not pd.api.types.is_numeric_dtype(x.index.dtype)
            and not pd.api.types.is_bool_dtype(x.index.dtype))


def _counts_from_mapping(x: Mapping) -> pd.Series:
    for wrapper in ("string_statistics", "distribution", "categorical"):
        if wrapper in x:
            return as_category_counts(x[wrapper])
    if "buckets" in x and isinstance(x["buckets"], list):
        return _counts_from_buckets(x["buckets"])
    try:
        return _sorted_counts(list(x), [float(v) for v in x.values()])
    except (TypeError, ValueError):
        raise ValueError("category counts must be non-negative numbers") from None


def _counts_from_buckets(buckets) -> pd.Series:
    try:
        labels = [str(b["value"]) for b in buckets]
        values = [float(b["count"]) for b in buckets]
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"each categorical bucket needs 'value' and a numeric 'count': {error}") from None
    return _sorted_counts(labels, values)


def _aligned_counts(ref, cur) -> tuple[pd.Index, np.ndarray, np.ndarray]:
    """Union of categories (sorted) and both count vectors on it (absent category: 0)."""
    ref_counts, cur_counts = as_category_counts(ref), as_category_counts(cur)
    categories = ref_counts.index.union(cur_counts.index)
    return (categories, ref_counts.reindex(categories, fill_value=0.0).to_numpy(),
            cur_counts.reindex(categories, fill_value=0.0).to_numpy())


# ---------------------------------------------------------------------------------------------
# L-infinity (Deequ Distance.numericalDistance / categoricalLInfinityDistance)
# ---------------------------------------------------------------------------------------------

def c_alpha_for(alpha: float) -> float:
    """c(alpha) = sqrt(-ln(alpha/2) / 2): Deequ HEAD ``selectMetrics`` (Knuth TAOCP 2, 3.3.1 eq. 15).

    alpha = 0.003 gives 1.8031, Deequ's rounded default 1.8.
    """
    if not 0.0 < alpha < 2.0:
        raise ValueError(f"alpha must be in (0, 2), got {alpha!r}")
    return math.sqrt(-math.log(alpha / 2) * 1 / 2)


def robust_correction(n: float, m: float, c_alpha: float = DEFAULT_C_ALPHA) -> float:
    """c_alpha * sqrt((n + m) / (n * m)): the KS critical value subtracted by ``linf_robust``."""
    return c_alpha * math.sqrt((n + m) / (n * m))


def _robust(simple: float, n: float, m: float, c_alpha: float, alpha: float | None) -> float:
    if alpha is not None:
        c_alpha = c_alpha_for(alpha)
    return max(0.0, simple - robust_correction(n, m, c_alpha))


def linf_simple(ref, cur, *, deequ_compat: bool = False) -> float:
    """max over x of |F_ref(x) - F_cur(x)|: the two-sample Kolmogorov-Smirnov statistic.

    Evaluated at every point of either sample (Deequ ``numericalDistance``, which iterates over the
    union of both rank maps). On raw samples it equals ``scipy.stats.ks_2samp(ref, cur).statistic``.
    If one side is bucket counts only, the CDFs are compared at the interior bucket boundaries
    (P(X < boundary)): a lower bound of the true statistic. ``deequ_compat``: see module docstring.
    """
    a, b = as_numerical(ref, deequ_compat=deequ_compat), as_numerical(cur, deequ_compat=deequ_compat)
    return _linf_cdfs(a, b)[0]


def linf_robust(ref, cur, c_alpha: float = DEFAULT_C_ALPHA, *, alpha: float | None = None,
                deequ_compat: bool = False) -> float:
    """max(0, linf_simple - c_alpha * sqrt((n + m) / (n * m))), n and m the two sample sizes.

    Deequ ``selectMetrics`` (the default, ``correctForLowNumberOfSamples=false``); ``alpha`` instead
    of ``c_alpha`` uses c(alpha) = sqrt(-ln(alpha/2)/2). With sketches n, m are total weights.
    """
    a, b = as_numerical(ref, deequ_compat=deequ_compat), as_numerical(cur, deequ_compat=deequ_compat)
    simple, n, m = _linf_cdfs(a, b)
    return _robust(simple, n, m, c_alpha, alpha)


def _linf_cdfs(a, b) -> tuple[float, float, float]:
    if isinstance(a, EmpiricalCDF) and isinstance(b, EmpiricalCDF):
        return _linf_empirical(a, b), a.total, b.total
    if isinstance(a, BinnedCDF) and isinstance(b, BinnedCDF):
        if a.edges.shape != b.edges.shape or not np.array_equal(a.edges, b.edges):
            raise ValueError("two bucket lists can only be compared when their bounds are identical")
        gap = np.abs(np.cumsum(a.counts)[:-1] / a.total - np.cumsum(b.counts)[:-1] / b.total)
        return float(gap.max(initial=0.0)), a.total, b.total
    binned, sample = (a, b) if isinstance(a, BinnedCDF) else (b, a)
    boundaries = binned.edges[1:-1]
    gap = np.abs(np.cumsum(binned.counts)[:-1] / binned.total - sample.below(boundaries))
    return float(gap.max(initial=0.0)), a.total, b.total


def _linf_empirical(a: EmpiricalCDF, b: EmpiricalCDF) -> float:
    """max |F_a - F_b| over the points of both samples (the step CDFs only change there).

    Each CDF is already known at its own points (``cumulative / total``), so only the other
    side's CDF is searched: two ``searchsorted`` of one sample's points into the other's, half
    the work of searching both CDFs at the union. The values are the same floats as
    ``scipy.stats.ks_2samp`` (cumulative count / n), so the statistic is exactly equal.
    """
    on_a = np.abs(a.cumulative / a.total - b.at_or_below(a.points))
    on_b = np.abs(a.at_or_below(b.points) - b.cumulative / b.total)
    return float(max(on_a.max(), on_b.max()))


def categorical_linf(ref_counts, cur_counts) -> float:
    """max over categories c of |count_ref(c)/n - count_cur(c)/m| (a category absent on one side counts 0).

    Deequ ``categoricalLInfinityDistance`` with ``correctForLowNumberOfSamples=true``.
    """
    simple, _, _ = _categorical_linf(ref_counts, cur_counts)
    return simple


def categorical_linf_robust(ref_counts, cur_counts, c_alpha: float = DEFAULT_C_ALPHA, *,
                            alpha: float | None = None) -> float:
    """max(0, categorical_linf - c_alpha * sqrt((n + m) / (n * m))); ``alpha`` as in :func:`linf_robust`."""
    simple, n, m = _categorical_linf(ref_counts, cur_counts)
    return _robust(simple, n, m, c_alpha, alpha)


def _categorical_linf(ref_counts, cur_counts) -> tuple[float, float, float]:
    _, ref, cur = _aligned_counts(ref_counts, cur_counts)
    n, m = _sequential_sum(ref), _sequential_sum(cur)
    if n <= 0 or m <= 0:
        raise ValueError("both sides need at least one counted category (total count > 0)")
    return float(np.abs(ref / n - cur / m).max()), n, m


def _sequential_sum(values: np.ndarray) -> float:
    """Left-to-right sum, as Scala's ``foreach``/``List.sum`` (numpy's pairwise sum rounds differently)."""
    return float(sum(values.tolist()))


# ---------------------------------------------------------------------------------------------
# Chi-square (Deequ Distance.categoricalChiSquareTest, Spark mllib Statistics.chiSqTest)
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ChiSquareResult:
    """Pearson goodness-of-fit of the current counts against the reference proportions."""

    statistic: float
    p_value: float
    dof: int
    categories: tuple[str, ...]


def chi_square(ref_counts, cur_counts, *, regroup: bool = True, yates_min_expected: float = 5,
               yates_max_fraction_below: float = 0.2, cochran_min_expected: float = 10) -> ChiSquareResult:
    """Chi-square of the current window against the reference: sum over c of (O_c - E_c)**2 / E_c.

    As Deequ (>= 2023, ``categoricalChiSquareTest``):

    * only the reference's categories are tested; current categories the reference never saw are
      ignored (``categorical_values_check`` is what catches them);
    * E_c = ref_c / sum(ref) * sum of current counts over the reference's categories;
    * with ``regroup``, while too many expected counts are small (2 categories: any E < 10,
      Cochran; more: more than 20% of E < 5, Yates), the smallest category (ties: first by name)
      is merged into the next smallest;
    * fewer than 2 categories left: statistic and p-value are NaN;
    * p-value = P(chi2 with k - 1 degrees of freedom > statistic).
    """
    ref, cur = as_category_counts(ref_counts), as_category_counts(cur_counts)
    observed = cur.reindex(ref.index, fill_value=0.0)
    expected = ref / _sequential_sum(ref.to_numpy()) * _sequential_sum(observed.to_numpy())
    if regroup:
        expected, observed = _regroup(expected, observed, yates_min_expected,
                                      yates_max_fraction_below, cochran_min_expected)
    categories = tuple(expected.index)
    if len(categories) < 2 or not (expected > 0).all():
        return ChiSquareResult(math.nan, math.nan, 0, categories)
    statistic = _sequential_sum(((observed - expected) ** 2 / expected).to_numpy())
    dof = len(categories) - 1
    return ChiSquareResult(statistic, float(stats.chi2.sf(statistic, dof)), dof, categories)


def _regroup(expected: pd.Series, observed: pd.Series, yates_min: float, yates_fraction: float,
             cochran_min: float) -> tuple[pd.Series, pd.Series]:
    """Deequ ``regroupCategories``: merge the smallest expected category into the next smallest."""
    expected, observed = expected.copy(), observed.copy()
    while len(expected) >= 2:
        if len(expected) > 2:
            minimum, allowed_below = yates_min, int(yates_fraction * len(expected))
        else:
            minimum, allowed_below = cochran_min, 0
        if int((expected < minimum).sum()) <= allowed_below:
            break
        order = sorted(expected.index, key=lambda category: (expected[category], category))
        smallest, next_smallest = order[0], order[1]
        expected[next_smallest] += expected.pop(smallest)
        observed[next_smallest] += observed.pop(smallest)
    return expected, observed


# ---------------------------------------------------------------------------------------------
# Binned divergences: PSI, KL, JS
# ---------------------------------------------------------------------------------------------

def binned_frequencies(ref, cur, bins: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """Aligned bin frequencies (p_ref, p_cur), each summing to 1.

    * categorical inputs: one bin per category of either side;
    * two equally long bucket lists (``statistics.json`` buckets): their counts, bucket by bucket
      (Deequ ``populationStabilityIndex`` input);
    * a bucket list as reference: its buckets, the current sample counted into them (``[lo, hi)``,
      last closed; values below/above the range go to the first/last bucket);
    * otherwise reference-quantile bins: edges at the reference's ``i/bins`` quantiles
      (``inverted_cdf``; duplicates dropped, so discrete data gives fewer bins), bins
      ``(-inf, q1], (q1, q2], ..., (q_last, inf)``.
    """
    if _is_categorical(ref) or _is_categorical(cur):
        _, ref_counts, cur_counts = _aligned_counts(ref, cur)
    else:
        ref_counts, cur_counts = _numerical_bin_counts(as_numerical(ref), as_numerical(cur), bins)
    return _normalised(ref_counts, "reference"), _normalised(cur_counts, "current")


def _normalised(counts: np.ndarray, side: str) -> np.ndarray:
    total = counts.sum()
    if total <= 0:
        raise ValueError(f"the {side} distribution is empty (total count 0)")
    return counts / total


def _is_categorical(x) -> bool:
    if isinstance(x, (EmpiricalCDF, BinnedCDF)):
        return False
    if isinstance(x, pd.Series):
        return _is_counts_series(x) or not pd.api.types.is_numeric_dtype(x.dtype)
    if isinstance(x, Mapping):
        keys = ("string_statistics", "categorical", "numerical_statistics", "kll", "sketch", "data")
        if any(key in x for key in keys):
            return "string_statistics" in x or "categorical" in x
        if "distribution" in x:
            return _is_categorical(x["distribution"])
        if "buckets" in x:
            return _is_bucket_list(x["buckets"], "value")
        return True
    if _is_bucket_list(x, "value"):
        return True
    if _is_bucket_list(x, "lower_bound"):
        return False
    return not pd.api.types.is_numeric_dtype(np.asarray(x).dtype)


def _numerical_bin_counts(ref, cur, bins: int) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(ref, BinnedCDF) and isinstance(cur, BinnedCDF):
        if ref.counts.shape != cur.counts.shape:
            raise ValueError("bucket lists must have the same number of buckets")
        return ref.counts, cur.counts
    if isinstance(cur, BinnedCDF):
        raise ValueError("give bucket counts as the reference (first argument), the sample as current")
    if isinstance(ref, BinnedCDF):
        return ref.counts, _counts_in_buckets(cur, ref.edges)
    if bins < 1:
        raise ValueError(f"bins must be >= 1, got {bins}")
    edges = np.unique(ref.quantiles(np.arange(1, bins) / bins))
    return _counts_in_quantile_bins(ref, edges), _counts_in_quantile_bins(cur, edges)


def _counts_in_quantile_bins(cdf: EmpiricalCDF, edges: np.ndarray) -> np.ndarray:
    at_edges = np.concatenate(([0.0], cdf.at_or_below(edges) * cdf.total, [cdf.total]))
    return np.diff(at_edges)


def _counts_in_buckets(cdf: EmpiricalCDF, edges: np.ndarray) -> np.ndarray:
    below = cdf.below(edges[1:-1]) * cdf.total
    return np.diff(np.concatenate(([0.0], below, [cdf.total])))


def psi(ref, cur, bins: int = 10, epsilon: float = DEFAULT_EPSILON) -> float:
    """Population Stability Index: sum over bins of (p_cur - p_ref) * ln(p_cur / p_ref).

    Deequ ``Distance.populationStabilityIndex`` (not exposed by SageMaker). Bins: see
    :func:`binned_frequencies`. An empty bin's frequency is replaced by ``epsilon`` (default 1e-4)
    on either side, without renormalising, so one empty bin adds a large but finite term.
    Rules of thumb: < 0.1 stable, 0.1-0.2 some shift, > 0.2 significant shift.
    """
    p_ref, p_cur = (np.where(p == 0, epsilon, p) for p in binned_frequencies(ref, cur, bins))
    return _sequential_sum((p_cur - p_ref) * np.log(p_cur / p_ref))


def kl(ref, cur, bins: int = 10, epsilon: float = DEFAULT_EPSILON) -> float:
    """Kullback-Leibler divergence KL(P_ref || P_cur) = sum p_ref * ln(p_ref / p_cur), in nats.

    Same as ``scipy.stats.entropy(p_ref, p_cur)``. Bins as :func:`binned_frequencies`; a current
    bin that is empty where the reference is not gets ``epsilon`` (else KL is infinite).
    """
    p_ref, p_cur = binned_frequencies(ref, cur, bins)
    p_cur = np.where((p_cur == 0) & (p_ref > 0), epsilon, p_cur)
    terms = np.where(p_ref > 0, p_ref * np.log(np.where(p_ref > 0, p_ref, 1.0) / p_cur), 0.0)
    return _sequential_sum(terms)


def js(ref, cur, bins: int = 10) -> float:
    """Jensen-Shannon divergence: (KL(P_ref || M) + KL(P_cur || M)) / 2 with M = (P_ref + P_cur) / 2.

    In nats, bounded by ln 2, no epsilon needed. ``scipy.spatial.distance.jensenshannon`` returns
    its square root (the JS *distance*).
    """
    p_ref, p_cur = binned_frequencies(ref, cur, bins)
    middle = (p_ref + p_cur) / 2
    return 0.5 * _kl_terms(p_ref, middle) + 0.5 * _kl_terms(p_cur, middle)


def _kl_terms(p: np.ndarray, q: np.ndarray) -> float:
    safe_p = np.where(p > 0, p, 1.0)
    return _sequential_sum(np.where(p > 0, p * np.log(safe_p / q), 0.0))
