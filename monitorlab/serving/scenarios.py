"""Seeded production traffic with named, documented changes, and the ground truth of each change.

Traffic is drawn from rows the model never saw in training (the Adult test split). Every scenario
starts from the same *base draw* (same seed, same rows, same timestamps) and changes only the
requests from ``change_hour`` on, so a lesson or a test can compare a scenario with ``none`` and
see exactly what changed. Each :class:`Traffic` carries a :class:`ScenarioTruth`: which input
features changed, whether the labels changed, and from which hour.

Scenarios (:data:`SCENARIOS`):

``none``
    Nothing changes. A data-quality monitor should stay quiet.
``covariate_shift``
    A younger population working longer hours: ``age`` drops by 12 years (floored at 17) and
    ``hours_per_week`` rises by 10 (capped at 99). Labels are kept as drawn, so this is pure input
    drift as a monitor sees it (strictly, editing inputs with fixed labels also nudges P(y|x)).
``new_category``
    A new job title appears upstream: 40 % of requests have ``occupation`` = ``Drone-operator``,
    a category the model and the baseline have never seen.
``missing_values``
    An upstream ETL bug drops a field: ``education_num`` arrives empty in every request.
``label_shift``
    The prior P(y) changes, P(x|y) does not: each request is drawn from the >50K rows with
    probability 0.5 (the test split has 23.6 %). Input marginals move only through their
    dependence on the label; ``changed_features`` is empty and ``label_changed`` is true.
``concept_drift``
    The inputs are exactly the base draw; the relationship between inputs and label changes:
    married people (``relationship`` Husband/Wife) with income >50K drop to <=50K with probability
    0.6, and never-married people rise to >50K with probability 0.3. Only labels change, so a
    data-quality monitor sees nothing and a model-quality monitor does.
``attribution_drift``
    An upstream cache bug sends ``capital_loss`` = 1902 (its most common non-zero value) in every
    request. The model leans on it, so ``capital_loss`` jumps to the top of the SHAP ranking
    (NDCG about 0.79 against the training baseline). Freezing a weak feature, or
    ``marital_status``, barely moves the ranking: see module 07.
``bias_drift``
    A faulty form version for **female** applicants only: their ``education`` is recorded four
    levels too low on the 16-level ladder (``education_num`` minus 4, floored at 1 =
    ``Preschool``, and ``education`` renamed to match) and their ``capital_gain`` is dropped
    (sent as 0). Male requests, every other feature and all labels are as drawn: the people and
    their true incomes are the same, only what the model sees about women changes. The course
    model's positive rate for women falls from about 7 % to about 2 %: on daily windows of a few
    thousand requests DI drops from about 0.3 to 0.05-0.15, RD (equal opportunity) rises from about
    0.1 to 0.4-0.5, and DPPL only from about 0.17 to about 0.22 (see module 06).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable

import numpy as np
import pandas as pd

from monitorlab.serving import data
from monitorlab.account.clock import COURSE_EPOCH, as_utc

NEW_OCCUPATION = "Drone-operator"


@dataclass(frozen=True)
class ScenarioTruth:
    """What a scenario really changed, for lessons and tests to check detection against."""

    name: str
    description: str
    changed_features: tuple[str, ...]
    label_changed: bool
    change_hour: int | None
    change_time: datetime | None

    def is_changed(self, feature: str, hour: int) -> bool:
        """True when ``feature`` differs from the base traffic in hour ``hour``."""
        return (self.change_hour is not None and hour >= self.change_hour
                and feature in self.changed_features)


@dataclass
class Traffic:
    """Requests in time order: ``timestamp``, ``hour``, ``inference_id``, the features, ``label``."""

    requests: pd.DataFrame
    truth: ScenarioTruth
    seed: int = field(default=0)

    def features(self) -> pd.DataFrame:
        return self.requests[data.FEATURES]

    def hour(self, hour: int) -> pd.DataFrame:
        return self.requests[self.requests["hour"] == hour]


def _covariate_shift(frame, affected, rng, pool):
    frame.loc[affected, "age"] = (frame.loc[affected, "age"] - 12).clip(lower=17)
    frame.loc[affected, "hours_per_week"] = (frame.loc[affected, "hours_per_week"] + 10).clip(upper=99)
    return frame


def _new_category(frame, affected, rng, pool):
    chosen = affected & (rng.random(len(frame)) < 0.4)
    frame["occupation"] = frame["occupation"].astype(object)
    frame.loc[chosen, "occupation"] = NEW_OCCUPATION
    return frame


def _missing_values(frame, affected, rng, pool):
    frame["education_num"] = frame["education_num"].astype("float64")
    frame.loc[affected, "education_num"] = np.nan
    return frame


def _label_shift(frame, affected, rng, pool):
    want_positive = rng.random(len(frame)) < 0.5
    positives = np.flatnonzero(pool[data.LABEL].to_numpy() == 1)
    negatives = np.flatnonzero(pool[data.LABEL].to_numpy() == 0)
    picks = np.where(want_positive, rng.choice(positives, len(frame)),
                     rng.choice(negatives, len(frame)))
    redrawn = pool.iloc[picks][data.FEATURES + [data.LABEL]].reset_index(drop=True)
    for column in data.FEATURES + [data.LABEL]:
        frame[column] = frame[column].astype(object)
        frame.loc[affected, column] = redrawn.loc[affected, column].astype(object)
    return frame


def _concept_drift(frame, affected, rng, pool):
    draw = rng.random(len(frame))
    married = frame["relationship"].isin(["Husband", "Wife"]).to_numpy()
    single = (frame["marital_status"] == "Never-married").to_numpy()
    label = frame[data.LABEL].to_numpy().copy()
    label[affected & married & (label == 1) & (draw < 0.6)] = 0
    label[affected & single & (label == 0) & (draw < 0.3)] = 1
    frame[data.LABEL] = label
    return frame


def _stuck_capital_loss(frame, affected, rng, pool):
    frame.loc[affected, "capital_loss"] = 1902
    return frame


#: Adult's education levels by ``education_num`` (1 = Preschool ... 16 = Doctorate): a one-to-one
#: map in both splits.
EDUCATION_LEVELS = ("Preschool", "1st-4th", "5th-6th", "7th-8th", "9th", "10th", "11th", "12th",
                    "HS-grad", "Some-college", "Assoc-voc", "Assoc-acdm", "Bachelors", "Masters",
                    "Prof-school", "Doctorate")
#: ``bias_drift``: the facet hit by the faulty form, and how far its education is pushed down.
BIAS_DRIFT_FACET, BIAS_DRIFT_EDUCATION_DROP = ("sex", "Female"), 4


def _bias_drift(frame, affected, rng, pool):
    column, value = BIAS_DRIFT_FACET
    hit = affected & (frame[column].astype(object) == value).to_numpy()
    lowered = (frame.loc[hit, "education_num"].astype("int64") - BIAS_DRIFT_EDUCATION_DROP).clip(lower=1)
    frame["education"] = frame["education"].astype(object)
    frame.loc[hit, "education_num"] = lowered
    frame.loc[hit, "education"] = np.asarray(EDUCATION_LEVELS, dtype=object)[lowered.to_numpy() - 1]
    frame.loc[hit, "capital_gain"] = 0
    return frame


# name -> (change function, changed features, label changed, description)
SCENARIOS: dict[str, tuple[Callable | None, tuple[str, ...], bool, str]] = {
    "none": (None, (), False, "no change"),
    "covariate_shift": (_covariate_shift, ("age", "hours_per_week"), False,
                        "a younger population working longer hours"),
    "new_category": (_new_category, ("occupation",), False,
                     f"an unseen occupation {NEW_OCCUPATION!r} in 40% of requests"),
    "missing_values": (_missing_values, ("education_num",), False,
                       "an upstream bug drops education_num"),
    "label_shift": (_label_shift, (), True, "the share of >50K rises to 50% (P(x|y) unchanged)"),
    "concept_drift": (_concept_drift, (), True,
                      "marriage stops predicting high income (inputs unchanged)"),
    "attribution_drift": (_stuck_capital_loss, ("capital_loss",), False,
                          "an upstream cache bug sends capital_loss=1902 in every request"),
    "bias_drift": (_bias_drift, ("education", "education_num", "capital_gain"), False,
                   "a faulty form for female applicants: education 4 levels too low, "
                   "capital_gain dropped (labels unchanged)"),
}


def generate_traffic(scenario: str = "none", *, hours: int = 48, requests_per_hour: int = 200,
                     change_hour: int = 24, start: datetime | str = COURSE_EPOCH, seed: int = 0,
                     pool: pd.DataFrame | None = None) -> Traffic:
    """Draw ``hours * requests_per_hour`` requests and apply ``scenario`` from ``change_hour`` on.

    Timestamps are uniform within each hour (millisecond resolution, sorted); ``inference_id`` is
    ``"<seed>-<index>"`` zero-padded, unique within the traffic.
    """
    if scenario not in SCENARIOS:
        raise ValueError(f"unknown scenario {scenario!r}; choose one of {sorted(SCENARIOS)}")
    if hours < 1 or requests_per_hour < 1:
        raise ValueError("hours and requests_per_hour must be at least 1")
    pool = data.load_adult("test") if pool is None else pool
    frame = _base_draw(pool, hours, requests_per_hour, as_utc(start), seed)
    change, changed, label_changed, description = SCENARIOS[scenario]
    if change is not None:
        affected = (frame["hour"] >= change_hour).to_numpy()
        frame = change(frame, affected, np.random.default_rng([seed, 1]), pool)
    frame = _restore_dtypes(frame)
    has_change = change is not None
    truth = ScenarioTruth(
        name=scenario, description=description, changed_features=changed,
        label_changed=label_changed, change_hour=change_hour if has_change else None,
        change_time=as_utc(start) + timedelta(hours=change_hour) if has_change else None)
    return Traffic(requests=frame, truth=truth, seed=seed)


def _base_draw(pool, hours, per_hour, start, seed) -> pd.DataFrame:
    rng = np.random.default_rng([seed, 0])
    total = hours * per_hour
    rows = pool.iloc[rng.integers(0, len(pool), total)][data.FEATURES + [data.LABEL]]
    frame = rows.reset_index(drop=True)
    hour = np.repeat(np.arange(hours), per_hour)
    offset_ms = np.sort(rng.integers(0, 3_600_000, (hours, per_hour)), axis=1).ravel()
    timestamps = pd.Timestamp(start) + pd.to_timedelta(hour * 3_600_000 + offset_ms, unit="ms")
    width = max(6, len(str(total)))
    ids = [f"{seed}-{i:0{width}d}" for i in range(total)]
    meta = pd.DataFrame({"timestamp": timestamps, "hour": hour, "inference_id": ids})
    return pd.concat([meta, frame], axis=1)


def _restore_dtypes(frame: pd.DataFrame) -> pd.DataFrame:
    for column in data.NUMERIC_FEATURES:
        values = pd.to_numeric(frame[column])
        frame[column] = values.astype("Int64") if values.isna().any() else values.astype("int64")
    for column in data.CATEGORICAL_FEATURES:
        frame[column] = frame[column].astype(object).astype("category")
    frame[data.LABEL] = frame[data.LABEL].astype("int64")
    return frame
