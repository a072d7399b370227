"""Products in full: POST with variants[], includes on lists, cascading deletes, seeds."""

from __future__ import annotations

PRODUCTS = "/v3/catalog/products"
ASSIGN = "/v3/catalog/products/channel-assignments"


def tie_body(**fields):
    return {"name": "Black Tie", "type": "physical", "price": 12.5, "weight": 0.2, "sku": "CT-BLK",
            "variants": [
                {"sku": "CT-BLK-25", "price": 9.5, "option_values": [
                    {"option_display_name": "Width", "label": "2.5mm"},
                    {"option_display_name": "Length", "label": "100mm"}]},
                {"sku": "CT-BLK-36", "weight": 0.3, "option_values": [
                    {"option_display_name": "Width", "label": "3.6mm"},
                    {"option_display_name": "Length", "label": "100mm"}]},
                {"sku": "CT-BLK-36-200", "option_values": [
                    {"option_display_name": "Length", "label": "200mm"},
                    {"option_display_name": "width", "label": "3.6MM"}]}],
            **fields}


def test_post_with_variants_creates_options_and_returns_variants(api):
    r = api.post(PRODUCTS, json=tie_body(custom_fields=[{"name": "Material", "value": "Nylon 6.6"}]))
    assert r.status_code == 200, r.text
    p = r.json()["data"]
    assert p["base_variant_id"] is None  # P: null for complex products
    assert p["date_modified"] == p["date_created"]  # one write
    assert [(v["sku"], v["price"], v["calculated_price"], v["calculated_weight"]) for v in p["variants"]] == [
        ("CT-BLK-25", 9.5, 9.5, 0.2), ("CT-BLK-36", None, 12.5, 0.3), ("CT-BLK-36-200", None, 12.5, 0.2)]
    assert [(o["option_display_name"], o["label"]) for o in p["variants"][2]["option_values"]] == [
        ("Width", "3.6mm"), ("Length", "200mm")]  # first-seen spelling and option order
    assert [(f["name"], f["value"]) for f in p["custom_fields"]] == [("Material", "Nylon 6.6")]
    options = api.get(f"{PRODUCTS}/{p['id']}/options").json()["data"]
    assert [(o["display_name"], o["type"], o["sort_order"], [v["label"] for v in o["option_values"]])
            for o in options] == [("Width", "rectangles", 0, ["2.5mm", "3.6mm"]),
                                  ("Length", "rectangles", 1, ["100mm", "200mm"])]
    got = api.get(f"{PRODUCTS}/{p['id']}", params={"include": "variants"}).json()["data"]
    assert got["variants"] == p["variants"]


def test_post_with_variants_is_checked_before_anything_is_written(api):
    api.product(1, sku="TAKEN")
    cases = [
        (tie_body(sku="ct-blk-25"), 409),                                   # product SKU = a variant SKU
        (tie_body(variants=[*tie_body()["variants"], {"sku": "taken", "option_values": [
            {"option_display_name": "Width", "label": "4.8mm"},
            {"option_display_name": "Length", "label": "100mm"}]}]), 409),   # a variant takes a product's SKU
        (tie_body(variants=[{"sku": "A", "option_values": [{"option_display_name": "W", "label": "1"}]},
                            {"sku": "a", "option_values": [{"option_display_name": "W", "label": "2"}]}]), 409),
        (tie_body(variants=[{"sku": "A", "option_values": [{"option_display_name": "W", "label": "1"}]},
                            {"sku": "B", "option_values": [{"option_display_name": "W", "label": "1"}]}]), 422),
        (tie_body(variants=[{"sku": "A", "option_values": [{"option_display_name": "W", "label": "1"}]},
                            {"sku": "B", "option_values": [{"option_display_name": "X", "label": "1"}]}]), 422),
        (tie_body(variants=[{"sku": "A", "option_values": []}]), 422),
        (tie_body(variants=[{"sku": "A", "id": 5, "option_values": [{"option_display_name": "W", "label": "1"}]}]), 422),
    ]
    for body, status in cases:
        r = api.post(PRODUCTS, json=body)
        assert r.status_code == status, (body["variants"], r.text)
    assert api.get(PRODUCTS).json()["meta"]["pagination"]["total"] == 1
    assert api.get("/v3/catalog/variants").json()["meta"]["pagination"]["total"] == 1
    assert api.post(PRODUCTS, json=tie_body()).status_code == 200


