"""Module 00 (orientation): the lecture and the lab run, the lab grades as designed, and every
literal the hidden tests compare against is what the engine (or moto) really gives."""

import json
from pathlib import Path

import nbformat
import pytest

from grader.cases import load_cases
from grader.testing import (apply_answers, grade_notebooks, hidden_test_source, release_notebook, solution_answers)

ROOT = Path(__file__).resolve().parent.parent
LAB = "lab00_orientation"
LECTURE = ROOT / "course" / "00_orientation.ipynb"
SOURCE = ROOT / "solutions" / LAB / f"{LAB}.ipynb"
RELEASE = ROOT / "labs" / LAB / f"{LAB}.ipynb"
FULL_MARKS = 17.0
CASES = {case.name: case for case in load_cases(ROOT, LAB)}


def _hidden_source() -> str:
    return hidden_test_source(LAB)


def _cell(nb_path: Path, grade_id: str) -> str:
    nb = nbformat.read(nb_path, as_version=4)
    return next(c.source for c in nb.cells
                if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id)


def _submission(name: str) -> tuple[nbformat.NotebookNode, float]:
    """The notebook a submission named ``name`` hands in, and the exact total it must get."""
    if name == "untouched":
        return release_notebook(LAB), 0.0
    answers = solution_answers(LAB)
    if name == "solution":
        return apply_answers(release_notebook(LAB), answers), FULL_MARKS
    case = CASES[name]
    return apply_answers(release_notebook(LAB), {**answers, **case.replacements}), case.expected_score


# -- (2) grading: solution full marks, untouched release 0 without crashing, each case exact ----
# Two batches, so the lab is generated twice rather than once per submission. The four slow tests
# come first, in an order that gives each of two xdist workers one batch under either scheduler
# (--dist load sends items 0-1 / 2-3 first; --dist loadgroup sends 0, 2 / 1, 3).
SUBMISSIONS = ["solution", "untouched", *sorted(CASES)]
BATCHES = {"even": SUBMISSIONS[0::2], "odd": SUBMISSIONS[1::2]}


def _grade_batch(batch: str, tmp_path: Path) -> None:
    """Autograde a batch of submissions (the real autograde path) and compare with the expected totals."""
    paths, expected = {}, {}
    for name in BATCHES[batch]:
        nb, expected[name] = _submission(name)
        paths[name] = tmp_path / name / f"{LAB}.ipynb"
        paths[name].parent.mkdir()
        nbformat.write(nb, paths[name])
    results = grade_notebooks(paths, LAB, jobs=1)
    wrong = {name: {"got": r.total, "expected": expected[name], "error": r.error,
                    "per_task": r.per_task, "note": getattr(CASES.get(name), "note", "")}
             for name, r in results.items()
             if r.error or r.max_total != FULL_MARKS or abs(r.total - expected[name]) > 1e-9}
    assert set(results) == set(BATCHES[batch])
    assert not wrong, json.dumps(wrong, indent=1, default=str)


def test_grading_first_batch(tmp_path):
    _grade_batch("even", tmp_path)


# -- (1) the notebooks run headless ------------------------------------------------------------

def test_grading_second_batch(tmp_path):
    _grade_batch("odd", tmp_path)


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
                   '"B", "C", "E", "G", "H"', "lab00-hidden-archive", "churn-scorer"):
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
    tests = _cell(SOURCE, "task3-invoke-tests")
    with Sandbox() as sb:
        course = setup(sandbox=sb)
        for row, literal in rows.items():
            body = course.endpoint.invoke_endpoint(EndpointName="adult-income", ContentType="text/csv",
                                                   Body=row)["Body"].read().decode()
            assert body == literal, (row, body)
            assert row in tests and literal in tests, f"task 3 checks lost {row} -> {literal}"


def test_account_literals_match_the_engine():
    from monitorlab import course
    from monitorlab.account import sandbox

    hidden = _hidden_source()
    assert f'"s3://{sandbox.BUCKET}/datacapture-v2"' in hidden
    assert f'"{sandbox.KMS_ALIAS}"' in hidden
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

    hidden = _hidden_source()
    assert '_expected = {"B", "C", "E", "G", "H"}' in hidden
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
