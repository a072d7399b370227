"""Nothing outside reconciler/resources/<kind>.py branches on a kind's name.

Every string literal in the package's code (docstrings aside) is compared with the
registered kinds' names and plurals: a kind's name in engine code is behaviour that
belongs on its ResourceKind. The sandbox stands apart (it emulates the store and
knows its own resources; it imports nothing of the client).
"""

from __future__ import annotations

import ast

import pytest

from reconciler.resources import REGISTRY
from tests.arch.graph import PKG, ROOT

NAMES = {k.name for k in REGISTRY.ordered()} | {k.plural for k in REGISTRY.ordered()}
KIND_MODULES = {PKG / "resources" / f"{k.name}.py" for k in REGISTRY.ordered()}
# resources/__init__.py names the kinds once: LISTED, how kinds that do not depend on
# each other are listed (apply order itself comes from depends_on). resources/product_rules.py
# is resources/product.py's catalog rules, in a module of their own only for length.
ALLOWED = {PKG / "resources" / "__init__.py", PKG / "resources" / "product_rules.py"}
# Literals that are not kind names but spelled like one: (file, text).
SPELLED_ALIKE = {("plan/model.py", "customer_group")}   # the impact row's column in plan files


def _docstrings(tree: ast.AST) -> set[int]:
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = getattr(node, "body", [])
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                out.add(id(body[0].value))
    return out


def kind_names_in(path) -> list[tuple[int, str]]:
    """(line, literal) of every kind name written as a string in ``path``'s code."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _docstrings(tree)
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip
            and node.value in NAMES]


ENGINE = sorted(p for p in PKG.rglob("*.py")
                if p not in KIND_MODULES | ALLOWED and (PKG / "sandbox") not in p.parents)


@pytest.mark.parametrize("path", ENGINE, ids=lambda p: str(p.relative_to(PKG)))
def test_no_kind_name_outside_its_module(path):
    where = str(path.relative_to(PKG))
    assert [(line, text) for line, text in kind_names_in(path) if (where, text) not in SPELLED_ALIKE] == []


def test_the_scan_finds_kind_names(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text('"""brand"""\nif kind == "product":\n    pass\n')
    assert kind_names_in(probe) == [(2, "product")]
