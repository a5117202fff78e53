"""Grading on a Dask cluster: ``autograde DIR --cluster local:N`` or ``--scheduler tcp://HOST:8786``.

The instructor's machine prepares each lab once (``grader.autograde.prepare_lab``: release and
gradebook with the hidden tests, never the solutions), packs it as bytes and scatters it to the
cluster; then it submits one Dask task per submission carrying the notebook's bytes. On a
worker, ``grade_on_worker`` unpacks the lab once per worker machine (cached by its digest under
the temp folder), writes the notebook into a private temp folder and calls
``grader.autograde.grade_one``: exactly the code path of a local run (the same worker process,
sandbox, environment, limits and scoring). The result record and the feedback files come back
as the task's value; the instructor's machine writes them and stores the grade.

What a worker needs: this project installed in the same Python environment (the venv, or the
container image built from ``pyproject.toml``) and ``python -m grader.worker`` runnable; nothing
else (no checkout, no ``solutions/``, no ``labs/``: the lab arrives with the task).

A task that fails on the worker (the worker process died and Dask gave up retrying it, a
missing package...) gives its submission score 0 and an error naming the cause; the other
submissions are graded as usual. ``--cluster local:N`` starts a ``LocalCluster`` of N worker
processes with one thread each (one submission at a time per worker).
"""

import hashlib
import io
import os
import shutil
import socket
import tarfile
import tempfile
import uuid
from pathlib import Path

from grader.autograde import PreparedLab, feedback_folder, grade_one
from grader.environment import ensure_venv_on_path
from grader.results import SubmissionResult, failed
from grader.submissions import Submission

WORKER_CACHE = "monitorlab-dask-labs"
LOCAL_PREFIX = "local:"


class ClusterError(ValueError):
    """A --cluster or --scheduler value that cannot be used."""


class DaskPool:
    """A pool (``grade(tasks, timeout, feedback_dir)``, like ``LocalPool``) on a Dask client."""

    def __init__(self, client, cluster=None):
        self.client, self.cluster = client, cluster

    @classmethod
    def connect(cls, *, cluster: str | None = None, scheduler: str | None = None) -> "DaskPool":
        """A pool on a new ``LocalCluster`` (``cluster="local:N"``) or a running scheduler."""
        from distributed import Client

        if scheduler:
            pool = cls(Client(scheduler, timeout=30))
        else:
            local = local_cluster(workers_in(cluster))
            pool = cls(Client(local), cluster=local)
        pool.warm_workers()
        return pool

    def warm_workers(self) -> dict[str, bool]:
        """Start every current worker's forkserver (``grader.warm.prestart``) before grading;
        ``address -> warm``. A worker that joins later warms up on its first submission."""
        from grader.warm import prestart

        workers = list(self.client.scheduler_info(n_workers=-1)["workers"])
        futures = {address: self.client.submit(prestart, workers=[address],
                                               allow_other_workers=False, pure=False,
                                               key=f"warm-{uuid.uuid4().hex}")
                   for address in workers}
        return {address: bool(future.result()) for address, future in futures.items()}

    def close(self) -> None:
        """Disconnect (and stop the cluster if this pool started it)."""
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def describe(self) -> str:
        """``3 Dask worker(s), 6 thread(s) at tcp://...``."""
        workers = self.client.scheduler_info(n_workers=-1)["workers"]
        threads = sum(w.get("nthreads", 1) for w in workers.values())
        return (f"{len(workers)} Dask worker(s), {threads} thread(s) at "
                f"{self.client.scheduler.address}")

    def grade(self, tasks, timeout: int, feedback_dir: Path | None, run: dict | None = None):
        """Yield a result per ``(submission, prepared lab, sandbox)`` task as each finishes;
        ``run`` (the run's seed and sandbox switch) goes to every worker's ``grade_one``."""
        from distributed import as_completed

        packs, futures = {}, {}
        for sub, prepared, _ in tasks:
            if prepared.lab not in packs:
                packs[prepared.lab] = self.client.scatter(pack_lab(prepared), hash=False)
            try:
                payload = {"student": sub.student, "lab": sub.lab, "name": sub.notebook.name,
                           "data": Path(sub.notebook).read_bytes()}
            except OSError as exc:
                yield failed(sub.student, sub.lab, str(sub.notebook), points=prepared.points,
                             error=f"cannot read the submission: {exc}")
                continue
            future = self.client.submit(grade_on_worker, payload, packs[prepared.lab], timeout,
                                        feedback_dir is not None, run, pure=False,
                                        key=f"grade-{sub.lab}-{sub.student}-{uuid.uuid4().hex}")
            futures[future] = (sub, prepared)
        try:
            for future in as_completed(list(futures)):
                yield received(future, *futures.pop(future), feedback_dir)
        except BaseException:  # Ctrl-C or the caller stopped: nothing more to grade
            self.client.cancel(list(futures))
            raise


