"""Trusted checks of lab 10 (security): 32 points, scored outside the learner's kernel.

task1 decide 6, task2 least privilege 5, task3 bucket policy 4, task4 KMS 4, task5 network 4,
task6 trail 3, task7 exam 6. The kernel only emits values: ``decide``'s decisions on this run's
requests, the learner's policies as JSON, what ``network.reach`` says about the lab's VPC, the
answers. The grading process decides every point: the expected decisions of tasks 1-3 are
:func:`monitorlab.security.iam.evaluate`'s (task 1 on each request's policy, task 2 with the
key's default policy, task 3 with the reference bucket policy ``TASK3_REFERENCE``); the learner's
policies of tasks 2 and 3 are evaluated here with the same engine, never in the kernel. Tasks 4-6
keep literals measured from the lab's deterministic set-up (moto is seeded, so the account, the
bucket and the key ARN are the same on every run); ``tests/test_lab10_security.py`` keeps them
equal to what the set-up produces.
"""

import dataclasses

from grader.trusted import Check, Failed, NotWritten, as_text, choices_check, is_obj, letter
from grader.trusted import shown, value_of

# The lab's account as its setup cell builds it (tests/test_lab10_security.py keeps them current).
ACCOUNT = "123456789012"
BUCKET = f"monitorlab-{ACCOUNT}-us-east-1"
CAP = f"arn:aws:s3:::{BUCKET}"
KEY_ARN = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/3458a748-e9bb-47bc-a3f2-c9bf9c6316b9"
JOB_ARN = f"arn:aws:iam::{ACCOUNT}:role/MonitoringJob"
V = "2012-10-17"
UNSET = object()


def _is_text(value, want: str) -> bool:
    """The kernel's value equals the string ``want`` (a ``str`` or a numpy string), as ``==``."""
    if isinstance(value, str):
        return value == want
    return is_obj(value) and value.get("__obj__") == "str_" and value.get("str") == want


def _str_like(value) -> bool:
    """``isinstance(value, str)`` in the kernel (numpy strings included)."""
    return isinstance(value, str) or (is_obj(value) and value.get("__obj__") == "str_")


def _policy(value) -> dict | None:
    """The learner's policy if it crossed as a plain dict, else None."""
    return value if isinstance(value, dict) and not is_obj(value) else None


def _allow(action, resource, **extra) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def _deny(action, resource, **extra) -> dict:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def _doc(*statements) -> dict:
    return {"Version": V, "Statement": list(statements)}


# ------------------------------------------------------------------------------ task 1 decide

TASK1_VISIBLE = [
    [_doc(_allow("s3:GetObject", "arn:aws:s3:::capture/*")), "s3:GetObject",
     "arn:aws:s3:::capture/a.jsonl", {}, "a plain allow"],
    [_doc(_allow("s3:*", "*"), _deny("s3:DeleteObject", "*")), "s3:DeleteObject",
     "arn:aws:s3:::capture/a.jsonl", {}, "deny beats allow"],
    [_doc(_allow("s3:GetObject", "arn:aws:s3:::capture/*")), "s3:PutObject",
     "arn:aws:s3:::capture/a.jsonl", {}, "nothing allows it"],
]
TASK1_EVALUATE = '''
def decided(case):
    policy, action, resource, context = _json.loads(_json.dumps(case[:4]))
    return call("decide", policy, action, resource, context)
return {"visible": [decided(c) for c in INPUTS["visible"]],
        "hidden": [decided(c) for c in INPUTS["hidden"]]}
'''


def _vpce(rng) -> str:
    return "vpce-" + "".join(rng.choice("0123456789abcdef") for _ in range(rng.choice([4, 8, 17])))


def _mixed_case(rng, text: str) -> str:
    """``text`` with its letters' case flipped at random (at least one flip)."""
    while True:
        out = "".join(c.swapcase() if c.isalpha() and rng.random() < 0.5 else c for c in text)
        if out != text:
            return out


