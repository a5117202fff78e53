"""MonitorLab grading tools: ``python -m grader COMMAND``.

Commands (``python -m grader COMMAND --help`` for details)::

    generate [LAB ...] [--force]     solutions/<lab> -> labs/<lab> with nbgrader, byte-identical
                                     on every run; refuses to overwrite a labs/ notebook holding
                                     a learner's edited answers unless --force
    check-sync [LAB ...]             exit 1, naming each file, if labs/ is not what generate
                                     makes of solutions/
    autograde DIR [--timeout S] [--jobs N | --cluster local:N | --scheduler ADDRESS]
              [--csv PATH] [--json PATH] [--feedback DIR] [--store DIR | --no-store] [--regrade]
              [--gradebook [DB]] [--unsandboxed] [--seed N]
                                     grade DIR/<student>/<lab>/<lab>.ipynb (nbgrader layout) or
                                     DIR/<student>/<lab>.ipynb; print a grade table, write CSV
                                     (default grades/grades.csv), JSON (grades/grades.json), the
                                     HTML report (grades/report.html), a Canvas gradebook CSV
                                     (grades/canvas_gradebook.csv) and Gradescope results.json
                                     files (grades/gradescope/<lab>/<student>/); grades already
                                     in the results store (default grades/store) are reused;
                                     --gradebook also records the grades in gradebook.db, where
                                     the Formgrader reads them (grader/gradebook.py); learner
                                     code runs in bwrap (refused if bwrap cannot start, unless
                                     --unsandboxed); --seed fixes the hidden inputs
    selfcheck NOTEBOOK [--timeout S] run a copy of a lab, report each task's visible checks
                                     ("visible checks pass, N points decided at grading",
                                     "recorded, graded later", or what to fix), then progress
    progress [LABS]                  per lab of workspace/labs (or LABS): tasks answered, the
                                     last self-check; the course total
    lab [JUPYTER OPTION ...]         seed workspace/ from course/ and labs/ (never overwriting),
                                     then start JupyterLab on it (what `make lab` runs)
    strip PATH... [--check]          clear outputs/execution counts (folders: recursively);
                                     --check only reports and exits 1 if any had outputs
    demo [--jobs N] [--timeout S] [--out DIR]
                                     run every lecture headless, regenerate labs/, autograde each
                                     lab's solution, untouched release and typical wrong answers
                                     (grader/cases/), print the table, write grades, the report
                                     and the LMS exports (default out: grades/demo)

Global option ``--root DIR`` grades another course laid out the same way (default: this repo).

How autograde grades: for each lab submitted it generates the lab from ``solutions/`` into a
temporary course with a temporary gradebook (the instructor's ``gradebook.db`` is only
written with ``--gradebook``, after grading) and deletes the copied source; then every submission is graded by ``nbgrader
autograde`` in its own worker process and sandbox folder holding only the release, the
submission and a copy of that gradebook, from which nbgrader restores the locked test cells,
hidden tests included (a deleted or edited test cell is put back and noted). For a lab with
trusted checks (``grader/checks/<lab>.py``) every test cell is then replaced by an evaluation
cell and its points are decided in the grading process (``grader.trusted``); the notebook runs
in a bubblewrap sandbox (``grader.sandbox``) that holds no gradebook, check or solution. Learner code runs
with fake AWS credentials (``AWS_ACCESS_KEY_ID=testing``...), no ``AWS_PROFILE`` or ``~/.aws``,
on this venv's Python whatever kernel the notebook names, with a per-cell timeout (default
60 s: an endless cell is interrupted and the notebook goes on); a worker exceeding
``timeout * (code cells + 2) + 60`` s is killed with its kernel. A file that is not a notebook,
a kernel that crashes, or a cell that cannot be interrupted gives that submission a row with
score 0 and a note; the other submissions are graded as usual.

CSV columns: ``student, lab, task, points, max_points, note`` (one row per test cell, then a
``TOTAL`` row per submission). JSON: every result with per-task messages and errors. Report and
LMS exports: ``grader/report.py``.

Scale: ``--cluster local:N`` grades on a Dask LocalCluster of N processes, ``--scheduler
tcp://HOST:8786`` on a running Dask cluster (``grader/cluster.py``; docs/large-class.md). Every
clean grade is kept in the results store keyed by a content hash of the submission, the lab's
source, the cell timeout and the grader/engine code (``grader/store.py``): a re-run after a crash
or with new submissions grades only what is new or changed; ``--regrade`` grades everything.
Progress: a bar (counts, rate, time left) on a terminal, one line per submission otherwise.

Exit status: 0 done (even if some submissions scored 0), 1 a check failed (check-sync found
differences, strip --check found outputs, demo saw an error or an unexpected score, generate
refused to overwrite a learner's work or nbgrader rejected a source), 2 usage error (unknown lab,
missing folder, no submissions found).

Learners: ``python -m grader selfcheck labs/lab01_x/lab01_x.ipynb``, or in the lab itself
``from grader.selfcheck import selfcheck; selfcheck("lab01_x.ipynb")`` (save first).
"""

