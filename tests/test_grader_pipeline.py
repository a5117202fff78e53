"""The grading pipeline (python -m grader), proven on a toy course built in a temp folder.

The toy lab is independent of monitorlab: three graded tasks worth 6 points.

- ``test_square`` (2): code task ``square_code``; visible test ``square(3) == 9``, hidden tests
  with other inputs (so a hard-coded 9 scores 0).
- ``test_choice`` (1): multiple choice ``choice_answer`` (answer "B"); the visible test only checks
  the form of the answer, the hidden one the answer.
- ``test_mean`` (3): partial credit by nbgrader's last-expression-number rule: one visible and
  two hidden checks of ``mean``, each worth 1.
"""

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from grader.__main__ import main
from grader.notebooks import read_notebook, write_notebook
from grader.testing import apply_answers, grade_notebook, release_notebook, solution_answers

LAB = "lab01_toy"
REPO = Path(__file__).resolve().parent.parent
CELL_TIMEOUT = 5  # seconds: the toy cells take milliseconds; the infinite loop is cut at 5 s


# --------------------------------------------------------------------------- the toy course

def _meta(grade_id, *, grade=False, solution=False, locked=False, points=None):
    """nbgrader cell metadata (schema 3)."""
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
            "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


SQUARE_TEST = """assert square(3) == 9, "square(3) should be 9"
### BEGIN HIDDEN TESTS
assert square(-4) == 16, "square(-4) should be 16: check negative numbers"
assert square(0.5) == 0.25, "square(0.5) should be 0.25"
### END HIDDEN TESTS"""

CHOICE_TEST = """assert answer in ("A", "B", "C"), 'answer must be one of "A", "B" or "C"'
### BEGIN HIDDEN TESTS
assert answer == "B", "not quite: re-read the definition of the mean"
### END HIDDEN TESTS"""

MEAN_TEST = """score = 0
if mean([1, 2, 3]) == 2:
    score += 1
else:
    print("✗ mean([1, 2, 3]) should be 2: divide the sum by the number of values")
### BEGIN HIDDEN TESTS
if mean([2, 4]) == 3:
    score += 1
else:
    print("✗ mean([2, 4]) should be 3")
if mean([5]) == 5:
    score += 1
else:
    print("✗ mean([5]) should be 5")
### END HIDDEN TESTS
score"""


def toy_source_notebook():
    """The toy lab's nbgrader source notebook."""
    cells = [
        new_markdown_cell("# Toy lab\nThree tasks, 6 points."),
        new_code_cell("import warnings\nwarnings.filterwarnings('ignore')"),
        new_code_cell("def square(x):\n    ### BEGIN SOLUTION\n    return x * x\n"
                      "    ### END SOLUTION", metadata=_meta("square_code", solution=True)),
        new_code_cell(SQUARE_TEST, metadata=_meta("test_square", grade=True, locked=True,
                                                  points=2)),
        new_markdown_cell("Which statistic is the sum divided by the count? A) median "
                          "B) mean C) mode"),
        new_code_cell('### BEGIN SOLUTION\nanswer = "B"\n### END SOLUTION',
                      metadata=_meta("choice_answer", solution=True)),
        new_code_cell(CHOICE_TEST, metadata=_meta("test_choice", grade=True, locked=True,
                                                  points=1)),
        new_code_cell("def mean(xs):\n    ### BEGIN SOLUTION\n    return sum(xs) / len(xs)\n"
                      "    ### END SOLUTION", metadata=_meta("mean_code", solution=True)),
        new_code_cell(MEAN_TEST, metadata=_meta("test_mean", grade=True, locked=True, points=3)),
    ]
    for index, cell in enumerate(cells):
        cell["id"] = f"toy-{index}"
    # A kernel name no Jupyter knows: grading must use sys.executable whatever the name says.
    return new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "someones-conda-env", "display_name": "Python 3 (conda)",
                       "language": "python"},
        "language_info": {"name": "python"}})


