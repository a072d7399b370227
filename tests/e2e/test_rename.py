"""Rename in place (issue 14, finding 7), over real HTTP to the sandbox: ``renamed_from``
on a product, a variant, a price list or a customer group plans ONE update of the key
field on the store's object (same id; inventory and ``date_created`` kept), shown as a
rename in the text, markdown and JSON plans; what the store keys by the old name (a
product's options, a list's records and assignments, the records naming a SKU) follows.
Once applied the plan is empty with or without the declaration. Both keys in the store,
or the old key declared as an object of its own: a FILE:LINE:COL diagnostic."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
import yaml

from reconciler import apply_saved_plan, build_plan, load_desired, read_live
from reconciler.core.errors import DesiredStateError
from reconciler.plan.render_json import render_json
from reconciler.plan.render_markdown import render_markdown
from reconciler.plan.render_text import render_text

from .test_prices import products, seed, trade_list, variant_skus, write

GROUPS = ({"name": "Retail", "is_default": True}, {"name": "Trade"}, {"name": "Staff"})


def plan_for(client, folder):
    desired = load_desired(folder)
    return build_plan(desired, read_live(client, desired.store)), desired


def changes(plan) -> list[tuple]:
    return [(c.action.verb, str(c.address), [(f.path, f.before, f.after) for f in c.changes]) for c in plan.changes]


def apply(sandbox, client, folder):
    """Plan and apply; the plan and the writes it sent."""
    plan, desired = plan_for(client, folder)
    start = len(sandbox.requests())
    result = apply_saved_plan(plan, client, desired.store)
    assert not result.failed, [(o.change.address, o.message) for o in result.failed]
    return plan, [(r["method"], r["route"]) for r in sandbox.requests()[start:] if r["method"] != "GET"]


def store(sandbox, tmp_path):
    """One product with three variants, each priced on the Trade GBP list (assigned to Trade)."""
    items = products(1)
    listed = trade_list(variant_skus(items))
    stored = [{**p, "inventory_level": 40, "inventory_tracking": "product"} for p in items]
    sandbox.reset(data=seed(stored, [listed], groups=[{**g, "id": i + 1} for i, g in enumerate(GROUPS)]))
    return items, listed


def catalog(tmp_path, items, listed, groups=GROUPS):
    return write(tmp_path, items, [listed], groups=groups)


def product_row(client, sku: str) -> dict | None:
    rows = client.get("/v3/catalog/products", params={"sku": sku, "include": "variants"}).data["data"]
    return rows[0] if rows else None


def without(items: list[dict], field: str) -> list[dict]:
    return [{k: v for k, v in p.items() if k != field} for p in items]


def test_a_product_sku_renamed_in_place_keeps_its_id_inventory_and_date_created(sandbox, client, tmp_path):
    items, listed = store(sandbox, tmp_path)
    before = product_row(client, "CT-P000")
    renamed = [{**items[0], "sku": "CT-Q000", "renamed_from": "CT-P000"}]
    folder = catalog(tmp_path, renamed, listed)
    plan, writes = apply(sandbox, client, folder)
    assert changes(plan) == [("update", "product['CT-P000']", [("sku", "CT-P000", "CT-Q000")])]
    assert plan.changes[0].reason == "renamed"
    assert writes == [("PUT", "/v3/catalog/products")]
    after = product_row(client, "CT-Q000")
    assert (after["id"], after["inventory_level"], after["date_created"]) == (
        before["id"], 40, before["date_created"])
    assert product_row(client, "CT-P000") is None
    assert sorted(v["sku"] for v in after["variants"]) == sorted(v["sku"] for v in before["variants"])
    assert changes(plan_for(client, folder)[0]) == []
    folder = catalog(tmp_path, without(renamed, "renamed_from"), listed)
    assert changes(plan_for(client, folder)[0]) == []


def test_a_variant_sku_renamed_in_place_keeps_its_id_and_its_price_record(sandbox, client, tmp_path):
    items, listed = store(sandbox, tmp_path)
    before = {v["sku"]: v["id"] for v in product_row(client, "CT-P000")["variants"]}
    variants = [{**v, "sku": "CT-P000-W25", "renamed_from": v["sku"]} if v["sku"] == "CT-P000-2.5" else v
                for v in items[0]["variants"]]
    records = [{**r, "sku": "CT-P000-W25"} if r["sku"] == "CT-P000-2.5" else r for r in listed["records"]]
    folder = catalog(tmp_path, [{**items[0], "variants": variants}], {**listed, "records": records})
    plan, writes = apply(sandbox, client, folder)
    assert changes(plan) == [("update", "variant['CT-P000-2.5']", [("sku", "CT-P000-2.5", "CT-P000-W25")])]
    assert writes == [("PUT", "/v3/catalog/variants")]
    now = {v["sku"]: v["id"] for v in product_row(client, "CT-P000")["variants"]}
    assert now["CT-P000-W25"] == before["CT-P000-2.5"] and "CT-P000-2.5" not in now
    list_id = client.list_all("/v3/pricelists")[0]["id"]
    skus = sorted(r["sku"] for r in client.list_all(f"/v3/pricelists/{list_id}/records", params={"include": "sku"}))
    assert skus == ["CT-P000-3.6", "CT-P000-4.8", "CT-P000-W25"]
    assert changes(plan_for(client, folder)[0]) == []


def test_a_price_list_renamed_in_place_keeps_its_records_and_assignments(sandbox, client, tmp_path):
    items, listed = store(sandbox, tmp_path)
    before = client.list_all("/v3/pricelists")[0]
    assignments = sorted(a["id"] for a in client.list_all("/v3/pricelists/assignments"))
    folder = catalog(tmp_path, items, {**listed, "name": "Trade Sterling", "renamed_from": "Trade GBP"})
    plan, writes = apply(sandbox, client, folder)
    assert changes(plan) == [("update", "price_list['Trade GBP']", [("name", "Trade GBP", "Trade Sterling")])]
    assert writes == [("PUT", "/v3/pricelists/{id}")]
    lists = client.list_all("/v3/pricelists")
    assert [(pl["id"], pl["name"]) for pl in lists] == [(before["id"], "Trade Sterling")]
    assert len(client.list_all(f"/v3/pricelists/{before['id']}/records")) == 3
    assert sorted(a["id"] for a in client.list_all("/v3/pricelists/assignments")) == assignments
    assert changes(plan_for(client, folder)[0]) == []
    folder = catalog(tmp_path, items, {**listed, "name": "Trade Sterling"})
    assert changes(plan_for(client, folder)[0]) == []


def test_a_customer_group_renamed_in_place_keeps_its_id(sandbox, client, tmp_path):
    items, listed = store(sandbox, tmp_path)
    staff = [g for g in client.get("/v2/customer_groups").data if g["name"] == "Staff"][0]
    groups = (GROUPS[0], GROUPS[1], {"name": "Staff Members", "renamed_from": "Staff"})
    folder = catalog(tmp_path, items, listed, groups=groups)
    plan, writes = apply(sandbox, client, folder)
    assert changes(plan) == [("update", "customer_group['Staff']", [("name", "Staff", "Staff Members")])]
    assert writes == [("PUT", "/v2/customer_groups/{id}")]
    names = {g["id"]: g["name"] for g in client.get("/v2/customer_groups").data}
    assert names[staff["id"]] == "Staff Members" and "Staff" not in names.values()
    assert changes(plan_for(client, folder)[0]) == []


def test_every_plan_format_shows_the_rename(sandbox, client, tmp_path):
    items, listed = store(sandbox, tmp_path)
    folder = catalog(tmp_path, [{**items[0], "sku": "CT-Q000", "renamed_from": "CT-P000"}], listed)
    plan, _ = plan_for(client, folder)
    assert '~ product "CT-Q000" (renamed from "CT-P000")' in render_text(plan)
    assert "`CT-Q000` (renamed from `CT-P000`)" in render_markdown(plan)
    (change,) = json.loads(render_json(plan))["resource_changes"]
    assert (change["action"], change["reason"], change["key"]) == ("update", "renamed", "CT-P000")
    assert change["changes"] == [{"path": "sku", "before": "CT-P000", "after": "CT-Q000"}]


def test_a_variant_rename_is_shown_under_its_product(sandbox, client, tmp_path):
    items, listed = store(sandbox, tmp_path)
    variants = [{**v, "sku": "CT-P000-W25", "renamed_from": v["sku"]} if v["sku"] == "CT-P000-2.5" else v
                for v in items[0]["variants"]]
    records = [{**r, "sku": "CT-P000-W25"} if r["sku"] == "CT-P000-2.5" else r for r in listed["records"]]
    folder = catalog(tmp_path, [{**items[0], "variants": variants}], {**listed, "records": records})
    plan, _ = plan_for(client, folder)
    assert 'variant "CT-P000-W25" (renamed from "CT-P000-2.5")' in render_text(plan)
    assert "`CT-P000-W25` (renamed from `CT-P000-2.5`)" in render_markdown(plan)


def diagnostics(client, folder) -> list[str]:
    with pytest.raises(DesiredStateError) as info:
        plan_for(client, folder)
    return [str(d) for d in info.value.diagnostics]


def test_a_rename_with_both_keys_in_the_store_is_a_diagnostic_at_renamed_from(sandbox, client, tmp_path):
    items, listed = store(sandbox, tmp_path)
    folder = catalog(tmp_path, items, listed, groups=(GROUPS[0], {"name": "Trade", "renamed_from": "Staff"}))
    (message,) = diagnostics(client, folder)
    line = [i for i, t in enumerate((folder / "groups.yaml").read_text().splitlines(), 1) if "renamed_from" in t][0]
    assert message.startswith(f"{folder / 'groups.yaml'}:{line}:")
    assert "the store has both" in message


def test_a_rename_from_a_key_the_catalog_also_declares_is_a_diagnostic(sandbox, client, tmp_path):
    items, listed = store(sandbox, tmp_path)
    copy = {**items[0], "sku": "CT-Q000", "name": "Cable Ties copy", "renamed_from": "CT-P000",
            "variants": [{**v, "sku": v["sku"].replace("P", "Q")} for v in items[0]["variants"]]}
    folder = catalog(tmp_path, [items[0], copy], listed)
    messages = diagnostics(client, folder)
    assert any("products.yaml:" in m and "also declares" in m for m in messages), messages


def test_a_group_renamed_in_place_keeps_its_price_list_assignments(sandbox, client, tmp_path):
    items, listed = store(sandbox, tmp_path)
    assignments = sorted(a["id"] for a in client.list_all("/v3/pricelists/assignments"))
    groups = (GROUPS[0], {"name": "Trade Partners", "renamed_from": "Trade"}, GROUPS[2])
    moved = {**listed, "assignments": [{**a, "customer_group": "Trade Partners"} for a in listed["assignments"]]}
    folder = catalog(tmp_path, items, moved, groups=groups)
    plan, writes = apply(sandbox, client, folder)
    assert changes(plan) == [("update", "customer_group['Trade']", [("name", "Trade", "Trade Partners")])]
    assert writes == [("PUT", "/v2/customer_groups/{id}")]
    assert sorted(a["id"] for a in client.list_all("/v3/pricelists/assignments")) == assignments
    assert changes(plan_for(client, folder)[0]) == []


def test_renames_with_other_changes_in_one_plan_apply_and_converge(sandbox, client, tmp_path):
    """A renamed product, a renamed variant and its record with new prices, a renamed list:
    each change is addressed as the store has it; the record is written under its new SKU."""
    items, listed = store(sandbox, tmp_path)
    variants = [{**v, "sku": "CT-P000-W25", "renamed_from": v["sku"], "price": 2.5} if v["sku"] == "CT-P000-2.5"
                else v for v in items[0]["variants"]]
    records = [{**r, "sku": "CT-P000-W25", "price": 1.7} if r["sku"] == "CT-P000-2.5" else r
               for r in listed["records"]]
    product = {**items[0], "sku": "CT-Q000", "renamed_from": "CT-P000", "price": 2.2, "variants": variants}
    renamed_list = {**listed, "name": "Trade Sterling", "renamed_from": "Trade GBP", "records": records}
    folder = catalog(tmp_path, [product], renamed_list)
    plan, writes = apply(sandbox, client, folder)
    assert changes(plan) == [
        ("update", "product['CT-P000']", [("sku", "CT-P000", "CT-Q000"), ("price", 2, Decimal("2.2"))]),
        ("update", "variant['CT-P000-2.5']", [("sku", "CT-P000-2.5", "CT-P000-W25"), ("price", 2, Decimal("2.5"))]),
        ("update", "price_list['Trade GBP']", [("name", "Trade GBP", "Trade Sterling")]),
        ("update", "price_record['Trade GBP:CT-P000-2.5:GBP']", [("price", Decimal("1.6"), Decimal("1.7"))]),
    ]
    assert sorted(writes) == [("PUT", "/v3/catalog/products"), ("PUT", "/v3/catalog/variants"),
                              ("PUT", "/v3/pricelists/{id}"), ("PUT", "/v3/pricelists/{id}/records")]
    list_id = client.list_all("/v3/pricelists")[0]["id"]
    prices = {r["sku"]: r["price"] for r in client.list_all(f"/v3/pricelists/{list_id}/records",
                                                             params={"include": "sku"})}
    assert prices["CT-P000-W25"] == Decimal("1.7")
    assert changes(plan_for(client, folder)[0]) == []
