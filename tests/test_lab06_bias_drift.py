"""Module 06 (post-training bias and bias drift): the lecture and lab run, the lab grades as designed,
and every expected value of the lab's trusted checks (``grader/checks/lab06_bias_drift.py``) equals
what the engine computes (and the numbers the lecture's text quotes).

Task 1's hidden cases are drawn per grading run: the tests draw them for several seeds and
recompute the checks' expected values from the formulas. Task 2's violations, task 4's facet and
set-up, and task 5's dates are recomputed from the lab's own data and the engine's monitor, so an
engine change that would silently make a check wrong fails here instead.
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

SEEDS = range(6)
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
# 2. Grading: untouched release 0, each typical mistake its exact score (solution: test_notebooks)
# --------------------------------------------------------------------------------------------

def test_untouched_and_every_case_grade_exactly():
    from grader.testing import grading_mismatches

    assert grading_mismatches(LAB, max_total=25) == {}


def test_release_holds_no_solution_and_no_hidden_test():
    from grader.notebooks import read_notebook

    release = "\n".join(c.source for c in read_notebook(ROOT / "labs" / LAB / f"{LAB}.ipynb").cells)
    for marker in ["BEGIN SOLUTION", "BEGIN HIDDEN TESTS", 'FLAGGED = {"DPPL"', 'LONE_FLAG = "B"',
                   '"2026-01-11"', "_task1_hidden", "0.41666666666666663, 0.375", "-72.0, -48.0",
                   'DI_READING = "D"', 'PROVE_IT = "D"']:
        assert marker not in release, marker
    # converted (issue 14): the hidden checks live in grader/checks, not in the solution's cells
    assert not any("HIDDEN TESTS" in source for source in cell_sources(SOLUTION).values())


# --------------------------------------------------------------------------------------------
# 3. Every expected value of the trusted checks equals what the engine computes
# --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sources():
    return cell_sources(SOLUTION)


def drawn(grade_id: str) -> list[dict]:
    """The check's hidden inputs for several grading runs."""
    from grader.checks import lab06_bias_drift as checks
    from grader.trusted import draw_inputs

    found = {c.grade_id: c for c in checks.CHECKS}
    return [draw_inputs({grade_id: found[grade_id]}, seed)[grade_id] for seed in SEEDS]


def by_formula(is_d, predicted) -> tuple[float, float]:
    """DPPL = q'_a - q'_d and DI = q'_d / q'_a with Clarify's division, by hand."""
    is_d, positive = np.asarray(is_d, dtype=bool), np.asarray(predicted, dtype=bool)
    q_a, q_d = positive[~is_d].mean(), positive[is_d].mean()
    di = (q_d / q_a) if q_a else (0.0 if q_d == 0 else math.inf)
    return q_a - q_d, di


def test_task1_checks_expect_the_engines_values(sources):
    from grader.checks.lab06_bias_drift import TASK1_VISIBLE, expected_dppl_di

    visible = expected_dppl_di(TASK1_VISIBLE["is_d"], TASK1_VISIBLE["predicted"])
    assert visible == engine_dppl_di(TASK1_VISIBLE["is_d"], TASK1_VISIBLE["predicted"])
    assert f"{visible[0]!r}, {visible[1]!r}, 0.5" in sources["task1-tests"]   # the visible literals
    namespace = {"np": np, "math": math}
    exec(sources["task1-answer"], namespace)  # noqa: S102
    for inputs in drawn("task1-tests"):
        cases = inputs["cases"]
        assert cases[0] == TASK1_VISIBLE and [c["weight"] for c in cases] == [0.5] * 6
        got = [expected_dppl_di(c["is_d"], c["predicted"]) for c in cases]
        for case, (dppl, di) in zip(cases, got):
            assert (dppl, di) == pytest.approx(by_formula(case["is_d"], case["predicted"]), rel=1e-12, abs=1e-15)
            assert any(case["is_d"]) and not all(case["is_d"])           # both facets have rows
            args = ((np.array(case["is_d"], dtype=bool), np.array(case["predicted"], dtype=bool))
                    if case["numpy"] else (case["is_d"], case["predicted"]))
            assert (namespace["dppl"](*args), namespace["disparate_impact"](*args)) == pytest.approx((dppl, di))
        # the old literals' structure: d favoured, no positive in a, none at all, equal rates, arrays
        assert got[1][0] < 0 and 1 < got[1][1] < math.inf
        assert got[2][0] < 0 and got[2][1] == math.inf
        assert got[3] == (0.0, 0.0) and not any(cases[3]["predicted"])
        assert got[4][0] == pytest.approx(0.0, abs=1e-15) and got[4][1] == pytest.approx(1.0) and any(cases[4]["predicted"])
        assert set(cases[4]["is_d"]) == {0, 1} and all(type(x) is int for x in cases[4]["is_d"])
        assert cases[4]["is_d"].count(1) != cases[4]["is_d"].count(0)
        assert cases[5]["numpy"] and 0 < got[5][1] < math.inf and got[5][1] != 1.0


