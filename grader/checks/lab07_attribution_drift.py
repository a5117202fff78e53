"""Trusted checks of lab 07 (attribution drift): 26 points, scored outside the learner's kernel.

task1 NDCG 6, task2 aggregation 4, task3 drifted windows 3, task4 reports 4, task5 config 4,
task6 exam 5. Each check's visible part is what the notebook's visible test shows; the hidden
part uses inputs drawn for each grading run (``inputs``) with the expected values computed
here by the engine (``monitorlab.stats.ranking.ndcg`` and ``aggregate``,
``monitorlab.monitoring.attribution.drift_violations``) or by ``sklearn.metrics.dcg_score``
(Clarify's DCG, same discount 1/log2(i+1)), or literals measured from the lab's own
deterministic set-up (``WINDOW_GLOBAL_SHAP``, the task 4 answers;
``tests/test_lab07_attribution_drift.py`` keeps them equal to what the engine produces).
"""

import math
import re

from grader.trusted import UNSET, Check, as_float, choices_check, is_obj, letter, plain_dict
from grader.trusted import returned, shown, text_is

COURSE_FEATURES = ["age", "workclass", "education", "education_num", "marital_status",
                   "occupation", "relationship", "race", "sex", "capital_gain", "capital_loss",
                   "hours_per_week", "native_country"]  # monitorlab.serving.data.FEATURES
TOL = {"rel_tol": 1e-9, "abs_tol": 1e-12}


def _close(value, expected: float) -> bool:
    """``math.isclose(float(value), expected, rel_tol=1e-9, abs_tol=1e-12)``."""
    number = as_float(value) if not isinstance(value, (list, dict)) or is_obj(value) else None
    return number is not None and math.isclose(number, expected, **TOL)








# ------------------------------------------------------------------------------ task 1 NDCG

TASK1_DOCS = ({"f1": 0.70, "f2": 0.50, "f3": 0.05}, {"f1": 0.10, "f2": 0.20, "f3": 0.70})
TASK1_DCG_HINT = ("order by live value, highest first; gains are the BASELINE values; discount "
                  "1/log2(i+1) from i = 1")
TASK1_NDCG_HINT = "divide by the DCG of the baseline's own order"
TASK1_EVALUATE = '''
def refused(name, baseline, live):
    function = globals().get(name)
    if function is None:
        return {"missing": name}
    try:
        got = function(dict(baseline), dict(live))
    except NotImplementedError as error:
        return raised(error)
    except ValueError as error:
        return {"value_error": True, "raised": f"{type(error).__name__}: {error}"[:1000]}
    except Exception as error:
        return raised(error)
    return {"value": jsonable(got)}
docs = INPUTS["docs"]
return {"docs_dcg": call("dcg", dict(docs[0]), dict(docs[1])),
        "docs_ndcg": call("ndcg", dict(docs[0]), dict(docs[1])),
        "dcg": [call("dcg", dict(b), dict(l)) for b, l in INPUTS["dcg"]],
        "ndcg": [call("ndcg", dict(b), dict(l)) for b, l in INPUTS["ndcg"]],
        "same_order": call("ndcg", *[dict(x) for x in INPUTS["same_order"]]),
        "all_zero": refused("ndcg", *INPUTS["all_zero"])}
'''


def _distinct(rng, low: int, high: int, n: int, scale: float) -> list[float]:
    """``n`` distinct values ``k * scale`` for k drawn from ``[low, high]`` (no ties)."""
    return [round(k * scale, 6) for k in rng.sample(range(low, high + 1), n)]


def _idcg(baseline: dict) -> float:
    """The DCG of the baseline's own order."""
    gains = sorted(baseline.values(), reverse=True)
    return sum(g / math.log2(i + 2) for i, g in enumerate(gains))


