"""CloudTrail for the sandbox: every API call made through it, recorded, delivered, queried.

moto stores trails (``CreateTrail``, ``StartLogging``, event selectors) but records nothing, and
``LookupEvents`` is not implemented (MOTO.md). :class:`Trail` hooks the sandbox's boto3 session
(botocore's ``before-call`` / ``after-call`` events) and writes one record per call in
CloudTrail's record format (CloudTrail User Guide, "CloudTrail record contents"): ``eventVersion``,
``userIdentity``, ``eventTime`` (from the simulated clock), ``eventSource``, ``eventName``,
``awsRegion``, ``sourceIPAddress``, ``userAgent``, ``requestParameters``, ``responseElements``,
``errorCode`` / ``errorMessage``, ``requestID``, ``eventID``, ``readOnly``, ``eventType``,
``managementEvent``, ``eventCategory``, ``recipientAccountId``.

:meth:`Trail.deliver` writes them as CloudTrail does, gzipped ``{"Records": [...]}`` files under
``<prefix>/AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<id>.json.gz``
in the trail's bucket, one file per 5 minutes of events, only while the trail is logging, and
data events (S3 object calls, ``InvokeEndpoint``) only when the trail's event selectors ask for them.

With ``authorize`` the trail also *enforces*: a callable ``(action, resource, caller) -> Decision``
(:func:`role_authorizer` evaluates the caller's role stored in moto) is asked before each call, and a denied
call fails with ``AccessDenied`` as AWS's would, and is recorded with that ``errorCode``. Choices:
``requestParameters`` keep the call's scalar parameters with the first letter lower-cased (S3's
``Bucket`` becomes ``bucketName``), bodies and secrets are dropped; ``responseElements`` is null
for read-only calls. Clients created before :meth:`Trail.attach` are not recorded (boto3 copies a
session's event hooks into each client when it is created).
"""

from __future__ import annotations

import gzip
import io
import json
import random
import uuid
from datetime import datetime

import boto3
import pandas as pd

EVENT_VERSION = "1.08"
_READ_PREFIXES = ("Get", "List", "Describe", "Head", "Lookup")
_DATA_EVENTS = {("s3", "GetObject"), ("s3", "PutObject"), ("s3", "DeleteObject"), ("s3", "HeadObject"),
                ("sagemaker", "InvokeEndpoint")}
_SECRET_FIELDS = {"SecretString", "SecretBinary", "Plaintext", "Body", "CiphertextBlob", "PolicyDocument"}
#: IAM action prefix where it differs from the signing name.
_IAM_PREFIX = {"monitoring": "cloudwatch", "events": "events", "runtime.sagemaker": "sagemaker"}


def identity(arn: str) -> dict:
    """CloudTrail's ``userIdentity`` for a caller ARN (assumed role, IAM user or root)."""
    account = arn.split(":")[4]
    if ":assumed-role/" in arn:
        role, session = arn.split(":assumed-role/")[1].split("/", 1)
        return {"type": "AssumedRole", "principalId": f"AROA{account}:{session}", "arn": arn, "accountId": account,
                "sessionContext": {"sessionIssuer": {"type": "Role", "arn": f"arn:aws:iam::{account}:role/{role}",
                                                     "accountId": account, "userName": role}}}
    if arn.endswith(":root"):
        return {"type": "Root", "principalId": account, "arn": arn, "accountId": account}
    return {"type": "IAMUser", "principalId": f"AIDA{account}", "arn": arn, "accountId": account,
            "userName": arn.rsplit("/", 1)[-1]}


def _lower_first(name: str) -> str:
    return {"Bucket": "bucketName"}.get(name, name[:1].lower() + name[1:])


def _parameters(params: dict) -> dict | None:
    kept = {_lower_first(k): v for k, v in params.items()
            if k not in _SECRET_FIELDS and isinstance(v, (str, int, float, bool, list, dict))}
    return kept or None


def resource_arn(service: str, params: dict, region: str, account: str) -> str:
    """The resource a call acts on, for :class:`Trail`'s ``authorize`` (``*`` when unknown)."""
    if service == "s3" and "Bucket" in params:
        return f"arn:aws:s3:::{params['Bucket']}" + (f"/{params['Key']}" if "Key" in params else "")
    if service in ("sagemaker", "runtime.sagemaker"):
        for field, kind in (("EndpointName", "endpoint"), ("EndpointConfigName", "endpoint-config"),
                            ("ModelName", "model")):
            if field in params:
                return f"arn:aws:sagemaker:{region}:{account}:{kind}/{params[field].lower()}"
    if service == "kms" and "KeyId" in params:
        key = params["KeyId"]
        return key if key.startswith("arn:") else f"arn:aws:kms:{region}:{account}:key/{key}"
    return "*"


class _Denied:
    """The HTTP response botocore sees for a call the trail refused."""

    status_code = 403
    headers: dict = {}
    content = b""


