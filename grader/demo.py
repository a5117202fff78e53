"""``python -m grader demo``: the whole course, headless, end to end.

1. Execute every lecture ``course/*.ipynb`` in the grading environment (kernel started in
   ``course/``; outputs are never written back, committed files stay clean), ``jobs`` at a
   time, and report its time and first error.
2. Regenerate ``labs/`` from ``solutions/`` (a lab notebook holding a learner's edited answers
   is left alone, with a warning).
3. Build the demo submissions of every lab under ``OUT/submissions/<name>/<lab>/<lab>.ipynb``:
   ``solution``, ``untouched`` and every case of ``grader/cases/<lab>.py``.
4. Autograde them, print the grade table, write ``OUT/grades.csv``, ``OUT/grades.json``, the
   instructor's report ``OUT/report.html`` and the LMS exports ``OUT/canvas_gradebook.csv`` and
   ``OUT/gradescope/<lab>/<student>/results.json`` (``grader.report``), and compare every score
   with the expected one.

Returns 0 if every lecture ran without error and every score was as expected, else 1.
"""

import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from grader import layout
from grader.autograde import grade_submissions
from grader.cases import CaseError
from grader.environment import grading_env
from grader.execute import ExecutionFailed, execute_notebook, first_error
from grader.generate import GenerateError, generate_lab
from grader.notebooks import NotebookError, read_notebook
from grader.release import LearnerWorkError, publish, remove_orphans
from grader.report import write_all
from grader.results import format_table, write_csv, write_json
from grader.submissions import Submission
from grader.testing import case_notebooks

LECTURE_TIMEOUT = 120


def run_demo(root: Path, out: Path, *, jobs: int = 2, timeout: int = 60) -> int:
    """Run the four steps above; print as it goes; return the exit status."""
    lectures_ok = run_lectures(root, jobs=jobs)
    labs, problems = regenerate_labs(root)
    print(f"\n== autograding the demo submissions of {len(labs)} lab(s) ==")
    submissions, expected, build_problems = build_submissions(root, labs, out / "submissions")
    problems += build_problems
    results = grade_submissions(submissions, root, timeout=timeout, jobs=jobs, progress=print)
    print("\n" + format_table(results))
    write_csv(results, out / "grades.csv")
    write_json(results, out / "grades.json", timeout)
    report, canvas, gradescope = write_all(results, out, root)
    print(f"\nwrote {out / 'grades.csv'}, {out / 'grades.json'}, {report}, {canvas} and "
          f"{gradescope}/")
    mismatches = [f"{r.lab} {r.student}: expected {expected[r.student, r.lab]:g}, got {r.score:g}"
                  + (f" ({r.error})" if r.error else "")
                  for r in results if abs(r.score - expected[r.student, r.lab]) > 1e-9]
    for line in problems + mismatches:  # problems first: they explain missing rows
        print("PROBLEM " + line)
    ok = lectures_ok and not problems and not mismatches
    print("demo: " + ("all as expected" if ok else "FAILED"))
    return 0 if ok else 1


def run_lectures(root: Path, *, jobs: int) -> bool:
    """Execute every ``course/*.ipynb``; print one line each; True if none raised."""
    lectures = sorted((root / "course").glob("*.ipynb"))
    print(f"== executing {len(lectures)} lecture notebook(s) ==")
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        outcomes = list(pool.map(run_lecture, lectures))
    for path, (seconds, problem) in zip(lectures, outcomes):
        status = f"FAILED: {problem}" if problem else "ok"
        print(f"{path.relative_to(root)}: {status} ({seconds:.1f} s)")
    return not any(problem for _, problem in outcomes)


def run_lecture(path: Path) -> tuple[float, str | None]:
    """Execute one lecture (not saved); return (seconds, first problem or None)."""
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="monitorlab-lecture-") as tmp:
        try:
            nb = execute_notebook(read_notebook(path), path.parent, timeout=LECTURE_TIMEOUT,
                                  env=grading_env(Path(tmp)))
        except (ExecutionFailed, NotebookError) as exc:
            return time.monotonic() - started, str(exc)
    error = first_error(nb)
    return time.monotonic() - started, (f"cell {error[0]}: {error[1]}" if error else None)


def regenerate_labs(root: Path) -> tuple[list[str], list[str]]:
    """``generate`` every lab into ``labs/`` (leaving learners' edited notebooks alone).

    Returns the labs whose ``labs/`` folder now is their fresh release, and the labs' problems.
    """
    labs, fresh, problems = layout.list_labs(root), [], []
    print(f"\n== regenerating {len(labs)} lab(s) ==")
    for lab in labs:
        with tempfile.TemporaryDirectory(prefix=f"monitorlab-generate-{lab}-") as tmp:
            try:
                changes = publish(generate_lab(root, lab, Path(tmp)), root)
            except LearnerWorkError as exc:
                print(f"warning: {exc} (no demo submissions for {lab})")
                continue
            except (GenerateError, NotebookError) as exc:
                problems.append(str(exc))
                print(f"ERROR: {exc}")
                continue
        fresh.append(lab)
        print(f"{layout.RELEASE_DIR}/{lab}: "
              + (f"updated {', '.join(changes)}" if changes else "unchanged"))
    try:
        for orphan in remove_orphans(root, labs):
            print(f"{layout.RELEASE_DIR}/{orphan}: removed (no source in {layout.SOURCE_DIR}/)")
    except LearnerWorkError as exc:
        print(f"warning: {exc}")
    return fresh, problems


def build_submissions(root: Path, labs: list[str], dest: Path):
    """Write every lab's demo submissions; return them, their expected scores, and problems."""
    shutil.rmtree(dest, ignore_errors=True)
    submissions, expected, problems = [], {}, []
    for lab in labs:
        try:
            built = case_notebooks(lab, dest, root=root)
        except (CaseError, KeyError, NotebookError) as exc:
            problems.append(f"{lab}: cannot build its demo submissions: {exc}")
            continue
        for name, (path, score) in built.items():
            submissions.append(Submission(name, lab, path))
            expected[name, lab] = score
    return submissions, expected, problems
