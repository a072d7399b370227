"""Typed addresses over real HTTP: a price list whose name holds ':' (and quotes, brackets)
keeps its price-impact rows in every way a plan travels: built, saved as JSON and read back,
applied from the file through the CLI, re-planned to "No changes", and rolled back."""

from __future__ import annotations

import pytest
import yaml

from reconciler import apply_saved_plan, build_plan, load_desired, read_live
from reconciler.plan.model import Action, Plan

NAMES = ["Trade: GBP", "Trade's [GBP]: 2", 'Say "GBP": Trade']
GROUPS = [{"name": "Retail", "is_default": True}, {"name": "Trade"}]


def products(n, price=2.5):
    return [{"sku": f"CT-P{i:02d}", "name": f"Ties {i:02d}", "type": "physical", "price": price,
             "weight": 0.1, "categories": ["Cable Ties"]} for i in range(n)]


def price_list(name, *prices):
    return {"name": name, "active": True, "currency": "GBP",
            "assignments": [{"customer_group": "Trade", "channel": "uk-main"}],
            "records": [{"sku": f"CT-P{i:02d}", "price": p} for i, p in enumerate(prices)]}


def seed(sandbox):
    sandbox.reset(data={"categories": [{"path": "Cable Ties"}], "products": products(2),
                        "customer_groups": [{"name": "Retail", "is_default": True, "id": 1},
                                            {"name": "Trade", "id": 2}]})


def write(tmp_path, *lists):
    folder = tmp_path / "catalog"
    folder.mkdir(exist_ok=True)
    files = {"store": {"store": {"name": "t", "channels": {"uk-main": 1}, "currency": "GBP"}},
             "cats": {"categories": [{"path": "Cable Ties"}]}, "products": {"products": products(2)},
             "customer_groups": {"customer_groups": GROUPS}, "price_lists": {"price_lists": list(lists)}}
    for name, body in files.items():
        (folder / f"{name}.yaml").write_text(yaml.safe_dump(body, sort_keys=False))
    return folder


def plan_for(client, folder):
    desired = load_desired(folder)
    return build_plan(desired, read_live(client, desired.store)), desired


def rows(plan):
    return [(r["customer_group"], r["channel"], r["changed"]) for r in plan.impact]


@pytest.mark.parametrize("name", NAMES)
def test_records_of_a_list_with_a_colon_in_its_name_show_impact_apply_and_converge(sandbox, client, tmp_path, name):
    seed(sandbox)
    plan, desired = plan_for(client, write(tmp_path, price_list(name, 2.0, 2.25)))
    assert rows(plan) == [("Trade", "uk-main", 2)]
    again = Plan.from_json(plan.to_json())
    assert rows(again) == rows(plan) and [c.address for c in again.changes] == [c.address for c in plan.changes]
    assert not apply_saved_plan(again, client, desired.store, desired=desired).failed
    after, _ = plan_for(client, write(tmp_path, price_list(name, 2.0, 2.25)))
    assert not after.has_changes, [str(c.address) for c in after.changes]


@pytest.mark.parametrize("name", NAMES)
def test_updated_and_removed_records_of_such_a_list_show_impact_and_converge(sandbox, client, tmp_path, name):
    seed(sandbox)
    plan, desired = plan_for(client, write(tmp_path, price_list(name, 2.0, 2.25)))
    assert not apply_saved_plan(plan, client, desired.store, desired=desired).failed
    plan, desired = plan_for(client, write(tmp_path, price_list(name, 2.4)))
    assert [c.action for c in plan.changes if c.kind == "price_record"] == [Action.DELETE, Action.UPDATE]
    assert rows(plan) == [("Trade", "uk-main", 2)]
    assert not apply_saved_plan(plan, client, desired.store, desired=desired).failed
    after, _ = plan_for(client, write(tmp_path, price_list(name, 2.4)))
    assert not after.has_changes, [str(c.address) for c in after.changes]


@pytest.mark.parametrize("name", NAMES)
def test_such_a_list_through_the_cli_plan_file_and_rollback(sandbox, run_cli, tmp_path, name):
    seed(sandbox)
    folder = write(tmp_path, price_list(name, 2.0, 2.25))
    out = run_cli("plan", "-c", folder, "--out", "plan.json")
    assert out.exit_code in (0, 2), out.output
    assert "Trade" in out.output
    done = run_cli("apply", "plan.json", "-c", folder)
    assert done.exit_code == 0, done.output
    same = run_cli("plan", "-c", folder, "--detailed-exitcode")
    assert same.exit_code == 0 and "No changes" in same.output, same.output
    journal = next((tmp_path / "cwd/.catalog/journal").glob("*.jsonl"))
    undo = run_cli("rollback", journal, "-c", folder, "--out", "undo.json")
    assert undo.exit_code == 0, undo.output
    back = run_cli("apply", "undo.json", "-c", folder)
    assert back.exit_code == 0, back.output
    again = run_cli("plan", "-c", folder, "--detailed-exitcode")
    assert again.exit_code == 2 and "Trade" in again.output, again.output