class Trail:
    """Record every call made with ``session`` (a ``Sandbox``'s ``session``) as a CloudTrail event.

    >>> trail = Trail(sb.session, clock, caller="arn:aws:sts::123456789012:assumed-role/Ops/ana")
    >>> trail.attach(); sb.client("sagemaker").list_endpoints()
    >>> trail.events[-1]["eventName"]
    'ListEndpoints'
    """

    def __init__(self, session, clock, *, caller: str, account_id: str = "123456789012",
                 region: str = "us-east-1", source_ip: str = "10.0.1.25", authorize=None, seed: int = 0):
        self.session, self.clock, self.caller = session, clock, caller
        self.account_id, self.region, self.source_ip = account_id, region, source_ip
        self.authorize = authorize
        self.events: list[dict] = []
        self._rng = random.Random(seed)
        self._paused = 0

    # -- recording ---------------------------------------------------------------------------
    def attach(self) -> "Trail":
        events = self.session.events
        events.register("before-parameter-build", self._keep_params, unique_id="monitorlab-trail-params")
        events.register("before-call", self._before_call, unique_id="monitorlab-trail-authorize")
        events.register("after-call", self._after_call, unique_id="monitorlab-trail-record")
        return self

    def detach(self) -> None:
        events = self.session.events
        events.unregister("before-parameter-build", unique_id="monitorlab-trail-params")
        events.unregister("before-call", unique_id="monitorlab-trail-authorize")
        events.unregister("after-call", unique_id="monitorlab-trail-record")

    def acting_as(self, caller: str) -> "_Caller":
        """``with trail.acting_as(arn): ...``: calls inside are made (and recorded) as ``arn``."""
        return _Caller(self, caller)

    def _keep_params(self, params, model, context, **_):
        context["monitorlab_params"] = dict(params)

    def _before_call(self, model, context, **_):
        if self._paused or self.authorize is None:
            return None
        service = model.service_model.signing_name
        action = f"{_IAM_PREFIX.get(service, service)}:{model.name}"
        resource = resource_arn(service, context.get("monitorlab_params", {}), self.region, self.account_id)
        self._paused += 1
        try:
            decision = self.authorize(action, resource, self.caller)
        finally:
            self._paused -= 1
        if decision.allowed:
            return None
        reason = ("with an explicit deny" if decision.decision == "ExplicitDeny"
                  else "because no policy allows the " + action + " action")
        message = f"User: {self.caller} is not authorized to perform: {action} on resource: {resource} {reason}"
        return _Denied(), {"Error": {"Code": "AccessDenied", "Message": message},
                           "ResponseMetadata": {"HTTPStatusCode": 403}}

    def _after_call(self, http_response, parsed, model, context, **_):
        if self._paused:
            return
        self.events.append(self._record(model, context.get("monitorlab_params", {}), http_response, parsed))

    def _record(self, model, params, http, parsed) -> dict:
        service = model.service_model.signing_name
        source = "sagemaker" if service == "runtime.sagemaker" else service
        name = model.name
        read_only = name.startswith(_READ_PREFIXES)
        data_event = (source, name) in _DATA_EVENTS
        record = {
            "eventVersion": EVENT_VERSION, "userIdentity": identity(self.caller),
            "eventTime": self.clock.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
            "eventSource": f"{source}.amazonaws.com", "eventName": name, "awsRegion": self.region,
            "sourceIPAddress": self.source_ip, "userAgent": f"Boto3/{boto3.__version__}",
            "requestParameters": _parameters(params), "responseElements": None,
            "requestID": str(uuid.UUID(int=self._rng.getrandbits(128), version=4)),
            "eventID": str(uuid.UUID(int=self._rng.getrandbits(128), version=4)),
            "readOnly": read_only, "eventType": "AwsApiCall", "managementEvent": not data_event,
            "eventCategory": "Data" if data_event else "Management", "recipientAccountId": self.account_id,
        }
        if getattr(http, "status_code", 200) >= 300 or "Error" in parsed:
            record["errorCode"] = parsed.get("Error", {}).get("Code", str(getattr(http, "status_code", "")))
            record["errorMessage"] = parsed.get("Error", {}).get("Message", "")
        elif not read_only:
            record["responseElements"] = {_lower_first(k): v for k, v in parsed.items()
                                          if isinstance(v, str) and k.endswith(("Arn", "Id", "Name"))} or None
        return record

    # -- delivery ----------------------------------------------------------------------------
    def deliver(self, cloudtrail, s3, trail_name: str) -> list[str]:
        """Write the recorded events as the trail's log files (its bucket, prefix and selectors
        read back from moto); returns the keys written. Nothing if the trail is not logging."""
        self._paused += 1
        try:
            trail = cloudtrail.get_trail(Name=trail_name)["Trail"]
            if not cloudtrail.get_trail_status(Name=trail_name)["IsLogging"]:
                return []
            wanted = self._selected(cloudtrail.get_event_selectors(TrailName=trail_name))
            records = [e for e in self.events if wanted(e)]
            return self._write(s3, trail["S3BucketName"], trail.get("S3KeyPrefix"), records)
        finally:
            self._paused -= 1

    @staticmethod
    def _selected(selectors: dict):
        chosen = selectors.get("EventSelectors") or [{"ReadWriteType": "All", "IncludeManagementEvents": True}]

        def wanted(event: dict) -> bool:
            for sel in chosen:
                rw = sel.get("ReadWriteType", "All")
                if rw != "All" and (rw == "ReadOnly") != event["readOnly"]:
                    continue
                if event["managementEvent"] and sel.get("IncludeManagementEvents", True):
                    return True
                if not event["managementEvent"] and any(
                        r.get("Type", "").split("::")[1:2] == [event["eventSource"].split(".")[0].upper()]
                        or r.get("Type") == "AWS::SageMaker::Endpoint" and event["eventSource"].startswith("sagemaker")
                        for r in sel.get("DataResources", [])):
                    return True
            return False
        return wanted

    def _write(self, s3, bucket: str, prefix: str | None, records: list[dict]) -> list[str]:
        groups: dict[str, list] = {}
        for record in records:
            t = datetime.strptime(record["eventTime"], "%Y-%m-%dT%H:%M:%SZ")
            stamp = t.replace(minute=t.minute - t.minute % 5).strftime("%Y%m%dT%H%MZ")
            groups.setdefault(stamp, []).append(record)
        keys = []
        for stamp, group in sorted(groups.items()):
            day = f"{stamp[:4]}/{stamp[4:6]}/{stamp[6:8]}"
            name = f"{self.account_id}_CloudTrail_{self.region}_{stamp}_{self._rng.getrandbits(64):016X}.json.gz"
            key = "/".join(p for p in (prefix, "AWSLogs", self.account_id, "CloudTrail", self.region, day, name) if p)
            body = gzip.compress(json.dumps({"Records": group}).encode(), mtime=0)
            s3.put_object(Bucket=bucket, Key=key, Body=body)
            keys.append(key)
        return keys


