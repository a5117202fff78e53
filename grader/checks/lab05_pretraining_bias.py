"""Trusted checks of lab 05 (pre-training bias): 36 points, scored outside the learner's kernel.

task1 facet d 4, task2 CI/DPL/divide 6, task3 CDDL 4, task4 analysis.json 5, task5
analysis_config 5, task6 figure 3, task7 remedies 4, task8 exam 5. The code tasks' hidden data
sets are drawn for each grading run (``inputs``) with the old literals' structure, and their
expected values computed here by the engine (``monitorlab.stats.bias``: ``select``,
``pretraining_metrics``, ``divide``). Tasks 4-8 keep literals read from the lab's deterministic
set-up (``tests/test_lab05_pretraining_bias.py`` keeps them equal to what the engine produces).
"""

import math

from grader.trusted import Check, Failed, as_float, as_text, choices_check, is_obj
from grader.trusted import letter, shown, value_of

FACET_ENGINE = ("monitorlab", "uses_threshold", "pretraining_metrics", "bias_report")
METRIC_ENGINE = ("monitorlab", "pretraining_metrics", "bias_report", "analysis_json",
                 "difference_in_positive_proportions", "conditional_demographic_disparity")

# ------------------------------------------------------------------------------ task 1 facet d

TASK1_VISIBLE = [[["Male", "Female", "Female", "Male"], ["Female"], "list", "sex ['Female']",
                  "a text value selects the rows equal to it"],
                 [[25, 40, 41, 60], [40], "list", "age [40]",
                  "one number is a threshold: value > 40, and 40 itself is in facet a"]]
TASK1_EVALUATE = '''
import pandas as _pd
def facet(values, chosen, passed_as):
    if "facet_d" not in globals():
        return {"missing": "facet_d"}
    column = _pd.Series(values) if passed_as == "series" else values
    return attempt(lambda: [bool(x) for x in globals()["facet_d"](column, list(chosen))])
return {"visible": [facet(v, c, p) for v, c, p, *_ in INPUTS["visible"]],
        "hidden": [facet(v, c, p) for v, c, p, *_ in INPUTS["hidden"]]}
'''


def task1_inputs(rng) -> dict:
    """Four columns: a decimal threshold the column holds; an age band (six numbers) with values
    at its start and above its end; several race values (passed as a Series); a negative
    threshold the column holds. Every column has more than two values (no 0/1 special case)."""
    t = float(rng.randint(25, 60))
    decimal = [t - 1.5, t, t + 0.5, t + rng.randint(5, 20), float(rng.randint(1, int(t) - 10))]
    low = rng.randint(25, 50)
    band = list(range(low, low + 6))
    ages = [low - 1, low, low + 3, low + 5, low + 6, low + rng.randint(8, 15)]
    races = ["White", "Black", "Asian-Pac-Islander", "Amer-Indian-Eskimo", "Other"]
    chosen = rng.sample(races[1:], 2)
    people = [rng.choice(races) for _ in range(4)] + races[:2] + chosen
    negative = -rng.randint(2, 9)
    temps = [negative - rng.randint(1, 5), negative, 0, rng.randint(1, 9)]
    for column in (decimal, ages, people, temps):
        rng.shuffle(column)
    return {"visible": TASK1_VISIBLE, "hidden": [
        [decimal, [t], "list", f"hours [{t}]", f"one number is a threshold, decimals too: value > {t}"],
        [ages, band, "list", f"age band [{low}..{low + 5}]",
         "several numbers are values, not a threshold: the rows equal to one of them"],
        [people, chosen, "series", f"race {chosen} (a Series)", "several values: the rows in the list"],
        [temps, [negative], "list", f"temperature [{negative}]",
         f"a negative threshold works like any other: value > {negative}"]]}


def expected_facet(values: list, chosen: list) -> list[bool]:
    """The engine's facet d rows (``bias.select``)."""
    import pandas as pd

    from monitorlab.stats.bias import select

    return [bool(x) for x in select(pd.Series(values), chosen).mask]


