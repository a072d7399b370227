"""Issue 14, finding 9: the price-impact table counts a SKU only on the channels its
product is listed on (its channel assignments: the YAML's, else the store's), not on
every channel its price list is assigned to. Over real HTTP to the sandbox."""

from __future__ import annotations

import copy

import pytest

from tests.e2e.test_prices import plan_for, products, seed, trade_list, variant_skus, write

BOTH = [{"customer_group": "Trade", "channel": "uk-main"}, {"customer_group": "Trade", "channel": "us-trade"}]


def listed(items: list[dict], *channels: list[str]) -> list[dict]:
    return [{**p, "channels": list(c)} for p, c in zip(items, channels)]


@pytest.fixture
def two(sandbox):
    """CT-P000 on uk-main only, CT-P001 on both; the Trade list on both channels."""
    items = listed(products(2), ["uk-main"], ["uk-main", "us-trade"])
    lists = [{**trade_list(variant_skus(items)), "assignments": copy.deepcopy(BOTH)}]
    ids = {"uk-main": 1, "us-trade": 2}
    data = seed(items, lists)
    for p, item in zip(data["products"], items):
        p["channels"] = [ids[c] for c in item["channels"]]
    sandbox.reset(data=data)
    return copy.deepcopy(items), copy.deepcopy(lists)


def rows(plan) -> dict[tuple[str, str], int]:
    return {(r["customer_group"], r["channel"]): r["changed"] for r in plan.impact}


def test_seeded(two, client, tmp_path):
    items, lists = two
    plan, _ = plan_for(client, write(tmp_path, items, lists))
    assert not plan.has_changes


def test_a_record_counts_only_on_its_products_channels(two, client, tmp_path):
    items, lists = two
    for r in lists[0]["records"]:
        r["price"] = 1.55                       # all 6 variants' Trade price
    plan, _ = plan_for(client, write(tmp_path, items, lists))
    assert rows(plan) == {("Trade", "uk-main"): 6, ("Trade", "us-trade"): 3}


def test_the_yamls_channels_decide_over_the_stores(two, client, tmp_path):
    items, lists = two
    items[0]["channels"] = ["uk-main", "us-trade"]          # CT-P000 listed on us-trade by this plan
    for r in lists[0]["records"]:
        r["price"] = 1.55
    plan, _ = plan_for(client, write(tmp_path, items, lists))
    assert rows(plan) == {("Trade", "uk-main"): 6, ("Trade", "us-trade"): 6}
