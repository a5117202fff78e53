"""Trusted checks of lab 01 (Data Capture): 28 points, scored outside the learner's kernel.

task1 config 6, task2 parse 6, task3 prefix 4, task4 volume 5, task5 exam 4, task6 window 3.
Each check's visible part is what the notebook's visible test shows; the hidden part uses
inputs drawn for each grading run (``inputs``) with expected values computed here by the
engine (``monitorlab.serving.capture.hour_prefix``, the capture record format of
``monitorlab.serving.endpoint``), or literals measured from the lab's own deterministic set-up
(``AVG_RECORD_BYTES``, the task 6 window; ``tests/test_lab01_data_capture.py`` keeps them equal
to what the engine produces).
"""

import base64
import copy
import json
import math
import uuid
from datetime import datetime, timedelta, timezone

from grader.trusted import Check, Failed, NotWritten, as_float, as_text, choices_check, is_obj, letter
from grader.trusted import shown, value_of

# ------------------------------------------------------------------------------ task 1 config

TASK1_DESTINATION = "s3://monitorlab-123456789012-us-east-1/lab01/capture"
TASK1_KMS_KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
TASK1_JSON_TYPES = {"application/json", "application/jsonlines"}


def moto_accepts(config: dict) -> str | None:
    """None if moto's SageMaker (with botocore's parameter validation) accepts ``config``."""
    import boto3
    from moto import mock_aws

    with mock_aws():
        sm = boto3.client("sagemaker", region_name="us-east-1", aws_access_key_id="testing",
                          aws_secret_access_key="testing")
        sm.create_model(ModelName="adult-income-model",
                        ExecutionRoleArn="arn:aws:iam::123456789012:role/monitorlab-sagemaker",
                        PrimaryContainer={"Image": "683313688378.dkr.ecr.us-east-1.amazonaws.com/"
                                                   "sagemaker-xgboost:1.7-1"})
        try:
            sm.create_endpoint_config(
                EndpointConfigName="lab01-task1-check", DataCaptureConfig=copy.deepcopy(config),
                ProductionVariants=[{"VariantName": "AllTraffic", "ModelName": "adult-income-model",
                                     "InitialInstanceCount": 1, "InstanceType": "ml.m5.large"}])
        except Exception as error:
            return str(error).splitlines()[-1] if str(error) else type(error).__name__
    return None


def score_task1(values: dict, inputs: dict) -> tuple[float, list[str]]:
    """Moto accepts it (0.5), EnableCapture (0.5); sampling, modes, destination, key, header (1 each)."""
    config = values["config"].get("value")
    if not isinstance(config, dict) or is_obj(config):
        return 0.0, ["✗ CAPTURE_CONFIG is not a dict yet: write the DataCaptureConfig as a dict"]
    msgs, score = [], 0.0
    rejected = moto_accepts(config)
    if rejected is None:
        score += 0.5
    else:
        msgs.append(f"✗ create_endpoint_config rejected it: {rejected}")
    if config.get("EnableCapture") is True:
        score += 0.5
    else:
        msgs.append(f"✗ EnableCapture is {shown(config.get('EnableCapture'))}: switch capture on "
                    "explicitly with True")
    say = msgs.append if config else (lambda text: None)
    pct = config.get("InitialSamplingPercentage")
    if type(pct) is int and pct == 25:
        score += 1.0
    elif type(pct) in (int, float) and 0 < pct < 1:
        say(f"✗ InitialSamplingPercentage is {pct}: it is a percentage from 0 to 100, not a "
            "fraction; 25 % is 25")
    else:
        say(f"✗ InitialSamplingPercentage is {shown(pct)}: 25 % of requests is the integer 25")
    score += _task1_modes(config.get("CaptureOptions"), say)
    if as_text(config.get("DestinationS3Uri", "")).rstrip("/") == TASK1_DESTINATION:
        score += 1.0
    else:
        say(f"✗ DestinationS3Uri is {shown(config.get('DestinationS3Uri'))}: use the destination "
            "the requirements give")
    if config.get("KmsKeyId") == TASK1_KMS_KEY:
        score += 1.0
    else:
        say(f"✗ KmsKeyId is {shown(config.get('KmsKeyId'))}: set it to the customer managed key's ARN given")
    header = config.get("CaptureContentTypeHeader")
    header = header if isinstance(header, dict) and not is_obj(header) else {}
    csv_types, json_types = header.get("CsvContentTypes"), header.get("JsonContentTypes")
    if (isinstance(csv_types, list) and _strings(csv_types) == {"text/csv"}
            and isinstance(json_types, list) and _strings(json_types) == TASK1_JSON_TYPES):
        score += 1.0
    else:
        say(f"✗ CaptureContentTypeHeader is {shown(config.get('CaptureContentTypeHeader'))}: list "
            "text/csv under CsvContentTypes and both JSON types under JsonContentTypes (unlisted "
            "types are captured base64)")
    return score, msgs


