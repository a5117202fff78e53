"""Grading a large class: the Dask pool, the results store, progress, the report and LMS exports.

Two tests grade for real (the toy lab of ``test_grader_pipeline``, 2-3 submissions): the Dask path
on a two-worker ``LocalCluster`` against the local path, and an interrupted run that resumes.
Everything else runs on made-up results in milliseconds.
"""

import csv
import io
import json
from pathlib import Path

import pytest

from grader.__main__ import main
from grader.autograde import LocalPool, grade_submissions
from grader.notebooks import read_notebook, write_notebook
from grader.grading_progress import Progress
from grader.report import (answers_digest, score_bins, write_all, write_canvas_csv,
                           write_gradescope)
from grader.results import SubmissionResult, TaskScore
from grader.store import ResultStore, lab_fingerprint
from grader.submissions import Submission
from grader.testing import default_jobs
from test_grader_pipeline import LAB, WRONG_MEAN, _cell, make_toy_course, submission

CELL_TIMEOUT = 5


def comparable(result: SubmissionResult) -> dict:
    """A result without what legitimately differs between two runs (time, paths, logs)."""
    data = result.to_dict()
    for key in ("seconds", "log", "notebook"):
        data.pop(key)
    return data


def write_subs(root: Path, folder: Path, answers: dict[str, dict]) -> list[Submission]:
    """Toy submissions ``folder/<name>/<lab>.ipynb`` with the solution's answers, then ``answers``."""
    subs = []
    for name, replacements in answers.items():
        path = folder / name / f"{LAB}.ipynb"
        write_notebook(submission(root, replacements), path)
        subs.append(Submission(name, LAB, path))
    return subs


@pytest.fixture(scope="module")
def toy_root(tmp_path_factory):
    """One toy course for the tests that only read it."""
    return make_toy_course(tmp_path_factory.mktemp("toy") / "course")


# --------------------------------------------------------------------------- the Dask path

def test_dask_local_cluster_grades_exactly_like_local_workers(tmp_path):
    from grader.cluster import DaskPool

    root = make_toy_course(tmp_path / "course")
    cheater = {"square_code": "def square(x):\n    return 9", "choice_answer": 'answer = "A"'}
    subs = write_subs(root, tmp_path / "subs",
                      {"wrong_mean": {"mean_code": WRONG_MEAN}, "cheater": cheater})
    edited = read_notebook(subs[1].notebook)
    _cell(edited, "test_choice").source = "pass  # tests? what tests?"
    write_notebook(edited, subs[1].notebook)
    # one seed for both runs: hidden inputs are drawn per run, and the seed is in each result
    local = grade_submissions(subs, root, timeout=CELL_TIMEOUT, jobs=default_jobs(), seed=7)
    with DaskPool.connect(cluster="local:2") as pool:
        assert "2 Dask worker(s), 2 thread(s)" in pool.describe()
        assert list(pool.warm_workers().values()) == [True, True]  # forkservers started at connect
        remote = grade_submissions(subs, root, timeout=CELL_TIMEOUT, pool=pool,
                                   feedback_dir=tmp_path / "feedback", seed=7)
    assert [comparable(r) for r in remote] == [comparable(r) for r in local]
    assert [(r.student, r.score) for r in remote] == [("cheater", 3.0), ("wrong_mean", 4.0)]
    assert remote[0].notes == ["test cell test_choice had been edited; autograde restored it"]
    assert [r.notebook for r in remote] == [str(s.notebook) for s in sorted(
        subs, key=lambda s: s.student)]  # the instructor's paths, not the workers' copies
    html = (tmp_path / "feedback" / "wrong_mean" / LAB / f"{LAB}.html").read_text()
    assert "mean([1, 2, 3]) should be 2" in html  # feedback came back from the worker


def test_cluster_spec_errors_name_the_fix(tmp_path, capsys):
    from grader.cluster import ClusterError, workers_in

    assert workers_in("local:3") == 3
    for bad in ("local:0", "local:", "3", "k8s:4", None):
        with pytest.raises(ClusterError, match="expected local:N"):
            workers_in(bad)
    (tmp_path / "subs" / "ann").mkdir(parents=True)
    (tmp_path / "subs" / "ann" / f"{LAB}.ipynb").write_text("{}")
    assert main(["autograde", str(tmp_path / "subs"), "--cluster", "local:0"]) == 2
    assert "expected local:N with N >= 1" in capsys.readouterr().err


