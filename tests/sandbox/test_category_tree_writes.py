"""Category trees written over HTTP (FACTS §7.2; specs/catalog__category-trees_catalog.v3.yml
``PUT /trees`` upsertCategoryTrees, ``DELETE /trees`` deleteCategoryTrees)."""

from __future__ import annotations

TREES = "/v3/catalog/trees"
CATS = "/v3/catalog/trees/categories"


def test_a_tree_is_renamed_by_id_and_channels_must_be_absent_on_update(api):
    r = api.put(TREES, json=[{"id": 2, "name": "US Wholesale"}])
    assert r.status_code == 200, r.text
    assert r.json() == {"data": [{"id": 2, "name": "US Wholesale", "channels": [2]}],
                        "meta": {"total": 1, "success": 1, "failed": 0}}
    assert api.get(TREES, params={"id:in": "2"}).json()["data"][0]["name"] == "US Wholesale"
    assert api.put(TREES, json=[{"id": 2, "channels": [1]}]).status_code == 422
    assert api.put(TREES, json=[{"id": 99, "name": "x"}]).status_code == 422


def test_a_tree_is_deleted_with_its_categories_and_one_is_created_for_the_free_channel(api):
    [cat] = api.post(CATS, json=[{"name": "Cables/Adapters", "tree_id": 2}]).json()["data"]
    assert api.delete(TREES).status_code == 422                       # "A filter must be supplied"
    assert api.delete(TREES, params={"id:in": "2"}).status_code == 204
    assert [t["id"] for t in api.get(TREES).json()["data"]] == [1]
    assert api.get(CATS, params={"category_id:in": cat["category_id"]}).json()["data"] == []
    r = api.put(TREES, json=[{"name": "US Trade again", "channels": [2]}])
    assert r.status_code == 200, r.text
    [tree] = r.json()["data"]
    assert tree["id"] not in (1, 2) and tree["channels"] == [2]
    [again] = api.post(CATS, json=[{"name": "Cables/Adapters", "tree_id": tree["id"]}]).json()["data"]
    assert again["tree_id"] == tree["id"] and again["name"] == "Cables/Adapters"


def test_a_new_tree_needs_a_name_and_one_channel_without_a_tree(api):
    assert api.put(TREES, json=[{"name": "Second UK", "channels": [1]}]).status_code == 422   # one tree per channel
    assert api.put(TREES, json=[{"name": "Nowhere", "channels": [77]}]).status_code == 422
    assert api.put(TREES, json=[{"channels": [2]}]).status_code == 422
    assert api.put(TREES, json=[{"name": "Two", "channels": [1, 2]}]).status_code == 422


def test_more_than_50_trees_a_request_is_413(api):
    r = api.put(TREES, json=[{"id": 1, "name": f"T{i}"} for i in range(51)])
    assert r.status_code == 413
    assert "maximum trees allowed in the array is 50" in r.json()["title"]
