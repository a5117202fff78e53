"""Module 03 (data quality and drift): the lab grades as designed, and every expected value of its
trusted checks (``grader/checks/lab03_drift.py``, issue 14) equals what the engine computes, over
the hidden inputs of several grading runs (seeds):

* task 1: :func:`monitorlab.stats.drift.linf_simple` / ``linf_robust`` (and scipy's ``ks_2samp``);
  every drawn pair keeps the old literals' structure, so each typical wrong answer keeps its score;
* tasks 2, 3 and 6: the lab's own run (``lab_literals``: its locked cells, executed here) gives the
  violation pairs, the trial schedule's noise and shift, and the figure's spikes and alarms.
"""

import math
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import ks_2samp

from monitorlab.stats import drift

from grader.checks import lab03_drift as checks
from grader.choices import questions
from grader.testing import cell_sources
from grader.trusted import draw_inputs, forbidden_uses

ROOT = Path(__file__).resolve().parent.parent
LAB = "lab03_drift"
LECTURE = ROOT / "course" / "03_drift.ipynb"
SOLUTION = ROOT / "solutions" / LAB / f"{LAB}.ipynb"
SEEDS = range(12)


def drawn(seed: int) -> dict:
    """The hidden inputs of one grading run (``grader.trusted.draw_inputs``)."""
    return draw_inputs({c.grade_id: c for c in checks.CHECKS}, seed)


def collapsed_ks(ref, cur) -> float:
    """The ``deequ_collapse`` case's ``ks_distance``: the KS statistic over distinct values only."""
    ref, cur = np.unique(np.asarray(ref, dtype=float)), np.unique(np.asarray(cur, dtype=float))
    points = np.concatenate([ref, cur])
    return float(np.max(np.abs(np.searchsorted(ref, points, side="right") / len(ref)
                               - np.searchsorted(cur, points, side="right") / len(cur))))


# --------------------------------------------------------------------------------------------
# How the lab's literals are measured
# --------------------------------------------------------------------------------------------

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
# 2. Grading: untouched release 0, each typical mistake its exact score (solution: test_notebooks)
# --------------------------------------------------------------------------------------------

def test_untouched_and_every_case_grade_exactly():
    from grader.testing import grading_mismatches

    assert grading_mismatches(LAB, max_total=29) == {}


def test_release_holds_no_solution_and_no_hidden_test():
    from grader.notebooks import read_notebook

    release = "\n".join(c.source for c in read_notebook(ROOT / "labs" / LAB / f"{LAB}.ipynb").cells)
    solution = "\n".join(c.source for c in read_notebook(SOLUTION).cells)
    assert "BEGIN HIDDEN TESTS" not in solution          # converted: the checks module holds them
    for marker in ["BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "searchsorted", 'NEXT_STEP = "D"',
                   "notBreaching", "_expected_pairs", "SPIKES_DAY1 == ", repr(checks.AGE_NOISE_MAX),
                   "completeness_check')"]:
        assert marker not in release, marker


# --------------------------------------------------------------------------------------------
# 3. Every expected value of the trusted checks equals what the engine computes
# --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sources():
    return cell_sources(SOLUTION)


def test_task1_expected_values_are_the_engine_distances():
    # the visible pair is Deequ's own test vector (KLLDistanceTest.scala): 0.25 and 0.0
    assert checks.expected_simple(*checks.TASK1_VISIBLE) == drift.linf_simple([1, 2, 3, 4], [2, 3, 4, 5]) == 0.25
    assert checks.expected_robust(*checks.TASK1_VISIBLE) == 0.0
    for seed in SEEDS:
        inputs = drawn(seed)["task1-distances-tests"]
        assert inputs["visible"] == checks.TASK1_VISIBLE
        for ref, cur in inputs["simple"]:
            expected = checks.expected_simple(ref, cur)
            assert expected == drift.linf_simple(ref, cur)
            assert math.isclose(expected, ks_2samp(ref, cur).statistic, abs_tol=1e-12)
            assert len(ref) != len(cur) and len(set(ref)) < len(ref) and len(set(cur)) < len(cur)
            # repeats matter: the deequ_collapse case fails both hidden simple pairs
            assert abs(collapsed_ks(ref, cur) - expected) > 1e-3
            assert collapsed_ks(ref, cur) == pytest.approx(checks.collapsed_simple(ref, cur), abs=1e-12)
        for ref, cur, kwargs in inputs["robust"]:
            expected = checks.expected_robust(ref, cur, kwargs.get("c_alpha"))
            assert expected == drift.linf_robust(ref, cur, **kwargs)
            correction = drift.robust_correction(len(ref), len(cur), kwargs.get("c_alpha", 1.8))
            assert expected == max(0.0, ks_2samp(ref, cur).statistic - correction) or math.isclose(
                expected, ks_2samp(ref, cur).statistic - correction, abs_tol=1e-12)
        (shifted, shifted_cur, none), (even, even_cur, other), (low, low_cur, none2) = inputs["robust"]
        assert none == none2 == {} and other["c_alpha"] != drift.DEFAULT_C_ALPHA
        # a shifted range: no repeated value on either side, a clearly positive robust distance
        assert shifted == list(range(len(shifted)))
        assert shifted_cur == list(range(shifted_cur[0], shifted_cur[0] + len(shifted_cur)))
        assert checks.expected_robust(shifted, shifted_cur) > 0.02
        # another c_alpha changes the result; every value repeats equally often, so collapsing
        # repeats leaves the statistic (the deequ_collapse case passes every robust pair)
        assert checks.expected_robust(even, even_cur, other["c_alpha"]) > 0.02
        assert abs(checks.expected_robust(even, even_cur, other["c_alpha"])
                   - checks.expected_robust(even, even_cur)) > 1e-3
        assert collapsed_ks(even, even_cur) == pytest.approx(drift.linf_simple(even, even_cur), abs=1e-12)
        # floored: without max(0, ...) the answer is clearly negative (robust_without_floor)
        correction = drift.robust_correction(len(low), len(low_cur))
        assert checks.expected_robust(low, low_cur) == 0.0
        assert max(drift.linf_simple(low, low_cur), collapsed_ks(low, low_cur)) < correction - 0.01
    assert drawn(0) == drawn(0) and drawn(0) != drawn(1)


