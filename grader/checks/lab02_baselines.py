"""Trusted checks of lab 02 (Baselines): 27 points, scored outside the learner's kernel.

task1 read 5, task2 frame 4, task3 profile 5, task4 config 5, task5 exam 5, task6 interpretation 3.
The code tasks' hidden inputs are drawn for each grading run (``inputs``) with the old literals'
structure, and their expected values computed here by the engine (``monitor.baseline_frame``,
``baseline.numerical_statistics``). Task 4's window and production baseline are rebuilt here by
the engine, as the lab's set-up builds them (``production``), and its constraints are evaluated
here (``dataquality.evaluate``), not in the kernel. Task 1 keeps literals read from the lab's
deterministic extract (``tests/test_lab02_baselines.py`` keeps them equal to what the engine
produces).
"""

import copy
import functools
import math
import re

from grader.trusted import Check, Failed, NotWritten, as_float, choices_check, is_obj, shown
from grader.trusted import value_of

#: numpy scalar types a learner's number may arrive as (``np.integer``/``np.floating``, not bool)
NUMPY_NUMBER = re.compile(r"u?int(8|16|32|64)?|u?longlong|u?intc|u?short|u?byte|intp|uintp"
                          r"|float(16|32|64|96|128)?|half|single|double|longdouble")


def is_number(value) -> bool:
    """The test cell's ``_is_number``: an int or float (numpy's too), not a bool."""
    if is_obj(value):
        return bool(NUMPY_NUMBER.fullmatch(str(value.get("__obj__")))) and "float" in value
    return type(value) in (int, float)


def same_number(value, expected: float) -> bool:
    """A number within 1e-9 relative of ``expected``."""
    return is_number(value) and math.isclose(as_float(value), expected, rel_tol=1e-9)

FAILED = object()


def answer_of(result: dict, name: str, label: str, msgs: list):
    """The value a learner function returned, or ``FAILED`` with a message (``NotWritten`` raises)."""
    try:
        return value_of(result)
    except NotWritten:
        raise
    except Failed as exc:
        msgs.append(f"✗ {label}: {name} {exc}")
        return FAILED

# ------------------------------------------------------------------------------ task 1 read

# The lab's extract (Adult test split, education_num lost for ~1 % of rows with seed 2026),
# baselined by the engine; the tests recompute every one of these from the engine.
MISSING_EDUCATION_NUM, PRESENT_EDUCATION_NUM = 148, 16133
EDUCATION_NUM_TYPE = "Fractional"
AGE_BUCKETS = [2862.0, 2796.0, 3072.0, 2994.0, 1998.0, 1285.0, 861.0, 281.0, 103.0, 29.0]
AGE_45_BUCKET_COUNT = 2994.0
MARRIED_COUNT = 7403
OCCUPATION_COMPLETENESS = 0.8461683036956285
OCCUPATION_OBSERVED = 0.9406670351943984
TASK1_NAMES = ("MISSING_EDUCATION_NUM", "EDUCATION_NUM_TYPE", "AGE_45_BUCKET_COUNT", "MARRIED_COUNT",
               "OCCUPATION_COMPLETENESS")


def _type_text(value) -> str | None:
    """A str (numpy's str_ too) as its text, anything else None."""
    if isinstance(value, str):
        return value
    return value.get("str") if is_obj(value) and value.get("__obj__") == "str_" else None


