"""Injected faults (``/__sandbox/faults``): each kind over real HTTP, seeded rates, the
queue, clearing. What was written is read back with ``sandbox.dump()``."""

from __future__ import annotations

import pytest
import requests

PRODUCTS = "/v3/catalog/products"
ERROR_TYPE = "/api-docs/getting-started/api-status-codes"
RATE_HEADERS = ("X-Rate-Limit-Time-Window-Ms", "X-Rate-Limit-Time-Reset-Ms",
                "X-Rate-Limit-Requests-Quota", "X-Rate-Limit-Requests-Left")


def control(sandbox, method, body=None, status=200):
    r = requests.request(method, f"{sandbox.url}/__sandbox/faults", json=body, timeout=5)
    assert r.status_code == status, r.text
    return r.json()


def new_product(n=1):
    return {"name": f"Tie {n}", "type": "physical", "price": 1.5, "weight": 1, "sku": f"T-{n}"}


def skus(sandbox):
    return [p["sku"] for p in sandbox.dump()["products"]]


# ---- faults that answer before the handler: nothing is written --------------------------------

def test_500_502_503_answer_before_writing_and_spend_quota(api, sandbox):
    control(sandbox, "POST", {"queue": [{"fault": k, "method": "POST", "route": PRODUCTS}
                                        for k in ("500", "502", "503")]})
    r500, r502, r503 = (api.post(PRODUCTS, json=new_product()) for _ in range(3))
    assert r500.status_code == 500
    assert r500.json() == {"status": 500, "title": "Internal Server Error (injected by the sandbox)",
                           "type": ERROR_TYPE, "errors": {}}
    assert r502.status_code == 502 and r502.headers["Content-Type"].startswith("text/html")
    assert "502 Bad Gateway" in r502.text
    assert r503.status_code == 503
    error = r503.json()["error"]
    assert set(error) == {"code", "message", "details", "retry_after_seconds", "timestamp"}
    assert error["code"] == "SERVICE_DEGRADED" and error["message"] == "Service temporarily unavailable"
    for r in (r500, r502, r503):
        assert all(h in r.headers for h in RATE_HEADERS)
    assert [int(r.headers["X-Rate-Limit-Requests-Left"]) for r in (r500, r502, r503)] == [149, 148, 147]
    assert skus(sandbox) == []
    assert api.post(PRODUCTS, json=new_product()).status_code == 200  # the queue is used up
    assert sandbox.stats()["faults"] == {"500": 1, "502": 1, "503": 1}
    assert [e["fault"] for e in sandbox.requests()] == ["500", "502", "503", None]


def test_429_fault_has_rate_headers_and_writes_nothing(api, sandbox):
    sandbox.faults(queue=[{"fault": "429"}])
    r = api.post(PRODUCTS, json=new_product())
    assert r.status_code == 429 and r.json()["title"] == "Too many requests"
    assert r.headers["X-Retry-After"] == "1" and r.headers["X-Rate-Limit-Requests-Left"] == "0"
    assert all(h in r.headers for h in RATE_HEADERS)
    assert skus(sandbox) == [] and sandbox.stats()["rate_limited"] == 1


def test_drop_closes_the_connection_before_processing(api, sandbox):
    sandbox.faults(queue=[{"fault": "drop", "method": "POST"}])
    with pytest.raises(requests.ConnectionError):
        api.post(PRODUCTS, json=new_product())
    assert skus(sandbox) == []
    [entry] = sandbox.requests()
    assert entry["status"] is None and entry["fault"] == "drop"
    assert api.post(PRODUCTS, json=new_product()).status_code == 200  # the server keeps serving


# ---- faults after the handler: written, then the answer is lost --------------------------------

def test_drop_after_writes_then_closes_the_connection(api, sandbox):
    sandbox.faults(queue=[{"fault": "drop_after", "method": "POST", "route": PRODUCTS}])
    with pytest.raises(requests.ConnectionError):
        api.post(PRODUCTS, json=new_product())
    assert skus(sandbox) == ["T-1"]
    # The client's retry of the same POST now meets the write it did not see.
    assert api.post(PRODUCTS, json=new_product()).status_code == 409
    assert sandbox.stats()["faults"] == {"drop_after": 1}