def score_task1(values: dict, inputs: dict) -> tuple[float, list[str]]:
    """Visible: two columns (0.5 each). Hidden: four drawn columns (0.75 each)."""
    msgs, score = [], 0.0
    cases = [(r, c, 0.5) for r, c in zip(values["visible"], inputs["visible"])]
    cases += [(r, c, 0.75) for r, c in zip(values["hidden"], inputs["hidden"])]
    for result, (column, chosen, _, label, hint), weight in cases:
        score += points_for(result, "facet_d", expected_facet(column, chosen), weight, label, hint, msgs)
    return score, msgs


def points_for(result: dict, name: str, want, weight: float, label: str, hint: str, msgs: list,
               same=lambda got, want: got == want) -> float:
    """``weight`` if the learner's ``name`` returned a value ``same`` as ``want``, else 0 and a message."""
    try:
        got = value_of(result)
    except Failed as exc:
        msgs.append(f"✗ {label}: {name} {exc}")
        return 0.0
    if same(got, want):
        return weight
    msgs.append(f"✗ {label}: got {shown(got)}, expected {want!r} ({hint})")
    return 0.0

TASK1 = Check("task1-facet-tests", 4, TASK1_EVALUATE, score_task1, task1_inputs,
              forbid=(("task1-facet-answer", FACET_ENGINE),))

# ------------------------------------------------------------------------------ task 2 metrics

ORACLE_IS_D = [False] * 7 + [True] * 5          # sex: 7 M (facet a), 5 F (facet d); smclarify 0.5
ORACLE_POSITIVE = [v == 1 for v in [1, 1, 1, 0, 1, 0, 1, 0, 1, 0, 0, 1]]
ORACLE_ZIP = list("AABBABAABBAB")
TASK2_EVALUATE = '''
import numpy as _np
def run(name, args):
    if name not in globals():
        return {"missing": name}
    args = [_np.array(a) if isinstance(a, list) else a for a in args]
    return attempt(lambda: globals()[name](*args))
return {"results": [run(name, args) for name, args, *_ in INPUTS["cases"]]}
'''


def task2_inputs(rng) -> dict:
    """Visible: the 12-row oracle (CI, DPL), 0/0 and 1/4. Hidden: x/0 for x > 0 and x < 0; a
    facet d = age > 40 (the column holds 40, facets of unequal size); a favoured facet d larger
    than a; an empty facet d."""
    ages = [40] + [rng.randint(20, 65) for _ in range(13)]
    while sum(a > 40 for a in ages) in (0, 7, 14):
        ages = [40] + [rng.randint(20, 65) for _ in range(13)]
    rng.shuffle(ages)
    labels = [rng.random() < 0.5 for _ in ages]
    labels[0], labels[1] = True, False
    n_d, n_a = rng.randint(5, 8), rng.randint(2, 4)
    fav_d = [True] * n_d + [False] * n_a
    fav_pos = [i < n_d - 1 for i in range(n_d)] + [i == 0 for i in range(n_a)]
    empty = rng.randint(3, 8)
    is_d_ages = [a > 40 for a in ages]
    cases = [
        ["class_imbalance", [ORACLE_IS_D], 0.5, "CI, 12 rows", "(7 - 5) / 12"],
        ["dpl", [ORACLE_IS_D, ORACLE_POSITIVE], 0.5, "DPL, 12 rows", "q_a - q_d = 5/7 - 2/5"],
        ["clarify_divide", [0, 0], 0.5, "clarify_divide(0, 0)", "Clarify's rule: 0/0 is 0"],
        ["clarify_divide", [1, 4], 0.5, "clarify_divide(1, 4)", "an ordinary division"],
    ]
    plus, minus = rng.randint(1, 9), -rng.randint(1, 9)
    cases += [
        ["clarify_divide", [plus, 0], 0.5, f"clarify_divide({plus}, 0)", "x/0 is +inf when x > 0"],
        ["clarify_divide", [minus, 0], 0.5, f"clarify_divide({minus}, 0)", "x/0 is -inf when x < 0"],
        ["class_imbalance", [is_d_ages], 0.5, "CI, facet d = age > 40",
         f"facet d is the {sum(is_d_ages)} rows above 40; 40 itself is in facet a"],
        ["dpl", [is_d_ages, labels], 0.5, "DPL, facet d = age > 40", "q_a - q_d, a minus d"],
        ["class_imbalance", [fav_d], 0.5, "CI, facet d is the majority",
         "negative when facet d has more rows than facet a"],
        ["dpl", [fav_d, fav_pos], 0.5, "DPL, facet d favoured",
         "negative when facet d has the positive label more often"],
        ["class_imbalance", [[False] * empty], 0.5, "CI, empty facet d",
         "return None when a facet has no row, as Clarify reports an error"],
        ["dpl", [[False] * empty, [i % 2 == 0 for i in range(empty)]], 0.5, "DPL, empty facet d",
         "return None when a facet has no row (q_d would be 0/0)"],
    ]
    return {"cases": cases}


