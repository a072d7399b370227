"""catalog import of a store built by plain HTTP calls, as another app or the admin panel
would build it (issue 14, findings 1, 4, 5, 6): products without a SKU, SKUs with spaces
around them, a price list assigned to a channel with no customer group. Import names what
it cannot express; validate passes and the plan shows "No changes" and lists the products
without a SKU as unmanaged."""

from __future__ import annotations

import os
import re
from pathlib import Path

import requests
import yaml

from reconciler import build_plan, load_desired, read_live
from reconciler.importer import import_catalog, read_store_settings


class Api:
    """Plain HTTP to the sandbox: not the project's client, not its seed format."""

    def __init__(self, sandbox) -> None:
        self.base = sandbox.api_base
        self.headers = {"X-Auth-Token": sandbox.token, "Accept": "application/json"}

    def call(self, method: str, path: str, body=None, params=None) -> dict:
        r = requests.request(method, self.base + path, json=body, params=params, headers=self.headers, timeout=10)
        assert r.status_code < 300, (method, path, r.status_code, r.text)
        return r.json() if r.text else {}

    def product(self, **body) -> dict:
        return self.call("POST", "/v3/catalog/products", {"type": "physical", "weight": 1, **body})["data"]


def imported(client, out):
    settings = read_store_settings(client)
    return import_catalog(read_live(client, settings), settings, out)


def plan_for(client, folder):
    desired = load_desired(folder)
    return build_plan(desired, read_live(client, desired.store)), desired


def assert_clean(plan):
    assert not plan.has_changes, [(c.action.verb, c.kind, c.key, c.changes) for c in plan.changes][:5]


def messy_store(api: Api) -> dict:
    """The store: two products without a SKU (one priced in a list through its base variant),
    a product and a variant whose SKUs have spaces around them, a list on a channel with no
    customer group beside one for a group."""
    blank = [api.product(name="Loose Washers", price=1.5), api.product(name="Spare Key", price=2, sku=""),
             api.product(name="Unlabelled Ties", price=2, variants=[
                 {"sku": f"UT-{c}", "option_values": [{"option_display_name": "Colour", "label": c}]}
                 for c in ("Red", "Blue")])]
    spaced = api.product(name="Spaced Plug", price=3, sku=" FX-SP1 ")
    api.product(name="Plain Tie", price=4, sku="CT-PLAIN")
    varied = api.product(name="Spaced Variants", price=5, sku="CT-VAR", variants=[
        {"sku": "CT-VAR-A ", "option_values": [{"option_display_name": "Size", "label": "A"}]},
        {"sku": "CT-VAR-B", "option_values": [{"option_display_name": "Size", "label": "B"}]}])
    group = api.call("POST", "/v2/customer_groups", {"name": "Trade"})
    pl = api.call("POST", "/v3/pricelists", {"name": "Everyone US", "active": True})["data"]
    trade = api.call("POST", "/v3/pricelists", {"name": "Trade UK", "active": True})["data"]
    api.call("POST", "/v3/pricelists/assignments", [{"price_list_id": pl["id"], "channel_id": 2},
                                                    {"price_list_id": trade["id"], "channel_id": 1,
                                                     "customer_group_id": group["id"]}])
    base_variant = api.call("GET", f"/v3/catalog/products/{blank[0]['id']}/variants")["data"][0]
    variants = api.call("GET", f"/v3/catalog/products/{varied['id']}/variants")["data"]
    spaced_base = api.call("GET", f"/v3/catalog/products/{spaced['id']}/variants")["data"][0]
    api.call("PUT", f"/v3/pricelists/{pl['id']}/records", [
        {"variant_id": base_variant["id"], "currency": "USD", "price": 1.2},
        {"variant_id": spaced_base["id"], "currency": "USD", "price": 2.5},
        *({"variant_id": v["id"], "currency": "USD", "price": 4} for v in variants)])
    return {"blank": blank, "price_lists": [pl, trade]}


