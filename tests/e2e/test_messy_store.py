"""Issue 14, "Done when" item 1: one messy store holding every importable case at once, built
by plain HTTP calls (requests to the sandbox, as another app or the admin panel would build
it; never the project's client or seed format), imports to a catalog that validates and
plans "No changes", and nothing is lost: the products, variants, price records and price
list assignments in the YAML plus those import names as not expressible are as many as the
store holds, counted from the store over HTTP.

The store: 300 products, some without a SKU (one with variants, one priced in a list through
its base variant, one whose variants are priced), SKUs with spaces around them, with commas
and with non-ASCII letters; nested categories in tree 1, a second tree (channel 2's) with
products in it, "Cables/Adapters" in both trees; three brands; three customer groups; two
price lists, one assigned to channel 2 with no customer group, the other to a group on
channel 1; custom fields (two of one name), options and variants, images, bulk pricing
rules and custom URLs; products listed on channel 2 too."""

from __future__ import annotations

import re
import time

import pytest
import requests

from reconciler import load_desired

N = 300


class Http:
    """Plain HTTP to the sandbox, one session (keep-alive) for the few hundred calls."""

    def __init__(self, sandbox) -> None:
        self.base = sandbox.api_base
        self.s = requests.Session()
        self.s.headers.update({"X-Auth-Token": sandbox.token, "Accept": "application/json"})
        self.calls = 0

    def call(self, method: str, path: str, body=None, params=None):
        self.calls += 1
        r = self.s.request(method, self.base + path, json=body, params=params, timeout=10)
        assert r.status_code < 300, (method, path, body, r.status_code, r.text)
        return r.json() if r.content else {}

    def data(self, method: str, path: str, body=None, params=None):
        return self.call(method, path, body, params)["data"]

    def every(self, path: str, **params) -> list[dict]:
        """Every row of a v3 list, page by page."""
        rows, page = [], 1
        while True:
            got = self.call("GET", path, params={**params, "limit": 250, "page": page})
            rows += got["data"]
            pages = got.get("meta", {}).get("pagination", {}).get("total_pages", 1)
            if page >= pages:
                return rows
            page += 1


def sku_of(i: int) -> str | None:
    """None: no SKU at all; "": an empty one; else odd and plain ones."""
    if i % 50 == 0:
        return None if i % 100 == 0 else ""
    if i % 37 == 1:
        return f" SP-{i} "                      # spaces around it
    if i % 41 == 2:
        return f"CM-{i},BLK"                    # a comma
    if i % 43 == 3:
        return f"ÜB-{i}-éß"                     # non-ASCII letters
    if i % 47 == 4:
        return f"SL-{i}/10"                     # a slash
    return f"MS-{i:04d}"


