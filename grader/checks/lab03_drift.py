"""Trusted checks of lab 03 (data quality and drift): 29 points, scored outside the learner's kernel.

task1 distances 6, task2 violations 5, task3 threshold 4, task4 alarm 5, task5 exam 6, task6
figure 3. Task 1's hidden pairs are drawn for each grading run (``task1_inputs``) with the old
literals' structure, and their expected values computed here by the engine
(``monitorlab.stats.drift.linf_simple`` and ``linf_robust``). Tasks 2, 3 and 6 keep literals read
from the lab's deterministic set-up (``VIOLATION_PAIRS``, ``AGE_NOISE_MAX``/``AGE_SHIFT_MIN``,
``SPIKES_DAY1``/``ALARMS_DAY1``; ``tests/test_lab03_drift.py`` keeps them equal to what the engine
produces). Task 4's "moto accepts it" runs ``put_metric_alarm`` in moto here, in the grading
process (as lab 00 and lab 01 do); a value numpy made (``np.int64(3600)``) arrives as a
description and is refused there, as botocore's validation refuses it in the kernel.
"""

import copy
import math

from grader.trusted import Check, Failed, NotWritten, as_float, as_text, choices_check, is_obj
from grader.trusted import letter, shown, value_of

NUMPY_NUMBERS = {"int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
                 "float16", "float32", "float64", "longdouble"}
DISTANCE_ENGINE = ("drift", "linf_simple", "linf_robust", "robust_correction", "empirical_cdf",
                   "categorical_linf", "ks_2samp", "kstest")


def _is_text(value) -> bool:
    """A ``str`` in the kernel (a Python or a numpy string)."""
    return isinstance(value, str) or (is_obj(value) and value.get("__obj__") == "str_")


def _plain(value):
    """A numpy number or string as the Python value it compares equal to; anything else as is."""
    if is_obj(value) and value.get("__obj__") in NUMPY_NUMBERS:
        return value.get("float")
    if is_obj(value) and value.get("__obj__") == "str_":
        return as_text(value)
    return value


def _letter_point(result: dict, right: str, msgs: list, why: str) -> float:
    """1 if the ``get`` result is the letter ``right`` (any case, spaces ignored), else 0 + ``why``."""
    if "value" in result and letter(result["value"]) == right:
        return 1.0
    msgs.append(why)
    return 0.0


def _number(value) -> float | None:
    """A number (Python or numpy, not a bool or a string) as a float, else None."""
    if type(value) in (int, float):
        return float(value)
    if is_obj(value) and value.get("__obj__") in NUMPY_NUMBERS:
        return value.get("float")
    return None


# ------------------------------------------------------------------------------ task 1 distances

TASK1_VISIBLE = [[1, 2, 3, 4], [2, 3, 4, 5]]   # Deequ's test vectors (KLLDistanceTest.scala)
TASK1_EVALUATE = '''
import numpy as _np
ref, cur = INPUTS["visible"]
simple = INPUTS["simple"]
return {"visible": [call("ks_distance", list(ref), list(cur)),
                    call("robust_distance", list(ref), list(cur))],
        "simple": [call("ks_distance", _np.array(simple[0][0]), _np.array(simple[0][1])),
                   call("ks_distance", list(simple[1][0]), list(simple[1][1]))],
        "robust": [call("robust_distance", list(r), list(c), **kw) for r, c, kw in INPUTS["robust"]]}
'''
SIMPLE_HINT = " (count every repeated value; evaluate both CDFs at all values)"
ROBUST_HINT = " (n and m are the full sample sizes; clamp at 0)"
ROBUST_WEIGHTS = (1.0, 1.0, 0.5)


def expected_simple(ref, cur) -> float:
    """The engine's L∞ simple (the two-sample KS statistic, repeats counted in full)."""
    from monitorlab.stats import drift

    return drift.linf_simple(ref, cur)


