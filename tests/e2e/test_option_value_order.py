"""Issue 14, finding 8: a new product's option values keep the order the YAML writes
them in (``[UK, EU, US]`` is not stored as EU, UK, US). The store makes a new product's
options from its POST's variants, values in first-seen order; over real HTTP."""

from __future__ import annotations

from tests.e2e.test_variants import converge, plan_for, write


def plug(code: str, plugs: list[str], colours: list[str] | None = None) -> dict:
    options = {"Plug": plugs} | ({"Colour": colours} if colours else {})
    combos = [{"Plug": p} | ({"Colour": c} if colours else {}) for p in plugs for c in (colours or [None])]
    return {
        "sku": f"PS-{code}", "name": f"Power Supply {code}", "type": "physical", "price": 12.0,
        "weight": 0.3, "categories": ["Cable Ties"], "options": options,
        # variants written in SKU order, not in the options' order
        "variants": sorted(({"sku": f"PS-{code}-" + "-".join(o.values()), "options": o, "price": 12.0}
                            for o in combos), key=lambda v: v["sku"]),
    }


def stored_order(client, sku: str) -> dict[str, list[str]]:
    pid = client.get("/v3/catalog/products", {"sku": sku}).data["data"][0]["id"]
    rows = client.get(f"/v3/catalog/products/{pid}/options").data["data"]
    return {r["display_name"]: [v["label"] for v in sorted(r["option_values"], key=lambda v: v["sort_order"])]
            for r in sorted(rows, key=lambda r: r["sort_order"])}


def test_a_new_products_option_values_are_stored_in_the_order_written(sandbox, client, tmp_path):
    folder = write(tmp_path, [plug("A", ["UK", "EU", "US"])])
    plan, desired = plan_for(client, folder)
    converge(client, folder, plan, desired)
    assert stored_order(client, "PS-A") == {"Plug": ["UK", "EU", "US"]}


def test_two_options_keep_their_values_order(sandbox, client, tmp_path):
    folder = write(tmp_path, [plug("B", ["UK", "EU", "US"], ["White", "Black"])])
    plan, desired = plan_for(client, folder)
    converge(client, folder, plan, desired)
    assert stored_order(client, "PS-B") == {"Plug": ["UK", "EU", "US"], "Colour": ["White", "Black"]}
