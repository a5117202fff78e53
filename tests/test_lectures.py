"""Lecture text: facts corrected in review (issue 15) stay corrected, and every lecture keeps its
lighter path (exam essentials near the top, optional deep dives, ungraded quick checks, minutes
measured at a stated reading pace and matching the README syllabus)."""

import json
import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LECTURES = sorted((ROOT / "course").glob("[0-9][0-9]_*.ipynb"))


def text(path: Path, kind: str | None = None) -> str:
    cells = json.loads(path.read_text())["cells"]
    return "\n".join("".join(c["source"]) for c in cells if kind in (None, c["cell_type"]))


def lecture(prefix: str) -> Path:
    return next(p for p in LECTURES if p.name.startswith(prefix))


def moto_range() -> str:
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    moto = next(d for d in dependencies if d.startswith("moto"))
    return moto.split("]", 1)[1]


def test_the_moto_version_in_the_text_is_the_installed_range():
    assert moto_range() == ">=5.2.5,<5.3"
    for path in (ROOT / "README.md", lecture("00_")):
        body = path.read_text() if path.suffix == ".md" else text(path)
        assert f"`{moto_range()}`" in body, f"{path.name} must state moto's range {moto_range()}"
        assert not re.search(r"moto 5\.2\.5 (stores|does)", body), f"{path.name} names one version"


def test_forward_references_name_modules_that_exist():
    allowed = {f"{n:02d}" for n in range(11)}
    for path in LECTURES:
        body = text(path, "markdown")
        for number in re.findall(r"\bmodules? (\d\d)", body):
            assert number in allowed, f"{path.name} refers to module {number}"
        for vague in ("security module", "of a later module", "module 08's"):
            assert vague not in body, f"{path.name}: '{vague}': name the module (08, 09 or 10)"


def test_low_volume_drift_risk_is_told_per_comparison_method():
    capture = text(lecture("01_"))
    assert "185" in capture and "**Simple**" in capture and "missed drift" in capture
    assert "false alarms likely" not in capture
    assert "Simple" in text(lecture("02_")) and "185" in text(lecture("02_"))
    assert "Robust never\nfires on noise" in text(lecture("03_"))


def test_corrected_aws_statements():
    assert "within a minute" not in text(lecture("00_"))
    assert "DatapointsToAlarm" in text(lecture("00_"), "markdown")
    for prefix in ("04_", "06_"):
        assert "engine's choice" in text(lecture(prefix), "markdown"), f"lecture {prefix}: threshold"
    drift = text(lecture("03_"), "markdown")
    assert "`NOW`" in drift and "DataAnalysisStartTime" in drift
    assert "chi-square cannot see new categories" not in drift
    assert "AWS documents `ChiSquared` only" in drift


# --------------------------------------------------------------------------------------------
# The lighter path
# --------------------------------------------------------------------------------------------

#: Reading pace used for the stated minutes: technical prose at 200 words a minute, code at 8
#: non-comment lines a minute, and 15 seconds per code cell to run it and look at its output.
WORDS_PER_MINUTE, CODE_LINES_PER_MINUTE, MINUTES_PER_CODE_CELL = 200, 8, 0.25
#: Every lecture has its lighter path (issue 15).
LIGHT = [p.name[:3] for p in LECTURES]


def cells(path: Path) -> list[dict]:
    return json.loads(path.read_text())["cells"]


def heading_level(cell: dict) -> int:
    """Level of the heading the markdown cell starts with (0 if none)."""
    first = "".join(cell["source"]).lstrip().split("\n", 1)[0]
    match = re.match(r"(#+) ", first)
    return len(match.group(1)) if cell["cell_type"] == "markdown" and match else 0


def optional_flags(path: Path) -> list[bool]:
    """True for cells inside an optional deep dive: from a heading naming "Optional deep dive" to
    the next heading of the same or a higher level."""
    flags, level = [], 0
    for cell in cells(path):
        here = heading_level(cell)
        if here and level and here <= level:
            level = 0
        if here and "Optional deep dive" in "".join(cell["source"]).split("\n", 1)[0]:
            level = here
        flags.append(bool(level))
    return flags


def minutes(path: Path, *, essentials_only: bool = False) -> float:
    """Reading time at the pace above (optional deep dives left out with ``essentials_only``)."""
    total = 0.0
    for cell, optional in zip(cells(path), optional_flags(path)):
        if essentials_only and optional:
            continue
        body = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            total += len(body.split()) / WORDS_PER_MINUTE
        else:
            code = [line for line in body.splitlines() if line.strip() and not line.strip().startswith("#")]
            total += len(code) / CODE_LINES_PER_MINUTE + MINUTES_PER_CODE_CELL
    return total


def stated(path: Path) -> tuple[int, int]:
    """(full, essentials) minutes as the lecture states them near its top."""
    top = "\n".join("".join(c["source"]) for c in cells(path)[:3])
    match = re.search(r"about (\d+) minutes\W[^\n]*?essentials path about (\d+)", top, re.IGNORECASE)
    assert match, f"{path.name}: state 'about N minutes ... essentials path about M' near the top"
    return int(match.group(1)), int(match.group(2))


def nearest_five(value: float) -> int:
    return max(5, int(5 * round(value / 5)))


@pytest.mark.parametrize("prefix", LIGHT)
def test_exam_essentials_near_the_top(prefix):
    path = lecture(prefix)
    top = [("".join(c["source"])) for c in cells(path)[:3] if c["cell_type"] == "markdown"]
    assert any("Exam essentials" in body for body in top), f"{path.name}: essentials in the first 3 cells"


@pytest.mark.parametrize("prefix", LIGHT)
def test_optional_deep_dives_are_marked_and_skippable(prefix):
    path = lecture(prefix)
    flags = optional_flags(path)
    assert any(flags), f"{path.name}: mark at least one section 'Optional deep dive'"
    assert not flags[-1], f"{path.name}: the recap must stay on the main path"
    assert minutes(path, essentials_only=True) < minutes(path)


@pytest.mark.parametrize("prefix", LIGHT)
def test_two_or_three_ungraded_quick_checks_on_the_main_path(prefix):
    path = lecture(prefix)
    checks = [(c, optional) for c, optional in zip(cells(path), optional_flags(path))
              if c["cell_type"] == "code" and "quick_check(" in "".join(c["source"])]
    assert 2 <= len(checks) <= 3, f"{path.name}: {len(checks)} quick checks"
    for cell, optional in checks:
        body = "".join(cell["source"])
        assert not optional and "answer = None" in body
        assert "nbgrader" not in cell["metadata"], "quick checks are ungraded: no nbgrader metadata"


@pytest.mark.parametrize("prefix", LIGHT)
def test_stated_minutes_are_measured_and_match_the_syllabus(prefix):
    path = lecture(prefix)
    full, essentials = stated(path)
    assert full == nearest_five(minutes(path)), f"{path.name}: measured {minutes(path):.1f} min"
    assert essentials == nearest_five(minutes(path, essentials_only=True))
    row = next(line for line in (ROOT / "README.md").read_text().splitlines()
               if line.startswith(f"| {prefix[:2]} |"))
    total, lecture_minutes, lab_minutes = map(int, re.search(r"(\d+) \(lecture (\d+) \+ lab (\d+)\)", row).groups())
    assert lecture_minutes == full, f"README syllabus row {prefix[:2]}: lecture {full} minutes"
    assert total == lecture_minutes + lab_minutes