def task1_inputs(rng) -> dict:
    """Two DCG rankings (five course features; four with a zero baseline gain), NDCG of those and
    of the 13 course features (one feature's attribution jumps to the top), a live order equal to
    the baseline's with other sizes, an all-zero baseline. Live values have no ties; no case has
    iDCG within 1e-3 of 1 (so a DCG returned unnormalised never passes for an NDCG)."""
    while True:
        five = rng.sample(COURSE_FEATURES, 5)
        case0 = (dict(zip(five, _distinct(rng, 5, 60, 5, 0.01))),
                 dict(zip(five, _distinct(rng, 1, 99, 5, 0.01))))
        wxyz = ["w", "x", "y", "z"]
        gains = [0.0] + _distinct(rng, 1, 16, 3, 0.25)
        rng.shuffle(gains)
        case1 = (dict(zip(wxyz, gains)), dict(zip(wxyz, _distinct(rng, 1, 40, 4, 0.25))))
        base13 = dict(zip(COURSE_FEATURES, _distinct(rng, 10, 9990, 13, 0.0001)))
        live13 = {f: round(v * rng.uniform(0.8, 1.25), 4) for f, v in base13.items()}
        risen = rng.choice(COURSE_FEATURES[1:])
        live13[risen] = round(max(base13.values()) * rng.uniform(1.2, 1.6), 4)
        keys = ["a", "b", "c"]
        same_b = sorted(_distinct(rng, 5, 95, 3, 0.01), reverse=True)
        same_l = sorted(_distinct(rng, 10, 90, 3, 0.1), reverse=True)
        same = (dict(zip(keys, same_b)), dict(reversed(list(zip(keys, same_l)))))
        ndcg_cases = [case0, case1, (base13, live13)]
        rankings_move = all(sorted(b, key=b.get) != sorted(l, key=l.get) for b, l in ndcg_cases)
        if (rankings_move and len(set(live13.values())) == 13
                and all(abs(_idcg(b) - 1) > 1e-3 for b, _ in [*ndcg_cases, same])):
            break
    zero = ({k: 0.0 for k in keys}, dict(zip(keys, _distinct(rng, 1, 9, 3, 0.1))))
    return {"docs": list(TASK1_DOCS), "dcg": [list(case0), list(case1)],
            "ndcg": [list(c) for c in ndcg_cases], "same_order": list(same), "all_zero": list(zero)}


def expected_dcg(baseline: dict, live: dict) -> float:
    """Clarify's DCG: ``sklearn.metrics.dcg_score`` with the baseline values as the gains."""
    from sklearn.metrics import dcg_score

    features = list(baseline)
    return float(dcg_score([[baseline[f] for f in features]], [[live[f] for f in features]]))


def expected_ndcg(baseline: dict, live: dict) -> float:
    """The engine's NDCG (``monitorlab.stats.ranking.ndcg``)."""
    from monitorlab.stats.ranking import ndcg

    return ndcg(baseline, live)


def _value_points(result: dict, name: str, expected: float, weight: float, label: str,
                  hint: str, msgs: list) -> float:
    """``weight`` if the function's value is within 1e-9 of ``expected``, else a message."""
    got = returned(result, name, label, msgs)
    if got is UNSET:
        return 0.0
    if _close(got, expected):
        return weight
    msgs.append(f"✗ {label}: {name} gave {shown(got)}, expected {expected!r} ({hint})")
    return 0.0


def score_task1(values: dict, inputs: dict) -> tuple[float, list[str]]:
    """Visible: docs DCG and NDCG (0.5 each). Hidden: two DCGs, three NDCGs (0.75 each), the
    same order (0.5), the all-zero baseline raising ValueError (0.75)."""
    msgs: list[str] = []
    docs = inputs["docs"]
    score = _value_points(values["docs_dcg"], "dcg", expected_dcg(*docs), 0.5, "docs example",
                          TASK1_DCG_HINT, msgs)
    score += _value_points(values["docs_ndcg"], "ndcg", expected_ndcg(*docs), 0.5, "docs example",
                           TASK1_NDCG_HINT, msgs)
    for result, (b, l) in zip(values["dcg"], inputs["dcg"]):
        score += _value_points(result, "dcg", expected_dcg(b, l), 0.75,
                               f"hidden DCG over {sorted(b)}", TASK1_DCG_HINT, msgs)
    for result, (b, l) in zip(values["ndcg"], inputs["ndcg"]):
        score += _value_points(result, "ndcg", expected_ndcg(b, l), 0.75,
                               f"hidden NDCG over {len(b)} features", TASK1_NDCG_HINT, msgs)
    score += _value_points(values["same_order"], "ndcg", expected_ndcg(*inputs["same_order"]), 0.5,
                           "same order, other sizes", "only the order of the live values matters",
                           msgs)
    score += refusal_points(values["all_zero"], 0.75, "all-zero baseline", msgs,
                            "iDCG is 0, so NDCG is undefined: raise ValueError instead of "
                            "returning a number", "raise ValueError (iDCG = 0)")
    return score, msgs


