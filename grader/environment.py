"""The environment learner code runs in: fake AWS credentials, this venv's tools, no user setup.

Every kernel the grader starts (autograde, selfcheck, demo) inherits this environment:

- ``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY`` = ``testing``, ``AWS_DEFAULT_REGION`` =
  ``us-east-1``; every other ``AWS_*`` variable of the caller (``AWS_PROFILE``, session tokens,
  endpoint URLs) is dropped and ``~/.aws`` files are hidden, so nothing can reach a real account
  (``grader.kernel`` applies this part to every kernel it starts, whoever starts it);
- the venv's ``bin`` first on ``PATH`` (nbgrader runs the ``alembic`` script when it creates a
  gradebook; a venv that was not activated would otherwise fail);
- ``PYTHONPATH`` led by the folder holding the ``grader`` package, so workers find it even when
  the project is not pip-installed;
- a private ``IPYTHONDIR`` (no user startup scripts), ``MPLBACKEND=Agg``, ``PYTHONHASHSEED=0``.
"""

import os
import sys
from pathlib import Path

FAKE_AWS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
}
PACKAGE_PARENT = str(Path(__file__).resolve().parent.parent)
SELFCHECK_FLAG = "MONITORLAB_SELFCHECK"


def venv_bin() -> str:
    """The folder of this interpreter's scripts (``alembic``, ``jupyter``...)."""
    return str(Path(sys.executable).parent)


def with_venv_path(env: dict[str, str]) -> dict[str, str]:
    """``env`` with this venv's ``bin`` first on ``PATH``."""
    parts = [p for p in env.get("PATH", "").split(os.pathsep) if p and p != venv_bin()]
    return {**env, "PATH": os.pathsep.join([venv_bin(), *parts])}


def ensure_venv_on_path() -> None:
    """Put this venv's ``bin`` first on this process's ``PATH`` (nbgrader needs ``alembic``)."""
    os.environ["PATH"] = with_venv_path(dict(os.environ))["PATH"]


def offline_aws(env: dict[str, str]) -> dict[str, str]:
    """``env`` without any ``AWS_*`` variable of the caller, with the fake credentials instead.

    The AWS config and credentials files are the null device, so ``~/.aws`` profiles are
    invisible too.
    """
    env = {k: v for k, v in env.items() if not k.startswith("AWS_")}
    env.update(FAKE_AWS)
    env["AWS_CONFIG_FILE"] = os.devnull
    env["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    return env


def grading_env(scratch: Path, base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for grading processes and kernels; ``scratch`` is a private temp folder."""
    base = dict(os.environ if base is None else base)
    env = offline_aws({k: v for k, v in base.items() if k != SELFCHECK_FLAG})
    env["IPYTHONDIR"] = str(scratch / "ipython")
    env["MPLBACKEND"] = "Agg"
    env["PYTHONHASHSEED"] = "0"
    env["PYTHONPATH"] = os.pathsep.join(
        [PACKAGE_PARENT, *[p for p in base.get("PYTHONPATH", "").split(os.pathsep)
                           if p and p != PACKAGE_PARENT]])
    return with_venv_path(env)
