"""Module 07 (attribution drift): the lab grades as designed, and every expected value of its
trusted checks (``grader/checks/lab07_attribution_drift.py``, issue 14) equals what the engine (or
a named reference) computes, over the hidden inputs of several grading runs (seeds):

* task 1: NDCG with :func:`monitorlab.stats.ranking.ndcg`, DCG with ``sklearn.metrics.dcg_score``
  (the same discount 1/log2(i+1)); every drawn ranking has no ties and moves;
* task 2: :func:`monitorlab.stats.ranking.aggregate`; ``WINDOW_GLOBAL_SHAP`` is the analysis.json
  the lab's monitor wrote for its last window;
* task 3: the windows :func:`monitorlab.monitoring.attribution.drift_violations` flags;
* task 4: the lab's own monitoring run (its setup cell, executed here);
* task 5: the schedule the engine's cron parser reads.
"""

import ast
import json
import math
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import dcg_score

from grader.notebooks import read_notebook
from grader.checks import lab07_attribution_drift as checks
from grader.testing import cell_sources
from monitorlab.monitoring import attribution as at
from monitorlab.serving import data
from monitorlab.stats import drift
from monitorlab.monitoring.monitor import parse_schedule
from monitorlab.stats import ranking

ROOT = Path(__file__).resolve().parent.parent
LAB = "lab07_attribution_drift"
LECTURE = ROOT / "course" / "07_attribution_drift.ipynb"
SOLUTION = ROOT / "solutions" / LAB / f"{LAB}.ipynb"
RELEASE = ROOT / "labs" / LAB / f"{LAB}.ipynb"
FULL_MARKS = 26.0



def calls(source: str, function: str) -> list[tuple]:
    """The literal arguments of every top-level call ``score += function(...)`` in a test cell."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == function:
            found.append(tuple(ast.literal_eval(arg) for arg in node.args))
    return found


def sklearn_dcg(baseline: dict, live: dict) -> float:
    features = list(baseline)
    return float(dcg_score([[baseline[f] for f in features]], [[live[f] for f in features]]))


def lab_run() -> dict:
    """Run the lab's setup cell with the engine; return what tasks 1, 2 and 4 are graded on."""
    namespace: dict = {}
    exec(cell_sources(SOLUTION)["setup"], namespace)  # noqa: S102  (our own notebook's setup cell)
    try:
        records, read_json = namespace["records"], namespace["read_json"]
        course, train = namespace["course"], namespace["train"]
        flagged = [r for r in records if r["MonitoringExecutionStatus"] == "CompletedWithViolations"]
        first = read_json(flagged[0]["Reports"]["analysis.json"])
        distances = {}
        for record in records:
            frame = course.read_window(record["WindowStart"], record["WindowEnd"]).frame
            distances[record["WindowStart"].hour] = {
                f: drift.linf_simple(train[f].to_numpy(float), frame[f].to_numpy(float))
                if f in data.NUMERIC_FEATURES else
                drift.categorical_linf(train[f].astype(str).to_numpy(), frame[f].astype(str).to_numpy())
                for f in data.FEATURES}
        return {"records": records, "first_flagged": flagged[0]["ScheduledTime"],
                "first_values": first["explanations"]["kernel_shap"]["label0"]["global_shap_values"],
                "baseline": namespace["baseline"]["explanations"]["kernel_shap"]["label0"]["global_shap_values"],
                "last_window": namespace["WINDOW_ANALYSIS"]["explanations"]["kernel_shap"]["label0"]["global_shap_values"],
                "phi": namespace["PHI"], "distances": pd.DataFrame(distances).T}
    finally:
        namespace["sb"].stop()


# --------------------------------------------------------------------------------------------
# 1. The lecture and the solution run headless
# --------------------------------------------------------------------------------------------

# --------------------------------------------------------------------------------------------
# 2. Grading: untouched release 0, each typical mistake its exact score (solution: test_notebooks)
# --------------------------------------------------------------------------------------------

def test_untouched_and_every_case_grade_exactly():
    from grader.testing import grading_mismatches

    assert grading_mismatches(LAB, max_total=FULL_MARKS) == {}