def engine_metric(name: str, is_d: list, is_positive=None, groups=None):
    """CI, DPL or CDDL of a facet mask as the engine computes it (None where Clarify errs)."""
    import pandas as pd

    from monitorlab.stats.bias import pretraining_metrics

    frame = pd.DataFrame({"f": ["d" if x else "a" for x in is_d],
                          "y": [int(bool(x)) for x in is_positive or [i % 2 == 0 for i in range(len(is_d))]]})
    if groups is not None:
        frame["g"] = groups
    return pretraining_metrics(frame, "y", "f", [1], ["d"], methods=[name],
                               group_variable="g" if groups is not None else None)[name]


def expected_task2(name: str, args: list):
    """What ``clarify_divide``, ``class_imbalance`` or ``dpl`` must return for ``args``."""
    from monitorlab.stats.bias import divide

    if name == "clarify_divide":
        return float(divide(*args))
    return engine_metric("CI", args[0]) if name == "class_imbalance" else engine_metric("DPL", *args)


def close(got, want) -> bool:
    """``want`` None: ``got`` is None; infinities exactly; else within 1e-9 relative, 1e-12 absolute."""
    if want is None:
        return got is None
    if got is None or isinstance(got, bool) or (isinstance(got, (list, dict)) and not is_obj(got)):
        return False
    number = as_float(got)
    if number is None:
        return False
    if math.isinf(want) or math.isinf(number):
        return number == want
    return math.isclose(number, want, rel_tol=1e-9, abs_tol=1e-12)


def score_task2(values: dict, inputs: dict) -> tuple[float, list[str]]:
    """Visible: CI, DPL, two divisions (0.5 each). Hidden: eight drawn cases (0.5 each)."""
    msgs, score = [], 0.0
    for result, (name, args, weight, label, hint) in zip(values["results"], inputs["cases"]):
        score += points_for(result, name, expected_task2(name, args), weight, label, hint, msgs, close)
    return score, msgs

TASK2 = Check("task2-metrics-tests", 6, TASK2_EVALUATE, score_task2, task2_inputs,
              forbid=(("task2-metrics-answer", METRIC_ENGINE),))

# ------------------------------------------------------------------------------ task 3 CDDL

TASK3_EVALUATE = '''
import numpy as _np
def run(is_d, is_positive, groups):
    if "cddl" not in globals():
        return {"missing": "cddl"}
    return attempt(lambda: globals()["cddl"](_np.array(is_d), _np.array(is_positive), groups))
return {"results": [run(*args) for args, *_ in INPUTS["cases"]]}
'''


