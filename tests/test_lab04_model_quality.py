"""Module 04 (model quality with late labels): the lecture and lab run, the lab grades as designed,
and every literal in the lab's hidden tests equals what the engine computes.

The constants and functions at the top are how those literals were made: the frames of task 1
(expected answers from ``modelquality.merge``), the confusion matrices of task 2 (expected metrics
from ``model_metrics.binary_metrics``) and the numbers of task 5 (``groundtruth``). The tests re-run
them and look for the results in the solution's hidden-test source, so an engine change that
would silently make a hidden test wrong fails here instead.
"""

import math
from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from monitorlab.monitoring import groundtruth, modelquality as mq
from monitorlab.account.clock import COURSE_EPOCH
from monitorlab.serving.scenarios import generate_traffic
from monitorlab.stats import model_metrics
from grader.testing import cell_sources

ROOT = Path(__file__).resolve().parent.parent
LAB = "lab04_model_quality"
LECTURE = ROOT / "course" / "04_model_quality.ipynb"
SOLUTION = ROOT / "solutions" / LAB / f"{LAB}.ipynb"
T0 = pd.Timestamp(COURSE_EPOCH)

# Task 1: (captures, labels, inferenceId missing stored as NaN?) -- visible, then hidden.
TASK1_VISIBLE = (
    {"eventId": ["e-01", "e-02", "e-03", "e-04"],
     "inferenceId": ["loan-7", "loan-8", None, "loan-9"],
     "prediction": [0.82, 0.35, 0.61, 0.12]},
    {"eventId": ["loan-7", "e-03", "loan-9", "loan-4"],
     "groundTruth": ["1", "0", "0", "1"]},
    False,
)
TASK1_HIDDEN = [
    ({"eventId": ["c1", "c2", "c3", "c4", "c5"],
      "inferenceId": [None, "app-20", "", "app-40", None],
      "prediction": [0.9, 0.2, 0.7, 0.55, 0.05]},
     {"eventId": ["app-40", "c3", "c1", "app-20", "c5", "app-77"],
      "groundTruth": ["1", "1", "0", "0", "0", "1"]},
     True),
    ({"eventId": ["ev-a", "ev-b", "ev-c", "ev-d"],
      "inferenceId": ["order-1", "order-2", "order-3", "order-4"],
      "prediction": [0.3, 0.8, 0.6, 0.1]},
     {"eventId": ["ev-a", "order-2", "ev-c", "order-4", "order-9"],
      "groundTruth": ["0", "1", "1", "0", "1"]},
     False),
    ({"eventId": ["x1", "x2", "x3", "x4", "x5", "x6"],
      "inferenceId": ["p-1", "p-2", "p-3", None, "p-5", "p-6"],
      "prediction": [0.66, 0.41, 0.93, 0.27, 0.58, 0.74]},
     {"eventId": ["p-3", "p-1", "zz-9", "p-3", "x4", "p-6", "zz-9", "p-1"],
      "groundTruth": ["0", "1", "1", "1", "0", "0", "0", "0"]},
     False),
]
# Task 2: confusion matrices {actual: {predicted: count}}.
TASK2_HIDDEN = [
    {"0": {"0": 9650, "1": 150}, "1": {"0": 60, "1": 140}},
    {"0": {"0": 40, "1": 35}, "1": {"0": 5, "1": 120}},
    {"0": {"0": 90, "1": 0}, "1": {"0": 10, "1": 0}},
]
TASK2_KEYS = ("precision", "recall", "accuracy", "f1", "f2", "false_positive_rate")
# Task 5 and the setup cell: the lab's traffic and labels.
LAB_TRAFFIC = {"hours": 48, "requests_per_hour": 40, "change_hour": 24, "seed": 3}
OFFSETS = ("-PT0H", "-P1D", "-P2D", "-P3D", "-P4D")


# --------------------------------------------------------------------------------------------
# How the hidden-test literals are made
# --------------------------------------------------------------------------------------------

def task1_frames(case):
    captures, labels, as_nan = case
    captures = pd.DataFrame(captures)
    if as_nan:
        captures["inferenceId"] = [np.nan if v is None else v for v in captures["inferenceId"]]
    return captures, pd.DataFrame(labels)


