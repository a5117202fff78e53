"""The offline account: guard, reset, bootstrap, server mode shared across processes, no egress."""

import json
import socket
import subprocess
import sys

import pytest

from monitorlab.account import sandbox as sbx
from monitorlab.account.sandbox import RealAWSRefused, Sandbox


@pytest.fixture
def sb():
    box = Sandbox().start()
    yield box
    box.stop()


@pytest.mark.parametrize("environ, needle", [
    ({"AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE"}, "AWS_ACCESS_KEY_ID"),
    ({"AWS_PROFILE": "prod"}, "AWS_PROFILE"),
    ({"AWS_SESSION_TOKEN": "token"}, "AWS_SESSION_TOKEN"),
    ({"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/creds"}, "AWS_CONTAINER_CREDENTIALS"),
    ({"AWS_ENDPOINT_URL": "https://s3.amazonaws.com"}, "AWS_ENDPOINT_URL"),
    ({"AWS_ENDPOINT_URL_S3": "https://example.com"}, "AWS_ENDPOINT_URL_S3"),
])
def test_guard_refuses_environments_that_could_reach_real_aws(environ, needle):
    with pytest.raises(RealAWSRefused) as caught:
        sbx.guard(environ)
    assert needle in str(caught.value)
    assert "MONITORLAB_ALLOW_REAL_AWS=1" in str(caught.value)


def test_guard_accepts_fake_and_local_settings_and_the_opt_in():
    sbx.guard({"AWS_ACCESS_KEY_ID": "testing", "AWS_ENDPOINT_URL": "http://127.0.0.1:5000"})
    sbx.guard({})
    sbx.guard({"AWS_PROFILE": "prod", "MONITORLAB_ALLOW_REAL_AWS": "1"})


def test_start_refuses_with_a_real_profile_and_replaces_credentials_after_opt_in(monkeypatch):
    monkeypatch.setenv("AWS_PROFILE", "production")
    with pytest.raises(RealAWSRefused):
        Sandbox().start()
    monkeypatch.setenv("MONITORLAB_ALLOW_REAL_AWS", "1")
    box = Sandbox().start()
    try:
        import os
        assert "AWS_PROFILE" not in os.environ
        assert sbx.real_aws_risks(os.environ) == []  # only fake credentials are left
    finally:
        box.stop()


def test_client_before_start_is_refused():
    with pytest.raises(RuntimeError, match="start"):
        Sandbox().client("s3")


def test_bootstrap_creates_the_course_account_idempotently(sb):
    first = sb.bootstrap()
    second = sb.bootstrap()
    assert first == second
    s3, kms, iam, sm = (sb.client(n) for n in ("s3", "kms", "iam", "sagemaker"))
    rule = s3.get_bucket_encryption(Bucket=first.bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "aws:kms", "KMSMasterKeyID": first.kms_key_arn}
    assert rule["BucketKeyEnabled"] is True
    assert len(kms.list_keys()["Keys"]) == 1
    assert kms.get_key_rotation_status(KeyId=first.kms_key_id)["KeyRotationEnabled"]
    role = iam.get_role(RoleName=sbx.ROLE_NAME)["Role"]
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {
        "Service": "sagemaker.amazonaws.com"}
    policy = iam.get_role_policy(RoleName=sbx.ROLE_NAME, PolicyName="monitorlab-least-privilege")
    resources = {s["Resource"] for s in policy["PolicyDocument"]["Statement"]}
    assert f"arn:aws:s3:::{first.bucket}/*" in resources and first.kms_key_arn in resources
    groups = sm.list_model_package_groups()["ModelPackageGroupSummaryList"]
    assert [g["ModelPackageGroupName"] for g in groups] == [sbx.MODEL_PACKAGE_GROUP]
    # objects inherit the bucket's default SSE-KMS key
    s3.put_object(Bucket=first.bucket, Key="probe", Body=b"x")
    head = s3.head_object(Bucket=first.bucket, Key="probe")
    assert head["ServerSideEncryption"] == "aws:kms"


def test_reset_wipes_every_resource(sb):
    account = sb.bootstrap()
    sb.reset()
    assert sb.client("s3").list_buckets()["Buckets"] == []
    assert sb.client("kms").list_keys()["Keys"] == []
    assert sb.bootstrap().bucket == account.bucket  # and the account can be rebuilt


def test_no_request_leaves_the_process(monkeypatch):
    """A whole lesson's worth of calls in-process opens no socket at all."""
    attempts = []
    real_connect = socket.socket.connect

    def record(self, address):
        attempts.append(address)
        raise OSError(f"blocked by test: {address}")

    monkeypatch.setattr(socket.socket, "connect", record)
    monkeypatch.setattr(socket, "create_connection",
                        lambda address, *a, **k: record(None, address))
    from monitorlab.course import setup
    from monitorlab.serving.scenarios import generate_traffic

    course = setup(sampling_percentage=50)
    try:
        course.endpoint.replay(generate_traffic("none", hours=2, requests_per_hour=20))
        window = course.read_window("2026-01-05T00:00:00Z", "2026-01-05T02:00:00Z")
        course.client("cloudwatch").list_metrics(Namespace="AWS/SageMaker")
        course.sandbox.reset()
    finally:
        course.sandbox.stop()
        monkeypatch.setattr(socket.socket, "connect", real_connect)
    assert len(window.frame) > 0
    assert attempts == []


def test_server_mode_state_is_shared_with_another_process():
    box = Sandbox(mode="server").start()
    try:
        assert box.endpoint_url.startswith("http://127.0.0.1:")
        box.client("s3").create_bucket(Bucket="made-by-parent")
        script = (
            "from monitorlab.account.sandbox import Sandbox\n"
            f"sb = Sandbox.attach({box.endpoint_url!r})\n"
            "s3 = sb.client('s3')\n"
            "s3.create_bucket(Bucket='made-by-child')\n"
            "import json; print(json.dumps(sorted(b['Name'] for b in s3.list_buckets()['Buckets'])))\n"
        )
        env = {k: v for k, v in __import__("os").environ.items() if not k.startswith("AWS_ENDPOINT")}
        result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                                timeout=120, env=env)
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout.strip().splitlines()[-1]) == ["made-by-child", "made-by-parent"]
        names = sorted(b["Name"] for b in box.client("s3").list_buckets()["Buckets"])
        assert names == ["made-by-child", "made-by-parent"]
        box.reset()
        assert box.client("s3").list_buckets()["Buckets"] == []
    finally:
        box.stop()


def test_attach_refuses_a_remote_url():
    with pytest.raises(RealAWSRefused):
        Sandbox.attach("https://sagemaker.us-east-1.amazonaws.com")


def test_generated_ids_are_the_same_every_run():
    arns = []
    for mode in ("inprocess", "inprocess", "server"):
        with Sandbox(mode=mode) as box:
            arns.append(box.bootstrap().kms_key_arn)
    assert arns[0] == arns[1] == arns[2]
