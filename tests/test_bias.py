"""monitorlab.stats.bias: Clarify's bias metrics.

Oracle literals come from running smclarify 0.5 (the library the Clarify container runs), as copied
into the course reference SAGEMAKER.md section 5.3 "Oracle run"; the full-precision ones are
compared to 1e-12. Everything else is computed by hand in the test from the counts it builds.
"""

import math

import numpy as np
import pandas as pd
import pytest

from monitorlab.stats import bias

TIGHT = 1e-12


def oracle_frame() -> pd.DataFrame:
    """SAGEMAKER.md 5.3: the 12-row oracle data set (facet sex=['F'], label [1], group zip)."""
    return pd.DataFrame({
        "x1": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5],
        "x2": [0, 1, 0, 1, 0, 1, 1, 0, 1, 0, 1, 0],
        "sex": list("MMMMMMMFFFFF"),
        "zip": list("AABBABAABBAB"),
        "label": [1, 1, 1, 0, 1, 0, 1, 0, 1, 0, 0, 1],
        "pred": [1, 1, 0, 0, 1, 1, 1, 0, 1, 0, 1, 0],
    })


# smclarify 0.5 on oracle_frame (SAGEMAKER.md 5.3, "Results, value_or_threshold: F").
ORACLE_PRE = {"CDDL": 0.3333333333333333, "CI": 0.16666666666666666, "DPL": 0.3142857142857143,
              "JS": 0.050961649422162886, "KL": 0.20217396954370795, "KS": 0.3142857142857143,
              "LP": 0.4444671196029727, "TVD": 0.3142857142857143}
ORACLE_POST = {"AD": 0.11428571428571432, "CDDPL": 0.4000000000000001,
               "DAR": 0.30000000000000004, "DCA": 0.0, "DCR": 0.0, "DI": 0.56,
               "DPPL": 0.3142857142857143, "DRR": 0.16666666666666663, "FT": -0.2,
               "GE": 0.16666666666666666, "RD": 0.30000000000000004, "SD": 0.16666666666666663,
               "TE": 0.0}


@pytest.mark.parametrize("dtype", ["object", "category"])
def test_oracle_pretraining_metrics(dtype):
    df = oracle_frame().astype({"sex": dtype, "zip": dtype})
    result = bias.pretraining_metrics(df, "label", "sex", [1], ["F"], group_variable="zip")
    assert list(result) == list(bias.PRETRAINING_METRICS)
    assert result.errors == {}
    for name, expected in ORACLE_PRE.items():
        assert result[name] == pytest.approx(expected, abs=TIGHT), name


@pytest.mark.parametrize("dtype", ["object", "category"])
def test_oracle_posttraining_metrics(dtype):
    df = oracle_frame().astype({"sex": dtype, "zip": dtype})
    result = bias.posttraining_metrics(df, "label", "pred", "sex", [1], ["F"], group_variable="zip")
    assert list(result) == list(bias.POSTTRAINING_METRICS)
    assert result.errors == {}
    for name, expected in ORACLE_POST.items():
        assert result[name] == pytest.approx(expected, abs=TIGHT), name


def test_oracle_hand_checks():
    # SAGEMAKER.md 5.3 "Hand checks": CI = (7-5)/12, DPL = 5/7 - 2/5, CDDL = (6*1 + 6*(-1/3))/12,
    # DI = 0.4/(5/7), FT = (1 - 2)/5.
    assert ORACLE_PRE["CI"] == pytest.approx((7 - 5) / 12, abs=TIGHT)
    assert ORACLE_PRE["DPL"] == pytest.approx(5 / 7 - 2 / 5, abs=TIGHT)
    assert ORACLE_PRE["CDDL"] == pytest.approx((6 * 1 + 6 * (-1 / 3)) / 12, abs=TIGHT)
    assert ORACLE_POST["DI"] == pytest.approx(0.4 / (5 / 7), abs=TIGHT)
    assert ORACLE_POST["FT"] == pytest.approx((1 - 2) / 5, abs=TIGHT)


