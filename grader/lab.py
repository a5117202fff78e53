"""``make lab``: the learner's workspace, and JupyterLab set up for learners and instructors.

``python -m grader lab [JUPYTER OPTIONS]`` (what ``make lab`` runs):

1. seeds ``workspace/`` (git-ignored) from the tracked course: ``course/START.md`` becomes
   ``workspace/START.md``, each ``course/NN_*.ipynb`` ``workspace/course/NN_*.ipynb``, each
   ``labs/<lab>/`` ``workspace/labs/<lab>/``. A file already in the workspace is never
   overwritten, so a learner's answers survive ``git pull`` and a new course version only adds
   what is new (the tracked files are never edited, so ``git pull`` never conflicts);
2. installs this venv's ``python3`` kernelspec with the display name the committed notebooks
   carry (``Python 3``), so opening a notebook does not change its metadata;
3. runs ``jupyter lab`` from the repository root with ``JUPYTER_CONFIG_PATH`` led by
   ``grader/``: there ``jupyter_server_config.py`` (root, start page, hidden folders, terminals),
   ``nbgrader_config.py`` (course, exchange) and ``labconfig/page_config.json`` (nbgrader's
   Validate button switched off) are found by JupyterLab, nbgrader's Formgrader and its
   Assignment List alike; ``grader/lab-settings/overrides.json`` switches off the news pop-up
   and shows Markdown rendered.

The server's root is the repository (nbgrader's Formgrader only works on a course inside it),
but ``CourseContentsManager`` lists only ``workspace/`` at the top of the file browser:
``solutions/`` (answers and hidden tests), ``tests/``, ``benchmarks/`` and the tracked copies
stay out of sight. ``--CourseContentsManager.show_all=True`` (``make instructor``) lists
everything.
"""

import os
import shutil
import sys
from pathlib import Path

from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager
from traitlets import Bool, List, Unicode

from grader import layout
from grader.environment import venv_bin
from grader.notebooks import read_notebook, write_notebook

WORKSPACE = "workspace"
KERNEL_DISPLAY_NAME = "Python 3"  # what every committed notebook's kernelspec says
START_PAGE = f"/lab/tree/{WORKSPACE}/START.md"


def seed_workspace(root: Path, workspace: Path | None = None) -> list[Path]:
    """Copy the course into ``workspace`` (default ``root/workspace``), never overwriting.

    Returns the files copied (empty when the workspace is complete).
    """
    workspace = workspace or root / WORKSPACE
    copies = {root / "course" / "START.md": workspace / "START.md"}
    for lecture in sorted((root / "course").glob("*.ipynb")):
        copies[lecture] = workspace / "course" / lecture.name
    for lab in layout.released_labs(root):
        for rel, path in layout.lab_files(layout.release_dir(root, lab)).items():
            copies[path] = workspace / "labs" / lab / rel
    copied = []
    for source, dest in copies.items():
        if source.is_file() and not dest.exists():
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, dest)
            if dest.suffix == ".ipynb":
                _with_kernel_metadata(dest)
            copied.append(dest)
    return copied


def _with_kernel_metadata(notebook: Path) -> None:
    """Give a workspace copy the ``language_info`` this venv's kernel reports.

    Committed notebooks carry only ``{"name": "python"}`` (outputs and versions stripped);
    JupyterLab writes the kernel's full ``language_info`` into a notebook when its kernel
    starts, which would mark every freshly opened notebook as modified.
    """
    from ipykernel.ipkernel import IPythonKernel

    nb = read_notebook(notebook)
    nb.metadata["language_info"] = dict(IPythonKernel.language_info)
    write_notebook(nb, notebook)


def ensure_kernelspec(prefix: str = sys.prefix) -> bool:
    """Install this venv's ``python3`` kernelspec as ``Python 3`` unless it already is; True if done."""
    from jupyter_client.kernelspec import KernelSpecManager

    spec_dir = Path(prefix) / "share" / "jupyter" / "kernels" / "python3"
    try:
        spec = KernelSpecManager().get_kernel_spec("python3")
        if Path(spec.resource_dir).resolve() == spec_dir.resolve() and \
                spec.display_name == KERNEL_DISPLAY_NAME:
            return False
    except Exception:  # no kernelspec yet (NoSuchKernel) or an unreadable one: install it
        pass
    from ipykernel.kernelspec import install

    install(kernel_name="python3", display_name=KERNEL_DISPLAY_NAME, prefix=prefix)
    return True


def lab_environment(root: Path, env: dict[str, str] | None = None) -> dict[str, str]:
    """The server's environment: ``grader/`` first on ``JUPYTER_CONFIG_PATH``, the venv on PATH.

    Kernels and terminals inherit it, so ``python`` and ``jupyter`` there are this venv's.
    """
    env = dict(os.environ if env is None else env)
    config_path = [str(root / "grader"), *filter(None, env.get("JUPYTER_CONFIG_PATH", "")
                                                 .split(os.pathsep))]
    path = [venv_bin(), *[p for p in env.get("PATH", "").split(os.pathsep) if p != venv_bin()]]
    return {**env, "JUPYTER_CONFIG_PATH": os.pathsep.join(dict.fromkeys(config_path)),
            "PATH": os.pathsep.join(path), "MONITORLAB_ROOT": str(root),
            "MONITORLAB_VENV_BIN": venv_bin()}


def main(root: Path, jupyter_args: list[str]) -> int:
    """Seed the workspace, fix the kernelspec, then replace this process by ``jupyter lab``."""
    copied = seed_workspace(root)
    if copied:
        print(f"MonitorLab: copied {len(copied)} course files into {WORKSPACE}/ (yours to edit; "
              "files already there are never overwritten).", flush=True)
    (root / "exchange").mkdir(exist_ok=True)  # nbgrader_config.py's Exchange.root
    (root / WORKSPACE / "assigned").mkdir(parents=True, exist_ok=True)  # Exchange.assignment_dir
    ensure_kernelspec()
    jupyter = shutil.which("jupyter", path=venv_bin()) or "jupyter"
    os.chdir(root)
    os.execve(jupyter, [jupyter, "lab", *jupyter_args], lab_environment(root))
    return 0  # not reached


class CourseContentsManager(AsyncLargeFileManager):
    """The server's files, listing only ``shown_at_root`` at the top (all if ``show_all``).

    Only the listing changes: a hidden folder's files still open by path (the Formgrader links
    to ``solutions/``), and nothing below the top level is filtered.
    """

    shown_at_root = List(Unicode(), default_value=[WORKSPACE],
                         help="names listed at the top of the file browser").tag(config=True)
    show_all = Bool(False, help="list every file and folder (make instructor)").tag(config=True)

    async def get(self, path, content=True, type=None, format=None, **kwargs):
        model = await super().get(path, content=content, type=type, format=format, **kwargs)
        if (model["type"] == "directory" and not path.strip("/") and not self.show_all
                and model.get("content") is not None):
            model["content"] = [item for item in model["content"]
                                if item["name"] in self.shown_at_root]
        return model