def expected_robust(ref, cur, c_alpha: float | None = None) -> float:
    """The engine's L∞ robust, max(0, simple - c_alpha * sqrt((n + m) / (n * m)))."""
    from monitorlab.stats import drift

    return drift.linf_robust(ref, cur) if c_alpha is None else drift.linf_robust(ref, cur, c_alpha)


def collapsed_simple(ref, cur) -> float:
    """The KS statistic over distinct values only (Deequ's rank map: a typical wrong answer)."""
    from monitorlab.stats import drift

    return drift.linf_simple(ref, cur, deequ_compat=True)


def _modular(rng) -> tuple[list[int], list[int]]:
    """``[(a*i) % p]`` vs ``[(b*i) % q + s]``: two samples with repeats and unequal sizes."""
    n, m = rng.randint(50, 70), rng.randint(35, 49)
    p, q = rng.choice([17, 19, 23, 29]), rng.choice([13, 17, 19])
    a, b, s = rng.randint(2, p - 1), rng.randint(2, q - 1), rng.randint(1, 5)
    return [(a * i) % p for i in range(n)], [(b * i) % q + s for i in range(m)]


def _ties(rng) -> tuple[list[int], list[int]]:
    """A few small integers with many ties: 5-7 values vs 8-10."""
    ref = sorted(rng.randint(0, 2) for _ in range(rng.randint(5, 7)))
    cur = sorted(rng.randint(0, 3) for _ in range(rng.randint(8, 10)))
    return ref, cur


def _repeats_matter(pair) -> bool:
    """Collapsing repeated values changes this pair's KS statistic (by more than 1e-3)."""
    return abs(expected_simple(*pair) - collapsed_simple(*pair)) > 1e-3 and expected_simple(*pair) > 0


def _shifted(rng) -> tuple[list[int], list[int]]:
    """``range(n)`` vs ``range(m)`` shifted: no repeats, a clear positive robust distance."""
    while True:
        n, m, shift = rng.randint(80, 120), rng.randint(50, 70), rng.randint(30, 50)
        pair = list(range(n)), [x + shift for x in range(m)]
        if expected_robust(*pair) > 0.02:
            return pair


def _even_repeats(rng) -> tuple[list[int], list[int], dict]:
    """``i % k`` (every value equally often) vs the same shifted, with a ``c_alpha`` other than
    1.8 that changes the result; collapsing repeats leaves the KS statistic as it is."""
    while True:
        k, shift = rng.randint(40, 60), rng.randint(8, 15)
        ref = [i % k for i in range(k * rng.randint(6, 9))]
        cur = [(i % k) + shift for i in range(k * rng.randint(4, 7))]
        c_alpha = rng.choice([1.22, 1.36, 1.48, 1.63])
        robust = expected_robust(ref, cur, c_alpha)
        if robust > 0.02 and abs(robust - expected_robust(ref, cur)) > 1e-3:
            return ref, cur, {"c_alpha": c_alpha}


def _floored(rng) -> tuple[list[int], list[int]]:
    """A modular pair whose correction exceeds the distance by more than 0.01 (robust is 0.0),
    also when repeats are collapsed."""
    while True:
        ref, cur = _modular(rng)
        correction = 1.8 * math.sqrt((len(ref) + len(cur)) / (len(ref) * len(cur)))
        if max(expected_simple(ref, cur), collapsed_simple(ref, cur)) < correction - 0.01:
            return ref, cur


def task1_inputs(rng) -> dict:
    """Two simple pairs (small integers with ties, passed as numpy arrays; a modular pair), both
    with repeats that change the KS statistic when collapsed; three robust pairs: a shifted
    range, even repeats with another ``c_alpha``, a modular pair floored at 0."""
    while True:
        ties = _ties(rng)
        if _repeats_matter(ties):
            break
    while True:
        modular = _modular(rng)
        if _repeats_matter(modular):
            break
    return {"visible": TASK1_VISIBLE, "simple": [list(ties), list(modular)],
            "robust": [[*_shifted(rng), {}], list(_even_repeats(rng)), [*_floored(rng), {}]]}


