"""`catalog plan --refresh targeted` (issue 16) end to end over HTTP: a full read, and why,
until an apply recorded a baseline; then only what the catalog and the store changed, with
the one line saying so; another writer's delete sends it back to a full read."""

from __future__ import annotations

import json
from pathlib import Path
from datetime import datetime, timedelta, timezone

import jsonschema
import requests

from reconciler import build_plan, connect, load_desired, read_live
from reconciler.apply import last_applied
from reconciler.apply.targeted import OVERLAP

from .conftest import write_catalog


def _line(result) -> str:
    return next((line for line in result.stdout.splitlines() if line.startswith("Store read: ")), "")


def _delete(sandbox, sku: str) -> None:
    headers = {"X-Auth-Token": sandbox.token, "Accept": "application/json"}
    base = sandbox.api_base + "/v3/catalog/products"
    row = requests.get(base, params={"sku": sku}, headers=headers, timeout=10).json()["data"][0]
    assert requests.delete(f"{base}/{row['id']}", headers=headers, timeout=10).status_code == 204


def _pr_plan(sandbox, run_cli, tmp_path, catalog_files) -> tuple:
    """The PR (FX-PLUG6's price) planned with --refresh targeted: (catalog, the sandbox log's
    length before, the JSON plan)."""
    catalog_files["products/fixings.yaml"] = catalog_files["products/fixings.yaml"].replace("2.49", "2.79")
    catalog = write_catalog(tmp_path, catalog_files)
    start = len(sandbox.requests())
    made = run_cli("plan", "--catalog", catalog, "--refresh", "targeted", "--format", "json")
    assert made.exit_code == 0, made.output
    return catalog, start, json.loads(made.stdout)


def test_targeted_plan_reads_what_changed_and_says_so(seeded, sandbox, run_cli, tmp_path, catalog_files):
    catalog = write_catalog(tmp_path, catalog_files)
    first = run_cli("plan", "--catalog", catalog, "--refresh", "targeted")
    assert first.exit_code == 0, first.output
    assert _line(first) == "Store read: full read: no last-applied state", first.stdout
    assert run_cli("apply", "--catalog", catalog, "--auto-approve").exit_code == 0

    catalog, start, plan = _pr_plan(sandbox, run_cli, tmp_path, catalog_files)
    assert plan["refresh"].startswith("targeted read: ") and "catalog changed 1 since the last apply" in plan["refresh"]
    assert [(c["key"], c["action"]) for c in plan["resource_changes"]] == [("FX-PLUG6", "update")]
    products = [r["query"] for r in sandbox.requests()[start:] if r["path"] == "/v3/catalog/products"]
    # Its count, what changed since (the apply's writes: inside the 2-minute look-back), and those
    # by SKU: never the list of all products.
    assert len(products) == 3 and "date_modified:min" in products[1] and "FX-PLUG6" in products[2]["sku:in"]

    _delete(sandbox, "CT-NAT200")      # another writer: no date shows a delete, the count does
    gone = run_cli("plan", "--catalog", catalog, "--refresh", "targeted")
    assert "Store read: full read: the store has" in gone.stdout and "deleted some" in gone.stdout, gone.stdout
    assert "CT-NAT200" in gone.stdout and "FX-PLUG6" in gone.stdout


def _listed(sandbox, start: int) -> int:
    return sum(1 for r in sandbox.requests()[start:] if r["path"] == "/v3/catalog/products/channel-assignments")


