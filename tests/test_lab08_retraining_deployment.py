"""Module 08 (retraining and deployment): the lab grades as designed, and every expected value of
its trusted checks (``grader/checks/lab08_retraining_deployment.py``, issue 14) equals what the
engine computes, over the hidden inputs of several grading runs (seeds):

* task 1: the pipeline's own rule (:data:`monitorlab.maintenance.pipeline.BROKEN_DATA_CHECKS`,
  :func:`~monitorlab.maintenance.pipeline.condition_passes`) and the step names and approval status
  of the definition moto stores (:func:`~monitorlab.maintenance.pipeline.store_pipeline`);
* task 2: each error series published to (moto's) CloudWatch and the alarm evaluated minute by
  minute with :func:`monitorlab.account.alarms.evaluate_alarm`, as the rollout does;
* task 3: :func:`monitorlab.maintenance.rollout.deployment_config` and botocore's SageMaker model
  (which action takes a ``DeploymentConfig``);
* task 4: the lab's own rollout (its setup cell, executed here);
* task 5: :func:`monitorlab.maintenance.triggers.due_triggers` on each scenario;
* task 6: the right letters are spread and the right option is never the longest.

Every typical wrong answer of ``grader/cases`` loses exactly its points on every seed (the
evaluation cells run here in-process, the scorers as in grading), so a case's score does not
depend on the grading run's draw.
"""

import io
import json
import re
from contextlib import redirect_stdout
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from grader.cases import load_cases
from grader.checks import lab08_retraining_deployment as checks
from grader.notebooks import read_notebook
from grader.testing import cell_sources
from grader.trusted import draw_inputs, evaluation_cell, forbidden_uses, new_nonce, score_cell
from monitorlab.account.alarms import evaluate_alarm
from monitorlab.maintenance import pipeline as pl
from monitorlab.maintenance import rollout, triggers
from monitorlab.monitoring.dataquality import CHECK_TYPES

ROOT = Path(__file__).resolve().parent.parent
LAB = "lab08_retraining_deployment"
SOLUTION = ROOT / "solutions" / LAB / f"{LAB}.ipynb"
RELEASE = ROOT / "labs" / LAB / f"{LAB}.ipynb"
FULL_MARKS = 30.0
SEEDS = range(8)
BY_ID = {c.grade_id: c for c in checks.CHECKS}


@pytest.fixture(scope="module")
def sources():
    return cell_sources(SOLUTION)


def drawn(seed: int) -> dict:
    """The hidden inputs of one grading run (``grader.trusted.draw_inputs``)."""
    return draw_inputs(BY_ID, seed)


def graded(test_id: str, answers: list[str], seed: int) -> tuple[float, list[str]]:
    """Run ``answers`` (answer-cell sources), then the check's evaluation cell, in this process;
    score the record it prints as grading does."""
    namespace: dict = {"__name__": "__main__"}
    for answer in answers:
        try:
            exec(answer, namespace)  # noqa: S102  (our own solution, release and cases)
        except NotImplementedError:  # an untouched answer cell: the notebook goes on
            pass
    check, inputs, nonce = BY_ID[test_id], drawn(seed)[test_id], new_nonce()
    out = io.StringIO()
    with redirect_stdout(out):
        exec(evaluation_cell(check, inputs, nonce), namespace)  # noqa: S102
    return score_cell(check, inputs, [{"output_type": "stream", "name": "stdout", "text": out.getvalue()}],
                      nonce)


# --------------------------------------------------------------------------------------------
# Grading: untouched release 0, each typical mistake its exact score (solution: test_notebooks)
# --------------------------------------------------------------------------------------------

def test_untouched_and_every_case_grade_exactly():
    from grader.testing import grading_mismatches

    assert grading_mismatches(LAB, max_total=FULL_MARKS) == {}


