"""Shared pytest configuration for the MonitorLab test suite (keep it small; add fixtures below).

How ``make test`` spreads the suite over two cores (``pytest -n 2 --dist loadfile
--no-loadscope-reorder``, see the Makefile):

* every test module is one unit of work, so a module-scoped fixture, such as a batch of graded
  submissions, is built once, not once per worker (``loadgroup`` would allow finer units, but
  pytest-xdist 3.8 marks a group by rewriting ``item._nodeid``, which pytest 9 no longer reads);
* the modules are handed out heaviest first (``HEAVY_FIRST``: the ones that grade notebooks, run
  notebooks or a browser), so no long module starts last while the other core sits idle.
"""

import pytest

HEAVY_FIRST = ("test_notebooks.py", "test_lab", "test_trusted_grading.py", "test_grader_scale.py",
               "test_grader_pipeline.py", "test_browser.py", "test_grading_proofs.py")


def _weight(item: pytest.Item) -> int:
    """0 for the heaviest kind of module, then in ``HEAVY_FIRST`` order, the rest last."""
    name = item.path.name
    for rank, prefix in enumerate(HEAVY_FIRST):
        if name.startswith(prefix):
            return rank
    return len(HEAVY_FIRST)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Put the heavy modules first (a stable sort: each module's tests keep their order)."""
    items.sort(key=_weight)
