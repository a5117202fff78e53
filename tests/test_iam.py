"""The IAM evaluator: every element and operator, with the AWS documentation's own example
policies as literals where they exist (IAM User Guide "Example IAM identity-based policies",
"IAM JSON policy elements: Condition operators", "Policy variables"; S3 User Guide bucket-policy
examples; KMS "Default key policy"), and agreement with what moto itself enforces."""

import json

import boto3
import pytest

from monitorlab.account.sandbox import Sandbox
from monitorlab.security import iam
from monitorlab.security.iam import MalformedPolicyDocument, evaluate

ACCT = "111122223333"
ROLE = f"arn:aws:iam::{ACCT}:role/MonitoringJob"
V = "2012-10-17"


def allow(action, resource="*", **extra):
    return {"Version": V, "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource, **extra}]}


def decide(action, resource, policies, **kw):
    kw.setdefault("context", {"aws:PrincipalArn": ROLE})
    return evaluate(action, resource, identity_policies=policies, **kw).decision


# ---- Action / NotAction, Resource / NotResource, wildcards ------------------------------------

def test_actions_are_case_insensitive_and_take_wildcards():
    p = allow(["s3:Get*", "sagemaker:Describe?ndpoint"])
    assert decide("S3:GETOBJECT", "arn:aws:s3:::b/k", p) == "Allow"
    assert decide("sagemaker:DescribeEndpoint", "*", p) == "Allow"
    assert decide("sagemaker:DescribeEndpointConfig", "*", p) == "ImplicitDeny"   # ? is one character
    assert decide("s3:PutObject", "arn:aws:s3:::b/k", p) == "ImplicitDeny"


def test_resources_are_case_sensitive_and_wildcards_span_slashes():
    p = allow("s3:GetObject", "arn:aws:s3:::capture/datacapture/*")
    assert decide("s3:GetObject", "arn:aws:s3:::capture/datacapture/adult/AllTraffic/2026/01/05/00/x.jsonl", p) == "Allow"
    assert decide("s3:GetObject", "arn:aws:s3:::capture/DataCapture/x", p) == "ImplicitDeny"
    assert decide("s3:GetObject", "arn:aws:s3:::capture/file?.txt",
                  allow("s3:GetObject", "arn:aws:s3:::capture/file?.txt")) == "Allow"


def test_not_action_and_not_resource():
    # IAM docs: "AWS: Denies access to AWS except IAM" style: Deny NotAction iam:*
    p = {"Version": V, "Statement": [allow("*")["Statement"][0],
                                     {"Effect": "Deny", "NotAction": "iam:*", "Resource": "*"}]}
    assert decide("iam:ListRoles", "*", p) == "Allow"
    assert decide("s3:ListBucket", "*", p) == "ExplicitDeny"
    q = {"Version": V, "Statement": [{"Effect": "Allow", "Action": "s3:*", "NotResource": "arn:aws:s3:::secret/*"}]}
    assert decide("s3:GetObject", "arn:aws:s3:::public/a", q) == "Allow"
    assert decide("s3:GetObject", "arn:aws:s3:::secret/a", q) == "ImplicitDeny"


def test_explicit_deny_wins_and_reason_names_the_statement():
    p = {"Version": V, "Statement": [{"Sid": "All", "Effect": "Allow", "Action": "s3:*", "Resource": "*"},
                                     {"Sid": "NoDelete", "Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}]}
    d = evaluate("s3:DeleteObject", "arn:aws:s3:::b/k", identity_policies={"JobPolicy": p})
    assert d.decision == "ExplicitDeny" and "JobPolicy statement 'NoDelete'" in d.reason
    d = evaluate("s3:GetObject", "arn:aws:s3:::b/k", identity_policies={"JobPolicy": p})
    assert d.allowed and "JobPolicy statement 'All'" in d.reason
    d = evaluate("kms:Decrypt", "*", identity_policies={"JobPolicy": allow("s3:*")},
                 resource_policy={"Version": V, "Statement": []})
    assert d.decision == "ImplicitDeny"


# ---- policy variables -------------------------------------------------------------------------

def test_policy_variables_docs_example_home_folder():
    # IAM User Guide, "Policy variables": each user reaches only their own folder.
    p = {"Version": V, "Statement": [
        {"Action": ["s3:ListBucket"], "Effect": "Allow", "Resource": ["arn:aws:s3:::amzn-s3-demo-bucket"],
         "Condition": {"StringLike": {"s3:prefix": ["${aws:username}/*"]}}},
        {"Action": ["s3:GetObject", "s3:PutObject"], "Effect": "Allow",
         "Resource": ["arn:aws:s3:::amzn-s3-demo-bucket/${aws:username}/*"]}]}
    ctx = {"aws:username": "mary", "aws:PrincipalArn": f"arn:aws:iam::{ACCT}:user/mary"}
    assert decide("s3:GetObject", "arn:aws:s3:::amzn-s3-demo-bucket/mary/a.csv", p, context=ctx) == "Allow"
    assert decide("s3:GetObject", "arn:aws:s3:::amzn-s3-demo-bucket/bob/a.csv", p, context=ctx) == "ImplicitDeny"
    assert decide("s3:ListBucket", "arn:aws:s3:::amzn-s3-demo-bucket", p,
                  context={**ctx, "s3:prefix": "mary/2026"}) == "Allow"
    assert decide("s3:ListBucket", "arn:aws:s3:::amzn-s3-demo-bucket", p,
                  context={**ctx, "s3:prefix": "bob/"}) == "ImplicitDeny"
    # no username in the context (a role): the variable cannot resolve, nothing matches
    assert decide("s3:GetObject", "arn:aws:s3:::amzn-s3-demo-bucket/mary/a.csv", p) == "ImplicitDeny"


def test_variable_defaults_and_special_characters():
    assert iam.substitute("a/${aws:username, 'anyone'}/b", {}) == "a/anyone/b"
    assert iam.substitute("a/${aws:username}", {}) is None
    p = allow("s3:GetObject", "arn:aws:s3:::b/${*}literal")
    assert decide("s3:GetObject", "arn:aws:s3:::b/*literal", p) == "Allow"
    assert decide("s3:GetObject", "arn:aws:s3:::b/xliteral", p) == "ImplicitDeny"


def test_principal_tag_matches_resource_tag():
    # IAM docs ABAC tutorial: access when the resource's team tag equals the caller's.
    p = allow("sagemaker:UpdateEndpoint", "*",
              Condition={"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}})
    ctx = {"aws:PrincipalArn": ROLE, "aws:PrincipalTag/team": "fraud"}
    assert decide("sagemaker:UpdateEndpoint", "*", p, context={**ctx, "aws:ResourceTag/team": "fraud"}) == "Allow"
    assert decide("sagemaker:UpdateEndpoint", "*", p, context={**ctx, "aws:ResourceTag/team": "credit"}) == "ImplicitDeny"


# ---- condition operators ------------------------------------------------------------------------

@pytest.mark.parametrize("op, have, want, expected", [
    ("StringEquals", "abc", "abc", True), ("StringEquals", "abc", "ABC", False),
    ("StringNotEquals", "abc", "xyz", True), ("StringEqualsIgnoreCase", "abc", "ABC", True),
    ("StringNotEqualsIgnoreCase", "abc", "ABC", False), ("StringLike", "home/mary/x", "home/*/x", True),
    ("StringNotLike", "home/mary/x", "tmp/*", True),
    ("NumericEquals", "10", "10", True), ("NumericNotEquals", "10", "10", False),
    ("NumericLessThan", "9", "10", True), ("NumericLessThanEquals", "10", "10", True),
    ("NumericGreaterThan", "11", "10", True), ("NumericGreaterThanEquals", "9", "10", False),
    ("DateEquals", "2026-01-05T00:00:00Z", "2026-01-05T00:00:00Z", True),
    ("DateNotEquals", "2026-01-05T00:00:00Z", "2026-01-05T00:00:01Z", True),
    ("DateLessThan", "2026-01-05T00:00:00Z", "2026-01-06T00:00:00Z", True),
    ("DateLessThanEquals", "2026-01-06T00:00:00Z", "2026-01-06T00:00:00Z", True),
    ("DateGreaterThan", "1767571200", "2025-12-31T00:00:00Z", True),       # epoch seconds work too
    ("DateGreaterThanEquals", "2025-01-01T00:00:00Z", "2026-01-01T00:00:00Z", False),
    ("Bool", "true", "true", True), ("Bool", "false", "true", False),
    ("BinaryEquals", "QmluYXJ5", "QmluYXJ5", True),
    ("IpAddress", "203.0.113.7", "203.0.113.0/24", True), ("IpAddress", "198.51.100.7", "203.0.113.0/24", False),
    ("NotIpAddress", "198.51.100.7", "203.0.113.0/24", True),
    ("ArnEquals", ROLE, ROLE, True), ("ArnLike", ROLE, f"arn:aws:iam::{ACCT}:role/*", True),
    ("ArnNotEquals", ROLE, f"arn:aws:iam::{ACCT}:role/Other", True),
    ("ArnNotLike", ROLE, f"arn:aws:iam::{ACCT}:role/Mon*", False),
])
def test_every_operator(op, have, want, expected):
    assert iam.condition_holds(op, "k", want, {"k": have}) is expected


def test_missing_keys_ifexists_and_null():
    assert iam.condition_holds("StringEquals", "aws:SourceVpc", "vpc-1", {}) is False
    assert iam.condition_holds("StringNotEquals", "aws:SourceVpc", "vpc-1", {}) is True      # negated: true
    assert iam.condition_holds("StringEqualsIfExists", "aws:SourceVpc", "vpc-1", {}) is True
    assert iam.condition_holds("StringEqualsIfExists", "aws:SourceVpc", "vpc-1", {"aws:SourceVpc": "vpc-2"}) is False
    assert iam.condition_holds("Null", "aws:TokenIssueTime", "true", {}) is True
    assert iam.condition_holds("Null", "aws:TokenIssueTime", "false", {}) is False
    # several values are ORed; for a negated operator the value must match none of them
    assert iam.condition_holds("StringEquals", "k", ["a", "b"], {"k": "b"}) is True
    assert iam.condition_holds("StringNotEquals", "k", ["a", "b"], {"k": "b"}) is False
    # context keys are case-insensitive, values (for String*) are not
    assert iam.condition_holds("StringEquals", "AWS:SourceVpc", "vpc-1", {"aws:sourcevpc": "vpc-1"}) is True


def test_for_all_values_and_for_any_value_docs_example():
    # IAM docs, "Condition keys with multiple values": ForAllValues:StringEquals on aws:TagKeys.
    block = ["environment", "cost-center"]
    holds = lambda op, tags: iam.condition_holds(op, "aws:TagKeys", block, {} if tags is None else {"aws:TagKeys": tags})  # noqa: E731
    assert holds("ForAllValues:StringEquals", ["environment"]) is True
    assert holds("ForAllValues:StringEquals", ["environment", "owner"]) is False
    assert holds("ForAllValues:StringEquals", None) is True          # the documented trap: no key -> true
    assert holds("ForAnyValue:StringEquals", ["owner", "cost-center"]) is True
    assert holds("ForAnyValue:StringEquals", ["owner"]) is False
    assert holds("ForAnyValue:StringEquals", None) is False


def test_docs_example_deny_outside_ip_ranges():
    # IAM docs "AWS: Denies access to AWS based on the source IP"
    p = {"Version": V, "Statement": {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {
        "NotIpAddress": {"aws:SourceIp": ["192.0.2.0/24", "203.0.113.0/24"]},
        "Bool": {"aws:ViaAWSService": "false"}}}}
    both = [allow("*"), p]
    base = {"aws:PrincipalArn": ROLE, "aws:ViaAWSService": "false"}
    assert decide("s3:GetObject", "*", both, context={**base, "aws:SourceIp": "203.0.113.9"}) == "Allow"
    assert decide("s3:GetObject", "*", both, context={**base, "aws:SourceIp": "198.51.100.9"}) == "ExplicitDeny"
    assert decide("s3:GetObject", "*", both, context={**base, "aws:SourceIp": "198.51.100.9",
                                                        "aws:ViaAWSService": "true"}) == "Allow"


def test_docs_example_allow_within_dates():
    # IAM docs "AWS: Allows access within specific dates"
    p = allow("service-prefix:action-name", "*", Condition={
        "DateGreaterThan": {"aws:CurrentTime": "2020-04-01T00:00:00Z"},
        "DateLessThan": {"aws:CurrentTime": "2020-06-30T23:59:59Z"}})
    assert decide("service-prefix:action-name", "*", p, context={"aws:CurrentTime": "2020-05-01T12:00:00Z"}) == "Allow"
    assert decide("service-prefix:action-name", "*", p, context={"aws:CurrentTime": "2020-07-01T00:00:00Z"}) == "ImplicitDeny"


# ---- resource policies: the capture bucket ---------------------------------------------------

BUCKET_POLICY = {"Version": V, "Statement": [
    {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
     "Resource": ["arn:aws:s3:::capture", "arn:aws:s3:::capture/*"],
     "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
    {"Sid": "DenyUnencryptedPuts", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
     "Resource": "arn:aws:s3:::capture/*",
     "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}},
    {"Sid": "OnlyThroughVpce", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
     "Resource": ["arn:aws:s3:::capture", "arn:aws:s3:::capture/*"],
     "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}}]}


def test_capture_bucket_policy_denies_insecure_unencrypted_and_outside_vpce():
    ok = {"aws:PrincipalArn": ROLE, "aws:SecureTransport": "true", "aws:SourceVpce": "vpce-1a2b3c4d",
          "s3:x-amz-server-side-encryption": "aws:kms"}
    put = lambda ctx: evaluate("s3:PutObject", "arn:aws:s3:::capture/x", identity_policies=allow("s3:*"),  # noqa: E731
                               resource_policy=BUCKET_POLICY, context=ctx)
    assert put(ok).decision == "Allow"
    assert "DenyInsecureTransport" in put({**ok, "aws:SecureTransport": "false"}).reason
    assert "DenyUnencryptedPuts" in put({k: v for k, v in ok.items() if not k.startswith("s3:")}).reason
    assert "DenyUnencryptedPuts" in put({**ok, "s3:x-amz-server-side-encryption": "AES256"}).reason
    # aws:SourceIp is not set for traffic through a VPC endpoint: aws:SourceVpce is what identifies it
    assert "OnlyThroughVpce" in put({**ok, "aws:SourceVpce": None} if False else
                                    {k: v for k, v in ok.items() if k != "aws:SourceVpce"}).reason


def test_resource_policy_principal_and_not_principal():
    rp = {"Version": V, "Statement": [{"Sid": "Job", "Effect": "Allow", "Principal": {"AWS": ROLE},
                                       "Action": "s3:GetObject", "Resource": "arn:aws:s3:::capture/*"}]}
    d = evaluate("s3:GetObject", "arn:aws:s3:::capture/x", identity_policies=[], resource_policy=rp,
                 context={"aws:PrincipalArn": ROLE})
    assert d.allowed and "resource policy statement 'Job'" in d.reason        # same account: either side grants
    other = f"arn:aws:iam::{ACCT}:role/Analyst"
    assert evaluate("s3:GetObject", "arn:aws:s3:::capture/x", identity_policies=[], resource_policy=rp,
                    context={"aws:PrincipalArn": other}).decision == "ImplicitDeny"
    np_ = {"Version": V, "Statement": [{"Effect": "Deny", "NotPrincipal": {"AWS": ROLE}, "Action": "s3:*",
                                        "Resource": "arn:aws:s3:::capture/*"}]}
    assert evaluate("s3:GetObject", "arn:aws:s3:::capture/x", identity_policies=allow("s3:*"), resource_policy=np_,
                    context={"aws:PrincipalArn": other}).decision == "ExplicitDeny"
    assert evaluate("s3:GetObject", "arn:aws:s3:::capture/x", identity_policies=allow("s3:*"), resource_policy=np_,
                    context={"aws:PrincipalArn": ROLE}).decision == "Allow"


def test_cross_account_needs_both_sides():
    other_role = "arn:aws:iam::444455556666:role/Auditor"
    rp = {"Version": V, "Statement": [{"Effect": "Allow", "Principal": {"AWS": "444455556666"},
                                       "Action": "s3:GetObject", "Resource": "arn:aws:s3:::capture/*"}]}
    kw = dict(context={"aws:PrincipalArn": other_role}, principal_account="444455556666", resource_account=ACCT)
    assert evaluate("s3:GetObject", "arn:aws:s3:::capture/x", identity_policies=allow("s3:GetObject"),
                    resource_policy=rp, **kw).decision == "Allow"
    assert evaluate("s3:GetObject", "arn:aws:s3:::capture/x", identity_policies=[], resource_policy=rp,
                    **kw).decision == "ImplicitDeny"
    assert evaluate("s3:GetObject", "arn:aws:s3:::capture/x", identity_policies=allow("s3:GetObject"),
                    resource_policy=None, **kw).decision == "ImplicitDeny"


def test_kms_key_policy_direct_or_delegated_to_iam():
    delegated = {"Version": V, "Statement": [{"Sid": "Enable IAM User Permissions", "Effect": "Allow",
                                              "Principal": {"AWS": f"arn:aws:iam::{ACCT}:root"},
                                              "Action": "kms:*", "Resource": "*"}]}
    direct = {"Version": V, "Statement": [{"Sid": "JobDecrypt", "Effect": "Allow", "Principal": {"AWS": ROLE},
                                           "Action": "kms:Decrypt", "Resource": "*"}]}
    ctx = {"aws:PrincipalArn": ROLE}
    # the key policy delegates, so the role's IAM policy decides
    assert evaluate("kms:Decrypt", "k", identity_policies=allow("kms:Decrypt"), resource_policy=delegated, context=ctx).allowed
    assert evaluate("kms:Decrypt", "k", identity_policies=allow("kms:Encrypt"), resource_policy=delegated,
                    context=ctx).decision == "ImplicitDeny"
    # named directly: no IAM policy needed; not named and no delegation: IAM cannot help
    assert evaluate("kms:Decrypt", "k", identity_policies=[], resource_policy=direct, context=ctx).allowed
    assert evaluate("kms:Decrypt", "k", identity_policies=allow("kms:*"), resource_policy=direct,
                    context={"aws:PrincipalArn": f"arn:aws:iam::{ACCT}:role/Other"}).decision == "ImplicitDeny"
    with pytest.raises(ValueError, match="key policy"):
        evaluate("kms:Decrypt", "k", identity_policies=allow("kms:*"))


def test_boundary_and_scp_intersect():
    d = evaluate("s3:DeleteBucket", "arn:aws:s3:::capture", identity_policies=allow("s3:*"),
                 permissions_boundary=allow(["s3:Get*", "s3:Put*"]))
    assert d.decision == "ImplicitDeny" and "boundary" in d.reason
    assert evaluate("s3:GetObject", "arn:aws:s3:::capture/x", identity_policies=allow("s3:*"),
                    permissions_boundary=allow(["s3:Get*"])).allowed
    # the boundary grants nothing by itself
    assert evaluate("s3:GetObject", "x", identity_policies=[], permissions_boundary=allow("s3:*")).decision == "ImplicitDeny"
    scp = {"Version": V, "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"},
                                       {"Sid": "NoRegionOutsideUS", "Effect": "Deny", "Action": "*", "Resource": "*",
                                        "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1"]}}}]}
    assert evaluate("s3:GetObject", "x", identity_policies=allow("s3:*"), scps=[scp],
                    context={"aws:RequestedRegion": "eu-west-1"}).decision == "ExplicitDeny"
    assert evaluate("s3:GetObject", "x", identity_policies=allow("s3:*"), scps=[allow("sagemaker:*")]).decision == "ImplicitDeny"


def test_pass_role_scoped_to_one_role():
    p = allow("iam:PassRole", f"arn:aws:iam::{ACCT}:role/MonitoringJob",
              Condition={"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}})
    ctx = {"iam:PassedToService": "sagemaker.amazonaws.com"}
    assert decide("iam:PassRole", f"arn:aws:iam::{ACCT}:role/MonitoringJob", p, context=ctx) == "Allow"
    assert decide("iam:PassRole", f"arn:aws:iam::{ACCT}:role/Admin", p, context=ctx) == "ImplicitDeny"
    assert decide("iam:PassRole", f"arn:aws:iam::{ACCT}:role/MonitoringJob", p,
                  context={"iam:PassedToService": "lambda.amazonaws.com"}) == "ImplicitDeny"


# ---- bad policies get IAM's errors; the linter ------------------------------------------------

@pytest.mark.parametrize("policy, message", [
    ("{not json", "Syntax errors in policy"),
    ({"Version": "2008-10-16", "Statement": []}, "must be version 2012-10-17"),
    ({"Version": V, "Statement": [{"Effect": "Allow", "Resource": "*"}]}, "must contain actions"),
    ({"Version": V, "Statement": [{"Effect": "Allow", "Action": "s3:*"}]}, "must contain resources"),
    ({"Version": V, "Statement": [{"Effect": "Permit", "Action": "s3:*", "Resource": "*"}]}, "Invalid effect"),
    ({"Version": V, "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}]},
     "should not specify a principal"),
    ({"Version": V, "Statement": [{"Effect": "Allow", "Action": "GetObject", "Resource": "*"}]}, "prefaced by a vendor"),
    (allow("s3:*", Condition={"StringEqualz": {"k": "v"}}), "Invalid Condition type"),
    ({"Version": V, "Statement": [{"Sid": "A", "Effect": "Allow", "Action": "s3:*", "Resource": "*"},
                                  {"Sid": "A", "Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}, "must be unique"),
])
def test_invalid_policies_get_iams_message(policy, message):
    with pytest.raises(MalformedPolicyDocument, match=message):
        iam.validate(policy)


def test_lint_flags_passrole_on_star_and_unknown_actions():
    assert "RESOURCE_STAR" in {f["issue"] for f in iam.lint(allow("iam:PassRole"))}
    assert "UNKNOWN_ACTION" in {f["issue"] for f in iam.lint(allow("s3:GetObjekt"))}
    assert iam.lint(allow("s3:GetObject", "arn:aws:s3:::capture/datacapture/*")) == []


# ---- policies read back from moto, and where moto enforces, the same answer -------------------

@pytest.fixture(scope="module")
def sandbox():
    sb = Sandbox().start()
    yield sb
    sb.stop()


TRUST = {"Version": V, "Statement": [{"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"},
                                      "Action": "sts:AssumeRole"}]}


def test_policies_and_boundary_are_read_back_from_moto(sandbox):
    client = sandbox.client("iam")
    client.create_role(RoleName="ReadBack", AssumeRolePolicyDocument=json.dumps(TRUST),
                       Tags=[{"Key": "team", "Value": "ml"}])
    client.put_role_policy(RoleName="ReadBack", PolicyName="inline", PolicyDocument=json.dumps(allow("s3:*")))
    arn = client.create_policy(PolicyName="Boundary", PolicyDocument=json.dumps(allow("s3:Get*")))["Policy"]["Arn"]
    managed = client.create_policy(PolicyName="CW", PolicyDocument=json.dumps(allow("cloudwatch:PutMetricData")))
    client.attach_role_policy(RoleName="ReadBack", PolicyArn=managed["Policy"]["Arn"])
    client.put_role_permissions_boundary(RoleName="ReadBack", PermissionsBoundary=arn)
    assert set(iam.role_policies(client, "ReadBack")) == {"inline", "CW"}
    assert iam.role_context(client, "ReadBack")["aws:PrincipalTag/team"] == "ml"
    assert iam.evaluate_role(client, "ReadBack", "s3:GetObject", "arn:aws:s3:::b/k").allowed
    assert iam.evaluate_role(client, "ReadBack", "s3:PutObject", "arn:aws:s3:::b/k").decision == "ImplicitDeny"


def test_moto_and_the_evaluator_agree_where_moto_enforces(sandbox):
    """S3 prefix ARNs and explicit deny (moto enforces them for IAM users), trust policies."""
    from moto.core import enable_iam_authentication

    client, s3 = sandbox.client("iam"), sandbox.client("s3")
    s3.create_bucket(Bucket="agree-bucket")
    for key in ("capture/a.jsonl", "private/b.jsonl"):
        s3.put_object(Bucket="agree-bucket", Key=key, Body=b"{}")
    policy = {"Version": V, "Statement": [
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:DeleteObject"], "Resource": "arn:aws:s3:::agree-bucket/capture/*"},
        {"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}]}
    client.create_user(UserName="reader")
    client.put_user_policy(UserName="reader", PolicyName="p", PolicyDocument=json.dumps(policy))
    key = client.create_access_key(UserName="reader")["AccessKey"]
    user_s3 = boto3.client("s3", region_name="us-east-1", aws_access_key_id=key["AccessKeyId"],
                           aws_secret_access_key=key["SecretAccessKey"])
    calls = [("GetObject", "capture/a.jsonl"), ("GetObject", "private/b.jsonl"), ("DeleteObject", "capture/a.jsonl")]
    with enable_iam_authentication():
        moto_says = []
        for operation, object_key in calls:
            try:
                getattr(user_s3, {"GetObject": "get_object", "DeleteObject": "delete_object"}[operation])(
                    Bucket="agree-bucket", Key=object_key)
                moto_says.append(True)
            except user_s3.exceptions.ClientError as error:
                assert error.response["Error"]["Code"] == "AccessDenied"
                moto_says.append(False)
    ours = [evaluate(f"s3:{op}", f"arn:aws:s3:::agree-bucket/{k}", identity_policies=policy).allowed for op, k in calls]
    assert moto_says == ours == [True, False, False]
    # trust policies: moto refuses AssumeRole unless the trust policy names the caller
    user_sts = boto3.client("sts", region_name="us-east-1", aws_access_key_id=key["AccessKeyId"],
                            aws_secret_access_key=key["SecretAccessKey"])
    client.put_user_policy(UserName="reader", PolicyName="assume",
                           PolicyDocument=json.dumps(allow("sts:AssumeRole")))
    reader = "arn:aws:iam::123456789012:user/reader"
    moto_says, ours = [], []
    for name, trusted in (("TrustsOther", "arn:aws:iam::123456789012:user/someone-else"), ("TrustsReader", reader)):
        trust = {"Version": V, "Statement": [{"Effect": "Allow", "Principal": {"AWS": trusted}, "Action": "sts:AssumeRole"}]}
        role_arn = client.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
        with enable_iam_authentication():
            try:
                user_sts.assume_role(RoleArn=role_arn, RoleSessionName="job-session")
                moto_says.append(True)
            except user_sts.exceptions.ClientError as error:
                assert error.response["Error"]["Code"] == "AccessDenied"
                moto_says.append(False)
        ours.append(evaluate("sts:AssumeRole", role_arn, identity_policies=allow("sts:AssumeRole"), resource_policy=trust,
                             context={"aws:PrincipalArn": reader}, principal_account="123456789012").allowed)
    assert moto_says == ours == [False, True]


@pytest.mark.parametrize("policy, words", [
    ({"Version": "2012-10-17", "Statement": ["s3:GetObject"]}, "Statement 0 is str"),
    ({"Version": "2012-10-17", "Statement": "s3:GetObject"}, "Statement is a str"),
])
def test_a_statement_that_is_not_an_object_is_refused_by_name(policy, words):
    with pytest.raises(iam.MalformedPolicyDocument, match=words):
        iam.validate(policy)
