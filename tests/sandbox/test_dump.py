"""``GET /__sandbox/dump``: the store in the SEED FORMAT; and SKU uniqueness under
parallel writes (what a crash test compares and counts)."""

from __future__ import annotations

import concurrent.futures

import requests

PRODUCTS = "/v3/catalog/products"

SEED = {
    "brands": [{"name": "GTSE Pro", "page_title": "GTSE Professional"}],
    "categories": [{"path": "Cable Ties"}, {"path": "Cable Ties/Nylon", "description": "Nylon ties"},
                   {"path": "Cable Ties", "tree_id": 2}],
    "products": [
        {"sku": "CT-BLK", "name": "Black Tie", "type": "physical", "price": 12.5, "weight": 0.2,
         "brand": "GTSE Pro", "categories": ["Cable Ties/Nylon"], "channels": [1, 2],
         "custom_fields": {"Material": "Nylon 6.6"},
         "variants": [{"sku": "CT-BLK-25", "options": {"Width": "2.5mm"}, "price": 1.95},
                      {"sku": "CT-BLK-36", "options": {"Width": "3.6mm"}, "upc": "123"}]},
        {"sku": "PLUG", "name": "Plug", "type": "physical", "price": 3, "weight": 1}],
    "price_lists": [{"name": "Trade GBP", "records": [{"sku": "CT-BLK-25", "currency": "GBP", "price": 1.5},
                                                       {"sku": "PLUG", "currency": "gbp", "price": 2.5,
                                                        "sale_price": 2}],
                     "assignments": [{"customer_group": "Trade", "channel": 1}]}],
    "customer_groups": [{"name": "Retail", "id": 1, "is_default": True},
                        {"name": "Trade", "id": 2,
                         "category_access": {"type": "specific", "categories": ["Cable Ties"]}},
                        {"name": "Staff", "discount_rules": [{"type": "product", "product": "PLUG", "method": "percent",
                                                              "amount": 10}]}],
}


def test_dump_is_the_seed_format_and_round_trips(api, sandbox):
    sandbox.reset(data=SEED)
    dump = sandbox.dump()
    assert requests.get(f"{sandbox.url}/__sandbox/dump", timeout=5).json() == dump
    assert [b["name"] for b in dump["brands"]] == ["GTSE Pro"]
    assert [(c["path"], c.get("tree_id", 1)) for c in dump["categories"]] == [
        ("Cable Ties", 1), ("Cable Ties/Nylon", 1), ("Cable Ties", 2)]
    tie, plug = dump["products"]
    assert {k: tie[k] for k in ("sku", "brand", "categories", "channels", "custom_fields", "price")} == {
        "sku": "CT-BLK", "brand": "GTSE Pro", "categories": ["Cable Ties/Nylon"], "channels": [1, 2],
        "custom_fields": {"Material": "Nylon 6.6"}, "price": 12.5}
    assert "id" not in tie and "date_modified" not in tie and "calculated_price" not in tie
    assert [(v["sku"], v["options"], v.get("price"), v["upc"]) for v in tie["variants"]] == [
        ("CT-BLK-25", {"Width": "2.5mm"}, 1.95, ""), ("CT-BLK-36", {"Width": "3.6mm"}, None, "123")]
    assert "variants" not in plug and "base_variant" not in plug and plug["channels"] == [1]
    assert dump["price_lists"] == [{"name": "Trade GBP", "active": True, "records": [
        {"sku": "CT-BLK-25", "currency": "gbp", "price": 1.5},
        {"sku": "PLUG", "currency": "gbp", "price": 2.5, "sale_price": 2}],
        "assignments": [{"customer_group": "Trade", "channel": 1}]}]
    retail, trade, staff = dump["customer_groups"]
    assert trade["category_access"] == {"type": "specific", "categories": ["Cable Ties"]}
    assert staff["id"] == 3 and staff["discount_rules"] == [
        {"type": "product", "method": "percent", "amount": "10.0000", "product": "PLUG"}]
    sandbox.reset(data=dump)
    assert sandbox.dump() == dump


def test_dump_follows_api_writes(api, sandbox):
    sandbox.reset(data=SEED)
    plug = api.get(PRODUCTS, params={"sku": "PLUG"}).json()["data"][0]
    r = api.put("/v3/catalog/variants", json=[{"id": plug["base_variant_id"], "price": 2.75,
                                              "purchasing_disabled": True}])
    assert r.status_code == 200, r.text
    api.put(f"{PRODUCTS}/{plug['id']}", json={"name": "Wall Plug", "categories": []})
    dump = sandbox.dump()
    plug = dump["products"][1]
    assert plug["name"] == "Wall Plug" and plug["base_variant"] == {"price": 2.75, "purchasing_disabled": True}
    sandbox.reset(data=dump)
    assert sandbox.dump() == dump


def test_a_category_the_path_lookup_would_miss_is_named_by_id(api, sandbox):
    sandbox.reset(data={"categories": [{"path": "Ties"}, {"path": "Ties", "tree_id": 2}],
                        "products": [{"name": "P", "type": "physical", "price": 1, "weight": 1,
                                      "categories": ["Ties"]}]})
    tree2 = [c for c in api.get("/v3/catalog/trees/categories").json()["data"] if c["tree_id"] == 2][0]
    pid = api.get(PRODUCTS).json()["data"][0]["id"]
    api.put(f"{PRODUCTS}/{pid}", json={"categories": [tree2["category_id"]]})
    assert sandbox.dump()["products"][0]["categories"] == [tree2["category_id"]]


def test_parallel_writes_cannot_share_a_sku(api, sandbox):
    sandbox.configure(latency_ms=20)
    body = {"name": "Tie", "type": "physical", "price": 1, "weight": 1, "sku": "SAME"}

    def create(n):
        return requests.post(sandbox.api_base + PRODUCTS, json={**body, "name": f"Tie {n}",
                                                                 "sku": "same" if n % 2 else "SAME"},
                             headers={"X-Auth-Token": sandbox.token}, timeout=10).status_code

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(create, range(8)))
    assert sorted(statuses) == [200] + [409] * 7
    assert sandbox.stats()["max_concurrency"] >= 2
    skus = [p["sku"].casefold() for p in sandbox.dump()["products"]]
    assert skus == ["same"]
