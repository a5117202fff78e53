"""nbgrader settings for ``python -m grader``: ``grader/nbgrader_config.py`` with a few overrides.

Every temporary course directory the grader makes (to generate a lab, or to grade one
submission) uses the instructor's configuration file, changed only where a temporary course
must differ: its root, its gradebook, its per-cell timeout and, for grading, which folder plays
the part of the source folder.
"""

import os
from pathlib import Path

from traitlets.config import Config, PyFileConfigLoader

CONFIG_FILE = Path(__file__).resolve().parent / "nbgrader_config.py"
REPO_ROOT = CONFIG_FILE.parent.parent
DEFAULT_CELL_TIMEOUT = 60


def load_config() -> Config:
    """Load ``grader/nbgrader_config.py`` as nbgrader would, leaving ``os.environ`` unchanged.

    (The file puts the venv's ``bin`` on ``PATH`` for nbgrader's own process; the grader sets
    the environment of its workers and kernels itself, see ``grader.environment``.)
    """
    saved = dict(os.environ)
    try:
        return PyFileConfigLoader(CONFIG_FILE.name, path=str(CONFIG_FILE.parent)).load_config()
    finally:
        os.environ.clear()
        os.environ.update(saved)


def course_config(root: Path, db_path: Path, *, timeout: int | None = None,
                  source_directory: str | None = None) -> Config:
    """The course configuration for a course directory at ``root`` with gradebook ``db_path``.

    ``timeout`` is the per-cell execution limit in seconds (default: the config file's).
    ``source_directory`` replaces ``solutions`` (used when grading: the release plays the source,
    so that no solution is ever inside the folder where learner code runs).
    """
    cfg = load_config()
    cfg.CourseDirectory.root = str(Path(root).resolve())
    cfg.CourseDirectory.db_url = f"sqlite:///{Path(db_path).resolve()}"
    if timeout is not None:
        cfg.Execute.timeout = int(timeout)
    if source_directory is not None:
        cfg.CourseDirectory.source_directory = source_directory
    return cfg


def cell_timeout(cfg: Config) -> int:
    """The per-cell timeout (seconds) a configuration sets."""
    return int(cfg.Execute.get("timeout", DEFAULT_CELL_TIMEOUT))
