"""Typical wrong answers to lab 08 (retraining and deployment), each on top of the solution, with its exact score.

The lab is worth 30 points: task 1 pipeline decision 5, task 2 rollback decision 5, task 3
DeploymentConfig 4, task 4 the rollout 4, task 5 triggers 3, task 6 exam 9.
"""

from grader.cases import Case

_OUTCOME = '''BROKEN_DATA_CHECKS = ("completeness_check", "data_type_check", "missing_column_check", "extra_column_check")


def pipeline_outcome(violations, evaluation, min_gain):
    if %s:
        return ("DataQualityGate", None)
    if %s:
        return ("RegisterModel", "PendingManualApproval")
    return ("Fail", None)
'''
_GATE = 'any(v["constraint_check_type"] in BROKEN_DATA_CHECKS for v in violations)'
_CONDITION = 'evaluation["candidate"]["f1"] >= evaluation["current"]["f1"] + min_gain'

_ROLLBACK = '''def rollback_minute(errors_5xx, threshold, evaluation_periods, datapoints_to_alarm, deployment_minutes):
    if not 1 <= datapoints_to_alarm <= evaluation_periods:
        raise ValueError("datapoints_to_alarm must be between 1 and evaluation_periods")
%s
'''
_WINDOW = '''    breaching = [value %s threshold for value in errors_5xx]
    for minute in range(min(len(breaching), deployment_minutes)):
        window = breaching[max(0, minute - evaluation_periods + 1): minute + 1]
        if sum(window) >= datapoints_to_alarm:
            return minute + 1
    return None'''
_CONSECUTIVE = '''    run = 0
    for minute, value in enumerate(errors_5xx[:deployment_minutes]):
        run = run + 1 if value > threshold else 0
        if run >= datapoints_to_alarm:
            return minute + 1
    return None'''

_CONFIG = '''DEPLOYMENT_CONFIG = {
    "BlueGreenUpdatePolicy": {
        "TrafficRoutingConfiguration": {"Type": "CANARY", "CanarySize": {"Type": "CAPACITY_PERCENT", "Value": 10},
                                        "WaitIntervalInSeconds": %d},
        "TerminationWaitInSeconds": 300,
        "MaximumExecutionTimeoutInSeconds": 3600,
    },
    "AutoRollbackConfiguration": {"Alarms": [{"AlarmName": "card-fraud-5xx"}, {"AlarmName": "card-fraud-latency-p99"}]},
}
API_ACTION = %r
'''

CASES = [
    Case("gate_stops_on_drift",
         {"task1-outcome-answer": _OUTCOME % ("violations", _CONDITION)},
         expected_score=29.0,
         note="the gate stops on ANY violation, drift included, so a retrain meant to fix drift never "
              "runs: the drift-only hidden case fails (-1)"),
    Case("condition_without_gain",
         {"task1-outcome-answer": _OUTCOME % (_GATE, 'evaluation["candidate"]["f1"] >= evaluation["current"]["f1"]')},
         expected_score=29.25,
         note="registers a candidate 0.01 better although min_gain is 0.02 (-0.75)"),
    Case("consecutive_breaches",
         {"task2-rollback-answer": _ROLLBACK % _CONSECUTIVE},
         expected_score=29.0,
         note="M of N read as M consecutive breaching minutes: 2 of 3 with a gap fires 4 minutes late (-1)"),
    Case("threshold_inclusive",
         {"task2-rollback-answer": _ROLLBACK % (_WINDOW % ">=")},
         expected_score=27.75,
         note="GreaterThanOrEqualTo instead of GreaterThanThreshold: a Sum of 0 with threshold 0 breaches; "
              "the visible clean rollout (-0.5), the equal-to-threshold (-0.75) and both end cases (-1) fail"),
    Case("wait_in_minutes",
         {"task3-config-answer": _CONFIG % (10, "UpdateEndpoint")},
         expected_score=29.5,
         note="WaitIntervalInSeconds 10 (minutes, not seconds): the engine reads a 10-second bake (-0.5)"),
    Case("weights_api",
         {"task3-config-answer": _CONFIG % (600, "UpdateEndpointWeightsAndCapacities")},
         expected_score=29.25,
         note="the weights call changes variant weights but takes no DeploymentConfig (-0.75)"),
    Case("row_index_and_new_config",
         {"task4-rollout-answer": 'ROLLBACK_AFTER = 2\nSHARE_WHEN_FIRED = 0.4\n'
                                  'LIVE_CONFIG = "adult-income-config-v2"\nWHY_NOT_FIRST = "B"\n'},
         expected_score=28.0,
         note="gives the timeline's row index (2) instead of minutes to the rollback (3), and assumes the "
              "endpoint now serves the new config although the rollout rolled back (-2)"),
    Case("performance_called_threshold",
         {"task5-triggers-answer": 'TRIGGER_KIND = {"a": "threshold", "b": "schedule", "c": "threshold",\n'
                                   '                "d": "schedule", "e": "threshold", "f": "threshold"}\n'},
         expected_score=29.0,
         note="a measured metric under a floor, with no alarm, is a performance trigger: c and f (-1)"),
    Case("exam_all_a",
         {"task6-exam-answer": "\n".join(f'{name} = "A"' for name in (
             "DRIFT_RESPONSE", "SIGN_OFF", "SHADOW", "AB_TEST", "BLUE_GREEN", "RISK_ORDER", "TOP_CLIENTS",
             "CI_CD", "CONCEPT_DRIFT")) + "\n"},
         expected_score=24.0,
         note="the same letter everywhere: only 6d, 6g and 6i are right (-6)"),
]
