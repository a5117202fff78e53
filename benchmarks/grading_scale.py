"""Grading throughput: sequential ``nbgrader autograde`` vs ``--jobs 2`` vs a two-worker Dask cluster.

Generates ``--n`` submissions of one lab (default 200 of lab01_data_capture): the solution, the
untouched release and every case of ``grader/cases/<lab>.py`` in turn, each with a comment naming
its learner so that no two files are the same. Then grades them three ways, with no results
store (every submission is graded each time):

1. ``nbgrader autograde LAB`` once over a course directory holding all of them (nbgrader's own
   loop: one process, one submission after the other), with the grader's configuration;
2. ``grader.autograde`` with ``LocalPool(2)`` (what ``autograde --jobs 2`` does);
3. ``grader.autograde`` with a ``DaskPool`` on a two-worker ``LocalCluster`` (``--cluster
   local:2``); cluster start-up is timed apart.

Prints seconds per submission, the machine's busy CPU seconds per submission (all processes,
from ``/proc/stat``), throughput ratios against (1) (issue 16 target: at least 1.8 on two cores)
and whether (2) and (3) gave identical grades (one seed for both). nbgrader's scores are compared
too, except for a lab with trusted checks, where nbgrader alone sees only the visible checks.
Run on an otherwise idle machine:
    .venv/bin/python benchmarks/grading_scale.py [--n 200] [--lab lab01_data_capture]
"""

import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = 1.8


def busy_cpu_seconds() -> float:
    """CPU seconds the whole machine has spent busy since boot (Linux ``/proc/stat``), or 0."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    except (OSError, ValueError):
        return 0.0
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


class Timed:
    """Wall seconds and machine busy CPU seconds of a ``with`` block."""

    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), busy_cpu_seconds()
        return self

    def __exit__(self, *exc):
        self.wall, self.cpu = time.perf_counter() - self.wall, busy_cpu_seconds() - self.cpu


def make_submissions(lab: str, n: int, dest: Path) -> dict[str, Path]:
    """``n`` submissions ``dest/sNNN/<lab>/<lab>.ipynb`` cycling through the lab's demo cases."""
    from grader.notebooks import answer_cells, read_notebook, write_notebook
    from grader.testing import case_notebooks

    built = case_notebooks(lab, dest / "_cases", root=ROOT)
    names = sorted(built)
    paths = {}
    for i in range(n):
        nb = read_notebook(built[names[i % len(names)]][0])
        cell = answer_cells(nb)[0]
        cell.source = f"# learner s{i:03d}\n" + cell.source
        paths[f"s{i:03d}"] = dest / f"s{i:03d}" / lab / f"{lab}.ipynb"
        write_notebook(nb, paths[f"s{i:03d}"])
    shutil.rmtree(dest / "_cases")
    return paths


def time_nbgrader(lab: str, paths: dict[str, Path], work: Path, timeout: int) -> tuple[Timed, dict]:
    """Sequential ``nbgrader autograde``; return its ``Timed`` and ``student -> score``."""
    from grader.environment import grading_env
    from grader.generate import generate_lab

    generated = generate_lab(ROOT, lab, work / "gen")
    course = work / "course"
    shutil.copytree(generated.release, course / "labs" / lab)
    for student, path in paths.items():
        (course / "submitted" / student / lab).mkdir(parents=True)
        shutil.copyfile(path, course / "submitted" / student / lab / f"{lab}.ipynb")
    shutil.copyfile(generated.gradebook, work / "gradebook.db")
    command = [sys.executable, "-m", "nbgrader", "autograde", lab, "--force",
               f"--CourseDirectory.root={course}", "--CourseDirectory.source_directory=labs",
               f"--CourseDirectory.db_url=sqlite:///{work / 'gradebook.db'}",
               f"--Execute.timeout={timeout}"]
    with Timed() as timed:
        done = subprocess.run(command, cwd=ROOT / "grader", env=grading_env(work / "scratch"),
                              capture_output=True, text=True)
    if done.returncode:  # nbgrader exits 1 when some notebook failed; the others are graded
        print(f"nbgrader autograde exited {done.returncode}: " + done.stderr[-1500:])
    subprocess.run([sys.executable, "-m", "nbgrader", "export", f"--CourseDirectory.root={course}",
                    f"--CourseDirectory.db_url=sqlite:///{work / 'gradebook.db'}",
                    f"--to={work / 'grades.csv'}"], cwd=ROOT / "grader", check=True,
                   capture_output=True, env=grading_env(work / "scratch"))
    rows = csv.DictReader((work / "grades.csv").open())
    return timed, {r["student_id"]: float(r["score"]) for r in rows}