def score_task1(values: dict, inputs: dict) -> tuple[float, list[str]]:
    """One point per answer, with the old hints for the usual wrong readings."""
    got = {name: values[name].get("value") for name in TASK1_NAMES}
    msgs, score = [], 0.0
    missing = got["MISSING_EDUCATION_NUM"]
    if same_number(missing, MISSING_EDUCATION_NUM):
        score += 1.0
    elif same_number(missing, PRESENT_EDUCATION_NUM):
        msgs.append("✗ MISSING_EDUCATION_NUM: that is num_present; rows without a value are num_missing")
    else:
        msgs.append("✗ MISSING_EDUCATION_NUM: read numerical_statistics.common.num_missing of education_num")
    if _type_text(got["EDUCATION_NUM_TYPE"]) == EDUCATION_NUM_TYPE:
        score += 1.0
    else:
        msgs.append("✗ EDUCATION_NUM_TYPE: read inferred_type in the file. The missing values made pandas "
                    "store the column as float64, and a float column is baselined as Fractional even if "
                    "every value is whole")
    age = got["AGE_45_BUCKET_COUNT"]
    if same_number(age, AGE_45_BUCKET_COUNT):
        score += 1.0
    elif is_number(age) and as_float(age) in AGE_BUCKETS:
        msgs.append("✗ AGE_45_BUCKET_COUNT: that is another bucket's count; find the bucket with "
                    "lower_bound <= 45 < upper_bound")
    else:
        msgs.append("✗ AGE_45_BUCKET_COUNT: read the count of the age bucket with lower_bound <= 45 < upper_bound")
    if same_number(got["MARRIED_COUNT"], MARRIED_COUNT):
        score += 1.0
    else:
        msgs.append("✗ MARRIED_COUNT: read the count of the value Married-civ-spouse in marital_status's "
                    "categorical buckets")
    share = got["OCCUPATION_COMPLETENESS"]
    if same_number(share, OCCUPATION_COMPLETENESS):
        score += 1.0
    elif is_number(share) and abs(as_float(share) - OCCUPATION_OBSERVED) < 1e-3:
        msgs.append("✗ OCCUPATION_COMPLETENESS: that is the fraction observed in statistics.json; "
                    "constraints.json requires a lower bound below it")
    else:
        msgs.append("✗ OCCUPATION_COMPLETENESS: read completeness of occupation in constraints.json")
    return score, msgs


TASK1 = Check("task1-read-tests", 5, f"return {{name: get(name) for name in {TASK1_NAMES!r}}}\n",
              score_task1)

# ------------------------------------------------------------------------------ task 2 frame

WORKCLASSES = ["Private", "Local-gov", "State-gov", "Federal-gov", "Self-emp-inc", "Self-emp-not-inc"]
TASK2_EVALUATE = '''
import numpy as _np, pandas as _pd
def frame(case):
    df = _pd.DataFrame(case["rows"], index=case["index"])[case["columns"]]
    given, kind = case["predictions"], case["passed_as"]
    predictions = (_np.array(given) if kind == "array" else _pd.Series(given) if kind == "series"
                   else list(given))
    if "make_baseline_frame" not in globals():
        return {"missing": "make_baseline_frame"}
    try:
        out = globals()["make_baseline_frame"](df.copy(), predictions)
    except Exception as error:
        return raised(error)
    if not isinstance(out, _pd.DataFrame):
        return {"value": {"type": type(out).__name__}}
    return {"value": {"type": "DataFrame", "columns": jsonable(list(out.columns)),
                      "index": attempt(lambda: out.index.tolist()),
                      "prediction": attempt(lambda: out["prediction"].to_numpy(dtype=float).tolist()),
                      "age": attempt(lambda: out["age"].tolist())}}
return {"results": [frame(case) for case in INPUTS["cases"]]}
'''


def person(age: int, workclass: str, hours: int) -> dict:
    """One applicant (the same fields the test cell's ``_person`` gives)."""
    return {"age": age, "workclass": workclass, "education": "Bachelors", "education_num": 13,
            "marital_status": "Never-married", "occupation": "Adm-clerical",
            "relationship": "Not-in-family", "race": "White", "sex": "Male", "capital_gain": 0,
            "capital_loss": 0, "hours_per_week": hours, "native_country": "United-States"}


def _people(rng, n: int) -> list[dict]:
    return [person(rng.randint(18, 75), rng.choice(WORKCLASSES), rng.randint(10, 70)) for _ in range(n)]


def _case(rows, index, columns, predictions, passed_as, label) -> dict:
    return {"rows": rows, "index": index, "columns": columns, "predictions": predictions,
            "passed_as": passed_as, "label": label}


