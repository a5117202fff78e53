"""Module 04 (model quality with late labels): the lab grades as designed, and every expected value
of its trusted checks (``grader/checks/lab04_model_quality.py``, issue 14) equals what the engine
(or a named reference) computes, over the hidden inputs of several grading runs (seeds):

* task 1: the merges of :func:`monitorlab.monitoring.modelquality.merge`, and the solution's own
  ``merge_labels`` agrees with it; every drawn pair has the structure the task promises;
* task 2: :func:`monitorlab.stats.model_metrics.binary_metrics`, checked against scikit-learn;
  ``CM_72`` is the matrix the lab's hour-72 execution wrote;
* task 4: the engine's ``evaluate`` and moto read the solution's constraints and alarm;
* task 5: ``DRIFTED_LABELLED_48`` is the lab's labels' fraction, the rest ``ArrivalModel``'s.

Every case of ``grader/cases/lab04_model_quality.py`` is also scored in this process (the
evaluation cells run here, not in a kernel) over many seeds: each keeps its exact score whatever
the hidden inputs drawn.
"""

import contextlib
import copy
import io
import math
from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics as skm

from grader.cases import load_cases
from grader.checks import lab04_model_quality as checks
from grader.notebooks import read_notebook
from grader.testing import cell_sources, solution_answers
from grader.trusted import draw_inputs, evaluation_cell, forbidden_uses, new_nonce, score_cell
from monitorlab.account.clock import COURSE_EPOCH
from monitorlab.monitoring import groundtruth, modelquality as mq
from monitorlab.serving.scenarios import generate_traffic
from monitorlab.stats import model_metrics

ROOT = Path(__file__).resolve().parent.parent
LAB = "lab04_model_quality"
SOLUTION = ROOT / "solutions" / LAB / f"{LAB}.ipynb"
RELEASE = ROOT / "labs" / LAB / f"{LAB}.ipynb"
T0 = pd.Timestamp(COURSE_EPOCH)
FULL_MARKS = 36.0
SEEDS = range(10)
# The setup cell's traffic and labels.
LAB_TRAFFIC = {"hours": 48, "requests_per_hour": 40, "change_hour": 24, "seed": 3}
OFFSETS = ("-PT0H", "-P1D", "-P2D", "-P3D", "-P4D")


def drawn(seed: int) -> dict:
    """The hidden inputs of one grading run (``grader.trusted.draw_inputs``)."""
    return draw_inputs({c.grade_id: c for c in checks.CHECKS}, seed)


def lab_labels():
    traffic = generate_traffic("concept_drift", **LAB_TRAFFIC)
    return traffic, groundtruth.simulate_labels(traffic, seed=LAB_TRAFFIC["seed"])


def expected_fraction(days: int) -> float:
    """Expected labelled fraction of a one-day window ending ``days`` before the execution."""
    run = T0 + pd.Timedelta(days=10)
    return groundtruth.ArrivalModel().window_fraction(run - timedelta(days=days + 1),
                                                      run - timedelta(days=days), run)


def sklearn_metrics(cm: dict) -> dict[str, float]:
    """The six metrics by scikit-learn, from rows laid out as ``cm`` ({actual: {predicted}})."""
    cells = [(int(a), int(p), n) for a, row in cm.items() for p, n in row.items()]
    y = np.concatenate([np.full(n, a) for a, _, n in cells])
    predicted = np.concatenate([np.full(n, p) for _, p, n in cells])
    tn, fp = cm["0"]["0"], cm["0"]["1"]
    return {"precision": skm.precision_score(y, predicted, zero_division=0.0),
            "recall": skm.recall_score(y, predicted, zero_division=0.0),
            "accuracy": skm.accuracy_score(y, predicted),
            "f1": skm.f1_score(y, predicted, zero_division=0.0),
            "f2": skm.fbeta_score(y, predicted, beta=2, zero_division=0.0),
            "false_positive_rate": fp / (fp + tn) if fp + tn else 0.0}


@pytest.fixture(scope="module")
def sources():
    return cell_sources(SOLUTION)


@pytest.fixture(scope="module")
def labels():
    return lab_labels()[1]


# --------------------------------------------------------------------------------------------
# 1. Grading: untouched release 0, each typical mistake its exact score (solution: test_notebooks)
# --------------------------------------------------------------------------------------------

def test_untouched_and_every_case_grade_exactly():
    from grader.testing import grading_mismatches

    assert grading_mismatches(LAB, max_total=FULL_MARKS) == {}


