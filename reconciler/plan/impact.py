"""What a plan does to the money: per customer group and channel, how many SKUs
change effective price, and the smallest, median and largest change in percent.

Who pays what (FACTS.md 10.4): a price list assigned to a group on a channel
decides that group's price there; shoppers without one pay the catalog price
(variant, else product; sale price when set). So:

- a price record change moves the price for every (group, channel) its list is
  assigned to (a new record: from the catalog price; a removed one: back to it;
  both only when the record is in the catalog's currency, ``store.currency``);
- a catalog price change (product or variant) moves the "(catalog price)" row
  of every channel the product is listed on.

The rows are plain data on the Plan; renderers only show them.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from statistics import median

from reconciler.desired.model import DesiredState
from reconciler.core.live import LiveState
from reconciler.plan.guardrails import effective, merged
from reconciler.plan.model import Action, Plan, ResourceChange
from reconciler.resources import REGISTRY

CATALOG = "(catalog price)"


def price_impact(plan: Plan, desired: DesiredState, live: LiveState) -> list[dict]:
    targets = _assignments(desired, live)
    catalog_currency = str(desired.store.raw.get("currency") or "").upper()
    channels = _product_channels(desired, live)
    moves: dict[tuple[str, str], list[Decimal]] = defaultdict(list)
    blocked: dict[tuple[str, str], int] = defaultdict(int)
    for change in plan.changes:
        if change.kind == "price_record":
            rows = targets.get(_list_of(change), [])
            before, after = _record_prices(change, live, catalog_currency)
        elif change.kind in ("product", "variant") and change.action is Action.UPDATE:
            rows = [(CATALOG, ch) for ch in channels.get(_product_of(change), [])]
            before, after = (effective(f) for f in merged(change, live))
        else:
            continue
        if before is None or after is None or before == after or before <= 0:
            continue
        pct = ((after - before) / before * 100).quantize(Decimal("0.1"))
        for row in rows:
            moves[row].append(pct)
            blocked[row] += bool(change.blocked)
    out = [
        {"customer_group": group, "channel": channel, "changed": len(pcts),
         "min_pct": min(pcts), "median_pct": Decimal(median(pcts)).quantize(Decimal("0.1")),
         "max_pct": max(pcts), "blocked": blocked[(group, channel)]}
        for (group, channel), pcts in moves.items()
    ]
    out.sort(key=lambda r: (-r["blocked"], r["customer_group"] == CATALOG, r["customer_group"], r["channel"]))
    return out


def _record_prices(change: ResourceChange, live: LiveState,
                   catalog_currency: str) -> tuple[Decimal | None, Decimal | None]:
    """A record's effective price before and after; without a record, the catalog's
    (only comparable when the record is in the catalog's currency, store.currency)."""
    sku, currency = _record_sku(change, live), _record_currency(change, live)
    catalog = None
    if currency.upper() == catalog_currency:
        catalog = next((effective(o.fields) for k in ("variant", "product") if (o := live.get(k, sku))), None)
    before_fields, after_fields = merged(change, live)
    before = effective(before_fields) if change.action is not Action.CREATE else catalog
    after = effective(after_fields) if change.action is not Action.DELETE else catalog
    return before, after


def _assignments(desired: DesiredState, live: LiveState) -> dict[str, list[tuple[str, str]]]:
    """Price list name -> [(group, channel)]: as the YAML says for the lists it
    declares, as the store has them for the others."""
    out: dict[str, set[tuple[str, str]]] = defaultdict(set)
    declared = set(desired.of("price_list"))
    for a in desired.of("price_list_assignment").values():
        out[a.parent].add((a.fields["customer_group"], a.fields["channel"]))
    for a in live.of("price_list_assignment").values():
        if a.parent not in declared:
            out[a.parent].add((a.fields["customer_group"], a.fields["channel"]))
    return {k: sorted(v) for k, v in out.items()}


def _product_channels(desired: DesiredState, live: LiveState) -> dict[str, list[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    listed = {a.parent for a in desired.of("channel_assignment").values()}
    for a in desired.of("channel_assignment").values():
        out[a.parent].add(a.fields["channel"])
    for a in live.of("channel_assignment").values():
        if a.parent not in listed:
            out[a.parent].add(a.fields["channel"])
    return {k: sorted(v) for k, v in out.items()}


def _product_of(change: ResourceChange) -> str:
    if change.kind == "product":
        return change.key
    return change.parent.key if change.parent else change.key


# A record's SKU and currency come from the change's own fields, its list from its
# parent, never from splitting its key "List:SKU:CUR" here: a list name may hold ':',
# '@' or '/' (only the kind's ``key_parts`` splits it, by the parent's name).

def _list_of(change: ResourceChange) -> str:
    """The price list's name: the change's parent ``price_list['Trade: GBP']``, as the kind splits its key."""
    parent = change.parent.key if change.parent else None
    return REGISTRY[change.kind].key_parts(change.key, parent)["price_list"]


def _record_sku(change: ResourceChange, live: LiveState) -> str:
    return str(_record_field(change, live, "sku") or "")


def _record_currency(change: ResourceChange, live: LiveState) -> str:
    return str(_record_field(change, live, "currency") or "")


def _record_field(change: ResourceChange, live: LiveState, name: str):
    if change.after.get(name) is not None:
        return change.after[name]
    current = live.get(change.kind, change.key)
    if current is not None and current.fields.get(name) is not None:
        return current.fields[name]
    return next((f.before for f in change.changes if f.path == name), None)
