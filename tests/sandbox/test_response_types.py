"""Every answer field has a value its spec response schema's type allows (issue 14 #17).

``test_response_nulls.py`` holds nulls to the schemas; this file holds every other value
to them too: a value of another JSON type than the schema declares (a string where
``integer`` goes, a number for a ``boolean``), outside a declared ``enum``, or a field the
schema requires left out (omitting is the answer for a value the sandbox has none of), is
named by its path. Answers are walked against the response schema of the spec path (P, V, VO,
PL, B, CT) that served them; a property the schema does not declare is not judged, and
a null is left to the null walker.
"""

from __future__ import annotations

from typing import Any

from tests.sandbox.test_response_nulls import PROSE_NULLS, _items, _properties, _resolve, bad_nulls, response_schema

P, V, VO, PL = ("catalog__products_catalog.v3.yml", "catalog__product-variants_catalog.v3.yml",
                "catalog__product-variant-options_catalog.v3.yml", "price_lists.v3.yml")
B, CT = "catalog__brands_catalog.v3.yml", "catalog__category-trees_catalog.v3.yml"
PRODUCTS = "/v3/catalog/products"

_TYPES: dict[str, tuple[type, ...]] = {"integer": (int,), "number": (int, float), "string": (str,),
                                      "boolean": (bool,), "array": (list,), "object": (dict,)}


def _declared(spec: dict, schema: dict) -> tuple[set[str], list | None]:
    """The JSON types a schema (with its allOf/oneOf/anyOf parts) allows, and its enum."""
    schema = _resolve(spec, schema)
    kind = schema.get("type")
    types = set(kind if isinstance(kind, list) else [kind]) if kind else set()
    enum = schema.get("enum")
    for key in ("allOf", "oneOf", "anyOf"):
        for part in schema.get(key, []):
            more, part_enum = _declared(spec, part)
            types |= more
            enum = enum if enum is not None else part_enum
    return types, enum


def _fits(value: Any, types: set[str]) -> bool:
    if not types - {"null"}:
        return True  # no type declared
    if isinstance(value, bool):
        return "boolean" in types
    return any(isinstance(value, _TYPES[t]) for t in types if t in _TYPES)


def bad_values(spec: dict, value: Any, schema: dict, where: str = "") -> list[str]:
    """Paths in ``value`` whose (non-null) value the schema's type or enum refuses."""
    if value is None:
        return []
    types, enum = _declared(spec, schema)
    if not _fits(value, types):
        return [f"{where or '(root)'}: {type(value).__name__} {value!r:.40} is not {sorted(types)}"]
    if enum is not None and not isinstance(value, (dict, list)) and value not in enum:
        return [f"{where or '(root)'}: {value!r:.40} is not one of {enum}"]
    out: list[str] = []
    if isinstance(value, dict):
        props = _properties(spec, schema)
        for key, sub in value.items():
            if key in props:
                out += bad_values(spec, sub, props[key], f"{where}.{key}")
    elif isinstance(value, list):
        items = _items(spec, schema)
        if items is not None:
            for i, sub in enumerate(value):
                out += bad_values(spec, sub, items, f"{where}[{i}]")
    return out


def _required(spec: dict, schema: dict) -> set[str]:
    schema = _resolve(spec, schema)
    out = set(schema.get("required", []))
    for part in schema.get("allOf", []):
        out |= _required(spec, part)
    return out


def missing_required(spec: dict, value: Any, schema: dict, where: str = "") -> list[str]:
    """Paths of properties the schema requires that ``value`` leaves out: a field left
    out instead of null (finding 17) must be one the schema lets go."""
    out: list[str] = []
    if isinstance(value, dict):
        out += [f"{where}.{name}: required, left out" for name in sorted(_required(spec, schema) - set(value))]
        props = _properties(spec, schema)
        for key, sub in value.items():
            if key in props:
                out += missing_required(spec, sub, props[key], f"{where}.{key}")
    elif isinstance(value, list):
        items = _items(spec, schema)
        if items is not None:
            for i, sub in enumerate(value):
                out += missing_required(spec, sub, items, f"{where}[{i}]")
    return out


def check(answer: Any, spec_name: str, path: str, method: str = "get", status: str = "200") -> None:
    spec, schema = response_schema(spec_name, path, method, status)
    allowed = PROSE_NULLS.get(spec_name, ("\0",))
    found = bad_values(spec, answer, schema) + missing_required(spec, answer, schema) + [
        p for p in bad_nulls(spec, answer, schema) if not p.endswith(allowed)]
    assert found == [], f"{method.upper()} {path} {status} (spec {spec_name})"


def test_walker_names_a_required_field_left_out():
    # Response schemas seldom require anything; PL's price list requires its name.
    spec, schema = response_schema(PL, "/pricelists", "get", "200")
    assert _required(spec, _items(spec, _properties(spec, schema)["data"])) == {"name"}
    assert missing_required(spec, {"data": [{"id": 1, "active": True}]}, schema) == [
        ".data[0].name: required, left out"]


