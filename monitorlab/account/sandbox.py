"""The offline AWS account: moto, boto3 clients, reset, and a guard against real AWS.

Two modes:

* ``inprocess`` (default): moto's ``mock_aws`` patches botocore inside this Python process. No
  socket is opened; nothing can reach AWS. Fastest (MOTO.md measured 3-5x the server's speed).
* ``server``: moto's ``ThreadedMotoServer`` on ``127.0.0.1`` at a free port. Every client gets
  ``endpoint_url`` pointing at it, so several processes (two notebook kernels, a grader) share one
  account. Another process joins with :meth:`Sandbox.attach`. Never mix the two modes in one kernel:
  entering ``mock_aws`` in a process wipes the server's state (MOTO.md).

The guard: before starting, :func:`real_aws_risks` inspects the environment for anything that could
make a request reach real AWS (real-looking keys, a profile, a session token, a container or
web-identity credential provider, a non-loopback ``AWS_ENDPOINT_URL``). If it finds any, ``start()``
refuses with a message naming each variable, unless ``MONITORLAB_ALLOW_REAL_AWS=1`` is set. The
sandbox then replaces the credentials in ``os.environ`` with moto's fake ones, so a learner's own
``boto3.client("s3")`` also lands in moto.

moto stores configuration but does not *do* everything AWS does (no data capture, no monitoring
schedules, no alarm evaluation, no Lambda code): the rest of :mod:`monitorlab` does those, visibly.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from urllib.parse import urlparse

import boto3
import requests
# Imported at module load on purpose: moto registers its botocore hook when imported, and a boto3
# session created before that import is NOT intercepted (its requests would go to real AWS).
from moto import mock_aws
from moto.server import ThreadedMotoServer

REGION = "us-east-1"
#: The account id moto gives every resource it creates.
ACCOUNT_ID = "123456789012"
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
}
OPT_IN_VARIABLE = "MONITORLAB_ALLOW_REAL_AWS"
SERVER_URL_VARIABLE = "MONITORLAB_MOTO_URL"

_CREDENTIAL_PROVIDER_VARIABLES = (
    "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
    "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
)
_FAKE_KEY_PREFIXES = ("testing", "test", "fake", "foobar", "mock")


class RealAWSRefused(RuntimeError):
    """Raised when the environment could send requests to real AWS and the user did not opt in."""


def _is_loopback(url: str) -> bool:
    host = (urlparse(url).hostname or "").lower()
    return host in {"localhost", "::1"} or host.startswith("127.")


def real_aws_risks(environ: dict[str, str] | None = None) -> list[str]:
    """List every environment variable that could route a request to real AWS, with the reason.

    An empty list means the environment is safe to start the sandbox in.
    """
    env = os.environ if environ is None else environ
    risks = []
    key = env.get("AWS_ACCESS_KEY_ID", "")
    if key and not key.lower().startswith(_FAKE_KEY_PREFIXES):
        risks.append(f"AWS_ACCESS_KEY_ID is set to a real-looking key ({key[:4]}...)")
    for name in _CREDENTIAL_PROVIDER_VARIABLES:
        if env.get(name):
            risks.append(f"{name} is set, so boto3 could load real credentials")
    for name, value in env.items():
        if name.startswith("AWS_ENDPOINT_URL") and value and not _is_loopback(value):
            risks.append(f"{name}={value} points at a non-local endpoint")
    return risks


def guard(environ: dict[str, str] | None = None) -> None:
    """Raise :class:`RealAWSRefused` if :func:`real_aws_risks` finds anything and no opt-in is set."""
    env = os.environ if environ is None else environ
    risks = real_aws_risks(env)
    if risks and env.get(OPT_IN_VARIABLE) != "1":
        lines = "\n  - ".join(risks)
        raise RealAWSRefused(
            "MonitorLab refuses to start: this environment could send requests to real AWS.\n"
            f"  - {lines}\n"
            "Fix: unset those variables (e.g. `unset AWS_PROFILE AWS_SESSION_TOKEN`) before "
            "starting Jupyter, or, if you understand that the course only talks to moto, set "
            f"{OPT_IN_VARIABLE}=1 to start anyway (the sandbox then replaces the credentials "
            "with fake ones for this process)."
        )


def _free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Sandbox:
    """An offline AWS account backed by moto.

    >>> sb = Sandbox().start()          # in-process moto, region us-east-1, fake credentials
    >>> s3 = sb.client("s3")
    >>> sb.reset()                      # wipe every resource
    >>> sb.stop()
    """

    def __init__(self, mode: str = "inprocess", region: str = REGION, seed: int = 0):
        if mode not in ("inprocess", "server"):
            raise ValueError(f"mode must be 'inprocess' or 'server', got {mode!r}")
        self.mode = mode
        self.region = region
        self.seed = seed
        self.endpoint_url: str | None = None
        self._mock = None
        self._server = None
        self._owns_server = False
        self.session: boto3.session.Session | None = None

    # -- life cycle -------------------------------------------------------------------------
    def start(self) -> "Sandbox":
        """Check the guard, install fake credentials, start moto on an empty account; returns ``self``."""
        guard()
        self._install_fake_environment()
        if self.mode == "inprocess":
            self._mock = mock_aws()
            self._mock.start()
            # moto's state is process-wide and only reset when the *first* mock starts: a sandbox
            # left running (a re-run notebook cell, a failed test) would leak its resources.
            self.reset()
        else:
            # werkzeug logs every request to stderr even with verbose=False (MOTO.md); in a
            # notebook that is noise, and in an nbgrader test cell stderr costs the points.
            logging.getLogger("werkzeug").setLevel(logging.ERROR)
            port = _free_port()
            self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
            self._server.start()
            self._owns_server = True
            self._use_server(f"http://127.0.0.1:{port}")
            self.reset()
        return self

    @classmethod
    def attach(cls, url: str | None = None, region: str = REGION) -> "Sandbox":
        """Join a moto server another process started (``url`` or ``$MONITORLAB_MOTO_URL``)."""
        url = url or os.environ.get(SERVER_URL_VARIABLE)
        if not url:
            raise ValueError(f"attach() needs a server URL: pass url= or set {SERVER_URL_VARIABLE}")
        if not _is_loopback(url):
            raise RealAWSRefused(f"attach() only joins a moto server on this machine, not {url}")
        guard()
        sandbox = cls(mode="server", region=region)
        sandbox._install_fake_environment()
        sandbox._use_server(url)
        return sandbox

    def stop(self) -> None:
        """Stop moto. In-process state is discarded; a server this sandbox started is shut down."""
        if self._mock is not None:
            self._mock.stop()
            self._mock = None
        if self._server is not None and self._owns_server:
            self._server.stop()
            self._server = None
            for name in ("AWS_ENDPOINT_URL", SERVER_URL_VARIABLE):
                if os.environ.get(name) == self.endpoint_url:
                    del os.environ[name]

    def __enter__(self) -> "Sandbox":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._mock is not None or self.endpoint_url is not None

    # -- use --------------------------------------------------------------------------------
    def client(self, service: str):
        """A boto3 client for ``service`` wired to this sandbox."""
        if not self.running:
            raise RuntimeError("the sandbox is not running: call Sandbox().start() first")
        return self.session.client(service, endpoint_url=self.endpoint_url)

    def bootstrap(self) -> "Account":
        """Create (or find) the course account's resources: see :func:`bootstrap`."""
        return bootstrap(self)

    def reset(self) -> None:
        """Delete every resource in the account (moto's ``/moto-api/reset``), then reseed moto.

        Seeding (``/moto-api/seed``) makes moto's generated ids (KMS key ids, ARNs with random
        parts) the same on every run, so notebooks print the same outputs every time.
        """
        base = self.endpoint_url or "http://motoapi.amazonaws.com"
        for path in ("/moto-api/reset", f"/moto-api/seed?a={self.seed}"):
            requests.post(f"{base}{path}", timeout=10).raise_for_status()

    # -- internals --------------------------------------------------------------------------
    def _install_fake_environment(self) -> None:
        for name in _CREDENTIAL_PROVIDER_VARIABLES:
            os.environ.pop(name, None)
        os.environ.update(FAKE_CREDENTIALS)
        os.environ["AWS_DEFAULT_REGION"] = self.region
        # Created only now: a boto3 session reads AWS_PROFILE when it is built.
        self.session = boto3.session.Session(
            aws_access_key_id=FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
            region_name=self.region,
        )

    def _use_server(self, url: str) -> None:
        self.endpoint_url = url
        os.environ[SERVER_URL_VARIABLE] = url
        # boto3 clients that learners create themselves follow AWS_ENDPOINT_URL (botocore >= 1.31).
        os.environ["AWS_ENDPOINT_URL"] = url


