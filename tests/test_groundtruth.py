"""Ground truth: the record format, the late-arrival model, upload by collection hour, read-back."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from monitorlab.monitoring import groundtruth as gt
from monitorlab.serving import scenarios
from monitorlab.account.sandbox import Sandbox

FIXTURES = Path(__file__).parent / "fixtures" / "model_quality"
BUCKET = "gt-bucket"
URI = f"s3://{BUCKET}/labels"
START = pd.Timestamp("2026-01-05T00:00:00Z")


@pytest.fixture(scope="module")
def s3():
    sandbox = Sandbox().start()
    client = sandbox.client("s3")
    client.create_bucket(Bucket=BUCKET)
    yield client
    sandbox.stop()


@pytest.fixture(scope="module")
def traffic():
    return scenarios.generate_traffic("none", hours=24, requests_per_hour=100)


def labels_frame(ids, labels, collected):
    return pd.DataFrame({"eventId": ids, "label": labels,
                         "collectedAt": pd.to_datetime(collected, utc=True)})


# -- records --------------------------------------------------------------------------------

def test_record_is_the_documented_format():
    # DG model-monitor-model-quality-merge (SAGEMAKER.md section 4.3)
    assert gt.ground_truth_record("aaaa-bbbb-cccc", 1) == {
        "groundTruthData": {"data": "1", "encoding": "CSV"},
        "eventMetadata": {"eventId": "aaaa-bbbb-cccc"}, "eventVersion": "0"}
    with pytest.raises(ValueError, match="CSV"):
        gt.ground_truth_record("x", 1, encoding="BASE64")


def test_record_lines_match_json_dumps_and_escape():
    ids = pd.Series(["a-1", 'quote"d', "back\\slash"])
    labels = pd.Series([1, 0, 1])
    lines = gt.record_lines(ids, labels).tolist()
    expected = [json.dumps(gt.ground_truth_record(i, v), separators=(",", ":")) for i, v in zip(ids, labels)]
    assert lines == expected
    assert [json.loads(line)["eventMetadata"]["eventId"] for line in lines] == ids.tolist()
    assert gt.label_text(pd.Series([1.0, 0.0])).tolist() == ["1", "0"]
    assert gt.label_text(pd.Series([0.25, 3.0])).tolist() == ["0.25", "3.0"]
    with pytest.raises(ValueError, match="control character"):
        gt.record_lines(pd.Series(["a\nb"]), pd.Series([1]))


def test_real_sdk_actuals_file_parses_without_problems():
    text = (FIXTURES / "monitor__actuals.jsonl").read_text()
    window = gt.parse_ground_truth_files([("labels/2026/01/05/03/1200.jsonl", text)])
    assert window.problem_counts() == {}
    assert window.records == 44
    assert window.frame["groundTruth"].iloc[:3].tolist() == ["1", "1", "1"]
    assert window.frame["eventId"].iloc[0] == "74b0dd56-e7c8-368e-94b1-14a138a96000"
    assert (window.frame["collectedAt"] == pd.Timestamp("2026-01-05T03:12:00Z")).all()


# -- arrival ------------------------------------------------------------------------------

def test_arrival_model_cdf_and_window_fraction_by_hand():
    model = gt.ArrivalModel()
    assert model.never == pytest.approx(0.10)
    ages = [0, 1, 24, 48, 72, 1000]
    # F(a) = 0.15 clip((a-1)/23) + 0.75 clip((a-24)/48)
    np.testing.assert_allclose(model.fraction_by_age(ages), [0, 0, 0.15, 0.525, 0.9, 0.9])
    # day 1 seen at its end: 0.15 * G(24)/24 with G(24) = 23^2 / (2 * 23) = 11.5
    assert model.window_fraction("2026-01-05", "2026-01-06", "2026-01-06") == pytest.approx(0.071875)
    # one day later: band 1 complete (0.15) + 0.75 * (24^2 / 96) / 24
    assert model.window_fraction("2026-01-05", "2026-01-06", "2026-01-07") == pytest.approx(0.3375)
    assert model.window_fraction("2026-01-05", "2026-01-06", "2026-01-05") == 0.0
    assert model.window_fraction("2026-01-05", "2026-01-06", "2026-02-01") == pytest.approx(0.9)


@pytest.mark.parametrize("bands", [((0.6, 1, 2), (0.6, 2, 3)), ((0.5, 5, 5),), ((-0.1, 1, 2),)])
def test_arrival_model_rejects_bad_bands(bands):
    with pytest.raises(ValueError, match="band"):
        gt.ArrivalModel(bands=bands)


def test_simulated_labels_are_seeded_late_and_match_the_model(traffic):
    labels = gt.simulate_labels(traffic, seed=3)
    pd.testing.assert_frame_equal(labels, gt.simulate_labels(traffic, seed=3))
    assert not labels.equals(gt.simulate_labels(traffic, seed=4))
    assert labels["eventId"].tolist() == traffic.requests["inference_id"].tolist()
    arrived = labels.dropna(subset=["collectedAt"])
    assert (arrived["collectedAt"] >= arrived["inferenceTime"] + pd.Timedelta(hours=1)).all()
    assert (arrived["collectedAt"].dt.microsecond == 0).all()
    assert labels["collectedAt"].isna().mean() == pytest.approx(0.10, abs=0.02)
    model = gt.ArrivalModel()
    for days in (1, 2, 3, 5):
        at = START + pd.Timedelta(days=days)
        observed = gt.labelled_fraction(labels, START, START + pd.Timedelta(days=1), at)
        expected = model.window_fraction(START, START + pd.Timedelta(days=1), at)
        assert observed == pytest.approx(expected, abs=0.025), days
    assert np.isnan(gt.labelled_fraction(labels, "2027-01-01", "2027-01-02", "2027-01-03"))


def test_simulate_labels_names_missing_columns():
    with pytest.raises(ValueError, match="inference_id"):
        gt.simulate_labels(pd.DataFrame({"timestamp": [START], "label": [1]}))


# -- upload and read back -------------------------------------------------------------------

def test_upload_groups_by_collection_hour_and_only_up_to(s3):
    uri = URI + "/hourly"
    labels = labels_frame(["a", "b", "c", "d"], [1, 0, 1, 0],
                          ["2026-01-06T10:05:07Z", "2026-01-06T10:59:59Z",
                           "2026-01-06T11:00:00Z", "2026-01-06T12:30:00Z"])
    result = gt.upload_ground_truth(s3, uri, labels, up_to="2026-01-06T12:00:00Z")
    assert result == {"labels": 3, "keys": ["labels/hourly/2026/01/06/10/0507.jsonl",
                                            "labels/hourly/2026/01/06/11/0000.jsonl"]}
    body = s3.get_object(Bucket=BUCKET, Key=result["keys"][0])["Body"].read().decode()
    assert body.splitlines() == [
        '{"groundTruthData":{"data":"1","encoding":"CSV"},"eventMetadata":{"eventId":"a"},"eventVersion":"0"}',
        '{"groundTruthData":{"data":"0","encoding":"CSV"},"eventMetadata":{"eventId":"b"},"eventVersion":"0"}']
    window = gt.read_ground_truth(s3, uri, "2026-01-06T00:00:00Z", "2026-01-07T00:00:00Z")
    assert window.frame["eventId"].tolist() == ["a", "b", "c"]
    assert window.frame["collectedAt"].tolist() == [pd.Timestamp("2026-01-06T10:05:07Z")] * 2 + [
        pd.Timestamp("2026-01-06T11:00:00Z")]


def test_reupload_is_idempotent_and_since_adds_new_files(s3, traffic):
    uri = URI + "/incremental"
    labels = gt.simulate_labels(traffic, seed=1)
    first = START + pd.Timedelta(hours=30)
    gt.upload_ground_truth(s3, uri, labels, up_to=first)
    gt.upload_ground_truth(s3, uri, labels, up_to=first)                   # same again
    later = gt.upload_ground_truth(s3, uri, labels, up_to=START + pd.Timedelta(hours=40))
    newer = gt.upload_ground_truth(s3, uri, labels, up_to=START + pd.Timedelta(hours=50),
                                   since=START + pd.Timedelta(hours=40))
    window = gt.read_ground_truth(s3, uri, START, START + pd.Timedelta(days=5))
    collected = labels["collectedAt"] <= START + pd.Timedelta(hours=50)
    assert window.records == collected.sum() == later["labels"] + newer["labels"]
    assert not window.frame["eventId"].duplicated().any()
    assert sorted(window.frame["eventId"]) == sorted(labels.loc[collected, "eventId"])
    # the read range is by collection time: [start, end) on the key's time
    part = gt.read_ground_truth(s3, uri, START + pd.Timedelta(hours=40), START + pd.Timedelta(hours=41))
    assert part.records > 0
    assert part.frame["collectedAt"].between(START + pd.Timedelta(hours=40),
                                             START + pd.Timedelta(hours=41), inclusive="left").all()


def test_bad_lines_are_counted_by_reason_with_file_and_line():
    lines = [
        json.dumps(gt.ground_truth_record("ok-1", 1)),
        "{not json",
        json.dumps({"groundTruthData": {"data": "1"}, "eventMetadata": {"eventId": "x"}}),
        json.dumps({"groundTruthData": {"data": "1", "encoding": "CSV"}, "eventMetadata": {}}),
        json.dumps({"groundTruthData": {"data": "MQ==", "encoding": "BASE64"},
                    "eventMetadata": {"eventId": "y"}}),
        json.dumps({"groundTruthData": {"data": '{"a": 1, "b": 2}', "encoding": "JSON"},
                    "eventMetadata": {"eventId": "z"}}),
        "",
        json.dumps({"groundTruthData": {"data": '{"label": 1}', "encoding": "JSON"},
                    "eventMetadata": {"eventId": "ok-2"}, "eventVersion": "0"}),
        json.dumps({"groundTruthData": {"data": "true", "encoding": "JSON"},
                    "eventMetadata": {"eventId": "ok-3"}}),
    ]
    window = gt.parse_ground_truth_files([("p/2026/01/05/07/3000.jsonl", "\n".join(lines))])
    assert window.problem_counts() == {"bad_json": 1, "bad_label": 1, "missing_key": 2,
                                       "unknown_encoding": 1}
    problems = window.problems.set_index("reason")
    assert problems.loc["bad_json", "line"] == 2
    assert problems.loc["unknown_encoding", "file"] == "p/2026/01/05/07/3000.jsonl"
    assert window.frame[["eventId", "groundTruth"]].values.tolist() == [
        ["ok-1", "1"], ["ok-2", "1"], ["ok-3", "1"]]
    assert window.records + len(window.problems) == 8  # every non-blank line accounted for


def test_key_time_and_bad_ranges():
    assert gt.key_time("p/2026/01/05/07/3015.jsonl") == pd.Timestamp("2026-01-05T07:30:15Z")
    assert gt.key_time("2026/01/05/07/labels.jsonl") == pd.Timestamp("2026-01-05T07:00:00Z")
    key = gt.ground_truth_key("s3://b/gt/", pd.Timestamp("2026-01-05T07:30:15Z"))
    assert key == "gt/2026/01/05/07/3015.jsonl"
    with pytest.raises(ValueError, match="after start"):
        gt.list_ground_truth_files(None, URI, "2026-01-06", "2026-01-05")
    with pytest.raises(ValueError, match="collectedAt"):
        gt.upload_ground_truth(None, URI, pd.DataFrame({"eventId": ["a"], "label": [1]}), up_to=START)