def test_release_holds_no_solution_and_no_hidden_test():
    release = "\n".join(c.source for c in read_notebook(RELEASE).cells)
    solution = "\n".join(c.source for c in read_notebook(SOLUTION).cells)
    assert "BEGIN HIDDEN TESTS" not in solution          # converted: the checks module holds them
    for marker in ["BEGIN SOLUTION", "BEGIN HIDDEN TESTS", 'MISSED_FRAUD = "C"', "drop_duplicates",
                   '"GreaterThanThreshold"', "0.7125", "0.078125", "3 to 4 days old",
                   '"model-metrics"', 'AFTER_RETRAIN = "B"']:
        assert marker not in release, marker


def _namespace(answers: dict[str, str], labels: pd.DataFrame) -> dict:
    """A fresh 'kernel': the setup's names the answers use, then every answer cell run."""
    namespace = {"pd": pd, "np": np, "copy": copy, "math": math, "groundtruth": groundtruth,
                 "mq": mq, "T0": T0, "labels": labels}
    for source in answers.values():
        try:
            exec(source, namespace)  # noqa: S102  (our own solution, release and cases)
        except NotImplementedError:
            pass
    return namespace


DRAWN = {"task1-merge-tests", "task2-metrics-tests"}     # the checks whose inputs vary by seed


def _scores(answers: dict[str, str], labels: pd.DataFrame, seed: int,
            grade_ids=frozenset(c.grade_id for c in checks.CHECKS)) -> dict[str, float]:
    """Each check's points for ``answers``: evaluation cells run here, scored as grading does."""
    namespace, inputs, points = _namespace(answers, labels), drawn(seed), {}
    for check in (c for c in checks.CHECKS if c.grade_id in grade_ids):
        nonce, out = new_nonce(), io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(evaluation_cell(check, inputs[check.grade_id], nonce), namespace)  # noqa: S102
        outputs = [{"output_type": "stream", "name": "stdout", "text": out.getvalue()}]
        score, msgs = score_cell(check, inputs[check.grade_id], outputs, nonce)
        points[check.grade_id] = 0.0 if forbidden_uses(check, answers) else score
    return points


def test_each_case_keeps_its_exact_score_whatever_the_hidden_inputs(labels):
    """Solution full, untouched 0, each case its exact score, over many grading seeds."""
    solution = solution_answers(LAB)
    release = {gid: src for gid, src in cell_sources(RELEASE).items() if gid in solution}
    wanted = {"solution": (solution, FULL_MARKS), "untouched": (release, 0.0)}
    for case in load_cases(ROOT, LAB):
        wanted[case.name] = ({**solution, **case.replacements}, case.expected_score)
    assert {c.grade_id for c in checks.CHECKS if drawn(0)[c.grade_id] != drawn(1)[c.grade_id]} == DRAWN
    for name, (answers, expected) in wanted.items():
        points = _scores(answers, labels, 0)
        for seed in SEEDS:
            points.update(_scores(answers, labels, seed, DRAWN) if seed else {})
            assert math.isclose(sum(points.values()), expected, abs_tol=1e-9), (seed, name, points)


def test_forbidden_engine_functions_score_zero():
    answers = solution_answers(LAB)
    assert all(forbidden_uses(c, answers) == [] for c in checks.CHECKS)
    engine_merge = ("def merge_labels(captures, labels):\n    result = mq.merge(captures, labels)\n"
                    "    return result.frame, result.unmatched_predictions, result.orphan_labels\n")
    found = forbidden_uses(checks.TASK1, {"task1-merge-answer": engine_merge})
    assert found and "monitorlab's mq" in found[0]
    engine_metrics = ("from monitorlab.stats.model_metrics import binary_metrics\n"
                      "def metrics_from_confusion(cm):\n    return binary_metrics(cm)\n")
    assert len(forbidden_uses(checks.TASK2, {"task2-metrics-answer": engine_metrics})) == 3


# --------------------------------------------------------------------------------------------
# 2. Every expected value of the checks equals what the engine computes
# --------------------------------------------------------------------------------------------