def task3_inputs(rng) -> dict:
    """Visible: the oracle by zip (CDDL 1/3). Hidden: two unequal groups, one without an accepted
    row; three unequal numeric groups, one without facet d; a single group. In the first two the
    groups' DD differ, so an unweighted mean fails."""
    while True:
        sizes = rng.sample([3, 4, 5, 6], 2)
        north = [[rng.random() < 0.5, False] for _ in range(sizes[0])]
        south = [[rng.random() < 0.5, rng.random() < 0.5] for _ in range(sizes[1])]
        north[0][0], south[0][1], south[1][1] = True, True, False
        rows = north + south
        first = ([d for d, _ in rows], [p for _, p in rows], ["north"] * sizes[0] + ["south"] * sizes[1])
        counts = rng.sample([2, 3, 4], 3)
        ids = rng.sample(range(1, 10), 3)
        groups = [g for g, n in zip(ids, counts) for _ in range(n)]
        is_d = [g != ids[0] and rng.random() < 0.6 for g in groups]
        pos = [i % 2 == 0 for i in range(len(groups))]
        second = (is_d, pos, groups)
        n = rng.randint(6, 10)
        single = ([i < 3 for i in range(n)], [i in (2, 3, 4) or i > 5 for i in range(n)], ["all"] * n)
        if all(_needs_weights(case) for case in (first, second)) and _fits(second) and _fits(single):
            break
    visible = [[ORACLE_IS_D, ORACLE_POSITIVE, ORACLE_ZIP], "12 rows by zip",
               "zip A: DD = 2/2 - 0/4 = 1, zip B: DD = 1/3 - 2/3; weight each DD by its group's rows"]
    return {"cases": [visible,
                      [list(first), "group 'north' has no accepted row",
                       "its accepted share is clarify_divide(0, 0) = 0, and the group still counts "
                       f"with its {sizes[0]} rows"],
                      [list(second), f"group {ids[0]} has no row of facet d",
                       "its DD is 0 - 0; numeric group ids are groups like any other"],
                      [list(single), "a single group", "one group: CDDL is that group's DD"]]}


def _dd(is_d, is_positive, groups, group) -> tuple[int, float]:
    """A group's rows and DD (Clarify's division)."""
    from monitorlab.stats.bias import divide

    rows = [(d, p) for d, p, g in zip(is_d, is_positive, groups) if g == group]
    rejected = [d for d, p in rows if not p]
    accepted = [d for d, p in rows if p]
    return len(rows), divide(sum(rejected), len(rejected)) - divide(sum(accepted), len(accepted))


def _needs_weights(case) -> bool:
    """The weighted and the unweighted mean of the groups' DD differ clearly."""
    dds = [_dd(*case, g) for g in dict.fromkeys(case[2])]
    weighted = sum(n * dd for n, dd in dds) / len(case[2])
    return abs(weighted - sum(dd for _, dd in dds) / len(dds)) > 0.01


def _fits(case) -> bool:
    """Every group has accepted and rejected rows, and facet d has rows (no 0/0 anywhere)."""
    groups = dict.fromkeys(case[2])
    return any(case[0]) and all(
        len({p for p, g in zip(case[1], case[2]) if g == group}) == 2 for group in groups)


def score_task3(values: dict, inputs: dict) -> tuple[float, list[str]]:
    """Visible: the oracle (1). Hidden: three drawn data sets (1 each)."""
    msgs, score = [], 0.0
    for result, (args, label, hint) in zip(values["results"], inputs["cases"]):
        score += points_for(result, "cddl", engine_metric("CDDL", *args), 1.0, label, hint, msgs, close)
    return score, msgs

TASK3 = Check("task3-cddl-tests", 4, TASK3_EVALUATE, score_task3, task3_inputs,
              forbid=(("task3-cddl-answer", METRIC_ENGINE),))

# ------------------------------------------------------------------------------ task 4 report

MOST_DISADVANTAGED = "foreign_worker"  # the lab's analysis.json (tests keep these current)
FOREIGN_SHARE = 0.963
TASK4_KEY = {
    "AGE_D": ("B", "the threshold [25] selects age > 25, written (25, 75]: 25 itself is in facet a"),
    "AGE_FAVOURED": ("A", "DPL = q_a - q_d < 0 means q_d > q_a: facet d (over 25) is rated good "
                          "more often"),
    "CDDL_NULL": ("C", "read the error beside the null: CDDL needs a group_variable to group by"),
}


