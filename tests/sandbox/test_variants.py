"""Variants: per product, across the store, batch updates, the SKU namespace (FACTS §6)."""

from __future__ import annotations

import pytest

PRODUCTS = "/v3/catalog/products"
VARIANTS = "/v3/catalog/variants"
ERROR_TYPE = "/api-docs/getting-started/api-status-codes"


def make_options(api, pid, spec):
    """{"Width": ["2.5mm", ...], ...} -> {(name, label): (option_id, value_id)}."""
    ids = {}
    for name, labels in spec.items():
        r = api.post(f"{PRODUCTS}/{pid}/options", json={
            "display_name": name, "type": "rectangles",
            "option_values": [{"label": lb, "sort_order": i} for i, lb in enumerate(labels)]})
        assert r.status_code == 200, r.text
        opt = r.json()["data"]
        ids.update({(name, v["label"]): (opt["id"], v["id"]) for v in opt["option_values"]})
    return ids


def ov(ids, *pairs):
    return [{"option_id": ids[p][0], "id": ids[p][1]} for p in pairs]


@pytest.fixture
def tie(api):
    """A product with Width (2.5mm, 3.6mm) and Colour (Black, Natural) options, no variants."""
    p = api.product(1, sku="CT-BLK")
    return p, make_options(api, p["id"], {"Width": ["2.5mm", "3.6mm"], "Colour": ["Black", "Natural"]})


def test_create_variant_with_option_value_ids(api, tie):
    p, ids = tie
    r = api.post(f"{PRODUCTS}/{p['id']}/variants", json={
        "sku": "CT-BLK-25", "price": 9.5, "option_values": ov(ids, ("Width", "2.5mm"), ("Colour", "Black"))})
    assert r.status_code == 200, r.text
    v = r.json()["data"]
    assert v["sku"] == "CT-BLK-25" and v["product_id"] == p["id"] and isinstance(v["sku_id"], int)
    assert v["price"] == 9.5 and v["calculated_price"] == 9.5
    assert v["weight"] is None and v["calculated_weight"] == 0.2  # null: the product's weight
    assert v["option_values"] == [
        {"id": ids[("Width", "2.5mm")][1], "label": "2.5mm", "option_id": ids[("Width", "2.5mm")][0],
         "option_display_name": "Width"},
        {"id": ids[("Colour", "Black")][1], "label": "Black", "option_id": ids[("Colour", "Black")][0],
         "option_display_name": "Colour"}]
    assert api.get(f"{PRODUCTS}/{p['id']}/variants/{v['id']}").json()["data"] == v
    assert api.get(f"{PRODUCTS}/{p['id']}/variants").json()["data"] == [v]
    r = api.put(f"{PRODUCTS}/{p['id']}/variants/{v['id']}", json={"price": None, "mpn": "M-1"})
    assert r.status_code == 200
    assert r.json()["data"]["price"] is None and r.json()["data"]["calculated_price"] == 12.5
    assert r.json()["data"]["mpn"] == "M-1"
    assert api.delete(f"{PRODUCTS}/{p['id']}/variants/{v['id']}").status_code == 204
    assert api.get(f"{PRODUCTS}/{p['id']}/variants/{v['id']}").status_code == 404


def test_variant_option_values_must_fit_the_product(api, tie):
    p, ids = tie
    url = f"{PRODUCTS}/{p['id']}/variants"
    r = api.post(url, json={"sku": "X-1", "option_values": ov(ids, ("Width", "2.5mm"))})
    assert r.status_code == 422 and "missing: Colour" in r.json()["errors"]["option_values"]
    r = api.post(url, json={"sku": "X-1", "option_values": ov(ids, ("Width", "2.5mm"), ("Width", "3.6mm"))})
    assert r.status_code == 422
    other = api.product(2)
    foreign = make_options(api, other["id"], {"Width": ["2.5mm"]})
    r = api.post(url, json={"sku": "X-1", "option_values": ov(foreign, ("Width", "2.5mm")) + ov(ids, ("Colour", "Black"))})
    assert r.status_code == 422 and "does not belong" in str(r.json()["errors"])
    r = api.post(url, json={"sku": "X-1", "option_values": [{"label": "2.5mm", "option_display_name": "Width"}]})
    assert r.status_code == 422  # productVariant_Post: option value id and option_id
    r = api.post(url, json={"option_values": ov(ids, ("Width", "2.5mm"), ("Colour", "Black"))})
    assert r.status_code == 422 and r.json()["errors"] == {"sku": "Please provide a sku."}
    combo = ov(ids, ("Width", "2.5mm"), ("Colour", "Black"))
    assert api.post(url, json={"sku": "X-1", "option_values": combo}).status_code == 200
    r = api.post(url, json={"sku": "X-2", "option_values": combo})
    assert r.status_code == 422 and r.json()["title"] == "Duplicate variant"
    simple = api.product(3)
    r = api.post(f"{PRODUCTS}/{simple['id']}/variants", json={"sku": "X-3", "option_values": []})
    assert r.status_code == 422 and "no variant options" in r.json()["title"]