def role_authorizer(iam_client, *, resource_policies=None):
    """``authorize`` for :class:`Trail`: the caller must be an assumed role (``arn:aws:sts::<a>:
    assumed-role/<Role>/<session>``); its role's policies are read from moto and evaluated
    (:func:`monitorlab.security.iam.evaluate_role`). ``resource_policies`` maps a resource ARN
    prefix to its resource policy (a bucket policy, say)."""
    from monitorlab.security import iam

    def authorize(action: str, resource: str, caller: str):
        if ":assumed-role/" not in caller:
            raise ValueError(f"caller {caller!r}: role_authorizer needs an assumed-role ARN "
                             "(arn:aws:sts::<account>:assumed-role/<Role>/<session>)")
        role = caller.split(":assumed-role/")[1].split("/")[0]
        policy = next((p for prefix, p in (resource_policies or {}).items() if resource.startswith(prefix)), None)
        return iam.evaluate_role(iam_client, role, action, resource, resource_policy=policy)
    return authorize


class _Caller:
    def __init__(self, trail: Trail, caller: str):
        self.trail, self.caller, self.before = trail, caller, trail.caller

    def __enter__(self):
        self.trail.caller = self.caller
        return self.trail

    def __exit__(self, *exc):
        self.trail.caller = self.before


def read_logs(s3, bucket: str, prefix: str = "") -> list[dict]:
    """Every record of every CloudTrail log file under ``prefix`` (``.json.gz``), in file order."""
    records = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            if item["Key"].endswith(".json.gz"):
                body = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
                records += json.load(io.BytesIO(gzip.decompress(body)))["Records"]
    return records


def query(records: list[dict], *, event_name=None, event_source=None, caller=None, errors_only=False,
          contains: str | None = None) -> pd.DataFrame:
    """The records as a table (time, caller, source, name, error, parameters), filtered the way
    CloudTrail Lake or Athena would be asked: by event name(s), source, caller ARN (substring),
    only failed calls, or a substring of the request parameters."""
    rows = [{"eventTime": r["eventTime"], "caller": r["userIdentity"].get("arn", ""),
             "eventSource": r["eventSource"], "eventName": r["eventName"], "errorCode": r.get("errorCode"),
             "requestParameters": json.dumps(r.get("requestParameters"), sort_keys=True)} for r in records]
    frame = pd.DataFrame(rows, columns=["eventTime", "caller", "eventSource", "eventName", "errorCode",
                                        "requestParameters"])
    if event_name is not None:
        frame = frame[frame["eventName"].isin([event_name] if isinstance(event_name, str) else event_name)]
    if event_source is not None:
        frame = frame[frame["eventSource"] == event_source]
    if caller is not None:
        frame = frame[frame["caller"].str.contains(caller, regex=False)]
    if errors_only:
        frame = frame[frame["errorCode"].notna()]
    if contains is not None:
        frame = frame[frame["requestParameters"].str.contains(contains, regex=False)]
    return frame.reset_index(drop=True)
