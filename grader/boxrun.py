"""Run a prepared notebook inside the sandbox: ``python -m grader.boxrun IN OUT TIMEOUT``.

Started by ``grader.trusted_execute`` (inside ``bwrap`` unless grading is explicitly
unsandboxed). It executes every cell of ``IN`` in a fresh kernel on this interpreter
(``grader.kernel``), in the current folder, and writes the executed notebook to ``OUT``. If the
kernel dies or stops responding it writes ``OUT.error`` (one line: the exception's type and
message) and exits 3. It never sees an expected value or a point: the cells it runs are the
release's and the learner's, with every test cell replaced by an evaluation cell
(``grader.trusted``).

It drives the kernel with nbclient directly, with the settings of nbgrader's ``Execute``
preprocessor (``EXECUTE``: errors do not stop the run, a cell running past ``TIMEOUT`` seconds is
interrupted and gets nbgrader's ``CellTimeoutError`` output, a reply's error that left no output
is appended, as ``Execute.on_cell_executed`` does) plus the course's own (``nbgrader_config``:
300 s for the kernel to start, 60 s for a cell's late output on a loaded machine). Importing
nbgrader here would cost about 1 s of CPU per submission for nothing: this process is started
once per submission, and nbgrader's other preprocessors run outside, in the worker. For the same
reason the notebooks are read and written without schema validation: ``IN`` was written by the
worker, and the worker validates ``OUT`` when it reads it back.

Output is capped (``CappedClient``): a cell keeps at most ``CELL_OUTPUT_LIMIT`` characters of
output and the notebook at most ``NOTEBOOK_OUTPUT_LIMIT``; what comes after is dropped and the
cell says so once (``DROPPED``). Without a cap, a submission printing in a loop would grow this
process and the executed notebook the worker reads back to gigabytes. An evaluation record
(``grader.trusted``: text starting ``MLREC``) is kept beyond the cap, within ``RECORD_LIMIT``
characters a cell, so an answer that prints a lot while the grader calls it still gets scored.
"""

import json
import os
import sys
from collections import defaultdict
from pathlib import Path

from grader.speedups import skip_slow_optional_imports

skip_slow_optional_imports()

import nbformat  # noqa: E402
from nbclient import NotebookClient  # noqa: E402

from grader.kernel import VenvKernelManager  # noqa: E402

# nbgrader.preprocessors.Execute's settings (nbgrader 0.9), and the course's from nbgrader_config.
EXECUTE = dict(
    allow_errors=True, interrupt_on_timeout=True, raise_on_iopub_timeout=True,
    error_on_timeout={
        "ename": "CellTimeoutError", "evalue": "",
        "traceback": ["\x1b[0;31mCellTimeoutError\x1b[0m: No reply from kernel before timeout"]},
    startup_timeout=300, iopub_timeout=60,
)


CELL_OUTPUT_LIMIT = 1_000_000        # characters of output one cell keeps
NOTEBOOK_OUTPUT_LIMIT = 16_000_000   # ... and the whole notebook
RECORD_PREFIX = "MLREC"              # how every evaluation record starts (grader.trusted.new_nonce)
RECORD_LIMIT = 1_000_000             # characters of evaluation records one cell keeps
DROPPED = ("\n[grader: this cell's output passed {limit:,} characters; the rest was dropped "
           "(print less: a loop that prints every row?)]\n")


def output_size(msg: dict) -> int:
    """Characters an output message adds to the notebook (its text, data or traceback)."""
    content = msg.get("content", {})
    if msg.get("msg_type") == "stream":
        return len(content.get("text", ""))
    data = json.dumps(content.get("data", {}), default=str)
    return len(data) + len(str(content.get("traceback", "")))


