"""Module 08 (retraining and deployment): the lab grades as designed, and every literal in its
hidden tests equals what the engine computes.

The hidden tests' inputs are read back from the solution's test cells (plain literals, and calls
whose arguments are literals) and their expected values recomputed here:

* task 1: the pipeline's own rule (:data:`monitorlab.maintenance.pipeline.BROKEN_DATA_CHECKS`,
  :func:`~monitorlab.maintenance.pipeline.condition_passes`) and the step names and approval status
  of the definition moto stores (:func:`~monitorlab.maintenance.pipeline.pipeline_definition`);
* task 2: each error series published to (moto's) CloudWatch and the alarm evaluated minute by
  minute with :func:`monitorlab.account.alarms.evaluate_alarm`, as the rollout does;
* task 3: :func:`monitorlab.maintenance.rollout.deployment_config` and botocore's SageMaker model
  (which action takes a ``DeploymentConfig``);
* task 4: the lab's own rollout (its setup cell, executed here);
* task 5: :func:`monitorlab.maintenance.triggers.due_triggers` on each scenario;
* task 6: the right letters are spread and the right option is never the longest.
"""

import ast
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from grader.notebooks import read_notebook
from grader.testing import cell_sources, hidden_test_source
from monitorlab.account.alarms import evaluate_alarm
from monitorlab.maintenance import pipeline as pl
from monitorlab.maintenance import rollout, triggers
from monitorlab.monitoring.dataquality import CHECK_TYPES

ROOT = Path(__file__).resolve().parent.parent
LAB = "lab08_retraining_deployment"
SOLUTION = ROOT / "solutions" / LAB / f"{LAB}.ipynb"
RELEASE = ROOT / "labs" / LAB / f"{LAB}.ipynb"
FULL_MARKS = 30.0



def run_definitions(source: str, *names: str) -> dict:
    """Run only the top-level ``def``s and assignments to ``names`` of a cell; return ``names``."""
    namespace: dict = {}
    for node in ast.parse(source).body:
        wanted = isinstance(node, ast.FunctionDef) or (
            isinstance(node, ast.Assign) and any(getattr(t, "id", None) in names for t in node.targets))
        if wanted:
            exec(compile(ast.Module([node], []), "<cell>", "exec"), namespace)  # noqa: S102
    missing = [n for n in names if n not in namespace]
    assert not missing, f"assignments {missing} not found in the cell"
    return {n: namespace[n] for n in names}


def literal_calls(source: str, function: str) -> list[tuple]:
    """The arguments of every call of ``function`` whose arguments are all literals."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == function:
            try:
                found.append(tuple(ast.literal_eval(arg) for arg in node.args))
            except ValueError:
                continue
    return found


@pytest.fixture(scope="module")
def sources():
    return cell_sources(SOLUTION)


# --------------------------------------------------------------------------------------------
# Grading: solution full marks, untouched release 0, each typical mistake its exact score
# --------------------------------------------------------------------------------------------

def test_solution_untouched_and_every_case_grade_exactly():
    from grader.testing import grading_mismatches

    assert grading_mismatches(LAB, max_total=FULL_MARKS) == {}


def test_release_holds_no_solution_and_no_hidden_test():
    release = "\n".join(c.source for c in read_notebook(RELEASE).cells)
    for marker in ["BEGIN SOLUTION", "BEGIN HIDDEN TESTS", 'return ("RegisterModel"', "return minute + 1",
                   'API_ACTION = "UpdateEndpoint"', "ROLLBACK_AFTER == 3", 'LIVE_CONFIG == "adult-income-config"',
                   '"c": "performance"', 'CONCEPT_DRIFT = "A"', "[2, 0, 2, 0, 0, 2, 2, 0]"]:
        assert marker not in release, marker


# --------------------------------------------------------------------------------------------
# Every literal in the hidden tests equals what the engine computes
# --------------------------------------------------------------------------------------------

def engine_outcome(violations, evaluation, min_gain):
    """Where the engine's pipeline ends, by its own rule and its stored definition."""
    steps = {s["Name"]: s for s in pl.pipeline_definition("arn:aws:iam::123456789012:role/r", "g")["Steps"]}
    condition = steps["CheckF1"]["Arguments"]
    register, fail = condition["IfSteps"][0], condition["ElseSteps"][0]
    assert steps["DataQualityGate"]["Type"] == "QualityCheck" and fail["Type"] == "Fail"
    if any(v["constraint_check_type"] in pl.BROKEN_DATA_CHECKS for v in violations):
        return ("DataQualityGate", None)
    if pl.condition_passes(evaluation["candidate"]["f1"], evaluation["current"]["f1"], min_gain):
        return (register["Name"], register["Arguments"]["ModelApprovalStatus"])
    return (fail["Name"], None)


def test_task1_expected_outcomes_are_the_engines(sources):
    answer = run_definitions(sources["task1-outcome-answer"], "BROKEN_DATA_CHECKS")
    assert answer["BROKEN_DATA_CHECKS"] == pl.BROKEN_DATA_CHECKS
    tests = sources["task1-outcome-tests"]
    visible = literal_calls(tests, "_t1_points")
    hidden = run_definitions(tests, "_t1_cases")["_t1_cases"]
    assert len(visible) == 2 and len(hidden) == 6
    for violations, evaluation, gain, expected, *_ in visible + [tuple(c) for c in hidden]:
        assert engine_outcome(violations, evaluation, gain) == expected
        assert {v["constraint_check_type"] for v in violations} <= set(CHECK_TYPES)
    # the hidden cases reach every ending, and the boundary case is exactly representable
    assert {c[3][0] for c in hidden} == {"DataQualityGate", "Fail", "RegisterModel"}
    assert 0.5 + 0.25 == 0.75 and pl.condition_passes(0.75, 0.5, 0.25)


