"""Module 09 (operations and cost): the lab grades as designed, and every expected value of its
trusted checks (``grader/checks/lab09_operations_cost.py``, issue 14) equals what the engine
computes, over the hidden inputs of several grading runs (seeds).

* task 1: break-even and cost per million from :mod:`monitorlab.operations.cost` (serverless and
  instance cost over one hour) and from the formula written out; the drawn inputs keep the old
  hidden cases' structure; the engine's cost functions are forbidden in the answer;
* task 2: the solution's three dicts are accepted by Application Auto Scaling on moto, and the
  engine's scaler runs the registered policy and schedule; the checks' identifiers and target
  are the engine's;
* task 3: the incidents, recomputed with :mod:`monitorlab.operations.capacity`, moved the metric
  each answer names;
* task 4: the lab's own day (its setup cell, executed here);
* tasks 5 and 6 (exam choice): the checks' keys are the solution's letters, spread evenly over
  the lab, and no right option stands out as the longest.
"""

import math
import re
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pytest

from grader.checks import lab09_operations_cost as checks
from grader.notebooks import read_notebook
from grader.testing import cell_sources
from monitorlab.account.sandbox import Sandbox
from monitorlab.operations import cost, options as inference_options, scaling as sc

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


def test_untouched_and_every_case_grade_exactly():
    from grader.testing import grading_mismatches

    assert grading_mismatches(LAB, max_total=FULL_MARKS) == {}


def test_release_holds_no_solution_and_no_hidden_test():
    release = "\n".join(c.source for c in read_notebook(RELEASE).cells)
    solution = "\n".join(c.source for c in read_notebook(SOLUTION).cells)
    assert "BEGIN HIDDEN TESTS" not in solution          # converted: the checks module holds them
    for marker in ["BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "37.88065843621399", '"P": "payload"',
                   "1440", 'SLOW_TRAINING = "B"', "2026-01-05T10:17", "4956",
                   'TRAINING_LOSS = "D"', '"INFERENCE_CHIP": ("B"']:
        assert marker not in release, marker


# --------------------------------------------------------------------------------------------
# Every expected value of the trusted checks equals what the engine computes
# --------------------------------------------------------------------------------------------

SEEDS = range(12)


def drawn(seed: int) -> dict:
    """The hidden inputs of one grading run (``grader.trusted.draw_inputs``)."""
    from grader.trusted import draw_inputs

    return draw_inputs({c.grade_id: c for c in checks.CHECKS}, seed)


def by_formula_per_million(memory_mb, duration_ms, price):
    return memory_mb / 1024 * duration_ms / 1000 * price * 1_000_000


def by_formula_breakeven(hourly, memory_mb, duration_ms, price):
    return hourly / (3600 * memory_mb / 1024 * duration_ms / 1000 * price)


