"""Products: create, validate, conflict, batch update, delete, shaping (FACTS §5)."""

from __future__ import annotations

PRODUCTS = "/v3/catalog/products"


def test_new_product_has_every_field_with_spec_defaults(api):
    p = api.product(1)
    assert p["id"] >= 1 and p["sku"] == "CT-001" and p["price"] == 12.5 and p["weight"] == 0.2
    expected = {"inventory_level": 0, "inventory_tracking": "none", "is_visible": True,
                "availability": "available", "condition": "New", "brand_id": 0, "categories": [],
                "calculated_price": 12.5, "custom_url": {"url": "/cable-tie-1/", "is_customized": False}}
    assert {k: p[k] for k in expected} == expected
    assert isinstance(p["base_variant_id"], int)
    assert p["date_created"] == p["date_modified"]
    assert len(p["date_created"]) == 25 and p["date_created"].endswith("+00:00")
    assert "channels" not in p and "brand_name" not in p
    assert p["custom_fields"] == [] and [v["id"] for v in p["variants"]] == [p["base_variant_id"]]


def test_new_product_is_on_channel_1(api):
    p = api.product()
    r = api.get(f"{PRODUCTS}/{p['id']}", params={"include": "channels,custom_fields,variants"})
    data = r.json()["data"]
    assert data["channels"] == [1]
    assert data["custom_fields"] == []
    [variant] = data["variants"]
    assert variant["id"] == p["base_variant_id"] and variant["sku"] == "CT-001"
    assert variant["option_values"] == [] and variant["sku_id"] is None


def test_post_missing_fields_are_all_named(api):
    r = api.post(PRODUCTS, json={"sku": "X"})
    assert r.status_code == 422
    body = r.json()
    assert body["title"] == "Missing Required Fields"
    assert body["errors"] == {"name": "Please provide a name.", "type": "Please provide a type.",
                              "weight": "Please provide a weight.", "price": "Please provide a price."}


def test_post_type_and_range_checks(api):
    r = api.post(PRODUCTS, json={"name": "x", "type": "box", "weight": -1, "price": "10.00"})
    assert r.status_code == 422
    assert set(r.json()["errors"]) == {"type", "weight", "price"}


def test_post_unknown_and_read_only_fields_are_refused(api):
    r = api.post(PRODUCTS, json={"name": "x", "type": "digital", "weight": 0, "price": 1,
                                 "id": 5, "calculated_price": 1, "colour": "red"})
    assert r.status_code == 422
    assert set(r.json()["errors"]) == {"id", "calculated_price", "colour"}


def test_duplicate_sku_differing_only_in_case_is_409(api):
    api.product(1, sku="CT-BLK100")
    r = api.post(PRODUCTS, json={"name": "Other", "type": "physical", "price": 1, "weight": 1,
                                 "sku": "ct-blk100"})
    assert r.status_code == 409
    body = r.json()
    assert body["status"] == 409 and "sku" in body["errors"]
    assert api.get(PRODUCTS).json()["meta"]["pagination"]["total"] == 1


def test_duplicate_name_and_unknown_references_are_409(api):
    api.product(1)
    r = api.post(PRODUCTS, json={"name": "Cable Tie 1", "type": "physical", "price": 1, "weight": 1})
    assert r.status_code == 409 and "name" in r.json()["errors"]
    r = api.post(PRODUCTS, json={"name": "B", "type": "physical", "price": 1, "weight": 1, "brand_id": 999})
    assert r.status_code == 409 and "brand_id" in r.json()["errors"]
    r = api.post(PRODUCTS, json={"name": "C", "type": "physical", "price": 1, "weight": 1, "categories": [999]})
    assert r.status_code == 409 and "categories" in r.json()["errors"]


def test_brand_name_creates_or_reuses_brand(api):
    p = api.product(1, brand_name="GTSE Pro")
    q = api.product(2, brand_name="gtse pro")
    assert p["brand_id"] == q["brand_id"] != 0
    assert api.get(f"/v3/catalog/brands/{p['brand_id']}").json()["data"]["name"] == "GTSE Pro"


