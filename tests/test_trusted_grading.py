"""End to end on the toy course (tests/test_grader_pipeline.py) with trusted checks, in bwrap.

One autograde batch holds: the solution, the untouched release, forgeries on top of the
untouched release (shadowed builtins, ``math.isclose`` patched, a settrace hook, a display
formatter, an input transformer that rewrites every later cell, a printed fake record), a
probe that records in its choice answer whether the sandbox held, a submission that leaves a
child process behind, one that kills everything it can signal, one that fills its box past
the disk limit, and one that prints tens of megabytes. Forgeries earn 0; the probe finds every
door shut (and is told it is graded, so a lab's Check my work cell does not run the lab again);
nothing outlives grading; the disk filler is stopped alone; the flood is cut at the output caps
and its answers are still scored; the others are graded as usual.
"""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import psutil
import pytest

from grader.notebooks import write_notebook
from grader.sandbox import available
from grader.testing import apply_answers, grade_notebooks, release_notebook, solution_answers
from tests.test_grader_pipeline import LAB, make_toy_course

pytestmark = pytest.mark.skipif(available() is not None, reason=f"no sandbox here: {available()}")

TOY_CHECKS = '''
from grader.trusted import Check, Failed, letter, value_of

def score_square(values, inputs):
    try:
        got = [value_of(r) for r in values["results"]]
    except Failed as exc:
        return 0.0, [f"square {exc}"]
    want = [x * x for x in inputs["xs"]]
    if got == want:
        return 2.0, []
    return 0.0, [f"square{tuple(inputs['xs'])} gave {got}, expected {want}"]

def score_mean(values, inputs):
    points, msgs = 0.0, []
    for xs, result in zip(inputs["lists"], values["results"]):
        try:
            ok = abs(float(value_of(result)) - sum(xs) / len(xs)) < 1e-9
        except (Failed, TypeError, ValueError) as exc:
            ok = False
        if ok:
            points += 1
        else:
            msgs.append(f"mean({xs}) should be {sum(xs) / len(xs)}")
    return points, msgs

CHECKS = [
    Check("test_square", 2, 'return {"results": [call("square", x) for x in INPUTS["xs"]]}\\n',
          score_square, lambda rng: {"xs": [3, -rng.randint(2, 9), rng.randint(11, 99) / 4]}),
    Check("test_choice", 1, 'return {"answer": get("answer")}\\n',
          lambda v, i: (1.0, []) if letter(v["answer"].get("value")) == "B" else (0.0, ["not B"])),
    Check("test_mean", 3, 'return {"results": [call("mean", xs) for xs in INPUTS["lists"]]}\\n',
          score_mean, lambda rng: {"lists": [[1, 2, 3], [2, rng.randint(3, 9) * 2], [rng.randint(1, 9)]]}),
]
'''

FORGERIES = {
    "shadow_builtins": "min = lambda *a, **k: 6\nround = lambda *a, **k: 6\nfloat = lambda *a: 6.0",
    "isclose": "import math\nmath.isclose = lambda *a, **k: True",
    "settrace": ("import sys\ndef _t(frame, event, arg):\n    frame.f_globals['score'] = 6\n"
                 "    return _t\nsys.settrace(_t)"),
    "formatter": ("get_ipython().display_formatter.formatters['text/plain']"
                  ".for_type(float, lambda o, p, c: p.text('6.0'))"),
    "transformer": ("get_ipython().input_transformers_post.append("
                    "lambda lines: ['6.0\\n'])"),
    "fake_record": ("print('MLREC' + '0' * 24 + '{\"values\": {\"answer\": {\"value\": \"B\"}}}' "
                    "+ 'MLREC' + '0' * 24)\n6.0"),
}

PROBE = '''import os, socket, sys
import monitorlab
leaks = []
def check(name, fn):
    try:
        fn()
        leaks.append(name)
    except Exception:
        pass
check("read repo", lambda: open({repo!r} + "/README.md").read())
check("read checks", lambda: open("/course/grader/checks/lab01_data_capture.py").read())
if os.path.isdir("/course/grader/checks") and os.listdir("/course/grader/checks"): leaks.append("list checks")
check("read solutions", lambda: os.listdir(os.path.join(os.path.dirname(monitorlab.__file__), "..", "solutions")))
check("write engine", lambda: open(os.path.join(os.path.dirname(monitorlab.__file__), "x"), "w"))
check("write venv", lambda: open(os.path.join(sys.prefix, "x"), "w"))
if os.path.isdir("/root") and set(os.listdir("/root")) - {{".pyenv"}}: leaks.append("root home")
check("read ssh", lambda: os.listdir(os.path.expanduser("~root/.ssh")))
check("network", lambda: socket.create_connection(("1.1.1.1", 53), timeout=3))
for top, _, files in os.walk("/box"):
    if any(f.endswith(".db") or f == "grades.csv" for f in files): leaks.append("gradebook")
if os.environ.get("MONITORLAB_TEST_SECRET"): leaks.append("instructor variable")
if os.getuid() == 0: leaks.append("root")
if not os.environ["HOME"].startswith("/box"): leaks.append("home")
if os.environ.get("NBGRADER_EXECUTION") != "autograde": leaks.append("not told it is graded")
print("leaks:", leaks)
answer = "B" if not leaks else "A"'''

