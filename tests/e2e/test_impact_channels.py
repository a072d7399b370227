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


def test_rows_carry_the_sum_of_the_change_and_the_biggest_movers(two, client, tmp_path):
    """Issue 15, finding 5: amounts as well as percentages, per group x channel."""
    from decimal import Decimal as D

    items, lists = two
    new = {"CT-P000-2.5": 1.00, "CT-P001-3.6": 1.50, "CT-P001-4.8": 1.70}   # from 1.60 each
    for r in lists[0]["records"]:
        r["price"] = new.get(r["sku"], r["price"])
    plan, _ = plan_for(client, write(tmp_path, items, lists))
    by_row = {(r["customer_group"], r["channel"]): r for r in plan.impact}
    uk, us = by_row[("Trade", "uk-main")], by_row[("Trade", "us-trade")]
    assert uk["sum_change"] == {"GBP": D("-0.60") - D("0.10") + D("0.10")}
    assert [(m["sku"], m["before"], m["after"], m["currency"]) for m in uk["movers"]] == [
        ("CT-P000-2.5", D("1.60"), D("1.00"), "GBP"), ("CT-P001-3.6", D("1.60"), D("1.50"), "GBP"),
        ("CT-P001-4.8", D("1.60"), D("1.70"), "GBP")]
    assert us["sum_change"] == {"GBP": D("0.00")}                  # CT-P000 is not sold on us-trade
    assert [m["sku"] for m in us["movers"]] == ["CT-P001-3.6", "CT-P001-4.8"]