def test_flip_test_sign_options_on_the_oracle():
    # Model predictions for d are [0,1,0,1,0]; the kNN trained on a says [0,0,1,1,1]: one flip
    # "model 1, kNN 0" and two "model 0, kNN 1". smclarify: (1-2)/5; AWS docs: (2-1)/5.
    df = oracle_frame()
    kwargs = dict(group_variable="zip", methods=["FT"])
    assert bias.posttraining_metrics(df, "label", "pred", "sex", [1], ["F"], **kwargs)["FT"] == -0.2
    docs = bias.posttraining_metrics(df, "label", "pred", "sex", [1], ["F"], ft_sign="aws_docs",
                                     **kwargs)
    assert docs["FT"] == 0.2
    with pytest.raises(ValueError, match="ft_sign"):
        bias.posttraining_metrics(df, "label", "pred", "sex", [1], ["F"], ft_sign="docs", **kwargs)


def example_2_frame() -> pd.DataFrame:
    """A reconstruction of SAGEMAKER.md 5.3 ex.2 (age > 40, labels yes/no), whose rows the reference
    does not list. Its metrics fix the counts up to scale: 5 rows per facet; facet a (age <= 40):
    TP 3, FN 1, TN 1, FP 0; facet d (age > 40, max 60.0): TP 1, FP 1, TN 3, FN 0."""
    return pd.DataFrame({
        "age": [25.0, 30.0, 35.0, 38.0, 40.0, 45.0, 50.0, 55.0, 58.0, 60.0],
        "label": ["yes", "yes", "yes", "yes", "no", "yes", "no", "no", "no", "no"],
        "pred": ["yes", "yes", "yes", "no", "no", "yes", "yes", "no", "no", "no"],
    })


def test_oracle_example_2_continuous_facet():
    df = example_2_frame()
    pre = bias.pretraining_metrics(df, "label", "age", ["yes"], [40])
    # Full precision in SAGEMAKER.md 5.3 ex.2:
    assert pre["KL"] == pytest.approx(0.8317766166719343, abs=TIGHT)
    assert pre["JS"] == pytest.approx(0.19274475702175753, abs=TIGHT)
    assert pre["LP"] == pytest.approx(0.8485281374238571, abs=TIGHT)
    for name, expected in {"CI": 0.0, "DPL": 0.6, "TVD": 0.6, "KS": 0.6}.items():
        assert pre[name] == pytest.approx(expected, abs=TIGHT), name
    assert pre.errors == {"CDDL": bias.NO_GROUP_VARIABLE}
    post = bias.posttraining_metrics(df, "label", "pred", "age", ["yes"], [40])
    # Printed to 4 decimals in SAGEMAKER.md:
    rounded = {"DPPL": 0.2, "DI": 0.6667, "DCA": 0.8333, "DCR": 0.8333, "RD": -0.25, "SD": -0.25,
               "DAR": 0.5, "DRR": 0.5, "AD": 0.0}
    for name, expected in rounded.items():
        assert post[name] == pytest.approx(expected, abs=5e-5), name
    assert post["TE"] == -math.inf
    assert bias.select(df["age"], [40]).value_or_threshold == "(40.0, 60.0]"


def test_oracle_example_3_kl_can_be_negative():
    # SAGEMAKER.md 5.3 ex.3: function-level KL on a 3-class label is -0.35835. Its data are not
    # listed; among small data sets, every one giving -0.35835 has P_a = (1/5, 1/5, 3/5) and
    # P_d = (2/5, 3/5, 0) up to relabelling, which this reconstruction uses.
    labels = [0, 1, 2, 2, 2, 0, 0, 1, 1, 1]
    is_d = np.array([False] * 5 + [True] * 5)
    p_a, p_d = bias.label_distributions(labels, is_d)
    np.testing.assert_allclose(p_a, [0.2, 0.2])  # value 2 is dropped: d never has it
    np.testing.assert_allclose(p_d, [0.4, 0.6])
    kl = bias.kl_divergence(p_a, p_d)
    assert round(kl, 5) == -0.35835
    assert kl == pytest.approx(0.2 * math.log(0.5) + 0.2 * math.log(1 / 3), abs=TIGHT)