def _strings(items: list) -> set:
    """The strings of a list (other values as their text, so they never match)."""
    return {item if isinstance(item, str) else f"<{as_text(item)}>" for item in items}


def _task1_modes(options, say) -> float:
    """1 point if the capture options cover request and response with API values."""
    modes = ([o.get("CaptureMode") for o in options if isinstance(o, dict) and not is_obj(o)]
             if isinstance(options, list) else [])
    allowed = {"Input", "Output", "InputAndOutput"}
    texts = {m if isinstance(m, str) else f"<{as_text(m)}>" for m in modes}
    if not modes:
        say("✗ CaptureOptions must be a list of {'CaptureMode': ...} dicts")
    elif not texts <= allowed:
        say(f"✗ CaptureMode {sorted(texts - allowed)} is not an API value: use Input, Output or "
            "InputAndOutput (REQUEST/RESPONSE are the Python SDK's names for them)")
    elif not ({"Input", "InputAndOutput"} & texts and {"Output", "InputAndOutput"} & texts):
        say(f"✗ CaptureOptions {modes} misses half of the exchange: the requirement is request "
            "and response")
    else:
        return 1.0
    return 0.0


TASK1 = Check("task1-config-tests", 6, 'return {"config": get("CAPTURE_CONFIG")}\n', score_task1)

# ------------------------------------------------------------------------------ task 2 parse

TASK2_VISIBLE_JSON = {
    "captureData": {
        "endpointInput": {"observedContentType": "application/json", "mode": "INPUT",
                          "encoding": "JSON",
                          "data": json.dumps({"instances": [[
                              39, "State-gov", "Bachelors", 13, "Never-married", "Adm-clerical",
                              "Not-in-family", "White", "Male", 2174, 0, 40, "United-States"]]})},
        "endpointOutput": {"observedContentType": "application/json", "mode": "OUTPUT",
                           "encoding": "JSON", "data": json.dumps({"predictions": [0.125]})}},
    "eventMetadata": {"eventId": "e-visible-2", "inferenceId": "app-17",
                      "inferenceTime": "2026-01-05T10:11:12Z"},
    "eventVersion": "0"}

TASK2_EVALUATE = '''
import copy
real_line = attempt(lambda: s3.get_object(Bucket=BUCKET, Key=course.endpoint.capture_keys[0])["Body"].read().decode().splitlines()[0])
def described(line):
    space = globals()
    if "parse_capture_line" not in space:
        return {"missing": "parse_capture_line"}
    try:
        got = space["parse_capture_line"](copy.deepcopy(line))
    except Exception as error:
        return raised(error)
    out = {"value": jsonable(got)}
    if isinstance(got, (tuple, list)) and len(got) == 5:
        try:
            out["features"] = [str(v) for v in got[3]]
        except Exception:
            out["features"] = None
        try:
            out["prediction"] = float(got[4])
        except Exception:
            out["prediction"] = None
        out["time_iso"] = jsonable(got[2]).get("iso") if not isinstance(got[2], str) and hasattr(got[2], "isoformat") else None
    return out
lines = []
if "value" in real_line:
    lines.append(described(real_line["value"]))
else:
    lines.append(real_line)
lines.append(described(INPUTS["visible_json"]))
for line, passed_as in INPUTS["hidden"]:
    lines.append(described(_json.loads(line) if passed_as == "dict" else line))
return {"real_line": real_line, "results": lines}
'''