def test_500_after_writes_then_answers_500(api, sandbox):
    p = api.product()
    sandbox.faults(queue=[{"fault": "500_after", "method": "PUT", "route": PRODUCTS}])
    r = api.put(PRODUCTS, json=[{"id": p["id"], "price": 99}])
    assert r.status_code == 500 and r.json()["status"] == 500
    assert "X-Rate-Limit-Requests-Left" in r.headers
    assert api.get(f"{PRODUCTS}/{p['id']}").json()["data"]["price"] == 99


def test_slow_writes_then_answers_late(api, sandbox):
    sandbox.faults(slow_ms=400, queue=[{"fault": "slow", "count": 2, "method": "POST"}])
    with pytest.raises(requests.ReadTimeout):
        api.session.post(sandbox.api_base + PRODUCTS, json=new_product(1), timeout=0.1)
    assert skus(sandbox) == ["T-1"]
    r = api.post(PRODUCTS, json=new_product(2))
    assert r.status_code == 200 and r.elapsed.total_seconds() >= 0.4


# ---- partial: the odd-indexed items of a batch are not applied -----------------------------------

def test_partial_products_is_207_with_the_odd_items_not_updated(api, sandbox):
    ps = [api.product(n) for n in range(1, 4)]
    sandbox.faults(queue=[{"fault": "partial"}])
    api.get("/v3/channels")                       # not a batch route: the entry waits
    r = api.put(PRODUCTS, json=[{"id": p["id"], "price": 50 + i} for i, p in enumerate(ps)])
    assert r.status_code == 207, r.text
    body = r.json()
    assert [p["id"] for p in body["data"]] == [ps[0]["id"], ps[2]["id"]] and body["meta"] == {}
    assert body["errors"] == {"status": 207, "title": "Some products were not updated.", "type": ERROR_TYPE,
                              "errors": {"1": f"Product {ps[1]['id']} was not updated (injected sandbox fault)."}}
    assert [p["price"] for p in sandbox.dump()["products"]] == [50, 12.5, 52]
    assert sandbox.stats()["faults"] == {"partial": 1}


def test_partial_one_item_batch_fails_its_item(api, sandbox):
    p = api.product()
    sandbox.faults(queue=[{"fault": "partial"}])
    r = api.put(PRODUCTS, json=[{"id": p["id"], "price": 7}])
    assert r.status_code == 207 and r.json()["data"] == [] and list(r.json()["errors"]["errors"]) == ["0"]
    assert sandbox.dump()["products"][0]["price"] == 12.5


def test_partial_variants_is_non_strict_422(api, sandbox):
    r = api.post(PRODUCTS, json={**new_product(), "variants": [
        {"sku": f"V-{w}", "option_values": [{"option_display_name": "W", "label": str(w)}]} for w in range(3)]})
    vids = [v["id"] for v in r.json()["data"]["variants"]]
    sandbox.faults(queue=[{"fault": "partial", "route": "/v3/catalog/variants"}])
    r = api.put("/v3/catalog/variants", json=[{"id": v, "price": 9} for v in vids])
    assert r.status_code == 422
    assert r.json() == {"batch_errors": [{
        "status": 422, "title": "Variant was not updated", "type": ERROR_TYPE, "instance": "#/1",
        "errors": {"id": f"Variant {vids[1]} was not updated (injected sandbox fault)."}}]}
    assert [v.get("price") for v in sandbox.dump()["products"][0]["variants"]] == [9, None, 9]


def test_partial_variants_keeps_the_stores_own_errors_at_their_request_index(api, sandbox):
    p = api.product()
    sandbox.faults(queue=[{"fault": "partial"}])
    r = api.put("/v3/catalog/variants", json=[{"id": p["base_variant_id"], "price": 3}, {"id": 1}, {"id": 999}])
    assert r.status_code == 422
    assert [e["instance"] for e in r.json()["batch_errors"]] == ["#/2"]   # item 2 is unknown
    assert "base_variant" not in sandbox.dump()["products"][0]             # all-or-nothing: not written


