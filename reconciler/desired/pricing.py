"""Rules on money and on the kinds that set prices: guardrails, price lists, customer groups.

Like desired/rules.py, each check returns diagnostics located at the offending
value, and skips values at a position in ``flagged`` (already reported, e.g. by
the schema). Price records are labelled by the key they will have,
``price_record 'Trade GBP:CT-BLK100-2.5:GBP'``.

Guardrails (store.guardrails, FACTS.md 10):

- ``sale_price`` must be below ``price`` when an object writes both (product,
  variant, price record): ``product 'X': sale_price 12.00 is not below price 10.00``.
- ``price`` and ``sale_price`` must not be below the cost price unless the object
  says ``acknowledge: [below_cost]``, so the reviewer of the pull request sees it.
  A variant without its own cost_price uses its product's; a price record uses
  its SKU's cost in the catalog. Cost prices are in the store's currency and are
  compared with the record's number as written, whatever its currency.
- ``acknowledge: [price_drop]`` is accepted here and read at plan time, where the
  live prices are known.

    >>> # records: [{sku: CT-BLK200-3.6, price: 0.80}] on "Trade GBP", cost_price 1.10 ->
    >>> # "price_record 'Trade GBP:CT-BLK200-3.6:GBP': price 0.80 is below cost_price 1.10
    >>> #  (add acknowledge: [below_cost] to sell below cost)"
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable, Iterator

from reconciler.core.objects import DesiredObject

from reconciler.core.settings import StoreSettings
from reconciler.core.diagnostics import Diagnostic, SourceRange

BELOW_COST = "below_cost"


@dataclass(frozen=True)
class Sku:
    """What a price record can know about its SKU from the desired catalog."""

    cost_price: Any                 # Decimal or int when written (a variant without one: its product's)
    variants: tuple[str, ...] = ()  # a product's variant SKUs: records must use these instead


def _at(obj: DesiredObject, path: str) -> SourceRange:
    return obj.source_of(path)

# A valid catalog has nothing flagged, so the checks below test ``flagged`` before
# building a path to look up: a 30,000-record price list would otherwise make
# hundreds of thousands of positions just to find none of them flagged.


def _error(message: str, source: SourceRange) -> Diagnostic:
    return Diagnostic("error", message, source)


def _number(value: Any) -> bool:
    return isinstance(value, (int, Decimal)) and not isinstance(value, bool)


def _items(obj: DesiredObject, field: str) -> Iterator[tuple[int, dict[str, Any]]]:
    items = obj.fields.get(field)
    if isinstance(items, list):
        for i, item in enumerate(items):
            if isinstance(item, dict):
                yield i, item


def _acknowledges(fields: dict[str, Any], what: str) -> bool:
    ack = fields.get("acknowledge")
    return isinstance(ack, list) and what in ack


# -- guardrails on products and variants -------------------------------------------------------

def check_product_prices(products: list[DesiredObject], flagged: frozenset[SourceRange]) -> list[Diagnostic]:
    """sale_price below price, and neither below cost unless acknowledged, for products and variants."""
    out = []
    for product in products:
        product_cost = product.fields.get("cost_price")
        out += _prices(f"product '{product.key}'", product.fields, product_cost,
                       lambda path, p=product: _at(p, path), flagged)
        for i, item in _items(product, "variants"):
            sku = item.get("sku")
            label = f"variant '{sku}'" if isinstance(sku, str) and sku else f"product '{product.key}': variants[{i}]"
            cost = item.get("cost_price")
            out += _prices(label, item, product_cost if cost is None else cost,
                           lambda path, p=product, i=i: _at(p, f"variants.{i}.{path}"), flagged)
    return out


def _prices(label: str, fields: dict[str, Any], cost: Any, at, flagged: frozenset[SourceRange]) -> list[Diagnostic]:
    """The guardrails for one object's price, sale_price and cost (``at(field)`` locates a field)."""
    price, sale = fields.get("price"), fields.get("sale_price")
    if not _number(price) or flagged and at("price") in flagged:
        price = None
    if not _number(sale) or flagged and at("sale_price") in flagged:
        sale = None
    out = []
    if price is not None and sale is not None and sale >= price:
        out.append(_error(f"{label}: sale_price {sale} is not below price {price}", at("sale_price")))
    if _number(cost) and not _acknowledges(fields, BELOW_COST):
        for name, value in (("price", price), ("sale_price", sale)):
            if value is not None and value < cost:
                out.append(_error(f"{label}: {name} {value} is below cost_price {cost} "
                                  "(add acknowledge: [below_cost] to sell below cost)", at(name)))
    return out


# -- price lists -----------------------------------------------------------------------------------

