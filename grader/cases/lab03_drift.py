"""Typical wrong answers to lab 03 (data quality and drift), each on top of the solution, with its exact score.

The lab is worth 29 points: task 1 distances 6, task 2 violations 5, task 3 threshold 4,
task 4 alarm 5, task 5 exam 6, task 6 figure 3.
"""

from grader.cases import Case

_DISTANCES = '''def ks_distance(ref, cur):
    ref, cur = np.sort(np.asarray(ref, dtype=float)), np.sort(np.asarray(cur, dtype=float))
%s    points = np.concatenate([ref, cur])
    f_ref = np.searchsorted(ref, points, side="right") / len(ref)
    f_cur = np.searchsorted(cur, points, side="right") / len(cur)
    return float(np.max(np.abs(f_ref - f_cur)))


def robust_distance(ref, cur, c_alpha=1.8):
    n, m = len(ref), len(cur)
    return %s
'''

_ALARM = '''ALARM_CONFIG = {
    "AlarmName": "adult-income-hours-drift",
    "Namespace": %r,
    "MetricName": "feature_baseline_drift_hours_per_week",
    "Dimensions": [{"Name": %r, "Value": "adult-income"}, {"Name": %r, "Value": "hourly-dq"}],
    "Statistic": "Maximum",
    "Period": 3600,
    "EvaluationPeriods": %d,
    "DatapointsToAlarm": %d,
    "Threshold": 0.15,
    "ComparisonOperator": "GreaterThanThreshold",
    "TreatMissingData": %r,
    "AlarmActions": ["arn:aws:sns:us-east-1:123456789012:drift-alerts"],
}
'''

_SOLUTION_ROBUST = "max(0.0, ks_distance(ref, cur) - c_alpha * math.sqrt((n + m) / (n * m)))"
_NO_FLOOR = "ks_distance(ref, cur) - c_alpha * math.sqrt((n + m) / (n * m))"
_COLLAPSE = "    ref, cur = np.unique(ref), np.unique(cur)  # distinct values only\n"
_ENDPOINT, _SCHEDULE = "Endpoint", "MonitoringSchedule"
_NAMESPACE = "aws/sagemaker/Endpoints/data-metrics"

CASES = [
    Case("deequ_collapse",
         {"task1-distances-answer": _DISTANCES % (_COLLAPSE, _SOLUTION_ROBUST)},
         expected_score=26.5,
         note="collapses repeated values like Deequ's rank map: Deequ's own vectors (no repeats) pass, "
              "both hidden simple pairs with repeats fail (-2.5); robust keeps the full n, m and "
              "passes, because its hidden pairs repeat every value equally often"),
    Case("robust_without_floor",
         {"task1-distances-answer": _DISTANCES % ("", _NO_FLOOR)},
         expected_score=28.0,
         note="forgets max(0, ...): the visible Deequ pair (-0.5) and the hidden pair whose "
              "correction exceeds the distance (-0.5) come out negative"),
    Case("only_drift_pairs",
         {"task2-violations-answer": 'VIOLATION_PAIRS = {("hours_per_week", "baseline_drift_check"), '
                                     '("workclass", "baseline_drift_check")}\n'
                                     'PIPELINE_BUG = "C"\nNEXT_STEP = "D"\n'},
         expected_score=27.5,
         note="lists only the drift violations: 2 of 4 pairs, -1.5 (both letters right: NEXT_STEP "
              "is D since the options were reordered, issue 14)"),
    Case("threshold_inside_the_noise",
         {"task3-threshold-answer": "_age = [record['Drift']['age'] for record in records]\n"
                                    "AGE_NOISE_MAX = max(_age[:24])\nAGE_SHIFT_MIN = min(_age[24:])\n"
                                    "AGE_OVERRIDES = {'distribution_constraints': {'comparison_threshold': 0.12}}\n"},
         expected_score=27.0,
         note="0.12 silences most clean hours but not the largest spike (0.143): -2"),
    Case("alarm_with_the_other_docs_names",
         {"task4-alarm-answer": _ALARM % ("/aws/sagemaker/Endpoints/data-metric", "EndpointName", "ScheduleName",
                                          5, 3, "notBreaching")},
         expected_score=27.0,
         note="namespace and dimensions from the other AWS page: moto accepts the alarm, but it "
              "watches a metric nobody publishes: -1 namespace, -1 dimensions"),
    Case("alarm_m_and_n_swapped",
         {"task4-alarm-answer": _ALARM % (_NAMESPACE, _ENDPOINT, _SCHEDULE, 3, 5, "missing")},
         expected_score=27.75,
         note="EvaluationPeriods 3 with DatapointsToAlarm 5 (moto accepts it; it could never alarm) "
              "and missing data left as missing: -1, -0.25"),
    Case("spikes_counted_as_alarms",
         {"task6-figure-answer": "SPIKES_DAY1 = 3\nALARMS_DAY1 = 3\nWHY_QUIET = 'A'\n"},
         expected_score=27.0,
         note="counts every datapoint above the line as an alarm, and misses M of N: -2"),
]
