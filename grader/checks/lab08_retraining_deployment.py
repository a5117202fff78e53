"""Trusted checks of lab 08 (retraining and deployment): 30 points, scored outside the learner's kernel.

task1 pipeline decision 5, task2 rollback decision 5, task3 DeploymentConfig 4, task4 the rollout
4, task5 triggers 3, task6 exam 9. Each check's visible part is what the notebook's visible test
shows; the hidden part uses inputs drawn for each grading run (``inputs``) with the expected
values computed here by the engine: the pipeline's own rule and stored definition
(``monitorlab.maintenance.pipeline``: ``BROKEN_DATA_CHECKS``, ``condition_passes``,
``pipeline_definition``) and CloudWatch's alarm rule (``monitorlab.account.alarms.decide_state``,
evaluated at the end of every minute as ``rollout.run_blue_green`` does), or literals measured
from the lab's own deterministic set-up (task 4) or the engine's trigger rule (task 5), which
``tests/test_lab08_retraining_deployment.py`` keeps equal to what the engine produces.
"""

from collections.abc import Callable

# Lab 07's value helpers (the same rules: a value not written / raised, a str or numpy str, a dict);
# they belong in grader.trusted, which the lead owns.
from grader.trusted import UNSET, Check, as_text, choices_check, is_obj, letter, plain_dict
from grader.trusted import returned, shown, text_is

COURSE_FEATURES = ["age", "workclass", "education", "education_num", "marital_status",
                   "occupation", "relationship", "race", "sex", "capital_gain", "capital_loss",
                   "hours_per_week", "native_country"]  # monitorlab.serving.data.FEATURES
DRIFT_CHECKS = ("baseline_drift_check", "categorical_values_check")  # drift: no stop at the gate
NUMBER_TYPES = ("int", "float", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
                "uint64", "float16", "float32", "float64")


def _number(value) -> float | None:
    """A number the kernel held (Python or numpy int/float, not bool, not text), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if is_obj(value) and value.get("__obj__") in NUMBER_TYPES:
        return value.get("float")
    return None


def _case_points(values: dict, inputs: dict, visible_labels: list, hidden: list, name: str,
                 expected: Callable, same: Callable) -> tuple[float, list[str]]:
    """Points of a function task: 0.5 per visible case (``visible_labels``: label, hint) and each
    hidden case's weight (``hidden``: label, hint, weight) when ``same(got, expected(*args))``."""
    rows = [(result, args, 0.5, label, hint) for result, args, (label, hint)
            in zip(values["visible"], inputs["visible"], visible_labels)]
    rows += [(result, args, weight, f"hidden: {label}", hint) for result, args, (label, hint, weight)
             in zip(values["hidden"], inputs["hidden"], hidden)]
    msgs: list[str] = []
    score = 0.0
    for result, args, weight, label, hint in rows:
        got = returned(result, name, label, msgs)
        if got is UNSET:
            continue
        want = expected(*args)
        if same(got, want):
            score += weight
        else:
            msgs.append(f"✗ {label}: got {shown(got)}, expected {want!r} ({hint})")
    return score, msgs


# ------------------------------------------------------------------------------ task 1 outcome

TASK1_VISIBLE = [
    [[], {"candidate": {"f1": 0.71, "auc": 0.83}, "current": {"f1": 0.58, "auc": 0.80}}, 0.02],
    [[], {"candidate": {"f1": 0.52, "auc": 0.78}, "current": {"f1": 0.58, "auc": 0.80}}, 0.02],
]
TASK1_VISIBLE_LABELS = [("better candidate", "a registered version waits for a reviewer: PendingManualApproval"),
                        ("worse candidate", "a false condition ends at the Fail step, nothing registered")]
# (label, hint, weight) of the six hidden cases, in the order task1_inputs draws them
TASK1_HIDDEN = [
    ("drift violations only", "drift is why we retrain: only the broken-data checks stop the gate", 1.0),
    ("an empty feature", "a broken feed stops the run at the gate, however good the candidate looks", 0.75),
    ("gain too small", "the candidate must beat the current F1 by min_gain", 0.75),
    ("exactly the gain", "the condition is GreaterThanOrEqualTo: equal passes", 0.5),
    ("better AUC, worse F1", "the condition compares F1 only", 0.5),
    ("a type change among drift", "one broken-data violation is enough to stop the gate", 0.5),
]
TASK1_EVALUATE = '''
import copy as _copy
def outcome(violations, evaluation, min_gain):
    return call("pipeline_outcome", _copy.deepcopy(violations), _copy.deepcopy(evaluation), min_gain)
return {"visible": [outcome(*case) for case in INPUTS["visible"]],
        "hidden": [outcome(*case) for case in INPUTS["hidden"]]}
'''


