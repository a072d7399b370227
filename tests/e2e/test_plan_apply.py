"""Scenario tests: YAML -> plan -> apply -> plan is empty, over real HTTP to the sandbox."""

from __future__ import annotations

from decimal import Decimal

import pytest

from reconciler import apply_saved_plan, build_plan, load_desired, read_live
from reconciler.core.errors import PlanStaleError
from reconciler.plan.model import Action

from .conftest import write_catalog


def make_plan(client, catalog_dir):
    desired = load_desired(catalog_dir)
    live = read_live(client, desired.store)
    return build_plan(desired, live, store=client.transport.config.public()), desired


def summary(plan):
    return sorted((c.action.verb, c.kind, c.key, tuple(f.path for f in c.changes)) for c in plan.changes)


def test_plan_shows_exactly_the_differences(seeded, client, tmp_path, catalog_files):
    plan, _ = make_plan(client, write_catalog(tmp_path, catalog_files))
    assert summary(plan) == [
        ("create", "category", "Fixings/Wall Plugs", ("path",)),
        ("create", "product", "FX-PLUG6",
         ("sku", "brand", "categories", "name", "price", "type", "weight")),
        ("update", "product", "CT-BLK100", ("price",)),
    ]
    update = next(c for c in plan.changes if c.action is Action.UPDATE)
    assert (update.changes[0].before, update.changes[0].after) == (Decimal("3.49"), Decimal("3.99"))
    assert isinstance(update.changes[0].after, Decimal)
    assert update.source.endswith("catalog/products/cable-ties.yaml:3:5")
    assert plan.unmanaged == {"product": ["FX-OLD1"]}


def test_apply_converges_and_leaves_unmanaged_fields_alone(seeded, client, tmp_path, catalog_files):
    catalog = write_catalog(tmp_path, catalog_files)
    before = {p["sku"]: p for p in client.list_all("/v3/catalog/products")}
    plan, desired = make_plan(client, catalog)
    result = apply_saved_plan(plan, client, desired.store)
    assert (result.created, result.updated, result.failed) == (2, 1, [])

    again, _ = make_plan(client, catalog)
    assert not again.has_changes, summary(again)

    after = {p["sku"]: p for p in client.list_all("/v3/catalog/products")}
    blk_before, blk_after = before["CT-BLK100"], after["CT-BLK100"]
    assert blk_after["price"] == Decimal("3.99")
    for field in ("inventory_level", "inventory_tracking", "bin_picking_number", "description", "is_visible"):
        assert blk_after[field] == blk_before[field], field
    # The unmanaged product is not touched at all.
    assert after["FX-OLD1"] == before["FX-OLD1"]
    # The new product sits in the new category, with the brand resolved by name.
    plug = after["FX-PLUG6"]
    cats = {c["category_id"]: c["name"] for c in client.list_all("/v3/catalog/trees/categories")}
    brands = {b["id"]: b["name"] for b in client.list_all("/v3/catalog/brands")}
    assert [cats[c] for c in plug["categories"]] == ["Wall Plugs"]
    assert brands[plug["brand_id"]] == "FixRight"


def test_second_apply_sends_no_writes(seeded, client, tmp_path, catalog_files):
    catalog = write_catalog(tmp_path, catalog_files)
    plan, desired = make_plan(client, catalog)
    apply_saved_plan(plan, client, desired.store)
    start = len(seeded.requests())
    plan, desired = make_plan(client, catalog)
    result = apply_saved_plan(plan, client, desired.store)
    writes = [r for r in seeded.requests()[start:] if r["method"] != "GET"]
    assert result.outcomes == [] and writes == []


