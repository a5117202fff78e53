"""Module 09 (operations and cost): the lab grades as designed, and every literal in its hidden
tests equals what the engine computes.

* task 1: break-even and cost per million from :mod:`monitorlab.operations.cost` (serverless and
  instance cost over one hour);
* task 2: the solution's three dicts are accepted by Application Auto Scaling on moto, and the
  engine's scaler runs the registered policy and schedule;
* task 3: the incidents, recomputed with :mod:`monitorlab.operations.capacity`, moved the metric
  each answer names;
* task 4: the lab's own day (its setup cell, executed here);
* tasks 5 and 6 (exam choice): the right letters are spread evenly over the lab, and no right
  option stands out as the longest.
"""

import ast
import math
import re
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pytest

from grader.notebooks import read_notebook
from grader.testing import cell_sources, hidden_test_source
from monitorlab.account.sandbox import Sandbox
from monitorlab.operations import cost, scaling as sc

ROOT = Path(__file__).resolve().parent.parent
LAB = "lab09_operations_cost"
SOLUTION = ROOT / "solutions" / LAB / f"{LAB}.ipynb"
RELEASE = ROOT / "labs" / LAB / f"{LAB}.ipynb"
FULL_MARKS = 28.0
EXAM_LETTERS = {"task5": ("COLD_START", "BIG_PAYLOAD", "MANY_MODELS", "TRAINING_COST", "CHOOSE_INSTANCE",
                          "STEADY_USAGE", "IDLE_FLEET", "SLOW_TRAINING"),
                "task6": ("INFERENCE_CHIP", "COMPILE_ONCE", "SPEND_BY_TEAM", "TRAINING_LOSS")}



def engine_breakeven(hourly, memory_mb, duration_ms, price):
    prices = {"serverless": {"per_gb_second": price, "data_processed_per_gb": 0.0,
                             "provisioned_concurrency_per_gb_second": 0.0}}
    per_hour_at_1rps = cost.serverless_cost(prices, 3600 * memory_mb / 1024 * duration_ms / 1000)
    return hourly / per_hour_at_1rps


def engine_per_million(memory_mb, duration_ms, price):
    prices = {"serverless": {"per_gb_second": price, "data_processed_per_gb": 0.0,
                             "provisioned_concurrency_per_gb_second": 0.0}}
    return cost.per_million(cost.serverless_cost(prices, 1e6 * memory_mb / 1024 * duration_ms / 1000), 1e6)


@pytest.fixture(scope="module")
def sources():
    return cell_sources(SOLUTION)


@pytest.fixture(scope="module")
def run(sources):
    namespace: dict = {}
    exec(sources["setup"], namespace)  # noqa: S102  (our own notebook's setup cell)
    namespace["sb"].stop()
    return namespace


def test_solution_untouched_and_every_case_grade_exactly():
    from grader.testing import grading_mismatches

    assert grading_mismatches(LAB, max_total=FULL_MARKS) == {}


def test_release_holds_no_solution_and_no_hidden_test():
    release = "\n".join(c.source for c in read_notebook(RELEASE).cells)
    for marker in ["BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "37.88065843621399", '"P": "payload"',
                   "1440", 'SLOW_TRAINING = "B"', "2026-01-05T10:17:00Z", "FAILED == 4956",
                   'TRAINING_LOSS = "D"', '"INFERENCE_CHIP": ("B"']:
        assert marker not in release, marker


def test_task1_literals_are_the_engines_cost_arithmetic(sources):
    tests = sources["task1-cost-tests"]
    hidden = ast.literal_eval(tests.split("for _args, _expected in ")[1].split(":\n")[0])
    assert len(hidden) == 3
    for args, expected in hidden:
        assert expected == pytest.approx(engine_breakeven(*args), rel=1e-12)
    per_million = ast.literal_eval(tests.split("for _args, _expected in ")[2].split(":\n")[0])
    for args, expected in per_million:
        assert expected == pytest.approx(engine_per_million(*args), rel=1e-12)
    assert "(2048, 80, 0.00002), 3.2," in tests and engine_per_million(2048, 80, 0.00002) == pytest.approx(3.2)
    assert "(0.115, 2048, 80, 0.00002), 9.98263888888889," in tests
    assert engine_breakeven(0.115, 2048, 80, 0.00002) == pytest.approx(9.98263888888889, rel=1e-12)
    # the break-even is where an hour of one instance and of serverless cost the same
    prices = cost.load_prices()
    rps = engine_breakeven(cost.hourly(prices, "ml.m5.large"), 2048, 80, prices["serverless"]["per_gb_second"])
    assert math.isclose(cost.serverless_cost(prices, rps * 3600 * 2 * 0.08), cost.hourly(prices, "ml.m5.large"))


