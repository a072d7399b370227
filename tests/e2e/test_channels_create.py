"""New products' channels, over real HTTP to the sandbox. Which channels the store lists a
product created through the API on is not stated (FACTS.md 8; the sandbox lists it on
channel 1): apply reads what the store did and sends only the difference, so each new
product ends on exactly the channels its YAML lists, and the plan stays what apply did."""

from __future__ import annotations

from reconciler import apply_saved_plan
from reconciler.plan.model import Action

from .test_variants import converge, plan_for, tie, write

ASSIGNMENTS = "/v3/catalog/products/channel-assignments"


def new_products(uk: int, both: int, us: int) -> list[dict]:
    return ([tie(f"U{i:03d}", {"2.5mm": 1.0}) for i in range(uk)]
            + [tie(f"B{i:03d}", {"2.5mm": 1.0}, channels=("uk-main", "us-trade")) for i in range(both)]
            + [tie(f"S{i:03d}", {"2.5mm": 1.0}, channels=("us-trade",)) for i in range(us)])


def expected(uk: int, both: int, us: int) -> dict[str, set[int]]:
    """What ``new_products`` lists, as the store should have it: SKU -> channel ids."""
    return {**{f"CT-U{i:03d}": {1} for i in range(uk)}, **{f"CT-B{i:03d}": {1, 2} for i in range(both)},
            **{f"CT-S{i:03d}": {2} for i in range(us)}}


def planned_with_fault(sandbox, client, tmp_path, counts: tuple[int, int, int], method: str):
    """A plan creating ``new_products(*counts)``, and 6 answers of 500 (past the retries)
    queued for the next ``method`` requests to the assignments endpoint."""
    sandbox.reset(data={"categories": [{"path": "Cable Ties"}]})
    folder = write(tmp_path, new_products(*counts))
    plan, desired = plan_for(client, folder)
    client.transport.backoff_s = 0.01
    sandbox.faults(queue=[{"fault": "500", "count": 6, "method": method, "route": ASSIGNMENTS}])
    return folder, plan, desired


def assignment_requests(sandbox) -> list[dict]:
    return [r for r in sandbox.requests() if r["path"].endswith(ASSIGNMENTS)]


def listed(client) -> dict[str, set[int]]:
    skus = {p["id"]: p["sku"] for p in client.list_all("/v3/catalog/products", {"include_fields": "sku"})}
    out: dict[str, set[int]] = {}
    for row in client.list_all(ASSIGNMENTS):
        out.setdefault(skus[row["product_id"]], set()).add(row["channel_id"])
    return out


def test_new_products_end_on_exactly_their_channels_with_only_the_difference_sent(sandbox, client, tmp_path):
    sandbox.reset(data={"categories": [{"path": "Cable Ties"}]})
    sandbox.configure(quota=1000)   # 255 product POSTs: not a test of the Standard quota's waits
    folder = write(tmp_path, new_products(uk=140, both=60, us=55))
    plan, desired = plan_for(client, folder)
    planned = [c for c in plan.changes if c.kind == "channel_assignment"]
    assert {c.action for c in planned} == {Action.CREATE}
    assert len(planned) == 140 + 2 * 60 + 55
    start = len(sandbox.requests())

    result = converge(client, folder, plan, desired)

    assert sum(1 for o in result.outcomes if o.change.kind == "channel_assignment" and o.ok) == len(planned)
    apply_reqs = [r for r in sandbox.requests()[start:] if r["path"].endswith(ASSIGNMENTS)]
    gets = [r for r in apply_reqs if r["method"] == "GET"]
    deletes = [r for r in apply_reqs if r["method"] == "DELETE"]
    puts = [r for r in apply_reqs if r["method"] == "PUT"]
    # 255 new products: one read of up to 250 products each.
    assert len(gets) == 2
    # The store listed every new product on channel 1: only the 55 that list "us-trade"
    # alone leave it (50 per DELETE), and only the 115 "us-trade" assignments are PUT.
    assert [(r["query"]["channel_id:in"], len(r["query"]["product_id:in"].split(","))) for r in deletes] == \
        [("1", 50), ("1", 5)]
    assert [r["items"] for r in puts] == [50, 50, 15]
    assert all(r["status"] in (200, 204) for r in apply_reqs)
    assert listed(client) == expected(140, 60, 55)


def test_when_the_new_products_assignments_cannot_be_read_they_are_cleared_and_put(sandbox, client, tmp_path):
    """The fallback: what the store did is unknown, so start from none, as planned."""
    folder, plan, desired = planned_with_fault(sandbox, client, tmp_path, (3, 2, 2), "GET")
    converge(client, folder, plan, desired)
    sandbox.clear_faults()

    deletes = [r for r in assignment_requests(sandbox) if r["method"] == "DELETE"]
    assert [sorted(r["query"]) for r in deletes] == [["product_id:in"]]
    puts = [r for r in assignment_requests(sandbox) if r["method"] == "PUT"]
    assert [r["items"] for r in puts] == [3 + 2 * 2 + 2]
    assert listed(client) == expected(3, 2, 2)


def test_a_listing_the_store_made_that_cannot_be_removed_fails_that_products_channels(sandbox, client, tmp_path):
    folder, plan, desired = planned_with_fault(sandbox, client, tmp_path, (1, 0, 1), "DELETE")
    result = apply_saved_plan(plan, client, desired.store)
    sandbox.clear_faults()

    assert [o.change.key for o in result.failed] == ["CT-S000@us-trade"]
    assert result.failed[0].message.startswith(
        "its product was created, but the store's listing on channel 1 could not be removed: DELETE ")
    assert {o.change.key for o in result.outcomes if o.ok and o.change.kind == "channel_assignment"} == \
        {"CT-U000@uk-main"}
    again, _ = plan_for(client, folder)
    assert sorted((c.action.verb, c.key) for c in again.changes if c.kind == "channel_assignment") == [
        ("create", "CT-S000@us-trade"), ("delete", "CT-S000@uk-main")]
