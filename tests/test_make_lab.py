"""`make lab` (the README's first set-up command) serves the course with nbgrader's extensions."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "monitorlab-test"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read()


def wait_for(url: str, process, seconds: float = 120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, "make lab exited early"
        try:
            return get(url)
        except OSError:
            time.sleep(1)
    raise AssertionError(f"{url} did not answer within {seconds} s")


def test_make_lab_serves_the_course_and_the_formgrader(tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(tmp_path / "lab.log", "w")
    # -o: treat the install stamp as up to date, PY: this venv (the test already runs inside it)
    process = subprocess.Popen(
        ["make", "-s", "-o", ".venv/.installed", "lab", f"PY={sys.executable}",
         f"LAB_ARGS=--port={port} --ServerApp.token={TOKEN} --ServerApp.port_retries=0"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        env={**os.environ, "JUPYTER_PLATFORM_DIRS": "1"})
    try:
        status, _ = wait_for(f"{base}/lab?token={TOKEN}", process)
        assert status == 200
        _, body = get(f"{base}/api/contents/course?token={TOKEN}")
        names = {item["name"] for item in json.loads(body)["content"]}
        assert "00_orientation.ipynb" in names and "01_data_capture.ipynb" in names
        _, body = get(f"{base}/formgrader/api/assignments?token={TOKEN}")
        labs = {assignment["name"] for assignment in json.loads(body)}
        assert {"lab00_orientation", "lab01_data_capture"} <= labs
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        log.close()
    printed = (tmp_path / "lab.log").read_text()
    assert "open the URL JupyterLab prints below" in printed