def task2_inputs(rng) -> dict:
    """Four capture records drawn for this run: CSV; JSON as a dict without inferenceId; base64
    CSV; base64 JSON with an object row. Rows from UCI Adult's test split."""
    from monitorlab.serving import data

    pool = data.load_adult("test")
    rows = pool.iloc[rng.sample(range(len(pool)), 4)][data.FEATURES]
    people = json.loads(rows.to_json(orient="records"))
    start = datetime(2026, rng.randint(1, 11), rng.randint(1, 28), rng.randint(0, 23),
                     rng.randint(0, 59), rng.randint(0, 59), tzinfo=timezone.utc)
    kinds = [("CSV", "list", True, "text"), ("JSON", "list", False, "dict"),
             ("BASE64", "csv", True, "text"), ("BASE64", "object", False, "text")]
    hidden = []
    for n, (person, (encoding, row_form, with_id, passed_as)) in enumerate(zip(people, kinds)):
        when = start + timedelta(seconds=rng.randint(0, 3600) * n)
        prob = float(f"{rng.random():.12g}")
        hidden.append([_record(rng, person, encoding, row_form, with_id, when, prob), passed_as])
    return {"visible_json": json.dumps(TASK2_VISIBLE_JSON), "hidden": hidden}


def _record(rng, person: dict, encoding: str, row_form: str, with_id: bool, when: datetime,
            prob: float) -> str:
    """One capture line as SageMaker writes it (``monitorlab.serving.endpoint`` format)."""
    values = list(person.values())
    is_json = row_form != "csv" and encoding != "CSV"
    if is_json:
        request = json.dumps({"instances": [person if row_form == "object" else values]})
        response, media = json.dumps({"predictions": [prob]}), "application/json"
    else:
        request, response, media = ",".join(str(v) for v in values), repr(prob), "text/csv"

    def payload(text: str, mode: str) -> dict:
        if encoding == "BASE64":
            text = base64.b64encode(text.encode()).decode()
        used = encoding if encoding == "BASE64" else ("JSON" if is_json else "CSV")
        return {"observedContentType": media, "mode": mode, "data": text, "encoding": used}

    meta = {"eventId": str(uuid.UUID(int=rng.getrandbits(128), version=4))}
    if with_id:
        meta["inferenceId"] = f"order-{rng.randint(1000, 99999)}"
    meta["inferenceTime"] = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    record = {"captureData": {"endpointInput": payload(request, "INPUT"),
                              "endpointOutput": payload(response, "OUTPUT")},
              "eventMetadata": meta, "eventVersion": "0"}
    return json.dumps(record, separators=(",", ":"))


def expected_parse(line: str) -> tuple:
    """What ``parse_capture_line`` must return for a line (computed from the record itself)."""
    from monitorlab.serving.capture import decode_payload
    from monitorlab.serving.data import FEATURES

    record = json.loads(line)
    meta = record["eventMetadata"]
    request = decode_payload(record["captureData"]["endpointInput"])
    response = decode_payload(record["captureData"]["endpointOutput"])
    try:
        row = json.loads(request)["instances"][0]
        features = [str(row[f]) for f in FEATURES] if isinstance(row, dict) else [str(v) for v in row]
    except ValueError:
        features = request.strip().split(",")
    try:
        prediction = float(json.loads(response)["predictions"][0])
    except (ValueError, TypeError):
        prediction = float(response)
    return meta["eventId"], meta.get("inferenceId"), meta["inferenceTime"], features, prediction


def _same_time(got, want: str, iso: str | None) -> bool:
    """The inference time as written, or a timestamp equal to it."""
    if isinstance(got, str):
        return got == want
    if not iso:
        return False
    import pandas as pd

    try:
        stamp = pd.Timestamp(iso)
        return (stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp) == pd.Timestamp(want)
    except (TypeError, ValueError):
        return False


