"""Product bulk pricing rules (resources/bulk_pricing_rule.py) over real HTTP to the sandbox:
create, update and removal converge (plan -> apply -> plan "No changes") on an existing
product and inside a new product's POST; a store built by plain API calls imports clean;
an admin's edit is drift that apply restores; rollback restores the rules an apply changed;
the desired checks (overlap, below cost) stop a catalog before any API call."""

from __future__ import annotations

import copy
import json
from decimal import Decimal

import pytest
import requests
import yaml

from reconciler import apply_saved_plan, build_plan, load_desired, read_live
from reconciler.core.errors import DesiredStateError
from reconciler.importer import import_catalog, read_store_settings
from reconciler.plan.model import Action

from .test_variants import STORE, as_seed, changes, converge, plan_for, write

D = Decimal
KIND = "bulk_pricing_rule"


def ties(sku: str = "CT-BLK100", **extra) -> dict:
    return {"sku": sku, "name": f"Cable Ties {sku}", "type": "physical", "price": 10, "cost_price": 4,
            "weight": 0.05, "categories": ["Cable Ties"], "channels": ["uk-main"], **extra}


RULES = [{"quantity_min": 10, "quantity_max": 49, "type": "percent", "amount": 5},
         {"quantity_min": 50, "type": "price", "amount": 1.5}]


class Admin:
    """Someone editing the store by hand, over the API (not our client)."""

    def __init__(self, sandbox):
        self.base, self.headers = sandbox.api_base, {"X-Auth-Token": sandbox.token}

    def call(self, method: str, path: str, body=None):
        r = requests.request(method, self.base + path, json=body, headers=self.headers, timeout=10)
        assert r.status_code < 300, (method, path, r.status_code, r.text)
        return r.json().get("data") if r.content else None

    def pid(self, sku: str) -> int:
        return self.call("GET", f"/v3/catalog/products?sku={sku}")[0]["id"]

    def rules(self, sku: str) -> list[dict]:
        rows = self.call("GET", f"/v3/catalog/products/{self.pid(sku)}/bulk-pricing-rules")
        return sorted(({k: v for k, v in r.items() if k != "id"} for r in rows), key=lambda r: r["quantity_min"])


def store_rules(sandbox, sku: str) -> list[dict]:
    return Admin(sandbox).rules(sku)


def rule_writes(sandbox) -> list[tuple[str, str]]:
    return [(r["method"], r["path"]) for r in sandbox.requests()
            if "bulk-pricing-rules" in r["path"] and r["method"] != "GET"]


@pytest.fixture
def one_product(sandbox):
    sandbox.reset(data=as_seed([ties()]))


def test_rules_on_an_existing_product_are_created_updated_and_removed(sandbox, client, tmp_path, one_product):
    folder = write(tmp_path, [ties(bulk_pricing_rules=RULES)])
    plan, desired = plan_for(client, folder)
    assert changes(plan) == [
        ("create", KIND, "CT-BLK100/10+", ("amount", "quantity_max", "quantity_min", "type")),
        ("create", KIND, "CT-BLK100/50+", ("amount", "quantity_max", "quantity_min", "type"))]
    converge(client, folder, plan, desired)
    assert store_rules(sandbox, "CT-BLK100") == [
        {"quantity_min": 10, "quantity_max": 49, "type": "percent", "amount": 5},
        {"quantity_min": 50, "quantity_max": 0, "type": "price", "amount": 1.5}]

    changed = [{"quantity_min": 10, "type": "percent", "amount": 7.5},                # no maximum now
               {"quantity_min": 5, "quantity_max": 9, "type": "fixed", "amount": 9.25}]
    folder = write(tmp_path, [ties(bulk_pricing_rules=changed)])
    plan, desired = plan_for(client, folder)
    every = ("amount", "quantity_max", "quantity_min", "type")
    assert changes(plan) == [("create", KIND, "CT-BLK100/10+", every), ("create", KIND, "CT-BLK100/5+", every),
                             ("delete", KIND, "CT-BLK100/10+", every), ("delete", KIND, "CT-BLK100/50+", every)]
    assert {c.reason for c in plan.changes if c.key == "CT-BLK100/10+"} == {"replace:quantity_max"}
    converge(client, folder, plan, desired)
    assert store_rules(sandbox, "CT-BLK100") == [
        {"quantity_min": 5, "quantity_max": 9, "type": "fixed", "amount": 9.25},
        {"quantity_min": 10, "quantity_max": 0, "type": "percent", "amount": 7.5}]

    folder = write(tmp_path, [ties(bulk_pricing_rules=[])])
    plan, desired = plan_for(client, folder)
    assert [(c.action.verb, c.key) for c in plan.changes] == [("delete", "CT-BLK100/10+"), ("delete", "CT-BLK100/5+")]
    converge(client, folder, plan, desired)
    assert store_rules(sandbox, "CT-BLK100") == []