@pytest.fixture(scope="module")
def cloudwatch():
    from monitorlab.account.sandbox import Sandbox

    sandbox = Sandbox().start()
    yield sandbox.client("cloudwatch")
    sandbox.stop()


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


def test_task2_expected_minutes_are_cloudwatchs(sources, cloudwatch):
    cases = literal_calls(sources["task2-rollback-tests"], "_t2_points")
    assert len(cases) == 7                       # two visible, five hidden
    for index, (arguments, expected, *_) in enumerate(cases):
        assert moto_rollback_minute(cloudwatch, f"lab08-case-{index}", *arguments) == expected, arguments
    # the solution's function gives the same minutes, and refuses an impossible M of N
    rollback_minute = _solution_function(sources)
    assert [rollback_minute(*args) for args, *_ in cases] == [expected for _, expected, *_ in cases]
    with pytest.raises(ValueError):
        rollback_minute([5, 5, 5], 1, 2, 3, 3)


def _solution_function(sources):
    namespace: dict = {}
    exec(sources["task2-rollback-answer"], namespace)  # noqa: S102  (our own solution cell)
    return namespace["rollback_minute"]


def test_task3_config_is_the_engines_and_the_action_takes_it(sources):
    import boto3

    namespace: dict = {}
    exec(sources["task3-config-answer"], namespace)  # noqa: S102  (our own solution cell)
    expected = rollout.deployment_config("CANARY", wait_seconds=600, canary_percent=10, termination_wait_seconds=300,
                                         alarms=("card-fraud-5xx", "card-fraud-latency-p99"),
                                         max_timeout_seconds=3600)
    assert namespace["DEPLOYMENT_CONFIG"] == expected
    assert rollout.shift_plan(expected) == [(0, 0.1), (600, 1.0), (1200, 1.0)]
    # botocore's SageMaker API model (no call is made): which action carries a DeploymentConfig
    service = boto3.session.Session(region_name="us-east-1").client("sagemaker").meta.service_model
    members = lambda action: service.operation_model(action).input_shape.members  # noqa: E731
    assert namespace["API_ACTION"] == "UpdateEndpoint" and "DeploymentConfig" in members("UpdateEndpoint")
    assert "DeploymentConfig" not in members("UpdateEndpointWeightsAndCapacities")
    tests = sources["task3-config-tests"]
    for literal in ('"CANARY"', '"CAPACITY_PERCENT"', "_t3_wait == 600", "_t3_termination == 300",
                    "_t3_timeout == 3600", '["card-fraud-5xx", "card-fraud-latency-p99"]'):
        assert literal in tests, literal


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
    result, timeline, tests = run["result"], run["timeline"], hidden_test_source(LAB)
    assert result.status == "RolledBack" and "3 min into the deployment" in result.reason
    fired = timeline.index[timeline["alarm"] == "ALARM"][0]
    assert fired + 1 == 3 and "ROLLBACK_AFTER == 3" in tests
    assert timeline.loc[fired, "green_share"] == pytest.approx(0.4) and "SHARE_WHEN_FIRED - 0.4" in tests
    assert run["live"] == "adult-income-config" and 'LIVE_CONFIG == "adult-income-config"' in tests
    # WHY_NOT_FIRST: minute 0 breached (2 > 1) but the alarm wants 2 of 3
    first = timeline.iloc[0]
    assert first["blue_errors_5xx"] + first["green_errors_5xx"] == 2 and first["alarm"] == "OK"
    assert (run["alarm"]["DatapointsToAlarm"], run["alarm"]["EvaluationPeriods"], run["alarm"]["Threshold"]) == (2, 3, 1)
    assert 'str(WHY_NOT_FIRST).strip().upper() == "B"' in tests
    # task 2's rule on this timeline gives the engine's rollback too
    errors = (timeline["blue_errors_5xx"] + timeline["green_errors_5xx"]).tolist()
    plan_minutes = rollout.shift_plan(run["config"])[-1][0] // 60
    assert _solution_function(sources)(errors, 1, 3, 2, plan_minutes) == 3


def test_task5_kinds_are_what_the_engine_calls_them(sources):
    expected = run_definitions(sources["task5-triggers-tests"], "_t5_expected")["_t5_expected"]
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
        assert triggers.due_triggers(policy, now, **inputs) == [expected[letter]], letter
    assert set(expected.values()) == set(triggers.TRIGGER_KINDS)


def test_task6_letters_are_spread_and_the_right_option_is_not_the_longest(sources):
    namespace: dict = {}
    exec(sources["task6-exam-answer"], namespace)  # noqa: S102  (our own solution cell)
    questions = re.split(r"\*\*6[a-i]\*\* ", sources["task6-md"])[1:]
    names = [re.match(r"`(\w+)`", q).group(1) for q in questions]
    letters = [namespace[n] for n in names]
    counts = {letter: letters.count(letter) for letter in "ABCD"}
    assert len(names) == 9 and max(counts.values()) - min(counts.values()) <= 1, counts
    for name, question, right in zip(names, questions, letters):
        options = dict(re.findall(r"^([A-D])\) (.+?)(?: ·)?$", question, flags=re.M))
        assert sorted(options) == list("ABCD"), name
        lengths = {k: len(v) for k, v in options.items()}
        others = [n for k, n in lengths.items() if k != right]
        assert lengths[right] <= max(others) + 3, (name, lengths)      # never clearly the longest
        assert max(lengths.values()) <= 1.25 * min(lengths.values()), (name, lengths)
