"""The JSON Schemas: complete for every kind, resolvable, and agreeing with the quick check."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.desired import validate
import reconciler.desired.schemas as schemas_module
from reconciler.desired.validate import (
    CATALOG_SCHEMA,
    load_schema,
    quick_check,
    reference_paths,
    schema_dir,
    schema_registry,
    validator_for,
)
from reconciler.resources import REGISTRY
from reconciler.resources.product import PLAIN

REPO = Path(__file__).resolve().parents[2]
SCHEMA_FILES = sorted(p.name for p in (REPO / "schemas").glob("*.schema.json"))
KIND_SCHEMAS = [kind.schema for kind in REGISTRY] + [validate.STORE_SCHEMA]


def refs_in(value):
    if isinstance(value, dict):
        if "$ref" in value:
            yield value["$ref"]
        for v in value.values():
            yield from refs_in(v)
    elif isinstance(value, list):
        for v in value:
            yield from refs_in(v)


# -- completeness ----------------------------------------------------------------------------

@pytest.mark.parametrize("kind", REGISTRY.ordered(), ids=lambda k: k.name)
def test_every_kind_has_a_schema_and_a_place_in_the_catalog_file(kind):
    schema = load_schema(kind.schema)
    assert schema["title"]
    assert kind.key in schema["required"]
    assert kind.key in schema["properties"]
    catalog = load_schema(CATALOG_SCHEMA)
    assert catalog["properties"][kind.plural]["items"] == {"$ref": kind.schema}


def test_catalog_file_schema_lists_nothing_but_the_kinds_and_store():
    catalog = load_schema(CATALOG_SCHEMA)
    assert set(catalog["properties"]) == {"store"} | {kind.plural for kind in REGISTRY}
    assert catalog["additionalProperties"] is False


@pytest.mark.parametrize("name", SCHEMA_FILES)
def test_schemas_are_valid_draft7_with_described_closed_objects(name):
    schema = load_schema(name)
    jsonschema.Draft7Validator.check_schema(schema)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert "$id" not in schema          # relative $refs resolve by file name, for editors too
    assert schema["title"] and schema["description"]
    assert schema["additionalProperties"] is False
    if name in KIND_SCHEMAS:
        for field, sub in schema["properties"].items():
            assert sub.get("description"), f"{name}: {field} has no description"


def test_product_schema_covers_exactly_the_managed_fields():
    props = load_schema("product.schema.json")["properties"]
    managed = {"sku", "brand", "categories", *PLAIN}
    rejected = {name for name, sub in props.items() if sub.get("not") == {}}
    assert set(props) - rejected == managed
    assert rejected == {"inventory_level", "inventory_warning_level"}


def test_references_are_declared_in_the_schemas():
    assert reference_paths("product.schema.json") == (
        (("brand",), "brand", "value"), (("categories", "*"), "category", "value"))
    assert reference_paths("category.schema.json") == ((("path",), "category", "parent"),)
    assert reference_paths("brand.schema.json") == ()
    for kind in REGISTRY:
        for _, target, _ in reference_paths(kind.schema):
            assert target in REGISTRY


# -- resolution and packaging ---------------------------------------------------------------------

def test_every_ref_resolves_with_referencing():
    registry = schema_registry()
    seen = 0
    for name in SCHEMA_FILES:
        resolver = registry.resolver(base_uri=name)
        for ref in refs_in(load_schema(name)):
            assert resolver.lookup(ref).contents is not None, f"{name}: {ref}"
            seen += 1
    assert seen >= 4


def test_catalog_schema_validates_every_catalog_file():
    validator = jsonschema.Draft7Validator(load_schema(CATALOG_SCHEMA), registry=schema_registry())
    files = sorted((REPO / "catalog").rglob("*.yaml"))
    assert files
    for path in files:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))   # an independent reader
        assert [e.message for e in validator.iter_errors(data)] == [], path


def test_catalog_schema_rejects_what_the_loader_rejects():
    validator = jsonschema.Draft7Validator(load_schema(CATALOG_SCHEMA), registry=schema_registry())
    assert not validator.is_valid({"product": []})
    assert not validator.is_valid({"products": [{"sku": "CT-1", "price": -1}]})
    assert not validator.is_valid({"products": [{"sku": "CT-1", "inventory_level": 3}]})
    assert not validator.is_valid({"categories": [{"path": "A / B"}]})
    assert validator.is_valid({"x-defaults": {"type": "physical"}, "products": None})


def test_decimal_is_a_json_number_for_jsonschema():
    v = validator_for("product.schema.json")
    assert v.is_valid({"sku": "CT-1", "price": Decimal("12.50")})
    assert not v.is_valid({"sku": "CT-1", "price": Decimal("-0.01")})
    assert not v.is_valid({"sku": "CT-1", "sort_order": Decimal("1")})   # integers stay int


def test_schema_dir_is_the_repository_folder_in_a_checkout():
    assert schema_dir() == REPO / "schemas"
    assert {p.name for p in schema_dir().glob("*.schema.json")} == set(SCHEMA_FILES)


def test_schema_dir_prefers_the_packaged_copy(tmp_path, monkeypatch):
    (tmp_path / "schemas").mkdir()
    monkeypatch.setattr(schemas_module.importlib.resources, "files", lambda package: tmp_path)
    assert schema_dir() == tmp_path / "schemas"


def test_pyproject_ships_the_schemas_inside_the_package():
    text = (REPO / "pyproject.toml").read_text()
    assert '"schemas" = "reconciler/schemas"' in text


# -- the quick check agrees with jsonschema ---------------------------------------------------------

@pytest.mark.parametrize("name", KIND_SCHEMAS)
def test_every_schema_compiles_to_a_quick_check(name):
    assert quick_check(name) is not None


def test_quick_check_passes_the_real_catalog():
    from reconciler.desired import load_desired

    state = load_desired(REPO / "catalog")
    for kind in REGISTRY:
        for obj in state.of(kind.name).values():
            assert quick_check(kind.schema)(obj.fields), obj.key


VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 300),
    st.decimals(min_value=-2, max_value=10, places=2, allow_nan=False),
    st.text(max_size=4), st.sampled_from(["", " x", "A/B", "A / B", "physical", "New", "available", "none"]),
    st.lists(st.sampled_from(["A", "A/B", "", "A//B", 1]), max_size=3),
)


@settings(max_examples=300, deadline=None)
@given(fields=st.dictionaries(
    st.sampled_from(sorted(load_schema("product.schema.json")["properties"]) + ["colour"]), VALUES, max_size=6))
def test_quick_check_never_passes_an_invalid_product(fields):
    fields = {"sku": "CT-1", **fields}
    if quick_check("product.schema.json")(fields):
        assert validator_for("product.schema.json").is_valid(fields), fields


@settings(max_examples=200, deadline=None)
@given(fields=st.dictionaries(
    st.sampled_from(["path", "description", "is_visible", "sort_order", "meta_keywords", "default_product_sort"]),
    VALUES, max_size=4))
def test_quick_check_never_passes_an_invalid_category(fields):
    if quick_check("category.schema.json")(fields):
        assert validator_for("category.schema.json").is_valid(fields), fields


def test_quick_check_is_used_only_as_a_yes():
    # An object the quick check turns down still gets jsonschema's full, located errors.
    obj = validate.Located("product 'CT-1'", {"sku": "CT-1", "price": -1}, validate.SourceRange("f", 1, 1))
    assert [d.summary for d in validate.check_schema("product.schema.json", obj)] == [
        "product 'CT-1': price: -1 is less than the minimum of 0"]


def test_schema_files_are_plain_json():
    for name in SCHEMA_FILES:
        json.loads((REPO / "schemas" / name).read_text(encoding="utf-8"))