def test_release_holds_no_solution_and_no_hidden_test():
    release = "\n".join(c.source for c in read_notebook(RELEASE).cells)
    solution = "\n".join(c.source for c in read_notebook(SOLUTION).cells)
    assert "BEGIN HIDDEN TESTS" not in solution          # converted: the checks module holds them
    for marker in ["BEGIN SOLUTION", "BEGIN HIDDEN TESTS", 'return ("RegisterModel"', "return minute + 1",
                   'API_ACTION = "UpdateEndpoint"', "ROLLBACK_AFTER == 3", 'LIVE_CONFIG == "adult-income-config"',
                   '"c": "performance"', 'CONCEPT_DRIFT = "A"', "[2, 0, 2, 0, 0, 2, 2, 0]"]:
        assert marker not in release, marker


SCORED_HERE = ["task1-outcome-tests", "task2-rollback-tests", "task3-config-tests",
               "task5-triggers-tests", "task6-exam-tests"]   # task 4 needs the lab's rollout


def test_each_case_loses_exactly_its_points_on_every_seed(sources):
    """Solution full, untouched 0, each case full minus its loss, for every drawn input."""
    release = cell_sources(RELEASE)
    answer_of = {t: t.replace("-tests", "-answer") for t in SCORED_HERE}
    cases = load_cases(ROOT, LAB)
    for seed in SEEDS:
        for test_id in SCORED_HERE:
            answer = answer_of[test_id]
            points, msgs = graded(test_id, [sources[answer]], seed)
            assert (points, msgs) == (BY_ID[test_id].points, []), (seed, test_id, msgs)
            assert graded(test_id, [release[answer]], seed)[0] == 0.0, (seed, test_id)
        for case in cases:
            (answer, source), = case.replacements.items()
            test_id = answer.replace("-answer", "-tests")
            if test_id not in SCORED_HERE:
                continue
            points, msgs = graded(test_id, [source], seed)
            assert points == BY_ID[test_id].points - (FULL_MARKS - case.expected_score), (seed, case.name, msgs)
            assert msgs and all(m.startswith("✗") for m in msgs), (case.name, msgs)


def test_answers_using_the_engine_function_are_refused(sources):
    assert not any(forbidden_uses(c, sources) for c in checks.CHECKS)   # the solution is its own work
    calling = {"task1-outcome-answer": "from monitorlab.maintenance.pipeline import condition_passes",
               "task2-rollback-answer": "from monitorlab.account.alarms import decide_state",
               "task3-config-answer": "DEPLOYMENT_CONFIG = rollout.deployment_config('CANARY')"}
    for test_id in ("task1-outcome-tests", "task2-rollback-tests", "task3-config-tests"):
        found = forbidden_uses(BY_ID[test_id], calling)
        assert len(found) == 1 and "0 points" in found[0], found


# --------------------------------------------------------------------------------------------
# Every expected value of the checks equals what the engine computes
# --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sandbox():
    from monitorlab.account.sandbox import Sandbox

    box = Sandbox().start()
    yield box
    box.stop()


def engine_outcome(sm, violations, evaluation, min_gain):
    """Where the engine's pipeline ends, by its own rule and the definition moto stored."""
    stored = pl.store_pipeline(sm, "arn:aws:iam::123456789012:role/r", "g", min_gain=min_gain)
    steps = {s["Name"]: s for s in stored["Steps"]}
    condition = steps["CheckF1"]["Arguments"]
    register, fail = condition["IfSteps"][0], condition["ElseSteps"][0]
    assert steps["DataQualityGate"]["Type"] == "QualityCheck" and fail["Type"] == "Fail"
    assert condition["Conditions"][0]["Type"] == "GreaterThanOrEqualTo"
    if any(v["constraint_check_type"] in pl.BROKEN_DATA_CHECKS for v in violations):
        return ("DataQualityGate", None)
    if pl.condition_passes(evaluation["candidate"]["f1"], evaluation["current"]["f1"], min_gain):
        return (register["Name"], register["Arguments"]["ModelApprovalStatus"])
    return (fail["Name"], None)