def test_put_batch_of_11_is_413_with_exact_body(api):
    r = api.put(PRODUCTS, json=[{"id": n, "price": 1} for n in range(11)])
    assert r.status_code == 413
    assert r.json() == {"errors": {}, "status": 413,
                        "title": "The request payload is too large. The maximum items allowed in the array is 10.",
                        "type": "/api-docs/getting-started/api-status-codes"}


def test_put_batch_updates_all(api):
    a, b = api.product(1), api.product(2)
    r = api.put(PRODUCTS, json=[{"id": a["id"], "price": 9.99}, {"id": b["id"], "is_visible": False}])
    assert r.status_code == 200
    data = r.json()["data"]
    assert [d["id"] for d in data] == [a["id"], b["id"]]
    assert data[0]["price"] == 9.99 and data[0]["calculated_price"] == 9.99
    assert data[1]["is_visible"] is False
    assert r.json()["meta"] == {}


def test_put_batch_is_all_or_nothing(api):
    a, b = api.product(1), api.product(2)
    for bad in ({"id": b["id"], "price": -5},          # 422
                {"id": 999999, "price": 1},            # 404
                {"id": b["id"], "sku": "ct-001"},      # 409 against a's SKU
                {"price": 3}):                         # 422 no id
        r = api.put(PRODUCTS, json=[{"id": a["id"], "price": 1.25}, bad])
        assert r.status_code in (404, 409, 422), r.text
        assert api.get(f"{PRODUCTS}/{a['id']}").json()["data"]["price"] == 12.5
    r = api.put(PRODUCTS, json=[{"price": 3}])
    assert r.status_code == 422 and r.json()["errors"] == {"id": "Please provide an id."}


def test_put_batch_can_swap_skus(api):
    a, b = api.product(1), api.product(2)
    r = api.put(PRODUCTS, json=[{"id": a["id"], "sku": "CT-002"}, {"id": b["id"], "sku": "CT-001"}])
    assert r.status_code == 200, r.text


def test_put_single_partial_update_and_date_modified_moves(api):
    p = api.product()
    r1 = api.put(f"{PRODUCTS}/{p['id']}", json={"inventory_level": 7, "inventory_tracking": "product"})
    r2 = api.put(f"{PRODUCTS}/{p['id']}", json={"inventory_level": 8})
    assert r1.status_code == r2.status_code == 200
    d1, d2 = r1.json()["data"], r2.json()["data"]
    assert d2["inventory_level"] == 8 and d2["inventory_tracking"] == "product" and d2["name"] == p["name"]
    assert p["date_modified"] < d1["date_modified"] < d2["date_modified"]
    assert d2["date_created"] == p["date_created"]
    assert api.put(f"{PRODUCTS}/999999", json={"price": 1}).status_code == 404


def test_date_modified_filter(api):
    a = api.product(1)
    later = api.put(f"{PRODUCTS}/{a['id']}", json={"price": 2}).json()["data"]["date_modified"]
    api.product(2)
    r = api.get(PRODUCTS, params={"date_modified:min": later})
    assert a["id"] in [p["id"] for p in r.json()["data"]]
    r = api.get(PRODUCTS, params={"date_modified:max": "2000-01-01T00:00:00Z"})
    assert r.json()["data"] == []


def test_delete_needs_a_filter(api):
    p = api.product()
    r = api.delete(PRODUCTS)
    assert r.status_code == 422 and r.json()["status"] == 422
    assert api.delete(PRODUCTS, params={"id:in": str(p["id"])}).status_code == 204
    assert api.get(f"{PRODUCTS}/{p['id']}").status_code == 404


def test_delete_single(api):
    p = api.product()
    assert api.delete(f"{PRODUCTS}/{p['id']}").status_code == 204
    assert api.delete(f"{PRODUCTS}/{p['id']}").status_code == 404
    assert api.get("/v3/catalog/products/channel-assignments").json()["data"] == []


