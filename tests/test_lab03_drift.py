"""Module 03 (data quality and drift): the lecture and lab run, the lab grades as designed, and every
literal in the lab's hidden tests equals what the engine computes.

``distance_cases`` and ``lab_literals`` are how the literals were made: the tests re-run them and
look for the results in the solution's hidden-test source, so an engine change (distances, checks,
schedule runner, alarm evaluation, traffic) that would silently make a hidden test wrong fails
here instead.
"""

import math
from pathlib import Path

import pytest

from monitorlab.stats import drift

from grader.testing import cell_sources

ROOT = Path(__file__).resolve().parent.parent
LAB = "lab03_drift"
LECTURE = ROOT / "course" / "03_drift.ipynb"
SOLUTION = ROOT / "solutions" / LAB / f"{LAB}.ipynb"

# Task 1's hidden inputs: (name, ref, cur, c_alpha or None for the default).
SIMPLE_CASES = [
    ("ties", [0, 0, 0, 1, 2, 2], [0, 1, 1, 1, 2, 2, 2, 3]),
    ("modular", [(7 * i) % 23 for i in range(60)], [(5 * i) % 17 + 3 for i in range(45)]),
]
ROBUST_CASES = [
    ("shifted range", list(range(100)), [x + 40 for x in range(60)], None),
    ("repeats, c_alpha 1.36", [i % 50 for i in range(400)], [(i % 50) + 12 for i in range(300)], 1.36),
    ("floored at 0", [(7 * i) % 23 for i in range(60)], [(5 * i) % 17 + 3 for i in range(45)], None),
]


# --------------------------------------------------------------------------------------------
# How the hidden-test literals are made
# --------------------------------------------------------------------------------------------

def distance_cases() -> dict[str, list[float]]:
    """Task 1's expected values, from ``monitorlab.stats.drift`` (the true KS statistic, no collapse)."""
    return {
        "simple": [drift.linf_simple(ref, cur) for _, ref, cur in SIMPLE_CASES],
        "robust": [drift.linf_robust(ref, cur) if c is None else drift.linf_robust(ref, cur, c_alpha=c)
                   for _, ref, cur, c in ROBUST_CASES],
    }



def lab_literals() -> dict:
    """Run the lab's locked cells with the engine; return what tasks 2, 3 and 6 grade.

    ``pairs``: the (feature, check) pairs of the release hour's ``constraint_violations.json``;
    ``noise``/``shift``: the largest day-1 and smallest day-2 Simple ``age`` distance of the trial
    schedule; ``spikes``/``alarms``: day-1 ``age`` datapoints above 0.1 and day-1 transitions into
    ALARM of the 2-of-3 alarm.
    """
    import matplotlib

    matplotlib.use("Agg")
    import pandas as pd

    from monitorlab.monitoring import monitor

    sources = cell_sources(SOLUTION)
    namespace: dict = {}
    exec(sources["setup"], namespace)  # noqa: S102  (our own notebook's cells)
    try:
        exec(sources["task2-run"], namespace)  # noqa: S102
        report = monitor.read_report(namespace["s3"], namespace["VIOLATIONS_URI"])
        age = [record["Drift"]["age"] for record in namespace["records"]]
        exec(sources["task6-figure"], namespace)  # noqa: S102
        end_of_day1 = pd.Timestamp("2026-01-06T00:00:00Z")
        metric = namespace["age_metric"]
        day1 = metric[metric.index <= end_of_day1]
        return {
            "pairs": {(v["feature_name"], v["constraint_check_type"]) for v in report["violations"]},
            "noise": max(age[:24]), "shift": min(age[24:]),
            "statuses": [r["MonitoringExecutionStatus"] for r in namespace["records"]],
            "day1_points": len(day1), "spikes": int((day1 > 0.1).sum()),
            "alarms": sum(1 for e in namespace["evaluations"]
                          if e.changed and e.new_state == "ALARM" and e.timestamp <= end_of_day1),
            "first_alarm": next(e.timestamp for e in namespace["evaluations"] if e.new_state == "ALARM"),
            "spike_positions": [i for i, value in enumerate(age[:24]) if value > 0.1],
        }
    finally:
        namespace["sb"].stop()


# --------------------------------------------------------------------------------------------
# 2. Grading: solution full marks, untouched release 0, each typical mistake its exact score
# --------------------------------------------------------------------------------------------

def test_solution_untouched_and_every_case_grade_exactly():
    from grader.testing import grading_mismatches

    assert grading_mismatches(LAB, max_total=29) == {}


def test_release_holds_no_solution_and_no_hidden_test():
    from grader.notebooks import read_notebook

    release = "\n".join(c.source for c in read_notebook(ROOT / "labs" / LAB / f"{LAB}.ipynb").cells)
    expected = distance_cases()
    for marker in ["BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "searchsorted", 'PIPELINE_BUG = "C"',
                   "notBreaching", "_expected_pairs", "SPIKES_DAY1 == ",
                   *map(repr, expected["simple"] + expected["robust"][:2])]:
        assert marker not in release, marker


# --------------------------------------------------------------------------------------------
# 3. Every literal in the hidden tests equals what the engine computes
# --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sources():
    return cell_sources(SOLUTION)


