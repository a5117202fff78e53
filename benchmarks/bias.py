"""How fast are Clarify's bias metrics in monitorlab.stats.bias on 1,000,000 rows?

Targets: all pre-training metrics for one facet <= 50 ms; all post-training metrics except FT
(a kNN over the whole data set, timed by neither target) <= 0.5 s. If smclarify is importable, it
runs on the same data (bias_report, one facet, FT left out) and the ratio is printed; it is not a
dependency of the project, so this is usually skipped.

Run: .venv/bin/python benchmarks/bias.py
"""

from __future__ import annotations

import logging
import timeit

import numpy as np
import pandas as pd

from monitorlab.stats import bias

ROWS = 1_000_000
REPEATS = 7
POST_WITHOUT_FT = [name for name in bias.POSTTRAINING_METRICS if name != "FT"]


def make_data(rows: int = ROWS, seed: int = 0) -> pd.DataFrame:
    """A seeded loan-approval table: facet ``sex`` (category), ``age`` (float), a 0/1 label, a
    0/1 prediction and a 12-valued group ``region`` (category)."""
    rng = np.random.default_rng(seed)
    sex = rng.choice(np.array(["F", "M"]), size=rows, p=[0.4, 0.6])
    is_female = sex == "F"
    label = (rng.random(rows) < np.where(is_female, 0.35, 0.5)).astype(np.int64)
    flip = rng.random(rows) < 0.15
    return pd.DataFrame({
        "sex": pd.Categorical(sex),
        "age": rng.uniform(18, 90, size=rows).round(0),
        "region": pd.Categorical(rng.integers(0, 12, size=rows).astype(str)),
        "label": label,
        "pred": np.where(flip, 1 - label, label),
    })


def best_of(function, repeats: int = REPEATS) -> float:
    """The fastest of ``repeats`` runs, in seconds (the least disturbed by the machine)."""
    return min(timeit.repeat(function, number=1, repeat=repeats))


def ours(df: pd.DataFrame) -> dict[str, float]:
    text = df.astype({"sex": object, "region": object})
    return {
        "pre-training, facet sex=['F'], 8 metrics": best_of(lambda: bias.pretraining_metrics(
            df, "label", "sex", [1], ["F"], group_variable="region")),
        "pre-training, facet age>40 (threshold), 8 metrics": best_of(lambda: bias.pretraining_metrics(
            df, "label", "age", [1], [40], group_variable="region")),
        "pre-training, facet sex as text (object), 8 metrics": best_of(lambda: bias.pretraining_metrics(
            text, "label", "sex", [1], ["F"], group_variable="region")),
        "post-training, facet sex=['F'], 12 metrics (no FT)": best_of(lambda: bias.posttraining_metrics(
            df, "label", "pred", "sex", [1], ["F"], group_variable="region",
            methods=POST_WITHOUT_FT)),
    }


def theirs(df: pd.DataFrame) -> dict[str, float] | None:
    """smclarify 0.5 on the same data, once (it is slow), or None when it is not installed."""
    try:
        from smclarify.bias import report
    except ImportError:
        return None
    logging.disable(logging.CRITICAL)
    data = df.drop(columns=["age", "region"]).astype({"label": "category", "pred": "category"})
    facet = report.FacetColumn("sex", ["F"])
    label = report.LabelColumn("label", data["label"], [1])
    predicted = report.LabelColumn("pred", data["pred"], [1])
    pre = best_of(lambda: report.bias_report(data, facet, label, report.StageType.PRE_TRAINING,
                                             group_variable=df["region"]), repeats=1)
    post = best_of(lambda: report.bias_report(data, facet, label, report.StageType.POST_TRAINING,
                                              predicted, metrics=POST_WITHOUT_FT,
                                              group_variable=df["region"]), repeats=1)
    return {"pre-training, facet sex=['F'], 8 metrics": pre,
            "post-training, facet sex=['F'], 12 metrics (no FT)": post}


def main() -> None:
    df = make_data()
    print(f"monitorlab.stats.bias on {ROWS:,} rows (best of {REPEATS}):")
    timings = ours(df)
    for what, seconds in timings.items():
        print(f"  {what:<52} {seconds * 1000:8.1f} ms")
    print("  targets: pre-training <= 50 ms, post-training (no FT) <= 500 ms")
    reference = theirs(df)
    if reference is None:
        print("smclarify: not installed, comparison skipped (pip install smclarify to compare)")
        return
    print("smclarify 0.5 on the same data (one run):")
    for what, seconds in reference.items():
        print(f"  {what:<52} {seconds * 1000:8.1f} ms   ({seconds / timings[what]:.0f}x ours)")


if __name__ == "__main__":
    main()
