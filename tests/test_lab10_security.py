"""Module 10 (security): the lab grades as designed, and every expected value of its trusted checks
(``grader/checks/lab10_security.py``, issue 14) equals what the engine computes, over the hidden
inputs of several grading runs (seeds):

* task 1: every request's expected decision is :func:`monitorlab.security.iam.evaluate`'s, with
  the old hidden tests' structure (one request per rule); the solution's ``decide`` agrees, a
  ``decide`` using the engine is forbidden;
* task 2: the solution's policy allows the needed calls and denies the forbidden ones, and the
  over-broad ``START_POLICY`` allows every forbidden call (so the task is not passed as given);
* task 3: the expected decisions are the evaluator's on the reference policy, which is the
  solution's;
* tasks 4-6: the lab's own setup cell, executed here: the SSE-KMS decisions, the key's rotation,
  the network's reachability and the CloudTrail records it delivered equal the checks' literals;
  the account, bucket and key ARN the checks assume are the ones the setup builds;
* task 7: the letters are spread evenly (15 questions: 3 or 4 of each) and no right answer is
  the longest option.
"""

import re
from pathlib import Path

import pytest

from grader.cases.lab10_security import CASES
from grader.checks import lab10_security as checks
from grader.notebooks import read_notebook
from grader.testing import cell_sources
from grader.trusted import draw_inputs, forbidden_uses
from monitorlab.security import iam, kms as kms_engine, network

ROOT = Path(__file__).resolve().parent.parent
LAB = "lab10_security"
SOLUTION = ROOT / "solutions" / LAB / f"{LAB}.ipynb"
RELEASE = ROOT / "labs" / LAB / f"{LAB}.ipynb"
FULL_MARKS = 32.0
SEEDS = range(6)
BY_ID = {c.grade_id: c for c in checks.CHECKS}


def drawn(grade_id: str) -> list[dict]:
    """The hidden inputs of ``grade_id`` for every seed of :data:`SEEDS`."""
    return [draw_inputs({grade_id: BY_ID[grade_id]}, seed)[grade_id] for seed in SEEDS]


def answer(source: str) -> str:
    return source.replace("### BEGIN SOLUTION", "").replace("### END SOLUTION", "")


def case_source(name: str, grade_id: str) -> str:
    return next(c for c in CASES if c.name == name).replacements[grade_id]


@pytest.fixture(scope="module")
def sources():
    return cell_sources(SOLUTION)


@pytest.fixture(scope="module")
def run(sources):
    """The lab's setup cell, then the solution's answer cells for tasks 2 and 3, executed here."""
    namespace: dict = {}
    exec(sources["setup"], namespace)  # noqa: S102  (our own notebook's setup cell)
    for cell in ("task2-policy-answer", "task3-bucket-answer"):
        exec(answer(sources[cell]), namespace)  # noqa: S102
    try:
        yield namespace
    finally:
        namespace["sb"].stop()


def deciders(sources) -> dict:
    """The solution's ``decide`` and the case that gets negated operators wrong, defined here."""
    import fnmatch
    import ipaddress

    out = {}
    for name, source in (("solution", answer(sources["task1-decide-answer"])),
                         ("wrong", case_source("negated_operator_false_on_missing_key", "task1-decide-answer"))):
        space = {"fnmatch": fnmatch, "ipaddress": ipaddress}
        exec(source, space)  # noqa: S102  (our own solution and grading case)
        out[name] = space["decide"]
    return out


def decide_values(decide, inputs: dict) -> dict:
    """What the evaluation cell would emit for ``decide`` on ``inputs``."""
    return {part: [{"value": decide(*c[:4])} for c in inputs[part]] for part in ("visible", "hidden")}


# ---- grading -------------------------------------------------------------------------------

def test_untouched_and_every_case_grade_exactly():
    from grader.testing import grading_mismatches

    assert grading_mismatches(LAB, max_total=FULL_MARKS) == {}



def test_release_holds_no_solution_and_no_hidden_test():
    release = "\n".join(c.source for c in read_notebook(RELEASE).cells)
    for marker in ["BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "MLEngineer/lee", "2026-01-05T00:17:00Z",
                   'WRITE_NEEDS = "kms:GenerateDataKey"', 'LOGS_BLOCKED_BY = "D"', "_t1_hidden", "hr-payroll"]:
        assert marker not in release, marker
    solution = "\n".join(c.source for c in read_notebook(SOLUTION).cells)
    assert "BEGIN HIDDEN TESTS" not in solution


