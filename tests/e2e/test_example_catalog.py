"""The repository's own catalog/ against the gtse seed: what `make demo` shows."""

from __future__ import annotations

from pathlib import Path

from reconciler import apply_saved_plan, build_plan, load_desired, read_live
from reconciler.plan.model import Action

CATALOG = Path(__file__).resolve().parents[2] / "catalog"


def test_example_catalog_under_a_small_quota_meets_no_429(sandbox, client):
    sandbox.reset(seed="gtse")
    sandbox.configure(quota=20, window_ms=2000)
    desired = load_desired(CATALOG)

    plan = build_plan(desired, read_live(client, desired.store))
    assert plan.count(Action.CREATE) >= 2      # a missing category and product(s)
    assert plan.count(Action.UPDATE) >= 1      # the price edited in the admin
    assert plan.unmanaged.get("product")       # a product the YAML does not know

    result = apply_saved_plan(plan, client, desired.store)
    assert not result.failed, [o.message for o in result.failed]

    again = build_plan(desired, read_live(client, desired.store))
    assert not again.has_changes, [(c.action.verb, c.key) for c in again.changes]

    stats = sandbox.stats()
    assert stats["rate_limited"] == 0
    assert stats["responses"].get("429", 0) == 0
    assert client.transport.by_status.get(429, 0) == 0