def test_rules_left_out_of_the_yaml_are_not_managed(sandbox, client, tmp_path, one_product):
    converge(client, *_planned(client, write(tmp_path, [ties(bulk_pricing_rules=RULES)])))
    folder = write(tmp_path, [ties()])
    plan, _ = plan_for(client, folder)
    assert not plan.has_changes, changes(plan)


def _planned(client, folder):
    plan, desired = plan_for(client, folder)
    return folder, plan, desired


def test_a_new_products_rules_ride_in_its_post(sandbox, client, tmp_path):
    sandbox.reset(data=as_seed([]))
    folder = write(tmp_path, [ties("CT-NEW1", bulk_pricing_rules=RULES)])
    plan, desired = plan_for(client, folder)
    rules = [c for c in plan.changes if c.kind == KIND]
    assert [(c.action, c.key, c.reason) for c in rules] == [
        (Action.CREATE, "CT-NEW1/10+", "with_new_product"), (Action.CREATE, "CT-NEW1/50+", "with_new_product")]
    product = next(c for c in plan.changes if c.kind == "product")
    assert "bulk_pricing_rules" not in product.after
    converge(client, folder, plan, desired)
    assert rule_writes(sandbox) == []                       # no request of their own
    post = next(r for r in sandbox.requests() if r["method"] == "POST" and r["path"].endswith("/catalog/products"))
    assert json.loads(post["body"])["bulk_pricing_rules"] == [
        {"quantity_min": 10, "quantity_max": 49, "type": "percent", "amount": 5},
        {"quantity_min": 50, "quantity_max": 0, "type": "price", "amount": 1.5}]
    assert len(store_rules(sandbox, "CT-NEW1")) == 2


def test_a_store_built_by_hand_imports_to_no_changes(sandbox, client, tmp_path):
    sandbox.reset(data=as_seed([]))
    admin = Admin(sandbox)
    cat = admin.call("GET", "/v3/catalog/trees/categories?name=Cable Ties")[0]
    body = {"sku": "CT-HAND", "name": "Hand-made ties", "type": "physical", "price": 10, "cost_price": 9,
            "weight": 1, "categories": [cat["category_id"]]}
    pid = admin.call("POST", "/v3/catalog/products", body)["id"]
    for rule in ({"quantity_min": 100, "quantity_max": 0, "type": "price", "amount": 2},      # 8.00 < cost 9
                 {"quantity_min": 20, "quantity_max": 99, "type": "percent", "amount": 2.5},
                 {"quantity_min": 2, "quantity_max": 19, "type": "fixed", "amount": "9.75"}):
        admin.call("POST", f"/v3/catalog/products/{pid}/bulk-pricing-rules", rule)
    settings = read_store_settings(client)
    summary = import_catalog(read_live(client, settings), settings, tmp_path / "catalog")
    assert summary.counts[KIND] == 3
    text = (tmp_path / "catalog/products/cable-ties.yaml").read_text(encoding="utf-8")
    doc = yaml.safe_load(text)["products"][0]
    assert doc["bulk_pricing_rules"] == [
        {"quantity_min": 2, "quantity_max": 19, "type": "fixed", "amount": 9.75},
        {"quantity_min": 20, "quantity_max": 99, "type": "percent", "amount": 2.5},
        {"quantity_min": 100, "type": "price", "amount": 2}]
    assert doc["acknowledge"] == ["below_cost"]          # the 100+ rule sells at 8.00, below cost 9
    plan, _ = plan_for(client, tmp_path / "catalog")
    assert not plan.has_changes, changes(plan)