def _distance_points(result: dict, name: str, expected: float, weight: float, label: str,
                     msgs: list) -> float:
    """``weight`` if ``float(value)`` is within 1e-9 of ``expected``, else a message."""
    try:
        got = value_of(result)
    except Failed as exc:
        msgs.append(f"✗ {label}: {name} {'is not written yet' if isinstance(exc, NotWritten) else exc}")
        return 0.0
    number = None if isinstance(got, (list, dict)) and not is_obj(got) else as_float(got)
    if number is not None and math.isclose(number, expected, rel_tol=0, abs_tol=1e-9):
        return weight
    msgs.append(f"✗ {label}: got {shown(got)}, expected {expected!r}")
    return 0.0


def score_task1(values: dict, inputs: dict) -> tuple[float, list[str]]:
    """Visible: Deequ's pair, simple and robust (0.5 each). Hidden: two simple pairs (1.25 each),
    three robust pairs (1, 1 and 0.5)."""
    msgs: list[str] = []
    ref, cur = inputs["visible"]
    score = _distance_points(values["visible"][0], "ks_distance", expected_simple(ref, cur), 0.5,
                             "ks_distance([1,2,3,4], [2,3,4,5])", msgs)
    score += _distance_points(values["visible"][1], "robust_distance", expected_robust(ref, cur), 0.5,
                              "robust_distance([1,2,3,4], [2,3,4,5]) (0.25 - 1.8*sqrt(8/16) is "
                              "negative: clamp at 0)", msgs)
    for result, (ref, cur) in zip(values["simple"], inputs["simple"]):
        score += _distance_points(result, "ks_distance", expected_simple(ref, cur), 1.25,
                                  f"ks_distance on {len(ref)} vs {len(cur)} values with repeats"
                                  + SIMPLE_HINT, msgs)
    for result, (ref, cur, kwargs), weight in zip(values["robust"], inputs["robust"], ROBUST_WEIGHTS):
        score += _distance_points(result, "robust_distance",
                                  expected_robust(ref, cur, kwargs.get("c_alpha")), weight,
                                  f"robust_distance on {len(ref)} vs {len(cur)} values {kwargs or ''}"
                                  + ROBUST_HINT, msgs)
    return score, msgs


TASK1 = Check("task1-distances-tests", 6, TASK1_EVALUATE, score_task1, task1_inputs,
              forbid=(("task1-distances-answer", DISTANCE_ENGINE),))

# ------------------------------------------------------------------------------ task 2 violations

# The release hour's constraint_violations.json, measured from the lab's set-up (the tests keep it
# equal to what the engine's production job writes).
VIOLATION_PAIRS = {("education_num", "completeness_check"), ("hours_per_week", "baseline_drift_check"),
                   ("workclass", "baseline_drift_check"), ("workclass", "categorical_values_check")}
CHECK_TYPES = ("data_type_check", "completeness_check", "baseline_drift_check", "missing_column_check",
               "extra_column_check", "categorical_values_check")
PIPELINE_BUG = "C"
NEXT_STEP = "D"
TASK2_EVALUATE = '''
def pairs():
    return [[jsonable(x) for x in p] for p in {tuple(p) for p in globals()["VIOLATION_PAIRS"]}]
return {"pairs": attempt(pairs), "bug": get("PIPELINE_BUG"), "next": get("NEXT_STEP")}
'''


def _pairs(result: dict) -> set | None:
    """The learner's pairs as a set of (feature, check type), or None if not well formed."""
    found = result.get("value")
    if not isinstance(found, list):
        return None
    pairs = set()
    for pair in found:
        if not (isinstance(pair, list) and len(pair) == 2 and _is_text(pair[0])
                and _is_text(pair[1]) and as_text(pair[1]) in CHECK_TYPES):
            return None
        pairs.add((as_text(pair[0]), as_text(pair[1])))
    return pairs