import argparse
import contextlib
import sys
import tempfile
from pathlib import Path

from grader.speedups import skip_slow_optional_imports

skip_slow_optional_imports()  # before nbformat/nbgrader are imported

from grader import layout  # noqa: E402
from grader.cases import CaseError  # noqa: E402
from grader.generate import GenerateError  # noqa: E402
from grader.notebooks import NotebookError  # noqa: E402
from grader.settings import DEFAULT_CELL_TIMEOUT  # noqa: E402
from grader.sandbox import SandboxUnavailable  # noqa: E402

USAGE_ERRORS = (layout.LayoutError, FileNotFoundError, NotADirectoryError, NotebookError,
                SandboxUnavailable)
CHECK_ERRORS = (GenerateError, CaseError)


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, run the command, return the exit status."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra and args.command is not cmd_lab:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    args.jupyter_args = extra
    root = layout.course_root(args.root)
    try:
        return args.command(args, root)
    except USAGE_ERRORS as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except CHECK_ERRORS as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def build_parser() -> argparse.ArgumentParser:
    """The argparse parser of every command."""
    parser = argparse.ArgumentParser(
        prog="python -m grader", description="MonitorLab grading tools (nbgrader based).",
        epilog="Details: the docstring of grader/__main__.py.")
    parser.add_argument("--root", type=Path, help="course root (default: this repository)")
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    p = sub.add_parser("generate", help="generate labs/ from solutions/")
    p.add_argument("labs", nargs="*", metavar="LAB", help="labs to generate (default: all)")
    p.add_argument("--force", action="store_true",
                   help="overwrite labs/ notebooks even if they hold edited answers")
    p.set_defaults(command=cmd_generate)

    p = sub.add_parser("check-sync", help="exit 1 if labs/ differs from what generate makes")
    p.add_argument("labs", nargs="*", metavar="LAB", help="labs to check (default: all)")
    p.set_defaults(command=cmd_check_sync)

    p = sub.add_parser("autograde", help="grade a folder of submissions")
    p.add_argument("folder", type=Path, metavar="DIR",
                   help="DIR/<student>/<lab>/<lab>.ipynb or DIR/<student>/<lab>.ipynb")
    _add_timeout_jobs(p)
    p.add_argument("--csv", type=Path, default=None,
                   help="grade CSV to write (default: grades/grades.csv)")
    p.add_argument("--json", type=Path, default=None,
                   help="JSON results to write (default: next to the CSV, .json)")
    p.add_argument("--feedback", type=Path, default=None, metavar="DIR",
                   help="also write DIR/<student>/<lab>/<lab>.html (nbgrader feedback) and the "
                        "autograded notebook")
    p.add_argument("--gradebook", type=Path, nargs="?", const=True, default=None, metavar="DB",
                   help="also record the grades in nbgrader's gradebook, where the Formgrader "
                        "reads them (default DB: the course's gradebook.db)")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--cluster", metavar="local:N",
                       help="grade on a new Dask LocalCluster of N worker processes")
    where.add_argument("--scheduler", metavar="ADDRESS",
                       help="grade on a running Dask cluster (e.g. tcp://10.0.0.5:8786)")
    store = p.add_mutually_exclusive_group()
    store.add_argument("--store", type=Path, default=None, metavar="DIR",
                       help="results store reused between runs (default: grades/store)")
    store.add_argument("--no-store", action="store_true", help="neither read nor write a store")
    p.add_argument("--regrade", action="store_true",
                   help="grade every submission again, even if its grade is stored")
    p.add_argument("--unsandboxed", action="store_true",
                   help="run learner code without the bwrap sandbox (only where bwrap cannot "
                        "start; every result records it)")
    p.add_argument("--seed", type=int, default=None,
                   help="seed of the hidden inputs (default: drawn per run, recorded in the JSON)")
    p.set_defaults(command=cmd_autograde)

    p = sub.add_parser("selfcheck", help="score a lab's visible tests locally")
    p.add_argument("notebook", type=Path, metavar="NOTEBOOK")
    p.add_argument("--timeout", type=_positive_int, default=DEFAULT_CELL_TIMEOUT,
                   help=f"seconds per cell (default {DEFAULT_CELL_TIMEOUT})")
    p.set_defaults(command=cmd_selfcheck)

    p = sub.add_parser("progress", help="a learner's progress over the labs of a workspace")
    p.add_argument("folder", type=Path, nargs="?", default=None, metavar="LABS",
                   help="a folder of labs (default: workspace/labs)")
    p.set_defaults(command=cmd_progress)

    p = sub.add_parser("lab", help="seed workspace/ and start JupyterLab (what `make lab` runs)")
    p.set_defaults(command=cmd_lab)  # every other argument goes to `jupyter lab`

    p = sub.add_parser("strip", help="clear outputs of notebooks in place")
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    p.add_argument("--check", action="store_true",
                   help="change nothing; exit 1 if any notebook has outputs")
    p.set_defaults(command=cmd_strip)

    p = sub.add_parser("demo", help="run the lectures, regenerate labs, autograde demo cases")
    _add_timeout_jobs(p)
    p.add_argument("--out", type=Path, default=None,
                   help="where submissions and grades go (default: grades/demo)")
    p.set_defaults(command=cmd_demo)
    return parser