def test_oracle_example_5_one_vs_all():
    # SAGEMAKER.md 5.3 ex.5: x -> CI 0.0, DPL -0.5; y -> CI 0.5, DPL 0.6667; z -> CI 0.5, DPL 0.0.
    # Its data are not listed; CI fixes the sizes (x half, y and z a quarter each) and DPL the
    # positives: x 3 of 4, y 0 of 2, z 1 of 2 (the smallest such data set, reconstructed).
    df = pd.DataFrame({"f": list("xxxxyyzz"), "label": [1, 1, 1, 0, 0, 0, 1, 0]})
    values = bias.one_vs_all_values(df["f"])
    assert values == [["x"], ["y"], ["z"]]
    results = [bias.pretraining_metrics(df, "label", "f", [1], v, methods=["CI", "DPL"])
               for v in values]
    expected = [(0.0, -0.5), (0.5, 0.6667), (0.5, 0.0)]
    for result, (ci, dpl) in zip(results, expected):
        assert result["CI"] == pytest.approx(ci, abs=TIGHT)
        assert result["DPL"] == pytest.approx(dpl, abs=5e-5)


# ---------------------------------------------------------------------------------------------
# Hand-computed cases
# ---------------------------------------------------------------------------------------------

def confusion_frame(a: dict, d: dict, **extra) -> pd.DataFrame:
    """Rows with the given confusion counts per facet ({"tp": 3, ...}); facet column 'g' is 'd'/'a'."""
    rows = []
    for facet, counts in (("a", a), ("d", d)):
        for cell, (label, pred) in {"tp": (1, 1), "fp": (0, 1), "fn": (1, 0), "tn": (0, 0)}.items():
            rows += [(facet, label, pred)] * counts.get(cell, 0)
    frame = pd.DataFrame(rows, columns=["g", "label", "pred"])
    return frame.assign(**extra)


HAND_A = {"tp": 3, "fp": 1, "fn": 2, "tn": 4}   # n_a = 10, 5 observed and 4 predicted positives
HAND_D = {"tp": 1, "fp": 2, "fn": 1, "tn": 1}   # n_d = 5, 2 observed and 3 predicted positives


def test_hand_pretraining_metrics():
    df = confusion_frame(HAND_A, HAND_D)
    result = bias.pretraining_metrics(df, "label", "g", [1], ["d"], methods=[
        "CI", "DPL", "KL", "JS", "LP", "TVD", "KS"])
    p_a, p_d, mix = [0.5, 0.5], [0.6, 0.4], [0.55, 0.45]   # (negative, positive)
    expected = {
        "CI": (10 - 5) / 15,
        "DPL": 5 / 10 - 2 / 5,
        "KL": sum(a * math.log(a / d) for a, d in zip(p_a, p_d)),
        "JS": 0.5 * sum(a * math.log(a / m) + d * math.log(d / m)
                        for a, d, m in zip(p_a, p_d, mix)),
        "LP": math.sqrt(0.1 ** 2 + 0.1 ** 2),
        "TVD": 0.5 * (0.1 + 0.1),
        "KS": 0.1,
    }
    for name, value in expected.items():
        assert result[name] == pytest.approx(value, abs=TIGHT), name


def test_hand_posttraining_metrics():
    df = confusion_frame(HAND_A, HAND_D)
    result = bias.posttraining_metrics(df, "label", "pred", "g", [1], ["d"],
                                       methods=[m for m in bias.POSTTRAINING_METRICS
                                                if m not in ("FT", "CDDPL")])
    expected = {
        "DPPL": 4 / 10 - 3 / 5,
        "DI": (3 / 5) / (4 / 10),
        "DCA": 5 / 4 - 2 / 3,          # observed / predicted positives, a minus d
        "DCR": 3 / 2 - 5 / 6,          # observed / predicted negatives, d minus a
        "RD": 3 / 5 - 1 / 2,           # recall a minus d
        "SD": 1 / 3 - 4 / 5,           # specificity d minus a
        "DAR": 3 / 4 - 1 / 3,          # precision a minus d
        "DRR": 1 / 2 - 4 / 6,          # TN / predicted negatives, d minus a
        "AD": 7 / 10 - 2 / 5,
        "TE": 1 / 2 - 2 / 1,           # FN / FP, d minus a
        # benefit 0 (FN) x3, 1 (correct) x9, 2 (FP) x3: mean 1, GE = (3(0-1) + 3(4-1)) / (15*2)
        "GE": (3 * (0 - 1) + 3 * (4 - 1)) / (15 * 2 * 1),
    }
    for name, value in expected.items():
        assert result[name] == pytest.approx(value, abs=TIGHT), name


