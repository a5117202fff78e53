"""Typical wrong answers to lab 02 (Baselines), each on top of the solution, with its exact score.

The lab is worth 27 points: task 1 read 5, task 2 frame 4, task 3 profile 5, task 4 config 5,
task 5 exam 5, task 6 interpretation 3.
"""

from grader.cases import Case

_READ = '''extract_statistics, extract_constraints = baseline.read_baseline(s3, EXTRACT_URI)
features = {f["name"]: f for f in extract_statistics["features"]}
MISSING_EDUCATION_NUM = features["education_num"]["numerical_statistics"]["common"]["num_present"]
EDUCATION_NUM_TYPE = "Integral"
AGE_45_BUCKET_COUNT = next(b["count"] for b in features["age"]["numerical_statistics"]["distribution"]["kll"]["buckets"]
                           if b["lower_bound"] <= 45 < b["upper_bound"])
MARRIED_COUNT = next(b["count"] for b in features["marital_status"]["string_statistics"]["distribution"]["categorical"]["buckets"]
                     if b["value"] == "Married-civ-spouse")
_occupation = features["occupation"]["string_statistics"]["common"]
OCCUPATION_COMPLETENESS = %s
'''

_FRAME = '''def make_baseline_frame(df, predictions):
%s
'''

_PROFILE = '''def numeric_profile(values):
    array = np.array([np.nan if value is None else value for value in values], dtype=float)
    present = array[np.isfinite(array)]
    low, high = float(present.min()), float(present.max())
%s
    return {"num_present": int(present.size), "num_missing": int(array.size - present.size),
            "mean": float(present.mean()), "std_dev": float(present.std(ddof=%d)), "min": low, "max": high,
            "buckets": [{"lower_bound": edges[i], "upper_bound": edges[i + 1], "count": int(counts[i])}
                        for i in range(10)]}
'''
_LEFT_CLOSED = '''    edges = [low + (high - low) * i / 10 for i in range(11)]
    counts = np.bincount(np.minimum(np.searchsorted(edges, present, side="right") - 1, 9), minlength=10)'''
_RIGHT_CLOSED = '''    edges = [low + (high - low) * i / 10 for i in range(11)]
    counts = np.bincount(np.maximum(np.searchsorted(edges, present, side="left") - 1, 0), minlength=10)'''

_CONFIG = '''FIXED_CONSTRAINTS = copy.deepcopy(TIGHT_CONSTRAINTS)
_present = {f["name"]: (f.get("numerical_statistics") or f.get("string_statistics"))["common"]["num_present"]
            for f in STATISTICS["features"]}
for _feature in FIXED_CONSTRAINTS["features"]:
    _p = _present[_feature["name"]] / STATISTICS["dataset"]["item_count"]
%s
'''
_BOUND_200 = '''    if _p < 1.0:
        _feature["completeness"] = baseline.suggested_completeness(_p, window_rows=200)'''
_ADD_DOMAIN = '''    if _feature["name"] == "workclass":
        _feature["string_constraints"]["domains"].append("Gig-economy")'''

_EXAM = 'ORDER = "%s"\nNO_BASELINE = "%s"\nRETRAIN = "%s"\nDRIFT_MONITOR = "%s"\nPIPELINE = "%s"\n'

CASES = [
    Case("task1_present_and_integral",
         {"task1-read-answer": _READ % '_occupation["num_present"] / extract_statistics["dataset"]["item_count"]'},
         expected_score=24.0,
         note="reads num_present for the missing count, assumes Integral for a column with NaN, and "
              "gives the observed occupation fraction instead of the constraint: -3"),
    Case("task2_prediction_last",
         {"task2-frame-answer": _FRAME % '''    features = df[FEATURES].reset_index(drop=True)
    return pd.concat([features, pd.Series(np.asarray(predictions, dtype=float), name="prediction")], axis=1)'''},
         expected_score=25.0,
         note="the output as the last column: every column check fails (4 x -0.5), the values are right"),
    Case("task2_aligned_by_index",
         {"task2-frame-answer": _FRAME % '''    out = df[FEATURES].copy()
    out.insert(0, "prediction", predictions)
    return out.reset_index(drop=True)'''},
         expected_score=26.5,
         note="inserts a Series of predictions by index label: the frame indexed 100, 7, 42 gets NaN "
              "predictions (-0.5)"),
    Case("task3_sample_std",
         {"task3-profile-answer": _PROFILE % (_LEFT_CLOSED, 1)},
         expected_score=24.5,
         note="std_dev with ddof=1 (pandas' default): the statistics part of all five inputs fails, -2.5"),
    Case("task3_right_closed_buckets",
         {"task3-profile-answer": _PROFILE % (_RIGHT_CLOSED, 0)},
         expected_score=25.0,
         note="buckets (lower, upper] instead of [lower, upper): the four hidden inputs have values on "
              "inner edges, -2; the visible 1..10 has none"),
    Case("task4_disable_everything",
         {"task4-config-answer": 'FIXED_CONSTRAINTS = copy.deepcopy(TIGHT_CONSTRAINTS)\n'
                                 'FIXED_CONSTRAINTS["monitoring_config"]["evaluate_constraints"] = "Disabled"\n'},
         expected_score=23.0,
         note="switches every check off: the hour passes (visible +1), but neither false alarm is "
              "fixed and nothing else earns: -4"),
    Case("task4_domain_threshold_zero",
         {"task4-config-answer": _CONFIG % _BOUND_200
          + 'FIXED_CONSTRAINTS["monitoring_config"]["domain_content_threshold"] = 0.0\n'},
         expected_score=25.0,
         note="silences categorical_values_check for every feature instead of adding Gig-economy: "
              "domain -1, monitoring_config -1"),
    Case("task4_workclass_override",
         {"task4-config-answer": _CONFIG % _BOUND_200
          + 'next(f for f in FIXED_CONSTRAINTS["features"] if f["name"] == "workclass")'
            '["monitoringConfigOverrides"] = {"domain_content_threshold": 0.9}\n'},
         expected_score=24.0,
         note="a per-feature override letting 10 % unseen values through: this hour has 10.2 %, so it "
              "still alerts (-1), Gig-economy is not in the domain (-1), the override counts as a change (-1)"),
    Case("task4_completeness_zero",
         {"task4-config-answer": _CONFIG % (_ADD_DOMAIN + '''
    if _p < 1.0:
        _feature["completeness"] = 0.0''')},
         expected_score=26.0,
         note="completeness 0.0 stops the false alarm and every real one too (below 0.80): -1"),
    Case("task4_remove_workclass_domains",
         {"task4-config-answer": _CONFIG % (_BOUND_200 + '''
    if _feature["name"] == "workclass":
        del _feature["string_constraints"]''')},
         expected_score=26.0,
         note="deletes workclass's domains: any unseen value now passes: -1"),
    Case("task5_all_b", {"task5-exam-answer": _EXAM % ("B", "B", "B", "B", "B")},
         expected_score=24.0,
         note="the same letter everywhere: ORDER and PIPELINE are right, -3"),
    Case("task6_blame_production",
         {"task6-answer": 'WHY_TYPE = "B"\nDRIFT_MEANING = "A"\nFIX = "A"\n'},
         expected_score=25.0,
         note="reads the type message right, then calls the artefact real drift and lowers the "
              "threshold: -2"),
]
