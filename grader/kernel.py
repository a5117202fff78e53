"""The kernel that runs learner code: always this interpreter (``sys.executable``).

A notebook's metadata names a kernel (``python3``, or whatever the author's Jupyter had), and
Jupyter resolves that name through the kernelspec search path, where a user-level
``~/.local/share/jupyter/kernels/python3`` can shadow the project's venv. Grading must not
depend on that: ``VenvKernelManager`` ignores the name and starts ``sys.executable -m
ipykernel_launcher``, so the kernel sees exactly the packages of the Python that grades.
Its environment is the one it is given (or the starting process's), made offline: every
``AWS_*`` variable of the caller dropped, fake credentials set (``grader.environment``). So
even ``nbgrader autograde`` run by hand from an instructor's shell cannot reach a real account.
"""

import os
import signal
import sys

from jupyter_client.kernelspec import KernelSpec
from jupyter_client.manager import AsyncKernelManager

from grader.environment import offline_aws


def venv_kernel_spec() -> KernelSpec:
    """The kernelspec of an IPython kernel running on ``sys.executable``."""
    return KernelSpec(
        argv=[sys.executable, "-Xfrozen_modules=off", "-m", "ipykernel_launcher",
              "-f", "{connection_file}"],
        display_name=f"Python {sys.version_info.major}.{sys.version_info.minor} (grader)",
        language="python",
        metadata={},
    )


class VenvKernelManager(AsyncKernelManager):
    """An async kernel manager whose kernel is always ``sys.executable``, whatever its name."""

    @property
    def kernel_spec(self) -> KernelSpec:
        """Return the venv kernelspec instead of looking the kernel name up."""
        if self._kernel_spec is None:
            self._kernel_spec = venv_kernel_spec()
        return self._kernel_spec

    async def _async_is_alive(self) -> bool:
        """As jupyter_client's, and when the kernel is found dead, log how its process ended.

        nbclient only says "Kernel died"; the exit status tells a crash (-11 SIGSEGV, -6 SIGABRT)
        from a kill (-9: the OOM killer or a limit) or an exit (``os._exit(1)``: 1). The line
        lands in nbgrader's log, which a failed result keeps (``grades.json``, ``log``).
        """
        alive = await super()._async_is_alive()
        process = getattr(self.provisioner, "process", None)
        if not alive and process is not None and not getattr(self, "_exit_logged", False):
            self._exit_logged = True
            code = process.poll()
            how = f"signal {signal.Signals(-code).name}" if code is not None and code < 0 \
                else f"exit code {code}"
            self.log.error("kernel process %s ended with %s", process.pid, how)
        return alive

    async def _async_pre_start_kernel(self, **kw):
        """Start the kernel with an offline copy of the environment it would get."""
        kw["env"] = offline_aws(dict(kw.get("env") or os.environ))
        return await super()._async_pre_start_kernel(**kw)