def cdd_frame() -> pd.DataFrame:
    """Three groups: G1 d accepted 1, d rejected 1, a accepted 2; G2 d rejected 2, a accepted 1,
    a rejected 3; G3 a accepted 2."""
    rows = ([("G1", "d", 1), ("G1", "d", 0), ("G1", "a", 1), ("G1", "a", 1)]
            + [("G2", "d", 0)] * 2 + [("G2", "a", 1)] + [("G2", "a", 0)] * 3
            + [("G3", "a", 1)] * 2)
    return pd.DataFrame(rows, columns=["grp", "g", "label"])


def test_hand_conditional_demographic_disparity():
    # DD_i = rejected_d / rejected - accepted_d / accepted (0 for an empty denominator):
    # G1: 1/1 - 1/3 (n=4); G2: 2/5 - 0/1 (n=6); G3: 0 - 0/2 (n=2).
    expected = (4 * (1 - 1 / 3) + 6 * (2 / 5 - 0) + 2 * 0) / 12
    df = cdd_frame()
    result = bias.pretraining_metrics(df, "label", "g", [1], ["d"], group_variable="grp")
    assert result["CDDL"] == pytest.approx(expected, abs=TIGHT)
    as_series = bias.pretraining_metrics(df, "label", "g", [1], ["d"],
                                         group_variable=df["grp"].astype("category"))
    assert as_series["CDDL"] == pytest.approx(expected, abs=TIGHT)
    # CDDPL is the same computation on the predicted labels.
    df = df.assign(pred=df["label"], label=1 - df["label"])
    post = bias.posttraining_metrics(df, "label", "pred", "g", [1], ["d"], group_variable="grp",
                                     methods=["CDDPL"])
    assert post["CDDPL"] == pytest.approx(expected, abs=TIGHT)


def test_cdd_errors_are_clarifys():
    df = cdd_frame()
    no_group = bias.pretraining_metrics(df, "label", "g", [1], ["d"], methods=["CDDL"])
    assert no_group == {"CDDL": None}
    assert no_group.errors == {"CDDL": "Group variable is empty or not provided"}
    all_positive = df.assign(label=2)   # threshold [1]: every row is positive
    result = bias.pretraining_metrics(all_positive, "label", "g", [1], ["d"], group_variable="grp",
                                      methods=["CDDL", "CI"])
    assert result.errors == {"CDDL": "No negative labels in set"}
    assert result["CI"] == pytest.approx((8 - 4) / 12, abs=TIGHT)
    with pytest.raises(bias.MetricUndefined, match="No positive labels in set"):
        bias.conditional_demographic_disparity(np.array([True, False]), np.array([False, False]),
                                               np.array([0, 1]))


def test_hand_flip_test_neighbour_count():
    # Facet a at x = 0..9, only x=0 predicted positive; one d row at x = 0, predicted positive.
    # n_a = 10 > 9: k = 5 neighbours (x=0..4) vote 0, so the model (1) and kNN (0) differ: FT = +1.
    # n_a = 9: k = 1, the nearest neighbour x=0 votes 1: no flip, FT = 0.
    a = pd.DataFrame({"x": np.arange(10.0), "g": "a", "label": 1, "pred": [1] + [0] * 9})
    d = pd.DataFrame({"x": [0.0], "g": "d", "label": 1, "pred": [1]})
    ten = pd.concat([a, d], ignore_index=True)
    nine = pd.concat([a.iloc[:9], d], ignore_index=True)
    ft = dict(methods=["FT"])
    assert bias.posttraining_metrics(ten, "label", "pred", "g", [1], ["d"], **ft)["FT"] == 1.0
    assert bias.posttraining_metrics(nine, "label", "pred", "g", [1], ["d"], **ft)["FT"] == 0.0
    docs = bias.posttraining_metrics(ten, "label", "pred", "g", [1], ["d"], ft_sign="aws_docs", **ft)
    assert docs["FT"] == -1.0


