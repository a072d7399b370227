"""catalog-reconciler: catalog as code for BigCommerce.

The library API, in the order a run uses it:

    >>> desired = load_desired("catalog")                 # YAML -> DesiredState (or DesiredStateError)
    >>> with connect() as client:                         # env: BIGCOMMERCE_* settings
    ...     live = read_live(client, desired.store)       # store -> LiveState
    ...     plan = build_plan(desired, live)              # -> Plan (plain data)
    ...     result = apply_saved_plan(plan, client, desired.store)
"""

from __future__ import annotations

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
    """Apply ``plan`` exactly (an ``ApplySession``, reconciler/apply/session.py). With
    ``check_stale`` the touched objects are re-read first and a plan that no longer
    matches the store is refused (PlanStaleError). A plan with change the guardrails
    block is refused (GuardrailError): they are checked against the store as read for
    this apply, for every plan whoever made it (plan/guardrails.py ``blocked_at_apply``);
    ``desired`` shows the YAML's acknowledgements.

    ``live``: the LiveState the plan was made from moments ago by a full read (``catalog
    apply --auto-approve``, nothing between the plan and the apply): its ids are used as
    they are and nothing is read again. Only without ``check_stale``: a plan that waited
    (saved to a file, or for a person's yes) is checked against a fresh read."""
    from reconciler.apply.session import ApplySession

    return ApplySession(client, settings, hooks=hooks, check_stale=check_stale, skip_stale=skip_stale,
                        allow_price_drop=allow_price_drop, allow_deletes=allow_deletes, desired=desired,
                        live=live, stop=stop).run(plan)
