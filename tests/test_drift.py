"""Distances: Deequ's own test vectors, scipy agreement, baseline representations, divergences."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from scipy.spatial.distance import jensenshannon

from monitorlab.monitoring import baseline
from monitorlab.stats import drift

# --------------------------------------------------------------------------------------------
# Deequ test vectors: awslabs/deequ src/test/scala/com/amazon/deequ/KLL/KLLDistanceTest.scala
# (HEAD 0b8cea5; SAGEMAKER.md section 3.1). Values copied as literals; equality is exact.
# --------------------------------------------------------------------------------------------

FIVE = {"a": 10, "b": 20, "c": 25, "d": 10, "e": 5}
FIVE_SHIFTED = {"a": 11, "b": 20, "c": 25, "d": 10, "e": 10}
FIVE_OTHER_BIN = {"f": 11, "a": 20, "c": 25, "d": 10, "e": 10}
SIX = {"a": 207, "b": 20, "c": 25, "d": 14, "e": 25, "g": 13}
SIX_OTHER = {"a": 22, "b": 20, "c": 25, "d": 12, "e": 13, "f": 15}


def test_deequ_numerical_vectors():
    assert drift.linf_simple([1, 2, 3, 4], [2, 3, 4, 5]) == 0.25
    assert drift.linf_robust([1, 2, 3, 4], [2, 3, 4, 5]) == 0.0
    assert drift.linf_simple([1, 2, 3, 4], [2, 3, 4, 5], deequ_compat=True) == 0.25


def test_deequ_categorical_vectors():
    assert drift.categorical_linf(FIVE, FIVE_SHIFTED) == 0.06015037593984962
    assert drift.categorical_linf_robust(FIVE, FIVE_SHIFTED) == 0.0
    assert drift.categorical_linf(FIVE, FIVE_OTHER_BIN) == 0.2857142857142857
    assert drift.categorical_linf_robust(FIVE, FIVE_OTHER_BIN) == 0.0


def test_deequ_robust_vectors_with_alpha():
    """c(alpha) = sqrt(-ln(alpha/2)/2): alpha 0.003 -> 1.8031..., alpha 0.1 -> 1.2239..."""
    assert drift.categorical_linf_robust(SIX, SIX_OTHER, alpha=0.003) == 0.2726338046550349
    assert drift.categorical_linf_robust(SIX, SIX_OTHER, alpha=0.1) == 0.33774199396969184
    assert drift.c_alpha_for(0.003) == pytest.approx(1.8031, abs=1e-4)
    c_alpha = drift.c_alpha_for(0.1)
    assert drift.categorical_linf_robust(SIX, SIX_OTHER, c_alpha) == 0.33774199396969184


# Deequ categoricalDistance(sample, expected, method=ChisquareMethod()): ours is
# chi_square(ref=expected, cur=sample). Summation order differs (Scala hash-map order), so the
# comparison allows the last bits.
CHI_SQUARE_VECTORS = [
    # (expected/reference, sample/current, statistic or None, p-value or None)
    ({"a": 223, "b": 20, "c": 25, "d": 12, "e": 13, "f": 15}, SIX, 28.175042782458068, 3.3640191298478506e-5),
    ({"a": 223, "b": 20, "c": 25, "d": 12, "e": 13}, {"a": 207, "b": 20, "c": 25, "d": 14, "e": 25},
     None, 0.013227994814265176),
    ({"a": 100, "b": 22, "c": 25, "d": 5, "e": 13, "f": 2},
     {"a": 100, "b": 20, "c": 25, "d": 10, "e": 5, "f": 2}, 8.789790456457125, None),
    ({"a": 100, "b": 40, "c": 30, "e": 4}, {"a": 100, "b": 40, "c": 30, "d": 10}, 0.38754325259515626, None),
    ({"a": 100, "b": 4, "c": 3, "d": 34}, {"a": 100, "b": 4, "c": 3, "d": 27}, 1.1507901668129925, None),
    ({"a": 100, "b": 2, "c": 1, "d": 34, "e": 20, "f": 20, "g": 20, "h": 20},
     {"a": 100, "b": 4, "c": 3, "d": 27, "e": 20, "f": 20, "g": 20, "h": 20}, 6.827423492761593, None),
]


@pytest.mark.parametrize("reference, current, statistic, p_value", CHI_SQUARE_VECTORS)
def test_deequ_chi_square_vectors(reference, current, statistic, p_value):
    result = drift.chi_square(reference, current)
    if statistic is not None:
        assert result.statistic == pytest.approx(statistic, rel=1e-13)
    if p_value is not None:
        assert result.p_value == pytest.approx(p_value, rel=1e-9)


def test_chi_square_too_few_categories_after_regrouping_is_nan():
    result = drift.chi_square({"a": 100, "b": 4, "c": 3}, {"a": 100, "b": 4, "c": 3})
    assert math.isnan(result.statistic) and math.isnan(result.p_value)


def test_chi_square_without_regrouping_matches_scipy():
    reference = {"a": 50, "b": 30, "c": 20}
    current = {"a": 40, "b": 40, "c": 20, "new": 7}  # unseen categories are ignored (Deequ)
    result = drift.chi_square(reference, current, regroup=False)
    expected = np.array([50, 30, 20]) / 100 * 100
    scipy_result = stats.chisquare([40, 40, 20], expected)
    assert result.statistic == pytest.approx(scipy_result.statistic)
    assert result.p_value == pytest.approx(scipy_result.pvalue)
    assert result.dof == 2


def test_deequ_psi_vector_on_buckets():
    """Deequ 'Population Stability Index (PSI) test with deciles'."""
    def buckets(counts):
        return [{"lower_bound": 1.0 + 0.05 * i, "upper_bound": 1.05 + 0.05 * i, "count": c}
                for i, c in enumerate(counts)]
    expected = buckets([428, 425, 414, 427, 440, 447, 380, 386, 444, 386])
    actual = buckets([426, 437, 429, 391, 469, 433, 360, 443, 371, 418])
    assert drift.psi(expected, actual) == 0.007406694184014186


# --------------------------------------------------------------------------------------------
# The true KS statistic vs Deequ's duplicate-collapsing quirk
# --------------------------------------------------------------------------------------------

def test_duplicates_true_ks_by_default_deequ_quirk_on_request():
    ref, cur = [0, 0, 0, 1], [0, 1, 1, 1]
    assert drift.linf_simple(ref, cur) == 0.5 == stats.ks_2samp(ref, cur).statistic
    assert drift.linf_simple(ref, cur, deequ_compat=True) == 0.0
    # without duplicates both agree
    distinct_ref, distinct_cur = [0, 2, 4, 6, 8], [1, 3, 5, 7]
    assert drift.linf_simple(distinct_ref, distinct_cur) == drift.linf_simple(
        distinct_ref, distinct_cur, deequ_compat=True) == stats.ks_2samp(distinct_ref, distinct_cur).statistic


def test_deequ_compat_on_sketches_keeps_the_last_weight_of_a_duplicate():
    """Level order then stable sort: a value present at levels 0 and 1 keeps weight 2."""
    sketch = {"parameters": {"c": 0.64, "k": 2048.0}, "data": [[1.0, 2.0], [2.0, 3.0]]}
    cdf = drift.as_numerical(sketch, deequ_compat=True)
    assert cdf.points.tolist() == [1.0, 2.0, 3.0] and cdf.total == 5.0
    assert drift.as_numerical(sketch).total == 6.0


@pytest.mark.parametrize("seed", range(8))
def test_linf_simple_is_scipy_ks_statistic_on_continuous_data(seed):
    rng = np.random.default_rng(seed)
    ref = rng.normal(size=rng.integers(5, 4000))
    cur = rng.standard_t(5, size=rng.integers(5, 4000)) * rng.uniform(0.5, 2) + rng.uniform(-0.3, 0.3)
    ours = drift.linf_simple(ref, cur)
    assert ours == stats.ks_2samp(ref, cur, method="asymp").statistic  # same formula, bit for bit
    assert ours == pytest.approx(stats.ks_2samp(ref, cur).statistic, abs=1e-12)  # exact mode rounds
    assert drift.linf_simple(cur, ref) == ours


@pytest.mark.parametrize("seed", range(4))
def test_linf_simple_matches_scipy_with_ties(seed):
    rng = np.random.default_rng(100 + seed)
    ref, cur = rng.integers(0, 6, 500), rng.integers(0, 7, 300)
    assert drift.linf_simple(ref, cur) == stats.ks_2samp(ref, cur, method="asymp").statistic


def test_raw_sample_fast_path_equals_the_weighted_path():
    """A raw sample (plain sort) and the same sample with weights 1 (stable argsort) give one CDF."""
    rng = np.random.default_rng(7)
    values = np.concatenate((rng.integers(0, 50, 3000).astype(float), [np.nan, np.nan], rng.normal(size=500)))
    for compat in (False, True):
        raw = drift.empirical_cdf(values, deequ_compat=compat)
        weighted = drift.empirical_cdf(values, np.ones_like(values), deequ_compat=compat)
        assert raw.points.tolist() == weighted.points.tolist()
        assert raw.cumulative.tolist() == weighted.cumulative.tolist() and raw.total == weighted.total


def test_linf_simple_equals_scipy_on_a_large_window_with_nan():
    rng = np.random.default_rng(11)
    ref = np.round(rng.normal(size=200_000), 3)
    cur = np.round(rng.normal(0.02, 1.0, size=150_001), 3)
    cur[::1000] = np.nan
    expected = stats.ks_2samp(ref, cur[~np.isnan(cur)]).statistic  # auto = asymp at this size
    assert drift.linf_simple(ref, cur) == expected == drift.linf_simple(cur, ref)


def test_linf_robust_formula():
    rng = np.random.default_rng(9)
    ref, cur = rng.normal(size=300), rng.normal(0.5, size=200)
    simple = drift.linf_simple(ref, cur)
    assert drift.linf_robust(ref, cur) == max(0.0, simple - 1.8 * math.sqrt(500 / 60000))
    assert drift.linf_robust(ref, cur, c_alpha=0.0) == simple
    assert drift.linf_robust(ref, cur, alpha=0.05) == pytest.approx(
        max(0.0, simple - math.sqrt(-math.log(0.025) / 2) * math.sqrt(500 / 60000)))


def test_nan_is_dropped_and_empty_samples_refused():
    assert drift.linf_simple([1.0, np.nan, 2.0], [1.0, 2.0]) == 0.0
    with pytest.raises(ValueError, match="empty"):
        drift.linf_simple([np.nan], [1.0])
    with pytest.raises(ValueError, match="numbers only"):
        drift.linf_simple(["a", "b"], [1.0])


# --------------------------------------------------------------------------------------------
# The baseline file as the reference
# --------------------------------------------------------------------------------------------

def test_statistics_feature_is_a_valid_reference_and_exact_while_raw():
    rng = np.random.default_rng(2)
    train, window = rng.normal(size=1500), rng.normal(0.2, size=800)
    statistics, _ = baseline.suggest_baseline(pd.DataFrame({"x": train}))
    feature = statistics["features"][0]
    kll_block = feature["numerical_statistics"]["distribution"]["kll"]
    expected = drift.linf_simple(train, window)
    for reference in (feature, feature["numerical_statistics"], kll_block, kll_block["sketch"]):
        assert drift.linf_simple(reference, window) == expected
    assert drift.linf_robust(feature, window) == drift.linf_robust(train, window)


def test_sketches_of_large_samples_agree_with_scipy():
    rng = np.random.default_rng(4)
    train, window = rng.gamma(2.0, size=300_000), rng.gamma(2.2, size=200_000)
    ref_stats, _ = baseline.suggest_baseline(pd.DataFrame({"x": train}))
    cur_stats, _ = baseline.suggest_baseline(pd.DataFrame({"x": window}))
    truth = stats.ks_2samp(train, window).statistic
    assert drift.linf_simple(ref_stats["features"][0], cur_stats["features"][0]) == pytest.approx(truth, abs=0.01)
    assert drift.linf_simple(ref_stats["features"][0], window) == pytest.approx(truth, abs=0.01)


def test_buckets_only_reference_gives_a_lower_bound_at_the_boundaries():
    rng = np.random.default_rng(5)
    train, window = rng.uniform(0, 10, 5000), rng.uniform(1, 11, 4000)
    buckets = baseline.equal_width_buckets(train, float(train.min()), float(train.max()))
    ours = drift.linf_simple({"buckets": buckets}, window)
    boundaries = np.array([b["lower_bound"] for b in buckets[1:]])
    expected = np.max(np.abs(np.array([np.mean(train < x) for x in boundaries])
                             - np.array([np.mean(window < x) for x in boundaries])))
    assert ours == pytest.approx(expected, abs=1e-12)
    assert ours <= drift.linf_simple(train, window) + 1e-12


@pytest.mark.parametrize("form", ["mapping", "series", "buckets", "statistics", "raw"])
def test_every_categorical_form_gives_the_same_distance(form):
    raw = np.array(["a"] * 10 + ["b"] * 20 + ["c"] * 25 + ["d"] * 10 + ["e"] * 5, dtype=object)
    statistics, _ = baseline.suggest_baseline(pd.DataFrame({"cat": raw}))
    forms = {"mapping": FIVE, "series": pd.Series(FIVE), "raw": raw,
             "buckets": statistics["features"][0]["string_statistics"]["distribution"]["categorical"]["buckets"],
             "statistics": statistics["features"][0]}
    assert drift.categorical_linf(forms[form], FIVE_SHIFTED) == 0.06015037593984962


# --------------------------------------------------------------------------------------------
# PSI, KL, JS
# --------------------------------------------------------------------------------------------

def test_psi_uses_reference_deciles_and_is_zero_for_identical_data():
    rng = np.random.default_rng(6)
    ref = rng.normal(size=10_000)
    assert drift.psi(ref, ref) == 0.0
    p_ref, p_cur = drift.binned_frequencies(ref, ref + 0.5)
    assert p_ref == pytest.approx(np.full(10, 0.1))
    assert drift.psi(ref, ref + 0.5) == pytest.approx(np.sum((p_cur - p_ref) * np.log(p_cur / p_ref)))
    assert drift.psi(ref, ref + 0.5) > 0.2


def test_psi_replaces_empty_bins_with_epsilon():
    ref = {"a": 50, "b": 50}
    cur = {"a": 100}
    expected = (1.0 - 0.5) * math.log(1.0 / 0.5) + (1e-4 - 0.5) * math.log(1e-4 / 0.5)
    assert drift.psi(ref, cur) == pytest.approx(expected)
    assert math.isfinite(drift.psi(ref, cur, epsilon=1e-6))


def test_kl_and_js_agree_with_scipy():
    ref = {"a": 30, "b": 50, "c": 20}
    cur = {"a": 20, "b": 40, "c": 30, "d": 10}
    p_ref, p_cur = drift.binned_frequencies(ref, cur)
    assert drift.js(ref, cur) == pytest.approx(jensenshannon(p_ref, p_cur) ** 2)
    p_cur_first, p_ref_second = drift.binned_frequencies(cur, ref)  # 'd' is empty in ref: epsilon
    assert drift.kl(cur, ref) == pytest.approx(
        np.sum(p_cur_first * np.log(p_cur_first / np.where(p_ref_second == 0, 1e-4, p_ref_second))))
    rng = np.random.default_rng(8)
    x, y = rng.normal(size=5000), rng.normal(0.3, 1.1, size=5000)
    p_x, p_y = drift.binned_frequencies(x, y)
    assert drift.kl(x, y) == pytest.approx(stats.entropy(p_x, p_y))
    assert drift.js(x, y) == pytest.approx(jensenshannon(p_x, p_y) ** 2)
    assert 0 <= drift.js(ref, cur) <= math.log(2)


def test_discrete_reference_gives_fewer_bins():
    """Deciles of [1,1,1,2,2,3] are {1, 2, 3}: bins (-inf,1], (1,2], (2,3], (3,inf)."""
    p_ref, p_cur = drift.binned_frequencies([1, 1, 1, 2, 2, 3], [1, 2, 3, 3, 4])
    assert p_ref == pytest.approx([3 / 6, 2 / 6, 1 / 6, 0.0])
    assert p_cur == pytest.approx([0.2, 0.2, 0.4, 0.2])


def test_a_filtered_numeric_series_is_a_sample_not_counts():
    """Only numbers indexed by text labels (a value_counts() result) are read as category counts."""
    values = pd.Series(np.arange(100.0))
    window = values[values >= 50]  # integer index 50..99
    assert drift.linf_simple(values, window) == 0.5
    assert drift.psi(values, window) == drift.psi(values.to_numpy(), window.to_numpy())
    counts = pd.Series(["a", "b", "a"]).value_counts()
    assert drift.categorical_linf(counts, {"a": 1, "b": 2}) == pytest.approx(1 / 3)


def test_categorical_counts_from_a_categorical_series_are_quiet():
    import warnings

    import pandas as pd

    series = pd.Series(["a", "b", "a"], dtype="category").value_counts()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert drift.categorical_linf(series, {"a": 1}) == pytest.approx(1 / 3)


def test_category_counts_merge_labels_equal_as_text_sort_them_and_refuse_bad_counts():
    from monitorlab.stats.drift import as_category_counts

    counts = as_category_counts({"b": 2, "a": 1, "1": 3, 1: 4})
    assert list(counts.index) == ["1", "a", "b"] and counts.tolist() == [7.0, 1.0, 2.0]
    feature = {"string_statistics": {"distribution": {"categorical": {"buckets": [
        {"value": "x", "count": 5}, {"value": "y", "count": 0}]}}}}
    assert as_category_counts(feature).to_dict() == {"x": 5.0, "y": 0.0}
    assert as_category_counts(["u", "v", "u", None]).to_dict() == {"u": 2.0, "v": 1.0}
    for bad in ({"a": -1}, {"a": float("nan")}, {"a": "many"},
                [{"value": "a", "count": float("nan")}]):
        with pytest.raises(ValueError, match="non-negative|numeric 'count'"):
            as_category_counts(bad)