def task1_inputs(rng) -> dict:
    """Twelve hidden requests with the old hidden tests' structure, one per rule: NotAction; action
    case; ``?`` is one character; case-sensitive resources; StringNotEquals on a missing key;
    StringEquals on a missing key; NotIpAddress inside a listed range; IpAddress with the key in
    another case; Bool with one statement as a dict; NumericLessThan comparing numbers (the
    strings compare the other way); several StringLike values ORed; StringNotEquals matching one
    of its values. Names, ARNs, addresses and numbers are drawn."""
    bucket = rng.choice(["capture", "logs", "reports", "audit", "datasets"])
    service, op = rng.choice([("iam", "PassRole"), ("iam", "AttachRolePolicy"),
                              ("iam", "CreateAccessKey"), ("organizations", "LeaveOrganization")])
    verb = rng.choice(["Describe", "List", "Get"])
    pattern = f"sagemaker:{verb.lower()}*"
    invoked = _mixed_case(rng, f"sagemaker:{verb}{rng.choice(['Endpoint', 'Model', 'Job'])}")
    month, day = rng.randint(10, 12), rng.randint(1, 28)
    folder = rng.choice(["reports", "baseline", "exports"])
    blocked, seen = _vpce(rng), _vpce(rng)
    net_a, net_b = rng.sample(["192.0.2", "198.51.100", "203.0.113"], 2)
    host = f"{rng.choice(['198.51.100', '203.0.113'])}.{rng.randint(1, 254)}"
    limit, have = rng.randint(20, 60), rng.randint(100, 199)
    user = rng.choice(["ana", "lee", "tom", "maria"])
    s3_op = rng.choice(["s3:GetObject", "s3:PutObject", "s3:DeleteObject"])
    obj = f"arn:aws:s3:::{bucket}/{rng.choice(['a', 'b', 'x'])}.jsonl"
    return {"visible": TASK1_VISIBLE, "hidden": [
        [_doc({"Effect": "Allow", "NotAction": f"{service}:*", "Resource": "*"}),
         f"{service}:{op}", "*", {}, "NotAction"],
        [_doc(_allow(pattern, "*")), invoked, "*", {}, "case"],
        [_doc(_allow("s3:GetObject", f"arn:aws:s3:::{bucket}/2026-0?-{day:02d}/*")), "s3:GetObject",
         f"arn:aws:s3:::{bucket}/2026-{month}-{day:02d}/a", {}, "? is one character"],
        [_doc(_allow("s3:GetObject", f"arn:aws:s3:::{folder}/*")), "s3:GetObject",
         f"arn:aws:s3:::{folder.capitalize()}/x.json", {}, "resources are case-sensitive"],
        [_doc(_allow("s3:*", "*"), _deny("s3:*", "*", Condition={
            "StringNotEquals": {"aws:SourceVpce": blocked}})), s3_op, obj, {},
         "StringNotEquals on a missing key"],
        [_doc(_allow("s3:*", "*", Condition={"StringEquals": {"aws:SourceVpc": f"vpc-{rng.randint(1, 99)}"}})),
         s3_op, obj, {}, "StringEquals on a missing key"],
        [_doc(_allow("*", "*"), _deny("*", "*", Condition={
            "NotIpAddress": {"aws:SourceIp": [f"{net_a}.0/24", f"{net_b}.0/24"]}})),
         "s3:GetObject", "*", {"aws:SourceIp": f"{net_b}.{rng.randint(1, 254)}"},
         "NotIpAddress inside a listed range"],
        [_doc(_allow("sagemaker:InvokeEndpoint", "*", Condition={"IpAddress": {"aws:SourceIp": f"{host}/32"}})),
         "sagemaker:InvokeEndpoint", "*", {_mixed_case(rng, "aws:SourceIp"): host}, "IpAddress, key case"],
        [{"Version": V, "Statement": _deny("s3:*", "*", Condition={"Bool": {"aws:SecureTransport": "false"}})},
         s3_op, obj, {"aws:SecureTransport": "false"}, "Bool, one statement as a dict"],
        [_doc(_allow("s3:ListBucket", f"arn:aws:s3:::{bucket}", Condition={
            "NumericLessThan": {"s3:max-keys": str(limit)}})), "s3:ListBucket", f"arn:aws:s3:::{bucket}",
         {"s3:max-keys": str(have)}, "NumericLessThan compares numbers"],
        [_doc(_allow("s3:ListBucket", f"arn:aws:s3:::{bucket}", Condition={
            "StringLike": {"s3:prefix": [f"home/{user}/*", "shared/*"]}})), "s3:ListBucket",
         f"arn:aws:s3:::{bucket}", {"s3:prefix": f"shared/2026/{month}/"}, "several values are ORed"],
        [_doc(_allow("s3:*", "*"), _deny("s3:*", "*", Condition={
            "StringNotEquals": {"aws:SourceVpce": [blocked, seen]}})), s3_op, obj,
         {"aws:SourceVpce": seen}, "StringNotEquals matching one of the values"],
    ]}