def test_partial_categories_post_is_207_with_the_stores_own_errors_kept(api, sandbox):
    sandbox.faults(queue=[{"fault": "partial"}])
    r = api.post("/v3/catalog/trees/categories", json=[
        {"name": "A", "tree_id": 1}, {"name": "B", "tree_id": 1}, {"tree_id": 1}, {"name": "C", "tree_id": 1}])
    assert r.status_code == 207, r.text
    body = r.json()
    assert [c["name"] for c in body["data"]] == ["A"]
    assert body["meta"] == {"total": 4, "success": 1, "failed": 3}
    assert body["errors"]["status"] == 207 and body["errors"]["title"] == "Some categories were not created."
    assert body["errors"]["errors"] == {"1": "Category 'B' was not created (injected sandbox fault).",
                                        "2": "name: Please provide a name.",   # the store's own, item 2
                                        "3": "Category 'C' was not created (injected sandbox fault)."}
    assert [c["path"] for c in sandbox.dump()["categories"]] == ["A"]


def test_partial_categories_put_is_207(api, sandbox):
    ids = [c["category_id"] for c in api.post("/v3/catalog/trees/categories", json=[
        {"name": n, "tree_id": 1} for n in "ABC"]).json()["data"]]
    sandbox.faults(queue=[{"fault": "partial"}])
    r = api.put("/v3/catalog/trees/categories", json=[{"category_id": i, "name": f"{i}!"} for i in ids])
    assert r.status_code == 207
    assert r.json() == {"errors": {"status": 207, "title": "Some categories were not updated.", "type": ERROR_TYPE,
                                   "errors": {"1": f"Category {ids[1]} was not updated (injected sandbox fault)."}},
                        "meta": {"total": 3, "success": 2, "failed": 1}}
    assert [c["path"] for c in sandbox.dump()["categories"]] == [f"{ids[0]}!", "B", f"{ids[2]}!"]


def test_partial_categories_with_one_item_is_the_trees_422(api, sandbox):
    sandbox.faults(queue=[{"fault": "partial"}])
    r = api.post("/v3/catalog/trees/categories", json=[{"name": "A", "tree_id": 1}])
    assert r.status_code == 422
    assert r.json()["meta"] == {"total": 1, "success": 0, "failed": 1}
    assert r.json()["errors"]["status"] == 422 and list(r.json()["errors"]["errors"]) == ["0"]
    assert sandbox.dump()["categories"] == []


def test_partial_price_records_is_non_strict_422(api, sandbox):
    sandbox.reset(data={"products": [{"sku": "P", "name": "P", "type": "physical", "price": 1, "weight": 1,
                                      "variants": [{"sku": f"P-{w}", "options": {"W": str(w)}} for w in range(4)]}],
                        "price_lists": [{"name": "Trade"}]})
    sandbox.faults(queue=[{"fault": "partial", "method": "PUT"}])
    items = [{"sku": sku, "currency": "GBP", "price": 2} for sku in ("P-0", "P-1", "NOPE", "P-3", "P-2")]
    r = api.put("/v3/pricelists/1/records", json=items)
    assert r.status_code == 422
    injected = {"record": "The price record was not written (injected sandbox fault)."}
    assert r.json() == {"batch_errors": [   # the store's own item errors first, then the injected ones
        {"data": {"price_list_id": 1, "sku": "NOPE", "currency": "GBP"},  # no null variant_id (spec: integer)
         "field_errors": {"sku": "No variant or product has the SKU 'NOPE'."}},
        {"data": {"price_list_id": 1, "sku": "P-1", "currency": "GBP"}, "field_errors": injected},
        {"data": {"price_list_id": 1, "sku": "P-3", "currency": "GBP"}, "field_errors": injected}]}
    [price_list] = sandbox.dump()["price_lists"]
    assert [rec["sku"] for rec in price_list["records"]] == ["P-0", "P-2"]


def test_partial_leaves_oversized_batches_to_the_store(api, sandbox):
    sandbox.faults(queue=[{"fault": "partial"}])
    r = api.put(PRODUCTS, json=[{"id": i, "price": 1} for i in range(11)])
    assert r.status_code == 413 and sandbox.stats()["faults"] == {}


# ---- seeded rates -------------------------------------------------------------------------------

def run(api, n=40):
    return [api.get("/v3/channels").status_code for _ in range(n)]


def test_seeded_rates_are_reproducible(api, sandbox):
    sandbox.faults(seed=42, rates={"500": 0.2, "503": 0.1, "429": 0.1})
    first = run(api)
    assert set(first) == {200, 429, 500, 503}
    counts = sandbox.stats()["faults"]
    assert counts == {k: first.count(int(k)) for k in ("500", "503", "429")}
    sandbox.faults(seed=42)                        # the same seed restarts the same stream
    assert run(api) == first
    control(sandbox, "POST", {"seed": 43})
    assert run(api) != first
    assert control(sandbox, "GET")["draws"] == 40


