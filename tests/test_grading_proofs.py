"""The labs' grading proofs grade their cases in bundles (``grader.testing.grading_mismatches``).

A bundle is one notebook holding several cases' answers; each case must lose exactly its points
on the test cells its answers are graded by. These tests pin the three parts (which test cells
grade an answer, how cases are grouped, when a bundle proves its cases) and, on the toy course,
that a case reaching beyond its own test cells is caught and graded alone.
"""

from grader.cases import Case
from grader.testing import GradeResult, answer_tasks, bundle_mismatches, case_bundles
from grader.testing import grading_mismatches, release_notebook
from tests.test_grader_pipeline import LAB, make_toy_course


TASKS = {"square_code": ("test_square",), "choice_answer": ("test_choice",),
         "mean_code": ("test_mean",)}
POINTS = {"test_square": 2.0, "test_choice": 1.0, "test_mean": 3.0}


def result(**points) -> GradeResult:
    per_task = {gid: (points.get(gid, full), full) for gid, full in POINTS.items()}
    return GradeResult(sum(p for p, _ in per_task.values()), 6.0, per_task)


def test_each_answer_is_graded_by_the_test_cells_after_it(tmp_path):
    root = make_toy_course(tmp_path / "course")
    assert answer_tasks(release_notebook(LAB, root=root)) == TASKS


def test_cases_on_different_cells_share_a_bundle_and_cases_on_one_cell_do_not():
    square = Case("square", {"square_code": "..."}, 4.0)
    mean = Case("mean", {"mean_code": "..."}, 3.0)
    other_mean = Case("other_mean", {"mean_code": "...."}, 5.0)
    both = Case("both", {"square_code": "...", "choice_answer": "..."}, 3.0)
    bundles = case_bundles([square, mean, other_mean, both], TASKS)
    assert [[c.name for c in b] for b in bundles] == [["both", "mean"], ["square", "other_mean"]]


def test_a_bundle_proves_its_cases_only_when_each_loses_exactly_its_points():
    square, mean = Case("square", {"square_code": "..."}, 4.0), Case("mean", {"mean_code": "..."}, 5.0)
    assert bundle_mismatches(result(test_square=0.0, test_mean=2.0), [square, mean], TASKS, POINTS) == []
    off = bundle_mismatches(result(test_square=1.0, test_mean=2.0), [square, mean], TASKS, POINTS)
    assert off == ["square lost 1 on ['test_square'], expected 2"]
    leak = bundle_mismatches(result(test_square=0.0, test_choice=0.0), [square], TASKS, POINTS)
    assert leak == ["test_choice scored 0 of 1 and no case touches it"]
    failed = GradeResult(0.0, 6.0, {}, error="the kernel died")
    assert bundle_mismatches(failed, [square], TASKS, POINTS) == ["bundle did not grade: the kernel died"]


LEAKY_CASES = '''from grader.cases import Case

CASES = [
    # Its answer cell is graded by test_square, but it also breaks sum(), so mean() too: the
    # bundle cannot add up, and the case is graded alone (square and choice right: 3 points).
    Case("square_that_breaks_mean",
         {"square_code": "import builtins\\nbuiltins.sum = lambda xs: 0\\n\\n"
                         "def square(x):\\n    return x * x"},
         expected_score=3.0),
    Case("wrong_choice", {"choice_answer": 'answer = "A"'}, expected_score=5.0),
    Case("wrong_choice_declared_badly", {"choice_answer": 'answer = "C"'}, expected_score=4.0),
]
'''


def test_the_proof_regrades_a_bundle_that_does_not_add_up_and_names_the_wrong_case(tmp_path):
    root = make_toy_course(tmp_path / "course")
    (root / "grader" / "cases" / f"{LAB}.py").write_text(LEAKY_CASES)
    # the leaky case is proven alone (it is not reported), the badly declared one is named
    assert set(grading_mismatches(LAB, max_total=6, root=root)) == {"wrong_choice_declared_badly"}


def test_the_solution_proof_scores_the_graders_evaluation_with_the_trusted_checks(tmp_path):
    """``solution_check_scores`` runs the solution once, visible tests and the grader's evaluation
    cells together, and scores them as the grader would: full marks, and less for a wrong answer."""
    import nbformat

    from grader.notebooks import grade_id
    from grader.testing import solution_check_scores
    from tests.test_grader_pipeline import WRONG_MEAN
    from tests.test_trusted_grading import TOY_CHECKS

    root = make_toy_course(tmp_path / "course")
    (root / "grader" / "checks").mkdir()
    (root / "grader" / "checks" / f"{LAB}.py").write_text(TOY_CHECKS)
    nb, scores, _ = solution_check_scores(LAB, tmp_path / "run1", root=root, seed=5)
    assert {gid: points for gid, (points, _, _) in scores.items()} == POINTS
    assert sum("MLREC" in "".join(o.get("text", "") for o in c.get("outputs", []))
               for c in nb.cells) == 3  # one evaluation record per checked test cell
    source = root / "solutions" / LAB / f"{LAB}.ipynb"
    wrong = nbformat.read(source, as_version=4)
    next(c for c in wrong.cells if grade_id(c) == "mean_code").source = WRONG_MEAN
    nbformat.write(wrong, source)
    _, scores, _ = solution_check_scores(LAB, tmp_path / "run2", root=root, seed=5)
    assert scores["test_mean"][0] < 3.0 and scores["test_square"][0] == 2.0
