"""Reading captures back: windows, rows, encodings, and malformed lines counted by reason."""

import base64
import json

import numpy as np
import pandas as pd
import pytest

from monitorlab.serving import capture, data, scenarios
from monitorlab.course import setup

ROW = "39,State-gov,Bachelors,13,Never-married,Adm-clerical,Not-in-family,White,Male,2174,0,40,United-States"


def record(event_id="e1", data_text=ROW, encoding="CSV", output="0.25", inference_id=None,
           time="2026-01-05T00:10:00Z", content_type="text/csv"):
    meta = {"eventId": event_id, "inferenceTime": time}
    if inference_id is not None:
        meta["inferenceId"] = inference_id
    return json.dumps({"captureData": {
        "endpointInput": {"observedContentType": content_type, "mode": "INPUT", "data": data_text,
                          "encoding": encoding},
        "endpointOutput": {"observedContentType": "text/csv", "mode": "OUTPUT", "data": output,
                           "encoding": "CSV"}},
        "eventMetadata": meta, "eventVersion": "0"})


@pytest.fixture(scope="module")
def course():
    course = setup(sampling_percentage=100)
    course.endpoint.replay(scenarios.generate_traffic("covariate_shift", hours=4,
                                                      requests_per_hour=50, change_hour=2))
    yield course
    course.sandbox.stop()


def test_window_reads_exactly_its_records(course):
    window = course.read_window("2026-01-05T01:00:00Z", "2026-01-05T03:00:00Z")
    assert len(window.frame) == 100 and window.records == 100
    assert len(window.files) == 2
    assert window.frame["inferenceTime"].min() >= pd.Timestamp("2026-01-05T01:00:00Z")
    assert window.frame["inferenceTime"].max() < pd.Timestamp("2026-01-05T03:00:00Z")
    assert list(window.frame.columns) == data.FEATURES + capture.META_COLUMNS
    assert window.problem_counts() == {}


def test_window_inside_an_hour_filters_by_inference_time(course):
    window = course.read_window("2026-01-05T00:30:00Z", "2026-01-05T00:45:00Z")
    times = window.frame["inferenceTime"]
    assert 0 < len(window.frame) < 50
    assert times.between(pd.Timestamp("2026-01-05T00:30:00Z"), pd.Timestamp("2026-01-05T00:44:59Z")).all()


def test_rows_round_trip_the_traffic(course):
    traffic = scenarios.generate_traffic("covariate_shift", hours=4, requests_per_hour=50, change_hour=2)
    window = course.read_window("2026-01-05T00:00:00Z", "2026-01-05T04:00:00Z")
    frame = window.frame.sort_values("inferenceId").reset_index(drop=True)
    assert frame["inferenceId"].tolist() == traffic.requests["inference_id"].tolist()
    np.testing.assert_array_equal(frame["age"].to_numpy(), traffic.requests["age"].to_numpy())
    assert frame["prediction"].between(0, 1).all()
    # the shift is visible in what was captured
    assert frame.loc[100:, "age"].mean() < frame.loc[:99, "age"].mean() - 8


def test_empty_window_and_bad_window():
    window = capture.parse_capture_files([])
    assert window.frame.empty and window.problem_counts() == {}
    with pytest.raises(ValueError, match="after start"):
        capture.list_capture_files(None, "s3://b/p", "e", "2026-01-05T02:00:00Z", "2026-01-05T01:00:00Z")


def test_malformed_lines_are_counted_by_reason_with_file_and_line():
    lines = [
        record("ok-1"),
        "{this is not json",
        json.dumps({"captureData": {}, "eventVersion": "0"}),
        record("b64", data_text="%%%not base64%%%", encoding="BASE64"),
        record("short", data_text="1,2,3"),
        record("time", time="yesterday"),
        record("enc", encoding="GZIP"),
        record("two-rows", data_text=ROW + "\n" + ROW, output="0.1"),
        "",
        record("ok-2", inference_id="42"),
    ]
    window = capture.parse_capture_files([("hour/file.jsonl", "\n".join(lines))])
    assert window.problem_counts() == {"bad_base64": 1, "bad_json": 1, "bad_time": 1,
                                       "missing_key": 1, "prediction_count_mismatch": 1,
                                       "unknown_encoding": 1, "wrong_column_count": 1}
    problems = window.problems.set_index("reason")
    assert problems.loc["bad_json", "line"] == 2
    assert problems.loc["wrong_column_count", "file"] == "hour/file.jsonl"
    assert "expected 13" in problems.loc["wrong_column_count", "detail"]
    assert window.frame["eventId"].tolist() == ["ok-1", "ok-2"]
    assert window.frame["inferenceId"].tolist() == [None, "42"]
    # every non-blank line is either a row or a problem: nothing silently dropped
    assert len(window.frame) + len(window.problems) == 9


def test_base64_and_json_payloads_decode():
    b64 = base64.b64encode(ROW.encode()).decode()
    instances = json.dumps({"instances": [ROW.split(","), dict(zip(data.FEATURES, ROW.split(",")))]})
    lines = [record("b", data_text=b64, encoding="BASE64"),
             record("j", data_text=instances, encoding="JSON", content_type="application/json",
                    output="0.1\n0.2")]
    frame = capture.parse_capture_files([("f", "\n".join(lines))]).frame
    assert frame["eventId"].tolist() == ["b", "j", "j"]  # one row per instance
    assert frame["age"].tolist() == [39.0, 39.0, 39.0]
    assert frame["prediction"].tolist() == [0.25, 0.1, 0.2]


def test_text_in_a_numeric_column_is_kept_for_the_type_check():
    lines = [record("a"), record("b", data_text=ROW.replace("39", "unknown", 1))]
    frame = capture.parse_capture_files([("f", "\n".join(lines))]).frame
    assert frame["age"].tolist() == ["39", "unknown"]
    assert frame["hours_per_week"].dtype == np.float64


def test_hour_prefix_layout():
    from datetime import datetime, timezone

    hour = datetime(2026, 1, 5, 7, tzinfo=timezone.utc)
    assert capture.hour_prefix("s3://bucket/dc/", "ep", "AllTraffic", hour) == "dc/ep/AllTraffic/2026/01/05/07/"
    assert capture.hour_prefix("s3://bucket", "ep", "v", hour) == "ep/v/2026/01/05/07/"
