"""KMS: envelope encryption really works on moto; key policies and grants are evaluated by the
engine (moto never enforces them); the classic SSE-KMS AccessDenied is reproduced and explained."""

import json

import pytest
from cryptography.exceptions import InvalidTag

from monitorlab.account.sandbox import Sandbox
from monitorlab.security import kms as K

V = "2012-10-17"
TRUST = {"Version": V, "Statement": [{"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"},
                                      "Action": "sts:AssumeRole"}]}


@pytest.fixture(scope="module")
def sb():
    sandbox = Sandbox().start()
    yield sandbox
    sandbox.stop()


def role(iam, name, actions):
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST))
    iam.put_role_policy(RoleName=name, PolicyName="p", PolicyDocument=json.dumps(
        {"Version": V, "Statement": [{"Sid": "Job", "Effect": "Allow", "Action": actions, "Resource": "*"}]}))


def test_envelope_round_trip_and_tampering(sb):
    kms = sb.client("kms")
    key = kms.create_key(Description="capture")["KeyMetadata"]["KeyId"]
    env = K.envelope_encrypt(kms, key, b"inferenceId,42", context={"endpoint": "adult-income"})
    assert json.loads(json.dumps(env)) == env                      # JSON-ready
    assert K.envelope_decrypt(kms, env) == b"inferenceId,42"
    assert b"inferenceId" not in env["Ciphertext"].encode()
    with pytest.raises(kms.exceptions.InvalidCiphertextException):
        K.envelope_decrypt(kms, {**env, "EncryptionContext": {"endpoint": "other"}})
    flipped = bytearray(__import__("base64").b64decode(env["Ciphertext"]))
    flipped[0] ^= 1
    with pytest.raises(InvalidTag):
        K.envelope_decrypt(kms, {**env, "Ciphertext": __import__("base64").b64encode(bytes(flipped)).decode()})
    with pytest.raises(ValueError, match="bytes"):
        K.envelope_encrypt(kms, key, "text")


def test_customer_key_rotation_is_off_until_enabled(sb):
    kms = sb.client("kms")
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    before = K.rotation(kms, key)
    assert before == {"KeyManager": "CUSTOMER", "Origin": "AWS_KMS", "KeyState": "Enabled", "KeyRotationEnabled": False}
    kms.enable_key_rotation(KeyId=key)
    assert K.rotation(kms, key)["KeyRotationEnabled"] is True
    assert kms.get_key_policy(KeyId=key, PolicyName="default")["Policy"] == json.dumps(K.default_key_policy("123456789012"))


def test_encrypt_only_role_gets_access_denied_on_read_and_write(sb):
    iam, s3, kms = sb.client("iam"), sb.client("s3"), sb.client("kms")
    s3.create_bucket(Bucket="kms-capture")
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    role(iam, "EncryptOnly", ["s3:GetObject", "s3:PutObject", "kms:Encrypt"])
    read = K.sse_kms_decision(iam, "EncryptOnly", "s3:GetObject", "kms-capture", "x", s3=s3, kms=kms, key_id=key)
    write = K.sse_kms_decision(iam, "EncryptOnly", "s3:PutObject", "kms-capture", "x", s3=s3, kms=kms, key_id=key)
    assert (read.decision, read.action) == ("ImplicitDeny", "kms:Decrypt")
    assert (write.decision, write.action) == ("ImplicitDeny", "kms:GenerateDataKey")
    assert "S3 allows s3:GetObject" in read.reason
    role(iam, "Fixed", ["s3:GetObject", "s3:PutObject", "kms:Decrypt", "kms:GenerateDataKey"])
    assert K.sse_kms_decision(iam, "Fixed", "s3:GetObject", "kms-capture", "x", s3=s3, kms=kms, key_id=key).allowed
    assert K.sse_kms_decision(iam, "Fixed", "s3:PutObject", "kms-capture", "x", s3=s3, kms=kms, key_id=key).allowed


def test_key_policy_without_root_ignores_iam_and_a_grant_allows(sb):
    iam, kms = sb.client("iam"), sb.client("kms")
    role(iam, "Granted", ["kms:*"])
    arn = iam.get_role(RoleName="Granted")["Role"]["Arn"]
    admin_only = {"Version": V, "Statement": [{"Sid": "KeyAdmins", "Effect": "Allow",
                                               "Principal": {"AWS": "arn:aws:iam::123456789012:role/KeyAdmin"},
                                               "Action": "kms:*", "Resource": "*"}]}
    key = kms.create_key(Policy=json.dumps(admin_only))["KeyMetadata"]["KeyId"]
    denied = K.kms_decision(iam, "Granted", "kms:Decrypt", kms=kms, key_id=key)
    assert denied.decision == "ImplicitDeny" and "key policy" in denied.reason
    grant = kms.create_grant(KeyId=key, GranteePrincipal=arn, Operations=["Decrypt"])["GrantId"]
    assert K.kms_decision(iam, "Granted", "kms:Decrypt", kms=kms, key_id=key).reason == f"allowed by grant {grant}"
    assert not K.kms_decision(iam, "Granted", "kms:GenerateDataKey", kms=kms, key_id=key).allowed