def _violation(feature: str, check: str) -> dict:
    return {"feature_name": feature, "constraint_check_type": check,
            "description": f"{check} on {feature}"}


def _evaluation(rng, candidate_f1: float, current_f1: float, *, better_auc: bool | None = None) -> dict:
    """``evaluation.json`` with the two F1s and AUCs (hundredths; the candidate's AUC higher if asked)."""
    aucs = sorted(rng.sample(range(70, 95), 2))
    cand_auc, curr_auc = (aucs[1], aucs[0]) if better_auc or (better_auc is None and rng.random() < 0.5) \
        else (aucs[0], aucs[1])
    return {"candidate": {"f1": candidate_f1, "auc": cand_auc / 100},
            "current": {"f1": current_f1, "auc": curr_auc / 100}}


def _clearly_better(rng) -> tuple[float, float]:
    """(candidate F1, current F1): the candidate ahead by 0.10 to 0.40 (hundredths)."""
    current = rng.randint(35, 55)
    return (current + rng.randint(10, 40)) / 100, current / 100


def task1_inputs(rng) -> dict:
    """Six hidden runs, one per edge: drift violations only with a clearly better candidate; one
    completeness violation (an empty feature) with a clearly better candidate; no violation and a
    gain below min_gain; a gain exactly min_gain (multiples of 1/64, exact in binary floating
    point); a better AUC but a worse F1 (min_gain 0); a data_type_check among drift violations."""
    features = rng.sample(COURSE_FEATURES, 6)
    drift = [_violation(f, rng.choice(DRIFT_CHECKS)) for f in features[:rng.randint(1, 3)]]
    gain = rng.randint(1, 4) / 100
    cases = [[drift, _evaluation(rng, *_clearly_better(rng)), gain]]
    cases.append([[_violation(features[3], "completeness_check")],
                  _evaluation(rng, *_clearly_better(rng)), gain])
    small_gain = rng.randint(2, 5)
    current = rng.randint(45, 65)
    cases.append([[], _evaluation(rng, (current + rng.randint(1, small_gain - 1)) / 100, current / 100),
                  small_gain / 100])
    current, exact = rng.randint(20, 40), rng.randint(4, 16)
    cases.append([[], _evaluation(rng, (current + exact) / 64, current / 64), exact / 64])
    current = rng.randint(50, 70)
    cases.append([[], _evaluation(rng, (current - rng.randint(1, 5)) / 100, current / 100,
                                  better_auc=True), 0.0])
    mixed = [_violation(features[4], "baseline_drift_check"), _violation(features[5], "data_type_check")]
    rng.shuffle(mixed)
    cases.append([mixed, _evaluation(rng, *_clearly_better(rng)), 0.0])
    return {"visible": TASK1_VISIBLE, "hidden": cases}


def expected_outcome(violations: list, evaluation: dict, min_gain: float) -> tuple:
    """Where the engine's pipeline ends: its gate rule, its ``CheckF1`` condition and the step
    names and approval status of the definition it stores."""
    from monitorlab.maintenance import pipeline as pl

    steps = {s["Name"]: s for s in pl.pipeline_definition("arn:aws:iam::123456789012:role/r", "g")["Steps"]}
    condition = steps["CheckF1"]["Arguments"]
    register, fail = condition["IfSteps"][0], condition["ElseSteps"][0]
    if any(v["constraint_check_type"] in pl.BROKEN_DATA_CHECKS for v in violations):
        return ("DataQualityGate", None)
    if pl.condition_passes(evaluation["candidate"]["f1"], evaluation["current"]["f1"], min_gain):
        return (register["Name"], register["Arguments"]["ModelApprovalStatus"])
    return (fail["Name"], None)


def _same_outcome(got, expected: tuple) -> bool:
    """The tuple (or list) returned is ``expected`` (its step name a ``str`` or a numpy string)."""
    return (isinstance(got, list) and len(got) == len(expected)
            and all((e is None and g is None) or (e is not None and text_is(g, e))
                    for g, e in zip(got, expected)))


