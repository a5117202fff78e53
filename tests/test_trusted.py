"""Trusted scoring without a kernel: records, forged records, lab 01's scorers, normalisation.

The kernel side of an evaluation cell is run here with ``exec`` in a plain namespace standing in
for the learner's (what a learner defines is all the namespace holds); the grading side is the
real ``score_cell``. Kernel-level forgeries (patched builtins, settrace, formatters, input
transformers) are proven end to end in ``tests/test_trusted_grading.py``.
"""

import base64
import contextlib
import io
import json
import random
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from grader.checks import lab01_data_capture as lab01
from grader.layout import list_labs
from grader.notebooks import read_notebook, task_points
from grader.results import _cell_text
from grader.submission_check import integrity_flags, normalise_submission
from grader.trusted import checks_file, draw_inputs, evaluation_cell, load_checks, new_nonce
from grader.trusted import read_record, score_cell
from grader.trusted_execute import without_hidden_tests
from monitorlab.account.clock import as_utc, hour_floor
from monitorlab.serving.capture import hour_prefix, parse_capture_files
from monitorlab.serving.data import FEATURES

ROOT = Path(__file__).resolve().parent.parent


def run_cell(source: str, namespace: dict) -> list[dict]:
    """Run ``source`` in ``namespace``; return its stdout as one notebook stream output."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(source, namespace)  # noqa: S102  (our own evaluation cell)
    return [{"output_type": "stream", "name": "stdout", "text": out.getvalue()}]


def evaluate(check, namespace: dict, seed: int = 1) -> tuple[float, list[str]]:
    """Run ``check``'s evaluation cell in ``namespace`` and score it as the grader does."""
    inputs = draw_inputs({check.grade_id: check}, seed)[check.grade_id]
    nonce = new_nonce()
    outputs = run_cell(evaluation_cell(check, inputs, nonce), namespace)
    return score_cell(check, inputs, outputs, nonce)


SOLUTION = {
    "CUT_COST": "B", "JOIN_LABELS": "D", "WHERE_STORED": "A", "BEFORE_MONITOR": "C",
    "UNUSABLE_LINES": 5, "UNUSABLE_PERCENT": 1.19, "MONITOR_ACTION": "C",
    "AVG_RECORD_BYTES": 465.02446982055466,
    "daily_capture_volume": lambda rps, pct, size: (rps * 86_400 * pct / 100,
                                                    rps * 86_400 * pct / 100 * size),
}


def parse_solution(line):
    """The lab's solution of task 2 (a copy, to run without a kernel)."""
    record = json.loads(line) if isinstance(line, (str, bytes)) else line

    def decoded(payload):
        text = payload["data"]
        if payload["encoding"] == "BASE64":
            text = base64.b64decode(text).decode("utf-8")
        media = payload["observedContentType"].split(";")[0].strip().lower()
        return text, payload["encoding"] == "JSON" or "json" in media

    request, is_json = decoded(record["captureData"]["endpointInput"])
    if is_json:
        row = json.loads(request)["instances"][0]
        features = [str(v) for v in ([row[f] for f in FEATURES] if isinstance(row, dict) else row)]
    else:
        features = request.strip().split(",")
    response, is_json = decoded(record["captureData"]["endpointOutput"])
    prediction = float(json.loads(response)["predictions"][0] if is_json else response)
    meta = record["eventMetadata"]
    return meta["eventId"], meta.get("inferenceId"), meta["inferenceTime"], features, prediction


# ------------------------------------------------------------------------------ records

def test_choice_answers_score_what_they_earn():
    assert evaluate(lab01.TASK5, dict(SOLUTION)) == (4.0, [])
    points, messages = evaluate(lab01.TASK5, {**SOLUTION, "CUT_COST": "A", "JOIN_LABELS": " d "})
    assert points == 3.0 and messages[0].startswith("✗ CUT_COST")


