"""What do the sandbox and the out-of-kernel scoring cost per submission? (issue 14)

Target: at most 20 % more per submission than a bare ``jupyter nbconvert --execute`` of the same
notebook. Printed, for a lab's solution (default lab01, the converted one):

* ``bare``: ``jupyter nbconvert --to notebook --execute`` of the submission (no grading at all);
* ``unsandboxed``: ``grader.autograde`` with trusted scoring but without bwrap;
* ``sandboxed``: the same inside bwrap (what ``python -m grader autograde`` does);
* a batch of ``N`` copies with ``--jobs 2``: submissions per minute.

Each figure is the fastest of ``REPEATS`` runs (the least disturbed by other work on the
machine); ratios are to ``bare``. A loaded machine inflates every figure alike.

Run: .venv/bin/python benchmarks/grading_cost.py [LAB] [REPEATS] [N]
"""

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from grader import layout
from grader.autograde import grade_submissions
from grader.notebooks import write_notebook
from grader.submissions import Submission
from grader.testing import apply_answers, release_notebook, solution_answers


def bare_seconds(notebook: Path, workdir: Path) -> float:
    """Seconds of ``jupyter nbconvert --execute`` on ``notebook`` (copied into ``workdir``)."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
                    "--ExecutePreprocessor.timeout=600", "--output-dir", str(workdir),
                    str(notebook)], check=True, capture_output=True)
    return time.perf_counter() - started


def grade_seconds(subs: list[Submission], sandboxed: bool, jobs: int = 1) -> float:
    """Seconds to autograde ``subs``."""
    started = time.perf_counter()
    results = grade_submissions(subs, layout.course_root(None), timeout=600, jobs=jobs,
                                sandboxed=sandboxed, seed=1)
    assert all(r.error is None for r in results), [r.error for r in results]
    return time.perf_counter() - started


def main(lab: str = "lab01_data_capture", repeats: int = 2, batch: int = 4) -> None:
    """Print the figures described in the module docstring."""
    root = layout.course_root(None)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        release = layout.release_dir(root, lab)
        work = tmp / "bare"
        subprocess.run(["cp", "-r", str(release), str(work)], check=True)
        notebook = work / f"{lab}.ipynb"
        write_notebook(apply_answers(release_notebook(lab), solution_answers(lab)), notebook)
        sub = [Submission("bench", lab, notebook)]
        bare = min(bare_seconds(notebook, tmp / "out") for _ in range(repeats))
        plain = min(grade_seconds(sub, sandboxed=False) for _ in range(repeats))
        boxed = min(grade_seconds(sub, sandboxed=True) for _ in range(repeats))
        many = [Submission(f"s{i}", lab, notebook) for i in range(batch)]
        batch_seconds = grade_seconds(many, sandboxed=True, jobs=2)
    print(f"{lab}: bare nbconvert --execute {bare:.1f} s")
    print(f"  autograde, trusted scoring, unsandboxed {plain:.1f} s ({plain / bare:.2f} x bare)")
    print(f"  autograde, trusted scoring, in bwrap    {boxed:.1f} s ({boxed / bare:.2f} x bare)")
    print(f"  batch of {batch} with --jobs 2: {batch_seconds:.1f} s, "
          f"{60 * batch / batch_seconds:.1f} submissions/minute")


if __name__ == "__main__":
    main(*(arg if i == 0 else int(arg) for i, arg in enumerate(sys.argv[1:])))