def test_variants_are_post_only(api):
    p = api.product()
    r = api.put(f"{PRODUCTS}/{p['id']}", json={"variants": []})
    assert r.status_code == 422 and "variants" in r.json()["errors"]


def test_list_with_includes(api):
    complex_ = api.post(PRODUCTS, json=tie_body()).json()["data"]
    simple = api.product(2, custom_fields=[{"name": "Material", "value": "Steel"}])
    api.put(ASSIGN, json=[{"product_id": simple["id"], "channel_id": 2}])
    r = api.get(PRODUCTS, params={"include": "variants,custom_fields,channels", "include_fields": "sku"})
    assert r.status_code == 200
    first, second = r.json()["data"]
    assert set(first) == {"id", "sku", "gift_wrapping_options_type", "gift_wrapping_options_list",
                          "variants", "custom_fields", "channels"}
    assert [v["sku"] for v in first["variants"]] == ["CT-BLK-25", "CT-BLK-36", "CT-BLK-36-200"]
    assert first["variants"] == complex_["variants"]  # full variant objects
    assert first["custom_fields"] == [] and first["channels"] == [1]
    assert [v["id"] for v in second["variants"]] == [simple["base_variant_id"]]
    assert [f["name"] for f in second["custom_fields"]] == ["Material"]
    assert second["channels"] == [1, 2]
    api.delete(ASSIGN, params={"product_id:in": simple["id"], "channel_id:in": 1})
    got = api.get(f"{PRODUCTS}/{simple['id']}", params={"include": "channels"}).json()["data"]
    assert got["channels"] == [2]


def test_delete_cascades(api):
    p = api.post(PRODUCTS, json=tie_body(custom_fields=[{"name": "Material", "value": "Nylon"}])).json()["data"]
    other = api.product(2)
    api.put(ASSIGN, json=[{"product_id": p["id"], "channel_id": 2}])
    assert api.delete(f"{PRODUCTS}/{p['id']}").status_code == 204
    assert api.get(f"{PRODUCTS}/{p['id']}/variants").status_code == 404
    assert [v["id"] for v in api.get("/v3/catalog/variants").json()["data"]] == [other["base_variant_id"]]
    assert api.get(ASSIGN).json()["data"] == [{"product_id": other["id"], "channel_id": 1}]
    # The SKUs, option names and field names are free again.
    again = api.post(PRODUCTS, json=tie_body(custom_fields=[{"name": "Material", "value": "Nylon"}]))
    assert again.status_code == 200, again.text
    assert api.delete(PRODUCTS, params={"id:in": again.json()["data"]["id"]}).status_code == 204
    assert api.get("/v3/catalog/variants").json()["meta"]["pagination"]["total"] == 1


def test_seed_format_with_variants_and_custom_fields(api, sandbox):
    sandbox.reset(data={"products": [
        {"name": "Tie", "type": "physical", "price": 12.5, "weight": 0.2, "sku": "CT",
         "custom_fields": {"Material": "Nylon 6.6", "Colour": "Black"},
         "variants": [{"sku": "CT-25", "options": {"Width": "2.5mm"}, "price": 9.5},
                      {"sku": "CT-36", "options": {"Width": "3.6mm"}}]},
        {"name": "Plain", "type": "physical", "price": 1, "weight": 1, "sku": "PLAIN"}]})
    tie, plain = api.get(PRODUCTS, params={"include": "variants,custom_fields,options"}).json()["data"]
    assert [(v["sku"], v["price"], v["option_values"][0]["label"]) for v in tie["variants"]] == [
        ("CT-25", 9.5, "2.5mm"), ("CT-36", None, "3.6mm")]
    assert [(f["name"], f["value"]) for f in tie["custom_fields"]] == [("Material", "Nylon 6.6"), ("Colour", "Black")]
    assert [o["display_name"] for o in tie["options"]] == ["Width"]
    assert plain["variants"][0]["sku"] == "PLAIN" and plain["options"] == []