SURVIVOR = '''import subprocess
subprocess.Popen(["sleep", "{marker}"], start_new_session=True)
answer = "B"'''

DISK_FILLER = '''import os, time
for part in range(8):
    with open(f"filler{part}.bin", "wb") as out:
        out.write(os.urandom(8 * 2**20))
time.sleep(4)
answer = "B"'''
DISK_LIMIT_MB = "40"  # for this batch: the filler writes 64 MiB, every other box holds a few KiB

FLOODER = '''for _ in range(300):
    print("x" * 100_000)        # 30 MB from the answer cell
def mean(xs):
    for _ in range(30):
        print("y" * 100_000)    # 3 MB more each time the grader calls it
    return sum(xs) / len(xs)'''

KILLER = '''import os, signal
answer = "B"
os.kill(-1, signal.SIGKILL)'''


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Grade every submission of the module docstring in one batch."""
    tmp = tmp_path_factory.mktemp("trusted")
    root = make_toy_course(tmp / "course_root")
    (root / "grader" / "checks").mkdir()
    (root / "grader" / "checks" / f"{LAB}.py").write_text(TOY_CHECKS)
    release, answers = release_notebook(LAB, root=root), solution_answers(LAB, root=root)
    marker = f"{1000 + uuid.uuid4().int % 1000}.25"
    notebooks = {"solution": apply_answers(release, answers), "untouched": release,
                 "probe": apply_answers(release, {**answers, "choice_answer": PROBE.format(
                     repo=str(Path(__file__).resolve().parent.parent))}),
                 "survivor": apply_answers(release, {**answers, "choice_answer": SURVIVOR.format(marker=marker)}),
                 "killer": apply_answers(release, {**answers, "mean_code": KILLER}),
                 "disk_filler": apply_answers(release, {**answers, "choice_answer": DISK_FILLER}),
                 "flooder": apply_answers(release, {**answers, "mean_code": FLOODER})}
    for name, code in FORGERIES.items():
        notebooks[name] = apply_answers(release, {"square_code": code})
    paths = {}
    for name, nb in notebooks.items():
        paths[name] = tmp / "subs" / name / f"{LAB}.ipynb"
        write_notebook(nb, paths[name])
    os.environ.update(MONITORLAB_TEST_SECRET="instructor", MONITORLAB_BOX_DISK_MB=DISK_LIMIT_MB)
    try:
        results = grade_notebooks(paths, LAB, root=root, timeout=120)
    finally:
        del os.environ["MONITORLAB_TEST_SECRET"], os.environ["MONITORLAB_BOX_DISK_MB"]
    return results, marker


def test_solution_full_marks_untouched_zero(graded):
    results, _ = graded
    assert results["solution"].total == 6 and results["solution"].error is None
    assert results["untouched"].total == 0 and results["untouched"].error is None


@pytest.mark.parametrize("name", sorted(FORGERIES))
def test_forged_scores_earn_nothing(graded, name):
    results, _ = graded
    assert results[name].total == 0, (results[name].per_task, results[name].messages)


def test_the_sandbox_holds(graded):
    results, _ = graded
    assert results["probe"].per_task["test_choice"] == (1.0, 1.0), results["probe"].messages


def test_nothing_outlives_grading(graded):
    results, marker = graded
    assert results["survivor"].total == 6
    left = [p for p in psutil.process_iter(["cmdline"]) if marker in (p.info["cmdline"] or [])]
    assert left == []


def test_a_submission_that_kills_everything_fails_alone(graded):
    results, _ = graded
    assert results["killer"].total == 0 and results["killer"].error
    assert results["solution"].total == 6


def test_a_submission_that_fills_the_disk_is_stopped_alone(graded):
    results, _ = graded
    assert results["disk_filler"].total == 0
    assert "MiB a sandbox may hold" in results["disk_filler"].error, results["disk_filler"].error
    assert results["probe"].total == 6


def test_a_submission_that_floods_its_output_is_cut_short_and_still_graded(graded):
    results, _ = graded
    assert results["flooder"].error is None, results["flooder"].error
    assert results["flooder"].total == 6  # its mean is right: the records survive the flood


def test_grading_refuses_without_a_sandbox_unless_told(tmp_path):
    env = {**os.environ, "PATH": "/nonexistent"}
    code = ("import grader.sandbox as s; s.bwrap_binary = lambda: None; "
            "from grader.autograde import grade_submissions\n"
            "try:\n    grade_submissions([], __import__('pathlib').Path('.'), timeout=5)\n"
            "except s.SandboxUnavailable as e:\n    print('refused:', e)")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert "refused: no sandbox for learner code" in out.stdout and "--unsandboxed" in out.stdout