def task2_inputs(rng) -> dict:
    """Visible: two rows with a label column. Hidden: three rows, columns reversed with label,
    fnlwgt and income, index k..k+2, predictions an array; three rows indexed by unsorted labels
    outside 0..2, predictions a Series indexed 0, 1, 2; two rows with the label first,
    predictions a list."""
    from monitorlab.serving.data import FEATURES

    visible = [dict(person(30, "Private", 40), label=0), dict(person(41, "Local-gov", 35), label=1)]
    cases = [_case(visible, [0, 1], FEATURES + ["label"], [0.3, 0.8], "array",
                   "two rows with a label column")]
    rows = [dict(p, label=rng.randint(0, 1), fnlwgt=rng.randint(10_000, 500_000),
                 income=rng.choice(["<=50K", ">50K"])) for p in _people(rng, 3)]
    start = rng.randint(5, 50)
    cases.append(_case(rows, [start, start + 1, start + 2],
                       list(reversed(FEATURES + ["label", "fnlwgt", "income"])),
                       _predictions(rng, 3), "array", "columns in reverse order, with label, fnlwgt and income"))
    index = rng.sample(range(5, 200), 3)
    while index == sorted(index):
        rng.shuffle(index)
    cases.append(_case(_people(rng, 3), index, FEATURES, _predictions(rng, 3), "series",
                       f"index {', '.join(map(str, index))} and predictions as a Series indexed 0, 1, 2"))
    rows = [dict(p, label=rng.randint(0, 1)) for p in _people(rng, 2)]
    cases.append(_case(rows, [0, 1], ["label"] + FEATURES, _predictions(rng, 2), "list",
                       "the label as first column, predictions as a list"))
    return {"cases": cases}


def _predictions(rng, n: int) -> list[float]:
    return [round(rng.uniform(0.01, 0.99), 2) for _ in range(n)]


def expected_frame(case: dict):
    """The engine's dataset to baseline for one case (``monitor.baseline_frame``)."""
    import numpy as np
    import pandas as pd

    from monitorlab.monitoring.monitor import baseline_frame
    from monitorlab.serving.data import FEATURES

    df = pd.DataFrame(case["rows"], index=case["index"])[case["columns"]]
    given, kind = case["predictions"], case["passed_as"]
    predictions = np.array(given) if kind == "array" else pd.Series(given) if kind == "series" else given
    return baseline_frame(df, predictions, FEATURES)


def frame_points(result: dict, case: dict, msgs: list) -> float:
    """Columns right (0.5); index 0..n-1, predictions and ages row by row (0.5)."""
    import numpy as np

    label = case["label"]
    got = answer_of(result, "make_baseline_frame", label, msgs)
    if got is FAILED:
        return 0.0
    if not isinstance(got, dict) or got.get("type") != "DataFrame":
        kind = got.get("type") if isinstance(got, dict) else type(got).__name__
        msgs.append(f"✗ {label}: return a pandas DataFrame, got {kind}")
        return 0.0
    want = expected_frame(case)
    points = 0.0
    if got["columns"] == list(want.columns):
        points += 0.5
    else:
        msgs.append(f"✗ {label}: columns are {got['columns']}; expected 'prediction', then FEATURES in "
                    "order, nothing else")
    predictions, ages = want["prediction"].astype(float).tolist(), want["age"].tolist()
    try:
        same = (value_of(got["index"]) == list(range(len(ages)))
                and bool(np.allclose(np.asarray(value_of(got["prediction"]), dtype=float), predictions))
                and value_of(got["age"]) == ages)
    except Exception:
        same = False
    if same:
        points += 0.5
    else:
        msgs.append(f"✗ {label}: expected index 0..n-1, prediction {predictions} and age {ages}: "
                    "prediction i belongs to row i of df by position, whatever the index labels")
    return points


def score_cases(points_for):
    """A scorer adding ``points_for(result, case, msgs)`` over the cases (0 if not written yet)."""
    def score(values: dict, inputs: dict) -> tuple[float, list[str]]:
        msgs, total = [], 0.0
        try:
            for result, case in zip(values["results"], inputs["cases"]):
                total += points_for(result, case, msgs)
        except NotWritten as exc:
            return 0.0, [str(exc)]
        return total, msgs
    return score


#: Visible: one frame (1). Hidden: three drawn frames (1 each).
score_task2 = score_cases(frame_points)


TASK2 = Check("task2-frame-tests", 4, TASK2_EVALUATE, score_task2, task2_inputs,
              forbid=(("task2-frame-answer", ("baseline_frame", "monitoring_frame")),))

# ------------------------------------------------------------------------------ task 3 profile

TASK3_EVALUATE = '''
import numpy as _np, pandas as _pd
def given(case):
    values = [float("nan") if v == "nan" else v for v in case["values"]]
    if case["passed_as"] == "array":
        return _np.array([_np.nan if v is None else v for v in values], dtype=float)
    if case["passed_as"] == "series":
        return _pd.Series([_np.nan if v is None else v for v in values], dtype=float)
    return values
return {"results": [call("numeric_profile", given(case)) for case in INPUTS["cases"]]}
'''
STEPS = [0.5, 1.0, 1.5, 2.0, 2.5, 4.0, 5.0]


def _on_grid(rng, low: float, step: float, inner: int, between: int) -> list[float]:
    """min, max (= min + 10 steps), ``inner`` values on inner bucket edges, ``between`` values
    half-way inside buckets. Every value a multiple of step / 2, so every edge is exact."""
    values = [low, low + 10 * step]
    values += [low + step * j for j in rng.sample(range(1, 10), inner)]
    values += [low + step * (rng.randint(0, 9) + 0.5) for _ in range(between)]
    rng.shuffle(values)
    return values


def task3_inputs(rng) -> dict:
    """Visible: 1..10. Hidden, each with values on inner bucket edges: a list of whole numbers
    with one None and one NaN; a numpy array with repeated values; a pandas Series of negative
    and positive numbers with one NaN; a 50-value array on a grid of edges."""
    whole = [int(v) for v in _on_grid(rng, rng.randint(0, 10), rng.randint(1, 5), 2, 0)]
    whole += [rng.randint(min(whole), max(whole)) for _ in range(2)]
    for marker in (None, "nan"):
        whole.insert(rng.randint(0, len(whole)), marker)
    repeated = _on_grid(rng, float(rng.randint(0, 20)), rng.choice(STEPS), 3, 2)
    repeated += rng.sample(repeated, 3)
    rng.shuffle(repeated)
    signed = _on_grid(rng, -rng.randint(1, 10) * 0.5, rng.choice(STEPS[:4]), 2, 2)
    signed.insert(rng.randint(0, len(signed)), "nan")
    step, low = rng.choice(STEPS), float(rng.randint(-5, 5))
    grid = [low + step * rng.randint(0, 10) for _ in range(48)] + [low, low + 10 * step]
    rng.shuffle(grid)
    return {"cases": [
        {"values": list(range(1, 11)), "passed_as": "list", "label": "numeric_profile(list(range(1, 11)))"},
        {"values": whole, "passed_as": "list", "label": "hidden input 1 (a list with None and NaN)"},
        {"values": repeated, "passed_as": "array", "label": "hidden input 2 (an array with repeats)"},
        {"values": signed, "passed_as": "series", "label": "hidden input 3 (a Series with NaN)"},
        {"values": grid, "passed_as": "array", "label": "hidden input 4 (50 values on bucket edges)"}]}


def expected_profile(values: list) -> tuple:
    """``(num_present, num_missing, mean, std_dev, min, max, [(lower, upper, count)])`` by the engine."""
    import numpy as np

    from monitorlab.monitoring.baseline import numerical_statistics

    array = np.array([np.nan if v is None or v == "nan" else v for v in values], dtype=float)
    block = numerical_statistics(array[np.isfinite(array)], array.size)
    buckets = [(b["lower_bound"], b["upper_bound"], b["count"])
               for b in block["distribution"]["kll"]["buckets"]]
    return (block["common"]["num_present"], block["common"]["num_missing"], block["mean"],
            block["std_dev"], block["min"], block["max"], buckets)