def score_task2(values: dict, inputs: dict) -> tuple[float, list[str]]:
    """VIOLATION_PAIRS: 3 x (right - wrong) / 4, at least 0; PIPELINE_BUG (1); NEXT_STEP (1)."""
    msgs, score = [], 0.0
    pairs = _pairs(values["pairs"])
    if not pairs:
        msgs.append("✗ VIOLATION_PAIRS must be a non-empty set of (feature_name, constraint_check_type)"
                    " tuples, the check type spelled as in the file (e.g. 'baseline_drift_check')")
        pairs = set()
    right, wrong = len(pairs & VIOLATION_PAIRS), len(pairs - VIOLATION_PAIRS)
    score += 3.0 * max(0, right - wrong) / len(VIOLATION_PAIRS)
    if pairs and pairs != VIOLATION_PAIRS:
        msgs.append(f"✗ VIOLATION_PAIRS: {right} of {len(VIOLATION_PAIRS)} pairs found, {wrong} not in "
                    f"the file, {len(VIOLATION_PAIRS - pairs)} missed. One feature can fail several "
                    "checks: list every violation in the file")
    score += _letter_point(values["bug"], PIPELINE_BUG, msgs,
                           "✗ PIPELINE_BUG: an emptied field (completeness) is a broken pipeline; "
                           "drift and a new category may be real changes in the population")
    score += _letter_point(values["next"], NEXT_STEP, msgs,
                           "✗ NEXT_STEP: fix the broken field first and confirm the drift persists; "
                           "retrain on clean recent data, then re-baseline (an old baseline would "
                           "flag the new normal every hour)")
    return score, msgs


TASK2 = Check("task2-violations-tests", 5, TASK2_EVALUATE, score_task2)

# ------------------------------------------------------------------------------ task 3 threshold

# The trial schedule's Simple age distances, measured from the lab's set-up (the tests keep them
# equal to the engine's run): the largest of day 1 and the smallest of day 2.
AGE_NOISE_MAX = 0.14291575811553703
AGE_SHIFT_MIN = 0.2792699855655538
TASK3_EVALUATE = '''
return {"noise": get("AGE_NOISE_MAX"), "shift": get("AGE_SHIFT_MIN"), "overrides": get("AGE_OVERRIDES")}
'''


def override_threshold(overrides) -> tuple[float | None, object]:
    """(threshold, method) from the override, flat or nested; None where absent or malformed."""
    if not isinstance(overrides, dict) or is_obj(overrides):
        return None, None
    flat = dict(overrides)
    inner = flat.pop("distribution_constraints", {})
    flat.update(inner if isinstance(inner, dict) and not is_obj(inner) else {})
    threshold = flat.get("comparison_threshold")
    threshold = threshold if type(threshold) in (int, float) else (
        threshold.get("float") if is_obj(threshold) and threshold.get("__obj__") == "float64" else None)
    return threshold, _plain(flat.get("comparison_method", "Simple"))


def _close_to(result: dict, expected: float) -> bool:
    """``math.isclose(float(value), expected, abs_tol=1e-6)``."""
    got = result.get("value")
    number = None if isinstance(got, (list, dict)) and not is_obj(got) else as_float(got)
    return number is not None and math.isclose(number, expected, abs_tol=1e-6)


def score_task3(values: dict, inputs: dict) -> tuple[float, list[str]]:
    """AGE_NOISE_MAX (1), AGE_SHIFT_MIN (1), a Simple threshold in [noise max, shift min) (2)."""
    msgs, score = [], 0.0
    if _close_to(values["noise"], AGE_NOISE_MAX):
        score += 1.0
    else:
        msgs.append(f"✗ AGE_NOISE_MAX is {shown(values['noise'].get('value'))}: the largest "
                    "records[i]['Drift']['age'] for i in 0..23")
    if _close_to(values["shift"], AGE_SHIFT_MIN):
        score += 1.0
    else:
        msgs.append(f"✗ AGE_SHIFT_MIN is {shown(values['shift'].get('value'))}: the smallest "
                    "records[i]['Drift']['age'] for i in 24..47")
    threshold, method = override_threshold(values["overrides"].get("value"))
    if threshold is None:
        msgs.append("✗ AGE_OVERRIDES needs a numeric comparison_threshold, e.g."
                    " {'distribution_constraints': {'comparison_threshold': ...}}")
    elif method != "Simple":
        msgs.append(f"✗ AGE_OVERRIDES switches comparison_method to {method!r}: the requirement is "
                    "to keep Simple")
    elif threshold < AGE_NOISE_MAX:
        msgs.append(f"✗ threshold {threshold} is below the day-1 noise maximum: clean hours still "
                    "flag age")
    elif threshold >= AGE_SHIFT_MIN:
        msgs.append(f"✗ threshold {threshold} is at or above the smallest day-2 distance: the real "
                    "shift is missed in some hours (a violation needs distance > threshold)")
    else:
        score += 2.0
    return score, msgs


