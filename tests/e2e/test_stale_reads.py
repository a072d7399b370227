"""The stale check's read (store/read.py ``read_touched`` with ``touched_by_changes``):
only what a saved plan touches, counted in requests by the sandbox, and still every
change to a touched object found ("plan is the truth")."""

from __future__ import annotations

from collections import Counter
from urllib.parse import urlencode

import pytest

from reconciler import build_plan, load_desired, read_live
from reconciler.apply.stale import find_stale, touched_keys
from reconciler.plan.model import Action
from bench.generate import generate_store, write_catalog
from reconciler.store.client import MAX_URL_LENGTH
from reconciler.store.read import read_touched, touched_by_changes


def gets(sandbox) -> Counter:
    """GETs by route; a record read is told apart by its filter."""
    out = Counter()
    for r in sandbox.requests():
        route = r["route"]
        if route.endswith("/records"):
            route += "?" + ",".join(sorted(k for k in r["query"] if k.endswith(":in"))) if any(
                k.endswith(":in") for k in r["query"]) else " (all)"
        out[f"{r['method']} {route}"] += 1
    return out


def planned(client, folder):
    desired = load_desired(folder)
    return build_plan(desired, read_live(client, desired.store)), desired.store


@pytest.fixture
def store(sandbox, tmp_path):
    """260 products (2 pages of 250), 780 records (4 pages) and a catalog changing 5 %
    of the variant prices and of the records."""
    data = generate_store(260, variants_per_product=3, price_lists=1, seed=3)
    sandbox.reset(seed=None, data=data)
    summary = write_catalog(data, tmp_path / "c", changed_fraction=0.05, seed=3)
    assert summary == {"changed_variants": 39, "changed_records": 39}
    return data, tmp_path / "c"


def test_a_price_change_is_checked_with_five_requests(store, sandbox, client):
    plan, settings = planned(client, store[1])
    assert Counter(c.kind for c in plan.changes if c.action is Action.UPDATE) == {"variant": 39, "price_record": 39}
    sandbox.app.clear_stats()
    live = read_touched(client, touched_by_changes(plan.changes), settings)
    assert find_stale(plan, live) == []
    assert gets(sandbox) == {
        "GET /v3/catalog/brands": 1, "GET /v3/catalog/trees/categories": 1,   # names of the products' fields
        "GET /v3/pricelists": 1,                                              # the records' list ids
        "GET /v3/catalog/products": 1,                                        # 37 products by sku:in
        "GET /v3/pricelists/{id}/records?variant_id:in": 1,                   # 39 records by variant id
    }
    # by parent keys only (what a rollback gives), the touched list's records are read whole
    sandbox.app.clear_stats()
    read_touched(client, touched_keys(plan), settings)
    assert gets(sandbox)["GET /v3/pricelists/{id}/records (all)"] == 4


def test_touched_objects_changed_in_the_store_are_still_found(store, sandbox, client):
    plan, settings = planned(client, store[1])
    records = [c for c in plan.changes if c.kind == "price_record"]
    variants = [c for c in plan.changes if c.kind == "variant"]
    list_id = client.get("/v3/pricelists").data["data"][0]["id"]
    path = f"/v3/pricelists/{list_id}/records"
    touched_ids = {c.live_id for c in records}
    untouched = next(r for r in client.list_cursor(path) if r["variant_id"] not in touched_ids)
    client.put(path, [{"variant_id": records[0].live_id, "currency": "gbp", "price": 0.5},    # an admin's edits
                      {"variant_id": untouched["variant_id"], "currency": "gbp", "price": 0.5}])
    client.delete(path, {"variant_id:in": str(records[1].live_id), "currency": "gbp"})
    client.put("/v3/catalog/variants", [{"id": variants[0].live_id, "price": 0.75}])
    stale = find_stale(plan, read_touched(client, touched_by_changes(plan.changes), settings))
    assert sorted((c.address, why.split(" (")[0]) for c, why in stale) == sorted([
        (records[0].address, "changed in the store after the plan was made"),
        (records[1].address, "was deleted from the store after the plan was made"),
        (variants[0].address, "changed in the store after the plan was made"),
    ])


def test_creates_into_an_empty_store_are_checked_with_one_request(sandbox, client, tmp_path):
    data = generate_store(260, variants_per_product=3, price_lists=1, seed=3)
    write_catalog(data, tmp_path / "c")
    sandbox.reset(seed=None, data={"categories": [c for c in data["categories"] if "/" not in c["path"]]})
    plan, settings = planned(client, tmp_path / "c")
    assert plan.count(Action.CREATE, "product") == 260
    sandbox.app.clear_stats()
    live = read_touched(client, touched_by_changes(plan.changes), settings)
    assert find_stale(plan, live) == []
    # one listing of the store's SKUs (empty) instead of 2 requests by SKU (6 at 50 SKUs a request)
    assert gets(sandbox)["GET /v3/catalog/products"] == 1
    assert all(r["query"].get("include_fields") == "sku" for r in sandbox.requests()
               if r["route"] == "/v3/catalog/products")

    # a planned product created in the store since: found, and read in full
    new = data["products"][6]
    client.post("/v3/catalog/products", {"sku": new["sku"].lower(), "name": new["name"], "type": "physical",
                                         "weight": 1, "price": 2})
    sandbox.app.clear_stats()
    stale = find_stale(plan, read_touched(client, touched_by_changes(plan.changes), settings))
    assert sorted((c.address, why) for c, why in stale) == [   # with what the store did with it: a listing
        (f"channel_assignment['{new['sku']}@uk-main']", "was created in the store after the plan was made"),
        (f"product[{new['sku']!r}]", "was created in the store after the plan was made")]
    assert gets(sandbox)["GET /v3/catalog/products"] == 2


