"""Executing a notebook headless with nbclient, in a venv kernel, never stopping at an error."""

import subprocess
from pathlib import Path

from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError
from nbformat import NotebookNode

from grader.kernel import VenvKernelManager

TIMEOUT_ERROR = {
    "ename": "CellTimeoutError",
    "evalue": "",
    "traceback": ["CellTimeoutError: the cell ran longer than the timeout and was interrupted"],
}


class ExecutionFailed(RuntimeError):
    """The kernel died or could not start; the message says which notebook."""


def execute_notebook(nb: NotebookNode, cwd: Path, *, timeout: int,
                     env: dict[str, str], on_cell=None) -> NotebookNode:
    """Run every cell of ``nb`` (in place) in a fresh kernel started in ``cwd`` with ``env``.

    Errors stay in the cells' outputs (as in autograde); a cell running longer than ``timeout``
    seconds is interrupted and gets a ``CellTimeoutError`` output. ``on_cell(cell=,
    cell_index=, execute_reply=)`` is called after each code cell (a progress bar). Raises ``ExecutionFailed`` if
    the kernel dies or cannot start.
    """
    client = NotebookClient(
        nb, timeout=timeout, startup_timeout=300, allow_errors=True, interrupt_on_timeout=True,
        error_on_timeout=TIMEOUT_ERROR, kernel_manager_class=VenvKernelManager,
        resources={"metadata": {"path": str(cwd)}}, on_cell_executed=on_cell)
    try:  # the kernel process's own stdout/stderr (start-up chatter) go nowhere; cells' do not
        client.execute(env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except DeadKernelError as exc:
        raise ExecutionFailed(f"the kernel died while running the notebook ({exc})") from None
    except (RuntimeError, TimeoutError) as exc:  # kernel did not start or stopped replying
        raise ExecutionFailed(f"the kernel failed: {type(exc).__name__}: {exc}") from None
    return nb


def first_error(nb: NotebookNode) -> tuple[int, str] | None:
    """``(cell index, "Error: message")`` of the first cell that raised, or None."""
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                return index, f"{output.ename}: {output.evalue}"
    return None