def test_release_holds_no_solution_and_no_hidden_test():
    release = "\n".join(c.source for c in read_notebook(RELEASE).cells)
    solution = "\n".join(c.source for c in read_notebook(SOLUTION).cells)
    assert "BEGIN HIDDEN TESTS" not in solution          # converted: the checks module holds them
    for marker in ["BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "0.8792210125320502", "education_num\":",
                   '"median": [', 'QUIET_CHANGE = "native_country"', "use_logit\": True",
                   'KERNEL_VS_TREE = "A"', "2026-01-05T06:00:00Z"]:
        assert marker not in release, marker


# --------------------------------------------------------------------------------------------
# 3. Every literal in the hidden tests equals what the engine computes
# --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sources():
    return cell_sources(SOLUTION)


@pytest.fixture(scope="module")
def run():
    return lab_run()


SEEDS = range(12)


def drawn(seed: int) -> dict:
    """The hidden inputs of one grading run (``grader.trusted.draw_inputs``)."""
    from grader.trusted import draw_inputs

    return draw_inputs({c.grade_id: c for c in checks.CHECKS}, seed)


def test_task1_expected_values_are_engine_ndcg_and_sklearn_dcg(sources):
    # visible: the AWS docs' example (SAGEMAKER.md section 7), printed in the visible cell
    docs_b, docs_l = checks.TASK1_DOCS
    assert checks.expected_ndcg(docs_b, docs_l) == 0.6876396241226223
    assert "0.7154648767857286, 0.5" in sources["task1-ndcg-tests"]
    assert math.isclose(checks.expected_dcg(docs_b, docs_l), 0.7154648767857286, rel_tol=1e-12)
    for seed in SEEDS:
        inputs = drawn(seed)["task1-ndcg-tests"]
        assert inputs["ndcg"][:2] == inputs["dcg"] and len(inputs["ndcg"][2][0]) == 13
        for baseline, live in inputs["dcg"] + inputs["ndcg"] + [inputs["same_order"]]:
            assert len(set(live.values())) == len(live)          # no ties: the task promises none
            assert math.isclose(checks.expected_dcg(baseline, live), sklearn_dcg(baseline, live))
            ideal = sklearn_dcg(baseline, baseline)
            assert math.isclose(checks.expected_ndcg(baseline, live), sklearn_dcg(baseline, live) / ideal,
                                rel_tol=1e-12)
            assert abs(ideal - 1) > 1e-3          # an unnormalised DCG never passes for an NDCG
        for baseline, live in inputs["ndcg"]:
            assert checks.expected_ndcg(baseline, live) < 1.0             # the rankings differ
        assert math.isclose(checks.expected_ndcg(*inputs["same_order"]), 1.0, rel_tol=1e-12)
        assert 0 in inputs["dcg"][1][0].values()
        with pytest.raises(ValueError, match="iDCG = 0"):
            ranking.ndcg(*inputs["all_zero"])
    assert drawn(0) == drawn(0) and drawn(0) != drawn(1)


def test_task2_expected_values_are_engine_aggregates(sources, run):
    tests = sources["task2-aggregate-tests"]
    phi, features = checks.TASK2_VISIBLE
    assert f"_t2_phi = {phi!r}" in tests and f"_t2_features = {json.dumps(features)}" in tests
    visible = pd.DataFrame(phi, columns=features)
    for method, written in {"mean_abs": "[1.5, 2.0, 1 / 6]", "median": "[0.5, -1.0, 0.0]",
                            "mean_sq": "[35 / 12, 14 / 3, 0.125 / 3]"}.items():
        assert f'"{method}", {written}' in tests
        np.testing.assert_allclose(eval(written), list(checks.expected_aggregate(phi, features, method).values()),  # noqa: S307
                                   rtol=1e-12)
        np.testing.assert_allclose(list(ranking.aggregate(visible, method).values()),
                                   list(checks.expected_aggregate(phi, features, method).values()))
    for seed in SEEDS:
        inputs = drawn(seed)["task2-aggregate-tests"]
        hidden = pd.DataFrame(inputs["hidden"][0], columns=inputs["hidden"][1])
        assert hidden.shape == (6, 4) and inputs["unknown"] not in ranking.AGG_METHODS
        # a median of |phi| fails the hidden median check
        assert ranking.aggregate(hidden.abs(), "median") != checks.expected_aggregate(*inputs["hidden"], "median")
    # PHI is the window the monitor explained: its mean |phi| is the analysis.json it wrote,
    # and the checks module's literal is that analysis
    phi = pd.DataFrame(run["phi"], columns=data.FEATURES)
    assert ranking.aggregate(phi, "mean_abs") == pytest.approx(run["last_window"], rel=1e-12)
    assert checks.WINDOW_GLOBAL_SHAP == pytest.approx(run["last_window"], rel=1e-12)
    assert list(checks.WINDOW_GLOBAL_SHAP) == data.FEATURES == checks.COURSE_FEATURES


