"""Trusted checks of lab 00 (orientation): 17 points, scored outside the learner's kernel.

task1 bucket 3, task2 config 4, task3 invoke 3, task4 drift 2, task5 services 3, task6 moto 2.
The kernel only runs the learner's code and reports what it produced (the bucket's encryption
as moto stores it, the config dict, the probabilities, the letters). The expected values live
here: the task 2 requirements (``tests/test_lab00_orientation.py`` keeps them equal to
``monitorlab.account.sandbox``), task 3's probabilities computed by the course model
(``monitorlab.serving.model.course_model``, formatted as ``monitorlab.serving.endpoint`` writes
its CSV body), and the answer keys (task 6's checked against moto by the tests).
"""

import copy
import math

from grader.trusted import Check, Failed, NotWritten, as_float, as_text, choices_check, is_obj
from grader.trusted import letter, shown, value_of

# ------------------------------------------------------------------------------ task 1 bucket

TASK1_VISIBLE_BUCKET = "lab00-visible-reports"
TASK1_EVALUATE = '''
import boto3
def bucket_state(name, key):
    if "create_encrypted_bucket" not in globals():
        return {"call": {"missing": "create_encrypted_bucket"}}
    s3_check = boto3.client("s3", region_name="us-east-1")
    out = {"key": key}
    try:
        globals()["create_encrypted_bucket"](s3_check, name, key)
        out["call"] = {"value": None}
    except Exception as error:
        out["call"] = raised(error)
    out["exists"] = name in {b["Name"] for b in s3_check.list_buckets()["Buckets"]}
    if out["exists"]:
        out["rules"] = attempt(lambda: s3_check.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]["Rules"])
        attempt(lambda: s3_check.delete_bucket(Bucket=name))
    return out
visible_key = attempt(lambda: course.account.kms_key_arn)
return {"visible": bucket_state(INPUTS["visible"], visible_key.get("value")),
        "hidden": bucket_state(INPUTS["bucket"], INPUTS["key"])}
'''


def task1_inputs(rng) -> dict:
    """Another bucket name and a customer managed key ARN of the course account, drawn per run."""
    words = ["archive", "reports", "audit", "exports", "features", "captures", "labels"]
    key_id = "%08x-%04x-4%03x-%04x-%012x" % (rng.getrandbits(32), rng.getrandbits(16),
                                               rng.getrandbits(12), 0x8000 | rng.getrandbits(14),
                                               rng.getrandbits(48))
    return {"visible": TASK1_VISIBLE_BUCKET,
            "bucket": f"lab00-hidden-{rng.choice(words)}-{rng.randint(100, 999)}",
            "key": f"arn:aws:kms:us-east-1:123456789012:key/{key_id}"}


def bucket_points(state: dict, name: str, key: str, msgs: list) -> float:
    """Bucket exists (0.5), aws:kms (1), the key given (1), Bucket Key on (0.5)."""
    try:
        value_of(state["call"])
    except NotWritten:
        raise
    except Failed as exc:
        msgs.append(f"✗ create_encrypted_bucket({name!r}, ...) {exc}")
    if state.get("exists") is not True:
        msgs.append(f"✗ bucket {name!r} does not exist: call s3.create_bucket(Bucket=bucket)")
        return 0.0
    points = 0.5
    try:
        rules = value_of(state.get("rules", {}))
    except Failed as exc:
        msgs.append(f"✗ {name!r} has no default encryption ({exc}): call s3.put_bucket_encryption")
        return points
    rule = rules[0] if isinstance(rules, list) and rules and isinstance(rules[0], dict) else {}
    default = rule.get("ApplyServerSideEncryptionByDefault")
    default = default if isinstance(default, dict) and not is_obj(default) else {}
    if default.get("SSEAlgorithm") == "aws:kms":
        points += 1.0
    else:
        msgs.append(f"✗ SSEAlgorithm is {shown(default.get('SSEAlgorithm'))}: SSE-KMS is 'aws:kms' "
                    "('AES256' is SSE-S3, whose keys S3 manages)")
    if isinstance(key, str) and default.get("KMSMasterKeyID") == key:
        points += 1.0
    else:
        msgs.append(f"✗ KMSMasterKeyID is {shown(default.get('KMSMasterKeyID'))}: pass the key you "
                    f"were given ({key}), not the AWS managed key aws/s3")
    if rule.get("BucketKeyEnabled") is True:
        points += 0.5
    else:
        msgs.append("✗ BucketKeyEnabled is not True: add \"BucketKeyEnabled\": True to the rule")
    return points