def test_flip_test_feature_problems_are_errors_not_tracebacks():
    df = oracle_frame()
    text_feature = bias.posttraining_metrics(df, "label", "pred", "sex", [1], ["F"],
                                             methods=["FT", "DI"])
    assert text_feature.errors == {"FT": "FlipTest does not support non-numeric columns"}
    assert text_feature["DI"] == pytest.approx(0.56, abs=TIGHT)
    chosen = bias.posttraining_metrics(df, "label", "pred", "sex", [1], ["F"], methods=["FT"],
                                       feature_columns=["x1", "x2"])
    assert chosen["FT"] == pytest.approx(-0.2, abs=TIGHT)
    with_nan = df.assign(x1=df["x1"].where(df.index != 3))
    nan_result = bias.posttraining_metrics(with_nan, "label", "pred", "sex", [1], ["F"],
                                           group_variable="zip", methods=["FT"])
    assert "missing values" in nan_result.errors["FT"]
    none_left = bias.posttraining_metrics(df[["sex", "label", "pred"]], "label", "pred", "sex",
                                          [1], ["F"], methods=["FT"])
    assert "at least one numeric feature" in none_left.errors["FT"]


def test_generalized_entropy_by_hand_and_all_false_negatives():
    is_positive = np.array([True, True, False, False])
    predicted = np.array([True, False, True, False])   # benefits 1, 0, 2, 1: mean 1
    expected = ((1 - 1) + (0 - 1) + (4 - 1) + (1 - 1)) / (4 * 2 * 1)
    assert bias.generalized_entropy(is_positive, predicted) == pytest.approx(expected, abs=TIGHT)
    with pytest.raises(bias.MetricUndefined, match="false negatives"):
        bias.generalized_entropy(np.array([True, True]), np.array([False, False]))


# ---------------------------------------------------------------------------------------------
# Division and infinity rules
# ---------------------------------------------------------------------------------------------

def test_divide_rules():
    assert bias.divide(0, 0) == 0.0
    assert bias.divide(3, 0) == math.inf
    assert bias.divide(-3, 0) == -math.inf
    assert bias.divide(3, 4) == 0.75
    assert bias.difference_of_rates(math.inf, math.inf) == 0.0
    assert bias.difference_of_rates(math.inf, 2.0) == math.inf


def test_infinite_and_zero_ratios_in_metrics():
    # Facet a: no predicted positive, d: some. DI = q'_d / 0 = +inf; DCA: c_a = 3/0 = inf.
    df = confusion_frame({"fn": 3, "tn": 2}, {"tp": 1, "fp": 1, "tn": 1})
    result = bias.posttraining_metrics(df, "label", "pred", "g", [1], ["d"],
                                       methods=["DI", "DCA", "TE", "DPPL"])
    assert result["DI"] == math.inf
    assert result["DCA"] == math.inf                 # inf - 1/2
    assert result["TE"] == 0 - math.inf              # FN_d/FP_d = 0/1, FN_a/FP_a = 3/0
    assert result["DPPL"] == pytest.approx(0 - 2 / 3, abs=TIGHT)
    # Both facets with observed negatives but no predicted negative: r_a = r_d = inf -> DCR = 0.
    both = confusion_frame({"tp": 2, "fp": 1}, {"tp": 1, "fp": 2})
    dcr = bias.posttraining_metrics(both, "label", "pred", "g", [1], ["d"], methods=["DCR", "TE"])
    assert dcr["DCR"] == 0.0
    assert dcr["TE"] == 0.0                          # 0/2 - 0/1
    # FN and FP both absent in both facets: TE = 0/0 - 0/0 = 0.
    perfect = confusion_frame({"tp": 2, "tn": 1}, {"tp": 1, "tn": 2})
    assert bias.posttraining_metrics(perfect, "label", "pred", "g", [1], ["d"],
                                     methods=["TE"])["TE"] == 0.0


