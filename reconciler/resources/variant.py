"""variant: one SKU of a product with options, keyed by its own SKU (CT-BLK100-4.8).

YAML: ``variants: [{sku, options: {Width: 4.8mm}, price, ...}]`` inside a product.
Updates batch across products through ``PUT /v3/catalog/variants`` (50 per
request, 413 above: FACTS.md 6.3); creates go one at a time to the product's
variants endpoint with the option value ids (FACTS.md 6.1), or ride along in a
new product's POST. A variant's ``options`` cannot be changed in place (the batch
schema has no option_values), so a change there is planned as delete + create.
A base variant (a product without options) is the product itself, not a variant.
"""

from __future__ import annotations

from typing import Any

from reconciler.core.live import LiveObject
from reconciler.resources import register
from reconciler.resources.base import ResourceKind
from reconciler.resources.checks import items, prices
from reconciler.resources.children import child, text
from reconciler.resources.fields import to_decimal
from reconciler.resources.option import key_for, value_key

# map_price is in the products spec's variant schema but not in the variants
# spec's (FACTS.md 6.2 ⚠); the variant endpoints refuse it, so it is not managed here.
MONEY = frozenset({"price", "sale_price", "retail_price", "cost_price", "fixed_cost_shipping_price"})
DECIMAL = MONEY | {"weight", "width", "height", "depth"}
PLAIN = (
    "price", "sale_price", "retail_price", "cost_price", "weight", "width", "height", "depth",
    "is_free_shipping", "fixed_cost_shipping_price", "purchasing_disabled", "purchasing_disabled_message",
    "upc", "gtin", "mpn", "bin_picking_number", "image_url",
)


def from_parent(product, settings) -> list:
    out = []
    for i, item in enumerate(product.fields.get("variants") or []):
        fields = dict(item)
        fields["options"] = {name: text(label) for name, label in (item.get("options") or {}).items()}
        out.append(child("variant", item["sku"], product, f"variants.{i}", fields))
    return out


def from_live(obj: dict[str, Any], refs) -> dict[str, Any]:
    out: dict[str, Any] = {"sku": obj.get("sku")}
    for f in PLAIN:
        if f in obj:
            out[f] = to_decimal(obj[f]) if f in DECIMAL else obj[f]
    if "option_values" in obj:
        out["options"] = {ov["option_display_name"]: ov["label"] for ov in obj["option_values"]}
    return out


def live_from_parent(row: dict[str, Any], sku: str, refs, settings) -> list[LiveObject]:
    out = []
    for v in row.get("variants") or []:
        if not v.get("option_values"):
            continue  # the base variant of a product without options
        refs.add("variant", v["sku"], v["id"])
        out.append(LiveObject("variant", v["sku"], v["id"], from_live(v, refs), parent=sku,
                              extra={"product_id": row["id"]}))
    return out


def to_payload(fields: dict[str, Any], refs, parent: str | None = None) -> dict[str, Any]:
    body = {f: v for f, v in fields.items() if f in PLAIN or f == "sku"}
    if "options" in fields and parent:
        # Only on create (options are never updated in place): the option value
        # ids, resolved through the product's options, created earlier if new.
        # V productVariant_Post requires product_id, and option_display_name and label
        # in each option_values item beside the ids.
        body["product_id"] = refs.id_of("product", parent)
        body["option_values"] = [
            {"option_id": refs.id_of("option", key_for(parent, name)),
             "id": refs.id_of("option_value", value_key(parent, name, label)),
             "option_display_name": name, "label": label}
            for name, label in fields["options"].items()
        ]
    return body


def bundled(fields: dict[str, Any]) -> dict[str, Any]:
    """A variant inside a new product's POST: options by display name and label."""
    body = {f: v for f, v in fields.items() if f in PLAIN or f == "sku"}
    body["option_values"] = [
        {"option_display_name": name, "label": label} for name, label in (fields.get("options") or {}).items()
    ]
    return body


def checks(products: list, checking) -> list:
    """The money guardrails on each variant's prices; a variant without its own cost_price
    uses its product's."""
    out = []
    for product in products:
        product_cost = product.fields.get("cost_price")
        for i, item in items(product, "variants"):
            sku = item.get("sku")
            label = f"variant '{sku}'" if isinstance(sku, str) and sku else f"product '{product.key}': variants[{i}]"
            cost = item.get("cost_price")
            out += prices(label, item, product_cost if cost is None else cost,
                          lambda path, p=product, i=i: p.source_of(f"variants.{i}.{path}"), checking.flagged)
    return out


VARIANT = register(ResourceKind(
    name="variant",
    plural="variants",
    schema="product.schema.json",
    key="sku",
    endpoint="/v3/catalog/products/{parent_id}/variants",
    update_endpoint="/v3/catalog/variants",
    order=50,
    depends_on=("product", "option"),
    update_batch_size=50,      # "Currently the limit is 50 variants" (FACTS.md 6.3)
    money_fields=MONEY,
    replace_fields=frozenset({"options"}),
    # Option names and value labels as the store compares them, without case: {WIDTH: 2.5MM}
    # is the store's {Width: 2.5mm}, not a reason to delete and re-create the variant.
    ref_fields=frozenset({"options"}),
    meta_fields=frozenset({"acknowledge"}),   # tombstones (delete: true) are for top-level objects
    parent="product",
    created_with_parent=True,
    owner_field="variants",
    from_parent=from_parent,
    live_from_parent=live_from_parent,
    from_live=from_live,
    to_payload=to_payload,
    price_field="price",
    sale_price_field="sale_price",
    cost_field="cost_price",
    cost_from_parent=True,
    checks=checks,
))
