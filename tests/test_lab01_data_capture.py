"""Module 01 (Data Capture): the lecture and lab run, the lab grades as designed, and every literal
in the lab's hidden tests equals what the engine computes.

The functions at the top (``hidden_capture_lines``, ``hidden_prefix_cases``, ``volume_cases``,
``lab_window_literals``) are how those literals were made; the tests re-run them and look for the
results in the solution's hidden-test source, so a change in the engine (record format, key
layout, sampling, reader) that would silently make a hidden test wrong fails here instead.
"""

import json
from datetime import datetime
from pathlib import Path

import pytest

from monitorlab.serving import data
from monitorlab.serving.capture import hour_prefix, parse_capture_files
from monitorlab.account.clock import SimClock, as_utc, hour_floor
from monitorlab.serving.endpoint import LocalEndpoint, create_endpoint, data_capture_config
from monitorlab.serving.model import course_model
from monitorlab.account.sandbox import Sandbox

from grader.testing import cell_sources

ROOT = Path(__file__).resolve().parent.parent
LAB = "lab01_data_capture"
LECTURE = ROOT / "course" / "01_data_capture.ipynb"
SOLUTION = ROOT / "solutions" / LAB / f"{LAB}.ipynb"

# Task 1: the requirements the learner turns into a DataCaptureConfig.
TASK1_DESTINATION = "s3://monitorlab-123456789012-us-east-1/lab01/capture"
TASK1_KMS_KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
TASK1_JSON_TYPES = ("application/json", "application/jsonlines")

# Task 2: the rows of the Adult test split sent in the hidden records (none has a missing value).
HIDDEN_ROWS = (101, 2024, 7777, 15000)


# --------------------------------------------------------------------------------------------
# How the hidden-test literals are made
# --------------------------------------------------------------------------------------------

def hidden_capture_lines() -> list[dict]:
    """The four capture records of task 2's hidden tests, written by the engine.

    Two endpoints at 100 %: ``lab01-text`` lists text/csv and application/json (captured as text),
    ``lab01-b64`` has no CaptureContentTypeHeader (everything base64). Returns, per record, the
    JSON line, how the test passes it (``"text"`` or ``"dict"``) and the expected
    ``(eventId, inferenceId, inferenceTime, features, prediction)``, the last four from the
    engine's own reader.
    """
    pool = data.load_adult("test")
    people = json.loads(pool.iloc[list(HIDDEN_ROWS)][data.FEATURES].to_json(orient="records"))
    model = course_model()
    with Sandbox() as sb:
        account = sb.bootstrap()
        uri = f"s3://{account.bucket}/hidden"
        create_endpoint(sb, account, "lab01-text", model=model,
                        capture_config=data_capture_config(uri, sampling_percentage=100))
        create_endpoint(sb, account, "lab01-b64", model=model,
                        capture_config=data_capture_config(uri, sampling_percentage=100,
                                                           csv_content_types=None,
                                                           json_content_types=None))
        text = LocalEndpoint.from_sandbox(sb, "lab01-text", model=model, seed=5,
                                          clock=SimClock("2026-02-14T09:00:07Z"))
        b64 = LocalEndpoint.from_sandbox(sb, "lab01-b64", model=model, seed=6,
                                         clock=SimClock("2026-03-01T23:59:58Z"))
        csv = [",".join(str(v) for v in person.values()) for person in people]
        text.invoke_endpoint(EndpointName="lab01-text", ContentType="text/csv", Body=csv[0],
                             InferenceId="order-7731")
        text.clock.advance(minutes=14, seconds=24)
        text.invoke_endpoint(EndpointName="lab01-text", ContentType="application/json",
                             Accept="application/json",
                             Body=json.dumps({"instances": [list(people[1].values())]}))
        b64.invoke_endpoint(EndpointName="lab01-b64", ContentType="text/csv", Body=csv[2],
                            InferenceId="order-7732")
        b64.clock.advance(seconds=5)
        b64.invoke_endpoint(EndpointName="lab01-b64", ContentType="application/json",
                            Accept="application/json", Body=json.dumps({"instances": [people[3]]}))
        lines = []
        for endpoint in (text, b64):
            endpoint.flush()
            for key in endpoint.capture_keys:
                body = sb.client("s3").get_object(Bucket=account.bucket, Key=key)["Body"].read()
                lines += body.decode().splitlines()
    out = []
    for line, passed_as, features in zip(lines, ("text", "dict", "text", "text"), csv):
        row = parse_capture_files([("hidden", line)]).frame.iloc[0]
        inference_id = None if not isinstance(row["inferenceId"], str) else row["inferenceId"]
        record = json.loads(line)
        expected = (row["eventId"], inference_id, record["eventMetadata"]["inferenceTime"],
                    features.split(","), float(row["prediction"]))
        out.append({"line": line, "as": passed_as, "expected": expected})
    return out


