"""Price records: bulk upsert, non-strict partial 422, cursors, includes, deletes (FACTS §10.2)."""

from __future__ import annotations

import pytest

LISTS = "/v3/pricelists"
ERROR_TYPE = "/api-docs/getting-started/api-status-codes"


def seed_variants(sandbox, products=2, widths=25, lengths=20):
    """Products with widths × lengths option variants each, SKU ``P<p>-<w>-<l>``, plus a
    simple product ``SIMPLE``; and one price list (id 1)."""
    sandbox.reset(data={
        "products": [{"sku": f"P{p}", "name": f"P{p}", "type": "physical", "price": 1, "weight": 1,
                      "variants": [{"sku": f"P{p}-{w}-{l}", "options": {"W": str(w), "L": str(l)}}
                                   for w in range(widths) for l in range(lengths)]}
                     for p in range(products)]
                    + [{"sku": "SIMPLE", "name": "Simple", "type": "physical", "price": 3, "weight": 1}],
        "price_lists": [{"name": "Trade GBP"}]})


def records(api, plid=1, **params):
    r = api.get(f"{LISTS}/{plid}/records", params=params)
    assert r.status_code == 200, r.text
    return r.json()


def variant_ids(api, sku_in):
    return {v["sku"]: v["id"] for v in api.get("/v3/catalog/variants", params={"sku:in": sku_in}).json()["data"]}


def test_upsert_1000_ok_and_1001_is_413(api, sandbox):
    seed_variants(sandbox)
    items = [{"sku": f"P{p}-{w}-{l}", "currency": "GBP", "price": 1 + w / 100}
             for p in range(2) for w in range(25) for l in range(20)]
    assert len(items) == 1000
    r = api.put(f"{LISTS}/1/records", json=items)
    assert r.status_code == 200, r.text[:500]
    assert r.json() == {"data": {}, "meta": {}}
    assert records(api, limit=250, page=1)["meta"]["pagination"]["total"] == 1000
    r = api.put(f"{LISTS}/1/records", json=items + [{"sku": "SIMPLE", "currency": "gbp", "price": 1}])
    assert r.status_code == 413
    assert r.json() == {"status": 413, "type": ERROR_TYPE, "errors": {},
                        "title": "The request payload is too large. The maximum items allowed in the array is 1000."}
    assert api.get(f"{LISTS}/1/records", params={"sku": "SIMPLE"}).json()["data"] == []


def test_partial_422_writes_the_valid_items(api, sandbox):
    seed_variants(sandbox, products=1, widths=2, lengths=2)
    r = api.put(f"{LISTS}/1/records", json=[
        {"sku": "P0-0-0", "currency": "GBP", "price": 1.5},
        {"sku": "P0", "currency": "gbp", "price": 1},                 # parent SKU of a product with variants
        {"sku": "P0-0-1", "currency": "gbp", "price": -1},            # negative
        {"sku": "NOPE", "currency": "gbp", "price": 1},               # unknown SKU
        {"sku": "P0-1-0", "currency": "pounds", "price": 1},          # not ISO-4217
        {"sku": "P0-1-1", "currency": "gbp"},                         # price missing (x-required: put)
        {"currency": "gbp", "price": 1},                              # neither variant_id nor sku
        {"sku": "SIMPLE", "currency": "usd", "price": 2, "sale_price": 1.75}])
    assert r.status_code == 422
    errors = r.json()["batch_errors"]
    assert [sorted(e) for e in errors] == [["data", "field_errors"]] * 6
    # Only the identifiers an item gave, never null (PL: integer/string; issue 14 #17).
    assert [e["data"].get("sku") for e in errors] == ["P0", "P0-0-1", "NOPE", "P0-1-0", "P0-1-1", None]
    assert errors[0]["data"] == {"price_list_id": 1, "sku": "P0", "currency": "gbp"}
    assert errors[5]["data"] == {"price_list_id": 1, "currency": "gbp"}
    assert "parent product SKU" in errors[0]["field_errors"]["sku"]
    assert set(errors[1]["field_errors"]) == {"price"} and set(errors[4]["field_errors"]) == {"price"}
    assert set(errors[3]["field_errors"]) == {"currency"}
    got = {(d["sku"], d["currency"], d["price"], d["calculated_price"])
           for d in records(api, include="sku")["data"]}
    assert got == {("P0-0-0", "gbp", 1.5, 1.5), ("SIMPLE", "usd", 2, 1.75)}


