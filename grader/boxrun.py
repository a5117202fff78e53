"""Run a prepared notebook inside the sandbox: ``python -m grader.boxrun IN OUT TIMEOUT``.

Started by ``grader.worker`` (inside ``bwrap`` unless grading is explicitly unsandboxed). It
executes every cell of ``IN`` with nbgrader's Execute preprocessor (``grader.kernel``: the
kernel is this interpreter, a per-cell ``TIMEOUT`` interrupts an endless cell) in the current
folder, and writes the executed notebook to ``OUT``. If the kernel dies or stops responding it
writes ``OUT.error`` (one line: the exception's type and message) and exits 3. It never sees
an expected value or a point: the cells it runs are the release's and the learner's, with
every test cell replaced by an evaluation cell (``grader.trusted``).
"""

import os
import sys
from pathlib import Path

from grader.speedups import skip_slow_optional_imports

skip_slow_optional_imports()

import nbformat  # noqa: E402

from grader.kernel import VenvExecute  # noqa: E402


def main(argv: list[str]) -> int:
    """Execute ``argv[0]`` into ``argv[1]`` with a per-cell timeout of ``argv[2]`` seconds."""
    source, dest, timeout = Path(argv[0]), Path(argv[1]), int(argv[2])
    for folder in ("JUPYTER_RUNTIME_DIR", "IPYTHONDIR", "HOME"):
        if os.environ.get(folder):
            Path(os.environ[folder]).mkdir(parents=True, exist_ok=True)
    nb = nbformat.read(source, as_version=4)
    executor = VenvExecute(timeout=timeout, interrupt_on_timeout=True, startup_timeout=300)
    try:
        executor.preprocess(nb, {"metadata": {"path": os.getcwd()}})
    except Exception as exc:  # DeadKernelError, UnresponsiveKernelError, start-up failures
        Path(f"{dest}.error").write_text(f"{type(exc).__name__}: {exc}".splitlines()[0][:2000],
                                         encoding="utf-8")
        return 3
    nbformat.write(nb, dest)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
