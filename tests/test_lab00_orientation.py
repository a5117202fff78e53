"""Module 00 (orientation): the lecture and the lab run, the lab grades as designed, and every
expected value of its trusted checks (``grader/checks/lab00_orientation.py``) is what the engine
(or moto) really gives, whatever inputs a grading run draws."""

import json
from pathlib import Path

import nbformat
import pytest

from grader.cases import load_cases
from grader.testing import solution_answers

ROOT = Path(__file__).resolve().parent.parent
LAB = "lab00_orientation"
LECTURE = ROOT / "course" / "00_orientation.ipynb"
SOURCE = ROOT / "solutions" / LAB / f"{LAB}.ipynb"
RELEASE = ROOT / "labs" / LAB / f"{LAB}.ipynb"
FULL_MARKS = 17.0
CASES = {case.name: case for case in load_cases(ROOT, LAB)}


def _cell(nb_path: Path, grade_id: str) -> str:
    nb = nbformat.read(nb_path, as_version=4)
    return next(c.source for c in nb.cells
                if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id)


# -- (2) grading: untouched release 0, each case its exact score (solution: test_notebooks)

def test_untouched_and_every_case_grade_exactly():
    from grader.testing import grading_mismatches

    assert grading_mismatches(LAB, max_total=FULL_MARKS) == {}


# -- the rest is fast --------------------------------------------------------------------------

def test_there_are_typical_wrong_answers():
    assert len(CASES) >= 2
    assert all(0 < case.expected_score < FULL_MARKS for case in CASES.values())


def test_lecture_is_committed_without_outputs():
    nb = nbformat.read(LECTURE, as_version=4)
    assert all(not c.outputs and c.execution_count is None
               for c in nb.cells if c.cell_type == "code")


def test_release_hides_solutions_and_hidden_literals():
    text = RELEASE.read_text()
    for secret in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "0.962760636121", "0.273145417602",
                   '"B", "C", "E", "G", "H"', "lab00-hidden", "RecordingRuntime", '"inputs": "B"'):
        assert secret not in text, secret


# -- (3) the hidden-test literals are what the engine and moto give ------------------------------

def test_probability_literals_match_the_course_model():
    from monitorlab.course import setup
    from monitorlab.account.sandbox import Sandbox

    rows = {  # row -> the literal the task 3 checks compare with
        "25,Private,11th,7,Never-married,Machine-op-inspct,Own-child,Black,Male,0,0,40,United-States":
            "0.0143470962199",
        "44,Private,Some-college,10,Married-civ-spouse,Machine-op-inspct,Husband,Black,Male,7688,0,40,United-States":
            "0.962760636121",
        "43,Private,HS-grad,9,Married-civ-spouse,Adm-clerical,Wife,White,Female,0,0,30,United-States":
            "0.273145417602",
    }
    from grader.checks.lab00_orientation import TASK3_VISIBLE_ROW, expected_probabilities

    tests = _cell(SOURCE, "task3-invoke-tests")
    assert expected_probabilities(list(rows)) == [float(v) for v in rows.values()]
    assert TASK3_VISIBLE_ROW in rows and TASK3_VISIBLE_ROW in tests and rows[TASK3_VISIBLE_ROW] in tests
    with Sandbox() as sb:
        course = setup(sandbox=sb)
        for row, literal in rows.items():
            body = course.endpoint.invoke_endpoint(EndpointName="adult-income", ContentType="text/csv",
                                                   Body=row)["Body"].read().decode()
            assert body == literal, (row, body)


def test_account_literals_match_the_engine():
    from monitorlab import course
    from monitorlab.account import sandbox

    from grader.checks import lab00_orientation as checks

    assert checks.TASK2_DESTINATION == f"s3://{sandbox.BUCKET}/datacapture-v2"
    assert checks.TASK2_KMS_ALIAS == sandbox.KMS_ALIAS
    assert checks.TASK2_MODEL == f"{course.ENDPOINT_NAME}-model"
    config = _cell(SOURCE, "task2-config-tests") + _cell(SOURCE, "task2-config-answer")
    assert f'"{course.ENDPOINT_NAME}-model"' in config  # create_endpoint names the model so
    lab_text = SOURCE.read_text()
    assert f"{course.ENDPOINT_NAME}-config" in lab_text  # the config named in task 5a exists