def score_task1(values: dict, inputs: dict) -> tuple[float, list[str]]:
    """The lower of the visible bucket (course key) and the hidden one (a key drawn per run)."""
    msgs: list[str] = []
    try:
        visible = bucket_points(values["visible"], inputs["visible"], values["visible"].get("key"), msgs)
        hidden = bucket_points(values["hidden"], inputs["bucket"], inputs["key"], msgs)
    except NotWritten as exc:
        return 0.0, [str(exc)]
    return min(visible, hidden), msgs


TASK1 = Check("task1-bucket-tests", 3, TASK1_EVALUATE, score_task1, task1_inputs)

# ------------------------------------------------------------------------------ task 2 config

TASK2_NAME = "adult-income-v2-config"
TASK2_MODEL = "adult-income-model"
TASK2_DESTINATION = "s3://monitorlab-123456789012-us-east-1/datacapture-v2"
TASK2_KMS_ALIAS = "alias/monitorlab-data"
TASK2_CAPTURE_KEYS = ("EnableCapture", "InitialSamplingPercentage", "DestinationS3Uri", "KmsKeyId",
                      "CaptureOptions", "CaptureContentTypeHeader")


def moto_rejects(config: dict) -> str | None:
    """Why moto's SageMaker (botocore's parameter validation first) rejects
    ``create_endpoint_config(**config)``, or None if it accepts it (the model exists)."""
    import boto3
    from moto import mock_aws

    with mock_aws():
        sm = boto3.client("sagemaker", region_name="us-east-1", aws_access_key_id="testing",
                          aws_secret_access_key="testing")
        sm.create_model(ModelName=TASK2_MODEL,
                        ExecutionRoleArn="arn:aws:iam::123456789012:role/monitorlab-sagemaker",
                        PrimaryContainer={"Image": "683313688378.dkr.ecr.us-east-1.amazonaws.com/"
                                                   "sagemaker-xgboost:1.7-1"})
        try:
            sm.create_endpoint_config(**copy.deepcopy(config))
        except Exception as error:
            return str(error) or type(error).__name__
    return None


def _at(value, *path):
    """``value[path[0]][path[1]]...``, or None where a step does not exist."""
    for step in path:
        if isinstance(value, dict) and not is_obj(value):
            value = value.get(step)
        elif isinstance(value, list) and isinstance(step, int) and 0 <= step < len(value):
            value = value[step]
        else:
            return None
    return value