def test_a_lab_packs_and_unpacks_for_workers(toy_root, tmp_path):
    from grader.autograde import prepare_lab
    from grader.cluster import pack_lab, unpack_lab

    root = toy_root
    prepared = prepare_lab(root, LAB, tmp_path / "prep")
    pack = pack_lab(prepared)
    assert pack_lab(prepared) == pack  # same bytes twice: workers cache it by digest
    unpacked = unpack_lab(pack)
    assert unpack_lab(pack).release == unpacked.release
    assert (unpacked.release / f"{LAB}.ipynb").read_bytes() == \
        (prepared.release / f"{LAB}.ipynb").read_bytes()
    assert unpacked.gradebook.read_bytes() == prepared.gradebook.read_bytes()
    assert (unpacked.points, unpacked.code_cells) == (prepared.points, prepared.code_cells)
    assert not any("solutions" in p.parts for p in unpacked.release.rglob("*"))
    missing = unpack_lab(pack_lab(prepare_lab(root, "lab99_none", tmp_path / "x")))
    assert "no lab named lab99_none" in missing.error


# --------------------------------------------------------------------------- resumable runs

class StopAfter(Progress):
    """Progress that stops the run (as Ctrl-C or a crash would) after ``n`` graded submissions."""

    def __init__(self, n):
        super().__init__()
        self.n = n

    def graded(self, result):
        super().graded(result)
        if self.done >= self.n:
            raise KeyboardInterrupt


class Spy:
    """A pool that records what it is asked to grade, then grades it (really, or made up)."""

    def __init__(self, pool=None):
        self.pool, self.asked = pool, []

    def grade(self, tasks, timeout, feedback_dir, run=None):
        self.asked += [sub.student for sub, _, _ in tasks]
        if self.pool is not None:
            yield from self.pool.grade(tasks, timeout, feedback_dir, run)
            return
        for sub, prepared, _ in tasks:
            yield SubmissionResult(sub.student, sub.lab, str(sub.notebook),
                                   tasks=[TaskScore("t", 1.0, 1.0)])


def test_an_interrupted_run_resumes_without_regrading(tmp_path):
    root = make_toy_course(tmp_path / "course")
    store = ResultStore(tmp_path / "store")
    subs = write_subs(root, tmp_path / "subs", {"ann": {}, "bob": {"mean_code": WRONG_MEAN}})
    run = dict(timeout=CELL_TIMEOUT, store=store)
    with pytest.raises(KeyboardInterrupt):
        grade_submissions(subs, root, pool=LocalPool(1), progress=StopAfter(1), **run)
    first = [p.parent.name for p in store.folder.glob("*/*/result.json")]
    assert len(first) == 1

    spy = Spy(LocalPool(1))
    resumed = grade_submissions(subs, root, pool=spy, **run)
    assert len(spy.asked) == 1  # only the submission the interrupted run did not finish
    assert [(r.student, r.score) for r in resumed] == [("ann", 6.0), ("bob", 4.0)]

    spy = Spy()
    again = grade_submissions(subs, root, pool=spy, **run)
    assert spy.asked == [] and [comparable(r) for r in again] == [comparable(r) for r in resumed]
    write_notebook(submission(root, {"choice_answer": 'answer = "A"'}), subs[1].notebook)
    grade_submissions(subs, root, pool=spy, **run)
    assert spy.asked == ["bob"]  # changed content, new key
    grade_submissions(subs, root, pool=spy, regrade=True, **run)
    assert spy.asked == ["bob", "ann", "bob"]


