"""How fast are SHAP attributions and an attribution-drift execution, on one core?

Targets (issue: explainability and SHAP feature-attribution drift):
* SHAP values for a 1,000-row window of the course model, per original feature: <= 2 s;
* one attribution-drift execution for an hourly window (read the captures from moto's S3,
  explain, NDCG, write analysis.json and constraint_violations.json, publish the metrics): <= 3 s.

The process pins itself to one CPU and one BLAS/OpenMP thread before numpy loads. Each figure is
the fastest of several runs (the least disturbed by the machine); the hourly window holds 1,000
captured requests (100 % capture). Also printed for information: the probability-output explainer
(100 background rows), the baseline (2,000 training rows) and the Kernel SHAP cross-check.

Run: .venv/bin/python benchmarks/attribution.py
"""

from __future__ import annotations

import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = "1"
if hasattr(os, "sched_setaffinity"):
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

import time  # noqa: E402
import warnings  # noqa: E402
from datetime import timedelta  # noqa: E402

warnings.filterwarnings("ignore")

from monitorlab import attribution, data, model, scenarios  # noqa: E402
from monitorlab.account.clock import COURSE_EPOCH  # noqa: E402
from monitorlab.course import setup  # noqa: E402

SHAP_TARGET, EXECUTION_TARGET = 2.0, 3.0
ROWS, HOURS, REPEATS = 1000, 4, 5


def best_of(function, repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def line(what: str, seconds: float, target: float | None = None) -> None:
    ratio = f"; target {target:.0f} s, ratio {seconds / target:.3f}" if target else ""
    print(f"{what:<62} {seconds * 1000:8.1f} ms{ratio}")


def shap_figures(course_model, train, window):
    explainer = attribution.FeatureExplainer(course_model)
    line(f"SHAP {ROWS} rows, log-odds, per feature + mean_abs",
         best_of(lambda: explainer.explain(window).global_values()), SHAP_TARGET)
    line(f"SHAP {ROWS} rows incl. building the explainer",
         best_of(lambda: attribution.shap_values(course_model, window).global_values()), SHAP_TARGET)
    probability = attribution.FeatureExplainer(course_model, output="probability",
                                               background=train.sample(100, random_state=0))
    line(f"SHAP {ROWS} rows, probability (interventional, 100 background)",
         best_of(lambda: probability.explain(window), repeats=2))
    line("baseline: 2,000 training rows",
         best_of(lambda: attribution.suggest_baseline(explainer, train), repeats=3))
    line("Kernel SHAP cross-check (30 rows, 10 background, 300 samples)",
         best_of(lambda: attribution.kernel_shap_agreement(course_model, window), repeats=1))
    return explainer


def execution_figures(explainer, train):
    course = setup(sampling_percentage=100)
    course.endpoint.replay(scenarios.generate_traffic("none", hours=HOURS, requests_per_hour=ROWS))
    config = attribution.ExecutionConfig(
        explainer=explainer, baseline=attribution.suggest_baseline(explainer, train),
        capture_uri=course.capture_uri, endpoint=course.endpoint.endpoint_name,
        schedule="attribution-hourly", output_uri=f"s3://{course.account.bucket}/reports")
    monitor = attribution.AttributionMonitor(course.client("s3"), course.client("cloudwatch"), config)
    times, records = [], []
    for hour in range(1, HOURS + 1):
        start = time.perf_counter()
        records.append(monitor.execute(COURSE_EPOCH + timedelta(hours=hour)))
        times.append(time.perf_counter() - start)
    course.sandbox.stop()
    assert all(r["Rows"] == ROWS and r["MonitoringExecutionStatus"] == "Completed"
               for r in records), records
    line(f"execution, hourly window of {ROWS} rows (first)", times[0], EXECUTION_TARGET)
    line(f"execution, hourly window of {ROWS} rows (best of {HOURS})", min(times), EXECUTION_TARGET)


def main() -> None:
    course_model = model.course_model()
    train = data.load_adult("train")
    window = data.load_adult("test").sample(ROWS, random_state=0)
    print(f"one core: {sorted(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else '?'}")
    explainer = shap_figures(course_model, train, window)
    execution_figures(explainer, train)


if __name__ == "__main__":
    main()
