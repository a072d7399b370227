"""Per-endpoint concurrency limits (FACTS §4): parallel requests over a slow store."""

from __future__ import annotations

import concurrent.futures
import threading

import requests

from reconciler.sandbox.core.concurrency import LIMITS, ConcurrencyLimiter

RATE_HEADERS = ("X-Rate-Limit-Time-Window-Ms", "X-Rate-Limit-Time-Reset-Ms",
                "X-Rate-Limit-Requests-Quota", "X-Rate-Limit-Requests-Left")


def parallel(sandbox, n, method, path, json=None):
    """Fire n requests at once (released together by a barrier); return the responses."""
    barrier = threading.Barrier(n)

    def one(_):
        with requests.Session() as s:
            barrier.wait()
            return s.request(method, sandbox.api_base + path, json=json, timeout=10,
                             headers={"X-Auth-Token": sandbox.token})

    with concurrent.futures.ThreadPoolExecutor(n) as pool:
        return list(pool.map(one, range(n)))


def test_two_parallel_bulk_upserts_one_is_429(api, sandbox):
    p = api.product()
    api.post("/v3/pricelists", json={"name": "Trade GBP"})
    sandbox.configure(latency_ms=400)
    body = [{"variant_id": p["base_variant_id"], "currency": "gbp", "price": 1}]
    answers = parallel(sandbox, 2, "PUT", "/v3/pricelists/1/records", body)
    assert sorted(r.status_code for r in answers) == [200, 429]
    refused = next(r for r in answers if r.status_code == 429)
    assert refused.json() == {"status": 429, "title": "Too many requests",
                              "type": "/api-docs/getting-started/api-status-codes", "errors": {}}
    assert all(h in refused.headers for h in RATE_HEADERS) and refused.headers["X-Retry-After"] == "1"
    stats = sandbox.stats()
    assert stats["concurrency_limited"] == 1 and stats["rate_limited"] == 1
    assert stats["requests"]["PUT /v3/pricelists/{id}/records"] == 2
    puts = [e for e in sandbox.requests() if e["method"] == "PUT"]
    assert [(e["path"], e["route"], e["items"]) for e in puts] == [
        ("/v3/pricelists/1/records", "/v3/pricelists/{id}/records", 1)] * 2
    # The slot is free again once the first answer is out.
    sandbox.configure(latency_ms=0)
    assert api.put("/v3/pricelists/1/records", json=body).status_code == 200


def test_ten_parallel_record_reads_are_fine_the_eleventh_is_not(api, sandbox):
    api.post("/v3/pricelists", json={"name": "Trade GBP"})
    sandbox.configure(latency_ms=400)
    answers = parallel(sandbox, 11, "GET", "/v3/pricelists/1/records")
    assert sorted(r.status_code for r in answers) == [200] * 10 + [429]
    assert sandbox.stats()["concurrency_limited"] == 1


def test_routes_without_a_limit_and_other_routes_are_not_held_back(api, sandbox):
    p = api.product()
    api.post("/v3/pricelists", json={"name": "A"})
    sandbox.configure(latency_ms=300)
    answers = parallel(sandbox, 3, "GET", "/v3/pricelists")  # no limit stated
    assert [r.status_code for r in answers] == [200] * 3
    body = [{"variant_id": p["base_variant_id"], "currency": "gbp", "price": 1}]
    with concurrent.futures.ThreadPoolExecutor(2) as pool:  # one upsert and one read at once
        put = pool.submit(requests.put, sandbox.api_base + "/v3/pricelists/1/records",
                          json=body, headers={"X-Auth-Token": sandbox.token}, timeout=10)
        get = pool.submit(requests.get, sandbox.api_base + "/v3/pricelists/1/records",
                          headers={"X-Auth-Token": sandbox.token}, timeout=10)
        assert (put.result().status_code, get.result().status_code) == (200, 200)
    assert sandbox.stats()["concurrency_limited"] == 0


def test_limits_are_a_table():
    assert LIMITS[("PUT", "/v3/pricelists/{id}/records")] == 1  # ⚠ the stricter of 2 and "one at a time"
    assert LIMITS[("DELETE", "/v3/pricelists/{id}")] == 1
    assert LIMITS[("PUT", "/v3/pricelists/records")] == 1
    assert LIMITS[("GET", "/v3/pricelists/{id}/records/{variant_id}/{currency_code}")] == 50
    assert LIMITS[("DELETE", "/v2/customer_groups/{id}")] == 40
    assert LIMITS[("GET", "/v3/catalog/categories/{id}")] == 40
    limiter = ConcurrencyLimiter({("GET", "/x"): 2})
    slots = [limiter.enter("GET", "/x") for _ in range(3)]
    assert [s is not None for s in slots] == [True, True, False]
    slots[0].release()
    slots[0].release()  # idempotent
    assert limiter.enter("GET", "/x") is not None and limiter.enter("GET", "/x") is None
    assert all(limiter.enter("POST", "/x") is not None for _ in range(5))  # no row, no limit
