"""Running an nbgrader converter (GenerateAssignment, Autograde...) through its Python API.

Speed-up: when nbgrader creates a gradebook it asks for the database migration head by running
the ``alembic heads`` command in a subprocess, which imports nbgrader again (seconds per
gradebook, and a failure if the venv's ``bin`` is not on ``PATH``). ``run_converter`` answers
that question in-process from nbgrader's own alembic scripts: the same value, in milliseconds.
"""

import functools
import logging
import re
from pathlib import Path

from grader import speedups

speedups.apply_all()  # before nbgrader validates anything (see grader.speedups)

import nbgrader  # noqa: E402
import nbgrader.api  # noqa: E402
from alembic.config import Config as AlembicConfig  # noqa: E402
from alembic.script import ScriptDirectory  # noqa: E402
from nbgrader.coursedir import CourseDirectory  # noqa: E402
from nbgrader.utils import capture_log  # noqa: E402
from traitlets.config import Config  # noqa: E402

from grader.environment import ensure_venv_on_path  # noqa: E402

_ERROR_LINE = re.compile(r"^\s*([A-Za-z_][\w.]*(?:Error|Exception|Exit)): ?(.*)$")


class NbgraderFailed(RuntimeError):
    """nbgrader reported a failure; ``summary`` is one line, ``log`` what nbgrader logged."""

    def __init__(self, summary: str, log: str):
        super().__init__(summary)
        self.summary = summary
        self.log = log


def run_converter(converter_cls, cfg: Config, *, assignment_id: str, student_id: str = "*",
                  **traits) -> str:
    """Run ``converter_cls`` on one assignment; return its log or raise ``NbgraderFailed``."""
    ensure_venv_on_path()
    nbgrader.api.get_alembic_version = alembic_head
    coursedir = CourseDirectory(config=cfg)
    coursedir.assignment_id = assignment_id
    coursedir.student_id = student_id
    app = converter_cls(coursedir=coursedir, config=cfg, log=_quiet_logger())
    for name, value in traits.items():
        setattr(app, name, value)
    result = capture_log(app)
    log = result.get("log", "") + result.get("error", "")
    if not result["success"]:
        raise NbgraderFailed(error_summary(log), log)
    return log


@functools.cache
def alembic_head() -> str:
    """The head revision of nbgrader's gradebook migrations (what ``alembic heads`` prints)."""
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(Path(nbgrader.__file__).parent / "alembic"))
    return ScriptDirectory.from_config(cfg).get_current_head()


def error_summary(log: str) -> str:
    """The most telling error line of an nbgrader log (its first non-wrapper exception)."""
    for line in log.splitlines():
        match = _ERROR_LINE.match(line)
        if match and not match.group(1).endswith("NbGraderException"):
            return f"{match.group(1).rsplit('.', 1)[-1]}: {match.group(2)}".rstrip(": ")
    errors = [line.strip() for line in log.splitlines() if line.startswith("[ERROR]")]
    return errors[0].removeprefix("[ERROR]").strip() if errors else "nbgrader failed (no message)"


def _quiet_logger() -> logging.Logger:
    """A logger that writes nowhere by itself (``capture_log`` adds the handler it reads)."""
    logger = logging.getLogger("grader.nbgrader")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger
