"""Explicit, bounded deletion over real HTTP: nothing is deleted unless its kind is in
store.prune or the YAML marks it (delete: true); a mass deletion needs --allow-deletes N."""

from __future__ import annotations

import pytest
import yaml

from reconciler import apply_saved_plan, build_plan, load_desired, read_live
from reconciler.core.errors import GuardrailError
from reconciler.plan.model import Action

PRODUCTS = [{"sku": f"FX-P{i:02d}", "name": f"Plugs {i:02d}", "type": "physical", "price": 1.5, "weight": 0.1}
            for i in range(30)]


def write(tmp_path, products, **store):
    folder = tmp_path / "catalog"
    folder.mkdir(exist_ok=True)
    (folder / "store.yaml").write_text(yaml.safe_dump({"store": {"name": "t", **store}}))
    prod = folder / "products.yaml"
    if products is None:
        prod.unlink(missing_ok=True)
    else:
        prod.write_text(yaml.safe_dump({"products": products}, sort_keys=False))
    return folder


@pytest.fixture
def store(sandbox):
    sandbox.reset(data={"products": [dict(p) for p in PRODUCTS]})
    return sandbox


def plan_for(client, folder, **kw):
    desired = load_desired(folder)
    return build_plan(desired, read_live(client, desired.store), **kw), desired


def skus(client):
    return sorted(p["sku"] for p in client.list_all("/v3/catalog/products"))


def test_a_removed_products_file_deletes_nothing_out_of_prune_scope(store, client, tmp_path):
    folder = write(tmp_path, None)
    plan, desired = plan_for(client, folder)
    assert plan.count(Action.DELETE) == 0
    assert len(plan.unmanaged["product"]) == 30
    apply_saved_plan(plan, client, desired.store)
    assert len(skus(client)) == 30


def test_in_scope_a_mass_deletion_is_refused_without_allow_deletes(store, client, tmp_path):
    folder = write(tmp_path, None, prune=["product"])
    plan, desired = plan_for(client, folder)
    assert plan.count(Action.DELETE) == 30
    assert len(plan.blocked) == 30 and "limit of 10" in plan.blocked[0].blocked
    with pytest.raises(GuardrailError) as info:
        apply_saved_plan(plan, client, desired.store)
    assert "--allow-deletes" in str(info.value)
    with pytest.raises(GuardrailError):
        apply_saved_plan(plan, client, desired.store, allow_deletes=29)   # fewer than it deletes
    assert len(skus(client)) == 30

    result = apply_saved_plan(plan, client, desired.store, allow_deletes=30)
    assert result.deleted == 30 and not result.failed
    assert skus(client) == []


def test_in_scope_a_few_deletions_go_through_and_converge(store, client, tmp_path):
    folder = write(tmp_path, PRODUCTS[:25], prune=["product"])
    plan, desired = plan_for(client, folder)
    assert sorted(c.key for c in plan.changes if c.action is Action.DELETE) == [f"FX-P{i}" for i in range(25, 30)]
    assert not plan.blocked
    apply_saved_plan(plan, client, desired.store)
    again, _ = plan_for(client, folder)
    assert not again.has_changes
    assert skus(client) == [p["sku"] for p in PRODUCTS[:25]]


def test_a_tombstone_deletes_exactly_that_object(store, client, tmp_path):
    products = [dict(p) for p in PRODUCTS[:3]] + [{"sku": "FX-P03", "delete": True}]
    folder = write(tmp_path, products)
    plan, desired = plan_for(client, folder)
    [gone] = [c for c in plan.changes if c.action is Action.DELETE]
    assert (gone.key, gone.reason) == ("FX-P03", "marked_for_deletion")
    assert "catalog/products.yaml:" in gone.source   # the tombstone's own position
    apply_saved_plan(plan, client, desired.store)
    assert "FX-P03" not in skus(client) and len(skus(client)) == 29
    again, _ = plan_for(client, folder)
    assert not again.has_changes


def test_cli_refuses_a_mass_deletion_until_confirmed(store, run_cli, tmp_path):
    folder = write(tmp_path, None, prune=["product"])
    planned = run_cli("plan", "--catalog", folder)
    assert planned.exit_code == 3 and "--allow-deletes 30" in planned.stdout + planned.stderr
    assert run_cli("apply", "--catalog", folder, "--auto-approve").exit_code == 3
    done = run_cli("apply", "--catalog", folder, "--auto-approve", "--allow-deletes", "30")
    assert done.exit_code == 0, done.output
    assert "30 deleted" in done.stderr


def test_a_mass_deletion_is_confirmed_in_store_yaml_as_a_reviewer_sees_it(store, run_cli, tmp_path):
    """Issue 15: the hint names the YAML first (store.deletion.confirm: N, in the PR's diff), the
    same in the rows and the header; exactly that number passes plan and apply, another does not."""
    folder = write(tmp_path, None, prune=["product"])
    planned = run_cli("plan", "--catalog", folder, "--format", "markdown")
    assert planned.exit_code == 3
    how = ("confirm the number in store.yaml with `deletion: {confirm: 30}` under `store:` (the reviewer sees "
           "it in the PR), or pass `--allow-deletes 30`")
    md = planned.stdout
    assert f"To apply them: " in md and md.count("`deletion: {confirm: 30}`") >= 2       # header and rows
    assert "acknowledge: [price_drop]" not in md and "allow-price-drop" not in md
    assert f"To go ahead: {how}." in planned.stderr

    folder = write(tmp_path, None, prune=["product"], deletion={"confirm": 29})      # not the plan's number
    wrong = run_cli("plan", "--catalog", folder)
    assert wrong.exit_code == 3 and "(it says 29 now)" in wrong.stdout + wrong.stderr
    assert run_cli("validate", "--catalog", folder).exit_code == 0

    folder = write(tmp_path, None, prune=["product"], deletion={"confirm": 30})
    assert run_cli("plan", "--catalog", folder).exit_code == 0
    out = tmp_path / "plan.json"
    assert run_cli("plan", "--catalog", folder, "--out", out).exit_code == 0
    done = run_cli("apply", out, "--catalog", folder)      # apply checks it again, from the YAML
    assert done.exit_code == 0, done.output
    assert "30 deleted" in done.stderr


def test_a_saved_mass_deletion_is_refused_at_apply_without_the_yaml_confirmation(store, run_cli, tmp_path):
    folder = write(tmp_path, None, prune=["product"], deletion={"confirm": 30})
    out = tmp_path / "plan.json"
    assert run_cli("plan", "--catalog", folder, "--out", out).exit_code == 0
    write(tmp_path, None, prune=["product"])           # the confirmation is gone from the YAML
    refused = run_cli("apply", out, "--catalog", folder)
    assert refused.exit_code == 3 and "`deletion: {confirm: 30}`" in refused.stderr, refused.output