def sku_index(products: list[DesiredObject]) -> dict[str, Sku]:
    """Folded SKU -> Sku, for every product and variant in the desired catalog."""
    out: dict[str, Sku] = {}
    for product in products:
        cost = product.fields.get("cost_price")
        variants = [item for _, item in _items(product, "variants") if isinstance(item.get("sku"), str)]
        out.setdefault(product.key.casefold(), Sku(cost, tuple(item["sku"] for item in variants)))
        for item in variants:
            own = item.get("cost_price")
            out.setdefault(item["sku"].casefold(), Sku(cost if own is None else own))
    return out


def check_price_lists(price_lists: list[DesiredObject], skus: dict[str, Sku], groups: dict[str, DesiredObject],
                      store: StoreSettings, flagged: frozenset[SourceRange]) -> list[Diagnostic]:
    """Records (SKU, currency, guardrails, bulk tiers, duplicates) and assignments of each list.

    ``groups`` is the desired customer groups by folded name.
    """
    # Imported here: reconciler.resources may still be importing this package (children.py).
    from reconciler.resources.price_record import key_for as record_key
    out = []
    for price_list in price_lists:
        out += _records(price_list, skus, flagged, record_key)
        out += _assignments(price_list, groups, store, flagged)
    return out


def _records(price_list: DesiredObject, skus: dict[str, Sku], flagged: frozenset[SourceRange],
             record_key: Callable[[str, str, str], str]) -> list[Diagnostic]:
    default = price_list.fields.get("currency")
    if not isinstance(default, str) or flagged and _at(price_list, "currency") in flagged:
        default = None
    out = []
    first: dict[tuple[str, str], int] = {}      # (folded SKU, CURRENCY) -> index of its first record
    for i, rec in _items(price_list, "records"):
        path, sku = f"records.{i}", rec.get("sku")
        if not isinstance(sku, str) or not sku or flagged and _at(price_list, f"{path}.sku") in flagged:
            continue
        currency = rec.get("currency", default)
        if "currency" not in rec and "currency" not in price_list.fields:
            out.append(_error(f"price_list '{price_list.key}': {path}: no currency: write currency on the record "
                              "or a default currency on the list", _at(price_list, path)))
            continue
        if not isinstance(currency, str) or flagged and _at(price_list, f"{path}.currency") in flagged:
            continue
        label = f"price_record '{record_key(price_list.key, sku, currency)}'"
        k = first.setdefault((sku.casefold(), currency.upper()), i)
        if k != i:
            out.append(_error(f"duplicate {label} (first defined at {_at(price_list, f'records.{k}')})",
                              _at(price_list, path)))
            continue
        held = skus.get(sku.casefold())
        problem = _record_sku(sku, held)
        if problem:
            out.append(_error(f"{label}: {problem}", _at(price_list, f"{path}.sku")))
        cost = held.cost_price if held is not None and not held.variants else None
        out += _prices(label, rec, cost, lambda name, p=path: _at(price_list, f"{p}.{name}"), flagged)
        if "bulk_pricing_tiers" in rec:
            out += _tiers(label, price_list, f"{path}.bulk_pricing_tiers", rec["bulk_pricing_tiers"], flagged)
    return out


def _record_sku(sku: str, held: Sku | None) -> str | None:
    """What is wrong with a record's SKU, if anything."""
    if held is None:
        return f"sku '{sku}' is not a product or variant in the catalog"
    if held.variants:
        shown = ", ".join(held.variants[:3]) + (", ..." if len(held.variants) > 3 else "")
        return (f"sku '{sku}' is a product with variants; the store takes price records only "
                f"for its variants' SKUs ({shown})")
    return None


