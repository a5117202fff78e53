"""Module 06 (post-training bias and bias drift): the lecture and lab run, the lab grades as designed,
and every literal in the lab's hidden tests (and the numbers the lecture's text quotes) equals what
the engine computes.

The functions at the top are how the literals were made; the tests re-run them and look for the
results in the solution's source, so an engine change that would silently make a hidden test wrong
fails here instead.
"""

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from monitorlab.stats import bias
from monitorlab.monitoring import biasdrift, clarify_files, groundtruth
from monitorlab.serving import data, scenarios
from monitorlab.maintenance import remedies
from monitorlab.account.clock import COURSE_EPOCH, as_utc
from monitorlab.course import setup
from monitorlab.serving.model import course_model, predict_proba
from monitorlab.monitoring.monitor import ScheduleRunner
from grader.testing import cell_sources

ROOT = Path(__file__).resolve().parent.parent
LAB = "lab06_bias_drift"
LECTURE = ROOT / "course" / "06_bias_drift.ipynb"
SOLUTION = ROOT / "solutions" / LAB / f"{LAB}.ipynb"
T0 = as_utc(COURSE_EPOCH)

# Task 1: (is_d, predicted) of the visible and hidden cases, in the order of the test cell.
T, F = True, False
TASK1_VISIBLE = ([T, T, T, F, F, F, F], [1, 0, 0, 1, 1, 0, 0])
TASK1_HIDDEN = [
    ([T, T, F, F, F, F], [1, 1, 1, 0, 0, 0]),
    ([T, F, F, T, F], [1, 0, 0, 0, 0]),
    ([T, F, F], [0, 0, 0]),
    ([1, 0, 1, 0, 1, 0, 1, 0], [1, 1, 0, 0, 0, 0, 0, 0]),
    ([T, F, T, T, F, F, F, T, F, F], [F, T, T, F, T, T, F, F, F, T]),
]
# Task 5: the lab's windows come from this run of the bias_drift scenario.
TASK5_RUN = {"seed": 3, "hours": 144, "requests_per_hour": 30, "change_hour": 72}
TASK5_MARGINS = {"DI": 0.08, "RD": 0.2}
CONFIG = {"label": "label", "label_values_or_threshold": [1],
          "facet": [{"name_or_index": "sex", "value_or_threshold": ["Female"]}]}


def engine_dppl_di(is_d, predicted) -> tuple[float, float]:
    a, d = bias.confusion_by_facet(np.asarray(is_d, dtype=bool), np.zeros(len(is_d), dtype=bool),
                                   np.asarray(predicted, dtype=bool))
    return (bias.difference_in_positive_proportions(a.predicted_positives, a.n, d.predicted_positives, d.n),
            bias.disparate_impact(a, d))



def run_cells(*grade_ids) -> dict:
    """Run some of the solution's cells (setup first) and return their namespace."""
    sources = cell_sources(SOLUTION)
    namespace: dict = {}
    try:
        for gid in ("setup",) + grade_ids:
            exec(sources[gid], namespace)  # noqa: S102  (our own notebook's cells)
    finally:
        if "sb" in namespace:
            namespace["sb"].stop()
    return namespace


def lab_windows() -> tuple[list[tuple], dict, dict]:
    """Task 5's table: the completed executions of a daily bias drift monitor (offsets -P3D/-P2D,
    DI and RD watched with margins) over :data:`TASK5_RUN`; and the baseline's and the limits'
    DPPL/DI/RD values, rounded to 4 decimals as the lab prints them."""
    course = setup()
    try:
        runner = ScheduleRunner(course.clock)
        traffic = scenarios.generate_traffic("bias_drift", hours=TASK5_RUN["hours"],
                                             requests_per_hour=TASK5_RUN["requests_per_hour"],
                                             change_hour=TASK5_RUN["change_hour"], seed=TASK5_RUN["seed"])
        course.endpoint.replay(traffic)
        labels = groundtruth.simulate_labels(traffic, seed=TASK5_RUN["seed"])
        s3, cloudwatch = course.client("s3"), course.client("cloudwatch")
        ground_truth = f"s3://{course.account.bucket}/ground-truth"
        end = T0 + pd.Timedelta(hours=TASK5_RUN["hours"])
        groundtruth.upload_ground_truth(s3, ground_truth, labels, up_to=end + pd.Timedelta(days=4))
        train = data.load_adult("train")
        baseline = biasdrift.suggest_baseline(train[data.FEATURES + ["label"]],
                                              predict_proba(course_model(), train), CONFIG)
        watched = biasdrift.with_tolerance(biasdrift.select_metrics(baseline, ["DI", "RD"]), TASK5_MARGINS)
        job = biasdrift.BiasDriftJob(course.endpoint.endpoint_name, "adult-income-bias", course.capture_uri,
                                     ground_truth, f"s3://{course.account.bucket}/bias-drift", CONFIG,
                                     baseline=watched, start_offset="-P3D", end_offset="-P2D")
        runner.add(job.schedule(s3, cloudwatch, "cron(0 0 ? * * *)"))
        rows = []
        for r in runner.run(until=end + pd.Timedelta(days=3)):
            if r["MonitoringExecutionStatus"] == "Failed":
                continue
            m = r["Metrics"]
            rows.append((f"{r['WindowStart']:%Y-%m-%d}", f"{r['ScheduledTime']:%Y-%m-%d}", r["Counts"]["matched"],
                         round(m["sex/Female/DPPL"], 4), round(m["sex/Female/DI"], 4),
                         round(m["sex/Female/RD"], 4), [k.split("/")[-1] for k in r["ViolatedMetrics"]]))
        short = lambda values, names: {k.split("/")[-1]: round(v, 4) for k, v in values.items()
                                       if k.split("/")[-1] in names}
        return (rows, short(biasdrift.metric_values(baseline), ("DPPL", "DI", "RD")),
                short(biasdrift.metric_values(watched), ("DI", "RD")))
    finally:
        course.sandbox.stop()


