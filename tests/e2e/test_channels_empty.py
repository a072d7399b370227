"""A new product written with ``channels: []`` (listed on no channel), over real HTTP to
the sandbox. The store may list a product created through the API on channels of its
own choosing (FACTS.md 8; the sandbox lists it on channel 1); the plan shows
``channels: []`` on the product's create, and apply removes what the store listed, in
the same reads and deletes as the new products' other listings. A product whose YAML
does not write ``channels`` stays as the store made it (unmanaged)."""

from __future__ import annotations

from reconciler import apply_saved_plan
from reconciler.plan.model import Plan
from reconciler.plan.render_text import render_text

from .test_channels_create import ASSIGNMENTS, assignment_requests, listed
from .test_variants import as_seed, converge, plan_for, tie, write


def products() -> list[dict]:
    unmanaged = tie("N000", {"2.5mm": 1.0})
    del unmanaged["channels"]
    return [tie("E000", {"2.5mm": 1.0}, channels=()), tie("E001", {"2.5mm": 1.0}, channels=()),
            tie("S000", {"2.5mm": 1.0}, channels=("us-trade",)), unmanaged]


def planned(sandbox, client, tmp_path):
    sandbox.reset(data={"categories": [{"path": "Cable Ties"}]})
    folder = write(tmp_path, products())
    plan, desired = plan_for(client, folder)
    return folder, plan, desired


def test_a_new_product_on_no_channel_ends_on_none_and_the_plan_says_so(sandbox, client, tmp_path):
    folder, plan, desired = planned(sandbox, client, tmp_path)
    creates = {c.key: c for c in plan.changes if c.kind == "product"}
    assert creates["CT-E000"].after["channels"] == []
    assert "channels" not in creates["CT-S000"].after     # its assignment is a change of its own
    assert "channels" not in creates["CT-N000"].after     # not written: not managed
    assert sorted(c.key for c in plan.changes if c.kind == "channel_assignment") == ["CT-S000@us-trade"]
    text = render_text(plan)
    block = text[text.index('+ product "CT-E000"'):text.index('+ product "CT-E001"')]
    assert "+ channels:   []" in block
    # A saved plan (what `catalog apply FILE` runs) says the same.
    plan = Plan.from_json(plan.to_json())
    start = len(sandbox.requests())

    converge(client, folder, plan, desired)      # re-plan: no changes

    reqs = [r for r in sandbox.requests()[start:] if r["path"].endswith(ASSIGNMENTS)]
    assert listed(client) == {"CT-S000": {2}, "CT-N000": {1}}   # E000, E001: on no channel
    # The three products that write channels: one read, one DELETE of the store's
    # channel-1 listings for all three, one PUT of the planned assignment.
    assert [(r["method"], r["query"].get("channel_id:in")) for r in reqs] == [
        ("GET", None), ("DELETE", "1"), ("PUT", None)]
    assert len(reqs[0]["query"]["product_id:in"].split(",")) == 3
    assert len(reqs[1]["query"]["product_id:in"].split(",")) == 3
    assert reqs[2]["items"] == 1


def test_a_listing_that_cannot_be_removed_from_a_product_on_no_channel_is_a_failure(sandbox, client, tmp_path):
    folder, plan, desired = planned(sandbox, client, tmp_path)
    client.transport.backoff_s = 0.01
    sandbox.faults(queue=[{"fault": "500", "count": 6, "method": "DELETE", "route": ASSIGNMENTS}])
    result = apply_saved_plan(plan, client, desired.store)
    sandbox.clear_faults()

    # The products were created (confirmed, so a rollback deletes them); what stayed is said.
    assert {o.change.key for o in result.outcomes if o.ok and o.change.kind == "product"} == \
        {"CT-E000", "CT-E001", "CT-S000", "CT-N000"}
    failed = sorted((o.change.kind, o.change.action.verb, o.change.key) for o in result.failed)
    assert failed == [("channel_assignment", "create", "CT-S000@us-trade"),
                      ("channel_assignment", "delete", "CT-E000@uk-main"),
                      ("channel_assignment", "delete", "CT-E001@uk-main")]
    assert all(o.message.startswith("its product was created, but the store's listing on channel 1 "
                                    "could not be removed: DELETE ") for o in result.failed)
    again, _ = plan_for(client, folder)
    assert sorted((c.action.verb, c.key) for c in again.changes) == [
        ("create", "CT-S000@us-trade"), ("delete", "CT-E000@uk-main"), ("delete", "CT-E001@uk-main"),
        ("delete", "CT-S000@uk-main")]
    assert [r["method"] for r in assignment_requests(sandbox)
            if r["method"] != "DELETE"] == ["GET"]      # no PUT after its product's listing failed


def test_new_products_on_no_channel_whose_listings_cannot_be_read_are_cleared(sandbox, client, tmp_path):
    """The fallback: what the store did is unknown, so every listing of the products that
    write channels goes (one DELETE without a channel), and only the planned one is PUT."""
    folder, plan, desired = planned(sandbox, client, tmp_path)
    client.transport.backoff_s = 0.01
    sandbox.faults(queue=[{"fault": "500", "count": 6, "method": "GET", "route": ASSIGNMENTS}])
    converge(client, folder, plan, desired)
    sandbox.clear_faults()

    deletes = [r for r in assignment_requests(sandbox) if r["method"] == "DELETE"]
    assert [sorted(r["query"]) for r in deletes] == [["product_id:in"]]
    assert len(deletes[0]["query"]["product_id:in"].split(",")) == 3
    assert [r["items"] for r in assignment_requests(sandbox) if r["method"] == "PUT"] == [1]
    assert listed(client) == {"CT-S000": {2}, "CT-N000": {1}}


def test_an_existing_product_written_with_no_channels_loses_its_listings_as_changes(sandbox, client, tmp_path):
    """Only a create shows ``channels: []``: an existing product's listings are deleted
    as changes of their own, as before."""
    sandbox.reset(data=as_seed([tie("E000", {"2.5mm": 1.0}, channels=("uk-main", "us-trade"))]))
    folder = write(tmp_path, [tie("E000", {"2.5mm": 1.0}, channels=())])
    plan, desired = plan_for(client, folder)
    assert sorted((c.action.verb, c.key) for c in plan.changes) == [
        ("delete", "CT-E000@uk-main"), ("delete", "CT-E000@us-trade")]
    converge(client, folder, plan, desired)
    assert listed(client) == {}
