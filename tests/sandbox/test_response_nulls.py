"""Answers carry no null where the official response schema does not allow one.

Issue 14 finding 17: product answers had ``option_set_id: null`` / ``date_last_imported:
null`` (P ``product_Full``: integer, string) and price-record ``batch_errors`` echoed
``sku: null`` / ``currency: null`` (PL ``/pricelists/{price_list_id}/records`` PUT 422:
string). These tests walk real answers against the response schema of the spec path
that served them, so any other such field is caught too: a null is allowed only where
the schema says ``nullable``/``x-nullable``, lists ``null`` in its type, or declares no
type at all (a property the schema does not declare is not judged).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
import yaml

SPECS = Path("/work/shared/bigcommerce-api/specs")
P, V, PL = ("catalog__products_catalog.v3.yml", "catalog__product-variants_catalog.v3.yml",
            "price_lists.v3.yml")

pytestmark = pytest.mark.skipif(not SPECS.is_dir(), reason=f"official specs not at {SPECS}")


@lru_cache(maxsize=None)
def _spec(name: str) -> dict:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader: ~8x faster here
    return yaml.load((SPECS / name).read_text(encoding="utf-8"), Loader=loader)


def _resolve(spec: dict, schema: Any) -> dict:
    while isinstance(schema, dict) and "$ref" in schema:
        node: Any = spec
        for part in schema["$ref"].lstrip("#/").split("/"):
            node = node[part]
        schema = node
    return schema if isinstance(schema, dict) else {}


def _null_ok(spec: dict, schema: dict) -> bool:
    schema = _resolve(spec, schema)
    if schema.get("nullable") or schema.get("x-nullable"):
        return True
    kind = schema.get("type")
    if kind is not None:
        return kind == "null" or (isinstance(kind, list) and "null" in kind)
    parts = [_resolve(spec, s) for key in ("allOf", "oneOf", "anyOf") for s in schema.get(key, [])]
    if schema.get("allOf"):
        return all(_null_ok(spec, s) for s in parts)
    if parts:
        return any(_null_ok(spec, s) for s in parts)
    return True  # no type declared: nothing forbids null


def _properties(spec: dict, schema: dict) -> dict[str, dict]:
    schema = _resolve(spec, schema)
    props = dict(schema.get("properties", {}))
    for key in ("allOf", "oneOf", "anyOf"):
        for part in schema.get(key, []):
            for name, sub in _properties(spec, part).items():
                props.setdefault(name, sub)
    return props


def _items(spec: dict, schema: dict) -> dict | None:
    schema = _resolve(spec, schema)
    if "items" in schema:
        return schema["items"]
    for key in ("allOf", "oneOf", "anyOf"):
        for part in schema.get(key, []):
            found = _items(spec, part)
            if found is not None:
                return found
    return None


def bad_nulls(spec: dict, value: Any, schema: dict, where: str = "") -> list[str]:
    """Paths in ``value`` holding null where ``schema`` does not allow it."""
    if value is None:
        return [] if _null_ok(spec, schema) else [where or "(root)"]
    out: list[str] = []
    if isinstance(value, dict):
        props = _properties(spec, schema)
        for key, sub in value.items():
            if key in props:
                out += bad_nulls(spec, sub, props[key], f"{where}.{key}")
    elif isinstance(value, list):
        items = _items(spec, schema)
        if items is not None:
            for i, sub in enumerate(value):
                out += bad_nulls(spec, sub, items, f"{where}[{i}]")
    return out


def response_schema(spec_name: str, path: str, method: str, status: str) -> tuple[dict, dict]:
    spec = _spec(spec_name)
    response = _resolve(spec, spec["paths"][path][method]["responses"][status])
    return spec, response["content"]["application/json"]["schema"]


# Fields whose schema types them without null while the spec's own text documents a
# null: P product_Full ``base_variant_id`` "This value is `null` for complex products"
# (FACTS §5.4). The sandbox answers as documented there.
PROSE_NULLS = {P: (".base_variant_id",)}


def check(answer: Any, spec_name: str, path: str, method: str = "get", status: str = "200") -> None:
    spec, schema = response_schema(spec_name, path, method, status)
    found = [p for p in bad_nulls(spec, answer, schema) if not p.endswith(PROSE_NULLS.get(spec_name, ("\0",)))]
    assert found == [], f"{method.upper()} {path} {status} (spec {spec_name})"


def test_walker_finds_a_null_the_schema_forbids():
    spec, schema = response_schema(P, "/catalog/products/{product_id}", "get", "200")
    assert bad_nulls(spec, {"data": {"option_set_id": None, "preorder_release_date": None}}, schema) == [
        ".data.option_set_id"]


def test_product_and_variant_answers_have_no_forbidden_nulls(api):
    simple = api.product(1, custom_fields=[{"name": "Material", "value": "Nylon"}])
    complex_ = api.product(2, variants=[{"sku": "CT-002-A", "option_values": [
        {"option_display_name": "Width", "label": "2.5mm"}]}])
    check({"data": simple, "meta": {}}, P, "/catalog/products", "post")
    for product in (simple, complex_):
        url = f"/v3/catalog/products/{product['id']}"
        check(api.get(url).json(), P, "/catalog/products/{product_id}")
        check(api.get(url, params={"include": "custom_fields,variants,channels"}).json(),
              P, "/catalog/products/{product_id}")
        variants = api.get(f"{url}/variants").json()
        check(variants, V, "/catalog/products/{product_id}/variants")
        one = api.get(f"{url}/variants/{variants['data'][0]['id']}").json()
        check(one, V, "/catalog/products/{product_id}/variants/{variant_id}")
    check(api.get("/v3/catalog/products", params={"include": "custom_fields,variants"}).json(),
          P, "/catalog/products")
    check(api.get("/v3/catalog/variants").json(), V, "/catalog/variants")
    rules = f"/v3/catalog/products/{simple['id']}/bulk-pricing-rules"
    r = api.post(rules, json={"quantity_min": 5, "quantity_max": 0, "type": "percent", "amount": ".1"})
    check(r.json(), P, "/catalog/products/{product_id}/bulk-pricing-rules", "post")
    check(api.get(rules).json(), P, "/catalog/products/{product_id}/bulk-pricing-rules")
    check(api.get(f"/v3/catalog/products/{simple['id']}", params={"include": "bulk_pricing_rules"}).json(),
          P, "/catalog/products/{product_id}")


def test_pricing_answers_have_no_forbidden_nulls(api):
    product = api.product(1)
    r = api.post("/v3/pricelists", json={"name": "Trade", "active": True})
    assert r.status_code == 200, r.text
    plid = r.json()["data"]["id"]
    check(r.json(), PL, "/pricelists", "post")
    check(api.get(f"/v3/pricelists/{plid}").json(), PL, "/pricelists/{price_list_id}")
    check(api.get("/v3/pricelists").json(), PL, "/pricelists")
    records = f"/v3/pricelists/{plid}/records"
    r = api.put(records, json=[{"sku": "CT-001", "currency": "USD", "price": 9.5,
                                "bulk_pricing_tiers": [{"quantity_min": 10, "quantity_max": 20,
                                                        "type": "price", "amount": 1}]}])
    assert r.status_code == 200, r.text
    check(api.get(records, params={"include": "sku,bulk_pricing_tiers"}).json(),
          PL, "/pricelists/{price_list_id}/records")
    # Items naming neither a SKU nor a currency, or a SKU of no variant: the 422's
    # batch_errors echo what identifies each item, never a null where a string goes.
    r = api.put(records, json=[{"variant_id": product["base_variant_id"], "price": 1},
                               {"sku": "NO-SUCH", "currency": "USD", "price": 1}, {"price": 1}])
    assert r.status_code == 422, r.text
    assert len(r.json()["batch_errors"]) == 3
    check(r.json(), PL, "/pricelists/{price_list_id}/records", "put", "422")
    # A POST may leave out even the price (PL createPriceListRecords): still no null.
    r = api.post(records, json=[{"sku": "CT-001", "currency": "EUR"}])
    assert r.status_code == 200, r.text
    check(api.get(records).json(), PL, "/pricelists/{price_list_id}/records")
    groups = api.post("/v2/customer_groups", json={"name": "Trade"})
    assert groups.status_code in (200, 201), groups.text
    r = api.post("/v3/pricelists/assignments", json=[{"price_list_id": plid,
                                                       "customer_group_id": groups.json()["id"],
                                                       "channel_id": 1}])
    assert r.status_code == 200, r.text
    check(api.get("/v3/pricelists/assignments").json(), PL, "/pricelists/assignments")
