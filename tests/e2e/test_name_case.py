"""Names the store keeps unique without case (issue 11, finding 3), over real HTTP to the
sandbox: a customer group, price list, brand or category written in another case than
the store's is the same object. The plan is ONE update of its name, apply makes the
store spell it as the YAML does, nothing that refers to it is deleted or re-created,
and the next plan says "No changes"."""

from __future__ import annotations

import yaml

from reconciler import apply_saved_plan, build_plan, load_desired, read_live
from reconciler.plan.model import Action

from .test_prices import STORE, products, seed, trade_list, variant_skus
from .test_prices import write as write_prices

GROUPS = ({"name": "Retail", "is_default": True}, {"name": "Trade"})
ASSIGNED = [{"customer_group": "Trade", "channel": "uk-main"}, {"customer_group": "Trade", "channel": "us-trade"}]


def plan_for(client, folder):
    desired = load_desired(folder)
    return build_plan(desired, read_live(client, desired.store)), desired


def changes(plan) -> list[tuple]:
    return [(c.action.verb, c.address, [(f.path, f.before, f.after) for f in c.changes]) for c in plan.changes]


def converge(sandbox, client, folder):
    """Apply the plan; the writes it sent; the next plan must be empty."""
    plan, desired = plan_for(client, folder)
    start = len(sandbox.requests())
    result = apply_saved_plan(plan, client, desired.store)
    assert not result.failed, [(o.change.address, o.message) for o in result.failed]
    writes = [(r["method"], r["route"]) for r in sandbox.requests()[start:] if r["method"] != "GET"]
    again, _ = plan_for(client, folder)
    assert changes(again) == []
    return plan, writes


def priced_store(sandbox, tmp_path, *, list_name="Trade GBP", groups=GROUPS, assigned_to="Trade"):
    items = products(1)
    stored = {**trade_list(variant_skus(items)), "assignments": ASSIGNED}
    sandbox.reset(data=seed(items, [stored]))
    wanted = {**stored, "name": list_name,
              "assignments": [{**a, "customer_group": assigned_to} for a in ASSIGNED]}
    return write_prices(tmp_path, items, [wanted], groups=groups)


def assignment_ids(client) -> list[int]:
    return sorted(a["id"] for a in client.list_all("/v3/pricelists/assignments"))


def test_a_group_written_in_upper_case_is_renamed_once_and_its_assignments_stay(sandbox, client, tmp_path):
    folder = priced_store(sandbox, tmp_path, groups=(GROUPS[0], {"name": "TRADE"}), assigned_to="TRADE")
    before = assignment_ids(client)
    plan, writes = converge(sandbox, client, folder)
    assert changes(plan) == [("update", "customer_group['TRADE']", [("name", "Trade", "TRADE")])]
    assert writes == [("PUT", "/v2/customer_groups/{id}")]
    assert [g["name"] for g in client.get("/v2/customer_groups").data] == ["Retail", "TRADE"]
    assert assignment_ids(client) == before


def test_a_price_list_written_in_another_case_is_renamed_once(sandbox, client, tmp_path):
    folder = priced_store(sandbox, tmp_path, list_name="TRADE gbp")
    before = assignment_ids(client)
    plan, writes = converge(sandbox, client, folder)
    assert changes(plan) == [("update", "price_list['TRADE gbp']", [("name", "Trade GBP", "TRADE gbp")])]
    assert writes == [("PUT", "/v3/pricelists/{id}")]
    assert [p["name"] for p in client.list_all("/v3/pricelists")] == ["TRADE gbp"]
    assert assignment_ids(client) == before


def test_a_brand_and_a_category_written_in_another_case_are_renamed_once(sandbox, client, tmp_path):
    sandbox.reset(seed=None, data={
        "brands": [{"name": "GTSE Pro"}], "categories": [{"path": "Tools"}, {"path": "Tools/Drills"}],
        "products": [{"sku": "DR-1", "name": "Drill", "type": "physical", "price": 50, "weight": 1,
                      "brand": "GTSE Pro", "categories": ["Tools/Drills"]}]})
    folder = tmp_path / "catalog"
    folder.mkdir()
    (folder / "store.yaml").write_text(yaml.safe_dump(STORE, sort_keys=False))
    (folder / "catalog.yaml").write_text(yaml.safe_dump({
        "brands": [{"name": "GTSE PRO"}],
        "categories": [{"path": "Tools"}, {"path": "Tools/DRILLS"}],
        "products": [{"sku": "DR-1", "name": "Drill", "type": "physical", "price": 50, "weight": 1,
                      "brand": "gtse pro", "categories": ["tools/drills"]}]}, sort_keys=False))
    plan, writes = converge(sandbox, client, folder)
    assert changes(plan) == [
        ("update", "brand['GTSE PRO']", [("name", "GTSE Pro", "GTSE PRO")]),
        ("update", "category['Tools/DRILLS']", [("path", "Tools/Drills", "Tools/DRILLS")]),
    ]
    assert sorted(writes) == [("PUT", "/v3/catalog/brands/{id}"), ("PUT", "/v3/catalog/trees/categories")]
    assert [b["name"] for b in client.list_all("/v3/catalog/brands")] == ["GTSE PRO"]
    assert sorted(c["path"] for c in sandbox.dump()["categories"]) == ["Tools", "Tools/DRILLS"]
    assert all(c.action is Action.UPDATE for c in plan.changes)


