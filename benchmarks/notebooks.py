"""Headless run time of every lecture and lab solution, against the design's budgets.

Budgets (DESIGN.md §4): lecture <= 60 s, lab <= 30 s on a 2-core machine. The model cache is
warmed first so each notebook is timed as a learner meets it after the first run.
Besides the wall-clock seconds, ``kernel cpu`` is the CPU time the notebook's kernel used (its
start-up included): on a machine shared with other jobs the wall clock grows with the load, the
CPU time does not, so it says whether a notebook that ran over its budget is heavy or was starved.
Run: .venv/bin/python benchmarks/notebooks.py [NOTEBOOK ...]
"""

import resource
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
BUDGETS = {"course": 60.0, "solutions": 30.0, "labs": 30.0}


def children_cpu() -> float:
    """User + system CPU seconds of this process's finished children (the kernels)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(path: Path) -> tuple[float, float]:
    """``(wall seconds, kernel CPU seconds)`` of one headless run (the kernel is shut down and
    reaped by nbclient before ``execute`` returns, so its CPU time is counted)."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    started, cpu = time.perf_counter(), children_cpu()
    client.execute()
    return time.perf_counter() - started, children_cpu() - cpu


def main(paths: list[str]) -> int:
    from monitorlab.serving.model import course_model

    course_model()  # warm the model cache
    notebooks = [Path(p).resolve() for p in paths] or \
        sorted(ROOT.glob("course/*.ipynb")) + sorted(ROOT.glob("solutions/*/*.ipynb"))
    over = 0
    print(f"{'notebook':55} {'seconds':>8} {'kernel cpu':>10} {'budget':>7} {'ratio':>6}")
    for path in notebooks:
        budget = BUDGETS[path.relative_to(ROOT).parts[0]]
        seconds, cpu = run(path)
        over += seconds > budget
        print(f"{str(path.relative_to(ROOT)):55} {seconds:8.1f} {cpu:10.1f} {budget:7.0f} {seconds / budget:6.2f}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
