"""Trusted checks of lab 06 (post-training bias and bias drift): 25 points, scored outside the kernel.

task1 DPPL/DI 6, task2 violations 4, task3 remedy 3, task4 monitor config 5, task5 per-window
figure 3, task6 exam 4. Task 1's hidden cases are drawn for each grading run (``inputs``) with the
old literals' structure (a favoured facet *d*, no positive decision in facet *a*, none at all,
equal rates with 0/1 flags, numpy arrays) and their expected values computed here by the engine
(``monitorlab.stats.bias``: ``confusion_by_facet``, ``difference_in_positive_proportions``,
``disparate_impact``). Task 2's expected violations come from the engine's
``clarify_files.bias_drift_violations`` on the lab's two files (copied here from the ``task2-data``
cell); task 4's facet is checked on ages drawn per run against the engine's ``bias.select``, and
its set-up is offered to the engine and to moto's ``create_model_bias_job_definition`` here.
Task 5 keeps the dates read from the lab's deterministic table
(``tests/test_lab06_bias_drift.py`` keeps them equal to what the engine's monitor produces).
"""

import copy
import math
import re

from grader.trusted import Check, Failed, NotWritten, as_float, as_text, choices_check, is_obj
from grader.trusted import letter, shown, value_of

# Task 1 asks for the learner's own DPPL and DI: the engine's versions (and the modules that hold
# them, which the setup cell imports) are forbidden. ``disparate_impact`` itself is the name the
# learner must define, so the engine's module names stand for it.
TASK1_ENGINE = ("monitorlab", "biasdrift", "clarify_files", "bias_report", "posttraining_metrics",
                "compute_metrics", "confusion_by_facet", "difference_in_positive_proportions")

# ------------------------------------------------------------------------------ task 1 DPPL, DI

T, F = True, False
TASK1_VISIBLE = {"label": "3 women (1 approved), 4 men (2 approved)", "is_d": [T, T, T, F, F, F, F],
                 "predicted": [1, 0, 0, 1, 1, 0, 0], "numpy": False, "weight": 0.5}
TASK1_EVALUATE = '''
import copy as _copy
import numpy as _np
def args(case):
    if case["numpy"]:
        return _np.array(case["is_d"], dtype=bool), _np.array(case["predicted"], dtype=bool)
    return _copy.deepcopy(case["is_d"]), _copy.deepcopy(case["predicted"])
return {"results": [{"dppl": call("dppl", *args(c)), "disparate_impact": call("disparate_impact", *args(c))}
                    for c in INPUTS["cases"]]}
'''


def _rows(rng, n_d: int, k_d: int, n_a: int, k_a: int) -> tuple[list[bool], list[int]]:
    """Shuffled rows: ``n_d`` of facet d (``k_d`` with a positive decision), ``n_a`` of facet a."""
    rows = ([(True, int(i < k_d)) for i in range(n_d)] + [(False, int(i < k_a)) for i in range(n_a)])
    rng.shuffle(rows)
    return [d for d, _ in rows], [p for _, p in rows]


def _case(label: str, rows: tuple, numpy: bool = False) -> dict:
    return {"label": label, "is_d": rows[0], "predicted": rows[1], "numpy": numpy, "weight": 0.5}