def score_task2(values: dict, inputs: dict) -> tuple[float, list[str]]:
    """Visible: accepted under the right name, variant and model, type and count (0.5 each).
    Hidden: sampling, modes, destination, key, content-type header (0.5 each)."""
    config = values["config"].get("value")
    if not isinstance(config, dict) or is_obj(config):
        return 0.0, ["✗ ENDPOINT_CONFIG is not a dict yet: set it to the keyword arguments of "
                     "create_endpoint_config"]
    msgs, score = [], 0.0
    rejected = moto_rejects(config)
    if rejected is not None:
        msgs.append(f"✗ create_endpoint_config rejected it: {rejected}")
    elif config.get("EndpointConfigName") == TASK2_NAME:
        score += 0.5
    else:
        msgs.append(f"✗ EndpointConfigName is {shown(config.get('EndpointConfigName'))}, expected "
                    f"{TASK2_NAME!r}")
    variants = config.get("ProductionVariants")
    if not (isinstance(variants, list) and len(variants) == 1):
        msgs.append("✗ ProductionVariants must be a list holding exactly one variant dict")
    if _at(variants, 0, "VariantName") == "AllTraffic" and _at(variants, 0, "ModelName") == TASK2_MODEL:
        score += 0.5
    else:
        msgs.append(f"✗ the variant must be named 'AllTraffic' and serve ModelName {TASK2_MODEL!r}")
    count = _at(variants, 0, "InitialInstanceCount")
    if _at(variants, 0, "InstanceType") == "ml.m5.xlarge" and count == 2 and type(count) in (int, float):
        score += 0.5
    else:
        msgs.append("✗ the variant needs InstanceType 'ml.m5.xlarge' and InitialInstanceCount 2")
    capture = config.get("DataCaptureConfig")
    capture = capture if isinstance(capture, dict) and not is_obj(capture) else {}
    missing = [k for k in TASK2_CAPTURE_KEYS if k not in capture]
    if missing:
        msgs.append(f"✗ DataCaptureConfig lacks {missing}")
    return score + _capture_points(capture, msgs), msgs


def _capture_points(capture: dict, msgs: list) -> float:
    """The DataCaptureConfig values: 0.5 each for sampling, modes, destination, key, header."""
    points = 0.0
    pct = capture.get("InitialSamplingPercentage")
    if capture.get("EnableCapture") is True and type(pct) is int and pct == 25:
        points += 0.5
    else:
        msgs.append("✗ capture 25 % of requests: EnableCapture True, InitialSamplingPercentage 25 "
                    "(an integer percentage, not the fraction 0.25)")
    options = capture.get("CaptureOptions")
    modes = ({as_text(o.get("CaptureMode")) if o.get("CaptureMode") is not None else None
              for o in options if isinstance(o, dict) and not is_obj(o)}
             if isinstance(options, list) else set())
    if modes in ({"Input", "Output"}, {"InputAndOutput"}):
        points += 0.5
    else:
        msgs.append(f"✗ CaptureOptions modes are {sorted(map(str, modes))}: capture Input and Output")
    if as_text(capture.get("DestinationS3Uri", "")).rstrip("/") == TASK2_DESTINATION:
        points += 0.5
    else:
        msgs.append("✗ DestinationS3Uri is not the requested s3://.../datacapture-v2 prefix")
    if capture.get("KmsKeyId") == TASK2_KMS_ALIAS:
        points += 0.5
    else:
        msgs.append("✗ KmsKeyId must be the requested key alias")
    if _at(capture, "CaptureContentTypeHeader", "CsvContentTypes") == ["text/csv"]:
        points += 0.5
    else:
        msgs.append("✗ CaptureContentTypeHeader must list text/csv under CsvContentTypes")
    return points


TASK2 = Check("task2-config-tests", 4, 'return {"config": get("ENDPOINT_CONFIG")}\n', score_task2)

# ------------------------------------------------------------------------------ task 3 invoke

TASK3_VISIBLE_ROW = ("25,Private,11th,7,Never-married,Machine-op-inspct,Own-child,Black,Male,0,0,"
                     "40,United-States")
