"""A learner and an instructor in a real browser: Playwright driving Chromium against `make lab`.

On a copy of the repository (its tracked and new files, committed into a fresh git repository,
as a fresh clone would be): open the start page, run the first lecture (no error output, a
figure shown), answer lab 00's first task and see its "Check my work" cell say the visible
checks pass; the instructor releases lab 00 into the course-local exchange, the learner fetches
it from nbgrader's Assignment List, the Formgrader shows it released; no errors anywhere, and
`git status` is clean at the end.

Chromium comes from the machine (``tests/browser_setup.py``; ``make test`` installs Debian's
package when run as root). Without one the test fails with the install instructions: it never
skips. ``MONITORLAB_SCREENSHOTS=DIR`` also saves the screenshots to DIR (``docs/`` holds them).
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from browser_setup import MISSING, find_chromium
from grader.notebooks import grade_id, read_notebook, without_solution_markers
from test_make_lab import TOKEN, free_port, wait_for

ROOT = Path(__file__).resolve().parent.parent
LAB = "lab00_orientation"
LECTURE = "00_orientation.ipynb"
WAIT_MS = 240_000  # a loaded 2-core machine; the test asserts behaviour, never time


def copy_as_fresh_clone(dest: Path) -> Path:
    """The repository's tracked and untracked (not ignored) files, committed in a new repo."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout.split("\0")
    for rel in filter(None, listed):
        if (ROOT / rel).is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / rel, dest / rel)
    cache = ROOT / ".monitorlab-cache"  # the trained model, if this checkout has it (ignored)
    if cache.is_dir():
        shutil.copytree(cache, dest / ".monitorlab-cache")
    git = ["git", "-c", "user.name=test", "-c", "user.email=test@example.invalid"]
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "fresh clone"]):
        subprocess.run(git + command, cwd=dest, check=True)
    return dest


@pytest.fixture
def lab_server(tmp_path):
    """`make lab` on a fresh copy of the repository: (base URL, clone folder)."""
    clone = copy_as_fresh_clone(tmp_path / "clone")
    port = free_port()
    log = open(tmp_path / "lab.log", "w")
    env = {**os.environ, "PYTHONPATH": str(clone), "JUPYTER_PLATFORM_DIRS": "1",
           "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "lab-user-settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "lab-workspaces")}
    process = subprocess.Popen(
        ["make", "-s", "-o", ".venv/.installed", "lab", f"PY={sys.executable}",
         f"LAB_ARGS=--port={port} --ServerApp.token={TOKEN} --ServerApp.port_retries=0"],
        cwd=clone, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}/api/status?token={TOKEN}", process, seconds=240)
        yield base, clone
    finally:
        stop(base, process)
        log.close()


def stop(base: str, process: subprocess.Popen) -> None:
    """Shut the server down through its API (kernels included), else kill its process group."""
    request = urllib.request.Request(f"{base}/api/shutdown?token={TOKEN}", method="POST")
    try:
        urllib.request.urlopen(request, timeout=30).close()
        process.wait(timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


@pytest.fixture
def browser():
    """Chromium from the machine, driven by Playwright."""
    path = find_chromium()
    if path is None:
        pytest.fail(MISSING)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=path, args=["--no-sandbox"])
        yield chromium
        chromium.close()


def shoot(page, tmp_path, name, publish=True):
    """A screenshot in tmp_path, copied to $MONITORLAB_SCREENSHOTS when set and ``publish``."""
    page.screenshot(path=str(tmp_path / name))
    target = os.environ.get("MONITORLAB_SCREENSHOTS")
    if target and publish:
        shutil.copyfile(tmp_path / name, Path(target) / name)


def open_file(page, base, path):
    """Open ``path`` (relative to the server root) in JupyterLab, alone (``reset``: no tabs
    restored from the previous page)."""
    page.goto(f"{base}/lab/tree/{path}?reset&token={TOKEN}")


def wait_for_kernel(page):
    """Wait until the notebook's cells are shown and its kernel is up and idle."""
    page.wait_for_function("() => document.querySelectorAll("
                           "'.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell').length > 1")
    page.get_by_text("Python 3 | Idle").wait_for()
    page.wait_for_timeout(1000)  # JupyterLab records the kernel's language_info right after


def run_all_and_wait(page):
    """Run → Run All Cells, then wait until every code cell of the notebook has run."""
    page.click(".lm-MenuBar-itemLabel:text-is('Run')")
    page.click(".lm-Menu-itemLabel:text-is('Run All Cells')")
    page.wait_for_function(_ALL_RAN, timeout=WAIT_MS)


_ALL_RAN = """() => {
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  if (!panel) return false;
  const prompts = [...panel.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
    .map(p => p.textContent.trim());
  return prompts.length > 0 && prompts.every(p => /^\\[\\d+\\]:$/.test(p));
}"""


def visible_notebook(page):
    """The notebook panel on screen."""
    return page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")


