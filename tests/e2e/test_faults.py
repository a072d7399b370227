"""Apply under failure, over real HTTP, with the sandbox's seeded faults: lost answers,
5xx, dropped connections, 429 bursts. One apply must still end with the store equal to
the desired state, no duplicate SKUs, and nothing outside the desired state touched."""

from __future__ import annotations

import copy

import pytest

from reconciler import apply_saved_plan, read_live
from reconciler.plan.model import Action

from .test_variants import as_seed, plan_for, tie, write


def catalog(n_existing: int, n_new: int) -> tuple[list[dict], list[dict]]:
    live = [tie(f"E{i:02d}", {"2.5mm": 1.00, "3.6mm": 1.50, "4.8mm": 2.00}) for i in range(n_existing)]
    desired = copy.deepcopy(live)
    for p in desired:
        for v in p["variants"]:
            v["price"] = round(v["price"] + 0.10, 2)
        p["custom_fields"] = {"Material": "Nylon 6.6"}
    desired += [tie(f"N{i:02d}", {"2.5mm": 1.20, "3.6mm": 1.70}) for i in range(n_new)]
    return live, desired


UNMANAGED = {"sku": "CT-OLD99", "name": "Discontinued ties", "type": "physical", "price": 9.99, "weight": 1}


def dump_skus(sandbox) -> list[str]:
    out = []
    for p in sandbox.dump()["products"]:
        out.append(p["sku"])
        out += [v["sku"] for v in p.get("variants") or []]
    return out


def test_one_apply_of_200_changes_converges_under_seeded_faults(sandbox, client, tmp_path):
    live, desired = catalog(40, 20)
    data = as_seed(copy.deepcopy(live))
    data["products"].append(dict(UNMANAGED))
    sandbox.reset(data=data)
    folder = write(tmp_path, desired)
    plan, wanted = plan_for(client, folder)
    assert len([c for c in plan.changes if c.action is not Action.NOOP]) >= 200
    old = next(p for p in sandbox.dump()["products"] if p["sku"] == "CT-OLD99")

    client.transport.backoff_s = 0.01     # keep the test quick; the logic is the same
    sandbox.configure(quota=150, window_ms=1000)   # a 429 waits the announced reset: keep it short
    sandbox.faults(seed=20261128, rates={"500": 0.03, "502": 0.01, "503": 0.01, "drop": 0.01,
                                          "drop_after": 0.01, "500_after": 0.01},
                   queue=[{"fault": "429", "count": 4}])
    result = apply_saved_plan(plan, client, wanted.store)
    injected = sandbox.faults()
    sandbox.clear_faults()

    assert not result.failed, [(o.change.address, o.message) for o in result.failed[:5]]
    assert sum(injected["injected"].values()) >= 5, injected     # the faults really happened
    again, _ = plan_for(client, folder)
    assert not again.has_changes, [(c.action.verb, c.key) for c in again.changes[:10]]
    skus = dump_skus(sandbox)
    assert len(skus) == len({s.casefold() for s in skus})          # no duplicate SKUs
    assert next(p for p in sandbox.dump()["products"] if p["sku"] == "CT-OLD99") == old


@pytest.mark.parametrize("fault", ["drop_after", "500_after", "drop", "500"])
def test_a_lost_create_answer_never_makes_a_duplicate(fault, sandbox, client, tmp_path):
    live, desired = catalog(1, 1)
    sandbox.reset(data=as_seed(copy.deepcopy(live)))
    folder = write(tmp_path, desired)
    plan, wanted = plan_for(client, folder)
    sandbox.faults(queue=[{"fault": fault, "count": 1, "method": "POST", "route": "/v3/catalog/products"}])
    result = apply_saved_plan(plan, client, wanted.store)
    sandbox.clear_faults()
    assert not result.failed, [(o.change.address, o.message) for o in result.failed]
    posts = [r for r in sandbox.requests() if r["method"] == "POST" and r["path"].endswith("/v3/catalog/products")]
    # After a write whose answer was lost, the lookup finds the product: no second POST.
    # When nothing was written, the lookup finds nothing and the create is sent again.
    assert len(posts) == (1 if fault.endswith("_after") else 2)
    assert dump_skus(sandbox).count("CT-N00") == 1
    again, _ = plan_for(client, folder)
    assert not again.has_changes