def test_identity_rules(api, sandbox):
    seed_variants(sandbox, products=1, widths=1, lengths=2)
    ids = variant_ids(api, "P0-0-0,P0-0-1")
    simple = api.get("/v3/catalog/products", params={"sku": "SIMPLE"}).json()["data"][0]
    parent = api.get("/v3/catalog/products", params={"sku": "P0"}).json()["data"][0]
    r = api.put(f"{LISTS}/1/records", json=[
        {"sku": "simple", "currency": "gbp", "price": 1},                               # a simple product's SKU
        {"variant_id": ids["P0-0-0"], "sku": "P0-0-0", "currency": "gbp", "price": 2},  # both, agreeing
        {"variant_id": ids["P0-0-0"], "sku": "P0-0-1", "currency": "usd", "price": 2},  # both, disagreeing
        {"variant_id": ids["P0-0-1"], "currency": "gbp", "price": 3},
        {"variant_id": ids["P0-0-1"], "currency": "GBP", "price": 4},                   # same record twice
        {"sku": "P0-0-0", "currency": "eur", "price": 1, "price_list_id": 2},           # not this list
        {"sku": "P0-0-0", "currency": "eur", "price": 1, "calculated_price": 1}])       # read-only field
    assert r.status_code == 422
    assert [sorted(e["field_errors"]) for e in r.json()["batch_errors"]] == [
        ["sku"], ["variant_id"], ["price_list_id"], ["calculated_price"]]
    data = records(api, include="sku")["data"]
    assert [(d["variant_id"], d["product_id"], d["sku"], d["price"]) for d in data] == [
        (simple["base_variant_id"], simple["id"], "SIMPLE", 1), (ids["P0-0-0"], parent["id"], "P0-0-0", 2),
        (ids["P0-0-1"], parent["id"], "P0-0-1", 3)]


def test_cursor_walk_and_page_mode(api, sandbox):
    seed_variants(sandbox, products=1, widths=1, lengths=7)
    api.put(f"{LISTS}/1/records", json=[{"sku": f"P0-0-{n}", "currency": "gbp", "price": n} for n in range(7)])
    first = records(api, limit=3)
    assert set(first["meta"]) == {"pagination", "cursor_pagination"}
    cursor = first["meta"]["cursor_pagination"]
    assert cursor["count"] == 3 and cursor["per_page"] == 3 and set(cursor["links"]) == {"current", "next"}
    seen = [d["price"] for d in first["data"]]
    pages = 1
    while "next" in cursor["links"]:
        page = records(api, limit=3, after=cursor["end_cursor"])
        assert set(page["meta"]) == {"cursor_pagination"}
        cursor = page["meta"]["cursor_pagination"]
        seen += [d["price"] for d in page["data"]]
        pages += 1
    assert seen == list(range(7)) and pages == 3 and cursor["count"] == 1
    back = records(api, limit=3, before=cursor["start_cursor"])
    assert [d["price"] for d in back["data"]] == [3, 4, 5] and "previous" in back["meta"]["cursor_pagination"]["links"]
    page2 = records(api, limit=3, page=2)
    assert set(page2["meta"]) == {"pagination"} and [d["price"] for d in page2["data"]] == [3, 4, 5]
    assert page2["meta"]["pagination"] == {"total": 7, "count": 3, "per_page": 3, "current_page": 2, "total_pages": 3}
    for bad in ({"before": cursor["start_cursor"], "after": cursor["end_cursor"]},
                {"page": 2, "after": cursor["end_cursor"]}, {"page": 1, "before": cursor["start_cursor"]}):
        assert api.get(f"{LISTS}/1/records", params=bad).status_code == 422, bad


