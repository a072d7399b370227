"""catalog-reconciler: catalog as code for BigCommerce.

The library API, in the order a run uses it:

    >>> desired = load_desired("catalog")                 # YAML -> DesiredState (or DesiredStateError)
    >>> with connect() as client:                         # env: BIGCOMMERCE_* settings
    ...     live = read_live(client, desired.store)       # store -> LiveState
    ...     plan = build_plan(desired, live)              # -> Plan (plain data)
    ...     result = apply_saved_plan(plan, client, desired.store)
"""

from __future__ import annotations

import dataclasses

__all__ = ["load_desired", "connect", "read_live", "build_plan", "apply_saved_plan"]

# Imported lazily so that `import reconciler.sandbox` (a separate store) does not
# pull in the client, the planner and their dependencies.
_LAZY = {
    "load_desired": "reconciler.desired",
    "build_plan": "reconciler.plan.diff",
    "read_live": "reconciler.store.read",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(name)


def connect(config=None, *, parallelism: int | None = None):
    """A StoreClient for the configured store (BIGCOMMERCE_* environment variables).

    ``parallelism`` fixes how many requests are in flight; by default it follows
    the store's quota headers and the observed round-trip time (up to 16)."""
    from reconciler.store.client import StoreClient
    from reconciler.store.config import StoreConfig
    from reconciler.store.transport import Transport

    from reconciler.store.ratelimit import RateLimiter

    config = config or StoreConfig.from_env()
    limiter = RateLimiter(max_inflight=parallelism)
    workers = parallelism or 16
    return StoreClient(Transport(config, pool_size=max(workers, 4), limiter=limiter), parallelism=workers)


def apply_saved_plan(plan, client, settings=None, *, hooks=None, check_stale: bool = True,
                     allow_price_drop: bool = False, allow_deletes: int | None = None,
                     skip_stale: bool = False, live=None, desired=None, stop=None):
    """Apply ``plan`` exactly. With ``check_stale`` the touched objects are re-read first and
    a plan that no longer matches the store is refused (PlanStaleError). A plan with
    change the guardrails block is refused (GuardrailError): they are checked here, against
    the store as read for this apply, for every plan whoever made it
    (plan/guardrails.py ``blocked_at_apply``); ``desired`` shows the YAML's acknowledgements.

    ``live``: the LiveState the plan was made from moments ago by a full read (``catalog
    apply --auto-approve``, nothing between the plan and the apply): its ids are used as
    they are and nothing is read again. Only without ``check_stale``: a plan that waited
    (saved to a file, or for a person's yes) is checked against a fresh read."""
    from reconciler.core import errors
    from reconciler.apply.executor import apply_plan
    from reconciler.apply.stale import find_stale, read_for_apply

    if plan.store and plan.store.get("store_hash") not in (None, client.transport.config.store_hash):
        raise errors.PlanError(
            f"this plan was made for store {plan.store.get('store_hash')!r}, "
            f"not {client.transport.config.store_hash!r}"
        )
    if live is not None and check_stale:
        raise ValueError("a plan checked for staleness is checked against a fresh read, not the plan's own")
    if live is None or not live.refresh.startswith("full"):
        live = read_for_apply(plan, client, settings)
    stale = find_stale(plan, live) if check_stale else []
    if stale and not skip_stale:
        raise errors.PlanStaleError([f"{c.address}: {why}" for c, why in stale])
    if stale:
        # --skip-stale: apply the rest; a stale object's sub-resources are skipped with it.
        skipped = {c.address for c, _ in stale}
        keep = [c for c in plan.changes if c.address not in skipped and c.parent not in skipped]
        plan = dataclasses.replace(plan, changes=keep)
    _guard(plan, live, settings, desired, allow_price_drop, allow_deletes)
    result = apply_plan(plan, client, live, settings=settings, hooks=hooks, stop=stop)
    result.skipped = stale
    return result


def _guard(plan, live, settings, desired, allow_price_drop: bool, allow_deletes: int | None) -> None:
    """The one place a plan meets the guardrails before anything is sent: the blocks the plan
    was made with, unless the operator's flags lift them, and the same checks made again
    against the store as read now (a rollback or any other plan source is not trusted)."""
    from reconciler.core import errors
    from reconciler.core.settings import StoreSettings
    from reconciler.plan.guardrails import blocked_at_apply

    still = {c.address: c for c in blocked_at_apply(plan, live, settings or StoreSettings(), desired,
                                                    allow_price_drop=allow_price_drop, allow_deletes=allow_deletes)}
    for c in plan.blocked:      # the plan's own marks, unless the flags lift them (counted on what is applied)
        if not _overridden(c, plan, allow_price_drop, allow_deletes):
            still.setdefault(c.address, c)
    if still:
        raise errors.GuardrailError(list(still.values()))


def _overridden(change, plan, allow_price_drop: bool, allow_deletes: int | None) -> bool:
    """Whether the operator's flags lift this change's block: deletions are blocked
    as a mass deletion, everything else by a price drop."""
    if change.action.verb == "delete":
        return allow_deletes is not None and allow_deletes >= plan.count(change.action)
    return allow_price_drop
