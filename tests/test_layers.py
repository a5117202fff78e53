"""The engine's folders are layers and imports only point down (monitorlab/README.md).

A module may import from its own folder and from folders below it; ``stats`` imports nothing
from monitorlab; nothing imports the course glue (``monitorlab.course``).
"""

import ast
from pathlib import Path

import pytest

ENGINE = Path(__file__).resolve().parent.parent / "monitorlab"
#: bottom to top; a folder may import from any folder to its left, and from itself.
LAYERS = ["stats", "account", "serving", "monitoring", "maintenance", "operations", "security"]
#: operations and security sit side by side at the top: neither imports the other.
SIDE_BY_SIDE = {("operations", "security"), ("security", "operations")}


def engine_imports(path: Path) -> list[tuple[int, str]]:
    """(line, imported monitorlab module) for every import in one file; relative imports resolved."""
    package = path.relative_to(ENGINE.parent).with_suffix("").parts[:-1]
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1] + ((base,) if base else ()))
            found += [(node.lineno, f"{base}.{alias.name}" if base == "monitorlab" else base)
                      for alias in node.names]
    return [(line, name) for line, name in found if name.split(".")[0] == "monitorlab"]


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else None


def upward(importer: str, imported: str) -> bool:
    if imported == importer:
        return False
    if importer == "stats":
        return True
    if (importer, imported) in SIDE_BY_SIDE:
        return True
    return LAYERS.index(imported) > LAYERS.index(importer)


SOURCES = sorted(p for p in ENGINE.rglob("*.py"))


def test_every_engine_file_sits_in_a_layer_folder():
    loose = [p.name for p in ENGINE.glob("*.py") if p.name not in ("__init__.py", "course.py")]
    deep = [str(p.relative_to(ENGINE)) for p in SOURCES if len(p.relative_to(ENGINE).parts) > 2]
    assert not loose, f"engine modules outside a layer folder: {loose}"
    assert not deep, f"engine modules more than one folder deep: {deep}"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ENGINE)))
def test_imports_only_point_down(path):
    module = ".".join(path.relative_to(ENGINE.parent).with_suffix("").parts)
    importer = layer_of(module)
    problems = []
    for line, name in engine_imports(path):
        if name.startswith("monitorlab.course"):
            problems.append(f"line {line}: imports the course glue {name}")
            continue
        imported = layer_of(name)
        if importer and imported and upward(importer, imported):
            problems.append(f"line {line}: {importer} imports {name} from the {imported} layer above it")
    assert not problems, f"{path.relative_to(ENGINE)}: " + "; ".join(problems)


def test_the_checker_sees_an_upward_import(tmp_path):
    """The rule itself can fail: a stats module importing the account layer is caught."""
    assert upward("stats", "account") and upward("serving", "monitoring")
    assert not upward("monitoring", "stats") and not upward("security", "maintenance")
    assert upward("operations", "security") and upward("security", "operations")
