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

from decimal import Decimal
from typing import Any

from reconciler.desired.model import DesiredState
from reconciler.diagnostics import Diagnostic
from reconciler.live import LiveState
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


def mark_price_drops(plan: Plan, desired: DesiredState, live: LiveState, *, allow: bool) -> None:
    limit = desired.store.max_price_drop_percent
    for change in plan.changes:
        if change.kind not in PRICED or change.action is not Action.UPDATE:
            continue
        before, after = (effective(f) for f in merged(change, live))
        if not before or after is None or before <= 0:
            continue
        drop = drop_percent(before, after)
        if drop > limit and not allow and not acknowledged(desired, change, "price_drop"):
            change.blocked = f"price drops {drop}% ({money_text(before)} -> {money_text(after)}; limit {limit}%)"


def deletion_limit(desired: DesiredState, live_count: int) -> int:
    """Deletions one plan may make in a kind: the larger of store.deletion's
    max_objects (10) and max_percent (5%) of the kind's objects in the store."""
    share = int(Decimal(live_count) * desired.store.max_delete_percent / 100)
    return max(desired.store.max_deletes, share)


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
        limit = deletion_limit(desired, len(live.of(kind)))
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
        kind, key = "variant", change.key.rsplit(":", 2)[1]
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
