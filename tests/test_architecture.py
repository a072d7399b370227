"""The import rules and the completeness of every resource kind."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from reconciler.resources import REGISTRY

PKG = Path(__file__).resolve().parents[1] / "reconciler"
ROOT = PKG.parent


def imports_of(folder: str) -> dict[str, set[str]]:
    out = {}
    for path in (PKG / folder).rglob("*.py"):
        names = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module)
        out[str(path.relative_to(ROOT))] = names
    return out


@pytest.mark.parametrize("folder, forbidden", [
    ("plan", ("reconciler.store", "reconciler.apply", "reconciler.sandbox", "requests")),
    ("desired", ("reconciler.store", "reconciler.apply", "reconciler.plan", "reconciler.sandbox", "requests")),
    ("sandbox", ("reconciler.plan", "reconciler.apply", "reconciler.store", "reconciler.resources",
                 "reconciler.desired", "reconciler.core.live")),
    ("apply", ("reconciler.sandbox", "requests")),
])
def test_import_rules(folder, forbidden):
    bad = {f: sorted(m for m in mods if m.startswith(forbidden)) for f, mods in imports_of(folder).items()}
    assert {f: m for f, m in bad.items() if m} == {}


def test_only_the_transport_imports_requests():
    users = {f for f, mods in imports_of(".").items() if "requests" in mods or "requests.adapters" in mods}
    # the store is reached through its transport only; the drift receiver's dispatch and the
    # CI commands' client go to GitHub (a different API, their own errors), never to the store
    assert users <= {"reconciler/store/transport.py", "reconciler/webhooks/receiver.py",
                     "reconciler/ci/github.py"}, users


SEED = PKG / "sandbox" / "seeds" / "gtse.json"


@pytest.mark.parametrize("kind", [k for k in REGISTRY.ordered() if k.parent], ids=lambda k: k.name)
def test_every_sub_resource_kind_is_complete(kind):
    parent = REGISTRY[kind.parent]
    schema = json.loads((ROOT / "schemas" / parent.schema).read_text())
    assert kind.owner_field in schema["properties"], f"{kind.name}: {parent.schema} has no {kind.owner_field!r}"
    assert kind.owner_field in parent.child_fields
    assert kind.from_parent and kind.live_from_parent and kind.from_live and kind.to_payload
    # Fixture data: some product in the gtse seed carries this sub-resource
    # (options come with variants, channel assignments as channels).
    seed_field = {"option": "variants", "channel_assignment": "channels"}.get(kind.name, kind.owner_field)
    assert any(p.get(seed_field) for p in json.loads(SEED.read_text())[parent.plural]), kind.name
    assert f"`reconciler/resources/{kind.name}.py`" in (ROOT / "docs" / "architecture.md").read_text()


@pytest.mark.parametrize("kind", [k for k in REGISTRY.ordered() if not k.parent], ids=lambda k: k.name)
def test_every_kind_is_complete(kind):
    schema = ROOT / "schemas" / kind.schema
    assert schema.is_file(), f"{kind.name}: missing {schema}"
    catalog_schema = json.loads((ROOT / "schemas" / "catalog.schema.json").read_text())
    assert kind.plural in catalog_schema["properties"], f"{kind.name}: not in catalog.schema.json"
    seed = json.loads(SEED.read_text())
    assert seed.get(kind.plural), f"{kind.name}: no fixture data in the gtse seed"
    assert kind.from_live and kind.to_payload
    assert f"`reconciler/resources/{kind.name}.py`" in (ROOT / "docs" / "architecture.md").read_text()


@pytest.mark.parametrize("module", ["reconciler.core.live", "reconciler.resources", "reconciler.store.read",
                                    "reconciler.plan.diff", "reconciler.apply.executor", "reconciler.desired.load",
                                    "reconciler.sandbox", "reconciler.cli"])
def test_every_module_imports_first(module):
    """Each module can be a program's first import of the package (no import cycle that
    only works in one order)."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
