"""The local endpoint: Data Capture fidelity, sampling statistics, encryption, metrics, errors."""

import base64
import json
import re
from datetime import datetime, timezone

import numpy as np
import pytest
from botocore.exceptions import ClientError

from monitorlab.serving import endpoint as ep, scenarios
from monitorlab.account.clock import SimClock
from monitorlab.account.sandbox import Sandbox

# A real Data Capture record (aws/amazon-sagemaker-examples, sm-model_monitor_introduction.ipynb,
# cell 18 output; the inferenceId key added where the SageMaker docs place it).
REAL_RECORD = {
    "captureData": {
        "endpointInput": {"observedContentType": "text/csv", "mode": "INPUT",
                          "data": "132,10,182.9", "encoding": "CSV"},
        "endpointOutput": {"observedContentType": "text/csv; charset=utf-8", "mode": "OUTPUT",
                           "data": "0.0363977", "encoding": "CSV"}},
    "eventMetadata": {"eventId": "f04a8538-696c-4648-8064-8b680b2e3318", "inferenceId": "0",
                      "inferenceTime": "2022-04-18T00:21:48Z"},
    "eventVersion": "0",
}
# A real key (same notebook, cell 14 output), to check our layout against.
REAL_KEY = ("sagemaker/DEMO-ModelMonitor/datacapture/DEMO-xgb-churn-pred-model-monitor-2022-04-18-00-13-16/"
            "AllTraffic/2022/04/18/00/20-48-871-0b7bfd33-c8a7-4adf-a09a-98fd0af79974.jsonl")
KEY_PATTERN = re.compile(r"^(?P<prefix>.+)/(?P<endpoint>[^/]+)/(?P<variant>[^/]+)/"
                         r"\d{4}/\d{2}/\d{2}/\d{2}/\d{2}-\d{2}-\d{3}-[0-9a-f-]{36}\.jsonl$")
ROW = "39,State-gov,Bachelors,13,Never-married,Adm-clerical,Not-in-family,White,Male,2174,0,40,United-States"


@pytest.fixture
def sb():
    box = Sandbox().start()
    yield box
    box.stop()


def deploy(sb, name="adult-income", seed=0, **capture):
    account = sb.bootstrap()
    uri = f"s3://{account.bucket}/datacapture"
    config = ep.data_capture_config(uri, **{"sampling_percentage": 100, **capture})
    ep.create_endpoint(sb, account, name, capture_config=config)
    endpoint = ep.LocalEndpoint.from_sandbox(sb, name, clock=SimClock(), seed=seed)
    return account, endpoint


def captured_lines(sb, account, prefix="datacapture/"):
    s3 = sb.client("s3")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=account.bucket, Prefix=prefix).get("Contents", [])]
    lines = []
    for key in sorted(keys):
        lines += s3.get_object(Bucket=account.bucket, Key=key)["Body"].read().decode().splitlines()
    return keys, [json.loads(line) for line in lines]