def test_checks_cover_every_graded_cell_with_its_points():
    graded = {c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"]["points"]
              for c in read_notebook(SOLUTION).cells if c.metadata.get("nbgrader", {}).get("grade")}
    assert {gid: check.points for gid, check in BY_ID.items()} == graded
    assert sum(graded.values()) == FULL_MARKS


# ---- task 1: every expected decision is the evaluator's -------------------------------------

# the old hidden tests' decisions, one request per rule (NotAction, case, ?, ...)
TASK1_SHAPE = ["ImplicitDeny", "Allow", "ImplicitDeny", "ImplicitDeny", "ExplicitDeny", "ImplicitDeny",
               "Allow", "Allow", "ExplicitDeny", "ImplicitDeny", "Allow", "Allow"]


def test_task1_expected_decisions_are_the_evaluators_and_keep_the_structure():
    for inputs in drawn("task1-decide-tests"):
        expected = [checks.expected_decision(c) for c in inputs["hidden"]]
        assert expected == TASK1_SHAPE
        assert [checks.expected_decision(c) for c in inputs["visible"]] == ["Allow", "ExplicitDeny", "ImplicitDeny"]
        for policy, action, resource, context, label in inputs["hidden"]:
            assert expected_by_engine(policy, action, resource, context) == checks.expected_decision(
                [policy, action, resource, context]), label
    assert len({str(i["hidden"]) for i in drawn("task1-decide-tests")}) == len(SEEDS)


def expected_by_engine(policy, action, resource, context) -> str:
    return iam.evaluate(action, resource, identity_policies=policy, context=context).decision


def test_task1_numbers_compare_the_other_way_as_strings():
    for inputs in drawn("task1-decide-tests"):
        _, _, _, context, label = inputs["hidden"][9]
        limit = inputs["hidden"][9][0]["Statement"][0]["Condition"]["NumericLessThan"]["s3:max-keys"]
        have = context["s3:max-keys"]
        assert label == "NumericLessThan compares numbers"
        assert float(have) >= float(limit) and have < limit      # a string comparison would allow it


def test_task1_scores_the_solution_full_and_the_negated_operator_case_minus_one_request(sources):
    found = deciders(sources)
    for inputs in drawn("task1-decide-tests"):
        assert checks.score_task1(decide_values(found["solution"], inputs), inputs) == (6.0, [])
        points, messages = checks.score_task1(decide_values(found["wrong"], inputs), inputs)
        assert points == 5.62 and len(messages) == 1 and "StringNotEquals on a missing key" in messages[0]


def test_task1_unwritten_decide_scores_zero_with_one_message():
    inputs = drawn("task1-decide-tests")[0]
    values = {part: [{"raised": "NotImplementedError: "}] * len(inputs[part]) for part in ("visible", "hidden")}
    assert checks.score_task1(values, inputs) == (0.0, ["✗ decide is not written yet"])


def test_task1_forbids_the_engine_and_not_the_solution(sources):
    check = BY_ID["task1-decide-tests"]
    engine = case_source("decide_calls_the_engine", "task1-decide-answer")
    assert forbidden_uses(check, {"task1-decide-answer": engine})
    assert forbidden_uses(check, {"task1-decide-answer": "from monitorlab.security.iam import condition_holds"})
    assert forbidden_uses(check, {"task1-decide-answer": answer(sources["task1-decide-answer"])}) == []
    assert forbidden_uses(check, {"task1-decide-answer": case_source(
        "negated_operator_false_on_missing_key", "task1-decide-answer")}) == []


# ---- tasks 2 and 3: the evaluator on the solution's policies ---------------------------------

def test_checks_assume_the_account_the_setup_builds(run):
    assert (checks.ACCOUNT, checks.BUCKET, checks.CAP, checks.KEY_ARN) == \
        (run["ACCOUNT"], run["BUCKET"], run["CAP"], run["KEY_ARN"])
    assert checks.TASK2_NEEDED == run["NEEDED"] and checks.TASK2_FORBIDDEN == run["FORBIDDEN"]
    assert checks.JOB_NEEDS == run["JOB_NEEDS"]
    assert checks.TASK3_REFERENCE == run["CAPTURE_BUCKET_POLICY"]