TASK3 = Check("task3-threshold-tests", 4, TASK3_EVALUATE, score_task3)

# ------------------------------------------------------------------------------ task 4 alarm

ALARM = {"Namespace": "aws/sagemaker/Endpoints/data-metrics",
         "MetricName": "feature_baseline_drift_hours_per_week",
         "Dimensions": {"Endpoint": "adult-income", "MonitoringSchedule": "hourly-dq"},
         "Period": 3600, "EvaluationPeriods": 5, "DatapointsToAlarm": 3, "Statistic": "Maximum",
         "Threshold": 0.15, "ComparisonOperator": "GreaterThanThreshold",
         "TreatMissingData": "notBreaching",
         "AlarmActions": ["arn:aws:sns:us-east-1:123456789012:drift-alerts"]}
TASK4_SETTINGS = [
    (("Period", "EvaluationPeriods", "DatapointsToAlarm"), 1.0,
     "one-hour periods, N = EvaluationPeriods = 5 periods looked at, M = DatapointsToAlarm = 3 must "
     "breach"),
    (("Statistic", "Threshold", "ComparisonOperator"), 1.0,
     "Maximum, 0.15, and 'above' is GreaterThanThreshold"),
    (("TreatMissingData",), 0.25,
     "a missing hour that counts as not drifting is notBreaching (missing/ignore leave it out, "
     "breaching counts it as drift)"),
]
TASK4_EVALUATE = '''
return {"config": get("ALARM_CONFIG")}
'''


def put_metric_alarm_refusal(config: dict) -> str | None:
    """Why moto's CloudWatch (botocore's parameter validation first) refuses
    ``put_metric_alarm(**config)`` (the last line of the error), or None if it accepts it."""
    import boto3
    from moto import mock_aws

    with mock_aws():
        cloudwatch = boto3.client("cloudwatch", region_name="us-east-1", aws_access_key_id="testing",
                                  aws_secret_access_key="testing")
        try:
            cloudwatch.put_metric_alarm(**copy.deepcopy(config))
        except Exception as error:
            return str(error).splitlines()[-1] if str(error) else type(error).__name__
    return None


def _dimensions(alarm: dict):
    """``{Name: Value}`` of the alarm's dimensions, or None if they are malformed."""
    try:
        return {_plain(d["Name"]): _plain(d["Value"]) for d in alarm.get("Dimensions", [])}
    except (TypeError, KeyError, AttributeError):
        return None


