"""Results store: grades kept between runs, keyed by a content hash, so a run grades only what is new.

A re-run after a crash (or with a few late submissions) reuses every grade whose inputs have not
changed; ``python -m grader autograde DIR --store DIR`` (default ``grades/store``) uses it and
``--regrade`` ignores it. The key of a submission is the SHA-256 of::

    format version | student | lab | SHA-256 of the notebook's bytes | lab fingerprint
    | cell timeout | code fingerprint

- lab fingerprint: every file of ``solutions/<lab>/`` (relative path and bytes): an edited hidden
  test or answer key regrades the lab;
- code fingerprint: every ``.py`` file of the installed ``grader`` and ``monitorlab`` packages plus
  the Python, nbgrader and nbclient versions: a changed engine or grader regrades everything (the
  learner's code calls the engine, so its output can change a grade).

Layout (content addressed, one folder per key, written atomically by renaming a finished
temporary folder)::

    STORE/<key[:2]>/<key>/result.json     the SubmissionResult (``results.SubmissionResult.to_dict``)
    STORE/<key[:2]>/<key>/feedback/       nbgrader's feedback HTML and autograded notebook, if made

Only clean results are stored: a result whose grading stopped with an error (the kernel died, the
wall-clock limit, the worker exited early, an unreadable file) is graded again on the next run,
because those can come from the machine (load, memory, a killed cluster worker) rather than from
the submission; a hostile notebook therefore costs its wall-clock limit on every run.
"""

import functools
import hashlib
import json
import os
import platform
import shutil
import tempfile
from pathlib import Path

from grader import layout
from grader.results import SubmissionResult
from grader.submissions import Submission

FORMAT = "monitorlab-store-1"


class ResultStore:
    """Grades on disk under ``folder``, looked up by ``key`` (module docstring)."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def key(self, sub: Submission, lab_print: str, timeout: int) -> str:
        """The content hash of one submission's grading inputs."""
        notebook = hashlib.sha256(Path(sub.notebook).read_bytes()).hexdigest() \
            if Path(sub.notebook).is_file() else "missing"
        parts = [FORMAT, sub.student, sub.lab, notebook, lab_print, str(int(timeout)),
                 code_fingerprint()]
        return hashlib.sha256("\0".join(parts).encode()).hexdigest()

    def keys(self, submissions: list[Submission], root: Path, timeout: int) -> dict:
        """``(student, lab) -> key`` for every submission."""
        prints = {lab: lab_fingerprint(root, lab) for lab in {s.lab for s in submissions}}
        return {(s.student, s.lab): self.key(s, prints[s.lab], timeout) for s in submissions}

    def entry(self, key: str) -> Path:
        """The folder of one key."""
        return self.folder / key[:2] / key

    def load(self, key: str, feedback: Path | None = None) -> SubmissionResult | None:
        """The stored result of ``key``, or None; with ``feedback``, only if its feedback is stored
        too (then copied to ``feedback``)."""
        entry = self.entry(key)
        try:
            data = json.loads((entry / "result.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if feedback is not None:
            if not (entry / "feedback").is_dir():
                return None
            shutil.copytree(entry / "feedback", feedback, dirs_exist_ok=True)
        return SubmissionResult.from_dict(data)

    def save(self, key: str, result: SubmissionResult, feedback: Path | None = None) -> bool:
        """Store a clean result (and its feedback folder); return False if it was not stored."""
        if result.error:
            return False
        entry = self.entry(key)
        entry.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{key[:12]}-", dir=entry.parent))
        (staging / "result.json").write_text(json.dumps(result.to_dict(), sort_keys=True),
                                             encoding="utf-8")
        if feedback is not None and feedback.is_dir():
            shutil.copytree(feedback, staging / "feedback")
        shutil.rmtree(entry, ignore_errors=True)  # --regrade replaces what was there
        try:
            os.replace(staging, entry)
        except OSError:  # another run stored the same key meanwhile: keep theirs
            shutil.rmtree(staging, ignore_errors=True)
        return True


def lab_fingerprint(root: Path, lab: str) -> str:
    """SHA-256 over every file of ``solutions/<lab>/`` (relative path and bytes), sorted."""
    source = Path(root) / layout.SOURCE_DIR / lab
    if not source.is_dir():
        return "no-source"
    return _tree_hash(source, "*")


@functools.cache
def code_fingerprint() -> str:
    """SHA-256 over the grader and engine sources and the versions that run learner code."""
    import grader
    import monitorlab
    import nbclient
    import nbgrader

    digest = hashlib.sha256()
    for package in (grader, monitorlab):
        digest.update(_tree_hash(Path(package.__file__).parent, "*.py").encode())
    for version in (platform.python_version(), nbgrader.__version__, nbclient.__version__):
        digest.update(version.encode() + b"\0")
    return digest.hexdigest()


def _tree_hash(folder: Path, pattern: str) -> str:
    """SHA-256 over the files under ``folder`` matching ``pattern`` (not caches)."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob(pattern)):
        relative = path.relative_to(folder)
        if not path.is_file() or layout.is_ignored(relative):
            continue
        digest.update(relative.as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()
