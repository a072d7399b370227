"""The quick yes for request bodies (``validation._quick``) never says "valid" where
jsonschema finds an error, and says it for the bodies clients send."""

from __future__ import annotations

import itertools
import json
from decimal import Decimal

import pytest
from jsonschema import Draft7Validator

from reconciler.sandbox.catalog import schemas
from reconciler.sandbox.channels import schemas as channel_schemas
from reconciler.sandbox.core.validation import _quick, parse_json
from reconciler.sandbox.customer_groups import schemas as group_schemas
from reconciler.sandbox.pricelists import schemas as pricelist_schemas

TABLES = {name: table for module in (schemas, channel_schemas, pricelist_schemas, group_schemas)
          for name, table in vars(module).items()
          if name.isupper() and isinstance(table, dict) and table
          and all(isinstance(v, dict) for v in table.values())}

SAMPLES = [None, True, False, 0, 1, -1, 2.0, 2147483648, Decimal("0.5"), Decimal("-0.01"), Decimal("1e10"),
           "", "a", "USD", "abc1", "/a-b/", "x" * 300, "é" * 251, [], [1], [1, "a"], ["a"], [{}],
           [{"id": 1, "option_id": 2}], [{"quantity_min": 1, "type": "fixed", "amount": Decimal("1.5")}],
           {}, {"url": "/x/"}, {"name": "a", "value": "b"}, {"a": 1}]


def agrees(table: dict, body: dict) -> None:
    errors = list(Draft7Validator({"type": "object", "properties": table}).iter_errors(body))
    if _quick(table)(body):
        assert errors == [], (body, [e.message for e in errors])


@pytest.mark.parametrize("name", sorted(TABLES))
def test_never_valid_where_jsonschema_finds_an_error(name):
    table = TABLES[name]
    for field, schema in table.items():
        values = SAMPLES + list(schema.get("enum", [])) + [
            {k: v for k, v in zip(schema.get("properties", {}), itertools.cycle(SAMPLES[i:]))}
            for i in range(0, len(SAMPLES), 3)]
        items = schema.get("items", {})
        values += [[{k: v for k, v in zip(items.get("properties", {}), itertools.cycle(SAMPLES[i:]))}]
                   for i in range(0, len(SAMPLES), 2)]
        for value in values:
            agrees(table, {field: value})


def test_the_bodies_clients_send_are_quick():
    product = parse_json(json.dumps({
        "name": "Cable Tie", "type": "physical", "weight": 0.25, "price": 12.5, "sku": "CT-1", "brand_id": 3,
        "categories": [22], "is_visible": True, "cost_price": 4, "custom_url": {"url": "/cable-tie/", "is_customized": True},
        "custom_fields": [{"name": "Material", "value": "Nylon"}],
        "variants": [{"sku": f"CT-1-{w}", "price": 10.5, "option_values": [
            {"option_display_name": "Width", "label": f"{w}mm"}]} for w in (1, 2, 3)]}).encode())
    record = parse_json(b'{"variant_id": 301, "currency": "GBP", "price": 9.99, "sale_price": null, '
                        b'"bulk_pricing_tiers": [{"quantity_min": 10, "quantity_max": 20, "type": "percent", "amount": 5}]}')
    variant = parse_json(b'{"id": 301, "price": 3.5, "sku": "CT-1-1", "weight": null}')
    for table, body in ((schemas.PRODUCT, product), (pricelist_schemas.PRICE_RECORD_ITEM, record),
                        (schemas.VARIANT_BATCH, variant)):
        assert _quick(table)(body), body
        agrees(table, body)
