"""Money guardrails that need the live store: price drops and prices below cost.

Checks that the YAML alone can answer (sale price below price, price below the
cost written next to it) are made by ``validate``; here the plan compares with
what the store charges now:

- a change that lowers an object's effective price (sale price if set, else
  price) by more than ``store.guardrails.max_price_drop_percent`` (default 30)
  is *blocked*: the plan shows it first and apply refuses it, unless the object
  says ``acknowledge: [price_drop]`` (a reviewer sees that in the PR) or apply
  runs with ``--allow-price-drop``;
- a price below the variant's cost in the store is an error at the YAML
  position, unless the object says ``acknowledge: [below_cost]``.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

from reconciler.desired.model import DesiredState
from reconciler.core.diagnostics import Diagnostic
from reconciler.core.live import LiveState
from reconciler.plan.model import Action, Plan, ResourceChange
from reconciler.resources.fields import money_text

PRICED = ("product", "variant", "price_record")


def effective(fields: dict[str, Any]) -> Decimal | None:
    """What a shopper pays: the sale price when set, else the price."""
    sale = fields.get("sale_price")
    if isinstance(sale, Decimal) and sale > 0:
        return sale
    price = fields.get("price")
    return price if isinstance(price, Decimal) else None


def merged(change: ResourceChange, live: LiveState) -> tuple[dict[str, Any], dict[str, Any]]:
    """The object's fields before and after the change (live values where YAML is silent)."""
    current = live.get(change.kind, change.key)
    before = dict(current.fields) if current else {}
    after = {**before, **change.after} if change.action is not Action.DELETE else {}
    return before, after


def acknowledged(desired: DesiredState, change: ResourceChange, what: str) -> bool:
    obj = desired.get(change.kind, change.key)
    return bool(obj) and what in (obj.fields.get("acknowledge") or [])


def drop_percent(before: Decimal, after: Decimal) -> Decimal:
    return ((before - after) / before * 100).quantize(Decimal("0.1"))


def price_drop(change: ResourceChange, live: LiveState, limit: Decimal) -> str | None:
    """An update of a priced object that drops what a shopper pays past ``limit`` %:
    the drop in words, else None."""
    if change.kind not in PRICED or change.action is not Action.UPDATE:
        return None
    before, after = (effective(f) for f in merged(change, live))
    if not before or after is None or before <= 0:
        return None
    drop = drop_percent(before, after)
    if drop <= limit:
        return None
    return f"price drops {drop}% ({money_text(before)} -> {money_text(after)}; limit {limit}%)"


def mark_price_drops(plan: Plan, desired: DesiredState, live: LiveState, *, allow: bool) -> None:
    if allow:
        return
    for change in plan.changes:
        why = price_drop(change, live, desired.store.max_price_drop_percent)
        if why and not acknowledged(desired, change, "price_drop"):
            change.blocked = why


def deletion_limit(settings, live_count: int) -> int:
    """Deletions one plan may make in a kind: the larger of store.deletion's
    max_objects (10) and max_percent (5%) of the kind's objects in the store."""
    share = int(Decimal(live_count) * settings.max_delete_percent / 100)
    return max(settings.max_deletes, share)


def mark_mass_deletes(plan: Plan, desired: DesiredState, live: LiveState, *, allow: int | None) -> None:
    """Block every delete of a kind whose deletions pass the limit, unless the
    operator confirmed at least as many deletions as the plan makes (--allow-deletes N)."""
    total = plan.count(Action.DELETE)
    if allow is not None and allow >= total:
        return
    by_kind: dict[str, list[ResourceChange]] = {}
    for change in plan.changes:
        if change.action is Action.DELETE:
            by_kind.setdefault(change.kind, []).append(change)
    for kind, deletes in by_kind.items():
        limit = deletion_limit(desired.store, len(live.of(kind)))
        if len(deletes) > limit:
            for change in deletes:
                change.blocked = (f"mass deletion: {len(deletes)} {kind} deletions exceed the limit of {limit} "
                                  f"(store.deletion); confirm with --allow-deletes {total}")


def below_cost(plan: Plan, desired: DesiredState, live: LiveState) -> list[Diagnostic]:
    """Prices the plan would set below the cost the store holds for that SKU."""
    out = []
    for change in plan.changes:
        if change.kind not in PRICED or change.action is Action.DELETE or "price" not in change.after:
            continue
        cost = _cost(change, desired, live)
        price = change.after["price"]
        if cost is None or not isinstance(price, Decimal) or price >= cost:
            continue
        if acknowledged(desired, change, "below_cost"):
            continue
        obj = desired.get(change.kind, change.key)
        out.append(Diagnostic(
            "error",
            f"{change.kind} {change.key!r}: price {money_text(price)} is below cost_price {money_text(cost)} in the store "
            "(add acknowledge: [below_cost] to sell below cost)",
            obj.source_of("price") if obj else None,
        ))
    return out


