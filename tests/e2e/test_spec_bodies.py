"""Request bodies against the official specs' request schemas (tests/contract/), for the
writes the generated coverage test found refused; over real HTTP to the sandbox."""

from __future__ import annotations

import copy

from .test_variants import BASE, as_seed, converge, plan_for, write


def test_a_variant_added_to_an_existing_product_posts_a_body_the_spec_takes(
        sandbox, client, tmp_path, spec_invalid_writes):
    # V createProductVariant (productVariant_Post): product_id is required, and each
    # option_values item requires option_display_name and label beside id and option_id.
    products = copy.deepcopy(BASE)
    sandbox.reset(data=as_seed(copy.deepcopy(BASE)))
    products[0]["options"]["Width"].append("4.8mm")
    products[0]["variants"].append({"sku": "CT-BLK100-4.8", "options": {"Width": "4.8mm"}, "price": 2.95})
    folder = write(tmp_path, products)
    plan, desired = plan_for(client, folder)
    converge(client, folder, plan, desired)
    posts = [e for e in sandbox.requests() if e["method"] == "POST" and e["route"].endswith("/variants")]
    assert len(posts) == 1
    assert spec_invalid_writes() == []


def test_a_category_field_change_is_applied(sandbox, client, tmp_path, spec_invalid_writes):
    # An update's change carries only the changed fields, not the path: to_payload took
    # the name and parent from fields["path"] and the apply died with KeyError: 'path'.
    from reconciler import apply_saved_plan

    sandbox.reset(data={"categories": [{"path": "Tools"}, {"path": "Tools/Saws"}]})
    folder = tmp_path / "catalog"
    folder.mkdir()
    (folder / "categories.yaml").write_text(
        "categories:\n  - path: Tools\n  - path: Tools/Saws\n    description: Hand saws\n")
    plan, desired = plan_for(client, folder)
    assert [(c.action.verb, c.key) for c in plan.changes if c.action.verb != "noop"] == [("update", "Tools/Saws")]
    result = apply_saved_plan(plan, client, desired.store)
    assert not result.failed, [o.message for o in result.failed]
    again, _ = plan_for(client, folder)
    assert not again.has_changes
    rows = {r["name"]: r for r in client.list_all("/v3/catalog/trees/categories")}
    assert rows["Saws"]["description"] == "Hand saws" and rows["Saws"]["parent_id"] == rows["Tools"]["category_id"]
    assert spec_invalid_writes() == []