def _close(value, expected: float) -> bool:
    """``math.isclose(float(value), expected, rel_tol=1e-9, abs_tol=1e-12)``."""
    number = as_float(value)
    return number is not None and math.isclose(number, expected, rel_tol=1e-9, abs_tol=1e-12)


def profile_points(result: dict, case: dict, msgs: list) -> float:
    """Statistics right (0.5), buckets right (0.5)."""
    label = case["label"]
    got = answer_of(result, "numeric_profile", label, msgs)
    if got is FAILED:
        return 0.0
    if not isinstance(got, dict) or is_obj(got):
        msgs.append(f"✗ {label}: return a dict, got {got.get('__obj__') if is_obj(got) else type(got).__name__}")
        return 0.0
    present, missing, mean, std, low, high, buckets = expected_profile(case["values"])
    wanted = {"num_present": present, "num_missing": missing, "mean": mean, "std_dev": std,
              "min": low, "max": high}
    points = 0.0
    wrong = [key for key, value in wanted.items() if not _close(got.get(key), value)]
    if not wrong:
        points += 0.5
    else:
        hint = ""
        if "std_dev" in wrong and _close(got.get("std_dev"), std * math.sqrt(present / (present - 1))):
            hint = " (your std_dev is the sample one, ddof=1; Model Monitor divides by n: np.std, ddof=0)"
        msgs.append(f"✗ {label}: wrong {wrong}{hint}; expected {wanted}")
    got_buckets = got.get("buckets")
    try:
        ok = isinstance(got_buckets, list) and len(got_buckets) == 10 and all(
            _close(g["lower_bound"], lo) and _close(g["upper_bound"], hi) and _close(g["count"], n)
            for g, (lo, hi, n) in zip(got_buckets, buckets))
    except Exception:
        ok = False
    if ok:
        points += 0.5
    else:
        msgs.append(f"✗ {label}: buckets should count {[n for _, _, n in buckets]} between edges "
                    f"{[buckets[0][0]] + [hi for _, hi, _ in buckets]} ([lower, upper), the last one "
                    "also takes max)")
    return points


#: Visible: 1..10 (0.5 + 0.5). Hidden: four drawn inputs (0.5 + 0.5 each).
score_task3 = score_cases(profile_points)


TASK3 = Check("task3-profile-tests", 5, TASK3_EVALUATE, score_task3, task3_inputs,
              forbid=(("task3-profile-answer", ("numerical_statistics", "equal_width_buckets",
                                                "compute_statistics", "feature_statistics",
                                                "suggest_baseline", "_bucket_index")),))

# ------------------------------------------------------------------------------ task 4 config

WINDOW_ROWS, LOWEST_ACCEPTED, SIGMAS_BELOW = 200, 0.80, 2.0
INCOMPLETE = ("workclass", "occupation", "native_country")


def window_requests():
    """The lab's 00:00-01:00 hour (its ``task4-window`` cell): ordinary traffic, seed 5, about
    8 % of the known workclasses replaced by Gig-economy."""
    import numpy as np

    from monitorlab.serving.scenarios import generate_traffic

    requests = generate_traffic("none", hours=1, seed=5).requests
    workclass = requests["workclass"].astype(object)
    workclass[(np.random.default_rng(5).random(len(requests)) < 0.08) & workclass.notna().to_numpy()] = "Gig-economy"
    requests["workclass"] = workclass.astype("category")
    return requests


@functools.lru_cache(maxsize=1)
def production() -> tuple[dict, dict, object]:
    """The production baseline (statistics, constraints) and the hour's monitoring table, built by
    the engine as the lab's set-up builds them (the course model's outputs first, then FEATURES).
    The hour is not replayed through the endpoint: its requests are taken as generated and its
    outputs as the endpoint writes them (``format_predictions``, 12 significant digits), which
    gives the captured table (the tests compare it with the lab's ``WINDOW_TABLE``)."""
    from monitorlab.monitoring import baseline, monitor
    from monitorlab.serving import data, model
    from monitorlab.serving.endpoint import format_predictions

    train = data.load_adult("train")
    course_model = model.course_model()
    statistics, constraints = baseline.suggest_baseline(
        monitor.baseline_frame(train, model.predict_proba(course_model, train), data.FEATURES))
    requests = window_requests()
    frame = requests[data.FEATURES].reset_index(drop=True)
    body, _ = format_predictions(model.predict_proba(course_model, requests), "text/csv")
    frame.insert(0, "prediction", [float(line) for line in body.decode().split("\n")])
    return statistics, constraints, monitor.monitoring_frame(frame, statistics, data.FEATURES)


