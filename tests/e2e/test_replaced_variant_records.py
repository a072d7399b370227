"""A variant whose options changed is replaced (deleted, created again: the batch
endpoint cannot change option values) and the store drops its price records with it;
the same plan writes them again, so one apply converges."""

from __future__ import annotations

import copy

import requests

from reconciler import apply_saved_plan
from tests.e2e.test_transport import LIVE, LIVE_RECORDS, plan_for, seed, summary, write


def test_an_admin_renaming_an_option_value_keeps_the_replaced_variants_records(sandbox, client, tmp_path):
    sandbox.reset(data=seed(copy.deepcopy(LIVE), LIVE_RECORDS))
    folder = write(tmp_path, copy.deepcopy(LIVE), LIVE_RECORDS)
    assert not plan_for(client, folder)[0].has_changes
    api, headers = sandbox.api_base, {"X-Auth-Token": sandbox.token}
    pid = requests.get(f"{api}/v3/catalog/products", params={"sku": "CT-A"}, headers=headers).json()["data"][0]["id"]
    width = requests.get(f"{api}/v3/catalog/products/{pid}/options", headers=headers).json()["data"][0]
    value = next(v for v in width["option_values"] if v["label"] == "3.6")
    assert requests.put(f"{api}/v3/catalog/products/{pid}/options/{width['id']}/values/{value['id']}",
                        json={"id": value["id"], "label": "3.5", "sort_order": 1}, headers=headers).ok

    plan, desired = plan_for(client, folder)
    assert ("create", "price_record", "Trade GBP:CT-A-3.6:GBP") in summary(plan)
    result = apply_saved_plan(plan, client, desired.store)
    assert not result.failed, [(o.change.address, o.message) for o in result.failed]
    again, _ = plan_for(client, folder)
    assert not again.has_changes, summary(again)


def test_a_variant_replaced_by_a_yaml_edit_and_its_records_are_not_drift(sandbox, run_cli, tmp_path):
    """Found by the model test (seed 77): an option value renamed in the YAML replaces the
    variant; the variant's and its records' creates were called drift (they had been applied
    before), and `catalog drift` exited 2 for a YAML-only edit."""
    sandbox.reset(data=seed(copy.deepcopy(LIVE), LIVE_RECORDS))
    items = copy.deepcopy(LIVE)
    items[1]["price"] = 2.10              # something to apply, so the last-applied state is written
    folder = write(tmp_path, items, LIVE_RECORDS)
    assert run_cli("apply", "-c", folder, "--auto-approve").exit_code == 0
    items[0]["options"]["Width"] = ["2.5", "3.7", "4.8"]
    items[0]["variants"][1]["options"] = {"Width": "3.7"}
    write(tmp_path, items, LIVE_RECORDS)
    plan = run_cli("plan", "-c", folder)
    assert "variant \"CT-A-3.6\"" in plan.output and "DRIFT" not in plan.output, plan.output
    drift = run_cli("drift", "-c", folder)
    assert drift.exit_code == 0, drift.output