WRONG_MEAN = "def mean(xs):\n    return sum(xs) / 2"
CASES_FILE = f"""from grader.cases import Case

CASES = [
    Case("wrong_mean", {{"mean_code": {WRONG_MEAN!r}}}, expected_score=4.0,
         note="divides by 2, not by len(xs): only mean([2, 4]) comes out right"),
]
"""


def make_toy_course(root: Path) -> Path:
    """A course at ``root``: solutions/lab01_toy, a lecture, a cases file; labs/ generated."""
    (root / "solutions" / LAB).mkdir(parents=True)
    nbformat.write(toy_source_notebook(), root / "solutions" / LAB / f"{LAB}.ipynb")
    (root / "solutions" / LAB / "data.csv").write_text("x\n1\n2\n3\n")
    (root / "course").mkdir()
    lecture = new_notebook(cells=[new_code_cell(
        "import os\nassert os.environ['AWS_ACCESS_KEY_ID'] == 'testing'\n"
        "assert 'AWS_PROFILE' not in os.environ")])
    write_notebook(lecture, root / "course" / "00_intro.ipynb")
    (root / "grader" / "cases").mkdir(parents=True)
    (root / "grader" / "cases" / f"{LAB}.py").write_text(CASES_FILE)
    assert main(["--root", str(root), "generate"]) == 0
    return root


@pytest.fixture
def toy(tmp_path):
    """A fresh toy course with labs/ generated."""
    return make_toy_course(tmp_path / "course_root")


def submission(root: Path, replacements: dict[str, str]):
    """The toy release with the solution's answers, then ``replacements`` applied."""
    answers = {**solution_answers(LAB, root=root), **replacements}
    return apply_answers(release_notebook(LAB, root=root), answers)


# --------------------------------------------------------------------------- generate & sync

def test_release_hides_solutions_and_hidden_tests(toy):
    released = (toy / "labs" / LAB / f"{LAB}.ipynb").read_text()
    assert 'raise NotImplementedError(\\"Write your answer here\\")' in released
    assert "sum(xs) / len(xs)" not in released and "HIDDEN" not in released
    assert "square(-4)" not in released and 'answer == \\"B\\"' not in released
    assert (toy / "labs" / LAB / "data.csv").read_text() == "x\n1\n2\n3\n"
    assert not (toy / "gradebook.db").exists()


def test_generate_is_deterministic(toy):
    first = (toy / "labs" / LAB / f"{LAB}.ipynb").read_bytes()
    assert main(["--root", str(toy), "generate"]) == 0
    assert (toy / "labs" / LAB / f"{LAB}.ipynb").read_bytes() == first


@pytest.mark.filterwarnings("ignore::nbformat.warnings.MissingIDFieldWarning")
def test_generate_is_deterministic_without_cell_ids(toy):
    source = toy / "solutions" / LAB / f"{LAB}.ipynb"
    raw = json.loads(source.read_text())
    for cell in raw["cells"]:
        del cell["id"]  # nbformat 4.5 without ids: nbformat would invent random ones
    source.write_text(json.dumps(raw))
    outputs = []
    for _ in range(2):
        assert main(["--root", str(toy), "generate"]) == 0
        outputs.append((toy / "labs" / LAB / f"{LAB}.ipynb").read_bytes())
    assert outputs[0] == outputs[1]


def test_check_sync_passes_then_names_the_changed_file(toy, capsys):
    assert main(["--root", str(toy), "check-sync"]) == 0
    released = toy / "labs" / LAB / f"{LAB}.ipynb"
    nb = read_notebook(released)
    nb.cells[0].source = "# Toy lab, edited by hand"
    write_notebook(nb, released)
    (toy / "labs" / LAB / "stray.txt").write_text("not generated")
    capsys.readouterr()
    assert main(["--root", str(toy), "check-sync"]) == 1
    out = capsys.readouterr().out
    assert f"labs/{LAB}/{LAB}.ipynb: differs" in out and "edited by hand" in out
    assert f"labs/{LAB}/stray.txt: is not produced by generate" in out
    assert main(["--root", str(toy), "generate"]) == 0
    assert main(["--root", str(toy), "check-sync"]) == 0