def shape(value):
    """Key structure and value types of a JSON document."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    return type(value).__name__


def test_record_structure_equals_sagemakers(sb):
    account, endpoint = deploy(sb)
    endpoint.invoke_endpoint(EndpointName="adult-income", Body=ROW, ContentType="text/csv",
                             InferenceId="0")
    endpoint.flush()
    keys, records = captured_lines(sb, account)
    assert shape(records[0]) == shape(REAL_RECORD)
    assert list(records[0]) == list(REAL_RECORD)  # key order too
    record = records[0]
    assert record["captureData"]["endpointInput"] == {
        "observedContentType": "text/csv", "mode": "INPUT", "data": ROW, "encoding": "CSV"}
    assert record["captureData"]["endpointOutput"]["mode"] == "OUTPUT"
    assert float(record["captureData"]["endpointOutput"]["data"]) == pytest.approx(0.0961, abs=1e-3)
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", record["eventMetadata"]["inferenceTime"])
    assert KEY_PATTERN.match(keys[0]) and KEY_PATTERN.match(REAL_KEY)
    assert KEY_PATTERN.match(keys[0])["variant"] == "AllTraffic"


def test_inference_id_only_when_the_caller_passes_one(sb):
    account, endpoint = deploy(sb)
    endpoint.invoke_endpoint(EndpointName="adult-income", Body=ROW)
    endpoint.invoke_endpoint(EndpointName="adult-income", Body=ROW, InferenceId="order-17")
    endpoint.flush()
    _, records = captured_lines(sb, account)
    assert "inferenceId" not in records[0]["eventMetadata"]
    assert records[1]["eventMetadata"]["inferenceId"] == "order-17"


def test_files_are_grouped_per_hour_in_utc(sb):
    account, endpoint = deploy(sb)
    traffic = scenarios.generate_traffic("none", hours=3, requests_per_hour=10)
    endpoint.replay(traffic)
    keys, records = captured_lines(sb, account)
    hours = sorted({"/".join(k.split("/")[3:7]) for k in keys})
    assert hours == ["2026/01/05/00", "2026/01/05/01", "2026/01/05/02"]
    for key in keys:
        hour_path = "/".join(key.split("/")[3:7])
        body = sb.client("s3").get_object(Bucket=account.bucket, Key=key)["Body"].read().decode()
        for line in body.splitlines():
            stamp = datetime.strptime(json.loads(line)["eventMetadata"]["inferenceTime"],
                                      "%Y-%m-%dT%H:%M:%SZ")
            assert stamp.strftime("%Y/%m/%d/%H") == hour_path
        # the file name starts with the MM-SS of its first record
        first = json.loads(body.splitlines()[0])["eventMetadata"]["inferenceTime"]
        assert key.split("/")[-1][:5] == first[14:16] + "-" + first[17:19]
    assert len(records) == 30


def test_sampling_10000_requests_at_20_percent_within_4_sigma(sb):
    account, endpoint = deploy(sb, sampling_percentage=20, seed=7)
    traffic = scenarios.generate_traffic("none", hours=50, requests_per_hour=200, seed=7)
    counts = endpoint.replay(traffic)
    n, p = 10_000, 0.2
    sigma = np.sqrt(n * p * (1 - p))
    assert counts["invocations"] == n
    assert abs(counts["captured"] - n * p) <= 4 * sigma
    _, records = captured_lines(sb, account)
    assert len(records) == counts["captured"]


@pytest.mark.parametrize("percentage, expected", [(0, 0), (100, 25)])
def test_sampling_extremes(sb, percentage, expected):
    account, endpoint = deploy(sb, sampling_percentage=percentage)
    counts = endpoint.replay(scenarios.generate_traffic("none", hours=1, requests_per_hour=25))
    assert counts["captured"] == expected


def test_disabled_capture_writes_nothing(sb):
    account, endpoint = deploy(sb, enable=False)
    endpoint.replay(scenarios.generate_traffic("none", hours=1, requests_per_hour=5))
    assert captured_lines(sb, account)[1] == []


def test_capture_objects_are_encrypted_with_the_configured_kms_key(sb):
    account = sb.bootstrap()
    kms = sb.client("kms")
    capture_key = kms.create_key(Description="capture only")["KeyMetadata"]["Arn"]
    config = ep.data_capture_config(f"s3://{account.bucket}/dc", sampling_percentage=100,
                                    kms_key_id=capture_key)
    ep.create_endpoint(sb, account, "enc", capture_config=config)
    endpoint = ep.LocalEndpoint.from_sandbox(sb, "enc", clock=SimClock())
    endpoint.invoke_endpoint(EndpointName="enc", Body=ROW)
    endpoint.flush()
    key = endpoint.capture_keys[0]
    head = sb.client("s3").head_object(Bucket=account.bucket, Key=key)
    assert head["ServerSideEncryption"] == "aws:kms"
    assert head["SSEKMSKeyId"] == capture_key  # not the bucket's default key


@pytest.mark.parametrize("modes, has_input, has_output", [
    (("Input",), True, False), (("Output",), False, True), (("InputAndOutput",), True, True)])
def test_capture_options(sb, modes, has_input, has_output):
    account, endpoint = deploy(sb, capture_modes=modes)
    endpoint.invoke_endpoint(EndpointName="adult-income", Body=ROW)
    endpoint.flush()
    record = captured_lines(sb, account)[1][0]["captureData"]
    assert ("endpointInput" in record, "endpointOutput" in record) == (has_input, has_output)


def test_json_requests_are_captured_as_json(sb):
    account, endpoint = deploy(sb)
    body = json.dumps({"instances": [ROW.split(",")]})
    response = endpoint.invoke_endpoint(EndpointName="adult-income", Body=body,
                                        ContentType="application/json", Accept="application/json")
    prediction = json.loads(response["Body"].read())["predictions"][0]
    endpoint.flush()
    record = captured_lines(sb, account)[1][0]["captureData"]
    assert record["endpointInput"]["encoding"] == "JSON"
    assert record["endpointInput"]["data"] == body
    assert record["endpointOutput"] == {"observedContentType": "application/json", "mode": "OUTPUT",
                                        "data": json.dumps({"predictions": [prediction]}),
                                        "encoding": "JSON"}


def test_unlisted_content_types_are_captured_base64(sb):
    account, endpoint = deploy(sb, csv_content_types=None, json_content_types=None)
    endpoint.invoke_endpoint(EndpointName="adult-income", Body=ROW)
    endpoint.flush()
    record = captured_lines(sb, account)[1][0]["captureData"]["endpointInput"]
    assert record["encoding"] == "BASE64"
    assert base64.b64decode(record["data"]).decode() == ROW


def test_content_type_parameters_do_not_prevent_a_match():
    settings = ep.CaptureSettings.from_api(ep.data_capture_config("s3://b/p"))
    assert settings.encoding_for("text/csv; charset=utf-8") == "CSV"
    assert settings.encoding_for("Application/JSON") == "JSON"
    assert settings.encoding_for("application/x-npy") == "BASE64"


@pytest.mark.parametrize("body, content_type, status, fragment", [
    ("1,2,3", "text/csv", 400, "3 columns, expected 13"),
    ("", "text/csv", 400, "empty request body"),
    (ROW.replace("39", "thirty-nine", 1), "text/csv", 400, "age must be a number"),
    (ROW, "image/png", 415, "unsupported content type"),
    ("{not json", "application/json", 400, "not valid JSON"),
    (json.dumps({"rows": []}), "application/json", 400, "instances"),
])
def test_bad_requests_are_client_errors_and_never_break_the_endpoint(sb, body, content_type, status, fragment):
    account, endpoint = deploy(sb)
    with pytest.raises(ClientError) as caught:
        endpoint.invoke_endpoint(EndpointName="adult-income", Body=body, ContentType=content_type)
    error = caught.value.response
    assert error["Error"]["Code"] == "ModelError"
    assert error["OriginalStatusCode"] == status
    assert fragment in error["Error"]["Message"]
    ok = endpoint.invoke_endpoint(EndpointName="adult-income", Body=ROW)
    assert float(ok["Body"].read()) > 0
    assert endpoint.counts == {"invocations": 2, "captured": 1, "errors_4xx": 1, "errors_5xx": 0, "files": 0}


def test_missing_values_and_unseen_categories_are_served(sb):
    _, endpoint = deploy(sb)
    row = ROW.replace("13,", ",", 1).replace("Adm-clerical", "Drone-operator")
    response = endpoint.invoke_endpoint(EndpointName="adult-income", Body=row)
    assert 0 <= float(response["Body"].read()) <= 1


def test_unknown_endpoint_name_is_a_validation_error(sb):
    _, endpoint = deploy(sb)
    with pytest.raises(ClientError, match="not found"):
        endpoint.invoke_endpoint(EndpointName="other", Body=ROW)


def test_replay_equals_one_by_one_invocation(sb):
    traffic = scenarios.generate_traffic("missing_values", hours=2, requests_per_hour=15, change_hour=1)
    account, bulk = deploy(sb, name="bulk", seed=5)
    bulk.replay(traffic)
    single = ep.LocalEndpoint.from_sandbox(sb, "bulk", clock=SimClock(), seed=5)
    single._s3 = None  # never writes: we only compare the records it would write
    lines = ep.serialize_csv(traffic.requests)
    records = []
    single._flush_capture = lambda: (records.extend(single._pending), single._pending.clear(),
                                     setattr(single, "_pending_hour", None))
    for line, (_, row) in zip(lines, traffic.requests.iterrows()):
        single.clock.advance_to(row["timestamp"].to_pydatetime())
        single.invoke_endpoint(EndpointName="bulk", Body=line, InferenceId=row["inference_id"])
    single._flush_capture()
    _, written = captured_lines(sb, account)
    assert [json.loads(r) for r in records] == written


def test_same_seed_same_bytes():
    outputs = []
    for _ in range(2):
        with Sandbox() as box:
            account, endpoint = deploy(box, sampling_percentage=50, seed=11)
            endpoint.replay(scenarios.generate_traffic("new_category", hours=2, requests_per_hour=40))
            keys, _ = captured_lines(box, account)
            s3 = box.client("s3")
            outputs.append({k: s3.get_object(Bucket=account.bucket, Key=k)["Body"].read() for k in keys})
    assert outputs[0] == outputs[1]


def test_endpoint_metrics_are_published_per_minute(sb):
    _, endpoint = deploy(sb)
    traffic = scenarios.generate_traffic("none", hours=2, requests_per_hour=120)
    endpoint.replay(traffic)
    with pytest.raises(ClientError):
        endpoint.invoke_endpoint(EndpointName="adult-income", Body="1,2")
    endpoint.flush()
    cw = sb.client("cloudwatch")
    dims = [{"Name": "EndpointName", "Value": "adult-income"}, {"Name": "VariantName", "Value": "AllTraffic"}]
    window = dict(StartTime=datetime(2026, 1, 5, tzinfo=timezone.utc),
                  EndTime=datetime(2026, 1, 6, tzinfo=timezone.utc), Period=86400, Dimensions=dims,
                  Namespace="AWS/SageMaker")
    total = cw.get_metric_statistics(MetricName="Invocations", Statistics=["Sum"], **window)
    assert total["Datapoints"][0]["Sum"] == 241
    errors = cw.get_metric_statistics(MetricName="Invocation4XXErrors", Statistics=["Sum"], **window)
    assert errors["Datapoints"][0]["Sum"] == 1
    latency = cw.get_metric_statistics(MetricName="ModelLatency", Statistics=["Average", "SampleCount"],
                                       **window)["Datapoints"][0]
    assert latency["Unit"] == "Microseconds" and latency["SampleCount"] == 240
    assert 3000 < latency["Average"] < 12000
    names = {m["MetricName"] for m in cw.list_metrics(Namespace="AWS/SageMaker")["Metrics"]}
    assert names == {"Invocations", "Invocation4XXErrors", "Invocation5XXErrors", "ModelLatency",
                     "OverheadLatency"}
    # batched: far fewer put_metric_data calls than requests
    assert endpoint._metrics.calls <= 3


def test_bad_capture_config_is_named():
    with pytest.raises(ValueError, match="InitialSamplingPercentage"):
        ep.data_capture_config("s3://b/p", sampling_percentage=0.2)
    with pytest.raises(ValueError, match="CaptureMode"):
        ep.CaptureSettings.from_api({"InitialSamplingPercentage": 10, "DestinationS3Uri": "s3://b/p",
                                     "CaptureOptions": [{"CaptureMode": "Both"}]})
    with pytest.raises(ValueError, match="DestinationS3Uri"):
        ep.CaptureSettings.from_api({"InitialSamplingPercentage": 10, "CaptureOptions": []})
    with pytest.raises(ValueError, match="S3 URI"):
        ep.CaptureSettings.from_api({"InitialSamplingPercentage": 10, "DestinationS3Uri": "bucket/p",
                                     "CaptureOptions": [{"CaptureMode": "Input"}]})


def test_config_is_read_back_from_moto(sb):
    account, endpoint = deploy(sb, sampling_percentage=35, capture_modes=("Input",))
    described = sb.client("sagemaker").describe_endpoint_config(EndpointConfigName="adult-income-config")
    assert described["DataCaptureConfig"]["InitialSamplingPercentage"] == 35
    assert endpoint.capture.sampling_percentage == 35
    assert endpoint.capture.capture_input and not endpoint.capture.capture_output
    assert endpoint.capture.kms_key_id is None
