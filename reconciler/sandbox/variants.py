"""Variants (V). For now only the base variant every product gets at creation.

d:catalog: a simple product "is its own variant – called a base variant"; V
``productVariant_Full``: a base variant has empty ``option_values`` and ``sku_id: null``.
What a base variant's own price/weight fields hold is not stated. We store only its
identity and render it from the product each time, with the variant-level overrides
(price, sale_price, retail_price, weight, …) ``null`` – V: "null → product value" – and
``calculated_price``/``calculated_weight`` taken from the product. A later issue that adds
option variants stores the overrides in the same "variant" objects.
"""

from __future__ import annotations

from typing import Any

_OVERRIDES = ("cost_price", "price", "sale_price", "retail_price", "map_price", "weight",
              "width", "height", "depth", "fixed_cost_shipping_price")
_MIRRORED = ("sku", "upc", "mpn", "gtin", "inventory_level", "inventory_warning_level",
             "bin_picking_number", "is_free_shipping")


def base_variant(vid: int, pid: int) -> dict[str, Any]:
    return {"id": vid, "product_id": pid, "sku_id": None, "option_values": []}


def render_variant(variant: dict, product: dict) -> dict[str, Any]:
    out: dict[str, Any] = {"id": variant["id"], "product_id": variant["product_id"]}
    for key in _MIRRORED:
        out[key] = variant.get(key, product[key])
    out["sku_id"] = variant.get("sku_id")
    for key in _OVERRIDES:
        out[key] = variant.get(key)
    out["calculated_price"] = product["calculated_price"]
    out["calculated_weight"] = product["weight"]
    out["purchasing_disabled"] = variant.get("purchasing_disabled", False)
    out["purchasing_disabled_message"] = variant.get("purchasing_disabled_message", "")
    out["image_url"] = variant.get("image_url", "")
    out["option_values"] = variant["option_values"]
    return out