def test_include_and_exclude_fields(api):
    p = api.product()
    r = api.get(PRODUCTS, params={"include_fields": "sku,price"})
    assert r.json()["data"] == [{"id": p["id"], "sku": "CT-001", "price": 12.5,
                                 "gift_wrapping_options_type": "any", "gift_wrapping_options_list": []}]
    r = api.get(f"{PRODUCTS}/{p['id']}", params={"include_fields": "name", "include": "channels"})
    assert r.json()["data"]["channels"] == [1] and "price" not in r.json()["data"]
    r = api.get(f"{PRODUCTS}/{p['id']}", params={"exclude_fields": "id,description"})
    assert "id" in r.json()["data"] and "description" not in r.json()["data"]


def test_list_filters_and_sort(api):
    a = api.product(1, sku="AA-1", price=5)
    b = api.product(2, sku="BB-2", price=3, is_visible=False)
    c = api.product(3, sku="CC-3", price=4)

    def ids(**params):
        r = api.get(PRODUCTS, params=params)
        assert r.status_code == 200, r.text
        return [p["id"] for p in r.json()["data"]]

    assert ids(sku="aa-1") == [a["id"]]
    assert ids(**{"sku:in": "AA-1,CC-3"}) == [a["id"], c["id"]]
    assert ids(**{"id:in": f"{c['id']},{b['id']}"}) == [b["id"], c["id"]]
    assert ids(is_visible="false") == [b["id"]]
    assert ids(name="Cable Tie 3") == [c["id"]]
    assert ids(sort="price") == [b["id"], c["id"], a["id"]]
    assert ids(sort="price", direction="desc") == [a["id"], c["id"], b["id"]]
    assert api.get(PRODUCTS, params={"sort": "colour"}).status_code == 422


def test_prices_keep_their_decimal_value(api):
    p = api.product(1, price=10.10, cost_price=3, sale_price=9.95)
    assert p["price"] == 10.1 and p["cost_price"] == 3 and p["calculated_price"] == 9.95
    r = api.get(f"{PRODUCTS}/{p['id']}")
    assert '"price": 10.1,' in r.text and '"cost_price": 3,' in r.text


def test_custom_fields_in_body(api):
    p = api.product(1, custom_fields=[{"name": "Length", "value": "100mm"}])
    fields = api.get(f"{PRODUCTS}/{p['id']}", params={"include": "custom_fields"}).json()["data"]["custom_fields"]
    assert [(f["name"], f["value"]) for f in fields] == [("Length", "100mm")]
    r = api.put(f"{PRODUCTS}/{p['id']}", json={"custom_fields": [{"id": fields[0]["id"], "name": "Length", "value": "200mm"}]})
    assert r.status_code == 200
    fields = api.get(f"{PRODUCTS}/{p['id']}", params={"include": "custom_fields"}).json()["data"]["custom_fields"]
    assert [(f["name"], f["value"]) for f in fields] == [("Length", "200mm")]


def test_seeded_product_equals_api_product(api, sandbox):
    made = api.product(1, inventory_level=5)
    sandbox.seed({"products": [{"name": "Cable Tie 2", "type": "physical", "price": 12.5,
                                "weight": 0.2, "sku": "CT-002", "inventory_level": 5}]})
    seeded = api.get(PRODUCTS, params={"sku": "CT-002", "include": "custom_fields,variants"}).json()["data"][0]
    volatile = {"id", "name", "sku", "custom_url", "base_variant_id", "date_created", "date_modified", "variants"}
    assert {k: v for k, v in seeded.items() if k not in volatile} == \
           {k: v for k, v in made.items() if k not in volatile}
    assert set(seeded) == set(made)


def test_refused_post_neither_burns_nor_names_the_next_id(api):
    # Issue 14 finding 16: a refused POST is not a product; FACTS §5.1 (createProduct)
    # gives an id only to what was created, so its error must not name the id the next
    # product gets, and that id is still the next one.
    first = api.product(1)
    refused = [
        {"name": "Cable Tie 2", "type": "physical", "price": 1, "weight": 1, "sku": "CT-002",
         "custom_fields": [{"name": "Material", "value": "Nylon"}, {"name": "Material", "value": "Nylon"}]},
        {"name": "Cable Tie 2", "type": "physical", "price": 1, "weight": 1, "sku": "CT-001"},
        {"name": "Cable Tie 2", "type": "physical", "price": 1, "weight": 1, "sku": "CT-002",
         "variants": [{"sku": "CT-002-A", "option_values": [{"option_display_name": "W", "label": "1"}]},
                      {"sku": "CT-002-A", "option_values": [{"option_display_name": "W", "label": "2"}]}]},
        {"name": "Cable Tie 2", "type": "physical", "price": 1, "weight": 1, "sku": "CT-002", "brand_id": 999999},
    ]
    texts = []
    for body in refused:
        r = api.post(PRODUCTS, json=body)
        assert r.status_code in (409, 422), r.text
        texts.append(r.text)
    made = api.product(2)
    assert made["id"] == first["id"] + 1
    for text in texts:
        assert str(made["id"]) not in text, text


