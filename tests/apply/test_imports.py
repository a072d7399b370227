"""apply/ has no import cycle, and the kinds' writers reach apply only through core."""

from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[2] / "reconciler"


def _imports(path: Path) -> set[str]:
    """Modules imported at run time (not under ``if TYPE_CHECKING:``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If)
            and getattr(node.test, "id", None) == "TYPE_CHECKING" for n in ast.walk(node)}
    out = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
            out |= {f"{node.module}.{a.name}" for a in node.names}
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
    return out


def test_no_import_cycle_in_apply():
    graph = {f"reconciler.apply.{p.stem}": {m for m in _imports(p) if m.startswith("reconciler.apply.")}
             for p in (PKG / "apply").glob("*.py") if p.stem != "__init__"}
    done: set[str] = set()

    def visit(module: str, path: tuple[str, ...]) -> None:
        assert module not in path, " -> ".join((*path, module))
        if module in done or module not in graph:
            return
        for dep in graph[module]:
            visit(dep, (*path, module))
        done.add(module)

    for module in graph:
        visit(module, ())


def test_resources_import_nothing_of_apply():
    for path in (PKG / "resources").glob("*.py"):
        assert not [m for m in _imports(path) if m.startswith("reconciler.apply")], path.name
