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

from reconciler.resources.registry import register
from reconciler.resources.base import RENAMED_FROM, ResourceKind
from reconciler.resources.checks import error, items
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


def names(fields: dict[str, Any]) -> dict[str, set]:
    """The products a group's written discount rules name (by SKU)."""
    return {"product": {r["product"] for r in fields.get("discount_rules") or ()
                        if isinstance(r, dict) and r.get("type") == "product" and r.get("product") is not None}}


def names_in_row(row: dict[str, Any]) -> dict[str, set]:
    """The products a store group's discount rules name (by id)."""
    return {"product": {r["product_id"] for r in row.get("discount_rules") or ()
                        if isinstance(r, dict) and r.get("type") == "product" and r.get("product_id") is not None}}
# -- import ------------------------------------------------------------------------------------------

def import_doc(obj, ctx) -> dict[str, Any]:
    """A group as catalog import writes it: access and rules on one line each when short."""
    doc = ctx.pick(obj)
    access = obj.fields.get("category_access")
    if access:
        ctx.unresolved(f"customer group '{obj.key}'", access.get("categories") or [])
        doc["category_access"] = ctx.flow({k: ctx.flow(v) for k, v in access.items()})
    rules = obj.fields.get("discount_rules")
    if rules:
        doc["discount_rules"] = [ctx.flow(_import_rule(r, ctx)) for r in rules]
    return doc


def _import_rule(rule: dict[str, Any], ctx) -> dict[str, Any]:
    out = {k: v for k, v in rule.items() if v is not None}
    if rule.get("method") in ("price", "fixed") and isinstance(rule.get("amount"), Decimal):
        out["amount"] = ctx.money(rule["amount"])
    return out


def import_refers(fields: dict[str, Any]) -> list[tuple[str, str]]:
    """The categories, price lists and products the access and the rules name."""
    out = [("category", path) for path in (fields.get("category_access") or {}).get("categories") or []]
    for rule in fields.get("discount_rules") or []:
        out += [(kind, rule[kind]) for kind in ("category", "price_list", "product") if rule.get(kind)]
    return out
# -- desired checks ----------------------------------------------------------------------------

def checks(groups: list, checking) -> list:
    """Category access, discount rules, and at most one default and one guest group."""
    out = []
    only: dict[str, Any] = {}
    for group in groups:
        out += _category_access(group, checking.flagged)
        out += _discount_rules(group)
        for flag, what in (("is_default", "the default group"), ("is_group_for_guests", "the group for guests")):
            if group.fields.get(flag) is True:
                held = only.setdefault(flag, group)
                if held is not group:
                    out.append(error(f"customer_group '{group.key}': {flag}: '{held.key}' is already {what} "
                                     f"({held.source_of(flag)}); at most one group can be", group.source_of(flag)))
    return out


def _category_access(group, flagged) -> list:
    access, at = group.fields.get("category_access"), group.source_of
    if not isinstance(access, dict) or flagged and at("category_access.type") in flagged:
        return []
    label, kind = f"customer_group '{group.key}'", access.get("type")
    if kind == "specific" and "categories" not in access:
        return [error(f"{label}: category_access: type specific needs categories, the paths the group can see "
                      "(or use type: none)", at("category_access"))]
    if kind in ("all", "none") and "categories" in access:
        return [error(f"{label}: category_access.categories: only used with type: specific (type is {kind})",
                      at("category_access.categories"))]
    return []


def _discount_rules(group) -> list:
    label = f"customer_group '{group.key}'"
    rules = list(items(group, "discount_rules"))
    out = []
    first_all = None
    for i, rule in rules:
        where = group.source_of(f"discount_rules.{i}")
        if rule.get("type") == "price_list" and len(rules) > 1:
            out.append(error(f"{label}: discount_rules.{i}: a price_list rule must be the only rule "
                             f"(the group has {len(rules)})", where))
        elif rule.get("type") == "all":
            if first_all is not None:
                out.append(error(f"{label}: discount_rules.{i}: a second rule of type all (first at {first_all}); "
                                 "at most one is allowed", where))
            first_all = first_all or where
    return out


def discount_types(group) -> list[str]:
    """The kinds of customer-group discount a group (as written, or None) has besides a price list."""
    if group is None:
        return []
    rules = group.fields.get("discount_rules")
    found = [r.get("type") for r in rules if isinstance(r, dict)] if isinstance(rules, list) else []
    return sorted({t for t in found if isinstance(t, str) and t != "price_list"})


CUSTOMER_GROUP = register(ResourceKind(
    name="customer_group",
    plural="customer_groups",
    schema="customer_group.schema.json",
    key="name",
    endpoint="/v2/customer_groups",
    depends_on=("category", "product", "price_list"),
    api_version="v2",
    # CU2 states no name uniqueness (FACTS.md 9). We take the stricter reading, as the
    # sandbox does: names are unique without case. Matching "TRADE" to the store's "Trade"
    # renames the group (one PUT; CU2 updateCustomerGroup takes any subset, so only a
    # changed name is sent); on a store that told them apart, matching by exact case
    # would POST a second group the store refuses (409), and re-create its assignments.
    case_renames=True,
    renamable=True,            # PUT name on the same group (issue 14 finding 7)
    meta_fields=frozenset({"acknowledge", "delete", RENAMED_FROM}),
    # The rules and category access name price lists, category paths and SKUs, which
    # the store matches without case: "tools" in YAML is the store's "Tools".
    ref_fields=frozenset({"category_access", "discount_rules"}),
    server_owned=("id", "date_created", "date_modified"),
    from_live=from_live,
    to_payload=to_payload,
    names=names,
    names_in_row=names_in_row,
    import_file="customer-groups.yaml",
    import_fields=PLAIN,
    import_unset={"is_default": False, "is_group_for_guests": False},
    import_doc=import_doc,
    import_refers=import_refers,
    compact_fields=frozenset({"discount_rules", "category_access"}),
    checks=checks,
))