# --------------------------------------------------------------------------------------------
# 1. The lecture and the solution run headless
# --------------------------------------------------------------------------------------------

# --------------------------------------------------------------------------------------------
# 2. Grading: solution full marks, untouched release 0, each typical mistake its exact score
# --------------------------------------------------------------------------------------------

def test_solution_untouched_and_every_case_grade_exactly():
    from grader.testing import grading_mismatches

    assert grading_mismatches(LAB, max_total=25) == {}


def test_release_holds_no_solution_and_no_hidden_test():
    from grader.notebooks import read_notebook

    release = "\n".join(c.source for c in read_notebook(ROOT / "labs" / LAB / f"{LAB}.ipynb").cells)
    for marker in ["BEGIN SOLUTION", "BEGIN HIDDEN TESTS", 'FLAGGED = {"DPPL"', 'LONE_FLAG = "B"',
                   '"2026-01-11"', "_task1_hidden", "0.41666666666666663, 0.375", "-72.0, -48.0"]:
        assert marker not in release, marker


# --------------------------------------------------------------------------------------------
# 3. Every literal in the hidden tests equals what the engine computes
# --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sources():
    return cell_sources(SOLUTION)


def test_task1_literals_are_the_engines(sources):
    tests = sources["task1-tests"]
    dppl, di = engine_dppl_di(*TASK1_VISIBLE)
    assert f"{dppl!r}, {di!r}, 0.5" in tests
    for is_d, predicted in TASK1_HIDDEN:
        dppl, di = engine_dppl_di(is_d, predicted)
        di_text = "math.inf" if math.isinf(di) else repr(di)
        assert f"{dppl!r}, {di_text})" in tests, (is_d, dppl, di)
    hidden = [engine_dppl_di(*case) for case in TASK1_HIDDEN]
    assert hidden[1][1] == math.inf and hidden[2] == (0.0, 0.0) and hidden[3] == (0.0, 1.0)
    # the solution's functions agree with the engine on every case
    namespace = {"np": np, "math": math}
    exec(sources["task1-answer"], namespace)  # noqa: S102
    for case in [TASK1_VISIBLE] + TASK1_HIDDEN:
        assert (namespace["dppl"](*case), namespace["disparate_impact"](*case)) == pytest.approx(engine_dppl_di(*case))


def test_task2_answer_is_the_engines_violations_file(sources):
    namespace = run_cells("task2-data")
    file = clarify_files.bias_drift_violations(namespace["BASELINE"], namespace["CURRENT"])
    flagged = {v["metric_name"] for v in file["violations"]}
    assert flagged == {"DPPL", "DI", "AD", "TE", "GE"}
    assert 'FLAGGED = {"DPPL", "DI", "AD", "TE", "GE"}' in sources["task2-answer"]
    tests = sources["task2-tests"]
    for name in ("DPPL", "DI", "RD", "AD", "TE", "GE", "FT", "DCR"):
        assert f'"{name}": ({name in flagged}, ' in tests