def task1_expected(case):
    """(matched eventIds in capture order, their labels, unmatched predictions, orphan labels)."""
    result = mq.merge(*task1_frames(case))
    return ([str(v) for v in result.frame["eventId"]], [float(v) for v in result.frame["groundTruth"]],
            result.unmatched_predictions, result.orphan_labels)


def task2_expected(cm):
    """The engine's metrics for rows laid out as ``cm`` (probability 0 or 1, threshold 0.5)."""
    cells = [(a, p, cm[a][p]) for a in "01" for p in "01"]
    y = np.concatenate([np.full(n, int(a)) for a, _, n in cells])
    probability = np.concatenate([np.full(n, float(p)) for _, p, n in cells])
    metrics = model_metrics.binary_metrics(y, probability, 0.5)
    assert metrics["confusion_matrix"] == cm
    return {k: metrics[k] for k in TASK2_KEYS}


def lab_labels():
    traffic = generate_traffic("concept_drift", **LAB_TRAFFIC)
    return traffic, groundtruth.simulate_labels(traffic, seed=LAB_TRAFFIC["seed"])


def expected_fraction(days: int) -> float:
    """Expected labelled fraction of a one-day window ending ``days`` before the execution."""
    run = T0 + pd.Timedelta(days=10)
    return groundtruth.ArrivalModel().window_fraction(run - timedelta(days=days + 1),
                                                      run - timedelta(days=days), run)



@pytest.fixture(scope="module")
def sources():
    return cell_sources(SOLUTION)


# --------------------------------------------------------------------------------------------
# 1. The lecture and the solution run headless
# --------------------------------------------------------------------------------------------

# --------------------------------------------------------------------------------------------
# 2. Grading: solution full marks, untouched release 0, each typical mistake its exact score
# --------------------------------------------------------------------------------------------

def test_solution_untouched_and_every_case_grade_exactly():
    from grader.testing import grading_mismatches

    assert grading_mismatches(LAB, max_total=36) == {}


def test_release_holds_no_solution_and_no_hidden_test():
    from grader.notebooks import read_notebook

    release = "\n".join(c.source for c in read_notebook(ROOT / "labs" / LAB / f"{LAB}.ipynb").cells)
    hidden = [repr(task1_expected(case)) for case in TASK1_HIDDEN] + \
             [repr(task2_expected(cm)) for cm in TASK2_HIDDEN]
    for marker in ["BEGIN SOLUTION", "BEGIN HIDDEN TESTS", 'MISSED_FRAUD = "C"', "drop_duplicates",
                   '"GreaterThanThreshold"', "0.7125", "3 to 4 days old", *hidden]:
        assert marker not in release, marker


# --------------------------------------------------------------------------------------------
# 3. Every literal in the hidden tests equals what the engine computes
# --------------------------------------------------------------------------------------------

def test_task1_literals_are_engine_merges(sources):
    tests = sources["task1-merge-tests"]
    visible = TASK1_VISIBLE
    assert (f"{visible[0]!r},\n                       {visible[1]!r},\n                       "
            f"{visible[2]!r}, {task1_expected(visible)!r}, 1.5") in tests
    for captures, labels, as_nan in TASK1_HIDDEN:
        expected = task1_expected((captures, labels, as_nan))
        assert f"({captures!r},\n     {labels!r},\n     {as_nan!r},\n     {expected!r})" in tests
    # the cases cover what they claim: NaN and '' fall back, wrong keys orphan, last label wins
    assert task1_expected(TASK1_HIDDEN[0])[2:] == (0, 1)
    assert task1_expected(TASK1_HIDDEN[1]) == (["ev-b", "ev-d"], [1.0, 0.0], 2, 3)
    assert task1_expected(TASK1_HIDDEN[2])[1] == [0.0, 1.0, 0.0, 0.0]


