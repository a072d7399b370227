"""The kinds' ``catalog_rules`` and ``store_settings`` hooks, as desired validation runs them.

The product rules themselves (variants against options, SKUs, the SKU convention,
channels) are tested through the loader in test_desired_load.py; these tests pin
how they are reached: by kind hooks, with no kind named in desired/.
"""

from __future__ import annotations

import dataclasses

from reconciler.core.diagnostics import SourceRange
from reconciler.core.objects import DesiredObject
from reconciler.core.settings import StoreSettings
from reconciler.desired.validate import check_kinds, check_rules
from reconciler.resources import REGISTRY, Registry
from reconciler.resources.checks import error

STORE = SourceRange("catalog/store.yaml", 1, 1)


def _product(fields: dict, line: int = 1) -> DesiredObject:
    at = SourceRange("catalog/products/p.yaml", line, 3)
    sources = {name: SourceRange(at.file, line + i + 1, 5) for i, name in enumerate(fields)}
    return DesiredObject("product", fields["sku"], fields, at, sources)


def test_check_rules_runs_each_kinds_catalog_rules_in_registry_order():
    seen = []

    def rule(name):
        def run(objects, checking):
            seen.append((name, [o.key for o in objects], dict(checking.store_values)))
            return [error(f"{name} rule", STORE)]
        return run

    registry = Registry()
    registry.register(dataclasses.replace(REGISTRY["brand"], catalog_rules=rule("brand")))
    registry.register(dataclasses.replace(REGISTRY["product"], catalog_rules=rule("product"), depends_on=("brand",)))
    values = {"channels.web": SourceRange("catalog/store.yaml", 3, 10)}
    found = check_rules({"product": {"CT-A": _product({"sku": "CT-A"})}}, StoreSettings(), frozenset(), values,
                        registry=registry)
    assert [d.summary for d in found] == ["brand rule", "product rule"]
    assert seen == [("brand", [], values), ("product", ["CT-A"], values)]


def test_product_rules_are_catalog_rules_not_checks():
    """check_kinds runs the money checks only; the product's catalog rules are check_rules'."""
    product = _product({"sku": "CT-A", "variants": [{"sku": "CT-A-1"}]})
    objects = {"product": {"CT-A": product}}
    assert check_kinds(objects, StoreSettings()) == []
    assert [str(d) for d in check_rules(objects, StoreSettings())] == [
        "catalog/products/p.yaml:3:5: product 'CT-A': variants: a product with variants needs options, "
        "the choices between them (e.g. options: {Width: [2.5mm, 4.8mm]})"]


def test_the_convention_names_categories_of_the_catalog_or_store_existing():
    category = DesiredObject("category", "Cable Ties", {"path": "Cable Ties"}, SourceRange("catalog/c.yaml", 1, 3))
    store = StoreSettings(existing={"category": {"Fixings"}}, source=STORE, sku_convention={
        "enabled": False, "categories": {"CT": "cable ties", "FX": "FIXINGS", "ZZ": "Nowhere"}})
    values = {f"sku_convention.categories.{c}": SourceRange("catalog/store.yaml", 4 + i, 11)
              for i, c in enumerate(("CT", "FX", "ZZ"))}
    found = check_rules({"category": {"Cable Ties": category}}, store, frozenset(), values)
    assert [str(d) for d in found] == [
        "catalog/store.yaml:6:11: store: sku_convention.categories.ZZ: category 'Nowhere' is not declared "
        "(add it to categories or to store.existing.categories)"]
    # Already reported there (a schema error, say): not again.
    assert check_rules({"category": {"Cable Ties": category}}, store, frozenset(values.values()), values) == []


def test_the_product_kind_reads_its_store_setting():
    read = REGISTRY["product"].store_settings
    assert read({}) == {"sku_convention": None}
    assert read({"sku_convention": {"categories": {"CT": "Cable Ties"}}}) == {
        "sku_convention": {"enabled": True, "categories": {"CT": "Cable Ties"}}}
    assert read({"sku_convention": {"enabled": 0, "categories": ["x"]}}) == {
        "sku_convention": {"enabled": True, "categories": {}}}      # only false turns it off
