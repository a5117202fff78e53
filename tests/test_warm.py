"""Grading workers forked from the warm server (``grader.warm``) grade exactly like cold ones.

A forked worker must be what ``python -m grader.worker`` was: its own process, folder and log, an
exit code, a timeout like ``Popen.wait``, and the same result for the same submission and seed.
"""

import json
import os
import subprocess

import pytest

from grader import warm
from grader.autograde import grade_submissions
from tests.test_grader_pipeline import CELL_TIMEOUT, WRONG_MEAN, make_toy_course
from tests.test_grader_scale import comparable, write_subs


def test_warm_and_cold_workers_give_the_same_result(tmp_path, monkeypatch):
    root = make_toy_course(tmp_path / "course")
    subs = write_subs(root, tmp_path / "subs", {"wrong_mean": {"mean_code": WRONG_MEAN}})
    assert warm.warm_possible()
    warmed = grade_submissions(subs, root, timeout=CELL_TIMEOUT, jobs=1, seed=3)
    assert warm._context is not None  # the forkserver really started the worker
    monkeypatch.setenv(warm.COLD_FLAG, "1")
    assert not warm.warm_possible()
    cold = grade_submissions(subs, root, timeout=CELL_TIMEOUT, jobs=1, seed=3)
    assert [comparable(r) for r in warmed] == [comparable(r) for r in cold]
    assert warmed[0].score == 4.0 and warmed[0].error is None


def test_a_forked_worker_fails_into_its_own_log_with_its_exit_code(tmp_path):
    job = tmp_path / "job.json"
    job.write_text(json.dumps({"lab": "x"}))  # no sandbox, no notebook: the worker fails at once
    log = tmp_path / "worker.log"
    worker = warm.start_worker(job, tmp_path, {"PATH": os.environ["PATH"], "ONLY_THIS": "1"}, log)
    assert isinstance(worker, warm.WarmWorker)
    assert worker.wait(timeout=20) == 1
    text = log.read_text()
    assert "KeyError" in text and "Traceback" in text  # the worker's error went to its own log


def test_wait_reports_a_timeout_like_popen(tmp_path):
    job = tmp_path / "job.json"
    job.write_text("{}")
    worker = warm.start_worker(job, tmp_path, {"PATH": os.environ["PATH"]}, tmp_path / "log")
    worker.wait(timeout=20)
    assert worker.returncode == 1 and worker.poll() == 1
    stuck = warm.WarmWorker.__new__(warm.WarmWorker)
    stuck._process, stuck.pid = type("P", (), {"join": lambda self, t: None, "exitcode": None})(), 1
    with pytest.raises(subprocess.TimeoutExpired):
        stuck.wait(timeout=0.01)


def test_a_forkserver_that_cannot_serve_falls_back_to_a_cold_worker(tmp_path, monkeypatch):
    class Broken:
        def Process(self, **kwargs):
            class P:
                def start(self):
                    raise EOFError("forkserver gone")
            return P()

    monkeypatch.setattr(warm, "_forkserver", lambda: Broken())
    job = tmp_path / "job.json"
    job.write_text("{}")
    worker = warm.start_worker(job, tmp_path, {"PATH": os.environ["PATH"]}, tmp_path / "log")
    assert isinstance(worker, subprocess.Popen)
    assert worker.wait(timeout=60) == 1
    assert "starting the worker cold" in (tmp_path / "log").read_text()


def test_prestart_waits_for_a_preloaded_forkserver_and_knows_when_it_cannot(monkeypatch):
    assert warm.prestart() is True
    import multiprocessing.forkserver as fs

    assert fs._forkserver._forkserver_pid is not None  # the server runs, preloaded, before any job
    monkeypatch.setenv(warm.COLD_FLAG, "1")
    assert warm.prestart() is False  # cold workers: nothing to warm