def expected_decision(case) -> str:
    """What IAM decides for one request of task 1 (``monitorlab.security.iam.evaluate``)."""
    from monitorlab.security import iam

    policy, action, resource, context = case[:4]
    return iam.evaluate(action, resource, identity_policies=policy, context=context).decision


def _decide_points(case, result, weight, msgs, unwritten: list) -> float:
    policy, action, resource, context, label = case
    try:
        got = value_of(result)
    except NotWritten:
        if not unwritten:
            msgs.append("✗ decide is not written yet")
        unwritten.append(label)
        return 0.0
    except Failed as exc:
        msgs.append(f"✗ {label}: decide {exc}")
        return 0.0
    expected = expected_decision(case)
    if _is_text(got, expected):
        return weight
    msgs.append(f"✗ {label}: decide gave {shown(got)} for {action} on {resource} with {context}, "
                f"expected {expected!r}")
    return 0.0


def score_task1(values: dict, inputs: dict) -> tuple[float, list[str]]:
    """Visible: three requests (0.5 each). Hidden: twelve (0.375 each); the total rounded to 2
    decimals as the notebook's cell did (5.625 shows as 5.62)."""
    msgs: list[str] = []
    unwritten: list[str] = []
    score = sum(_decide_points(c, r, 0.5, msgs, unwritten)
                for c, r in zip(inputs["visible"], values["visible"]))
    score += sum(_decide_points(c, r, 0.375, msgs, unwritten)
                 for c, r in zip(inputs["hidden"], values["hidden"]))
    return round(score, 2), msgs


TASK1 = Check("task1-decide-tests", 6, TASK1_EVALUATE, score_task1, task1_inputs,
              forbid=(("task1-decide-answer", ("iam", "iam_eval", "condition_holds",
                                               "conditions_hold", "statement_applies")),))

# ------------------------------------------------------------------------------ task 2 policy

TASK2_NEEDED = [("s3:GetObject", f"{CAP}/datacapture/adult-income/AllTraffic/2026/01/05/00/a.jsonl"),
                ("s3:GetObject", f"{CAP}/monitoring/baseline/statistics.json"),
                ("s3:PutObject", f"{CAP}/monitoring/reports/2026/01/05/01/constraint_violations.json"),
                ("s3:ListBucket", CAP),
                ("kms:Decrypt", KEY_ARN), ("kms:GenerateDataKey", KEY_ARN),
                ("cloudwatch:PutMetricData", "*")]               # the setup cell's NEEDED
TASK2_FORBIDDEN = [
    ("s3:DeleteObject", f"{CAP}/datacapture/adult-income/AllTraffic/2026/01/05/00/a.jsonl"),
    ("s3:PutObject", f"{CAP}/datacapture/adult-income/AllTraffic/2026/01/05/00/forged.jsonl"),
    ("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/AdminRole")]  # the setup cell's FORBIDDEN
TASK2_EVALUATE = 'return {"policy": get("MONITORING_POLICY")}\n'


