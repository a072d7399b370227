"""The per-kind facts the planner and desired validation read: consistent, and enough
for a new kind to bring its own money guardrail without touching them."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from reconciler.core.diagnostics import SourceRange
from reconciler.core.objects import DesiredObject
from reconciler.core.settings import StoreSettings
from reconciler.desired.validate import check_kinds
from reconciler.plan.guardrails import effective, priced
from reconciler.resources import REGISTRY, Registry
from reconciler.resources.checks import error, items

D = Decimal
PRICED = [k for k in REGISTRY if k.price_field]


@pytest.mark.parametrize("kind", PRICED, ids=lambda k: k.name)
def test_every_priced_kind_checks_its_money_when_validated(kind):
    assert kind.checks is not None, f"{kind.name} sets a price but brings no desired check"
    assert priced(kind.name) is kind


def test_the_pricing_facts_name_registered_kinds():
    for kind in REGISTRY:
        for owner in kind.overrides:
            assert priced(owner) is not None, (kind.name, owner)
            assert kind.sku_field, kind.name
        if kind.cost_from_parent:
            assert REGISTRY[kind.parent].cost_field, kind.name
        if kind.audience_fields is not None:
            assert kind.parent and kind.audience_from in ("declared", "granted"), kind.name
        assert kind.shown_as in ("block", "inline", "one_line"), kind.name
        assert (kind.shown_as == "one_line") == (kind.title is not None), kind.name


def test_effective_price_is_the_sale_price_when_set():
    variant = REGISTRY["variant"]
    assert effective(variant, {"price": D("10"), "sale_price": D("8")}) == D("8")
    assert effective(variant, {"price": D("10"), "sale_price": D("0")}) == D("10")
    assert priced("brand") is None and priced("no_such_kind") is None


def _product(fields, line=1):
    at = SourceRange("catalog/products/p.yaml", line, 3)
    sources = {path: SourceRange(at.file, line + i + 1, 10) for i, path in enumerate(_paths(fields))}
    return DesiredObject("product", fields["sku"], fields, at, sources)


def _paths(value, prefix=""):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from [f"{prefix}{k}", *_paths(v, f"{prefix}{k}.")]
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from [f"{prefix}{i}", *_paths(v, f"{prefix}{i}.")]


def test_check_kinds_runs_each_kinds_money_guardrail_at_the_yaml_position():
    product = _product({"sku": "CT-A", "price": D("5.00"), "cost_price": D("8.00"),
                        "variants": [{"sku": "CT-A-1", "price": D("6.00")}]})
    found = check_kinds({"product": {"CT-A": product}}, StoreSettings())
    assert sorted(map(str, found)) == [
        "catalog/products/p.yaml:3:10: product 'CT-A': price 5.00 is below cost_price 8.00 "
        "(add acknowledge: [below_cost] to sell below cost)",
        "catalog/products/p.yaml:8:10: variant 'CT-A-1': price 6.00 is below cost_price 8.00 "
        "(add acknowledge: [below_cost] to sell below cost)",
    ]


def test_a_new_kind_brings_its_own_money_guardrail():
    """As a product's bulk pricing rules would: a child kind whose ``checks`` flags a rule
    that prices below cost, run by check_kinds with no change to desired/ or plan/."""
    def below_cost(products, checking):
        out = []
        for product in products:
            price, cost = product.fields.get("price"), product.fields.get("cost_price")
            for i, rule in items(product, "bulk_rules"):
                if rule.get("type") == "fixed" and cost is not None and rule["amount"] < cost:
                    out.append(error(f"product '{product.key}': bulk_rules.{i}: fixed price {rule['amount']} "
                                     f"is below cost_price {cost}", product.source_of(f"bulk_rules.{i}.amount")))
        return out

    registry = Registry()
    registry.register(REGISTRY["product"])
    registry.register(dataclasses.replace(REGISTRY["custom_field"], name="bulk_rule", plural="bulk_rules",
                                          owner_field="bulk_rules", checks=below_cost))
    product = _product({"sku": "CT-B", "price": D("9.00"), "cost_price": D("4.00"),
                        "bulk_rules": [{"type": "fixed", "amount": D("5.00")}, {"type": "fixed", "amount": D("3.50")}]})
    found = check_kinds({"product": {"CT-B": product}}, StoreSettings(), registry=registry)
    assert [str(d) for d in found] == [
        "catalog/products/p.yaml:11:10: product 'CT-B': bulk_rules.1: fixed price 3.50 is below cost_price 4.00"]