def test_a_forged_record_claims_values_never_points():
    """A learner who prints a record with the right nonce can only claim answers."""
    check, nonce = lab01.TASK5, new_nonce()
    forged = {"values": {k: {"value": "B"} for k in lab01.TASK5_KEY}, "points": 4}
    outputs = [{"output_type": "stream", "name": "stdout",
                "text": nonce + json.dumps(forged) + nonce}]
    assert score_cell(check, {}, outputs, nonce)[0] == 1.0  # only CUT_COST is B
    score_cell_outputs = [{"output_type": "execute_result", "data": {"text/plain": "4.0"}}]
    assert score_cell(check, {}, score_cell_outputs, nonce)[0] == 0.0


@pytest.mark.parametrize("text", ["", "no record", "{nonce}{{not json{nonce}", "{nonce}[1, 2]{nonce}",
                                  '{nonce}{{"values": 28}}{nonce}'])
def test_a_missing_or_broken_record_scores_zero_with_a_message(text):
    nonce = new_nonce()
    outputs = [{"output_type": "stream", "name": "stdout", "text": text.format(nonce=nonce)}]
    points, messages = score_cell(lab01.TASK5, {"names": list(lab01.TASK5_KEY)}, outputs, nonce)
    assert points == 0.0 and messages and messages[0].startswith("✗")


def test_an_evaluation_that_raises_scores_zero():
    nonce = new_nonce()
    record, why = read_record([{"output_type": "error", "ename": "KeyboardInterrupt",
                                "evalue": ""}], nonce)
    assert record is None and "KeyboardInterrupt" in why


def test_objects_cross_as_descriptions_not_as_themselves():
    """An answer object whose __eq__ says yes to everything is only its repr outside."""
    class Liar(str):
        def __eq__(self, other):
            return True

        __hash__ = str.__hash__

        def strip(self):
            return self

        def upper(self):
            return self

    namespace = {**SOLUTION, "CUT_COST": Liar("Z"), "JOIN_LABELS": Liar("Z")}
    assert evaluate(lab01.TASK5, namespace)[0] == 2.0


def test_no_expected_value_enters_the_evaluation_cells():
    inputs = draw_inputs({c.grade_id: c for c in lab01.CHECKS}, seed=3)
    cells = "\n".join(evaluation_cell(c, inputs[c.grade_id], "N") for c in lab01.CHECKS)
    for secret in (repr(lab01.AVG_RECORD_BYTES), repr(lab01.UNUSABLE_PERCENT), lab01.TASK1_KMS_KEY,
                   '"B"', "'B'", "jsonlines"):
        assert secret not in cells
    for dest, endpoint, variant, when in inputs["task3-prefix-tests"]["hidden"]:
        assert lab01.expected_prefix(dest, endpoint, variant, when) not in cells


# ------------------------------------------------------------------------------ lab 01 scorers

def test_hidden_inputs_are_drawn_per_run_and_reproducible_from_the_seed():
    checks = {c.grade_id: c for c in lab01.CHECKS}
    assert draw_inputs(checks, 11) == draw_inputs(checks, 11)
    assert draw_inputs(checks, 11)["task3-prefix-tests"] != draw_inputs(checks, 12)["task3-prefix-tests"]


@pytest.mark.parametrize("seed", range(5))
def test_task2_records_are_read_by_the_engine_as_the_scorer_expects(seed):
    inputs = lab01.task2_inputs(random.Random(seed))
    kinds = [json.loads(line)["captureData"]["endpointInput"]["encoding"] for line, _ in inputs["hidden"]]
    assert kinds == ["CSV", "JSON", "BASE64", "BASE64"]
    for line, _ in inputs["hidden"]:
        expected = lab01.expected_parse(line)
        assert parse_solution(line) == expected
        frame = parse_capture_files([("x", line)]).frame
        assert frame["eventId"].iloc[0] == expected[0]
        assert float(frame["prediction"].iloc[0]) == expected[4]


@pytest.mark.parametrize("seed", range(5))
def test_task3_cases_cross_days_in_utc(seed):
    cases = lab01.task3_inputs(random.Random(seed))["hidden"]
    for dest, endpoint, variant, when in cases:
        assert lab01.expected_prefix(dest, endpoint, variant, when) == \
            hour_prefix(dest, endpoint, variant, hour_floor(as_utc(when)))
    local_days = [when[8:10] for *_, when in cases]
    utc_days = [lab01.expected_prefix(*case).split("/")[-3] for case in cases]
    assert local_days[0] == utc_days[0] and local_days[1] != utc_days[1] != local_days[2]