def task4_expected() -> dict:
    """What task 4 compares with, from the production baseline: the accepted completeness bounds
    (0.80 up to p - 2 sqrt(p (1 - p) / 200)), workclass's domains, the suggested config, and each
    feature's type, non-negative flag and domains; the complete features."""
    statistics, constraints, _ = production()
    items = statistics["dataset"]["item_count"]
    observed = {f["name"]: (f.get("numerical_statistics") or f.get("string_statistics"))["common"]["num_present"]
                / items for f in statistics["features"]}
    bounds = {name: (LOWEST_ACCEPTED, observed[name] - SIGMAS_BELOW * math.sqrt(
        observed[name] * (1 - observed[name]) / WINDOW_ROWS)) for name in INCOMPLETE}
    rest = {f["name"]: [f["inferred_type"], f.get("num_constraints"),
                        _sorted((f.get("string_constraints") or {}).get("domains"))]
            for f in constraints["features"]}
    by_name = {f["name"]: f for f in constraints["features"]}
    return {"bounds": bounds, "workclass_domains": by_name["workclass"]["string_constraints"]["domains"],
            "monitoring_config": constraints["monitoring_config"], "rest": rest,
            "complete": sorted(name for name, p in observed.items() if p == 1.0)}


def _sorted(domains):
    """Domains as a sorted list (None stays None; anything unsortable never matches)."""
    if domains is None:
        return None
    try:
        return sorted(domains) if isinstance(domains, list) else "not a list of strings"
    except TypeError:
        return "not a list of strings"


def plain(value):
    """A value as sent by the kernel with numpy float64s (a float subclass) back as floats."""
    if is_obj(value):
        return value["float"] if value.get("__obj__") == "float64" and "float" in value else value
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def visible_task4(fixed: dict, msgs: list) -> float:
    """1 if the constraints are valid and this hour passes them (evaluated here, by the engine)."""
    from monitorlab.monitoring import baseline, dataquality

    statistics, _, window = production()
    try:
        baseline.validate_constraints(copy.deepcopy(fixed))
        left = dataquality.evaluate(window.copy(), copy.deepcopy(statistics), copy.deepcopy(fixed))["violations"]
    except Exception as error:
        msgs.append(f"✗ these constraints cannot be used: {error}")
        return 0.0
    if left:
        msgs.append(f"✗ this hour still alerts: "
                    f"{sorted((v['feature_name'], v['constraint_check_type']) for v in left)}")
        return 0.0
    return 1.0