def test_walker_names_a_wrong_type_and_an_enum_miss():
    spec, schema = response_schema(P, "/catalog/products/{product_id}", "get", "200")
    assert bad_values(spec, {"data": {"id": "7", "is_visible": 1, "price": 1.5, "type": "boat"}}, schema) == [
        ".data.id: str '7' is not ['integer']", ".data.is_visible: int 1 is not ['boolean']",
        ".data.type: 'boat' is not one of ['physical', 'digital']"]


def _product_with_everything(api) -> tuple[dict, dict]:
    brand = api.post("/v3/catalog/brands", json={"name": "Thermo"}).json()["data"]
    r = api.post("/v3/catalog/trees/categories", json=[{"name": "Ties", "tree_id": 1, "parent_id": 0}])
    assert r.status_code in (200, 201), r.text
    category = r.json()["data"][0]
    simple = api.product(1, brand_id=brand["id"], categories=[category["category_id"]],
                         custom_fields=[{"name": "Material", "value": "Nylon"}],
                         bulk_pricing_rules=[{"quantity_min": 10, "quantity_max": 0, "type": "percent", "amount": 5}],
                         images=[{"image_url": "https://img.example/ct-001.jpg", "is_thumbnail": True}])
    complex_ = api.product(2, variants=[
        {"sku": "CT-002-A", "price": 3, "option_values": [{"option_display_name": "Width", "label": "2.5mm"}]},
        {"sku": "CT-002-B", "option_values": [{"option_display_name": "Width", "label": "3.6mm"}]}])
    return simple, complex_


def _first_variant(api, product: dict) -> int:
    return api.get(f"{PRODUCTS}/{product['id']}/variants").json()["data"][0]["id"]


def test_catalog_answers_have_the_spec_types(api):
    simple, complex_ = _product_with_everything(api)
    check({"data": simple, "meta": {}}, P, "/catalog/products", "post")
    every = "variants,options,custom_fields,images,bulk_pricing_rules,channels,primary_image"
    for include in ("", every):
        check(api.get(PRODUCTS, params={"include": include}).json(), P, "/catalog/products")
    for product in (simple, complex_):
        url = f"{PRODUCTS}/{product['id']}"
        check(api.get(url, params={"include": every}).json(), P, "/catalog/products/{product_id}")
        check(api.put(url, json={"price": 13}).json(), P, "/catalog/products/{product_id}", "put")
        variants = api.get(f"{url}/variants").json()
        check(variants, V, "/catalog/products/{product_id}/variants")
        check(api.get(f"{url}/variants/{variants['data'][0]['id']}").json(),
              V, "/catalog/products/{product_id}/variants/{variant_id}")
        check(api.get(f"{url}/custom-fields").json(), P, "/catalog/products/{product_id}/custom-fields")
        check(api.get(f"{url}/images").json(), P, "/catalog/products/{product_id}/images")
        # ⚠ P getBulkPricingRules ("Get All", a collection's meta) types ``data`` as one
        # rule: each rule of the list is held to that schema.
        rules = api.get(f"{url}/bulk-pricing-rules").json()
        for rule in rules["data"]:
            check({"data": rule, "meta": rules["meta"]}, P, "/catalog/products/{product_id}/bulk-pricing-rules")
    options = api.get(f"{PRODUCTS}/{complex_['id']}/options").json()
    check(options, VO, "/catalog/products/{product_id}/options")
    option = options["data"][0]
    check(api.get(f"{PRODUCTS}/{complex_['id']}/options/{option['id']}").json(),
          VO, "/catalog/products/{product_id}/options/{option_id}")
    check(api.get(f"{PRODUCTS}/{complex_['id']}/options/{option['id']}/values").json(),
          VO, "/catalog/products/{product_id}/options/{option_id}/values")
    check(api.get("/v3/catalog/variants").json(), V, "/catalog/variants")
    r = api.put("/v3/catalog/variants", json=[{"id": _first_variant(api, complex_), "price": 4}])
    assert r.status_code == 200, r.text
    check(r.json(), V, "/catalog/variants", "put")
    r = api.put(PRODUCTS, json=[{"id": simple["id"], "price": 14}, {"id": complex_["id"], "is_visible": False}])
    assert r.status_code == 200, r.text
    check(r.json(), P, "/catalog/products", "put")
    url = f"{PRODUCTS}/{simple['id']}"
    check(api.post(f"{url}/custom-fields", json={"name": "Colour", "value": "Black"}).json(),
          P, "/catalog/products/{product_id}/custom-fields", "post")
    check(api.post(f"{url}/images", json={"image_url": "https://img.example/b.jpg"}).json(),
          P, "/catalog/products/{product_id}/images", "post")
    check(api.get(f"{PRODUCTS}/channel-assignments").json(), P, "/catalog/products/channel-assignments")
    check(api.get("/v3/catalog/brands").json(), B, "/catalog/brands")
    check(api.get("/v3/catalog/trees/categories").json(), CT, "/catalog/trees/categories")
    check(api.get("/v3/catalog/trees").json(), CT, "/catalog/trees")