def refusal_points(result: dict, weight: float, label: str, msgs: list, returned: str,
                   other: str) -> float:
    """``weight`` if the call raised ``ValueError``; else a message (none if not written yet)."""
    if result.get("value_error"):
        return weight
    if "value" in result:
        msgs.append(f"✗ {label}: {returned}")
    elif "raised" in result and not str(result["raised"]).startswith("NotImplementedError"):
        msgs.append(f"✗ {label}: {other}, not {str(result['raised']).split(':')[0]}")
    return 0.0


TASK1 = Check("task1-ndcg-tests", 6, TASK1_EVALUATE, score_task1, task1_inputs,
              forbid=(("task1-ndcg-answer", ("ranking", "attribution_ndcg", "dcg_score",
                                             "ndcg_score", "_tie_averaged_dcg")),))

# ------------------------------------------------------------------------------ task 2 aggregate

TASK2_VISIBLE = ([[0.5, -1.0, 0.0], [-1.5, 2.0, 0.25], [2.5, -3.0, -0.25]],
                 ["age", "capital_gain", "sex"])
# The lab's window 07:00-08:00: the global_shap_values of the analysis.json the monitor wrote
# (mean |phi| of PHI). Measured from the lab's set-up; the tests keep it equal to the engine's.
WINDOW_GLOBAL_SHAP = {
    "age": 0.598878636021615, "workclass": 0.03494600058681577, "education": 0.01116688712788515,
    "education_num": 1.2758287817296718, "marital_status": 0.9388141602718799,
    "occupation": 0.21969166359706002, "relationship": 0.05340541663002358,
    "race": 0.014584767845239866, "sex": 0.09943138036174429, "capital_gain": 0.28708500204220155,
    "capital_loss": 0.1684266907028565, "hours_per_week": 0.28167452207593985,
    "native_country": 0.0712959809349106}
TASK2_HINTS = {"mean_abs": "mean of |phi| per column",
               "median": "median of the signed values (not of |phi|)",
               "mean_sq": "mean of phi squared, no square root"}
TASK2_EVALUATE = '''
import numpy as _np
def aggregated(phi, features, method):
    return call("global_attributions", _np.array(phi, dtype=float), list(features), method)
phi, features = INPUTS["visible"]
out = {"visible": {m: aggregated(phi, features, m) for m in ("mean_abs", "median", "mean_sq")}}
out["window"] = (aggregated(globals()["PHI"], globals()["FEATURES"], "mean_abs")
                 if "PHI" in globals() and "FEATURES" in globals() else {"missing": "PHI"})
phi, features = INPUTS["hidden"]
out["hidden"] = {m: aggregated(phi, features, m) for m in ("mean_abs", "median", "mean_sq")}
unknown = globals().get("global_attributions")
if unknown is None:
    out["unknown"] = {"missing": "global_attributions"}
else:
    try:
        unknown(_np.array(phi), list(features), INPUTS["unknown"])
        out["unknown"] = {"value": None}
    except NotImplementedError as error:
        out["unknown"] = raised(error)
    except ValueError as error:
        out["unknown"] = {"value_error": True}
    except Exception as error:
        out["unknown"] = raised(error)
return out
'''


def task2_inputs(rng) -> dict:
    """A 6 x 4 array of signed values (2 decimals) over four course features, whose median of
    |phi| differs from the signed median; an agg_method Clarify does not have."""
    import numpy as np

    while True:
        phi = [[rng.randint(-300, 300) / 100 for _ in range(4)] for _ in range(6)]
        values = np.array(phi)
        if not np.allclose(np.median(np.abs(values), axis=0), np.median(values, axis=0)):
            break
    return {"visible": list(TASK2_VISIBLE), "hidden": [phi, rng.sample(COURSE_FEATURES, 4)],
            "unknown": rng.choice(["max_abs", "mean", "sum_abs", "abs_mean", "mean_squared"])}


def expected_aggregate(phi, features, method: str) -> dict[str, float]:
    """The engine's global attributions (``monitorlab.stats.ranking.aggregate``)."""
    import pandas as pd

    from monitorlab.stats.ranking import aggregate

    return aggregate(pd.DataFrame(phi, columns=features, dtype=float), method)