def task1_inputs(rng) -> dict:
    """Visible: 3 women, 4 men. Hidden: facet d favoured (both rates above 0, d's higher); facet a
    without a positive decision (d with one); no positive decision at all; equal rates above 0
    with 0/1 facet flags and facets of different sizes; numpy arrays (two different rates above 0)."""
    n_d, n_a = rng.randint(2, 4), rng.randint(3, 6)
    k_a = rng.randint(1, n_a - 1)
    k_d = rng.randint(1, n_d)
    while k_d * n_a <= k_a * n_d:
        n_d, n_a = rng.randint(2, 4), rng.randint(3, 6)
        k_a, k_d = rng.randint(1, n_a - 1), rng.randint(1, n_d)
    favoured = _rows(rng, n_d, k_d, n_a, k_a)
    n_d = rng.randint(2, 4)
    no_a = _rows(rng, n_d, rng.randint(1, n_d), rng.randint(2, 5), 0)
    none = _rows(rng, rng.randint(1, 3), 0, rng.randint(1, 4), 0)
    r = rng.randint(2, 4)
    k = rng.randint(1, r - 1)
    c_d, c_a = rng.sample([1, 2, 3], 2)
    flags, predicted = _rows(rng, r * c_d, k * c_d, r * c_a, k * c_a)
    equal = ([int(x) for x in flags], predicted)
    while True:
        n_d, n_a = rng.randint(3, 6), rng.randint(4, 8)
        k_d, k_a = rng.randint(1, n_d - 1), rng.randint(1, n_a - 1)
        if k_d * n_a != k_a * n_d:
            break
    is_d, decided = _rows(rng, n_d, k_d, n_a, k_a)
    arrays = (is_d, [bool(p) for p in decided])
    return {"cases": [TASK1_VISIBLE,
                      _case("facet d favoured", favoured),
                      _case("no positive decision in facet a", no_a),
                      _case("no positive decision at all", none),
                      _case("equal rates, 0/1 facet flags", equal),
                      _case("numpy arrays", arrays, numpy=True)]}


def expected_dppl_di(is_d: list, predicted: list) -> tuple[float, float]:
    """The engine's DPPL and DI of one case (Clarify's division: 0/0 = 0, x/0 = inf)."""
    import numpy as np

    from monitorlab.stats import bias

    a, d = bias.confusion_by_facet(np.asarray(is_d, dtype=bool), np.zeros(len(is_d), dtype=bool),
                                   np.asarray(predicted, dtype=bool))
    return (float(bias.difference_in_positive_proportions(a.predicted_positives, a.n,
                                                          d.predicted_positives, d.n)),
            float(bias.disparate_impact(a, d)))


def _close(value, expected: float) -> bool:
    """``float(value)`` is ``expected`` (infinities exactly; else rel 1e-9, abs 1e-12)."""
    number = as_float(value) if not isinstance(value, (list, dict)) or is_obj(value) else None
    if number is None:
        return False
    if math.isinf(expected):
        return number == expected
    return math.isclose(number, expected, rel_tol=1e-9, abs_tol=1e-12)


def _task1_points(result: dict, name: str, expected: float, case: dict, msgs: list) -> float:
    """The case's weight if ``name`` returned ``expected``, else 0 and the old message."""
    label = case["label"]
    try:
        got = value_of(result)
    except NotWritten:
        msgs.append(f"✗ {label}: {name} is not written yet")
        return 0.0
    except Failed as exc:
        hint = (" (Clarify's division: 0/0 is 0, x/0 is inf)" if "ZeroDivisionError" in str(exc) else "")
        msgs.append(f"✗ {label}: {name} {exc}{hint}")
        return 0.0
    if _close(got, expected):
        return case["weight"]
    msgs.append(f"✗ {label}: {name} returned {shown(got)}, expected {expected!r}")
    return 0.0


def score_task1(values: dict, inputs: dict) -> tuple[float, list[str]]:
    """Visible: one example (0.5 per function). Hidden: five drawn cases (0.5 per function)."""
    msgs, score = [], 0.0
    for result, case in zip(values["results"], inputs["cases"]):
        dppl, di = expected_dppl_di(case["is_d"], case["predicted"])
        score += _task1_points(result["dppl"], "dppl", dppl, case, msgs)
        score += _task1_points(result["disparate_impact"], "disparate_impact", di, case, msgs)
    return score, msgs


TASK1 = Check("task1-tests", 6, TASK1_EVALUATE, score_task1, task1_inputs,
              forbid=(("task1-answer", TASK1_ENGINE),))