def hidden_prefix_cases() -> list[tuple[str, str, str, str, str]]:
    """Task 3's hidden cases: (destination, endpoint, variant, ISO time with offset, expected)."""
    cases = [
        ("s3://ml-audit-archive/prod/capture/", "churn-xgb", "Canary", "2026-07-09T15:42:10+00:00"),
        ("s3://capture-only-bucket", "fraud-v3", "AllTraffic", "2026-01-01T03:15:00+05:30"),
        ("s3://monitorlab-123456789012-us-east-1/datacapture", "adult-income", "AllTraffic",
         "2026-03-31T21:30:00-05:00"),
    ]
    return [(dest, ep, variant, when, hour_prefix(dest, ep, variant, hour_floor(as_utc(when))))
            for dest, ep, variant, when in cases]


def volume_cases() -> list[tuple[float, int, float, float, float]]:
    """Task 4's function cases: (requests/s, sampling %, bytes/record, records/day, bytes/day)."""
    cases = [(35, 5, 1200.0), (0.5, 100, 730.0)]
    return [(rps, pct, size, rps * 86_400 * pct / 100, rps * 86_400 * pct / 100 * size)
            for rps, pct, size in cases]



def lab_window_literals() -> dict[str, float]:
    """Run the lab's setup and backfill cells with the engine; return the numbers tasks 4 and 6 grade.

    ``avg_record_bytes``: bytes of the capture files the setup wrote, per captured record.
    ``unusable``, ``percent``: the problems in the 01:00-03:00 window after the backfill, and their
    share of all the window's lines (usable records + unusable lines), in percent.
    """
    sources = cell_sources(SOLUTION)
    namespace: dict = {}
    exec(sources["setup"], namespace)  # noqa: S102  (our own notebook's setup cell)
    try:
        endpoint, s3 = namespace["course"].endpoint, namespace["s3"]
        bucket = namespace["course"].account.bucket
        size = sum(s3.head_object(Bucket=bucket, Key=k)["ContentLength"] for k in endpoint.capture_keys)
        avg = size / endpoint.counts["captured"]
        exec(sources["task6-backfill"], namespace)  # noqa: S102
        window = namespace["window"]
        unusable = len(window.problems)
        percent = 100 * unusable / (window.records + unusable)
        return {"avg_record_bytes": avg, "unusable": unusable, "percent": percent,
                "problems": window.problem_counts(), "records": window.records}
    finally:
        namespace["sb"].stop()


# --------------------------------------------------------------------------------------------
# 1. The lecture and the solution run headless
# --------------------------------------------------------------------------------------------

# --------------------------------------------------------------------------------------------
# 2. Grading: untouched release 0, each typical mistake its exact score (solution: test_notebooks)
# --------------------------------------------------------------------------------------------

def test_untouched_and_every_case_grade_exactly():
    from grader.testing import grading_mismatches

    assert grading_mismatches(LAB, max_total=28) == {}


def test_release_holds_no_solution_and_no_hidden_test():
    from grader.notebooks import read_notebook

    release = "\n".join(c.source for c in read_notebook(ROOT / "labs" / LAB / f"{LAB}.ipynb").cells)
    literals = [r["expected"][0] for r in hidden_capture_lines()] + [x for *_, x in hidden_prefix_cases()]
    for marker in ["BEGIN SOLUTION", "BEGIN HIDDEN TESTS", 'CUT_COST = "B"', "UNUSABLE_LINES ==",
                   "jsonlines\"]", *literals]:
        assert marker not in release, marker