def record_points(result: dict, expected: tuple, weights, label: str, msgs: list) -> float:
    """Points for one parsed record: ids and time, features, prediction."""
    try:
        got = value_of(result)
    except NotWritten:
        raise
    except Failed as exc:
        hint = " (this record is base64: decode data before using it)" if label.endswith("b64") else ""
        msgs.append(f"✗ {label.removesuffix(' b64')}: parse_capture_line {exc}{hint}")
        return 0.0
    label = label.removesuffix(" b64")
    if not isinstance(got, list) or len(got) != 5:
        msgs.append(f"✗ {label}: return a tuple of 5 values, got {got.get('__obj__') if is_obj(got) else type(got).__name__}")
        return 0.0
    event_id, inference_id, inference_time = got[:3]
    points = 0.0
    if (event_id == expected[0] and inference_id == expected[1] and not is_obj(event_id)
            and _same_time(inference_time, expected[2], result.get("time_iso"))):
        points += weights[0]
    else:
        msgs.append(f"✗ {label}: ids/time are {tuple(shown(v) for v in got[:3])}, expected "
                    f"{expected[:3]}" + (" (no inferenceId in the record: return None)"
                                         if expected[1] is None else ""))
    if result.get("features") == expected[3]:
        points += weights[1]
    else:
        msgs.append(f"✗ {label}: features start {str(result.get('features'))[:70]}, expected "
                    f"{str(expected[3])[:70]} (base64 data must be decoded first; JSON rows "
                    "converted with str())")
    prediction = result.get("prediction")
    if isinstance(prediction, float) and math.isclose(prediction, expected[4], rel_tol=0, abs_tol=1e-9):
        points += weights[2]
    else:
        msgs.append(f"✗ {label}: prediction is {shown(got[4])}, expected {expected[4]}")
    return points


def score_task2(values: dict, inputs: dict) -> tuple[float, list[str]]:
    """Visible: the lab's real line and a JSON record (0.5 each). Hidden: four records, 1.25 each."""
    results, msgs, score = values["results"], [], 0.0
    lines = [values["real_line"].get("value"), inputs["visible_json"],
             *[line for line, _ in inputs["hidden"]]]
    labels = ["real CSV line", "JSON record", *[f"hidden record {n}" for n in range(1, 5)]]
    weights = [(0.1, 0.2, 0.2)] * 2 + [(0.25, 0.5, 0.5)] * 4
    try:
        for line, result, label, weight in zip(lines, results, labels, weights):
            if not isinstance(line, str):
                msgs.append(f"✗ {label}: the lab's capture file could not be read "
                            f"({values['real_line'].get('raised')}); run the setup cell")
                continue
            b64 = " b64" if '"BASE64"' in line else ""
            score += record_points(result, expected_parse(line), weight, label + b64, msgs)
    except NotWritten as exc:
        return 0.0, [str(exc)]
    return score, msgs


TASK2 = Check("task2-parse-tests", 6, TASK2_EVALUATE, score_task2, task2_inputs,
              forbid=(("task2-parse-answer", ("parse_capture_files", "read_captures",
                                              "decode_payload", "_parse_line")),))

# ------------------------------------------------------------------------------ task 3 prefix

TASK3_VISIBLE = ("2026-01-05T01:37:12+00:00", "datacapture/adult-income/AllTraffic/2026/01/05/01/")
TASK3_EVALUATE = '''
from datetime import datetime
visible = call("capture_prefix", course.capture_uri, "adult-income", "AllTraffic",
               datetime.fromisoformat(INPUTS["visible"])) if "course" in globals() else {"raised": "NameError: course"}
hidden = [call("capture_prefix", d, e, v, datetime.fromisoformat(w)) for d, e, v, w in INPUTS["hidden"]]
return {"visible": visible, "hidden": hidden}
'''


