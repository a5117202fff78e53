"""pyproject.toml and environment.yml pin the same ranges; CI runs the README's test command."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _normalise(requirement: str) -> str:
    return re.sub(r"\s+", "", requirement).lower()


def environment_pip_requirements() -> set[str]:
    lines = (ROOT / "environment.yml").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "- pip:")
    items = [line.strip()[2:] for line in lines[start + 1:] if line.strip().startswith("- ")]
    return {_normalise(item) for item in items if item != "-e ."}


def test_environment_yml_mirrors_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {_normalise(r) for r in project["dependencies"] + project["optional-dependencies"]["dev"]}
    assert environment_pip_requirements() == declared
    python = project["requires-python"]
    assert f"python{python}" in _normalise((ROOT / "environment.yml").read_text())


def test_every_dependency_has_an_upper_bound():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for requirement in project["dependencies"] + project["optional-dependencies"]["dev"]:
        assert "<" in requirement, f"{requirement} needs an upper bound (compatible-release range)"


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    command = re.search(r"^make test$", readme, re.M)
    assert command, "README must name `make test` as the test command"
    ci = (ROOT / ".ci" / "run").read_text().strip().splitlines()
    assert ci[-1].strip() == "make test"


def test_notebooks_are_committed_without_outputs():
    import json

    for path in sorted(ROOT.glob("course/*.ipynb")) + sorted(ROOT.glob("solutions/*/*.ipynb")) \
            + sorted(ROOT.glob("labs/*/*.ipynb")):
        notebook = json.loads(path.read_text())
        for cell in notebook["cells"]:
            if cell["cell_type"] == "code":
                assert cell.get("outputs") == [] and cell.get("execution_count") is None, \
                    f"{path.relative_to(ROOT)} has outputs: run `python -m grader strip {path.relative_to(ROOT)}`"


def test_the_project_never_reads_shared():
    offenders = []
    for path in list(ROOT.glob("monitorlab/**/*.py")) + list(ROOT.glob("grader/**/*.py")) \
            + list(ROOT.glob("course/*.ipynb")) + list(ROOT.glob("solutions/*/*.ipynb")):
        if "../shared" in path.read_text() or "/work/shared" in path.read_text():
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