def test_task1_expected_outcomes_are_the_engines(sources, sandbox):
    sm = sandbox.client("sagemaker")
    answer: dict = {}
    exec(sources["task1-outcome-answer"], answer)  # noqa: S102  (our own solution cell)
    assert answer["BROKEN_DATA_CHECKS"] == pl.BROKEN_DATA_CHECKS
    assert not set(checks.DRIFT_CHECKS) & set(pl.BROKEN_DATA_CHECKS)
    for seed in SEEDS:
        inputs = drawn(seed)["task1-outcome-tests"]
        assert inputs["visible"] == checks.TASK1_VISIBLE and len(inputs["hidden"]) == 6
        for case in inputs["visible"] + inputs["hidden"]:
            assert checks.expected_outcome(*case) == engine_outcome(sm, *case), (seed, case)
            assert {v["constraint_check_type"] for v in case[0]} <= set(CHECK_TYPES)
        drift, empty, small, exact, auc, mixed = inputs["hidden"]
        outcome = [checks.expected_outcome(*c)[0] for c in inputs["hidden"]]
        assert outcome == ["RegisterModel", "DataQualityGate", "Fail", "RegisterModel", "Fail", "DataQualityGate"]
        assert {v["constraint_check_type"] for v in drift[0]} <= set(checks.DRIFT_CHECKS)
        assert [v["constraint_check_type"] for v in empty[0]] == ["completeness_check"]
        assert small[1]["candidate"]["f1"] > small[1]["current"]["f1"]           # better, not enough
        assert exact[1]["candidate"]["f1"] == exact[1]["current"]["f1"] + exact[2]   # exactly, in floats
        assert auc[1]["candidate"]["auc"] > auc[1]["current"]["auc"] and auc[2] == 0.0
        assert {v["constraint_check_type"] for v in mixed[0]} == {"baseline_drift_check", "data_type_check"}
    assert drawn(0) == drawn(0) and drawn(0) != drawn(1)


def moto_rollback_minute(cloudwatch, name, errors, threshold, periods, datapoints, minutes):
    """Publish ``errors`` per minute, evaluate the alarm at each minute's end as the rollout does."""
    start = datetime(2026, 2, 1, tzinfo=timezone.utc)
    dims = [{"Name": "EndpointName", "Value": name}, {"Name": "VariantName", "Value": "AllTraffic"}]
    cloudwatch.put_metric_data(Namespace="AWS/SageMaker", MetricData=[
        {"MetricName": "Invocation5XXErrors", "Dimensions": dims, "Value": float(v), "Unit": "None",
         "Timestamp": start + timedelta(minutes=k)} for k, v in enumerate(errors)])
    cloudwatch.put_metric_alarm(AlarmName=name, Namespace="AWS/SageMaker", MetricName="Invocation5XXErrors",
                                Dimensions=dims, Statistic="Sum", Period=60, EvaluationPeriods=periods,
                                DatapointsToAlarm=datapoints, Threshold=threshold,
                                ComparisonOperator="GreaterThanThreshold", TreatMissingData="notBreaching")
    plan_end = minutes * 60                          # run_blue_green watches while minute * 60 < plan end
    for minute in range(len(errors)):
        if minute * 60 >= plan_end:
            break
        if evaluate_alarm(cloudwatch, name, start + timedelta(minutes=minute + 1)).new_state == "ALARM":
            return minute + 1
    return None


