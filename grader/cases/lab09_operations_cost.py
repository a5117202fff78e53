"""Typical wrong answers to lab 09 (operations and cost), each on top of the solution, with its exact score.

The lab is worth 28 points: task 1 serverless vs instance 5, task 2 autoscaling config 4,
task 3 incidents 4, task 4 the day 3, task 5 exam 8, task 6 exam (chips, the bill, training
metrics) 4.
"""

from grader.cases import Case

_COST = '''def serverless_cost_per_million(memory_mb, duration_ms, price_per_gb_second):
    _check_memory(memory_mb)
    return %s * duration_ms / 1000 * price_per_gb_second * 1_000_000


def breakeven_rps(instance_hourly, memory_mb, duration_ms, price_per_gb_second):
    _check_memory(memory_mb)
    per_request = %s * duration_ms / 1000 * price_per_gb_second
    return instance_hourly / (3600 * per_request)


def _check_memory(memory_mb):
    if memory_mb not in (1024, 2048, 3072, 4096, 5120, 6144):
        raise ValueError("memory_mb must be one of 1024 ... 6144")
'''

_POLICY = '''_ids = {"ServiceNamespace": "sagemaker", "ResourceId": "endpoint/card-fraud/variant/live",
        "ScalableDimension": "sagemaker:variant:DesiredInstanceCount"}
REGISTER = {**_ids, "MinCapacity": 2, "MaxCapacity": 8}
POLICY = {**_ids, "PolicyName": "fraud-invocations", "PolicyType": "TargetTrackingScaling",
          "TargetTrackingScalingPolicyConfiguration": {
              "TargetValue": %s,
              "PredefinedMetricSpecification": {"PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"},
              "ScaleOutCooldown": %d, "ScaleInCooldown": %d}}
SCHEDULE = {**_ids, "ScheduledActionName": "morning-floor", "Schedule": %r,
            "ScalableTargetAction": {"MinCapacity": 4}}
'''

CASES = [
    Case("memory_in_mb_not_gb",
         {"task1-cost-answer": _COST % ("memory_mb", "memory_mb")},
         expected_score=23.75,
         note="memory in MB instead of GB: every value is 1024x off; only the bad-size check passes (task 1: 0.75 of 5)"),
    Case("per_second_target_swapped_cooldowns_unix_cron",
         {"task2-config-answer": _POLICY % ("24.0", 600, 60, "cron(45 7 * * *)")},
         expected_score=26.0,
         note="TargetValue in requests per second (24) instead of invocations per instance per minute "
              "(1440): -1; scale-out slow and scale-in fast: -0.5; a five-field Unix cron instead of "
              "AWS's six: -0.5 (three task-2 mistakes in one submission, one graded notebook fewer; "
              "the deductions differ, so only all three together give 26)"),
    Case("blames_the_instance_for_load",
         {"task3-fix-answer": 'FIX = {"P": "model", "Q": "instance", "R": "model", "S": "instance"}\n'},
         expected_score=26.0,
         note="P is the payload (only OverheadLatency moved), Q is load (Invocations x4): -2"),
    Case("in_service_not_desired",
         {"task4-day-answer": 'FIRST_SCALE_OUT = ACTIVITIES[0]["StartTime"]\nFAILED = int(DAY["errors_5xx"].sum())\n'
                              'PEAK_DESIRED = int(DAY["instances"].max()) + 1\n'},
         expected_score=27.0,
         note="reads a column other than desired and is off by one: -1"),
    Case("exam_all_b",
         {"task5-exam-answer": "\n".join(f'{n} = "B"' for n in (
             "COLD_START", "BIG_PAYLOAD", "MANY_MODELS", "TRAINING_COST", "CHOOSE_INSTANCE",
             "STEADY_USAGE", "IDLE_FLEET", "SLOW_TRAINING")) + "\n",
          "task6-exam-answer": "\n".join(f'{n} = "B"' for n in (
             "INFERENCE_CHIP", "COMPILE_ONCE", "SPEND_BY_TEAM", "TRAINING_LOSS")) + "\n"},
         expected_score=19.0,
         note="the same letter everywhere: only 5a, 5h and 6a are right, -6 in task 5 and -3 in task 6"),
]
