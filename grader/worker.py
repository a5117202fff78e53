"""Grading one submission in its own sandbox: ``python -m grader.worker JOB.json``.

The parent (``grader.autograde``) starts one worker process per submission, in the grading
environment (``grader.environment``), and kills it if it outlives its wall-clock limit. The
worker builds a fresh course directory that holds only the lab's release and the submission,
copies in the lab's gradebook (made by ``generate`` from the solutions, whose hidden tests
nbgrader restores into the locked test cells), runs ``nbgrader autograde`` through its Python
API with a per-cell timeout, and writes a ``SubmissionResult`` as JSON to the job's result file.

Sandbox layout (the kernel's working directory is ``course/autograded/learner/<lab>``)::

    sandbox/gradebook.db                        copy of the lab's gradebook
    sandbox/course/labs/<lab>/                  the release (plays nbgrader's source folder)
    sandbox/course/submitted/learner/<lab>/     the submission
    sandbox/course/autograded/learner/<lab>/    written by nbgrader autograde
"""

import json
import shutil
import sys
import time
from pathlib import Path

from grader import speedups

speedups.apply_all()  # before nbgrader/nbformat are imported

from nbgrader import utils as nbutils  # noqa: E402
from nbgrader.api import Gradebook  # noqa: E402
from nbgrader.converters import Autograde, GenerateFeedback  # noqa: E402

from grader import layout  # noqa: E402
from grader.notebooks import grade_cells, grade_id, output_text, read_notebook  # noqa: E402
from grader.notebooks import write_notebook  # noqa: E402
from grader.results import SubmissionResult, TaskScore, failed  # noqa: E402
from grader.runner import NbgraderFailed, run_converter  # noqa: E402
from grader.settings import course_config  # noqa: E402
from grader.submission_check import duplicate_notes, integrity_flags  # noqa: E402
from grader.submission_check import normalise_submission  # noqa: E402
from grader.trusted_execute import TrustedExecute  # noqa: E402

STUDENT = "learner"


def grade_job(job: dict) -> SubmissionResult:
    """Grade the submission a job describes (see ``grader.autograde.make_job``)."""
    started = time.monotonic()
    lab = job["lab"]
    course, db, submitted = build_sandbox(job)
    cfg = trusted_config(course_config(course, db, timeout=job["timeout"],
                                       source_directory=layout.RELEASE_DIR), job)
    base = dict(student=job["student"], lab=lab, notebook=job["notebook"])
    try:
        log = run_converter(Autograde, cfg, assignment_id=lab, student_id=STUDENT,
                            force=True, create_student=True)
    except NbgraderFailed as exc:
        return failed(error=explain_failure(box_failure(job) or exc.summary), points=job["points"],
                      seconds=time.monotonic() - started, log=exc.log[-4000:], **base)
    autograded = read_notebook(course / "autograded" / STUDENT / lab / f"{lab}.ipynb")
    release = read_notebook(Path(job["release"]) / f"{lab}.ipynb")
    report = json.loads(Path(job["sandbox"], "trusted.json").read_text(encoding="utf-8"))
    notes = (restored_cell_notes(read_notebook(submitted), release)
             + timeout_notes(autograded, job["timeout"]))
    if job.get("feedback"):
        notes += save_feedback(cfg, course, lab, Path(job["feedback"]))
    return SubmissionResult(tasks=read_scores(db, cfg, lab, job["points"], autograded),
                            notes=notes, seconds=time.monotonic() - started,
                            log=log[-4000:] if notes else "", seed=report["seed"],
                            sandboxed=report["sandboxed"], scored_in_kernel=report["unchecked"],
                            integrity=integrity_report(job, notes), **base)


def integrity_report(job: dict, notes: list[str]) -> list[str]:
    """Restored cells, copied grade ids and tampering-looking answer code (for the instructor)."""
    original = read_notebook(job["notebook"])
    return (duplicate_notes(original) + integrity_flags(original)
            + [n for n in notes if "autograde" in n and "test cell" in n])


def box_failure(job: dict) -> str | None:
    """Why the sandboxed run failed, as ``TrustedExecute`` recorded it (None if it did not)."""
    try:
        return json.loads(Path(job["sandbox"], "trusted.json").read_text(encoding="utf-8")).get("failure")
    except (OSError, ValueError):
        return None


def trusted_config(cfg, job: dict):
    """``cfg`` with nbgrader's Execute step replaced by ``TrustedExecute`` for this job."""
    steps = list(cfg.Autograde.get("autograde_preprocessors", []))
    cfg.Autograde.autograde_preprocessors = [
        TrustedExecute if getattr(step, "__name__", "") in ("Execute", "VenvExecute") else step
        for step in steps]
    sandbox = Path(job["sandbox"])
    cfg.TrustedExecute.checks_file = job.get("checks") or ""
    cfg.TrustedExecute.box = str(sandbox / "run")
    cfg.TrustedExecute.release = job["release"]
    cfg.TrustedExecute.seed = int(job.get("seed", 0))
    cfg.TrustedExecute.timeout = int(job["timeout"])
    cfg.TrustedExecute.sandboxed = bool(job.get("sandboxed", True))
    cfg.TrustedExecute.report = str(sandbox / "trusted.json")
    return cfg


