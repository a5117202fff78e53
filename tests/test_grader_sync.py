"""The committed labs/ are exactly what `python -m grader generate` makes of solutions/."""

from pathlib import Path

from grader.sync import check_sync

ROOT = Path(__file__).resolve().parent.parent


def test_labs_are_in_sync_with_solutions():
    differences = check_sync(ROOT)
    assert not differences, (
        "labs/ differs from what generate makes of solutions/:\n"
        + "\n".join(str(d) for d in differences)
        + "\nFix: python -m grader generate (or make labs), then commit labs/.")
