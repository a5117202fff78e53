"""Trusted checks of lab 09 (operations and cost): 28 points, scored outside the learner's kernel.

task1 serverless vs instance 5, task2 autoscaling config 4, task3 incidents 4, task4 the day 3,
task5 exam 8, task6 exam (chips, the bill, training metrics) 4. Each check's visible part is what
the notebook's visible test shows. Task 1's hidden cases are drawn for each grading run
(``task1_inputs``: instance prices from the engine's price table, serverless memory sizes,
durations, GB-second prices) and their expected values computed here by the engine
(``monitorlab.operations.cost.serverless_cost`` and ``per_million``). Task 2's expected values
come from the engine's scaling constants (``monitorlab.operations.scaling``) and the task's
numbers; tasks 3 and 4 keep literals read from the lab's deterministic set-up
(``tests/test_lab09_operations_cost.py`` keeps them equal to what the engine produces).
"""

import math
import re

from grader.trusted import UNSET, Check, as_float, as_text, choices_check, is_obj, returned
from grader.trusted import shown, text_is





def _number(value) -> float | None:
    """A number the kernel held (int, float or a numpy number), else None (text and bools too)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if is_obj(value) and str(value.get("__obj__", "")).startswith(("int", "uint", "float")):
        return value.get("float")
    return None




def _is_dict(value) -> bool:
    """A plain dict arrived (not a value the kernel could only describe)."""
    return isinstance(value, dict) and not is_obj(value)


# ------------------------------------------------------------------------------ task 1 cost

ALLOWED_MEMORY_MB = (1024, 2048, 3072, 4096, 5120, 6144)   # monitorlab.operations.options
TASK1_VISIBLE_COST = [2048, 80, 0.00002]
TASK1_VISIBLE_RPS = [0.115, 2048, 80, 0.00002]
TASK1_COST_HINT = "memory in GB (MB / 1024) x duration in seconds x price, times one million"
TASK1_RPS_HINT = "hourly price / (3600 s x cost of one request)"
TASK1_ENGINE = ("monitorlab", "serverless_cost", "per_million", "serverless_config",
                "serverless_day", "SERVERLESS_MEMORY_MB")
TASK1_EVALUATE = '''
def refused(name, args):
    function = globals().get(name)
    if function is None:
        return {"missing": name}
    try:
        got = function(*args)
    except NotImplementedError as error:
        return raised(error)
    except ValueError as error:
        return {"value_error": True, "raised": f"{type(error).__name__}: {error}"[:1000]}
    except Exception as error:
        return raised(error)
    return {"value": jsonable(got)}
return {"visible_cost": call("serverless_cost_per_million", *INPUTS["visible_cost"]),
        "visible_rps": call("breakeven_rps", *INPUTS["visible_rps"]),
        "rps": [call("breakeven_rps", *args) for args in INPUTS["rps"]],
        "cost": [call("serverless_cost_per_million", *args) for args in INPUTS["cost"]],
        "bad_size": refused("breakeven_rps", INPUTS["bad_size"])}
'''


def task1_inputs(rng) -> dict:
    """Three break-evens: instance types other than the visible ml.m5.large (hourly hosting
    prices from the engine's price table), three distinct memory sizes (one of them 1024 MB),
    the table's GB-second price. Two costs per million: one at the table's price, one at another
    price. One break-even with a memory size serverless does not offer."""
    from monitorlab.operations import cost

    prices = cost.load_prices()
    per_gb_second = prices["serverless"]["per_gb_second"]
    types = sorted(t for t, row in prices["instance_hour"].items()
                   if row.get("hosting") and t != "ml.m5.large")
    sizes = [1024] + rng.sample([s for s in ALLOWED_MEMORY_MB if s not in (1024, 2048)], 2)
    rng.shuffle(sizes)
    rps = [[cost.hourly(prices, t), size, rng.randint(20, 400), per_gb_second]
           for t, size in zip(rng.sample(types, 3), sizes)]
    other_price = round(per_gb_second * rng.choice([1.05, 1.1, 1.15, 1.2, 1.25]), 9)
    per_million = [[rng.choice([1024, 4096, 5120]), rng.randint(100, 400), per_gb_second],
                   [rng.choice([3072, 6144]), rng.randint(20, 60), other_price]]
    bad = [cost.hourly(prices, rng.choice(types)), rng.choice([512, 1000, 1500, 2000, 2500, 8192, 10240]),
           rng.randint(20, 400), per_gb_second]
    return {"visible_cost": TASK1_VISIBLE_COST, "visible_rps": TASK1_VISIBLE_RPS, "rps": rps,
            "cost": per_million, "bad_size": bad}


def _serverless(gb_seconds: float, price_per_gb_second: float) -> float:
    """The engine's serverless compute cost of ``gb_seconds`` (data processing left out)."""
    from monitorlab.operations import cost

    prices = {"serverless": {"per_gb_second": price_per_gb_second, "data_processed_per_gb": 0.0,
                             "provisioned_concurrency_per_gb_second": 0.0}}
    return cost.serverless_cost(prices, gb_seconds)


def expected_cost_per_million(memory_mb, duration_ms, price_per_gb_second) -> float:
    """``cost.per_million`` of one million requests of ``memory_mb / 1024 x duration_ms / 1000`` GB-s."""
    from monitorlab.operations import cost

    gb_seconds = 1e6 * memory_mb / 1024 * duration_ms / 1000
    return cost.per_million(_serverless(gb_seconds, price_per_gb_second), 1e6)


def expected_breakeven(instance_hourly, memory_mb, duration_ms, price_per_gb_second) -> float:
    """Requests/s where an hour of serverless costs ``instance_hourly``: hourly / cost of 1 req/s for 1 h."""
    return instance_hourly / _serverless(3600 * memory_mb / 1024 * duration_ms / 1000,
                                         price_per_gb_second)


def _value_points(result: dict, name: str, args: list, expected: float, weight: float,
                  hint: str, msgs: list) -> float:
    """``weight`` if ``float(value)`` is within rel 1e-9 of ``expected``, else a message."""
    label = f"{name}{tuple(args)}"
    got = returned(result, name, label, msgs)
    if got is UNSET:
        return 0.0
    number = as_float(got)
    if number is not None and math.isclose(number, expected, rel_tol=1e-9):
        return weight
    msgs.append(f"✗ {label} gave {shown(got)}, expected {expected!r} ({hint})")
    return 0.0


def score_task1(values: dict, inputs: dict) -> tuple[float, list[str]]:
    """Visible: one cost and one break-even (0.5 each). Hidden: three break-evens (0.75 each), two
    costs per million (0.5 each), a memory size that does not exist raising ValueError (0.75)."""
    msgs: list[str] = []
    cost_name, rps_name = "serverless_cost_per_million", "breakeven_rps"
    score = _value_points(values["visible_cost"], cost_name, inputs["visible_cost"],
                          expected_cost_per_million(*inputs["visible_cost"]), 0.5, TASK1_COST_HINT, msgs)
    score += _value_points(values["visible_rps"], rps_name, inputs["visible_rps"],
                           expected_breakeven(*inputs["visible_rps"]), 0.5, TASK1_RPS_HINT, msgs)
    for result, args in zip(values["rps"], inputs["rps"]):
        score += _value_points(result, rps_name, args, expected_breakeven(*args), 0.75,
                               TASK1_RPS_HINT, msgs)
    for result, args in zip(values["cost"], inputs["cost"]):
        score += _value_points(result, cost_name, args, expected_cost_per_million(*args), 0.5,
                               TASK1_COST_HINT, msgs)
    bad, size = values["bad_size"], inputs["bad_size"][1]
    if bad.get("value_error"):
        score += 0.75
    elif "value" in bad:
        msgs.append(f"✗ memory_mb={size} is not a serverless memory size: raise ValueError")
    elif "missing" not in bad and not str(bad.get("raised", "")).startswith("NotImplementedError"):
        msgs.append(f"✗ memory_mb={size}: raise ValueError naming the allowed sizes, not "
                    f"{str(bad.get('raised')).split(':')[0]}")
    return score, msgs


TASK1 = Check("task1-cost-tests", 5, TASK1_EVALUATE, score_task1, task1_inputs,
              forbid=(("task1-cost-answer", TASK1_ENGINE),))

# ------------------------------------------------------------------------------ task 2 config

TASK2_ENDPOINT, TASK2_VARIANT = "card-fraud", "live"
TASK2_RPS_AT_FULL_CPU, TASK2_CPU_TARGET = 40, 0.6
TASK2_NAMES = ("REGISTER", "POLICY", "SCHEDULE")
TASK2_CRON = re.compile(r"cron\(45 0?7 \* \* \? \*\)")       # every day at 07:45 UTC
TASK2_EVALUATE = '''
def plain(name):
    value = globals().get(name)
    return get(name) if not isinstance(value, dict) else {"value": jsonable(dict(value))}
return {name: plain(name) for name in INPUTS["names"]}
'''


def expected_ids() -> dict[str, str]:
    """The keyword arguments naming ``card-fraud``'s variant ``live`` (``monitorlab.operations.scaling``)."""
    from monitorlab.operations import scaling

    return {"ServiceNamespace": scaling.NAMESPACE,
            "ResourceId": scaling.resource_id(TASK2_ENDPOINT, TASK2_VARIANT),
            "ScalableDimension": scaling.DIMENSION}


def expected_target() -> float:
    """Invocations per instance per MINUTE at the CPU target: 40 req/s x 0.6 x 60 s."""
    return TASK2_RPS_AT_FULL_CPU * TASK2_CPU_TARGET * 60


def score_task2(values: dict, inputs: dict) -> tuple[float, list[str]]:
    """Visible: the three dicts' identifiers (0.5). Hidden: min/max (0.5), policy type and metric
    (0.5), target value (1), cooldowns (0.5), schedule (0.5), its action (0.5)."""
    from monitorlab.operations import scaling

    kwargs = {name: values[name].get("value") for name in TASK2_NAMES}
    answered = all(_is_dict(v) for v in kwargs.values())
    register, policy, schedule = (v if _is_dict(v) else {} for v in kwargs.values())
    msgs: list[str] = []
    score = 0.0
    if not answered:
        msgs.append("✗ REGISTER, POLICY and SCHEDULE must each be a dict of keyword arguments")
    else:
        wrong = [f"{name}[{key!r}]" for name, given in zip(TASK2_NAMES, (register, policy, schedule))
                 for key, want in expected_ids().items() if not text_is(given.get(key), want)]
        if wrong:
            msgs.append(f"✗ wrong or missing {wrong}: a variant's resource id is "
                        "endpoint/<endpoint>/variant/<variant>")
        else:
            score += 0.5
    say = msgs.append if answered else (lambda text: None)
    tt = policy.get("TargetTrackingScalingPolicyConfiguration")
    tt = tt if _is_dict(tt) else {}
    if _number(register.get("MinCapacity")) == 2 and _number(register.get("MaxCapacity")) == 8:
        score += 0.5
    else:
        say("✗ REGISTER: MinCapacity 2 and MaxCapacity 8")
    spec = tt.get("PredefinedMetricSpecification")
    metric = spec.get("PredefinedMetricType") if _is_dict(spec) else None
    if (text_is(policy.get("PolicyType"), "TargetTrackingScaling")
            and text_is(metric, scaling.PREDEFINED)
            and text_is(policy.get("PolicyName"), "fraud-invocations")):
        score += 0.5
    else:
        say(f"✗ POLICY: PolicyName fraud-invocations, PolicyType TargetTrackingScaling, predefined "
            f"metric {scaling.PREDEFINED}")
    target = as_float(tt.get("TargetValue"))
    if target is not None and math.isclose(target, expected_target()):
        score += 1.0
    else:
        say(f"✗ TargetValue is {shown(tt.get('TargetValue'))}: the metric counts invocations per "
            "instance PER MINUTE; 60 % of 40 requests per second is how many a minute?")
    if _number(tt.get("ScaleOutCooldown")) == 60 and _number(tt.get("ScaleInCooldown")) == 600:
        score += 0.5
    else:
        say("✗ cooldowns: ScaleOutCooldown 60 and ScaleInCooldown 600 (seconds)")
    cron = as_text(schedule.get("Schedule", "")).strip()
    if TASK2_CRON.fullmatch(cron) and text_is(schedule.get("ScheduledActionName"), "morning-floor"):
        score += 0.5
    else:
        say(f"✗ SCHEDULE: name morning-floor and Schedule cron(M H * * ? *) in UTC (got {cron!r})")
    if _raises_min_to_4(schedule.get("ScalableTargetAction")):
        score += 0.5
    else:
        say("✗ SCHEDULE: ScalableTargetAction raises MinCapacity to 4")
    return score, msgs


def _raises_min_to_4(action) -> bool:
    """``{"MinCapacity": 4}``, or with ``"MaxCapacity": 8`` kept (numbers of any numeric type)."""
    if not _is_dict(action) or set(action) not in ({"MinCapacity"}, {"MinCapacity", "MaxCapacity"}):
        return False
    return _number(action["MinCapacity"]) == 4 and _number(action.get("MaxCapacity", 8)) == 8


TASK2 = Check("task2-config-tests", 4, TASK2_EVALUATE, score_task2,
              lambda rng: {"names": list(TASK2_NAMES)})

# ------------------------------------------------------------------------------ task 3 incidents

# What moved in the lab's INCIDENTS (tests/test_lab09_operations_cost.py recomputes them with
# monitorlab.operations.capacity and checks each incident moved the metric its answer names).
TASK3_ALLOWED = ("instance", "model", "payload", "scaling")
TASK3_KEY = {
    "P": ("payload", "only OverheadLatency grew: SageMaker's time around the container, driven by "
                     "the payload"),
    "Q": ("scaling", "Invocations grew 4x and ModelLatency and CPU with them: the fleet is too "
                     "small for the load"),
    "R": ("model", "same traffic, but ModelLatency and CPU per request grew: the model itself is "
                   "slower"),
    "S": ("instance", "only MemoryUtilization grew, near the limit: a type with more memory"),
}


def score_task3(values: dict, inputs: dict) -> tuple[float, list[str]]:
    """Each incident's fix (1 each)."""
    fix = values["fix"].get("value")
    fix = fix if _is_dict(fix) else {}
    allowed = set(TASK3_ALLOWED)
    msgs, score = [], 0.0
    bad = [k for k in TASK3_KEY if not any(text_is(fix.get(k), a) for a in allowed)]
    if bad:
        msgs.append(f"✗ give one of {sorted(allowed)} for {bad}")
    for key, (answer, why) in TASK3_KEY.items():
        if text_is(fix.get(key), answer):
            score += 1.0
        elif key not in bad:
            msgs.append(f"✗ {key}: {why}")
    return score, msgs


TASK3 = Check("task3-fix-tests", 4, 'return {"fix": get("FIX")}\n', score_task3)

# ------------------------------------------------------------------------------ task 4 the day

# The lab's simulated day, measured (tests/test_lab09_operations_cost.py keeps them current).
FIRST_SCALE_OUT = "2026-01-05T10:17:00+00:00"
FAILED = 4956
PEAK_DESIRED = 3
TASK4_EVALUATE = '''
def first_utc():
    import pandas as _pd
    when = _pd.Timestamp(globals()["FIRST_SCALE_OUT"])
    when = when.tz_localize("UTC") if when.tzinfo is None else when.tz_convert("UTC")
    return None if _pd.isna(when) else when.isoformat()
return {"first": attempt(first_utc), "first_raw": get("FIRST_SCALE_OUT"),
        "failed": get("FAILED"), "peak": get("PEAK_DESIRED")}
'''


def score_task4(values: dict, inputs: dict) -> tuple[float, list[str]]:
    """FIRST_SCALE_OUT (1), FAILED (1), PEAK_DESIRED (1)."""
    failed, peak = values["failed"].get("value"), values["peak"].get("value")
    msgs, score = [], 0.0
    if values["first"].get("value") == FIRST_SCALE_OUT:
        score += 1.0
    else:
        msgs.append("✗ FIRST_SCALE_OUT: the StartTime of the first activity that raises the "
                    "desired count")
    if _number(failed) == FAILED:
        score += 1.0
    else:
        msgs.append(f"✗ FAILED is {shown(failed)}: sum errors_5xx over the whole day")
    if _number(peak) == PEAK_DESIRED:
        score += 1.0
    else:
        msgs.append(f"✗ PEAK_DESIRED is {shown(peak)}: the maximum of the desired column "
                    "(instances still starting count)")
    return score, msgs


TASK4 = Check("task4-day-tests", 3, TASK4_EVALUATE, score_task4)

# ------------------------------------------------------------------------------ tasks 5, 6 exam

TASK5_KEY = {
    "COLD_START": ("B", "provisioned concurrency keeps containers warm; memory and MaxConcurrency "
                        "do not"),
    "BIG_PAYLOAD": ("D", "async takes payloads up to 1 GB from S3 and up to an hour; real-time "
                         "stops at 6 MB / 60 s, serverless at 4 MB"),
    "MANY_MODELS": ("A", "a multi-model endpoint loads many same-framework models onto shared "
                         "instances"),
    "TRAINING_COST": ("C", "Managed Spot Training saves up to 90 %; checkpoints make interruptions "
                           "cheap"),
    "CHOOSE_INSTANCE": ("C", "Inference Recommender load-tests SageMaker instance types; Compute "
                             "Optimizer is for EC2/Lambda"),
    "STEADY_USAGE": ("A", "Savings Plans discount steady, committed usage"),
    "IDLE_FLEET": ("D", "utilisation says the fleet is oversized: right-size first, scale for the "
                        "burst"),
    "SLOW_TRAINING": ("B", "Debugger/Profiler finds training bottlenecks such as an idle GPU"),
}
TASK6_KEY = {
    "INFERENCE_CHIP": ("B", "Inferentia (ml.inf1/ml.inf2) is AWS's inference chip; Trainium "
                            "(ml.trn1) is for training"),
    "COMPILE_ONCE": ("A", "SageMaker Neo compiles a model for a target (cloud instance family or "
                          "edge device)"),
    "SPEND_BY_TEAM": ("C", "activated cost-allocation tags split spend in Cost Explorer; Budgets "
                           "alert at a threshold"),
    "TRAINING_LOSS": ("D", "metric_definitions (name + regex) turn log lines into CloudWatch "
                           "metrics; instance metrics such as GPUUtilization come without them"),
}

TASK5 = choices_check("task5-exam-tests", TASK5_KEY)
TASK6 = choices_check("task6-exam-tests", TASK6_KEY)

CHECKS = [TASK1, TASK2, TASK3, TASK4, TASK5, TASK6]