def test_task1_expected_values_are_engine_merges(sources):
    visible = checks.TASK1_VISIBLE
    assert (f"{visible[0]!r},\n                       {visible[1]!r},\n                       "
            f"{visible[2]!r}, {checks.expected_merge(*visible)!r}, 1.5") in sources["task1-merge-tests"]
    namespace: dict = {"pd": pd, "np": np}
    exec(sources["task1-merge-answer"], namespace)  # noqa: S102  (our own solution cell)
    for seed in SEEDS:
        missing, wrong_key, twice = drawn(seed)["task1-merge-tests"]["hidden"]
        for case in (missing, wrong_key, twice):
            result = mq.merge(*checks.frames(*case))
            ids, truths, unmatched, orphans = checks.expected_merge(*case)
            assert ids == [str(v) for v in result.frame["eventId"]]
            assert (unmatched, orphans) == (result.unmatched_predictions, result.orphan_labels)
            merged, got_unmatched, got_orphans = namespace["merge_labels"](*checks.frames(*case))
            assert (merged["eventId"].tolist(), merged["groundTruth"].tolist(), got_unmatched,
                    got_orphans) == (ids, truths, unmatched, orphans)
        # frames 1: NaN and '' fall back to eventId; every capture labelled, one orphan
        assert missing[2] is True and {None, ""} <= set(missing[0]["inferenceId"])
        assert checks.expected_merge(*missing)[2:] == (0, 1)
        # frames 2: labels keyed by eventId are orphans; as many as the right ones (the counts of
        # a join on eventId agree, its rows do not)
        on_event = mq.merge(*checks.frames({**wrong_key[0], "inferenceId": [None] * len(wrong_key[0]["eventId"])},
                                           wrong_key[1], False))
        expected = checks.expected_merge(*wrong_key)
        assert (on_event.unmatched_predictions, on_event.orphan_labels) == expected[2:]
        assert on_event.frame["eventId"].tolist() != expected[0]
        # frames 3: the last label of an id labelled twice differs from its first; an orphan id
        # listed twice counts once; two captures unlabelled
        keep_first = pd.DataFrame(twice[1]).drop_duplicates("eventId", keep="first")
        assert checks.expected_merge(twice[0], keep_first.to_dict("list"), False)[1] != \
            checks.expected_merge(*twice)[1]
        assert checks.expected_merge(*twice)[2:] == (2, 1)
    assert drawn(0) == drawn(0) and drawn(0) != drawn(1)


def test_task1_solution_agrees_with_the_engine_on_random_frames(sources):
    namespace: dict = {"pd": pd, "np": np}
    exec(sources["task1-merge-answer"], namespace)  # noqa: S102  (our own solution cell)
    rng = np.random.default_rng(11)
    for _ in range(25):
        n = int(rng.integers(1, 30))
        ids = [f"i{k}" for k in rng.integers(0, 40, n)]
        missing = rng.random(n) < 0.3
        captures = pd.DataFrame({
            "eventId": [f"e{k}" for k in range(n)],
            "inferenceId": [(np.nan if rng.random() < 0.5 else "") if m else i for m, i in zip(missing, ids)],
            "prediction": rng.random(n)})
        captures = captures.drop_duplicates("inferenceId").reset_index(drop=True)  # ids are unique on AWS
        pool = [f"i{k}" for k in range(40)] + [f"e{k}" for k in range(30)]
        labels = pd.DataFrame({"eventId": rng.choice(pool, int(rng.integers(0, 40))).astype(object)})
        labels["groundTruth"] = rng.integers(0, 2, len(labels)).astype(str)
        merged, unmatched, orphans = namespace["merge_labels"](captures, labels)
        engine = mq.merge(captures, labels)
        assert merged["eventId"].tolist() == engine.frame["eventId"].tolist()
        assert merged["groundTruth"].tolist() == engine.frame["groundTruth"].tolist()
        assert (unmatched, orphans) == (engine.unmatched_predictions, engine.orphan_labels)


def test_task2_expected_values_are_engine_metrics_and_sklearns(sources):
    namespace: dict = {}
    exec(sources["task2-metrics-answer"], namespace)  # noqa: S102
    for seed in SEEDS:
        inputs = drawn(seed)["task2-metrics-tests"]
        assert inputs["visible"] == checks.CM_72
        for cm in [inputs["visible"], *inputs["hidden"]]:
            expected = checks.expected_metrics(cm)
            reference = sklearn_metrics(cm)
            assert expected == pytest.approx(reference, rel=1e-12, abs=1e-15)
            got = namespace["metrics_from_confusion"](copy.deepcopy(cm))
            assert got == pytest.approx(expected, rel=1e-12, abs=1e-15)
        rare, many_fp, none = inputs["hidden"]
        for cm in (rare, many_fp):               # precision != recall: a transposed matrix fails
            assert cm["0"]["1"] != cm["1"]["0"]
        assert sum(map(sum, (r.values() for r in rare.values()))) > 9000
        assert none["0"]["1"] == none["1"]["1"] == 0 < none["1"]["0"]


