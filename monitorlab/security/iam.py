"""IAM policy evaluation, as AWS documents it, over policies read back from moto.

moto stores roles, policies, bucket policies and key policies, but enforces little of them
(MOTO.md: conditions ignored, boundaries and key policies never enforced, no
``simulate_principal_policy``). :func:`evaluate` applies AWS's documented logic instead:

1. an explicit ``Deny`` in any policy (SCP, resource policy, permissions boundary, identity
   policy) wins: ``ExplicitDeny``;
2. SCPs, when given, must allow (they grant nothing; they limit);
3. within one account, an ``Allow`` in the identity policies **or** in the resource policy grants
   (a resource policy that names only the account delegates to IAM, so the identity policy must
   allow); across accounts **both** must allow;
4. a permissions boundary limits identity-based grants (it grants nothing itself);
5. a KMS key policy (and, for ``sts:AssumeRole``, the role's trust policy) is always required:
   it allows directly, or delegates to IAM by naming the account root
   (``arn:aws:iam::<account>:root``);
6. anything else is ``ImplicitDeny``.

Sources: IAM User Guide, "Policy evaluation logic", "Cross-account policy evaluation logic",
"IAM JSON policy elements: Condition operators", "Policy variables"; KMS Developer Guide, "Key
policies". Session policies and the boundary exception for resource policies that name a role
session are not modelled (we chose the common case: a boundary limits a role everywhere, and an
IAM user named directly by a same-account resource policy is not limited by it).
"""

from __future__ import annotations

import ipaddress
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache

DECISIONS = ("Allow", "ExplicitDeny", "ImplicitDeny")
DEFAULT_ACCOUNT = "111122223333"


class MalformedPolicyDocument(ValueError):
    """A policy IAM would refuse, with IAM's own message (``MalformedPolicyDocument``)."""


@dataclass(frozen=True)
class Decision:
    """The outcome of :func:`evaluate`: ``decision`` is one of :data:`DECISIONS`, ``reason``
    names the policy and statement (Sid, or index) that decided."""

    decision: str
    reason: str
    action: str = ""
    resource: str = ""
    matched: tuple = field(default=())

    @property
    def allowed(self) -> bool:
        return self.decision == "Allow"

    def __str__(self) -> str:
        return f"{self.decision}: {self.reason}"


# --------------------------------------------------------------------------------------------
# Policy documents: parse, validate (IAM's messages), name statements
# --------------------------------------------------------------------------------------------

def load_policy(policy) -> dict:
    """A policy as a dict, from a dict or a JSON string; IAM's error if it is not one."""
    if isinstance(policy, str):
        try:
            policy = json.loads(policy)
        except json.JSONDecodeError as error:
            raise MalformedPolicyDocument(f"Syntax errors in policy. ({error})") from None
    if not isinstance(policy, dict) or "Statement" not in policy:
        raise MalformedPolicyDocument("Syntax errors in policy. (a policy is a JSON object with a "
                                      "'Statement' list)")
    return policy


def statements(policy) -> list[dict]:
    """The policy's statements as a list (IAM accepts one statement object or a list)."""
    found = load_policy(policy)["Statement"]
    return [found] if isinstance(found, dict) else list(found)


def _as_list(value) -> list:
    return [value] if isinstance(value, (str, int, float, bool)) else list(value or [])


