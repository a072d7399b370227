"""A child kind's owner field is its parent's child field without a line in the parent's
module: ``Registry.child_fields`` adds every registered child kind's ``owner_field`` to
what the parent declares, and the planner never diffs or creates it as the parent's own."""

from __future__ import annotations

from decimal import Decimal

from reconciler.core.diagnostics import SourceRange
from reconciler.core.live import LiveObject, LiveState
from reconciler.core.objects import DesiredObject
from reconciler.core.settings import StoreSettings
from reconciler.desired.model import DesiredState
from reconciler.plan.diff import build_plan
from reconciler.plan.model import Action
from reconciler.resources import REGISTRY, Registry
from reconciler.resources.base import ResourceKind

AT = SourceRange("catalog/products/p.yaml", 1, 3)

STICKER = ResourceKind(
    name="sticker", plural="stickers", schema="product.schema.json", key="text",
    endpoint="/v3/catalog/products/{parent_id}/stickers", depends_on=("product",),
    parent="product", owner_field="stickers",
    from_parent=lambda product, settings: [],
    from_live=lambda obj, refs: {"text": obj.get("text")},
)


def registry_with_stickers() -> Registry:
    registry = Registry()
    for kind in REGISTRY:
        registry.register(kind)
    registry.register(STICKER)
    return registry


def test_child_fields_are_the_declared_ones_and_every_child_kinds_owner_field():
    registry = registry_with_stickers()
    product = registry["product"]
    assert registry.child_fields(product) == REGISTRY.child_fields(product) | {"stickers"}
    assert "stickers" not in REGISTRY.child_fields(product)
    assert REGISTRY.child_fields(REGISTRY["brand"]) == frozenset()
    for kind in REGISTRY:
        assert {k.owner_field for k in REGISTRY if k.parent == kind.name} <= REGISTRY.child_fields(kind)


def _desired(fields: dict) -> DesiredState:
    product = DesiredObject("product", fields["sku"], fields, AT)
    return DesiredState(objects={"product": {product.key: product}}, store=StoreSettings(), files=[], digest="")


def test_a_new_child_kinds_owner_field_is_not_diffed_as_the_parents_field():
    fields = {"sku": "CT-S", "name": "Ties", "price": Decimal("2.50"), "stickers": [{"text": "New"}]}
    live = LiveState()
    live.add(LiveObject("product", "CT-S", 1, {k: v for k, v in fields.items() if k != "stickers"}))
    plan = build_plan(_desired(fields), live, registry=registry_with_stickers())
    assert [c.action for c in plan.changes if c.kind == "product"] in ([], [Action.NOOP])


def test_a_new_parents_create_does_not_carry_the_child_kinds_field():
    fields = {"sku": "CT-S", "name": "Ties", "type": "physical", "weight": 1, "price": Decimal("2.50"),
              "stickers": [{"text": "New"}]}
    plan = build_plan(_desired(fields), LiveState(), registry=registry_with_stickers())
    create = next(c for c in plan.changes if c.kind == "product")
    assert create.action is Action.CREATE and "stickers" not in create.after