def task3_inputs(rng) -> dict:
    """Three cases: a destination with a trailing '/' at UTC; a bucket-only destination at a
    positive offset whose UTC hour falls on the previous day; the course prefix at a negative
    offset whose UTC hour falls on the next day."""
    words = ["churn", "fraud", "loans", "credit", "ads", "search", "claims"]
    name = lambda: f"{rng.choice(words)}-{rng.choice(['xgb', 'v2', 'v3', 'lgbm'])}"  # noqa: E731
    day = datetime(2026, rng.randint(1, 12), rng.randint(2, 27))
    plus = timedelta(hours=rng.randint(3, 9), minutes=rng.choice([0, 30]))
    minus = timedelta(hours=rng.randint(3, 9))
    cases = [
        (f"s3://{rng.choice(words)}-audit/prod/capture/", name(), rng.choice(["Canary", "Blue"]),
         day.replace(hour=rng.randint(1, 22), minute=rng.randint(0, 59),
                     tzinfo=timezone.utc)),
        (f"s3://{rng.choice(words)}-capture-only", name(), "AllTraffic",
         (day + timedelta(minutes=rng.randint(0, 59))).replace(
             hour=rng.randint(0, 2), tzinfo=timezone(plus))),
        ("s3://monitorlab-123456789012-us-east-1/datacapture", "adult-income", "AllTraffic",
         day.replace(hour=rng.randint(21, 23), minute=rng.randint(0, 59),
                     tzinfo=timezone(-minus))),
    ]
    return {"visible": TASK3_VISIBLE[0],
            "hidden": [[d, e, v, when.isoformat()] for d, e, v, when in cases]}


def expected_prefix(dest: str, endpoint: str, variant: str, iso: str) -> str:
    """The engine's key prefix of the UTC hour holding ``iso``."""
    from monitorlab.account.clock import as_utc, hour_floor
    from monitorlab.serving.capture import hour_prefix

    return hour_prefix(dest, endpoint, variant, hour_floor(as_utc(iso)))


def score_task3(values: dict, inputs: dict) -> tuple[float, list[str]]:
    """Visible: this lab's hour 01 (1). Hidden: three drawn cases (1 each)."""
    cases = [(values["visible"], TASK3_VISIBLE[1], "lab hour 01")]
    cases += [(result, expected_prefix(*case), f"{case[0]} at {case[3]}")
              for result, case in zip(values["hidden"], inputs["hidden"])]
    msgs, score = [], 0.0
    for result, expected, label in cases:
        try:
            got = value_of(result)
        except NotWritten as exc:
            return 0.0, [str(exc)]
        except Failed as exc:
            msgs.append(f"✗ {label}: capture_prefix {exc}")
            continue
        if got == expected:
            score += 1.0
        else:
            msgs.append(f"✗ {label}: got {shown(got)}, expected {expected!r} (order: "
                        "prefix/endpoint/variant/yyyy/mm/dd/hh/, hour in UTC)")
    return score, msgs


TASK3 = Check("task3-prefix-tests", 4, TASK3_EVALUATE, score_task3, task3_inputs,
              forbid=(("task3-prefix-answer", ("hour_prefix", "list_capture_files")),))

# ------------------------------------------------------------------------------ task 4 volume

AVG_RECORD_BYTES = 465.02446982055466  # the lab's set-up, measured (tests keep it current)
TASK4_VISIBLE = [2, 20, 465.0]
TASK4_EVALUATE = '''
return {"avg": get("AVG_RECORD_BYTES"),
        "visible": call("daily_capture_volume", *INPUTS["visible"]),
        "hidden": [call("daily_capture_volume", *args) for args in INPUTS["hidden"]]}
'''


def task4_inputs(rng) -> dict:
    """Two traffic levels: tens of requests/s at a low sampling percentage; under 1/s at 100 %."""
    return {"visible": TASK4_VISIBLE,
            "hidden": [[rng.randint(11, 80), rng.choice([2, 4, 5, 8, 10, 15]),
                        float(rng.randint(600, 1500))],
                       [rng.choice([0.25, 0.5, 0.75]), 100, float(rng.randint(300, 900))]]}


def volume(rps: float, pct: float, size: float) -> tuple[float, float]:
    """Records and bytes captured per day: rps × 86,400 × pct / 100, × bytes per record."""
    records = rps * 86_400 * pct / 100
    return records, records * size


def _close(value, expected: float) -> bool:
    """Within 1 % (as ``math.isclose(float(value), expected, rel_tol=0.01)``)."""
    number = as_float(value)
    return number is not None and math.isclose(number, expected, rel_tol=0.01)


