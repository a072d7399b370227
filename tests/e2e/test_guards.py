"""Issue 11 findings 6, 7, 10, 11, 12 over real HTTP: store.existing is never pruned,
bare tombstones pass every rule, every plan (rollback included) meets the same
guardrails at apply, drift never claims the store matches, and price-list names
with ':' '@' '/' keep their price-impact rows."""

from __future__ import annotations

import json

import pytest
import yaml

from reconciler import apply_saved_plan, build_plan, load_desired, read_live
from reconciler.desired.schemas import load_schema
from reconciler.core.errors import GuardrailError
from reconciler.plan.model import Action, Plan
from reconciler.resources import REGISTRY

CHANNELS = {"uk-main": 1}
# One object of each top-level kind, as seed rows and as the key the catalog uses.
SEEDS = {
    "brand": ("brands", {"name": "Old Brand"}),
    "category": ("categories", {"path": "Old Category"}),
    "product": ("products", {"sku": "CT-CLR150", "name": "Clear Ties 150mm", "type": "physical",
                             "price": 2.5, "weight": 0.1, "categories": ["Cable Ties"]}),
    "price_list": ("price_lists", {"name": "Old List", "active": True, "records": [], "assignments": []}),
    "customer_group": ("customer_groups", {"name": "Old Group", "id": 7}),
}
BASE = {"categories": [{"path": "Cable Ties"}], "customer_groups": [{"name": "Retail", "is_default": True, "id": 1}]}


def seed_data(kinds):
    data = json.loads(json.dumps(BASE))
    for kind in kinds:
        plural, row = SEEDS[kind]
        data.setdefault(plural, []).append(dict(row))
    return data


def key_of(kind):
    return SEEDS[kind][1][REGISTRY[kind].key]


def write(tmp_path, store, **lists):
    folder = tmp_path / "catalog"
    folder.mkdir(exist_ok=True)
    block = {"name": "t", "channels": CHANNELS, **store}
    (folder / "store.yaml").write_text(yaml.safe_dump({"store": block}, sort_keys=False))
    (folder / "cats.yaml").write_text(yaml.safe_dump({"categories": [{"path": "Cable Ties"}]}))
    for plural, items in lists.items():
        (folder / f"{plural}.yaml").write_text(yaml.safe_dump({plural: items}, sort_keys=False))
    return folder


def plan_for(client, folder, **kw):
    desired = load_desired(folder)
    return build_plan(desired, read_live(client, desired.store), **kw), desired


def existing_kinds():
    """Kinds store.existing can list that store.prune can name (from the store schema)."""
    props = load_schema("store.schema.json")["properties"]
    prunable = set(props["prune"]["items"]["enum"])
    plurals = set(props["existing"]["properties"])
    return sorted(k.name for k in REGISTRY if k.plural in plurals and k.name in prunable)


def tombstone_kinds():
    return sorted(k.name for k in REGISTRY if not k.parent and "delete" in load_schema(k.schema)["properties"])


# -- 6: store.existing is never pruned -----------------------------------------------------------

def test_the_derived_kind_lists_are_not_empty():
    assert existing_kinds() == ["brand", "category", "customer_group", "price_list"]
    assert tombstone_kinds() == ["brand", "category", "customer_group", "price_list", "product"]


@pytest.mark.parametrize("kind", existing_kinds())
def test_prune_never_deletes_what_store_existing_declares(sandbox, client, tmp_path, kind):
    sandbox.reset(data=seed_data([kind]))
    plural = REGISTRY[kind].plural
    pruned = {"prune": [kind]}
    # Made before the object was declared existing: this saved plan deletes it.
    old, _ = plan_for(client, write(tmp_path, pruned))
    assert key_of(kind) in [c.key for c in old.changes if c.action is Action.DELETE and c.kind == kind]
    folder = write(tmp_path, {**pruned, "existing": {plural: [key_of(kind).upper()]}})
    plan, desired = plan_for(client, folder)
    assert [c for c in plan.changes if c.action is Action.DELETE and c.key == key_of(kind)] == []
    with pytest.raises(GuardrailError) as info:
        apply_saved_plan(plan=old, client=client, settings=desired.store, desired=desired, allow_deletes=99)
    assert "store.existing" in str(info.value)
    assert read_live(client, desired.store).get(kind, key_of(kind)) is not None


# -- 7: a bare tombstone passes every rule -------------------------------------------------------

