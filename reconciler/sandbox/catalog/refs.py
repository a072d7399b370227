"""How the SEED FORMAT names things (``Refs``), for the models' ``dump()``: together the
whole store (``GET /__sandbox/dump``, ``SandboxServer.dump()``), for tests that compare
the store with a desired state after a crash, and look for duplicate SKUs.

    {"brands": [{"name", "page_title", …}],
     "categories": [{"path": "Cable Ties/Nylon", "tree_id": 2 (when not 1), "url", …}],
     "products": [{"sku", "name", …, "brand": "GTSE Pro", "categories": ["Cable Ties/Nylon"],
                   "channels": [1, 2], "custom_fields": {"Material": "Nylon 6.6"},
                   "variants": [{"sku", "options": {"Width": "2.5mm"}, "price", …}],
                   "base_variant": {"price": 1.5}}],
     "price_lists": [{"name", "active", "records": [{"sku", "currency", "price", …}],
                      "assignments": [{"customer_group": "Trade", "channel": 1}]}],
     "customer_groups": [{"id", "name", "is_default", "is_group_for_guests",
                          "category_access", "discount_rules": [{"type": "price_list",
                                                                 "price_list": "Trade GBP"}]}],
     "hooks": [{"scope": "store/product/updated", "destination": "https://…", "is_active": true}]}

Ids are left out (other than the groups', which seeds keep), references are by name,
path or SKU, so ``reset(data=dump())`` builds an equal store and a second dump equals
the first. Products keep every writable field (read-only and derived ones, such as
``date_modified`` and ``calculated_price``, are left out). Option variants keep their
own values; overrides that are null (inherit the product's) are left out. A simple
product's base-variant overrides are under ``base_variant`` (left out when none).
Categories come parents first. A category (in a product or a group) that the seed's
path lookup – tree 1 first – would not find is given by id. Not kept: option types
and sort orders (seeding recreates options from the variants), options without
variants, and a complex product's hidden base variant.

Order: brands, products, price lists and records by id; categories by (tree, depth, id).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..core.storage import Storage


class Refs:
    """How the seed names things: a category by path, a product by SKU."""

    def __init__(self, state: Storage) -> None:
        self.s = state
        self._paths: dict[int, str | int] = {}

    def category(self, cid: int) -> str | int:
        if cid not in self._paths:
            cat = self.s.get("category", cid)
            path = "/".join(self.s.categories.path_of(cat)) if cat else ""
            found = self.s.categories.find_path(path) if path else None
            self._paths[cid] = path if found and found["category_id"] == cid else cid
        return self._paths[cid]

    def product(self, pid: int) -> str | int:
        product = self.s.get("product", pid)
        sku = product["sku"] if product else ""
        hits = self.s.lookup(("product",), "sku", sku) if sku else []
        return sku if hits and hits[0] == ("product", pid) else pid
