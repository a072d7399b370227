"""Every kind round-trips through catalog import: the store's objects, written as YAML
and loaded back, are the same objects with the same fields. Not tied to any kind: a
new child kind (in the gtse seed, as tests/test_architecture.py asks) is covered as
soon as it is registered, and imports without a change to reconciler/importer/."""

from __future__ import annotations

from typing import Any

import pytest

from reconciler import connect, load_desired, read_live
from reconciler.importer import import_catalog, read_store_settings
from reconciler.resources import REGISTRY
from reconciler.resources.base import ResourceKind
from reconciler.store.config import StoreConfig


def nobody_set(kind: ResourceKind, name: str, value: Any) -> bool:
    """What import leaves out: no value, or the store's value for a field nobody set."""
    if value is None or value == "" or (isinstance(value, (list, dict)) and not value):
        return True
    default = kind.import_unset.get(name, ...)
    return isinstance(value, bool) == isinstance(default, bool) and value == default


def comparable(kind: ResourceKind, fields: dict[str, Any], obj=None) -> dict[str, Any]:
    """The fields a plan compares, as it compares them (sets sorted); YAML-only fields, the
    parent's fields held by child kinds and (of a live ``obj``) what the store made itself
    left out."""
    made = kind.import_made(obj) if obj is not None and kind.import_made else frozenset()
    return {name: sorted(value) if name in kind.set_fields else value for name, value in fields.items()
            if name not in kind.meta_fields | REGISTRY.child_fields(kind) | made and not nobody_set(kind, name, value)}


@pytest.fixture(scope="module")
def round_trip(sandbox_server, tmp_path_factory):
    """The gtse store read, imported, and the import loaded back: (live, desired)."""
    sandbox_server.reset(seed="gtse")
    sandbox_server.configure(quota=150, window_ms=30000, latency_ms=0)
    config = StoreConfig(api_url=sandbox_server.url, store_hash=sandbox_server.store_hash, token=sandbox_server.token)
    out = tmp_path_factory.mktemp("import") / "catalog"
    with connect(config, parallelism=4) as client:
        settings = read_store_settings(client)
        live = read_live(client, settings)
    import_catalog(live, settings, out)
    return live, load_desired(out)


CHILD_KINDS = [k for k in REGISTRY if k.parent and k.owner_field]


def test_there_are_child_kinds_to_check():
    assert len(CHILD_KINDS) >= 6


@pytest.mark.parametrize("kind", list(REGISTRY), ids=lambda k: k.name)
def test_each_kind_round_trips_through_import(round_trip, kind):
    live, desired = round_trip
    have = {k: comparable(kind, o.fields, o) for k, o in live.of(kind.name).items()}
    got = {k.casefold(): comparable(kind, o.fields) for k, o in desired.of(kind.name).items()}
    if kind in CHILD_KINDS:
        assert have, f"the gtse seed holds no {kind.plural}: add some, so their import is checked"
    assert sorted(got) == sorted(have)
    assert {k: v for k, v in got.items() if v != have[k]} == {k: v for k, v in have.items() if v != got[k]}


@pytest.mark.parametrize("kind", CHILD_KINDS, ids=lambda k: k.name)
def test_each_child_kind_is_written_inside_its_parent(round_trip, kind):
    live, desired = round_trip
    for obj in live.of(kind.name).values():
        parent = desired.get(kind.parent, obj.parent)
        assert parent is not None and parent.fields.get(kind.owner_field), (kind.name, obj.key)
