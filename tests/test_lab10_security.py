"""Module 10 (security): the lab grades as designed, and every literal in its hidden tests equals
what the engine computes.

The hidden tests' inputs are read back from the solution's test cells (plain literals) and their
expected values recomputed here:

* task 1: every request's expected decision is :func:`monitorlab.security.iam.evaluate`'s;
* task 2: the solution's policy allows the needed calls and denies the forbidden ones, and the
  over-broad ``START_POLICY`` allows every forbidden call (so the task is not passed as given);
* task 3: the expected decisions are the evaluator's for the solution's bucket policy;
* tasks 4-6: the lab's own setup cell, executed here: the SSE-KMS decisions, the key's rotation,
  the network's reachability and the CloudTrail records it delivered;
* task 7: the letters are spread evenly (15 questions: 3 or 4 of each) and no right answer is
  the longest option.
"""

import ast
import re
from pathlib import Path

import pytest

from grader.notebooks import read_notebook
from grader.testing import cell_sources, hidden_test_source
from monitorlab.security import iam, kms as kms_engine, network

ROOT = Path(__file__).resolve().parent.parent
LAB = "lab10_security"
SOLUTION = ROOT / "solutions" / LAB / f"{LAB}.ipynb"
RELEASE = ROOT / "labs" / LAB / f"{LAB}.ipynb"
FULL_MARKS = 32.0



def literal(source: str, name: str):
    """The value of a top-level ``name = <literal>`` or ``for _case in <literal>:`` in a cell."""
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError(f"{name} not found")


def for_loops(source: str) -> list:
    """The literal iterables of the top-level ``for`` loops of a cell (inside hidden blocks too)."""
    found = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.For):
            try:
                found.append(ast.literal_eval(node.iter))
            except ValueError:
                continue
    return found


@pytest.fixture(scope="module")
def sources():
    return cell_sources(SOLUTION)


@pytest.fixture(scope="module")
def run(sources):
    """The lab's setup cell, then the solution's answer cells for tasks 2 and 3, executed here."""
    namespace: dict = {}
    exec(sources["setup"], namespace)  # noqa: S102  (our own notebook's setup cell)
    for cell in ("task2-policy-answer", "task3-bucket-answer"):
        exec(sources[cell].replace("### BEGIN SOLUTION", "").replace("### END SOLUTION", ""), namespace)  # noqa: S102
    try:
        yield namespace
    finally:
        namespace["sb"].stop()


# ---- grading -------------------------------------------------------------------------------

def test_solution_untouched_and_every_case_grade_exactly():
    from grader.testing import grading_mismatches

    assert grading_mismatches(LAB, max_total=FULL_MARKS) == {}


def test_release_holds_no_solution_and_no_hidden_test():
    release = "\n".join(c.source for c in read_notebook(RELEASE).cells)
    for marker in ["BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "MLEngineer/lee", "2026-01-05T00:17:00Z",
                   'WRITE_NEEDS = "kms:GenerateDataKey"', 'LOGS_BLOCKED_BY = "D"', "_t1_hidden", "hr-payroll"]:
        assert marker not in release, marker


# ---- task 1: every expected decision is the evaluator's -------------------------------------

def test_task1_expected_decisions_are_the_evaluators(sources):
    tests = sources["task1-decide-tests"]
    cases = literal(tests, "_t1_visible") + literal(tests, "_t1_hidden")
    assert len(cases) == 15
    for policy, action, resource, context, expected, label in cases:
        assert iam.evaluate(action, resource, identity_policies=policy, context=context).decision == expected, label
    assert {c[4] for c in cases} == set(iam.DECISIONS)


def test_task1_refuses_the_engine_and_ignores_test_cells(sources):
    tests = sources["task1-decide-tests"]
    assert 'not c.lstrip().startswith("# Task")' in tests
    # the lab's own cells never name what the refusal looks for (it would refuse everyone)
    others = [s for g, s in sources.items() if not g.startswith("task1") and not s.lstrip().startswith("# Task")]
    assert not any(word in s for s in others for word in ("security.iam", "import iam", "iam_eval", "condition_holds"))


# ---- tasks 2 and 3: the evaluator on the solution's policies ---------------------------------

def _decisions(run, policy, calls, **kw):
    key_policy = kms_engine.default_key_policy(run["ACCOUNT"])
    out = []
    for action, resource in calls:
        resource = resource.format(CAP=run["CAP"], KEY_ARN=run["KEY_ARN"], ACCOUNT=run["ACCOUNT"])
        out.append(iam.evaluate(action, resource, identity_policies={"p": policy}, principal_account=run["ACCOUNT"],
                                resource_policy=key_policy if action.startswith("kms:") else None, **kw).decision)
    return out


