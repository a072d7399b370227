"""Customer group body schemas (CU2), transcribed from the official OpenAPI file."""

from __future__ import annotations

from ..core.schema import BOOL as _BOOL, INTS as _INTS, enum as _e, string as _s

# ---- customer groups [CU2] ----------------------------------------------------------------

# CU2 customerGroup_Post_Put; discount_rules items are checked by models.py
# (their oneOf cannot say "price_list must be the only rule").
CATEGORY_ACCESS = {
    "type": "object",
    "properties": {"type": _e("all", "specific", "none"), "categories": _INTS},
    "required": ["type"],
    "additionalProperties": False,
}
CUSTOMER_GROUP = {
    "name": _s(None, 1),
    "is_default": _BOOL,
    "category_access": CATEGORY_ACCESS,
    "discount_rules": {"type": "array", "items": {"type": "object"}},
    "is_group_for_guests": _BOOL,
}
CUSTOMER_GROUP_READ_ONLY = ("id", "date_created", "date_modified")
