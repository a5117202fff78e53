"""Writing ``python -m grader autograde`` grades into nbgrader's gradebook, for the Formgrader.

``python -m grader autograde DIR --gradebook`` grades every submission in its own temporary
course (``grader.autograde``), then records the results in the course's ``gradebook.db``
(``grader/nbgrader_config.py``), where JupyterLab's Formgrader reads them:

1. each lab graded is recorded in the gradebook as nbgrader's ``generate_assignment`` records
   it (its notebook, graded cells with their points, locked cells), generated from
   ``solutions/`` into a temporary release folder, so ``labs/`` is never rewritten;
2. each student and submission is added (or updated), and every graded cell's ``auto_score``
   is set to the points autograde gave it; a submission whose grading failed gets 0 in every
   cell.

The autograded notebooks stay with autograde (``--feedback DIR`` writes them): the
Formgrader's scores and totals come from the gradebook, its manual-grading page of a
submission needs ``autograded/<student>/<lab>/<lab>.ipynb`` as nbgrader writes it.
"""

import tempfile
from pathlib import Path

from nbgrader.api import Gradebook
from nbgrader.converters import GenerateAssignment

from grader.results import SubmissionResult
from grader.runner import run_converter
from grader.settings import course_config


def record_assignment(root: Path, lab: str, db_path: Path) -> None:
    """Record ``lab`` (from ``solutions/``) in the gradebook at ``db_path``; labs/ untouched."""
    cfg = course_config(root, db_path)
    with tempfile.TemporaryDirectory(prefix="monitorlab-gradebook-") as tmp:
        cfg.CourseDirectory.release_directory = str(Path(tmp) / "release")  # absolute: not labs/
        run_converter(GenerateAssignment, cfg, assignment_id=lab, force=True,
                      create_assignment=True)


def write_gradebook(results: list[SubmissionResult], root: Path, db_path: Path) -> int:
    """Record every result's per-cell points in the gradebook; return the submissions written."""
    for lab in sorted({r.lab for r in results}):
        record_assignment(root, lab, db_path)
    with Gradebook(f"sqlite:///{Path(db_path).resolve()}") as gb:
        for result in results:
            gb.update_or_create_student(result.student)
            gb.update_or_create_submission(result.lab, result.student)
            for task in result.tasks:
                grade = gb.find_grade(task.grade_id, result.lab, result.lab, result.student)
                grade.auto_score = 0.0 if result.error else float(task.points)
                grade.needs_manual_grade = False
            gb.db.commit()
    return len(results)