@pytest.mark.parametrize("kind", tombstone_kinds())
def test_a_bare_tombstone_passes_every_rule_and_plans_a_delete(sandbox, client, tmp_path, kind):
    sandbox.reset(data=seed_data([kind]))
    store = {"sku_convention": {"categories": {"CT": "Cable Ties"}}}
    folder = write(tmp_path, store, **{REGISTRY[kind].plural: [{REGISTRY[kind].key: key_of(kind), "delete": True}]})
    plan, desired = plan_for(client, folder)
    assert [(c.kind, c.key, c.action) for c in plan.changes] == [(kind, key_of(kind), Action.DELETE)]
    apply_saved_plan(plan, client, desired.store, desired=desired)
    assert read_live(client, desired.store).get(kind, key_of(kind)) is None


# -- 10: every plan meets the guardrails at apply ----------------------------------------------

def products(n, price=2.5, cost=None):
    return [{"sku": f"CT-P{i:02d}", "name": f"Ties {i:02d}", "type": "physical", "price": price, "weight": 0.1,
             "categories": ["Cable Ties"], **({"cost_price": cost} if cost else {})} for i in range(n)]


def test_a_rollback_deleting_past_the_limit_needs_allow_deletes(sandbox, run_cli, tmp_path):
    sandbox.reset(data=seed_data([]))
    folder = write(tmp_path, {}, products=products(12))
    assert run_cli("apply", "-c", folder, "--auto-approve").exit_code == 0
    journal = next((tmp_path / "cwd/.catalog/journal").glob("*.jsonl"))
    undo = run_cli("rollback", journal, "-c", folder, "--out", "undo.json")
    assert undo.exit_code == 0, undo.output
    assert "--allow-deletes 12" in undo.output
    refused = run_cli("apply", "undo.json", "-c", folder)
    assert refused.exit_code == 3 and "--allow-deletes 12" in refused.output
    assert len(sandbox_products(sandbox)) == 12
    done = run_cli("apply", "undo.json", "-c", folder, "--allow-deletes", "12")
    assert done.exit_code == 0, done.output
    assert sandbox_products(sandbox) == []


def sandbox_products(sandbox):
    return sandbox.dump().get("products", [])


def test_a_rollback_price_drop_and_a_price_below_cost_are_refused(sandbox, run_cli, client, tmp_path):
    sandbox.reset(data={**seed_data([]), "products": products(2, price=2.0, cost=1.0)})
    items = products(2, price=2.0)
    items[0]["price"], items[1]["price"] = 4.0, 2.4
    folder = write(tmp_path, {}, products=items)
    assert run_cli("apply", "-c", folder, "--auto-approve").exit_code == 0
    pid = client.get("/v3/catalog/products", {"sku": "CT-P01"}).data["data"][0]["id"]
    client.put(f"/v3/catalog/products/{pid}", {"cost_price": 2.2})           # an admin raises the cost
    journal = next((tmp_path / "cwd/.catalog/journal").glob("*.jsonl"))
    assert run_cli("rollback", journal, "-c", folder, "--out", "undo.json").exit_code == 0
    refused = run_cli("apply", "undo.json", "-c", folder)
    assert refused.exit_code == 3
    assert "price drops 50.0%" in refused.output and "below cost" in refused.output
    prices = sorted(float(p["price"]) for p in sandbox_products(sandbox))
    assert prices == [2.4, 4.0]
    done = run_cli("apply", "undo.json", "-c", folder, "--allow-price-drop")
    assert done.exit_code == 0, done.output
    assert sorted(float(p["price"]) for p in sandbox_products(sandbox)) == [2.0, 2.0]


# -- 11: drift says what it checked ------------------------------------------------------------

def test_drift_after_a_rollback_never_says_the_store_matches(sandbox, run_cli, tmp_path):
    sandbox.reset(data=seed_data([]))
    folder = write(tmp_path, {}, products=products(3))
    assert run_cli("apply", "-c", folder, "--auto-approve").exit_code == 0
    journal = next((tmp_path / "cwd/.catalog/journal").glob("*.jsonl"))
    assert run_cli("rollback", journal, "-c", folder, "--out", "undo.json").exit_code == 0
    assert run_cli("apply", "undo.json", "-c", folder).exit_code == 0
    for fmt in ("text", "markdown"):
        out = run_cli("drift", "-c", folder, "-f", fmt)
        assert "matches" not in out.output
        assert "3 other changes" in out.output and "catalog plan" in out.output
    plan = run_cli("plan", "-c", folder, "--detailed-exitcode")
    assert plan.exit_code == 2


def test_drift_with_nothing_to_do_says_what_it_checked(sandbox, run_cli, tmp_path):
    sandbox.reset(data=seed_data([]))
    folder = write(tmp_path, {}, products=products(2))
    assert run_cli("apply", "-c", folder, "--auto-approve").exit_code == 0
    out = run_cli("drift", "-c", folder, "-f", "text")
    assert out.exit_code == 0
    assert "no edits made in the store since the last apply" in out.output
    assert "matches" not in out.output


# -- 12: names with ':' '@' '/' keep their rows -----------------------------------------------

