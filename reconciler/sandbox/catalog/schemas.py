"""Body schemas per kind, transcribed from the official OpenAPI files in
/work/shared/bigcommerce-api/specs (P ``product_Base_POST``/``product_Base_PUT``,
B ``createBrand``/``updateBrand``, CT ``createCategories``/``updateCategories``).

Only JSON-Schema keywords jsonschema understands are kept; spec-only keys such as
``x-required`` are turned into real ``required`` lists where the spec means them.
"""

from __future__ import annotations

from ..core.schema import (BOOL as _BOOL, DIM as _DIM, INTS as _INTS, INV as _INV, NULLNUM as _NULLNUM,
                           STRS as _STRS, enum as _e, integer as _i, nullable_string as _ns, number as _n,
                           string as _s)

# V productVariant_Base: the writable fields of every variant body. "nullable" fields
# take null, which means "use the product's value" for prices and dimensions.
# ⚠ map_price is in P's variant schema but only in V's examples; V's endpoints are
# given V's schema (the stricter reading), so map_price is refused there.
VARIANT_BASE = {
    "cost_price": _NULLNUM, "price": _NULLNUM, "sale_price": _NULLNUM, "retail_price": _NULLNUM,
    "weight": _NULLNUM, "width": _NULLNUM, "height": _NULLNUM, "depth": _NULLNUM,
    "is_free_shipping": _BOOL,
    "fixed_cost_shipping_price": _NULLNUM,
    "purchasing_disabled": _BOOL,
    "purchasing_disabled_message": _s(255),
    "upc": _ns(14),
    "image_url": {"type": "string"},
    "inventory_level": {"type": ["integer", "null"], "maximum": 2147483647},
    "inventory_warning_level": {"type": ["integer", "null"], "maximum": 2147483647},
    "bin_picking_number": _ns(255),
    "mpn": _ns(),
    "gtin": _ns(14),
}
# V productVariant_Post: option_values items are {id, option_id} (option value id and
# option id); option_display_name/label may ride along and must then agree.
VARIANT_POST = {
    **VARIANT_BASE,
    "product_id": _i(1),
    "sku": _s(255, 1),
    "option_values": {
        "type": "array",
        "items": {"type": "object", "additionalProperties": False,
                  "properties": {"id": _i(1), "option_id": _i(1),
                                 "option_display_name": _s(255, 1), "label": _s(255, 1)},
                  "required": ["id", "option_id"]}},
}
VARIANT_POST_REQUIRED = ("sku", "option_values")
# V productVariant_Put: base fields plus product_id and sku (no option_values).
VARIANT_PUT = {**VARIANT_BASE, "product_id": _i(1), "sku": _s(255, 1)}
# V updateVariantsBatch items: ⚠ the inline item schema lists only some base fields plus
# ``id``; its description creates variants by ``sku``, and updateProductVariant (the same
# change on one variant) takes productVariant_Base + sku. We accept productVariant_Base
# + id + sku; option_values and product_id (which the inline schema lacks) are refused.
VARIANT_BATCH = {**VARIANT_BASE, "id": _i(1), "sku": _s(255, 1)}
VARIANT_READ_ONLY = ("id", "sku_id", "calculated_price", "calculated_weight")

# VO createProductVariantOption / updateProductVariantOption.
OPTION_TYPES = ("radio_buttons", "rectangles", "dropdown", "product_list",
                "product_list_with_images", "swatch")
OPTION_VALUE = {
    "is_default": _BOOL,
    # VO declares no length for a value label; V's variant option_values say 1–255.
    "label": _s(255, 1),
    "sort_order": _i(-2147483648, 2147483647),
    "value_data": {"type": ["object", "null"]},
}
OPTION_VALUE_REQUIRED = ("label", "sort_order")  # VO: required on POST and PUT alike
MAX_OPTION_VALUES = 250  # VO createProductVariantOptionValue: "250 option values per option"
_OPTION_VALUE_ITEM = {"type": "object", "properties": OPTION_VALUE,
                      "required": list(OPTION_VALUE_REQUIRED), "additionalProperties": False}
