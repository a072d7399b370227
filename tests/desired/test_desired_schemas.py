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
    top_level_kinds,
    validator_for,
)
from reconciler.resources import REGISTRY
from reconciler.resources import variant as variant_kind
from reconciler.resources.product import PLAIN, PRODUCT

REPO = Path(__file__).resolve().parents[2]
SCHEMA_FILES = sorted(p.name for p in (REPO / "schemas").glob("*.schema.json"))
KIND_SCHEMAS = sorted({kind.schema for kind in REGISTRY}) + [validate.STORE_SCHEMA]
CHILD_KINDS = [kind for kind in REGISTRY.ordered() if kind.parent]


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

@pytest.mark.parametrize("kind", top_level_kinds(), ids=lambda k: k.name)
def test_every_kind_has_a_schema_and_a_place_in_the_catalog_file(kind):
    schema = load_schema(kind.schema)
    assert schema["title"]
    assert kind.key in schema["required"]
    assert kind.key in schema["properties"]
    catalog = load_schema(CATALOG_SCHEMA)
    assert catalog["properties"][kind.plural]["items"] == {"$ref": kind.schema}


@pytest.mark.parametrize("kind", CHILD_KINDS, ids=lambda k: k.name)
def test_every_sub_resource_is_a_field_of_its_parents_schema(kind):
    parent = REGISTRY[kind.parent]
    assert kind.schema == parent.schema
    assert kind.owner_field in load_schema(parent.schema)["properties"]
    assert kind.owner_field in REGISTRY.child_fields(parent)


def test_catalog_file_schema_lists_nothing_but_the_top_level_kinds_and_store():
    catalog = load_schema(CATALOG_SCHEMA)
    assert set(catalog["properties"]) == {"store"} | {kind.plural for kind in top_level_kinds()}
    assert [k.name for k in top_level_kinds()] == ["brand", "category", "product", "price_list", "customer_group"]
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
    managed = {"sku", "brand", "categories", *PLAIN, *PRODUCT.child_fields, *PRODUCT.meta_fields}
    rejected = {name for name, sub in props.items() if sub.get("not") == {}}
    assert set(props) - rejected == managed
    assert rejected == {"inventory_level", "inventory_warning_level"}


def test_variant_schema_covers_exactly_the_variant_fields():
    props = load_schema("product.schema.json")["properties"]["variants"]["items"]["properties"]
    rejected = {name for name, sub in props.items() if sub.get("not") == {}}
    assert set(props) - rejected == {"sku", "options", *variant_kind.PLAIN, *variant_kind.VARIANT.meta_fields}
    assert rejected == {"inventory_level", "inventory_warning_level", "map_price"}


def test_references_are_declared_in_the_schemas():
    assert reference_paths("product.schema.json") == (
        (("brand",), "brand", "value"), (("categories", "*"), "category", "value"))
    assert reference_paths("category.schema.json") == ((("path",), "category", "parent"),)
    assert reference_paths("brand.schema.json") == ()
    assert reference_paths("customer_group.schema.json") == (
        (("category_access", "categories", "*"), "category", "value"),
        (("discount_rules", "*", "price_list"), "price_list", "value"),      # inside the oneOf branches
        (("discount_rules", "*", "category"), "category", "value"),
        (("discount_rules", "*", "product"), "product", "value"))
    assert reference_paths("price_list.schema.json") == (
        (("assignments", "*", "customer_group"), "customer_group", "value"),)
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
    for kind in top_level_kinds():      # sub-resources are checked inside their parent
        for obj in state.of(kind.name).values():
            assert quick_check(kind.schema)(obj.fields), obj.key
    assert any(p.fields.get("variants") for p in state.of("product").values())


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


LABELS = st.one_of(st.sampled_from(["2.5mm", "4.8mm", " x", ""]), st.integers(-1, 3), st.booleans(), st.none(),
                   st.decimals(min_value=0, max_value=5, places=1, allow_nan=False), st.lists(st.just("a"), max_size=1))