@pytest.mark.parametrize("name", ["Trade: GBP", "Trade@Web/GBP: 2"])
def test_price_list_names_with_separators_plan_apply_and_converge(sandbox, client, tmp_path, name):
    sandbox.reset(data={**seed_data([]), "products": products(2),
                        "customer_groups": [{"name": "Retail", "is_default": True, "id": 1},
                                            {"name": "Trade: B2B", "id": 2}]})
    lists = [{"name": name, "active": True, "currency": "GBP",
              "assignments": [{"customer_group": "Trade: B2B", "channel": "uk-main"}],
              "records": [{"sku": "CT-P00", "price": 2.0}, {"sku": "CT-P01", "price": 2.25}]}]
    groups = [{"name": "Retail", "is_default": True}, {"name": "Trade: B2B"}]
    folder = write(tmp_path, {"currency": "GBP"}, products=products(2), customer_groups=groups, price_lists=lists)
    plan, desired = plan_for(client, folder)
    assert [(r["customer_group"], r["channel"], r["changed"]) for r in plan.impact] == [("Trade: B2B", "uk-main", 2)]
    again = Plan.from_json(plan.to_json())
    assert again.impact == plan.impact
    from reconciler.plan.render_markdown import render_markdown
    from reconciler.plan.render_text import render_text
    assert "Trade: B2B" in render_text(plan, color=False) and "Trade: B2B" in render_markdown(plan)
    result = apply_saved_plan(plan, client, desired.store, desired=desired)
    assert not result.failed
    after, _ = plan_for(client, folder)
    assert not after.has_changes, [c.address for c in after.changes]


def test_a_skip_stale_remainder_meets_the_deletion_limit_too(sandbox, run_cli, client, tmp_path):
    sandbox.reset(data=seed_data([]))
    folder = write(tmp_path, {}, products=products(13))
    assert run_cli("apply", "-c", folder, "--auto-approve").exit_code == 0
    journal = next((tmp_path / "cwd/.catalog/journal").glob("*.jsonl"))
    assert run_cli("rollback", journal, "-c", folder, "--out", "undo.json").exit_code == 0
    pid = client.get("/v3/catalog/products", {"sku": "CT-P00"}).data["data"][0]["id"]
    client.put(f"/v3/catalog/products/{pid}", {"name": "Edited in the admin"})      # CT-P00 is now stale
    refused = run_cli("apply", "undo.json", "-c", folder, "--skip-stale")
    assert refused.exit_code == 3 and "--allow-deletes 12" in refused.output, refused.output
    assert len(sandbox_products(sandbox)) == 13
    done = run_cli("apply", "undo.json", "-c", folder, "--skip-stale", "--allow-deletes", "12")
    assert done.exit_code == 0, done.output
    assert [p["sku"] for p in sandbox_products(sandbox)] == ["CT-P00"]


@pytest.mark.parametrize("refresh", ["targeted", "full"])
def test_an_object_skipped_as_stale_is_planned_again(sandbox, run_cli, client, tmp_path, refresh):
    """The reviewed change of an object another writer edited after the review is skipped
    (--skip-stale) and must stay in the next plan, a targeted one too: the last-applied
    state may not record it as applied (it did: the catalog's value was written into the
    state, so the next plan called the PR's unapplied change another writer's drift)."""
    sandbox.reset(data=seed_data([]))
    folder = write(tmp_path, {}, products=products(3))
    assert run_cli("apply", "-c", folder, "--auto-approve").exit_code == 0
    changed = products(3)
    changed[0]["price"], changed[1]["price"] = 3.25, 3.5                  # the PR's two changes
    folder = write(tmp_path, {}, products=changed)
    assert run_cli("plan", "-c", folder, "--out", "pr.json").exit_code == 0
    pid = client.get("/v3/catalog/products", {"sku": "CT-P00"}).data["data"][0]["id"]
    client.put(f"/v3/catalog/products/{pid}", {"price": 2.99})            # after the review
    done = run_cli("apply", "pr.json", "-c", folder, "--skip-stale")
    assert done.exit_code == 0, done.output
    prices = {p["sku"]: p["price"] for p in sandbox_products(sandbox)}
    assert (prices["CT-P00"], prices["CT-P01"]) == (2.99, 3.5)
    again = run_cli("plan", "-c", folder, "--refresh", refresh, "--detailed-exitcode", "-f", "json")
    assert again.exit_code == 2, again.output
    plan = Plan.from_json(again.output[again.output.index("{"):])
    changed = {(c.kind, c.key, c.origin) for c in plan.changes if c.action is not Action.NOOP}
    # The catalog's 3.25 was never applied, and an admin set 2.99: both.
    assert changed == {("product", "CT-P00", "yaml+drift")}, changed
