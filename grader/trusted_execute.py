"""nbgrader's Execute step, replaced: run the notebook in the sandbox, score test cells outside.

``TrustedExecute`` takes the place of nbgrader's ``Execute`` in ``Autograde``'s preprocessors
(``grader.worker``). It receives the sanitised submission (locked cells restored from the
gradebook), and:

1. replaces every test cell that has a trusted check (``grader/checks/<lab>.py``) by its
   evaluation cell, with this run's hidden inputs (drawn from ``seed``) and a random nonce;
2. writes that notebook and the release's files into the box folder and runs
   ``python -m grader.boxrun`` there, inside ``bwrap`` (``grader.sandbox``) unless the run is
   explicitly unsandboxed, counting the sandbox's processes (above ``MAX_PROCESSES`` it is
   stopped);
3. copies the outputs back; each checked test cell gets the trusted messages and its points as
   its last output (what nbgrader's ``SaveAutoGrades`` records in the gradebook);
4. strips ``### BEGIN/END HIDDEN TESTS`` blocks from every test cell's source, so the
   autograded notebook and the feedback never show a hidden test.

A test cell without a check (a lab not converted yet) runs as before, hidden tests and all,
inside the sandbox: its points are decided in the learner's kernel, and the result says so.
"""

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import psutil
from nbformat import NotebookNode
from nbgrader import utils as nbutils
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Bool, Integer, Unicode

from grader import sandbox
from grader.environment import PACKAGE_PARENT, grading_env
from grader.notebooks import grade_id
from grader.trusted import draw_inputs, evaluation_cell, forbidden_uses, load_checks, new_nonce
from grader.trusted import score_cell

HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
# Largest executed notebook read back from the box: grader.boxrun keeps at most 16 M characters
# of output, so only a notebook rewritten from inside the sandbox can be bigger.
MAX_EXECUTED_BYTES = 64 * 2**20


class SandboxFailed(RuntimeError):
    """The sandboxed run ended without an executed notebook (the message says why)."""


class TrustedExecute(NbGraderPreprocessor):
    """Execute in the sandbox; decide the points of checked test cells in this process."""

    checks_file = Unicode("", help="grader/checks/<lab>.py (empty: no trusted checks)").tag(config=True)
    box = Unicode("", help="empty folder for the sandbox's files").tag(config=True)
    release = Unicode("", help="the lab's release folder (its data files are copied)").tag(config=True)
    seed = Integer(0, help="seed of this run's hidden inputs").tag(config=True)
    timeout = Integer(60, help="per-cell timeout, seconds").tag(config=True)
    sandboxed = Bool(True, help="run inside bwrap").tag(config=True)
    report = Unicode("", help="JSON file to write the trusted scores and notes to").tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: dict):
        """Run ``nb`` as described in the module docstring; return it with outputs and scores."""
        checks = load_checks(self.checks_file)
        inputs, nonce = draw_inputs(checks, self.seed), new_nonce()
        run = nbformat.from_dict(json.loads(json.dumps(nb)))
        checked = {}
        for index, cell in enumerate(run.cells):
            gid = grade_id(cell) if nbutils.is_grade(cell) and cell.cell_type == "code" else None
            if gid in checks:
                cell.source = evaluation_cell(checks[gid], inputs[gid], nonce)
                checked[index] = gid
        answers = {grade_id(c): c.source for c in nb.cells if nbutils.is_solution(c)}
        try:
            executed = self.run_in_box(run)
        except SandboxFailed as exc:  # nbgrader's log may drop the reason: leave it for the worker
            self.write_report({"failure": f"SandboxFailed: {exc}"})
            raise
        scores = {}
        for index, (cell, done) in enumerate(zip(nb.cells, executed.cells)):
            if cell.cell_type != "code":
                continue
            cell.outputs, cell.execution_count = done.get("outputs", []), done.get("execution_count")
            if index in checked:
                gid = checked[index]
                points, messages = score_cell(checks[gid], inputs[gid], cell.outputs, nonce)
                if forbidden := forbidden_uses(checks[gid], answers):
                    points, messages = 0.0, forbidden + messages
                cell.outputs = score_outputs(points, checks[gid].points, messages,
                                             cell.execution_count)
                scores[gid] = {"points": points, "messages": messages}
            if nbutils.is_grade(cell):
                cell.source = without_hidden_tests(cell.source)
        self.write_report({"seed": self.seed, "sandboxed": self.sandboxed, "trusted": scores,
                           "unchecked": sorted(grade_id(c) for c in nb.cells
                                               if nbutils.is_grade(c) and c.cell_type == "code"
                                               and grade_id(c) not in checks)})
        return nb, resources

    def run_in_box(self, nb: NotebookNode) -> NotebookNode:
        """Execute ``nb`` in the box folder (sandboxed unless told not to); return it executed."""
        box = Path(self.box)
        work = box / "work"
        shutil.copytree(self.release, work, dirs_exist_ok=True)
        (box / "home").mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, box / "in.ipynb")
        out = box / "out.ipynb"
        code = self.spawn(box, work)
        error_file = Path(f"{out}.error")
        if error_file.is_file():
            raise SandboxFailed(error_file.read_text(encoding="utf-8", errors="replace")[:2000])
        if code != 0 or not out.is_file():
            raise SandboxFailed(f"the sandboxed run ended with code {code} without a notebook "
                                f"({_tail(box.parent / 'box.log')})")
        if (size := out.stat().st_size) > MAX_EXECUTED_BYTES:  # boxrun caps output far below
            raise SandboxFailed(f"the sandboxed run left a notebook of {size / 2**20:.0f} MiB, more "
                                f"than the {MAX_EXECUTED_BYTES / 2**20:.0f} MiB an executed lab can "
                                "hold (altered from inside?)")
        try:
            executed = nbformat.read(out, as_version=4)
        except Exception as exc:
            raise SandboxFailed(f"the sandboxed run left an unreadable notebook ({exc})") from None
        if len(executed.cells) != len(nb.cells):
            raise SandboxFailed("the executed notebook does not match what was run (altered from inside)")
        return executed

    def spawn(self, box: Path, work: Path) -> int:
        """Start ``grader.boxrun``; stop it if it starts too many processes; return its code."""
        inside = ["/box/in.ipynb", "/box/out.ipynb"] if self.sandboxed else [
            str(box / "in.ipynb"), str(box / "out.ipynb")]
        argv = [sys.executable, "-m", "grader.boxrun", *inside, str(self.timeout)]
        if self.sandboxed:
            cmd, env, cwd = sandbox.sandbox_command(Path(PACKAGE_PARENT), box, argv,
                                                    sandbox.sandbox_env()), None, None
            cpu = self.timeout * 200 + 300
            preexec = lambda: sandbox.limit_resources(cpu)  # noqa: E731
        else:
            cmd, env, cwd, preexec = argv, grading_env(box / "scratch"), work, None
        with (box.parent / "box.log").open("wb") as log:
            proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                    stderr=subprocess.STDOUT, preexec_fn=preexec)
            return watch(proc, box, box.parent / "box.log")

    def write_report(self, data: dict) -> None:
        """Write what the trusted scoring decided (read by ``grader.worker``)."""
        if self.report:
            Path(self.report).write_text(json.dumps(data), encoding="utf-8")


