"""Variant options and option values (FACTS §6.4)."""

from __future__ import annotations

PRODUCTS = "/v3/catalog/products"


def width_option(api, pid, labels=("2.5mm", "3.6mm"), name="Width"):
    r = api.post(f"{PRODUCTS}/{pid}/options", json={
        "display_name": name, "type": "rectangles",
        "option_values": [{"label": lb, "sort_order": i} for i, lb in enumerate(labels)]})
    assert r.status_code == 200, r.text
    return r.json()["data"]


def test_option_crud(api):
    p = api.product()
    opt = width_option(api, p["id"])
    assert opt["product_id"] == p["id"] and opt["display_name"] == "Width" and opt["type"] == "rectangles"
    assert [(v["label"], v["sort_order"], v["is_default"]) for v in opt["option_values"]] == [
        ("2.5mm", 0, False), ("3.6mm", 1, False)]
    assert opt["name"] and opt["config"] == {}
    base = f"{PRODUCTS}/{p['id']}/options"
    assert api.get(base).json()["data"] == [opt]
    assert api.get(f"{base}/{opt['id']}").json()["data"] == opt
    r = api.put(f"{base}/{opt['id']}", json={"display_name": "Tie width", "type": "dropdown"})
    assert r.status_code == 200 and r.json()["data"]["display_name"] == "Tie width"
    assert r.json()["data"]["option_values"] == opt["option_values"]
    assert api.delete(f"{base}/{opt['id']}").status_code == 204
    assert api.get(f"{base}/{opt['id']}").status_code == 404
    assert api.get(base).json()["data"] == []
    assert api.get(f"{PRODUCTS}/999999/options").status_code == 404


def test_option_post_validation(api):
    p = api.product()
    base = f"{PRODUCTS}/{p['id']}/options"
    r = api.post(base, json={"display_name": "Width"})
    assert r.status_code == 422 and set(r.json()["errors"]) == {"type", "option_values"}
    r = api.post(base, json={"display_name": "Width", "type": "boxes", "option_values": []})
    assert r.status_code == 422 and set(r.json()["errors"]) == {"type", "option_values"}
    r = api.post(base, json={"display_name": "W", "type": "rectangles", "option_values": [{"label": "a"}]})
    assert r.status_code == 422 and "option_values.0" in r.json()["errors"]
    r = api.post(base, json={"display_name": "W", "type": "rectangles", "option_values": [
        {"label": "a", "sort_order": 0}, {"label": "A", "sort_order": 1}]})
    assert r.status_code == 422 and "'A'" in r.json()["errors"]["option_values"]
    too_many = [{"label": str(n), "sort_order": n} for n in range(251)]
    r = api.post(base, json={"display_name": "W", "type": "rectangles", "option_values": too_many})
    assert r.status_code == 422
    assert api.get(base).json()["data"] == []


def test_duplicate_display_name_is_409_case_insensitively(api):
    p = api.product()
    width_option(api, p["id"])
    r = api.post(f"{PRODUCTS}/{p['id']}/options", json={
        "display_name": "WIDTH", "type": "rectangles", "option_values": [{"label": "x", "sort_order": 0}]})
    assert r.status_code == 409
    assert r.json()["status"] == 409 and "display_name" in r.json()["errors"]
    other = api.product(2)
    width_option(api, other["id"])  # the same name on another product is fine


def test_option_values_crud(api):
    p = api.product()
    opt = width_option(api, p["id"])
    base = f"{PRODUCTS}/{p['id']}/options/{opt['id']}/values"
    r = api.post(base, json={"label": "4.8mm", "sort_order": 2})
    assert r.status_code == 200
    value = r.json()["data"]
    assert value == {"id": value["id"], "label": "4.8mm", "sort_order": 2, "value_data": None, "is_default": False}
    assert [v["label"] for v in api.get(base).json()["data"]] == ["2.5mm", "3.6mm", "4.8mm"]
    assert api.get(f"{base}/{value['id']}").json()["data"] == value
    r = api.put(f"{base}/{value['id']}", json={"label": "5.0mm", "sort_order": 7})
    assert r.status_code == 200 and r.json()["data"]["label"] == "5.0mm"
    assert api.put(f"{base}/{value['id']}", json={"label": "5.0mm"}).status_code == 422  # sort_order required
    r = api.post(base, json={"label": "2.5MM", "sort_order": 3})
    assert r.status_code == 422 and "2.5mm" in r.text.lower()
    assert api.post(base, json={"label": "x"}).status_code == 422
    assert api.delete(f"{base}/{value['id']}").status_code == 204
    assert api.get(f"{base}/{value['id']}").status_code == 404
    assert api.get(f"{PRODUCTS}/{p['id']}/options/999999/values").status_code == 404


def test_put_option_values_list_replaces_the_list(api):
    p = api.product()
    opt = width_option(api, p["id"], labels=("a", "b", "c"))
    a, b, _ = opt["option_values"]
    r = api.put(f"{PRODUCTS}/{p['id']}/options/{opt['id']}", json={"option_values": [
        {"id": a["id"], "label": "A", "sort_order": 0}, {"id": b["id"], "label": "b", "sort_order": 1},
        {"label": "d", "sort_order": 2}]})
    assert r.status_code == 200, r.text
    values = r.json()["data"]["option_values"]
    assert [v["label"] for v in values] == ["A", "b", "d"] and values[0]["id"] == a["id"]


def test_options_do_not_create_variants_and_hide_the_base_variant(api):
    p = api.product()
    before = api.get(f"{PRODUCTS}/{p['id']}").json()["data"]
    opt = width_option(api, p["id"])
    got = api.get(f"{PRODUCTS}/{p['id']}", params={"include": "variants,options"}).json()["data"]
    assert got["variants"] == [] and got["base_variant_id"] is None
    assert [o["id"] for o in got["options"]] == [opt["id"]]
    assert got["date_modified"] > before["date_modified"]  # our choice: sub-resource writes touch the product
    assert api.get(f"{PRODUCTS}/{p['id']}/variants").json()["data"] == []
    api.delete(f"{PRODUCTS}/{p['id']}/options/{opt['id']}")
    got = api.get(f"{PRODUCTS}/{p['id']}", params={"include": "variants"}).json()["data"]
    assert got["base_variant_id"] == p["base_variant_id"]
    assert [v["id"] for v in got["variants"]] == [p["base_variant_id"]]


def test_used_values_and_options_cannot_be_deleted(api):
    p = api.product()
    opt = width_option(api, p["id"])
    used, free = opt["option_values"]
    r = api.post(f"{PRODUCTS}/{p['id']}/variants", json={
        "sku": "CT-001-25", "option_values": [{"id": used["id"], "option_id": opt["id"]}]})
    assert r.status_code == 200, r.text
    base = f"{PRODUCTS}/{p['id']}/options/{opt['id']}"
    r = api.delete(f"{base}/values/{used['id']}")
    assert r.status_code == 422 and "variants" in r.json()["title"]
    r = api.delete(base)
    assert r.status_code == 422
    r = api.put(base, json={"option_values": [{"id": free["id"], "label": "3.6mm", "sort_order": 0}]})
    assert r.status_code == 422
    assert api.delete(f"{base}/values/{free['id']}").status_code == 204
    # A product with option variants gets no new option (its variants would lack a value).
    r = api.post(f"{PRODUCTS}/{p['id']}/options", json={
        "display_name": "Colour", "type": "swatch", "option_values": [{"label": "Black", "sort_order": 0}]})
    assert r.status_code == 422
