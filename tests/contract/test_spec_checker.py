"""The independent spec checker itself: known-good bodies pass, known-bad ones are refused
with a message naming the field; routes map to the spec's operations."""

from __future__ import annotations

import pytest

from .spec_checker import checker, invalid_writes, translate

PRODUCT = {"name": "Tie", "type": "physical", "weight": 1, "price": 2.5}


def test_a_valid_product_create_passes():
    assert checker().check("POST", "/v3/catalog/products", PRODUCT) == []


@pytest.mark.parametrize(("body", "field"), [
    ({**PRODUCT, "price": "2.50"}, "price"),
    ({**PRODUCT, "type": "service"}, "type"),
    ({k: v for k, v in PRODUCT.items() if k != "weight"}, "'weight' is a required property"),
    ({**PRODUCT, "upc": "1" * 40}, "upc"),
])
def test_a_bad_product_create_is_refused_naming_the_field(body, field):
    messages = checker().check("POST", "/v3/catalog/products", body)
    assert messages and any(field in m for m in messages), messages


def test_x_required_put_makes_a_brand_update_need_its_name():
    # B updateBrand: name has x-required [post, put].
    messages = checker().check("PUT", "/v3/catalog/brands/7", {"page_title": "x"})
    assert messages == ["PUT /v3/catalog/brands/7 (spec: PUT /v3/catalog/brands/{brand_id}): "
                        "<body>: 'name' is a required property"]
    assert checker().check("PUT", "/v3/catalog/brands/7", {"name": "B", "page_title": "x"}) == []


def test_batch_bodies_name_the_item():
    messages = checker().check("PUT", "/v3/catalog/products", [{"id": 1, "price": 1}, {"id": 2, "price": -1}])
    assert len(messages) == 1 and "1/price" in messages[0], messages


def test_literal_routes_win_over_templates_and_v2_paths_map():
    assert checker().operation("PUT", "/v3/catalog/products/channel-assignments")[0] == \
        "/v3/catalog/products/channel-assignments"
    assert checker().operation("PUT", "/v3/catalog/products/12")[0] == "/v3/catalog/products/{product_id}"
    assert checker().operation("PUT", "/v2/customer_groups/4")[0] == "/v2/customer_groups/{customer_group_id}"
    assert checker().check("POST", "/v3/nowhere", {}) == \
        ["POST /v3/nowhere: no operation with a request body in the official specs"]


def test_nullable_becomes_a_null_type():
    assert translate({"type": "number", "nullable": True}, {}, "put") == {"type": ["null", "number"]}
    assert translate({"type": "string", "enum": ["a"], "x-nullable": True}, {}, "put") == \
        {"type": ["null", "string"], "enum": ["a", None]}
    # A variant's price is nullable in the spec (null: the product's price).
    assert checker().check("PUT", "/v3/catalog/variants", [{"id": 1, "price": None}]) == []


def test_refs_resolve_inside_the_file():
    doc = {"components": {"schemas": {"A": {"type": "object", "properties": {"n": {"$ref": "#/components/schemas/N"}}},
                                       "N": {"type": "integer"}}}}
    assert translate({"$ref": "#/components/schemas/A"}, doc, "post") == \
        {"type": "object", "properties": {"n": {"type": "integer"}}}


def test_the_sandbox_log_carries_bodies_and_bad_ones_are_found(sandbox):
    import requests

    url = f"{sandbox.api_base}/v3/catalog/brands"
    headers = {"X-Auth-Token": sandbox.token}
    assert requests.post(url, json={"name": "Good"}, headers=headers, timeout=5).status_code == 200
    requests.post(url, json={"name": 5}, headers=headers, timeout=5)   # the sandbox refuses it too
    log = sandbox.requests()
    assert [e["body"] for e in log] == ['{"name": "Good"}', '{"name": 5}']
    bad = invalid_writes(log)
    assert len(bad) == 1 and "name: 5 is not of type 'string'" in bad[0], bad