def test_task2_solution_is_least_privilege_and_start_policy_is_not(run):
    for inputs in drawn("task2-policy-tests"):
        needed = checks.TASK2_NEEDED + [tuple(c) for c in inputs["needed"]]
        forbidden = checks.TASK2_FORBIDDEN + [tuple(c) for c in inputs["forbidden"]]
        assert checks.decisions(run["MONITORING_POLICY"], needed) == ["Allow"] * len(needed)
        assert set(checks.decisions(run["MONITORING_POLICY"], forbidden)) == {"ImplicitDeny"}
        assert checks.decisions(run["START_POLICY"], forbidden) == ["Allow"] * len(forbidden)
        assert checks.score_task2({"policy": {"value": run["MONITORING_POLICY"]}}, inputs) == (5.0, [])
        assert checks.score_task2({"policy": {"value": run["START_POLICY"]}}, inputs)[0] == 2.0
    assert iam.lint(run["MONITORING_POLICY"]) == []


def test_task2_s3_star_case_loses_the_two_baseline_calls(run):
    space = {"CAP": run["CAP"], "KEY_ARN": run["KEY_ARN"]}
    exec(case_source("s3_star_on_the_bucket", "task2-policy-answer"), space)  # noqa: S102
    for inputs in drawn("task2-policy-tests"):
        points, messages = checks.score_task2({"policy": {"value": space["MONITORING_POLICY"]}}, inputs)
        assert points == 4.0 and sum("forbidden call allowed" in m for m in messages) == 2


def test_task2_and_3_refuse_what_is_not_a_policy():
    for gid, score in (("task2-policy-tests", checks.score_task2), ("task3-bucket-tests", checks.score_task3)):
        inputs = drawn(gid)[0]
        assert score({"policy": {"value": None}}, inputs)[0] == 0.0
        assert score({"policy": {"value": {"__obj__": "OrderedDict", "repr": "..."}}}, inputs)[0] == 0.0
        points, messages = score({"policy": {"value": {"Statement": "everything"}}}, inputs)
        assert points == 0.0 and "refuse" in messages[0]


def test_task3_expected_decisions_are_the_evaluators(run):
    allow_all = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    for inputs in drawn("task3-bucket-tests"):
        cases = inputs["visible"] + inputs["hidden"]
        got = [iam.evaluate(action, run["CAP"] + suffix, identity_policies={"job": allow_all},
                            resource_policy=run["CAPTURE_BUCKET_POLICY"], principal_account=run["ACCOUNT"],
                            context={"aws:PrincipalArn": "arn:aws:iam::123456789012:role/MonitoringJob",
                                     **context}).decision
               for action, suffix, context, _ in cases]
        assert got == [checks.bucket_decision(checks.TASK3_REFERENCE, c) for c in cases]
        assert got == ["Allow", "ExplicitDeny", "Allow"] + ["ExplicitDeny"] * 5
        assert inputs["hidden"][1][1] == ""                       # a bucket-level call
        assert checks.score_task3({"policy": {"value": run["CAPTURE_BUCKET_POLICY"]}}, inputs) == (4.0, [])


def test_task3_tls_on_objects_only_loses_the_bucket_level_call(run):
    space = {"CAP": run["CAP"]}
    exec(case_source("tls_rule_on_objects_only", "task3-bucket-answer"), space)  # noqa: S102
    for inputs in drawn("task3-bucket-tests"):
        points, messages = checks.score_task3({"policy": {"value": space["CAPTURE_BUCKET_POLICY"]}}, inputs)
        assert points == 3.5 and len(messages) == 1 and "bucket ARN itself" in messages[0]


# ---- tasks 4-6: what the lab's own account shows ------------------------------------------------

def test_task4_answers_are_what_kms_and_the_engine_say(run):
    args = dict(s3=run["s3"], kms=run["kms"], key_id=run["KEY_ARN"])
    read = kms_engine.sse_kms_decision(run["iam_c"], "CaptureAnalystRole", "s3:GetObject", run["BUCKET"], "datacapture/x.jsonl", **args)
    write = kms_engine.sse_kms_decision(run["iam_c"], "CaptureAnalystRole", "s3:PutObject", run["BUCKET"], "datacapture/x.jsonl", **args)
    assert (read.decision, read.action, write.decision, write.action) == \
        ("ImplicitDeny", checks.READ_NEEDS, "ImplicitDeny", checks.WRITE_NEEDS)
    rotation = run["kms"].get_key_rotation_status(KeyId=run["REPORTS_KEY"])["KeyRotationEnabled"]
    assert rotation is checks.ROTATION_ON