def test_task2_expected_minutes_are_cloudwatchs(sandbox):
    cloudwatch = sandbox.client("cloudwatch")
    for seed in SEEDS:
        inputs = drawn(seed)["task2-rollback-tests"]
        assert inputs["visible"] == checks.TASK2_VISIBLE and len(inputs["hidden"]) == 5
        for index, args in enumerate(inputs["visible"] + inputs["hidden"]):
            assert checks.expected_rollback(*args) == moto_rollback_minute(
                cloudwatch, f"lab08-{seed}-{index}", *args), (seed, args)
        m_of_n, equal, after, at_end, apart = inputs["hidden"]
        assert checks.expected_rollback(*m_of_n) is not None and checks.expected_rollback(*apart) is None
        assert set(equal[0]) == {equal[1]} and checks.expected_rollback(*equal) is None
        assert after[0] == at_end[0] and at_end[4] == after[4] + 1
        assert checks.expected_rollback(*after) is None and checks.expected_rollback(*at_end) == at_end[4]
        for args in (m_of_n, apart):          # only the equal-to-threshold series touches its threshold
            assert args[1] not in args[0]
        errors, threshold, periods, datapoints, _ = inputs["impossible"]
        assert datapoints > periods and len(errors) == datapoints   # CloudWatch refuses it (moto does not)


def test_task3_config_is_the_engines_and_the_action_takes_it(sources):
    import boto3

    namespace: dict = {}
    exec(sources["task3-config-answer"], namespace)  # noqa: S102  (our own solution cell)
    expected = rollout.deployment_config("CANARY", wait_seconds=600, canary_percent=10, termination_wait_seconds=300,
                                         alarms=tuple(checks.TASK3_ALARMS), max_timeout_seconds=3600)
    assert namespace["DEPLOYMENT_CONFIG"] == expected
    assert rollout.shift_plan(expected) == [(0, 0.1), (600, 1.0), (1200, 1.0)]
    # the scorer gives the engine's own config every requirement
    assert checks.score_task3({"config": {"value": expected}, "json": {"value": True},
                               "action": {"value": "UpdateEndpoint"}}, {}) == (4.0, [])
    # botocore's SageMaker API model (no call is made): which action carries a DeploymentConfig
    service = boto3.session.Session(region_name="us-east-1").client("sagemaker").meta.service_model
    members = lambda action: service.operation_model(action).input_shape.members  # noqa: E731
    assert namespace["API_ACTION"] == "UpdateEndpoint" and "DeploymentConfig" in members("UpdateEndpoint")
    assert "DeploymentConfig" not in members("UpdateEndpointWeightsAndCapacities")


def lab_rollout(sources) -> dict:
    """Run the lab's setup cell with the engine; return what task 4 is graded on."""
    import matplotlib

    matplotlib.use("Agg")
    namespace: dict = {}
    exec(sources["setup"], namespace)  # noqa: S102  (our own notebook's setup cell)
    try:
        return {"result": namespace["_result"], "timeline": namespace["timeline"],
                "live": namespace["sm"].describe_endpoint(EndpointName="adult-income")["EndpointConfigName"],
                "alarm": namespace["cloudwatch"].describe_alarms(AlarmNames=["adult-income-5xx"])["MetricAlarms"][0],
                "config": namespace["ROLLOUT_CONFIG"]}
    finally:
        namespace["sb"].stop()


def test_task4_answers_are_what_the_lab_rollout_shows(sources):
    run = lab_rollout(sources)
    result, timeline = run["result"], run["timeline"]
    assert result.status == "RolledBack" and "3 min into the deployment" in result.reason
    fired = timeline.index[timeline["alarm"] == "ALARM"][0]
    assert fired + 1 == checks.ROLLBACK_AFTER
    assert timeline.loc[fired, "green_share"] == pytest.approx(checks.SHARE_WHEN_FIRED, abs=1e-12)
    assert run["live"] == checks.LIVE_CONFIG
    # WHY_NOT_FIRST: minute 0 breached (2 > 1) but the alarm wants 2 of 3
    first = timeline.iloc[0]
    assert first["blue_errors_5xx"] + first["green_errors_5xx"] == 2 and first["alarm"] == "OK"
    assert (run["alarm"]["DatapointsToAlarm"], run["alarm"]["EvaluationPeriods"], run["alarm"]["Threshold"]) == (2, 3, 1)
    assert checks.WHY_NOT_FIRST == "B"
    # task 2's rule (the checks' expected minute) on this timeline gives the engine's rollback too
    errors = (timeline["blue_errors_5xx"] + timeline["green_errors_5xx"]).tolist()
    plan_minutes = rollout.shift_plan(run["config"])[-1][0] // 60
    assert checks.expected_rollback(errors, 1, 3, 2, plan_minutes) == checks.ROLLBACK_AFTER
    # the scorer: numpy values are the same answers; a row index is not minutes
    right = {"ROLLBACK_AFTER": {"value": {"__obj__": "int64", "float": 3.0}},
             "SHARE_WHEN_FIRED": {"value": {"__obj__": "float64", "float": 0.4}},
             "LIVE_CONFIG": {"value": "adult-income-config"}, "WHY_NOT_FIRST": {"value": " b"}}
    assert checks.score_task4(right, {}) == (4.0, [])
    points, msgs = checks.score_task4({**right, "ROLLBACK_AFTER": {"value": 2},
                                       "SHARE_WHEN_FIRED": {"value": "0.4"}}, {})
    assert points == 2.0 and [m.split(" is ")[0] for m in msgs] == ["✗ ROLLBACK_AFTER", "✗ SHARE_WHEN_FIRED"]


