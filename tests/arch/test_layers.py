"""Import rules, computed from the source: no cycle anywhere in the package, and
the layers import only downwards.

    cli
    ci                                (the GitHub side of CI: comments, labels, reviewed plans)
    views
    reconciler (the package's own __init__: connect, apply_saved_plan)
    apply
    plan | importer | webhooks        (side by side: none imports another)
    desired | store                   (side by side)
    resources                         (the kinds: imports only core)
    core                              (imports nothing of the package above it)

The sandbox stands apart: the store it emulates is reached over HTTP only, so it
imports nothing of the client and the client nothing of it (the CLI starts it).
"""

from __future__ import annotations

import pytest

from tests.arch.graph import cycles, graph

LAYERS = [
    ["reconciler.core"],
    ["reconciler.resources"],
    ["reconciler.desired", "reconciler.store"],
    ["reconciler.plan", "reconciler.importer", "reconciler.webhooks"],
    ["reconciler.apply"],
    ["reconciler"],
    ["reconciler.views"],
    ["reconciler.ci"],
    ["reconciler.cli"],
]
SANDBOX = "reconciler.sandbox"


def owner(module: str) -> str:
    """The layer entry a module belongs to (its package below ``reconciler``)."""
    parts = module.split(".")
    return ".".join(parts[:2])


def level(module: str) -> int:
    top = owner(module)
    for i, names in enumerate(LAYERS):
        if top in names:
            return i
    raise AssertionError(f"{module}: in no layer of tests/arch/test_layers.py; place it there")


GRAPH = graph()


def test_no_import_cycle_anywhere_in_the_package():
    assert cycles(GRAPH) == []


def test_every_module_has_a_layer():
    for module in GRAPH:
        if owner(module) != SANDBOX:
            level(module)


@pytest.mark.parametrize("module", sorted(m for m in GRAPH if owner(m) != SANDBOX))
def test_layers_import_only_downwards(module):
    mine = level(module)
    wrong = sorted(m for m in GRAPH[module] if owner(m) != owner(module)
                   and (owner(m) == SANDBOX and owner(module) != "reconciler.cli" or
                        owner(m) != SANDBOX and level(m) >= mine))
    assert wrong == [], f"{module} (layer {LAYERS[mine]}) imports {wrong}"


@pytest.mark.parametrize("module", sorted(m for m in GRAPH if owner(m) == SANDBOX))
def test_the_sandbox_imports_nothing_of_the_client(module):
    assert sorted(m for m in GRAPH[module] if owner(m) != SANDBOX) == []


def test_the_graph_sees_imports():
    """The checks above see real edges (a graph with none would pass them all)."""
    assert "reconciler.core.live" in GRAPH["reconciler.store.build"]
    assert "reconciler.resources.registry" in GRAPH["reconciler.resources.product"]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
