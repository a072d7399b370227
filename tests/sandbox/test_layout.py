"""The sandbox's layout (moto's shape): the import graph of ``reconciler.sandbox``, read
from the source with ``ast``, has no cycle, and ``core/`` imports no service folder.

An import counts where it runs: at module level or in a function, not under
``if TYPE_CHECKING:``. Importing ``a.b.c`` also runs ``a`` and ``a.b``, so each import
is an edge to the module and to every package above it (inside the sandbox)."""

from __future__ import annotations

import ast
from pathlib import Path

import reconciler.sandbox

ROOT = Path(reconciler.sandbox.__file__).parent
PACKAGE = "reconciler.sandbox"
SERVICES = ("catalog", "channels", "pricelists", "customer_groups", "hooks")


def _name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join((PACKAGE, *(parts[:-1] if parts[-1] == "__init__" else parts)))


MODULES = {_name(p): p for p in ROOT.rglob("*.py")}


def _type_checking_only(tree: ast.Module) -> set[ast.AST]:
    out: set[ast.AST] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            out.update(n for stmt in node.body for n in ast.walk(stmt))
    return out


def _targets(module: str, node: ast.AST) -> list[str]:
    """The sandbox modules an import statement names (a ``from`` import's names that are
    modules count as modules)."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    assert isinstance(node, ast.ImportFrom)
    if node.level:
        package = module if MODULES[module].name == "__init__.py" else module.rsplit(".", 1)[0]
        base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
        base = f"{base}.{node.module}" if node.module else base
    else:
        base = node.module or ""
    return [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]


def _with_parents(target: str) -> set[str]:
    parts = target.split(".")
    return {".".join(parts[:i]) for i in range(1, len(parts) + 1)} & set(MODULES)


def graph() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = _type_checking_only(tree)
        found: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)) and node not in skip:
                for target in _targets(module, node):
                    found |= _with_parents(target)
        edges[module] = found - {module}
    return edges


def _cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a path of modules, or None (depth-first search)."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_graph_sees_the_imports():
    edges = graph()
    assert f"{PACKAGE}.core.storage" in edges[f"{PACKAGE}.catalog.products"]
    assert f"{PACKAGE}.catalog.service" in edges[f"{PACKAGE}.store"]
    assert f"{PACKAGE}.core.app" not in edges[f"{PACKAGE}.core.control"]   # TYPE_CHECKING only
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_no_import_cycle_in_the_sandbox():
    assert _cycle(graph()) is None


def test_core_imports_no_service_folder():
    services = {f"{PACKAGE}.{s}" for s in SERVICES} | {f"{PACKAGE}.store"}
    bad = {module: sorted(t for t in targets if t in services or t.rsplit(".", 1)[0] in services)
           for module, targets in graph().items() if module.startswith(f"{PACKAGE}.core")}
    assert {m: t for m, t in bad.items() if t} == {}


def test_every_service_folder_has_its_urls_responses_and_service():
    for service in SERVICES:
        for part in ("urls", "responses", "service"):
            assert f"{PACKAGE}.{service}.{part}" in MODULES, (service, part)


def test_the_storage_names_no_kind():
    """Storage is generic: kinds declare their key columns, ids and seeds to it."""
    tree = ast.parse((ROOT / "core" / "storage.py").read_text(encoding="utf-8"))
    docstrings = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Expr)}
    strings = {n.value for n in ast.walk(tree)
               if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings}
    assert strings & {"product", "variant", "price_record", "brand", "category", "hook", "sku"} == set()
