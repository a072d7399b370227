"""Control routes, seeding and persistence."""

from __future__ import annotations

import concurrent.futures

import pytest
import requests

from reconciler.sandbox.seeds import load_seed
from reconciler.sandbox.store import SandboxServer

SEED = {
    "brands": [{"name": "GTSE Pro", "page_title": "GTSE Professional"}],
    "categories": [{"path": "Cable Ties"}, {"path": "Cable Ties/Nylon", "description": "Nylon ties"},
                   {"path": "Cable Ties", "tree_id": 2}],
    "products": [{"sku": "CT-BLK100", "name": "Black Tie 100", "type": "physical", "price": 12.5,
                  "weight": 0.2, "brand": "GTSE Pro", "categories": ["Cable Ties/Nylon"],
                  "inventory_level": 500, "channels": [1, 2]}],
}


def control(sandbox, method, name, body=None):
    r = requests.request(method, f"{sandbox.url}/__sandbox/{name}", json=body, timeout=5)
    assert r.status_code == 200, r.text
    return r.json()


def test_stats_and_request_log(api, sandbox):
    api.get("/v3/catalog/products")
    api.get("/v3/catalog/products/123")
    api.put("/v3/catalog/products", json=[{"id": 1}, {"id": 2}])
    stats = control(sandbox, "GET", "stats")
    assert stats == sandbox.stats()
    assert stats["requests"] == {"GET /v3/catalog/products": 1, "GET /v3/catalog/products/{id}": 1,
                                 "PUT /v3/catalog/products": 1}
    assert stats["responses"] == {"200": 1, "404": 2}
    assert stats["total"] == 3 and stats["rate_limited"] == 0 and stats["max_concurrency"] == 1
    log = control(sandbox, "GET", "requests")
    assert log == sandbox.requests()
    assert [(e["method"], e["path"], e["status"], e["items"]) for e in log] == [
        ("GET", "/v3/catalog/products", 200, None), ("GET", "/v3/catalog/products/123", 404, None),
        ("PUT", "/v3/catalog/products", 404, 2)]
    assert all("sandbox-token" not in str(e) for e in log)


def test_max_concurrency(api, sandbox):
    sandbox.configure(latency_ms=200)
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda _: requests.get(sandbox.api_base + "/v3/channels",
                                             headers={"X-Auth-Token": sandbox.token}, timeout=5), range(4)))
    assert sandbox.stats()["max_concurrency"] >= 2


def test_reset_over_http_with_data_and_seed_adds(api, sandbox):
    api.product(1)
    control(sandbox, "POST", "reset", {"data": SEED})
    assert sandbox.stats()["total"] == 0 and sandbox.requests() == []
    [p] = api.get("/v3/catalog/products", params={"include": "channels"}).json()["data"]
    brand = api.get("/v3/catalog/brands").json()["data"][0]
    cats = api.get("/v3/catalog/trees/categories").json()["data"]
    nylon = next(c for c in cats if c["name"] == "Nylon")
    assert p["brand_id"] == brand["id"] and p["categories"] == [nylon["category_id"]]
    assert p["channels"] == [1, 2] and p["inventory_level"] == 500
    assert nylon["url"]["path"] == "/cable-ties/nylon/" and nylon["description"] == "Nylon ties"
    assert sorted(c["tree_id"] for c in cats if c["name"] == "Cable Ties") == [1, 2]
    control(sandbox, "POST", "seed", {"data": {"brands": [{"name": "Second"}]}})
    assert len(api.get("/v3/catalog/brands").json()["data"]) == 2
    control(sandbox, "POST", "reset", {"seed": "empty"})
    assert api.get("/v3/catalog/brands").json()["data"] == []


def test_reset_is_deterministic(api, sandbox):
    sandbox.reset(data=SEED)
    first = api.get("/v3/catalog/products").json()["data"][0]
    sandbox.reset(data=SEED)
    again = api.get("/v3/catalog/products").json()["data"][0]
    assert first["id"] == again["id"] and first["base_variant_id"] == again["base_variant_id"]


def test_config_over_http(api, sandbox):
    control(sandbox, "POST", "config", {"quota": 1, "window_ms": 30000})
    assert api.get("/v3/channels").status_code == 200
    assert api.get("/v3/channels").status_code == 429


def test_bad_control_requests(sandbox):
    assert requests.post(f"{sandbox.url}/__sandbox/reset", json={"seed": "no-such-seed"}, timeout=5).status_code == 400
    assert requests.post(f"{sandbox.url}/__sandbox/seed", json={}, timeout=5).status_code == 400
    assert requests.get(f"{sandbox.url}/__sandbox/nope", timeout=5).status_code == 404