def test_store_keys_follow_content_lab_source_and_timeout(tmp_path):
    root = make_toy_course(tmp_path / "course")
    store = ResultStore(tmp_path / "store")
    sub = write_subs(root, tmp_path / "subs", {"ann": {}})[0]
    lab = lab_fingerprint(root, LAB)
    key = store.key(sub, lab, 60)
    assert store.key(sub, lab, 60) == key
    assert store.key(Submission("bob", LAB, sub.notebook), lab, 60) != key
    assert store.key(sub, lab, 30) != key
    (root / "solutions" / LAB / "data.csv").write_text("x\n1\n")  # the lab's source changed
    assert store.key(sub, lab_fingerprint(root, LAB), 60) != key
    clean = SubmissionResult("ann", LAB, "n", tasks=[TaskScore("t", 1.0, 2.0, "half")])
    assert store.save(key, clean) and store.load(key) == clean
    assert store.load(key, feedback=tmp_path / "fb") is None  # stored without feedback
    died = SubmissionResult("ann", LAB, "n", error="the kernel died")
    assert not store.save("f" * 64, died) and store.load("f" * 64) is None


# --------------------------------------------------------------------------- progress

def test_progress_is_one_line_per_submission_off_a_terminal():
    lines = []
    progress = Progress(lines.append)
    progress.start(2, reused=3)
    progress.graded(SubmissionResult("ann", LAB, "n", tasks=[TaskScore("t", 2.0, 2.0)]))
    progress.graded(SubmissionResult("bob", LAB, "n", error="the kernel died"))
    assert "3 submission(s) unchanged" in lines[0] and "--regrade" in lines[0]
    assert lines[1].startswith(f"[1/2] ann {LAB}: 2/2 (0.0 s) | ") and "/s, ~" in lines[1]
    assert lines[2] == f"[2/2] bob {LAB}: ERROR: the kernel died (0.0 s)"


def test_progress_on_a_terminal_prints_only_problems_above_the_bar():
    stream = io.StringIO()
    progress = Progress(terminal=True, stream=stream)
    progress.start(2)
    progress.graded(SubmissionResult("ann", LAB, "n", tasks=[TaskScore("t", 2.0, 2.0)]))
    progress.graded(SubmissionResult("bob", LAB, "n", error="the kernel died"))
    progress.close()
    assert "bob" in stream.getvalue() and "ann" not in stream.getvalue()


# --------------------------------------------------------------------------- report & exports

def made_up_results(root: Path, tmp_path: Path) -> list[SubmissionResult]:
    """Five results of a 3-point lab and one of another lab; two learners share answers."""
    subs = write_subs(root, tmp_path / "subs", {"ann": {}, "bob": {}, "cy": {
        "mean_code": WRONG_MEAN}})
    path = {s.student: str(s.notebook) for s in subs}

    def r(student, a, b, **extra):
        return SubmissionResult(student, LAB, path.get(student, "nowhere.ipynb"), tasks=[
            TaskScore("t1", a, 1.0, "" if a == 1 else "t1: wrong sign\nmore"),
            TaskScore("t2", b, 2.0, "" if b == 2 else "t2: expected 4")], **extra)

    return [r("ann", 1, 2, seconds=3.0), r("bob", 1, 2, seconds=9.5),
            r("cy", 0, 1, notes=["test cell t2 had been edited; autograde restored it"]),
            r("dee", 0, 0, error="the kernel died while running the notebook"),
            r("eve", 0, 2, seconds=1.0),
            SubmissionResult("ann", "lab02_other", "x", tasks=[TaskScore("q", 5.0, 5.0)])]


def test_report_shows_distribution_pass_rates_failures_flags_and_slowest(toy_root, tmp_path):
    results = made_up_results(toy_root, tmp_path)
    written = write_all(results, tmp_path / "out", toy_root)
    page = written[0].read_text()
    assert page.count("<section") == 2 and "<svg class='hist'" in page
    assert "5 submission(s); mean 1.8, median 2, min 0, max 3 of 3; 1 stopped by an error" in page
    assert "<td>t1</td><td>1</td><td>40 %</td><td>0 %</td><td>60 %</td><td>0.4</td>" in page
    assert "<td>2</td><td>t1</td><td>t1: wrong sign</td>" in page  # first line, 2 learners
    assert "test cell t2 had been edited" in page and "grading stopped: the kernel died" in page
    assert "ann, bob</td><td>2 submissions with identical answer cells" in page
    assert page.index("<td>bob</td><td>9.5</td>") < page.index("<td>ann</td><td>3.0</td>")
    assert score_bins([0, 1.5, 3, 3], 3.0)[0] == ("0-0.3", 1)
    assert score_bins([0, 1.5, 3, 3], 3.0)[-1] == ("2.7-3", 2)