def score_task4(values: dict, inputs: dict) -> tuple[float, list[str]]:
    """Visible: put_metric_alarm accepts it (0.5). Hidden: namespace and metric (1), dimensions
    (1), period and M of N (1), statistic, threshold and comparison (1), missing data (0.25),
    action (0.25)."""
    msgs, score = [], 0.0
    alarm = values["config"].get("value")
    if not isinstance(alarm, dict) or is_obj(alarm):
        return 0.0, ["✗ ALARM_CONFIG is not a dict yet: write put_metric_alarm's keyword arguments "
                     "as a dict"]
    refusal = put_metric_alarm_refusal(alarm)
    if refusal:
        msgs.append(f"✗ put_metric_alarm rejected it: {refusal}")
    else:
        score += 0.5
    got = {key: _plain(value) for key, value in alarm.items()}
    if (got.get("Namespace"), got.get("MetricName")) == (ALARM["Namespace"], ALARM["MetricName"]):
        score += 1.0
    else:
        msgs.append(f"✗ Namespace/MetricName are {got.get('Namespace')!r}/{got.get('MetricName')!r}: the "
                    "monitor publishes feature_baseline_drift_<feature> to aws/sagemaker/Endpoints/"
                    "data-metrics (AWS/SageMaker holds the endpoint's own metrics)")
    if _dimensions(alarm) == ALARM["Dimensions"]:
        score += 1.0
    else:
        msgs.append(f"✗ Dimensions are {shown(alarm.get('Dimensions'))}: an alarm matches dimensions "
                    "exactly; the monitor's are Endpoint and MonitoringSchedule (hourly-dq)")
    for keys, weight, hint in TASK4_SETTINGS:
        if all(got.get(k) == ALARM[k] for k in keys):
            score += weight
        else:
            shown_keys = "/".join(keys)
            value = "/".join(repr(got.get(k)) for k in keys)
            msgs.append(f"✗ {shown_keys} {'are' if len(keys) > 1 else 'is'} {value}: {hint}")
    if got.get("AlarmActions") == ALARM["AlarmActions"]:
        score += 0.25
    else:
        msgs.append(f"✗ AlarmActions is {shown(alarm.get('AlarmActions'))}: a list holding the topic's ARN")
    return score, msgs


TASK4 = Check("task4-alarm-tests", 5, TASK4_EVALUATE, score_task4)

# ------------------------------------------------------------------------------ task 5 exam

TASK5_KEY = {
    "FRAUD_TACTICS": ("A", "same inputs, new relationship to the label: concept drift, visible only "
                           "with labels"),
    "NO_LABELS": ("C", "without labels, only data quality can compare inputs with the training "
                       "baseline"),
    "OUTLIER": ("A", "one extreme row is not drift; a distance between distributions barely moves"),
    "SETUP_ORDER": ("D", "capture first, then a baseline from training data, then the schedule, "
                         "then alarms"),
    "QUIET_HOURLY": ("B", "Robust subtracts the KS critical value, about 0.15 at 150 rows"),
    "AFTER_RETRAIN": ("C", "a retrained model needs a baseline from its new training data"),
}

TASK5 = choices_check("task5-exam-tests", TASK5_KEY)

# ------------------------------------------------------------------------------ task 6 figure

# The figure's day 1, measured from the lab's set-up (the tests keep them equal to the engine's
# alarm evaluation): datapoints above 0.1, transitions into ALARM.
SPIKES_DAY1 = 3
ALARMS_DAY1 = 0
WHY_QUIET = "B"
TASK6_EVALUATE = '''
return {"spikes": get("SPIKES_DAY1"), "alarms": get("ALARMS_DAY1"), "why": get("WHY_QUIET")}
'''


def score_task6(values: dict, inputs: dict) -> tuple[float, list[str]]:
    """SPIKES_DAY1 (1), ALARMS_DAY1 (1), WHY_QUIET (1)."""
    msgs, score = [], 0.0
    spikes, alarms = values["spikes"].get("value"), values["alarms"].get("value")
    if _number(spikes) == SPIKES_DAY1:
        score += 1.0
    else:
        msgs.append(f"✗ SPIKES_DAY1 is {shown(spikes)}: count the day-1 points above the dashed line")
    if _number(alarms) == ALARMS_DAY1:
        score += 1.0
    else:
        msgs.append(f"✗ ALARMS_DAY1 is {shown(alarms)}: a datapoint above the threshold is not an "
                    "alarm; the red band starts only when 2 of the last 3 periods breach")
    score += _letter_point(values["why"], WHY_QUIET, msgs,
                           "✗ WHY_QUIET: M of N (DatapointsToAlarm 2 of EvaluationPeriods 3) ignores "
                           "isolated spikes")
    return score, msgs


TASK6 = Check("task6-figure-tests", 3, TASK6_EVALUATE, score_task6)

CHECKS = [TASK1, TASK2, TASK3, TASK4, TASK5, TASK6]
