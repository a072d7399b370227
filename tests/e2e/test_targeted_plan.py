"""`catalog plan --refresh targeted` (issue 16) end to end over HTTP: a full read, and why,
until an apply recorded a baseline; then only what the catalog and the store changed, with
the one line saying so; another writer's delete sends it back to a full read."""

from __future__ import annotations

import json

import requests

from .conftest import write_catalog


def _line(result) -> str:
    return next((line for line in result.stdout.splitlines() if line.startswith("Store read: ")), "")


def _delete(sandbox, sku: str) -> None:
    headers = {"X-Auth-Token": sandbox.token, "Accept": "application/json"}
    base = sandbox.api_base + "/v3/catalog/products"
    row = requests.get(base, params={"sku": sku}, headers=headers, timeout=10).json()["data"][0]
    assert requests.delete(f"{base}/{row['id']}", headers=headers, timeout=10).status_code == 204


def test_targeted_plan_reads_what_changed_and_says_so(seeded, sandbox, run_cli, tmp_path, catalog_files):
    catalog = write_catalog(tmp_path, catalog_files)
    first = run_cli("plan", "--catalog", catalog, "--refresh", "targeted")
    assert first.exit_code == 0, first.output
    assert _line(first) == "Store read: full read: no last-applied state", first.stdout
    assert run_cli("apply", "--catalog", catalog, "--auto-approve").exit_code == 0

    catalog_files["products/fixings.yaml"] = catalog_files["products/fixings.yaml"].replace("2.49", "2.79")
    catalog = write_catalog(tmp_path, catalog_files)
    start = len(sandbox.requests())
    made = run_cli("plan", "--catalog", catalog, "--refresh", "targeted", "--format", "json")
    assert made.exit_code == 0, made.output
    plan = json.loads(made.stdout)
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