def test_task2_solution_is_accepted_by_moto_and_run_by_the_engine(sources):
    namespace: dict = {}
    exec(sources["task2-config-answer"], namespace)  # noqa: S102
    assert namespace["POLICY"]["TargetTrackingScalingPolicyConfiguration"]["TargetValue"] == 1440.0
    box = Sandbox().start()
    try:
        aas, cw = box.client("application-autoscaling"), box.client("cloudwatch")
        aas.register_scalable_target(**namespace["REGISTER"])
        aas.put_scaling_policy(**namespace["POLICY"])
        aas.put_scheduled_action(**namespace["SCHEDULE"])
        rid = namespace["REGISTER"]["ResourceId"]
        sc.create_target_tracking_alarms(cw, aas, rid)
        traffic = np.r_[np.full(7 * 60 + 50, 1000.0), np.full(30, 4000.0)]
        frame, acts = sc.simulate(aas, cw, rid, traffic, instance_type="ml.c5.xlarge", initial_instances=2, noise=0)
        assert frame["desired"].iloc[7 * 60 + 45] == 4                       # the morning floor at 07:45
        assert frame["desired"].iloc[7 * 60 + 44] == 2                       # MinCapacity 2 before it
        assert frame["desired"].iloc[-1] == 4 and len(acts) == 1              # 4000/4 = 1000 < 1440: no scale-out
    finally:
        box.stop()
    tests = hidden_test_source(LAB)
    assert "math.isclose(float(_t2_tt.get(\"TargetValue\")), 1440.0)" in tests


def test_task3_each_incident_moved_the_metric_its_answer_names(run):
    incidents = run["INCIDENTS"]
    before = incidents.loc["before"]
    moved = (incidents - before).abs() > 1e-9
    assert moved.loc["P"][moved.loc["P"]].index.tolist() == ["OverheadLatency_us"]
    assert set(moved.loc["Q"][moved.loc["Q"]].index) >= {"Invocations", "ModelLatency_us", "CPUUtilization"}
    assert not moved.loc["R", "Invocations"] and moved.loc["R", "ModelLatency_us"]
    assert moved.loc["S"][moved.loc["S"]].index.tolist() == ["MemoryUtilization"]
    assert incidents.loc["S", "MemoryUtilization"] > 80


def test_task4_answers_are_what_the_lab_day_shows(run):
    tests = hidden_test_source(LAB)
    day, activities = run["DAY"], run["ACTIVITIES"]
    first_out = next(a for a in activities if int(a["Description"].split()[-1].rstrip(".")) > 1)
    assert first_out["StartTime"] == datetime(2026, 1, 5, 10, 17, tzinfo=timezone.utc)
    assert 'pd.Timestamp("2026-01-05T10:17:00Z")' in tests
    assert int(day["errors_5xx"].sum()) == 4956 and "FAILED == 4956" in tests
    assert int(day["desired"].max()) == 3 and "PEAK_DESIRED == 3" in tests
    # the case "in_service_not_desired" (max in service + 1) gives a different, wrong count
    assert int(day["instances"].max()) + 1 != 3


def exam_letters(sources) -> dict[str, str]:
    """``question name -> right letter`` for every exam question of the solution (tasks 5 and 6)."""
    letters: dict = {}
    for task, names in EXAM_LETTERS.items():
        namespace: dict = {}
        exec(sources[f"{task}-exam-answer"], namespace)  # noqa: S102
        letters.update({name: namespace[name] for name in names})
    return letters


def exam_options(sources) -> dict[str, dict[str, str]]:
    """``question name -> {letter: option text}`` read from the task 5 and 6 markdown."""
    questions = {}
    for task in EXAM_LETTERS:
        for block in sources[f"{task}-md"].split("\n\n**")[1:]:
            name = re.search(r"`([A-Z_]+)`", block).group(1)
            questions[name] = {letter: text.replace("`", "") for letter, text in
                               re.findall(r"^([ABCD])\) (.*?)(?: ·)?$", block, re.M)}
    return questions


def test_exam_letters_are_spread_evenly_over_the_whole_lab(sources):
    letters = exam_letters(sources)
    assert len(letters) == 12
    assert sorted(letters.values()) == sorted("ABCD" * 3)
    assert "".join(letters[n] for n in EXAM_LETTERS["task6"]) not in "ABCD"        # not in order either


def test_no_right_option_is_the_longest_or_much_shorter(sources):
    letters, questions = exam_letters(sources), exam_options(sources)
    assert set(questions) == set(letters)
    for name, options in questions.items():
        assert sorted(options) == list("ABCD"), name
        lengths = {letter: len(text) for letter, text in options.items()}
        right = lengths[letters[name]]
        others = [n for letter, n in lengths.items() if letter != letters[name]]
        assert right <= max(others), f"{name}: the right option is the longest"
        assert max(lengths.values()) <= 1.4 * min(lengths.values()), f"{name}: option lengths {lengths}"
