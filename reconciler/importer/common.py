"""What the parts of catalog import share: its errors, the kinds it writes, and names."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from reconciler.core.errors import ReconcilerError
from reconciler.resources import REGISTRY


class CatalogImportError(ReconcilerError):
    """The import cannot be done as asked (unknown kinds, references it cannot write)."""


class CatalogExistsError(CatalogImportError):
    """The output folder already holds a catalog and --force was not given."""


KINDS = tuple(k.name for k in REGISTRY if not k.parent)   # brand, category, product, price_list, customer_group
UNCATEGORISED = "uncategorised"

# The value the store gives a field nobody set. Left out: the plan is the same (a
# field not written is not managed) and the YAML shows only what someone chose.
_UNSET: dict[str, dict[str, Any]] = {
    "product": {
        "sale_price": 0, "retail_price": 0, "map_price": 0, "cost_price": 0, "fixed_cost_shipping_price": 0,
        "width": 0, "height": 0, "depth": 0, "sort_order": 0, "order_quantity_minimum": 0,
        "order_quantity_maximum": 0, "tax_class_id": 0, "availability": "available", "inventory_tracking": "none",
        "is_featured": False, "is_free_shipping": False, "is_condition_shown": False, "is_price_hidden": False,
    },
    "variant": {"is_free_shipping": False, "purchasing_disabled": False},
    "category": {"default_product_sort": "use_store_settings", "layout_file": "category.html"},
    "customer_group": {"is_default": False, "is_group_for_guests": False},
}


def slugify(name: str) -> str:
    """A name as a file or channel name: "UK Main" -> "uk-main", "Café Crème" -> "cafe-creme"."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