def test_bad_seed_reference_is_an_error():
    with pytest.raises(ValueError):
        SandboxServer(seed={"products": [{"name": "x", "brand": "Missing"}]})
    assert load_seed("empty") == {} and load_seed(None) == {}


def test_db_file_persists_across_restart(tmp_path):
    db = str(tmp_path / "store.sqlite")
    with SandboxServer(db=db, seed=SEED) as srv:
        headers = {"X-Auth-Token": srv.token}
        r = requests.post(srv.api_base + "/v3/catalog/brands", json={"name": "Made Over HTTP"},
                          headers=headers, timeout=5)
        assert r.status_code == 200
        before = requests.get(srv.api_base + "/v3/catalog/products", headers=headers, timeout=5).json()["data"]
    # Restarting with a seed does not reseed an initialised file.
    with SandboxServer(db=db, seed={"brands": [{"name": "Not Applied"}]}) as srv:
        headers = {"X-Auth-Token": srv.token}
        names = [b["name"] for b in requests.get(srv.api_base + "/v3/catalog/brands", headers=headers, timeout=5).json()["data"]]
        assert names == ["GTSE Pro", "Made Over HTTP"]
        after = requests.get(srv.api_base + "/v3/catalog/products", headers=headers, timeout=5).json()["data"]
        assert after == before
        r = requests.post(srv.api_base + "/v3/catalog/brands", json={"name": "Third"}, headers=headers, timeout=5)
        ids = [b["id"] for b in requests.get(srv.api_base + "/v3/catalog/brands", headers=headers, timeout=5).json()["data"]]
        assert r.json()["data"]["id"] == max(ids) and len(set(ids)) == 3  # the id sequence persisted too
        srv.reset()
        assert requests.get(srv.api_base + "/v3/catalog/brands", headers=headers, timeout=5).json()["data"] == []


def test_queued_faults(api, sandbox):
    control(sandbox, "POST", "faults", {"status": 500, "method": "PUT", "route": "/v3/catalog/products"})
    sandbox.fault(429, count=2)
    r = api.get("/v3/channels")
    assert r.status_code == 429 and r.headers["X-Retry-After"] == "1"
    assert r.headers["X-Rate-Limit-Requests-Left"] == "0"
    assert api.get("/v3/channels").status_code == 429
    assert api.get("/v3/channels").status_code == 200
    p = api.product()
    r = api.put("/v3/catalog/products", json=[{"id": p["id"], "price": 1}])
    assert r.status_code == 500 and r.json()["status"] == 500
    assert api.get(f"/v3/catalog/products/{p['id']}").json()["data"]["price"] == 12.5
    assert api.put("/v3/catalog/products", json=[{"id": p["id"], "price": 1}]).status_code == 200
    assert requests.post(f"{sandbox.url}/__sandbox/faults", json={"status": 404}, timeout=5).status_code == 400


def test_seed_category_paths_prefer_tree_1(api, sandbox):
    sandbox.reset(data={"categories": [{"path": "Ties", "tree_id": 2}, {"path": "Ties"}],
                        "products": [{"name": "P", "type": "physical", "price": 1, "weight": 1,
                                      "categories": ["Ties"]}]})
    cats = {c["category_id"]: c["tree_id"] for c in api.get("/v3/catalog/trees/categories").json()["data"]}
    [p] = api.get("/v3/catalog/products").json()["data"]
    assert cats[p["categories"][0]] == 1


def test_stats_name_sub_resource_routes_with_placeholders(api, sandbox):
    p = api.product()
    api.post(f"/v3/catalog/products/{p['id']}/options", json={
        "display_name": "Width", "type": "rectangles", "option_values": [{"label": "a", "sort_order": 0}]})
    opt = api.get(f"/v3/catalog/products/{p['id']}/options").json()["data"][0]
    api.get(f"/v3/catalog/products/{p['id']}/options/{opt['id']}/values/{opt['option_values'][0]['id']}")
    api.post(f"/v3/catalog/products/{p['id']}/variants", json={"sku": "V", "option_values": [
        {"id": opt["option_values"][0]["id"], "option_id": opt["id"]}]})
    api.put("/v3/catalog/variants", json=[{"id": 1}])
    api.get(f"/v3/catalog/products/{p['id']}/custom-fields")
    assert set(sandbox.stats()["requests"]) == {
        "POST /v3/catalog/products", "POST /v3/catalog/products/{id}/options",
        "GET /v3/catalog/products/{id}/options",
        "GET /v3/catalog/products/{id}/options/{option_id}/values/{value_id}",
        "POST /v3/catalog/products/{id}/variants", "PUT /v3/catalog/variants",
        "GET /v3/catalog/products/{id}/custom-fields"}
    assert [e["items"] for e in sandbox.requests() if e["path"] == "/v3/catalog/variants"] == [1]