def score_task4(values: dict, inputs: dict) -> tuple[float, list[str]]:
    """Visible: valid, this hour passes (1). Hidden: workclass domain (1), the three bounds (1);
    once one false alarm is fixed, monitoring_config unchanged (1), the rest unchanged (1)."""
    fixed = plain(values["fixed"].get("value"))
    msgs, score = [], 0.0
    if not isinstance(fixed, dict) or is_obj(fixed):
        msgs.append("✗ FIXED_CONSTRAINTS is not a dict yet: start from copy.deepcopy(TIGHT_CONSTRAINTS) "
                    "and edit it")
        fixed = {}
    else:
        score += visible_task4(fixed, msgs)
    say = msgs.append if fixed else (lambda text: None)  # nothing answered: one message is enough
    want = task4_expected()
    listed = fixed.get("features") if isinstance(fixed.get("features"), list) else []
    features = {f.get("name"): f for f in listed if isinstance(f, dict) and not is_obj(f)}
    fixes = 0
    domains = _block(_block(features.get("workclass")).get("string_constraints")).get("domains")
    if isinstance(domains, list) and "Gig-economy" in domains and set(want["workclass_domains"]) <= {
            d for d in domains if isinstance(d, str)}:
        score, fixes = score + 1.0, fixes + 1
    else:
        say("✗ workclass: add 'Gig-economy' to its string_constraints.domains and keep the other values "
            "(any other unseen workclass must still alert)")
    bad = []
    for name, (low, high) in want["bounds"].items():
        value = _block(features.get(name)).get("completeness")
        if not (type(value) in (int, float) and low <= value <= high):
            bad.append(f"{name} is {shown(value)}, accepted {low} to {high:.4f}")
    if not bad:
        score, fixes = score + 1.0, fixes + 1
    else:
        say("✗ completeness: " + "; ".join(bad) + ". A bound that normal 200-row hours pass: "
            "baseline.suggested_completeness(p, window_rows=200), p = num_present / item_count")
    if fixes:
        score += _kept(fixed, features, want, msgs)
    elif fixed:
        msgs.append("✗ neither false alarm is fixed yet, so keeping the rest intact earns nothing")
    return score, msgs


def _block(value) -> dict:
    """``value`` if it is a plain dict, else an empty one."""
    return value if isinstance(value, dict) and not is_obj(value) else {}


def _kept(fixed: dict, features: dict, want: dict, msgs: list) -> float:
    """monitoring_config as suggested (1); every other constraint as it was (1)."""
    points = 0.0
    if fixed.get("monitoring_config") == want["monitoring_config"]:
        points += 1.0
    else:
        msgs.append("✗ monitoring_config was changed: keep it as suggested (a global switch or threshold "
                    "silences every feature, not just the false alarm)")
    changed = sorted(set(want["rest"]) ^ set(features))
    for name, (kind, numeric, domains) in want["rest"].items():
        feature = features.get(name)
        if feature is None:
            continue
        strings = _block(feature.get("string_constraints"))
        if (feature.get("inferred_type") != kind or feature.get("num_constraints") != numeric
                or (name != "workclass" and _sorted(strings.get("domains")) != domains)
                or (name in want["complete"] and feature.get("completeness") != 1.0)
                or any(key in feature for key in ("monitoringConfigOverrides", "monitoring_config_overrides"))
                or "monitoring_config_overrides" in strings):
            changed.append(name)
    if not changed:
        points += 1.0
    else:
        msgs.append(f"✗ changed beyond the two fixes: {changed} (types, non-negative flags, other domains, "
                    "complete columns' 1.0 and overrides must stay as they were)")
    return points


TASK4 = Check("task4-config-tests", 5, 'return {"fixed": get("FIXED_CONSTRAINTS")}\n', score_task4)

# ------------------------------------------------------------------------------ task 5 exam

TASK5 = choices_check("task5-exam-tests", {
    "ORDER": ("B", "baseline first, from the training data; then the schedule that uses it"),
    "NO_BASELINE": ("D", "the API accepts a schedule without a baseline; without constraints it cannot "
                         "report violations"),
    "RETRAIN": ("A", "a new model needs a new baseline: re-baseline from its training data and update "
                     "the schedule"),
    "DRIFT_MONITOR": ("C", "input drift without labels is data quality; model quality needs ground truth"),
    "PIPELINE": ("B", "register_new_baseline=True makes the freshly computed baseline the model's "
                      "DriftCheckBaselines"),
})

# ------------------------------------------------------------------------------ task 6 report

TASK6 = choices_check("task6-tests", {
    "WHY_TYPE": ("B", "the setup baselined the label (0/1, Integral) where live rows carry probabilities "
                      "(Fractional)"),
    "DRIFT_MEANING": ("C", "labels against probabilities differ every hour: the drift is an artefact of "
                           "the baseline"),
    "FIX": ("D", "fix the baseline, not the thresholds: model outputs first, then point the schedule at it"),
})

CHECKS = [TASK1, TASK2, TASK3, TASK4, TASK5, TASK6]
