"""catalog import over real HTTP: the store written as YAML validates, and the plan
against the same store shows no changes and nothing unmanaged."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from reconciler import build_plan, load_desired, read_live
from reconciler.core.live import LiveState
from reconciler.core.settings import StoreSettings
from reconciler.desired.schemas import schema_dir
from reconciler.importer import CatalogExistsError, import_catalog, read_store_settings

TOPS = ["Cable Ties", "Fixings", "Tools", "Électrique"]
SUBS = ["Nylon", "Steel", "Heavy Duty"]


def synthetic_store(n: int = 510) -> dict:
    """A store in the sandbox's seed format with every kind: ``n`` products with three
    option variants each (labels that read as numbers), custom fields, both channels,
    categories two deep, brands, customer groups and two price lists."""
    categories = [{"path": t, "sort_order": i, "is_visible": i != 2} for i, t in enumerate(TOPS)]
    categories += [{"path": f"{t}/{s}", "description": f"<p>{s} {t}</p>"} for t in TOPS for s in SUBS]
    products, records = [], []
    for i in range(n):
        top = TOPS[i % len(TOPS)]
        sku = f"{'CFTE'[i % 4]}{i % 4}-P{i:04d}"
        p = {
            "sku": sku, "name": f"{top} product {i:04d} — “quoted”: yes", "type": "physical",
            "price": 1 + i % 50 + (i % 7) / 100, "cost_price": round(0.4 + (i % 9) / 10, 2),
            "weight": (0.05, 0.1, 0.15)[i % 3],
            "channels": [1, 2] if i % 3 else [1],
            "custom_fields": {"Pack Size": str(50 * (1 + i % 4)), "Recyclable": "yes", "Material": "Nylon 6.6"},
            "options": None,
            "variants": [{"sku": f"{sku}-{w}", "options": {"Width": label, "Colour": "Black"}, "price": 1.5 + j,
                          **({"sale_price": 1.0 + j} if i % 5 == 0 else {})}
                         for j, (w, label) in enumerate((("10", "10"), ("4.8", "4.8"), ("TRUE", "true")))],
        }
        p.pop("options")
        if i % 10 == 0:
            p["description"] = "<p>Line one.</p>\n<p>Line two: with a colon.</p>\n"
        if i % 11:
            p["brand"] = f"Brand {i % 6}"
        if i % 13:
            p["categories"] = [f"{top}/{SUBS[i % 3]}"] + ([top] if i % 2 else [])
        if i % 17 == 0:
            p["is_visible"] = False
            p["retail_price"] = 99.9
        records += [{"sku": v["sku"], "currency": "GBP", "price": round(v["price"] * 0.8, 2)}
                    for v in p["variants"][:2]]
        products.append(p)
    tiers = [{"quantity_min": 10, "quantity_max": 49, "type": "price", "amount": 1.2},
             {"quantity_min": 50, "quantity_max": None, "type": "percent", "amount": 10}]
    records[0]["bulk_pricing_tiers"] = tiers
    return {
        "brands": [{"name": f"Brand {b}", "page_title": f"Brand {b}: trade"} for b in range(6)] + [{"name": "Unused"}],
        "categories": categories,
        "products": products,
        "customer_groups": [
            {"id": 1, "name": "Retail", "is_default": True, "category_access": {"type": "all"}},
            {"id": 2, "name": "Trade",
             "category_access": {"type": "specific", "categories": ["Cable Ties", "Fixings"]}},
            {"id": 3, "name": "Staff", "discount_rules": [{"type": "all", "method": "percent", "amount": "20.0000"}]},
        ],
        "price_lists": [
            {"name": "Trade GBP", "active": True, "records": records,
             "assignments": [{"customer_group": "Trade", "channel": 2}, {"customer_group": "Trade", "channel": 1}]},
            {"name": "Export (multi-currency)", "active": False,
             "records": [{"sku": products[1]["variants"][0]["sku"], "currency": "usd", "price": 2.5},
                         {"sku": products[1]["variants"][0]["sku"], "currency": "EUR", "price": 2.25, "map_price": 2}]},
        ],
    }


def imported(client, out, **kw):
    settings = read_store_settings(client)
    return import_catalog(read_live(client, settings), settings, out, **kw)


def plan_for(client, folder):
    desired = load_desired(folder)
    return build_plan(desired, read_live(client, desired.store)), desired


def assert_clean(plan):
    assert not plan.has_changes, [(c.action.verb, c.kind, c.key, c.changes) for c in plan.changes][:5]
    assert plan.unmanaged == {}


def test_a_synthetic_store_imports_and_plans_clean(sandbox, client, tmp_path):
    sandbox.configure(quota=100000, window_ms=30000, latency_ms=0)
    sandbox.reset(data=synthetic_store())
    summary = imported(client, tmp_path / "catalog")

    plan, desired = plan_for(client, tmp_path / "catalog")
    assert_clean(plan)
    assert len(desired.of("product")) == 510 and len(desired.of("variant")) == 1530
    assert summary.counts["product"] == 510 and summary.counts["price_record"] == 1022
    assert summary.files == [
        "brands.yaml", "categories.yaml", "customer-groups.yaml",
        "price-lists/export-multi-currency.yaml", "price-lists/trade-gbp.yaml",
        "products/cable-ties.yaml", "products/electrique.yaml", "products/fixings.yaml", "products/tools.yaml",
        "products/uncategorised.yaml", "store.yaml"]
    text = (tmp_path / "catalog/products/cable-ties.yaml").read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=")
    assert "— “quoted”: yes" in text                         # allow_unicode, no wrapping
    assert "Width: ['10', '4.8', 'true']" in text             # labels that read as numbers, in the store's order
    assert "Recyclable: 'yes'" in text and "Pack Size: '50'" in text
    assert "description: |\n" in text                         # several lines as a block
    assert "sale_price: 0" not in text and "is_featured" not in text and ": null" not in text
    everything = "".join((tmp_path / "catalog" / f).read_text(encoding="utf-8") for f in summary.files)
    assert "is_visible: false" in everything                  # a meaningful false is kept
    assert "acknowledge: [below_cost]" in everything          # the store sells some below cost already

    docs = {name: yaml.safe_load((tmp_path / "catalog" / name).read_text(encoding="utf-8")) for name in summary.files}
    trade = docs["price-lists/trade-gbp.yaml"]["price_lists"][0]
    assert trade["currency"] == "GBP" and all("currency" not in r for r in trade["records"])
    skus = [r["sku"] for r in trade["records"]]
    assert skus == sorted(skus, key=str.casefold)
    assert trade["assignments"] == [{"customer_group": "Trade", "channel": "uk-main"},
                                    {"customer_group": "Trade", "channel": "us-trade"}]
    export = docs["price-lists/export-multi-currency.yaml"]["price_lists"][0]
    assert "currency" not in export and [r["currency"] for r in export["records"]] == ["EUR", "USD"]
    store = docs["store.yaml"]["store"]
    assert store["channels"] == {"uk-main": 1, "us-trade": 2} and store["prune"] == []
    assert store["sku_convention"]["enabled"] is False and "existing" not in store
    paths = [c["path"] for c in docs["categories.yaml"]["categories"]]
    assert all(paths.index(p.rpartition("/")[0]) < paths.index(p) for p in paths if "/" in p)
    # Money is written as decimals with two places, never as floats that lose digits.
    assert "price: 1.50\n" in text
    assert desired.get("product", "C0-P0000").fields["price"] == Decimal("1.00")


def test_the_gtse_store_imports_and_plans_clean(sandbox, client, tmp_path, monkeypatch):
    sandbox.reset(seed="gtse")
    shutil.copytree(schema_dir(), tmp_path / "schemas")     # a repository with schemas/, as this one
    monkeypatch.chdir(tmp_path)
    imported(client, Path("catalog"))
    plan, desired = plan_for(client, Path("catalog"))
    assert_clean(plan)
    # Headers point at the repository's schemas, relative, as in catalog/.
    assert Path("catalog/store.yaml").read_text().startswith(
        "# yaml-language-server: $schema=../schemas/catalog.schema.json\n")
    assert Path("catalog/products/tools.yaml").read_text().startswith(
        "# yaml-language-server: $schema=../../schemas/catalog.schema.json\n")
    assert desired.get("customer_group", "Staff").fields["discount_rules"] == [
        {"type": "all", "method": "percent", "amount": 20}]
    store = yaml.safe_load(Path("catalog/store.yaml").read_text())["store"]
    assert store["sku_convention"] == {"enabled": False, "categories": {
        "CT": "Cable Ties", "EL": "Electrical", "FX": "Fixings", "TL": "Tools"}}
    assert "all 126 follow it" in Path("catalog/store.yaml").read_text()


def test_a_store_breaking_the_sku_convention_imports_as_it_is(sandbox, client, tmp_path):
    data = {"categories": [{"path": "Cable Ties"}], "products": [
        {"sku": "CT-BLK100", "name": "Ties", "type": "physical", "price": 2, "weight": 0.1,
         "categories": ["Cable Ties"],
         "variants": [{"sku": "black ties 2.5", "options": {"Width": "2.5mm"}},
                      {"sku": "CT-BLK100-3.6", "options": {"Width": "3.6mm"}}]},
        {"sku": "CT-plug", "name": "Lower-case part", "type": "physical", "price": 1, "weight": 0.1,
         "categories": ["Cable Ties"]},
        {"sku": "widget", "name": "No code at all", "type": "physical", "price": 1, "weight": 0.1},
    ]}
    sandbox.reset(data=data)
    imported(client, tmp_path / "catalog")
    plan, desired = plan_for(client, tmp_path / "catalog")
    assert_clean(plan)
    assert desired.store.sku_convention == {"enabled": False, "categories": {"CT": "Cable Ties"}}
    assert "3 of 5 SKUs break it" in (tmp_path / "catalog/store.yaml").read_text()
    assert "sku: black ties 2.5" in (tmp_path / "catalog/products/cable-ties.yaml").read_text()
    assert "widget" in (tmp_path / "catalog/products/uncategorised.yaml").read_text()


def test_an_existing_catalog_is_not_overwritten_without_force(sandbox, run_cli, tmp_path):
    sandbox.reset(seed="gtse")
    out = tmp_path / "catalog"
    (out / "products").mkdir(parents=True)
    (out / "products" / "old.yaml").write_text("products: []\n")

    refused = run_cli("import", "--out", out)
    assert refused.exit_code == 1
    assert "already holds a catalog (1 YAML file, e.g. products/old.yaml)" in refused.output
    assert "--force" in refused.output
    assert not (out / "store.yaml").exists()
    with pytest.raises(CatalogExistsError, match="already holds a catalog"):
        import_catalog(LiveState(), StoreSettings(), out)

    done = run_cli("import", "--out", out, "--force")
    assert done.exit_code == 0, done.output
    assert not (out / "products" / "old.yaml").exists()        # would define objects twice
    assert "removed 1 old YAML files" in done.output
    assert run_cli("plan", "--catalog", out, "--detailed-exitcode").exit_code == 0


def test_kinds_product_lists_what_products_refer_to_as_existing(sandbox, client, tmp_path):
    sandbox.reset(seed="gtse")
    summary = imported(client, tmp_path / "catalog", kinds=["product"])
    assert [f for f in summary.files if not f.startswith("products/")] == ["store.yaml"]
    store = yaml.safe_load((tmp_path / "catalog/store.yaml").read_text())["store"]
    assert store["existing"]["brands"] == ["FixRight", "GTSE Pro", "ToolForge", "VoltLine"]
    assert "Cable Ties/Nylon" in store["existing"]["categories"]
    assert "Cable Ties" in store["existing"]["categories"]      # the SKU convention's categories too
    plan, desired = plan_for(client, tmp_path / "catalog")
    assert not plan.has_changes
    assert set(plan.unmanaged) == {"brand", "category", "price_list", "customer_group"}
    assert not desired.of("brand")


def test_kinds_price_list_without_products_is_refused(sandbox, run_cli, tmp_path):
    sandbox.reset(seed="gtse")
    result = run_cli("import", "--out", tmp_path / "catalog", "--kinds", "price_list,customer_groups")
    assert result.exit_code == 1
    assert "name SKUs, which must be products in the catalog" in result.output
    assert run_cli("import", "--out", tmp_path / "x", "--kinds", "variant").exit_code == 1


def test_cli_round_trip(sandbox, run_cli, tmp_path):
    sandbox.reset(seed="gtse")
    out = tmp_path / "imported"
    result = run_cli("import", "--out", out)
    assert result.exit_code == 0, result.output
    assert "37 products" in result.output and "store.yaml" in result.output
    assert "catalog validate --catalog" in result.output
    assert run_cli("validate", "--catalog", out).exit_code == 0
    assert run_cli("plan", "--catalog", out, "--detailed-exitcode").exit_code == 0