class CappedClient(NotebookClient):
    """nbclient's client, keeping at most the output the module docstring allows."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._kept, self._records, self._dropped = defaultdict(int), defaultdict(int), set()
        self._total = 0

    def output(self, outs, msg, display_id, cell_index):
        """Keep the output within the caps; else keep only an evaluation record in it, or drop
        it, saying so once in the cell."""
        size = output_size(msg)
        if (self._kept[cell_index] + size <= CELL_OUTPUT_LIMIT
                and self._total + size <= NOTEBOOK_OUTPUT_LIMIT):
            self._kept[cell_index] += size
            self._total += size
            return super().output(outs, msg, display_id, cell_index)
        text = msg["content"].get("text", "") if msg["msg_type"] == "stream" else ""
        if cell_index not in self._dropped:
            self._dropped.add(cell_index)
            room = max(0, min(CELL_OUTPUT_LIMIT - self._kept[cell_index],
                              NOTEBOOK_OUTPUT_LIMIT - self._total))
            if text and room:  # the start of the stream that crosses the cap, as far as it fits
                self._kept[cell_index] += room
                self._total += room
                head = {**msg, "content": {**msg["content"], "text": text[:room]}}
                super().output(outs, head, display_id, cell_index)
            outs.append(nbformat.v4.new_output(
                "stream", name="stdout", text=DROPPED.format(limit=CELL_OUTPUT_LIMIT)))
        if RECORD_PREFIX in text:
            record = text[text.find(RECORD_PREFIX):][-RECORD_LIMIT:]
            if self._records[cell_index] + len(record) <= RECORD_LIMIT:
                self._records[cell_index] += len(record)
                kept = {**msg, "content": {**msg["content"], "text": record}}
                return super().output(outs, kept, display_id, cell_index)
        return None

    def _update_display_id(self, display_id, msg):
        """An update of an earlier display: ignored when it alone passes a cell's cap."""
        if output_size(msg) <= CELL_OUTPUT_LIMIT:
            super()._update_display_id(display_id, msg)


def append_unrecorded_error(cell, cell_index, execute_reply) -> None:
    """What ``nbgrader.preprocessors.Execute.on_cell_executed`` does: if the reply is an error
    that no output records (a timeout), add it as the cell's last output."""
    content = execute_reply["content"]
    if content["status"] != "error":
        return
    if any(o.output_type == "error" and o.ename == content["ename"] for o in cell.outputs):
        return
    traceback = [str(line)[:10_000] for line in content["traceback"][:200]]  # within the caps
    cell.outputs.append(nbformat.v4.new_output(
        "error", ename=str(content["ename"])[:1_000], evalue=str(content["evalue"])[:10_000],
        traceback=traceback or ["ERROR: An error occurred while showtraceback was disabled"]))


def run(nb, cwd: str, timeout: int):
    """Execute ``nb`` in place in ``cwd``; nbclient's exceptions propagate."""
    client = CappedClient(nb, timeout=timeout, kernel_manager_class=VenvKernelManager,
                          resources={"metadata": {"path": cwd}},
                          on_cell_executed=append_unrecorded_error, **EXECUTE)
    return client.execute()


def main(argv: list[str]) -> int:
    """Execute ``argv[0]`` into ``argv[1]`` with a per-cell timeout of ``argv[2]`` seconds."""
    source, dest, timeout = Path(argv[0]), Path(argv[1]), int(argv[2])
    for folder in ("JUPYTER_RUNTIME_DIR", "IPYTHONDIR", "HOME"):
        if os.environ.get(folder):
            Path(os.environ[folder]).mkdir(parents=True, exist_ok=True)
    nb = nbformat.v4.reads(source.read_text(encoding="utf-8"))  # no schema validation
    try:
        run(nb, os.getcwd(), timeout)
    except Exception as exc:  # DeadKernelError, TimeoutError (iopub, start-up), start-up failures
        Path(f"{dest}.error").write_text(f"{type(exc).__name__}: {exc}".splitlines()[0][:2000],
                                         encoding="utf-8")
        return 3
    dest.write_text(nbformat.v4.writes(nb), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
