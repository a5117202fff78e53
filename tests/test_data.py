"""Shipped data: checksums, dtypes, cleaning; scenarios change exactly what they claim."""

import numpy as np
import pandas as pd
import pytest

from monitorlab.serving import data, scenarios


def test_checksums_match_the_shipped_files():
    data.verify_checksums()
    assert set(data.CHECKSUMS) == {p.name for p in data.DATA_DIR.iterdir()} - {"DATA.md"}


def test_adult_loads_typed_and_cleaned():
    train, test = data.load_adult("train"), data.load_adult("test")
    assert train.shape == (32561, 16) and test.shape == (16281, 16)
    for column in data.ADULT_CATEGORICAL:
        assert isinstance(train[column].dtype, pd.CategoricalDtype)
    for column in data.ADULT_NUMERIC:
        assert train[column].dtype == np.int64
    # UCI documents '?' as unknown: those become missing, never the string '?'
    assert train["workclass"].isna().sum() == 1836
    assert "?" not in train["occupation"].cat.categories
    # the test split's labels lose their trailing '.'
    assert set(test["income"].cat.categories) == {"<=50K", ">50K"}
    assert train[data.LABEL].sum() == 7841 and test[data.LABEL].sum() == 3846


def test_german_credit_decodes_codes():
    german = data.load_german()
    assert german.shape == (1000, 22)
    assert german.loc[0, "status"] == "... < 0 DM"
    assert german[data.LABEL].mean() == pytest.approx(0.7)
    assert german["age"].dtype == np.int64
    assert data.load_german(decode=False).loc[0, "status"] == "A11"


def test_traffic_is_deterministic_for_a_seed():
    first = scenarios.generate_traffic("covariate_shift", hours=4, requests_per_hour=50, seed=3)
    second = scenarios.generate_traffic("covariate_shift", hours=4, requests_per_hour=50, seed=3)
    pd.testing.assert_frame_equal(first.requests, second.requests)
    other = scenarios.generate_traffic("covariate_shift", hours=4, requests_per_hour=50, seed=4)
    assert not first.requests["age"].equals(other.requests["age"])


def test_timestamps_fall_in_their_hour_and_ids_are_unique():
    traffic = scenarios.generate_traffic("none", hours=3, requests_per_hour=100)
    frame = traffic.requests
    offsets = (frame["timestamp"] - pd.Timestamp("2026-01-05", tz="UTC")).dt.total_seconds()
    assert ((offsets // 3600) == frame["hour"]).all()
    assert frame["timestamp"].is_monotonic_increasing
    assert frame["inference_id"].is_unique


def _as_text(frame):
    return frame.astype(object).where(frame.notna(), None)


@pytest.mark.parametrize("name", [n for n in scenarios.SCENARIOS if n != "label_shift"])
def test_scenarios_change_exactly_what_they_claim(name):
    base = scenarios.generate_traffic("none", hours=6, requests_per_hour=200, change_hour=3).requests
    traffic = scenarios.generate_traffic(name, hours=6, requests_per_hour=200, change_hour=3)
    changed = traffic.requests
    truth = traffic.truth
    before, after = changed["hour"] < 3, changed["hour"] >= 3
    # before the change hour everything equals the base traffic
    pd.testing.assert_frame_equal(_as_text(changed[before]), _as_text(base[before]))
    for column in data.FEATURES:
        same = _as_text(changed.loc[after, column]).equals(_as_text(base.loc[after, column]))
        assert same != (column in truth.changed_features), column
        assert truth.is_changed(column, 3) == (column in truth.changed_features)
        assert not truth.is_changed(column, 2)
    labels_same = changed.loc[after, data.LABEL].equals(base.loc[after, data.LABEL])
    assert labels_same != truth.label_changed


def test_label_shift_changes_the_prior_but_not_the_class_conditionals():
    traffic = scenarios.generate_traffic("label_shift", hours=40, requests_per_hour=250, change_hour=20)
    frame = traffic.requests
    after = frame[frame["hour"] >= 20]
    assert after[data.LABEL].mean() == pytest.approx(0.5, abs=0.02)
    assert frame[frame["hour"] < 20][data.LABEL].mean() == pytest.approx(0.236, abs=0.02)
    pool = data.load_adult("test")
    for label in (0, 1):
        # mean age within a class stays that of the pool's class
        assert after[after[data.LABEL] == label]["age"].mean() == pytest.approx(
            pool[pool[data.LABEL] == label]["age"].mean(), abs=0.6)
    assert traffic.truth.changed_features == () and traffic.truth.label_changed


def test_specific_scenario_effects():
    get = lambda n: scenarios.generate_traffic(n, hours=2, requests_per_hour=500, change_hour=1).requests
    after = lambda f: f[f["hour"] == 1]
    assert after(get("missing_values"))["education_num"].isna().all()
    share = (after(get("new_category"))["occupation"] == scenarios.NEW_OCCUPATION).mean()
    assert share == pytest.approx(0.4, abs=0.05)
    shifted, base = after(get("covariate_shift")), after(get("none"))
    assert (shifted["age"] >= 17).all() and (shifted["hours_per_week"] <= 99).all()
    assert shifted["age"].mean() < base["age"].mean() - 9


def test_unknown_scenario_is_a_clear_error():
    with pytest.raises(ValueError, match="covariate_shift"):
        scenarios.generate_traffic("earthquake")
