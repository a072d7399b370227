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

Which kinds set a price, in which fields, and whose cost applies are the kinds'
pricing facts (ResourceKind "plan: pricing": ``price_field``, ``cost_field``,
``cost_from_parent``, ``overrides``); nothing here names a kind.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

from reconciler.desired.model import DesiredState
from reconciler.core.address import key_of
from reconciler.core.errors import GO_AHEAD
from reconciler.core.diagnostics import Diagnostic
from reconciler.core.live import LiveState
from reconciler.plan.model import Action, Plan, ResourceChange
from reconciler.resources import REGISTRY
from reconciler.resources.base import ResourceKind
from reconciler.resources.fields import money_text


# What lets a blocked change through: the YAML a reviewer sees in the PR first, the flag (for a
# local run) second. Every ``blocked`` reason is "WHAT; to go ahead: HOW" (core.errors.GO_AHEAD),
# so the rows, the plan's header and the apply's refusal name the same thing.
PRICE_DROP_HOW = ("add `acknowledge: [price_drop]` to the object in YAML (the reviewer sees it in the PR), "
                  "or pass `--allow-price-drop`")
BELOW_COST_HOW = ("add `acknowledge: [below_cost]` to the object in YAML (the reviewer sees it in the PR), "
                  "or pass `--allow-price-drop`")
EXISTING_HOW = "remove it from `store.existing` in store.yaml and plan again"


def deletes_how(total: int, confirmed: int | None) -> str:
    """How to confirm ``total`` deletions: store.deletion.confirm in store.yaml, or --allow-deletes."""
    now = f" (it says {confirmed} now)" if confirmed is not None else ""
    return (f"confirm the number in store.yaml with `deletion: {{confirm: {total}}}` under `store:`{now} "
            f"(the reviewer sees it in the PR), or pass `--allow-deletes {total}`")


def deletes_confirmed(settings, total: int, allow: int | None) -> bool:
    """The plan's ``total`` deletions are confirmed: --allow-deletes N (N >= total), or exactly
    that number in store.yaml (``store.deletion.confirm``; another number confirms nothing)."""
    return (allow is not None and allow >= total) or getattr(settings, "confirm_deletes", None) == total


def priced(kind_name: str) -> ResourceKind | None:
    """The kind named ``kind_name`` when it sets a price (``price_field``); None for others and unknown kinds."""
    kind = REGISTRY[kind_name] if kind_name in REGISTRY else None
    return kind if kind is not None and kind.price_field else None


def effective(kind: ResourceKind, fields: dict[str, Any]) -> Decimal | None:
    """What a shopper pays for an object of ``kind``: the sale price when set, else the price."""
    sale = fields.get(kind.sale_price_field) if kind.sale_price_field else None
    if isinstance(sale, Decimal) and sale > 0:
        return sale
    price = fields.get(kind.price_field) if kind.price_field else None
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
    kind = priced(change.kind)
    if kind is None or change.action is not Action.UPDATE:
        return None
    before, after = (effective(kind, f) for f in merged(change, live))
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
            change.blocked = why + GO_AHEAD + PRICE_DROP_HOW


def deletion_limit(settings, live_count: int) -> int:
    """Deletions one plan may make in a kind: the larger of store.deletion's
    max_objects (10) and max_percent (5%) of the kind's objects in the store."""
    share = int(Decimal(live_count) * settings.max_delete_percent / 100)
    return max(settings.max_deletes, share)


def mark_mass_deletes(plan: Plan, desired: DesiredState, live: LiveState, *, allow: int | None) -> None:
    """Block every delete of a kind whose deletions pass the limit, unless the
    operator confirmed at least as many deletions as the plan makes (--allow-deletes N) or the
    YAML confirms exactly that many (store.deletion.confirm)."""
    total = plan.count(Action.DELETE)
    if deletes_confirmed(desired.store, total, allow):
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
                                  f"(store.deletion){GO_AHEAD}{deletes_how(total, desired.store.confirm_deletes)}")


