"""Typical wrong answers to lab 07 (attribution drift), each on top of the solution, with its exact score.

The lab is worth 26 points: task 1 NDCG 6, task 2 aggregation 4, task 3 drifted windows 3,
task 4 reports 4, task 5 config 4, task 6 exam 5.
"""

from grader.cases import Case

_NDCG = '''def dcg(baseline, live):
    order = sorted(live, key=live.get, reverse=True)
    return float(sum(%s[f] / math.log2(i + 1) for i, f in enumerate(order, start=1)))


def ndcg(baseline, live):
%s
'''

_NORMALISED = '''    ideal = dcg(baseline, baseline)
    if ideal == 0:
        raise ValueError("every baseline attribution is 0")
    return dcg(baseline, live) / ideal'''

_AGGREGATE = '''def global_attributions(phi, features, agg_method="mean_abs"):
    values = np.asarray(phi, dtype=float)
    if agg_method == "mean_abs":
        result = np.abs(values).mean(axis=0)
    elif agg_method == "median":
        result = %s
    elif agg_method == "mean_sq":
        result = (values ** 2).mean(axis=0)
    else:
        raise ValueError("agg_method must be mean_abs, median or mean_sq")
    return {feature: float(value) for feature, value in zip(features, result)}
'''

_CONFIG = '''ANALYSIS_CONFIG = {
    "version": "1.0",
    "headers": ["amount", "merchant_category", "hour_of_day", "distance_from_home", "card_present"],
    "methods": {"shap": {"baseline": "s3://fraud-ml-artifacts/clarify/shap-background.csv",
                         "num_samples": 500, "agg_method": "median", "use_logit": %s,
                         "save_local_shap_values": True}},
}
MONITORING_TYPE = "ModelExplainability"
SCHEDULE_EXPRESSION = %r
'''

_REPORT = '''FIRST_FLAGGED = %r
RISEN_FEATURE = %r
QUIET_CHANGE = %r
ACTION = "C"
'''

CASES = [
    Case("ndcg_gains_from_live",
         {"task1-ndcg-answer": _NDCG % ("live", _NORMALISED)},
         expected_score=20.75,
         note="DCG sums the LIVE values instead of the baseline gains: every DCG and NDCG check fails; "
              "only the all-zero baseline still raises (task 1: 0.75 of 6)"),
    Case("ndcg_not_normalised",
         {"task1-ndcg-answer": _NDCG % ("baseline", "    return dcg(baseline, live)")},
         expected_score=22.0,
         note="DCG right, but ndcg returns it without dividing by iDCG: DCG checks pass (2 of 6), "
              "every NDCG check and the all-zero baseline fail"),
    Case("median_of_absolute_values",
         {"task2-aggregate-answer": _AGGREGATE % "np.median(np.abs(values), axis=0)"},
         expected_score=25.0,
         note="Clarify's median is of the signed values: visible (-0.25) and hidden (-0.75) median fail"),
    Case("flags_at_the_threshold",
         {"task3-windows-answer": "def drifted_windows(ndcg_by_window, threshold=0.9):\n"
                                  "    return sorted(n for n, s in ndcg_by_window.items() if s <= threshold)\n"},
         expected_score=25.0,
         note="<= instead of <: NDCG exactly 0.9 is not a violation (-1)"),
    Case("window_start_not_scheduled_time",
         {"task4-report-answer": _REPORT % ("2026-01-05T05:00:00Z", "education_num", "native_country")},
         expected_score=25.0,
         note="gives the start of the first bad window (05:00) instead of the execution's ScheduledTime "
              "(06:00), which analyses the hour before it: -1"),
    Case("use_logit_false",
         {"task5-config-answer": _CONFIG % ("False", "cron(0 0/6 ? * * *)")},
         expected_score=25.5,
         note="use_logit false explains the probability, not log-odds: -0.5"),
    Case("exam_all_b",
         {"task6-exam-answer": 'WHICH_SERVICE = "B"\nNDCG_MEANING = "B"\nDATA_VS_ATTRIBUTION = "B"\n'
                               'AFTER_RETRAIN = "B"\nKERNEL_VS_TREE = "B"\n'},
         expected_score=22.0,
         note="the same letter everywhere: only 6a is right, -4"),
]
