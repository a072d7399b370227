"""customer_group: keyed by name, through the v2 API (bare JSON, v2 errors: FACTS.md 9).

GTSE's existing groups ("Trade", id 2, and the default retail group) are adopted
by name, never recreated. Discount rules refer to price lists, categories and
products by name, path and SKU:

    customer_groups:
      - name: Trade
        category_access: {type: all}
        discount_rules: [{type: price_list, price_list: Trade GBP}]
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from reconciler.resources import register
from reconciler.resources.base import ResourceKind
from reconciler.resources.fields import to_decimal

PLAIN = ("name", "is_default", "is_group_for_guests")


def from_live(obj: dict[str, Any], refs) -> dict[str, Any]:
    out = {f: obj[f] for f in PLAIN if f in obj}
    access = obj.get("category_access")
    if isinstance(access, dict):
        out["category_access"] = {"type": access.get("type")}
        if access.get("type") == "specific":
            out["category_access"]["categories"] = sorted(
                refs.key_of("category", c) or f"#{c}" for c in access.get("categories") or [])
    if "discount_rules" in obj:
        out["discount_rules"] = [_rule_from_live(r, refs) for r in obj.get("discount_rules") or []]
    return out


def _rule_from_live(rule: dict[str, Any], refs) -> dict[str, Any]:
    kind = rule.get("type")
    out: dict[str, Any] = {"type": kind}
    if kind == "price_list":
        out["price_list"] = refs.key_of("price_list", rule.get("price_list_id")) or f"#{rule.get('price_list_id')}"
        return out  # with a price list, method and amount are not shown (FACTS.md 9)
    if kind == "category":
        out["category"] = refs.key_of("category", rule.get("category_id")) or f"#{rule.get('category_id')}"
    if kind == "product":
        out["product"] = refs.key_of("product", rule.get("product_id")) or f"#{rule.get('product_id')}"
    out["method"] = rule.get("method")
    out["amount"] = to_decimal(rule.get("amount"))
    return out


def to_payload(fields: dict[str, Any], refs, parent: str | None = None) -> dict[str, Any]:
    body = {f: v for f, v in fields.items() if f in PLAIN}
    if "category_access" in fields:
        access = dict(fields["category_access"])
        if "categories" in access:
            access["categories"] = [refs.id_of("category", p) for p in access["categories"]]
        body["category_access"] = access
    if "discount_rules" in fields:
        body["discount_rules"] = [_rule_payload(r, refs) for r in fields["discount_rules"]]
    return body


def _rule_payload(rule: dict[str, Any], refs) -> dict[str, Any]:
    kind = rule["type"]
    if kind == "price_list":
        return {"type": "price_list", "price_list_id": refs.id_of("price_list", rule["price_list"])}
    out: dict[str, Any] = {"type": kind, "method": rule["method"]}
    # v2 sends amounts as strings, e.g. "5.0000" (FACTS.md 9).
    amount = rule.get("amount")
    out["amount"] = format(Decimal(amount), "f") if amount is not None else None
    if kind == "category":
        out["category_id"] = refs.id_of("category", rule["category"])
    if kind == "product":
        out["product_id"] = refs.id_of("product", rule["product"])
    return out


CUSTOMER_GROUP = register(ResourceKind(
    name="customer_group",
    plural="customer_groups",
    schema="customer_group.schema.json",
    key="name",
    endpoint="/v2/customer_groups",
    order=85,
    depends_on=("category", "product", "price_list"),
    api_version="v2",
    # CU2 states no name uniqueness (FACTS.md 9). We take the stricter reading, as the
    # sandbox does: names are unique without case. Matching "TRADE" to the store's "Trade"
    # renames the group (one PUT; CU2 updateCustomerGroup takes any subset, so only a
    # changed name is sent); on a store that told them apart, matching by exact case
    # would POST a second group the store refuses (409), and re-create its assignments.
    case_renames=True,
    # The rules and category access name price lists, category paths and SKUs, which
    # the store matches without case: "tools" in YAML is the store's "Tools".
    ref_fields=frozenset({"category_access", "discount_rules"}),
    server_owned=("id", "date_created", "date_modified"),
    from_live=from_live,
    to_payload=to_payload,
    compact_fields=frozenset({"discount_rules", "category_access"}),
))