def test_generate_keeps_a_learners_edited_answers_unless_forced(toy, capsys):
    released = toy / "labs" / LAB / f"{LAB}.ipynb"
    write_notebook(submission(toy, {}), released)
    work = released.read_bytes()
    assert main(["--root", str(toy), "generate"]) == 1
    assert "holds edited answers (square_code, choice_answer, mean_code)" in capsys.readouterr().err
    assert released.read_bytes() == work
    assert main(["--root", str(toy), "generate", "--force"]) == 0
    assert b"Write your answer here" in released.read_bytes()


def test_unknown_lab_is_a_usage_error(toy, capsys):
    assert main(["--root", str(toy), "generate", "lab99_nothing"]) == 2
    assert "no lab named lab99_nothing" in capsys.readouterr().err


# --------------------------------------------------------------------------- autograde (CLI)
#
# One CLI run grades every kind of submission at once (pytest-xdist's loadgroup does not group
# tests under pytest 9.2, so a shared module fixture would run once per worker); each property
# is its own subtest.

BROKEN = "{ this is not json"
ENV_PROBE = f"""import os, sys
ok = (os.environ.get("AWS_ACCESS_KEY_ID") == "testing"
      and os.environ.get("AWS_SECRET_ACCESS_KEY") == "testing"
      and os.environ.get("AWS_DEFAULT_REGION") == "us-east-1"
      and "AWS_PROFILE" not in os.environ
      and os.path.realpath(sys.executable) == {os.path.realpath(sys.executable)!r}
      and not os.path.exists(os.path.join(os.getcwd(), "..", "..", "..", "solutions")))
answer = 'B' if ok else 'A'"""


def _cell(nb, grade_id):
    """The cell of ``nb`` with this nbgrader grade_id."""
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def write_submissions(root: Path, subs: Path) -> None:
    """Every kind of submission the autograder must survive, in both folder layouts."""
    def put(student, nb, flat=False):
        write_notebook(nb, subs / student / (f"{LAB}.ipynb" if flat else f"{LAB}/{LAB}.ipynb"))

    put("solution", submission(root, {}))
    put("untouched", release_notebook(LAB, root=root), flat=True)
    put("wrong_mean", submission(root, {"mean_code": WRONG_MEAN}))
    # hard-codes the visible answer; edits a locked test cell to pass with a wrong answer
    cheater = submission(root, {"square_code": "def square(x):\n    return 9",
                                "choice_answer": 'answer = "A"'})
    _cell(cheater, "test_choice").source = "pass  # tests? what tests?"
    put("cheater", cheater)
    # writes to stderr inside a test cell; deletes a test cell
    noisy = submission(root, {"square_code": "import sys\ndef square(x):\n"
                              "    print('debugging', file=sys.stderr)\n    return x * x"})
    noisy.cells.remove(_cell(noisy, "test_choice"))
    put("stderr_deleted", noisy)
    # an infinite loop after a correct answer; a choice that checks the grading environment
    put("loop_env", submission(root, {"square_code": "def square(x):\n    return x * x\n"
                                                     "while True:\n    pass",
                                      "choice_answer": ENV_PROBE}))
    put("crash", submission(root, {"mean_code": "import os\nos._exit(1)"}))
    (subs / "broken").mkdir()
    (subs / "broken" / f"{LAB}.ipynb").write_text(BROKEN)