def test_task1_solution_matches_the_engine_on_every_drawn_pair(sources):
    namespace: dict = {"np": np, "math": math}
    exec(sources["task1-distances-answer"], namespace)  # noqa: S102  (our own notebook's cell)
    for seed in SEEDS:
        inputs = drawn(seed)["task1-distances-tests"]
        for ref, cur in inputs["simple"]:
            assert namespace["ks_distance"](ref, cur) == pytest.approx(checks.expected_simple(ref, cur), abs=1e-12)
        for ref, cur, kwargs in inputs["robust"]:
            assert namespace["robust_distance"](ref, cur, **kwargs) == pytest.approx(
                checks.expected_robust(ref, cur, kwargs.get("c_alpha")), abs=1e-12)


def test_task1_cases_keep_their_exact_task_score_on_every_seed():
    """The grading proof runs one random seed; here the task-1 cases' answers meet the scorer on
    many: deequ_collapse loses both hidden simple pairs, robust_without_floor both floored pairs."""
    from grader.cases.lab03_drift import _COLLAPSE, _DISTANCES, _NO_FLOOR, _SOLUTION_ROBUST

    answers = {3.5: _DISTANCES % (_COLLAPSE, _SOLUTION_ROBUST), 5.0: _DISTANCES % ("", _NO_FLOOR),
               6.0: _DISTANCES % ("", _SOLUTION_ROBUST)}
    for seed in range(200):
        inputs = drawn(seed)["task1-distances-tests"]
        for points, answer in answers.items():
            namespace: dict = {"np": np, "math": math}
            exec(answer, namespace)  # noqa: S102  (the cases file's answers)

            def call(name, *args, **kwargs):
                return {"value": namespace[name](*args, **kwargs)}

            values = {"visible": [call("ks_distance", *inputs["visible"]),
                                  call("robust_distance", *inputs["visible"])],
                      "simple": [call("ks_distance", np.array(ref), np.array(cur)) for ref, cur in inputs["simple"]],
                      "robust": [call("robust_distance", ref, cur, **kw) for ref, cur, kw in inputs["robust"]]}
            assert checks.score_task1(values, inputs)[0] == points, (seed, points)


def test_task1_forbids_the_engine_distances(sources):
    assert forbidden_uses(checks.TASK1, {"task1-distances-answer": sources["task1-distances-answer"]}) == []
    engine = ("from monitorlab.stats import drift\n"
              "def ks_distance(ref, cur):\n    return drift.linf_simple(ref, cur)\n")
    found = forbidden_uses(checks.TASK1, {"task1-distances-answer": engine})
    assert len(found) == 2 and all("0 points" in m for m in found)
    scipy = "from scipy.stats import ks_2samp  # linf_robust\nks_distance = lambda a, b: ks_2samp(a, b).statistic\n"
    assert forbidden_uses(checks.TASK1, {"task1-distances-answer": scipy}) == [
        "✗ task1-distances-answer uses monitorlab's ks_2samp, the function this task asks you to "
        "write yourself: 0 points for this task"]


@pytest.fixture(scope="module")
def literals():
    return lab_literals()


def test_task2_pairs_are_the_engine_violations(literals):
    assert literals["pairs"] == checks.VIOLATION_PAIRS == {
        ("education_num", "completeness_check"), ("hours_per_week", "baseline_drift_check"),
        ("workclass", "baseline_drift_check"), ("workclass", "categorical_values_check")}


