"""The layout ARCHITECTURE.md describes holds in the code: few modules at the top, none too
long, each part using only the parts below it, and modules using each other's public names."""

import ast
from pathlib import Path

from support.paths import ROOT

PLANNER = ROOT / "planner"
#: What each part of planner/ may import (ARCHITECTURE.md, "What may depend on what"). Imports
#: under `if TYPE_CHECKING:` are annotations only and do not count.
MAY_USE = {
    "errors": set(),
    "gcpause": set(),
    "plan": {"errors", "gcpause"},
    "language": {"errors", "plan"},
    "rules": {"errors", "gcpause", "plan", "language"},
    "scheduling": {"errors", "gcpause", "plan", "language", "rules"},
    "exports": {"errors", "gcpause", "plan", "language", "rules"},
    "imports": {"errors", "gcpause", "plan", "language", "rules"},
    "storage": {"errors", "gcpause", "plan", "language", "rules", "imports"},
    "sharing": {"errors", "gcpause", "plan", "language", "rules", "scheduling", "exports", "imports", "storage"},
    "cli": {"errors", "gcpause", "plan", "language", "rules", "scheduling", "exports", "imports", "storage", "sharing"},
    "__init__": {"errors", "plan", "rules"},
    "__main__": {"cli"},
}


def _modules(*folders: Path) -> list[Path]:
    return sorted(path for folder in folders for path in folder.rglob("*.py") if "migrations" not in path.parts)


def _runtime_imports(tree: ast.Module) -> list[ast.ImportFrom | ast.Import]:
    """The module's imports, leaving out those under `if TYPE_CHECKING:`."""
    skipped = {
        id(node)
        for block in ast.walk(tree)
        if isinstance(block, ast.If) and isinstance(block.test, ast.Name) and block.test.id == "TYPE_CHECKING"
        for statement in block.body
        for node in ast.walk(statement)
    }
    return [node for node in ast.walk(tree) if isinstance(node, ast.Import | ast.ImportFrom) and id(node) not in skipped]


def _part(path: Path) -> str:
    relative = path.relative_to(PLANNER)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def test_few_modules_at_the_top_and_none_too_long():
    assert len(list(PLANNER.glob("*.py"))) <= 8
    long = {
        str(path.relative_to(ROOT)): lines
        for path in _modules(PLANNER, ROOT / "views")
        if (lines := len(path.read_text().splitlines())) > 600
    }
    assert long == {}


def test_each_part_uses_only_the_parts_below_it():
    found = []
    for path in _modules(PLANNER):
        part = _part(path)
        for node in _runtime_imports(ast.parse(path.read_text())):
            names = [node.module] if isinstance(node, ast.ImportFrom) else [alias.name for alias in node.names]
            for name in names:
                if name and name.startswith("planner."):
                    used = name.split(".")[1]
                    if used != part and used not in MAY_USE[part]:
                        found.append(f"{path.relative_to(ROOT)}:{node.lineno} {part} -> {used}")
    assert found == []


def test_the_library_never_imports_streamlit():
    found = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in _modules(PLANNER)
        for node in _runtime_imports(ast.parse(path.read_text()))
        for name in ([node.module] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names])
        if name and name.split(".")[0] == "streamlit"
    ]
    assert found == []


def test_modules_use_each_others_public_names_only():
    found = []
    for path in _modules(PLANNER, ROOT / "views") + [ROOT / "home.py", ROOT / "app.py"]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in ("planner", "views"):
                found += [
                    f"{path.relative_to(ROOT)}:{node.lineno} {alias.name}" for alias in node.names if alias.name.startswith("_")
                ]
    assert found == []


def test_every_module_says_what_it_is_for():
    assert [str(path.relative_to(ROOT)) for path in _modules(PLANNER) if not ast.get_docstring(ast.parse(path.read_text()))] == []