def score_task1(values: dict, inputs: dict) -> tuple[float, list[str]]:
    """Visible: a better and a worse candidate (0.5 each). Hidden: drift only (1), an empty feature
    (0.75), a gain too small (0.75), exactly the gain, better AUC worse F1, a type change (0.5 each)."""
    return _case_points(values, inputs, TASK1_VISIBLE_LABELS, TASK1_HIDDEN, "pipeline_outcome",
                        expected_outcome, _same_outcome)


TASK1 = Check("task1-outcome-tests", 5, TASK1_EVALUATE, score_task1, task1_inputs,
              forbid=(("task1-outcome-answer", ("condition_passes", "run_retraining")),))

# ------------------------------------------------------------------------------ task 2 rollback

TASK2_VISIBLE = [[[0, 0, 3, 0, 0], 1, 1, 1, 5], [[0, 0, 0, 0, 0, 0], 0, 1, 1, 6]]
TASK2_VISIBLE_LABELS = [("one bad minute", "minute 2 breaches; the rollback is at its end, 3 minutes after the start"),
                        ("clean rollout", "no minute above the threshold: the deployment succeeds, return None")]
# (label, hint, weight) of the five hidden series, in the order task2_inputs draws them
TASK2_HIDDEN = [
    ("2 of 3", "M of N counts breaching minutes among the last N, they need not be consecutive", 1.0),
    ("equal to the threshold", "GreaterThanThreshold: a value equal to the threshold does not breach", 0.75),
    ("alarm after the end", "after the final baking period the deployment is over: a later alarm rolls "
                            "nothing back", 0.5),
    ("alarm at the end", "the alarm is still evaluated at the end of the last baking minute", 0.5),
    ("breaches far apart", "only the last evaluation_periods minutes count; older breaches leave the window",
     0.75),
]
TASK2_EVALUATE = '''
import copy as _copy
def rollback(args):
    return call("rollback_minute", *_copy.deepcopy(args))
out = {"visible": [rollback(args) for args in INPUTS["visible"]],
       "hidden": [rollback(args) for args in INPUTS["hidden"]]}
function = globals().get("rollback_minute")
if function is None:
    out["impossible"] = {"missing": "rollback_minute"}
else:
    try:
        out["impossible"] = {"value": jsonable(function(*_copy.deepcopy(INPUTS["impossible"])))}
    except NotImplementedError as error:
        out["impossible"] = raised(error)
    except ValueError as error:
        out["impossible"] = {"value_error": True}
    except Exception as error:
        out["impossible"] = raised(error)
return out
'''


def _quiet(rng, threshold: int) -> int:
    """A minute's Sum that does not breach (strictly below the threshold, or 0)."""
    return rng.randint(0, max(threshold - 1, 0))


def _loud(rng, threshold: int) -> int:
    """A minute's Sum above the threshold."""
    return threshold + rng.randint(1, 4)


def task2_inputs(rng) -> dict:
    """Five hidden series: 2 of 3 whose breaches are not consecutive (and two consecutive ones
    later); every minute exactly at the threshold; zeros at threshold 0 then two breaching minutes,
    with the deployment ending one minute before, then exactly at, the alarm; breaches ``N`` or
    more minutes apart. No series but the second has a value equal to its threshold; an impossible
    M of N (``datapoints_to_alarm > evaluation_periods``)."""
    t = rng.randint(1, 3)
    lead = [_quiet(rng, t) for _ in range(rng.randint(0, 2))]
    errors = lead + [_loud(rng, t), _quiet(rng, t), _loud(rng, t), _quiet(rng, t), _quiet(rng, t),
                     _loud(rng, t), _loud(rng, t), _quiet(rng, t)]
    hidden = [[errors, t, 3, 2, len(errors)]]
    equal, periods = rng.randint(1, 5), rng.randint(1, 3)
    length = rng.randint(3, 6)
    hidden.append([[equal] * length, equal, periods, rng.randint(1, periods), length])
    zeros = rng.randint(3, 6)
    late = [0] * zeros + [rng.randint(1, 9), rng.randint(1, 9)]
    periods = rng.randint(2, 3)
    hidden.append([late, 0, periods, 2, zeros + 1])
    hidden.append([late, 0, periods, 2, zeros + 2])
    t = rng.randint(2, 4)
    apart = [_loud(rng, t)]
    for _ in range(2):
        apart += [_quiet(rng, t) for _ in range(rng.randint(2, 3))] + [_loud(rng, t)]
    hidden.append([apart, t, 3, 2, len(apart)])
    periods = rng.randint(1, 3)
    datapoints = periods + rng.randint(1, 2)
    impossible = [[_loud(rng, 1) for _ in range(datapoints)], 1, periods, datapoints, datapoints]
    return {"visible": TASK2_VISIBLE, "hidden": hidden, "impossible": impossible}