def test_task1_expected_values_are_the_engines_cost_arithmetic(sources):
    tests = sources["task1-cost-tests"]
    # the visible cases, printed in the visible cell, and last term's hidden literals
    assert "(2048, 80, 0.00002), 3.2," in tests and "(0.115, 2048, 80, 0.00002), 9.98263888888889," in tests
    assert checks.expected_cost_per_million(*checks.TASK1_VISIBLE_COST) == pytest.approx(3.2, rel=1e-12)
    assert checks.expected_breakeven(*checks.TASK1_VISIBLE_RPS) == pytest.approx(9.98263888888889, rel=1e-12)
    for args, old in [((0.23, 4096, 120, 0.00002), 6.655092592592593),
                      ((0.7364, 6144, 45, 0.00002), 37.88065843621399),
                      ((0.056, 1024, 300, 0.00002), 2.5925925925925926)]:
        assert checks.expected_breakeven(*args) == pytest.approx(old, rel=1e-12)
    assert checks.expected_cost_per_million(3072, 35, 0.000021) == pytest.approx(2.205, rel=1e-12)
    prices = cost.load_prices()
    hourly = {t: row["hosting"] for t, row in prices["instance_hour"].items() if row.get("hosting")}
    per_gb_second = prices["serverless"]["per_gb_second"]
    assert set(checks.ALLOWED_MEMORY_MB) == set(inference_options.SERVERLESS_MEMORY_MB)
    for seed in SEEDS:
        inputs = drawn(seed)["task1-cost-tests"]
        rps, per_million, bad = inputs["rps"], inputs["cost"], inputs["bad_size"]
        assert len(rps) == 3 and len(per_million) == 2
        assert len({a[1] for a in rps}) == 3 and 1024 in {a[1] for a in rps}     # three sizes
        for args in rps:
            assert args[0] in hourly.values() and args[0] != hourly["ml.m5.large"]
            assert args[1] in checks.ALLOWED_MEMORY_MB and args[3] == per_gb_second
            assert checks.expected_breakeven(*args) == pytest.approx(engine_breakeven(*args), rel=1e-12)
            assert checks.expected_breakeven(*args) == pytest.approx(by_formula_breakeven(*args), rel=1e-12)
        for args in per_million:
            assert args[0] in checks.ALLOWED_MEMORY_MB
            assert checks.expected_cost_per_million(*args) == pytest.approx(engine_per_million(*args), rel=1e-12)
            assert checks.expected_cost_per_million(*args) == pytest.approx(by_formula_per_million(*args), rel=1e-12)
        assert per_million[0][2] == per_gb_second != per_million[1][2]    # a price not hard-coded
        assert bad[1] not in checks.ALLOWED_MEMORY_MB
        with pytest.raises(ValueError):
            inference_options.serverless_config(bad[1], 10)
    assert drawn(0) == drawn(0) and drawn(0) != drawn(1)
    # the break-even is where an hour of one instance and of serverless cost the same
    rps = checks.expected_breakeven(cost.hourly(prices, "ml.m5.large"), 2048, 80, per_gb_second)
    assert math.isclose(cost.serverless_cost(prices, rps * 3600 * 2 * 0.08), cost.hourly(prices, "ml.m5.large"))


def test_task1_scorer_gives_the_solution_full_marks_and_memory_in_mb_0_75(sources):
    """The solution's functions and the case memory_in_mb_not_gb, run on drawn inputs, scored."""
    from grader.cases.lab09_operations_cost import _COST

    for seed in SEEDS[:4]:
        inputs = drawn(seed)["task1-cost-tests"]
        for source, want in [(sources["task1-cost-answer"], 5.0),
                             (_COST % ("memory_mb", "memory_mb"), 0.75)]:
            namespace: dict = {}
            exec(source, namespace)  # noqa: S102  (our own answers)
            values = kernel_values(namespace, inputs)
            points, msgs = checks.score_task1(values, inputs)
            assert points == want, (seed, msgs)
            assert bool(msgs) == (want < 5)


def kernel_values(namespace: dict, inputs: dict) -> dict:
    """What task 1's evaluation cell emits for the functions in ``namespace``."""
    def call(name, *args):
        try:
            return {"value": namespace[name](*args)}
        except ValueError as error:
            return {"value_error": True, "raised": f"ValueError: {error}"}

    return {"visible_cost": call("serverless_cost_per_million", *inputs["visible_cost"]),
            "visible_rps": call("breakeven_rps", *inputs["visible_rps"]),
            "rps": [call("breakeven_rps", *a) for a in inputs["rps"]],
            "cost": [call("serverless_cost_per_million", *a) for a in inputs["cost"]],
            "bad_size": call("breakeven_rps", *inputs["bad_size"])}


def test_task1_forbids_the_engines_cost_functions(sources):
    from grader.trusted import forbidden_uses

    answer = sources["task1-cost-answer"]
    assert forbidden_uses(checks.TASK1, {"task1-cost-answer": answer}) == []
    cheat = ("from monitorlab.operations.cost import serverless_cost, per_million\n"
             "def serverless_cost_per_million(m, d, p):\n    return per_million(serverless_cost(P, m / 1024 * d / 1000 * 1e6), 1e6)\n")
    found = forbidden_uses(checks.TASK1, {"task1-cost-answer": cheat})
    assert len(found) == 3 and all("write yourself" in m for m in found)