def validate(policy, *, kind: str = "identity") -> dict:
    """Check a policy as IAM does on ``PutRolePolicy`` / ``PutBucketPolicy`` / ``PutKeyPolicy``.

    ``kind`` is ``"identity"`` (no Principal allowed), ``"resource"`` (Principal required) or
    ``"trust"`` (a role's trust policy: Principal required, no Resource).
    Messages are IAM's (``MalformedPolicyDocument``). Returns the parsed policy.
    """
    doc = load_policy(policy)
    if not isinstance(doc["Statement"], (dict, list)):
        raise MalformedPolicyDocument("Syntax errors in policy. (Statement is a "
                                      f"{type(doc['Statement']).__name__}: make it a list of "
                                      "statement objects)")
    if doc.get("Version", "2012-10-17") != "2012-10-17":
        raise MalformedPolicyDocument("Policy document must be version 2012-10-17 or greater.")
    for index, st in enumerate(statements(doc)):
        if not isinstance(st, dict):
            raise MalformedPolicyDocument(f"Statement {index} is {type(st).__name__} {st!r:.60}, not "
                                          "an object: each statement is {\"Effect\": ..., "
                                          "\"Action\": ..., \"Resource\": ...}")
    sids = [s.get("Sid") for s in statements(doc) if s.get("Sid")]
    if len(sids) != len(set(sids)):
        raise MalformedPolicyDocument("Statement IDs (SID) in a single policy must be unique.")
    for index, st in enumerate(statements(doc)):
        where = f"(statement {st.get('Sid', index)})"
        if st.get("Effect") not in ("Allow", "Deny"):
            raise MalformedPolicyDocument(f"Invalid effect: {st.get('Effect')} {where}: use Allow or Deny")
        if "Action" not in st and "NotAction" not in st:
            raise MalformedPolicyDocument(f"Policy statement must contain actions. {where}")
        if kind != "trust" and "Resource" not in st and "NotResource" not in st:
            raise MalformedPolicyDocument(f"Policy statement must contain resources. {where}")
        has_principal = "Principal" in st or "NotPrincipal" in st
        if kind == "identity" and has_principal:
            raise MalformedPolicyDocument(f"Policy document should not specify a principal. {where}")
        if kind in ("resource", "trust") and not has_principal:
            raise MalformedPolicyDocument(f"Missing required field Principal {where}")
        for action in _as_list(st.get("Action", st.get("NotAction"))):
            if action != "*" and ":" not in action:
                raise MalformedPolicyDocument("Actions/Conditions must be prefaced by a vendor, "
                                              f"e.g., iam, sdb, ec2, etc. {where}: {action!r}")
        for op in st.get("Condition", {}):
            _operator(op)
    return doc


def _named(policies, default: str) -> list[tuple[str, dict]]:
    """[(name, policy)] from a dict {name: policy}, a list of policies, or one policy."""
    if policies is None:
        return []
    if isinstance(policies, dict) and "Statement" not in policies:
        return [(name, load_policy(p)) for name, p in policies.items()]
    if isinstance(policies, (dict, str)):
        return [(default, load_policy(policies))]
    return [(f"{default}[{i}]", load_policy(p)) for i, p in enumerate(policies)]


def _label(policy_name: str, index: int, st: dict) -> str:
    return f"{policy_name} statement {st['Sid']!r}" if st.get("Sid") else f"{policy_name} statement #{index}"


# --------------------------------------------------------------------------------------------
# Matching: wildcards, policy variables, principals
# --------------------------------------------------------------------------------------------