def test_task2_solution_is_least_privilege_and_start_policy_is_not(sources, run):
    tests = hidden_test_source(LAB)
    needed = run["NEEDED"] + literal_in(tests, "_t2_hidden_needed")
    forbidden = run["FORBIDDEN"] + literal_in(tests, "_t2_hidden_forbidden")
    assert _decisions(run, run["MONITORING_POLICY"], needed) == ["Allow"] * len(needed)
    assert set(_decisions(run, run["MONITORING_POLICY"], forbidden)) == {"ImplicitDeny"}
    assert _decisions(run, run["START_POLICY"], forbidden) == ["Allow"] * len(forbidden)
    assert iam.lint(run["MONITORING_POLICY"]) == []


def literal_in(source: str, name: str):
    """Like :func:`literal`, for an assignment nested in an ``if`` block."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError(f"{name} not found")


def test_task3_expected_decisions_are_the_evaluators(sources, run):
    loops = for_loops(sources["task3-bucket-tests"].replace("### BEGIN HIDDEN TESTS", "").replace("### END HIDDEN TESTS", ""))
    cases = [case for loop in loops for case in loop]
    assert len(cases) == 8
    allow_all = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    for action, suffix, context, expected, label in cases:
        got = iam.evaluate(action, run["CAP"] + suffix, identity_policies={"job": allow_all},
                           resource_policy=run["CAPTURE_BUCKET_POLICY"], principal_account=run["ACCOUNT"],
                           context={"aws:PrincipalArn": "arn:aws:iam::123456789012:role/MonitoringJob", **context}).decision
        assert got == expected, label


# ---- tasks 4-6: what the lab's own account shows ------------------------------------------------

def test_task4_answers_are_what_kms_and_the_engine_say(run):
    tests = hidden_test_source(LAB)
    args = dict(s3=run["s3"], kms=run["kms"], key_id=run["KEY_ARN"])
    read = kms_engine.sse_kms_decision(run["iam_c"], "CaptureAnalystRole", "s3:GetObject", run["BUCKET"], "datacapture/x.jsonl", **args)
    write = kms_engine.sse_kms_decision(run["iam_c"], "CaptureAnalystRole", "s3:PutObject", run["BUCKET"], "datacapture/x.jsonl", **args)
    assert (read.decision, read.action, write.decision, write.action) == \
        ("ImplicitDeny", "kms:Decrypt", "ImplicitDeny", "kms:GenerateDataKey")
    assert 'str(READ_NEEDS).lower() == "kms:decrypt"' in tests and 'str(WRITE_NEEDS).lower() == "kms:generatedatakey"' in tests
    assert run["kms"].get_key_rotation_status(KeyId=run["REPORTS_KEY"])["KeyRotationEnabled"] is False
    assert "ROTATION_ON is False" in tests


def test_task5_answers_are_what_reach_says(run):
    tests = hidden_test_source(LAB)
    results = {d: network.reach(run["ec2"], subnet_id=run["SUBNET"], security_group_ids=[run["JOB_SG"]], destination=d)
               for d in run["JOB_NEEDS"]}
    no_endpoint = {d for d, r in results.items() if not r.reachable and "no route" in r.blocked_by}
    assert no_endpoint == {"ecr.api", "ecr.dkr", "monitoring"}
    assert '{"ecr.api", "ecr.dkr", "monitoring"}' in tests
    assert results["s3"].reachable and "endpoint's security groups" in results["logs"].blocked_by
    assert 'str(LOGS_BLOCKED_BY).strip().upper() == "D"' in tests


def test_task6_answers_are_in_the_delivered_trail(run):
    from monitorlab.security import audit

    tests = hidden_test_source(LAB)
    records = audit.read_logs(run["s3"], run["TRAIL_BUCKET"], "AWSLogs/")
    sagemaker = audit.query(records, event_source="sagemaker.amazonaws.com")
    writes = sagemaker[~sagemaker["eventName"].str.startswith(("Describe", "List"))]
    ok = writes[writes["errorCode"].isna()]
    assert len(ok) == 1
    assert f'WHO_CHANGED == "{ok.iloc[0]["caller"]}"' in tests and f'CHANGED_AT == "{ok.iloc[0]["eventTime"]}"' in tests
    denied = sorted(sagemaker.loc[sagemaker["errorCode"] == "AccessDenied", "eventName"])
    assert f"DENIED == {denied!r}".replace("'", '"') in tests


# ---- task 7: questions give nothing away ------------------------------------------------------

def test_task7_letters_are_even_and_the_right_option_is_never_the_longest(sources):
    tests = sources["task7-exam-tests"]
    expected = literal_in(tests.replace("### BEGIN HIDDEN TESTS", "").replace("### END HIDDEN TESTS", ""), "_t7_expected")
    letters = [letter for letter, _ in expected.values()]
    counts = [letters.count(x) for x in "ABCD"]
    assert len(letters) == 15 and max(counts) - min(counts) <= 1
    text = sources["task7-md"]
    for block, letter in zip(text.split("**7")[1:], letters):
        options = dict(re.findall(r"([ABCD])\) (.*?)(?: ·|$)", block, re.M))
        right = len(options[letter])
        assert right < max(len(o) for x, o in options.items() if x != letter), block[:60]
