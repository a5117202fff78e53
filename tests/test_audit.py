"""The sandbox's CloudTrail: records in CloudTrail's format on the simulated clock, AccessDenied
from the engine's IAM evaluation, log files in the trail's bucket layout, queries."""

import gzip
import json
import re

import pytest

from monitorlab.account.clock import COURSE_EPOCH, SimClock
from monitorlab.account.sandbox import Sandbox
from monitorlab.security import audit

V = "2012-10-17"
OPS = "arn:aws:sts::123456789012:assumed-role/MLOps/ana"
FILE = re.compile(r"^AWSLogs/123456789012/CloudTrail/us-east-1/2026/01/05/"
                  r"123456789012_CloudTrail_us-east-1_20260105T00(00|05)Z_[0-9A-F]{16}\.json\.gz$")


@pytest.fixture()
def setup():
    with Sandbox() as sb:
        client = sb.client("iam")
        client.create_role(RoleName="MLOps", AssumeRolePolicyDocument=json.dumps({"Version": V, "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
        client.put_role_policy(RoleName="MLOps", PolicyName="ops", PolicyDocument=json.dumps({"Version": V, "Statement": [
            {"Effect": "Allow", "Action": ["s3:*", "cloudtrail:*", "sagemaker:List*"], "Resource": "*"}]}))
        clock = SimClock(COURSE_EPOCH)
        trail = audit.Trail(sb.session, clock, caller=OPS,
                            authorize=audit.role_authorizer(client)).attach()
        yield sb, clock, trail
        trail.detach()


def test_calls_are_recorded_in_cloudtrail_format_and_denials_enforced(setup):
    sb, clock, trail = setup
    s3, sm = sb.client("s3"), sb.client("sagemaker")
    s3.create_bucket(Bucket="org-trail-logs")
    clock.advance(minutes=6)
    sm.list_endpoints()
    with pytest.raises(sm.exceptions.ClientError, match="AccessDenied") as denied:
        sm.delete_endpoint(EndpointName="adult-income")
    assert "is not authorized to perform: sagemaker:DeleteEndpoint on resource: " \
           "arn:aws:sagemaker:us-east-1:123456789012:endpoint/adult-income" in str(denied.value)
    first, _, last = trail.events
    assert first["eventTime"] == "2026-01-05T00:00:00Z" and last["eventTime"] == "2026-01-05T00:06:00Z"
    assert (first["eventSource"], first["eventName"], first["requestParameters"]) == \
        ("s3.amazonaws.com", "CreateBucket", {"bucketName": "org-trail-logs"})
    assert last["errorCode"] == "AccessDenied" and last["requestParameters"] == {"endpointName": "adult-income"}
    assert last["userIdentity"]["type"] == "AssumedRole"
    assert last["userIdentity"]["sessionContext"]["sessionIssuer"]["arn"] == "arn:aws:iam::123456789012:role/MLOps"
    assert set(last) >= {"eventVersion", "awsRegion", "sourceIPAddress", "userAgent", "eventID", "requestID",
                         "readOnly", "eventType", "managementEvent", "recipientAccountId", "errorMessage"}
    assert trail.events[1]["readOnly"] is True and last["readOnly"] is False


def test_delivery_layout_selectors_and_query(setup):
    sb, clock, trail = setup
    s3, ct = sb.client("s3"), sb.client("cloudtrail")
    s3.create_bucket(Bucket="org-trail-logs")
    ct.create_trail(Name="ml-trail", S3BucketName="org-trail-logs")
    assert trail.deliver(ct, s3, "ml-trail") == []                  # not logging yet: nothing delivered
    ct.start_logging(Name="ml-trail")
    s3.put_object(Bucket="org-trail-logs", Key="notes.txt", Body=b"x")      # a data event
    clock.advance(minutes=5)
    trail.authorize = None
    with trail.acting_as("arn:aws:iam::123456789012:user/bob"):
        sb.client("sagemaker").list_models()
    with pytest.raises(ValueError, match="assumed-role"):
        audit.role_authorizer(sb.client("iam"))("s3:GetObject", "*", "arn:aws:iam::123456789012:user/bob")
    keys = trail.deliver(ct, s3, "ml-trail")
    assert len(keys) == 2 and all(FILE.match(k) for k in keys)
    body = json.loads(gzip.decompress(s3.get_object(Bucket="org-trail-logs", Key=keys[0])["Body"].read()))
    assert set(body) == {"Records"}
    records = audit.read_logs(s3, "org-trail-logs", "AWSLogs/")
    names = [r["eventName"] for r in records]
    assert "PutObject" not in names and names[-1] == "ListModels"      # no data-event selector: not logged
    assert "GetTrail" not in names                                     # delivery's own calls are not recorded
    table = audit.query(records, caller="user/bob")
    assert table["eventName"].tolist() == ["ListModels"]
    ct.put_event_selectors(TrailName="ml-trail", EventSelectors=[{"ReadWriteType": "All", "IncludeManagementEvents": True,
                           "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3:::org-trail-logs/"]}]}])
    assert "PutObject" in audit.query(trail.events)["eventName"].tolist()
    again = trail.deliver(ct, s3, "ml-trail")
    assert "PutObject" in [r["eventName"] for k in again for r in json.loads(gzip.decompress(
        s3.get_object(Bucket="org-trail-logs", Key=k)["Body"].read()))["Records"]]
    assert audit.query(trail.events, errors_only=True).empty