def expected_rollback(errors: list, threshold: float, evaluation_periods: int, datapoints_to_alarm: int,
                      deployment_minutes: int) -> int | None:
    """Minutes from the start to the rollback, by CloudWatch's rule (``alarms.decide_state``) on the
    ``Sum`` of the last ``evaluation_periods`` minutes at the end of every minute of the deployment
    (minutes before it: 0, ``TreatMissingData`` notBreaching), as ``rollout.run_blue_green`` does."""
    from monitorlab.account.alarms import decide_state

    for minute in range(min(len(errors), deployment_minutes)):
        window = [errors[k] if k >= 0 else 0 for k in range(minute - evaluation_periods + 1, minute + 1)]
        state, _ = decide_state(window, threshold, "GreaterThanThreshold", datapoints_to_alarm,
                                "notBreaching", "OK")
        if state == "ALARM":
            return minute + 1
    return None


def _same_minute(got, expected: int | None) -> bool:
    """The minute returned is ``expected``: an ``int`` (not a bool, a float or a numpy int), or None."""
    return (got is None and expected is None) or (type(got) is int and got == expected)


def score_task2(values: dict, inputs: dict) -> tuple[float, list[str]]:
    """Visible: one bad minute, a clean rollout (0.5 each). Hidden: M of N (1), equal to the
    threshold (0.75), after and at the end (0.5 each), far apart (0.75), impossible M of N (0.5)."""
    score, msgs = _case_points(values, inputs, TASK2_VISIBLE_LABELS, TASK2_HIDDEN, "rollback_minute",
                               expected_rollback, _same_minute)
    impossible, args = values["impossible"], inputs["impossible"]
    label = f"hidden: {args[3]} of {args[2]} datapoints"
    if impossible.get("value_error"):
        score += 0.5
    elif "value" in impossible:
        msgs.append(f"✗ {label}: CloudWatch refuses DatapointsToAlarm > EvaluationPeriods; raise ValueError")
    elif "raised" in impossible and not str(impossible["raised"]).startswith("NotImplementedError"):
        msgs.append(f"✗ {label}: raise ValueError, not {str(impossible['raised']).split(':')[0]}")
    return score, msgs


TASK2 = Check("task2-rollback-tests", 5, TASK2_EVALUATE, score_task2, task2_inputs,
              forbid=(("task2-rollback-answer", ("decide_state", "evaluate_alarm", "evaluate_alarms",
                                                 "run_blue_green")),))

# ------------------------------------------------------------------------------ task 3 config

TASK3_ALARMS = ["card-fraud-5xx", "card-fraud-latency-p99"]
TASK3_EVALUATE = '''
return {"config": get("DEPLOYMENT_CONFIG"),
        "json": attempt(lambda: len(_json.dumps(globals()["DEPLOYMENT_CONFIG"])) > 0),
        "action": get("API_ACTION")}
'''


def _engine_reads(config: dict, is_json: dict, msgs: list) -> float:
    """0.5 if the config is JSON and the engine's ``rollout.shift_plan`` reads it."""
    from monitorlab.maintenance import rollout

    if is_json.get("value") is not True:
        msgs.append(f"✗ the engine cannot read DEPLOYMENT_CONFIG: {is_json.get('raised')}")
        return 0.0
    try:
        rollout.shift_plan(config)
    except (TypeError, ValueError) as error:
        msgs.append(f"✗ the engine cannot read DEPLOYMENT_CONFIG: {error}")
        return 0.0
    return 0.5


