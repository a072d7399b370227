"""HTTP errors become clear messages: 401, 409, 413, 422, 429 — over real HTTP."""

from __future__ import annotations

import pytest
import requests

from reconciler import connect
from reconciler.core.errors import PayloadTooLarge, Unauthorized, Unprocessable
from reconciler.store.config import StoreConfig


def test_401_is_a_clear_error_without_the_token(sandbox):
    bad = StoreConfig(api_url=sandbox.url, store_hash=sandbox.store_hash, token="wrong-token-123")
    with connect(bad) as client, pytest.raises(Unauthorized) as info:
        client.list_all("/v3/catalog/brands")
    msg = str(info.value)
    assert "401" in msg and "BIGCOMMERCE_ACCESS_TOKEN" in msg
    assert "wrong-token-123" not in msg and "wrong-token-123" not in repr(info.value.__dict__)


def test_413_names_the_batch_limit(sandbox, client):
    sandbox.reset(data={"products": [
        {"sku": f"P{i}", "name": f"P{i}", "type": "physical", "price": 1, "weight": 1} for i in range(11)
    ]})
    ids = [p["id"] for p in client.list_all("/v3/catalog/products")]
    with pytest.raises(PayloadTooLarge) as info:
        client.put("/v3/catalog/products", [{"id": i, "price": 2} for i in ids])
    assert info.value.status == 413
    assert "maximum items allowed in the array is 10" in str(info.value)


def test_422_lists_the_missing_fields(sandbox, client):
    with pytest.raises(Unprocessable) as info:
        client.post("/v3/catalog/products", {"sku": "X-1", "type": "physical"})
    msg = str(info.value)
    assert "422" in msg and "name" in msg and "price" in msg and "weight" in msg


def test_429_from_another_app_is_waited_out(sandbox, client):
    sandbox.configure(quota=5, window_ms=1000)
    # Another app on the same store spends the whole window first.
    headers = {"X-Auth-Token": sandbox.token, "Accept": "application/json"}
    for _ in range(5):
        requests.get(f"{sandbox.url}/stores/{sandbox.store_hash}/v3/catalog/brands", headers=headers, timeout=5)
    rows = client.list_all("/v3/catalog/brands")
    assert rows == []
    assert client.transport.by_status.get(429, 0) >= 1      # it did meet the 429 ...
    assert client.transport.by_status.get(200) == 1         # ... and then succeeded once
    assert client.transport.limiter.rate_limited >= 1


def test_pacing_keeps_parallel_reads_under_a_small_quota(sandbox, client):
    sandbox.reset(data={"products": [
        {"sku": f"P{i}", "name": f"P{i}", "type": "physical", "price": 1, "weight": 1} for i in range(30)
    ]})
    sandbox.configure(quota=5, window_ms=300)
    for _ in range(2):
        assert len(client.list_all("/v3/catalog/products", page_size=2)) == 30   # 15 pages each
    stats = sandbox.stats()
    assert stats["rate_limited"] == 0
    assert client.transport.by_status.get(429, 0) == 0
