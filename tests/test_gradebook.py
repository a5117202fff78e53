"""`python -m grader autograde --gradebook`: grades reach nbgrader's gradebook (the Formgrader's)."""

from pathlib import Path

from nbgrader.api import Gradebook

from grader.gradebook import write_gradebook
from grader.results import SubmissionResult, TaskScore

ROOT = Path(__file__).resolve().parent.parent
LAB = "lab00_orientation"


def test_autograde_results_are_recorded_per_cell_in_the_gradebook(tmp_path):
    labs_before = {p: p.read_bytes() for p in (ROOT / "labs" / LAB).rglob("*") if p.is_file()}
    alice = SubmissionResult("alice", LAB, "x.ipynb", tasks=[
        TaskScore("task1-bucket-tests", 3.0, 3.0), TaskScore("task4-drift-tests", 1.5, 2.0)])
    bob = SubmissionResult("bob", LAB, "y.ipynb", error="the kernel died",
                           tasks=[TaskScore("task1-bucket-tests", 3.0, 3.0)])
    db = tmp_path / "gradebook.db"
    assert write_gradebook([alice, bob], ROOT, db) == 2
    alice.tasks[1] = TaskScore("task4-drift-tests", 2.0, 2.0)  # regrading updates the cells
    write_gradebook([alice], ROOT, db)
    with Gradebook(f"sqlite:///{db}") as gb:
        assignment = gb.find_assignment(LAB)
        assert assignment.max_score == 17
        assert gb.find_submission(LAB, "alice").score == 5.0
        assert gb.find_grade("task4-drift-tests", LAB, LAB, "alice").auto_score == 2.0
        assert gb.find_submission(LAB, "bob").score == 0.0  # grading failed: 0 everywhere
        assert sorted(s.id for s in gb.students) == ["alice", "bob"]
    after = {p: p.read_bytes() for p in (ROOT / "labs" / LAB).rglob("*") if p.is_file()}
    assert after == labs_before  # generation went to a temporary folder, never labs/