def _aggregate_points(result: dict, expected: dict, method: str, weight: float, label: str,
                      msgs: list) -> float:
    """``weight`` if the dict has the features in order and every value within 1e-9."""
    got = returned(result, "global_attributions", label, msgs)
    if got is UNSET:
        return 0.0
    if (isinstance(got, dict) and not is_obj(got) and list(got) == list(expected)
            and all(_close(got[f], e) for f, e in expected.items())):
        return weight
    msgs.append(f"✗ {label}: got {shown(got)[:300]}, expected {expected} ({TASK2_HINTS[method]})")
    return 0.0


def score_task2(values: dict, inputs: dict) -> tuple[float, list[str]]:
    """Visible: 3 x 3 each method (0.25 each), PHI against the monitor's analysis.json (0.25).
    Hidden: 6 x 4 each method (0.75 each), an unknown method raising ValueError (0.75)."""
    msgs: list[str] = []
    score = 0.0
    phi, features = inputs["visible"]
    for method, result in values["visible"].items():
        score += _aggregate_points(result, expected_aggregate(phi, features, method), method, 0.25,
                                   f"3x3 {method}", msgs)
    score += _aggregate_points(values["window"], WINDOW_GLOBAL_SHAP, "mean_abs", 0.25,
                               "PHI against the monitor's analysis.json", msgs)
    phi, features = inputs["hidden"]
    for method, result in values["hidden"].items():
        score += _aggregate_points(result, expected_aggregate(phi, features, method), method, 0.75,
                                   f"hidden 6x4 {method}", msgs)
    score += refusal_points(values["unknown"], 0.75, f"agg_method {inputs['unknown']!r}", msgs,
                            "not a Clarify method: raise ValueError naming mean_abs, median, "
                            "mean_sq", "raise ValueError")
    return score, msgs


TASK2 = Check("task2-aggregate-tests", 4, TASK2_EVALUATE, score_task2, task2_inputs,
              forbid=(("task2-aggregate-answer", ("ranking", "aggregate", "explanation_analysis")),))

# ------------------------------------------------------------------------------ task 3 windows

TASK3_VISIBLE = [{"01:00": 0.99, "02:00": 0.85, "03:00": 0.95}]
TASK3_EVALUATE = '''
return {"visible": call("drifted_windows", *INPUTS["visible"]),
        "hidden": [call("drifted_windows", *args) for args in INPUTS["hidden"]]}
'''


def task3_inputs(rng) -> dict:
    """Three hidden calls: a value exactly at the default threshold 0.9 (with one just below and
    one above); a threshold above 0.9 with a value between 0.9 and it, the names (hours) in an
    unsorted order; no windows at all."""
    names = rng.sample("abcdefghkmnpqrstuvwxyz", 3)
    boundary = [0.9, round(0.9 - rng.randint(1, 9) / 10_000, 4), round(0.9 + rng.randint(1, 9) / 100, 2)]
    pairs = list(zip(names, boundary))
    rng.shuffle(pairs)
    threshold = rng.choice([0.92, 0.95, 0.97])
    hours = [f"2026-01-{rng.randint(5, 28):02d}T{h:02d}:00Z" for h in (7, 8, 9)]
    hours = [hours[0][:11] + h[11:] for h in hours]           # one day, three hours
    between = round(rng.uniform(0.9, threshold - 0.005), 3)
    low = round(rng.uniform(0.3, 0.8), 2)
    above = round(rng.uniform(threshold + 0.005, 0.999), 3)
    flagged = rng.sample(hours, 2)
    above_name = next(h for h in hours if h not in flagged)
    later, earlier = sorted(flagged, reverse=True)
    ordered = [(later, between), (above_name, above), (earlier, low)]   # flagged: later first
    return {"visible": TASK3_VISIBLE,
            "hidden": [[dict(pairs)], [dict(ordered), threshold], [{}]]}


def expected_windows(ndcg_by_window: dict, threshold: float | None = None) -> list[str]:
    """The windows the engine flags (``attribution.drift_violations``), sorted."""
    from monitorlab.monitoring.attribution import DEFAULT_THRESHOLD, drift_violations

    limit = DEFAULT_THRESHOLD if threshold is None else threshold
    return sorted(v["label"] for v in drift_violations(ndcg_by_window, limit)["violations"])


TASK3_HINTS = ["a LOW NDCG is drift: keep the windows below the threshold",
               "NDCG exactly 0.9 is not below 0.9: no violation",
               "use the threshold argument, and sort the names",
               "nothing to flag is an empty list"]


