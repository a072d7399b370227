"""The catalog digest leaves out kinds with no objects: a kind added to the tool (a new
ResourceKind) changes no digest of a catalog that does not use it, so plans saved before
the upgrade still match their catalog."""

from __future__ import annotations

from reconciler.core.diagnostics import SourceRange
from reconciler.core.objects import DesiredObject
from reconciler.core.settings import StoreSettings
from reconciler.desired.load import digest
from reconciler.resources import REGISTRY, Registry
from reconciler.resources.base import ResourceKind

AT = SourceRange("catalog/brands.yaml", 1, 3)
STICKER = ResourceKind(name="sticker", plural="stickers", schema="product.schema.json", key="text",
                       endpoint="/v3/catalog/products/{parent_id}/stickers", depends_on=("product",),
                       parent="product", owner_field="stickers")


def _with_stickers() -> Registry:
    registry = Registry()
    for kind in REGISTRY:
        registry.register(kind)
    registry.register(STICKER)
    return registry


def test_a_kind_added_to_the_tool_does_not_change_the_digest_of_a_catalog_without_it():
    objects = {kind.name: {} for kind in REGISTRY}
    objects["brand"] = {"FixRight": DesiredObject("brand", "FixRight", {"name": "FixRight"}, AT)}
    assert digest(objects, StoreSettings(), registry=_with_stickers()) == digest(objects, StoreSettings())


def test_the_digest_still_changes_with_a_value():
    before = {"brand": {"FixRight": DesiredObject("brand", "FixRight", {"name": "FixRight"}, AT)}}
    after = {"brand": {"FixRight": DesiredObject("brand", "FixRight", {"name": "FixRight", "page_title": "x"}, AT)}}
    assert digest(before, StoreSettings()) != digest(after, StoreSettings())
