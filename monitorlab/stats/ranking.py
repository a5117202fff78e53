"""Clarify's SHAP aggregation and NDCG, with no AWS in them.

* :func:`aggregate`: one global attribution per feature from local SHAP values, Clarify's
  ``agg_method`` (``mean_abs``, ``median``, ``mean_sq``).
* :func:`ndcg`: how far the live ranking of the features has moved from the baseline ranking.

Source: DG clarify-model-monitor-feature-attribution-drift and
clarify-config-json-monitor-model-explainability-parameters. The monitor that computes SHAP
values on captured traffic and writes Clarify's files is :mod:`monitorlab.monitoring.attribution`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Clarify's ``agg_method`` choices.
AGG_METHODS = ("mean_abs", "median", "mean_sq")


def _check_choice(value: str, choices: tuple[str, ...], name: str) -> str:
    if value not in choices:
        raise ValueError(f"{name} must be one of {list(choices)}, got {value!r}")
    return value


def aggregate(values: pd.DataFrame, agg_method: str = "mean_abs") -> dict[str, float]:
    """Global SHAP value per feature from local values φ (rows x features), Clarify's ``agg_method``:

    * ``mean_abs`` (default): mean |φ| over rows;
    * ``median``: median of φ (signed: a feature that lowers every prediction is negative);
    * ``mean_sq``: mean φ² over rows.

    Source: DG clarify-config-json-monitor-model-explainability-parameters; SDK ``SHAPConfig``.
    """
    _check_choice(agg_method, AGG_METHODS, "agg_method")
    if len(values) == 0:
        raise ValueError("aggregate() needs at least one row of SHAP values")
    phi = values.to_numpy(dtype=np.float64)
    if agg_method == "mean_abs":
        result = np.abs(phi).mean(axis=0)
    elif agg_method == "median":
        result = np.median(phi, axis=0)
    else:
        result = (phi ** 2).mean(axis=0)
    return {str(f): float(v) for f, v in zip(values.columns, result)}


# ---------------------------------------------------------------------------------------------
# NDCG
# ---------------------------------------------------------------------------------------------

def ndcg(baseline: dict[str, float], live: dict[str, float]) -> float:
    """Clarify's NDCG of the live feature ranking against the baseline ranking.

    F = features sorted by baseline attribution a(·), F′ = features sorted by live attribution:

        DCG  = Σᵢ a(f′ᵢ) / log₂(i + 1),  iDCG = Σᵢ a(fᵢ) / log₂(i + 1),  NDCG = DCG / iDCG

    (i = 1..n; the gains are always the *baseline* attributions; DG
    clarify-model-monitor-feature-attribution-drift). The docs' example, baseline (0.70, 0.50,
    0.05) and live (0.10, 0.20, 0.70), gives 0.6876396241226223 (the docs print 0.69).

    Ties: features with equal live attributions share their positions, each getting the mean gain
    of the tied group (McSherry & Najork 2008) — the average of DCG over every order of the tie.
    This equals ``sklearn.metrics.ndcg_score([baseline], [live])`` (which averages ties by
    default), does not depend on dict order or feature names, and neither rewards nor punishes a
    tie (breaking ties by baseline order would let a window whose attributions are all equal score
    1.0). Ties in the baseline do not matter: iDCG only needs the sorted gains. Clarify's own rule
    is not documented.

    Raises ``ValueError`` when the feature sets differ (naming the missing features), a value is
    not finite, a baseline attribution is negative (gains must be >= 0; rank by ``abs`` first, as
    :func:`attribution_ndcg` does), or every baseline attribution is 0 (iDCG = 0: nothing to rank).
    """
    features = _same_features(baseline, live)
    gains = _finite(baseline, features, "baseline")
    scores = _finite(live, features, "live")
    negative = [f for f, g in zip(features, gains) if g < 0]
    if negative:
        raise ValueError(f"baseline attributions must be >= 0 (they are NDCG gains); {negative} "
                         "are negative: rank by absolute value, e.g. {f: abs(v) ...}")
    discounts = 1.0 / np.log2(np.arange(2, len(features) + 2))
    ideal = float(np.sort(gains)[::-1] @ discounts)
    if ideal == 0.0:
        raise ValueError("every baseline attribution is 0, so iDCG = 0 and NDCG is undefined; "
                         "the baseline explains nothing: recompute it on representative data")
    return _tie_averaged_dcg(gains, scores, discounts) / ideal


def _tie_averaged_dcg(gains: np.ndarray, scores: np.ndarray, discounts: np.ndarray) -> float:
    """DCG with the features ordered by decreasing ``scores``, each tied group's gains averaged."""
    _, group, counts = np.unique(-scores, return_inverse=True, return_counts=True)
    mean_gain = np.bincount(group, weights=gains) / counts  # groups in decreasing score order
    return float(np.repeat(mean_gain, counts) @ discounts)


def _same_features(baseline: dict, live: dict) -> list[str]:
    if not baseline:
        raise ValueError("baseline attributions are empty: nothing to rank")
    only_baseline = sorted(set(baseline) - set(live))
    only_live = sorted(set(live) - set(baseline))
    if only_baseline or only_live:
        raise ValueError(f"baseline and live must have the same features: missing from live "
                         f"{only_baseline}, missing from baseline {only_live}")
    return list(baseline)


def _finite(values: dict, features: list[str], side: str) -> np.ndarray:
    array = np.array([values[f] for f in features], dtype=np.float64)
    bad = [f for f, v in zip(features, array) if not np.isfinite(v)]
    if bad:
        raise ValueError(f"{side} attributions of {bad} are not finite numbers")
    return array