def test_targeted_plan_says_which_channel_listings_it_did_not_reread(seeded, sandbox, config, run_cli, tmp_path,
                                                                    catalog_files):
    """Another writer's channel listing has no date: a targeted plan reads the listings of the
    products it plans only, and says how many it did not re-read (text, markdown, JSON);
    store.targeted_undated: all and --refresh full read them all and see it."""
    catalog_files["store.yaml"] = "store:\n  name: GTSE test\n  channels: {uk-main: 1, us-trade: 2}\n"
    for sku in ("CT-BLK100", "CT-NAT200"):
        catalog_files["products/cable-ties.yaml"] = catalog_files["products/cable-ties.yaml"].replace(
            f"- sku: {sku}\n", f"- sku: {sku}\n            channels: [uk-main]\n")
    catalog = write_catalog(tmp_path, catalog_files)
    assert run_cli("apply", "--catalog", catalog, "--auto-approve").exit_code == 0
    # As if minutes had passed since, as bench/targeted.py does: the empty plan's apply recorded
    # (`catalog apply` records none), its read moved on to a moment past every write so far
    # (the sandbox dates to the second) and OVERLAP, so "changed since" is what changes from here.
    state = tmp_path / "cwd" / ".catalog" / "state" / "last-applied.json"
    desired = load_desired(catalog)
    with connect(config) as client:
        empty = build_plan(desired, read_live(client, desired.store), last_applied=last_applied.load(state))
    assert not empty.has_changes, empty.summary()
    last_applied.record(state, empty, [], desired)
    saved = json.loads(state.read_text(encoding="utf-8"))
    saved["baseline"]["read_at"] = (datetime.now(timezone.utc) + timedelta(seconds=2) + OVERLAP).isoformat()
    state.write_text(json.dumps(saved), encoding="utf-8")

    headers = {"X-Auth-Token": sandbox.token, "Accept": "application/json"}
    row = requests.get(sandbox.api_base + "/v3/catalog/products", params={"sku": "CT-NAT200"},
                       headers=headers, timeout=10).json()["data"][0]
    listed = requests.put(sandbox.api_base + "/v3/catalog/products/channel-assignments", headers=headers,
                          json=[{"product_id": row["id"], "channel_id": 2}], timeout=10)
    assert listed.status_code == 204, listed.text
    catalog, start, plan = _pr_plan(sandbox, run_cli, tmp_path, catalog_files)
    assert _listed(sandbox, start) == 0, plan["refresh"]
    assert [(c["key"], c["action"]) for c in plan["resource_changes"]] == [("FX-PLUG6", "update")]
    jsonschema.validate(plan, json.loads((Path(__file__).parents[2] / "schemas" / "plan.schema.json").read_text(encoding="utf-8")))
    unread = plan["unread"]["channel_assignment"]
    assert (unread["parents"], unread["parent_kind"]) == (2, "product") and unread["since"]
    assert plan["refresh"].startswith("targeted read: ")
    assert "; not re-read: channel assignments of 2 products (last listed " in plan["refresh"]
    for fmt in ("text", "markdown"):
        shown = run_cli("plan", "--catalog", catalog, "--refresh", "targeted", "--format", fmt)
        assert "not re-read: channel assignments of 2 products" in shown.stdout, shown.stdout

    full = run_cli("plan", "--catalog", catalog, "--refresh", "full", "--format", "json")
    seen = sorted((c["key"], c["action"]) for c in json.loads(full.stdout)["resource_changes"])
    assert seen == [("CT-NAT200@us-trade", "delete"), ("FX-PLUG6", "update")], seen

    catalog_files["store.yaml"] += "  targeted_undated: all\n"
    catalog = write_catalog(tmp_path, catalog_files)
    start = len(sandbox.requests())
    every = json.loads(run_cli("plan", "--catalog", catalog, "--refresh", "targeted", "--format", "json").stdout)
    assert every["refresh"].startswith("targeted read: ") and "not re-read" not in every["refresh"], every["refresh"]
    assert "unread" not in every and _listed(sandbox, start) >= 1
    assert sorted((c["key"], c["action"]) for c in every["resource_changes"]) == seen

    # A week after the last whole listing, a targeted plan lists them all again by itself.
    catalog_files["store.yaml"] = catalog_files["store.yaml"].replace("  targeted_undated: all\n", "")
    catalog = write_catalog(tmp_path, catalog_files)
    saved = json.loads(state.read_text(encoding="utf-8"))
    saved["baseline"]["undated_read_at"] = (datetime.now(timezone.utc) - timedelta(days=8)).isoformat()
    state.write_text(json.dumps(saved), encoding="utf-8")
    start = len(sandbox.requests())
    old = json.loads(run_cli("plan", "--catalog", catalog, "--refresh", "targeted", "--format", "json").stdout)
    assert old["refresh"].startswith("targeted read: ") and "unread" not in old and _listed(sandbox, start) >= 1
    assert sorted((c["key"], c["action"]) for c in old["resource_changes"]) == seen