def time_grader(lab: str, paths: dict[str, Path], timeout: int, pool) -> tuple[Timed, list]:
    """``grader.autograde`` with ``pool``; return its ``Timed`` and the results."""
    from grader.autograde import grade_submissions
    from grader.submissions import Submission

    subs = [Submission(student, lab, path) for student, path in paths.items()]
    with Timed() as timed:
        results = grade_submissions(subs, ROOT, timeout=timeout, pool=pool, seed=7)
    return timed, results


def main(argv: list[str]) -> int:
    from grader.autograde import LocalPool
    from grader.cluster import DaskPool

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="submissions (default 200)")
    parser.add_argument("--lab", default="lab01_data_capture")
    parser.add_argument("--timeout", type=int, default=60, help="seconds per cell")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="monitorlab-bench-") as tmp:
        tmp = Path(tmp)
        paths = make_submissions(args.lab, args.n, tmp / "subs")
        base, nb_scores = time_nbgrader(args.lab, paths, tmp / "nbgrader", args.timeout)
        local, local_results = time_grader(args.lab, paths, args.timeout, LocalPool(2))
        started = time.perf_counter()
        with DaskPool.connect(cluster="local:2") as pool:  # workers' forkservers warmed here
            startup = time.perf_counter() - started
            dask, dask_results = time_grader(args.lab, paths, args.timeout, pool)
    same = [r.to_dict()["tasks"] for r in local_results] == \
        [r.to_dict()["tasks"] for r in dask_results]
    from grader.trusted import checks_file

    trusted = checks_file(ROOT, args.lab).is_file()  # nbgrader alone runs only the visible checks
    agree = trusted or all(abs(nb_scores.get(r.student, -1) - r.score) < 1e-9
                           for r in local_results)
    print(f"{args.n} submissions of {args.lab}, cell timeout {args.timeout} s")
    print(f"{'way':36} {'seconds':>8} {'s/submission':>13} {'CPU s/sub':>10} {'cores busy':>11} "
          f"{'vs nbgrader':>12}")
    for name, timed in [("nbgrader autograde (sequential)", base),
                        ("grader --jobs 2", local),
                        ("grader --cluster local:2", dask)]:
        print(f"{name:36} {timed.wall:8.1f} {timed.wall / args.n:13.2f} {timed.cpu / args.n:10.2f} "
              f"{timed.cpu / timed.wall:11.2f} {base.wall / timed.wall:12.2f}")
    print(f"Dask LocalCluster start-up: {startup:.1f} s (not counted above)")
    print(f"target: >= {TARGET} times nbgrader on two cores; "
          f"--jobs 2 {'meets' if base.wall / local.wall >= TARGET else 'misses'} it, "
          f"Dask {'meets' if base.wall / dask.wall >= TARGET else 'misses'} it")
    print(f"grades: local and Dask {'identical' if same else 'DIFFERENT'}; local and nbgrader "
          + ("scores not comparable (trusted checks: nbgrader alone runs only the visible "
             "checks)" if trusted else f"scores {'agree' if agree else 'DISAGREE'}"))
    for mine, theirs in zip(local_results, dask_results):
        if mine.to_dict()["tasks"] != theirs.to_dict()["tasks"] or (
                not trusted and abs(nb_scores.get(mine.student, -1) - mine.score) > 1e-9):
            print(f"  {mine.student}: nbgrader {nb_scores.get(mine.student)}, local {mine.score:g}"
                  f" ({mine.error or 'ok'}), Dask {theirs.score:g} ({theirs.error or 'ok'})")
    return 0 if same and agree else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
