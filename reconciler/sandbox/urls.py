"""URL table: path rule -> {method: handler} (moto's urls.py).

Rules are relative to ``/stores/{store_hash}``. ``match(path, method)`` returns the
route, its handler and the path arguments, or raises the BigCommerce-shaped 404
(unknown route) / 405 (known route, other method).

    >>> route, handler, args = match("/v3/catalog/products/111", "GET")
    >>> route.pattern, handler.__name__, args
    ('/v3/catalog/products/{id}', 'get_product', {'id': 111})
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

from werkzeug.exceptions import NotFound
from werkzeug.routing import Map, Rule

from . import routes as r
from . import routes_hooks as rh
from . import routes_pricing as rp
from .errors import ROUTE_NOT_FOUND, SandboxError


@dataclass(frozen=True)
class Route:
    rule: str
    methods: dict[str, Callable[..., Any]]
    style: str = "default"  # error body style, see errors.SandboxError.body

    @property
    def pattern(self) -> str:
        """The rule with ``{name}`` placeholders, as used in stats keys."""
        return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", self.rule)


ROUTES = [
    Route("/v3/catalog/products", {"GET": r.list_products, "POST": r.create_product,
                                   "PUT": r.update_products, "DELETE": r.delete_products}),
    Route("/v3/catalog/products/channel-assignments", {
        "GET": r.list_channel_assignments, "PUT": r.put_channel_assignments,
        "DELETE": r.delete_channel_assignments}),
    Route("/v3/catalog/products/<int:id>", {"GET": r.get_product, "PUT": r.update_product,
                                            "DELETE": r.delete_product}),
    Route("/v3/catalog/products/<int:id>/options", {"GET": r.list_options, "POST": r.create_option}),
    Route("/v3/catalog/products/<int:id>/options/<int:option_id>", {
        "GET": r.get_option, "PUT": r.update_option, "DELETE": r.delete_option}),
    Route("/v3/catalog/products/<int:id>/options/<int:option_id>/values", {
        "GET": r.list_option_values, "POST": r.create_option_value}),
    Route("/v3/catalog/products/<int:id>/options/<int:option_id>/values/<int:value_id>", {
        "GET": r.get_option_value, "PUT": r.update_option_value, "DELETE": r.delete_option_value}),
    Route("/v3/catalog/products/<int:id>/variants", {"GET": r.list_product_variants,
                                                     "POST": r.create_variant}),
    Route("/v3/catalog/products/<int:id>/variants/<int:variant_id>", {
        "GET": r.get_variant, "PUT": r.update_variant, "DELETE": r.delete_variant}),
    Route("/v3/catalog/variants", {"GET": r.list_variants, "PUT": r.update_variants}),
    Route("/v3/catalog/products/<int:id>/custom-fields", {"GET": r.list_custom_fields,
                                                          "POST": r.create_custom_field}),
    Route("/v3/catalog/products/<int:id>/custom-fields/<int:custom_field_id>", {
        "GET": r.get_custom_field, "PUT": r.update_custom_field, "DELETE": r.delete_custom_field}),
    Route("/v3/catalog/products/<int:id>/bulk-pricing-rules", {
        "GET": r.list_bulk_pricing_rules, "POST": r.create_bulk_pricing_rule}),
    Route("/v3/catalog/products/<int:id>/bulk-pricing-rules/<int:rule_id>", {
        "GET": r.get_bulk_pricing_rule, "PUT": r.update_bulk_pricing_rule,
        "DELETE": r.delete_bulk_pricing_rule}),
    Route("/v3/catalog/brands", {"GET": r.list_brands, "POST": r.create_brand,
                                 "DELETE": r.delete_brands}),
    Route("/v3/catalog/brands/<int:id>", {"GET": r.get_brand, "PUT": r.update_brand,
                                          "DELETE": r.delete_brand}),
    Route("/v3/catalog/trees", {"GET": r.list_trees}, style="tree"),
    Route("/v3/catalog/trees/categories", {
        "GET": r.list_categories, "POST": r.create_categories, "PUT": r.update_categories,
        "DELETE": r.delete_categories}, style="tree"),
    Route("/v3/channels", {"GET": r.list_channels}),
    Route("/v3/channels/<int:id>", {"GET": r.get_channel}),
    Route("/v3/channels/<int:id>/metafields", {"GET": rh.list_channel_metafields,
                                               "POST": rh.create_channel_metafield}),
    Route("/v3/channels/<int:id>/metafields/<int:metafield_id>", {
        "GET": rh.get_channel_metafield, "PUT": rh.update_channel_metafield,
        "DELETE": rh.delete_channel_metafield}),
    Route("/v2/customer_groups", {"GET": rp.list_customer_groups, "POST": rp.create_customer_group},
          style="v2"),
    Route("/v2/customer_groups/count", {"GET": rp.count_customer_groups}, style="v2"),
    Route("/v2/customer_groups/<int:id>", {"GET": rp.get_customer_group, "PUT": rp.update_customer_group,
                                           "DELETE": rp.delete_customer_group}, style="v2"),
    Route("/v3/pricelists", {"GET": rp.list_price_lists, "POST": rp.create_price_list,
                             "DELETE": rp.delete_price_lists}),
    Route("/v3/pricelists/records", {"POST": rp.create_records_multi, "PUT": rp.upsert_records_multi}),
    Route("/v3/pricelists/assignments", {"GET": rp.list_assignments, "POST": rp.create_assignments,
                                         "DELETE": rp.delete_assignments}),
    Route("/v3/pricelists/<int:id>", {"GET": rp.get_price_list, "PUT": rp.update_price_list,
                                      "DELETE": rp.delete_price_list}),
    Route("/v3/pricelists/<int:id>/records", {"GET": rp.list_records, "POST": rp.create_records,
                                              "PUT": rp.upsert_records, "DELETE": rp.delete_records}),
    Route("/v3/pricelists/<int:id>/records/<int:variant_id>", {"GET": rp.list_variant_records}),
    Route("/v3/pricelists/<int:id>/records/<int:variant_id>/<currency_code>", {
        "GET": rp.get_record, "PUT": rp.set_record, "DELETE": rp.delete_record}),
    Route("/v3/pricelists/<int:id>/assignments", {"PUT": rp.upsert_assignment}),
    Route("/v3/hooks", {"GET": rh.list_hooks, "POST": rh.create_hook}),
    Route("/v3/hooks/<int:id>", {"GET": rh.get_hook, "PUT": rh.update_hook, "DELETE": rh.delete_hook}),
]

_MAP = Map([Rule(route.rule, endpoint=i) for i, route in enumerate(ROUTES)],
           strict_slashes=False, merge_slashes=False)
_ADAPTER = _MAP.bind("sandbox")


def find(path: str) -> tuple[Route, dict[str, Any]] | None:
    """The route for a store-relative path (trailing slash ignored), or None."""
    try:
        index, args = _ADAPTER.match(path.rstrip("/") or "/", method="GET")
    except NotFound:
        return None
    return ROUTES[index], args


def route_not_found() -> SandboxError:
    return SandboxError(404, ROUTE_NOT_FOUND["title"])


def handler_for(route: Route, method: str, path: str) -> Callable[..., Any]:
    handler = route.methods.get(method)
    if handler is None:
        allowed = ", ".join(sorted(route.methods))
        raise SandboxError(405, "Method Not Allowed",
                           detail=f"{method} is not supported on {path}; allowed: {allowed}.",
                           headers={"Allow": allowed})
    return handler


def match(path: str, method: str) -> tuple[Route, Callable[..., Any], dict[str, Any]]:
    found = find(path)
    if found is None:
        raise route_not_found()
    route, args = found
    return route, handler_for(route, method, path), args