def test_a_messy_store_imports_to_no_changes(sandbox, client, tmp_path, run_cli):
    sandbox.reset(data={})
    store = messy_store(Api(sandbox))
    out = tmp_path / "catalog"
    summary = imported(client, out)
    text = summary.render()

    # Finding 1: the products without a SKU are named (id and name) by import, and so is
    # the record priced through one's base variant.
    for p in store["blank"]:
        assert f"#{p['id']}" in text and p["name"] in text, text
    assert "price record" in text and "Everyone US" in text, text
    everything = "".join(p.read_text(encoding="utf-8") for p in out.rglob("*.yaml"))
    assert "Loose Washers" not in everything and "sku: ''" not in everything

    # Finding 5: SKUs with spaces around them kept exactly, quoted.
    assert "sku: ' FX-SP1 '" in everything and "sku: 'CT-VAR-A '" in everything

    # Finding 4: the channel-only assignment written without a customer group.
    listed = yaml.safe_load((out / "price-lists/everyone-us.yaml").read_text(encoding="utf-8"))
    assert listed["price_lists"][0]["assignments"] == [{"channel": "us-trade"}]
    assert "#None" not in everything

    checked = run_cli("validate", "--catalog", out)
    assert checked.exit_code == 0, checked.output
    planned = run_cli("plan", "--catalog", out)
    assert planned.exit_code == 0 and "No changes" in planned.output, planned.output
    for p in store["blank"]:
        assert f"#{p['id']}" in planned.output and p["name"] in planned.output, planned.output
    plan, desired = plan_for(client, out)
    assert_clean(plan)
    unmanaged = plan.unmanaged.get("product") or []
    assert unmanaged == sorted(f"#{p['id']} (no SKU: {p['name']})" for p in store["blank"]), plan.unmanaged
    assert desired.get("product", " FX-SP1 ") is not None and desired.get("variant", "CT-VAR-A ") is not None

    # Everything the store holds is in the YAML or named by import: products, variants,
    # price records and assignments counted over HTTP.
    named = summary.inexpressible
    api = Api(sandbox)
    products = api.call("GET", "/v3/catalog/products", params={"include": "variants", "limit": 250})["data"]
    variants = sum(1 for p in products for v in p["variants"] if v["option_values"])
    went_with = sum(int(n) for w in named for n in re.findall(r"(\d+) variants", w))
    records = sum(len(api.call("GET", f"/v3/pricelists/{pl['id']}/records")["data"]) for pl in store["price_lists"])
    assignments = len(api.call("GET", "/v3/pricelists/assignments")["data"])
    assert len(desired.of("product")) + sum(w.startswith("product #") for w in named) == len(products) == 6
    assert len(desired.of("variant")) + went_with == variants == 4 and went_with == 2
    assert "UT-Red" not in everything
    assert len(desired.of("price_record")) + sum("price record" in w for w in named) == records == 4
    assert len(desired.of("price_list_assignment")) == assignments == 2


def test_a_channel_only_assignment_is_created_and_then_no_changes(seeded, client, tmp_path):
    from tests.e2e.conftest import write_catalog
    from reconciler import apply_saved_plan

    folder = write_catalog(tmp_path, {
        "store.yaml": "store:\n  name: t\n  channels: {uk-main: 1, us-trade: 2}\n",
        "price-lists/us.yaml": "price_lists:\n  - name: Everyone US\n    assignments:\n      - {channel: us-trade}\n"})
    plan, desired = plan_for(client, folder)
    assert [(c.action.verb, c.kind) for c in plan.changes] == [("create", "price_list"),
                                                               ("create", "price_list_assignment")]
    assert not apply_saved_plan(plan, client, desired.store, desired=desired).failed
    rows = requests.get(f"{seeded.api_base}/v3/pricelists/assignments", headers={"X-Auth-Token": seeded.token},
                        timeout=10).json()["data"]
    assert [(r["customer_group_id"], r["channel_id"]) for r in rows] == [(None, 2)]
    assert_clean(plan_for(client, folder)[0])


def test_schema_headers_are_relative_to_the_written_file(sandbox, client, tmp_path, monkeypatch):
    """Finding 6: a catalog written outside the working directory still gets relative headers."""
    sandbox.reset(seed="gtse")
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    out = tmp_path / "repo" / "catalog"
    imported(client, out)
    for path in out.rglob("*.yaml"):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        ref = first.split("$schema=", 1)[1]
        assert not os.path.isabs(ref) and str(tmp_path) not in ref, first
        depth = len(path.relative_to(out).parts)
        assert ref == "../" * depth + "schemas/catalog.schema.json", (path, first)
    (tmp_path / "repo" / "schemas").mkdir()
    assert Path(os.path.normpath(out / "products" / ref)).parent == tmp_path / "repo" / "schemas"


def test_a_sku_with_spaces_around_it_is_kept_exactly_through_import_edit_and_apply(sandbox, client, tmp_path):
    """Finding 5: the store keeps ' FX-SP1 ' as it is (the spec: 0-255 characters, no pattern),
    so the catalog does too: imported quoted, validated, and an edit to it applied in place."""
    sandbox.reset(data={})
    made = Api(sandbox).product(name="Spaced Plug", price=3, sku=" FX-SP1 ")
    out = tmp_path / "catalog"
    imported(client, out)
    path = out / "products/uncategorised.yaml"
    text = path.read_text(encoding="utf-8")
    assert "sku: ' FX-SP1 '" in text
    path.write_text(text.replace("price: 3.00", "price: 3.50"), encoding="utf-8")
    plan, desired = plan_for(client, out)
    assert [(c.action.verb, c.key) for c in plan.changes] == [("update", " FX-SP1 ")]
    from reconciler import apply_saved_plan
    assert not apply_saved_plan(plan, client, desired.store, desired=desired).failed
    row = Api(sandbox).call("GET", f"/v3/catalog/products/{made['id']}")["data"]
    assert (row["sku"], row["price"]) == (" FX-SP1 ", 3.5)
    assert_clean(plan_for(client, out)[0])