def test_includes_and_filters(api, sandbox):
    seed_variants(sandbox, products=1, widths=1, lengths=2)
    tiers = [{"quantity_min": 10, "quantity_max": 19, "type": "percent", "amount": 1},
             {"quantity_min": 20, "quantity_max": 2147483647, "type": "percent", "amount": 3}]
    api.put(f"{LISTS}/1/records", json=[
        {"sku": "P0-0-0", "currency": "gbp", "price": 5, "bulk_pricing_tiers": tiers},
        {"sku": "P0-0-1", "currency": "usd", "price": 6, "sale_price": 5.5, "retail_price": 7, "map_price": 4}])
    plain = records(api)["data"]
    assert all("sku" not in d and "bulk_pricing_tiers" not in d for d in plain)
    assert list(plain[1]) == ["price_list_id", "variant_id", "price", "sale_price", "retail_price", "map_price",
                              "calculated_price", "date_created", "date_modified", "currency", "product_id"]
    # Unset prices are left out, not null (PL PriceRecordBase: number; issue 14 #17).
    assert list(plain[0]) == ["price_list_id", "variant_id", "price",
                              "calculated_price", "date_created", "date_modified", "currency", "product_id"]
    both = records(api, include="sku,bulk_pricing_tiers,images")["data"]  # other values are ignored
    assert [(d["sku"], d["bulk_pricing_tiers"]) for d in both] == [("P0-0-0", tiers), ("P0-0-1", [])]
    assert [d["sku"] for d in records(api, include="sku", currency="USD")["data"]] == ["P0-0-1"]
    assert [d["sku"] for d in records(api, include="sku", **{"sku:in": "p0-0-0,nope"})["data"]] == ["P0-0-0"]
    assert [d["price"] for d in records(api, **{"calculated_price:max": 5.5})["data"]] == [5, 6]
    assert [d["price"] for d in records(api, **{"price:min": 5.5})["data"]] == [6]
    assert [d["price"] for d in records(api, **{"currency:in": "gbp,eur"})["data"]] == [5]


@pytest.mark.parametrize("tiers", [
    [{"quantity_min": 1, "quantity_max": 10, "type": "fixed", "amount": 1},
     {"quantity_min": 5, "quantity_max": 2147483647, "type": "fixed", "amount": 1}],        # overlap
    [{"quantity_min": 10, "quantity_max": 5, "type": "price", "amount": 1}],           # max < min
    [{"quantity_min": 1, "type": "percent", "amount": 101}],                            # over 100 %
    [{"quantity_min": 1, "type": "bogo", "amount": 1}],
    [{"quantity_min": 1, "type": "fixed"}],
])
def test_bad_tiers_are_item_errors(api, sandbox, tiers):
    seed_variants(sandbox, products=1, widths=1, lengths=1)
    r = api.put(f"{LISTS}/1/records", json=[{"sku": "P0-0-0", "currency": "gbp", "price": 1,
                                              "bulk_pricing_tiers": tiers}])
    assert r.status_code == 422 and len(r.json()["batch_errors"]) == 1


def test_upsert_replaces_and_post_creates_only(api, sandbox):
    seed_variants(sandbox, products=1, widths=1, lengths=2)
    api.put(f"{LISTS}/1/records", json=[{"sku": "P0-0-0", "currency": "gbp", "price": 5, "sale_price": 4}])
    before = records(api)["data"][0]
    api.put(f"{LISTS}/1/records", json=[{"sku": "P0-0-0", "currency": "gbp", "price": 6}])
    after = records(api)["data"][0]
    assert (after["price"], "sale_price" in after, after["calculated_price"]) == (6, False, 6)
    assert after["date_created"] == before["date_created"] and after["date_modified"] > before["date_modified"]
    r = api.post(f"{LISTS}/1/records", json=[{"sku": "P0-0-0", "currency": "gbp", "price": 7},
                                             {"sku": "P0-0-1", "currency": "gbp"}])  # POST: price optional
    assert r.status_code == 422
    [error] = r.json()["batch_errors"]
    assert error["data"]["sku"] == "P0-0-0" and "already exists" in error["field_errors"]["variant_id"]
    assert [(d.get("price"), d.get("calculated_price")) for d in records(api)["data"]] == [(6, 6), (None, None)]
    assert api.post(f"{LISTS}/1/records", json=[{"sku": "P0-0-0", "currency": "eur", "price": 1}] * 101).status_code == 413
    assert api.put(f"{LISTS}/9/records", json=[{"sku": "P0-0-0", "currency": "eur", "price": 1}]).status_code == 404
    assert api.put(f"{LISTS}/1/records", json={"sku": "P0-0-0"}).status_code == 422


