"""Nothing in the planner or the desired pricing rules branches on a kind's name.

What differs per kind (which fields are prices, who sees a price, how a child is
shown, which money checks run) is a field or callable on ``ResourceKind``, set in
``reconciler/resources/<kind>.py``. This scan finds any registered kind name
written as a string literal (docstrings aside) in the modules that read those
facts, so ``if change.kind == "price_record"`` cannot come back unnoticed.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from reconciler.resources import REGISTRY

ROOT = Path(__file__).resolve().parents[2]
SCANNED = sorted((ROOT / "reconciler" / "plan").glob("*.py")) + [
    ROOT / "reconciler" / "desired" / name for name in ("pricing.py", "rules.py", "validate.py")]
# Module-level constants whose value is spelled like a kind but is something else.
ALLOWED = {
    ("reconciler/plan/model.py", "IMPACT_GROUP"),   # Plan.impact's column, a field of the plan file
}


def kind_literals(source: str, path: str = "<source>", names: frozenset[str] | None = None) -> list[str]:
    """``path:line: 'name'`` for each string literal in ``source`` equal to a kind name."""
    names = names if names is not None else frozenset(k.name for k in REGISTRY)
    tree = ast.parse(source)
    skip = {id(node) for node in _docstrings(tree)} | {id(node) for node in _allowed(tree, path)}
    return [f"{path}:{node.lineno}: {node.value!r}" for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and node.value in names and id(node) not in skip]


def _docstrings(tree: ast.Module) -> list[ast.Constant]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.append(first.value)
    return found


def _allowed(tree: ast.Module, path: str) -> list[ast.AST]:
    return [node.value for node in tree.body
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
            and (path, node.targets[0].id) in ALLOWED]


@pytest.mark.parametrize("path", SCANNED, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_kind_name_literals(path):
    rel = str(path.relative_to(ROOT))
    assert kind_literals(path.read_text(encoding="utf-8"), rel) == []


def test_the_scan_finds_a_kind_branch_and_skips_docstrings():
    source = '''"""Prices of a "product" and a variant."""
def f(change):
    """Only "variant" changes."""
    if change.kind == "variant":
        return {"price_record": 1}
    return f"product {change.key}"
'''
    assert kind_literals(source) == ["<source>:4: 'variant'", "<source>:5: 'price_record'"]


def test_only_the_listed_constant_is_allowed():
    source = 'IMPACT_GROUP = "customer_group"\nOTHER = "customer_group"\n'
    assert kind_literals(source, "reconciler/plan/model.py") == ["reconciler/plan/model.py:2: 'customer_group'"]