def test_a_few_creates_beside_many_products_are_checked_by_sku(store, sandbox, client, tmp_path):
    data, _ = store
    more = generate_store(300, variants_per_product=1, price_lists=0, seed=3)["products"][260:]
    for p in more:
        p["sku"] = p["sku"].replace("-P", "-Q")
        for v in p["variants"]:
            v["sku"] = v["sku"].replace("-P", "-Q")
    write_catalog({**data, "products": data["products"] + more, "price_lists": []}, tmp_path / "d")
    plan, settings = planned(client, tmp_path / "d")
    assert plan.count(Action.CREATE, "product") == 40
    sandbox.app.clear_stats()
    assert find_stale(plan, read_touched(client, touched_by_changes(plan.changes), settings)) == []
    [check] = [r for r in sandbox.requests() if r["route"] == "/v3/catalog/products"]
    assert len(check["query"]["sku:in"].split(",")) == 40 and check["query"]["include_fields"] == "sku"


def test_keys_go_as_many_a_request_as_the_url_allows(sandbox, client):
    long_skus = [f"LONG-{i:03d}-" + "x" * 200 for i in range(100)]
    sandbox.reset(seed=None, data={"products": [
        {"sku": s, "name": f"Long {i}", "type": "physical", "weight": 1, "price": 1} for i, s in enumerate(long_skus)]})
    sandbox.app.clear_stats()
    live = read_touched(client, {"product": long_skus})
    assert len(live.of("product")) == 100
    requests = [r for r in sandbox.requests() if r["route"] == "/v3/catalog/products"]
    lengths = [len(client.transport.config.base_url + "/v3/catalog/products?" + urlencode(r["query"]))
               for r in requests]
    # As many SKUs of 212 characters (with the comma) a request as the URL takes (33 with
    # today's product query; the query grows with the product's fields and includes), so
    # the fewest requests: every one but the last full, not 2 of 50
    per = sorted((len(r["query"]["sku:in"].split(",")) for r in requests), reverse=True)   # sent side by side
    assert len(requests) == -(-100 // per[0]) and len(set(per[:-1])) == 1 and per[-1] <= per[0]
    # full: another SKU (214 characters encoded) would not fit beside the room kept for
    # the largest page number and limit (page=99999&limit=999 against page=1&limit=250)
    slack = len("page=99999&limit=999") - len("page=1&limit=250")
    assert MAX_URL_LENGTH - 214 - slack < max(lengths) <= MAX_URL_LENGTH
    assert sum(per) == 100



def test_records_of_a_list_the_catalog_spells_in_another_case_are_read(store, sandbox, client):
    _, folder = store
    yaml_file = folder / "price-lists" / "trade-gbp.yaml"
    yaml_file.write_text(yaml_file.read_text().replace("name: Trade GBP", "name: TRADE gbp"))
    plan, settings = planned(client, folder)
    records = [c for c in plan.changes if c.kind == "price_record"]
    assert len(records) == 39 and records[0].key.startswith("TRADE gbp:")
    list_id = client.get("/v3/pricelists").data["data"][0]["id"]
    client.put(f"/v3/pricelists/{list_id}/records", [{"variant_id": records[0].live_id, "currency": "gbp",
                                                      "price": 0.5}])
    stale = find_stale(plan, read_touched(client, touched_by_changes(plan.changes), settings))
    assert [c.address for c, _ in stale] == [records[0].address]


def test_apply_of_a_saved_price_change_reads_only_the_touched_records(store, sandbox, client):
    """The same check as above, through ``apply_saved_plan`` (what ``catalog apply PLANFILE``
    runs): no whole list of records is read again before the writes."""
    from reconciler import apply_saved_plan
    from reconciler.plan.model import Plan

    plan, settings = planned(client, store[1])
    saved = Plan.from_json(plan.to_json())   # as read back from a plan file
    sandbox.app.clear_stats()
    result = apply_saved_plan(saved, client, settings)
    assert not result.failed
    reads = gets(sandbox)
    assert reads["GET /v3/pricelists/{id}/records (all)"] == 0
    assert reads["GET /v3/pricelists/{id}/records?variant_id:in"] == 1
    assert sum(n for route, n in reads.items() if route.startswith("GET ")) <= 6
    # and the writes: 39 variants in one PUT, 39 records in one upsert
    writes = Counter(f"{r['method']} {r['route']}" for r in sandbox.requests() if r["method"] != "GET")
    assert writes == {"PUT /v3/catalog/variants": 1, "PUT /v3/pricelists/{id}/records": 1}