def cmd_generate(args, root: Path) -> int:
    """``generate``: write labs/ from solutions/."""
    from grader.generate import generate_lab
    from grader.release import LearnerWorkError, publish, remove_orphans

    labs = layout.resolve_labs(root, args.labs)
    if not labs:
        print(f"no labs in {root / layout.SOURCE_DIR} (folders named labNN_topic)")
    status = 0
    for lab in labs:
        with tempfile.TemporaryDirectory(prefix=f"monitorlab-generate-{lab}-") as tmp:
            try:
                changes = publish(generate_lab(root, lab, Path(tmp)), root, force=args.force)
            except LearnerWorkError as exc:
                print(f"error: {exc}", file=sys.stderr)
                status = 1
                continue
        print(f"{layout.RELEASE_DIR}/{lab}: "
              + (f"updated {', '.join(changes)}" if changes else "unchanged"))
    if not args.labs:
        for orphan in remove_orphans(root, labs, force=args.force):
            print(f"{layout.RELEASE_DIR}/{orphan}: removed (no source in {layout.SOURCE_DIR}/)")
    return status


def cmd_check_sync(args, root: Path) -> int:
    """``check-sync``: compare labs/ with a fresh generation."""
    from grader.sync import check_sync

    differences = check_sync(root, args.labs)
    for difference in differences:
        print(difference)
    if differences:
        print(f"check-sync: {len(differences)} difference(s) between {layout.RELEASE_DIR}/ and "
              f"{layout.SOURCE_DIR}/. Fix: python -m grader generate (then commit labs/).")
        return 1
    print(f"check-sync: {layout.RELEASE_DIR}/ is in sync with {layout.SOURCE_DIR}/ "
          f"({len(layout.list_labs(root))} labs)")
    return 0