def test_pricing_answers_have_the_spec_types(api):
    simple, complex_ = _product_with_everything(api)
    r = api.post("/v3/pricelists", json={"name": "Trade", "active": True})
    plid = r.json()["data"]["id"]
    check(r.json(), PL, "/pricelists", "post")
    check(api.get("/v3/pricelists").json(), PL, "/pricelists")
    check(api.get(f"/v3/pricelists/{plid}").json(), PL, "/pricelists/{price_list_id}")
    check(api.put(f"/v3/pricelists/{plid}", json={"name": "Trade", "active": False}).json(),
          PL, "/pricelists/{price_list_id}", "put")
    records = f"/v3/pricelists/{plid}/records"
    r = api.put(records, json=[
        {"sku": "CT-001", "currency": "USD", "price": 9.5, "sale_price": 9, "bulk_pricing_tiers": [
            {"quantity_min": 10, "quantity_max": 20, "type": "price", "amount": 1}]},
        {"sku": "CT-002-A", "currency": "EUR", "price": 2.5}])
    assert r.status_code == 200, r.text
    for include in ("", "sku,bulk_pricing_tiers"):
        check(api.get(records, params={"include": include}).json(), PL, "/pricelists/{price_list_id}/records")
    variant = _first_variant(api, complex_)
    check(api.get(f"{records}/{variant}").json(), PL, "/pricelists/{price_list_id}/records/{variant_id}")
    check(api.get(f"{records}/{variant}/EUR").json(), PL,
          "/pricelists/{price_list_id}/records/{variant_id}/{currency_code}")
    r = api.put(records, json=[{"variant_id": simple["base_variant_id"], "price": 1},
                               {"sku": "NO-SUCH", "currency": "USD", "price": 1}])
    assert r.status_code == 422, r.text
    check(r.json(), PL, "/pricelists/{price_list_id}/records", "put", "422")
    group = api.post("/v2/customer_groups", json={"name": "Trade"}).json()
    r = api.post("/v3/pricelists/assignments", json=[
        {"price_list_id": plid, "customer_group_id": group["id"], "channel_id": 1}])
    assert r.status_code == 200, r.text
    check(api.get("/v3/pricelists/assignments").json(), PL, "/pricelists/assignments")


def test_primary_image_is_the_thumbnail_or_left_out(api):
    # P product_Full ``primary_image``: primaryImage_Full, an object (FACTS §5.4); it was
    # answered as [] (issue 14 #17). A product without a thumbnail shows none.
    with_image = api.product(1, images=[{"image_url": "https://img.example/a.jpg"},
                                        {"image_url": "https://img.example/b.jpg", "is_thumbnail": True}])
    bare = api.product(2)
    r = api.get(PRODUCTS, params={"include": "primary_image,images", "include_fields": "sku"})
    assert r.status_code == 200, r.text
    shown = {p["id"]: p for p in r.json()["data"]}
    assert list(shown) == [with_image["id"], bare["id"]]
    [thumbnail] = [i for i in shown[with_image["id"]]["images"] if i["is_thumbnail"]]
    assert shown[with_image["id"]]["primary_image"] == thumbnail
    assert thumbnail["image_url"] == "https://img.example/b.jpg"
    assert "primary_image" not in shown[bare["id"]] and shown[bare["id"]]["images"] == []
    one = api.get(f"{PRODUCTS}/{bare['id']}", params={"include": "primary_image"}).json()["data"]
    assert "primary_image" not in one and one["sku"] == "CT-002"


def test_store_answers_have_the_spec_types(api):
    # The other services' answers, against CU2, CH and WH.
    cu2, ch, wh = "customers.v2.yml", "channels.v3.yml", "webhooks.v3.yml"
    pl = api.post("/v3/pricelists", json={"name": "Trade GBP"}).json()["data"]
    r = api.post("/v2/customer_groups", json={"name": "Trade", "discount_rules": [
        {"type": "price_list", "price_list_id": pl["id"]}]})
    assert r.status_code in (200, 201), r.text
    group = r.json()
    check(group, cu2, "/customer_groups", "post")
    check(api.get("/v2/customer_groups").json(), cu2, "/customer_groups")
    check(api.get(f"/v2/customer_groups/{group['id']}").json(), cu2, "/customer_groups/{customer_group_id}")
    check(api.put(f"/v2/customer_groups/{group['id']}", json={"name": "Trade 2"}).json(),
          cu2, "/customer_groups/{customer_group_id}", "put")
    check(api.get("/v2/customer_groups/count").json(), cu2, "/customer_groups/count")
    channels = api.get("/v3/channels").json()
    check(channels, ch, "/channels")
    check(api.get(f"/v3/channels/{channels['data'][0]['id']}").json(), ch, "/channels/{channel_id}")
    r = api.post("/v3/hooks", json={"scope": "store/product/updated", "destination": "https://hooks.example/in"})
    assert r.status_code == 200, r.text
    check(r.json(), wh, "/hooks", "post")
    check(api.get("/v3/hooks").json(), wh, "/hooks")
    check(api.get(f"/v3/hooks/{r.json()['data']['id']}").json(), wh, "/hooks/{webhook_id}")
