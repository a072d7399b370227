"""Price lists: CRUD, 409, the mixed offset/cursor pagination, cascading deletes (FACTS §3.2, §10.1)."""

from __future__ import annotations

import re

LISTS = "/v3/pricelists"
Z_DATE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def price_list(api, name, **fields):
    r = api.post(LISTS, json={"name": name, **fields})
    assert r.status_code == 200, r.text
    return r.json()["data"]


def test_crud_and_envelopes(api):
    r = api.post(LISTS, json={"name": "Trade GBP"})
    assert r.status_code == 200
    body = r.json()
    assert body["meta"] == {}
    pl = body["data"]
    assert list(pl) == ["id", "name", "date_created", "date_modified", "active"]
    assert pl["active"] is True and Z_DATE.match(pl["date_created"])
    assert api.get(f"{LISTS}/{pl['id']}").json() == {"data": pl, "meta": {}}
    r = api.put(f"{LISTS}/{pl['id']}", json={"name": "Trade GBP", "active": False})
    assert r.status_code == 200 and r.json()["data"]["active"] is False
    assert r.json()["data"]["date_modified"] > pl["date_modified"]
    assert price_list(api, "Off", active=False)["active"] is False
    r = api.get(f"{LISTS}/999")
    assert r.status_code == 404 and set(r.json()) == {"status", "title", "type", "instance"}
    assert api.put(f"{LISTS}/999", json={"name": "x"}).status_code == 404
    assert api.delete(f"{LISTS}/{pl['id']}").status_code == 204
    assert api.get(f"{LISTS}/{pl['id']}").status_code == 404


def test_names_are_unique_409_and_required(api):
    a = price_list(api, "Trade GBP")
    b = price_list(api, "Retail")
    r = api.post(LISTS, json={"name": "trade gbp"})
    assert r.status_code == 409 and r.json()["status"] == 409 and "name" in r.json()["errors"]
    assert api.put(f"{LISTS}/{b['id']}", json={"name": "TRADE GBP"}).status_code == 409
    assert api.put(f"{LISTS}/{a['id']}", json={"name": "Trade GBP"}).status_code == 200
    for bad in ({}, {"name": ""}, {"name": "x", "active": "yes"}, {"name": "x", "id": 3}):
        assert api.post(LISTS, json=bad).status_code == 422, bad
    r = api.put(f"{LISTS}/{a['id']}", json={"active": False})  # ⚠ name required on PUT too
    assert r.status_code == 422 and "name" in r.json()["errors"]


def test_pagination_modes(api):
    ids = [price_list(api, f"L{n}")["id"] for n in range(5)]
    meta = api.get(LISTS).json()["meta"]
    assert set(meta) == {"pagination", "cursor_pagination"}
    meta = api.get(LISTS, params={"limit": 2}).json()["meta"]
    assert set(meta) == {"pagination", "cursor_pagination"}
    assert meta["pagination"] == {"total": 5, "count": 2, "per_page": 2, "current_page": 1, "total_pages": 3}
    page = api.get(LISTS, params={"limit": 2, "page": 3}).json()
    assert set(page["meta"]) == {"pagination"} and [p["id"] for p in page["data"]] == ids[4:]
    after = meta["cursor_pagination"]["end_cursor"]
    page = api.get(LISTS, params={"limit": 2, "after": after}).json()
    assert set(page["meta"]) == {"cursor_pagination"} and [p["id"] for p in page["data"]] == ids[2:4]
    for bad in ({"before": after, "after": after}, {"page": 1, "after": after}, {"after": "!!"}):
        assert api.get(LISTS, params=bad).status_code == 422, bad
    assert api.get(LISTS, params={"limit": 1000}).json()["meta"]["cursor_pagination"]["per_page"] == 250


def test_filters(api):
    a, b = price_list(api, "Trade GBP"), price_list(api, "Retail USD")
    assert [p["name"] for p in api.get(LISTS, params={"id:in": f"{b['id']}"}).json()["data"]] == ["Retail USD"]
    assert [p["name"] for p in api.get(LISTS, params={"name": "Trade GBP"}).json()["data"]] == ["Trade GBP"]
    assert [p["name"] for p in api.get(LISTS, params={"name:like": "usd"}).json()["data"]] == ["Retail USD"]
    assert len(api.get(LISTS, params={"date_created:min": a["date_created"]}).json()["data"]) == 2
    assert api.get(LISTS, params={"date_modified:max": "2001-01-01T00:00:00Z"}).json()["data"] == []


def test_delete_cascades_to_records_assignments_and_group_rules(api):
    p = api.product()
    pl = price_list(api, "Trade GBP")
    other = price_list(api, "Keep")
    api.put(f"{LISTS}/{pl['id']}/records", json=[{"variant_id": p["base_variant_id"], "currency": "gbp", "price": 1}])
    api.put(f"{LISTS}/{other['id']}/records", json=[{"variant_id": p["base_variant_id"], "currency": "gbp", "price": 2}])
    g = api.post("/v2/customer_groups", json={"name": "Trade", "discount_rules": [
        {"type": "price_list", "price_list_id": pl["id"]}]}).json()
    api.post(f"{LISTS}/assignments", json=[{"price_list_id": pl["id"], "channel_id": 1},
                                           {"price_list_id": other["id"], "channel_id": 2}])
    r = api.delete(f"{LISTS}/{pl['id']}")
    assert r.status_code == 204
    assert api.get(f"{LISTS}/{pl['id']}/records").status_code == 404
    assert [a["price_list_id"] for a in api.get(f"{LISTS}/assignments").json()["data"]] == [other["id"]]
    assert api.get(f"/v2/customer_groups/{g['id']}").json()["discount_rules"] == []
    assert len(api.get(f"{LISTS}/{other['id']}/records").json()["data"]) == 1


def test_bulk_delete_needs_a_filter(api):
    price_list(api, "A")
    price_list(api, "B")
    r = api.delete(LISTS)
    assert r.status_code == 422 and r.json()["status"] == 422
    assert api.delete(LISTS, params={"name": "A"}).status_code == 204
    assert [p["name"] for p in api.get(LISTS).json()["data"]] == ["B"]
    assert api.delete(LISTS, params={"colour": "red"}).status_code == 422