def test_an_admin_edit_is_drift_and_apply_restores_it(sandbox, client, tmp_path, one_product):
    folder = write(tmp_path, [ties(bulk_pricing_rules=RULES)])
    converge(client, *_planned(client, folder))
    admin = Admin(sandbox)
    pid = admin.pid("CT-BLK100")
    rule = next(r for r in admin.call("GET", f"/v3/catalog/products/{pid}/bulk-pricing-rules")
                if r["quantity_min"] == 10)
    admin.call("PUT", f"/v3/catalog/products/{pid}/bulk-pricing-rules/{rule['id']}", {"amount": 40})
    admin.call("POST", f"/v3/catalog/products/{pid}/bulk-pricing-rules",
               {"quantity_min": 2, "quantity_max": 9, "type": "price", "amount": 0.5})
    plan, desired = plan_for(client, folder)
    found = {(c.action.verb, c.key): c for c in plan.changes if c.action is not Action.NOOP}
    assert sorted(found) == [("delete", "CT-BLK100/2+"), ("update", "CT-BLK100/10+")]
    update = found[("update", "CT-BLK100/10+")]
    assert [(f.path, f.before, f.after) for f in update.changes] == [("amount", D("40"), 5)]
    converge(client, folder, plan, desired)
    assert store_rules(sandbox, "CT-BLK100")[0] == {"quantity_min": 10, "quantity_max": 49, "type": "percent",
                                                     "amount": 5}


def test_rollback_restores_the_rules_an_apply_changed(sandbox, run_cli, tmp_path, one_product):
    folder = write(tmp_path, [ties(bulk_pricing_rules=RULES)])
    first = run_cli("apply", "-c", folder, "--auto-approve")
    assert first.exit_code == 0, first.output
    before = store_rules(sandbox, "CT-BLK100")
    changed = [{"quantity_min": 10, "quantity_max": 19, "type": "percent", "amount": 6},
               {"quantity_min": 20, "type": "fixed", "amount": 8}]
    folder = write(tmp_path, [ties(bulk_pricing_rules=changed)])
    journals = set((tmp_path / "cwd/.catalog/journal").glob("*.jsonl"))
    second = run_cli("apply", "-c", folder, "--auto-approve")
    assert second.exit_code == 0, second.output
    assert store_rules(sandbox, "CT-BLK100") != before
    journal = next(iter(set((tmp_path / "cwd/.catalog/journal").glob("*.jsonl")) - journals))
    undo = run_cli("rollback", journal, "-c", folder, "--out", "undo.json")
    assert undo.exit_code == 0, undo.output
    done = run_cli("apply", "undo.json", "-c", folder)
    assert done.exit_code == 0, done.output
    assert store_rules(sandbox, "CT-BLK100") == before


# -- desired checks: before any API call -------------------------------------------------------------

def _refused(sandbox, tmp_path, product) -> list[str]:
    folder = write(tmp_path, [product])
    start = len(sandbox.requests())
    with pytest.raises(DesiredStateError) as err:
        load_desired(folder)
    assert len(sandbox.requests()) == start
    return [str(d) for d in err.value.diagnostics]


def test_overlapping_ranges_are_a_diagnostic_at_the_rule(sandbox, tmp_path):
    rules = [{"quantity_min": 10, "quantity_max": 49, "type": "percent", "amount": 5},
             {"quantity_min": 40, "type": "percent", "amount": 10}]
    found = _refused(sandbox, tmp_path, ties(bulk_pricing_rules=rules))
    assert found == [_at(tmp_path, "40", "product 'CT-BLK100': bulk_pricing_rules[1]: quantities 40–any overlap "
                                         "bulk_pricing_rules[0] (10–49); a quantity may match one rule only")]