def test_product_updates_are_sent_at_most_10_per_request(sandbox, client, tmp_path):
    skus = [f"CT-T{i:03d}" for i in range(25)]
    sandbox.reset(data={"products": [
        {"sku": s, "name": f"Tie {s}", "type": "physical", "price": 1, "weight": 0.1} for s in skus
    ]})
    body = "products:\n" + "".join(f"  - sku: {s}\n    price: 2.25\n" for s in skus)
    catalog = write_catalog(tmp_path, {"products.yaml": body})
    plan, desired = make_plan(client, catalog)
    assert plan.count(Action.UPDATE) == 25
    result = apply_saved_plan(plan, client, desired.store)
    assert result.updated == 25 and not result.failed
    puts = [r for r in sandbox.requests() if r["method"] == "PUT" and r["path"].endswith("/v3/catalog/products")]
    assert sorted(r["items"] for r in puts) == [5, 10, 10]   # side by side: any order


def test_batches_of_one_kind_go_side_by_side(sandbox, client, tmp_path):
    """60 product updates are 6 PUTs of 10; with 100 ms per answer they overlap (the store
    sees several at once) instead of taking 6 round trips one after the other."""
    skus = [f"CT-T{i:03d}" for i in range(60)]
    sandbox.reset(data={"products": [
        {"sku": s, "name": f"Tie {s}", "type": "physical", "price": 1, "weight": 0.1} for s in skus
    ]})
    body = "products:\n" + "".join(f"  - sku: {s}\n    price: 2.25\n" for s in skus)
    plan, desired = make_plan(client, write_catalog(tmp_path, {"products.yaml": body}))
    sandbox.configure(latency_ms=100)
    sandbox.app.clear_stats()
    result = apply_saved_plan(plan, client, desired.store, check_stale=False)
    assert result.updated == 60 and not result.failed
    puts = [r for r in sandbox.requests() if r["method"] == "PUT" and r["path"].endswith("/v3/catalog/products")]
    assert sorted(r["items"] for r in puts) == [10] * 6
    overlapping = max(sum(1 for o in puts if o["arrived"] <= r["arrived"] < o["answered"]) for r in puts)
    assert overlapping >= 3
    plan_after, _ = make_plan(client, write_catalog(tmp_path, {"products.yaml": body}))
    assert not plan_after.changes


def test_a_conflict_in_a_batch_names_the_object_and_the_rest_still_applies(seeded, client, tmp_path, catalog_files):
    files = dict(catalog_files)
    # CT-NAT200 is renamed to the name of an existing (unmanaged) product: the store says 409.
    files["products/cable-ties.yaml"] = files["products/cable-ties.yaml"].replace(
        "name: Natural Cable Ties 200mm", "name: Old Clearance Plugs")
    plan, desired = make_plan(client, write_catalog(tmp_path, files))
    result = apply_saved_plan(plan, client, desired.store)
    failed = {o.change.key: o for o in result.failed}
    assert list(failed) == ["CT-NAT200"]
    assert "409" in failed["CT-NAT200"].message
    assert failed["CT-NAT200"].change.source.endswith("cable-ties.yaml:11:5")
    assert result.updated == 1 and result.created == 2  # CT-BLK100 price, category and FX-PLUG6


def test_saved_plan_is_refused_when_the_store_changed(seeded, client, tmp_path, catalog_files):
    plan, desired = make_plan(client, write_catalog(tmp_path, catalog_files))
    blk = client.get("/v3/catalog/products", {"sku": "CT-BLK100"}).data["data"][0]
    client.put(f"/v3/catalog/products/{blk['id']}", {"price": 3.79})  # an admin edit after the plan
    with pytest.raises(PlanStaleError) as info:
        apply_saved_plan(plan, client, desired.store)
    assert "product['CT-BLK100']" in str(info.value)
    assert "price was 3.49 when planned, now 3.79" in str(info.value)


def test_plan_json_round_trips_through_a_file(seeded, client, tmp_path, catalog_files):
    from reconciler.plan.model import Plan

    plan, _ = make_plan(client, write_catalog(tmp_path, catalog_files))
    again = Plan.from_json(plan.to_json())
    assert again.to_dict() == plan.to_dict()
