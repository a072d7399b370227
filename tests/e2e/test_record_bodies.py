"""Price-record upserts: the body is the kind's payload (an open-ended tier is sent as
the spec's integer, not null) and a record's SKU is its own field, never split from
the key (a SKU and a list name may both hold ':')."""

from __future__ import annotations

import pytest

from reconciler import apply_saved_plan
from tests.e2e.test_guards import plan_for, seed_data, write


def product(sku):
    return {"sku": sku, "name": f"Tie {sku}", "type": "physical", "price": 5.0, "weight": 0.1,
            "categories": ["Cable Ties"]}


def stored_tiers(sandbox, sku):
    lists = sandbox.dump()["price_lists"]
    return [r.get("bulk_pricing_tiers") for pl in lists for r in pl["records"] if r["sku"] == sku]


@pytest.mark.parametrize("sku", ["CT-TIE1", "CT-TIE:2"])
def test_records_with_open_tiers_and_colons_apply_and_converge(sandbox, client, tmp_path, sku):
    sandbox.reset(data={**seed_data([]), "products": [product(sku)]})
    tiers = [{"quantity_min": 10, "quantity_max": 49, "type": "percent", "amount": 5},
             {"quantity_min": 50, "quantity_max": None, "type": "percent", "amount": 10}]
    lists = [{"name": "Trade: GBP", "active": True, "currency": "GBP",
              "records": [{"sku": sku, "price": 4.0, "bulk_pricing_tiers": tiers}]}]
    for step in ("create", "change"):
        folder = write(tmp_path, {"currency": "GBP"}, products=[product(sku)], price_lists=lists)
        plan, desired = plan_for(client, folder)
        assert plan.has_changes, step
        result = apply_saved_plan(plan, client, desired.store, desired=desired)
        assert not result.failed, [(o.change.key, o.message) for o in result.failed]
        after, _ = plan_for(client, folder)
        assert not after.has_changes, (step, [c.address for c in after.changes])
        lists[0]["records"][0]["price"] = 3.5
        tiers[1]["amount"] = 12
    sent = [e for e in sandbox.requests() if e["method"] == "PUT" and e["path"].endswith("/records")]
    assert len(sent) == 2 and all('"quantity_max": null' not in (e.get("body") or "") for e in sent)
