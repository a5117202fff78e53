"""Typical wrong answers to lab 04 (model quality), each on top of the solution, with its score.

The lab is worth 36 points: task 1 merge 6, task 2 metrics 5, task 3 metric choice 5, task 4
constraints and alarm 6, task 5 late labels 4, task 6 diagnosis 6, task 7 exam 4.
"""

from grader.cases import Case

_MERGE = '''def merge_labels(captures, labels):
    inference_ids = captures["inferenceId"]
    has_id = %s
    keys = inference_ids.astype(str).where(has_id, captures["eventId"].astype(str))
    latest = labels.assign(eventId=labels["eventId"].astype(str)).drop_duplicates("eventId", keep=%r)
    truth = latest.set_index("eventId")["groundTruth"]
    found = keys.isin(truth.index)
    merged = captures[found.to_numpy()].copy()
    merged["groundTruth"] = keys[found].map(truth).astype(float).to_numpy()
    orphans = %s
    return merged.reset_index(drop=True), int((~found).sum()), orphans
'''
_HAS_ID = 'inference_ids.notna() & (inference_ids.astype(str) != "")'
_DISTINCT_ORPHANS = "int((~truth.index.isin(keys)).sum())"

_TRANSPOSED = '''def metrics_from_confusion(cm):
    tn, fp, fn, tp = cm["0"]["0"], cm["1"]["0"], cm["0"]["1"], cm["1"]["1"]

    def ratio(a, b):
        return a / b if b else 0.0

    def f_beta(p, r, beta):
        return ratio((1 + beta**2) * p * r, beta**2 * p + r) if p + r else 0.0

    precision, recall = ratio(tp, tp + fp), ratio(tp, tp + fn)
    return {"precision": precision, "recall": recall, "accuracy": ratio(tp + tn, tn + fp + fn + tp),
            "f1": f_beta(precision, recall, 1), "f2": f_beta(precision, recall, 2),
            "false_positive_rate": ratio(fp, fp + tn)}
'''

_CONFIG = '''CONSTRAINTS = {
    "version": 0.0,
    "binary_classification_constraints": {
        "recall": {"threshold": %s, "comparison_operator": %r},
        "false_positive_rate": {"threshold": 0.1, "comparison_operator": %r},
    },
}
ALARM = {
    "AlarmName": "lab04-recall-low",
    "Namespace": %r,
    "MetricName": "recall",
    "Dimensions": [{"Name": %r, "Value": "adult-income"},
                   {"Name": "MonitoringSchedule", "Value": "lab04-model-quality"}],
    "Statistic": "Average",
    "Period": 3600,
    "EvaluationPeriods": 1,
    "Threshold": %s,
    "ComparisonOperator": "LessThanThreshold",
}
'''
_NAMESPACE = "aws/sagemaker/Endpoints/model-metrics"


def _config(recall_threshold="0.7", recall_operator="LessThanThreshold",
            fpr_operator="GreaterThanThreshold", namespace=_NAMESPACE, dimension="Endpoint",
            alarm_threshold="0.7"):
    return _CONFIG % (recall_threshold, recall_operator, fpr_operator, namespace, dimension,
                      alarm_threshold)


_LATENCY = '''DRIFTED_LABELLED_48 = groundtruth.labelled_fraction(labels, T0 + pd.Timedelta(hours=24),
                                                    T0 + pd.Timedelta(hours=48), T0 + pd.Timedelta(hours=48))
WHY_NO_VIOLATION = "B"
EXPECTED_AT_P2D = %s
END_OFFSET = %r
'''

CASES = [
    Case("merge_always_on_event_id",
         {"task1-merge-answer": _MERGE % ("pd.Series(False, index=inference_ids.index)", "last",
                                          _DISTINCT_ORPHANS)},
         expected_score=30.5,
         note='ignores inferenceId and joins every capture on its eventId: only the counts of '
              'hidden frames 2 (where they happen to agree) score, task 1 gets 0.5 (-5.5)'),
    Case("merge_none_but_not_nan_or_empty",
         {"task1-merge-answer": _MERGE % ("inference_ids.map(lambda v: v is not None)", "last",
                                          _DISTINCT_ORPHANS)},
         expected_score=34.5,
         note="treats only None as a missing inferenceId, so NaN and '' become keys: hidden "
              'frames 1 fail (-1.5)'),
    Case("merge_first_label_wins",
         {"task1-merge-answer": _MERGE % (_HAS_ID, "first", _DISTINCT_ORPHANS)},
         expected_score=35.5,
         note='keeps the first label of an id instead of the last: the labels of hidden frames 3 '
              'fail (-0.5)'),
    Case("confusion_matrix_transposed", {"task2-metrics-answer": _TRANSPOSED},
         expected_score=33.17,
         note='reads the matrix as {predicted: {actual}}: precision and recall swap, F2 becomes '
              'F0.5, the false positive rate is wrong; only accuracy and F1 survive (and the zero '
              "matrix's P, R, F): task 2 gets 2.17 (-2.83)"),
    Case("accuracy_everywhere",
         {"task3-metric-answer": "".join(f'{k} = "A"\n' for k in (
             "MISSED_FRAUD", "COSTLY_AUDITS", "RARE_DEFECTS", "THRESHOLD_LATER", "DEMAND_FORECAST"))},
         expected_score=31.0,
         note="accuracy for every scenario: task 3 is 0 (-5)"),
    Case("alarm_on_endpoint_metrics_namespace",
         {"task4-config-answer": _config(namespace="AWS/SageMaker", dimension="EndpointName")},
         expected_score=34.75,
         note="alarm in AWS/SageMaker with dimension EndpointName (the endpoint's invocation "
              'metrics): moto accepts it, namespace (-0.5) and dimensions (-0.75) fail'),
    Case("recall_or_equal_in_percent",
         {"task4-config-answer": _config(recall_threshold="70", alarm_threshold="70",
                                         recall_operator="LessThanOrEqualToThreshold")},
         expected_score=34.25,
         note='recall threshold 70 with LessThanOrEqualToThreshold, alarm threshold 70: the '
              "recall rule (-1) and the alarm's operator/threshold (-0.75) fail"),
    Case("end_offset_two_days",
         {"task5-latency-answer": _LATENCY % ("0.7125", "-P2D")},
         expected_score=35.0,
         note="-P2D (71 %) is not yet 80 % labelled: -1"),
    Case("retrain_everything",
         {"task6-diagnosis-answer": 'CAUSE_CHURN, ACTION_CHURN = "B", "B"\n'
                                    'CAUSE_CLAIMS, ACTION_CLAIMS = "B", "B"\n'
                                    'CAUSE_LOANS, ACTION_LOANS = "B", "B"\n'},
         expected_score=32.0,
         note="calls every drop drift and retrains: only churn is right (-4)"),
]