# --------------------------------------------------------------------------------------------
# The course account
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Account:
    """What :func:`bootstrap` created: the names every lesson uses."""

    region: str
    account_id: str
    bucket: str
    kms_key_id: str
    kms_key_arn: str
    role_arn: str
    model_package_group: str


BUCKET = f"monitorlab-{ACCOUNT_ID}-{REGION}"
KMS_ALIAS = "alias/monitorlab-data"
ROLE_NAME = "MonitorLabSageMakerExecutionRole"
MODEL_PACKAGE_GROUP = "monitorlab-adult-income"


def _execution_role_policy(bucket: str, key_arn: str) -> dict:
    """Least privilege for the course's SageMaker jobs: its bucket, its key, its metrics."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "CourseBucketObjects", "Effect": "Allow",
             "Action": ["s3:GetObject", "s3:PutObject"], "Resource": f"arn:aws:s3:::{bucket}/*"},
            {"Sid": "CourseBucketList", "Effect": "Allow",
             "Action": ["s3:ListBucket"], "Resource": f"arn:aws:s3:::{bucket}"},
            {"Sid": "CourseKey", "Effect": "Allow",
             "Action": ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"], "Resource": key_arn},
            {"Sid": "Metrics", "Effect": "Allow",
             "Action": ["cloudwatch:PutMetricData"], "Resource": "*"},
        ],
    }


def bootstrap(sandbox: Sandbox) -> Account:
    """Create the course account: a KMS key, an SSE-KMS bucket, an execution role, a model group.

    Idempotent: calling it twice returns the same names without duplicating resources.
    """
    kms, s3, iam, sm = (sandbox.client(name) for name in ("kms", "s3", "iam", "sagemaker"))
    key_id, key_arn = _ensure_key(kms)
    _ensure_bucket(s3, key_arn)
    role_arn = _ensure_role(iam, key_arn)
    _ensure_model_package_group(sm)
    return Account(region=sandbox.region, account_id=ACCOUNT_ID, bucket=BUCKET,
                   kms_key_id=key_id, kms_key_arn=key_arn, role_arn=role_arn,
                   model_package_group=MODEL_PACKAGE_GROUP)


def _ensure_key(kms) -> tuple[str, str]:
    for alias in kms.list_aliases()["Aliases"]:
        if alias["AliasName"] == KMS_ALIAS and alias.get("TargetKeyId"):
            meta = kms.describe_key(KeyId=alias["TargetKeyId"])["KeyMetadata"]
            return meta["KeyId"], meta["Arn"]
    meta = kms.create_key(Description="MonitorLab: capture, reports and model artifacts",
                          KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]
    kms.create_alias(AliasName=KMS_ALIAS, TargetKeyId=meta["KeyId"])
    kms.enable_key_rotation(KeyId=meta["KeyId"])
    return meta["KeyId"], meta["Arn"]


def _ensure_bucket(s3, key_arn: str) -> None:
    existing = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    if BUCKET not in existing:
        s3.create_bucket(Bucket=BUCKET)
    s3.put_bucket_encryption(Bucket=BUCKET, ServerSideEncryptionConfiguration={"Rules": [{
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_arn},
        "BucketKeyEnabled": True}]})
    s3.put_public_access_block(Bucket=BUCKET, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True,
        "BlockPublicPolicy": True, "RestrictPublicBuckets": True})


def _ensure_role(iam, key_arn: str) -> str:
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"},
        "Action": "sts:AssumeRole"}]}
    try:
        role = iam.get_role(RoleName=ROLE_NAME)["Role"]
    except iam.exceptions.NoSuchEntityException:
        role = iam.create_role(RoleName=ROLE_NAME, AssumeRolePolicyDocument=json.dumps(trust),
                               Description="SageMaker execution role for MonitorLab")["Role"]
    iam.put_role_policy(RoleName=ROLE_NAME, PolicyName="monitorlab-least-privilege",
                        PolicyDocument=json.dumps(_execution_role_policy(BUCKET, key_arn)))
    return role["Arn"]


def _ensure_model_package_group(sm) -> None:
    groups = sm.list_model_package_groups()["ModelPackageGroupSummaryList"]
    if not any(g["ModelPackageGroupName"] == MODEL_PACKAGE_GROUP for g in groups):
        sm.create_model_package_group(
            ModelPackageGroupName=MODEL_PACKAGE_GROUP,
            ModelPackageGroupDescription="Adult income classifier versions")
