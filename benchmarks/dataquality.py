"""Benchmark: one data-quality monitoring execution over 1,000,000 rows x 12 features.

Ours: ``monitorlab.monitoring.dataquality.run_checks`` = window ``statistics.json`` (typed by the baseline,
KLL sketches included) + every check (data type, completeness, categorical values, baseline drift
against the baseline *file*, missing/extra columns) + the CloudWatch metric values.

Reference, same process, same data: ``scipy.stats.ks_2samp`` per numeric feature (raw baseline
column vs raw window column) and plain pandas ``value_counts(normalize=True)`` L-infinity per
categorical feature. It computes less than we do (no statistics file, no other checks) and needs
the raw training data; we need only the baseline files.

Pinned to one CPU (``sched_setaffinity`` where available, BLAS threads 1). Targets: <= 2.5 s and
<= 1.5 GiB peak. Run: ``.venv/bin/python benchmarks/dataquality.py``.
"""

import os

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import copy  # noqa: E402
from collections import Counter  # noqa: E402
import resource  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from scipy import stats  # noqa: E402

from monitorlab import baseline, dataquality  # noqa: E402

ROWS = 1_000_000
NUMERIC = [f"num_{i}" for i in range(8)]
CATEGORICAL = [f"cat_{i}" for i in range(4)]
REPEATS = 3


def make_frame(seed: int, shift: float) -> pd.DataFrame:
    """8 numeric (normal, lognormal, integer, uniform) and 4 categorical columns, ~0.5% missing."""
    rng = np.random.default_rng(seed)
    columns = {}
    for i, name in enumerate(NUMERIC):
        kind = i % 4
        if kind == 0:
            values = rng.normal(50.0 + shift * i, 10.0, ROWS)
        elif kind == 1:
            values = rng.lognormal(1.0 + shift / 10, 0.5, ROWS)
        elif kind == 2:
            values = rng.integers(0, 100 + int(shift * 10), ROWS).astype(np.float64)
        else:
            values = rng.uniform(0.0, 1.0 + shift, ROWS)
        values[rng.random(ROWS) < 0.005] = np.nan
        columns[name] = values
    for i, name in enumerate(CATEGORICAL):
        levels = np.array([f"level_{j}" for j in range(5 + 10 * i)], dtype=object)
        weights = rng.dirichlet(np.ones(len(levels)) * (1 + shift))
        values = levels[rng.choice(len(levels), ROWS, p=weights)]
        values[rng.random(ROWS) < 0.005] = None
        columns[name] = values
    return pd.DataFrame(columns)


def reference(train: pd.DataFrame, window: pd.DataFrame) -> dict[str, float]:
    distances = {}
    for name in NUMERIC:
        distances[name] = stats.ks_2samp(train[name].dropna().to_numpy(),
                                         window[name].dropna().to_numpy()).statistic
    for name in CATEGORICAL:
        ref = train[name].value_counts(normalize=True)
        cur = window[name].value_counts(normalize=True)
        distances[name] = float(ref.sub(cur, fill_value=0.0).abs().max())
    return distances


def best_time(function, *args):
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        result = function(*args)
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    train, window = make_frame(seed=1, shift=0.0), make_frame(seed=2, shift=0.05)
    started = time.perf_counter()
    statistics, constraints = baseline.suggest_baseline(train)
    baseline_seconds = time.perf_counter() - started

    ours_seconds, report = best_time(dataquality.run_checks, window, statistics, constraints)
    theirs_seconds, truth = best_time(reference, train, window)

    simple = copy.deepcopy(constraints)
    simple["monitoring_config"]["distribution_constraints"]["comparison_method"] = "Simple"
    tracemalloc.start()
    simple_drift = dataquality.run_checks(window, statistics, simple).drift
    traced_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    numeric_error = max(abs(simple_drift[n].value - truth[n]) for n in NUMERIC)
    categorical_error = max(abs(simple_drift[n].value - truth[n]) for n in CATEGORICAL)
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux

    print(f"data: {ROWS:,} rows x {len(NUMERIC)} numeric + {len(CATEGORICAL)} categorical features, "
          f"cores used: {len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else '?'}")
    print(f"suggest_baseline (once, not compared):   {baseline_seconds:6.2f} s")
    print(f"ours   run_checks (statistics + checks): {ours_seconds:6.2f} s  (best of {REPEATS})")
    print(f"theirs ks_2samp + value_counts:          {theirs_seconds:6.2f} s  (best of {REPEATS})")
    print(f"ratio ours / theirs:                     {ours_seconds / theirs_seconds:6.2f}")
    kinds = Counter(v["constraint_check_type"] for v in report.constraint_violations["violations"])
    print(f"violations: {dict(sorted(kinds.items()))}, metrics: {len(report.metrics)}")
    print(f"max |our linf_simple - ks_2samp| (numeric, KLL sketches): {numeric_error:.5f}")
    print(f"max |our categorical_linf - pandas| (categorical):         {categorical_error:.2e}")
    print(f"peak memory: process RSS {peak_rss:,.0f} MiB (data included); "
          f"run_checks allocations (tracemalloc) {traced_peak / 2**20:,.0f} MiB")


if __name__ == "__main__":
    main()
