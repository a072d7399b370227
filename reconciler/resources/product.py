"""product: keyed by SKU. POST one at a time; PUT in batches of 10 (413 above).

Desired terms: ``brand`` is a brand name, ``categories`` a list of category
paths, money fields are Decimals. The store's terms: ``brand_id`` and category
ids. Only fields written in YAML are compared and written.
"""

from __future__ import annotations

from typing import Any

from reconciler.resources import register
from reconciler.resources.base import ResourceKind
from reconciler.resources.checks import Sku, items, prices
from reconciler.resources.fields import to_decimal

MONEY = frozenset({"price", "sale_price", "retail_price", "cost_price", "map_price", "fixed_cost_shipping_price"})
DECIMAL = MONEY | {"weight", "width", "height", "depth"}

# Plain fields copied as they are (besides sku, brand, categories).
PLAIN = (
    "name", "type", "description", "price", "sale_price", "retail_price", "cost_price", "map_price",
    "weight", "width", "height", "depth", "is_visible", "is_featured", "availability",
    "availability_description", "condition", "is_condition_shown", "upc", "gtin", "mpn",
    "search_keywords", "page_title", "meta_description", "meta_keywords", "sort_order",
    "is_free_shipping", "fixed_cost_shipping_price", "order_quantity_minimum",
    "order_quantity_maximum", "warranty", "tax_class_id", "product_tax_code", "bin_picking_number",
    "inventory_tracking", "is_price_hidden", "price_hidden_label", "preorder_message",
)

REQUIRED_ON_CREATE = ("name", "type", "weight", "price")


def from_live(obj: dict[str, Any], refs) -> dict[str, Any]:
    out: dict[str, Any] = {"sku": obj.get("sku")}
    for f in PLAIN:
        if f in obj:
            out[f] = to_decimal(obj[f]) if f in DECIMAL else obj[f]
    if "brand_id" in obj:
        out["brand"] = refs.key_of("brand", obj["brand_id"]) if obj["brand_id"] else None
    if "categories" in obj:
        paths = [refs.key_of("category", c) or f"#{c}" for c in obj["categories"]]
        out["categories"] = sorted(paths)
    return out


def to_payload(fields: dict[str, Any], refs, parent: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for f, v in fields.items():
        if f == "brand":
            body["brand_id"] = refs.id_of("brand", v) if v else 0
        elif f == "categories":
            body["categories"] = [refs.id_of("category", p) for p in v]
        elif f in PLAIN or f == "sku":
            body[f] = v
    return body


def list_params(settings) -> dict[str, Any]:
    # One page carries exactly what the diff needs: no per-product requests.
    fields = ("sku", "brand_id", "categories", "date_modified", *PLAIN)
    return {"include_fields": ",".join(fields), "include": "variants,custom_fields,channels"}


def checks(products: list, checking) -> list:
    """The money guardrails on each product's own prices (resources/checks.py ``prices``)."""
    out = []
    for product in products:
        out += prices(f"product '{product.key}'", product.fields, product.fields.get("cost_price"),
                      product.source_of, checking.flagged)
    return out


def sold(product) -> list[tuple[str, Sku]]:
    """The product's SKU (with its variants' SKUs, which price records must use instead) and
    each variant's, with the cost that applies: its own, else the product's."""
    cost = product.fields.get("cost_price")
    variants = [item for _, item in items(product, "variants") if isinstance(item.get("sku"), str)]
    out = [(product.key, Sku(cost, tuple(item["sku"] for item in variants)))]
    for item in variants:
        own = item.get("cost_price")
        out.append((item["sku"], Sku(cost if own is None else own)))
    return out


PRODUCT = register(ResourceKind(
    name="product",
    plural="products",
    schema="product.schema.json",
    key="sku",
    endpoint="/v3/catalog/products",
    order=30,
    depends_on=("brand", "category"),
    update_batch_size=10,     # "Batches are limited to 10 products" (FACTS.md 5.6)
    delete_batch_size=250,    # DELETE ?id:in= up to 250 (FACTS.md 5.6)
    money_fields=MONEY,
    set_fields=frozenset({"categories"}),
    ref_fields=frozenset({"brand", "categories"}),
    child_fields=frozenset({"options", "variants", "custom_fields", "channels"}),
    required_on_create=REQUIRED_ON_CREATE,
    key_filter="sku:in",
    list_params=list_params,
    from_live=from_live,
    to_payload=to_payload,
    price_field="price",
    sale_price_field="sale_price",
    cost_field="cost_price",
    checks=checks,
    sold=sold,
))
