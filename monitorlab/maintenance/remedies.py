"""Remedies for a subgroup whose positive rate is out of line: undersample it, or SMOTE it.

The exam's case (study guides, MLA-C01 domain 1 and 4): a report shows that people aged 40–45 are
heavily over-represented in the positive class ("DPL +0.9 for ages 40–45"). The remedy targets
**that group and that class**: undersample the positive class *of ages 40–45* until the group's
positive rate matches everyone else's. Oversampling the group's positives widens the gap;
undersampling every other age group throws away far more data. When the requirement says **no
existing training data may be lost**, undersampling is ruled out: oversample the group's other
class instead, with SMOTE (synthetic rows interpolated between a row and its nearest neighbours;
SMOTENC when some features are categorical).

Sign (Clarify's convention, :mod:`monitorlab.stats.bias`): with the group as facet *d*, Clarify's
``DPL = q_a - q_d`` is **negative** when the group has *more* positives. The exam's "+0.9 for ages
40–45" is the group's excess, ``q_group - q_rest``; :func:`label_gap` returns that, and
:func:`clarify_dpl` Clarify's number.

* :func:`skewed_training_set`: an Adult-derived training set with such a group (seeded);
* :func:`undersample_positive` and :func:`smote_oversample`: the two remedies (seeded);
* :func:`evaluate_remedy` / :func:`compare_remedies`: retrain the course pipeline
  (:func:`monitorlab.serving.model.build_pipeline`) on each version and measure the gap in the training
  data and the model's quality and bias on untouched test rows.

Choices (ours): the target rate is the rest of the data's positive rate unless given; SMOTENC
sees the group's rows only (its neighbours are other members of the group, so synthetic rows stay
in the group), with missing categoricals treated as one more category and restored as missing;
integer columns of synthetic rows are rounded back to integers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn import metrics as skm

from monitorlab.stats import bias
from monitorlab.serving import data
from monitorlab.serving.model import as_model_input, build_pipeline

#: The exam's group: ages 40 to 45 (a band is a list of values, not a threshold).
AGE_BAND = ("age", tuple(range(40, 46)))
_MISSING = "__missing__"


# --------------------------------------------------------------------------------------------
# Measuring the group
# --------------------------------------------------------------------------------------------

def group_mask(df: pd.DataFrame, column: str, values) -> np.ndarray:
    """True for the rows of the group (``column`` in ``values``)."""
    if column not in df.columns:
        raise ValueError(f"group column {column!r} is not in the data; columns are "
                         f"{list(df.columns)!r}")
    mask = df[column].isin(list(values)).to_numpy()
    if not mask.any():
        raise ValueError(f"no row has {column} in {list(values)!r}: check the group's values")
    if mask.all():
        raise ValueError(f"every row has {column} in {list(values)!r}: the rest of the data is "
                         "empty, so there is nothing to compare the group with")
    return mask


def positive_rates(df: pd.DataFrame, column: str, values, label: str = data.LABEL
                   ) -> tuple[float, float]:
    """(positive rate of the group, positive rate of everyone else)."""
    mask = group_mask(df, column, values)
    positive = _labels(df, label) == 1
    return float(positive[mask].mean()), float(positive[~mask].mean())


def label_gap(df: pd.DataFrame, column: str, values, label: str = data.LABEL) -> float:
    """``q_group - q_rest``: how much more often the group has the positive label (the exam's
    "+0.9 for ages 40–45"). Clarify's DPL with the group as facet *d* is minus this."""
    group, rest = positive_rates(df, column, values, label)
    return group - rest


def clarify_dpl(df: pd.DataFrame, column: str, values, label: str = data.LABEL) -> float:
    """Clarify's DPL = q_a - q_d with the group as facet *d* (values matched by equality)."""
    frame = pd.DataFrame({"group": group_mask(df, column, values).astype(int),
                          "label": _labels(df, label)})
    return bias.pretraining_metrics(frame, "label", "group", [1], [1], methods=["DPL"])["DPL"]


def _labels(df: pd.DataFrame, label: str) -> np.ndarray:
    if label not in df.columns:
        raise ValueError(f"label column {label!r} is not in the data; columns are "
                         f"{list(df.columns)!r}")
    values = df[label].to_numpy()
    if not np.isin(values, (0, 1)).all():
        raise ValueError(f"label column {label!r} must hold 0/1; map the positive class to 1")
    return values.astype(np.int64)


def _target(df, mask, label, target_rate) -> float:
    rate = float((_labels(df, label)[~mask] == 1).mean()) if target_rate is None else target_rate
    if not 0 < rate < 1:
        raise ValueError(f"target_rate must be strictly between 0 and 1, got {rate!r}")
    return rate


# --------------------------------------------------------------------------------------------
# A training set with the exam's problem
# --------------------------------------------------------------------------------------------