def test_task5_kinds_are_what_the_engine_calls_them():
    now = datetime(2026, 3, 1, tzinfo=timezone.utc)
    policy = triggers.TriggerPolicy(alarm_names=("drift-alarm",), every=timedelta(days=7), f1_floor=0.7)
    recent = now - timedelta(days=1)
    scenario = {   # the inputs each scenario gives the engine's trigger rule
        "a": dict(alarm_states={"drift-alarm": "ALARM"}, last_retrain=recent, latest_f1=0.8),
        "b": dict(alarm_states={}, last_retrain=now - timedelta(days=91), latest_f1=0.8),
        "c": dict(alarm_states={}, last_retrain=recent, latest_f1=0.65),
        "d": dict(alarm_states={}, last_retrain=now - timedelta(days=7), latest_f1=0.8),
        "e": dict(alarm_states={"drift-alarm": "ALARM"}, last_retrain=recent, latest_f1=0.8),
        "f": dict(alarm_states={}, last_retrain=recent, latest_f1=0.55),
    }
    for letter, inputs in scenario.items():
        assert triggers.due_triggers(policy, now, **inputs) == [checks.TRIGGER_KIND[letter]], letter
    assert set(checks.TRIGGER_KIND.values()) == set(triggers.TRIGGER_KINDS) == set(checks.TRIGGER_WHY)


def test_task6_letters_are_spread_and_the_right_option_is_not_the_longest(sources):
    namespace: dict = {}
    exec(sources["task6-exam-answer"], namespace)  # noqa: S102  (our own solution cell)
    questions = re.split(r"\*\*6[a-i]\*\* ", sources["task6-md"])[1:]
    names = [re.match(r"`(\w+)`", q).group(1) for q in questions]
    letters = [namespace[n] for n in names]
    assert {n: checks.TASK6_KEY[n][0] for n in names} == dict(zip(names, letters))
    counts = {letter: letters.count(letter) for letter in "ABCD"}
    assert len(names) == 9 and max(counts.values()) - min(counts.values()) <= 1, counts
    for name, question, right in zip(names, questions, letters):
        options = dict(re.findall(r"^([A-D])\) (.+?)(?: ·)?$", question, flags=re.M))
        assert sorted(options) == list("ABCD"), name
        lengths = {k: len(v) for k, v in options.items()}
        others = [n for k, n in lengths.items() if k != right]
        assert lengths[right] <= max(others) + 3, (name, lengths)      # never clearly the longest
        assert max(lengths.values()) <= 1.25 * min(lengths.values()), (name, lengths)


def test_checks_cover_every_graded_cell_with_its_points():
    nb = read_notebook(SOLUTION)
    graded_cells = {c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"]["points"]
                    for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")}
    assert graded_cells == {c.grade_id: c.points for c in checks.CHECKS}
    assert sum(graded_cells.values()) == FULL_MARKS
    json.dumps(drawn(3))                                      # the inputs cross as JSON