def test_a_rule_below_cost_is_a_diagnostic_unless_acknowledged(sandbox, client, tmp_path, one_product):
    rules = [{"quantity_min": 10, "quantity_max": 49, "type": "percent", "amount": 70},   # 3.00 < 4
             {"quantity_min": 50, "quantity_max": 99, "type": "price", "amount": 6.5},    # 3.50 < 4
             {"quantity_min": 100, "type": "fixed", "amount": 3.99}]                      # 3.99 < 4
    found = _refused(sandbox, tmp_path, ties(bulk_pricing_rules=rules))
    tail = ", below cost_price 4 (add acknowledge: [below_cost] to the product to sell below cost)"
    assert found == [
        _at(tmp_path, "70", f"product 'CT-BLK100': bulk_pricing_rules[0]: the percent rule prices "
                            f"product 'CT-BLK100' at 3.00{tail}"),
        _at(tmp_path, "6.5", f"product 'CT-BLK100': bulk_pricing_rules[1]: the price rule prices "
                             f"product 'CT-BLK100' at 3.50{tail}"),
        _at(tmp_path, "3.99", f"product 'CT-BLK100': bulk_pricing_rules[2]: the fixed rule prices "
                              f"product 'CT-BLK100' at 3.99{tail}")]
    folder = write(tmp_path, [ties(bulk_pricing_rules=rules, acknowledge=["below_cost"])])
    converge(client, *_planned(client, folder))


def test_a_variants_own_price_is_held_to_its_cost(sandbox, tmp_path):
    product = ties(options={"Width": ["2.5mm"]},
                   variants=[{"sku": "CT-BLK100-2.5", "options": {"Width": "2.5mm"}, "price": 5}],
                   bulk_pricing_rules=[{"quantity_min": 10, "type": "price", "amount": 1.5}])
    found = _refused(sandbox, tmp_path, product)
    assert len(found) == 1 and "prices variant 'CT-BLK100-2.5' at 3.50, below cost_price 4" in found[0]


def test_a_maximum_not_above_the_minimum_and_a_fixed_rule_for_one_are_diagnostics(sandbox, tmp_path):
    rules = [{"quantity_min": 1, "quantity_max": 9, "type": "fixed", "amount": 9},
             {"quantity_min": 20, "quantity_max": 20, "type": "percent", "amount": 5}]
    found = _refused(sandbox, tmp_path, ties(bulk_pricing_rules=rules))
    assert [f.split(": ", 1)[1] for f in found] == [
        "product 'CT-BLK100': bulk_pricing_rules[0]: a fixed rule's quantity_min is at least 2",
        "product 'CT-BLK100': bulk_pricing_rules[1]: quantity_max 20 is not above quantity_min 20 "
        "(leave quantity_max out for no maximum)"]


def _at(tmp_path, value: str, message: str) -> str:
    """``FILE:LINE:COL: message`` of the YAML line holding ``value`` in products.yaml."""
    path = tmp_path / "catalog" / "products.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    for n, line in enumerate(lines, 1):
        for key in ("quantity_min: ", "amount: "):
            if line.strip().lstrip("- ").startswith(key) and line.rstrip().endswith(" " + value):
                return f"{path}:{n}:{line.index(key) + len(key) + 1}: {message}"
    raise AssertionError(f"{value} not in {path}")


def test_a_rule_below_the_cost_only_the_store_holds_is_refused_at_plan(sandbox, client, tmp_path, one_product):
    """The YAML leaves cost_price to the store (4): the plan compares the rule with it."""
    product = {k: v for k, v in ties().items() if k != "cost_price"}
    rules = [{"quantity_min": 10, "type": "fixed", "amount": 3.5}]
    folder = write(tmp_path, [{**product, "bulk_pricing_rules": rules}])
    desired = load_desired(folder)                      # validate has no cost to compare with
    start = len(sandbox.requests())
    with pytest.raises(DesiredStateError) as err:
        build_plan(desired, read_live(client, desired.store))
    assert [d.summary for d in err.value.diagnostics] == [
        "bulk_pricing_rule 'CT-BLK100/10+': product 'CT-BLK100' would sell at 3.50 a unit, below cost_price "
        "4.00 in the store (add acknowledge: [below_cost] to the product to sell below cost)"]
    assert not [r for r in sandbox.requests()[start:] if r["method"] != "GET"]
    fine = write(tmp_path, [{**product, "bulk_pricing_rules": [{**rules[0], "amount": 4.5}]}])
    converge(client, *_planned(client, fine))
    acknowledged = write(tmp_path, [{**product, "bulk_pricing_rules": rules, "acknowledge": ["below_cost"]}])
    converge(client, *_planned(client, acknowledged))