def test_task1_forbids_the_engines_functions():
    from grader.checks.lab06_bias_drift import TASK1
    from grader.trusted import forbidden_uses

    own = "def dppl(is_d, predicted):\n    return 0.0  # not monitorlab's\n\ndef disparate_impact(is_d, predicted):\n    return 1.0\n"
    assert forbidden_uses(TASK1, {"task1-answer": own}) == []
    for engine_call in ["from monitorlab.stats import bias\n", "x = clarify_files.bias_report\n",
                        "y = biasdrift.analyse\n"]:
        assert forbidden_uses(TASK1, {"task1-answer": own + engine_call}), engine_call


def test_task2_checks_expect_the_engines_violations_file(sources):
    from grader.checks import lab06_bias_drift as checks

    namespace = run_cells("task2-data")
    assert checks._analysis(checks.TASK2_BASELINE) == namespace["BASELINE"]
    assert checks._analysis(checks.TASK2_CURRENT) == namespace["CURRENT"]
    file = clarify_files.bias_drift_violations(namespace["BASELINE"], namespace["CURRENT"])
    flagged = {v["metric_name"] for v in file["violations"]}
    assert flagged == checks.expected_flagged() == {"DPPL", "DI", "AD", "TE", "GE"}
    assert set(checks.TASK2_WHY) == set(checks.TASK2_BASELINE)
    exec(sources["task2-answer"], namespace)  # noqa: S102
    assert namespace["FLAGGED"] == flagged and namespace["DI_READING"] == checks.DI_READING[0]
    # DI_READING: the current DI is q'_d / q'_a = 1.3, facet d (women) approved 1.3 times as often
    assert checks.TASK2_CURRENT["DI"] == 1.3


def test_task4_solution_is_a_valid_monitor_and_the_checks_match_the_engine(sources):
    from grader.checks import lab06_bias_drift as checks

    namespace = run_cells("task4-answer")
    config = namespace["ANALYSIS_CONFIG"]
    job = biasdrift.BiasDriftJob("adult-income", "s", "s3://b/c", "s3://b/g", "s3://b/o", config,
                                 probability_threshold=namespace["PROBABILITY_THRESHOLD"],
                                 start_offset=namespace["START_OFFSET"], end_offset=namespace["END_OFFSET"])
    start, end = job.window(T0)
    hours = ((start - T0).total_seconds() / 3600, (end - T0).total_seconds() / 3600)
    assert hours == checks.WINDOW_HOURS == (checks._hours("-P3D"), checks._hours("-P2D"))
    assert namespace["PROBABILITY_THRESHOLD"] == checks.THRESHOLD
    assert checks.setup_refused(config, 0.7, "-P3D", "-P2D") is None
    conflict = dict(config, probability_threshold=0.7)            # the case threshold_in_analysis_config
    assert checks.setup_refused(conflict, 0.5, "-P3D", "-P2D") is not None
    for inputs in drawn("task4-tests"):
        ages = inputs["ages"]
        want = checks.expected_facet(ages)
        assert want == [a > 60 for a in ages] == bias.select(pd.Series(ages, name="age"),
                                                               config["facet"][0]["value_or_threshold"]).mask.tolist()
        assert {60, 61} <= set(ages) and any(a < 60 for a in ages) and any(61 < a < 90 for a in ages)
        assert checks._selected(config["facet"], ages) == want
        # the wrong-answer case's list of values is equality, as the engine reads it
        values = bias.select(pd.Series(ages, name="age"), [61, 90]).mask.tolist()
        assert checks._selected([{"name_or_index": "age", "value_or_threshold": [61, 90]}], ages) == values != want
    labels = bias.positive_labels(pd.Series([0, 1, 1, 0], name="label"), config["label_values_or_threshold"])
    assert labels.mask.tolist() == [False, True, True, False] and checks._label_ok(config)