def score_task3(values: dict, inputs: dict) -> tuple[float, list[str]]:
    """Visible: three windows (0.5). Hidden: the boundary (1), another threshold (1), empty (0.5)."""
    calls = [inputs["visible"], *inputs["hidden"]]
    results = [values["visible"], *values["hidden"]]
    weights = [0.5, 1.0, 1.0, 0.5]
    labels = ["three windows", "boundary", "threshold " + str(inputs["hidden"][1][1]), "no windows"]
    msgs, score = [], 0.0
    for args, result, weight, label, hint in zip(calls, results, weights, labels, TASK3_HINTS):
        got = returned(result, "drifted_windows", label, msgs)
        expected = expected_windows(*args)
        if got is UNSET:
            continue
        if isinstance(got, list) and got == expected:
            score += weight
        else:
            msgs.append(f"✗ {label}: got {shown(got)}, expected {expected!r} ({hint})")
    return score, msgs


TASK3 = Check("task3-windows-tests", 3, TASK3_EVALUATE, score_task3, task3_inputs,
              forbid=(("task3-windows-answer", ("drift_violations",)),))

# ------------------------------------------------------------------------------ task 4 reports

# The lab's monitoring run, measured (tests/test_lab07_attribution_drift.py keeps them current).
FIRST_FLAGGED = "2026-01-05T06:00:00+00:00"
RISEN_FEATURE = "education_num"
QUIET_CHANGE = "native_country"
TASK4_EVALUATE = '''
def first_utc():
    import pandas as _pd
    when = _pd.Timestamp(globals()["FIRST_FLAGGED"])
    when = when.tz_localize("UTC") if when.tzinfo is None else when.tz_convert("UTC")
    return None if _pd.isna(when) else when.isoformat()
return {"first": attempt(first_utc), "risen": get("RISEN_FEATURE"), "quiet": get("QUIET_CHANGE"),
        "action": get("ACTION")}
'''


def score_task4(values: dict, inputs: dict) -> tuple[float, list[str]]:
    """FIRST_FLAGGED (1), RISEN_FEATURE (1), QUIET_CHANGE (1), ACTION C (1)."""
    risen, quiet = values["risen"].get("value"), values["quiet"].get("value")
    answers = [
        (values["first"].get("value") == FIRST_FLAGGED,
         "✗ FIRST_FLAGGED: take the first record whose status is CompletedWithViolations; an "
         "execution at hh:00 analyses the hour BEFORE hh:00"),
        (text_is(risen, RISEN_FEATURE),
         f"✗ RISEN_FEATURE is {shown(risen)}: open that execution's analysis.json and compare its "
         "global_shap_values ranking with the baseline's"),
        (text_is(quiet, QUIET_CHANGE),
         f"✗ QUIET_CHANGE is {shown(quiet)}: look for a feature whose data-quality distance jumps "
         "hours before the first violation; the model barely uses it, so its ranking cannot move"),
        ("value" in values["action"] and letter(values["action"]["value"]) == "C",
         "✗ ACTION: a violation says the model's reasons changed, not why; check the feature and "
         "its upstream data first. Retraining on broken data, silencing the threshold or "
         "re-baselining on the broken window all hide the bug"),
    ]
    return float(sum(ok for ok, _ in answers)), [why for ok, why in answers if not ok]


TASK4 = Check("task4-report-tests", 4, TASK4_EVALUATE, score_task4)

# ------------------------------------------------------------------------------ task 5 config

TASK5_HEADERS = ["amount", "merchant_category", "hour_of_day", "distance_from_home", "card_present"]
TASK5_BASELINE = "s3://fraud-ml-artifacts/clarify/shap-background.csv"
TASK5_ALLOWED = {"baseline", "num_samples", "agg_method", "use_logit", "save_local_shap_values",
                 "seed", "num_clusters", "features_to_explain"}  # Clarify's SHAP parameters
TASK5_EVALUATE = '''
return {"config": get("ANALYSIS_CONFIG"),
        "json": attempt(lambda: len(_json.dumps(globals()["ANALYSIS_CONFIG"])) > 0),
        "type": get("MONITORING_TYPE"), "schedule": get("SCHEDULE_EXPRESSION")}
'''