def test_task3_interval_is_the_trial_schedule(sources, literals):
    assert literals["statuses"].count("Failed") == 0
    assert (checks.AGE_NOISE_MAX, checks.AGE_SHIFT_MIN) == (literals["noise"], literals["shift"])
    assert 0.1 < literals["noise"] < literals["shift"] - 0.05      # a real gap to put a threshold in
    namespace: dict = {"records": [{"Drift": {"age": literals["noise"]}}] * 24
                       + [{"Drift": {"age": literals["shift"]}}] * 24}
    exec(sources["task3-threshold-answer"], namespace)  # noqa: S102
    threshold = namespace["AGE_OVERRIDES"]["distribution_constraints"]["comparison_threshold"]
    assert literals["noise"] <= threshold < literals["shift"]


def test_task6_answers_are_what_the_figure_shows(literals):
    assert literals["day1_points"] == 24
    assert (literals["spikes"], literals["alarms"]) == (checks.SPIKES_DAY1, checks.ALARMS_DAY1) == (3, 0)
    # the spikes are isolated (no two within three hours), which is why 2 of 3 stays quiet
    positions = literals["spike_positions"]
    assert all(b - a > 2 for a, b in zip(positions, positions[1:]))
    assert literals["first_alarm"].isoformat() == "2026-01-06T03:00:00+00:00"


def test_choice_keys_are_the_solutions_letters(sources):
    right = {q.variable: q.right for q in questions(ROOT, LAB)}
    key = {name: letter for name, (letter, _) in checks.TASK5_KEY.items()}
    key |= {"PIPELINE_BUG": checks.PIPELINE_BUG, "NEXT_STEP": checks.NEXT_STEP,
            "WHY_QUIET": checks.WHY_QUIET}
    assert right == key


def test_the_scorers_give_right_values_full_marks_and_messages_for_wrong_ones():
    """Scorers alone, on values the kernel would emit: right values full, wrong values less + why."""
    t1 = drawn(3)["task1-distances-tests"]
    right = {"visible": [{"value": 0.25}, {"value": 0.0}],
             "simple": [{"value": checks.expected_simple(*p)} for p in t1["simple"]],
             "robust": [{"value": {"__obj__": "float64", "repr": "x",
                                  "float": checks.expected_robust(r, c, k.get("c_alpha"))}}
                        for r, c, k in t1["robust"]]}
    assert checks.score_task1(right, t1) == (6.0, [])
    wrong = {**right, "visible": [{"raised": "NotImplementedError: "}, {"value": "0.0"}],
             "simple": [{"value": [0.25]}, right["simple"][1]]}
    points, msgs = checks.score_task1(wrong, t1)
    assert points == 4.25 and len(msgs) == 2 and "not written yet" in msgs[0]   # "0.0" reads as 0.0
    t2 = {"pairs": {"value": [list(p) for p in checks.VIOLATION_PAIRS][:3] + [["age", "completeness_check"]]},
          "bug": {"value": {"__obj__": "str_", "str": "c"}}, "next": {"value": "B"}}
    points, msgs = checks.score_task2(t2, {})
    assert points == 2.5 and msgs[0].startswith("✗ VIOLATION_PAIRS: 3 of 4") and msgs[1].startswith("✗ NEXT_STEP")
    assert checks.score_task2({"pairs": {"raised": "TypeError: x"}, "bug": {}, "next": {}}, {})[0] == 0
    t3 = {"noise": {"value": checks.AGE_NOISE_MAX}, "shift": {"value": "0.2792699855655538"},
          "overrides": {"value": {"comparison_threshold": {"__obj__": "float64", "float": 0.2}}}}
    assert checks.score_task3(t3, {}) == (4.0, [])
    t3["overrides"] = {"value": {"distribution_constraints": {"comparison_method": "Robust",
                                                              "comparison_threshold": 0.2}}}
    assert checks.score_task3(t3, {})[0] == 2.0
    alarm = {"AlarmName": "adult-income-hours-drift", "MetricName": checks.ALARM["MetricName"],
             "Namespace": checks.ALARM["Namespace"],
             "Dimensions": [{"Name": k, "Value": v} for k, v in checks.ALARM["Dimensions"].items()],
             **{k: checks.ALARM[k] for k in ("Period", "EvaluationPeriods", "DatapointsToAlarm",
                                             "Statistic", "Threshold", "ComparisonOperator",
                                             "TreatMissingData", "AlarmActions")}}
    assert checks.score_task4({"config": {"value": alarm}}, {}) == (5.0, [])
    numpy_period = {**alarm, "Period": {"__obj__": "int64", "float": 3600.0}}
    points, msgs = checks.score_task4({"config": {"value": numpy_period}}, {})
    assert points == 4.5 and msgs[0].startswith("✗ put_metric_alarm rejected it: Invalid type for parameter Period")
    assert checks.score_task4({"config": {"value": None}}, {})[0] == 0.0
    t6 = {"spikes": {"value": {"__obj__": "int64", "float": 3.0}}, "alarms": {"value": False},
          "why": {"value": " b "}}
    points, msgs = checks.score_task6(t6, {})
    assert points == 2.0 and msgs[0].startswith("✗ ALARMS_DAY1")
    assert checks.score_task6({**t6, "spikes": {"value": "3"}}, {})[0] == 1.0


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
