"""Module 07 (attribution drift): the lecture and lab run, the lab grades as designed, and every
literal in the lab's hidden tests equals what the engine (or a named reference) computes.

The hidden tests' inputs are read back from the solution's test cells (the ``_t1_*``, ``_t2_*``
assignments are plain literals) and their expected values recomputed here:

* task 1: NDCG with :func:`monitorlab.monitoring.ranking.ndcg`, DCG with ``sklearn.metrics.dcg_score``
  (the same discount 1/log2(i+1)); the 13-feature case is the course baseline and the lab's last
  window, rounded to 4 decimals;
* task 2: :func:`monitorlab.monitoring.ranking.aggregate`;
* task 3: the windows :func:`monitorlab.monitoring.attribution.drift_violations` flags;
* task 4: the lab's own monitoring run (its setup cell, executed here);
* task 5: the schedule the engine's cron parser reads.
"""

import ast
import math
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import dcg_score

from grader.notebooks import read_notebook
from grader.testing import cell_sources, hidden_test_source
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



def literals(source: str, *names: str) -> dict:
    """Evaluate the top-level assignments to ``names`` in a test cell, in order (literals, and
    subscripts of earlier ones); nothing else in the cell runs."""
    def assigned(target) -> set:
        return {e.id for e in getattr(target, "elts", [target]) if isinstance(e, ast.Name)}

    namespace: dict = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(assigned(t) & set(names) for t in node.targets):
            exec(compile(ast.Module([node], []), "<test cell>", "exec"), namespace)  # noqa: S102
    missing = [n for n in names if n not in namespace]
    assert not missing, f"assignments {missing} not found in the test cell"
    return {n: namespace[n] for n in names}


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
# 2. Grading: solution full marks, untouched release 0, each typical mistake its exact score
# --------------------------------------------------------------------------------------------

def test_solution_untouched_and_every_case_grade_exactly():
    from grader.testing import grading_mismatches

    assert grading_mismatches(LAB, max_total=FULL_MARKS) == {}


def test_release_holds_no_solution_and_no_hidden_test():
    release = "\n".join(c.source for c in read_notebook(RELEASE).cells)
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


def test_task1_expected_values_are_engine_ndcg_and_sklearn_dcg(sources, run):
    tests = sources["task1-ndcg-tests"]
    found = literals(tests, "_docs_baseline", "_docs_live", "_t1_dcg_cases", "_t1_ndcg_cases")
    docs_b, docs_l = found["_docs_baseline"], found["_docs_live"]
    # visible: the AWS docs' example (SAGEMAKER.md section 7)
    assert ranking.ndcg(docs_b, docs_l) == 0.6876396241226223
    assert f"{sklearn_dcg(docs_b, docs_l)!r}, 0.5" in tests and "0.6876396241226223, 0.5" in tests
    for baseline, live, expected in found["_t1_dcg_cases"]:
        assert expected == sklearn_dcg(baseline, live)
        assert len(set(live.values())) == len(live)          # no ties: the task promises none
    for baseline, live, expected in found["_t1_ndcg_cases"]:
        # within an ulp, not ==: ndcg's dot product runs on BLAS, whose kernel (and last bit)
        # depends on the CPU (0.6032052786648969 on one machine, ...968 on another). The hidden
        # test itself compares with rel_tol=1e-9.
        assert math.isclose(expected, ranking.ndcg(baseline, live), rel_tol=1e-14, abs_tol=0)
        assert math.isclose(expected, sklearn_dcg(baseline, live) / sklearn_dcg(baseline, baseline),
                            rel_tol=1e-12)
        assert len(set(live.values())) == len(live)
    # the 13-feature case is the course baseline and the lab's last window, rounded
    baseline13, live13, _ = found["_t1_ndcg_cases"][2]
    assert baseline13 == {f: round(v, 4) for f, v in run["baseline"].items()}
    assert live13 == {f: round(v, 4) for f, v in run["last_window"].items()}
    # the other checks: an equal order scores exactly 1, an all-zero baseline is refused
    assert ranking.ndcg({"a": 0.9, "b": 0.3, "c": 0.1}, {"c": 0.02, "a": 4.0, "b": 0.5}) == 1.0
    with pytest.raises(ValueError, match="iDCG = 0"):
        ranking.ndcg({"a": 0.0, "b": 0.0, "c": 0.0}, {"a": 0.3, "b": 0.2, "c": 0.1})


