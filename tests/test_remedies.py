"""Remedies for an over-represented subgroup: undersampling its positives vs SMOTE (no data lost)."""

import numpy as np
import pandas as pd
import pytest

from monitorlab.serving import data
from monitorlab.maintenance import remedies

BAND = ("age", range(40, 46))


@pytest.fixture(scope="module")
def skewed():
    return remedies.skewed_training_set(size=3000, seed=0)


def test_skewed_training_set_has_the_exam_problem(skewed):
    group, rest = remedies.positive_rates(skewed, *BAND)
    assert group == pytest.approx(0.95, abs=0.01) and rest == pytest.approx(0.22, abs=0.03)
    gap = remedies.label_gap(skewed, *BAND)
    assert gap > 0.7
    assert remedies.clarify_dpl(skewed, *BAND) == pytest.approx(-gap)   # Clarify: a - d
    assert list(skewed.columns) == data.FEATURES + [data.LABEL]
    again = remedies.skewed_training_set(size=3000, seed=0)
    pd.testing.assert_frame_equal(skewed, again)                      # seeded


def test_undersampling_drops_only_the_groups_positives(skewed):
    fixed = remedies.undersample_positive(skewed, *BAND, seed=1)
    dropped = skewed.loc[skewed.index.difference(fixed.index)]
    assert len(dropped) > 300
    assert dropped["age"].between(40, 45).all() and (dropped["label"] == 1).all()
    assert remedies.label_gap(fixed, *BAND) == pytest.approx(0, abs=0.02)
    pd.testing.assert_frame_equal(fixed, skewed.loc[fixed.index])    # kept rows unchanged
    target = remedies.undersample_positive(skewed, *BAND, target_rate=0.5)
    assert remedies.positive_rates(target, *BAND)[0] == pytest.approx(0.5, abs=0.02)
    # a group already at or below the target: nothing to drop
    assert len(remedies.undersample_positive(fixed, *BAND)) == len(fixed)


def test_smote_adds_group_negatives_and_loses_nothing(skewed):
    grown = remedies.smote_oversample(skewed, *BAND, seed=0)
    pd.testing.assert_frame_equal(grown.iloc[:len(skewed)], skewed)  # every original row, unchanged
    new = grown.iloc[len(skewed):]
    assert len(new) > 1000
    assert (new["label"] == 0).all() and new["age"].between(40, 45).all()
    assert remedies.label_gap(grown, *BAND) == pytest.approx(0, abs=0.01)
    assert list(grown.dtypes) == list(skewed.dtypes)                 # integers stay integers
    for column in data.CATEGORICAL_FEATURES:                         # only values the data has
        assert set(new[column].dropna()) <= set(skewed[column].dropna())
    again = remedies.smote_oversample(skewed, *BAND, seed=0)
    pd.testing.assert_frame_equal(grown, again)                      # seeded
    # a group with too few positives gets synthetic positives instead
    women = remedies.smote_oversample(skewed, "sex", ["Female"], target_rate=0.3, seed=0)
    added = women.iloc[len(skewed):]
    assert (added["label"] == 1).all() and (added["sex"] == "Female").all()
    assert remedies.positive_rates(women, "sex", ["Female"])[0] == pytest.approx(0.3, abs=0.01)


def test_compare_remedies_retrains_and_measures(skewed):
    test = data.load_adult("test").sample(2500, random_state=0)
    table = remedies.compare_remedies(skewed, test, *BAND, seed=0)
    assert list(table.index) == ["as collected", "undersample group positives", "SMOTE group negatives"]
    collected, under, smote = (table.loc[name] for name in table.index)
    assert (collected["rows_lost"], collected["rows_added"]) == (0, 0)
    assert under["rows_lost"] > 300 and under["rows_added"] == 0
    assert smote["rows_lost"] == 0 and smote["rows_added"] > 1000
    assert abs(collected["DPL"]) > 0.7 and abs(under["DPL"]) < 0.02 and abs(smote["DPL"]) < 0.02
    # the skewed model over-predicts the group on real data; both remedies bring it closer
    assert collected["group_predicted_rate"] > collected["group_true_rate"] + 0.3
    for fixed in (under, smote):
        assert abs(fixed["group_predicted_rate"] - fixed["group_true_rate"]) < \
            abs(collected["group_predicted_rate"] - collected["group_true_rate"]) - 0.1
        assert fixed["accuracy"] > collected["accuracy"] and fixed["auc"] > collected["auc"]
        assert abs(fixed["DPPL"]) < abs(collected["DPPL"])


def test_bad_input_names_the_fix(skewed):
    with pytest.raises(ValueError, match="no row has age"):
        remedies.undersample_positive(skewed, "age", [200])
    with pytest.raises(ValueError, match="not in the data"):
        remedies.smote_oversample(skewed, "years", [40])
    with pytest.raises(ValueError, match="target_rate"):
        remedies.undersample_positive(skewed, *BAND, target_rate=1.5)
    with pytest.raises(ValueError, match="0/1"):
        remedies.positive_rates(skewed.assign(label=skewed["label"] * 2), *BAND)
    tiny = pd.DataFrame({"g": ["x", "x", "x", "y", "y"], "v": [1.0, 2.0, 3.0, 4.0, 5.0], "label": [1, 1, 0, 0, 1]})
    with pytest.raises(ValueError, match="at least 2"):
        remedies.smote_oversample(tiny, "g", ["x"], target_rate=0.2)
    assert np.isclose(remedies.label_gap(tiny, "g", ["x"]), 2 / 3 - 1 / 2)