def wildcard_match(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """IAM's wildcards: ``*`` any run of characters (``:`` and ``/`` included), ``?`` one."""
    return _literal_match(str(pattern), str(value), ignore_case)


_VARIABLE = re.compile(r"\$\{([^}]*)\}")


def substitute(text: str, context: dict) -> str | None:
    """Replace policy variables (``${aws:username}``, ``${aws:PrincipalTag/team}``, ``${*}``,
    ``${?}``, ``${$}``, ``${key, 'default'}``) with context values; ``None`` when a variable is
    missing and has no default (the element then matches nothing, as in AWS)."""
    missing = []

    def replace(match: re.Match) -> str:
        inner = match.group(1)
        if inner in ("*", "?", "$"):
            return "\\" + inner if inner != "$" else "$"
        key, _, default = inner.partition(",")
        value = _get(context, key.strip())
        if value is None:
            default = default.strip()
            if default.startswith("'") and default.endswith("'") and len(default) >= 2:
                return default[1:-1]
            missing.append(key)
            return ""
        return str(value[0] if isinstance(value, list) else value)

    out = _VARIABLE.sub(replace, text)
    return None if missing else out


@lru_cache(maxsize=4096)
def _literal_regex(pattern: str, ignore_case: bool) -> re.Pattern:
    parts = re.split(r"(\\\*|\\\?|\*|\?)", pattern)
    body = "".join({"\\*": r"\*", "\\?": r"\?", "*": ".*", "?": "."}.get(p, re.escape(p)) for p in parts)
    return re.compile(body, re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def _literal_match(pattern: str, value: str, ignore_case: bool) -> bool:
    """Wildcard match where ``\\*`` and ``\\?`` (from ``${*}``, ``${?}``) are literal characters."""
    return bool(_literal_regex(pattern, ignore_case).fullmatch(str(value)))


def _element_match(patterns, value: str, context: dict, *, ignore_case: bool = False) -> bool:
    for pattern in _as_list(patterns):
        resolved = substitute(str(pattern), context)
        if resolved is not None and _literal_match(resolved, value, ignore_case):
            return True
    return False


def _get(context: dict, key: str):
    """Context keys are case-insensitive (IAM User Guide, "Condition element")."""
    lowered = key.lower()
    for name, value in context.items():
        if name.lower() == lowered:
            return value
    return None


def _principal_match(element, context: dict, resource_account: str) -> str | None:
    """How a statement's Principal matches the caller: ``"direct"`` (named, or ``*``),
    ``"account"`` (the caller's account is named: the grant is delegated to IAM), or None."""
    caller = str(_get(context, "aws:PrincipalArn") or "")
    caller_account = str(_get(context, "aws:PrincipalAccount") or _account_of(caller) or "")
    service = _get(context, "aws:PrincipalServiceName")
    if element == "*":
        return "direct"
    if not isinstance(element, dict):
        raise MalformedPolicyDocument(f"Invalid principal in policy: {element!r}")
    best = None
    for kind, values in element.items():
        for value in _as_list(values):
            value = str(value)
            if kind == "AWS" and value == "*":
                return "direct"
            if kind == "AWS" and caller and wildcard_match(value, caller):
                return "direct"
            if kind == "AWS" and caller_account and value in (caller_account, f"arn:aws:iam::{caller_account}:root"):
                best = "account"
            if kind == "Service" and service and value == service:
                return "direct"
    return best


def _account_of(arn: str) -> str | None:
    parts = arn.split(":")
    return parts[4] if len(parts) > 5 and parts[4] else None


# --------------------------------------------------------------------------------------------
# Conditions
# --------------------------------------------------------------------------------------------

_NEGATED = {"StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike", "NumericNotEquals",
            "DateNotEquals", "NotIpAddress", "ArnNotEquals", "ArnNotLike"}


def _parse_date(value) -> float:
    if isinstance(value, (int, float)) or re.fullmatch(r"\d+(\.\d+)?", str(value)):
        return float(value)
    text = str(value).replace("Z", "+00:00")
    moment = datetime.fromisoformat(text)
    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).timestamp()


def _compare(kind: str, have, want) -> bool:
    """One context value against one policy value, for the positive form of an operator."""
    have, want = str(have), str(want)
    if kind == "StringEquals":
        return have == want
    if kind == "StringEqualsIgnoreCase":
        return have.lower() == want.lower()
    if kind == "StringLike":
        return _literal_match(want, have, False)
    if kind in ("ArnEquals", "ArnLike"):
        return _literal_match(want, have, False)
    if kind == "Bool":
        return have.lower() == want.lower()
    if kind == "BinaryEquals":
        return have == want
    if kind == "IpAddress":
        return ipaddress.ip_address(have) in ipaddress.ip_network(want, strict=False)
    if kind.startswith("Numeric"):
        a, b, rel = float(have), float(want), kind[len("Numeric"):]
    else:
        a, b, rel = _parse_date(have), _parse_date(want), kind[len("Date"):]
    return {"Equals": a == b, "LessThan": a < b, "LessThanEquals": a <= b,
            "GreaterThan": a > b, "GreaterThanEquals": a >= b}[rel]


_POSITIVE = {"StringNotEquals": "StringEquals", "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
             "StringNotLike": "StringLike", "NumericNotEquals": "NumericEquals",
             "DateNotEquals": "DateEquals", "NotIpAddress": "IpAddress",
             "ArnNotEquals": "ArnEquals", "ArnNotLike": "ArnLike"}
_KNOWN = {"StringEquals", "StringEqualsIgnoreCase", "StringLike", "NumericEquals", "NumericLessThan",
          "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals", "DateEquals",
          "DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals", "Bool",
          "BinaryEquals", "IpAddress", "ArnEquals", "ArnLike", "Null"} | _NEGATED


def _operator(name: str) -> tuple[str | None, str, bool]:
    """``ForAnyValue:StringLikeIfExists`` -> (``"ForAnyValue"``, ``"StringLike"``, True)."""
    qualifier, _, rest = name.rpartition(":")
    if qualifier not in ("", "ForAnyValue", "ForAllValues"):
        raise MalformedPolicyDocument(f"Invalid Condition type : {name}")
    if_exists = rest.endswith("IfExists") and rest != "IfExists"
    base = rest[: -len("IfExists")] if if_exists else rest
    if base not in _KNOWN or (base == "Null" and if_exists):
        raise MalformedPolicyDocument(f"Invalid Condition type : {name}")
    return qualifier or None, base, if_exists


def condition_holds(operator: str, key: str, values, context: dict) -> bool:
    """One ``operator: {key: values}`` entry of a Condition block.

    Several policy values are ORed (for a negated operator: the value must match none of them);
    a missing key makes a positive operator false and a negated one true; ``...IfExists`` makes a
    missing key true; ``Null: true`` means the key is absent. ``ForAnyValue``: some context value
    matches; ``ForAllValues``: every context value matches (true for a missing or empty key).
    """
    qualifier, base, if_exists = _operator(operator)
    have = _get(context, key)
    wanted = [w for w in (substitute(str(v), context) for v in _as_list(values)) if w is not None]
    if base == "Null":
        return (have is None) == (str(_as_list(values)[0]).lower() == "true")
    if have is None or (isinstance(have, list) and not have and qualifier):
        if qualifier == "ForAllValues":
            return True
        if qualifier == "ForAnyValue":
            return False
        return if_exists or base in _NEGATED
    positive = _POSITIVE.get(base, base)

    def one(value) -> bool:
        hit = any(_compare(positive, value, w) for w in wanted)
        return not hit if base in _NEGATED else hit

    have_values = _as_list(have)
    if qualifier == "ForAllValues":
        return all(one(v) for v in have_values)
    if qualifier == "ForAnyValue" or base not in _NEGATED:
        return any(one(v) for v in have_values)
    return all(one(v) for v in have_values)


def conditions_hold(block: dict | None, context: dict) -> bool:
    """Every operator and every key of a Condition block must hold (AND)."""
    return all(condition_holds(op, key, values, context)
               for op, keys in (block or {}).items() for key, values in keys.items())


# --------------------------------------------------------------------------------------------
# Statements and policies
# --------------------------------------------------------------------------------------------

def statement_applies(st: dict, action: str, resource: str, context: dict) -> bool:
    """Action/NotAction (case-insensitive), Resource/NotResource (case-sensitive, with policy
    variables), and the Condition block. Principal is checked separately."""
    if "Action" in st:
        ok = any(wildcard_match(a, action, ignore_case=True) for a in _as_list(st["Action"]))
    else:
        ok = not any(wildcard_match(a, action, ignore_case=True) for a in _as_list(st["NotAction"]))
    if not ok:
        return False
    if "Resource" in st:
        ok = _element_match(st["Resource"], resource, context)
    elif "NotResource" in st:
        ok = not _element_match(st["NotResource"], resource, context)
    else:   # a trust policy names no resource: it is the role it is attached to
        ok = True
    return ok and conditions_hold(st.get("Condition"), context)


def _scan(named, action, resource, context, *, resource_account=None) -> dict:
    """The matching statements of some policies: {"Deny": [...], "Allow": [...], "Delegated": [...]}.

    For resource policies (``resource_account`` given) the Principal must match; an Allow that
    names only the caller's account is ``Delegated`` (IAM must allow too)."""
    found = {"Deny": [], "Allow": [], "Delegated": []}
    for name, policy in named:
        for index, st in enumerate(statements(policy)):
            how = "direct"
            if resource_account is not None:
                if "Principal" in st:
                    how = _principal_match(st["Principal"], context, resource_account)
                elif "NotPrincipal" in st:
                    how = None if _principal_match(st["NotPrincipal"], context, resource_account) else "direct"
                else:
                    raise MalformedPolicyDocument(f"Missing required field Principal ({name})")
            if how is None or not statement_applies(st, action, resource, context):
                continue
            effect = st.get("Effect")
            key = "Deny" if effect == "Deny" else ("Delegated" if how == "account" else "Allow")
            found[key].append(_label(name, index, st))
    return found


def evaluate(action: str, resource: str, *, identity_policies, resource_policy=None,
             permissions_boundary=None, scps=None, context=None,
             principal_account: str = DEFAULT_ACCOUNT, resource_account: str | None = None) -> Decision:
    """Decide one request as AWS would: see the module docstring for the order of the rules.

    ``identity_policies``: a dict ``{name: policy}``, a list, or one policy. ``context`` holds
    the request's keys (``aws:PrincipalArn``, ``aws:username``, ``aws:SourceVpce``,
    ``aws:SecureTransport``, ...); ``aws:PrincipalAccount`` defaults to ``principal_account``.
    For ``kms:`` actions ``resource_policy`` is the key policy and is required.
    """
    if not isinstance(action, str) or ":" not in action:
        raise ValueError(f"action must look like 'service:Operation', got {action!r}")
    context = {"aws:PrincipalAccount": principal_account, **(context or {})}
    resource_account = resource_account or principal_account
    cross = resource_account != principal_account
    is_kms = action.lower().startswith("kms:")
    is_trust = action.lower().startswith("sts:assumerole")
    if (is_kms or is_trust) and resource_policy is None:
        raise ValueError("kms actions need the key policy, sts:AssumeRole* the role's trust policy: "
                         "pass it as resource_policy (get_key_policy / get_role)")
    identity = _scan(_named(identity_policies, "identity policy"), action, resource, context)
    boundary = _scan(_named(permissions_boundary, "permissions boundary"), action, resource, context)
    scp = _scan(_named(scps, "SCP"), action, resource, context)
    res_name = "key policy" if is_kms else "trust policy" if is_trust else "resource policy"
    res = _scan(_named(resource_policy, res_name), action, resource, context,
                resource_account=resource_account)
    base = dict(action=action, resource=resource)
    for found in (scp, res, boundary, identity):
        if found["Deny"]:
            return Decision("ExplicitDeny", f"explicit Deny in {found['Deny'][0]}", matched=tuple(found["Deny"]), **base)
    if scps is not None and not (scp["Allow"] or scp["Delegated"]):
        return Decision("ImplicitDeny", f"no SCP allows {action}: an organization guardrail limits every role", **base)
    id_allow = identity["Allow"][0] if identity["Allow"] else None
    in_boundary = permissions_boundary is None or bool(boundary["Allow"])
    res_direct = res["Allow"][0] if res["Allow"] else None
    res_delegated = res["Delegated"][0] if res["Delegated"] else None
    caller = str(_get(context, "aws:PrincipalArn") or "")
    if is_kms or is_trust or cross:
        # Both sides must agree: the resource side directly or by naming the account.
        res_ok = res_direct or res_delegated
        if not res_ok:
            side = f"the {res_name}" if is_kms or is_trust else f"the {res_name} of account {resource_account}"
            return Decision("ImplicitDeny", f"{side} has no Allow for {caller or 'this principal'} "
                            f"(nor for its account root) on {action}", **base)
        if res_direct and not cross and in_boundary:
            return Decision("Allow", f"allowed by {res_direct}", matched=(res_direct,), **base)
        if not id_allow:
            return Decision("ImplicitDeny", f"{res_ok} lets the account decide, but no identity "
                            f"policy allows {action}", **base)
        if not in_boundary:
            return Decision("ImplicitDeny", f"the permissions boundary does not allow {action}", **base)
        return Decision("Allow", f"allowed by {id_allow} and {res_ok}", matched=(id_allow, res_ok), **base)
    if res_direct and (in_boundary or ":user/" in caller):
        return Decision("Allow", f"allowed by {res_direct}", matched=(res_direct,), **base)
    if id_allow and in_boundary:
        return Decision("Allow", f"allowed by {id_allow}", matched=(id_allow,), **base)
    if id_allow:
        return Decision("ImplicitDeny", f"{id_allow} allows {action}, but the permissions boundary "
                        "does not (a boundary only limits)", **base)
    return Decision("ImplicitDeny", f"no statement allows {action} on {resource}", **base)


# --------------------------------------------------------------------------------------------
# Reading policies back from moto
# --------------------------------------------------------------------------------------------

def _document(value) -> dict:
    return load_policy(value) if isinstance(value, (str, dict)) else value


def _managed(iam, arn: str) -> dict:
    version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
    return _document(iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"])


def role_policies(iam, role_name: str) -> dict[str, dict]:
    """``{policy name: document}``: the role's inline policies, then its attached managed ones."""
    found = {}
    for name in iam.list_role_policies(RoleName=role_name)["PolicyNames"]:
        found[name] = _document(iam.get_role_policy(RoleName=role_name, PolicyName=name)["PolicyDocument"])
    for attached in iam.list_attached_role_policies(RoleName=role_name)["AttachedPolicies"]:
        found[attached["PolicyName"]] = _managed(iam, attached["PolicyArn"])
    return found


def role_boundary(iam, role_name: str) -> dict | None:
    """The role's permissions boundary document, or None."""
    arn = iam.get_role(RoleName=role_name)["Role"].get("PermissionsBoundary", {}).get("PermissionsBoundaryArn")
    return _managed(iam, arn) if arn else None


def role_context(iam, role_name: str, **extra) -> dict:
    """The request context of a call made with the role: ``aws:PrincipalArn``,
    ``aws:PrincipalAccount``, one ``aws:PrincipalTag/<key>`` per tag, plus ``extra`` keys."""
    role = iam.get_role(RoleName=role_name)["Role"]
    context = {"aws:PrincipalArn": role["Arn"], "aws:PrincipalAccount": _account_of(role["Arn"])}
    for tag in iam.list_role_tags(RoleName=role_name).get("Tags", []):
        context[f"aws:PrincipalTag/{tag['Key']}"] = tag["Value"]
    return {**context, **extra}


def bucket_policy(s3, bucket: str) -> dict | None:
    """The bucket's policy (``GetBucketPolicy``), or None if it has none."""
    try:
        return load_policy(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    except s3.exceptions.ClientError as error:
        if error.response["Error"]["Code"] == "NoSuchBucketPolicy":
            return None
        raise


def key_policy(kms, key_id: str) -> dict:
    """The KMS key's policy (``GetKeyPolicy``; its only policy is named ``default``)."""
    return load_policy(kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"])


def evaluate_role(iam, role_name: str, action: str, resource: str, *, resource_policy=None,
                  scps=None, context: dict | None = None, resource_account: str | None = None) -> Decision:
    """:func:`evaluate` for a role stored in moto: its policies, boundary, tags and ARN read back."""
    ctx = role_context(iam, role_name, **(context or {}))
    return evaluate(action, resource, identity_policies=role_policies(iam, role_name),
                    resource_policy=resource_policy, permissions_boundary=role_boundary(iam, role_name),
                    scps=scps, context=ctx, principal_account=ctx["aws:PrincipalAccount"],
                    resource_account=resource_account)


def check_calls(decide, needed, forbidden):
    """Least privilege as a table: every ``needed`` (action, resource[, context]) must be allowed
    and every ``forbidden`` one denied. ``decide(action, resource, context)`` returns a
    :class:`Decision`. Returns a DataFrame with ``ok`` per call."""
    import pandas as pd

    rows = []
    for expected, calls in (("Allow", needed), ("Deny", forbidden)):
        for call in calls:
            action, resource, *rest = call
            decision = decide(action, resource, rest[0] if rest else {})
            rows.append({"action": action, "resource": resource, "want": expected,
                         "decision": decision.decision, "reason": decision.reason,
                         "ok": decision.allowed == (expected == "Allow")})
    return pd.DataFrame(rows)


def lint(policy, *, kind: str = "identity") -> list[dict]:
    """Findings of `parliament <https://github.com/duo-labs/parliament>`_ (Duo Labs' IAM linter:
    unknown actions, resources that do not fit an action, ``*`` on sensitive actions such as
    ``iam:PassRole``), after :func:`validate`. Each finding: issue, severity, detail."""
    from parliament import analyze_policy_string

    doc = validate(policy, kind=kind)
    analysed = analyze_policy_string(json.dumps(doc), ignore_private_auditors=True,
                                     include_community_auditors=False)
    return [{"issue": f.issue, "severity": f.severity, "detail": f.detail} for f in analysed.findings]