def test_task2_expected_values_are_engine_aggregates(sources, run):
    tests = sources["task2-aggregate-tests"]
    found = literals(tests, "_t2_phi", "_t2_features", "_t2_hidden_phi", "_t2_hidden_features", "_t2_hidden")
    hidden = pd.DataFrame(found["_t2_hidden_phi"], columns=found["_t2_hidden_features"])
    assert set(found["_t2_hidden"]) == set(ranking.AGG_METHODS)
    for method, expected in found["_t2_hidden"].items():
        assert expected == list(ranking.aggregate(hidden, method).values()), method
    # the visible 3x3 answers, written as fractions in the cell
    visible = pd.DataFrame(found["_t2_phi"], columns=found["_t2_features"])
    for method, written in {"mean_abs": "[1.5, 2.0, 1 / 6]", "median": "[0.5, -1.0, 0.0]",
                            "mean_sq": "[35 / 12, 14 / 3, 0.125 / 3]"}.items():
        assert f'"{method}", {written}' in tests
        np.testing.assert_allclose(eval(written), list(ranking.aggregate(visible, method).values()),  # noqa: S307
                                   rtol=1e-12)
    # a median of |phi| or a root of mean_sq would fail both hidden checks
    assert list(ranking.aggregate(hidden.abs(), "median").values()) != found["_t2_hidden"]["median"]
    # PHI is the window the monitor explained: its mean |phi| is the analysis.json it wrote
    phi = pd.DataFrame(run["phi"], columns=data.FEATURES)
    assert ranking.aggregate(phi, "mean_abs") == pytest.approx(run["last_window"], rel=1e-12)


def test_task3_expected_windows_are_the_engines_violations(sources):
    cases = calls(sources["task3-windows-tests"], "_t3_points")
    assert len(cases) == 4                       # one visible, three hidden
    thresholds = []
    for arguments, expected, *_ in cases:
        scores, threshold = arguments[0], (arguments[1] if len(arguments) > 1 else at.DEFAULT_THRESHOLD)
        flagged = at.drift_violations(scores, threshold)["violations"]
        assert sorted(v["label"] for v in flagged) == expected
        thresholds.append(threshold)
    assert any(0.9 in c[0][0].values() for c in cases) and 0.95 in thresholds


def test_task4_answers_are_what_the_lab_run_shows(sources, run):
    tests = hidden_test_source(LAB)
    statuses = [r["MonitoringExecutionStatus"] for r in run["records"]]
    assert statuses == ["Completed"] * 5 + ["CompletedWithViolations"] * 3
    assert run["first_flagged"] == datetime(2026, 1, 5, 6, tzinfo=timezone.utc)
    assert 'pd.Timestamp("2026-01-05T06:00:00Z")' in tests
    risen = max(run["first_values"], key=run["first_values"].get)
    assert risen == "education_num" and max(run["baseline"], key=run["baseline"].get) == "marital_status"
    assert 'RISEN_FEATURE == "education_num"' in tests
    # native_country: drifted for data quality from the 02:00 window on, never an attribution violation
    distances = run["distances"]
    changed = distances.columns[(distances.loc[2:4] > 0.1).all()].tolist()
    assert changed == ["native_country"] and (distances.loc[:1] < 0.1).all().all()
    assert all(r["Ndcg"]["label0"] >= 0.9 for r in run["records"][:5])
    assert 'QUIET_CHANGE == "native_country"' in tests
    # the wrong answer in the cases file is the start of that window, not the scheduled time
    assert run["records"][5]["WindowStart"] == datetime(2026, 1, 5, 5, tzinfo=timezone.utc)


def test_task5_schedule_and_type_are_what_the_engine_reads(sources, run):
    tests = sources["task5-config-tests"]
    assert parse_schedule("cron(0 0/6 ? * * *)") == (0, 6)
    assert r're.fullmatch(r"cron\(0 0?0/0?6 \? \* \* \*\)"' in tests
    assert run["records"][0]["MonitoringType"] == "ModelExplainability"
    assert 'MONITORING_TYPE == "ModelExplainability"' in tests
    assert {"median"} <= set(ranking.AGG_METHODS)