def build_sandbox(job: dict) -> tuple[Path, Path, Path]:
    """Lay out the sandbox (module docstring); return course root, gradebook, submission."""
    sandbox, lab = Path(job["sandbox"]), job["lab"]
    course, db = sandbox / "course", sandbox / "gradebook.db"
    shutil.copytree(job["release"], course / layout.RELEASE_DIR / lab)
    submitted = course / "submitted" / STUDENT / lab / f"{lab}.ipynb"
    submitted.parent.mkdir(parents=True)
    write_notebook(normalise_submission(read_notebook(job["notebook"])), submitted)
    shutil.copyfile(job["gradebook"], db)
    return course, db, submitted


def read_scores(db: Path, cfg, lab: str, points: dict[str, float], autograded) -> list[TaskScore]:
    """Points per task from the sandbox gradebook, within the points the release declares."""
    messages = task_messages(autograded)
    with Gradebook(f"sqlite:///{db}", cfg.CourseDirectory.course_id) as gb:
        grades = {g.name: g for g in gb.find_submission_notebook(lab, lab, STUDENT).grades}
        tasks = []
        for gid, max_points in points.items():
            grade = grades.get(gid)
            score = grade.score if grade is not None and grade.score is not None else 0.0
            message = messages.get(gid, "")
            if grade is not None and grade.needs_manual_grade:
                message = "needs manual grading (formgrader); counted as 0 here. " + message
            tasks.append(TaskScore(gid, min(max(float(score), 0.0), max_points), max_points,
                                   message.strip()))
    return tasks


def task_messages(autograded) -> dict[str, str]:
    """What each graded cell printed or raised, explaining a 0 caused by stderr output."""
    messages = {}
    for cell in grade_cells(autograded):
        text = output_text(cell)
        outputs = cell.get("outputs", [])
        if (any(o.output_type == "stream" and o.name == "stderr" for o in outputs)
                and not any(o.output_type == "error" for o in outputs)):
            text = ("the test cell wrote to stderr, and nbgrader scores such a cell 0 "
                    "(a warning or a print(..., file=sys.stderr)?): " + text)
        messages[grade_id(cell)] = text
    return messages


def restored_cell_notes(submitted, release) -> list[str]:
    """A note for every locked test cell the learner deleted or edited (autograde restores it)."""
    have = {grade_id(cell): cell.source for cell in submitted.cells if grade_id(cell)}
    notes = []
    for cell in grade_cells(release):
        gid = grade_id(cell)
        if not nbutils.is_locked(cell):
            continue
        if gid not in have:
            notes.append(f"test cell {gid} was missing; autograde put it back")
        elif have[gid] != cell.source:
            notes.append(f"test cell {gid} had been edited; autograde restored it")
    return notes


def timeout_notes(autograded, timeout: int) -> list[str]:
    """A note for every cell that nbgrader interrupted at the per-cell timeout."""
    notes = []
    for index, cell in enumerate(autograded.cells):
        if any(o.output_type == "error" and o.get("ename") == "CellTimeoutError"
               for o in cell.get("outputs", [])):
            name = grade_id(cell) or f"cell {index}"
            notes.append(f"{name} ran longer than the {timeout} s cell timeout and was interrupted")
    return notes


def explain_failure(summary: str) -> str:
    """A reader's explanation of why nbgrader could not grade a submission."""
    if "DeadKernelError" in summary or "Kernel died" in summary:
        return ("the kernel died while running the notebook (a crash, os._exit, or memory "
                f"exhausted), so no task could be graded [{summary}]")
    if "CellTimeoutError" in summary:
        return ("a cell kept running past the cell timeout and could not be interrupted (code "
                f"that ignores interrupts?), so no task could be graded [{summary}]")
    if "UnresponsiveKernel" in summary:
        return ("the kernel stopped responding (a loop that ignores interrupts?), so no task "
                f"could be graded [{summary}]")
    return f"nbgrader autograde failed: {summary}"


def save_feedback(cfg, course: Path, lab: str, dest: Path) -> list[str]:
    """Write nbgrader's feedback HTML and the autograded notebook to ``dest``."""
    try:
        run_converter(GenerateFeedback, cfg, assignment_id=lab, student_id=STUDENT, force=True)
    except NbgraderFailed as exc:
        return [f"feedback not written: {exc.summary}"]
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(course / "feedback" / STUDENT / lab / f"{lab}.html", dest / f"{lab}.html")
    shutil.copyfile(course / "autograded" / STUDENT / lab / f"{lab}.ipynb", dest / f"{lab}.ipynb")
    return []


def main(argv: list[str]) -> int:
    """Run the job in ``argv[0]``; write its result JSON next to it (``job["result"]``)."""
    job = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    result = grade_job(job)
    Path(job["result"]).write_text(json.dumps(result.to_dict()), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