def test_untouched_releases_are_not_flagged_as_copies(toy_root, tmp_path):
    root = toy_root
    release = root / "labs" / LAB / f"{LAB}.ipynb"
    assert answers_digest(release) is not None
    assert answers_digest(tmp_path / "missing.ipynb") is None
    results = [SubmissionResult(s, LAB, str(release), tasks=[TaskScore("t", 0.0, 1.0)])
               for s in ("ann", "bob")]
    write_all(results, tmp_path / "out", root)
    assert "identical answer cells" not in (tmp_path / "out" / "report.html").read_text()


def test_canvas_gradebook_csv(toy_root, tmp_path):
    write_canvas_csv(made_up_results(toy_root, tmp_path), tmp_path / "canvas.csv")
    rows = list(csv.reader((tmp_path / "canvas.csv").open()))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", LAB,
                       "lab02_other"]
    assert rows[1] == ["Points Possible", "", "", "", "", "3", "5"]
    assert rows[2] == ["ann", "", "", "ann", "", "3", "5"]
    assert rows[4] == ["cy", "", "", "cy", "", "1", ""]  # no submission: left ungraded
    assert rows[5] == ["dee", "", "", "dee", "", "0", ""]


def test_gradescope_results_json(toy_root, tmp_path):
    write_gradescope(made_up_results(toy_root, tmp_path), tmp_path / "gs")
    cy = json.loads((tmp_path / "gs" / LAB / "cy" / "results.json").read_text())
    assert cy["score"] == 1.0 and cy["output"].startswith("test cell t2 had been edited")
    assert cy["tests"][0] == {"name": "t1", "number": "1", "score": 0.0, "max_score": 1.0,
                              "status": "failed", "output": "t1: wrong sign\nmore",
                              "visibility": "after_published"}
    assert cy["tests"][1]["score"] == 1.0 and cy["stdout_visibility"] == "hidden"
    dee = json.loads((tmp_path / "gs" / LAB / "dee" / "results.json").read_text())
    assert dee["score"] == 0.0 and "kernel died" in dee["output"]


# --------------------------------------------------------------------------- the suite's budget

def test_grading_jobs_share_the_cores_among_pytest_workers(monkeypatch):
    from grader.testing import default_jobs

    monkeypatch.setattr("os.sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.setenv("PYTEST_XDIST_WORKER_COUNT", "2")
    assert default_jobs() == 1  # two workers on two cores: one kernel each, not two
    monkeypatch.setenv("PYTEST_XDIST_WORKER_COUNT", "4")
    assert default_jobs() == 1
    monkeypatch.delenv("PYTEST_XDIST_WORKER_COUNT")
    assert default_jobs() == 2


def test_a_dead_kernel_logs_how_its_process_ended():
    """nbclient only says "Kernel died": the grader's kernel manager logs the signal or exit code."""
    import asyncio
    import logging
    import os
    import signal

    from grader.kernel import VenvKernelManager

    async def kill_and_ask():
        km = VenvKernelManager()
        stream = io.StringIO()
        km.log.addHandler(logging.StreamHandler(stream))
        await km.start_kernel()
        try:
            os.kill(km.provisioner.process.pid, signal.SIGSEGV)
            while km.provisioner.process.poll() is None:  # (provisioner.wait() forgets it)
                await asyncio.sleep(0.1)
            alive = [await km._async_is_alive(), await km._async_is_alive()]
        finally:
            await km.shutdown_kernel(now=True)
        return alive, stream.getvalue()

    alive, log = asyncio.run(kill_and_ask())
    assert alive == [False, False]
    assert log.count("ended with signal SIGSEGV") == 1


def test_late_cell_outputs_do_not_fail_a_submission_on_a_loaded_machine():
    from grader import boxrun
    from grader.settings import load_config

    # nbclient's default is 4 s, and nbgrader makes a late output fail the whole submission;
    # the sandboxed run (boxrun) is what grades, and it ran with 4 s until it had its own settings
    assert load_config().Execute.iopub_timeout >= 30
    assert boxrun.EXECUTE["iopub_timeout"] >= 30
