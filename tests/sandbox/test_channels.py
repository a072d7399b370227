"""Channels and product channel assignments (FACTS §8)."""

from __future__ import annotations

ASSIGN = "/v3/catalog/products/channel-assignments"


def test_channels(api):
    r = api.get("/v3/channels")
    data = r.json()["data"]
    assert [(c["id"], c["name"], c["type"], c["platform"], c["status"]) for c in data] == [
        (1, "UK Main", "storefront", "bigcommerce", "active"),
        (2, "US Trade", "storefront", "bigcommerce", "active")]
    assert r.json()["meta"]["pagination"]["total"] == 2
    assert api.get("/v3/channels/2").json()["data"]["name"] == "US Trade"
    assert api.get("/v3/channels/2", params={"include": "currencies"}).json()["data"]["currencies"]["default_currency"] == "USD"
    r = api.get("/v3/channels/3")
    assert r.status_code == 404 and r.json()["status"] == 404


def test_assign_list_unassign(api):
    a, b = api.product(1), api.product(2)
    r = api.put(ASSIGN, json=[{"product_id": a["id"], "channel_id": 2}])
    assert r.status_code == 204 and r.content == b""
    r = api.get(ASSIGN, params={"product_id:in": a["id"]})
    assert r.json()["data"] == [{"product_id": a["id"], "channel_id": 1}, {"product_id": a["id"], "channel_id": 2}]
    assert r.json()["meta"]["pagination"]["links"]["current"] == "?limit=50&page=1"
    assert len(api.get(ASSIGN, params={"channel_id:in": "1"}).json()["data"]) == 2
    assert api.delete(ASSIGN, params={"channel_id:in": "1", "product_id:in": a["id"]}).status_code == 204
    got = api.get(f"/v3/catalog/products/{a['id']}", params={"include": "channels"}).json()["data"]
    assert got["channels"] == [2]
    assert api.get(ASSIGN).json()["data"] == [{"product_id": a["id"], "channel_id": 2},
                                              {"product_id": b["id"], "channel_id": 1}]


def test_assign_unknown_product_or_channel_is_422_and_writes_nothing(api):
    a = api.product()
    r = api.put(ASSIGN, json=[{"product_id": a["id"], "channel_id": 2}, {"product_id": 999999, "channel_id": 7}])
    assert r.status_code == 422
    assert set(r.json()["errors"]) == {"1.product_id", "1.channel_id"}
    assert len(api.get(ASSIGN).json()["data"]) == 1


def test_unassign_needs_a_filter(api):
    assert api.delete(ASSIGN).status_code == 422
