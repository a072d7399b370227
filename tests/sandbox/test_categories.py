"""Category trees and categories (FACTS §7.2)."""

from __future__ import annotations

CATS = "/v3/catalog/trees/categories"


def create(api, *items):
    r = api.post(CATS, json=list(items))
    assert r.status_code == 201, r.text
    return r.json()["data"]


def test_trees(api):
    r = api.get("/v3/catalog/trees")
    assert r.status_code == 200
    assert r.json()["data"] == [{"id": 1, "name": "UK Main", "channels": [1]},
                                {"id": 2, "name": "US Trade", "channels": [2]}]
    assert api.get("/v3/catalog/trees", params={"channel_id:in": "2"}).json()["data"][0]["id"] == 2


def test_create_root_and_child_with_paths(api):
    r = api.post(CATS, json=[{"name": "Cable Ties", "tree_id": 1}])
    assert r.status_code == 201
    assert r.json()["meta"] == {"total": 1, "success": 1, "failed": 0}
    [root] = r.json()["data"]
    assert root["parent_id"] == 0 and root["tree_id"] == 1 and root["is_visible"] is True
    assert root["url"] == {"path": "/cable-ties/", "is_customized": False}
    assert set(root) == {"category_id", "category_uuid", "parent_id", "tree_id", "name",
                         "description", "views", "sort_order", "page_title", "meta_keywords",
                         "meta_description", "layout_file", "image_url", "is_visible",
                         "search_keywords", "default_product_sort", "url"}
    [child] = create(api, {"name": "Nylon", "parent_id": root["category_id"], "description": "<p>x</p>"})
    assert child["tree_id"] == 1 and child["url"]["path"] == "/cable-ties/nylon/"
    r = api.get(CATS, params={"parent_id:in": root["category_id"]})
    assert [c["name"] for c in r.json()["data"]] == ["Nylon"]
    assert r.json()["meta"]["pagination"]["links"]["current"] == "?limit=50&page=1"


def test_same_name_allowed_in_other_tree_or_parent(api):
    [a] = create(api, {"name": "Ties", "tree_id": 1})
    create(api, {"name": "Ties", "tree_id": 2}, {"name": "Ties", "parent_id": a["category_id"]})


def test_whole_batch_invalid_is_422_in_trees_shape(api):
    create(api, {"name": "Ties", "tree_id": 1})
    r = api.post(CATS, json=[{"name": "ties", "tree_id": 1}, {"tree_id": 1}, {"name": "X"}])
    assert r.status_code == 422
    body = r.json()
    assert body["meta"] == {"total": 3, "success": 0, "failed": 3}
    assert body["errors"]["status"] == 422 and set(body["errors"]["errors"]) == {"0", "1", "2"}
    assert "name" in body["errors"]["errors"]["1"]


def test_partial_batch_is_207(api):
    r = api.post(CATS, json=[{"name": "Good", "tree_id": 1}, {"name": "Bad", "parent_id": 99999}])
    assert r.status_code == 207
    body = r.json()
    assert [c["name"] for c in body["data"]] == ["Good"]
    assert body["meta"] == {"total": 2, "success": 1, "failed": 1}
    assert list(body["errors"]["errors"]) == ["1"]


def test_update_returns_only_meta(api):
    [a, b] = create(api, {"name": "A", "tree_id": 1}, {"name": "B", "tree_id": 1})
    r = api.put(CATS, json=[{"category_id": a["category_id"], "name": "A2", "is_visible": False}])
    assert r.status_code == 200 and r.json() == {"meta": {"total": 1, "success": 1, "failed": 0}}
    got = api.get(CATS, params={"category_id:in": a["category_id"]}).json()["data"][0]
    assert got["name"] == "A2" and got["is_visible"] is False
    r = api.put(CATS, json=[{"category_id": b["category_id"], "parent_id": a["category_id"]},
                            {"category_id": 99999, "name": "nope"}])
    assert r.status_code == 207 and r.json()["meta"]["failed"] == 1
    assert api.put(CATS, json=[{"name": "no id"}]).status_code == 422


def test_delete_cascades_and_refuses_categories_with_products(api):
    [root] = create(api, {"name": "Root", "tree_id": 1})
    [child] = create(api, {"name": "Child", "parent_id": root["category_id"]})
    assert api.delete(CATS).status_code == 422
    p = api.product(1, categories=[child["category_id"]])
    r = api.delete(CATS, params={"category_id:in": root["category_id"]})
    assert r.status_code == 422 and str(child["category_id"]) in r.json()["errors"]["errors"]
    api.put(f"/v3/catalog/products/{p['id']}", json={"categories": []})
    r = api.delete(CATS, params={"category_id:in": root["category_id"]})
    assert r.status_code == 202 and r.json() == {"meta": {"total": 2, "success": 2, "failed": 0}}
    assert api.get(CATS).json()["data"] == []


def test_include_fields_keeps_category_id(api):
    create(api, {"name": "A", "tree_id": 1})
    data = api.get(CATS, params={"include_fields": "name"}).json()["data"]
    assert list(data[0]) == ["category_id", "name"]


def test_products_filter_by_categories(api):
    [a, b] = create(api, {"name": "A", "tree_id": 1}, {"name": "B", "tree_id": 1})
    one = api.product(1, categories=[a["category_id"]])
    both = api.product(2, categories=[a["category_id"], b["category_id"]])
    r = api.get("/v3/catalog/products", params={"categories:in": f"{a['category_id']},{b['category_id']}"})
    assert [p["id"] for p in r.json()["data"]] == [both["id"]]
    r = api.get("/v3/catalog/products", params={"categories": a["category_id"]})
    assert [p["id"] for p in r.json()["data"]] == [one["id"]]
