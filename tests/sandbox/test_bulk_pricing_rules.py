"""Product bulk pricing rules: writable in product bodies (FACTS §5.3, P product_Base_POST/PUT
``bulk_pricing_rules``) and at P ``/catalog/products/{product_id}/bulk-pricing-rules``
(issue 14 finding 13)."""

from __future__ import annotations

import pytest

PRODUCTS = "/v3/catalog/products"
RULE = {"quantity_min": 10, "quantity_max": 49, "type": "price", "amount": 1}


def test_bulk_pricing_rule_crud(api):
    p = api.product()
    base = f"{PRODUCTS}/{p['id']}/bulk-pricing-rules"
    assert api.get(base).json() == {"data": [], "meta": api.get(base).json()["meta"]}
    r = api.post(base, json=RULE)
    assert r.status_code == 200, r.text
    rule = r.json()["data"]
    assert rule == {"id": rule["id"], **RULE} and r.json()["meta"] == {}
    r = api.post(base, json={"quantity_min": 50, "quantity_max": 0, "type": "percent", "amount": ".10"})
    assert r.status_code == 200, r.text
    second = r.json()["data"]
    assert second["amount"] == 0.1 and second["quantity_max"] == 0  # P: returns a float
    listed = api.get(base).json()
    assert listed["data"] == [rule, second] and listed["meta"]["pagination"]["total"] == 2
    assert api.get(f"{base}/{rule['id']}").json() == {"data": rule, "meta": {}}
    r = api.put(f"{base}/{rule['id']}", json={"amount": 2})
    assert r.status_code == 200 and r.json()["data"] == {**rule, "amount": 2}
    assert api.get(f"{base}/{rule['id']}", params={"include_fields": "amount"}).json()["data"] == {
        "id": rule["id"], "amount": 2}
    shown = api.get(f"{PRODUCTS}/{p['id']}", params={"include": "bulk_pricing_rules"}).json()["data"]
    assert shown["bulk_pricing_rules"] == [{**rule, "amount": 2}, second]
    assert api.delete(f"{base}/{rule['id']}").status_code == 204
    assert api.get(f"{base}/{rule['id']}").status_code == 404
    assert api.put(f"{base}/{rule['id']}", json={"amount": 3}).status_code == 404
    assert api.delete(f"{base}/{rule['id']}").status_code == 404
    assert api.get(f"{PRODUCTS}/999999/bulk-pricing-rules").status_code == 404
    assert api.post(f"{PRODUCTS}/999999/bulk-pricing-rules", json=RULE).status_code == 404


def test_bulk_pricing_rule_validation_and_overlap(api):
    p = api.product()
    base = f"{PRODUCTS}/{p['id']}/bulk-pricing-rules"
    r = api.post(base, json={"quantity_min": 1})
    assert r.status_code == 422 and set(r.json()["errors"]) == {"quantity_max", "type", "amount"}
    assert api.post(base, json={**RULE, "type": "discount"}).status_code == 422
    r = api.post(base, json={**RULE, "quantity_max": 5})  # P: max must be greater than min, or 0
    assert r.status_code == 422 and "quantity_max" in r.json()["errors"]
    r = api.post(base, json={**RULE, "quantity_min": 1, "type": "fixed"})  # P: fixed min is at least 2
    assert r.status_code == 422 and "quantity_min" in r.json()["errors"]
    assert api.post(base, json={**RULE, "id": 5}).status_code == 422
    assert api.post(base, json=RULE).status_code == 200
    # P updateBulkPricingRule 409: "quantity range overlapping with existing bulk pricing rules".
    r = api.post(base, json={**RULE, "quantity_min": 40, "quantity_max": 0})
    assert r.status_code == 409 and r.json()["status"] == 409
    other = api.post(base, json={**RULE, "quantity_min": 50, "quantity_max": 99}).json()["data"]
    assert api.put(f"{base}/{other['id']}", json={"quantity_min": 30}).status_code == 409


def test_bulk_pricing_rules_in_product_bodies(api):
    r = api.post(PRODUCTS, json={"name": "Tie", "type": "physical", "price": 5, "weight": 1, "sku": "T-1",
                                 "bulk_pricing_rules": [RULE]})
    assert r.status_code == 200, r.text
    pid = r.json()["data"]["id"]
    [rule] = api.get(f"{PRODUCTS}/{pid}/bulk-pricing-rules").json()["data"]
    assert rule == {"id": rule["id"], **RULE}
    new = {"quantity_min": 50, "quantity_max": 0, "type": "fixed", "amount": 3}
    r = api.put(f"{PRODUCTS}/{pid}", json={"bulk_pricing_rules": [{**rule, "amount": 2}, new]})
    assert r.status_code == 200, r.text
    rules = api.get(f"{PRODUCTS}/{pid}/bulk-pricing-rules").json()["data"]
    assert [(x["id"] == rule["id"], x["amount"]) for x in rules] == [(True, 2), (False, 3)]
    # FACTS §5.1: 409 for "a conflicting bulk_pricing_rule"; nothing is written.
    r = api.put(PRODUCTS, json=[{"id": pid, "bulk_pricing_rules": [{**new, "quantity_min": 20}]}])
    assert r.status_code == 409 and "bulk_pricing_rules" in r.json()["errors"]
    r = api.post(PRODUCTS, json={"name": "Tie 2", "type": "physical", "price": 5, "weight": 1,
                                 "bulk_pricing_rules": [RULE, {**RULE, "quantity_min": 20}]})
    assert r.status_code == 409
    assert api.get(PRODUCTS, params={"name": "Tie 2"}).json()["data"] == []
    r = api.put(f"{PRODUCTS}/{pid}", json={"bulk_pricing_rules": [{"id": 999999, **RULE}]})
    assert r.status_code == 422
    assert api.delete(f"{PRODUCTS}/{pid}").status_code == 204
    assert api.get(f"{PRODUCTS}/{pid}/bulk-pricing-rules").status_code == 404


def test_bulk_pricing_rules_are_in_the_dump_and_seed_back(api, sandbox):
    p = api.product(bulk_pricing_rules=[RULE, {"quantity_min": 50, "quantity_max": 0, "type": "percent",
                                               "amount": 5}])
    other = api.product(2)
    dump = sandbox.dump()
    by_sku = {item["sku"]: item for item in dump["products"]}
    assert by_sku[p["sku"]]["bulk_pricing_rules"] == [
        RULE, {"quantity_min": 50, "quantity_max": 0, "type": "percent", "amount": 5}]
    assert "bulk_pricing_rules" not in by_sku[other["sku"]]        # none: left out
    sandbox.reset(data=dump)
    assert sandbox.dump() == dump
    [pid] = [x["id"] for x in api.get(PRODUCTS, params={"sku": p["sku"]}).json()["data"]]
    rules = api.get(f"{PRODUCTS}/{pid}/bulk-pricing-rules").json()["data"]
    assert [r["quantity_min"] for r in rules] == [10, 50]


def test_a_seeded_rule_is_checked_like_one_sent(sandbox):
    bad = {"products": [{"sku": "A", "name": "A", "type": "physical", "price": 1, "weight": 1,
                         "bulk_pricing_rules": [RULE, {**RULE, "quantity_min": 20}]}]}
    with pytest.raises(ValueError):
        sandbox.reset(data=bad)