def cmd_autograde(args, root: Path) -> int:
    """``autograde``: grade a folder of submissions; print the table; write grades and reports."""
    from grader.autograde import grade_submissions
    from grader.grading_progress import Progress
    from grader.report import write_all
    from grader.results import format_table, write_csv, write_json
    from grader.store import ResultStore
    from grader.submissions import find_submissions

    if not args.folder.is_dir():
        raise NotADirectoryError(f"{args.folder}: no such folder of submissions")
    submissions, skipped = find_submissions(args.folder)
    for line in skipped:
        print(f"warning: {line}", file=sys.stderr)
    if not submissions:
        raise FileNotFoundError(f"{args.folder}: no submissions found; expected "
                                "<student>/<lab>/<lab>.ipynb or <student>/<lab>.ipynb inside")
    csv_path = args.csv or root / "grades" / "grades.csv"
    json_path = args.json or csv_path.with_suffix(".json")
    store = None if args.no_store else ResultStore(args.store or root / "grades" / "store")
    pool = _pool(args)
    if isinstance(pool, str):
        print(f"error: {pool}", file=sys.stderr)
        return 2
    with pool or contextlib.nullcontext():
        where = pool.describe() if pool else f"{args.jobs} local worker(s)"
        print(f"autograding {len(submissions)} submission(s) on {where}, "
              f"{args.timeout} s per cell")
        results = grade_submissions(submissions, root, timeout=args.timeout, jobs=args.jobs,
                                    feedback_dir=args.feedback, progress=Progress.for_stream(),
                                    pool=pool, store=store, regrade=args.regrade,
                                    sandboxed=not args.unsandboxed, seed=args.seed)
    print("\n" + format_table(results) + "\n")
    write_csv(results, csv_path, skipped=skipped)
    write_json(results, json_path, args.timeout, skipped=skipped)
    report, canvas, gradescope = write_all(results, csv_path.parent, root)
    print(f"wrote {csv_path}, {json_path}, {report}, {canvas} and {gradescope}/")
    if args.gradebook:
        from grader.gradebook import write_gradebook

        db = root / "gradebook.db" if args.gradebook is True else args.gradebook
        print(f"recorded {write_gradebook(results, root, db)} submission(s) in {db} "
              "(the Formgrader's gradebook)")
    return 0


def _pool(args):
    """A Dask pool for --cluster/--scheduler, None for local workers, or why it cannot be had."""
    if not (args.cluster or args.scheduler):
        return None
    from grader.cluster import ClusterError, DaskPool

    try:
        return DaskPool.connect(cluster=args.cluster, scheduler=args.scheduler)
    except ClusterError as exc:
        return str(exc)
    except OSError as exc:  # no scheduler there, or it timed out
        return (f"--scheduler {args.scheduler}: cannot reach a Dask scheduler ({exc}); start "
                "one with `dask scheduler` and workers with `dask worker ADDRESS` "
                "(docs/large-class.md)")


def cmd_selfcheck(args, root: Path) -> int:
    """``selfcheck``: run a lab and report its visible-test points."""
    from grader.selfcheck import selfcheck

    if not args.notebook.is_file():
        raise FileNotFoundError(f"{args.notebook}: no such notebook")
    selfcheck(args.notebook.resolve(), timeout=args.timeout)
    return 0


def cmd_progress(args, root: Path) -> int:
    """``progress``: answered tasks and last self-checks, per lab and in total."""
    from grader.lab import WORKSPACE
    from grader.progress import course_progress, format_progress

    folder = args.folder or root / WORKSPACE / layout.RELEASE_DIR
    if not folder.is_dir():
        raise NotADirectoryError(f"{folder}: no such folder of labs (run `make lab` once to "
                                 "create workspace/, or name a folder holding labNN_topic/)")
    print(format_progress(course_progress(folder)))
    return 0


def cmd_lab(args, root: Path) -> int:
    """``lab``: seed workspace/, then run JupyterLab configured by grader/ (``grader.lab``)."""
    from grader.lab import main as lab_main

    return lab_main(root, args.jupyter_args)


def cmd_strip(args, root: Path) -> int:
    """``strip``: clear outputs (or, with --check, report notebooks that have some)."""
    from grader.strip import strip

    dirty = strip(args.paths, check=args.check)
    verb = "has outputs" if args.check else "stripped"
    for path in dirty:
        print(f"{path}: {verb}")
    if args.check and dirty:
        print(f"Fix: python -m grader strip {' '.join(str(p) for p in dirty)}")
        return 1
    return 0


def cmd_demo(args, root: Path) -> int:
    """``demo``: lectures, labs, demo submissions, grade table."""
    from grader.demo import run_demo

    return run_demo(root, args.out or root / "grades" / "demo", jobs=args.jobs,
                    timeout=args.timeout)


def _add_timeout_jobs(parser: argparse.ArgumentParser) -> None:
    """The --timeout and --jobs options."""
    parser.add_argument("--timeout", type=_positive_int, default=DEFAULT_CELL_TIMEOUT,
                        help=f"seconds per cell before it is interrupted "
                             f"(default {DEFAULT_CELL_TIMEOUT})")
    parser.add_argument("--jobs", type=_positive_int, default=2,
                        help="submissions graded in parallel (default 2)")


def _positive_int(text: str) -> int:
    """argparse type: an integer >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return value


if __name__ == "__main__":
    sys.exit(main())