@pytest.mark.parametrize("seed", range(3))
def test_solution_values_earn_every_point_of_tasks_2_4_5_6(seed):
    namespace = {**SOLUTION, "parse_capture_line": parse_solution}
    assert evaluate(lab01.TASK4, namespace, seed) == (5.0, [])
    assert evaluate(lab01.TASK5, namespace, seed) == (4.0, [])
    assert evaluate(lab01.TASK6, namespace, seed) == (3.0, [])
    points, messages = evaluate(lab01.TASK2, namespace, seed)  # no lab S3 here: real line fails
    assert points == 5.5 and "capture file could not be read" in messages[0]


def test_a_function_that_still_raises_not_implemented_scores_zero():
    def not_written(*args):
        raise NotImplementedError("Write your answer here")

    points, messages = evaluate(lab01.TASK2, {"parse_capture_line": not_written})
    assert points == 0.0 and "NotImplementedError" in messages[0]


def test_task1_solution_config_full_marks_and_a_fraction_loses_the_sampling_point():
    config = {"EnableCapture": True, "InitialSamplingPercentage": 25,
              "DestinationS3Uri": lab01.TASK1_DESTINATION, "KmsKeyId": lab01.TASK1_KMS_KEY,
              "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
              "CaptureContentTypeHeader": {"CsvContentTypes": ["text/csv"],
                                           "JsonContentTypes": sorted(lab01.TASK1_JSON_TYPES)}}
    assert evaluate(lab01.TASK1, {"CAPTURE_CONFIG": config}) == (6.0, [])
    points, messages = evaluate(lab01.TASK1, {"CAPTURE_CONFIG": {**config, "InitialSamplingPercentage": 0.25}})
    assert points == 4.5  # botocore rejects a float (-0.5), the sampling check fails (-1)
    assert any("not a fraction" in m for m in messages)


# ------------------------------------------------------------------------------ notebooks

def _cell(gid, source="x = 1"):
    return new_code_cell(source, metadata={"nbgrader": {"grade_id": gid, "solution": True,
                                                        "grade": False, "locked": False,
                                                        "schema_version": 3, "task": False}})


def test_copy_pasted_cells_keep_their_code_and_only_the_last_keeps_its_id():
    nb = new_notebook(cells=[_cell("a", "x = 1"), _cell("a", "x = 2"), _cell("b"),
                             new_code_cell("y = 3", metadata={"nbgrader": {"solution": True}})])
    nb = normalise_submission(nb)
    assert ["nbgrader" in c.metadata for c in nb.cells] == [False, True, True, False]
    assert [c.source for c in nb.cells] == ["x = 1", "x = 2", "x = 1", "y = 3"]


def test_nbformat_v3_submissions_read_as_v4(tmp_path):
    from grader.notebooks import read_notebook

    v3 = nbformat.v3.new_notebook(worksheets=[nbformat.v3.new_worksheet(
        cells=[nbformat.v3.new_code_cell("x = 1")])])
    path = tmp_path / "old.ipynb"
    path.write_text(nbformat.v3.nbjson.writes(v3))
    assert read_notebook(path).nbformat == 4 and read_notebook(path).cells[0].source == "x = 1"


def test_hidden_test_blocks_are_stripped_from_feedback_sources():
    source = "a = 1\n### BEGIN HIDDEN TESTS\nassert x == 42\n### END HIDDEN TESTS\nscore"
    assert without_hidden_tests(source) == "a = 1\nscore"


def test_integrity_flags_name_tampering_in_answer_cells():
    nb = new_notebook(cells=[_cell("a", "min = lambda *a, **k: 28"),
                             _cell("b", "import sys\nsys.settrace(lambda *a: None)"),
                             _cell("c", "import math\nmath.isclose = lambda *a, **k: True"),
                             new_code_cell("get_ipython().input_transformers_post.append(f)"),
                             _cell("d", "def square(x):\n    return x * x")])
    flags = integrity_flags(nb)
    assert "a: assigns the builtin name min" in flags
    assert any(f.startswith("b: replaces an interpreter hook") for f in flags)
    assert any(f.startswith("c: replaces math/numpy") for f in flags)
    assert any(f.startswith("an added cell: patches IPython") for f in flags)
    assert not any(f.startswith("d:") for f in flags)