def test_queued_faults_do_not_shift_the_random_stream(api, sandbox):
    sandbox.faults(seed=5, rates={"500": 0.5})
    plain = run(api, 10)
    sandbox.faults(seed=5, queue=[{"fault": "502"}])
    queued = run(api, 10)
    assert queued[0] == 502 and queued[1:] == plain[1:]


def test_match_limits_the_random_faults(api, sandbox):
    p = api.product()
    sandbox.faults(rates={"500": 1.0}, match={"method": "PUT", "route": PRODUCTS})
    assert run(api, 3) == [200, 200, 200]
    assert api.put(f"{PRODUCTS}/{p['id']}", json={"price": 1}).status_code == 200
    assert api.put(PRODUCTS, json=[{"id": p["id"], "price": 1}]).status_code == 500


def test_random_partial_only_hits_batch_routes(api, sandbox):
    ps = [api.product(n) for n in range(1, 3)]
    sandbox.faults(rates={"partial": 1.0})
    assert run(api, 3) == [200, 200, 200]
    assert api.put(PRODUCTS, json=[{"id": p["id"], "price": 2} for p in ps]).status_code == 207


# ---- the queue, clearing, the control route ------------------------------------------------------

def test_queue_is_consumed_in_order_with_matching(api, sandbox):
    state = control(sandbox, "POST", {"queue": [
        {"fault": "500", "method": "POST", "route": "/v3/catalog/brands"},
        {"fault": "503", "count": 2}]})
    assert state["queue"] == [{"fault": "500", "count": 1, "method": "POST", "route": "/v3/catalog/brands"},
                              {"fault": "503", "count": 2, "method": None, "route": None}]
    assert api.get("/v3/channels").status_code == 503                       # the first entry does not match
    assert api.post("/v3/catalog/brands", json={"name": "B"}).status_code == 500
    assert control(sandbox, "GET")["queue"] == [{"fault": "503", "count": 1, "method": None, "route": None}]
    assert api.post("/v3/catalog/brands", json={"name": "B"}).status_code == 503
    assert api.post("/v3/catalog/brands", json={"name": "B"}).status_code == 200
    assert control(sandbox, "GET")["injected"] == {"500": 1, "503": 2}


def test_clear_reset_and_control_routes_never_fault(api, sandbox):
    sandbox.faults(seed=1, rates={"500": 1.0}, slow_ms=5, queue=[{"fault": "drop"}])
    assert requests.get(f"{sandbox.url}/__sandbox/stats", timeout=5).status_code == 200
    assert requests.get(f"{sandbox.url}/__sandbox/dump", timeout=5).status_code == 200
    cleared = control(sandbox, "DELETE")
    assert cleared == {"seed": 0, "rates": {}, "slow_ms": 1000, "match": {"method": None, "route": None},
                       "queue": [], "injected": {}, "draws": 0}
    assert api.get("/v3/channels").status_code == 200
    sandbox.faults(rates={"500": 1.0}, queue=[{"fault": "503", "method": "DELETE"}])
    assert api.get("/v3/channels").status_code == 500
    sandbox.reset()
    assert sandbox.faults()["queue"] == [] and sandbox.faults()["rates"] == {}
    assert api.get("/v3/channels").status_code == 200 and sandbox.stats()["faults"] == {}


def test_requests_without_a_valid_token_never_fault(sandbox):
    sandbox.faults(queue=[{"fault": "500"}])
    r = requests.get(sandbox.api_base + "/v3/channels", headers={"X-Auth-Token": "wrong"}, timeout=5)
    assert r.status_code == 401 and sandbox.faults()["queue"][0]["count"] == 1


@pytest.mark.parametrize("body", [
    {"rates": {"418": 0.1}}, {"rates": {"500": 0.7, "drop": 0.4}}, {"rates": {"500": -1}},
    {"queue": [{"fault": "explode"}]}, {"queue": [{"fault": "500", "count": 0}]}, {"queue": {"fault": "500"}},
    {"slow_ms": -5}, {"match": {"path": "/x"}}, {"sede": 1}, {"status": 404}])
def test_bad_fault_requests_are_400(sandbox, body):
    control(sandbox, "POST", body, status=400)
    assert sandbox.faults()["queue"] == []