NAMES = st.sampled_from(["Width", "Colour", "", "x" * 256])
VARIANT_FIELDS = st.sampled_from(["sku", "price", "weight", "upc", "purchasing_disabled", "image_url",
                                  "inventory_level", "colour"])


@settings(max_examples=300, deadline=None)
@given(
    options=st.one_of(st.none(), st.dictionaries(NAMES, st.one_of(st.lists(LABELS, max_size=3), LABELS), max_size=2)),
    variants=st.one_of(st.none(), LABELS, st.lists(st.one_of(
        st.dictionaries(VARIANT_FIELDS, VALUES, max_size=3),
        st.fixed_dictionaries({"sku": st.just("CT-1-A"), "options": st.one_of(
            LABELS, st.dictionaries(NAMES, LABELS, max_size=2))})), max_size=3)),
    custom_fields=st.one_of(st.none(), LABELS, st.dictionaries(NAMES, LABELS, max_size=2)),
    channels=st.one_of(st.none(), LABELS, st.lists(st.sampled_from(["uk-main", "us-trade", 1, ""]), max_size=3)),
)
def test_quick_check_never_passes_an_invalid_product_with_sub_resources(options, variants, custom_fields, channels):
    fields = {"sku": "CT-1"}
    for name, value in [("options", options), ("variants", variants), ("custom_fields", custom_fields),
                        ("channels", channels)]:
        if value is not None:
            fields[name] = value
    if quick_check("product.schema.json")(fields):
        assert validator_for("product.schema.json").is_valid(fields), fields


@settings(max_examples=200, deadline=None)
@given(fields=st.dictionaries(st.sampled_from(["channels", "sku_convention", "name"]), st.one_of(
    VALUES, st.dictionaries(st.sampled_from(["uk-main", "uk main", "CT", "ct", "enabled", "categories"]),
                            st.one_of(VALUES, st.dictionaries(st.sampled_from(["CT", "fx"]), VALUES, max_size=2)),
                            max_size=3)), max_size=3))
def test_quick_check_never_passes_invalid_store_settings(fields):
    if quick_check("store.schema.json")(fields):
        assert validator_for("store.schema.json").is_valid(fields), fields


def test_quick_check_passes_a_product_with_sub_resources():
    fields = {"sku": "CT-1", "options": {"Width": ["2.5mm", Decimal("4.8")]},
              "variants": [{"sku": "CT-1-2.5", "options": {"Width": "2.5mm"}, "price": Decimal("1.95"), "weight": None},
                           {"sku": "CT-1-4.8", "options": {"Width": Decimal("4.8")}}],
              "custom_fields": {"Material": "Nylon 6.6", "Pack Size": 100, "UV": True},
              "channels": ["uk-main", "us-trade"]}
    assert validator_for("product.schema.json").is_valid(fields)
    assert quick_check("product.schema.json")(fields)


def test_quick_check_is_used_only_as_a_yes():
    # An object the quick check turns down still gets jsonschema's full, located errors.
    obj = validate.Located("product 'CT-1'", {"sku": "CT-1", "price": -1}, validate.SourceRange("f", 1, 1))
    assert [d.summary for d in validate.check_schema("product.schema.json", obj)] == [
        "product 'CT-1': price: -1 is less than the minimum of 0"]


def test_schema_files_are_plain_json():
    for name in SCHEMA_FILES:
        json.loads((REPO / "schemas" / name).read_text(encoding="utf-8"))


# Valid objects with a few fields changed, added or dropped: mostly near the edge of valid.
def near(valid: list[dict], fields: list[str], values) -> st.SearchStrategy:
    return st.builds(
        lambda base, changes, drop: {k: v for k, v in {**base, **changes}.items() if k != drop},
        st.sampled_from(valid), st.dictionaries(st.sampled_from(fields), values, max_size=2),
        st.one_of(st.none(), st.sampled_from(fields)))


