"""KMS: envelope encryption, rotation, key policies and grants, and what SSE-KMS needs.

What moto does (MOTO.md): ``encrypt``, ``decrypt`` and ``generate_data_key`` really work (opaque
ciphertext, EncryptionContext checked), rotation can be enabled and read back, grants are stored.
What it does not: key policies and grants are never enforced, and a disabled key still encrypts.
So :func:`sse_kms_decision` evaluates the key policy (and grants) with :mod:`.iam`, as KMS would.

Envelope encryption (KMS Developer Guide, "Envelope encryption"): ``GenerateDataKey`` returns a
256-bit data key twice, in plaintext and encrypted under the KMS key. The data is encrypted
locally with the plaintext key (AES-256-GCM here, a random 96-bit nonce, the encryption context
as associated data); only the *encrypted* key is stored beside the ciphertext. To read, KMS
decrypts the data key (``Decrypt``), and the data is decrypted locally. Ciphertext bytes differ on
every run by design: a repeated GCM nonce would break the cipher, so lessons print lengths and
round-trips, never the bytes.
"""

from __future__ import annotations

import base64
import json
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from monitorlab.security import iam as iam_eval

#: KMS actions S3 calls on the caller's behalf for an SSE-KMS object (S3 User Guide, "Using
#: server-side encryption with AWS KMS keys": PutObject needs kms:GenerateDataKey, GetObject
#: kms:Decrypt; a multipart upload needs both). kms:Encrypt is never used by S3.
SSE_KMS_ACTIONS = {
    "s3:PutObject": ("kms:GenerateDataKey",),
    "s3:GetObject": ("kms:Decrypt",),
    "s3:CreateMultipartUpload": ("kms:GenerateDataKey", "kms:Decrypt"),
    "s3:CopyObject": ("kms:Decrypt", "kms:GenerateDataKey"),
}


def default_key_policy(account_id: str) -> dict:
    """The policy KMS gives a key created without one: the account root may do everything, which
    delegates access to the account's IAM policies (KMS Developer Guide, "Default key policy")."""
    return {"Version": "2012-10-17", "Id": "key-default-1", "Statement": [{
        "Sid": "Enable IAM User Permissions", "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"}, "Action": "kms:*", "Resource": "*"}]}


def envelope_encrypt(kms, key_id: str, plaintext: bytes, *, context: dict | None = None) -> dict:
    """Encrypt ``plaintext`` under a fresh data key from ``GenerateDataKey``; returns a JSON-ready
    envelope: the encrypted data key, the nonce, the ciphertext (base64) and the context."""
    if not isinstance(plaintext, (bytes, bytearray)):
        raise ValueError("plaintext must be bytes: encode text first, e.g. text.encode('utf-8')")
    context = dict(context or {})
    data_key = kms.generate_data_key(KeyId=key_id, KeySpec="AES_256", EncryptionContext=context)
    nonce = os.urandom(12)
    aad = json.dumps(context, sort_keys=True).encode()
    ciphertext = AESGCM(data_key["Plaintext"]).encrypt(nonce, bytes(plaintext), aad)
    b64 = lambda b: base64.b64encode(b).decode()  # noqa: E731
    return {"KeyId": data_key["KeyId"], "EncryptedDataKey": b64(data_key["CiphertextBlob"]),
            "Nonce": b64(nonce), "Ciphertext": b64(ciphertext), "EncryptionContext": context}


def envelope_decrypt(kms, envelope: dict) -> bytes:
    """Ask KMS to decrypt the data key (``Decrypt`` checks the encryption context), then decrypt
    the data locally. A changed context or ciphertext raises (KMS or AES-GCM)."""
    missing = [k for k in ("EncryptedDataKey", "Nonce", "Ciphertext") if k not in envelope]
    if missing:
        raise ValueError(f"envelope is missing {missing}: pass what envelope_encrypt returned")
    context = envelope.get("EncryptionContext", {})
    key = kms.decrypt(CiphertextBlob=base64.b64decode(envelope["EncryptedDataKey"]),
                      EncryptionContext=context)["Plaintext"]
    aad = json.dumps(context, sort_keys=True).encode()
    return AESGCM(key).decrypt(base64.b64decode(envelope["Nonce"]),
                               base64.b64decode(envelope["Ciphertext"]), aad)


