r"""Category trees and "/" inside a category name (issue 14, findings 2 and 3), over real
HTTP to the sandbox.

A store has a category tree per storefront channel (FACTS.md 7.2). A store built by plain
API calls, with categories in both trees and a category named "Cables/Adapters", imports
to a catalog that validates and plans "No changes": the second tree's paths start with its
channel's name ("us-trade: ..."), declared in store.category_trees; a "/" inside a name is
written "\/". A category in the second tree is created, updated and moved (delete + create)
to "No changes"."""

from __future__ import annotations

import pytest
import requests
import yaml

from reconciler import apply_saved_plan, load_desired, read_live
from reconciler.importer import import_catalog, read_store_settings
from reconciler.plan.model import Action

from .conftest import write_catalog
from .test_plan_apply import make_plan, summary


class Admin:
    """Someone building the store by hand, over the API (not our client)."""

    def __init__(self, sandbox):
        self.base, self.headers = sandbox.api_base, {"X-Auth-Token": sandbox.token}

    def call(self, method: str, path: str, body=None):
        r = requests.request(method, self.base + path, json=body, headers=self.headers, timeout=10)
        assert r.status_code < 300, (method, path, r.status_code, r.text)
        return r.json().get("data") if r.content else None

    def category(self, name: str, tree_id: int, parent_id: int = 0) -> int:
        body = [{"name": name, "tree_id": tree_id, "parent_id": parent_id}]
        return self.call("POST", "/v3/catalog/trees/categories", body)[0]["category_id"]

    def product(self, sku: str, categories: list[int]) -> int:
        body = {"sku": sku, "name": f"Lead {sku}", "type": "physical", "price": 5, "weight": 1,
                "categories": categories}
        return self.call("POST", "/v3/catalog/products", body)["id"]

    def categories(self) -> dict[tuple[int, str], dict]:
        rows = self.call("GET", "/v3/catalog/trees/categories?limit=250")
        return {(r["tree_id"], r["name"]): r for r in rows}


def _changes(plan) -> list:
    return [(c.action.verb, c.kind, c.key) for c in plan.changes if c.action is not Action.NOOP]


@pytest.fixture
def two_trees(sandbox):
    """Tree 1 (channel 1) and tree 2 (channel 2, "US Trade"), each with a "Cables/Adapters"."""
    sandbox.reset(data={"categories": [], "products": []})
    admin = Admin(sandbox)
    uk = admin.category("Cables/Adapters", 1)
    uk_hdmi = admin.category("HDMI", 1, uk)
    sale = admin.category("Sale: Summer", 1)
    us = admin.category("Cables/Adapters", 2)
    us_leads = admin.category("Leads", 2, us)
    admin.product("LD-1", [uk_hdmi, us_leads])
    admin.product("LD-2", [us_leads])
    admin.product("LD-3", [sale, us])
    return admin


def test_a_store_with_two_trees_and_a_slash_in_a_name_imports_to_no_changes(two_trees, client, tmp_path):
    settings = read_store_settings(client)
    out = tmp_path / "catalog"
    import_catalog(read_live(client, settings), settings, out)

    store = yaml.safe_load((out / "store.yaml").read_text(encoding="utf-8"))["store"]
    assert store["category_trees"] == {"us-trade": 2}
    paths = [c["path"] for c in yaml.safe_load((out / "categories.yaml").read_text(encoding="utf-8"))["categories"]]
    assert paths == ["Cables\\/Adapters", "Cables\\/Adapters/HDMI", "Sale\\: Summer",
                     "us-trade: Cables\\/Adapters", "us-trade: Cables\\/Adapters/Leads"]
    products = {}
    for f in (out / "products").glob("*.yaml"):
        products.update({p["sku"]: p for p in yaml.safe_load(f.read_text(encoding="utf-8"))["products"]})
    assert products["LD-1"]["categories"] == ["Cables\\/Adapters/HDMI", "us-trade: Cables\\/Adapters/Leads"]
    assert products["LD-3"]["categories"] == ["Sale\\: Summer", "us-trade: Cables\\/Adapters"]
    assert not any("#" in c for p in products.values() for c in p["categories"])

    plan, _ = make_plan(client, out)              # load_desired raises on any diagnostic (validate)
    assert not plan.has_changes, summary(plan)


def test_store_existing_categories_accepts_another_trees_path(two_trees, client, tmp_path):
    folder = write_catalog(tmp_path, {
        "store.yaml": """
            store:
              channels: {uk-main: 1, us-trade: 2}
              category_trees: {us-trade: 2}
              existing:
                categories: ['us-trade: Cables\\/Adapters/Leads']
        """,
        "products/leads.yaml": """
            products:
              - sku: LD-2
                name: Lead LD-2
                type: physical
                price: 5
                weight: 1
                categories: ['us-trade: Cables\\/Adapters/Leads']
        """,
    })
    plan, _ = make_plan(client, folder)
    assert not plan.has_changes, summary(plan)


def _catalog(categories: str, product_categories: str) -> dict[str, str]:
    return {
        "store.yaml": """
            store:
              channels: {uk-main: 1, us-trade: 2}
              category_trees: {us-trade: 2}
        """,
        "categories.yaml": "categories:\n" + categories,
        "products/garden.yaml": f"""
            products:
              - sku: GD-HOSE15
                name: Garden Hose 15m
                type: physical
                price: 19.99
                weight: 1.2
                categories: {product_categories}
        """,
    }