def below_cost(plan: Plan, desired: DesiredState, live: LiveState) -> list[Diagnostic]:
    """Prices the plan would set below the cost the store holds for that SKU, and the
    children that price through their parent (``below_parent_cost``) below the store's cost."""
    out = [d for c in plan.changes if (d := _below_parent_store_cost(c, desired, live))]
    for change in plan.changes:
        kind = priced(change.kind)
        if kind is None or change.action is Action.DELETE or kind.price_field not in change.after:
            continue
        found = _cost(change, desired, live)
        price = change.after[kind.price_field]
        if found is None or not isinstance(price, Decimal) or price >= found[1]:
            continue
        if acknowledged(desired, change, "below_cost"):
            continue
        obj = desired.get(change.kind, change.key)
        out.append(Diagnostic(
            "error",
            f"{change.kind} {change.key!r}: {kind.price_field} {money_text(price)} is below {found[0]} "
            f"{money_text(found[1])} in the store (add acknowledge: [below_cost] to sell below cost)",
            obj.source_of(kind.price_field) if obj else None,
        ))
    return out


def _below_parent_store_cost(change: ResourceChange, desired: DesiredState, live: LiveState) -> Diagnostic | None:
    """A child pricing through its parent below the cost only the store holds (the YAML's:
    validate compared), unless the parent acknowledges below_cost."""
    kind = REGISTRY[change.kind] if change.kind in REGISTRY else None
    if kind is None or not kind.below_parent_cost or change.action is Action.DELETE or not change.parent:
        return None
    owner = REGISTRY[kind.parent]
    key = key_of(change.parent)
    wanted, current = desired.get(owner.name, key), live.get(owner.name, key)
    if current is None or (wanted is not None and (owner.cost_field in wanted.fields
                                                   or "below_cost" in (wanted.fields.get("acknowledge") or []))):
        return None
    found = kind.below_parent_cost({**current.fields, **(wanted.fields if wanted else {})}, merged(change, live)[1])
    if found is None:
        return None
    what, unit, cost = found
    obj = desired.get(change.kind, change.key)
    return Diagnostic(
        "error", f"{change.kind} {change.key!r}: {what} would sell at {money_text(unit)} a unit, below "
                 f"{owner.cost_field} {money_text(cost)} in the store (add acknowledge: [below_cost] to the "
                 f"{owner.name.replace('_', ' ')} to sell below cost)", obj.source if obj else None)


def _cost(change: ResourceChange, desired: DesiredState, live: LiveState) -> tuple[str, Decimal] | None:
    """(cost field, cost) that applies: written in YAML (validate checks those), else the store's.
    An override's is its SKU's catalog object's; a kind with ``cost_from_parent`` (a variant)
    without a cost of its own uses its parent's."""
    kind = REGISTRY[change.kind]
    if kind.overrides:
        sku = _sku(change, kind, live)     # never split from the key: a list name may hold ':'
        if sku is None:
            return None
        held = (k for k in kind.overrides if desired.get(k, sku) is not None or live.get(k, sku) is not None)
        start = (next(held, kind.overrides[-1]), sku)
    elif kind.cost_field in change.after:
        return None  # both written: validate's job
    else:
        start = (change.kind, change.key)
    owner = desired.get(*start)
    for k, name in _cost_chain(start, owner if owner is not None else live.get(*start)):
        field = REGISTRY[k].cost_field
        wanted = desired.get(k, name)
        if wanted is not None and field in wanted.fields:
            return None  # validate compares against the YAML cost
        current = live.get(k, name)
        cost = current.fields.get(field) if current and field else None
        if isinstance(cost, Decimal) and cost > 0:
            return field, cost
    return None


def _sku(change: ResourceChange, kind: ResourceKind, live: LiveState) -> str | None:
    """The SKU an override (a price record) prices: what the change writes, else the store's."""
    current = live.get(change.kind, change.key)
    sku = change.after.get(kind.sku_field) or (current.fields.get(kind.sku_field) if current else None)
    return sku if isinstance(sku, str) else None


def _cost_chain(start: tuple[str, str], obj) -> list[tuple[str, str]]:
    """Where a cost is looked for: ``start`` (kind, key), then its parent when the kind takes its
    parent's cost and ``obj`` (the object, desired or live) has one."""
    kind = REGISTRY[start[0]]
    if kind.cost_from_parent and obj is not None and obj.parent:
        return [start, (kind.parent, obj.parent)]
    return [start]


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
    costs = _planned_costs(plan)
    out = []
    for change in plan.changes:
        if change.action is Action.DELETE:
            why = _existing_delete(change, settings) or _mass_delete(change.kind, deletes, total, live, settings,
                                                                     allow_deletes)
        elif change.action is Action.NOOP or priced(change.kind) is None or allow_price_drop:
            why = None
        else:
            why = _price_drop(change, live, settings, desired) or _below_store_cost(change, costs, live, desired)
        if why:
            out.append(dataclasses.replace(change, blocked=why))
    return out


