"""The synthetic store generator (bench/generate.py) that the scale benchmark
(bench/run.py) uses: deterministic, valid, and in step with the sandbox seeded from it."""

from __future__ import annotations

import re
from collections import Counter

import pytest
import yaml

from reconciler import build_plan, connect, load_desired, read_live
from bench.generate import generate_store, to_yaml, write_catalog
from reconciler.store.config import StoreConfig


def files(folder) -> dict[str, str]:
    return {str(p.relative_to(folder)): p.read_text() for p in sorted(folder.rglob("*.yaml"))}


def plan_for(sandbox, folder):
    desired = load_desired(folder)
    config = StoreConfig(api_url=sandbox.url, store_hash=sandbox.store_hash, token=sandbox.token)
    with connect(config, parallelism=4) as client:
        return build_plan(desired, read_live(client, desired.store))


def test_the_same_arguments_give_the_same_store_and_files(tmp_path):
    assert generate_store(20, seed=7) == generate_store(20, seed=7)
    assert generate_store(20, seed=7) != generate_store(20, seed=8)
    a = write_catalog(generate_store(20, seed=7), tmp_path / "a", changed_fraction=0.1, seed=3)
    b = write_catalog(generate_store(20, seed=7), tmp_path / "b", changed_fraction=0.1, seed=3)
    assert a == b and files(tmp_path / "a") == files(tmp_path / "b")


def test_shape_and_sku_convention():
    data = generate_store(20, variants_per_product=3, price_lists=2)
    products = data["products"]
    assert len(products) == 20 and all(len(p["variants"]) == 3 for p in products)
    assert all(re.fullmatch(r"(CT|FX|TL|EL)-P\d{5}", p["sku"]) for p in products)
    assert all(v["sku"].startswith(p["sku"] + "-") for p in products for v in p["variants"])
    assert products[0]["variants"][0]["sku"] == "CT-P00001-2.5"
    trade, usd = data["price_lists"]
    assert trade["name"] == "Trade GBP" and len(trade["records"]) == 60
    assert trade["assignments"] == [{"customer_group": "Trade", "channel": 1}]
    assert usd["records"][0]["currency"] == "USD"
    assert {(g["name"], g["id"]) for g in data["customer_groups"]} == {("Retail", 1), ("Trade", 2)}
    assert all(r["price"] > 0 for r in trade["records"])


def test_files_split_at_1000_products(tmp_path):
    write_catalog(generate_store(1001, variants_per_product=0, price_lists=0), tmp_path / "c")
    names = sorted(files(tmp_path / "c"))
    assert names == ["brands.yaml", "categories.yaml", "customer-groups.yaml",
                     "products/products-0001.yaml", "products/products-0002.yaml", "store.yaml"]


@pytest.mark.parametrize("text", ["yes", "No", "null", "100", "2.5", "2.5mm", "a: b", "#x", "x #y", "-a",
                                  "Zinc plated steel", "it's", "[x]", "{x}", "", " padded ", "ünïcode"])
def test_written_scalars_load_back_unchanged(text):
    body = {"a": [{"b": text, "c": [text, 1.5, True, None]}], text: {"n": 3}}
    assert yaml.safe_load(to_yaml(body)) == body


def test_catalog_validates_and_plans_to_no_changes(sandbox, tmp_path):
    data = generate_store(20)
    sandbox.reset(data=data)
    assert write_catalog(data, tmp_path / "catalog") == {"changed_variants": 0, "changed_records": 0}
    plan = plan_for(sandbox, tmp_path / "catalog")
    assert [(c.action.verb, c.kind, c.key) for c in plan.changes] == []


def test_changed_fraction_gives_that_many_price_updates(sandbox, tmp_path):
    data = generate_store(20, variants_per_product=3)
    sandbox.reset(data=data)
    summary = write_catalog(data, tmp_path / "catalog", changed_fraction=0.1, seed=1)
    assert summary == {"changed_variants": 6, "changed_records": 6}
    plan = plan_for(sandbox, tmp_path / "catalog")
    assert Counter((c.action.verb, c.kind) for c in plan.changes) == {
        ("update", "variant"): 6, ("update", "price_record"): 6}
    assert all([f.path for f in c.changes] == ["price"] for c in plan.changes)
    assert not plan.blocked
