"""Body schemas per kind, transcribed from the official OpenAPI files in
/work/shared/bigcommerce-api/specs (P ``product_Base_POST``/``product_Base_PUT``,
B ``createBrand``/``updateBrand``, CT ``createCategories``/``updateCategories``).

Only JSON-Schema keywords jsonschema understands are kept; spec-only keys such as
``x-required`` are turned into real ``required`` lists where the spec means them.
"""

from __future__ import annotations


def _s(max_len: int | None = None, min_len: int = 0) -> dict:
    out = {"type": "string", "minLength": min_len}
    if max_len is not None:
        out["maxLength"] = max_len
    return out


def _n(minimum: float | None = 0, maximum: float | None = None) -> dict:
    out: dict = {"type": "number"}
    if minimum is not None:
        out["minimum"] = minimum
    if maximum is not None:
        out["maximum"] = maximum
    return out


def _i(minimum: int | None = 0, maximum: int | None = None) -> dict:
    out: dict = {"type": "integer"}
    if minimum is not None:
        out["minimum"] = minimum
    if maximum is not None:
        out["maximum"] = maximum
    return out


def _e(*values: str) -> dict:
    return {"type": "string", "enum": list(values)}


_BOOL = {"type": "boolean"}
_INTS = {"type": "array", "items": {"type": "integer"}}
_STRS = {"type": "array", "items": {"type": "string"}}
_DIM = _n(0, 9999999999)
_INV = _i(0, None)  # inventory above 2147483647 is clamped, not refused (P inventory_level)

# P customUrl_Full: url and is_customized are x-required on post and put.
PRODUCT_CUSTOM_URL = {
    "type": "object",
    "properties": {"url": _s(255, 1), "is_customized": _BOOL, "create_redirect": _BOOL},
    "required": ["url", "is_customized"],
    "additionalProperties": False,
}

# P productCustomField_Put. ⚠ P's product body says 255 characters per custom field,
# the field schema and d:catalog say 250: the stricter 250 is used.
CUSTOM_FIELD = {
    "type": "object",
    "properties": {"id": _i(1), "name": _s(250, 1), "value": _s(250, 1)},
    "required": ["name", "value"],
    "additionalProperties": False,
}

PRODUCT = {
    "name": _s(250, 1),
    "type": _e("physical", "digital"),
    "sku": _s(255),
    "description": {"type": "string"},
    "weight": _DIM, "width": _DIM, "depth": _DIM, "height": _DIM,
    "price": _n(0), "cost_price": _n(0), "retail_price": _n(0), "sale_price": _n(0),
    "map_price": _n(None),
    "tax_class_id": _n(0, 255),
    "product_tax_code": _s(255),
    # P: "The limit is 1,000 ID values"; items are declared "number", ids are integers.
    "categories": {"type": "array", "items": {"type": "integer"}, "maxItems": 1000},
    "brand_id": _i(0, 1000000000),
    "brand_name": _s(255, 1),
    "inventory_level": _INV,
    "inventory_warning_level": _i(0, 2147483647),
    "inventory_tracking": _e("none", "product", "variant"),
    "fixed_cost_shipping_price": _n(0),
    "is_free_shipping": _BOOL, "is_visible": _BOOL, "is_featured": _BOOL,
    "related_products": _INTS,
    "warranty": _s(65535),
    "bin_picking_number": _s(255),
    "layout_file": _s(500),
    "upc": _s(14), "gtin": _s(14), "mpn": {"type": "string"},
    "search_keywords": _s(65535),
    "availability_description": _s(255),
    "availability": _e("available", "disabled", "preorder"),
    "gift_wrapping_options_type": _e("any", "none", "list"),
    "gift_wrapping_options_list": _INTS,
    "sort_order": _i(-2147483648, 2147483647),
    "condition": _e("New", "Used", "Refurbished"),
    "is_condition_shown": _BOOL,
    "order_quantity_minimum": _i(0, 1000000000),
    "order_quantity_maximum": _i(0, 1000000000),
    "page_title": _s(255),
    "meta_keywords": _STRS,
    "meta_description": _s(65535),
    "view_count": _i(0, 1000000000),
    "preorder_release_date": {"type": ["string", "null"], "format": "date-time"},
    "preorder_message": _s(255),
    "is_preorder_only": _BOOL,
    "is_price_hidden": _BOOL,
    "price_hidden_label": _s(200),
    "custom_url": PRODUCT_CUSTOM_URL,
    "open_graph_type": _e("product", "album", "book", "drink", "food", "game", "movie", "song",
                          "tv_show"),
    "open_graph_title": {"type": "string"},
    "open_graph_description": {"type": "string"},
    "open_graph_use_meta_description": _BOOL,
    "open_graph_use_product_name": _BOOL,
    "open_graph_use_image": _BOOL,
    "date_last_imported": {"type": "string"},
    "reviews_rating_sum": {"type": "integer"},
    "reviews_count": {"type": "integer"},
    "total_sold": {"type": "integer"},
    "custom_fields": {"type": "array", "items": CUSTOM_FIELD, "maxItems": 200},
}
PRODUCT_REQUIRED = ("name", "type", "weight", "price")
PRODUCT_READ_ONLY = ("id", "date_created", "date_modified", "calculated_price", "base_variant_id",
                     "option_set_id", "option_set_display", "options", "modifiers", "channels",
                     "primary_image", "parent_relations")
# Sub-resources the products spec accepts in a body but the sandbox does not model yet:
# refused with a 422 that says so, rather than silently dropped.
PRODUCT_UNSUPPORTED = ("bulk_pricing_rules", "images", "videos", "variants")

# B: custom_url.url pattern from createBrand.
BRAND = {
    "name": _s(255, 1),
    "page_title": _s(255),
    "meta_keywords": _STRS,
    "meta_description": _s(65535),
    "search_keywords": _s(65535),
    "image_url": {"type": "string"},
    "custom_url": {
        "type": "object",
        "properties": {
            "url": {**_s(1024, 1), "pattern": r"^(\/([A-Za-z0-9\-_.]{1,256}))*\/?$"},
            "is_customized": _BOOL,
        },
        "additionalProperties": False,
    },
}
BRAND_READ_ONLY = ("id",)

CATEGORY = {
    "name": _s(50, 1),
    "tree_id": _i(1),
    "parent_id": _i(0),
    "description": _s(65535),
    "views": _i(0),
    "sort_order": _i(-2147483648, 2147483647),
    "page_title": _s(255),
    "meta_keywords": _STRS,
    "meta_description": _s(65535),
    "layout_file": _s(50),
    "image_url": {"type": "string"},
    "is_visible": _BOOL,
    "search_keywords": _s(255),
    "default_product_sort": _e("use_store_settings", "featured", "newest", "best_selling",
                               "alpha_asc", "alpha_desc", "avg_customer_review", "price_asc",
                               "price_desc"),
    "url": {
        "type": "object",
        "properties": {"path": _s(255, 1), "is_customized": _BOOL},
        "required": ["path"],
        "additionalProperties": False,
    },
}
CATEGORY_PUT = {**CATEGORY, "category_id": _i(1)}
CATEGORY_READ_ONLY = ("category_uuid",)

CHANNEL_ASSIGNMENT = {"product_id": _i(1), "channel_id": _i(1)}
