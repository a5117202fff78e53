"""Benchmark: ``monitorlab.stats.drift.linf_simple`` vs ``scipy.stats.ks_2samp`` on raw samples.

Learners call ``linf_simple`` on raw windows (a training column against a day of captures), so it
must cost no more CPU than scipy for the same number, and give exactly the same number (issue 15).
Cases: two 1,000,000-row normal columns (a small shift), the same with ties (integers 0-100), and
1,000,000 baseline rows against a 10,000-row window. CPU time (``time.process_time``), best of
``REPEATS``, pinned to one CPU (``sched_setaffinity`` where available, BLAS threads 1).
Target: ratio ours / scipy <= 1.0 in every case, and ``equal`` True.
Run: ``.venv/bin/python benchmarks/drift.py``.
"""

import os

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import time  # noqa: E402

import numpy as np  # noqa: E402
from scipy import stats  # noqa: E402

from monitorlab.stats import drift  # noqa: E402

ROWS = 1_000_000
REPEATS = 5


def cases() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(0)
    return {
        "normal 1M vs 1M": (rng.normal(0.0, 1.0, ROWS), rng.normal(0.01, 1.0, ROWS)),
        "integers 1M vs 1M (ties)": (rng.integers(0, 100, ROWS).astype(float),
                                     rng.integers(0, 101, ROWS).astype(float)),
        "normal 1M vs 10k": (rng.normal(0.0, 1.0, ROWS), rng.normal(0.05, 1.0, 10_000)),
    }


def best_cpu(function, *args) -> tuple[float, float]:
    """(best CPU seconds over REPEATS, the value returned)."""
    best, value = float("inf"), None
    for _ in range(REPEATS):
        start = time.process_time()
        value = function(*args)
        best = min(best, time.process_time() - start)
    return best, value


def main() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    print(f"{'case':28s} {'ours s':>8s} {'scipy s':>8s} {'ratio':>6s}  equal")
    for name, (ref, cur) in cases().items():
        ours_seconds, ours = best_cpu(drift.linf_simple, ref, cur)
        theirs_seconds, theirs = best_cpu(lambda a, b: stats.ks_2samp(a, b).statistic, ref, cur)
        print(f"{name:28s} {ours_seconds:8.3f} {theirs_seconds:8.3f} "
              f"{ours_seconds / theirs_seconds:6.2f}  {ours == theirs}")


if __name__ == "__main__":
    main()