def skewed_training_set(train: pd.DataFrame | None = None, *, column: str = AGE_BAND[0],
                        values=AGE_BAND[1], group_rate: float = 0.95, size: int = 4000,
                        seed: int = 0) -> pd.DataFrame:
    """An Adult-derived training set in which the group's positive rate is ``group_rate``.

    ``size`` rows: the rest of the data is a plain random sample of the training split (its
    natural positive rate, about 0.22), the group keeps its natural share of rows but is drawn
    so that ``group_rate`` of them are positive, as if the collection had kept the group's
    approvals and lost most of its rejections. With the defaults the group's positive rate is
    0.95 against about 0.22: a gap of about +0.73. Columns: the model's features and ``label``.
    """
    train = data.load_adult("train") if train is None else train
    if not 0 < group_rate < 1:
        raise ValueError(f"group_rate must be strictly between 0 and 1, got {group_rate!r}")
    rng = np.random.default_rng([seed, 40])
    mask = group_mask(train, column, values)
    positive = _labels(train, data.LABEL) == 1
    n_group = int(round(size * mask.mean()))
    n_pos = int(round(n_group * group_rate))
    pools = {"rest": np.flatnonzero(~mask), "pos": np.flatnonzero(mask & positive),
             "neg": np.flatnonzero(mask & ~positive)}
    counts = {"rest": size - n_group, "pos": n_pos, "neg": n_group - n_pos}
    for name, count in counts.items():
        if count > len(pools[name]):
            raise ValueError(f"size {size} needs {count} rows of kind {name!r} but the data has "
                             f"{len(pools[name])}; lower size")
    rows = np.concatenate([rng.choice(pools[name], count, replace=False)
                           for name, count in counts.items()])
    rows = rows[rng.permutation(len(rows))]
    return train.iloc[rows][data.FEATURES + [data.LABEL]].reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# The remedies
# --------------------------------------------------------------------------------------------

def undersample_positive(df: pd.DataFrame, column: str, values, *, label: str = data.LABEL,
                         target_rate: float | None = None, seed: int = 0) -> pd.DataFrame:
    """Drop randomly chosen **positive rows of the group** until its positive rate is
    ``target_rate`` (default: the rest's rate). Every other row is kept; the original index is
    kept too, so ``df.index.difference(result.index)`` lists what was dropped.

    ``keep = round(target * negatives / (1 - target))`` positives remain. A group whose rate is
    already at or below the target is returned unchanged (a copy).
    """
    mask = group_mask(df, column, values)
    target = _target(df, mask, label, target_rate)
    positive = _labels(df, label) == 1
    group_pos = np.flatnonzero(mask & positive)
    negatives = int((mask & ~positive).sum())
    keep = int(round(target * negatives / (1 - target)))
    if keep >= len(group_pos):
        return df.copy()
    rng = np.random.default_rng([seed, 41])
    dropped = rng.choice(group_pos, len(group_pos) - keep, replace=False)
    return df.drop(index=df.index[np.sort(dropped)])


def smote_oversample(df: pd.DataFrame, column: str, values, *, label: str = data.LABEL,
                     target_rate: float | None = None, seed: int = 0,
                     k_neighbors: int = 5) -> pd.DataFrame:
    """Add synthetic rows of the group's **under-represented class** (SMOTE; SMOTENC when there are
    categorical columns) until the group's positive rate is ``target_rate`` (default: the rest's
    rate). No existing row is removed or changed: the result is ``df`` followed by the new rows.

    For a group with too many positives the new rows are negatives:
    ``new = positives * (1 - target) / target - negatives``; for a group with too few, positives.
    The interpolation uses the group's own rows only, so the new rows belong to the group.
    """
    from imblearn.over_sampling import SMOTE, SMOTENC  # imported here: it costs ~0.5 s

    mask = group_mask(df, column, values)
    target = _target(df, mask, label, target_rate)
    y = _labels(df, label)[mask]
    positives, negatives = int((y == 1).sum()), int((y == 0).sum())
    if positives / len(y) > target:
        grow, wanted = 0, int(round(positives * (1 - target) / target))
    else:
        grow, wanted = 1, int(round(negatives * target / (1 - target)))
    have = negatives if grow == 0 else positives
    if wanted <= have:
        return df.copy()
    if have < 2:
        raise ValueError(f"the group has {have} row(s) of class {grow}: SMOTE needs at least 2 "
                         "to interpolate between")
    group = df[mask].drop(columns=[label])
    categorical = [c for c in group.columns if not pd.api.types.is_numeric_dtype(group[c])
                   or pd.api.types.is_bool_dtype(group[c])]
    features = _smote_input(group, categorical)
    neighbours = min(k_neighbors, have - 1)
    if categorical:
        sampler = SMOTENC(categorical_features=[group.columns.get_loc(c) for c in categorical],
                          sampling_strategy={grow: wanted}, k_neighbors=neighbours,
                          random_state=seed)
    else:
        sampler = SMOTE(sampling_strategy={grow: wanted}, k_neighbors=neighbours,
                        random_state=seed)
    resampled, _ = sampler.fit_resample(features, y)
    synthetic = _restore(resampled.iloc[len(group):], group, categorical)
    synthetic[label] = np.full(len(synthetic), grow, dtype=df[label].dtype)
    synthetic = synthetic[df.columns]
    synthetic.index = pd.RangeIndex(len(df), len(df) + len(synthetic))
    return pd.concat([df, synthetic], axis=0)


