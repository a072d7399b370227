"""Drift and incremental refresh over real HTTP."""

from __future__ import annotations

import json
import time

from reconciler import apply_saved_plan, build_plan, load_desired, read_live
from reconciler.apply import last_applied

from .conftest import write_catalog
from .test_prices import products, seed, trade_list, variant_skus, write


def test_a_store_edit_after_apply_is_reported_as_drift_with_its_date(seeded, client, tmp_path, catalog_files):
    catalog = write_catalog(tmp_path, catalog_files)
    state = tmp_path / "state.json"
    desired = load_desired(catalog)
    plan = build_plan(desired, read_live(client, desired.store))
    result = apply_saved_plan(plan, client, desired.store)
    last_applied.record(state, plan, result.outcomes, desired)

    blk = client.get("/v3/catalog/products", {"sku": "CT-BLK100"}).data["data"][0]
    edited = client.put(f"/v3/catalog/products/{blk['id']}", {"price": 2.99}).data["data"]   # admin edit

    # A PR changes another product's price at the same time.
    files = dict(catalog_files)
    files["products/cable-ties.yaml"] = files["products/cable-ties.yaml"].replace("price: 4.99", "price: 5.49")
    desired = load_desired(write_catalog(tmp_path, files))
    plan = build_plan(desired, read_live(client, desired.store), last_applied=last_applied.load(state))
    origins = {c.key: (c.origin, c.live_modified) for c in plan.changes}
    assert origins["CT-BLK100"] == ("drift", edited["date_modified"])
    assert origins["CT-NAT200"][0] == "yaml"
    assert plan.last_applied

    from reconciler.plan.render_markdown import render_markdown
    from reconciler.plan.render_text import render_text

    text = render_text(plan)
    assert "DRIFT: 1 change undo edits made in the store" in text
    assert f"[DRIFT, store changed {edited['date_modified']}]" in text
    assert "#### Drift (changed in the store)" in render_markdown(plan)


def test_without_last_applied_state_the_plan_is_the_same(seeded, client, tmp_path, catalog_files):
    desired = load_desired(write_catalog(tmp_path, catalog_files))
    live = read_live(client, desired.store)
    with_state = build_plan(desired, live, last_applied=last_applied.LastApplied("t", {}))
    without = build_plan(desired, live)
    assert [(c.action, c.key, c.changes) for c in with_state.changes] == \
        [(c.action, c.key, c.changes) for c in without.changes]
    assert all(c.origin is None for c in without.changes)


def test_drift_command_exit_codes(seeded, run_cli, client, tmp_path, catalog_files):
    catalog = write_catalog(tmp_path, catalog_files)
    assert run_cli("apply", "--catalog", catalog, "--auto-approve").exit_code == 0
    clean = run_cli("drift", "--catalog", catalog)
    assert clean.exit_code == 0, clean.output
    blk = client.get("/v3/catalog/products", {"sku": "CT-BLK100"}).data["data"][0]
    client.put(f"/v3/catalog/products/{blk['id']}", {"price": 2.99})
    found = run_cli("drift", "--catalog", catalog)
    assert found.exit_code == 2
    assert "CT-BLK100" in found.stdout and "Drift" in found.stdout


def test_incremental_refresh_reads_a_tenth_of_a_full_read_and_finds_the_same(sandbox, client, tmp_path,
                                                                             monkeypatch):
    from datetime import timedelta

    from reconciler.store import cache as live_cache

    items = products(2000)
    skus = variant_skus(items)
    sandbox.reset(data=seed(items, [trade_list(skus)]))
    folder = write(tmp_path, items, [trade_list(skus)])
    desired = load_desired(folder)
    cache = tmp_path / "live.json"
    # The store was seeded a moment ago; the real look-back (2 minutes, for writes
    # that land during a read) would count every seeded object as changed.
    monkeypatch.setattr(live_cache, "OVERLAP", timedelta(0))
    time.sleep(1.1)   # dates have whole seconds: let the seed's second pass

    start = len(sandbox.requests())
    full = read_live(client, desired.store, refresh="full", cache_path=cache)
    full_requests = len(sandbox.requests()) - start
    assert full.refresh == "full" and not build_plan(desired, full).has_changes

    changed = [p["sku"] for p in items[::400]]                    # 5 products edited in the admin
    ids = {p["sku"]: p["id"] for p in client.list_all("/v3/catalog/products", {"sku:in": ",".join(changed)})}
    for sku in changed:
        client.put(f"/v3/catalog/products/{ids[sku]}", {"price": 2.50})

    start = len(sandbox.requests())
    inc = read_live(client, desired.store, refresh="incremental", cache_path=cache)
    inc_requests = len(sandbox.requests()) - start
    assert inc.refresh.startswith("incremental")
    assert inc_requests < full_requests / 10, (inc_requests, full_requests)

    incremental_plan = build_plan(desired, inc)
    full_plan = build_plan(desired, read_live(client, desired.store))
    keys = sorted(c.key for c in incremental_plan.changes)
    assert keys == sorted(changed) == sorted(c.key for c in full_plan.changes)
    assert incremental_plan.refresh.startswith("incremental")


def test_incremental_falls_back_to_full_without_a_cache(seeded, client, tmp_path):
    live = read_live(client, None, refresh="incremental", cache_path=tmp_path / "missing.json")
    assert live.refresh == "full (no cache of a previous full read)"
    assert json.loads((tmp_path / "missing.json").read_text())["store_hash"] == seeded.store_hash