def _hour_path(rng) -> str:
    return f"2026/{rng.randint(2, 12):02d}/{rng.randint(1, 28):02d}/{rng.randint(0, 23):02d}"


def task2_inputs(rng) -> dict:
    """Two needed calls under another date and hour (a capture read, a report write) and six
    forbidden ones: delete and overwrite in the baseline, a read in another account's bucket, a
    destructive action on the course key, one on CloudWatch, passing one of the account's roles."""
    report = rng.choice(["statistics.json", "constraint_violations.json", "constraints.json"])
    baseline = rng.choice(["statistics.json", "constraints.json"])
    other = f"{rng.choice(['hr-payroll', 'finance-ledger', 'legal-archive'])}-{rng.randint(10**11, 10**12 - 1)}"
    return {"needed": [
        ["s3:GetObject", f"{CAP}/datacapture/adult-income/AllTraffic/{_hour_path(rng)}/"
                         f"{rng.choice('abcdefgh')}.jsonl"],
        ["s3:PutObject", f"{CAP}/monitoring/reports/{_hour_path(rng)}/{report}"]],
        "forbidden": [
        ["s3:DeleteObject", f"{CAP}/monitoring/baseline/{baseline}"],
        ["s3:PutObject", f"{CAP}/monitoring/baseline/{rng.choice(['statistics.json', 'constraints.json'])}"],
        ["s3:GetObject", f"arn:aws:s3:::{other}/{rng.choice(['salaries.csv', 'ledger.parquet'])}"],
        [rng.choice(["kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:PutKeyPolicy"]), KEY_ARN],
        [rng.choice(["cloudwatch:DeleteAlarms", "cloudwatch:DisableAlarmActions",
                     "cloudwatch:DeleteDashboards"]), "*"],
        ["iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/"
                         f"{rng.choice(['MonitorLabSageMakerExecutionRole', 'Admin', 'MLEngineer'])}"]]}


def decisions(policy: dict, calls) -> list[str]:
    """The engine's decision for each (action, resource) of the monitoring job's role with
    ``policy``; KMS calls meet the key's default policy, which delegates to IAM."""
    from monitorlab.security import iam, kms

    key_policy = kms.default_key_policy(ACCOUNT)
    return [iam.evaluate(action, resource, identity_policies={"MONITORING_POLICY": policy},
                         principal_account=ACCOUNT, context={"aws:PrincipalArn": JOB_ARN},
                         resource_policy=key_policy if action.startswith("kms:") else None).decision
            for action, resource in calls]


def score_task2(values: dict, inputs: dict) -> tuple[float, list[str]]:
    """Visible: a valid policy allowing all of NEEDED (1). Hidden: two more needed calls (0.5
    each), six forbidden calls denied (0.5 each)."""
    from monitorlab.security import iam

    policy = _policy(values["policy"].get("value"))
    if policy is None:
        return 0.0, ["✗ MONITORING_POLICY is not a dict yet"]
    try:
        iam.validate(policy)
    except (ValueError, TypeError, KeyError) as error:  # validate's MalformedPolicyDocument
        return 0.0, [f"✗ IAM would refuse MONITORING_POLICY: {error}"]
    msgs, score = [], 0.0
    missing = [c for c, d in zip(TASK2_NEEDED, decisions(policy, TASK2_NEEDED)) if d != "Allow"]
    msgs += [f"✗ needed call denied: {a} on {r}" for a, r in missing]
    score += 0.0 if missing else 1.0
    for (action, resource), decision in zip(TASK2_FORBIDDEN, decisions(policy, TASK2_FORBIDDEN)):
        if decision == "Allow":
            msgs.append(f"✗ (not graded here) {action} on {resource} is allowed: the job must not be "
                        "able to do that")
    for (action, resource), decision in zip(inputs["needed"], decisions(policy, inputs["needed"])):
        if decision == "Allow":
            score += 0.5
        else:
            msgs.append(f"✗ needed call denied: {action} on {resource} (other dates and hours: use "
                        "a prefix with *)")
    for (action, resource), decision in zip(inputs["forbidden"], decisions(policy, inputs["forbidden"])):
        if decision in ("ImplicitDeny", "ExplicitDeny"):
            score += 0.5
        else:
            msgs.append(f"✗ forbidden call allowed: {action} on {resource} (scope actions and "
                        "prefixes exactly)")
    return score, msgs