def test_task3_expected_windows_are_the_engines_violations(sources):
    visible = calls(sources["task3-windows-tests"], "_t3_points")
    assert [c[0] for c in visible] == [tuple(checks.TASK3_VISIBLE)]
    assert checks.expected_windows(*checks.TASK3_VISIBLE) == visible[0][1] == ["02:00"]
    for seed in SEEDS:
        boundary, other, empty = drawn(seed)["task3-windows-tests"]["hidden"]
        assert 0.9 in boundary[0].values() and len(checks.expected_windows(*boundary)) == 1
        scores, threshold = other
        flagged = checks.expected_windows(scores, threshold)
        assert threshold > at.DEFAULT_THRESHOLD and threshold not in scores.values()
        assert len(flagged) == 2 and [n for n in scores if n in flagged] != flagged   # unsorted
        assert any(at.DEFAULT_THRESHOLD <= scores[n] for n in flagged)   # needs the threshold
        assert checks.expected_windows(*empty) == []


def test_task4_answers_are_what_the_lab_run_shows(run):
    statuses = [r["MonitoringExecutionStatus"] for r in run["records"]]
    assert statuses == ["Completed"] * 5 + ["CompletedWithViolations"] * 3
    assert run["first_flagged"].isoformat() == checks.FIRST_FLAGGED
    risen = max(run["first_values"], key=run["first_values"].get)
    assert risen == checks.RISEN_FEATURE and max(run["baseline"], key=run["baseline"].get) == "marital_status"
    # native_country: drifted for data quality from the 02:00 window on, never an attribution violation
    distances = run["distances"]
    changed = distances.columns[(distances.loc[2:4] > 0.1).all()].tolist()
    assert changed == [checks.QUIET_CHANGE] and (distances.loc[:1] < 0.1).all().all()
    assert all(r["Ndcg"]["label0"] >= 0.9 for r in run["records"][:5])
    # the wrong answer in the cases file is the start of that window, not the scheduled time
    assert run["records"][5]["WindowStart"] == datetime(2026, 1, 5, 5, tzinfo=timezone.utc)


def test_task5_schedule_and_type_are_what_the_engine_reads(run):
    assert parse_schedule("cron(0 0/6 ? * * *)") == (0, 6)
    assert run["records"][0]["MonitoringType"] == "ModelExplainability"
    assert {"median"} <= set(ranking.AGG_METHODS)


def test_the_scorers_give_the_solution_values_full_marks_and_messages_for_wrong_ones():
    """Scorers alone, on values the kernel would emit: right values full, wrong values 0 + why."""
    inputs = drawn(5)
    t1 = inputs["task1-ndcg-tests"]
    right = {"docs_dcg": {"value": checks.expected_dcg(*t1["docs"])},
             "docs_ndcg": {"value": checks.expected_ndcg(*t1["docs"])},
             "dcg": [{"value": checks.expected_dcg(*c)} for c in t1["dcg"]],
             "ndcg": [{"value": checks.expected_ndcg(*c)} for c in t1["ndcg"]],
             "same_order": {"value": 1.0}, "all_zero": {"value_error": True, "raised": "ValueError: x"}}
    assert checks.score_task1(right, t1) == (6.0, [])
    wrong = {**right, "same_order": {"value": {"__obj__": "str", "repr": "'1.0'"}},
             "all_zero": {"value": 0.0}}
    points, msgs = checks.score_task1(wrong, t1)
    assert points == 4.75 and len(msgs) == 2
    t4 = {"first": {"value": "2026-01-05T05:00:00+00:00"}, "risen": {"value": "education_num"},
          "quiet": {"value": {"__obj__": "str_", "str": "native_country"}}, "action": {"value": "c"}}
    points, msgs = checks.score_task4(t4, {})
    assert points == 3.0 and msgs[0].startswith("✗ FIRST_FLAGGED")