def score_task4(values: dict, inputs: dict) -> tuple[float, list[str]]:
    """MOST_DISADVANTAGED, FOREIGN_SHARE within 0.001, three letters: 1 point each."""
    msgs, score = [], 0.0
    most = values["MOST_DISADVANTAGED"].get("value")
    if as_text(most).strip().lower() == MOST_DISADVANTAGED:
        score += 1.0
    else:
        msgs.append(f"✗ MOST_DISADVANTAGED is {shown(most)}: look for the largest positive DPL "
                    "(a minus d): foreign workers are rated good 20 points less often than the others")
    share = values["FOREIGN_SHARE"].get("value")
    number = as_float(share) if not isinstance(share, (list, dict)) or is_obj(share) else None
    if number is not None and abs(number - FOREIGN_SHARE) <= 0.001:
        score += 1.0
    else:
        msgs.append(f"✗ FOREIGN_SHARE is {shown(share)}: CI = (n_a - n_d) / n, so n_d / n = (1 - CI) / 2")
    for name, (right, why) in TASK4_KEY.items():
        if "value" in values[name] and letter(values[name]["value"]) == right:
            score += 1.0
        else:
            msgs.append(f"✗ {name}: {why}")
    return score, msgs


TASK4 = Check("task4-report-tests", 5,
              'return {name: get(name) for name in ("MOST_DISADVANTAGED", "AGE_D", "AGE_FAVOURED", '
              '"FOREIGN_SHARE", "CDDL_NULL")}\n', score_task4)

# ------------------------------------------------------------------------------ task 5 config

ADULT_HEADERS = ["age", "workclass", "education", "marital_status", "race", "sex",
                 "hours_per_week", "income"]


def score_task5(values: dict, inputs: dict) -> tuple[float, list[str]]:
    """The engine accepts it (0.5); headers and dataset_type (0.5), label (0.5), positive value
    (0.5), race facet (1), age facet (1), group variable (0.5), methods (0.5)."""
    from monitorlab.monitoring.clarify_files import read_analysis_config

    config = values["config"].get("value")
    if not isinstance(config, dict) or is_obj(config):
        return 0.0, ["✗ ANALYSIS_CONFIG is not a dict yet: write the configuration as a dict"]
    msgs, score = [], 0.0
    try:
        read_analysis_config(config)
        score += 0.5
    except (ValueError, TypeError) as error:
        msgs.append(f"✗ read_analysis_config rejected it: {error}")
    say = msgs.append if config else (lambda text: None)
    for ok, points, message in _task5_fields(config):
        if ok:
            score += points
        else:
            say(message)
    return score, msgs


def _task5_fields(config: dict) -> list[tuple[bool, float, str]]:
    """(right, points, message) of each field the hidden part grades."""
    facets = config.get("facet") if isinstance(config.get("facet"), list) else []
    by_name: dict = {}
    for facet in facets:
        if isinstance(facet, dict) and not is_obj(facet):
            by_name.setdefault(as_text(facet.get("name_or_index")) if is_obj(facet.get("name_or_index"))
                               else facet.get("name_or_index"), []).append(facet.get("value_or_threshold"))
    age, methods = by_name.get("age"), config.get("methods")
    age_ok = (isinstance(age, list) and len(age) == 1 and isinstance(age[0], list)
              and len(age[0]) == 1 and _is_sixty(age[0][0]))
    methods_ok = (isinstance(methods, dict) and set(methods) == {"pre_training_bias"}
                  and isinstance(methods["pre_training_bias"], dict)
                  and methods["pre_training_bias"].get("methods", "all") == "all")
    return [
        (config.get("headers") == ADULT_HEADERS and config.get("dataset_type") == "text/csv", 0.5,
         "✗ headers/dataset_type: give the CSV's column names (ADULT_HEADERS) and dataset_type 'text/csv'"),
        (config.get("label") == "income", 0.5,
         f"✗ label is {shown(config.get('label'))}: the label column is 'income'"),
        (config.get("label_values_or_threshold") == [">50K"], 0.5,
         f"✗ label_values_or_threshold is {shown(config.get('label_values_or_threshold'))}: a list "
         "holding the positive value as the column writes it, ['>50K']"),
        (by_name.get("race") == [["Black"]], 1.0,
         f"✗ race facet is {shown(by_name.get('race'))}: one facet entry {{'name_or_index': 'race', "
         "'value_or_threshold': ['Black']}"),
        (age_ok, 1.0,
         f"✗ age facet is {shown(age)}: older than 60 is the threshold [60] (facet d = age > 60); "
         "[61] would leave out the 61-year-olds, [59] would take in the 60-year-olds, and '>60' or "
         "a range is not Clarify's syntax"),
        (config.get("group_variable") == "education", 0.5,
         f"✗ group_variable is {shown(config.get('group_variable'))}: CDDL groups by 'education'"),
        (methods_ok, 0.5,
         f"✗ methods is {shown(methods)}: pre-training only, all metrics: "
         "{'pre_training_bias': {'methods': 'all'}}"),
    ]