RULES = [{"type": "price_list", "price_list": "Trade GBP"}, {"type": "all", "method": "percent", "amount": 5},
         {"type": "category", "category": "Cable Ties", "method": "fixed", "amount": Decimal("0.50")},
         {"type": "product", "product": "CT-1", "method": "price", "amount": 2}]
RULE = near(RULES, ["type", "price_list", "method", "amount", "category", "product", "colour"],
            st.one_of(VALUES, st.sampled_from(["price_list", "all", "category", "product", "percent", "fixed",
                                               "Cable Ties", "CT-1", "Trade GBP"])))


@settings(max_examples=200, deadline=None)
@given(rules=st.one_of(VALUES, st.lists(st.one_of(RULE, VALUES), max_size=3)),
       access=st.one_of(st.none(), VALUES, near([{"type": "all"}, {"type": "specific", "categories": ["A/B"]}],
                                                ["type", "categories", "x"],
                                                st.one_of(VALUES, st.sampled_from(["all", "specific"])))))
def test_quick_check_never_passes_an_invalid_customer_group(rules, access):
    fields = {"name": "Trade", "discount_rules": rules}
    if access is not None:
        fields["category_access"] = access
    if quick_check("customer_group.schema.json")(fields):
        assert validator_for("customer_group.schema.json").is_valid(fields), fields


TIER = near([{"quantity_min": 10, "quantity_max": 49, "type": "percent", "amount": 5},
             {"quantity_min": 50, "quantity_max": None, "type": "price", "amount": Decimal("1.10")}],
            ["quantity_min", "quantity_max", "type", "amount", "x"],
            st.one_of(VALUES, st.sampled_from(["fixed", "price", "percent"])))
RECORD = near([{"sku": "CT-1", "price": Decimal("1.20")},
               {"sku": "CT-2", "price": 3, "currency": "usd", "sale_price": None, "acknowledge": ["below_cost"]}],
              ["sku", "currency", "price", "sale_price", "map_price", "bulk_pricing_tiers", "acknowledge", "x"],
              st.one_of(VALUES, st.sampled_from(["GBP", "usd", "EURO", "CT-1"]), st.lists(TIER, max_size=2),
                        st.lists(st.sampled_from(["below_cost", "price_drop", "cheap"]), max_size=2)))
ASSIGNMENT = near([{"customer_group": "Trade", "channel": "uk-main"}], ["customer_group", "channel", "x"], VALUES)


@settings(max_examples=200, deadline=None)
@given(records=st.one_of(VALUES, st.lists(RECORD, max_size=2)),
       assignments=st.one_of(VALUES, st.lists(ASSIGNMENT, max_size=2)),
       currency=st.one_of(st.none(), VALUES, st.sampled_from(["GBP", "gb", "GBPX"])))
def test_quick_check_never_passes_an_invalid_price_list(records, assignments, currency):
    fields = {"name": "Trade GBP", "records": records, "assignments": assignments}
    if currency is not None:
        fields["currency"] = currency
    if quick_check("price_list.schema.json")(fields):
        assert validator_for("price_list.schema.json").is_valid(fields), fields


def test_quick_check_passes_valid_discount_rules_and_records():
    group = {"name": "Trade", "category_access": {"type": "specific", "categories": ["Cable Ties"]},
             "discount_rules": [{"type": "all", "method": "percent", "amount": 5},
                                {"type": "product", "product": "CT-1", "method": "price", "amount": Decimal("1.5")}]}
    price_list = {"name": "Trade GBP", "currency": "GBP", "assignments": [{"customer_group": "Trade", "channel": "uk-main"}],
                  "records": [{"sku": "CT-1", "price": Decimal("1.20"), "acknowledge": ["below_cost"],
                               "bulk_pricing_tiers": [{"quantity_min": 10, "quantity_max": None, "type": "percent",
                                                       "amount": 5}]}]}
    for name, fields in (("customer_group.schema.json", group), ("price_list.schema.json", price_list)):
        assert validator_for(name).is_valid(fields)
        assert quick_check(name)(fields), name
