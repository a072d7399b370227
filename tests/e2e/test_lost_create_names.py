"""A create whose answer was lost is looked up before it is resent: a custom field's or
an option's name may hold '/', the separator of their keys (``SKU/Name``), and must
still be found by its whole name (the lookup cut the key at its last '/')."""

from __future__ import annotations

import copy

import pytest

from reconciler import apply_saved_plan
from tests.e2e.test_transport import LIVE, LIVE_RECORDS, plan_for, seed, summary, tie, write

ROUTES = {"custom_field": "/v3/catalog/products/{id}/custom-fields",
          "option": "/v3/catalog/products/{id}/options"}


@pytest.mark.parametrize("what", sorted(ROUTES))
def test_a_lost_create_of_a_name_with_a_slash_is_found_not_sent_twice(what, sandbox, client, tmp_path):
    sandbox.reset(data=seed(copy.deepcopy(LIVE[1:]), []))       # CT-B: one variant, Width 2.5
    product = tie("CT-B", {"2.5": 1.0}, custom_fields={"Size/Pack": "100"})
    if what == "option":
        product = tie("CT-B", {"2.5": 1.0})
        product["options"]["Pack/Size"] = ["100"]
        product["variants"] = [{"sku": "CT-B-2.5-100", "options": {"Width": "2.5", "Pack/Size": "100"},
                                "price": 1.0}]
    folder = write(tmp_path, [product], [])
    plan, desired = plan_for(client, folder)
    assert ("create", what, "CT-B/Size/Pack" if what == "custom_field" else "CT-B/Pack/Size") in summary(plan)
    client.transport.backoff_s = 0.01
    sandbox.faults(queue=[{"fault": "drop_after", "count": 1, "method": "POST", "route": ROUTES[what]}])
    result = apply_saved_plan(plan, client, desired.store)
    assert sandbox.faults()["injected"] == {"drop_after": 1}
    sandbox.clear_faults()
    assert not result.failed, [(o.change.address, o.message) for o in result.failed]
    posts = [r for r in sandbox.requests() if r["method"] == "POST" and r["route"] == ROUTES[what]]
    assert len(posts) == 1            # found after the lost answer, never sent again
    again, _ = plan_for(client, folder)
    assert not again.has_changes, summary(again)
