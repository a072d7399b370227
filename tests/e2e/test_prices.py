"""Prices and customer groups as scenarios over real HTTP: edit YAML -> the plan
shows exactly that -> apply -> the plan is empty; and the money guardrails."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest
import yaml

from reconciler import apply_saved_plan, build_plan, load_desired, read_live
from reconciler.core.errors import GuardrailError
from reconciler.plan.model import Action

STORE = {"store": {"name": "GTSE test", "currency": "GBP", "channels": {"uk-main": 1, "us-trade": 2}}}
WIDTHS = {"2.5mm": "2.5", "3.6mm": "3.6", "4.8mm": "4.8"}


def products(n: int) -> list[dict]:
    out = []
    for i in range(n):
        sku = f"CT-P{i:03d}"
        out.append({
            "sku": sku, "name": f"Cable Ties {i:03d}", "type": "physical", "price": 2.00, "weight": 0.05,
            "cost_price": 0.80, "categories": ["Cable Ties"], "options": {"Width": list(WIDTHS)},
            "variants": [{"sku": f"{sku}-{v}", "options": {"Width": w}, "price": 2.00} for w, v in WIDTHS.items()],
        })
    return out


def variant_skus(items: list[dict]) -> list[str]:
    return [v["sku"] for p in items for v in p["variants"]]


def trade_list(skus: list[str], price: float = 1.60) -> dict:
    return {"name": "Trade GBP", "active": True, "currency": "GBP",
            "assignments": [{"customer_group": "Trade", "channel": "uk-main"}],
            "records": [{"sku": s, "price": price} for s in skus]}


def seed(items, lists, groups=({"name": "Retail", "is_default": True, "id": 1}, {"name": "Trade", "id": 2})):
    channel_ids = STORE["store"]["channels"]
    return {
        "categories": [{"path": "Cable Ties"}],
        "products": [{k: v for k, v in p.items() if k != "options"} for p in items],
        "customer_groups": [dict(g) for g in groups],
        "price_lists": [{
            "name": pl["name"], "active": pl["active"],
            "records": [{**r, "currency": pl["currency"]} for r in pl["records"]],
            "assignments": [{"customer_group": a["customer_group"], "channel": channel_ids[a["channel"]]}
                            for a in pl["assignments"]],
        } for pl in lists],
    }


def write(tmp_path, items, lists, groups=({"name": "Retail", "is_default": True}, {"name": "Trade"})):
    folder = tmp_path / "catalog"
    folder.mkdir(exist_ok=True)
    (folder / "store.yaml").write_text(yaml.safe_dump(STORE, sort_keys=False))
    (folder / "categories.yaml").write_text("categories:\n  - path: Cable Ties\n")
    (folder / "products.yaml").write_text(yaml.safe_dump({"products": items}, sort_keys=False))
    (folder / "groups.yaml").write_text(yaml.safe_dump({"customer_groups": [dict(g) for g in groups]},
                                                       sort_keys=False))
    (folder / "prices.yaml").write_text(yaml.safe_dump({"price_lists": lists}, sort_keys=False))
    return folder


def plan_for(client, folder, **kw):
    desired = load_desired(folder)
    return build_plan(desired, read_live(client, desired.store), **kw), desired


def kinds(plan):
    out: dict[tuple[str, str], int] = {}
    for c in plan.changes:
        out[(c.action.verb, c.kind)] = out.get((c.action.verb, c.kind), 0) + 1
    return out


def converge(client, folder, plan, desired, **kw):
    result = apply_saved_plan(plan, client, desired.store, desired=desired, **kw)   # its acknowledgements
    assert not result.failed, [(o.change.address, o.message) for o in result.failed[:5]]
    again, _ = plan_for(client, folder)
    assert not again.has_changes, [(c.action.verb, c.key) for c in again.changes[:10]]
    return result


@pytest.fixture
def small(sandbox):
    items = products(4)
    lists = [trade_list(variant_skus(items))]
    sandbox.reset(data=seed(items, lists))
    return copy.deepcopy(items), copy.deepcopy(lists)


def test_seeded_prices_match(small, client, tmp_path):
    items, lists = small
    plan, _ = plan_for(client, write(tmp_path, items, lists))
    assert kinds(plan) == {}


def test_trade_price_of_1500_skus_in_two_requests_without_429(sandbox, client, tmp_path):
    items = products(500)
    skus = variant_skus(items)
    sandbox.reset(data=seed(items, [trade_list(skus, 1.60)]))
    folder = write(tmp_path, items, [trade_list(skus, 1.55)])
    plan, desired = plan_for(client, folder)
    assert kinds(plan) == {("update", "price_record"): 1500}
    assert plan.impact and plan.impact[0]["customer_group"] == "Trade" and plan.impact[0]["changed"] == 1500
    assert plan.impact[0]["min_pct"] == plan.impact[0]["max_pct"] == Decimal("-3.1")
    start = len(sandbox.requests())
    converge(client, folder, plan, desired)
    writes = [r for r in sandbox.requests()[start:] if r["method"] != "GET"]
    assert [(r["method"], r["route"], r["items"]) for r in writes] == [
        ("PUT", "/v3/pricelists/{id}/records", 1000), ("PUT", "/v3/pricelists/{id}/records", 500)]
    assert sandbox.stats()["rate_limited"] == 0


def test_add_a_customer_group_with_its_own_price_list_on_a_channel(small, client, tmp_path):
    items, lists = small
    groups = ({"name": "Retail", "is_default": True}, {"name": "Trade"}, {"name": "Wholesale"})
    lists.append({"name": "Wholesale GBP", "active": True, "currency": "GBP",
                  "assignments": [{"customer_group": "Wholesale", "channel": "uk-main"}],
                  "records": [{"sku": s, "price": 1.40} for s in variant_skus(items)[:5]]})
    folder = write(tmp_path, items, lists, groups)
    plan, desired = plan_for(client, folder)
    assert kinds(plan) == {("create", "customer_group"): 1, ("create", "price_list"): 1,
                           ("create", "price_list_assignment"): 1, ("create", "price_record"): 5}
    order = [c.kind for c in plan.changes]
    assert order.index("price_list") < order.index("customer_group") < order.index("price_list_assignment")
    wholesale = next(r for r in plan.impact if r["customer_group"] == "Wholesale")
    assert (wholesale["channel"], wholesale["changed"]) == ("uk-main", 5)
    converge(client, folder, plan, desired)


def test_remove_10_records(small, sandbox, client, tmp_path):
    items, lists = small
    removed = [r["sku"] for r in lists[0]["records"][:10]]
    lists[0]["records"] = lists[0]["records"][10:]
    folder = write(tmp_path, items, lists)
    plan, desired = plan_for(client, folder)
    assert kinds(plan) == {("delete", "price_record"): 10}
    assert sorted(c.key for c in plan.changes) == sorted(f"Trade GBP:{s}:GBP" for s in removed)
    start = len(sandbox.requests())
    converge(client, folder, plan, desired)
    deletes = [r for r in sandbox.requests()[start:] if r["method"] == "DELETE"]
    assert len(deletes) == 1


def test_a_50_percent_drop_is_blocked_until_acknowledged(small, client, tmp_path):
    items, lists = small
    lists[0]["records"][0]["price"] = 0.80   # 1.60 -> 0.80: -50%
    folder = write(tmp_path, items, lists)
    plan, desired = plan_for(client, folder)
    assert [c.key for c in plan.blocked] == [f"Trade GBP:{lists[0]['records'][0]['sku']}:GBP"]
    assert "50.0%" in plan.blocked[0].blocked
    assert plan.impact[0]["blocked"] == 1
    with pytest.raises(GuardrailError) as info:
        apply_saved_plan(plan, client, desired.store)
    assert "acknowledge: [price_drop]" in str(info.value)

    lists[0]["records"][0]["acknowledge"] = ["price_drop"]
    plan, desired = plan_for(client, write(tmp_path, items, lists))
    assert plan.blocked == []
    converge(client, folder, plan, desired)


def test_allow_price_drop_lets_it_through(small, client, tmp_path):
    items, lists = small
    lists[0]["records"][0]["price"] = 0.80
    folder = write(tmp_path, items, lists)
    plan, desired = plan_for(client, folder)
    assert plan.blocked
    converge(client, folder, plan, desired, allow_price_drop=True)


def test_price_below_the_stores_cost_is_an_error_at_its_yaml_position(small, client, tmp_path):
    from reconciler.core.errors import DesiredStateError

    items, lists = small
    for p in items:
        p.pop("cost_price")               # the cost lives only in the store now
    lists[0]["records"][1]["price"] = 0.50
    folder = write(tmp_path, items, lists)
    with pytest.raises(DesiredStateError) as info:
        plan_for(client, folder)
    [diag] = info.value.diagnostics
    assert "below cost_price 0.80" in diag.summary and diag.source.file.endswith("prices.yaml")


def test_cli_blocks_a_large_drop_at_plan_and_apply(small, run_cli, tmp_path):
    items, lists = small
    lists[0]["records"][0]["price"] = 0.80
    folder = write(tmp_path, items, lists)
    planned = run_cli("plan", "--catalog", folder, "--format", "markdown")
    assert planned.exit_code == 3
    assert "Blocked changes" in planned.stdout and "acknowledge: [price_drop]" in planned.stderr
    refused = run_cli("apply", "--catalog", folder, "--auto-approve")
    assert refused.exit_code == 3 and "blocked by the guardrails" in refused.stderr
    allowed = run_cli("apply", "--catalog", folder, "--auto-approve", "--allow-price-drop")
    assert allowed.exit_code == 0, allowed.output
    assert run_cli("plan", "--catalog", folder, "--detailed-exitcode").exit_code == 0