def score_task3(values: dict, inputs: dict) -> tuple[float, list[str]]:
    """Visible: the engine reads the shift plan (0.5). Hidden: routing type, canary size, wait
    (0.5 each), alarms (0.75), termination wait, timeout (0.25 each), the API action (0.75)."""
    msgs: list[str] = []
    config = values["config"].get("value")
    if not isinstance(config, dict) or is_obj(config):
        msgs.append("✗ DEPLOYMENT_CONFIG is not a dict yet")
        score = 0.0
    else:
        score = _engine_reads(config, values["json"], msgs)
    routing = plain_dict(plain_dict(plain_dict(config).get("BlueGreenUpdatePolicy")).get("TrafficRoutingConfiguration"))
    score += _task3_fields(plain_dict(config), routing, msgs.append if routing else (lambda text: None))
    action = values["action"].get("value")
    if "value" in values["action"] and as_text(action).strip() in ("UpdateEndpoint", "update_endpoint"):
        score += 0.75
    else:
        msgs.append(f"✗ API_ACTION is {shown(action)}: the DeploymentConfig travels with a new endpoint "
                    "configuration in one call; the weights call changes weights only, without guardrails")
    return score, msgs


def _task3_fields(config: dict, routing: dict, say) -> float:
    """The six requirements of the canary update, each with its points (a message when unmet)."""
    policy = plain_dict(config.get("BlueGreenUpdatePolicy"))
    size = plain_dict(routing.get("CanarySize"))
    wait = routing.get("WaitIntervalInSeconds")
    alarms = plain_dict(config.get("AutoRollbackConfiguration")).get("Alarms")
    alarms = alarms if isinstance(alarms, list) else []
    termination = policy.get("TerminationWaitInSeconds")
    timeout = policy.get("MaximumExecutionTimeoutInSeconds")
    requirements = [
        (routing.get("Type") == "CANARY", 0.5,
         f"✗ TrafficRoutingConfiguration.Type is {shown(routing.get('Type'))}: a small share first is CANARY"),
        (size.get("Type") == "CAPACITY_PERCENT" and _number(size.get("Value")) == 10 and len(size) == 2, 0.5,
         f"✗ CanarySize is {shown(routing.get('CanarySize'))}: 10 % of the capacity is "
         "{'Type': 'CAPACITY_PERCENT', 'Value': 10}"),
        (type(wait) is int and wait == 600, 0.5,
         f"✗ WaitIntervalInSeconds is {shown(wait)}: the baking period in seconds, an integer"),
        (all(isinstance(a, dict) and not is_obj(a) and set(a) == {"AlarmName"} for a in alarms)
         and sorted(as_text(a["AlarmName"]) for a in alarms) == TASK3_ALARMS, 0.75,
         f"✗ AutoRollbackConfiguration is {shown(config.get('AutoRollbackConfiguration'))}: "
         "{'Alarms': [{'AlarmName': ...}, {'AlarmName': ...}]} with both alarms, at the top level"),
        (type(termination) is int and termination == 300, 0.25,
         f"✗ TerminationWaitInSeconds is {shown(termination)}: how long blue is kept, in seconds, "
         "inside BlueGreenUpdatePolicy"),
        (type(timeout) is int and timeout == 3600, 0.25,
         f"✗ MaximumExecutionTimeoutInSeconds is {shown(timeout)}: one hour, in seconds"),
    ]
    for met, points, message in requirements:
        if not met:
            say(message)
    return sum(points for met, points, _ in requirements if met)


TASK3 = Check("task3-config-tests", 4, TASK3_EVALUATE, score_task3,
              forbid=(("task3-config-answer", ("deployment_config",)),))

# ------------------------------------------------------------------------------ task 4 rollout

# The lab's rollout, measured (tests/test_lab08_retraining_deployment.py keeps them current).
ROLLBACK_AFTER = 3
SHARE_WHEN_FIRED = 0.4
LIVE_CONFIG = "adult-income-config"
WHY_NOT_FIRST = "B"
TASK4_EVALUATE = '''
return {name: get(name) for name in ("ROLLBACK_AFTER", "SHARE_WHEN_FIRED", "LIVE_CONFIG", "WHY_NOT_FIRST")}
'''