def test_learner_and_instructor_in_chromium(lab_server, browser, tmp_path):
    base, clone = lab_server
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.set_default_timeout(WAIT_MS)
    # The instructor releases lab 00 into the course-local exchange while the learner works.
    release = subprocess.Popen(
        [str(Path(sys.executable).parent / "nbgrader"), "release_assignment", LAB],
        cwd=clone / "grader", env={**os.environ, "PYTHONPATH": str(clone)},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        learner_and_instructor(page, base, tmp_path, release)
    except Exception:
        page.screenshot(path=str(tmp_path / "failure.png"))
        print(f"browser test failed; the page then: {tmp_path / 'failure.png'}")
        raise
    status = subprocess.run(["git", "status", "--porcelain"], cwd=clone, capture_output=True,
                            text=True, check=True).stdout
    assert status == "", f"the learner's session changed tracked files:\n{status}"


def learner_and_instructor(page, base, tmp_path, release):
    """The learner's then the instructor's steps (see the module docstring)."""

    # The start page: START.md rendered, only the workspace listed, no news pop-up.
    page.goto(f"{base}/?token={TOKEN}")
    page.wait_for_selector(".jp-RenderedMarkdown h1:text('Start here')", timeout=WAIT_MS)
    listed = page.locator(".jp-DirListing-itemName").all_inner_texts()
    assert {"course", "labs", "START.md"} <= set(listed), listed
    assert not {"solutions", "tests", "benchmarks", "grader"} & set(listed), listed
    assert page.locator(".jp-toast-message, .Toastify__toast").count() == 0
    shoot(page, tmp_path, "start-page.png")

    # A lecture, opened from the start page: opens unmodified, runs without error output, shows a figure.
    page.locator(".jp-RenderedMarkdown a", has_text=LECTURE).first.click()  # START.md's link
    wait_for_kernel(page)
    assert page.locator(".lm-TabBar-tab.jp-mod-current.jp-mod-dirty").count() == 0, \
        "opening the lecture modified it"
    run_all_and_wait(page)
    notebook = visible_notebook(page)
    errors = notebook.locator("[data-mime-type='application/vnd.jupyter.stderr']")
    assert errors.count() == 0, errors.all_inner_texts()[:3]
    assert notebook.locator(".jp-RenderedImage img").count() >= 1
    shoot(page, tmp_path, "lecture.png", publish=False)

    # A lab: answer task 1 with the solution's code, save, run "Check my work".
    answer = next(without_solution_markers(cell.source)
                  for cell in read_notebook(ROOT / "solutions" / LAB / f"{LAB}.ipynb").cells
                  if grade_id(cell) == "task1-bucket-answer")
    open_file(page, base, f"workspace/labs/{LAB}/{LAB}.ipynb")
    notebook = visible_notebook(page)
    editor = notebook.locator(".jp-CodeCell").filter(
        has_text="def create_encrypted_bucket").first.locator(".cm-content")
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(answer)
    page.keyboard.press("Escape")
    page.keyboard.press("Control+S")
    page.wait_for_function("() => !document.querySelector('.lm-TabBar-tab.jp-mod-current"
                           ".jp-mod-dirty')", timeout=WAIT_MS)
    check = notebook.locator(".jp-CodeCell").last
    check.locator(".cm-content").click()
    page.keyboard.press("Control+Enter")  # run in place (Shift+Enter would add a cell)
    output = check.locator(".jp-OutputArea")
    output.locator("text=Course progress").wait_for(timeout=WAIT_MS)
    text = output.inner_text()
    assert re.search(r"✓ task1-bucket-tests +visible checks pass, 3 points decided at grading",
                     text), text
    assert re.search(r"· task4-drift-tests +not answered yet \(2 points\)", text), text
    assert re.search(rf"{LAB} +1/6 answered", text), text
    assert "SelfCheckReport(" not in text, text
    check.scroll_into_view_if_needed()
    shoot(page, tmp_path, "check-my-work.png")

    # The Assignment List shows the release; Fetch puts it in workspace/assigned/.
    output, _ = release.communicate(timeout=WAIT_MS / 1000)
    assert release.returncode == 0, output
    page.click(".lm-MenuBar-itemLabel:text-is('Nbgrader')")
    page.click(".lm-Menu-itemLabel:text-is('Assignment List')")
    page.wait_for_selector("#released_assignments_list button:text-is('Fetch')")
    assert "error" not in visible_main_text(page).lower()
    page.click("#released_assignments_list button:text-is('Fetch')")
    page.wait_for_selector(f"#fetched_assignments_list :text('{LAB}')")
    assert "error" not in visible_main_text(page).lower()

    # The Formgrader lists the labs, lab 00 released.
    page.goto(f"{base}/formgrader?token={TOKEN}")
    page.wait_for_selector(f"a:text-is('{LAB}')", timeout=WAIT_MS)
    assert "error" not in page.inner_text("body").lower()
    assert "released" in page.locator("tr", has_text=LAB).first.inner_text()
    shoot(page, tmp_path, "formgrader.png")


def visible_main_text(page) -> str:
    """The text of the JupyterLab main area widget on screen."""
    return page.locator(".jp-MainAreaWidget:not(.lm-mod-hidden)").last.inner_text()
