"""Trusted checks of lab 04 (model quality): 36 points, scored outside the learner's kernel.

task1 merge 6, task2 metrics 5, task3 metric choice 5, task4 constraints and alarm 6, task5 late
labels 4, task6 diagnosis 6, task7 exam 4. Each check's visible part is what the notebook's
visible test shows; the code tasks' hidden frames and matrices are drawn for each grading run
(``inputs``) with the old literals' structure, and their expected values computed here by the
engine (``monitorlab.monitoring.modelquality.merge``, ``monitorlab.stats.model_metrics.
binary_metrics``, ``modelquality.evaluate``, ``groundtruth.ArrivalModel``); moto checks the alarm
here, not in the kernel. ``CM_72`` and ``DRIFTED_LABELLED_48`` are measured from the lab's
deterministic set-up (``tests/test_lab04_model_quality.py`` keeps them equal to what it produces).
"""

import copy
import functools
import math

from grader.trusted import Check, Failed, NotWritten, as_float, choices_check, is_obj, letter
from grader.trusted import shown, text_is, value_of

MERGE_ENGINE = ("monitorlab", "mq", "modelquality", "join_keys", "latest_labels",
                "latest_positions", "MergeResult", "labelled_window")
METRICS_ENGINE = ("monitorlab", "mq", "modelquality", "model_quality_statistics", "scalar_metrics",
                  "model_metrics", "binary_metrics", "binary_counts", "binary_labels",
                  "_binary_count_metrics", "_binary_scalars", "_f_beta", "standard_deviations")

# ------------------------------------------------------------------------------ task 1 merge

TASK1_VISIBLE = [{"eventId": ["e-01", "e-02", "e-03", "e-04"],
                  "inferenceId": ["loan-7", "loan-8", None, "loan-9"],
                  "prediction": [0.82, 0.35, 0.61, 0.12]},
                 {"eventId": ["loan-7", "e-03", "loan-9", "loan-4"],
                  "groundTruth": ["1", "0", "0", "1"]},
                 False]
TASK1_EVALUATE = '''
import copy as _copy
import numpy as _np
import pandas as _pd
def frames(captures, labels, as_nan):
    captures = _pd.DataFrame(_copy.deepcopy(captures))
    if as_nan:
        captures["inferenceId"] = [_np.nan if v is None else v for v in captures["inferenceId"]]
    return captures, _pd.DataFrame(_copy.deepcopy(labels))
def merged(case):
    function = globals().get("merge_labels")
    if function is None:
        return {"missing": "merge_labels"}
    try:
        result = function(*frames(*case))
    except Exception as error:
        return raised(error)
    if not isinstance(result, (tuple, list)) or len(result) != 3:
        return {"value": {"shape": False}}
    frame, unmatched, orphans = result
    out = {"shape": True}
    try:
        out["ids"] = [str(v) for v in frame["eventId"]]
        out["truths"] = [float(v) for v in frame["groundTruth"]]
    except Exception as error:
        out = {"shape": True, "columns": f"{type(error).__name__}: {error}"[:300]}
    try:
        out["counts"] = [int(unmatched), int(orphans)]
    except (TypeError, ValueError):
        out["counts"] = None
    return {"value": jsonable(out)}
return {"visible": merged(INPUTS["visible"]), "hidden": [merged(c) for c in INPUTS["hidden"]]}
'''
TASK1_LABELS = ["hidden frames 1", "hidden frames 2", "hidden frames 3"]


def _ids(rng, prefix: str, n: int) -> list[str]:
    """``n`` distinct ids ``prefix + number``, in a random order."""
    return [f"{prefix}{k}" for k in rng.sample(range(1, 100), n)]


def _labels(rng, keyed: list[str]) -> dict:
    """Ground-truth rows for ``keyed`` ids, shuffled, each label "0" or "1"."""
    keyed = list(keyed)
    rng.shuffle(keyed)
    return {"eventId": keyed, "groundTruth": [rng.choice("01") for _ in keyed]}


def _predictions(rng, n: int) -> list[float]:
    return [round(rng.uniform(0.01, 0.99), 2) for _ in range(n)]