TASK2 = Check("task2-policy-tests", 5, TASK2_EVALUATE, score_task2, task2_inputs)

# ------------------------------------------------------------------------------ task 3 bucket

TASK3_VPCE = "vpce-0a1b2c3d4e5f60718"
TASK3_REFERENCE = _doc(   # the solution's policy: the expected decisions are the engine's on it
    {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
     "Resource": [CAP, f"{CAP}/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
    {"Sid": "DenyUnencryptedPuts", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
     "Resource": f"{CAP}/*",
     "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}},
    {"Sid": "DenyOutsideTheVpcEndpoint", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
     "Resource": [CAP, f"{CAP}/*"], "Condition": {"StringNotEquals": {"aws:SourceVpce": TASK3_VPCE}}})
TASK3_VISIBLE = [
    ["s3:PutObject", "/datacapture/a.jsonl", {"aws:SecureTransport": "true", "aws:SourceVpce": TASK3_VPCE,
                                              "s3:x-amz-server-side-encryption": "aws:kms"},
     "HTTPS, SSE-KMS, through the endpoint"],
    ["s3:PutObject", "/datacapture/a.jsonl", {"aws:SecureTransport": "false", "aws:SourceVpce": TASK3_VPCE,
                                              "s3:x-amz-server-side-encryption": "aws:kms"}, "plain HTTP"]]
TASK3_EVALUATE = 'return {"policy": get("CAPTURE_BUCKET_POLICY")}\n'
JOB_ALLOWS_S3 = _doc(_allow("s3:*", "*"))


def task3_inputs(rng) -> dict:
    """Six hidden requests with the old structure: a read with no encryption header (allowed);
    a bucket-level call over plain HTTP; a put with no encryption header; a put with SSE-S3; a
    read from outside any VPC endpoint; a read through another endpoint. Keys, the bucket-level
    action and the other endpoint are drawn."""
    def key(top):
        return f"/{top}/{rng.choice(['a', 'b', 'r', 'x'])}{rng.randint(0, 99)}.{rng.choice(['json', 'jsonl'])}"

    tls = {"aws:SecureTransport": "true", "aws:SourceVpce": TASK3_VPCE}
    other = "vpce-" + "".join(rng.choice("0123456789abcdef") for _ in range(17))
    return {"visible": TASK3_VISIBLE, "hidden": [
        ["s3:GetObject", key("datacapture"), dict(tls),
         "a read carries no encryption header: only puts must say aws:kms"],
        [rng.choice(["s3:ListBucket", "s3:GetBucketLocation", "s3:ListBucketVersions"]), "",
         {"aws:SecureTransport": "false", "aws:SourceVpce": TASK3_VPCE},
         "the TLS rule must cover the bucket ARN itself, not only its objects"],
        ["s3:PutObject", key("monitoring/reports"), dict(tls),
         "a put with no encryption header must be denied (StringNotEquals is true when the key is missing)"],
        ["s3:PutObject", key("monitoring/reports"), {**tls, "s3:x-amz-server-side-encryption": "AES256"},
         "SSE-S3 (AES256) is not SSE-KMS"],
        ["s3:GetObject", key("datacapture"), {"aws:SecureTransport": "true"},
         "a request from outside the VPC endpoint carries no aws:SourceVpce: deny it"],
        ["s3:GetObject", key("datacapture"), {"aws:SecureTransport": "true", "aws:SourceVpce": other},
         "another VPC endpoint is not this one"]]}


def bucket_decision(policy: dict, case) -> str:
    """The engine's decision for one request of a caller whose identity policy allows s3:*."""
    from monitorlab.security import iam

    action, suffix, context = case[:3]
    return iam.evaluate(action, CAP + suffix, identity_policies={"job": JOB_ALLOWS_S3},
                        resource_policy=policy, principal_account=ACCOUNT,
                        context={"aws:PrincipalArn": JOB_ARN, **context}).decision


def _bucket_points(policy: dict, case, weight: float, msgs: list) -> float:
    expected = bucket_decision(TASK3_REFERENCE, case)
    try:
        got = bucket_decision(policy, case)
    except ValueError as error:
        msgs.append(f"✗ {case[3]}: the policy cannot be evaluated: {error}")
        return 0.0
    if got == expected:
        return weight
    msgs.append(f"✗ {case[3]}: {case[0]} on {CAP + case[1]} gave {got}, expected {expected}")
    return 0.0


def score_task3(values: dict, inputs: dict) -> tuple[float, list[str]]:
    """Visible: a valid bucket policy that lets a correct request through and refuses plain HTTP
    (0.5 each). Hidden: six other requests (0.5 each)."""
    from monitorlab.security import iam

    policy = _policy(values["policy"].get("value"))
    if policy is None:
        return 0.0, ["✗ CAPTURE_BUCKET_POLICY is not a dict yet"]
    try:
        iam.validate(policy, kind="resource")
    except (ValueError, TypeError, KeyError) as error:  # validate's MalformedPolicyDocument
        return 0.0, [f"✗ S3 would refuse CAPTURE_BUCKET_POLICY: {error}"]
    msgs: list[str] = []
    score = sum(_bucket_points(policy, case, 0.5, msgs) for case in inputs["visible"] + inputs["hidden"])
    return score, msgs


TASK3 = Check("task3-bucket-tests", 4, TASK3_EVALUATE, score_task3, task3_inputs)

# ------------------------------------------------------------------------------ task 4 KMS

# What the lab's account shows (tests/test_lab10_security.py asks the engine and KMS again).
READ_NEEDS, WRITE_NEEDS, ROTATION_ON, FIX = "kms:Decrypt", "kms:GenerateDataKey", False, "C"
TASK4_EVALUATE = '''
return {name: get(name) for name in ("READ_NEEDS", "WRITE_NEEDS", "ROTATION_ON", "FIX")}
'''


def score_task4(values: dict, inputs: dict) -> tuple[float, list[str]]:
    """The format as the visible cell checks it (no points); each answer 1 point."""
    got = {name: values[name].get("value", values[name]) for name in values}
    msgs = []
    for name in ("READ_NEEDS", "WRITE_NEEDS"):
        if not (_str_like(got[name]) and as_text(got[name]).startswith("kms:")):
            msgs.append(f"✗ {name} must be a KMS action such as 'kms:Sign', got {shown(got[name])}")
    if not isinstance(got["ROTATION_ON"], bool):
        msgs.append(f"✗ ROTATION_ON must be True or False, got {shown(got['ROTATION_ON'])}")
    if letter(got["FIX"]) not in set("ABCD"):
        msgs.append("✗ FIX must be one letter A-D")
    answers = [
        (as_text(got["READ_NEEDS"]).lower() == READ_NEEDS.lower(),
         f"✗ READ_NEEDS is {shown(got['READ_NEEDS'])}: S3 asks KMS to decrypt the object's data key "
         "when it is read"),
        (as_text(got["WRITE_NEEDS"]).lower() == WRITE_NEEDS.lower(),
         f"✗ WRITE_NEEDS is {shown(got['WRITE_NEEDS'])}: S3 asks KMS for a new data key for every "
         "object it writes (kms:Encrypt is never used by S3)"),
        (got["ROTATION_ON"] is ROTATION_ON,
         f"✗ ROTATION_ON is {shown(got['ROTATION_ON'])}: a customer managed key does not rotate "
         "until EnableKeyRotation"),
        ("value" in values["FIX"] and letter(got["FIX"]) == FIX,
         "✗ FIX: the failure is KMS permissions; ListBucket and TLS change nothing, and kms:* on "
         "every key breaks least privilege"),
    ]
    return float(sum(ok for ok, _ in answers)), msgs + [why for ok, why in answers if not ok]


TASK4 = Check("task4-kms-tests", 4, TASK4_EVALUATE, score_task4)

# ------------------------------------------------------------------------------ task 5 network

JOB_NEEDS = ["s3", "ecr.api", "ecr.dkr", "logs", "monitoring"]   # the setup cell's JOB_NEEDS
MISSING_ENDPOINTS, LOGS_BLOCKED_BY = {"ecr.api", "ecr.dkr", "monitoring"}, "D"
TASK5_EVALUATE = '''
from monitorlab.security import network as _network
def reach(destination):
    found = _network.reach(globals()["ec2"], subnet_id=globals()["SUBNET"],
                           security_group_ids=[globals()["JOB_SG"]], destination=destination)
    return {"reachable": bool(found.reachable), "blocked_by": str(found.blocked_by),
            "path": str(found.path)}
def missing():
    given = globals()["MISSING_ENDPOINTS"]
    return [str(s) for s in given] if isinstance(given, (set, list, tuple)) else None
return {"reach": {d: attempt(lambda d=d: reach(d)) for d in INPUTS["destinations"]},
        "missing": attempt(missing), "missing_shown": get("MISSING_ENDPOINTS"),
        "logs": get("LOGS_BLOCKED_BY")}
'''


def score_task5(values: dict, inputs: dict) -> tuple[float, list[str]]:
    """Visible (5b): every needed service reachable (1.5), then the internet unreachable (0.5).
    Hidden (5a): MISSING_ENDPOINTS (1), LOGS_BLOCKED_BY (1)."""
    msgs, score = [], 0.0
    reach = {}
    for destination, result in values["reach"].items():
        try:
            reach[destination] = value_of(result)
        except Failed as exc:
            msgs.append(f"✗ the network could not be checked for {destination}: {exc}")
    closed = [d for d in JOB_NEEDS if not (reach.get(d) or {}).get("reachable") is True]
    msgs += [f"✗ {d} is not reachable: {(reach.get(d) or {}).get('blocked_by', 'not checked')}"
             for d in closed]
    score += 0.0 if closed else 1.5
    internet = reach.get("internet") or {}
    if internet.get("reachable") is not False:
        msgs.append(f"✗ the internet is reachable ({internet.get('path')}): remove the NAT route, "
                    "use endpoints")
    elif not closed:
        score += 0.5
    given = values["missing"].get("value")
    if isinstance(given, list) and {as_text(s).strip().lower() for s in given} == MISSING_ENDPOINTS:
        score += 1.0
    else:
        msgs.append(f"✗ MISSING_ENDPOINTS is {shown(values['missing_shown'].get('value'))}: list the "
                    "needed services with no endpoint at all; pulling an image needs both ecr.api "
                    "and ecr.dkr, and S3 already has its gateway endpoint")
    if "value" in values["logs"] and letter(values["logs"]["value"]) == LOGS_BLOCKED_BY:
        score += 1.0
    else:
        msgs.append("✗ LOGS_BLOCKED_BY: reach() names the endpoint's security group; an interface "
                    "endpoint admits only what its security group allows")
    return score, msgs


TASK5 = Check("task5-network-tests", 4, TASK5_EVALUATE, score_task5,
              lambda rng: {"destinations": JOB_NEEDS + ["internet"]})

# ------------------------------------------------------------------------------ task 6 trail

# The change the lab's trail recorded (tests/test_lab10_security.py reads the delivered logs).
WHO_CHANGED = f"arn:aws:sts::{ACCOUNT}:assumed-role/MLEngineer/lee"
CHANGED_AT = "2026-01-05T00:17:00Z"
DENIED = ["DeleteEndpoint", "UpdateEndpointWeightsAndCapacities"]
TASK6_EVALUATE = 'return {name: get(name) for name in ("WHO_CHANGED", "CHANGED_AT", "DENIED")}\n'


def score_task6(values: dict, inputs: dict) -> tuple[float, list[str]]:
    """The format as the visible cell checks it (no points); each answer 1 point."""
    who, when, denied = (values[n].get("value") for n in ("WHO_CHANGED", "CHANGED_AT", "DENIED"))
    msgs = []
    if not (_str_like(who) and as_text(who).startswith("arn:aws:")):
        msgs.append(f"✗ WHO_CHANGED must be an ARN string, got {shown(who)}")
    if not (_str_like(when) and as_text(when).startswith("2026-01-05T")):
        msgs.append(f"✗ CHANGED_AT must be the record's eventTime string, got {shown(when)}")
    if not (isinstance(denied, list) and all(_str_like(x) for x in denied)):
        msgs.append(f"✗ DENIED must be a list of event names, got {shown(denied)}")
    answers = [
        (_is_text(who, WHO_CHANGED),
         f"✗ WHO_CHANGED is {shown(who)}: take the write call on the endpoint that has no "
         "errorCode; Describe and List calls change nothing"),
        (_is_text(when, CHANGED_AT), f"✗ CHANGED_AT is {shown(when)}: the eventTime of that successful change"),
        (isinstance(denied, list) and len(denied) == len(DENIED)
         and all(_is_text(g, w) for g, w in zip(denied, DENIED)),
         f"✗ DENIED is {shown(denied)}: every SageMaker record whose errorCode is AccessDenied, names sorted"),
    ]
    return float(sum(ok for ok, _ in answers)), msgs + [why for ok, why in answers if not ok]


TASK6 = Check("task6-audit-tests", 3, TASK6_EVALUATE, score_task6)

# ------------------------------------------------------------------------------ task 7 exam

TASK7_KEY = {
    "ROLE_NOT_KEYS": ("B", "SageMaker assumes the execution role and gives the container temporary "
                           "credentials; no long-lived key at all"),
    "PRESIGNED_URL": ("D", "aws:SourceVpc checks where the request comes from; SourceIp is for public "
                           "IP ranges, PrincipalTag is about who"),
    "OWN_KEYS": ("A", "only SSE-C (or client-side encryption) keeps the key out of AWS"),
    "ISOLATE_TRAINING": ("C", "network isolation blocks every outbound call; inter-node encryption is a "
                              "separate, opt-in setting"),
    "OFF_THE_INTERNET": ("C", "private subnets plus VPC endpoints; a NAT gateway is a path to the internet"),
    "BLOCK_ONE_IP": ("A", "security groups have allow rules only; a NACL can deny"),
    "FIND_PII": ("D", "Macie discovers PII in S3; Glue's Detect PII is the one that masks"),
    "WHO_DELETED": ("B", "CloudTrail records API calls (who, what, when); CloudWatch holds metrics and "
                         "logs, X-Ray traces"),
    "BEDROCK_PRIVATE": ("A", "gateway endpoints exist for S3 and DynamoDB only; everything else is an "
                             "interface endpoint"),
    "REJECTED_TRAFFIC": ("D", "Flow Logs record accepted and rejected connections per interface; WAF "
                              "filters HTTP, Shield is DDoS protection"),
    "NO_TRACKING": ("C", "SageMaker's metadata collection has its own opt-out: OPT_OUT_TRACKING"),
    "CROSS_ACCOUNT": ("B", "across accounts both sides must allow; peering connects networks and grants "
                           "nothing"),
    "ENVELOPE": ("C", "a data key from GenerateDataKey encrypts the data locally; only the encrypted "
                      "data key is stored"),
    "VOLUME_KEY": ("D", "the instance's storage volume has its own setting, VolumeKmsKeyId; the output "
                        "key covers only S3"),
    "MASK_EMAIL": ("B", "a keyed hash keeps equality (counts, joins) and cannot be reversed; a token "
                        "vault can be"),
}

TASK7 = dataclasses.replace(choices_check("task7-exam-tests", TASK7_KEY, points_each=0.4), points=6.0)

CHECKS = [TASK1, TASK2, TASK3, TASK4, TASK5, TASK6, TASK7]
