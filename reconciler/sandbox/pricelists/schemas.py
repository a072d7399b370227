"""Price list body schemas (PL), transcribed from the official OpenAPI file."""

from __future__ import annotations

from ..core.schema import (BOOL as _BOOL, NULLNUM as _NULLNUM, enum as _e, integer as _i, number as _n,
                           string as _s)

# ---- price lists [PL] ---------------------------------------------------------------------

# PL PriceList Base. ⚠ The base schema declares ``required: [name]`` while ``name`` says
# ``x-required: post``; PUT bodies get the stricter reading (name required on both).
PRICE_LIST = {"name": _s(None, 1), "active": _BOOL}
PRICE_LIST_READ_ONLY = ("id", "date_created", "date_modified")

# PL Bulk Pricing Tier. No field is declared required; a tier without its minimum,
# type or amount has no meaning, so those three are required (our choice).
# ⚠ ``quantity_max``: a records answer says "null indicates that there is no maximum",
# the upsert's request schema (BulkPricingTier) types it integer only and its examples
# end the last tier at 2147483647. Stricter reading: a request body's null is refused.
PRICE_TIER = {
    "type": "object",
    "properties": {"quantity_min": _i(1), "quantity_max": _i(1),
                   "type": _e("fixed", "price", "percent"), "amount": _n(0)},
    "required": ["quantity_min", "type", "amount"],
    "additionalProperties": False,
}
# PL PriceRecord Base. ⚠ Only sale/retail/map declare ``minimum: 0`` (and only in the
# batch bodies); a negative list price is refused too. Null means "not set".
PRICE_RECORD_BASE = {
    "price": _NULLNUM, "sale_price": _NULLNUM, "retail_price": _NULLNUM, "map_price": _NULLNUM,
    "bulk_pricing_tiers": {"type": "array", "items": PRICE_TIER},
}
# PL PriceRecord Batch Item (per list; the multi-list endpoints add price_list_id).
# ISO-4217 codes are three letters; either case is accepted, stored lower-case.
PRICE_RECORD_ITEM = {
    **PRICE_RECORD_BASE,
    "variant_id": _i(1),
    "sku": _s(255, 1),
    "currency": {"type": "string", "pattern": "^[A-Za-z]{3}$"},
    "price_list_id": _i(1),
}
PRICE_RECORD_READ_ONLY = ("product_id", "calculated_price", "date_created", "date_modified")

# PL AssignmentsForRequest / AssignmentForPutRequest.
ASSIGNMENT = {"price_list_id": _i(1), "customer_group_id": _i(1), "channel_id": _i(1)}
ASSIGNMENT_PUT = {"customer_group_id": _i(1), "channel_id": _i(1)}
