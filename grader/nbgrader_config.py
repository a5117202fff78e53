"""nbgrader configuration for MonitorLab: the single source of truth for how labs are graded.

nbgrader reads this file when you run ``nbgrader ...`` (or JupyterLab's formgrader) from this
``grader/`` folder; ``python -m grader`` loads the same file (``grader.settings``) and only
overrides the course root and the database path for its temporary course directories.

Course layout (all relative to the repository root):

    solutions/<lab>/<lab>.ipynb   nbgrader *source*: solutions and hidden tests
    labs/<lab>/<lab>.ipynb        nbgrader *release*: what learners get (committed)
    submitted/<student>/<lab>/    collected submissions        (gitignored)
    autograded/<student>/<lab>/   autograded notebooks         (gitignored)
    feedback/<student>/<lab>/     feedback HTML                (gitignored)
    gradebook.db                  the instructor's gradebook   (gitignored)
    exchange/                     nbgrader's exchange: release, fetch, submit, collect (gitignored)
    workspace/assigned/           where the Assignment List fetches a released lab (gitignored)

`make lab` puts this folder first on JUPYTER_CONFIG_PATH, so JupyterLab's Formgrader and
Assignment List read this file too.

An assignment is a folder of ``solutions/`` named ``labNN_topic`` holding ``labNN_topic.ipynb``.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # nbgrader loads this file by path; make `grader` importable
    sys.path.insert(0, str(ROOT))

from nbgrader.converters import Autograde  # noqa: E402
from nbgrader.preprocessors import Execute  # noqa: E402

from grader.environment import ensure_venv_on_path  # noqa: E402
from grader.kernel import VenvKernelManager  # noqa: E402

# nbgrader runs the venv's `alembic` script when it creates gradebook.db: make sure it is found
# even if the venv was not activated (`.venv/bin/nbgrader ...`).
ensure_venv_on_path()



class VenvExecute(Execute):
    """nbgrader's Execute preprocessor, running cells in a ``VenvKernelManager`` kernel."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("kernel_manager_class", VenvKernelManager)
        super().__init__(*args, **kwargs)


c = get_config()  # noqa: F821  (traitlets provides get_config when it loads this file)

# Where things live.
c.CourseDirectory.root = str(ROOT)
c.CourseDirectory.course_id = "monitorlab"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "labs"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
c.CourseDirectory.db_url = f"sqlite:///{ROOT / 'gradebook.db'}"

# A course-local exchange, so release, fetch, submit and collect work on one machine with no
# shared /srv/nbgrader/exchange (nbgrader's default, which needs root to create).
c.Exchange.root = str(ROOT / "exchange")
c.Exchange.assignment_dir = str(ROOT / "workspace" / "assigned")

# What a released answer cell holds.
c.ClearSolutions.code_stub = {"python": 'raise NotImplementedError("Write your answer here")'}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Executing learner code: a per-cell timeout; the kernel is always this Python (sys.executable),
# whatever kernel name the notebook's metadata gives, and it gets fake AWS credentials with
# every AWS_* variable of the caller (AWS_PROFILE, tokens) removed (see grader/kernel.py).
c.Execute.timeout = 60
c.Execute.interrupt_on_timeout = True
# A kernel's start is not the learner's time: on a loaded 2-core machine (a grading batch beside
# other work) it took over 60 s, nbclient's default, and failed the whole submission.
c.Execute.startup_timeout = 300
# After a cell's reply, nbclient waits iopub_timeout (default 4 s) for the cell's last outputs, and
# nbgrader turns a late output into an error that fails the whole submission. On a loaded machine
# outputs come later than that: benchmarks/grading_scale.py on 2 cores at load average 15 saw
# nbgrader fail 3 of 3 lab01 submissions with "Timeout waiting for IOPub output". Waiting costs
# nothing when the outputs are on time.
c.Execute.iopub_timeout = 60
c.Autograde.autograde_preprocessors = [
    VenvExecute if step is Execute else step
    for step in Autograde.class_traits()["autograde_preprocessors"].default()
]

# A learner who deletes a test cell still gets it graded: autograde puts it back from the gradebook.
c.OverwriteCells.add_missing_cells = True
