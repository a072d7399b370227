"""Every registered kind is complete: the pieces the engine reads from a ResourceKind
are there and agree with each other, the schemas and the docs. A new kind missing one
fails here, by name, before any engine code meets it."""

from __future__ import annotations

import json

import pytest

from reconciler.resources import REGISTRY
from tests.arch.graph import ROOT

KINDS = list(REGISTRY.ordered())
SCHEMAS = ROOT / "schemas"
DOCS = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")


def schema_props(kind) -> dict:
    """The YAML properties of one object of ``kind`` (a child's: its owner field's items)."""
    if kind.parent is None:
        return json.loads((SCHEMAS / kind.schema).read_text())["properties"]
    owner = json.loads((SCHEMAS / REGISTRY[kind.parent].schema).read_text())["properties"][kind.owner_field]
    return (owner.get("items") or {}).get("properties") or {}


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_identity_endpoint_and_translations(kind):
    assert kind.name and kind.plural and kind.key, kind
    assert (SCHEMAS / kind.schema).is_file(), f"{kind.name}: schemas/{kind.schema} missing"
    assert kind.endpoint.startswith(f"/{kind.api_version}/"), (kind.name, kind.endpoint, kind.api_version)
    assert kind.from_live and kind.to_payload, f"{kind.name}: from_live and to_payload translate it"
    assert f"`reconciler/resources/{kind.name}.py`" in DOCS, f"{kind.name}: not in docs/architecture.md"


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_depends_on_names_registered_kinds(kind):
    assert set(kind.depends_on) <= {k.name for k in KINDS}, (kind.name, kind.depends_on)
    if kind.parent:
        assert kind.parent in {k.name for k in KINDS}
        assert REGISTRY.rank(kind.parent) < REGISTRY.rank(kind.name)
    for dep in set(kind.depends_on) - {kind.name}:
        assert REGISTRY.rank(dep) < REGISTRY.rank(kind.name), f"{kind.name} is applied before {dep}"


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_batch_sizes_are_declared_where_a_batch_endpoint_is_used(kind):
    for size in (kind.create_batch_size, kind.update_batch_size, kind.delete_batch_size):
        assert size is None or (isinstance(size, int) and size > 0), (kind.name, size)
    if kind.update_endpoint or kind.upsert_writer:
        assert kind.update_batch_size, f"{kind.name}: a batch endpoint needs its documented batch size"


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_server_owned_fields_cannot_be_written(kind):
    props = schema_props(kind)
    assert not set(kind.server_owned) & set(props), (kind.name, set(kind.server_owned) & set(props))
    assert kind.key in props or kind.parent and not props, f"{kind.name}: its key {kind.key!r} is not in its schema"


@pytest.mark.parametrize("kind", [k for k in KINDS if k.parent], ids=lambda k: k.name)
def test_a_sub_resource_says_how_it_is_derived_read_and_created(kind):
    assert kind.owner_field and kind.from_parent and kind.live_from_parent, kind.name
    assert kind.read_include or kind.read_apart or kind.settle_read, f"{kind.name}: how is it read?"
    if kind.created_with_parent:
        bundled = kind.bundle and kind.bundle_field
        rides = any(k.learn_created for k in KINDS if k.parent == kind.parent)
        assert bundled or rides, f"{kind.name}: created with its parent, but nothing puts it in the POST"


@pytest.mark.parametrize("kind", [k for k in KINDS if not k.parent], ids=lambda k: k.name)
def test_a_top_level_kind_has_a_file_to_import_into(kind):
    assert kind.import_file, f"{kind.name}: catalog import needs its import_file"
    assert kind.plural in json.loads((SCHEMAS / "catalog.schema.json").read_text())["properties"]


def test_a_kind_missing_a_piece_is_caught():
    import dataclasses

    broken = dataclasses.replace(REGISTRY["custom_field"], read_include=None)
    with pytest.raises(AssertionError):
        test_a_sub_resource_says_how_it_is_derived_read_and_created(broken)
    with pytest.raises(AssertionError):
        test_depends_on_names_registered_kinds(dataclasses.replace(REGISTRY["brand"], depends_on=("nothing",)))


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_kind_has_words_a_merchandiser_reads(kind):
    """Plans and PR comments name a kind by ``words`` (ResourceKind.label or name/plural with
    spaces): no snake_case identifier reaches a reader."""
    one, many = kind.words
    assert one and many and "_" not in one + many, (kind.name, kind.words)
