"""Brands (FACTS §7.3)."""

from __future__ import annotations

BRANDS = "/v3/catalog/brands"


def test_create_get_update_delete(api):
    r = api.post(BRANDS, json={"name": "GTSE Pro", "page_title": "GTSE Professional"})
    assert r.status_code == 200
    brand = r.json()["data"]
    assert brand == {"id": brand["id"], "name": "GTSE Pro", "page_title": "GTSE Professional",
                     "meta_keywords": [], "meta_description": "", "image_url": "",
                     "search_keywords": "", "custom_url": {"url": "/gtse-pro/", "is_customized": False}}
    assert api.get(f"{BRANDS}/{brand['id']}").json() == {"data": brand, "meta": {}}
    r = api.put(f"{BRANDS}/{brand['id']}", json={"name": "GTSE Pro", "meta_keywords": ["ties"]})
    assert r.status_code == 200 and r.json()["data"]["meta_keywords"] == ["ties"]
    assert r.json()["data"]["page_title"] == "GTSE Professional"
    assert api.delete(f"{BRANDS}/{brand['id']}").status_code == 204
    assert api.get(f"{BRANDS}/{brand['id']}").status_code == 404


def test_name_required_and_limited(api):
    r = api.post(BRANDS, json={})
    assert r.status_code == 422 and r.json()["errors"] == {"name": "Please provide a name."}
    assert api.post(BRANDS, json={"name": "x" * 256}).status_code == 422


def test_duplicate_name_is_409_case_insensitive(api):
    api.post(BRANDS, json={"name": "GTSE Pro"})
    r = api.post(BRANDS, json={"name": "gtse PRO"})
    assert r.status_code == 409
    assert r.json()["status"] == 409 and "name" in r.json()["errors"]
    other = api.post(BRANDS, json={"name": "Other"}).json()["data"]
    assert api.put(f"{BRANDS}/{other['id']}", json={"name": "GTSE PRO"}).status_code == 409


def test_list_filters(api):
    ids = {n: api.post(BRANDS, json={"name": n}).json()["data"]["id"] for n in ("Alpha", "Beta", "Alphabet")}
    names = lambda **p: [b["name"] for b in api.get(BRANDS, params=p).json()["data"]]  # noqa: E731
    assert names(name="Beta") == ["Beta"]
    assert names(**{"name:like": "alpha"}) == ["Alpha", "Alphabet"]
    assert names(**{"id:in": f"{ids['Beta']},{ids['Alpha']}"}) == ["Alpha", "Beta"]
    assert names(id=ids["Alphabet"]) == ["Alphabet"]
    r = api.get(BRANDS, params={"include_fields": "name"})
    assert r.json()["data"][0] == {"id": ids["Alpha"], "name": "Alpha"}


def test_delete_collection_needs_name(api):
    api.post(BRANDS, json={"name": "Gone"})
    assert api.delete(BRANDS).status_code == 422
    assert api.delete(BRANDS, params={"name": "Gone"}).status_code == 204
    assert api.get(BRANDS).json()["data"] == []


def test_deleting_a_brand_clears_it_on_products(api):
    brand = api.post(BRANDS, json={"name": "GTSE Pro"}).json()["data"]
    p = api.product(1, brand_id=brand["id"])
    api.delete(f"{BRANDS}/{brand['id']}")
    after = api.get(f"/v3/catalog/products/{p['id']}").json()["data"]
    assert after["brand_id"] == 0 and after["date_modified"] > p["date_modified"]