@pytest.mark.filterwarnings("ignore")
def test_task5_table_and_the_checks_dates_are_what_the_engine_produces(sources):
    from grader.checks import lab06_bias_drift as checks

    rows, base, limits = lab_windows()
    data_cell = sources["task5-data"]
    for row in rows:
        assert repr(row) in data_cell, row
    assert f"LIMITS = {limits!r}" in data_cell
    assert f"BASELINE_VALUES = {base!r}" in data_cell
    assert f"DI below {limits['DI']} or RD above {limits['RD']}" in " ".join(sources["task5-md"].split())
    # the answers: the first window from which DI and RD stay flagged, and its execution date
    flagged = [set(r[6]) == {"DI", "RD"} for r in rows]
    first = next(i for i in range(len(rows)) if all(flagged[i:]))
    assert (rows[first][0], rows[first][1]) == (checks.CHANGE_WINDOW, checks.REPORTED_ON)
    assert sum(bool(r[6]) for r in rows[:first]) == 1 and rows[1][6] == ["DI"]    # the lone flag
    assert rows[1][0] == "2026-01-06"
    namespace: dict = {}
    exec(sources["task5-answer"], namespace)  # noqa: S102
    assert (namespace["CHANGE_WINDOW"], namespace["REPORTED_ON"]) == (checks.CHANGE_WINDOW, checks.REPORTED_ON)
    assert namespace["LONE_FLAG"] == checks.LONE_FLAG[0]


def test_checks_score_the_solution_full_and_the_release_zero_in_process(sources):
    """The checks' evaluation cells run on the solution's answers (and on the release's) in this
    process, for several seeds: full marks and 0, before the slow grading proof."""
    import contextlib
    import io

    from grader.trusted import draw_inputs, evaluation_cell, load_checks, new_nonce, score_cell

    checks = load_checks(ROOT / "grader" / "checks" / f"{LAB}.py")
    release = cell_sources(ROOT / "labs" / LAB / f"{LAB}.ipynb")
    answers = [gid for gid in sources if gid.endswith(("-answer", "-data"))]
    for origin, want in ((sources, 25.0), (release, 0.0)):
        namespace = run_cells(*answers) if origin is sources else _release_namespace(release, answers)
        for seed in SEEDS[:3]:
            inputs, total = draw_inputs(checks, seed), 0.0
            for gid, check in checks.items():
                nonce, out = new_nonce(), io.StringIO()
                with contextlib.redirect_stdout(out):
                    exec(evaluation_cell(check, inputs[gid], nonce), namespace)  # noqa: S102
                points, msgs = score_cell(check, inputs[gid], [{"output_type": "stream", "name": "stdout",
                                                                "text": out.getvalue()}], nonce)
                assert origin is release or (points, msgs) == (check.points, []), (gid, msgs)
                total += points
            assert total == want, (seed, total)


def _release_namespace(release: dict, answers: list[str]) -> dict:
    """The namespace of the release's setup and answer cells (its sandbox stopped)."""
    import contextlib
    import io

    namespace: dict = {}
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            for gid in ["setup"] + answers:
                try:
                    exec(release[gid], namespace)  # noqa: S102  (our own notebook's cells)
                except NotImplementedError:
                    pass                              # an unanswered cell: the kernel goes on
    finally:
        if "sb" in namespace:
            namespace["sb"].stop()
    return namespace

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


def test_task4_reads_numpy_values_as_the_kernel_compares_them():
    """A numpy string or number arrives described (``{"__obj__": ...}``); the check compares it as
    the kernel would (``np.str_("age") == "age"``, ``float(np.float64(0.7)) == 0.7``)."""
    from grader.checks import lab06_bias_drift as checks

    text = lambda s: {"__obj__": "str_", "repr": f"np.str_({s!r})", "str": s}
    config = {"label": text("label"), "label_values_or_threshold": [1],
              "facet": [{"name_or_index": text("age"), "value_or_threshold": [60]}]}
    ages = [30, 59, 60, 61, 75]
    assert checks._label_ok(config) and checks._selected(config["facet"], ages) == [False] * 3 + [True] * 2
    assert checks._number({"__obj__": "float64", "repr": "np.float64(0.7)", "float": 0.7}) == checks.THRESHOLD
    assert checks._number(True) is None and checks._hours(text("-P3D")) == -72