# ------------------------------------------------------------------------------ task 2 violations

# The lab's task2-data cell (tests keep these equal to the notebook's BASELINE and CURRENT).
TASK2_BASELINE = {"DPPL": 0.17, "DI": 0.8, "RD": 0.1, "AD": -0.05, "TE": 2.6, "GE": 0.07, "FT": None,
                  "DCR": 0.04}
TASK2_CURRENT = {"DPPL": -0.21, "DI": 1.3, "RD": 0.06, "AD": -0.09, "TE": "Infinity", "GE": 0.08,
                 "FT": 0.4, "DCR": 0.04}
TASK2_WHY = {
    "DPPL": "DPPL went from 0.17 to -0.21: farther from 0 in the other direction is still worse",
    "DI": "DI's fair value is 1: |1.30 - 1| = 0.30 > |0.80 - 1| = 0.20",
    "RD": "RD moved from 0.10 to 0.06, closer to 0: better, no violation",
    "AD": "AD went from -0.05 to -0.09: farther from 0",
    "TE": "TE became Infinity: infinitely far from 0 is worse than 2.6",
    "GE": "GE went from 0.07 to 0.08: farther from 0",
    "FT": "FT errored in the baseline (value null): a metric without a baseline value is not checked",
    "DCR": "DCR is unchanged (0.04): not worse, no violation",
}
DI_READING = ("D", "DI = q'_d / q'_a = 1.30 means facet d (women) is approved 1.3 times as often as facet a")
TASK2_EVALUATE = '''
space = globals()
if "FLAGGED" not in space:
    return {"flagged": {"missing": "FLAGGED"}, "reading": get("DI_READING")}
flagged = space["FLAGGED"]
described = {"is_none": flagged is None,
             "collection": isinstance(flagged, (set, frozenset, list, tuple))}
if described["collection"]:
    described["items"] = [[isinstance(n, str), str(n)[:100]] for n in list(flagged)[:100]]
return {"flagged": {"value": described}, "reading": get("DI_READING")}
'''


def _analysis(values: dict) -> dict:
    """An ``analysis.json`` holding ``values`` as facet sex = Female's post-training metrics
    (the lab's ``_analysis``)."""
    metrics = []
    for name, value in sorted(values.items()):
        entry = {"name": name, "description": name, "value": value}
        if value is None:
            entry["error"] = "FlipTest does not support non-numeric columns"
        metrics.append(entry)
    return {"version": "1.0", "post_training_bias_metrics": {
        "label": "label", "label_value_or_threshold": "1",
        "facets": {"sex": [{"value_or_threshold": "Female", "metrics": metrics}]}}}


def expected_flagged() -> set[str]:
    """The metric names of the engine's ``constraint_violations.json`` for the lab's two files."""
    from monitorlab.monitoring.clarify_files import bias_drift_violations

    found = bias_drift_violations(_analysis(TASK2_BASELINE), _analysis(TASK2_CURRENT))
    return {v["metric_name"] for v in found["violations"]}


def score_task2(values: dict, inputs: dict) -> tuple[float, list[str]]:
    """3/8 of a point per metric rightly in or out (none while FLAGGED is None); DI_READING 1."""
    if "missing" in values["flagged"] or "missing" in values["reading"]:
        name = values["flagged"].get("missing") or values["reading"].get("missing")
        return 0.0, [f"✗ {name} is not defined: run its answer cell"]
    described, msgs, score = values["flagged"]["value"], [], 0.0
    items = described.get("items") or []
    chosen = {text for _, text in items} if all(is_str for is_str, _ in items) else set()
    if not described["is_none"]:
        flagged = expected_flagged()
        for name, why in TASK2_WHY.items():
            if (name in chosen) == (name in flagged):
                score += 0.375
            else:
                msgs.append(f"✗ {name}: {why}")
    if "value" in values["reading"] and letter(values["reading"]["value"]) == DI_READING[0]:
        score += 1.0
    else:
        msgs.append(f"✗ DI_READING: {DI_READING[1]}")
    return score, msgs


