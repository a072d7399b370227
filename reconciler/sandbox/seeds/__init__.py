"""Seed loader. A seed is a dict in the SEED FORMAT, or the name of a JSON file in this
folder (``gtse`` -> ``seeds/gtse.json``); ``"empty"`` and ``None`` mean no objects.

SEED FORMAT::

    {"brands": [{"name": "GTSE Pro", "page_title": "..."}],
     "categories": [{"path": "Cable Ties"},
                    {"path": "Cable Ties/Nylon", "description": "...", "is_visible": true}],
     "products": [{"sku": "CT-BLK100", "name": "...", "type": "physical", "price": 12.5,
                   "weight": 0.2, "brand": "GTSE Pro", "categories": ["Cable Ties/Nylon"],
                   "inventory_level": 500, "channels": [1, 2],
                   "custom_fields": {"Material": "Nylon 6.6"},
                   "variants": [{"sku": "CT-BLK100-25", "options": {"Width": "2.5mm"},
                                 "price": 1.95}]}],
     "price_lists": [{"name": "Trade GBP", "active": true,
                      "records": [{"sku": "CT-BLK100-25", "currency": "GBP", "price": 1.5}],
                      "assignments": [{"customer_group": "Trade", "channel": 1}]}],
     "customer_groups": [{"name": "Trade", "id": 2, "is_default": false,
                          "category_access": {"type": "specific", "categories": ["Cable Ties"]},
                          "discount_rules": [{"type": "price_list", "price_list": "Trade GBP"}]}]}

* brands: brand API fields.
* categories: ``path`` segments split on "/"; parents come before children; tree 1
  unless the item has ``"tree_id"``; other keys are category API fields.
* products: ``brand`` (a brand name) -> ``brand_id``; ``categories`` (paths, looked up in
  tree 1 first, then the other trees; plain integers are ids) -> ids; ``channels``
  defaults to ``[1]``; ``custom_fields`` maps name → value; ``variants`` items have a
  ``sku``, ``options`` (option display name → value label) and any variant fields
  (``price``, ``weight``, ``upc`` …). The options and their values are created in the
  order they are first seen, as a product POST with ``variants`` does. A simple
  product's ``base_variant`` holds its base variant's own values (``price``,
  ``sale_price`` … overrides, ``purchasing_disabled``). Every other key is a product
  API field. (``GET /__sandbox/dump`` writes this format.)
* price_lists: ``name``, ``active``; ``records`` are record write bodies naming the
  variant by ``sku`` (or ``variant_id``), any currency case; ``assignments`` name a
  customer group by name (``customer_group``) and/or a channel id (``channel``).
  Lists and their records are created after the products and before the groups; the
  assignments after the groups.
* customer_groups: group API fields, with names in place of ids – ``category_access``
  ``categories`` are category paths; discount rules name ``price_list`` (a list name),
  ``category`` (a path) or ``product`` (a SKU); integers are taken as ids. An explicit
  ``id`` is kept (GTSE's "Trade" group is 2); groups without one get the lowest free
  ids in order.

Seeding bypasses rate limits and validation but builds objects with the same code as
the API, so a seeded object equals one created over HTTP. A bad reference (unknown
brand, missing parent path) raises ``ValueError``.

    >>> load_seed("empty")
    {}
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SEED_DIR = Path(__file__).resolve().parent


def available() -> list[str]:
    return ["empty", *sorted(p.stem for p in SEED_DIR.glob("*.json"))]


def load_seed(seed: str | dict[str, Any] | None) -> dict[str, Any]:
    """The seed data for a name or dict (a dict is returned as is)."""
    if seed is None or seed == "empty":
        return {}
    if isinstance(seed, dict):
        return seed
    if not isinstance(seed, str) or not seed.replace("-", "").replace("_", "").isalnum():
        raise ValueError(f"invalid seed name: {seed!r}")
    path = SEED_DIR / f"{seed}.json"
    if not path.is_file():
        raise ValueError(f"unknown seed {seed!r}; available: {', '.join(available())}")
    return json.loads(path.read_text(encoding="utf-8"))