OPTION = {
    "product_id": _i(1),
    "display_name": _s(255, 1),
    "type": _e(*OPTION_TYPES),
    "config": {"type": "object"},
    "sort_order": {"type": "integer"},
    "image_url": {"type": "string"},
    "option_values": {"type": "array", "minItems": 1, "maxItems": MAX_OPTION_VALUES,
                      "items": _OPTION_VALUE_ITEM},
}
OPTION_REQUIRED = ("display_name", "type", "option_values")
# On PUT, option_values items may carry the id of an existing value.
OPTION_PUT = {**OPTION, "option_values": {
    **OPTION["option_values"],
    "items": {**_OPTION_VALUE_ITEM, "properties": {**OPTION_VALUE, "id": _i(1)}}}}
OPTION_READ_ONLY = ("id", "name")

# P customFieldPost / customFieldPut.
CUSTOM_FIELD_BODY = {"name": _s(250, 1), "value": _s(250, 1)}

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

# P bulkPricingRule_Full: quantities are integers >= 0, amount a number or a string.
BULK_PRICING_RULE_BODY = {
    "quantity_min": _i(0), "quantity_max": _i(0), "type": _e("price", "percent", "fixed"),
    "amount": {"type": ["number", "string"]},
}
BULK_PRICING_RULE_REQUIRED = ("quantity_min", "quantity_max", "type", "amount")
# P product_Base_POST/PUT bulk_pricing_rules items: {id} + bulkPricingRule_Full (all four
# required). ⚠ id is marked required and read-only: it is optional here, as an item with
# an id updates that rule and one without adds a rule (ids are refused on POST).
BULK_PRICING_RULE = {
    "type": "object",
    "properties": {"id": _i(1), **BULK_PRICING_RULE_BODY},
    "required": list(BULK_PRICING_RULE_REQUIRED),
    "additionalProperties": False,
}

# P productImage_Post_Put: the body of …/images POST and PUT (image_url at most 255).
IMAGE_BODY = {"product_id": _i(1), "image_url": _s(255, 1), "is_thumbnail": _BOOL,
              "sort_order": _i(-2147483648, 2147483647), "description": _s()}
# P product_Base_POST/PUT images items (productImage_Full): the writable fields, and an
# id on PUT to update that image. ⚠ url_* and image_file are read-only or multipart-only:
# refused here as unknown.
IMAGE = {
    "type": "object",
    "properties": {"id": _i(1), **{k: v for k, v in IMAGE_BODY.items() if k != "product_id"}},
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
    "bulk_pricing_rules": {"type": "array", "items": BULK_PRICING_RULE},
    "images": {"type": "array", "items": IMAGE},
}
# Product POST ``variants[]`` items, in the prose shape (FACTS §5.8): ``sku`` and
# ``option_values: [{option_display_name, label}]`` plus P ``productVariant_Base`` fields.
# ⚠ P types the items as productVariant_Full (id, product_id, sku required); ids cannot
# exist before the product does, so the prose shape is followed and ids are refused.
PRODUCT_VARIANT = {
    "type": "object",
    "properties": {
        **VARIANT_BASE,
        "map_price": _NULLNUM,  # in P's productVariant_Base (not in V's, see VARIANT_BASE)
        "sku": _s(255, 1),
        "option_values": {
            "type": "array", "minItems": 1,
            "items": {"type": "object", "additionalProperties": False,
                      "properties": {"option_display_name": _s(255, 1), "label": _s(255, 1)},
                      "required": ["option_display_name", "label"]}},
    },
    "required": ["sku", "option_values"],
    "additionalProperties": False,
}
PRODUCT["variants"] = {"type": "array", "items": PRODUCT_VARIANT}
PRODUCT_REQUIRED = ("name", "type", "weight", "price")
PRODUCT_READ_ONLY = ("id", "date_created", "date_modified", "calculated_price", "base_variant_id",
                     "option_set_id", "option_set_display", "options", "modifiers", "channels",
                     "primary_image", "parent_relations")
# Sub-resources the products spec accepts in a body but the sandbox does not model yet:
# refused with a 422 that says so, rather than silently dropped.
PRODUCT_UNSUPPORTED = ("videos",)
PRODUCT_POST_ONLY = ("variants",)  # FACTS §5.3: "variants | array (POST only)"

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