def _is_sixty(value) -> bool:
    """``float(value) == 60`` (booleans excluded), as the kernel would compute it."""
    if isinstance(value, bool) or (isinstance(value, (list, dict)) and not is_obj(value)):
        return False
    return as_float(value) == 60.0


TASK5 = Check("task5-config-tests", 5, 'return {"config": get("ANALYSIS_CONFIG")}\n', score_task5)

# ------------------------------------------------------------------------------ tasks 6-8 choices

TASK6 = choices_check("task6-figure-tests", {
    "CI_ZERO_AT": ("B", "CI = 0 when both facets are equally large: at the median amount, about 2,300 DM"),
    "READ_DPL": ("C", "DPL = q_a - q_d > 0: facet d (amount > t) has the label good less often"),
    "RIGHT_END": ("D", "when CI nears 1, facet d is a few loans and one loan moves its positive rate a lot"),
})

ROWS_TO_DROP = 1000  # keep k with k / (k + 800) = 1,600 / 8,000: k = 200 (tests recompute it)
TASK7_KEY = {
    "REMEDY_40_45": ("B", "fix the group and class that are out of line: undersample the 40-45 band's "
                          "positives; oversampling them widens the gap, undersampling all other ages "
                          "loses far more data"),
    "NO_DATA_LOSS": ("D", "any undersampling or deletion loses data; SMOTE oversamples with synthetic rows"),
    "DETECT_AND_FIX": ("A", "Clarify only measures; Data Wrangler (Balance data) or your own code rebalances"),
}
_TASK7_LETTERS = choices_check("task7-remedy-tests", TASK7_KEY)


def score_task7(values: dict, inputs: dict) -> tuple[float, list[str]]:
    """Three letters (1 each) and ROWS_TO_DROP within 0.5 of 1,000 (1)."""
    score, msgs = _TASK7_LETTERS.score(values, inputs)
    rows = values["ROWS_TO_DROP"].get("value")
    number = as_float(rows) if not isinstance(rows, (list, dict)) or is_obj(rows) else None
    if number is not None and abs(number - ROWS_TO_DROP) < 0.5:
        score += 1.0
    else:
        msgs.append(f"✗ ROWS_TO_DROP is {shown(rows)}: the others' rate is 1,600 / 8,000 = 0.2; keep "
                    "k positives with k / (k + 800 negatives) = 0.2, then drop 1,200 - k")
    return score, msgs


TASK7 = Check("task7-remedy-tests", 4, _TASK7_LETTERS.evaluate, score_task7,
              lambda rng: {"names": [*TASK7_KEY, "ROWS_TO_DROP"]})

TASK8 = choices_check("task8-exam-tests", {
    "FACET_SIZES": ("C", "CI (class imbalance) compares the facets' sizes; DPL compares their positive rates"),
    "CONFIRM_IMBALANCE": ("B", "DPL is the pre-training bias metric; MSE, SSIM and silhouette measure "
                               "regression error, image similarity and clustering quality"),
    "LIVE_BIAS": ("D", "Clarify computes once; Model Monitor's bias drift monitor schedules it and "
                       "compares with a baseline"),
    "NEGATIVE_KL": ("A", "smclarify keeps only label values present in both facets and does not renormalise"),
    "INFINITE_VALUE": ("C", "JSON has no infinity: Clarify writes the strings \"Infinity\" / \"-Infinity\""),
})

CHECKS = [TASK1, TASK2, TASK3, TASK4, TASK5, TASK6, TASK7, TASK8]