def task1_frames_missing(rng) -> list:
    """Frames 1: missing inferenceIds stored as NaN and ''; every capture labelled (the missing
    ones by eventId, the others by inferenceId), one orphan label."""
    n = rng.randint(5, 6)
    events, inferences = _ids(rng, rng.choice(["c", "ev", "e-"]), n), _ids(rng, "app-", n + 1)
    missing = rng.sample(range(n), rng.randint(2, 3))
    kinds = [None, ""] + [rng.choice([None, ""]) for _ in missing[2:]]
    ids = list(inferences[:n])
    for position, kind in zip(missing, kinds):
        ids[position] = kind
    keyed = [events[i] if ids[i] in (None, "") else ids[i] for i in range(n)] + [inferences[n]]
    return [{"eventId": events, "inferenceId": ids, "prediction": _predictions(rng, n)},
            _labels(rng, keyed), True]


def task1_frames_wrong_key(rng) -> list:
    """Frames 2: every capture has an inferenceId; k captures are labelled by it, k others by
    their eventId (the wrong key: orphans), plus one or two other orphan ids."""
    n = rng.randint(4, 6)
    events, inferences = _ids(rng, "ev-", n), _ids(rng, rng.choice(["order-", "req-"]), n + 2)
    k = rng.randint(1, n // 2)
    chosen = rng.sample(range(n), 2 * k)
    right, wrong = chosen[:k], chosen[k:]
    keyed = [inferences[i] for i in right] + [events[i] for i in wrong]
    keyed += inferences[n:n + rng.randint(1, 2)]
    return [{"eventId": events, "inferenceId": inferences[:n], "prediction": _predictions(rng, n)},
            _labels(rng, keyed), False]


def task1_frames_twice(rng) -> list:
    """Frames 3: one missing inferenceId (None, labelled by eventId); at least two captures with
    no label; an id labelled twice with different labels (the last wins); an orphan id listed
    twice (it counts once)."""
    n = rng.randint(5, 7)
    events, inferences = _ids(rng, "x", n), _ids(rng, "p-", n)
    order = rng.sample(range(n), n)
    none_at, labelled = order[0], order[3:]          # order[1:3]: no label
    ids = list(inferences)
    ids[none_at] = None
    twice = labelled[0]
    orphan = f"zz-{rng.randint(1, 9)}"
    rows = [(events[none_at], rng.choice("01")), (orphan, "1"), (orphan, "0")]
    rows += [(inferences[i], rng.choice("01")) for i in labelled[1:]]
    rng.shuffle(rows)
    first = rng.choice("01")
    at = rng.randint(0, len(rows))
    rows.insert(at, (inferences[twice], first))
    rows.insert(rng.randint(at + 1, len(rows)), (inferences[twice], "1" if first == "0" else "0"))
    labels = {"eventId": [k for k, _ in rows], "groundTruth": [v for _, v in rows]}
    return [{"eventId": events, "inferenceId": ids, "prediction": _predictions(rng, n)}, labels, False]


def task1_inputs(rng) -> dict:
    """The visible pair and three hidden pairs (NaN and ''; labels keyed by the wrong id; an id
    labelled twice), drawn for this grading run."""
    return {"visible": TASK1_VISIBLE, "hidden": [task1_frames_missing(rng),
                                                 task1_frames_wrong_key(rng),
                                                 task1_frames_twice(rng)]}


def frames(captures: dict, labels: dict, as_nan: bool):
    """The data frames the kernel builds from one case."""
    import numpy as np
    import pandas as pd

    captures = pd.DataFrame(copy.deepcopy(captures))
    if as_nan:
        captures["inferenceId"] = [np.nan if v is None else v for v in captures["inferenceId"]]
    return captures, pd.DataFrame(copy.deepcopy(labels))


def expected_merge(captures: dict, labels: dict, as_nan: bool) -> tuple:
    """(matched eventIds in capture order, their labels, unmatched predictions, distinct orphan
    label ids) as the engine merges them (``modelquality.merge``)."""
    from monitorlab.monitoring.modelquality import merge

    result = merge(*frames(captures, labels, as_nan))
    return ([str(v) for v in result.frame["eventId"]], [float(v) for v in result.frame["groundTruth"]],
            int(result.unmatched_predictions), int(result.orphan_labels))


def _described(result: dict, name: str, flag: str, label: str, msgs: list, shape: str) -> dict | None:
    """What the kernel said about a learner function's result (a dict whose ``flag`` is true:
    the result had the right shape), or None with a message saying why not."""
    try:
        got = value_of(result)
    except NotWritten:
        msgs.append(f"✗ {label}: {name} is not written yet")
        return None
    except Failed as exc:
        msgs.append(f"✗ {label}: {name} {exc}")
        return None
    if not isinstance(got, dict) or not got.get(flag):
        msgs.append(f"✗ {label}: {shape}")
        return None
    return got


def _merge_points(result: dict, case: list, weight: float, label: str, msgs: list) -> float:
    """Matched rows, their labels, both counts: ``weight / 3`` each (the labels only if the rows
    are right)."""
    ids, truths, unmatched, orphans = expected_merge(*case)
    got = _described(result, "merge_labels", "shape", label, msgs,
                     "return (merged, unmatched_predictions, orphan_labels)")
    if got is None:
        return 0.0
    if "columns" in got:
        msgs.append(f"✗ {label}: merged needs the captures' eventId and a groundTruth column "
                    f"({got['columns']})")
    points = 0.0
    if got.get("ids") == ids:
        points += weight / 3
        if got.get("truths") == truths:
            points += weight / 3
        else:
            msgs.append(f"✗ {label}: labels {got.get('truths')}, expected {truths} (an id labelled "
                        "twice: the last label listed wins)")
    elif "ids" in got:
        msgs.append(f"✗ {label}: matched captures {got['ids']}, expected {ids} (in the captures' "
                    "order; key = inferenceId when it is there, not None, NaN or '', else eventId)")
    if got.get("counts") == [unmatched, orphans]:
        points += weight / 3
    else:
        counts = tuple(got["counts"]) if isinstance(got.get("counts"), list) else None
        msgs.append(f"✗ {label}: (unmatched_predictions, orphan_labels) = {counts}, expected "
                    f"{(unmatched, orphans)} (orphans: distinct label ids matching no capture key)")
    return points


def score_task1(values: dict, inputs: dict) -> tuple[float, list[str]]:
    """Visible pair (1.5), three hidden pairs (1.5 each); each 1/3 rows, 1/3 labels, 1/3 counts."""
    msgs: list[str] = []
    score = _merge_points(values["visible"], inputs["visible"], 1.5, "visible frames", msgs)
    for result, case, label in zip(values["hidden"], inputs["hidden"], TASK1_LABELS):
        score += _merge_points(result, case, 1.5, label, msgs)
    return round(score, 2), msgs       # as the test cell did: round(float(min(score, 6.0)), 2)


TASK1 = Check("task1-merge-tests", 6, TASK1_EVALUATE, score_task1, task1_inputs,
              forbid=(("task1-merge-answer", MERGE_ENGINE),))

# ------------------------------------------------------------------------------ task 2 metrics

TASK2_KEYS = ("precision", "recall", "accuracy", "f1", "f2", "false_positive_rate")
# The confusion matrix of the hour-72 execution's statistics.json (the lab's set-up, measured).
CM_72 = {"0": {"0": 228, "1": 31}, "1": {"0": 44, "1": 28}}
TASK2_EVALUATE = '''
import copy as _copy
def metrics(cm):
    function = globals().get("metrics_from_confusion")
    if function is None:
        return {"missing": "metrics_from_confusion"}
    try:
        got = function(_copy.deepcopy(cm))
    except Exception as error:
        return raised(error)
    if not isinstance(got, dict):
        return {"value": {"dict": False}}
    out = {"dict": True, "floats": {}, "shown": {}}
    for key in INPUTS["keys"]:
        try:
            out["floats"][key] = float(got[key])
        except Exception:
            out["floats"][key] = None
        try:
            out["shown"][key] = repr(got.get(key))[:200]
        except Exception:
            out["shown"][key] = "?"
    return {"value": jsonable(out)}
return {"visible": metrics(INPUTS["visible"]), "hidden": [metrics(cm) for cm in INPUTS["hidden"]]}
'''
TASK2_WEIGHTS = (1.5, 1.5, 1.0)


def _matrix(tn: int, fp: int, fn: int, tp: int) -> dict:
    """``{actual: {predicted: count}}``, as Model Monitor writes it."""
    return {"0": {"0": tn, "1": fp}, "1": {"0": fn, "1": tp}}


def task2_inputs(rng) -> dict:
    """Three matrices: rare positives among ~10,000 rows; many false positives among ~200 rows;
    no predicted positives. In the first two FP != FN, so precision != recall and a transposed
    matrix is caught; the third has real positives (FN > 0)."""
    while True:
        negatives, positives = rng.randint(9000, 9900), rng.randint(100, 300)
        tp, fp = rng.randint(positives // 2, positives * 4 // 5), rng.randint(50, 300)
        rare = (negatives - fp, fp, positives - tp, tp)
        negatives, fn = rng.randint(50, 100), rng.randint(2, 15)
        false_alarms = rng.randint(negatives * 3 // 10, negatives * 6 // 10)
        many_fp = (negatives - false_alarms, false_alarms, fn, rng.randint(100, 150) - fn)
        if rare[1] != rare[2] and many_fp[1] != many_fp[2]:
            break
    none = (rng.randint(50, 200), 0, rng.randint(5, 30), 0)
    return {"keys": list(TASK2_KEYS), "visible": CM_72,
            "hidden": [_matrix(*rare), _matrix(*many_fp), _matrix(*none)]}


def expected_metrics(cm: dict) -> dict[str, float]:
    """The engine's metrics (``model_metrics.binary_metrics``) for rows laid out as ``cm``:
    probability 0 or 1 at threshold 0.5."""
    import numpy as np

    from monitorlab.stats.model_metrics import binary_metrics

    cells = [(a, p, int(cm[a][p])) for a in "01" for p in "01"]
    y = np.concatenate([np.full(n, int(a)) for a, _, n in cells])
    probability = np.concatenate([np.full(n, float(p)) for _, p, n in cells])
    metrics = binary_metrics(y, probability, 0.5)
    return {k: float(metrics[k]) for k in TASK2_KEYS}


def _metrics_points(result: dict, cm: dict, weight: float, label: str, msgs: list) -> float:
    """``weight`` shared by the six metrics (each within 1e-9 relative, 1e-12 absolute)."""
    expected = expected_metrics(cm)
    got = _described(result, "metrics_from_confusion", "dict", label, msgs,
                     f"return a dict with the keys {TASK2_KEYS}")
    if got is None:
        return 0.0
    wrong = []
    for key in TASK2_KEYS:
        number = got["floats"].get(key)
        if not (isinstance(number, (int, float)) and not isinstance(number, bool)
                and math.isclose(number, expected[key], rel_tol=1e-9, abs_tol=1e-12)):
            wrong.append(f"{key}={got['shown'].get(key)} (expected {expected[key]:.6g})")
    if wrong:
        msgs.append(f"✗ {label}: " + "; ".join(wrong) + " (the outer key is the actual class; "
                    "0.0 when dividing by 0)")
    return weight * (len(TASK2_KEYS) - len(wrong)) / len(TASK2_KEYS)


def score_task2(values: dict, inputs: dict) -> tuple[float, list[str]]:
    """Visible: the hour-72 statistics.json matrix (1, by metric). Hidden: three matrices
    (1.5, 1.5 and 1, by metric)."""
    msgs: list[str] = []
    score = _metrics_points(values["visible"], inputs["visible"], 1.0, "hour-72 statistics.json", msgs)
    for result, cm, weight in zip(values["hidden"], inputs["hidden"], TASK2_WEIGHTS):
        score += _metrics_points(result, cm, weight, f"matrix {cm}", msgs)
    return round(score, 2), msgs       # as the test cell did: round(float(min(score, 5.0)), 2)


TASK2 = Check("task2-metrics-tests", 5, TASK2_EVALUATE, score_task2, task2_inputs,
              forbid=(("task2-metrics-answer", METRICS_ENGINE),))

# ------------------------------------------------------------------------------ task 3 metric

TASK3 = choices_check("task3-metric-tests", {
    "MISSED_FRAUD": ("C", "misses are the costly error: recall = TP / (TP + FN); accuracy is "
                          "99.7 % for a model that flags nothing"),
    "COSTLY_AUDITS": ("B", "false alarms are the costly error: precision = TP / (TP + FP)"),
    "RARE_DEFECTS": ("D", "imbalanced classes, both errors matter: F1 balances precision and "
                          "recall; accuracy is flattered by the majority"),
    "THRESHOLD_LATER": ("E", "AUC measures ranking quality across every threshold"),
    "DEMAND_FORECAST": ("F", "a continuous target needs a regression metric; RMSE squares errors, "
                             "so large misses weigh more"),
})

# ------------------------------------------------------------------------------ task 4 config

ALARM_NAMESPACE = "aws/sagemaker/Endpoints/model-metrics"  # modelquality.NAMESPACE
ALARM_DIMENSIONS = {("Endpoint", "adult-income"), ("MonitoringSchedule", "lab04-model-quality")}
TASK4_EVALUATE = 'return {"constraints": get("CONSTRAINTS"), "alarm": get("ALARM")}\n'


def plain(value):
    """A kernel value as a Python value boto3 and the engine accept: a numpy number described by
    the kernel (``{"__obj__": "float64", "float": ...}``) becomes its float; lists and dicts
    recursively; anything else as it came."""
    if is_obj(value):
        return value["float"] if "float" in value and value["__obj__"].startswith(("float", "int")) else value
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


@functools.cache
def statistics_72() -> dict:
    """The engine's binary statistics.json for the rows of ``CM_72`` (probability 0 or 1)."""
    import numpy as np
    import pandas as pd

    from monitorlab.monitoring.modelquality import model_quality_statistics

    cells = [(a, p, n) for a, row in CM_72.items() for p, n in row.items()]
    frame = pd.DataFrame({"groundTruth": np.concatenate([np.full(n, float(a)) for a, _, n in cells]),
                          "prediction": np.concatenate([np.full(n, float(p)) for _, p, n in cells])})
    return model_quality_statistics(frame, "BinaryClassification")


def engine_reads(constraints: dict) -> str | None:
    """None if ``modelquality.evaluate`` reads ``constraints`` against a binary statistics.json
    (``statistics_72``), else the error."""
    from monitorlab.monitoring.modelquality import evaluate

    try:
        evaluate(copy.deepcopy(statistics_72()), copy.deepcopy(constraints))
    except Exception as error:
        return f"{type(error).__name__}: {error}"
    return None


def moto_accepts_alarm(alarm: dict) -> str | None:
    """None if CloudWatch (moto, with botocore's parameter validation) accepts the alarm."""
    import boto3
    from moto import mock_aws

    with mock_aws():
        cloudwatch = boto3.client("cloudwatch", region_name="us-east-1",
                                  aws_access_key_id="testing", aws_secret_access_key="testing")
        try:
            cloudwatch.put_metric_alarm(**copy.deepcopy(alarm))
        except Exception as error:
            return str(error).splitlines()[-1] if str(error) else type(error).__name__
    return None


def _rule_ok(rules: dict, name: str, threshold: float, operator: str) -> bool:
    rule = rules.get(name)
    number = as_float(rule.get("threshold")) if isinstance(rule, dict) and not is_obj(rule) else None
    return (number is not None and math.isclose(number, threshold)
            and rule.get("comparison_operator") == operator)


def _award(ok: bool, weight: float, msgs: list, message: str) -> float:
    """``weight`` if ``ok``, else 0 and ``message`` kept for the learner."""
    if not ok:
        msgs.append(message)
    return weight if ok else 0.0


def _score_constraints(constraints: dict, msgs: list) -> float:
    """Visible: the engine reads it (0.5). Hidden: recall rule (1), FPR rule (1), exactly those
    two under the right key (0.5)."""
    if not constraints:
        msgs.append("✗ CONSTRAINTS is not a dict yet")
        return 0.0
    error = engine_reads(plain(constraints))
    score = _award(error is None, 0.5, msgs, f"✗ the engine cannot read CONSTRAINTS: {error}")
    rules = constraints.get("binary_classification_constraints")
    rules = rules if isinstance(rules, dict) and not is_obj(rules) else {}
    for name, threshold, operator, why in (
            ("recall", 0.7, "LessThanThreshold", "a violation when recall < 0.70: threshold 0.7 "
             "(a fraction), LessThanThreshold (0.70 itself is fine)"),
            ("false_positive_rate", 0.1, "GreaterThanThreshold", "a violation when the rate > "
             "0.10: threshold 0.1, GreaterThanThreshold (lower is better)")):
        score += _award(_rule_ok(rules, name, threshold, operator), 1.0, msgs,
                        f"✗ {name}: {shown(rules.get(name))}; {why}")
    score += _award(set(rules) == {"recall", "false_positive_rate"}, 0.5, msgs,
                    f"✗ binary_classification_constraints holds {sorted(rules)}: exactly the two "
                    "rules the team asked for, under the key binary_classification_constraints")
    return score


def _dimensions(alarm: dict) -> set:
    try:
        return {(d["Name"], d["Value"]) for d in alarm.get("Dimensions", [])}
    except (TypeError, KeyError, AttributeError):
        return set()


def _score_alarm(alarm: dict, msgs: list) -> float:
    """Visible: moto accepts it (0.5). Hidden: namespace (0.5), metric (0.5), dimensions (0.75),
    operator and threshold (0.75)."""
    if not alarm:
        msgs.append("✗ ALARM is not a dict yet")
        return 0.0
    rejected = moto_accepts_alarm(plain(alarm))
    score = _award(rejected is None, 0.5, msgs, f"✗ put_metric_alarm rejected ALARM: {rejected}")
    score += _award(alarm.get("Namespace") == ALARM_NAMESPACE, 0.5, msgs,
                    f"✗ Namespace {shown(alarm.get('Namespace'))}: model-quality metrics of a "
                    f"real-time endpoint are in {ALARM_NAMESPACE} (AWS/SageMaker holds the "
                    "endpoint's invocation metrics)")
    score += _award(alarm.get("MetricName") == "recall", 0.5, msgs,
                    f"✗ MetricName {shown(alarm.get('MetricName'))}: the metric is named as in "
                    "statistics.json, 'recall'")
    dims = _dimensions(alarm)
    score += _award(dims == ALARM_DIMENSIONS, 0.75, msgs,
                    f"✗ Dimensions {sorted(map(str, dims))}: Endpoint and MonitoringSchedule (not "
                    "EndpointName/VariantName)")
    threshold = as_float(alarm.get("Threshold")) if not isinstance(alarm.get("Threshold"), bool) else None
    score += _award(alarm.get("ComparisonOperator") == "LessThanThreshold" and threshold is not None
                    and math.isclose(threshold, 0.7), 0.75, msgs,
                    f"✗ {shown(alarm.get('ComparisonOperator'))} {shown(alarm.get('Threshold'))}: "
                    "ALARM when recall < 0.70 is LessThanThreshold with Threshold 0.7")
    return score


def _config(result: dict) -> dict:
    """The variable's value if it is a (non-empty) plain dict, else ``{}``."""
    value = result.get("value")
    return value if isinstance(value, dict) and not is_obj(value) else {}


def score_task4(values: dict, inputs: dict) -> tuple[float, list[str]]:
    """(a) CONSTRAINTS 3 points, (b) ALARM 3 points."""
    msgs: list[str] = []
    score = _score_constraints(_config(values["constraints"]), msgs)
    score += _score_alarm(_config(values["alarm"]), msgs)
    return score, msgs


TASK4 = Check("task4-config-tests", 6, TASK4_EVALUATE, score_task4)

# ------------------------------------------------------------------------------ task 5 latency

# groundtruth.labelled_fraction of the lab's labels, hours 24-48, at hour 48 (measured).
DRIFTED_LABELLED_48 = 0.078125
OFFSETS = ("-PT0H", "-P1D", "-P2D", "-P3D", "-P4D")
TASK5_EVALUATE = ('return {name: get(name) for name in ("DRIFTED_LABELLED_48", "WHY_NO_VIOLATION", '
                  '"EXPECTED_AT_P2D", "END_OFFSET")}\n')


def window_fraction(days: int) -> float:
    """Expected labelled fraction of a one-day window ending ``days`` before the execution
    (``groundtruth.ArrivalModel()``, the lab's default)."""
    from datetime import datetime, timedelta, timezone

    from monitorlab.monitoring.groundtruth import ArrivalModel

    run = datetime(2026, 1, 15, tzinfo=timezone.utc)
    return ArrivalModel().window_fraction(run - timedelta(days=days + 1), run - timedelta(days=days), run)


def expected_end_offset() -> str:
    """The smallest end offset whose one-day window is expected at least 80 % labelled."""
    return next(text for days, text in enumerate(OFFSETS) if window_fraction(days) >= 0.8)


def _fraction(value) -> float | None:
    """``float(value)`` for a number or a number's text (as the old check read it)."""
    return None if isinstance(value, bool) or (isinstance(value, (list, dict)) and not is_obj(value)) \
        else as_float(value)




def score_task5(values: dict, inputs: dict) -> tuple[float, list[str]]:
    """1 point each: DRIFTED_LABELLED_48, WHY_NO_VIOLATION (B), EXPECTED_AT_P2D, END_OFFSET."""
    got = {name: values[name].get("value") for name in values}
    msgs = [f"✗ {name} is not defined: run its answer cell" for name in values if "value" not in values[name]]
    drifted = _fraction(got.get("DRIFTED_LABELLED_48"))
    score = _award(drifted is not None and abs(drifted - DRIFTED_LABELLED_48) <= 0.005, 1.0, msgs,
                   f"✗ DRIFTED_LABELLED_48 is {shown(got.get('DRIFTED_LABELLED_48'))}: among "
                   "predictions with 24 h <= inferenceTime < 48 h, the share whose collectedAt is "
                   "at or before hour 48")
    score += _award(letter(got.get("WHY_NO_VIOLATION")) == "B", 1.0, msgs,
                    "✗ WHY_NO_VIOLATION: the window held both days, but almost only the first "
                    "day's labels had arrived")
    at_p2d = _fraction(got.get("EXPECTED_AT_P2D"))
    score += _award(at_p2d is not None and abs(at_p2d - window_fraction(2)) <= 0.005, 1.0, msgs,
                    f"✗ EXPECTED_AT_P2D is {shown(got.get('EXPECTED_AT_P2D'))}: "
                    "ArrivalModel().window_fraction(t - 3 days, t - 2 days, t)")
    score += _award(text_is(got.get("END_OFFSET"), expected_end_offset()), 1.0, msgs,
                    f"✗ END_OFFSET {shown(got.get('END_OFFSET'))}: -P2D gives about 71 %; a window "
                    "must be 3 to 4 days old to reach 80 %")
    return score, msgs


TASK5 = Check("task5-latency-tests", 4, TASK5_EVALUATE, score_task5)

# ------------------------------------------------------------------------------ tasks 6, 7 letters

TASK6 = choices_check("task6-diagnosis-tests", {
    "CAUSE_CHURN": ("B", "a slow decline over weeks with no release and slowly growing data-quality "
                         "violations is drift"),
    "ACTION_CHURN": ("B", "drift: retrain on recent labelled data, then re-baseline; loosening the "
                          "constraint only hides it"),
    "CAUSE_CLAIMS": ("C", "a step down the week release 3.2 shipped, with data-quality violations "
                          "starting the same week, is a bug"),
    "ACTION_CLAIMS": ("A", "a bug in a release: roll back first; retraining would teach the model "
                           "the bug"),
    "CAUSE_LOANS": ("D", "matched rows fell from ~1,170 to ~35 and orphans jumped when the "
                         "labelling system moved: the join broke"),
    "ACTION_LOANS": ("D", "with ~35 matched rows the F1 is noise: fix the ground-truth ids before "
                          "judging the model"),
})

TASK7 = choices_check("task7-exam-tests", {
    "WARN_THIS_WEEK": ("C", "inputs can be checked without labels: data quality"),
    "WHY_HARDER": ("A", "label latency: the monitor must wait for ground truth, and some never comes"),
    "LABEL_PREFIX": ("D", "ground truth goes under the yyyy/mm/dd/hh of the hour it was collected, "
                          "not of the inference"),
    "AFTER_RETRAIN": ("B", "a new model needs a new baseline; the old one would judge it against "
                           "the old model"),
})

CHECKS = [TASK1, TASK2, TASK3, TASK4, TASK5, TASK6, TASK7]
