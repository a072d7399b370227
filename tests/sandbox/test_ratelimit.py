"""Rate limiting (FACTS §4)."""

from __future__ import annotations

import time

import requests

from reconciler.sandbox.core.ratelimit import RateLimiter

HEADERS = ("X-Rate-Limit-Time-Window-Ms", "X-Rate-Limit-Time-Reset-Ms",
           "X-Rate-Limit-Requests-Quota", "X-Rate-Limit-Requests-Left")


def test_sixth_request_in_window_is_429(api, sandbox):
    sandbox.configure(quota=5, window_ms=1000)
    lefts = []
    for _ in range(5):
        r = api.get("/v3/catalog/brands")
        assert r.status_code == 200
        lefts.append(int(r.headers["X-Rate-Limit-Requests-Left"]))
    assert lefts == [4, 3, 2, 1, 0]
    r = api.get("/v3/catalog/brands")
    assert r.status_code == 429
    assert r.headers["Content-Type"] == "application/json"
    assert r.json() == {"status": 429, "title": "Too many requests",
                        "type": "/api-docs/getting-started/api-status-codes", "errors": {}}
    assert r.headers["X-Rate-Limit-Requests-Left"] == "0"
    assert r.headers["X-Rate-Limit-Requests-Quota"] == "5"
    assert r.headers["X-Rate-Limit-Time-Window-Ms"] == "1000"
    assert 0 < int(r.headers["X-Rate-Limit-Time-Reset-Ms"]) <= 1000
    assert r.headers["X-Retry-After"] == "1"
    stats = sandbox.stats()
    assert stats["rate_limited"] == 1 and stats["responses"]["429"] == 1


def test_headers_on_every_response(api, sandbox):
    sandbox.configure(quota=3, window_ms=30000)
    answers = [api.get("/v3/catalog/products"), api.get("/v3/catalog/products/1"),
               api.get("/v3/catalog/nope"), api.get("/v3/catalog/products"),
               requests.get(sandbox.api_base + "/v3/catalog/products", timeout=5)]
    assert [r.status_code for r in answers] == [200, 404, 404, 429, 401]
    for r in answers:
        assert all(h in r.headers for h in HEADERS), (r.status_code, dict(r.headers))
        assert "X-Retry-After" in r.headers if r.status_code == 429 else "X-Retry-After" not in r.headers


def test_bad_auth_spends_no_quota(api, sandbox):
    sandbox.configure(quota=2, window_ms=30000)
    for _ in range(3):
        r = requests.get(sandbox.api_base + "/v3/channels", headers={"X-Auth-Token": "wrong"}, timeout=5)
        assert r.status_code == 401 and r.headers["X-Rate-Limit-Requests-Left"] == "2"
    assert api.get("/v3/channels").headers["X-Rate-Limit-Requests-Left"] == "1"


def test_window_resets(api, sandbox):
    sandbox.configure(quota=1, window_ms=300)
    assert api.get("/v3/channels").status_code == 200
    assert api.get("/v3/channels").status_code == 429
    time.sleep(0.35)
    r = api.get("/v3/channels")
    assert r.status_code == 200 and r.headers["X-Rate-Limit-Requests-Left"] == "0"


def test_control_routes_are_free(api, sandbox):
    sandbox.configure(quota=1, window_ms=30000)
    for _ in range(3):
        assert requests.get(sandbox.url + "/__sandbox/stats", timeout=5).status_code == 200
    assert api.get("/v3/channels").status_code == 200


def test_window_starts_at_first_request_after_previous_ended():
    now = [100.0]
    rl = RateLimiter(quota=2, window_ms=1000, clock=lambda: now[0])
    assert rl.peek().headers["X-Rate-Limit-Time-Reset-Ms"] == "1000"
    assert rl.consume().allowed and rl.consume().allowed
    now[0] += 0.4
    d = rl.consume()
    assert not d.allowed and d.headers["X-Rate-Limit-Time-Reset-Ms"] == "600"
    assert d.headers["X-Retry-After"] == "1"
    now[0] += 5.0  # long idle: the next window starts at the next request, full size
    d = rl.consume()
    assert d.allowed and d.headers["X-Rate-Limit-Time-Reset-Ms"] == "1000"
    assert d.headers["X-Rate-Limit-Requests-Left"] == "1"


def test_latency_is_applied(api, sandbox):
    sandbox.configure(latency_ms=150)
    start = time.monotonic()
    api.get("/v3/channels")
    assert time.monotonic() - start >= 0.15
