"""Autograding many submissions: in parallel worker processes, each in its own sandbox.

1. For every lab submitted, ``generate`` runs once into a temporary folder: it gives the release
   and a gradebook holding the lab's cells and hidden tests; the source copy is then deleted.
2. Each submission is read first: a file that is not a notebook gets score 0 and an error note
   without starting anything.
3. Each valid submission is graded by a ``grader.worker`` process (forked from a warm server:
   ``grader.warm``) in a fresh sandbox folder
   (release + submission + a copy of the gradebook; never the solutions), in the grading
   environment (fake AWS credentials, see ``grader.environment``), with the per-cell timeout.
   ``jobs`` workers run at once. A worker that outlives its wall-clock limit
   (``timeout * (code cells + 2) + 60`` seconds) is killed with its kernel, and its submission
   gets score 0 and an error note; nothing a submission does can stop the others.

Grading one submission (``grade_one``: submission + prepared lab -> ``SubmissionResult``) is the
unit a pool distributes: ``LocalPool`` runs it in threads here, ``grader.cluster.DaskPool`` on
the workers of a Dask cluster. A ``grader.store.ResultStore`` skips submissions graded before.
"""

import json
import secrets
import shutil
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from grader import layout
from grader.sandbox import SandboxUnavailable, available as sandbox_available, log_tail
from grader.environment import ensure_venv_on_path, grading_env
from grader.generate import GenerateError, generate_lab
from grader.notebooks import NotebookError, read_notebook, task_points
from grader.grading_progress import as_progress
from grader.results import SubmissionResult, failed, sort_results
from grader.submissions import Submission
from grader.sync import compare_folders
from grader.submission_check import copy_flags
from grader.trusted import checks_file
from grader.warm import start_worker

WALL_SLACK = 60
_RUNNING: set = set()  # workers started by this process and not yet finished (Popen or WarmWorker)


@dataclass
class PreparedLab:
    """A lab ready for grading: release folder, gradebook, points per task, code cell count."""

    lab: str
    release: Path | None = None
    gradebook: Path | None = None
    points: dict[str, float] = field(default_factory=dict)
    code_cells: int = 0
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    checks: str | None = None


def grade_submissions(submissions: list[Submission], root: Path, *, timeout: int, jobs: int = 2,
                      feedback_dir: Path | None = None, progress=None, pool=None, store=None,
                      regrade: bool = False, sandboxed: bool = True,
                      seed: int | None = None) -> list[SubmissionResult]:
    """Grade every submission; return one result each, sorted by student and lab.

    ``pool`` grades the submissions (default ``LocalPool(jobs)``: worker processes on this
    machine; ``grader.cluster.DaskPool``: the same ``grade_one`` on a Dask cluster's workers).
    With ``store`` (a ``grader.store.ResultStore``), a submission whose content hash is stored is
    not graded again unless ``regrade``, and each clean grade is stored as it arrives, so an
    interrupted run loses only the submissions in flight. ``progress`` is a callable taking one
    line (``print``) or a ``grader.grading_progress.Progress`` (a bar on a terminal).
    ``sandboxed=False`` runs learner code without bwrap (the results say so); with the default,
    ``SandboxUnavailable`` is raised when bwrap cannot start. ``seed`` fixes the hidden inputs
    of trusted checks (default: drawn for this run, recorded in every result).
    """
    ensure_venv_on_path()
    if sandboxed and (why := sandbox_available()):
        raise SandboxUnavailable(f"no sandbox for learner code: {why}. Fix that, or pass "
                                 "--unsandboxed to grade without one (learner code then runs "
                                 "with your user's rights)")
    seed = secrets.randbelow(2**31) if seed is None else int(seed)
    run = {"seed": seed, "sandboxed": sandboxed}
    progress = as_progress(progress)
    keys = store.keys(submissions, root, timeout) if store else {}
    results, todo = [], []
    for sub in submissions:
        stored = None if regrade or not store else store.load(
            keys[sub.student, sub.lab], feedback_folder(feedback_dir, sub.student, sub.lab))
        (results if stored else todo).append(stored or sub)
    with tempfile.TemporaryDirectory(prefix="monitorlab-autograde-") as tmp:
        tmp = Path(tmp)
        labs = {lab: prepare_lab(root, lab, tmp / "prep" / lab)
                for lab in sorted({s.lab for s in todo})}
        for prepared in labs.values():
            for warning in prepared.warnings:
                progress(f"warning: {warning}")
        progress.start(len(todo), reused=len(results))
        tasks = [(sub, labs[sub.lab], tmp / f"sub{i:05d}") for i, sub in enumerate(todo)]
        try:
            for result in (pool or LocalPool(jobs)).grade(tasks, timeout, feedback_dir, run):
                if store:
                    store.save(keys[result.student, result.lab], result,
                               feedback_folder(feedback_dir, result.student, result.lab))
                results.append(result)
                progress.graded(result)
        finally:
            progress.close()
    add_copy_flags(results, submissions, root)
    return sort_results(results)