def test_kl_on_binary_labels_is_not_renormalised():
    # Facet d has only positive labels: the aligned support keeps the positive value alone,
    # P_a = (0.5), P_d = (1.0), so KL = 0.5 ln 0.5 < 0 and LP = |0.5 - 1| (smclarify's quirk).
    df = confusion_frame({"tp": 2, "tn": 2}, {"tp": 3})
    result = bias.pretraining_metrics(df, "label", "g", [1], ["d"])
    assert result["KL"] == pytest.approx(0.5 * math.log(0.5), abs=TIGHT)
    assert result["LP"] == pytest.approx(0.5, abs=TIGHT)
    assert result["DPL"] == pytest.approx(0.5 - 1.0, abs=TIGHT)


def test_no_common_label_value_is_an_error_entry():
    df = confusion_frame({"tn": 4}, {"tp": 3})
    result = bias.pretraining_metrics(df, "label", "g", [1], ["d"])
    for name in ("KL", "JS", "LP", "TVD", "KS"):
        assert result[name] is None
        assert "No instance of common facet found" in result.errors[name]
    assert result["DPL"] == -1.0


# ---------------------------------------------------------------------------------------------
# Values or threshold
# ---------------------------------------------------------------------------------------------

def test_threshold_facet_selects_values_above_and_writes_the_interval():
    ages = pd.Series([25, 40, 41, 60], name="age")
    selection = bias.select(ages, [40])
    assert selection.mask.tolist() == [False, False, True, True]
    assert selection.value_or_threshold == "(40, 60]"
    assert selection.threshold == 40
    assert bias.select(ages, [40.0]).value_or_threshold == "(40.0, 60.0]"
    assert bias.select(ages.astype(float), [40]).value_or_threshold == "(40.0, 60.0]"
    # smclarify would call 73 ages on 100,000 rows "categorical" (under 5% distinct) and select
    # age == 40; ours stays a threshold whatever the row count.
    many = pd.Series(np.resize(np.arange(17, 90), 100_000), name="age")
    assert bias.select(many, [40]).mask.sum() == (many > 40).sum()


def test_values_facet_and_how_clarify_writes_them():
    sex = pd.Series(["F", "M", "X", "F"], name="sex")
    selection = bias.select(sex, ["F", "X"])
    assert selection.mask.tolist() == [True, False, True, True]
    assert selection.value_or_threshold == "F,X"
    assert bias.select(sex.astype("category"), ["F", "X"]).mask.tolist() == selection.mask.tolist()


def test_binary_numeric_columns_match_by_equality():
    label = pd.Series([0, 1, 1, 0, 1], name="label")
    assert bias.select(label, [1]).mask.tolist() == [False, True, True, False, True]
    assert bias.select(label, [0]).mask.tolist() == [True, False, False, True, False]
    assert bias.select(label.astype(float), [1.0]).value_or_threshold == "1.0"
    # A number that is not one of the two values is a threshold.
    halves = bias.select(label.astype(float), [0.5])
    assert halves.threshold == 0.5 and halves.value_or_threshold == "(0.5, 1.0]"
    # category dtype always means equality, even on many values.
    scores = pd.Series([1, 2, 3, 4, 5], name="score")
    assert bias.select(scores, [3]).mask.tolist() == [False, False, False, True, True]
    assert bias.select(scores.astype("category"), [3]).mask.tolist() == [False, False, True,
                                                                         False, False]


def test_threshold_label_on_a_multi_valued_label():
    # label in 0..3, threshold [1]: positive = label > 1.
    df = pd.DataFrame({"g": list("aaaadddd"), "label": [0, 1, 2, 3, 0, 0, 1, 3]})
    result = bias.pretraining_metrics(df, "label", "g", [1], ["d"], methods=["DPL", "KS"])
    assert result["DPL"] == pytest.approx(2 / 4 - 1 / 4, abs=TIGHT)
    assert result["KS"] == pytest.approx(0.25, abs=TIGHT)


