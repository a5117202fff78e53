"""Find a Chromium for the browser test; as root on Debian/Ubuntu, install one with apt-get.

Playwright's own browser download needs the network, which offline CI does not have: the test
drives a Chromium already on the machine (``executable_path``). ``make test`` runs this script
first (the ``browser`` target); ``tests/test_browser.py`` calls ``find_chromium`` and fails with
``MISSING`` if there is none. Standard library only: it runs before the venv exists.

``MONITORLAB_CHROMIUM=/path/to/chrome`` names a browser explicitly.
"""

import os
import shutil
import subprocess
import sys

NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
MISSING = ("no Chromium found for the browser test (tests/test_browser.py). Install one: "
           "`sudo apt-get install chromium` (Debian/Ubuntu; `make test` does it when run as "
           "root), or name one with MONITORLAB_CHROMIUM=/path/to/chrome.")


def find_chromium() -> str | None:
    """The path of a Chromium: ``MONITORLAB_CHROMIUM`` if set, else the first of ``NAMES``."""
    named = os.environ.get("MONITORLAB_CHROMIUM")
    if named:
        return named if os.access(named, os.X_OK) else None
    for name in NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


def install_chromium() -> bool:
    """``apt-get install chromium`` when root on a machine with apt-get; True if it ran fine."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or not shutil.which("apt-get"):
        return False
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium"]):
        if subprocess.run(command, env=env).returncode != 0:
            return False
    return True


def main() -> int:
    """Report the Chromium found or installed; a missing one is reported, not fatal here."""
    path = find_chromium()
    if path is None:
        print("browser test: no Chromium on this machine; installing Debian's chromium "
              "package with apt-get (root only)", flush=True)
        install_chromium()
        path = find_chromium()
    print(f"browser test: Chromium at {path}" if path else f"browser test: {MISSING}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