class LocalPool:
    """Worker processes on this machine, ``jobs`` at a time (threads waiting on processes)."""

    def __init__(self, jobs: int = 2):
        self.jobs = max(1, jobs)

    def grade(self, tasks, timeout: int, feedback_dir: Path | None, run: dict | None = None):
        """Yield a result per ``(submission, prepared lab, sandbox)`` task, as each finishes;
        ``run`` holds the run's seed and sandbox switch (``grade_one``)."""
        with ThreadPoolExecutor(max_workers=self.jobs) as pool:
            futures = [pool.submit(grade_one, sub, prepared, sandbox, timeout, feedback_dir, run)
                       for sub, prepared, sandbox in tasks]
            try:
                for future in as_completed(futures):
                    yield future.result()
            except BaseException:  # Ctrl-C or the caller stopped: workers run in their own sessions
                for future in futures:
                    future.cancel()
                _stop_running_workers()
                raise


def feedback_folder(feedback_dir: Path | None, student: str, lab: str) -> Path | None:
    """Where one submission's feedback goes (None without ``--feedback``)."""
    return feedback_dir / student / lab if feedback_dir else None


def add_copy_flags(results: list[SubmissionResult], submissions: list[Submission],
                   root: Path) -> None:
    """Flag answers identical to the published solution or to another submission's (integrity)."""
    for lab in sorted({s.lab for s in submissions}):
        try:
            solution = read_notebook(layout.source_notebook(root, lab))
            release = read_notebook(layout.release_notebook(root, lab))
        except (NotebookError, layout.LayoutError):
            continue
        notebooks = {}
        for sub in submissions:
            if sub.lab == lab and not sub.notebook.is_symlink():
                try:
                    notebooks[sub.student] = read_notebook(sub.notebook)
                except NotebookError:
                    pass
        flags = copy_flags(notebooks, solution, release)
        for result in results:
            if result.lab == lab:
                result.integrity = [*result.integrity, *flags.get(result.student, [])]


def prepare_lab(root: Path, lab: str, workdir: Path) -> PreparedLab:
    """Generate ``lab`` into ``workdir`` for grading, or explain why it cannot be graded."""
    known = layout.list_labs(root)
    if lab not in known:
        return PreparedLab(lab, error=f"no lab named {lab} in {root / layout.SOURCE_DIR} "
                                      f"(labs there: {', '.join(known) or 'none'})")
    workdir.mkdir(parents=True)
    try:
        generated = generate_lab(root, lab, workdir)
    except (GenerateError, NotebookError) as exc:
        return PreparedLab(lab, error=str(exc))
    release_nb = read_notebook(generated.release / f"{lab}.ipynb")
    warnings = []
    if compare_folders(generated.release, layout.release_dir(root, lab), root):
        warnings.append(f"{layout.RELEASE_DIR}/{lab} is not what generate makes of "
                        f"{layout.SOURCE_DIR}/{lab}; grading against the current source "
                        "(run `python -m grader check-sync`)")
    checks = checks_file(root, lab)
    return PreparedLab(lab, generated.release, generated.gradebook, task_points(release_nb),
                       sum(c.cell_type == "code" for c in release_nb.cells), warnings=warnings,
                       checks=str(checks.resolve()) if checks.is_file() else None)


