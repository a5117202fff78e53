"""pyflakes over the project's Python: unused imports, undefined names, shadowed definitions."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Jupyter config files use get_config(), which traitlets injects when it loads the file.
EXCLUDED = {ROOT / "grader" / "nbgrader_config.py", ROOT / "grader" / "jupyter_server_config.py"}


def test_pyflakes_finds_nothing():
    files = [str(p) for folder in ("monitorlab", "grader", "tests", "benchmarks")
             for p in sorted((ROOT / folder).rglob("*.py")) if p not in EXCLUDED]
    result = subprocess.run([sys.executable, "-m", "pyflakes", *files], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
