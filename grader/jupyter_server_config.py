"""JupyterLab for MonitorLab: loaded by ``make lab`` (``python -m grader lab``), which puts this
folder first on ``JUPYTER_CONFIG_PATH``. Details: ``grader/lab.py``.
"""

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # the server imports grader.lab.CourseContentsManager
    sys.path.insert(0, str(ROOT))

from grader.lab import START_PAGE  # noqa: E402

c = get_config()  # noqa: F821  (traitlets provides get_config when it loads this file)

# The repository is the root (nbgrader's Formgrader needs the course inside it); the file
# browser lists only workspace/ at the top, and the printed URL opens the start page.
c.ServerApp.root_dir = str(ROOT)
c.ServerApp.contents_manager_class = "grader.lab.CourseContentsManager"
c.ServerApp.default_url = START_PAGE
c.LabApp.default_url = START_PAGE

# Settings every learner gets: no news pop-up, no update check, Markdown shown rendered.
c.LabApp.app_settings_dir = str(ROOT / "grader" / "lab-settings")

# Terminals: an interactive bash that keeps this venv first on PATH (a login shell would
# re-read /etc/profile and lose it) and starts in workspace/ (grader/terminal.bashrc).
_bash = shutil.which("bash")
if _bash:
    c.ServerApp.terminado_settings = {
        "shell_command": [_bash, "--rcfile", str(ROOT / "grader" / "terminal.bashrc"), "-i"]}