TASK2 = Check("task2-tests", 4, TASK2_EVALUATE, score_task2)

# ------------------------------------------------------------------------------ task 3 remedy

TASK3 = choices_check("task3-tests", {
    "REMEDY_NO_LOSS": ("A", "no row may be deleted, so oversample; the group has too many positives, "
                            "so synthesise its negatives"),
    "SMOTE_RISK": ("C", "interpolating thousands of rows from a few dozen real ones makes near-copies; "
                        "SMOTENC handles categoricals"),
    "PROVE_IT": ("D", "a balanced training set is the means; the retrained model's quality and "
                      "post-training bias are the proof"),
})

# ------------------------------------------------------------------------------ task 4 monitor

TASK4_NAMES = ("ANALYSIS_CONFIG", "PROBABILITY_THRESHOLD", "START_OFFSET", "END_OFFSET")
OLDER_THAN = 60          # the requirement: people older than 60, Clarify's threshold [60]
THRESHOLD = 0.7          # marketing acts above 0.7
WINDOW_HOURS = (-72.0, -48.0)  # the day that ended 48 h before the run


def task4_inputs(rng) -> dict:
    """Ages for the facet check: one young, one middle, 59, 60 itself, 61, one between 62 and 89,
    one above 90 (so a list of values such as [61, 90] never equals 'older than 60')."""
    ages = [rng.randint(17, 35), rng.randint(36, 58), 59, 60, 61, rng.randint(62, 89), rng.randint(91, 99)]
    rng.shuffle(ages)
    return {"ages": ages}


def expected_facet(ages: list) -> list[bool]:
    """The engine's facet d for ``age`` with ``value_or_threshold`` [60] (age > 60)."""
    import pandas as pd

    from monitorlab.stats.bias import select

    return [bool(x) for x in select(pd.Series(ages, name="age"), [OLDER_THAN]).mask]


def _number(value) -> float | None:
    """``float(value)``, booleans excluded, as the kernel would compute it."""
    if isinstance(value, bool) or (isinstance(value, (list, dict)) and not is_obj(value)):
        return None
    return as_float(value)


def _plain(value):
    """A kernel value as the engine should see it: numpy numbers and strings as Python ones
    (``np.str_("age") == "age"`` in the kernel, as in the old in-kernel test)."""
    if not is_obj(value):
        return value
    if value.get("__obj__") in ("str_",):
        return value.get("str")
    return value["float"] if "float" in value else value.get("repr")


def setup_refused(config: dict, threshold, start, end) -> str | None:
    """Why the engine's ``BiasDriftJob`` or moto's ``create_model_bias_job_definition`` refuses
    the set-up (None if both accept it), as the lab's visible check offers it."""
    import boto3
    from moto import mock_aws

    from monitorlab.account.sandbox import BUCKET, ACCOUNT_ID, ROLE_NAME
    from monitorlab.monitoring import biasdrift

    try:
        job = biasdrift.BiasDriftJob(
            "adult-income", "lab06-bias", f"s3://{BUCKET}/datacapture", f"s3://{BUCKET}/ground-truth",
            f"s3://{BUCKET}/lab06-bias", copy.deepcopy(config), probability_threshold=_plain(threshold),
            start_offset=_plain(start), end_offset=_plain(end))
        request = biasdrift.job_definition_request(
            job, job_definition_name="lab06-task4-check",
            role_arn=f"arn:aws:iam::{ACCOUNT_ID}:role/{ROLE_NAME}",
            config_uri=f"s3://{BUCKET}/lab06/analysis_config.json")
        with mock_aws():
            sm = boto3.client("sagemaker", region_name="us-east-1", aws_access_key_id="testing",
                              aws_secret_access_key="testing")
            sm.create_model_bias_job_definition(**request)
    except Exception as error:
        return str(error).splitlines()[-1] if str(error) else type(error).__name__
    return None


def _hours(text) -> float | None:
    """Hours of a negative ISO-8601 offset ``-P[nD][T[nH]]``, or None."""
    match = re.fullmatch(r"-P(?:(\d+)D)?(?:T(?:(\d+)H)?)?", as_text(text).strip().upper())
    if not match or not any(match.groups()):
        return None
    return -(24 * int(match.group(1) or 0) + int(match.group(2) or 0))


def _selected(facets, ages: list) -> list[bool] | None:
    """Which ``ages`` a one-facet config on ``age`` selects: one number is a threshold (> t),
    several numbers are values (equal to one of them); None for anything else."""
    if not (isinstance(facets, list) and len(facets) == 1 and isinstance(facets[0], dict)
            and not is_obj(facets[0]) and _plain(facets[0].get("name_or_index")) == "age"):
        return None
    chosen = facets[0].get("value_or_threshold")
    if isinstance(chosen, list) and len(chosen) == 1 and _number(chosen[0]) is not None:
        return [age > _number(chosen[0]) for age in ages]
    if isinstance(chosen, list) and chosen and all(_number(x) is not None for x in chosen):
        return [age in {_number(x) for x in chosen} for age in ages]
    return None


def _label_ok(config: dict) -> bool:
    """Label column 'label'; favourable value [1] or a threshold in [0, 1)."""
    values = config.get("label_values_or_threshold")
    if not (isinstance(values, list) and len(values) == 1 and _number(values[0]) is not None):
        return False
    return (_plain(config.get("label")) == "label"
            and (_number(values[0]) == 1.0 or 0.0 <= _number(values[0]) < 1.0))


def score_task4(values: dict, inputs: dict) -> tuple[float, list[str]]:
    """Visible: the engine reads the config (0.5), the engine and moto accept the set-up (0.5).
    Hidden: label (1), facet (1), threshold (1), offsets (1)."""
    missing = [name for name in TASK4_NAMES if "missing" in values[name]]
    if missing:
        return 0.0, [f"✗ {missing[0]} is not defined: run its answer cell"]
    config, threshold = values["ANALYSIS_CONFIG"]["value"], values["PROBABILITY_THRESHOLD"]["value"]
    start, end = values["START_OFFSET"]["value"], values["END_OFFSET"]["value"]
    config = config if isinstance(config, dict) and not is_obj(config) else None
    msgs, score = [], 0.0
    score += _task4_visible(config, threshold, start, end, msgs)
    say = msgs.append if config is not None else (lambda text: None)
    c = config or {}
    if _label_ok(c):
        score += 1.0
    else:
        say(f"✗ label {shown(c.get('label'))} / label_values_or_threshold "
            f"{shown(c.get('label_values_or_threshold'))}: the label column is 'label' and the "
            "favourable value is [1]")
    if _selected(c.get("facet"), inputs["ages"]) == expected_facet(inputs["ages"]):
        score += 1.0
    else:
        say(f"✗ facet {shown(c.get('facet'))}: one facet on 'age' whose value_or_threshold [60] "
            "selects age > 60 (60 itself is facet a)")
    if _number(threshold) == THRESHOLD:
        score += 1.0
    else:
        say(f"✗ PROBABILITY_THRESHOLD is {shown(threshold)}: marketing acts above 0.7 "
            "(EndpointInput's ProbabilityThresholdAttribute)")
    if (_hours(start), _hours(end)) == WINDOW_HOURS:
        score += 1.0
    elif start is not None or end is not None:
        msgs.append(f"✗ offsets {shown(start)}, {shown(end)}: the day that ended 48 h before the run "
                    "is [t - 3 days, t - 2 days): -P3D and -P2D")
    return score, msgs