def volume_points(result: dict, args, weight: float, label: str, msgs: list) -> float:
    """Points for one traffic level: records (weight) and bytes (weight)."""
    try:
        got = value_of(result)
    except NotWritten:
        msgs.append(f"✗ {label}: daily_capture_volume is not written yet")
        return 0.0
    except Failed as exc:
        msgs.append(f"✗ {label}: daily_capture_volume {exc}")
        return 0.0
    if not isinstance(got, list) or len(got) != 2:
        msgs.append(f"✗ {label}: return (records_per_day, bytes_per_day), got {shown(got)}")
        return 0.0
    records, size = volume(*args)
    points = 0.0
    if _close(got[0], records):
        points += weight
    else:
        msgs.append(f"✗ {label}: {shown(got[0])} records/day, expected {records:,.0f} "
                    "(requests/s × 86,400 s × percentage / 100)")
    if _close(got[1], size):
        points += weight
    else:
        msgs.append(f"✗ {label}: {shown(got[1])} bytes/day, expected {size:,.0f} (captured "
                    "records × bytes per record: only sampled requests are stored)")
    return points


def score_task4(values: dict, inputs: dict) -> tuple[float, list[str]]:
    """Visible: one level (0.5 + 0.5). Hidden: AVG_RECORD_BYTES within 1 % (1), two levels (0.75 + 0.75)."""
    msgs = []
    score = volume_points(values["visible"], inputs["visible"], 0.5,
                          f"{inputs['visible'][0]} req/s at {inputs['visible'][1]} %", msgs)
    avg = values["avg"].get("value")
    if _close(avg, AVG_RECORD_BYTES):
        score += 1.0
    else:
        msgs.append(f"✗ AVG_RECORD_BYTES is {shown(avg)}: sum the ContentLength of the capture "
                    "files, divide by the captured records")
    for result, args in zip(values["hidden"], inputs["hidden"]):
        score += volume_points(result, args, 0.75, f"{args[0]} req/s at {args[1]} %", msgs)
    return score, msgs


TASK4 = Check("task4-volume-tests", 5, TASK4_EVALUATE, score_task4, task4_inputs)

# ------------------------------------------------------------------------------ task 5 exam

TASK5_KEY = {
    "CUT_COST": ("B", "the sampling percentage is the cost lever; no capture or no inputs would "
                      "stop the data-quality monitor"),
    "JOIN_LABELS": ("D", "the billing system never sees SageMaker's eventId; your own InferenceId "
                         "travels with both"),
    "WHERE_STORED": ("A", "Data Capture writes JSON Lines to S3, one prefix per UTC hour"),
    "BEFORE_MONITOR": ("C", "capture lives in the endpoint config and records only what happens "
                            "after it is on"),
}


TASK5 = choices_check("task5-exam-tests", TASK5_KEY)

# ------------------------------------------------------------------------------ task 6 window

UNUSABLE_LINES, UNUSABLE_PERCENT = 5, 1.1933174224343674  # the lab's window (tests keep them)


def score_task6(values: dict, inputs: dict) -> tuple[float, list[str]]:
    """UNUSABLE_LINES (1), UNUSABLE_PERCENT within 0.05 (1), MONITOR_ACTION C (1)."""
    msgs, score = [], 0.0
    lines, percent = values["lines"].get("value"), values["percent"].get("value")
    if as_float(lines) == UNUSABLE_LINES and not isinstance(lines, str):
        score += 1.0
    else:
        msgs.append(f"✗ UNUSABLE_LINES is {shown(lines)}: count the rows of window.problems (one "
                    "per unusable line)")
    number = as_float(percent)
    if number is not None and abs(number - UNUSABLE_PERCENT) <= 0.05:
        score += 1.0
    else:
        msgs.append(f"✗ UNUSABLE_PERCENT is {shown(percent)}: unusable lines / (usable records + "
                    "unusable lines) × 100")
    if "value" in values["action"] and letter(values["action"]["value"]) == "C":
        score += 1.0
    else:
        msgs.append("✗ MONITOR_ACTION: count and report what could not be used, alert on its "
                    "share; dropping or filling hides an upstream fault, failing wastes the good records")
    return score, msgs


TASK6 = Check("task6-window-tests", 3,
              'return {"lines": get("UNUSABLE_LINES"), "percent": get("UNUSABLE_PERCENT"), '
              '"action": get("MONITOR_ACTION")}\n', score_task6)

CHECKS = [TASK1, TASK2, TASK3, TASK4, TASK5, TASK6]