def test_a_lost_answer_to_a_top_level_category_finds_it_where_it_was_to_go(sandbox, client, tmp_path):
    """The lookup after a lost answer asks for the name in the catalog's tree under the
    planned parent: "Tools/Garden" is not the new top-level "Garden"."""
    from .conftest import write_catalog
    from .test_plan_apply import make_plan, summary

    sandbox.reset(data={"categories": [{"path": "Tools"}, {"path": "Tools/Garden"}]})
    folder = write_catalog(tmp_path, {
        "store.yaml": "store:\n  name: GTSE test\n",
        "categories.yaml": "categories:\n  - path: Tools\n  - path: Tools/Garden\n  - path: Garden\n",
    })
    plan, desired = make_plan(client, folder)
    sandbox.faults(queue=[{"fault": "drop_after", "count": 1, "method": "POST", "route": "/v3/catalog/trees/categories"}])
    result = apply_saved_plan(plan, client, desired.store)
    sandbox.clear_faults()
    assert not result.failed, [(o.change.address, o.message) for o in result.failed]
    posts = [r for r in sandbox.requests() if r["method"] == "POST" and r["path"].endswith("/trees/categories")]
    assert len(posts) == 1
    garden = [c for c in sandbox.dump()["categories"] if c["path"].rsplit("/", 1)[-1] == "Garden"]
    assert sorted(c["path"] for c in garden) == ["Garden", "Tools/Garden"]
    live = read_live(client, desired.store)
    assert next(o.id for o in result.outcomes if o.change.key == "Garden") == live.refs.id_of("category", "Garden")
    again, _ = make_plan(client, folder)
    assert not again.has_changes, summary(again)


@pytest.mark.parametrize("fault", ["drop_after", "drop"])
def test_a_lost_answer_to_price_list_assignments_is_looked_up_not_resent_blind(fault, sandbox, client, tmp_path):
    """POST /v3/pricelists/assignments answers without a body (FACTS.md 10.3): after a lost
    answer each assignment is looked up by (price list, customer group, channel); what the
    store committed counts as created, the rest is sent again."""
    from .test_prices import products, seed, trade_list, variant_skus
    from .test_prices import plan_for as price_plan
    from .test_prices import write as write_prices

    items = products(1)
    sandbox.reset(data=seed(items, []))
    wanted = trade_list(variant_skus(items))
    wanted["assignments"] = [{"customer_group": "Trade", "channel": "uk-main"},
                             {"customer_group": "Trade", "channel": "us-trade"},
                             {"customer_group": "Retail", "channel": "us-trade"}]
    folder = write_prices(tmp_path, items, [wanted])
    plan, desired = price_plan(client, folder)
    assert sum(1 for c in plan.changes if c.kind == "price_list_assignment" and c.action is Action.CREATE) == 3
    sandbox.faults(queue=[{"fault": fault, "count": 1, "method": "POST", "route": "/v3/pricelists/assignments"}])
    result = apply_saved_plan(plan, client, desired.store)
    sandbox.clear_faults()

    assert not result.failed, [(o.change.address, o.message) for o in result.failed]
    posts = [r for r in sandbox.requests() if r["method"] == "POST" and r["path"].endswith("/pricelists/assignments")]
    assert [r["items"] for r in posts] == ([3] if fault.endswith("_after") else [3, 3])
    assert all(r["status"] != 422 for r in posts)
    stored = sandbox.dump()["price_lists"][0]["assignments"]
    assert len(stored) == 3
    again, _ = price_plan(client, folder)
    assert not again.has_changes, [(c.action.verb, c.key) for c in again.changes]
