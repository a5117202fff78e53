"""Grading workers forked from a warm server instead of started cold.

A grading worker (``grader.worker``) used to be a fresh ``python -m grader.worker JOB``: before
grading anything it spent 2-3 s of CPU importing nbgrader, nbconvert and, to score, the engine
(numpy, pandas, moto). For a class of hundreds that is most of the grader's own cost.
``start_worker`` forks each worker from ``multiprocessing``'s *forkserver*, a process started
once per grading run that imported ``PRELOAD`` already, so a worker starts with them in memory.

What does not change: each submission still gets its own worker process (a fork: nothing one
job does in memory reaches the next), in its own session (``os.setsid``, so ``kill_tree`` stops
it and its kernel), with its own working folder, environment and log file, running the same
``grader.worker.main``. Learner code never runs in a worker: it runs in the sandboxed kernel the
worker starts. The forkserver holds nothing of any submission.

Where forking is not possible (not POSIX, or inside a daemonic process such as a Dask worker,
which may not have children through ``multiprocessing``), or when ``MONITORLAB_COLD_WORKERS=1``
asks for it, or if the forkserver cannot serve, ``start_worker`` starts the cold
``python -m grader.worker`` as before.
"""

import multiprocessing
import os
import subprocess
import sys
import threading
import types
from pathlib import Path

COLD_FLAG = "MONITORLAB_COLD_WORKERS"
# What the workers and the labs' checks (``grader/checks``) import: every submission would pay it.
PRELOAD = ["grader.worker", "grader.trusted", "numpy", "pandas", "scipy.stats",
           "monitorlab.account.sandbox", "monitorlab.serving.capture",
           "monitorlab.serving.endpoint", "monitorlab.serving.model", "monitorlab.serving.scenarios",
           "monitorlab.stats.drift", "monitorlab.stats.bias", "monitorlab.stats.ranking",
           "monitorlab.stats.model_metrics", "monitorlab.monitoring.clarify_files",
           "monitorlab.security.iam", "monitorlab.operations.cost", "monitorlab.operations.scaling",
           "moto.sagemaker.models", "moto.s3.models", "moto.cloudwatch.models", "grader.warm_up"]

_context = None
_lock = threading.Lock()
_start_lock = threading.Lock()
# ``multiprocessing`` starts a child by importing the parent's ``__main__`` again (a script given
# to ``python script.py`` would run a second time, unguarded). A worker needs nothing from it:
# while a worker starts, ``__main__`` is this empty module, so the child imports nothing extra.
_NO_MAIN = types.ModuleType("__main__")


class WarmWorker:
    """A forked worker with the part of ``subprocess.Popen``'s interface grading uses."""

    def __init__(self, process: multiprocessing.Process):
        self._process = process
        self.pid = process.pid

    @property
    def returncode(self) -> int | None:
        """The exit code (negative: the signal), None while running."""
        return self._process.exitcode

    def poll(self) -> int | None:
        """As ``Popen.poll``."""
        return self._process.exitcode

    def wait(self, timeout: float | None = None) -> int:
        """As ``Popen.wait``: the exit code, or ``subprocess.TimeoutExpired``."""
        self._process.join(timeout)
        if self._process.exitcode is None:
            raise subprocess.TimeoutExpired(f"grader.worker (pid {self.pid})", timeout)
        return self._process.exitcode

    def kill(self) -> None:
        """SIGKILL the worker (its kernel is stopped by ``kill_tree``)."""
        self._process.kill()


def warm_possible() -> bool:
    """True where workers can be forked from the forkserver (see the module docstring)."""
    return (os.name == "posix" and not os.environ.get(COLD_FLAG)
            and not multiprocessing.current_process().daemon
            and "forkserver" in multiprocessing.get_all_start_methods())


def start_worker(job_file: Path, cwd: Path, env: dict[str, str], log_path: Path):
    """Start the worker for ``job_file``: forked when ``warm_possible()``, else cold.

    Its standard output and error go to ``log_path``; returns a ``WarmWorker`` or a ``Popen``.
    """
    if not warm_possible():
        return _start_cold(job_file, cwd, env, log_path)
    process = _forkserver().Process(target=_run_forked,
                                    args=(str(job_file), str(cwd), dict(env), str(log_path)),
                                    name=f"grader.worker {Path(job_file).parent.name}")
    with _lock:  # multiprocessing would re-run the caller's main script in the child: hide it
        main = sys.modules["__main__"]
        sys.modules["__main__"] = _NO_MAIN
        try:
            process.start()
        except (OSError, EOFError, RuntimeError) as error:  # the forkserver could not serve
            with open(log_path, "a", encoding="utf-8") as log:
                log.write(f"warm start failed ({error!r}); starting the worker cold\n")
            return _start_cold(job_file, cwd, env, log_path)
        finally:
            sys.modules["__main__"] = main
    return WarmWorker(process)


def prestart() -> bool:
    """Start this process's forkserver now and wait until it has imported ``PRELOAD`` (a few
    seconds of CPU, otherwise paid by the first submission); True if workers will be warm.

    A Dask worker runs it when a pool connects (``grader.cluster.DaskPool``), so a long-lived
    cluster worker pays the start-up once, before any submission is timed or waits.
    """
    if not warm_possible():
        return False
    process = _forkserver().Process(target=_ready, name="grader.warm prestart")
    with _lock:
        main = sys.modules["__main__"]
        sys.modules["__main__"] = _NO_MAIN
        try:
            process.start()
        except (OSError, EOFError, RuntimeError):
            return False
        finally:
            sys.modules["__main__"] = main
    process.join()
    return process.exitcode == 0


def _ready() -> None:
    """The forked no-op ``prestart`` waits for (it runs once the server has preloaded)."""


def _start_cold(job_file: Path, cwd: Path, env: dict[str, str], log_path: Path):
    """``python -m grader.worker JOB`` in a new session (what every worker was before)."""
    with open(log_path, "ab") as log:
        return subprocess.Popen([sys.executable, "-m", "grader.worker", str(job_file)],
                                cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)


def _forkserver():
    """The forkserver context, with ``PRELOAD`` (set once, before the server starts)."""
    global _context
    with _start_lock:
        if _context is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(PRELOAD)
            _context = context
    return _context


def _run_forked(job_file: str, cwd: str, env: dict[str, str], log_path: str) -> None:
    """In the forked worker: a session, folder, environment and log of its own; then grade."""
    os.setsid()
    log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    from grader.worker import main

    code = main([job_file])
    sys.stdout.flush()
    sys.stderr.flush()
    sys.exit(code)