def _smote_input(group: pd.DataFrame, categorical: list[str]) -> pd.DataFrame:
    frame = group.reset_index(drop=True).copy()
    for name in frame.columns:
        if name in categorical:
            frame[name] = frame[name].astype(object).where(frame[name].notna(), _MISSING).astype(str)
        else:
            values = pd.to_numeric(frame[name]).astype("float64")
            frame[name] = values.fillna(values.median())
    return frame


def _restore(new: pd.DataFrame, group: pd.DataFrame, categorical: list[str]) -> pd.DataFrame:
    new = new.reset_index(drop=True).copy()
    for name in new.columns:
        if name in categorical:
            text = new[name].astype(object).where(new[name] != _MISSING, np.nan)
            new[name] = text.astype(group[name].dtype) if isinstance(
                group[name].dtype, pd.CategoricalDtype) else text
        elif pd.api.types.is_integer_dtype(group[name].dtype):
            new[name] = np.round(new[name].to_numpy(dtype="float64")).astype(group[name].dtype)
    return new


# --------------------------------------------------------------------------------------------
# Before and after: gap in the data, quality and bias of the retrained model
# --------------------------------------------------------------------------------------------

def evaluate_remedy(train_df: pd.DataFrame, test_df: pd.DataFrame, column: str = AGE_BAND[0],
                    values=AGE_BAND[1], *, label: str = data.LABEL, seed: int = 0) -> dict:
    """Retrain the course pipeline on ``train_df`` and measure it on the untouched ``test_df``.

    Returns: ``rows`` (training rows), ``group_rows``, ``group_rate`` / ``rest_rate`` and
    ``gap`` (= group − rest) in the training data, Clarify's ``DPL`` (group as facet *d*), and on
    the test rows: ``accuracy``, ``f1``, ``auc``, ``group_accuracy``, the group's true and
    predicted positive rates, and Clarify's ``DPPL`` (group as facet *d*, threshold 0.5).
    """
    mask = group_mask(train_df, column, values)
    group_rate, rest_rate = positive_rates(train_df, column, values, label)
    model = build_pipeline(seed).fit(as_model_input(train_df), _labels(train_df, label))
    probability = model.predict_proba(as_model_input(test_df))[:, 1]
    predicted = (probability > 0.5).astype(np.int64)
    truth = _labels(test_df, label)
    test_group = group_mask(test_df, column, values)
    dppl = bias.posttraining_metrics(
        pd.DataFrame({"group": test_group.astype(int), "label": truth, "pred": predicted}),
        "label", "pred", "group", [1], [1], methods=["DPPL"])["DPPL"]
    return {"rows": int(len(train_df)), "group_rows": int(mask.sum()),
            "group_rate": group_rate, "rest_rate": rest_rate, "gap": group_rate - rest_rate,
            "DPL": clarify_dpl(train_df, column, values, label),
            "accuracy": float(skm.accuracy_score(truth, predicted)),
            "f1": float(skm.f1_score(truth, predicted)),
            "auc": float(skm.roc_auc_score(truth, probability)),
            "group_accuracy": float((predicted[test_group] == truth[test_group]).mean()),
            "group_true_rate": float(truth[test_group].mean()),
            "group_predicted_rate": float(predicted[test_group].mean()),
            "DPPL": dppl}


def compare_remedies(train_df: pd.DataFrame, test_df: pd.DataFrame, column: str = AGE_BAND[0],
                     values=AGE_BAND[1], *, label: str = data.LABEL, seed: int = 0
                     ) -> pd.DataFrame:
    """:func:`evaluate_remedy` for the data as collected, undersampled and SMOTE-oversampled:
    one row each, plus ``rows_lost`` (original rows removed) and ``rows_added`` (synthetic)."""
    versions = {
        "as collected": train_df,
        "undersample group positives": undersample_positive(train_df, column, values,
                                                            label=label, seed=seed),
        "SMOTE group negatives": smote_oversample(train_df, column, values, label=label,
                                                  seed=seed),
    }
    rows = {}
    for name, frame in versions.items():
        result = evaluate_remedy(frame, test_df, column, values, label=label, seed=seed)
        kept = frame.index.intersection(train_df.index)
        result["rows_lost"] = int(len(train_df) - len(kept))
        result["rows_added"] = int(len(frame) - len(kept))
        rows[name] = result
    return pd.DataFrame(rows).T