def _existing_delete(change: ResourceChange, settings) -> str | None:
    declared = {k.casefold() for k in settings.existing.get(change.kind, ())}
    if change.key.casefold() in declared:
        return (f"{change.kind} {change.key!r} is listed in store.existing: the catalog refers to it and never "
                f"deletes it{GO_AHEAD}{EXISTING_HOW}")
    return None


def _mass_delete(kind: str, deletes: dict[str, int], total: int, live: LiveState, settings,
                 allow: int | None) -> str | None:
    if deletes_confirmed(settings, total, allow):
        return None
    limit = deletion_limit(settings, len(live.of(kind)))
    if deletes[kind] <= limit:
        return None
    return (f"mass deletion: {deletes[kind]} {kind} deletions exceed the limit of {limit} "
            f"(store.deletion){GO_AHEAD}{deletes_how(total, getattr(settings, 'confirm_deletes', None))}")


def _acknowledges(desired: DesiredState | None, change: ResourceChange, what: str) -> bool:
    """The YAML acknowledges this very change: the object says so and asks for these prices."""
    obj = desired.get(change.kind, change.key) if desired is not None else None
    if obj is None or what not in (obj.fields.get("acknowledge") or []):
        return False
    kind = priced(change.kind)
    prices = (kind.price_field, kind.sale_price_field) if kind else ()
    return all(obj.fields.get(f) == change.after[f] for f in prices if f and f in change.after)


def _price_drop(change: ResourceChange, live: LiveState, settings, desired: DesiredState | None) -> str | None:
    why = price_drop(change, live, settings.max_price_drop_percent)
    if not why or _acknowledges(desired, change, "price_drop"):
        return None
    return why + GO_AHEAD + PRICE_DROP_HOW


def _below_store_cost(change: ResourceChange, costs: dict[tuple[str, str], Any], live: LiveState,
                      desired: DesiredState | None) -> str | None:
    kind = REGISTRY[change.kind]
    price = change.after.get(kind.price_field)
    found = _cost_after(change, costs, live)
    if not isinstance(price, Decimal) or found is None or price >= found[1] \
            or _acknowledges(desired, change, "below_cost"):
        return None
    return (f"{kind.price_field} {money_text(price)} is below {found[0]} {money_text(found[1])} in the store"
            + GO_AHEAD + BELOW_COST_HOW)


def _planned_costs(plan: Plan) -> dict[tuple[str, str], Any]:
    """(kind, folded key) -> the cost the plan writes, for every change that writes one."""
    return {(c.kind, c.key.casefold()): c.after[f] for c in plan.changes if (f := _cost_field(c.kind)) and f in c.after}


def _cost_after(change: ResourceChange, planned: dict[tuple[str, str], Any],
                live: LiveState) -> tuple[str, Decimal] | None:
    """(cost field, cost) that holds once the plan is applied: the plan's own (``planned``), else
    the store's; an override's is its SKU's catalog objects' (a record: its variant's, else
    product's), and a kind with ``cost_from_parent`` falls back to its parent's (a variant: its product's)."""
    kind = REGISTRY[change.kind]
    chain = [(change.kind, change.key)]
    if kind.overrides:
        sku = _sku(change, kind, live)
        chain = [(k, sku) for k in kind.overrides] if sku is not None else []
    for k, key in list(chain):
        chain += _cost_chain((k, key), live.get(k, key))[1:]
    for k, key in chain:
        field = REGISTRY[k].cost_field
        cost = planned.get((k, key.casefold()))
        if cost is None:
            obj = live.get(k, key)
            cost = obj.fields.get(field) if obj is not None and field else None
        if isinstance(cost, Decimal) and cost > 0:
            return field, cost
    return None


def _cost_field(kind_name: str) -> str | None:
    return REGISTRY[kind_name].cost_field if kind_name in REGISTRY else None
