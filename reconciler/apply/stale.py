"""Is a saved plan still true? Compare its fingerprints with the store, now.

Only the objects the plan touches are re-read. A create is stale when the
object has appeared since; an update when the object changed or vanished.
"""

from __future__ import annotations

from reconciler.core.settings import StoreSettings
from reconciler.core.live import LiveState
from reconciler.plan.model import Action, Plan, ResourceChange
from reconciler.resources import REGISTRY, Registry
from reconciler.store.client import StoreClient
from reconciler.store.touched import touched_by_changes
from reconciler.store.read import read_touched


def touched_keys(plan: Plan, registry: Registry = REGISTRY) -> dict[str, list[str]]:
    """Top-level keys a plan touches; a sub-resource counts as its parent."""
    return touched_by_changes(plan.changes, registry).top_level()


def find_stale(plan: Plan, live: LiveState) -> list[tuple["ResourceChange", str]]:
    """Changes whose object is no longer as the plan saw it, each with what happened."""
    stale = []
    deleted = {(c.kind, c.key.casefold()) for c in plan.changes if c.action is Action.DELETE}
    for c in plan.changes:
        now = live.get(c.kind, c.key)
        # A replaced object, and what the store drops with it (with_replaced_*), are in the
        # store when the plan is made: their creates expect it; so does any create of an
        # object the same plan deletes first (a rollback of a replace).
        if (c.action is Action.CREATE and now is not None and (c.kind, c.key.casefold()) not in deleted
                and not (c.reason or "").startswith(("replace", "with_replaced_"))):
            stale.append((c, "was created in the store after the plan was made"))
        elif c.action in (Action.UPDATE, Action.DELETE):
            if now is None:
                if c.action is Action.UPDATE:
                    stale.append((c, "was deleted from the store after the plan was made"))
            elif now.fingerprint != c.fingerprint:
                changed = [f"{f.path} was {_show(f.before)} when planned, now {_show(now.fields.get(f.path))}"
                           for f in c.changes if now.fields.get(f.path) != f.before]
                what = f" ({'; '.join(changed)})" if changed else " (fields the plan does not change)"
                stale.append((c, f"changed in the store after the plan was made{what}"))
    return stale


def read_for_apply(plan: Plan, client: StoreClient, settings: StoreSettings | None = None,
                   registry: Registry = REGISTRY) -> LiveState:
    return read_touched(client, touched_by_changes(plan.changes, registry), settings, registry)


def _show(value) -> str:
    from decimal import Decimal

    from reconciler.resources.fields import money_text

    return money_text(value) if isinstance(value, Decimal) else repr(value)
