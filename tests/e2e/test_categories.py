"""Categories into a store that lacks them, over real HTTP to the sandbox: a new
top-level category goes into the catalog's category tree (``store.category_tree_id``),
its subcategory under it, and a product into the subcategory; then the plan is empty."""

from __future__ import annotations

import pytest

from reconciler import apply_saved_plan
from reconciler.plan.model import Action

from .conftest import write_catalog
from .test_plan_apply import make_plan, summary


def catalog(tree_id: int) -> dict[str, str]:
    return {
        "store.yaml": f"""
            store:
              name: GTSE test
              category_tree_id: {tree_id}
        """,
        "categories.yaml": """
            categories:
              - path: Garden
                description: Outdoor things
              - path: Garden/Hoses
        """,
        "products/garden.yaml": """
            products:
              - sku: GD-HOSE15
                name: Garden Hose 15m
                type: physical
                price: 19.99
                weight: 1.2
                categories: [Garden/Hoses]
        """,
    }


def tree_of(sandbox) -> dict[str, tuple[int, int]]:
    """Category name -> (tree_id, parent_id), as the store has them."""
    import requests

    resp = requests.get(f"{sandbox.api_base}/v3/catalog/trees/categories",
                        headers={"X-Auth-Token": sandbox.token}, timeout=10)
    return {c["name"]: (c["tree_id"], c["parent_id"]) for c in resp.json()["data"]}


@pytest.mark.parametrize("tree_id", [1, 2])
def test_a_new_top_level_category_its_child_and_a_product_in_it_are_created(tree_id, sandbox, client, tmp_path):
    folder = write_catalog(tmp_path, catalog(tree_id))
    plan, desired = make_plan(client, folder)
    assert [(verb, kind, key) for verb, kind, key, _ in summary(plan)] == [
        ("create", "category", "Garden"), ("create", "category", "Garden/Hoses"),
        ("create", "product", "GD-HOSE15")]

    result = apply_saved_plan(plan, client, desired.store)

    assert not result.failed, [(o.change.address, o.message) for o in result.failed]
    assert result.created == 3
    tree = tree_of(sandbox)
    assert tree["Garden"] == (tree_id, 0)
    garden_id = next(o.id for o in result.outcomes if o.change.key == "Garden")
    assert tree["Hoses"] == (tree_id, garden_id)
    # One POST per create rank: the parent before the child that needs its id.
    posts = [r for r in sandbox.requests() if r["method"] == "POST" and r["path"].endswith("/trees/categories")]
    assert [r["items"] for r in posts] == [1, 1]
    again, _ = make_plan(client, folder)
    assert not again.has_changes, summary(again)
    assert [c for c in again.changes if c.action is not Action.NOOP] == []
