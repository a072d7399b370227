"""A name a product shows with several values (FACTS.md 5.7: "every name-value pair must
be unique", not every name; the admin panel allows ``Colour: Black`` and ``Colour:
Natural`` on one product). Before: the read keyed both "<sku>/Colour", one hid the other,
import wrote one value and the other was silently lost (issue 14, finding 12's other
half). Now YAML writes the name once with a list, ``Colour: [Black, Natural]``, and every
step round-trips. Over HTTP to the sandbox; the store is built by plain HTTP calls."""

from __future__ import annotations

import requests
import yaml

from .conftest import converge, plan_for, write_catalog

STORE = {"store.yaml": "store:\n  name: Custom fields test\n"}


def headers(sandbox) -> dict:
    return {"X-Auth-Token": sandbox.token, "Accept": "application/json", "Content-Type": "application/json"}


def made_by_hand(sandbox, fields: list[dict]) -> int:
    body = {"name": "Black Cable Ties 100mm", "sku": "CT-CF1", "type": "physical", "price": 3.49,
            "weight": 0.1, "custom_fields": fields}
    r = requests.post(f"{sandbox.api_base}/v3/catalog/products", json=body, headers=headers(sandbox), timeout=10)
    assert r.status_code == 200, r.text
    return r.json()["data"]["id"]


def store_fields(sandbox, product_id: int) -> list[tuple[str, str]]:
    r = requests.get(f"{sandbox.api_base}/v3/catalog/products/{product_id}/custom-fields",
                     headers=headers(sandbox), timeout=10)
    return sorted((f["name"], f["value"]) for f in r.json()["data"])


def product(fields: str) -> str:
    return ("products:\n  - sku: CT-CF1\n    name: Black Cable Ties 100mm\n    type: physical\n"
            f"    price: 3.49\n    weight: 0.1\n    custom_fields: {fields}\n")


def test_import_writes_a_shared_name_as_a_list_and_plans_no_changes(sandbox, run_cli, tmp_path):
    sandbox.reset(data={})
    made_by_hand(sandbox, [{"name": "Material", "value": "Nylon 6.6"}, {"name": "Colour", "value": "Black"},
                           {"name": "Colour", "value": "Natural"}])
    out = tmp_path / "catalog"
    assert run_cli("import", "--out", out).exit_code == 0
    [written] = [p for f in out.rglob("*.yaml") for p in (yaml.safe_load(f.read_text()) or {}).get("products", [])]
    assert written["custom_fields"] == {"Material": "Nylon 6.6", "Colour": ["Black", "Natural"]}
    assert run_cli("validate", "--catalog", out).exit_code == 0
    planned = run_cli("plan", "--catalog", out, "--detailed-exitcode")
    assert planned.exit_code == 0 and "No changes" in planned.output, planned.output


def test_values_of_a_shared_name_are_added_removed_and_an_admins_extra_value_is_removed(sandbox, client, tmp_path):
    sandbox.reset(data={})
    pid = made_by_hand(sandbox, [{"name": "Colour", "value": "Black"}])
    # One value -> two: the pair Colour=Black stays the store's, one pair is added.
    converge(client, write_catalog(tmp_path / "a", {**STORE, "products.yaml": product("{Colour: [Black, Natural]}")}))
    assert store_fields(sandbox, pid) == [("Colour", "Black"), ("Colour", "Natural")]
    # An admin adds a third value; the YAML's list is the whole list: it goes.
    r = requests.post(f"{sandbox.api_base}/v3/catalog/products/{pid}/custom-fields",
                      json={"name": "Colour", "value": "Red"}, headers=headers(sandbox), timeout=10)
    assert r.status_code == 200, r.text
    plan = converge(client, write_catalog(tmp_path / "b", {**STORE, "products.yaml": product("{Colour: [Black, Natural]}")}))
    assert [(c.action.name, str(c.address)) for c in plan.changes] == [("DELETE", "custom_field['CT-CF1/Colour/Red']")]
    assert store_fields(sandbox, pid) == [("Colour", "Black"), ("Colour", "Natural")]
    # Back to one value: the other pair is deleted.
    converge(client, write_catalog(tmp_path / "c", {**STORE, "products.yaml": product("{Colour: Natural}")}))
    assert store_fields(sandbox, pid) == [("Colour", "Natural")]


def test_a_new_product_is_created_with_a_shared_name(sandbox, client, tmp_path):
    sandbox.reset(data={})
    converge(client, write_catalog(tmp_path, {**STORE, "products.yaml": product("{Size: [S, M, L], Pack: 100}")}))
    r = requests.get(f"{sandbox.api_base}/v3/catalog/products", params={"sku": "CT-CF1"},
                     headers=headers(sandbox), timeout=10)
    pid = r.json()["data"][0]["id"]
    assert store_fields(sandbox, pid) == [("Pack", "100"), ("Size", "L"), ("Size", "M"), ("Size", "S")]


def test_a_repeated_pair_in_a_list_is_refused_with_its_position(tmp_path, run_cli):
    folder = write_catalog(tmp_path, {**STORE, "products.yaml": product("{Colour: [Black, Black]}")})
    checked = run_cli("validate", "--catalog", folder)
    assert checked.exit_code == 1
    assert "products.yaml:8:29: product 'CT-CF1': custom_fields.Colour:" in checked.output, checked.output
    assert "non-unique" in checked.output, checked.output


def test_a_list_of_one_value_is_that_value(sandbox, client, tmp_path):
    sandbox.reset(data={})
    pid = made_by_hand(sandbox, [{"name": "Colour", "value": "Black"}])
    plan, _ = plan_for(client, write_catalog(tmp_path, {**STORE, "products.yaml": product("{Colour: [Black]}")}))
    assert not plan.has_changes, [str(c.address) for c in plan.changes]
    assert store_fields(sandbox, pid) == [("Colour", "Black")]
