"""reconciler/importer/ names no kind: what differs per kind is an ``import_*`` field
of its ResourceKind, set in resources/<kind>.py (issue 13, "A complete ResourceKind")."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from reconciler.resources import REGISTRY

IMPORTER = Path(__file__).resolve().parents[2] / "reconciler" / "importer"
NAMES = {k.name for k in REGISTRY} | {k.plural for k in REGISTRY}


def docstrings(tree: ast.AST) -> set[int]:
    """The ids of the docstring nodes of ``tree`` (module, classes, functions)."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                out.add(id(first.value))
    return out


def kind_names_in(text: str) -> set[str]:
    """The kind names in a string literal: the literal itself ("product", "products/"), or a
    part of one without spaces ("products/{}.yaml"); prose ("names products use") is not a name."""
    if text.strip(" /.-:{}") in NAMES:
        return {text.strip(" /.-:{}")}
    if " " in text:
        return set()
    return {part for part in re.split(r"[^A-Za-z_]+", text) if part in NAMES}


def literals(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = docstrings(tree)
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip]


def test_the_scan_finds_kind_names():
    assert kind_names_in("product") == {"product"}
    assert kind_names_in("products/{}.yaml") == {"products"}
    assert kind_names_in("price_list") == {"price_list"}
    assert kind_names_in("by the names products and price lists use.") == set()
    assert kind_names_in("category_tree_id") == set()


def test_no_registered_kind_name_or_plural_is_a_string_literal_in_the_importer():
    found = [f"{path.name}:{line}: {text!r}" for path in sorted(IMPORTER.rglob("*.py"))
             for line, text in literals(path) if kind_names_in(text)]
    assert found == []
