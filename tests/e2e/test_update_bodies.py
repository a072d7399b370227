"""Updates whose bodies must satisfy the spec's request schemas (issue 11, finding 2),
over real HTTP to the sandbox: B updateBrand and PL updatePriceList declare
``required: [name]``, so a PUT that carries only the changed field is refused (422).
Each kind's manageable fields are changed, applied, and the plan is empty afterwards."""

from __future__ import annotations

import yaml

from reconciler import apply_saved_plan, build_plan, load_desired, read_live
from reconciler.plan.model import Action

from .test_prices import STORE, products, seed, trade_list, variant_skus
from .test_prices import write as write_prices

BRAND = {"name": "GTSE Pro", "page_title": "GTSE Pro tools", "meta_keywords": ["ties", "clips"],
         "meta_description": "Cable ties that hold.", "search_keywords": "ties,clips",
         "image_url": "https://cdn.example.com/gtse-pro.png"}


def write(tmp_path, files: dict[str, object]):
    folder = tmp_path / "catalog"
    folder.mkdir(exist_ok=True)
    (folder / "store.yaml").write_text(yaml.safe_dump(STORE, sort_keys=False))
    for name, doc in files.items():
        (folder / name).write_text(yaml.safe_dump(doc, sort_keys=False))
    return folder


def plan_for(client, folder):
    desired = load_desired(folder)
    return build_plan(desired, read_live(client, desired.store)), desired


def apply_and_replan(client, folder):
    """Plan, apply, plan again: the first plan, the apply's failures, the second plan."""
    plan, desired = plan_for(client, folder)
    result = apply_saved_plan(plan, client, desired.store)
    failed = [(o.change.address, o.message) for o in result.failed]
    return plan, failed, plan_for(client, folder)[0]


def updates(plan) -> dict[str, list[str]]:
    return {c.address: sorted(f.path for f in c.changes) for c in plan.changes if c.action is Action.UPDATE}


def test_every_brand_field_is_updated_and_converges(sandbox, client, tmp_path):
    sandbox.reset(seed=None, data={"brands": [{"name": "GTSE Pro"}]})
    folder = write(tmp_path, {"brands.yaml": {"brands": [BRAND]}})
    plan, failed, again = apply_and_replan(client, folder)
    assert updates(plan) == {"brand['GTSE Pro']": sorted(set(BRAND) - {"name"})}
    assert failed == []
    assert not again.has_changes, [c.address for c in again.changes]
    [stored] = client.list_all("/v3/catalog/brands")
    assert {f: stored[f] for f in BRAND} == BRAND


def test_price_list_active_is_updated_and_converges(sandbox, client, tmp_path):
    items = products(1)
    wanted = trade_list(variant_skus(items))
    sandbox.reset(data=seed(items, [wanted]))
    folder = write_prices(tmp_path, items, [{**wanted, "active": False}])
    plan, failed, again = apply_and_replan(client, folder)
    assert updates(plan) == {"price_list['Trade GBP']": ["active"]}
    assert failed == []
    assert not again.has_changes, [c.address for c in again.changes]
    assert [(p["name"], p["active"]) for p in client.list_all("/v3/pricelists")] == [("Trade GBP", False)]


def test_category_fields_are_updated_and_converge(sandbox, client, tmp_path):
    """CT updateCategories needs only ``category_id``; the writer sends the name and
    parent from the path, so an update must carry the path."""
    sandbox.reset(seed=None, data={"categories": [{"path": "Tools"}, {"path": "Tools/Drills"}]})
    drills = {"path": "Tools/Drills", "description": "<p>Drills</p>", "is_visible": False, "sort_order": 3,
              "page_title": "Drills", "meta_description": "All drills", "meta_keywords": ["drill"],
              "search_keywords": "drill,bit", "default_product_sort": "price_asc"}
    folder = write(tmp_path, {"categories.yaml": {"categories": [{"path": "Tools"}, drills]}})
    plan, failed, again = apply_and_replan(client, folder)
    assert updates(plan) == {"category['Tools/Drills']": sorted(set(drills) - {"path"})}
    assert failed == []
    assert not again.has_changes, [c.address for c in again.changes]


def test_customer_group_fields_are_updated_and_converge(sandbox, client, tmp_path):
    """CU2 updateCustomerGroup takes any subset of fields."""
    sandbox.reset(seed=None, data={"categories": [{"path": "Tools"}],
                                   "customer_groups": [{"name": "Retail", "is_default": True}, {"name": "Staff"}]})
    staff = {"name": "Staff", "is_default": True, "category_access": {"type": "specific", "categories": ["Tools"]},
             "discount_rules": [{"type": "all", "method": "percent", "amount": 10}]}
    folder = write(tmp_path, {"categories.yaml": {"categories": [{"path": "Tools"}]},
                              "groups.yaml": {"customer_groups": [{"name": "Retail", "is_default": False}, staff]}})
    plan, failed, again = apply_and_replan(client, folder)
    assert set(updates(plan)) == {"customer_group['Retail']", "customer_group['Staff']"}
    assert failed == []
    assert not again.has_changes, [c.address for c in again.changes]