def test_task6_answer_key_matches_moto():
    """Each letter of task 6 is checked against the installed moto itself (the range `>=5.2.5,<5.3`):
    the key stays true to moto."""
    from datetime import datetime, timezone

    from monitorlab.course import setup
    from monitorlab.account.sandbox import Sandbox

    from grader.checks.lab00_orientation import MOTO_DOES_NOT

    assert MOTO_DOES_NOT == {"B", "C", "E", "G", "H"}
    with Sandbox() as sb:
        course = setup(sandbox=sb)
        sm, s3, cw, kms = (sb.client(s) for s in ("sagemaker", "s3", "cloudwatch", "kms"))
        # A does: the DataCaptureConfig round-trips.
        assert sm.describe_endpoint_config(EndpointConfigName="adult-income-config")[
            "DataCaptureConfig"]["InitialSamplingPercentage"] == 100
        # B does not: moto's own runtime writes nothing under the capture prefix.
        sb.client("sagemaker-runtime").invoke_endpoint(EndpointName="adult-income",
                                                       ContentType="text/csv", Body=b"1")
        assert s3.list_objects_v2(Bucket=course.account.bucket,
                                  Prefix="datacapture/").get("KeyCount", 0) == 0
        # C does not: a breaching datapoint leaves the alarm where it was.
        cw.put_metric_alarm(AlarmName="t", Namespace="N", MetricName="M", Statistic="Sum",
                            Period=60, EvaluationPeriods=1, Threshold=1,
                            ComparisonOperator="GreaterThanThreshold")
        cw.put_metric_data(Namespace="N", MetricData=[{"MetricName": "M", "Value": 99,
                                                       "Timestamp": datetime.now(timezone.utc)}])
        assert cw.describe_alarms(AlarmNames=["t"])["MetricAlarms"][0]["StateValue"] != "ALARM"
        # D does: default encryption round-trips.
        assert s3.get_bucket_encryption(Bucket=course.account.bucket)[
            "ServerSideEncryptionConfiguration"]["Rules"][0]["ApplyServerSideEncryptionByDefault"][
            "SSEAlgorithm"] == "aws:kms"
        # E does not: monitoring schedules are not implemented.
        with pytest.raises(NotImplementedError):
            sm.create_monitoring_schedule(
                MonitoringScheduleName="s", MonitoringScheduleConfig={
                    "MonitoringJobDefinitionName": "d", "MonitoringType": "DataQuality"})
        # F does: KMS really encrypts and decrypts.
        blob = kms.encrypt(KeyId=course.account.kms_key_id, Plaintext=b"x")["CiphertextBlob"]
        assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"x"
        # G does not: a canned body, whatever the request.
        body = sb.client("sagemaker-runtime").invoke_endpoint(
            EndpointName="adult-income", ContentType="text/csv", Body=b"2")["Body"].read()
        assert body == b"body"
        # H does not: CloudTrail records nothing and cannot be queried.
        with pytest.raises(NotImplementedError):
            sb.client("cloudtrail").lookup_events()


def test_cases_file_names_real_answer_cells():
    answers = solution_answers(LAB)
    for case in CASES.values():
        assert set(case.replacements) <= set(answers), case.name
    assert json.dumps(sorted(answers)) == json.dumps(sorted([
        "task1-bucket-answer", "task2-config-answer", "task3-invoke-answer",
        "task4-drift-answer", "task5-services-answer", "task6-moto-answer"]))


@pytest.mark.parametrize("seed", [0, 1, 7, 2026])
def test_task3_rows_drawn_per_run_score_as_the_course_endpoint_answers(seed):
    """Each run draws one row the model scores above 0.5 and one below; the expected values are
    exactly what the course's local endpoint returns for them."""
    import random

    from grader.checks.lab00_orientation import expected_probabilities, task3_inputs
    from monitorlab.course import setup
    from monitorlab.account.sandbox import Sandbox

    drawn = task3_inputs(random.Random(seed))
    high, low = expected_probabilities(drawn["rows"])
    assert high > 0.5 >= low
    with Sandbox() as sb:
        course = setup(sandbox=sb)
        for row, expected in zip(drawn["rows"], (high, low)):
            body = course.endpoint.invoke_endpoint(EndpointName="adult-income", ContentType="text/csv",
                                                   Body=row)["Body"].read().decode()
            assert float(body) == expected


def test_task1_scorer_takes_the_lower_bucket_and_the_key_drawn():
    import random

    from grader.checks.lab00_orientation import score_task1, task1_inputs

    inputs = task1_inputs(random.Random(3))
    good = lambda key: {"call": {"value": None}, "exists": True, "key": key, "rules": {"value": [  # noqa: E731
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key},
         "BucketKeyEnabled": True}]}}
    assert score_task1({"visible": good("arn:v"), "hidden": good(inputs["key"])}, inputs)[0] == 3.0
    points, msgs = score_task1({"visible": good("arn:v"), "hidden": good("arn:v")}, inputs)
    assert points == 2.0 and any("KMSMasterKeyID" in m for m in msgs)
    assert task1_inputs(random.Random(3)) == inputs != task1_inputs(random.Random(4))