def grade_one(sub: Submission, prepared: PreparedLab, sandbox: Path, timeout: int,
              feedback_dir: Path | None, run: dict | None = None) -> SubmissionResult:
    """Grade one submission in ``sandbox`` (a new folder) through a worker process."""
    base = dict(student=sub.student, lab=sub.lab, notebook=str(sub.notebook))
    if prepared.error:
        return failed(error=prepared.error, **base)
    if sub.notebook.is_symlink():
        return failed(error=f"{sub.notebook} is a symbolic link; links are not followed. Fix: "
                            "submit the notebook file itself", points=prepared.points, **base)
    try:
        read_notebook(sub.notebook)
    except NotebookError as exc:
        return failed(error=str(exc), points=prepared.points, **base)
    sandbox.mkdir(parents=True)
    job = {**make_job(sub, prepared, sandbox, timeout, feedback_dir), **(run or {})}
    wall = timeout * (prepared.code_cells + 2) + WALL_SLACK
    return run_worker(job, wall, prepared.points)


def make_job(sub: Submission, prepared: PreparedLab, sandbox: Path, timeout: int,
             feedback_dir: Path | None) -> dict:
    """The job file ``grader.worker`` reads."""
    return {
        "student": sub.student, "lab": sub.lab, "notebook": str(sub.notebook.resolve()),
        "release": str(prepared.release), "gradebook": str(prepared.gradebook),
        "points": prepared.points, "timeout": int(timeout), "sandbox": str(sandbox / "box"),
        "result": str(sandbox / "result.json"),
        "feedback": str(feedback_dir / sub.student / sub.lab) if feedback_dir else None,
        "checks": prepared.checks,
    }


def run_worker(job: dict, wall: float, points: dict[str, float]) -> SubmissionResult:
    """Run ``grader.worker`` on ``job`` (``grader.warm.start_worker``: forked from a warm server, or
    ``python -m grader.worker``); a result even if the worker dies or hangs."""
    sandbox = Path(job["result"]).parent
    Path(job["sandbox"]).mkdir()
    job_file, log_file = sandbox / "job.json", sandbox / "worker.log"
    job_file.write_text(json.dumps(job), encoding="utf-8")
    base = dict(student=job["student"], lab=job["lab"], notebook=job["notebook"], points=points)
    started = time.monotonic()
    proc = start_worker(job_file, sandbox, grading_env(sandbox / "scratch"), log_file)
    _RUNNING.add(proc)
    try:
        proc.wait(timeout=wall)
    except subprocess.TimeoutExpired:
        kill_tree(proc)
        return failed(error=f"grading took longer than the {wall:.0f} s limit and was "
                            "stopped (an answer that never finishes?)",
                      seconds=time.monotonic() - started, log=_tail(log_file), **base)
    finally:
        _RUNNING.discard(proc)
    result_file = Path(job["result"])
    if not result_file.is_file():
        return failed(error=f"the grading process exited with code {proc.returncode} before "
                            "writing a result", seconds=time.monotonic() - started,
                      log=_tail(log_file), **base)
    result = SubmissionResult.from_dict(json.loads(result_file.read_text(encoding="utf-8")))
    shutil.rmtree(job["sandbox"], ignore_errors=True)  # free disk space during long batches
    return result


def kill_tree(proc) -> None:
    """Kill a worker and every process it started (its kernel runs in another session)."""
    try:
        family = psutil.Process(proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        family = []
    for p in family:
        try:
            p.kill()
        except psutil.NoSuchProcess:
            pass
    proc.kill()
    proc.wait()
    psutil.wait_procs(family, timeout=5)


def _stop_running_workers() -> None:
    """Kill every worker still running (and its kernel)."""
    for proc in list(_RUNNING):
        kill_tree(proc)


def _tail(path: Path, chars: int = 4000) -> str:
    """The end of a log file."""
    return log_tail(path, chars)
