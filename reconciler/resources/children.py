"""Sub-resources in YAML: a product's variants, options, custom fields and channels.

They are written inside the product; the engine handles each as its own kind
(so variant updates batch across products), with ``parent`` pointing back at the
product. ``expand_children`` derives them once the YAML is loaded and valid.

    >>> # product CT-BLK100 with variants: [{sku: CT-BLK100-2.5, ...}] becomes
    >>> # desired.get("variant", "CT-BLK100-2.5").parent == "CT-BLK100"
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from reconciler.core.objects import DesiredObject

from reconciler.core.settings import StoreSettings
from reconciler.resources.registry import REGISTRY, Registry


def expand_children(objects: dict[str, dict[str, DesiredObject]], settings: StoreSettings,
                    registry: Registry = REGISTRY) -> None:
    """Add the child kinds' objects, derived from their parents, to ``objects`` in place."""
    for kind in registry.ordered():
        if not kind.parent or not kind.from_parent:
            continue
        found: dict[str, DesiredObject] = {}
        for parent in objects.get(kind.parent, {}).values():
            for child in kind.from_parent(parent, settings):
                found.setdefault(child.key, child)
        objects[kind.name] = found
    _GROUPED.clear()


def child(kind: str, key: str, parent: DesiredObject, path: str, fields: dict[str, Any]) -> DesiredObject:
    """A DesiredObject for a sub-resource written at ``path`` ("variants.0") inside ``parent``.

    A loaded parent's child shares the parent's positions: it points at the node
    ``path`` was built as (desired/sources.py), nothing is copied.
    """
    found = parent.node_of(path)
    if found is not None:
        table, node, value = found
        return DesiredObject.located(kind, key, fields, None, table, node, value, parent=parent.key)
    sources = _by_prefix(parent).get(path, {})
    return DesiredObject(kind=kind, key=key, fields=fields, source=parent.source_of(path),
                         field_sources=sources, parent=parent.key)


_GROUPED: dict[int, tuple[DesiredObject, dict[str, dict]]] = {}


def _by_prefix(parent: DesiredObject) -> dict[str, dict]:
    """The positions of a parent built by hand (a plain ``field_sources`` dict), grouped
    by their first two path segments, computed once per parent (a product with 600
    variants would otherwise be scanned 600 times)."""
    hit = _GROUPED.get(id(parent))
    if hit is not None and hit[0] is parent:
        return hit[1]
    groups: dict[str, dict] = {}
    for p, src in parent.field_sources.items():
        parts = p.split(".", 2)
        if len(parts) == 3:
            groups.setdefault(f"{parts[0]}.{parts[1]}", {})[parts[2]] = src
    _GROUPED[id(parent)] = (parent, groups)   # until expand_children ends
    return groups


def text(value: Any) -> str:
    """Option labels and custom field values are text; YAML may have read 4.8 as a number."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def all_of_parent(client, kind, key: str, name: str, parent_id, settings) -> list[dict]:
    """``ResourceKind.find_rows`` of a sub-resource with no filter by name: all of the
    parent's (a product's options, custom fields: a few)."""
    return client.list_all(kind.endpoint.format(parent_id=parent_id))
