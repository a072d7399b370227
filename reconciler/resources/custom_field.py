"""custom_field: a product's name -> value pair, keyed "<product sku>/<name>".

YAML: ``custom_fields: {Material: Nylon 6.6}``. Read with the product
(include=custom_fields); written through the product's custom-fields endpoint,
one per request (FACTS.md 5.7). Names are unique inside a product.
"""

from __future__ import annotations

from typing import Any

from reconciler.core.live import LiveObject
from reconciler.resources.registry import register
from reconciler.resources.base import ResourceKind
from reconciler.resources.children import all_of_parent, child, text


def from_parent(product, settings) -> list:
    return [
        child("custom_field", f"{product.key}/{name}", product, f"custom_fields.{name}",
              {"name": name, "value": text(value)})
        for name, value in (product.fields.get("custom_fields") or {}).items()
    ]


def live_from_parent(row: dict[str, Any], sku: str, refs, settings) -> list[LiveObject]:
    return [
        LiveObject("custom_field", f"{sku}/{cf['name']}", cf["id"], {"name": cf["name"], "value": cf["value"]},
                   parent=sku, extra={"product_id": row["id"]})
        for cf in row.get("custom_fields") or []
    ]


def from_live(obj: dict[str, Any], refs) -> dict[str, Any]:
    return {"name": obj.get("name"), "value": obj.get("value")}


def to_payload(fields: dict[str, Any], refs, parent: str | None = None) -> dict[str, Any]:
    # P updateProductCustomField requires nothing: an update sends what changed.
    return {f: fields[f] for f in ("name", "value") if f in fields}


CUSTOM_FIELD = register(ResourceKind(
    name="custom_field",
    plural="custom_fields",
    schema="product.schema.json",
    key="name",
    endpoint="/v3/catalog/products/{parent_id}/custom-fields",
    # Names are unique in a product without case (the sandbox's stricter reading of P's
    # "every name-value pair must be unique"): "material" in YAML renames "Material".
    case_renames=True,
    depends_on=("product",),
    meta_fields=frozenset({"acknowledge"}),   # tombstones (delete: true) are for top-level objects
    parent="product",
    created_with_parent=True,
    bundle_field="custom_fields",
    bundle=lambda after: {"name": after["name"], "value": after["value"]},
    owner_field="custom_fields",
    from_parent=from_parent,
    live_from_parent=live_from_parent,
    read_include="custom_fields",
    find_rows=all_of_parent,
    match_field="name",
    from_live=from_live,
    to_payload=to_payload,
    # A product's ``custom_fields`` as catalog import writes them: name -> value, in the
    # order the product page shows them (the order they were made in).
    import_fold=lambda found, product, doc, ctx: {
        c.fields["name"]: c.fields["value"] for c in sorted(found, key=lambda c: c.id)} or None,
    shown_as="inline",        # one value each (a label list, a text, a channel)
))
