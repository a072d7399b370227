"""Price list assignments: POST/GET/DELETE, the upsert PUT and their 422s (FACTS §10.3)."""

from __future__ import annotations

ASSIGN = "/v3/pricelists/assignments"
ERROR_TYPE = "/api-docs/getting-started/api-status-codes"


def setup(api):
    lists = [api.post("/v3/pricelists", json={"name": n}).json()["data"]["id"] for n in ("Trade GBP", "Trade USD")]
    groups = [api.post("/v2/customer_groups", json={"name": n}).json()["id"] for n in ("Trade", "Installers")]
    return lists, groups


def test_post_get_filter_delete(api):
    (pl1, pl2), (g1, g2) = setup(api)
    r = api.post(ASSIGN, json=[{"price_list_id": pl1, "customer_group_id": g1, "channel_id": 1},
                               {"price_list_id": pl1, "customer_group_id": g2},
                               {"price_list_id": pl2, "channel_id": 2}])
    assert r.status_code == 200 and r.content == b""
    body = api.get(ASSIGN).json()
    assert body["data"] == [
        {"id": 1, "price_list_id": pl1, "customer_group_id": g1, "channel_id": 1},
        {"id": 2, "price_list_id": pl1, "customer_group_id": g2, "channel_id": None},
        {"id": 3, "price_list_id": pl2, "customer_group_id": None, "channel_id": 2}]
    assert set(body["meta"]) == {"pagination", "cursor_pagination"}
    assert [a["id"] for a in api.get(ASSIGN, params={"price_list_id": pl1}).json()["data"]] == [1, 2]
    assert [a["id"] for a in api.get(ASSIGN, params={"channel_id:in": "1,2"}).json()["data"]] == [1, 3]
    assert [a["id"] for a in api.get(ASSIGN, params={"customer_group_id": g2}).json()["data"]] == [2]
    assert [a["id"] for a in api.get(ASSIGN, params={"id:in": "1,3", "limit": 1, "page": 2}).json()["data"]] == [3]
    first = api.get(ASSIGN, params={"limit": 2}).json()["meta"]["cursor_pagination"]
    assert [a["id"] for a in api.get(ASSIGN, params={"after": first["end_cursor"]}).json()["data"]] == [3]
    r = api.delete(ASSIGN)
    assert r.status_code == 422 and r.json()["status"] == 422
    assert api.delete(ASSIGN, params={"price_list_id": pl2}).status_code == 204
    assert api.delete(ASSIGN, params={"channel_id:in": "1"}).status_code == 204
    assert [a["id"] for a in api.get(ASSIGN).json()["data"]] == [2]
    assert api.delete(ASSIGN, params={"customer_group_id:in": "1"}).status_code == 422  # not a DELETE filter


def test_post_422s_save_nothing(api):
    (pl1, pl2), (g1, _) = setup(api)
    r = api.post(ASSIGN, json=[{"price_list_id": pl1, "customer_group_id": g1},
                               {"price_list_id": pl1, "customer_group_id": 999},
                               {"price_list_id": pl1, "channel_id": 99},
                               {"price_list_id": 999, "channel_id": 1},
                               {"customer_group_id": g1},
                               {"price_list_id": pl1}])
    assert r.status_code == 422
    body = r.json()
    assert set(body) == {"status", "title", "type", "errors", "meta"} and body["type"] == ERROR_TYPE
    assert body["meta"] == {"saved_records": 0}
    assert sorted(body["errors"]) == ["1.customer_group_id", "2.channel_id", "3.price_list_id",
                                      "4.price_list_id", "5.customer_group_id"]
    assert api.get(ASSIGN).json()["data"] == []
    # duplicates: in one request, and against the store (one list per group/channel scope)
    r = api.post(ASSIGN, json=[{"price_list_id": pl1, "customer_group_id": g1, "channel_id": 1}] * 2)
    assert r.status_code == 422 and list(r.json()["errors"]) == ["1.price_list_id"]
    api.post(ASSIGN, json=[{"price_list_id": pl1, "customer_group_id": g1, "channel_id": 1}])
    for plid in (pl1, pl2):
        r = api.post(ASSIGN, json=[{"price_list_id": plid, "customer_group_id": g1, "channel_id": 1}])
        assert r.status_code == 422 and "already exists" in r.json()["errors"]["0.price_list_id"]
    r = api.post(ASSIGN, json=[{"price_list_id": pl1, "channel_id": 1}] * 26)
    assert r.status_code == 413 and "is 25." in r.json()["title"]


def test_group_with_discounts_cannot_get_a_price_list(api):
    (pl1, _), (g1, g2) = setup(api)
    api.put(f"/v2/customer_groups/{g1}", json={"discount_rules": [{"type": "all", "method": "percent", "amount": "5"}]})
    r = api.post(ASSIGN, json=[{"price_list_id": pl1, "customer_group_id": g1}])
    assert r.status_code == 422 and "discounts" in r.json()["errors"]["0.customer_group_id"]
    assert api.put(f"/v3/pricelists/{pl1}/assignments", json={"customer_group_id": g1, "channel_id": 1}).status_code == 422
    # ... and the other way round: no discounts on a group that has assignments
    api.post(ASSIGN, json=[{"price_list_id": pl1, "customer_group_id": g2}])
    r = api.put(f"/v2/customer_groups/{g2}", json={"discount_rules": [{"type": "all", "method": "percent", "amount": "5"}]})
    assert r.status_code == 422 and "errors" in r.json()


def test_put_upserts_one_assignment(api):
    (pl1, pl2), (g1, _) = setup(api)
    r = api.put(f"/v3/pricelists/{pl1}/assignments", json={"customer_group_id": g1, "channel_id": 1})
    assert r.status_code == 200
    assert r.json() == {"data": {"id": 1, "price_list_id": pl1, "customer_group_id": g1, "channel_id": 1}, "meta": {}}
    r = api.put(f"/v3/pricelists/{pl2}/assignments", json={"customer_group_id": g1, "channel_id": 1})
    assert r.json()["data"] == {"id": 1, "price_list_id": pl2, "customer_group_id": g1, "channel_id": 1}
    assert len(api.get(ASSIGN).json()["data"]) == 1
    assert api.put(f"/v3/pricelists/{pl1}/assignments", json={"customer_group_id": 999, "channel_id": 1}).status_code == 404
    assert api.put(f"/v3/pricelists/{pl1}/assignments", json={"customer_group_id": g1, "channel_id": 9}).status_code == 404
    assert api.put("/v3/pricelists/999/assignments", json={"customer_group_id": g1, "channel_id": 1}).status_code == 404
    r = api.put(f"/v3/pricelists/{pl1}/assignments", json={"customer_group_id": g1})
    assert r.status_code == 422 and "channel_id" in r.json()["errors"]
