"""Webhooks ``/v3/hooks``: shapes, the https/443 rule, limits, 404s, filters, seeds (FACTS §12)."""

from __future__ import annotations

import pytest
import requests

HOOKS = "/v3/hooks"
DEST = "https://drift.example.com/bc"
FIELDS = {"id", "client_id", "store_hash", "scope", "destination", "is_active", "headers",
          "created_at", "updated_at"}
TYPE = "/api-docs/getting-started/api-status-codes"


def hook(api, scope="store/product/updated", destination=DEST, **fields):
    r = api.post(HOOKS, json={"scope": scope, "destination": destination, **fields})
    assert r.status_code == 200, r.text
    return r.json()["data"]


def test_create_answers_the_full_hook_in_the_envelope(api, sandbox):
    r = api.post(HOOKS, json={"scope": "store/product/updated", "destination": DEST})
    assert r.status_code == 200
    body = r.json()
    assert body["meta"] == {} and set(body["data"]) == FIELDS
    h = body["data"]
    assert h["store_hash"] == sandbox.store_hash and h["scope"] == "store/product/updated"
    assert h["destination"] == DEST and h["is_active"] is True and h["headers"] is None
    assert isinstance(h["created_at"], int) and h["created_at"] == h["updated_at"]
    assert isinstance(h["id"], int) and h["client_id"] and sandbox.token not in h["client_id"]
    assert api.get(f"{HOOKS}/{h['id']}").json() == {"data": h, "meta": {}}
    off = hook(api, "store/sku/created", is_active=False, headers={"X-Drift-Secret": "s3cret"})
    assert off["is_active"] is False and off["headers"] == {"X-Drift-Secret": "s3cret"}


@pytest.mark.parametrize("destination, message", [
    ("http://drift.example.com/bc", "https"),
    ("https://drift.example.com:8443/bc", "port 443"),
    ("drift.example.com/bc", "https"),
])
def test_destination_must_be_https_on_443(api, destination, message):
    r = api.post(HOOKS, json={"scope": "store/product/updated", "destination": destination})
    assert r.status_code == 422
    body = r.json()
    assert {k: body[k] for k in ("status", "title", "type")} == {
        "status": 422, "title": "JSON data is missing or invalid", "type": TYPE}
    assert list(body["errors"]) == ["destination"] and message in body["errors"]["destination"]
    assert hook(api, destination="https://drift.example.com:443/bc")["destination"].endswith(":443/bc")


def test_missing_fields_and_bad_values_are_one_422(api):
    r = api.post(HOOKS, json={"scope": "store/product/updated"})
    assert r.status_code == 422 and r.json()["errors"] == {"destination": "error.path.missing."}
    r = api.post(HOOKS, json={})
    assert r.json()["errors"] == {"scope": "error.path.missing.", "destination": "error.path.missing."}
    r = api.post(HOOKS, json={"scope": "store/product/renamed", "destination": DEST,
                              "is_active": "yes", "headers": {"X-A": 1}, "id": 5})
    assert r.status_code == 422 and set(r.json()["errors"]) == {"scope", "is_active", "headers.X-A", "id"}
    # d:ev writes some scopes with a trailing slash; only the plain form is a scope
    assert api.post(HOOKS, json={"scope": "store/priceList/updated/", "destination": DEST}).status_code == 422
    assert api.get(HOOKS).json()["data"] == []


def test_one_hook_per_scope_and_destination_and_ten_per_scope(api):
    first = hook(api)
    r = api.post(HOOKS, json={"scope": "store/product/updated", "destination": DEST, "is_active": False})
    assert r.status_code == 422 and str(first["id"]) in r.json()["errors"]["destination"]
    assert hook(api, "store/product/created")["destination"] == DEST  # same destination, other scope
    for n in range(9):
        hook(api, destination=f"https://r{n}.example.com/bc", is_active=n % 2 == 0)
    r = api.post(HOOKS, json={"scope": "store/product/updated", "destination": "https://r10.example.com/"})
    assert r.status_code == 422 and "10" in r.json()["errors"]["scope"]  # inactive ones count
    assert api.delete(f"{HOOKS}/{first['id']}").status_code == 200
    hook(api, destination="https://r10.example.com/")