def test_keyword_filter_searches_name_description_sku_and_brand(api):
    # FACTS §5.5 / P KeywordParam: "keywords found in the name, description, or sku
    # fields, or in the brand name"; keyword_context is shopper|merchant.
    a = api.product(1, name="Nylon Cable Tie", description="<p>UV resistant</p>")
    b = api.product(2, sku="HEAT-77", brand_name="Thermo Works")
    c = api.product(3, name="Steel Strap")

    def ids(**params):
        r = api.get(PRODUCTS, params=params)
        assert r.status_code == 200, r.text
        return [p["id"] for p in r.json()["data"]]

    assert ids(keyword="nylon") == [a["id"]]
    assert ids(keyword="resistant") == [a["id"]]
    assert ids(keyword="heat-77") == [b["id"]]
    assert ids(keyword="thermo") == [b["id"]]
    assert ids(keyword="strap", keyword_context="merchant") == [c["id"]]
    assert ids(keyword="strap", keyword_context="shopper") == [c["id"]]
    assert ids(keyword="nothing-like-this") == []
    assert api.get(PRODUCTS, params={"keyword": "x", "keyword_context": "admin"}).status_code == 422


def test_include_options_or_modifiers_limits_a_page_to_10(api):
    # Issue 14 finding 15: FACTS §3.1 / P IncludeParamGetProducts: "When you specify
    # `options` or `modifiers`, results are limited to 10 per page" (GET products only).
    made = [api.product(n)["id"] for n in range(1, 13)]

    def page(**params):
        r = api.get(PRODUCTS, params=params)
        assert r.status_code == 200, r.text
        return [p["id"] for p in r.json()["data"]], r.json()["meta"]["pagination"]

    for include in ("options", "modifiers", "variants,options", "modifiers,custom_fields"):
        ids, meta = page(include=include, limit=250)
        assert ids == made[:10], include
        assert (meta["per_page"], meta["count"], meta["total"], meta["total_pages"]) == (10, 10, 12, 2)
        assert meta["links"]["next"] == "?page=2&limit=10"
        ids, meta = page(include=include, page=2)
        assert ids == made[10:] and meta["per_page"] == 10 and "next" not in meta["links"]
    filtered, meta = page(include="options", **{"sku:in": ",".join(f"CT-{n:03d}" for n in range(1, 13))})
    assert filtered == made[:10] and meta["total_pages"] == 2
    assert page(include="options", limit=4)[0] == made[:4]  # a smaller limit stands
    assert page(include="variants,custom_fields", limit=250)[0] == made  # other includes: no cap


def test_delete_by_keyword_or_date_modified(api):
    # Issue 14 finding 14: FACTS §5.6 / P deleteProducts lists ``keyword`` (and
    # ``date_modified``) among the filters a product DELETE accepts; keyword matches as
    # the list's does (§5.5: name, description, sku, brand name).
    nylon = api.product(1, name="Nylon Cable Tie")
    steel = api.product(2, name="Steel Strap", description="<p>no nylon here</p>")
    kept = api.product(3, name="Brass Clip")
    r = api.delete(PRODUCTS, params={"keyword": "nylon"})
    assert r.status_code == 204, r.text
    assert [p["id"] for p in api.get(PRODUCTS).json()["data"]] == [kept["id"]]
    assert {api.get(f"{PRODUCTS}/{p['id']}").status_code for p in (nylon, steel)} == {404}
    r = api.delete(PRODUCTS, params={"date_modified": kept["date_modified"]})
    assert r.status_code == 204, r.text
    assert api.get(PRODUCTS).json()["data"] == []