def _task4_visible(config: dict | None, threshold, start, end, msgs: list) -> float:
    """The lab's visible check, done here: ``read_analysis_config`` (0.5), the whole set-up (0.5)."""
    from monitorlab.monitoring.clarify_files import read_analysis_config

    if config is None:
        msgs.append("✗ ANALYSIS_CONFIG is not a dict yet")
        return 0.0
    score = 0.0
    try:
        read_analysis_config(copy.deepcopy(config))
        score += 0.5
    except Exception as error:
        msgs.append(f"✗ read_analysis_config refused it: {error}")
    refused = setup_refused(config, threshold, start, end)
    if refused is None:
        score += 0.5
    else:
        msgs.append(f"✗ the monitor set-up was refused: {refused}")
    return score


TASK4 = Check("task4-tests", 5, f"return {{name: get(name) for name in {TASK4_NAMES!r}}}\n",
              score_task4, task4_inputs)

# ------------------------------------------------------------------------------ task 5 windows

CHANGE_WINDOW = "2026-01-08"   # the lab's WINDOWS table (tests recompute it with the engine)
REPORTED_ON = "2026-01-11"
LONE_FLAG = ("B", "one bad window between normal ones is what sampling noise looks like; DPPL is noisier still")


def _date(value) -> str | None:
    """``YYYY-MM-DD`` of a date string (a ``str`` or a numpy string), else None."""
    import pandas as pd

    if is_obj(value) and value.get("__obj__") == "str_":
        value = value.get("str")
    if not isinstance(value, str):
        return None
    try:
        return f"{pd.Timestamp(value):%Y-%m-%d}"
    except Exception:
        return None


def score_task5(values: dict, inputs: dict) -> tuple[float, list[str]]:
    """CHANGE_WINDOW, REPORTED_ON, LONE_FLAG: 1 point each."""
    missing = [name for name in ("CHANGE_WINDOW", "REPORTED_ON", "LONE_FLAG") if "missing" in values[name]]
    if missing:
        return 0.0, [f"✗ {missing[0]} is not defined: run its answer cell"]
    change, reported = values["CHANGE_WINDOW"]["value"], values["REPORTED_ON"]["value"]
    lone = values["LONE_FLAG"]["value"]
    msgs, score = [], 0.0
    if _date(change) == CHANGE_WINDOW:
        score += 1.0
    elif change is not None:
        msgs.append(f"✗ CHANGE_WINDOW {shown(change)}: the lasting change is where DI and RD are both "
                    "flagged and stay flagged")
    if _date(reported) == REPORTED_ON:
        score += 1.0
    elif reported is not None:
        msgs.append(f"✗ REPORTED_ON {shown(reported)}: the window [t - 3 days, t - 2 days) is analysed "
                    "by the run at t, three days after its start")
    if letter(lone) == LONE_FLAG[0]:
        score += 1.0
    elif lone is not None:
        msgs.append(f"✗ LONE_FLAG: {LONE_FLAG[1]}")
    return score, msgs


TASK5 = Check("task5-tests", 3,
              'return {name: get(name) for name in ("CHANGE_WINDOW", "REPORTED_ON", "LONE_FLAG")}\n',
              score_task5)

# ------------------------------------------------------------------------------ task 6 exam

TASK6 = choices_check("task6-tests", {
    "DASHBOARD": ("A", "bias metrics are CloudWatch metrics (bias_metric_*); CloudTrail records API "
                       "calls, not metric values"),
    "EQUAL_OPPORTUNITY": ("B", "equal opportunity compares recall (true positive rate): RD"),
    "DI_FAIR": ("C", "DI is a ratio q'_d / q'_a: equal rates give 1"),
    "LIVE_FAIRNESS": ("C", "bias over time on live traffic is the bias drift monitor, compared with a "
                           "baseline, alarmed in CloudWatch"),
})

CHECKS = [TASK1, TASK2, TASK3, TASK4, TASK5, TASK6]