def test_task4_the_engine_and_moto_read_the_solution(sources):
    namespace: dict = {}
    exec(sources["task4-config-answer"], namespace)  # noqa: S102
    assert checks.engine_reads(namespace["CONSTRAINTS"]) is None
    assert checks.moto_accepts_alarm(namespace["ALARM"]) is None
    assert checks.ALARM_NAMESPACE == mq.NAMESPACE
    assert "comparison_operator" in checks.engine_reads(
        {"binary_classification_constraints": {"recall": {"threshold": 0.7, "comparison_operator": "Below"}}})
    assert checks.moto_accepts_alarm({**namespace["ALARM"], "Threshold": "0.7"}) is not None
    # a numpy number from the kernel is read as its value
    alarm = {**namespace["ALARM"], "Threshold": {"__obj__": "float64", "float": 0.7, "repr": "np.float64(0.7)"}}
    assert checks.score_task4({"constraints": {"value": namespace["CONSTRAINTS"]},
                               "alarm": {"value": alarm}}, {}) == (6.0, [])


def test_task5_expected_values_are_engine_values(labels):
    drifted = groundtruth.labelled_fraction(labels, T0 + pd.Timedelta(hours=24),
                                            T0 + pd.Timedelta(hours=48), T0 + pd.Timedelta(hours=48))
    assert checks.DRIFTED_LABELLED_48 == drifted
    for days in range(5):
        assert checks.window_fraction(days) == pytest.approx(expected_fraction(days), abs=1e-12)
    assert checks.window_fraction(2) == pytest.approx(0.7125, abs=1e-12)
    assert checks.expected_end_offset() == "-P3D" and checks.OFFSETS == OFFSETS


def test_lab_setup_shows_what_the_tasks_say(sources, labels):
    """The setup cell, run with the engine: no violation at hour 48 although the drifted day is in
    the window (task 5's answer B), a violation at hour 72, the labels of task 5, and the hour-72
    statistics.json whose matrix and metrics task 2's visible check uses."""
    namespace: dict = {}
    exec(sources["setup"].replace("import warnings; warnings.filterwarnings(\"ignore\")", ""),  # noqa: S102
         namespace)
    try:
        records = namespace["records"]
        assert records[48]["MonitoringExecutionStatus"] == "Completed"
        assert records[72]["MonitoringExecutionStatus"] == "CompletedWithViolations"
        assert records[72]["ViolatedMetrics"] == ["f1"]
        assert records[48]["WindowEnd"] - records[48]["WindowStart"] == timedelta(days=2)
        pd.testing.assert_frame_equal(namespace["labels"], labels)
        written = namespace["STATS_72"]["binary_classification_metrics"]
        cm = written["confusion_matrix"]
        assert sum(sum(row.values()) for row in cm.values()) == records[72]["Counts"]["matched"]
        assert cm == checks.CM_72
        assert checks.expected_metrics(cm) == pytest.approx(
            {k: written[k]["value"] for k in checks.TASK2_KEYS}, rel=1e-12, abs=1e-15)
    finally:
        namespace["sb"].stop()


def test_lecture_label_latency_numbers():
    """The lecture's table and recap: ~7 %, ~34 %, ~71 %, 90 % labelled for end offsets 0-3 days."""
    assert [round(expected_fraction(d), 3) for d in range(4)] == [0.072, 0.338, 0.713, 0.9]
    assert groundtruth.ArrivalModel().never == pytest.approx(0.1)
    drift = generate_traffic("concept_drift", hours=96, requests_per_hour=60, change_hour=48)
    plain = generate_traffic("none", hours=96, requests_per_hour=60, change_hour=48)
    assert drift.features().equals(plain.features())
    changed = (drift.requests["label"] != plain.requests["label"]).groupby(drift.requests["hour"] // 24).mean()
    assert changed[0] == changed[1] == 0 and (changed[2:] > 0.2).all()  # "more than one label in five"


def test_model_metrics_orientation_matches_the_task():
    """The task's {actual: {predicted}} layout is the engine's (outer key: the label)."""
    metrics = model_metrics.binary_metrics([1, 1, 0, 0], [0.9, 0.1, 0.9, 0.1])
    assert metrics["confusion_matrix"] == {"0": {"0": 1, "1": 1}, "1": {"0": 1, "1": 1}}
    metrics = model_metrics.binary_metrics([1, 0, 0], [0.9, 0.9, 0.9])
    assert metrics["confusion_matrix"]["0"]["1"] == 2 and metrics["precision"] == pytest.approx(1 / 3)