def _converge(client, tmp_path, files) -> list:
    folder = write_catalog(tmp_path, files)
    plan, desired = make_plan(client, folder)
    planned = _changes(plan)
    result = apply_saved_plan(plan, client, desired.store)
    assert not result.failed, [(o.change.address, o.message) for o in result.failed]
    again, _ = make_plan(client, folder)
    assert not again.has_changes, summary(again)
    return planned


def test_a_category_in_the_second_tree_is_created_updated_and_moved(sandbox, client, tmp_path):
    sandbox.reset(data={"categories": [], "products": []})
    admin = Admin(sandbox)
    planned = _converge(client, tmp_path, _catalog(
        "  - path: 'us-trade: Garden'\n"
        "  - path: 'us-trade: Garden/Hoses'\n"
        "    description: Hoses\n"
        "  - path: 'us-trade: Cables\\/Adapters'\n",
        "['us-trade: Garden/Hoses']"))
    assert sorted(planned) == [("create", "category", "us-trade: Cables\\/Adapters"),
                               ("create", "category", "us-trade: Garden"),
                               ("create", "category", "us-trade: Garden/Hoses"),
                               ("create", "product", "GD-HOSE15")]
    cats = admin.categories()
    garden, hoses = cats[(2, "Garden")], cats[(2, "Hoses")]
    assert (hoses["tree_id"], hoses["parent_id"]) == (2, garden["category_id"])
    assert cats[(2, "Cables/Adapters")]["parent_id"] == 0
    assert not [k for k in cats if k[0] == 1]

    planned = _converge(client, tmp_path, _catalog(
        "  - path: 'us-trade: Garden'\n"
        "  - path: 'us-trade: Garden/Hoses'\n"
        "    description: Garden hoses\n"
        "  - path: 'us-trade: Cables\\/Adapters'\n",
        "['us-trade: Garden/Hoses']"))
    assert planned == [("update", "category", "us-trade: Garden/Hoses")]
    assert admin.categories()[(2, "Hoses")]["description"] == "Garden hoses"

    moved = ("  - path: 'us-trade: Garden'\n"
             "  - path: 'us-trade: Cables\\/Adapters'\n"
             "  - path: 'us-trade: Cables\\/Adapters/Hoses'\n"
             "    description: Garden hoses\n")
    # Moved: the product to a new Hoses under Cables/Adapters, then the old one deleted (the
    # sandbox refuses to delete a category a product is in, and deletes run first).
    planned = _converge(client, tmp_path, _catalog(moved, "['us-trade: Cables\\/Adapters/Hoses']"))
    assert sorted(planned) == [("create", "category", "us-trade: Cables\\/Adapters/Hoses"),
                               ("update", "product", "GD-HOSE15")]
    planned = _converge(client, tmp_path, _catalog(
        moved + "  - path: 'us-trade: Garden/Hoses'\n    delete: true\n", "['us-trade: Cables\\/Adapters/Hoses']"))
    assert planned == [("delete", "category", "us-trade: Garden/Hoses")]
    cats = admin.categories()
    assert cats[(2, "Hoses")]["parent_id"] == cats[(2, "Cables/Adapters")]["category_id"]
    product = admin.call("GET", "/v3/catalog/products?sku=GD-HOSE15")[0]
    assert product["categories"] == [cats[(2, "Hoses")]["category_id"]]


def test_a_path_naming_an_undeclared_tree_is_a_diagnostic(tmp_path):
    folder = write_catalog(tmp_path, {
        "store.yaml": "store:\n  category_trees: {us-trade: 2}\n",
        "categories.yaml": "categories:\n  - path: 'eu-shop: Garden'\n",
    })
    with pytest.raises(Exception) as info:
        load_desired(folder)
    assert "'eu-shop' is not a tree in store.category_trees" in str(info.value.diagnostics)


def test_a_tree_made_by_http_is_named_after_its_channel_not_its_id(sandbox, client, tmp_path):
    sandbox.reset(data={"categories": [], "products": []})
    admin = Admin(sandbox)
    admin.call("DELETE", "/v3/catalog/trees?id:in=2")
    [tree] = admin.call("PUT", "/v3/catalog/trees", [{"name": "Trade storefront", "channels": [2]}])
    top = admin.category("AC\\DC", tree["id"])
    admin.product("LD-9", [admin.category("Cables/Adapters", tree["id"], top)])
    settings = read_store_settings(client)
    out = tmp_path / "catalog"
    import_catalog(read_live(client, settings), settings, out)

    store = yaml.safe_load((out / "store.yaml").read_text(encoding="utf-8"))["store"]
    assert store["category_trees"] == {"us-trade": tree["id"]} and tree["id"] != 2
    [product] = yaml.safe_load((out / "products/us-trade-ac-dc.yaml").read_text(encoding="utf-8"))["products"]
    assert product["categories"] == ["us-trade: AC\\\\DC/Cables\\/Adapters"]
    plan, _ = make_plan(client, out)
    assert not plan.has_changes, summary(plan)