def test_variant_sku_shares_the_product_namespace(api, tie):
    p, ids = tie
    api.product(2, sku="CT-NAT-100")
    url = f"{PRODUCTS}/{p['id']}/variants"
    r = api.post(url, json={"sku": "ct-nat-100", "option_values": ov(ids, ("Width", "2.5mm"), ("Colour", "Black"))})
    assert r.status_code == 409
    body = r.json()
    assert body["status"] == 409 and body["type"] == ERROR_TYPE and "sku" in body["errors"]
    assert api.post(url, json={"sku": "ct-blk", "option_values": ov(ids, ("Width", "2.5mm"), ("Colour", "Black"))}).status_code == 409
    v = api.post(url, json={"sku": "CT-V1", "option_values": ov(ids, ("Width", "2.5mm"), ("Colour", "Black"))}).json()["data"]
    # ... and the other way round: a product may not take a variant's SKU.
    r = api.post(PRODUCTS, json={"name": "Y", "type": "physical", "price": 1, "weight": 1, "sku": "ct-v1"})
    assert r.status_code == 409 and "variant" in r.json()["errors"]["sku"]
    r = api.put(f"{PRODUCTS}/{p['id']}", json={"sku": "CT-V1"})
    assert r.status_code == 409
    r = api.put(VARIANTS, json=[{"id": v["id"], "sku": "CT-NAT-100"}])
    assert r.status_code == 409 and "sku" in r.json()["errors"]
    assert api.put(VARIANTS, json=[{"id": v["id"], "sku": "CT-V1-NEW"}]).status_code == 200


def test_list_all_variants_filters_and_pages(api, tie):
    p, ids = tie
    combos = [("2.5mm", "Black"), ("2.5mm", "Natural"), ("3.6mm", "Black")]
    made = []
    for n, (w, c) in enumerate(combos):
        r = api.post(f"{PRODUCTS}/{p['id']}/variants", json={
            "sku": f"CT-BLK-{n}", "upc": f"00{n}", "option_values": ov(ids, ("Width", w), ("Colour", c))})
        made.append(r.json()["data"])
    simple = api.product(2, sku="SIMPLE-1", upc="999")

    def ids_of(**params):
        r = api.get(VARIANTS, params=params)
        assert r.status_code == 200, r.text
        return [v["id"] for v in r.json()["data"]]

    everything = ids_of()
    # Option variants of the complex product, and the simple product's base variant.
    assert everything == [v["id"] for v in made] + [simple["base_variant_id"]]
    assert ids_of(sku="ct-blk-1") == [made[1]["id"]]
    assert ids_of(**{"sku:in": "CT-BLK-0,CT-BLK-2"}) == [made[0]["id"], made[2]["id"]]
    assert ids_of(sku="SIMPLE-1") == []  # V: base/product SKUs are found through GET products
    assert ids_of(id=made[2]["id"]) == [made[2]["id"]]
    assert ids_of(**{"id:in": f"{made[2]['id']},{made[0]['id']}"}) == [made[0]["id"], made[2]["id"]]
    assert ids_of(**{"product_id:in": simple["id"]}) == [simple["base_variant_id"]]
    assert ids_of(upc="001") == [made[1]["id"]]
    assert ids_of(upc="999") == [simple["base_variant_id"]]
    page = api.get(VARIANTS, params={"limit": 2, "page": 2}).json()
    assert [v["id"] for v in page["data"]] == everything[2:]
    assert page["meta"]["pagination"] == {"total": 4, "count": 2, "per_page": 2, "current_page": 2,
                                          "total_pages": 2, "links": {"previous": "?page=1&limit=2",
                                                                      "current": "?page=2&limit=2"}}
    page = api.get(VARIANTS, params={"limit": 1, "sku:in": "CT-BLK-0,CT-BLK-2", "page": 2}).json()
    assert [v["id"] for v in page["data"]] == [made[2]["id"]] and page["meta"]["pagination"]["total"] == 2
    shaped = api.get(VARIANTS, params={"include_fields": "sku", "sku": "CT-BLK-0"}).json()["data"]
    assert shaped == [{"id": made[0]["id"], "sku": "CT-BLK-0"}]
    assert api.get(VARIANTS, params={"limit": 251}).status_code == 413
    assert api.get(VARIANTS, params={"colour": "x"}).status_code == 422


def test_batch_put_of_51_is_413_with_the_spec_body(api):
    r = api.put(VARIANTS, json=[{"id": n, "price": 1} for n in range(1, 52)])
    assert r.status_code == 413
    # V updateVariantsBatch's 413 example, word for word (no final full stop there).
    assert r.json() == {"errors": {}, "status": 413,
                        "title": "The request payload is too large. The maximum items allowed in the array is 50",
                        "type": ERROR_TYPE}