# --------------------------------------------------------------------------------------------
# 3. Every literal in the hidden tests equals what the engine computes
# --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sources():
    return cell_sources(SOLUTION)


def test_task1_solution_is_the_engine_config(sources):
    from grader.checks import lab01_data_capture as checks

    namespace: dict = {}
    exec(sources["task1-config-answer"], namespace)  # noqa: S102
    expected = data_capture_config(TASK1_DESTINATION, sampling_percentage=25, kms_key_id=TASK1_KMS_KEY,
                                   json_content_types=TASK1_JSON_TYPES)
    assert namespace["CAPTURE_CONFIG"] == expected
    assert (checks.TASK1_DESTINATION, checks.TASK1_KMS_KEY, checks.TASK1_JSON_TYPES) == \
        (TASK1_DESTINATION, TASK1_KMS_KEY, set(TASK1_JSON_TYPES))
    assert checks.moto_accepts(expected) is None


def test_task2_scorer_expects_what_the_engine_reads_from_engine_records(sources):
    """Records the engine's endpoint writes are parsed by the scorer as the engine's reader does."""
    from grader.checks.lab01_data_capture import expected_parse

    for record in hidden_capture_lines():
        assert expected_parse(record["line"]) == record["expected"]


def test_task2_solution_parses_the_hidden_records(sources):
    namespace: dict = {"FEATURES": data.FEATURES}
    exec("import base64, json\n" + sources["task2-parse-answer"], namespace)  # noqa: S102
    for record in hidden_capture_lines():
        line = json.loads(record["line"]) if record["as"] == "dict" else record["line"]
        assert namespace["parse_capture_line"](line) == record["expected"]


def test_task3_scorer_prefixes_are_engine_prefixes():
    from grader.checks.lab01_data_capture import TASK3_VISIBLE, expected_prefix

    for dest, endpoint, variant, when, expected in hidden_prefix_cases():
        assert expected_prefix(dest, endpoint, variant, when) == expected
    visible = hour_prefix("s3://monitorlab-123456789012-us-east-1/datacapture", "adult-income",
                          "AllTraffic", datetime.fromisoformat(TASK3_VISIBLE[0]))
    assert visible == TASK3_VISIBLE[1]


def test_task4_and_task6_literals_are_what_the_lab_produces():
    from grader.checks import lab01_data_capture as checks

    literals = lab_window_literals()
    assert 400 < literals["avg_record_bytes"] < 550
    assert literals["problems"] == {"bad_base64": 1, "bad_json": 2, "bad_time": 1,
                                    "wrong_column_count": 1}
    assert checks.AVG_RECORD_BYTES == literals["avg_record_bytes"]
    assert (checks.UNUSABLE_LINES, checks.UNUSABLE_PERCENT) == (literals["unusable"], literals["percent"])
    for rps, pct, size, records, size_per_day in volume_cases():
        assert checks.volume(rps, pct, size) == (records, size_per_day)


def test_task4_visible_volume_uses_the_formula(sources):
    records = 2 * 86_400 * 20 / 100
    assert "(2, 20, 465.0), 34_560, 16_070_400" in sources["task4-volume-tests"]
    assert (records, records * 465.0) == (34_560, 16_070_400)


# --------------------------------------------------------------------------------------------
# Engine: capture semantics the lecture relies on and the engine tests do not cover
# --------------------------------------------------------------------------------------------

@pytest.fixture
def sb():
    box = Sandbox().start()
    yield box
    box.stop()


