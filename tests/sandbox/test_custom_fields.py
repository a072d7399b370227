"""Product custom fields (FACTS §5.7)."""

from __future__ import annotations

PRODUCTS = "/v3/catalog/products"


def test_custom_field_crud(api):
    p = api.product()
    base = f"{PRODUCTS}/{p['id']}/custom-fields"
    r = api.post(base, json={"name": "Material", "value": "Nylon 6.6"})
    assert r.status_code == 200
    field = r.json()["data"]
    assert field == {"id": field["id"], "name": "Material", "value": "Nylon 6.6"}
    assert api.get(base).json()["data"] == [field]
    assert api.get(f"{base}/{field['id']}").json() == {"data": field, "meta": {}}
    r = api.put(f"{base}/{field['id']}", json={"value": "Nylon 12"})
    assert r.status_code == 200 and r.json()["data"] == {**field, "value": "Nylon 12"}
    assert api.get(f"{base}/{field['id']}", params={"include_fields": "value"}).json()["data"] == {
        "id": field["id"], "value": "Nylon 12"}
    assert api.delete(f"{base}/{field['id']}").status_code == 204
    assert api.get(f"{base}/{field['id']}").status_code == 404
    assert api.get(f"{PRODUCTS}/999999/custom-fields").status_code == 404


def test_custom_field_validation_and_uniqueness(api):
    p = api.product()
    base = f"{PRODUCTS}/{p['id']}/custom-fields"
    r = api.post(base, json={"name": "Material"})
    assert r.status_code == 422 and r.json()["errors"] == {"value": "Please provide a value."}
    r = api.post(base, json={"name": "x" * 251, "value": ""})
    assert r.status_code == 422 and set(r.json()["errors"]) == {"name", "value"}
    assert api.post(base, json={"name": "Material", "value": "Nylon"}).status_code == 200
    # FACTS §5.7: "Every name-value pair must be unique inside a product" – the same
    # name with another value is a second field; the same pair again is refused (these
    # endpoints declare no 409, so the answer is 422).
    r = api.post(base, json={"name": "Material", "value": "Steel"})
    assert r.status_code == 200, r.text
    assert [f["value"] for f in api.get(base).json()["data"]] == ["Nylon", "Steel"]
    r = api.post(base, json={"name": "material", "value": "NYLON"})
    assert r.status_code == 422 and "name" in r.json()["errors"]
    steel = api.get(base).json()["data"][1]
    r = api.put(f"{base}/{steel['id']}", json={"value": "Nylon"})
    assert r.status_code == 422 and "name" in r.json()["errors"]
    other = api.product(2)
    assert api.post(f"{PRODUCTS}/{other['id']}/custom-fields", json={"name": "Material", "value": "Nylon"}).status_code == 200


def test_custom_fields_through_product_put(api):
    p = api.product(1, custom_fields=[{"name": "Material", "value": "Nylon"}])
    [field] = p["custom_fields"]
    r = api.put(f"{PRODUCTS}/{p['id']}", json={"custom_fields": [
        {"id": field["id"], "name": "Material", "value": "Nylon 6.6"}, {"name": "Colour", "value": "Black"}]})
    assert r.status_code == 200, r.text
    fields = api.get(f"{PRODUCTS}/{p['id']}/custom-fields").json()["data"]
    assert [(f["id"] == field["id"], f["name"], f["value"]) for f in fields] == [
        (True, "Material", "Nylon 6.6"), (False, "Colour", "Black")]
    # Batch PUT too; a new field repeating an existing name-value pair is a 409 (FACTS
    # §5.7 pair uniqueness; P: 409 for duplicate unique values); a new value is a new field.
    r = api.put(PRODUCTS, json=[{"id": p["id"], "custom_fields": [{"name": "COLOUR", "value": "black"}]}])
    assert r.status_code == 409 and "custom_fields" in r.json()["errors"]
    r = api.put(PRODUCTS, json=[{"id": p["id"], "custom_fields": [{"name": "Colour", "value": "Red"}]}])
    assert r.status_code == 200, r.text
    assert len(api.get(f"{PRODUCTS}/{p['id']}/custom-fields").json()["data"]) == 3
    r = api.put(f"{PRODUCTS}/{p['id']}", json={"custom_fields": [{"id": 999999, "name": "x", "value": "y"}]})
    assert r.status_code == 422