def watch(proc: subprocess.Popen, box: Path | None = None, log: Path | None = None) -> int:
    """Wait for ``proc``; stop it and all it started if it runs more than ``MAX_PROCESSES``, or
    if ``box`` and ``log`` (the sandbox's output file, which a process inside can write to
    directly, outside ``box``) hold more than ``sandbox.disk_limit()`` bytes together (checked
    about once a second)."""
    limit, ticks = sandbox.disk_limit(), 0
    while proc.poll() is None:
        try:
            family = psutil.Process(proc.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            family = []
        if len(family) > sandbox.MAX_PROCESSES:
            _stop(proc, family)
            raise SandboxFailed(f"the submission started more than {sandbox.MAX_PROCESSES} "
                                "processes and was stopped")
        ticks += 1
        if box is not None and ticks % 10 == 0 and (used := _disk_used(box, log)) > limit:
            _stop(proc, family)
            raise SandboxFailed(f"the submission wrote {used / 2**20:.0f} MiB, more than the "
                                f"{limit / 2**20:.0f} MiB a sandbox may hold, and was stopped "
                                "(write less, or delete what you no longer need)")
        time.sleep(0.1)
    return proc.returncode


def _disk_used(box: Path, log: Path | None) -> int:
    """Bytes in ``box`` plus the size of ``log``."""
    try:
        log_bytes = log.stat().st_size if log is not None else 0
    except OSError:
        log_bytes = 0
    return sandbox.folder_bytes(box) + log_bytes


def _stop(proc: subprocess.Popen, family: list) -> None:
    """Kill ``proc`` and its descendants, and reap it."""
    for p in [*family, proc]:
        try:
            p.kill()
        except (psutil.NoSuchProcess, ProcessLookupError):
            pass
    proc.wait()


def score_outputs(points: float, max_points: float, messages: list[str],
                  count: int | None) -> list[NotebookNode]:
    """A test cell's outputs: the messages (stdout), then the points as its last result."""
    if not messages and points >= max_points:
        messages = [f"✓ all {max_points:g} points"]
    return [nbformat.v4.new_output("stream", name="stdout", text="\n".join(messages) + "\n"),
            nbformat.v4.new_output("execute_result", data={"text/plain": repr(float(points))},
                                   execution_count=count)]


def without_hidden_tests(source: str) -> str:
    """``source`` without its ``### BEGIN/END HIDDEN TESTS`` blocks."""
    while HIDDEN_BEGIN in source:
        start = source.index(HIDDEN_BEGIN)
        end = source.find(HIDDEN_END, start)
        end = len(source) if end < 0 else end + len(HIDDEN_END)
        source = source[:start].rstrip("\n") + "\n" + source[end:].lstrip("\n")
    return source


def _tail(path: Path, chars: int = 600) -> str:
    """The end of a log file, on one line."""
    return " ".join(sandbox.log_tail(path, chars).split()) or "no log"
