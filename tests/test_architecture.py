"""The floors of the package import only downwards (ARCHITECTURE.md), and no route module
imports another."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "backend" / "meclean"
HELPERS = {"meclean", "files", "text", "progress", "settings"}
"""Modules at the package's root that any floor may use."""
ALLOWED = {
    "data": set(),
    "ml": {"data"},
    "db": {"data"},
    "jobs": {"data", "ml", "db"},
    "services": {"data", "ml", "db", "jobs"},
    "api": {"data", "ml", "db", "jobs", "services"},
    "cli": {"data", "ml", "db", "jobs", "services", "api"},
}


def imported_modules(path: Path) -> list[str]:
    """The package's modules ``path`` imports; ``from meclean import x`` counts as
    ``meclean.x``, and a relative import as ``relative`` (the package imports absolutely)."""
    modules = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level:
            modules.append("meclean.relative")
        elif isinstance(node, ast.ImportFrom) and node.module == "meclean":
            # A module or floor by that name, or a name the package's root defines.
            modules.extend(
                f"meclean.{a.name}" if is_part(a.name) else "meclean" for a in node.names
            )
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.append(node.module)
        elif isinstance(node, ast.Import):
            modules.extend(alias.name for alias in node.names)
    return [m for m in modules if m == "meclean" or m.startswith("meclean.")]


def is_part(name: str) -> bool:
    return (PACKAGE / name).is_dir() or (PACKAGE / f"{name}.py").is_file()


def floor_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "meclean"


def test_every_part_of_the_package_is_a_known_floor_or_helper():
    parts = {p.stem for p in PACKAGE.iterdir() if p.suffix == ".py" or p.is_dir()}
    unknown = parts - set(ALLOWED) - HELPERS - {"__init__", "__main__", "__pycache__", "frontend"}
    assert unknown == set(), "add it to ALLOWED or HELPERS, and to ARCHITECTURE.md"


def test_each_floor_imports_only_the_floors_below_it():
    wrong = []
    for floor, allowed in ALLOWED.items():
        for path in (PACKAGE / floor).rglob("*.py"):
            for module in imported_modules(path):
                used = floor_of(module)
                if used not in allowed | HELPERS | {floor}:
                    wrong.append(f"{path.relative_to(PACKAGE)} imports {module}")
    assert wrong == []


def test_the_root_helpers_import_no_floor():
    for name in HELPERS - {"meclean"}:
        path = PACKAGE / f"{name}.py"
        assert all(floor_of(m) in HELPERS for m in imported_modules(path)), name


def test_no_route_module_imports_another():
    routers = PACKAGE / "api" / "routers"
    wrong = [
        f"{path.name} imports {module}"
        for path in routers.glob("*.py")
        for module in imported_modules(path)
        if module.startswith("meclean.api.routers")
    ]
    assert wrong == []
