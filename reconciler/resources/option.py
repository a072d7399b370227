"""option: a product's variant option and its values, e.g. Width: [2.5mm, 3.6mm, 4.8mm].

Key: "<product sku>/<display name>". Read from the option values the product's
variants carry (include=variants), so no per-product option requests are needed.
A value no variant uses (an admin deleted its variant; BigCommerce keeps the
value) is invisible there, so a product whose YAML options the variants do not
explain (``unexplained``) has its options read from the store's own
``GET /v3/catalog/products/{id}/options`` (``live_from_options``): one request per
such product, none for a store that matches. ``include=options`` would cost a
request per 10 products (FACTS.md 3.1). An unused value the YAML does not list
either stays unread unless the product is read in full for another reason.

Apply: a new option is POSTed with its values; new values of an existing option
are POSTed one by one; values dropped from the list are deleted after the
variants that used them. For a new product the options come into being with
the product's own POST (from its variants), in one request.
"""

from __future__ import annotations

from typing import Any

from reconciler.core.live import LiveObject
from reconciler.resources import register
from reconciler.resources.base import ResourceKind
from reconciler.resources.children import child, text


def key_for(sku: str, name: str) -> str:
    return f"{sku}/{name}"


def value_key(sku: str, name: str, label: str) -> str:
    return f"{sku}/{name}/{label}"


def from_parent(product, settings) -> list:
    opts = product.fields.get("options") or {}
    if opts:
        settings.declared_options[product.key] = {name: [text(v) for v in values] for name, values in opts.items()}
    return [
        child("option", key_for(product.key, name), product, f"options.{name}",
              {"name": name, "values": [text(v) for v in values]})
        for name, values in opts.items()
    ]


def live_from_parent(row: dict[str, Any], sku: str, refs, settings) -> list[LiveObject]:
    options: dict[int, dict[str, Any]] = {}
    for variant in row.get("variants") or []:
        for ov in variant.get("option_values") or []:
            opt = options.setdefault(ov["option_id"], {"name": ov["option_display_name"], "values": {}})
            opt["values"][ov["label"]] = ov["id"]
    out = []
    for option_id, opt in sorted(options.items()):
        key = key_for(sku, opt["name"])
        refs.add("option", key, option_id)
        for label, value_id in opt["values"].items():
            refs.add("option_value", value_key(sku, opt["name"], label), value_id)
        out.append(LiveObject("option", key, option_id, {"name": opt["name"], "values": sorted(opt["values"])},
                              parent=sku, extra={"product_id": row["id"], "value_ids": dict(opt["values"])}))
    return out


def unexplained(live, declared: dict[str, dict[str, list[str]]]) -> dict[str, int]:
    """{product key: id} of the products whose YAML options name an option or a value
    their variants' option values do not show: only the store's options tell."""
    out = {}
    for sku, options in declared.items():
        product = live.get("product", sku)
        if product is None:
            continue
        for name, values in options.items():
            have = live.get("option", key_for(product.key, name))
            if have is None or not set(values) <= set(have.fields["values"]):
                out[product.key] = product.id
                break
    return out


def live_from_options(rows: list[dict[str, Any]], sku: str, product_id: int, refs) -> list[LiveObject]:
    """The product's options as the store keeps them (``/v3/catalog/products/{id}/options``)."""
    out = []
    for row in sorted(rows, key=lambda r: r["id"]):
        key = key_for(sku, row["display_name"])
        ids = {v["label"]: v["id"] for v in row.get("option_values") or []}
        refs.add("option", key, row["id"])
        for label, value_id in ids.items():
            refs.add("option_value", value_key(sku, row["display_name"], label), value_id)
        out.append(LiveObject("option", key, row["id"], {"name": row["display_name"], "values": sorted(ids)},
                              parent=sku, extra={"product_id": product_id, "value_ids": ids}))
    return out


def from_live(obj: dict[str, Any], refs) -> dict[str, Any]:
    return {"name": obj.get("display_name"), "values": [v["label"] for v in obj.get("option_values") or []]}


def to_payload(fields: dict[str, Any], refs, parent: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "display_name": fields["name"],
        "type": "rectangles",
        "option_values": [{"label": v, "sort_order": i} for i, v in enumerate(fields.get("values") or [])],
    }
    if parent is not None and refs is not None and refs.has("product", parent):
        # VO createOption requires ``product_id`` in the body beside the one in the path.
        body["product_id"] = refs.id_of("product", parent)
    return body


OPTION = register(ResourceKind(
    name="option",
    plural="options",
    schema="product.schema.json",
    key="name",
    endpoint="/v3/catalog/products/{parent_id}/options",
    order=40,
    depends_on=("product",),
    set_fields=frozenset({"values"}),
    # Value labels are unique in an option without case (the sandbox's stricter reading of
    # VO's 409), so "2.5MM" is the store's "2.5mm": not a value to add (the store refuses it).
    ref_fields=frozenset({"values"}),
    meta_fields=frozenset({"acknowledge"}),   # tombstones (delete: true) are for top-level objects
    parent="product",
    created_with_parent=True,
    owner_field="options",
    from_parent=from_parent,
    live_from_parent=live_from_parent,
    from_live=from_live,
    to_payload=to_payload,
    shown_as="inline",        # one value each (a label list, a text, a channel)
))