def _tiers(label: str, price_list: DesiredObject, path: str, tiers: Any,
           flagged: frozenset[SourceRange]) -> list[Diagnostic]:
    """Bulk pricing tiers are ascending quantity ranges that do not overlap."""
    if not isinstance(tiers, list):
        return []
    out = []
    prev: tuple[int, int, int | None] | None = None     # (index, quantity_min, quantity_max)
    for j, tier in enumerate(tiers):
        tier = tier if isinstance(tier, dict) else {}
        lo, hi = tier.get("quantity_min"), tier.get("quantity_max")
        at_lo, at_hi = f"{path}.{j}.quantity_min", f"{path}.{j}.quantity_max"
        if not _count(lo) or flagged and _at(price_list, at_lo) in flagged or "quantity_max" not in tier \
                or (hi is not None and (not _count(hi) or flagged and _at(price_list, at_hi) in flagged)):
            prev = None         # the schema has reported it; judge the next tier afresh
            continue
        if hi is not None and hi < lo:
            out.append(_error(f"{label}: bulk_pricing_tiers.{j}: quantity_max {hi} is below quantity_min {lo}",
                              _at(price_list, at_hi)))
        if prev is not None:
            k, prev_lo, prev_hi = prev
            if prev_hi is None:
                out.append(_error(f"{label}: bulk_pricing_tiers.{j}: overlaps tier {k} ({prev_lo} or more); "
                                  "only the last tier can have quantity_max: null", _at(price_list, at_lo)))
            elif lo <= prev_hi:
                out.append(_error(f"{label}: bulk_pricing_tiers.{j}: quantity_min {lo} is not above tier {k}'s "
                                  f"range ({prev_lo} to {prev_hi}); tiers are ascending ranges that do not overlap",
                                  _at(price_list, at_lo)))
        prev = (j, lo, hi)
    return out


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _assignments(price_list: DesiredObject, groups: dict[str, DesiredObject], store: StoreSettings,
                 flagged: frozenset[SourceRange]) -> list[Diagnostic]:
    label = f"price_list '{price_list.key}'"
    known = ", ".join(sorted(store.channels))
    out = []
    first: dict[tuple[str, str], SourceRange] = {}
    for i, item in _items(price_list, "assignments"):
        group, channel = item.get("customer_group"), item.get("channel")
        where = _at(price_list, f"assignments.{i}")
        if isinstance(channel, str) and channel not in store.channels \
                and _at(price_list, f"assignments.{i}.channel") not in flagged:
            out.append(_error(f"{label}: channel '{channel}' is not in store.channels (known: {known})",
                              _at(price_list, f"assignments.{i}.channel")))
        if not isinstance(group, str) or not isinstance(channel, str):
            continue
        seen = first.setdefault((group.casefold(), channel), where)
        if seen != where:
            out.append(_error(f"{label}: assignments.{i}: customer group '{group}' on channel '{channel}' "
                              f"is listed twice (first at {seen})", where))
        discounts = _discount_types(groups.get(group.casefold()))
        if discounts:
            out.append(_error(f"{label}: assignments.{i}: customer group '{group}' has customer-group discounts "
                              f"({', '.join(discounts)}); the store refuses a price list for a group until its "
                              "discount rules are removed", where))
    return out


def _discount_types(group: DesiredObject | None) -> list[str]:
    if group is None:
        return []
    rules = group.fields.get("discount_rules")
    found = [r.get("type") for r in rules if isinstance(r, dict)] if isinstance(rules, list) else []
    return sorted({t for t in found if isinstance(t, str) and t != "price_list"})


# -- customer groups -------------------------------------------------------------------------------

def check_customer_groups(groups: list[DesiredObject], flagged: frozenset[SourceRange]) -> list[Diagnostic]:
    """Category access, discount rules, and at most one default and one guest group."""
    out = []
    only: dict[str, DesiredObject] = {}
    for group in groups:
        out += _category_access(group, flagged)
        out += _discount_rules(group)
        for flag, what in (("is_default", "the default group"), ("is_group_for_guests", "the group for guests")):
            if group.fields.get(flag) is True:
                held = only.setdefault(flag, group)
                if held is not group:
                    out.append(_error(f"customer_group '{group.key}': {flag}: '{held.key}' is already {what} "
                                      f"({held.source_of(flag)}); at most one group can be", _at(group, flag)))
    return out


def _category_access(group: DesiredObject, flagged: frozenset[SourceRange]) -> list[Diagnostic]:
    access = group.fields.get("category_access")
    if not isinstance(access, dict) or flagged and _at(group, "category_access.type") in flagged:
        return []
    label, kind = f"customer_group '{group.key}'", access.get("type")
    if kind == "specific" and "categories" not in access:
        return [_error(f"{label}: category_access: type specific needs categories, the paths the group can see "
                       "(or use type: none)", _at(group, "category_access"))]
    if kind in ("all", "none") and "categories" in access:
        return [_error(f"{label}: category_access.categories: only used with type: specific (type is {kind})",
                       _at(group, "category_access.categories"))]
    return []


def _discount_rules(group: DesiredObject) -> list[Diagnostic]:
    label = f"customer_group '{group.key}'"
    rules = list(_items(group, "discount_rules"))
    out = []
    first_all: SourceRange | None = None
    for i, rule in rules:
        where = _at(group, f"discount_rules.{i}")
        if rule.get("type") == "price_list" and len(rules) > 1:
            out.append(_error(f"{label}: discount_rules.{i}: a price_list rule must be the only rule "
                              f"(the group has {len(rules)})", where))
        elif rule.get("type") == "all":
            if first_all is not None:
                out.append(_error(f"{label}: discount_rules.{i}: a second rule of type all (first at {first_all}); "
                                  "at most one is allowed", where))
            first_all = first_all or where
    return out