def received(future, sub: Submission, prepared: PreparedLab,
             feedback_dir: Path | None) -> SubmissionResult:
    """The result a finished task brought back (its feedback files written), or why it failed."""
    try:
        value = future.result()
    except Exception as exc:  # the worker died for good, or the task could not run there
        return failed(sub.student, sub.lab, str(sub.notebook), points=prepared.points,
                      error=f"the Dask task failed on the cluster ({type(exc).__name__}: {exc})")
    result = SubmissionResult.from_dict(value["result"])
    result.notebook = str(sub.notebook)  # the instructor's path, not the worker's copy
    dest = feedback_folder(feedback_dir, sub.student, sub.lab)
    for name, data in value["feedback"].items():
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        (dest / name).write_bytes(data)
    return result


def grade_on_worker(payload: dict, pack: dict, timeout: int, want_feedback: bool,
                    run: dict | None = None) -> dict:
    """Grade one submission on a Dask worker through ``grade_one``; return result and feedback."""
    ensure_venv_on_path()
    prepared = unpack_lab(pack)
    with tempfile.TemporaryDirectory(prefix="monitorlab-dask-") as tmp:
        tmp = Path(tmp)
        notebook = tmp / "in" / payload["name"]
        notebook.parent.mkdir()
        notebook.write_bytes(payload["data"])
        sub = Submission(payload["student"], payload["lab"], notebook)
        feedback_dir = tmp / "feedback" if want_feedback else None
        result = grade_one(sub, prepared, tmp / "box", timeout, feedback_dir, run)
        files = {}
        if feedback_dir is not None:
            folder = feedback_folder(feedback_dir, sub.student, sub.lab)
            files = {p.relative_to(folder).as_posix(): p.read_bytes()
                     for p in sorted(folder.rglob("*")) if p.is_file()} if folder.is_dir() else {}
    return {"result": result.to_dict(), "feedback": files, "host": socket.gethostname()}


def pack_lab(prepared: PreparedLab) -> dict:
    """A prepared lab as plain data: its release folder as a tar archive and its gradebook."""
    pack = {"lab": prepared.lab, "points": prepared.points, "code_cells": prepared.code_cells,
            "error": prepared.error}
    if prepared.error:
        return pack
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for path in sorted(Path(prepared.release).rglob("*")):
            if path.is_file():
                info = tarfile.TarInfo(path.relative_to(prepared.release).as_posix())
                info.size, info.mode = path.stat().st_size, 0o644
                tar.addfile(info, io.BytesIO(path.read_bytes()))
    pack["release"], pack["gradebook"] = buffer.getvalue(), Path(prepared.gradebook).read_bytes()
    # the lab's trusted checks (grader/checks/<lab>.py) run in the worker's grading process
    pack["checks"] = Path(prepared.checks).read_bytes() if prepared.checks else b""
    pack["digest"] = hashlib.sha256(pack["release"] + pack["gradebook"] + pack["checks"]).hexdigest()
    return pack


def unpack_lab(pack: dict) -> PreparedLab:
    """The lab of ``pack`` on this machine (unpacked once, atomically, under the temp folder)."""
    if pack["error"]:
        return PreparedLab(pack["lab"], points=pack["points"], error=pack["error"])
    folder = Path(tempfile.gettempdir()) / WORKER_CACHE / pack["digest"]
    if not folder.is_dir():
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=".unpack-"))
        with tarfile.open(fileobj=io.BytesIO(pack["release"])) as tar:
            tar.extractall(staging / "release", filter="data")
        (staging / "gradebook.db").write_bytes(pack["gradebook"])
        (staging / "checks.py").write_bytes(pack["checks"])
        try:
            os.replace(staging, folder)
        except OSError:  # another task of this machine unpacked it first
            shutil.rmtree(staging, ignore_errors=True)
    return PreparedLab(pack["lab"], folder / "release", folder / "gradebook.db", pack["points"],
                       pack["code_cells"],
                       checks=str(folder / "checks.py") if pack["checks"] else None)


def workers_in(spec: str | None) -> int:
    """N of ``local:N`` (a clear error otherwise)."""
    text = (spec or "").strip()
    count = text[len(LOCAL_PREFIX):] if text.startswith(LOCAL_PREFIX) else ""
    if not count.isdigit() or int(count) < 1:
        raise ClusterError(f"--cluster {spec!r}: expected local:N with N >= 1 worker processes "
                           "(e.g. local:2); for a running cluster use --scheduler tcp://HOST:8786")
    return int(count)


def local_cluster(workers: int):
    """A ``LocalCluster`` of ``workers`` processes, one thread each, no dashboard.

    Dask's nanny normally sets ``OMP_NUM_THREADS=1`` (and MKL/OpenBLAS) in its workers; here it
    sets nothing, so kernels see the same environment as with ``--jobs`` and grade identically.
    Its worker processes are not daemonic (``distributed.worker.daemon: False``): a daemonic
    process may not start ``multiprocessing`` children, so each submission would start a cold
    worker (``grader.warm``) and pay Python's start-up again. On a real cluster, set the same
    (``DASK_DISTRIBUTED__WORKER__DAEMON=False``) where the workers start.
    """
    import dask
    from distributed import LocalCluster

    with dask.config.set({"distributed.nanny.pre-spawn-environ": {},
                          "distributed.worker.daemon": False}):
        return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                            dashboard_address=None, memory_limit=0)
