"""Envelopes, pagination, query parsing and the shape of errors (FACTS §1, §2.1, §3.1)."""

from __future__ import annotations

import requests

ERROR_TYPE = "/api-docs/getting-started/api-status-codes"


def test_single_object_envelope(api):
    p = api.product()
    r = api.get(f"/v3/catalog/products/{p['id']}")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/json"
    assert r.json() == {"data": {k: v for k, v in p.items() if k not in ("custom_fields", "variants")},
                        "meta": {}}
    # The POST answer is the product with include=custom_fields,variants.
    r = api.get(f"/v3/catalog/products/{p['id']}", params={"include": "custom_fields,variants"})
    assert r.json() == {"data": p, "meta": {}}


def test_seven_products_in_pages_of_three(api):
    for n in range(7):
        api.product(n)
    pages = [api.get("/v3/catalog/products", params={"limit": 3, "page": n}).json() for n in (1, 2, 3)]
    assert [len(p["data"]) for p in pages] == [3, 3, 1]
    first, middle, last = (p["meta"]["pagination"] for p in pages)
    assert first == {"total": 7, "count": 3, "per_page": 3, "current_page": 1, "total_pages": 3,
                     "links": {"current": "?page=1&limit=3", "next": "?page=2&limit=3"}}
    assert middle["links"] == {"previous": "?page=1&limit=3", "current": "?page=2&limit=3",
                               "next": "?page=3&limit=3"}
    assert last["links"] == {"previous": "?page=2&limit=3", "current": "?page=3&limit=3"}
    assert last["count"] == 1
    ids = [p["id"] for page in pages for p in page["data"]]
    assert ids == sorted(ids) and len(set(ids)) == 7


def test_default_limit_is_50(api):
    meta = api.get("/v3/catalog/products").json()["meta"]["pagination"]
    assert meta["per_page"] == 50 and meta["total"] == 0 and meta["links"] == {"current": "?page=1&limit=50"}


def test_limit_over_250_is_413(api):
    r = api.get("/v3/catalog/products", params={"limit": 251})
    assert r.status_code == 413
    assert r.json()["status"] == 413 and r.json()["type"] == ERROR_TYPE
    assert api.get("/v3/catalog/products", params={"limit": 250}).status_code == 200


def test_non_integer_limit_is_422_like_channels_example(api):
    r = api.get("/v3/catalog/brands", params={"limit": "a"})
    assert r.status_code == 422
    assert r.json() == {"status": 422, "title": 'Query parameter "limit" value must be integer. For input string: "a".',
                        "type": ERROR_TYPE, "errors": {}}
    assert api.get("/v3/catalog/products", params={"page": "x"}).status_code == 422


def test_unknown_query_parameter_is_refused(api):
    r = api.get("/v3/catalog/products", params={"colour": "red"})
    assert r.status_code == 422
    assert "colour" in r.json()["title"]


def test_body_must_be_json_of_the_expected_kind(api):
    r = api.post("/v3/catalog/products", data="{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 422 and r.json()["title"] == "JSON data is missing or invalid"
    r = api.post("/v3/catalog/products", json=[{"name": "x"}])
    assert r.status_code == 422 and r.json()["title"] == "JSON data is missing or invalid"
    r = api.put("/v3/catalog/products", json={"id": 1})
    assert r.status_code == 422


def test_unknown_route_is_bigcommerce_shaped_404(api):
    r = api.get("/v3/catalog/widgets")
    assert r.status_code == 404
    assert r.json() == {"status": 404, "title": "The route is not found, check the URL", "type": ERROR_TYPE}


def test_unknown_store_hash_is_404(sandbox):
    r = requests.get(f"{sandbox.url}/stores/nope/v3/catalog/products",
                     headers={"X-Auth-Token": sandbox.token}, timeout=5)
    assert r.status_code == 404 and r.json()["status"] == 404


def test_unknown_object_is_404_with_instance(api):
    r = api.get("/v3/catalog/products/999999")
    assert r.status_code == 404
    body = r.json()
    assert set(body) == {"status", "title", "type", "instance"} and body["status"] == 404


def test_wrong_method_is_405(api):
    r = api.request("PATCH", "/v3/catalog/products")
    assert r.status_code == 405
    body = r.json()
    assert set(body) == {"status", "title", "type", "detail"} and body["status"] == 405
    assert api.post("/v3/channels", json={}).status_code == 405


def test_missing_or_wrong_token_is_401_plain_text(sandbox):
    url = sandbox.api_base + "/v3/catalog/products"
    for headers in ({}, {"X-Auth-Token": "wrong-token"}):
        r = requests.get(url, headers=headers, timeout=5)
        assert r.status_code == 401
        assert r.headers["Content-Type"].startswith("text/plain")
        assert r.text and "wrong-token" not in r.text and sandbox.token not in r.text
    r = requests.get(sandbox.api_base + "/v3/channels", headers={"x-auth-token": "nope"}, timeout=5)
    assert r.status_code == 401 and r.json()["status"] == 401  # outside catalog: JSON (WH shape)
    r = requests.get(url, headers={"x-auth-token": sandbox.token}, timeout=5)  # header names are case-insensitive
    assert r.status_code == 200
    assert sandbox.token not in repr(sandbox)