def test_multi_valued_label_is_binarised_for_distribution_metrics():
    df = pd.DataFrame({"g": list("aaaaadddd"), "label": list("abcccaabb")})
    result = bias.pretraining_metrics(df, "label", "g", ["a"], ["d"], methods=["KL", "TVD"])
    p_a, p_d = bias.label_distributions(df["label"] == "a", (df["g"] == "d").to_numpy())
    assert result["KL"] == pytest.approx(bias.kl_divergence(p_a, p_d), abs=TIGHT)
    assert result["TVD"] == pytest.approx(abs(1 / 5 - 2 / 4), abs=TIGHT)


def test_values_of_another_type_are_converted_as_smclarify_does():
    df = pd.DataFrame({"g": list("aadd"), "label": [1, 0, 1, 1], "text": ["1", "0", "1", "1"]})
    by_string = bias.pretraining_metrics(df, "label", "g", ["1"], ["d"], methods=["DPL"])
    by_number = bias.pretraining_metrics(df, "text", "g", [1], ["d"], methods=["DPL"])
    assert by_string["DPL"] == by_number["DPL"] == pytest.approx(0.5 - 1.0, abs=TIGHT)
    categories = df.astype({"label": "category", "g": "category"})
    by_category = bias.pretraining_metrics(categories, "label", "g", ["1"], ["d"], methods=["DPL"])
    assert by_category["DPL"] == pytest.approx(0.5 - 1.0, abs=TIGHT)


def test_default_positive_label_for_binary_labels_only():
    df = pd.DataFrame({"g": list("aadd"), "label": [1, 0, 1, 1]})
    assert bias.pretraining_metrics(df, "label", "g", None, ["d"], methods=["DPL"])["DPL"] == -0.5
    boolean = df.assign(label=df["label"].astype(bool))
    assert bias.pretraining_metrics(boolean, "label", "g", None, ["d"], methods=["DPL"])["DPL"] == -0.5
    words = df.assign(label=["yes", "no", "maybe", "yes"])
    with pytest.raises(ValueError, match=r"label column 'label' is not a 0/1 or boolean.*label_values_or_threshold"):
        bias.pretraining_metrics(words, "label", "g", None, ["d"])


# ---------------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------------

def test_missing_columns_name_the_column_and_the_argument():
    df = oracle_frame()
    with pytest.raises(ValueError, match=r"facet column 'gender' is not in the data.*facet argument"):
        bias.pretraining_metrics(df, "label", "gender", [1], ["F"])
    with pytest.raises(ValueError, match=r"label column 'y' is not in the data.*label argument"):
        bias.pretraining_metrics(df, "y", "sex", [1], ["F"])
    with pytest.raises(ValueError, match="predicted label column 'yhat'"):
        bias.posttraining_metrics(df, "label", "yhat", "sex", [1], ["F"])
    with pytest.raises(ValueError, match="group variable column 'region'"):
        bias.pretraining_metrics(df, "label", "sex", [1], ["F"], group_variable="region")


@pytest.mark.parametrize("column", ["sex", "label", "pred", "zip"])
def test_missing_values_are_refused_with_a_count(column):
    df = oracle_frame()
    df[column] = df[column].astype(object).where(~df.index.isin([2, 5]))
    with pytest.raises(ValueError, match=rf"column '{column}' has 2 missing value\(s\).*dropna"):
        bias.posttraining_metrics(df, "label", "pred", "sex", [1], ["F"], group_variable="zip")


def test_facet_values_that_never_occur_give_error_entries():
    df = oracle_frame()
    result = bias.posttraining_metrics(df, "label", "pred", "sex", [1], ["X"], group_variable="zip")
    assert result["GE"] == pytest.approx(ORACLE_POST["GE"], abs=TIGHT)   # does not need a facet
    failed = [name for name in bias.POSTTRAINING_METRICS if name != "GE"]
    assert all(result[name] is None for name in failed)
    assert set(result.errors) == set(failed)
    assert result.errors["DI"] == "Facet set is empty: no row has column 'sex' in ['X']"