def score_task4(values: dict, inputs: dict) -> tuple[float, list[str]]:
    """ROLLBACK_AFTER, SHARE_WHEN_FIRED, LIVE_CONFIG, WHY_NOT_FIRST: 1 each."""
    after, share, live = (values[n].get("value") for n in ("ROLLBACK_AFTER", "SHARE_WHEN_FIRED", "LIVE_CONFIG"))
    share_number = _number(share)
    why = values["WHY_NOT_FIRST"]
    answers = [
        (_number(after) == ROLLBACK_AFTER,
         f"✗ ROLLBACK_AFTER is {shown(after)}: find the first minute whose alarm column reads ALARM; "
         "the rollback happens at the END of that minute (row 0 ends 1 minute after the start)"),
        (share_number is not None and abs(share_number - SHARE_WHEN_FIRED) < 1e-9,
         f"✗ SHARE_WHEN_FIRED is {shown(share)}: read green_share on the row where the alarm first "
         "reads ALARM (the share in force during that minute, before the rollback)"),
        (text_is(live, LIVE_CONFIG),
         f"✗ LIVE_CONFIG is {shown(live)}: after a rollback the endpoint keeps its OLD configuration; "
         "ask sm.describe_endpoint"),
        ("value" in why and letter(why["value"]) == WHY_NOT_FIRST,
         "✗ WHY_NOT_FIRST: the alarm's DatapointsToAlarm is 2 of EvaluationPeriods 3: one breaching "
         "minute is not enough; every minute of the shift and the bake is watched"),
    ]
    return float(sum(ok for ok, _ in answers)), [msg for ok, msg in answers if not ok]


TASK4 = Check("task4-rollout-tests", 4, TASK4_EVALUATE, score_task4)

# ------------------------------------------------------------------------------ task 5 triggers

# What monitorlab.maintenance.triggers.due_triggers says of each scenario (the tests check it).
TRIGGER_KIND = {"a": "threshold", "b": "schedule", "c": "performance",
                "d": "schedule", "e": "threshold", "f": "performance"}
TRIGGER_WHY = {"threshold": "an alarm changing state is a threshold trigger",
               "schedule": "a cadence that ignores the monitors is a scheduled trigger",
               "performance": "a measured metric against a floor, with no alarm, is a performance trigger"}
TASK5_EVALUATE = 'return {"kinds": get("TRIGGER_KIND")}\n'


def score_task5(values: dict, inputs: dict) -> tuple[float, list[str]]:
    """0.5 per scenario whose kind is the engine's."""
    kinds = plain_dict(values["kinds"].get("value"))
    given = {k: next((w for w in TRIGGER_WHY if text_is(kinds.get(k), w)), None) for k in "abcdef"}
    bad = [k for k, kind in given.items() if kind is None]
    msgs = [f"✗ give 'threshold', 'schedule' or 'performance' for {bad}"] if bad else []
    score = 0.0
    for k, kind in TRIGGER_KIND.items():
        if given[k] == kind:
            score += 0.5
        elif k not in bad:
            msgs.append(f"✗ {k}: {TRIGGER_WHY[kind]}")
    return score, msgs


TASK5 = Check("task5-triggers-tests", 3, TASK5_EVALUATE, score_task5)

# ------------------------------------------------------------------------------ task 6 exam

TASK6_KEY = {
    "DRIFT_RESPONSE": ("D", "alarm → EventBridge → Lambda (or the pipeline itself); Glue, Flink and "
                            "QuickSight detect no drift"),
    "SIGN_OFF": ("B", "versions, metrics and an approval status are what the Model Registry keeps"),
    "SHADOW": ("C", "only a shadow variant sees live traffic without any reply reaching a customer"),
    "AB_TEST": ("A", "A/B testing is production variants with weights; TargetVariant pins a request"),
    "BLUE_GREEN": ("D", "blue/green keeps the old fleet running beside the new one: instant rollback, "
                        "about twice the cost"),
    "RISK_ORDER": ("C", "all at once exposes everyone; linear grows in steps; a canary exposes a small "
                        "share first"),
    "TOP_CLIENTS": ("A", "Contributor Insights ranks the top contributors in log events"),
    "CI_CD": ("B", "CodePipeline orchestrates source, build, approval and deploy stages"),
    "CONCEPT_DRIFT": ("A", "concept drift: retrain on recent labelled data, only deploy a better model, "
                           "re-baseline"),
}

TASK6 = choices_check("task6-exam-tests", TASK6_KEY)

CHECKS = [TASK1, TASK2, TASK3, TASK4, TASK5, TASK6]
