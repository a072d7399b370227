"""custom_field: a product's name -> value pair, keyed "<product sku>/<name>".

YAML: ``custom_fields: {Material: Nylon 6.6}``. Read with the product
(include=custom_fields); written through the product's custom-fields endpoint,
one per request (FACTS.md 5.7).

FACTS.md 5.7: "every name-value pair must be unique" inside a product, not every
name: the admin panel lets a product show ``Colour: Black`` and ``Colour: Natural``.
YAML writes such a name once with a list, ``Colour: [Black, Natural]``; each pair is
then keyed "<sku>/<name>/<value>" (a pair is its identity: a new value is a create
and a delete), on both sides, so a name held once keeps its short key.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from reconciler.core.live import LiveObject
from reconciler.resources.registry import register
from reconciler.resources.base import ResourceKind, fold_text
from reconciler.resources.children import all_of_parent, child, text


def key_of(sku: str, name: str, value: str, shared: bool) -> str:
    """A pair's key: by name alone, or by name and value where the name is ``shared``
    by several pairs of the product."""
    return f"{sku}/{name}/{value}" if shared else f"{sku}/{name}"


def from_parent(product, settings) -> list:
    out = []
    for name, value in (product.fields.get("custom_fields") or {}).items():
        if isinstance(value, list):    # [Black] is Black: the key goes by how many values
            out += [child("custom_field", key_of(product.key, name, text(v), len(value) > 1), product,
                          f"custom_fields.{name}.{i}", {"name": name, "value": text(v)})
                    for i, v in enumerate(value)]
        else:
            out.append(child("custom_field", key_of(product.key, name, text(value), False), product,
                             f"custom_fields.{name}", {"name": name, "value": text(value)}))
    return out


def live_from_parent(row: dict[str, Any], sku: str, refs, settings) -> list[LiveObject]:
    rows = row.get("custom_fields") or []
    names = Counter(fold_text(str(cf["name"])) for cf in rows)
    return [
        LiveObject("custom_field", key_of(sku, cf["name"], cf["value"], names[fold_text(str(cf["name"]))] > 1),
                   cf["id"], {"name": cf["name"], "value": cf["value"]}, parent=sku,
                   extra={"product_id": row["id"]})
        for cf in rows
    ]


def import_fold(found: list, product, doc: dict, ctx) -> dict | None:
    """A product's ``custom_fields`` as catalog import writes them: name -> value, in the
    order the product page shows them (the order they were made in); a name the product
    shows with several values -> the list of them."""
    values: dict[str, list[str]] = {}
    for c in sorted(found, key=lambda c: c.id):
        values.setdefault(c.fields["name"], []).append(c.fields["value"])
    return {name: vs[0] if len(vs) == 1 else vs for name, vs in values.items()} or None


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
    import_fold=import_fold,
    shown_as="inline",        # one value each (a label list, a text, a channel)
))