def test_autograde_cli(toy, tmp_path, subtests):
    subs, out_csv = tmp_path / "submissions", tmp_path / "out" / "grades.csv"
    feedback = tmp_path / "feedback"
    write_submissions(toy, subs)
    env = {**os.environ, "AWS_PROFILE": "someone-real"}  # must not reach learner code
    proc = subprocess.run(
        [sys.executable, "-m", "grader", "--root", str(toy), "autograde", str(subs),
         "--timeout", str(CELL_TIMEOUT), "--jobs", "2", "--csv", str(out_csv),
         "--feedback", str(feedback)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rows = list(csv.DictReader(out_csv.open()))
    results = {r["student"]: r for r in
               json.loads(out_csv.with_suffix(".json").read_text())["results"]}
    total = {r["student"]: float(r["points"]) for r in rows if r["task"] == "TOTAL"}
    note = {r["student"]: r["note"] for r in rows if r["task"] == "TOTAL"}
    points = {}
    for r in rows:
        if r["task"] != "TOTAL":
            points.setdefault(r["student"], {})[r["task"]] = float(r["points"])

    with subtests.test("solution: full marks"):
        assert points["solution"] == {"test_square": 2, "test_choice": 1, "test_mean": 3}
        assert results["solution"]["max_score"] == 6
    with subtests.test("untouched release: 0, graded without crashing"):
        assert total["untouched"] == 0 and results["untouched"]["error"] is None
        assert "NotImplementedError" in results["untouched"]["tasks"][0]["message"]
    with subtests.test("wrong answer: exact partial credit, with the test's messages"):
        assert points["wrong_mean"] == {"test_square": 2, "test_choice": 1, "test_mean": 1}
        message = results["wrong_mean"]["tasks"][2]["message"]
        assert "mean([1, 2, 3]) should be 2" in message and "mean([5]) should be 5" in message
    with subtests.test("hidden tests restored; edited locked test cell restored"):
        assert points["cheater"] == {"test_square": 0, "test_choice": 0, "test_mean": 3}
        assert "square(-4) should be 16" in results["cheater"]["tasks"][0]["message"]
        assert note["cheater"] == "test cell test_choice had been edited; autograde restored it"
    with subtests.test("stderr in a test cell scores 0; deleted test cell put back"):
        assert points["stderr_deleted"] == {"test_square": 0, "test_choice": 1, "test_mean": 3}
        assert "wrote to stderr" in results["stderr_deleted"]["tasks"][0]["message"]
        assert note["stderr_deleted"] == "test cell test_choice was missing; autograde put it back"
    with subtests.test("infinite loop cut by the cell timeout; environment as promised"):
        assert results["loop_env"]["error"] is None
        assert points["loop_env"] == {"test_square": 2, "test_choice": 1, "test_mean": 3}
        assert results["loop_env"]["notes"] == [
            f"square_code ran longer than the {CELL_TIMEOUT} s cell timeout and was interrupted"]
    with subtests.test("crash and invalid JSON: 0 with a note; the rest still graded"):
        assert total["crash"] == 0 and "kernel died" in note["crash"]
        assert total["broken"] == 0 and results["broken"]["max_score"] == 6
        assert "is not valid notebook JSON" in note["broken"] and "broken" in note["broken"]
    with subtests.test("feedback: nbgrader's HTML and the autograded notebook"):
        html = (feedback / "wrong_mean" / LAB / f"{LAB}.html").read_text()
        assert "mean([1, 2, 3]) should be 2" in html
        assert read_notebook(feedback / "solution" / LAB / f"{LAB}.ipynb").cells
        assert not (feedback / "broken").exists()
    with subtests.test("CSV layout and grade table"):
        assert list(rows[0]) == ["student", "lab", "task", "points", "max_points", "note"]
        assert len(rows) == 4 * 8 and {r["lab"] for r in rows} == {LAB}
        assert total == {"broken": 0, "cheater": 3, "crash": 0, "loop_env": 6, "solution": 6,
                         "stderr_deleted": 4, "untouched": 0, "wrong_mean": 4}
        assert "test_square" in proc.stdout and "stderr_deleted" in proc.stdout
    with subtests.test("report and LMS exports next to the CSV"):
        assert "<h2>lab01_toy</h2>" in (out_csv.parent / "report.html").read_text()
        canvas = list(csv.reader((out_csv.parent / "canvas_gradebook.csv").open()))
        assert canvas[1][-1] == "6" and ["wrong_mean", "", "", "wrong_mean", "", "4"] in canvas
        gradescope = json.loads((out_csv.parent / "gradescope" / LAB / "cheater"
                                 / "results.json").read_text())
        assert gradescope["score"] == 3 and len(gradescope["tests"]) == 3


def test_autograde_usage_errors(tmp_path, capsys):
    assert main(["autograde", str(tmp_path / "nowhere")]) == 2
    assert "no such folder of submissions" in capsys.readouterr().err
    assert main(["autograde", str(tmp_path)]) == 2
    assert "no submissions found" in capsys.readouterr().err

# --------------------------------------------------------------------------- library API

def test_grade_notebook_api(toy, tmp_path):
    path = tmp_path / "wrong.ipynb"
    write_notebook(submission(toy, {"mean_code": WRONG_MEAN, "choice_answer": 'answer = "A"'}),
                   path)
    result = grade_notebook(path, LAB, root=toy, timeout=CELL_TIMEOUT)
    assert (result.total, result.max_total) == (3.0, 6.0)
    assert result.per_task == {"test_square": (2.0, 2.0), "test_choice": (0.0, 1.0),
                               "test_mean": (1.0, 3.0)}
    assert result.error is None


def test_solution_answers_look_like_a_learners(toy):
    answers = solution_answers(LAB, root=toy)
    assert answers == {"square_code": "def square(x):\n    return x * x",
                       "choice_answer": 'answer = "B"',
                       "mean_code": "def mean(xs):\n    return sum(xs) / len(xs)"}


def test_apply_answers_refuses_unknown_or_test_cells(toy):
    with pytest.raises(KeyError, match="test_square"):
        apply_answers(release_notebook(LAB, root=toy), {"test_square": "pass"})


# --------------------------------------------------------------------------- selfcheck & strip

def test_selfcheck_reports_visible_test_points(toy, tmp_path):
    from grader.selfcheck import selfcheck

    nb = submission(toy, {"mean_code": WRONG_MEAN})
    # the lab calls selfcheck on itself: the copy it runs must not recurse
    nb.cells.append(new_code_cell(f"from grader.selfcheck import selfcheck\n"
                                  f"selfcheck('{LAB}.ipynb')"))
    path = tmp_path / f"{LAB}.ipynb"
    write_notebook(nb, path)
    report = selfcheck(path, timeout=CELL_TIMEOUT, show=False)
    assert [(t.grade_id, t.points, t.max_points, t.status) for t in report.tasks] == [
        ("test_square", 2.0, 2.0, "passed"), ("test_choice", 1.0, 1.0, "passed"),
        ("test_mean", 0.0, 3.0, "to fix")]
    assert "mean([1, 2, 3]) should be 2" in report.tasks[2].problems[0]
    assert report.total == 3.0 and report.error is None
    text = str(report)
    assert "✓ test_square  visible checks pass, 2 points decided at grading" in text
    assert "✗ test_mean    to fix (3 points):\n        ✗ mean([1, 2, 3]) should be 2" in text
    assert "3 tasks: 2 pass their visible checks, 0 recorded, 1 to fix, 0 not answered" in text


def test_selfcheck_cli_on_the_untouched_release(toy):
    proc = subprocess.run([sys.executable, "-m", "grader", "selfcheck",
                           str(toy / "labs" / LAB / f"{LAB}.ipynb"), "--timeout", "20"],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "3 tasks: 0 pass their visible checks, 0 recorded, 0 to fix, 3 not answered yet" \
        in proc.stdout
    assert "· test_square  not answered yet (2 points)" in proc.stdout
    assert "Running a copy of lab01_toy.ipynb [" in proc.stdout


def test_strip_clears_outputs_and_check_reports(tmp_path, capsys):
    result = new_output("execute_result", {"text/plain": "2"}, execution_count=3)
    nb = new_notebook(cells=[new_code_cell("1 + 1", execution_count=3, outputs=[result])])
    path = tmp_path / "sub" / "x.ipynb"
    write_notebook(nb, path)
    assert main(["strip", "--check", str(tmp_path)]) == 1
    assert main(["strip", str(tmp_path)]) == 0
    cell = read_notebook(path).cells[0]
    assert cell.outputs == [] and cell.execution_count is None
    assert main(["strip", "--check", str(path)]) == 0
    assert main(["strip", str(tmp_path / "missing.ipynb")]) == 2


# --------------------------------------------------------------------------- demo & config

def test_demo_runs_lectures_labs_and_cases(toy, tmp_path, capsys):
    assert main(["--root", str(toy), "demo", "--timeout", str(CELL_TIMEOUT),
                 "--out", str(tmp_path / "demo")]) == 0
    out = capsys.readouterr().out
    assert "course/00_intro.ipynb: ok" in out and "demo: all as expected" in out
    rows = list(csv.DictReader((tmp_path / "demo" / "grades.csv").open()))
    totals = {r["student"]: r["points"] for r in rows if r["task"] == "TOTAL"}
    assert totals == {"solution": "6", "untouched": "0", "wrong_mean": "4"}
    assert "wrong_mean" in (tmp_path / "demo" / "report.html").read_text()
    assert (tmp_path / "demo" / "canvas_gradebook.csv").read_text().startswith("Student,ID,")
    assert (tmp_path / "demo" / "gradescope" / LAB / "solution" / "results.json").is_file()


def test_kernels_get_fake_aws_credentials_whatever_the_caller_has(tmp_path):
    from grader.execute import execute_notebook

    nb = new_notebook(cells=[new_code_cell(
        "import os, sys\nprint(os.environ.get('AWS_PROFILE'), os.environ['AWS_ACCESS_KEY_ID'], "
        "os.environ['AWS_DEFAULT_REGION'], os.environ.get('AWS_SESSION_TOKEN'), sys.executable)")])
    caller = {**os.environ, "AWS_PROFILE": "prod", "AWS_ACCESS_KEY_ID": "AKIAREALLOOKINGKEY1",
              "AWS_SESSION_TOKEN": "secret", "AWS_DEFAULT_REGION": "eu-west-1"}
    execute_notebook(nb, tmp_path, timeout=60, env=caller)
    assert nb.cells[0].outputs[0].text.split() == [
        "None", "testing", "us-east-1", "None", sys.executable]


def test_config_file_puts_the_venv_first_on_path_for_nbgrader_only(monkeypatch):
    from grader.settings import CONFIG_FILE, load_config

    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    load_config()
    assert os.environ["PATH"] == "/usr/bin:/bin"  # the grader's own process is untouched
    probe = ("import os; from traitlets.config import PyFileConfigLoader; "
             f"PyFileConfigLoader('nbgrader_config.py', path={str(CONFIG_FILE.parent)!r})"
             ".load_config(); print(os.environ['PATH'].split(os.pathsep)[0])")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True, env={**os.environ, "PATH": "/usr/bin:/bin"}).stdout.strip()
    assert out == str(Path(sys.executable).parent)


def test_config_file_is_what_the_grader_uses():
    from grader.settings import DEFAULT_CELL_TIMEOUT, REPO_ROOT, cell_timeout, load_config

    cfg = load_config()
    assert cfg.CourseDirectory.root == str(REPO_ROOT)
    assert cfg.CourseDirectory.source_directory == "solutions"
    assert cfg.CourseDirectory.release_directory == "labs"
    assert cfg.CourseDirectory.db_url == f"sqlite:///{REPO_ROOT / 'gradebook.db'}"
    assert cell_timeout(cfg) == DEFAULT_CELL_TIMEOUT
    assert "Write your answer here" in cfg.ClearSolutions.code_stub["python"]


def test_partial_credit_helper(capsys):
    from grader.partial import Parts

    def broken(xs):
        raise NotImplementedError("Write your answer here")

    parts = Parts()
    assert parts.check(lambda: sum([1, 2]) == 3, 1, "sum") is True
    assert parts.check(lambda: broken([1]) == 1, 1.5, "broken([1]) should be 1") is False
    assert parts.check(False, 0.5, "plain bool") is False
    assert parts.score() == 1.0 and parts.possible == 3.0
    out = capsys.readouterr().out
    assert "✗ broken([1]) should be 1 (NotImplementedError: Write your answer here)" in out
    assert "✗ plain bool" in out