@pytest.mark.parametrize("text, cell", [("=HYPERLINK(1)", "'=HYPERLINK(1)"), ("+1", "'+1"),
                                        ("\t=1", "'\t=1"), ("ok", "ok"), ("|cmd", "'|cmd")])
def test_csv_cells_are_escaped_against_formula_injection(text, cell):
    assert _cell_text(text) == cell


def test_calling_the_engine_function_the_task_asks_for_is_caught():
    from grader.trusted import forbidden_uses

    cheat = ("from monitorlab.serving.capture import hour_prefix\n"
             "def capture_prefix(d, e, v, when):\n    return hour_prefix(d, e, v, when)")
    honest = "# unlike hour_prefix, written by hand\ndef capture_prefix(d, e, v, when):\n    return 'x'"
    assert forbidden_uses(lab01.TASK3, {"task3-prefix-answer": cheat})[0].startswith(
        "✗ task3-prefix-answer uses monitorlab's hour_prefix")
    assert forbidden_uses(lab01.TASK3, {"task3-prefix-answer": honest}) == []


def test_every_stray_file_gets_a_row_and_symlinks_are_refused(tmp_path):
    import csv
    import os

    from grader.results import write_csv
    from grader.submissions import find_submissions

    lab = tmp_path / "ann" / "lab01_data_capture"
    lab.mkdir(parents=True)
    (lab / "lab01_data_capture.ipynb").write_text("{}")
    (lab / "Untitled.ipynb").write_text("{}")
    (lab / "lab.zip").write_text("x")
    (tmp_path / "bob").mkdir()
    os.symlink("/etc/passwd", tmp_path / "bob" / "lab01_data_capture.ipynb")
    subs, skipped = find_submissions(tmp_path)
    assert [s.student for s in subs] == ["ann"]
    write_csv([], tmp_path / "g.csv", skipped=skipped)
    rows = list(csv.DictReader((tmp_path / "g.csv").open()))
    assert [(r["student"], r["task"]) for r in rows] == [("ann", "FILE")] * 2 + [("bob", "FILE")]
    assert "a notebook with another name" in rows[0]["note"] and "an archive" in rows[1]["note"]
    assert "symbolic link" in rows[2]["note"]


def test_copies_of_the_solution_or_of_a_classmate_are_flagged():
    from grader.submission_check import copy_flags

    solution = new_notebook(cells=[_cell("a", "### BEGIN SOLUTION\nx = 42\n### END SOLUTION")])
    release = new_notebook(cells=[_cell("a", "raise NotImplementedError()")])
    subs = {"ann": new_notebook(cells=[_cell("a", "x = 42")]),
            "bob": new_notebook(cells=[_cell("a", "x  =  7")]),
            "cy": new_notebook(cells=[_cell("a", "x = 7")]),
            "dee": new_notebook(cells=[_cell("a", "raise NotImplementedError()")]),
            "eve": new_notebook(cells=[_cell("a", "raise NotImplementedError()")])}
    flags = copy_flags(subs, solution, release)
    assert flags["ann"] == ["a: identical to the published solution"]
    assert flags["bob"] == ["a: identical to the answer of cy"]
    assert flags["dee"] == flags["eve"] == []


@pytest.mark.parametrize("lab", list_labs(ROOT))
def test_every_lab_scores_every_test_cell_outside_the_kernel(lab):
    release = read_notebook(ROOT / "labs" / lab / f"{lab}.ipynb")
    checks = load_checks(checks_file(ROOT, lab))
    assert {gid: c.points for gid, c in checks.items()} == task_points(release)
    solution = read_notebook(ROOT / "solutions" / lab / f"{lab}.ipynb")
    for cell in solution.cells:  # every hidden check lives in grader/checks, none in the notebook
        assert "### BEGIN HIDDEN TESTS" not in cell.source, f"{lab}: a hidden test in the notebook"
