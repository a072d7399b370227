"""Catalog URL table: products and their sub-resources, brands, category trees. Rules are
relative to ``/stores/{store_hash}``."""

from __future__ import annotations

from ..core.urls import Route
from . import responses as h

ROUTES = [
    Route("/v3/catalog/products", {"GET": h.list_products, "POST": h.create_product,
                                   "PUT": h.update_products, "DELETE": h.delete_products}),
    Route("/v3/catalog/products/<int:id>", {"GET": h.get_product, "PUT": h.update_product,
                                            "DELETE": h.delete_product}),
    Route("/v3/catalog/products/<int:id>/options", {"GET": h.list_options, "POST": h.create_option}),
    Route("/v3/catalog/products/<int:id>/options/<int:option_id>", {
        "GET": h.get_option, "PUT": h.update_option, "DELETE": h.delete_option}),
    Route("/v3/catalog/products/<int:id>/options/<int:option_id>/values", {
        "GET": h.list_option_values, "POST": h.create_option_value}),
    Route("/v3/catalog/products/<int:id>/options/<int:option_id>/values/<int:value_id>", {
        "GET": h.get_option_value, "PUT": h.update_option_value, "DELETE": h.delete_option_value}),
    Route("/v3/catalog/products/<int:id>/variants", {"GET": h.list_product_variants,
                                                     "POST": h.create_variant}),
    Route("/v3/catalog/products/<int:id>/variants/<int:variant_id>", {
        "GET": h.get_variant, "PUT": h.update_variant, "DELETE": h.delete_variant}),
    Route("/v3/catalog/variants", {"GET": h.list_variants, "PUT": h.update_variants}),
    Route("/v3/catalog/products/<int:id>/custom-fields", {"GET": h.list_custom_fields,
                                                          "POST": h.create_custom_field}),
    Route("/v3/catalog/products/<int:id>/custom-fields/<int:custom_field_id>", {
        "GET": h.get_custom_field, "PUT": h.update_custom_field, "DELETE": h.delete_custom_field}),
    Route("/v3/catalog/products/<int:id>/bulk-pricing-rules", {
        "GET": h.list_bulk_pricing_rules, "POST": h.create_bulk_pricing_rule}),
    Route("/v3/catalog/products/<int:id>/bulk-pricing-rules/<int:rule_id>", {
        "GET": h.get_bulk_pricing_rule, "PUT": h.update_bulk_pricing_rule,
        "DELETE": h.delete_bulk_pricing_rule}),
    Route("/v3/catalog/products/<int:id>/images", {"GET": h.list_images, "POST": h.create_image}),
    Route("/v3/catalog/products/<int:id>/images/<int:image_id>", {
        "GET": h.get_image, "PUT": h.update_image, "DELETE": h.delete_image}),
    Route("/v3/catalog/brands", {"GET": h.list_brands, "POST": h.create_brand,
                                 "DELETE": h.delete_brands}),
    Route("/v3/catalog/brands/<int:id>", {"GET": h.get_brand, "PUT": h.update_brand,
                                          "DELETE": h.delete_brand}),
    Route("/v3/catalog/trees", {"GET": h.list_trees, "PUT": h.upsert_trees, "DELETE": h.delete_trees},
          style="tree"),
    Route("/v3/catalog/trees/categories", {
        "GET": h.list_categories, "POST": h.create_categories, "PUT": h.update_categories,
        "DELETE": h.delete_categories}, style="tree"),
]
