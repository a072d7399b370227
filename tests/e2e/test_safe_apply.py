"""Safe apply over real HTTP: stale saved plans, edited plan files, the journal and rollback."""

from __future__ import annotations

import json
from decimal import Decimal

from reconciler import apply_saved_plan, build_plan, load_desired, read_live
from reconciler.apply.journal import confirmed

from .conftest import write_catalog


def make_plan(client, catalog):
    desired = load_desired(catalog)
    return build_plan(desired, read_live(client, desired.store), store=client.transport.config.public()), desired


def product(client, sku):
    return client.get("/v3/catalog/products", {"sku": sku}).data["data"][0]


def test_skip_stale_applies_the_rest_and_reports_the_skipped(seeded, client, tmp_path, catalog_files):
    files = dict(catalog_files)
    files["products/cable-ties.yaml"] = files["products/cable-ties.yaml"].replace("price: 4.99", "price: 5.25")
    plan, desired = make_plan(client, write_catalog(tmp_path, files))
    client.put(f"/v3/catalog/products/{product(client, 'CT-BLK100')['id']}", {"price": 3.79})   # admin edit
    result = apply_saved_plan(plan, client, desired.store, skip_stale=True)
    assert [c.key for c, _ in result.skipped] == ["CT-BLK100"]
    assert "price was 3.49 when planned, now 3.79" in result.skipped[0][1]
    assert not result.failed and result.created == 2 and result.updated == 1
    assert product(client, "CT-NAT200")["price"] == Decimal("5.25")
    assert product(client, "CT-BLK100")["price"] == Decimal("3.79")   # the admin's edit stands


def test_a_plan_file_edited_by_hand_is_refused(seeded, run_cli, tmp_path, catalog_files):
    catalog = write_catalog(tmp_path, catalog_files)
    out = tmp_path / "plan.json"
    assert run_cli("plan", "--catalog", catalog, "--out", out).exit_code == 0
    data = json.loads(out.read_text())
    change = next(c for c in data["resource_changes"] if c["key"] == "CT-BLK100")
    change["after"]["price"] = {"$decimal": "0.01"}
    out.write_text(json.dumps(data, indent=2))
    refused = run_cli("apply", out, "--catalog", catalog)
    assert refused.exit_code == 1
    assert "plan file was changed after `catalog plan` wrote it" in refused.stderr


def test_journal_records_each_change_and_rollback_restores(seeded, run_cli, client, tmp_path, catalog_files):
    catalog = write_catalog(tmp_path, catalog_files)
    journals = tmp_path / "journal"
    before = {p["sku"]: p for p in client.list_all("/v3/catalog/products")}
    applied = run_cli("apply", "--catalog", catalog, "--auto-approve", "--journal-dir", journals)
    assert applied.exit_code == 0, applied.output
    [journal] = journals.glob("apply-*.jsonl")
    lines = [json.loads(x) for x in journal.read_text().splitlines()]
    assert lines[0]["event"] == "apply" and lines[-1]["event"] == "finished"
    done = confirmed(journal)
    assert sorted((r["action"], r["kind"], r["key"]) for r in done) == [
        ("create", "category", "Fixings/Wall Plugs"), ("create", "product", "FX-PLUG6"),
        ("update", "product", "CT-BLK100")]
    update = next(r for r in done if r["action"] == "update")
    assert update["before"] == {"price": Decimal("3.49")} and update["after"] == {"price": Decimal("3.99")}
    assert run_cli("-v", "plan", "--catalog", catalog).exit_code == 0
    assert seeded.token not in journal.read_text()

    out = tmp_path / "rollback.json"
    planned = run_cli("rollback", journal, "--out", out, "--catalog", catalog)
    assert planned.exit_code == 0, planned.output
    assert "Plan: 0 to create, 1 to update, 2 to delete." in planned.stdout
    undone = run_cli("apply", out, "--catalog", catalog, "--journal-dir", journals)
    assert undone.exit_code == 0, undone.output
    after = {p["sku"]: p for p in client.list_all("/v3/catalog/products")}
    assert set(after) == set(before)
    assert after["CT-BLK100"]["price"] == before["CT-BLK100"]["price"] == Decimal("3.49")
    names = [c["name"] for c in client.list_all("/v3/catalog/trees/categories")]
    assert "Wall Plugs" not in names
