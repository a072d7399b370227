"""Issue 14, finding 11: ``--refresh incremental`` is never slower than a full read. It
first counts what changed (one ``limit=1`` request per kind and per price list), reads
nothing more where nothing changed (and leaves the cache file as it is), and reads the
store in full when more than ``cache.FULL_SHARE`` of the cached rows changed (a store
seeded or applied a moment ago: every row inside the look-back). Over real HTTP; the
timings are in docs/benchmarks.md (``python -m bench.refresh``), not here."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from reconciler import build_plan, load_desired, read_live
from reconciler.store import cache as live_cache
from tests.e2e.test_prices import products, seed, trade_list, variant_skus, write


def two_lists(items):
    skus = variant_skus(items)
    other = {**trade_list(skus[:30], 1.70), "name": "Export GBP", "assignments": []}
    return [trade_list(skus), other]


@pytest.fixture
def store(sandbox, tmp_path):
    items = products(100)
    lists = two_lists(items)
    sandbox.reset(data=seed(items, lists))
    return load_desired(write(tmp_path, items, lists)), tmp_path / "live.json"


def test_a_store_changed_all_over_is_read_in_full(store, sandbox, client):
    desired, cache = store
    read_live(client, desired.store, refresh="full", cache_path=cache)
    start = len(sandbox.requests())
    full = read_live(client, desired.store)
    full_requests = len(sandbox.requests()) - start
    start = len(sandbox.requests())
    inc = read_live(client, desired.store, refresh="incremental", cache_path=cache)   # the seed is inside OVERLAP
    assert inc.refresh.startswith("full (") and "a full read is faster" in inc.refresh, inc.refresh
    assert len(sandbox.requests()) - start <= full_requests + 3      # + one count per kind and list
    assert not build_plan(desired, inc).has_changes and not build_plan(desired, full).has_changes


def test_nothing_changed_reads_only_the_counts_and_keeps_the_cache(store, sandbox, client, monkeypatch):
    desired, cache = store
    monkeypatch.setattr(live_cache, "OVERLAP", timedelta(0))
    time.sleep(1.1)                          # dates have whole seconds: let the seed's second pass
    read_live(client, desired.store, refresh="full", cache_path=cache)
    written = cache.read_bytes()
    time.sleep(1.1)
    start = len(sandbox.requests())
    inc = read_live(client, desired.store, refresh="incremental", cache_path=cache)
    assert inc.refresh.startswith("incremental"), inc.refresh
    assert len(sandbox.requests()) - start == 3                    # products, and each of the two lists' records
    assert cache.read_bytes() == written     # nothing changed: not rewritten
    assert not build_plan(desired, inc).has_changes


def test_only_the_list_whose_records_changed_is_read(store, sandbox, client, monkeypatch):
    desired, cache = store
    monkeypatch.setattr(live_cache, "OVERLAP", timedelta(0))
    time.sleep(1.1)
    read_live(client, desired.store, refresh="full", cache_path=cache)
    time.sleep(1.1)
    export = next(pl for pl in client.get("/v3/pricelists").data["data"] if pl["name"] == "Export GBP")
    record = client.get(f"/v3/pricelists/{export['id']}/records", {"include": "sku"}).data["data"][0]
    client.put(f"/v3/pricelists/{export['id']}/records",
               [{"variant_id": record["variant_id"], "currency": "GBP", "price": 1.75}])
    start = len(sandbox.requests())
    inc = read_live(client, desired.store, refresh="incremental", cache_path=cache)
    paths = [r["path"] for r in sandbox.requests()[start:]]
    assert paths.count(f"/v3/pricelists/{export['id']}/records") == 2          # its count, then its changes
    trade = next(pl for pl in client.get("/v3/pricelists").data["data"] if pl["name"] == "Trade GBP")
    assert paths.count(f"/v3/pricelists/{trade['id']}/records") == 1           # its count only
    plan = build_plan(desired, inc)
    assert [c.key for c in plan.changes] == [f"Export GBP:{record['sku']}:GBP"]


def test_a_head_of_another_read_than_the_rows_is_not_trusted(store, sandbox, client, monkeypatch):
    import json

    desired, cache = store
    monkeypatch.setattr(live_cache, "OVERLAP", timedelta(0))
    time.sleep(1.1)
    read_live(client, desired.store, refresh="full", cache_path=cache)
    head = live_cache.head_path(cache)
    data = json.loads(head.read_text())
    later = live_cache.now() + timedelta(hours=1)         # a crash between a newer read's rows and head
    data["read_at"] = later.isoformat()
    head.write_text(json.dumps(data))
    inc = read_live(client, desired.store, refresh="incremental", cache_path=cache)
    assert inc.refresh == "full (the cache's head and rows are of different reads)"
    assert not build_plan(desired, inc).has_changes
    head.unlink()
    assert read_live(client, desired.store, refresh="incremental", cache_path=cache).refresh == \
        "full (no cache of a previous full read)"
