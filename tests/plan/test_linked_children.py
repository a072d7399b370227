"""A child kind's ``owner_field`` is one of its parent's ``child_fields`` without the
parent's module naming it (``Registry.link_children``): a new child kind needs no line
in its parent's module for the parent's diff to leave its list to the child kind."""

from __future__ import annotations

import dataclasses

from reconciler.resources import REGISTRY, Registry


def test_link_children_adds_each_child_kinds_owner_field_to_its_parent():
    parent = dataclasses.replace(REGISTRY["product"], child_fields=frozenset({"variants"}))
    child = dataclasses.replace(REGISTRY["custom_field"], name="sticker", plural="stickers", owner_field="stickers")
    registry = Registry()
    registry.register(child)           # a child may register before its parent (modules load by name)
    registry.register(parent)
    registry.link_children()
    assert registry["product"].child_fields == {"variants", "stickers"}
    assert registry["product"] is parent


def test_every_child_kind_of_the_package_is_linked():
    for kind in REGISTRY:
        if kind.parent and kind.owner_field:
            assert kind.owner_field in REGISTRY[kind.parent].child_fields, kind.name