def test_single_record_routes(api, sandbox):
    seed_variants(sandbox, products=1, widths=1, lengths=1)
    vid = variant_ids(api, "P0-0-0")["P0-0-0"]
    r = api.put(f"{LISTS}/1/records/{vid}/GBP", json={"price": 2, "bulk_pricing_tiers": [
        {"quantity_min": 5, "quantity_max": 10, "type": "percent", "amount": 1}]})
    assert r.status_code == 200, r.text
    rec = r.json()["data"]
    assert (rec["currency"], rec["price"], rec["sku"], len(rec["bulk_pricing_tiers"])) == ("gbp", 2, "P0-0-0", 1)
    api.put(f"{LISTS}/1/records/{vid}/usd", json={"price": 3})
    got = api.get(f"{LISTS}/1/records/{vid}/gbp").json()
    assert got["meta"] == {} and got["data"]["price"] == 2 and "sku" not in got["data"]
    assert api.get(f"{LISTS}/1/records/{vid}/gbp", params={"include": "sku"}).json()["data"]["sku"] == "P0-0-0"
    by_variant = api.get(f"{LISTS}/1/records/{vid}").json()
    assert [d["currency"] for d in by_variant["data"]] == ["gbp", "usd"] and "cursor_pagination" in by_variant["meta"]
    assert api.put(f"{LISTS}/1/records/{vid}/gbp", json={"sale_price": 1}).status_code == 422  # price required
    assert api.put(f"{LISTS}/1/records/{vid}/pounds", json={"price": 1}).status_code == 422
    assert api.put(f"{LISTS}/1/records/99999/gbp", json={"price": 1}).status_code == 404
    assert api.delete(f"{LISTS}/1/records/{vid}/GBP").status_code == 204
    assert api.get(f"{LISTS}/1/records/{vid}/gbp").status_code == 404
    assert api.delete(f"{LISTS}/1/records/{vid}/gbp").status_code == 404
    assert api.get(f"{LISTS}/2/records/{vid}/usd").status_code == 404


def test_delete_records_by_filter(api, sandbox):
    seed_variants(sandbox, products=1, widths=1, lengths=3)
    ids = variant_ids(api, "P0-0-0,P0-0-1,P0-0-2")
    api.put(f"{LISTS}/1/records", json=[{"variant_id": v, "currency": c, "price": 1}
                                        for v in ids.values() for c in ("gbp", "usd")])
    assert api.delete(f"{LISTS}/1/records").status_code == 422
    r = api.delete(f"{LISTS}/1/records", params={"variant_id:in": f"{ids['P0-0-0']},{ids['P0-0-1']}", "currency": "USD"})
    assert r.status_code == 204
    left = {(d["variant_id"], d["currency"]) for d in records(api)["data"]}
    assert left == {(ids["P0-0-0"], "gbp"), (ids["P0-0-1"], "gbp"), (ids["P0-0-2"], "gbp"), (ids["P0-0-2"], "usd")}
    api.delete(f"{LISTS}/1/records", params={"sku:in": "P0-0-2"})
    assert {d["variant_id"] for d in records(api)["data"]} == {ids["P0-0-0"], ids["P0-0-1"]}
    assert api.get(f"{LISTS}/1").status_code == 200  # "does not delete the Price List"


def test_deleting_a_variant_or_product_removes_its_records(api, sandbox):
    seed_variants(sandbox, products=1, widths=1, lengths=2)
    ids = variant_ids(api, "P0-0-0,P0-0-1")
    pid = api.get("/v3/catalog/products", params={"sku": "P0"}).json()["data"][0]["id"]
    api.put(f"{LISTS}/1/records", json=[{"variant_id": v, "currency": "gbp", "price": 1} for v in ids.values()]
            + [{"sku": "SIMPLE", "currency": "gbp", "price": 1}])
    assert api.delete(f"/v3/catalog/products/{pid}/variants/{ids['P0-0-0']}").status_code == 204
    assert {d["variant_id"] for d in records(api)["data"]} >= {ids["P0-0-1"]}
    assert ids["P0-0-0"] not in {d["variant_id"] for d in records(api)["data"]}
    api.delete(f"/v3/catalog/products/{pid}")
    assert [d["sku"] for d in records(api, include="sku")["data"]] == ["SIMPLE"]


def test_multi_list_endpoints(api, sandbox):
    seed_variants(sandbox, products=1, widths=1, lengths=1)
    two = api.post(LISTS, json={"name": "Second"}).json()["data"]["id"]
    r = api.post(f"{LISTS}/records", json=[{"price_list_id": 1, "sku": "P0-0-0", "currency": "gbp", "price": 1},
                                           {"price_list_id": two, "sku": "P0-0-0", "currency": "gbp", "price": 2}])
    assert r.status_code == 200 and r.json() == {"data": {}, "meta": {}}
    r = api.put(f"{LISTS}/records", json=[{"price_list_id": two, "sku": "P0-0-0", "currency": "gbp", "price": 3},
                                          {"sku": "P0-0-0", "currency": "gbp", "price": 3}])
    assert r.status_code == 422 and set(r.json()) == {"data", "field_errors"}  # ⚠ one object
    assert "price_list_id" in r.json()["field_errors"]
    assert [d["price"] for d in records(api, plid=two)["data"]] == [3]