def rotation(kms, key_id: str) -> dict:
    """Key manager, origin and whether automatic rotation is on. A customer managed key does not
    rotate until ``EnableKeyRotation`` (default period 365 days, configurable 90-2560; moto
    does not store the period); AWS managed keys rotate every year and cannot be changed."""
    meta = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    enabled = kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"]
    return {"KeyManager": meta["KeyManager"], "Origin": meta["Origin"], "KeyState": meta["KeyState"],
            "KeyRotationEnabled": enabled}


def grants_for(kms, key_id: str, principal_arn: str) -> list[dict]:
    """The grants on the key whose grantee is ``principal_arn`` (``ListGrants``)."""
    return [g for g in kms.list_grants(KeyId=key_id)["Grants"] if g.get("GranteePrincipal") == principal_arn]


def kms_decision(iam, role_name: str, action: str, *, kms, key_id: str,
                 context: dict | None = None) -> iam_eval.Decision:
    """May the role call ``action`` on the key? The key policy (directly, or delegating to IAM
    through the account root and then the role's policies), or a grant for the role, allows."""
    key_arn = kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
    decision = iam_eval.evaluate_role(iam, role_name, action, key_arn, context=context,
                                      resource_policy=key_policy_doc(kms, key_id))
    if decision.decision == "ImplicitDeny":
        role_arn = iam.get_role(RoleName=role_name)["Role"]["Arn"]
        operation = action.split(":", 1)[1]
        for grant in grants_for(kms, key_id, role_arn):
            if any(op.lower() == operation.lower() for op in grant.get("Operations", [])):
                return iam_eval.Decision("Allow", f"allowed by grant {grant['GrantId']}",
                                         action=action, resource=key_arn)
    return decision


def key_policy_doc(kms, key_id: str) -> dict:
    """The key policy read back from moto (:func:`monitorlab.security.iam.key_policy`)."""
    return iam_eval.key_policy(kms, key_id)


def sse_kms_decision(iam, role_name: str, s3_action: str, bucket: str, key: str, *, s3, kms,
                     key_id: str, context: dict | None = None) -> iam_eval.Decision:
    """The whole SSE-KMS request: the S3 action (role policies and the bucket policy), then each
    KMS action S3 makes on the role's behalf (:data:`SSE_KMS_ACTIONS`). The first refusal decides,
    and its reason names which side (S3 or KMS) refused: the classic "role has s3:GetObject but
    gets AccessDenied" is a missing ``kms:Decrypt``."""
    if s3_action not in SSE_KMS_ACTIONS:
        raise ValueError(f"s3_action must be one of {sorted(SSE_KMS_ACTIONS)}, got {s3_action!r}")
    arn = f"arn:aws:s3:::{bucket}/{key}"
    s3_side = iam_eval.evaluate_role(iam, role_name, s3_action, arn, context=context,
                                     resource_policy=iam_eval.bucket_policy(s3, bucket))
    if not s3_side.allowed:
        return s3_side
    for action in SSE_KMS_ACTIONS[s3_action]:
        kms_side = kms_decision(iam, role_name, action, kms=kms, key_id=key_id, context=context)
        if not kms_side.allowed:
            return iam_eval.Decision(kms_side.decision, f"S3 allows {s3_action}, but the object is "
                                     f"SSE-KMS and {action} is denied: {kms_side.reason}",
                                     action=action, resource=kms_side.resource)
    return iam_eval.Decision("Allow", f"{s3_side.reason}; KMS allows {', '.join(SSE_KMS_ACTIONS[s3_action])}",
                             action=s3_action, resource=arn)