def score_task5(values: dict, inputs: dict) -> tuple[float, list[str]]:
    """Visible: JSON with a methods.shap of Clarify parameters only (0.5). Hidden: headers,
    baseline, samples, aggregation, units, local values (0.5 each), type, schedule (0.25 each)."""
    msgs, score = [], 0.0
    config = values["config"].get("value")
    shap = plain_dict(plain_dict(plain_dict(config).get("methods")).get("shap"))
    if not isinstance(config, dict) or is_obj(config):
        msgs.append("✗ ANALYSIS_CONFIG is not a dict yet")
    elif not shap:
        msgs.append("✗ ANALYSIS_CONFIG needs a 'methods' dict holding a 'shap' dict")
    else:
        is_json = values["json"].get("value") is True
        if not is_json:
            msgs.append(f"✗ ANALYSIS_CONFIG must be JSON (Clarify reads a JSON file): "
                        f"{values['json'].get('raised')}")
        unknown = sorted(set(shap) - TASK5_ALLOWED)
        if unknown:
            msgs.append(f"✗ {unknown} are not Clarify SHAP parameters; use {sorted(TASK5_ALLOWED)}")
        score += 0.5 if is_json and not unknown else 0.0
    score += _task5_fields(plain_dict(config), shap, msgs.append if shap else (lambda text: None))
    kind = values["type"].get("value")
    if text_is(kind, "ModelExplainability"):
        score += 0.25
    else:
        msgs.append(f"✗ MONITORING_TYPE is {shown(kind)}: the attribution monitor's type is one of "
                    "DataQuality, ModelQuality, ModelBias, ModelExplainability")
    cron = values["schedule"].get("value")
    if isinstance(cron, str) and re.fullmatch(r"cron\(0 0?0/0?6 \? \* \* \*\)", cron.strip()):
        score += 0.25
    else:
        msgs.append(f"✗ SCHEDULE_EXPRESSION is {shown(cron)}: every N hours from hour H is "
                    "cron(0 H/N ? * * *)")
    return score, msgs


def _task5_fields(config: dict, shap: dict, say) -> float:
    """0.5 per requirement met: headers, baseline, num_samples, agg_method, use_logit, local values."""
    score = 0.0
    if config.get("headers") == TASK5_HEADERS:
        score += 0.5
    else:
        say(f"✗ headers is {shown(config.get('headers'))}: list the five feature names in the order given")
    if shap.get("baseline") == TASK5_BASELINE:
        score += 0.5
    else:
        say(f"✗ shap.baseline is {shown(shap.get('baseline'))}: the SHAP baseline (background rows) "
            "is the S3 URI given")
    samples = shap.get("num_samples")
    if type(samples) is int and samples == 500:
        score += 0.5
    else:
        say(f"✗ shap.num_samples is {shown(samples)}: 500 synthetic samples per record, an integer")
    if shap.get("agg_method") == "median":
        score += 0.5
    else:
        say(f"✗ shap.agg_method is {shown(shap.get('agg_method'))}: the median is 'median' "
            "(mean_abs is the default)")
    if shap.get("use_logit") is True:
        score += 0.5
    else:
        say(f"✗ shap.use_logit is {shown(shap.get('use_logit'))}: log-odds units need use_logit "
            "true (the default false explains the probability)")
    if shap.get("save_local_shap_values") is True:
        score += 0.5
    else:
        say(f"✗ shap.save_local_shap_values is {shown(shap.get('save_local_shap_values'))}: true "
            "keeps the per-record values (the monitor's default is false)")
    return score


TASK5 = Check("task5-config-tests", 4, TASK5_EVALUATE, score_task5)

# ------------------------------------------------------------------------------ task 6 exam

TASK6_KEY = {
    "WHICH_SERVICE": ("B", "attribution drift is Clarify's check, scheduled by Model Monitor as "
                           "ModelExplainability"),
    "NDCG_MEANING": ("C", "NDCG compares rankings of global SHAP values; below 0.9 is a violation"),
    "DATA_VS_ATTRIBUTION": ("A", "a feature the model ignores can change completely without moving "
                                 "the SHAP ranking"),
    "AFTER_RETRAIN": ("D", "a new model needs a new explainability baseline; the old one describes "
                           "the old model"),
    "KERNEL_VS_TREE": ("A", "Kernel SHAP samples against a background dataset and works for any "
                            "model; its default units are probability (use_logit false)"),
}

TASK6 = choices_check("task6-exam-tests", TASK6_KEY)

CHECKS = [TASK1, TASK2, TASK3, TASK4, TASK5, TASK6]
