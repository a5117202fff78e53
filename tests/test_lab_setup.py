"""`make lab`'s pieces without a browser: the workspace, the terminal, the progress view."""

import asyncio
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from grader.lab import CourseContentsManager, lab_environment, seed_workspace
from grader.progress import course_progress, format_progress
from grader.selfcheck import PASSED, RECORDED_LATER, TO_FIX, visible_outcome
from nbformat.v4 import new_code_cell, new_output

ROOT = Path(__file__).resolve().parent.parent


def test_workspace_is_seeded_once_and_never_overwritten(tmp_path):
    copied = seed_workspace(ROOT, tmp_path / "ws")
    names = {p.relative_to(tmp_path / "ws").as_posix() for p in copied}
    assert {"START.md", "course/00_orientation.ipynb",
            "labs/lab01_data_capture/lab01_data_capture.ipynb"} <= names
    mine = tmp_path / "ws" / "labs" / "lab01_data_capture" / "lab01_data_capture.ipynb"
    mine.write_text("my answers", encoding="utf-8")
    (tmp_path / "ws" / "course" / "01_data_capture.ipynb").unlink()
    again = seed_workspace(ROOT, tmp_path / "ws")
    assert [p.name for p in again] == ["01_data_capture.ipynb"]  # only what was missing
    assert mine.read_text(encoding="utf-8") == "my answers"


def test_terminal_shell_has_the_venv_python_and_starts_in_the_workspace(tmp_path):
    root = tmp_path / "repo"
    (root / "workspace").mkdir(parents=True)
    env = lab_environment(root, {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    shell = subprocess.run(
        [shutil.which("bash"), "--rcfile", str(ROOT / "grader" / "terminal.bashrc"), "-i"],
        input="echo PY=$(command -v python); echo CWD=$PWD; exit\n", cwd=root, env=env,
        capture_output=True, text=True, timeout=30)
    assert f"PY={Path(sys.executable).parent}/python" in shell.stdout, shell.stdout
    assert f"CWD={root / 'workspace'}" in shell.stdout
    assert env["JUPYTER_CONFIG_PATH"].split(os.pathsep)[0] == str(root / "grader")


def _test_cell(text, error=None):
    outputs = [new_output("stream", name="stdout", text=text)] if text else []
    if error:
        outputs.append(new_output("error", ename=error, evalue="boom", traceback=[]))
    return new_code_cell("", outputs=outputs)


def test_visible_outcome_reads_each_kind_of_test_cell():
    assert visible_outcome(_test_cell("visible check: 1.0 / 1\n"), 1.0) == (PASSED, [])
    assert visible_outcome(_test_cell("✓ four letters recorded; graded by hidden tests"), 0) \
        == (RECORDED_LATER, [])
    assert visible_outcome(_test_cell(""), 0.0) == (RECORDED_LATER, [])  # form checked only
    assert visible_outcome(_test_cell(""), 2.0) == (PASSED, [])
    status, problems = visible_outcome(_test_cell("✗ EnableCapture is None: use True\n"
                                                  "visible check: 0.5 / 1\n"), 0.5)
    assert status == TO_FIX and problems == ["✗ EnableCapture is None: use True"]
    assert visible_outcome(_test_cell("visible check: 0.5 / 1"), 0.5) == \
        (TO_FIX, ["visible check: 0.5 / 1"])
    assert visible_outcome(_test_cell("", error="NameError"), 0.0) == (TO_FIX, ["NameError: boom"])


def test_progress_counts_answered_tasks_per_lab(tmp_path):
    seed_workspace(ROOT, tmp_path / "ws")
    rows = {row.lab: row for row in course_progress(tmp_path / "ws" / "labs")}
    assert rows["lab00_orientation"].tasks == 6 and rows["lab00_orientation"].answered == 0
    assert rows["lab00_orientation"].points == 17
    text = format_progress(list(rows.values()))
    assert re.search(r"lab00_orientation +0/6 answered  17 points  not self-checked yet", text)
    assert text.splitlines()[-1].split()[:3] == ["total", f"0/{sum(r.tasks for r in rows.values())}",
                                                 "answered"]


def test_file_browser_lists_only_the_workspace_at_the_top(tmp_path):
    for name in ("workspace", "solutions", "tests"):
        (tmp_path / name).mkdir()
    (tmp_path / "solutions" / "answers.txt").write_text("hidden", encoding="utf-8")
    manager = CourseContentsManager(root_dir=str(tmp_path))
    top = asyncio.run(manager.get(""))
    assert [item["name"] for item in top["content"]] == ["workspace"]
    inside = asyncio.run(manager.get("solutions"))  # still opens by path (Formgrader links)
    assert [item["name"] for item in inside["content"]] == ["answers.txt"]
    manager.show_all = True  # make instructor
    assert {item["name"] for item in asyncio.run(manager.get(""))["content"]} == \
        {"workspace", "solutions", "tests"}