def test_task4_scores_values_as_the_kernel_would_compare_them():
    right = {"READ_NEEDS": {"value": "kms:DECRYPT"}, "WRITE_NEEDS": {"value": "kms:generatedatakey"},
             "ROTATION_ON": {"value": False}, "FIX": {"value": " c "}}
    assert checks.score_task4(right, {}) == (4.0, [])
    numpy_bool = {**right, "ROTATION_ON": {"value": {"__obj__": "bool_", "repr": "np.False_", "str": "False"}}}
    assert checks.score_task4(numpy_bool, {})[0] == 3.0         # `ROTATION_ON is False` fails in the kernel too
    assert checks.score_task4({n: {"missing": n} for n in right}, {})[0] == 0.0


def test_task5_answers_are_what_reach_says(run):
    results = {d: network.reach(run["ec2"], subnet_id=run["SUBNET"], security_group_ids=[run["JOB_SG"]], destination=d)
               for d in run["JOB_NEEDS"]}
    no_endpoint = {d for d, r in results.items() if not r.reachable and "no route" in r.blocked_by}
    assert no_endpoint == checks.MISSING_ENDPOINTS
    assert results["s3"].reachable and "endpoint's security groups" in results["logs"].blocked_by
    assert checks.LOGS_BLOCKED_BY == "D"


def test_task5_scores_the_networks_state_and_the_answers():
    open_ = {"reachable": True, "blocked_by": "None", "path": "endpoint"}
    reach = {d: {"value": open_} for d in checks.JOB_NEEDS}
    reach["internet"] = {"value": {"reachable": False, "blocked_by": "no route", "path": "none"}}
    values = {"reach": reach, "missing": {"value": ["ECR.api", "ecr.dkr", "monitoring "]},
              "missing_shown": {"value": {"__obj__": "set", "repr": "{...}"}}, "logs": {"value": "d"}}
    assert checks.score_task5(values, {}) == (4.0, [])
    nat = {**values, "reach": {**reach, "internet": {"value": {**open_, "path": "NAT"}},
                               "logs": {"value": {"reachable": False, "blocked_by": "sg", "path": ""}}}}
    assert checks.score_task5(nat, {})[0] == 2.0
    assert checks.score_task5({**values, "missing": {"value": None}}, {})[0] == 3.0


def test_task6_answers_are_in_the_delivered_trail(run):
    from monitorlab.security import audit

    records = audit.read_logs(run["s3"], run["TRAIL_BUCKET"], "AWSLogs/")
    sagemaker = audit.query(records, event_source="sagemaker.amazonaws.com")
    writes = sagemaker[~sagemaker["eventName"].str.startswith(("Describe", "List"))]
    ok = writes[writes["errorCode"].isna()]
    assert len(ok) == 1
    assert (ok.iloc[0]["caller"], ok.iloc[0]["eventTime"]) == (checks.WHO_CHANGED, checks.CHANGED_AT)
    assert sorted(sagemaker.loc[sagemaker["errorCode"] == "AccessDenied", "eventName"]) == checks.DENIED


def test_task6_scores_each_answer_once():
    right = {"WHO_CHANGED": {"value": checks.WHO_CHANGED}, "CHANGED_AT": {"value": checks.CHANGED_AT},
             "DENIED": {"value": list(checks.DENIED)}}
    assert checks.score_task6(right, {}) == (3.0, [])
    numpy_text = {"__obj__": "str_", "repr": "np.str_(...)", "str": checks.CHANGED_AT}
    assert checks.score_task6({**right, "CHANGED_AT": {"value": numpy_text}}, {}) == (3.0, [])
    assert checks.score_task6({**right, "DENIED": {"value": list(reversed(checks.DENIED))}}, {})[0] == 2.0


# ---- task 7: questions give nothing away ------------------------------------------------------

def test_task7_letters_are_even_and_the_right_option_is_never_the_longest(sources):
    letters = [letter for letter, _ in checks.TASK7_KEY.values()]
    counts = [letters.count(x) for x in "ABCD"]
    assert len(letters) == 15 and max(counts) - min(counts) <= 1
    assert list(checks.TASK7_KEY) == re.findall(r"\*\*7[a-o]\*\* `(\w+)`", sources["task7-md"])
    text = sources["task7-md"]
    for block, letter in zip(text.split("**7")[1:], letters):
        options = dict(re.findall(r"([ABCD])\) (.*?)(?: ·|$)", block, re.M))
        right = len(options[letter])
        assert right < max(len(o) for x, o in options.items() if x != letter), block[:60]


def test_task7_scores_0_4_a_letter():
    inputs = drawn("task7-exam-tests")[0]
    all_a = {name: {"value": "A"} for name in checks.TASK7_KEY}
    points, messages = checks.TASK7.score(all_a, inputs)
    assert round(points, 6) == 1.2 and len(messages) == 12
    assert checks.TASK7.points == 6.0