def test_facet_covering_every_row_leaves_facet_a_empty():
    df = oracle_frame()
    result = bias.pretraining_metrics(df, "label", "sex", [1], ["F", "M"])
    assert all(value is None for value in result.values())
    assert result.errors["CI"].startswith("Negated facet set is empty")
    above = bias.pretraining_metrics(df, "label", "x1", [1], [10], methods=["CI"])
    assert above.errors == {"CI": "Facet set is empty: no row has column 'x1' > 10"}


def test_other_bad_inputs():
    df = oracle_frame()
    with pytest.raises(ValueError, match="are not numbers"):
        bias.pretraining_metrics(df, "label", "sex", ["yes"], ["F"])
    with pytest.raises(ValueError, match=r"\[2\] selects no row of label column 'label'"):
        bias.pretraining_metrics(df, "label", "sex", [2], ["F"])
    words = df.assign(label=np.where(df["label"] == 1, ">50K", "<=50K"))
    with pytest.raises(ValueError, match=r"selects no row.*'<=50K', '>50K'"):
        bias.pretraining_metrics(words, "label", "sex", [">50k"], ["F"])
    with pytest.raises(ValueError, match="must be numeric too"):
        bias.posttraining_metrics(df.assign(pred=words["label"]), "x1", "pred", "sex", [3], ["F"])
    with pytest.raises(ValueError, match="no positive prediction in column 'pred'"):
        bias.posttraining_metrics(df.assign(pred=0), "label", "pred", "sex", [1], ["F"])
    with pytest.raises(ValueError, match=r"unknown metric\(s\) \['XX'\]"):
        bias.pretraining_metrics(df, "label", "sex", [1], ["F"], methods=["CI", "XX"])
    with pytest.raises(ValueError, match="one_vs_all_values"):
        bias.pretraining_metrics(df, "label", "sex", [1], None)
    with pytest.raises(ValueError, match="no rows"):
        bias.pretraining_metrics(df.iloc[:0], "label", "sex", [1], ["F"])
    with pytest.raises(ValueError, match="group_variable has 3 rows"):
        bias.pretraining_metrics(df, "label", "sex", [1], ["F"], group_variable=df["zip"][:3])
    with pytest.raises(ValueError, match="needs a threshold"):
        bias.one_vs_all_values(df["x1"])
    with pytest.raises(ValueError, match="DataFrame"):
        bias.pretraining_metrics(df.to_numpy(), "label", "sex", [1], ["F"])
    twice = pd.concat([df, df[["sex"]]], axis=1)
    with pytest.raises(ValueError, match="2 columns named 'sex'"):
        bias.pretraining_metrics(twice, "label", "sex", [1], ["F"])


def test_probability_threshold_reads_predictions_as_probabilities():
    df = oracle_frame()
    df["score"] = np.where(df["pred"] == 1, 0.9, 0.2)
    result = bias.posttraining_metrics(df, "label", "score", "sex", [1], ["F"],
                                       probability_threshold=0.5, methods=["DI", "DPPL"])
    assert result["DI"] == pytest.approx(ORACLE_POST["DI"], abs=TIGHT)
    with pytest.raises(ValueError, match="no positive prediction"):
        bias.posttraining_metrics(df, "label", "score", "sex", [1], ["F"],
                                  probability_threshold=0.9)


def test_large_data_matches_direct_counts():
    rng = np.random.default_rng(7)
    n = 200_000
    df = pd.DataFrame({"g": rng.integers(0, 3, n).astype(str), "label": rng.integers(0, 2, n),
                       "pred": rng.integers(0, 2, n)})
    result = bias.posttraining_metrics(df, "label", "pred", "g", [1], ["2"],
                                       methods=["DPPL", "AD"])
    d = df["g"] == "2"
    dppl = df.loc[~d, "pred"].mean() - df.loc[d, "pred"].mean()
    accuracy = (df["label"] == df["pred"])
    assert result["DPPL"] == pytest.approx(dppl, abs=TIGHT)
    assert result["AD"] == pytest.approx(accuracy[~d].mean() - accuracy[d].mean(), abs=TIGHT)