TASK3_EVALUATE = '''
import io
from botocore.response import StreamingBody
class RecordingRuntime:
    """Answers like sagemaker-runtime and remembers what it was sent."""
    def __init__(self, body):
        self.body, self.calls = body, []
    def invoke_endpoint(self, **kwargs):
        self.calls.append(kwargs)
        return {"ResponseMetadata": {"HTTPStatusCode": 200}, "ContentType": "text/csv",
                "InvokedProductionVariant": "AllTraffic",
                "Body": StreamingBody(io.BytesIO(self.body), len(self.body))}
def live_call(row):
    if "predict_probability" not in globals():
        return {"missing": "predict_probability"}
    try:
        result = globals()["predict_probability"](course.endpoint, "adult-income", row)
    except Exception as error:
        return raised(error)
    return {"value": jsonable(result), "is_float": isinstance(result, float)}
live = [live_call(row) for row in [INPUTS["visible"], *INPUTS["rows"]]]
stub = RecordingRuntime(INPUTS["reply"].encode())
stub_result = call("predict_probability", stub, INPUTS["endpoint"], INPUTS["stub_row"])
sent = stub.calls[-1] if stub.calls else {}
body = sent.get("Body")
body = body.decode("utf-8", "replace") if isinstance(body, (bytes, bytearray)) else str(body)
return {"live": live, "stub": stub_result,
        "sent": {"EndpointName": jsonable(sent.get("EndpointName")),
                 "ContentType": str(sent.get("ContentType", "")), "Body": body}}
'''


def task3_inputs(rng) -> dict:
    """Per run: two rows of UCI Adult's test split with complete values, one the course model
    scores above 0.5 and one below; a stand-in endpoint name, a row and a reply body for the
    recording runtime."""
    from monitorlab.serving import data

    pool = data.load_adult("test")[data.FEATURES].dropna()
    rows = [",".join(str(v) for v in pool.iloc[i].tolist())
            for i in rng.sample(range(len(pool)), 40)]
    probabilities = expected_probabilities(rows)
    high = [r for r, p in zip(rows, probabilities) if p > 0.5]
    low = [r for r, p in zip(rows, probabilities) if p <= 0.5]
    words = ["churn", "fraud", "loans", "credit", "claims"]
    return {"visible": TASK3_VISIBLE_ROW, "rows": [high[0], low[0]],
            "endpoint": f"{rng.choice(words)}-scorer", "stub_row": rows[-1],
            "reply": f"{rng.randint(1, 9999) / 10000:.4f}\n"}


def expected_probabilities(rows: list[str]) -> list[float]:
    """What the course endpoint answers for each CSV row: P(>50K) of the course model, written
    with 12 significant digits (``format_predictions``) and read back as floats."""
    from monitorlab.serving.endpoint import CSV, format_predictions, parse_request
    from monitorlab.serving.model import course_model, predict_proba

    body, _ = format_predictions(predict_proba(course_model(), parse_request("\n".join(rows), CSV)), CSV)
    return [float(line) for line in body.decode().splitlines()]


def score_task3(values: dict, inputs: dict) -> tuple[float, list[str]]:
    """Visible: a float (0.5), the right value (0.5). Hidden: what was sent to a recording
    runtime (0.5), its reply parsed (0.5), two rows drawn per run (0.5 each)."""
    msgs, score = [], 0.0
    live = values["live"]
    try:
        first = value_of(live[0])
    except NotWritten as exc:
        return 0.0, [str(exc)]
    except Failed as exc:
        msgs.append(f"✗ predict_probability {exc}")
        first = None
    if live[0].get("is_float") is True:
        score += 0.5
    else:
        msgs.append(f"✗ returned a {first.get('__obj__') if is_obj(first) else type(first).__name__}: "
                    "return float(...) of the decoded body")
    rows = [inputs["visible"], *inputs["rows"]]
    for result, row, expected in zip(live, rows, expected_probabilities(rows)):
        got = _number(result)
        if got is not None and abs(got - expected) < 1e-9:
            score += 0.5
        else:
            msgs.append(f"✗ for the row {row[:30]}... expected {expected}, got {got}")
    sent, reply = values["sent"], float(inputs["reply"])
    if (sent.get("EndpointName") == inputs["endpoint"] and sent.get("Body", "").strip() == inputs["stub_row"]
            and as_text(sent.get("ContentType")).split(";")[0].strip() == "text/csv"):
        score += 0.5
    else:
        msgs.append(f"✗ invoke_endpoint was called with EndpointName={shown(sent.get('EndpointName'))}, "
                    f"ContentType={sent.get('ContentType')!r}: send the given name, the row and "
                    "ContentType='text/csv'")
    if _number(values["stub"]) == reply:
        score += 0.5
    else:
        msgs.append(f"✗ a reply body {inputs['reply'].encode()!r} should give {reply}, got "
                    f"{shown(values['stub'].get('value'))}")
    return score, msgs