def test_batch_put_with_one_bad_item_is_422_and_writes_nothing(api, tie):
    p, ids = tie
    v = api.post(f"{PRODUCTS}/{p['id']}/variants", json={
        "sku": "CT-BLK-25", "option_values": ov(ids, ("Width", "2.5mm"), ("Colour", "Black"))}).json()["data"]
    simple = api.product(2)
    r = api.put(VARIANTS, json=[
        {"id": v["id"], "price": 3},
        {"id": simple["base_variant_id"], "option_values": []},   # not writable in a batch
        {"price": 4},                                            # no id
        {"id": 999999, "price": 5},                              # unknown variant
        {"id": v["id"], "cost_price": -1}])                      # listed twice, and invalid
    assert r.status_code == 422
    errors = r.json()["batch_errors"]
    assert [e["instance"] for e in errors] == ["#/1", "#/2", "#/3", "#/4"]
    assert all(e["status"] == 422 and e["type"] == ERROR_TYPE and e["title"] for e in errors)
    assert "option_values" in errors[0]["errors"] and errors[1]["errors"] == {"id": "Please provide a id."}
    assert "id" in errors[2]["errors"]
    assert api.get(f"{PRODUCTS}/{p['id']}/variants/{v['id']}").json()["data"]["price"] is None


def test_batch_put_updates_variants_across_products(api, tie):
    p, ids = tie
    v = api.post(f"{PRODUCTS}/{p['id']}/variants", json={
        "sku": "CT-BLK-25", "option_values": ov(ids, ("Width", "2.5mm"), ("Colour", "Black"))}).json()["data"]
    simple = api.product(2, sku="SIMPLE")
    before = api.get(f"{PRODUCTS}/{p['id']}").json()["data"]["date_modified"]
    r = api.put(VARIANTS, json=[{"id": v["id"], "price": 3.25, "inventory_level": 7},
                                {"id": simple["base_variant_id"], "sale_price": 2, "sku": "SIMPLE-2"}])
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    assert r.json()["meta"] == {}
    assert (data[0]["price"], data[0]["calculated_price"], data[0]["inventory_level"]) == (3.25, 3.25, 7)
    assert data[0]["option_values"][0]["label"] == "2.5mm"
    assert data[1]["sale_price"] == 2 and data[1]["calculated_price"] == 2 and data[1]["sku"] == "SIMPLE-2"
    # A base variant's SKU is its product's SKU.
    assert api.get(f"{PRODUCTS}/{simple['id']}").json()["data"]["sku"] == "SIMPLE-2"
    assert api.get(f"{PRODUCTS}/{p['id']}").json()["data"]["date_modified"] > before


def test_base_variant_cannot_be_deleted(api):
    p = api.product()
    r = api.delete(f"{PRODUCTS}/{p['id']}/variants/{p['base_variant_id']}")
    assert r.status_code == 422


def test_600_skus_per_product(api, sandbox):
    widths = [f"W{n}" for n in range(25)]
    colours = [f"C{n}" for n in range(24)]
    variants = [{"sku": f"T-{w}-{c}", "options": {"Width": w, "Colour": c}} for w in widths for c in colours]
    sandbox.seed({"products": [{"name": "Big", "type": "physical", "price": 1, "weight": 1, "sku": "BIG",
                                "variants": variants}]})
    big = api.get(PRODUCTS, params={"sku": "BIG"}).json()["data"][0]
    assert api.get(VARIANTS, params={"product_id:in": big["id"], "limit": 1}).json()["meta"]["pagination"]["total"] == 600
    options = api.get(f"{PRODUCTS}/{big['id']}/options").json()["data"]
    width = next(o for o in options if o["display_name"] == "Width")
    colour = next(o for o in options if o["display_name"] == "Colour")
    extra = api.post(f"{PRODUCTS}/{big['id']}/options/{width['id']}/values",
                     json={"label": "W-new", "sort_order": 99}).json()["data"]
    r = api.post(f"{PRODUCTS}/{big['id']}/variants", json={"sku": "T-601", "option_values": [
        {"option_id": width["id"], "id": extra["id"]},
        {"option_id": colour["id"], "id": colour["option_values"][0]["id"]}]})
    assert r.status_code == 422 and "600" in r.json()["errors"]["sku"]
    r = api.post(PRODUCTS, json={"name": "Too big", "type": "physical", "price": 1, "weight": 1,
                                 "variants": [{"sku": f"TB-{n}", "option_values": [
                                     {"option_display_name": "N", "label": str(n)}]} for n in range(601)]})
    assert r.status_code == 422 and "600" in r.json()["errors"]["variants"]