def test_put_needs_a_field_and_keeps_the_rules(api):
    a = hook(api)
    b = hook(api, destination="https://other.example.com/bc")
    r = api.put(f"{HOOKS}/{a['id']}", json={})
    assert r.status_code == 422 and r.json()["title"] == "JSON data is missing or invalid"
    r = api.put(f"{HOOKS}/{a['id']}", json={"is_active": False, "headers": {"X-K": "v"}})
    assert r.status_code == 200
    h = r.json()["data"]
    assert h["is_active"] is False and h["headers"] == {"X-K": "v"} and h["updated_at"] >= a["updated_at"]
    assert {k: h[k] for k in ("id", "scope", "destination", "created_at")} == {
        k: a[k] for k in ("id", "scope", "destination", "created_at")}
    assert api.put(f"{HOOKS}/{a['id']}", json={"headers": None}).json()["data"]["headers"] is None
    assert api.put(f"{HOOKS}/{b['id']}", json={"destination": DEST}).status_code == 422  # a's pair
    assert api.put(f"{HOOKS}/{b['id']}", json={"destination": "http://x.example.com"}).status_code == 422
    assert api.put(f"{HOOKS}/{b['id']}", json={"client_id": "other"}).status_code == 422


def test_delete_returns_the_hook_and_unknown_ids_are_404(api):
    h = hook(api)
    r = api.delete(f"{HOOKS}/{h['id']}")
    assert r.status_code == 200 and r.json() == {"data": h, "meta": {}}
    for method, kw in (("GET", {}), ("PUT", {"json": {"is_active": True}}), ("DELETE", {})):
        r = api.request(method, f"{HOOKS}/{h['id']}", **kw)
        assert r.status_code == 404, method
        assert r.json() == {"status": 404, "title": f"Webhook with id [{h['id']}] not found", "type": TYPE}
    assert api.get(HOOKS).json()["data"] == []


def test_list_filters_and_pagination(api):
    made = [hook(api, scope, destination=dest, is_active=active) for scope, dest, active in (
        ("store/product/created", DEST, True), ("store/product/updated", DEST, False),
        ("store/sku/created", DEST, True), ("store/sku/created", "https://b.example.com/", True))]
    ids = [h["id"] for h in made]

    def listed(**params):
        r = api.get(HOOKS, params=params)
        assert r.status_code == 200, r.text
        return [h["id"] for h in r.json()["data"]]

    assert listed() == ids
    assert listed(is_active="false") == [ids[1]]
    assert listed(is_active="true", scope="store/sku/created") == ids[2:]
    assert listed(destination="https://b.example.com/") == [ids[3]]
    page = api.get(HOOKS, params={"limit": 3, "page": 2}).json()
    assert [h["id"] for h in page["data"]] == ids[3:]
    assert {k: page["meta"]["pagination"][k] for k in ("total", "count", "per_page", "current_page",
                                                       "total_pages")} == {
        "total": 4, "count": 1, "per_page": 3, "current_page": 2, "total_pages": 2}
    assert api.get(HOOKS, params={"is_active": "maybe"}).status_code == 422
    assert api.get(HOOKS, params={"channel_id": 1}).status_code == 422


def test_only_this_clients_hooks_are_seen(api, sandbox):
    sandbox.reset(data={"hooks": [
        {"scope": "store/product/updated", "destination": DEST, "headers": {"X-K": "v"}},
        {"scope": "store/product/updated", "destination": DEST, "client_id": "another-app"}]})
    mine, theirs = sandbox.state.all("hook")
    assert [h["id"] for h in api.get(HOOKS).json()["data"]] == [mine["id"]]
    assert api.get(f"{HOOKS}/{theirs['id']}").status_code == 404
    assert api.delete(f"{HOOKS}/{theirs['id']}").status_code == 404


def test_seed_dump_round_trip_and_bad_seeds(sandbox):
    seed = {"hooks": [{"scope": "store/sku/updated", "destination": DEST, "is_active": False,
                       "headers": {"X-K": "v"}},
                      {"scope": "store/product/updated", "destination": DEST, "is_active": True}]}
    sandbox.reset(data=seed)
    dump = sandbox.dump()
    assert dump["hooks"] == seed["hooks"]
    assert requests.get(f"{sandbox.url}/__sandbox/dump", timeout=5).json()["hooks"] == seed["hooks"]
    sandbox.reset(data=dump)
    assert sandbox.dump() == dump
    with pytest.raises(ValueError, match="destination"):
        sandbox.reset(data={"hooks": [{"scope": "store/sku/updated", "destination": "http://x.example.com"}]})


def test_401_is_the_webhooks_json_shape(sandbox):
    r = requests.get(f"{sandbox.api_base}{HOOKS}", headers={"X-Auth-Token": "wrong"}, timeout=5)
    assert r.status_code == 401 and r.json()["title"].startswith("Unauthorized - the v3 Auth client ID")