def _number(result: dict) -> float | None:
    """``float(value)`` of a call's result (None if it raised or cannot be a number)."""
    number = as_float(result.get("value")) if "value" in result else None
    return None if number is None or math.isnan(number) else number


TASK3 = Check("task3-invoke-tests", 3, TASK3_EVALUATE, score_task3, task3_inputs)

# ------------------------------------------------------------------------------ task 4 drift

TASK4_KEY = {"inputs": ("B", "input distributions without labels: data quality"),
             "accuracy": ("D", "accuracy needs ground-truth labels: model quality"),
             "fairness": ("E", "a bias metric moving: Clarify bias drift"),
             "drivers": ("A", "SHAP ranking moving: Clarify feature attribution drift")}


def score_task4(values: dict, inputs: dict) -> tuple[float, list[str]]:
    """0.5 per situation whose letter is the tool that catches it."""
    answer = values["tools"].get("value")
    answer = answer if isinstance(answer, dict) and not is_obj(answer) else {}
    msgs, score = [], 0.0
    for situation, (right, why) in TASK4_KEY.items():
        if letter(answer.get(situation)) == right:
            score += 0.5
        else:
            msgs.append(f"✗ {situation}: {why}")
    return score, msgs


TASK4 = Check("task4-drift-tests", 2, 'return {"tools": get("DRIFT_TOOLS")}\n', score_task4)

# ------------------------------------------------------------------------------ task 5 services

TASK5 = choices_check("task5-services-tests", {
    "AUDIT_SERVICE": ("C", "API calls (who, when, from where) are CloudTrail's record"),
    "TRACE_SERVICE": ("A", "following one request across services is X-Ray's job"),
    "LABEL_REASON": ("D", "model quality needs ground truth, which comes late")})

# ------------------------------------------------------------------------------ task 6 moto

MOTO_DOES_NOT = {"B", "C", "E", "G", "H"}  # tests/test_lab00_orientation.py checks each against moto
TASK6_EVALUATE = '''
chosen = get("MOTO_DOES_NOT")
value = globals().get("MOTO_DOES_NOT")
if isinstance(value, (set, frozenset, list, tuple)):
    chosen["items"] = [jsonable(x) for x in value]
return {"chosen": chosen}
'''


def score_task6(values: dict, inputs: dict) -> tuple[float, list[str]]:
    """2 × (right letters − wrong letters) / 5, never below 0."""
    chosen = values["chosen"]
    if isinstance(chosen.get("value"), str):
        picked = set(chosen["value"].replace(",", " ").split())
    else:
        picked = chosen.get("items", [])
    picked = {letter(x) for x in picked}
    if not picked or not picked <= set("ABCDEFGH"):
        return 0.0, ["✗ give a set of letters from A-H, e.g. {\"A\", \"B\"}"]
    right, wrong = len(picked & MOTO_DOES_NOT), len(picked - MOTO_DOES_NOT)
    msgs = [f"{right} right, {wrong} wrong of {len(MOTO_DOES_NOT)}"]
    msgs += [f"✗ {x}: moto does this (configuration and KMS really round-trip)"
             for x in sorted(picked - MOTO_DOES_NOT)]
    return 2.0 * max(0, right - wrong) / len(MOTO_DOES_NOT), msgs


TASK6 = Check("task6-moto-tests", 2, TASK6_EVALUATE, score_task6)

CHECKS = [TASK1, TASK2, TASK3, TASK4, TASK5, TASK6]