def test_task1_literals_are_the_engine_distances(sources):
    tests = sources["task1-distances-tests"]
    expected = distance_cases()
    assert expected["simple"][0] != drift.linf_simple(*SIMPLE_CASES[0][1:], deequ_compat=True)  # repeats matter
    assert "np.array([0, 0, 0, 1, 2, 2]), np.array([0, 1, 1, 1, 2, 2, 2, 3])), " + repr(expected["simple"][0]) in tests
    assert "[(5 * i) % 17 + 3 for i in range(45)]), " + repr(expected["simple"][1]) in tests
    assert "[x + 40 for x in range(60)]), {}, " + repr(expected["robust"][0]) in tests
    assert "{\"c_alpha\": 1.36}, " + repr(expected["robust"][1]) in tests
    assert expected["robust"][2] == 0.0 and "range(45)]), {}, 0.0, 0.5)" in tests
    # the visible pair is Deequ's own test vector (KLLDistanceTest.scala): 0.25 and 0.0
    assert drift.linf_simple([1, 2, 3, 4], [2, 3, 4, 5]) == 0.25
    assert drift.linf_robust([1, 2, 3, 4], [2, 3, 4, 5]) == 0.0


def test_task1_solution_matches_the_engine(sources):
    import numpy as np

    namespace: dict = {"np": np, "math": math}
    exec(sources["task1-distances-answer"], namespace)  # noqa: S102
    for _, ref, cur in SIMPLE_CASES:
        assert namespace["ks_distance"](ref, cur) == pytest.approx(drift.linf_simple(ref, cur), abs=1e-12)
    for _, ref, cur, c in ROBUST_CASES:
        kwargs = {} if c is None else {"c_alpha": c}
        assert namespace["robust_distance"](ref, cur, **kwargs) == pytest.approx(
            drift.linf_robust(ref, cur, **kwargs), abs=1e-12)


@pytest.fixture(scope="module")
def literals():
    return lab_literals()


def test_task2_pairs_are_the_engine_violations(sources, literals):
    assert literals["pairs"] == {("education_num", "completeness_check"),
                                 ("hours_per_week", "baseline_drift_check"),
                                 ("workclass", "baseline_drift_check"),
                                 ("workclass", "categorical_values_check")}
    assert f"_expected_pairs = {sorted(literals['pairs'])!r}".replace("[", "{").replace("]", "}") \
        in sources["task2-violations-tests"]


def test_task3_interval_is_the_trial_schedule(sources, literals):
    assert literals["statuses"].count("Failed") == 0
    assert 0.1 < literals["noise"] < literals["shift"] - 0.05      # a real gap to put a threshold in
    assert f"_noise, _shift = {literals['noise']!r}, {literals['shift']!r}" in sources["task3-threshold-tests"]
    namespace: dict = {"records": [{"Drift": {"age": literals["noise"]}}] * 24
                       + [{"Drift": {"age": literals["shift"]}}] * 24}
    exec(sources["task3-threshold-answer"], namespace)  # noqa: S102
    threshold = namespace["AGE_OVERRIDES"]["distribution_constraints"]["comparison_threshold"]
    assert literals["noise"] <= threshold < literals["shift"]


def test_task6_answers_are_what_the_figure_shows(sources, literals):
    assert literals["day1_points"] == 24
    assert literals["spikes"] == 3 and literals["alarms"] == 0
    # the spikes are isolated (no two within three hours), which is why 2 of 3 stays quiet
    positions = literals["spike_positions"]
    assert all(b - a > 2 for a, b in zip(positions, positions[1:]))
    assert literals["first_alarm"].isoformat() == "2026-01-06T03:00:00+00:00"
    tests = sources["task6-figure-tests"]
    assert f"SPIKES_DAY1 == {literals['spikes']!r}" in tests
    assert f"ALARMS_DAY1 == {literals['alarms']!r}" in tests


# --------------------------------------------------------------------------------------------
# Engine behaviour the lecture states and the engine tests do not cover
# --------------------------------------------------------------------------------------------

def test_chi_square_does_not_see_a_new_category_but_linf_does():
    reference = {"a": 500, "b": 300, "c": 200}
    current = {"a": 300, "b": 180, "c": 120, "new": 400}      # 40 % new, taken evenly from the rest
    assert drift.chi_square(reference, current).p_value > 0.99
    assert drift.categorical_linf(reference, current) == pytest.approx(0.4)


def test_chi_square_p_value_falls_with_rows_while_linf_stays():
    reference = {"a": 5000, "b": 3000, "c": 2000}
    p_values = []
    for rows in (200, 2_000, 20_000):
        current = {"a": 0.47 * rows, "b": 0.33 * rows, "c": 0.20 * rows}
        assert drift.categorical_linf(reference, current) == pytest.approx(0.03)
        p_values.append(drift.chi_square(reference, current).p_value)
    assert p_values[0] > 0.5 > 0.01 > p_values[2]


def test_robust_correction_at_the_lecture_window_sizes():
    assert drift.robust_correction(32_561, 200) == pytest.approx(0.1277, abs=1e-4)
    assert drift.robust_correction(32_561, 100) == pytest.approx(0.1803, abs=1e-4)
    assert drift.robust_correction(32_561, 150) == pytest.approx(0.147, abs=1e-3)   # lab task 5e
