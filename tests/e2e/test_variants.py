"""Products in full, as scenarios: edit YAML -> the plan shows exactly that change ->
apply -> the plan is empty. Over real HTTP to the sandbox."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest
import yaml

from reconciler import apply_saved_plan, build_plan, load_desired, read_live
from reconciler.plan.model import Action

STORE = {"store": {"name": "GTSE test", "channels": {"uk-main": 1, "us-trade": 2}}}


def tie(code: str, widths: dict[str, float], channels=("uk-main",), **extra) -> dict:
    """A cable-tie product with one variant per width (label -> price)."""
    sku = f"CT-{code}"
    product = {
        "sku": sku, "name": f"Cable Ties {code}", "type": "physical", "price": min(widths.values()),
        "weight": 0.05, "categories": ["Cable Ties"],
        "options": {"Width": list(widths)},
        "variants": [{"sku": f"{sku}-{w.removesuffix('mm')}", "options": {"Width": w}, "price": p}
                     for w, p in widths.items()],
        "channels": list(channels),
    }
    product.update(extra)
    return product


def as_seed(products: list[dict], settings=STORE) -> dict:
    """The same products as the sandbox's seed format (channel names -> ids)."""
    ids = settings["store"]["channels"]
    out = []
    for p in products:
        q = {k: v for k, v in p.items() if k != "options"}
        q["channels"] = [ids[c] for c in p.get("channels", ["uk-main"])]
        q["inventory_level"] = 250
        q["inventory_tracking"] = "product"
        out.append(q)
    return {"categories": [{"path": "Cable Ties"}], "products": out}


def write(tmp_path, products: list[dict]):
    folder = tmp_path / "catalog"
    folder.mkdir(exist_ok=True)
    (folder / "store.yaml").write_text(yaml.safe_dump(STORE, sort_keys=False))
    (folder / "categories.yaml").write_text("categories:\n  - path: Cable Ties\n")
    (folder / "products.yaml").write_text(yaml.safe_dump({"products": products}, sort_keys=False))
    return folder


def plan_for(client, folder):
    desired = load_desired(folder)
    return build_plan(desired, read_live(client, desired.store)), desired


def changes(plan):
    return sorted((c.action.verb, c.kind, c.key, tuple(sorted(f.path for f in c.changes))) for c in plan.changes)


def converge(client, folder, plan, desired):
    result = apply_saved_plan(plan, client, desired.store)
    assert not result.failed, [(o.change.address, o.message) for o in result.failed]
    again, _ = plan_for(client, folder)
    assert not again.has_changes, changes(again)
    return result


BASE = [
    tie("BLK100", {"2.5mm": 1.95, "3.6mm": 2.45}, custom_fields={"Material": "Nylon 6.6", "Colour": "Black"}),
    tie("NAT200", {"3.6mm": 2.95, "4.8mm": 3.45}, channels=("uk-main", "us-trade")),
]


@pytest.fixture
def base(sandbox):
    sandbox.reset(data=as_seed(copy.deepcopy(BASE)))
    return copy.deepcopy(BASE)


def test_base_catalog_matches_the_seed(base, client, tmp_path):
    plan, _ = plan_for(client, write(tmp_path, base))
    assert changes(plan) == []


def test_add_a_variant_with_a_new_option_value(base, client, tmp_path):
    base[0]["options"]["Width"].append("4.8mm")
    base[0]["variants"].append({"sku": "CT-BLK100-4.8", "options": {"Width": "4.8mm"}, "price": 2.95})
    folder = write(tmp_path, base)
    plan, desired = plan_for(client, folder)
    assert changes(plan) == [
        ("create", "variant", "CT-BLK100-4.8", ("options", "price", "sku")),
        ("update", "option", "CT-BLK100/Width", ("values",)),
    ]
    new = next(c for c in plan.changes if c.kind == "variant")
    assert new.parent == "product['CT-BLK100']"
    converge(client, folder, plan, desired)


def test_remove_a_variant(base, sandbox, client, tmp_path):
    base[1]["options"]["Width"].remove("4.8mm")
    base[1]["variants"].pop()
    folder = write(tmp_path, base)
    plan, desired = plan_for(client, folder)
    assert changes(plan)[0][:3] == ("delete", "variant", "CT-NAT200-4.8")
    assert [c[:3] for c in changes(plan)] == [
        ("delete", "variant", "CT-NAT200-4.8"),
        ("update", "option", "CT-NAT200/Width"),
    ]
    removed = next(c for c in plan.changes if c.action is Action.DELETE)
    assert removed.reason == "absent_from_desired"
    converge(client, folder, plan, desired)
    skus = {v["sku"] for v in client.list_all("/v3/catalog/variants")}
    assert "CT-NAT200-4.8" not in skus and "CT-NAT200-3.6" in skus


