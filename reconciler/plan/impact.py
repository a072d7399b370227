"""What a plan does to the money: per customer group and channel, how many SKUs
change effective price, and the smallest, median and largest change in percent.

Who pays what (FACTS.md 10.4): a price list assigned to a group on a channel
decides that group's price there; shoppers without one pay the catalog price
(variant, else product; sale price when set). So:

- a price record change moves the price for every (group, channel) its list is
  assigned to, on the channels its SKU's product is listed on (a new record: from the catalog price; a removed one: back to it;
  both only when the record is in the catalog's currency, ``store.currency``);
- a catalog price change (product or variant) moves the "(catalog price)" row
  of every channel the product is listed on.

Which kinds carry a price and who sees it are the kinds' pricing facts
(ResourceKind "plan: pricing"): a kind with ``overrides`` (a price record)
replaces the catalog price of its SKU for its parent's audience; a kind with
``audience_fields`` (a price list assignment, a channel assignment) names who
sees its parent's prices. Nothing here names a kind.

Each row also carries amounts: ``sum_change`` (currency -> the sum of new minus old over
the row's SKUs) and ``movers``, the ``MOVERS`` SKUs whose price moves most (by amount),
each ``{"sku", "currency", "before", "after"}``.

The rows are plain data on the Plan; renderers only show them.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from statistics import median

from reconciler.desired.model import DesiredState
from reconciler.core.live import LiveState
from reconciler.core.address import key_of
from reconciler.plan.guardrails import effective, merged, priced
from reconciler.plan.model import IMPACT_GROUP, Action, Plan, ResourceChange
from reconciler.resources import REGISTRY
from reconciler.resources.base import ResourceKind

MOVERS = 3                      # SKUs named per row: the biggest moves by amount
CATALOG = "(catalog price)"
EVERYONE = "(every group)"      # an audience with no group: a price list assigned to a channel alone


def price_impact(plan: Plan, desired: DesiredState, live: LiveState) -> list[dict]:
    audiences = _audiences(desired, live)
    catalog_currency = str(desired.store.raw.get("currency") or "").upper()
    moves: dict[tuple[str, str], list[Decimal]] = defaultdict(list)
    blocked: dict[tuple[str, str], int] = defaultdict(int)
    amounts: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for change in plan.changes:
        kind = priced(change.kind)
        if kind is None or not kind.overrides and change.action is not Action.UPDATE:
            continue
        rows = audiences.get(_audience_owner(kind, change), [])
        if kind.overrides:
            rows = _on_its_channels(rows, _listed_on(kind, change, desired, live, audiences))
            sku = str(_field(change, live, kind.sku_field) or "")
            currency = str(_field(change, live, kind.currency_field) or "").upper()
            before, after = _override_prices(kind, change, live, sku, currency == catalog_currency)
            sku, currency = sku or change.key, currency or catalog_currency
        else:
            before, after = (effective(kind, f) for f in merged(change, live))
            sku, currency = change.key, catalog_currency
        if before is None or after is None or before == after or before <= 0:
            continue
        pct = ((after - before) / before * 100).quantize(Decimal("0.1"))
        for row in rows:
            moves[row].append(pct)
            blocked[row] += bool(change.blocked)
            amounts[row].append({"sku": sku, "currency": currency, "before": before, "after": after})
    out = [
        {IMPACT_GROUP: group, "channel": channel, "changed": len(pcts),
         "min_pct": min(pcts), "median_pct": Decimal(median(pcts)).quantize(Decimal("0.1")),
         "max_pct": max(pcts), "blocked": blocked[(group, channel)], **_amounts(amounts[(group, channel)])}
        for (group, channel), pcts in moves.items()
    ]
    out.sort(key=lambda r: (-r["blocked"], r[IMPACT_GROUP] == CATALOG, r[IMPACT_GROUP], r["channel"]))
    return out


def _amounts(moved: list[dict]) -> dict:
    """``sum_change`` per currency and the ``MOVERS`` biggest moves (by amount, then SKU)."""
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for m in moved:
        sums[m["currency"]] += m["after"] - m["before"]
    biggest = sorted(moved, key=lambda m: (-abs(m["after"] - m["before"]), m["sku"]))[:MOVERS]
    return {"sum_change": dict(sorted(sums.items())), "movers": biggest}


def _override_prices(kind: ResourceKind, change: ResourceChange, live: LiveState, sku: str,
                     in_catalog_currency: bool) -> tuple[Decimal | None, Decimal | None]:
    """An override's effective price before and after; without one, the catalog's (only
    comparable when the override is in the catalog's currency, store.currency)."""
    catalog = None
    if in_catalog_currency:
        catalog = next((effective(REGISTRY[k], o.fields) for k in kind.overrides if (o := live.get(k, sku))), None)
    before_fields, after_fields = merged(change, live)
    before = effective(kind, before_fields) if change.action is not Action.CREATE else catalog
    after = effective(kind, after_fields) if change.action is not Action.DELETE else catalog
    return before, after


def _listed_on(kind: ResourceKind, change: ResourceChange, desired: DesiredState, live: LiveState,
               audiences: dict) -> set[str] | None:
    """The channels an override's SKU is listed on: those of the object it overrides (a
    variant: its product's), as ``_audiences`` has them (YAML over store); None for a SKU
    neither the YAML nor the store has."""
    sku = str(_field(change, live, kind.sku_field) or "")
    for name in kind.overrides:
        obj = desired.get(name, sku) or live.get(name, sku)
        if obj is not None:
            owner = (REGISTRY[name].parent, obj.parent) if REGISTRY[name].parent else (name, obj.key)
            return {channel for group, channel in audiences.get(owner, []) if group == CATALOG}
    return None


def _on_its_channels(rows: list[tuple[str, str]], channels: set[str] | None) -> list[tuple[str, str]]:
    """A price is seen only where the SKU is sold: the rows on the channels it is listed on."""
    return rows if channels is None else [row for row in rows if row[1] in channels]


def _audiences(desired: DesiredState, live: LiveState) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """(owner kind, owner key) -> [(group, channel)] who see the owner's prices, from every kind
    with ``audience_fields``: as the YAML says for the owners it decides (``audience_from``),
    as the store has them for the others."""
    out: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    for kind in REGISTRY:
        if kind.audience_fields is None or kind.parent is None:
            continue
        wanted = desired.of(kind.name).values()
        decided = set(desired.of(kind.parent)) if kind.audience_from == "declared" else {a.parent for a in wanted}
        for a in wanted:
            out[(kind.parent, a.parent)].add(_seen_by(kind, a.fields))
        for a in live.of(kind.name).values():
            if a.parent not in decided:
                out[(kind.parent, a.parent)].add(_seen_by(kind, a.fields))
    return {k: sorted(v) for k, v in out.items()}


def _seen_by(kind: ResourceKind, fields: dict) -> tuple[str, str]:
    group, channel = kind.audience_fields
    return ((fields[group] or EVERYONE) if group else CATALOG), fields[channel]


def _audience_owner(kind: ResourceKind, change: ResourceChange) -> tuple[str, str]:
    """Whose audience sees a priced change: its parent's (a variant's product, a record's
    price list), else its own (a product)."""
    if kind.parent is None:
        return kind.name, change.key
    return kind.parent, key_of(change.parent) or change.key


# An override's owner, SKU and currency come from the change's parent address and its own
# fields, never from splitting its key "List:SKU:CUR": a list name may hold ':', '@' or '/'.

def _field(change: ResourceChange, live: LiveState, name: str | None):
    """A field of the changed object: what the change writes, else the store's, else what it held."""
    if name is None:
        return None
    if change.after.get(name) is not None:
        return change.after[name]
    current = live.get(change.kind, change.key)
    if current is not None and current.fields.get(name) is not None:
        return current.fields[name]
    return next((f.before for f in change.changes if f.path == name), None)
