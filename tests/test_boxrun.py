"""The sandboxed run (``grader.boxrun``): executes like nbgrader's Execute preprocessor, with the
course's waits, and keeps a flood of output from growing it or the notebook the worker reads."""

import copy

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from grader import boxrun, trusted_execute
from grader.trusted import read_record


def test_boxrun_executes_like_nbgraders_execute_preprocessor(tmp_path):
    """Errors do not stop the run; a cell past the timeout is interrupted and marked exactly as
    nbgrader marks it; outputs are the same as nbgrader's Execute gives."""
    from nbgrader.preprocessors import Execute

    from grader.kernel import VenvKernelManager

    nb = new_notebook(cells=[new_code_cell("x = 2\nprint(x * 21)"),
                             new_code_cell("raise ValueError('bad answer')"),
                             new_code_cell("import time\nwhile True:\n    time.sleep(0.05)"),
                             new_code_cell("print('still running', x)")])
    source, dest = tmp_path / "in.ipynb", tmp_path / "out.ipynb"
    nbformat.write(nb, source)
    assert boxrun.main([str(source), str(dest), "3"]) == 0
    ours = nbformat.read(dest, as_version=4)
    theirs = copy.deepcopy(nb)
    Execute(timeout=3, kernel_manager_class=VenvKernelManager).preprocess(
        theirs, {"metadata": {"path": str(tmp_path)}})

    def shape(notebook):
        return [[(o.output_type, o.get("name"), o.get("text"), o.get("ename"))
                 for o in cell.outputs] for cell in notebook.cells]

    assert shape(ours) == shape(theirs)
    assert shape(ours)[0] == [("stream", "stdout", "42\n", None)]
    assert [o.ename for o in ours.cells[1].outputs] == ["ValueError"]
    assert "CellTimeoutError" in [o.get("ename") for o in ours.cells[2].outputs]
    assert shape(ours)[3] == [("stream", "stdout", "still running 2\n", None)]
    nbformat.validate(ours)


def test_boxrun_waits_for_late_outputs_as_the_course_config_says():
    from grader.settings import load_config

    cfg = load_config()
    assert boxrun.EXECUTE["iopub_timeout"] == cfg.Execute.iopub_timeout >= 30
    assert boxrun.EXECUTE["startup_timeout"] == cfg.Execute.startup_timeout


FLOOD = 'for _ in range({n}):\n    print("{ch}" * 100_000)'
RECORD = 'print("MLREC" + "ab" * 12 + \'{"values": {"ok": true}}\' + "MLREC" + "ab" * 12)'


def test_a_flood_of_output_is_cut_at_the_caps_and_evaluation_records_are_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(boxrun, "CELL_OUTPUT_LIMIT", 200_000)
    monkeypatch.setattr(boxrun, "NOTEBOOK_OUTPUT_LIMIT", 250_000)
    nb = new_notebook(cells=[new_code_cell(FLOOD.format(n=30, ch="x")),
                             new_code_cell('print("y" * 10)'),
                             new_code_cell(FLOOD.format(n=20, ch="z") + "\n" + RECORD),
                             new_code_cell('print("after")')])
    source, dest = tmp_path / "in.ipynb", tmp_path / "out.ipynb"
    nbformat.write(nb, source)
    assert boxrun.main([str(source), str(dest), "60"]) == 0
    out = nbformat.read(dest, as_version=4)
    text = ["".join(o.get("text", "") for o in cell.outputs) for cell in out.cells]
    note = boxrun.DROPPED.format(limit=200_000)
    assert text[0] == "x" * 100_000 + "\n" + "x" * 99_999 + note  # the first 200,000 characters
    assert text[1] == "y" * 10 + "\n"                       # a small cell is untouched
    assert text[2].startswith("z" * 49_989 + note)          # up to the notebook's cap, then
    assert read_record(out.cells[2].outputs, "MLREC" + "ab" * 12)[0] == {"values": {"ok": True}}
    assert len(text[2]) < 49_989 + len(note) + 100           # only the record beyond it
    assert text[3] == note                                  # the notebook is full
    assert dest.stat().st_size < 400_000


def test_the_worker_refuses_an_executed_notebook_too_big_to_be_boxruns(tmp_path, monkeypatch):
    (tmp_path / "release").mkdir()
    step = trusted_execute.TrustedExecute(box=str(tmp_path / "box"), release=str(tmp_path / "release"),
                                          sandboxed=False)
    nb = new_notebook(cells=[new_code_cell("1")])

    def rewritten_from_inside(box, work):
        nbformat.write(new_notebook(cells=[new_code_cell("1", outputs=[nbformat.v4.new_output(
            "stream", name="stdout", text="x" * 3_000_000)])]), box / "out.ipynb")
        return 0

    monkeypatch.setattr(step, "spawn", rewritten_from_inside)
    monkeypatch.setattr(trusted_execute, "MAX_EXECUTED_BYTES", 2**20)
    with pytest.raises(trusted_execute.SandboxFailed, match="3 MiB, more than the 1 MiB"):
        step.run_in_box(nb)


def test_output_written_past_the_kernel_counts_against_the_disk_limit(tmp_path, monkeypatch):
    """A process in the box can write to the sandbox's log directly (file descriptor 1), which
    lies outside the box: the watchdog adds it to the box's size, and only its end is ever read."""
    import subprocess
    import sys

    from grader import sandbox

    box, log = tmp_path / "box", tmp_path / "box.log"
    box.mkdir()
    monkeypatch.setenv("MONITORLAB_BOX_DISK_MB", "1")
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-c", "import os, time\n"
                                 "os.write(1, b'x' * 3_000_000 + b'END')\ntime.sleep(30)"],
                                stdout=out)
        with pytest.raises(trusted_execute.SandboxFailed, match="more than the 1 MiB"):
            trusted_execute.watch(proc, box, log)
    assert proc.poll() is not None  # stopped
    assert sandbox.log_tail(log, 10) == "xxxxxxxEND"
    assert trusted_execute._tail(log, 5) == "xxEND"