def test_variants_absent_from_a_product_without_a_variants_list_are_left_alone(base, client, tmp_path):
    for p in base:
        del p["variants"], p["options"]
    plan, _ = plan_for(client, write(tmp_path, base))
    assert changes(plan) == []


def test_reprice_120_variants_in_at_most_3_batch_requests(sandbox, client, tmp_path):
    products = [tie(f"T{i:02d}", {"2.5mm": 1.00, "3.6mm": 1.50, "4.8mm": 2.00}) for i in range(40)]
    sandbox.reset(data=as_seed(copy.deepcopy(products)))
    for p in products:
        for v in p["variants"]:
            v["price"] = round(v["price"] * 1.1 + 0.05, 2)
    folder = write(tmp_path, products)
    plan, desired = plan_for(client, folder)
    assert plan.count(Action.UPDATE, "variant") == 120 and len(plan.changes) == 120
    start = len(sandbox.requests())
    converge(client, folder, plan, desired)
    writes = [r for r in sandbox.requests()[start:] if r["method"] != "GET"]
    assert [(r["method"], r["path"]) for r in writes] == [("PUT", "/v3/catalog/variants")] * 3
    assert sorted(r["items"] for r in writes) == [20, 50, 50]   # side by side: any order


def test_move_a_product_from_one_channel_to_both(base, client, tmp_path):
    base[0]["channels"] = ["uk-main", "us-trade"]
    folder = write(tmp_path, base)
    plan, desired = plan_for(client, folder)
    assert changes(plan) == [("create", "channel_assignment", "CT-BLK100@us-trade", ("channel",))]
    converge(client, folder, plan, desired)
    rows = client.list_all("/v3/catalog/products/channel-assignments")
    blk = client.get("/v3/catalog/products", {"sku": "CT-BLK100"}).data["data"][0]["id"]
    assert sorted(r["channel_id"] for r in rows if r["product_id"] == blk) == [1, 2]


def test_take_a_product_off_a_channel(base, client, tmp_path):
    base[1]["channels"] = ["us-trade"]
    folder = write(tmp_path, base)
    plan, desired = plan_for(client, folder)
    assert changes(plan) == [("delete", "channel_assignment", "CT-NAT200@uk-main", ("channel",))]
    converge(client, folder, plan, desired)


def test_change_add_and_remove_custom_fields(base, client, tmp_path):
    base[0]["custom_fields"] = {"Material": "Nylon 6.6 (UV stabilised)", "Pack Size": 100}
    folder = write(tmp_path, base)
    plan, desired = plan_for(client, folder)
    assert changes(plan) == [
        ("create", "custom_field", "CT-BLK100/Pack Size", ("name", "value")),
        ("delete", "custom_field", "CT-BLK100/Colour", ("name", "value")),
        ("update", "custom_field", "CT-BLK100/Material", ("value",)),
    ]
    converge(client, folder, plan, desired)


def test_create_a_product_with_4_variants_in_one_request(base, sandbox, client, tmp_path):
    base.append(tie("RED150", {"2.5mm": 2.10, "3.6mm": 2.60, "4.8mm": 3.10, "7.6mm": 4.20},
                    channels=("us-trade",), custom_fields={"Colour": "Red"}))
    folder = write(tmp_path, base)
    plan, desired = plan_for(client, folder)
    kinds = sorted((c.action.verb, c.kind) for c in plan.changes)
    assert kinds == [("create", "channel_assignment"), ("create", "custom_field"), ("create", "option"),
                     ("create", "product")] + [("create", "variant")] * 4
    start = len(sandbox.requests())
    converge(client, folder, plan, desired)
    writes = [(r["method"], r["path"]) for r in sandbox.requests()[start:] if r["method"] != "GET"]
    assert writes.count(("POST", "/v3/catalog/products")) == 1
    assert not any("/variants" in p or "/options" in p or "custom-fields" in p for _, p in writes)
    red = client.get("/v3/catalog/products", {"sku": "CT-RED150", "include": "variants,channels"}).data["data"][0]
    assert sorted(v["sku"] for v in red["variants"]) == ["CT-RED150-2.5", "CT-RED150-3.6", "CT-RED150-4.8",
                                                        "CT-RED150-7.6"]
    assert red["channels"] == [2]
    assert {v["sku"]: v["price"] for v in red["variants"]}["CT-RED150-7.6"] == Decimal("4.2")


def test_a_variant_whose_options_change_is_replaced(base, client, tmp_path):
    base[1]["options"]["Width"] = ["3.6mm", "7.6mm"]
    base[1]["variants"][1]["options"] = {"Width": "7.6mm"}
    folder = write(tmp_path, base)
    plan, desired = plan_for(client, folder)
    acts = [(c.action.verb, c.kind, c.key) for c in plan.changes if c.kind == "variant"]
    assert acts == [("delete", "variant", "CT-NAT200-4.8"), ("create", "variant", "CT-NAT200-4.8")]
    converge(client, folder, plan, desired)