def build(http: Http) -> dict:
    tree = lambda name, tid, parent=0: http.data(  # noqa: E731
        "POST", "/v3/catalog/trees/categories", [{"name": name, "tree_id": tid, "parent_id": parent}])[0]["category_id"]
    ties = tree("Cable Ties", 1)
    nylon = tree("Nylon", 1, ties)
    uv = tree("UV Black", 1, nylon)
    fixings = tree("Fixings", 1)
    plugs = tree("Wall Plugs", 1, fixings)
    adapters = tree("Cables/Adapters", 1)
    hdmi = tree("HDMI", 1, adapters)
    us_adapters = tree("Cables/Adapters", 2)
    us_leads = tree("Leads", 2, us_adapters)
    us_picks = tree("Trade Picks", 2)
    cats = [[ties], [uv], [nylon, plugs], [hdmi], [adapters, us_leads], [us_picks], [us_adapters], [], [fixings]]

    brands = [http.data("POST", "/v3/catalog/brands", {"name": n})["id"] for n in ("GTSE Pro", "FixRight", "Ünï")]
    groups = [http.call("POST", "/v2/customer_groups", {"name": n})["id"] for n in ("Trade", "Wholesale", "Retail VIP")]

    made = []
    for i in range(N):
        sku = sku_of(i)
        body = {"name": f"Messy Product {i:03d}", "type": "physical", "weight": 0.1 + i % 5, "price": 1 + i % 17 + 0.99,
                "categories": cats[i % len(cats)]}
        if sku is not None:
            body["sku"] = sku
        if i % 3 == 0:
            body["brand_id"] = brands[(i // 3) % 3]
        if i % 5 == 0:
            body["custom_fields"] = [{"name": "Material", "value": "Nylon 6.6"}, {"name": "Colour", "value": "Black"},
                                     {"name": "Colour", "value": "Natural"}]
        if i % 7 == 0:
            body["images"] = [{"image_url": f"https://cdn.example.com/messy/{i}-a.jpg", "is_thumbnail": True},
                              {"image_url": f"https://cdn.example.com/messy/{i}-b.jpg", "description": "Back",
                               "sort_order": 1}]
        if i % 11 == 0:
            body["bulk_pricing_rules"] = [{"quantity_min": 10, "quantity_max": 49, "type": "percent", "amount": 5},
                                          {"quantity_min": 50, "quantity_max": 0, "type": "price", "amount": 0.5}]
        if i % 13 == 0:
            body["custom_url"] = {"url": f"/messy/{i}-custom/", "is_customized": True}
        if i % 9 == 0:
            stem = (sku or f"NS{i}").strip()
            body["variants"] = [{"sku": f"{stem}-{size}", "price": 2 + k,
                                 "option_values": [{"option_display_name": "Size", "label": size}]}
                                for k, size in enumerate(("Small", "Medium", "Large"))]
        made.append(http.data("POST", "/v3/catalog/products", body))

    # Products in channel 2's tree are listed on channel 2 as well (and every 4th product).
    tree2 = {us_leads, us_picks, us_adapters}
    on_us = [p["id"] for k, p in enumerate(made) if tree2 & set(p["categories"]) or k % 4 == 0]
    http.call("PUT", "/v3/catalog/products/channel-assignments",
              [{"product_id": pid, "channel_id": 2} for pid in on_us])

    everyone = http.data("POST", "/v3/pricelists", {"name": "Everyone US", "active": True})
    trade = http.data("POST", "/v3/pricelists", {"name": "Trade UK", "active": True})
    http.call("POST", "/v3/pricelists/assignments", [
        {"price_list_id": everyone["id"], "channel_id": 2},                         # no customer group
        {"price_list_id": trade["id"], "channel_id": 1, "customer_group_id": groups[0]},
        {"price_list_id": trade["id"], "channel_id": 1, "customer_group_id": groups[1]}])

    products = http.every("/v3/catalog/products", include="variants")
    records = {everyone["id"]: [], trade["id"]: []}
    for k, p in enumerate(products):
        for v in p["variants"]:
            if k % 3 == 0:
                records[everyone["id"]].append({"variant_id": v["id"], "currency": "USD", "price": 1.5})
            if k % 4 == 0:
                records[trade["id"]].append({"variant_id": v["id"], "currency": "GBP", "price": 1.25,
                                             "sale_price": 1.1})
    for plid, rows in records.items():
        http.call("PUT", f"/v3/pricelists/{plid}/records", rows)
    return {"price_lists": [everyone["id"], trade["id"]], "groups": groups}


def store_counts(http: Http, price_lists: list[int]) -> dict[str, int]:
    products = http.every("/v3/catalog/products", include="variants")
    return {
        "product": len(products),
        "no_sku": sum(1 for p in products if not p["sku"]),
        "variant": sum(1 for p in products for v in p["variants"] if v["option_values"]),
        "price_record": sum(len(http.every(f"/v3/pricelists/{pl}/records")) for pl in price_lists),
        "price_list_assignment": len(http.every("/v3/pricelists/assignments")),
    }


def named(output: str) -> list[str]:
    """The lines import prints under "Not expressible in YAML"."""
    lines = output.splitlines()
    at = next((k for k, line in enumerate(lines) if line.startswith("Not expressible in YAML")), None)
    if at is None:
        return []
    return [line.strip() for line in lines[at + 1:] if line.startswith("  ")]


def test_a_messy_store_built_over_http_imports_validates_and_plans_no_changes(sandbox, run_cli, tmp_path):
    started = time.monotonic()
    sandbox.reset(data={})
    sandbox.configure(quota=2000)   # ~330 writes to build it: not a test of the Standard quota's waits
    http = Http(sandbox)
    store = build(http)
    built = http.calls

    out = tmp_path / "catalog"
    imported = run_cli("import", "--out", out)
    assert imported.exit_code == 0, imported.output
    checked = run_cli("validate", "--catalog", out)
    assert checked.exit_code == 0, checked.output
    planned = run_cli("plan", "--catalog", out, "--detailed-exitcode")
    assert planned.exit_code == 0 and "No changes" in planned.output, planned.output[-3000:]

    # Nothing lost: YAML plus what import names equals the store, kind by kind.
    why = named(imported.output)
    desired = load_desired(out)
    live = store_counts(http, store["price_lists"])
    left_products = [w for w in why if w.startswith("product #")]
    went_with = sum(int(n) for w in left_products for n in re.findall(r"(\d+) variants", w))
    left_records = [w for w in why if " price record " in w]
    assert len(left_products) == live["no_sku"] == 6, why
    assert len(desired.of("product")) + len(left_products) == live["product"] == N
    assert len(desired.of("variant")) + went_with == live["variant"], (went_with, why)
    assert len(desired.of("price_record")) + len(left_records) == live["price_record"], why
    assert len(desired.of("price_list_assignment")) == live["price_list_assignment"] == 3
    # Each product without a SKU is listed by plan as unmanaged, by id.
    for w in left_products:
        assert w.split()[1] in planned.output, (w, planned.output[-2000:])

    # The odd keys came through exactly.
    for sku in (" SP-38 ", "CM-43,BLK", "ÜB-46-éß", "SL-51/10"):
        assert desired.get("product", sku) is not None, sku
    assert desired.get("variant", "MS-0009-Small") is not None
    assert time.monotonic() - started < 15, (time.monotonic() - started, built)


def test_records_of_variants_of_a_product_without_a_sku_are_named_not_written(sandbox, run_cli, tmp_path):
    """Found by this store (failed before price_record.settle_read): a product without a SKU
    goes unwritten with its variants (named by import, "with it: 3 variants"), but the price
    records of those variants (which have SKUs of their own) were still written to the price
    lists' YAML, so validate refused them ("sku 'NS0-Large' is not a product or variant in
    the catalog"). Now import names each of them, and an apply of the lists neither writes
    nor deletes them."""
    sandbox.reset(data={})
    sandbox.configure(quota=2000)
    http = Http(sandbox)
    store = build(http)
    loose = [p for p in http.every("/v3/catalog/products", include="variants") if not p["sku"]]
    loose_variants = {v["id"]: v["sku"] for p in loose for v in p["variants"] if v["option_values"]}
    def held(): return sorted((pl, r["variant_id"], r["currency"]) for pl in store["price_lists"]  # noqa: E301,E704
                              for r in http.every(f"/v3/pricelists/{pl}/records") if r["variant_id"] in loose_variants)
    before = held()
    assert before, "the store holds records of variants of products without a SKU"

    out = tmp_path / "catalog"
    imported = run_cli("import", "--out", out)
    assert imported.exit_code == 0, imported.output
    why = named(imported.output)
    for vid, sku in loose_variants.items():
        if any(vid == v for _, v, _ in before):
            assert any(f"variant '{sku}' of product #" in w for w in why), (sku, why)
    written = "".join(f.read_text() for f in out.rglob("*.yaml"))
    assert not any(f"sku: {sku}\n" in written for sku in loose_variants.values())

    # A reviewed change to a list: one update, and the loose records are neither deleted nor written.
    lists = sorted(out.glob("price-lists/*.yaml"))
    text = lists[0].read_text()
    changed = re.sub(r"price: (\d+\.\d+)", lambda m: f"price: {float(m.group(1)) + 1:.2f}", text, count=1)
    assert changed != text
    lists[0].write_text(changed)
    planned = run_cli("plan", "--catalog", out, "--detailed-exitcode")
    assert planned.exit_code == 2 and "1 to update" in planned.output and "0 to delete" in planned.output, \
        planned.output[-3000:]
    applied = run_cli("apply", "--catalog", out, "--auto-approve")
    assert applied.exit_code == 0, applied.output[-3000:]
    assert held() == before
    # ... and plan lists them as unmanaged, by key.
    for _, vid, currency in before:
        assert f"{loose_variants[vid]}:{currency.upper()}" in planned.output, planned.output[-3000:]
    again = run_cli("plan", "--catalog", out, "--detailed-exitcode")
    assert again.exit_code == 0 and "No changes" in again.output, again.output[-3000:]