def test_task1_solution_agrees_with_the_engine_on_random_frames(sources):
    namespace: dict = {"pd": pd, "np": np}
    exec(sources["task1-merge-answer"], namespace)  # noqa: S102  (our own solution cell)
    rng = np.random.default_rng(11)
    for _ in range(25):
        n = int(rng.integers(1, 30))
        ids = [f"i{k}" for k in rng.integers(0, 40, n)]
        missing = rng.random(n) < 0.3
        captures = pd.DataFrame({
            "eventId": [f"e{k}" for k in range(n)],
            "inferenceId": [(np.nan if rng.random() < 0.5 else "") if m else i for m, i in zip(missing, ids)],
            "prediction": rng.random(n)})
        captures = captures.drop_duplicates("inferenceId").reset_index(drop=True)  # ids are unique on AWS
        pool = [f"i{k}" for k in range(40)] + [f"e{k}" for k in range(30)]
        labels = pd.DataFrame({"eventId": rng.choice(pool, int(rng.integers(0, 40))).astype(object)})
        labels["groundTruth"] = rng.integers(0, 2, len(labels)).astype(str)
        merged, unmatched, orphans = namespace["merge_labels"](captures, labels)
        engine = mq.merge(captures, labels)
        assert merged["eventId"].tolist() == engine.frame["eventId"].tolist()
        assert merged["groundTruth"].tolist() == engine.frame["groundTruth"].tolist()
        assert (unmatched, orphans) == (engine.unmatched_predictions, engine.orphan_labels)


def test_task2_literals_are_engine_metrics(sources):
    tests = sources["task2-metrics-tests"]
    for cm in TASK2_HIDDEN:
        assert f"({cm!r},\n     {task2_expected(cm)!r})" in tests
    namespace: dict = {}
    exec(sources["task2-metrics-answer"], namespace)  # noqa: S102
    for cm in TASK2_HIDDEN:
        got, want = namespace["metrics_from_confusion"](cm), task2_expected(cm)
        assert all(math.isclose(got[k], want[k], rel_tol=1e-12, abs_tol=1e-15) for k in TASK2_KEYS)


def test_task5_literals_are_engine_values(sources):
    tests = sources["task5-latency-tests"]
    _, labels = lab_labels()
    drifted = groundtruth.labelled_fraction(labels, T0 + pd.Timedelta(hours=24),
                                            T0 + pd.Timedelta(hours=48), T0 + pd.Timedelta(hours=48))
    assert f"abs(float(DRIFTED_LABELLED_48) - {drifted!r}) <= 0.005" in tests
    assert expected_fraction(2) == pytest.approx(0.7125, abs=1e-12)
    assert "abs(float(EXPECTED_AT_P2D) - 0.7125) <= 0.005" in tests
    first = next(text for days, text in enumerate(OFFSETS) if expected_fraction(days) >= 0.8)
    assert first == "-P3D" and f'END_OFFSET == "{first}"' in tests


def test_lab_setup_shows_what_the_tasks_say(sources):
    """The setup cell, run with the engine: no violation at hour 48 although the drifted day is in
    the window (task 5's answer B), a violation at hour 72, and the labels of task 5."""
    namespace: dict = {}
    exec(sources["setup"].replace("import warnings; warnings.filterwarnings(\"ignore\")", ""),  # noqa: S102
         namespace)
    try:
        records = namespace["records"]
        assert records[48]["MonitoringExecutionStatus"] == "Completed"
        assert records[72]["MonitoringExecutionStatus"] == "CompletedWithViolations"
        assert records[72]["ViolatedMetrics"] == ["f1"]
        assert records[48]["WindowEnd"] - records[48]["WindowStart"] == timedelta(days=2)
        _, labels = lab_labels()
        pd.testing.assert_frame_equal(namespace["labels"], labels)
        cm = namespace["STATS_72"]["binary_classification_metrics"]["confusion_matrix"]
        assert sum(sum(row.values()) for row in cm.values()) == records[72]["Counts"]["matched"]
    finally:
        namespace["sb"].stop()


def test_lecture_label_latency_numbers():
    """The lecture's table and recap: ~7 %, ~34 %, ~71 %, 90 % labelled for end offsets 0-3 days."""
    assert [round(expected_fraction(d), 3) for d in range(4)] == [0.072, 0.338, 0.713, 0.9]
    assert groundtruth.ArrivalModel().never == pytest.approx(0.1)
    drift = generate_traffic("concept_drift", hours=96, requests_per_hour=60, change_hour=48)
    plain = generate_traffic("none", hours=96, requests_per_hour=60, change_hour=48)
    assert drift.features().equals(plain.features())
    changed = (drift.requests["label"] != plain.requests["label"]).groupby(drift.requests["hour"] // 24).mean()
    assert changed[0] == changed[1] == 0 and (changed[2:] > 0.2).all()  # "more than one label in five"