def test_task2_solution_is_accepted_by_moto_and_run_by_the_engine(sources):
    namespace: dict = {}
    exec(sources["task2-config-answer"], namespace)  # noqa: S102
    assert namespace["POLICY"]["TargetTrackingScalingPolicyConfiguration"]["TargetValue"] == checks.expected_target() == 1440.0
    for name in checks.TASK2_NAMES:
        assert {k: namespace[name][k] for k in checks.expected_ids()} == checks.expected_ids()
    # the engine reads the checks' schedule as daily at 07:45 (a five-field Unix cron it refuses)
    assert sc.parse_schedule(namespace["SCHEDULE"]["Schedule"]) == ("daily", (7, 45))
    assert checks.TASK2_CRON.fullmatch(namespace["SCHEDULE"]["Schedule"])
    with pytest.raises(ValueError):
        sc.parse_schedule("cron(45 7 * * *)")
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
    values = {name: {"value": namespace[name]} for name in checks.TASK2_NAMES}
    assert checks.score_task2(values, {}) == (4.0, [])


def test_task2_scorer_takes_each_mistake_of_the_case_once():
    from grader.cases.lab09_operations_cost import _POLICY

    namespace: dict = {}
    exec(_POLICY % ("24.0", 600, 60, "cron(45 7 * * *)"), namespace)  # noqa: S102
    values = {name: {"value": namespace[name]} for name in checks.TASK2_NAMES}
    points, msgs = checks.score_task2(values, {})
    assert points == 2.0 and [m.split(":")[0] for m in msgs] == ["✗ TargetValue is 24.0", "✗ cooldowns",
                                                                 "✗ SCHEDULE"]
    untouched = {name: {"value": None} for name in checks.TASK2_NAMES}
    assert checks.score_task2(untouched, {}) == (0.0, ["✗ REGISTER, POLICY and SCHEDULE must each be a "
                                                       "dict of keyword arguments"])


def test_task3_each_incident_moved_the_metric_its_answer_names(run):
    incidents = run["INCIDENTS"]
    before = incidents.loc["before"]
    moved = (incidents - before).abs() > 1e-9
    assert moved.loc["P"][moved.loc["P"]].index.tolist() == ["OverheadLatency_us"]
    assert set(moved.loc["Q"][moved.loc["Q"]].index) >= {"Invocations", "ModelLatency_us", "CPUUtilization"}
    assert not moved.loc["R", "Invocations"] and moved.loc["R", "ModelLatency_us"]
    assert moved.loc["S"][moved.loc["S"]].index.tolist() == ["MemoryUtilization"]
    assert incidents.loc["S", "MemoryUtilization"] > 80
    # the checks' key is what those movements say
    assert {k: answer for k, (answer, _) in checks.TASK3_KEY.items()} == {
        "P": "payload", "Q": "scaling", "R": "model", "S": "instance"}
    assert checks.score_task3({"fix": {"value": {"P": "model", "Q": "instance", "R": "model",
                                                 "S": "instance"}}}, {})[0] == 2.0


def test_task4_answers_are_what_the_lab_day_shows(run):
    day, activities = run["DAY"], run["ACTIVITIES"]
    first_out = next(a for a in activities if int(a["Description"].split()[-1].rstrip(".")) > 1)
    assert first_out["StartTime"] == datetime(2026, 1, 5, 10, 17, tzinfo=timezone.utc)
    assert first_out["StartTime"].isoformat() == checks.FIRST_SCALE_OUT
    assert int(day["errors_5xx"].sum()) == checks.FAILED == 4956
    assert int(day["desired"].max()) == checks.PEAK_DESIRED == 3
    # the case "in_service_not_desired" (max in service + 1) gives a different, wrong count
    assert int(day["instances"].max()) + 1 != checks.PEAK_DESIRED
    values = {"first": {"value": checks.FIRST_SCALE_OUT}, "failed": {"value": {"__obj__": "int64", "float": 4956.0}},
              "peak": {"value": "3"}}
    points, msgs = checks.score_task4(values, {})
    assert points == 2.0 and msgs[0].startswith("✗ PEAK_DESIRED is '3'")


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
    assert letters == {name: right for key in (checks.TASK5_KEY, checks.TASK6_KEY)
                       for name, (right, _) in key.items()}
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
