"""A product's custom URL (``custom_url``, its storefront path): set, changed and left
unmanaged, an admin's edit as drift, a rollback, and the import of a store whose URLs
were partly set by hand, partly made by the store. Over HTTP to the sandbox."""

from __future__ import annotations

import requests

from .conftest import converge, plan_for, write_catalog

STORE = {"store.yaml": "store:\n  name: URL test\n"}


def product(url: str | None = None, sku: str = "CT-URL1", name: str = "Black Cable Ties 100mm") -> str:
    line = f"    custom_url: {url}\n" if url else ""
    return ("products:\n"
            f"  - sku: {sku}\n    name: {name}\n    type: physical\n    price: 3.49\n    weight: 0.1\n" + line)


def store_url(sandbox, sku: str) -> dict:
    r = requests.get(f"{sandbox.api_base}/v3/catalog/products", params={"sku": sku},
                     headers={"X-Auth-Token": sandbox.token}, timeout=10)
    return r.json()["data"][0]["custom_url"]


def test_set_change_and_leave_a_products_url(sandbox, client, tmp_path):
    sandbox.reset(data={})
    created = converge(client, write_catalog(tmp_path / "a", {**STORE, "products.yaml": product("/ties/black-100/")}))
    assert created.changes[0].after["custom_url"] == "/ties/black-100/"
    assert store_url(sandbox, "CT-URL1") == {"url": "/ties/black-100/", "is_customized": True}
    changed = converge(client, write_catalog(tmp_path / "b", {**STORE, "products.yaml": product("/ties/black-100mm/")}))
    [change] = changed.changes
    assert [(f.path, f.before, f.after) for f in change.changes] == [
        ("custom_url", "/ties/black-100/", "/ties/black-100mm/")]
    # Left out of the YAML: no longer managed, the store keeps it.
    plan, _ = plan_for(client, write_catalog(tmp_path / "c", {**STORE, "products.yaml": product()}))
    assert not plan.has_changes
    assert store_url(sandbox, "CT-URL1")["url"] == "/ties/black-100mm/"


def test_an_admins_url_edit_is_put_back(sandbox, client, tmp_path):
    sandbox.reset(data={})
    folder = write_catalog(tmp_path, {**STORE, "products.yaml": product("/ties/black/")})
    converge(client, folder)
    pid = requests.get(f"{sandbox.api_base}/v3/catalog/products", params={"sku": "CT-URL1"},
                       headers={"X-Auth-Token": sandbox.token}, timeout=10).json()["data"][0]["id"]
    r = requests.put(f"{sandbox.api_base}/v3/catalog/products/{pid}", headers={"X-Auth-Token": sandbox.token},
                     json={"custom_url": {"url": "/admin-moved-it/", "is_customized": True}}, timeout=10)
    assert r.status_code == 200, r.text
    plan = converge(client, folder)
    assert [(f.before, f.after) for f in plan.changes[0].changes] == [("/admin-moved-it/", "/ties/black/")]


def test_a_url_rollback_restores_the_old_path(sandbox, run_cli, tmp_path):
    sandbox.reset(data={})
    first = write_catalog(tmp_path / "a", {**STORE, "products.yaml": product("/old-path/")})
    assert run_cli("apply", "-c", first, "--auto-approve").exit_code == 0
    second = write_catalog(tmp_path / "b", {**STORE, "products.yaml": product("/new-path/")})
    done = run_cli("apply", "-c", second, "--auto-approve")
    assert done.exit_code == 0, done.output
    journal = sorted((tmp_path / "cwd/.catalog/journal").glob("*.jsonl"))[-1]
    assert run_cli("rollback", journal, "-c", second, "--out", "undo.json").exit_code == 0
    back = run_cli("apply", "undo.json", "-c", second)
    assert back.exit_code == 0, back.output
    assert store_url(sandbox, "CT-URL1")["url"] == "/old-path/"


def test_import_keeps_the_urls_set_by_hand_and_leaves_the_stores_own(sandbox, run_cli, tmp_path):
    sandbox.reset(data={})
    headers = {"X-Auth-Token": sandbox.token}
    base = {"type": "physical", "price": 2, "weight": 1}
    for body in ({"sku": "HAND-1", "name": "Set By Hand", "custom_url": {"url": "/hand/", "is_customized": True}},
                 {"sku": "AUTO-1", "name": "Named By Store"}):
        r = requests.post(f"{sandbox.api_base}/v3/catalog/products", json={**base, **body}, headers=headers, timeout=10)
        assert r.status_code == 200, r.text
    out = run_cli("import", "--out", tmp_path / "imported")
    assert out.exit_code == 0, out.output
    text = "".join(p.read_text() for p in (tmp_path / "imported").rglob("*.yaml"))
    assert "custom_url: /hand/" in text
    assert store_url(sandbox, "AUTO-1")["url"] not in text     # the store's own path: not managed
    plan = run_cli("plan", "-c", tmp_path / "imported", "--detailed-exitcode")
    assert plan.exit_code == 0 and "No changes" in plan.output, plan.output