def test_task4_solution_is_a_valid_monitor_and_the_hidden_rules_match_the_engine(sources):
    namespace = run_cells("task4-answer")
    config = namespace["ANALYSIS_CONFIG"]
    job = biasdrift.BiasDriftJob("adult-income", "s", "s3://b/c", "s3://b/g", "s3://b/o", config,
                                 probability_threshold=namespace["PROBABILITY_THRESHOLD"],
                                 start_offset=namespace["START_OFFSET"], end_offset=namespace["END_OFFSET"])
    start, end = job.window(T0)
    assert ((start - T0).total_seconds() / 3600, (end - T0).total_seconds() / 3600) == (-72.0, -48.0)
    tests = sources["task4-tests"]
    assert "(-72.0, -48.0)" in tests and "== 0.7" in tests
    # the facet literal: which ages the engine puts in facet d for value_or_threshold [60]
    ages = [17, 45, 59, 60, 61, 75, 90]
    mask = bias.select(pd.Series(ages, name="age"), config["facet"][0]["value_or_threshold"]).mask.tolist()
    assert f"_ages = {ages!r}" in tests and f"_wanted = {mask!r}" in tests
    # the list the wrong-answer case uses is equality, as the inline rule assumes
    assert bias.select(pd.Series(ages, name="age"), [61, 90]).mask.tolist() != mask
    labels = bias.positive_labels(pd.Series([0, 1, 1, 0], name="label"), config["label_values_or_threshold"])
    assert labels.mask.tolist() == [False, True, True, False]


@pytest.mark.filterwarnings("ignore")
def test_task5_table_is_what_the_engine_produces(sources):
    rows, base, limits = lab_windows()
    data_cell = sources["task5-data"]
    for row in rows:
        assert repr(row) in data_cell, row
    assert f"LIMITS = {limits!r}" in data_cell
    assert f"BASELINE_VALUES = {base!r}" in data_cell
    assert f"DI below {limits['DI']} or RD above {limits['RD']}" in " ".join(
        cell_sources(SOLUTION)["task5-md"].split())
    # the answers: the first window from which DI and RD stay flagged, and its execution date
    flagged = [set(r[6]) == {"DI", "RD"} for r in rows]
    first = next(i for i in range(len(rows)) if all(flagged[i:]))
    assert (rows[first][0], rows[first][1]) == ("2026-01-08", "2026-01-11")
    assert sum(bool(r[6]) for r in rows[:first]) == 1 and rows[1][6] == ["DI"]    # the lone flag
    assert 'CHANGE_WINDOW = "2026-01-08"' in sources["task5-answer"]
    assert 'REPORTED_ON = "2026-01-11"' in sources["task5-answer"]


# --------------------------------------------------------------------------------------------
# 4. The numbers the lecture's text quotes
# --------------------------------------------------------------------------------------------

def test_lecture_numbers():
    people = data.load_adult("test").sample(6000, random_state=0).reset_index(drop=True)
    people["probability"] = predict_proba(course_model(), people)
    frame = people[data.FEATURES + ["label", "probability"]]
    post = bias.posttraining_metrics(frame, "label", "probability", "sex", [1], ["Female"],
                                     probability_threshold=0.5, methods=["DPPL", "DI", "RD", "DCA", "AD"])
    assert round(post["DPPL"], 2) == 0.16 and round(post["DI"], 2) == 0.33 and round(post["RD"], 2) == 0.07
    assert post["DCA"] < 0 and post["AD"] < 0
    sweep = {t: bias.posttraining_metrics(frame, "label", "probability", "sex", [1], ["Female"],
                                          methods=["DPPL", "DI"], probability_threshold=t) for t in (0.1, 0.9)}
    assert round(sweep[0.1]["DPPL"], 2) == 0.38 and sweep[0.9]["DPPL"] < 0.05
    assert all(0.25 < s["DI"] < 0.4 for s in sweep.values())
    # the watched baseline's limits quoted in section 7
    train = data.load_adult("train")
    baseline = biasdrift.suggest_baseline(train[data.FEATURES + ["label"]], predict_proba(course_model(), train), CONFIG)
    values = biasdrift.metric_values(baseline)
    assert round(abs(values["sex/Female/DI"] - 1), 2) == 0.72 and round(values["sex/Female/RD"], 2) == 0.11
    limits = biasdrift.metric_values(biasdrift.with_tolerance(baseline, {"DI": 0.08, "RD": 0.2}))
    assert round(limits["sex/Female/DI"], 2) == 0.20 and round(limits["sex/Female/RD"], 2) == 0.31
    # section 10: the skewed set and what each remedy removes or adds
    skewed = remedies.skewed_training_set(size=4000, seed=0)
    assert round(remedies.label_gap(skewed, *remedies.AGE_BAND), 2) == 0.73
    lost = len(skewed) - len(remedies.undersample_positive(skewed, *remedies.AGE_BAND, seed=0))
    added = len(remedies.smote_oversample(skewed, *remedies.AGE_BAND, seed=0)) - len(skewed)
    assert 500 < lost < 600 and 1850 < added < 1950
