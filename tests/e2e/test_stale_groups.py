"""A saved plan that changes a customer group whose discount rules name products the
plan does not touch. ``catalog apply PLANFILE`` re-reads only what the plan touches
(store/read.py ``read_touched``); the group's rules carry ``product_id``s, which read
as SKUs only when those products' ids are known. Unknown, they read ``#<id>``: the
group's fingerprint differs from the plan's (refused as stale), and a rule the plan
writes cannot name its product. Over real HTTP to the sandbox."""

from __future__ import annotations

from collections import Counter

import pytest
import yaml

from reconciler import apply_saved_plan, build_plan, load_desired, read_live
from reconciler.core.errors import PlanStaleError
from reconciler.plan.model import Action, Plan

PRODUCTS = [{"sku": f"CT-{c}", "name": f"Cable Ties {c}", "type": "physical", "price": 2.5, "weight": 0.1}
            for c in "ABC"]
STAFF = {"name": "Staff", "discount_rules": [{"type": "product", "product": "CT-A", "method": "percent",
                                               "amount": 5}]}


@pytest.fixture
def store(sandbox):
    sandbox.reset(seed=None, data={"products": [dict(p) for p in PRODUCTS], "customer_groups": [dict(STAFF)]})
    return sandbox


def write(tmp_path, staff: dict, products=PRODUCTS):
    folder = tmp_path / "catalog"
    folder.mkdir(exist_ok=True)
    (folder / "store.yaml").write_text("store:\n  name: GTSE test\n")
    (folder / "products.yaml").write_text(yaml.safe_dump({"products": [dict(p) for p in products]}, sort_keys=False))
    (folder / "groups.yaml").write_text(yaml.safe_dump({"customer_groups": [staff]}, sort_keys=False))
    return folder


def planned(client, folder):
    desired = load_desired(folder)
    return build_plan(desired, read_live(client, desired.store)), desired.store


def changes(plan) -> Counter:
    return Counter((c.action.verb, c.kind) for c in plan.changes)


def staff_rules(client) -> list[tuple]:
    ids = {p["id"]: p["sku"] for p in client.list_all("/v3/catalog/products")}
    [group] = [g for g in client.get("/v2/customer_groups").data or [] if g["name"] == "Staff"]
    return sorted((r["type"], ids.get(r.get("product_id")), r.get("method"), r.get("amount"))
                  for r in group["discount_rules"])


def apply_saved(client, folder, sandbox):
    """Plan, save, read back, apply (what ``catalog plan --out`` + ``catalog apply FILE``
    do); the plan must be empty afterwards. Returns the plan and the apply's requests."""
    plan, settings = planned(client, folder)
    saved = Plan.from_json(plan.to_json())
    sandbox.app.clear_stats()
    result = apply_saved_plan(saved, client, settings)
    assert not result.failed
    log = sandbox.requests()
    assert planned(client, folder)[0].changes == []
    return plan, log


def products_read(log) -> list[dict]:
    return [r["query"] for r in log if r["method"] == "GET" and r["route"] == "/v3/catalog/products"]


def test_a_saved_change_to_a_rules_amount_applies(store, client, tmp_path):
    folder = write(tmp_path, {**STAFF, "discount_rules": [{**STAFF["discount_rules"][0], "amount": 7.5}]})
    plan, log = apply_saved(client, folder, store)
    assert changes(plan) == {("update", "customer_group"): 1}
    assert staff_rules(client) == [("product", "CT-A", "percent", "7.5000")]
    # the products the plan's rules name looked up by SKU (their ids only), beside the groups' read
    assert [(q.get("sku:in"), q.get("include_fields")) for q in products_read(log)] == [("CT-A", "sku")]
    got = Counter(f"{r['method']} {r['route']}" for r in log)
    assert got["PUT /v2/customer_groups/{id}"] == 1
    # brands, categories, price lists (whole: few), the groups (one page, not full: no count), the lookup
    assert sum(n for r, n in got.items() if r.startswith("GET ")) == 5


def test_a_saved_change_to_another_field_keeps_the_rules(store, client, tmp_path):
    folder = write(tmp_path, {**STAFF, "is_group_for_guests": True})
    plan, log = apply_saved(client, folder, store)
    assert [(c.key, [f.path for f in c.changes]) for c in plan.changes] == [("Staff", ["is_group_for_guests"])]
    assert staff_rules(client) == [("product", "CT-A", "percent", "5.0000")]
    # the store's rules name a product the plan does not: looked up by id, after the groups' read
    [lookup] = products_read(log)
    assert "id:in" in lookup and lookup["include_fields"] == "sku"


def test_a_saved_rule_naming_another_untouched_product_applies(store, client, tmp_path):
    rules = [*STAFF["discount_rules"], {"type": "product", "product": "CT-C", "method": "fixed", "amount": 0.25}]
    folder = write(tmp_path, {**STAFF, "discount_rules": rules})
    _, log = apply_saved(client, folder, store)
    assert staff_rules(client) == [("product", "CT-A", "percent", "5.0000"),
                                   ("product", "CT-C", "fixed", "0.2500")]
    assert [q.get("sku:in") for q in products_read(log)] == ["CT-A,CT-C"]


def test_a_saved_group_change_beside_a_product_change_applies(store, client, tmp_path):
    products = [{**p, "price": 3.0} if p["sku"] == "CT-B" else p for p in PRODUCTS]
    folder = write(tmp_path, {**STAFF, "discount_rules": [{**STAFF["discount_rules"][0], "amount": 6}]}, products)
    plan, log = apply_saved(client, folder, store)
    assert changes(plan) == {("update", "customer_group"): 1, ("update", "product"): 1}
    assert staff_rules(client) == [("product", "CT-A", "percent", "6.0000")]
    # CT-B read in full by key (it changes), CT-A's id looked up beside it
    assert sorted((q["sku:in"], q["include_fields"] == "sku") for q in products_read(log)) == [
        ("CT-A", True), ("CT-B", False)]


def test_a_saved_group_deletion_applies(store, client, tmp_path):
    folder = write(tmp_path, {"name": "Staff", "delete": True})
    plan, log = apply_saved(client, folder, store)
    assert changes(plan) == {("delete", "customer_group"): 1}
    assert ["id:in" in q for q in products_read(log)] == [True]
    assert [g["name"] for g in client.get("/v2/customer_groups").data or []] == []


def test_a_group_changed_in_the_store_since_is_still_stale(store, client, tmp_path):
    folder = write(tmp_path, {**STAFF, "is_group_for_guests": True})
    plan, settings = planned(client, folder)
    saved = Plan.from_json(plan.to_json())
    [group] = client.get("/v2/customer_groups").data
    rule = group["discount_rules"][0]
    client.put(f"/v2/customer_groups/{group['id']}", {"discount_rules": [{**rule, "amount": "9"}]})
    with pytest.raises(PlanStaleError) as caught:
        apply_saved_plan(saved, client, settings)
    assert "customer_group['Staff']" in str(caught.value)
    assert plan.changes[0].action is Action.UPDATE
