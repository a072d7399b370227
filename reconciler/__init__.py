"""catalog-reconciler: catalog as code for BigCommerce.

The library API, in the order a run uses it:

    >>> desired = load_desired("catalog")                 # YAML -> DesiredState (or DesiredStateError)
    >>> with connect() as client:                         # env: BIGCOMMERCE_* settings
    ...     live = read_live(client, desired.store)       # store -> LiveState
    ...     plan = build_plan(desired, live)              # -> Plan (plain data)
    ...     result = apply_saved_plan(plan, client, desired.store)
"""

from __future__ import annotations

__all__ = ["load_desired", "connect", "read_live", "build_plan", "apply_saved_plan", "load_beside"]

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


def load_beside(catalog, open_client, *, refresh: str | None = None):
    """``load_desired(catalog)`` and ``read_live`` of the store, side by side:
    (desired, live, client) with ``client = open_client()``, still open (close it).

    The YAML loads in a forked process (desired/background.py) while this one reads
    the store with the store block's settings read ahead (``load.store_settings``);
    the kinds' ``settle_read`` then runs with the loaded catalog's settings. The result
    is what loading and then reading gives: when the settings read ahead are not the
    loaded ones, the store is read again with those. A catalog that does not load
    raises its DesiredStateError first, whatever the read did (as when it loaded
    first, nothing about the store is reported then)."""
    from reconciler.desired.background import BackgroundLoad
    from reconciler.desired.load import store_settings
    from reconciler.store.read import read_live, settle_read

    loading = BackgroundLoad(catalog)    # forks now: before the client starts threads
    client = None
    try:
        ahead = store_settings(catalog) if loading.started else None
        client = open_client()
        live = read_live(client, ahead, refresh=refresh, settle=False) if ahead is not None else None
        desired = loading.result()
    except BaseException:
        if client is not None:
            client.close()
        loading.result()     # the catalog's own errors come first
        raise
    try:
        if live is None or ahead != desired.store:
            live = read_live(client, desired.store, refresh=refresh)
        else:
            settle_read(client, live, desired.store)
    except BaseException:
        client.close()
        raise
    return desired, live, client


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