def _cost(change: ResourceChange, desired: DesiredState, live: LiveState) -> Decimal | None:
    """The cost that applies: written in YAML (validate checks those), else the store's.
    A variant without a cost of its own uses its product's."""
    if change.kind == "price_record":
        current = live.get(change.kind, change.key)
        sku = change.after.get("sku") or (current.fields.get("sku") if current else None)
        if not isinstance(sku, str):
            return None
        kind, key = "variant", sku      # never split from the key: a list name may hold ':'
        if desired.get("variant", key) is None and live.get("variant", key) is None:
            kind = "product"
    elif "cost_price" in change.after:
        return None  # both written: validate's job
    else:
        kind, key = change.kind, change.key
    chain = [(kind, key)]
    owner = desired.get(kind, key) or live.get(kind, key)
    if kind == "variant" and owner is not None and owner.parent:
        chain.append(("product", owner.parent))
    for k, name in chain:
        wanted = desired.get(k, name)
        if wanted is not None and "cost_price" in wanted.fields:
            return None  # validate compares against the YAML cost
        current = live.get(k, name)
        cost = current.fields.get("cost_price") if current else None
        if isinstance(cost, Decimal) and cost > 0:
            return cost
    return None


# -- at apply: every plan, whoever made it --------------------------------------------------------

def blocked_at_apply(plan: Plan, live: LiveState, settings, desired: DesiredState | None = None, *,
                     allow_price_drop: bool = False, allow_deletes: int | None = None) -> list[ResourceChange]:
    """The changes apply refuses, as copies with ``blocked`` saying why and how to pass.

    Every plan meets these checks against the store as read for the apply, whoever
    made it (``catalog plan``, a saved file, ``catalog rollback``, a ``--skip-stale``
    remainder): deleting what ``store.existing`` declares; more deletions of a kind
    than store.deletion allows (counted against the kind's objects in that read: for
    a saved plan only the objects it touches, so the limit is never looser than the
    plan's); price drops past the limit; prices below the store's cost. A drop or a
    price below cost passes when the YAML acknowledges that very change (``desired``)
    or with ``--allow-price-drop``; a deletion limit with ``--allow-deletes N``."""
    deletes: dict[str, int] = {}
    for change in plan.changes:
        if change.action is Action.DELETE:
            deletes[change.kind] = deletes.get(change.kind, 0) + 1
    total = sum(deletes.values())
    out = []
    for change in plan.changes:
        if change.action is Action.DELETE:
            why = _existing_delete(change, settings) or _mass_delete(change.kind, deletes, total, live, settings,
                                                                     allow_deletes)
        elif change.action is Action.NOOP or change.kind not in PRICED or allow_price_drop:
            why = None
        else:
            why = _price_drop(change, live, settings, desired) or _below_store_cost(change, plan, live, desired)
        if why:
            out.append(dataclasses.replace(change, blocked=why))
    return out


def _existing_delete(change: ResourceChange, settings) -> str | None:
    declared = {k.casefold() for k in settings.existing.get(change.kind, ())}
    if change.key.casefold() in declared:
        return (f"{change.kind} {change.key!r} is listed in store.existing: the catalog refers to it and never "
                "deletes it (remove it from store.existing and plan again to delete it)")
    return None


def _mass_delete(kind: str, deletes: dict[str, int], total: int, live: LiveState, settings,
                 allow: int | None) -> str | None:
    if allow is not None and allow >= total:
        return None
    limit = deletion_limit(settings, len(live.of(kind)))
    if deletes[kind] <= limit:
        return None
    return (f"mass deletion: {deletes[kind]} {kind} deletions exceed the limit of {limit} "
            f"(store.deletion); confirm with --allow-deletes {total}")


def _acknowledges(desired: DesiredState | None, change: ResourceChange, what: str) -> bool:
    """The YAML acknowledges this very change: the object says so and asks for these prices."""
    obj = desired.get(change.kind, change.key) if desired is not None else None
    if obj is None or what not in (obj.fields.get("acknowledge") or []):
        return False
    return all(obj.fields.get(f) == change.after[f] for f in ("price", "sale_price") if f in change.after)


def _price_drop(change: ResourceChange, live: LiveState, settings, desired: DesiredState | None) -> str | None:
    why = price_drop(change, live, settings.max_price_drop_percent)
    if not why or _acknowledges(desired, change, "price_drop"):
        return None
    return f"{why}; acknowledge it in YAML (acknowledge: [price_drop]) or pass --allow-price-drop"


def _below_store_cost(change: ResourceChange, plan: Plan, live: LiveState,
                      desired: DesiredState | None) -> str | None:
    price = change.after.get("price")
    cost = _cost_after(change, plan, live)
    if not isinstance(price, Decimal) or cost is None or price >= cost or _acknowledges(desired, change, "below_cost"):
        return None
    return (f"price {money_text(price)} is below cost_price {money_text(cost)} in the store; acknowledge it in "
            "YAML (acknowledge: [below_cost]) or pass --allow-price-drop")


def _cost_after(change: ResourceChange, plan: Plan, live: LiveState) -> Decimal | None:
    """The cost that holds once the plan is applied: the plan's own, else the store's;
    a price record's is its variant's (else product's), a variant's falls back to its product's."""
    planned = {(c.kind, c.key.casefold()): c.after.get("cost_price") for c in plan.changes if "cost_price" in c.after}
    chain = [(change.kind, change.key)]
    if change.kind == "price_record":
        current = live.get(change.kind, change.key)
        sku = change.after.get("sku") or (current.fields.get("sku") if current else None)
        chain = [("variant", sku), ("product", sku)] if isinstance(sku, str) else []
    for kind, key in list(chain):
        obj = live.get(kind, key)
        if kind == "variant" and obj is not None and obj.parent:
            chain.append(("product", obj.parent))
    for kind, key in chain:
        cost = planned.get((kind, key.casefold()))
        if cost is None:
            obj = live.get(kind, key)
            cost = obj.fields.get("cost_price") if obj is not None else None
        if isinstance(cost, Decimal) and cost > 0:
            return cost
    return None