def test_only_listed_types_stay_readable_and_both_read_back_alike(sb):
    """A header listing only JSON: CSV is captured base64, JSON as text, and the reader gets
    the same row from both (lecture section 12)."""
    account = sb.bootstrap()
    config = data_capture_config(f"s3://{account.bucket}/dc", sampling_percentage=100)
    config["CaptureContentTypeHeader"] = {"JsonContentTypes": ["application/json"]}
    model = course_model()
    create_endpoint(sb, account, "json-only", model=model, capture_config=config)
    endpoint = LocalEndpoint.from_sandbox(sb, "json-only", model=model, clock=SimClock())
    row = "39,State-gov,Bachelors,13,Never-married,Adm-clerical,Not-in-family,White,Male,2174,0,40,United-States"
    endpoint.invoke_endpoint(EndpointName="json-only", ContentType="text/csv", Body=row, InferenceId="a")
    endpoint.clock.advance(seconds=1)
    endpoint.invoke_endpoint(EndpointName="json-only", ContentType="application/json",
                             Body=json.dumps({"instances": [row.split(",")]}))
    endpoint.flush()
    body = sb.client("s3").get_object(Bucket=account.bucket, Key=endpoint.capture_keys[0])["Body"].read()
    records = [json.loads(line) for line in body.decode().splitlines()]
    assert [r["captureData"]["endpointInput"]["encoding"] for r in records] == ["BASE64", "JSON"]
    assert [r["captureData"]["endpointOutput"]["encoding"] for r in records] == ["BASE64", "BASE64"]
    assert ["inferenceId" in r["eventMetadata"] for r in records] == [True, False]
    frame = parse_capture_files([("f", body.decode())]).frame
    assert frame[data.FEATURES].iloc[0].equals(frame[data.FEATURES].iloc[1])
    assert frame["prediction"].iloc[0] == frame["prediction"].iloc[1]


def test_a_failed_request_is_counted_but_changes_nothing_captured(sb):
    """A 4XX between good requests: counted in Invocations and Invocation4XXErrors, not captured,
    and the good requests' capture (sampling draws, event ids) is the same as without it."""
    from botocore.exceptions import ClientError

    from monitorlab.serving import scenarios

    account = sb.bootstrap()
    model = course_model()
    traffic = scenarios.generate_traffic("none", hours=1, requests_per_hour=40, seed=3)
    bodies = [",".join(map(str, row)) for row in traffic.features().astype(object).itertuples(index=False)]
    captured = []
    for name, bad_at in (("clean", None), ("with-bad", 10)):
        config = data_capture_config(f"s3://{account.bucket}/{name}", sampling_percentage=30)
        create_endpoint(sb, account, name, model=model, capture_config=config)
        endpoint = LocalEndpoint.from_sandbox(sb, name, model=model, clock=SimClock(), seed=4)
        for index, body in enumerate(bodies):
            if index == bad_at:
                with pytest.raises(ClientError):
                    endpoint.invoke_endpoint(EndpointName=name, ContentType="text/csv", Body="1,2,3")
            endpoint.invoke_endpoint(EndpointName=name, ContentType="text/csv", Body=body)
        endpoint.flush()
        lines = []
        for key in endpoint.capture_keys:
            lines += sb.client("s3").get_object(Bucket=account.bucket, Key=key)["Body"].read().decode().splitlines()
        captured.append(lines)
        if bad_at is not None:
            assert endpoint.counts["invocations"] == len(bodies) + 1
            assert endpoint.counts["errors_4xx"] == 1
    assert captured[0] == captured[1] and len(captured[0]) > 0


def test_a_header_with_only_json_types_is_a_valid_api_config(sb):
    account = sb.bootstrap()
    config = data_capture_config(f"s3://{account.bucket}/dc", csv_content_types=None,
                                 json_content_types=("application/json",))
    create_endpoint(sb, account, "only-json", capture_config=config)


def test_hour_prefix_converts_to_utc():
    new_york = datetime.fromisoformat("2026-01-04T20:30:00-05:00")
    assert hour_prefix("s3://b/dc", "ep", "v", new_york) == "dc/ep/v/2026/01/05/01/"


@pytest.mark.parametrize("record", [
    {"captureData": 5},
    {"captureData": None},
    {"captureData": {"endpointInput": {"observedContentType": "text/csv", "mode": "INPUT",
                                       "data": 5, "encoding": "CSV"}}},
    {"captureData": {"endpointInput": {"observedContentType": "text/csv", "mode": "INPUT",
                                       "data": 5, "encoding": "BASE64"}}},
], ids=["captureData-int", "captureData-null", "data-number", "base64-number"])
def test_wrongly_typed_lines_are_counted_not_raised(record):
    line = json.dumps({**record, "eventMetadata": {"eventId": "e", "inferenceTime": "2026-01-05T00:00:00Z"}})
    window = parse_capture_files([("f", line)])
    assert len(window.frame) == 0 and len(window.problems) == 1