STAFF = {"name": "Staff", "category_access": {"type": "specific", "categories": ["Tools"]},
         "discount_rules": [{"type": "category", "category": "Tools", "method": "percent", "amount": 5},
                            {"type": "product", "product": "DR-1", "method": "percent", "amount": 10}]}


def group_store(sandbox, tmp_path, staff: dict):
    sandbox.reset(seed=None, data={
        "categories": [{"path": "Tools"}],
        "products": [{"sku": "DR-1", "name": "Drill", "type": "physical", "price": 50, "weight": 1}],
        "customer_groups": [{"name": "Retail", "is_default": True}, STAFF]})
    folder = tmp_path / "catalog"
    folder.mkdir()
    (folder / "store.yaml").write_text(yaml.safe_dump(STORE, sort_keys=False))
    (folder / "catalog.yaml").write_text(yaml.safe_dump({
        "categories": [{"path": "Tools"}],
        "products": [{"sku": "DR-1", "name": "Drill", "type": "physical", "price": 50, "weight": 1}],
        "customer_groups": [{"name": "Retail", "is_default": True}, staff]}, sort_keys=False))
    return folder


def lower_refs(amount: float = 5) -> dict:
    return {"name": "Staff", "category_access": {"type": "specific", "categories": ["tools"]},
            "discount_rules": [{"type": "category", "category": "tools", "method": "percent", "amount": amount},
                               {"type": "product", "product": "dr-1", "method": "percent", "amount": 10}]}


def test_a_groups_rules_naming_a_category_and_a_product_in_another_case_are_in_sync(sandbox, client, tmp_path):
    folder = group_store(sandbox, tmp_path, lower_refs())
    assert changes(plan_for(client, folder)[0]) == []


def test_a_rule_change_written_with_references_in_another_case_applies_and_converges(sandbox, client, tmp_path):
    folder = group_store(sandbox, tmp_path, lower_refs(amount=7.5))
    plan, writes = converge(sandbox, client, folder)
    assert [(verb, address, [f[0] for f in fields]) for verb, address, fields in changes(plan)] == [
        ("update", "customer_group['Staff']", ["discount_rules"])]
    assert writes == [("PUT", "/v2/customer_groups/{id}")]


def test_a_custom_field_name_written_in_another_case_is_renamed_once(sandbox, client, tmp_path):
    drill = {"sku": "DR-1", "name": "Drill", "type": "physical", "price": 50, "weight": 1}
    sandbox.reset(seed=None, data={"products": [{**drill, "custom_fields": [{"name": "Material", "value": "Steel"}]}]})
    folder = tmp_path / "catalog"
    folder.mkdir()
    (folder / "store.yaml").write_text(yaml.safe_dump(STORE, sort_keys=False))
    (folder / "catalog.yaml").write_text(yaml.safe_dump(
        {"products": [{**drill, "custom_fields": {"MATERIAL": "Steel"}}]}, sort_keys=False))
    plan, writes = converge(sandbox, client, folder)
    assert changes(plan) == [("update", "custom_field['DR-1/MATERIAL']", [("name", "Material", "MATERIAL")])]
    assert writes == [("PUT", "/v3/catalog/products/{id}/custom-fields/{custom_field_id}")]


def test_option_names_and_values_written_in_another_case_keep_the_variants(sandbox, client, tmp_path):
    """Option names are unique on a product and value labels in an option without case
    (the sandbox's stricter reading of VO's 409): ``WIDTH: 2.5MM`` is the store's
    ``Width: 2.5mm``, so its variants are not deleted and re-created (the plan did so on
    every apply, and the option update met the store's duplicate-label 422)."""
    ties = {"sku": "CT-1", "name": "Ties", "type": "physical", "price": 2, "weight": 0.1,
            "variants": [{"sku": "CT-1-25", "options": {"Width": "2.5mm"}},
                         {"sku": "CT-1-36", "options": {"Width": "3.6mm"}}]}
    sandbox.reset(seed=None, data={"products": [ties]})
    folder = tmp_path / "catalog"
    folder.mkdir()
    (folder / "store.yaml").write_text(yaml.safe_dump(STORE, sort_keys=False))
    (folder / "catalog.yaml").write_text(yaml.safe_dump({"products": [{
        **ties, "options": {"WIDTH": ["2.5MM", "3.6mm"]},
        "variants": [{"sku": "CT-1-25", "options": {"WIDTH": "2.5MM"}},
                     {"sku": "CT-1-36", "options": {"WIDTH": "3.6mm"}}]}]}, sort_keys=False))
    assert changes(plan_for(client, folder)[0]) == []
