"""load_desired: values, positions, collected diagnostics, the digest, the real catalog."""

from __future__ import annotations

import shutil
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest

from reconciler.desired import DesiredState, load_desired
from reconciler.core.diagnostics import SourceRange
from reconciler.core.errors import DesiredStateError
from reconciler.resources import REGISTRY

REPO = Path(__file__).resolve().parents[2]
CATALOG = REPO / "catalog"


@pytest.fixture(autouse=True)
def _at_repo_root(monkeypatch):
    monkeypatch.chdir(REPO)


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def problems(target) -> list[str]:
    with pytest.raises(DesiredStateError) as info:
        load_desired(target)
    return [str(d) for d in info.value.diagnostics]


def walk(value):
    yield value
    if isinstance(value, dict):
        for v in value.values():
            yield from walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from walk(v)


# -- values ----------------------------------------------------------------------------

def test_money_is_decimal_of_the_written_text_never_float(tmp_path):
    write(tmp_path, {"p.yaml": """
        products:
          - sku: CT-1
            price: 12.50
            cost_price: 0.1
            weight: 1_000.25
            sort_order: 3
            is_visible: true
            mpn: 2024-01-31
            upc: "012"
    """})
    fields = load_desired(tmp_path).get("product", "CT-1").fields
    assert fields["price"] == Decimal("12.50") and isinstance(fields["price"], Decimal)
    assert str(fields["price"]) == "12.50"            # the text as written, trailing zero kept
    assert fields["cost_price"] == Decimal("0.1")     # not 0.1000000000000000055...
    assert fields["weight"] == Decimal("1000.25")
    assert fields["sort_order"] == 3 and type(fields["sort_order"]) is int
    assert fields["is_visible"] is True
    assert fields["mpn"] == "2024-01-31"               # timestamps stay text
    assert fields["upc"] == "012"


def test_values_in_messages_are_shown_as_yaml_writes_them(tmp_path):
    write(tmp_path, {"p.yaml": """
        products:
          - sku: CT-1
            description: ~
            name: yes
            price: -0.50
    """})
    assert [p.split(": ", 1)[1] for p in problems(tmp_path)] == [
        "product 'CT-1': description: null is not of type 'string'",
        "product 'CT-1': name: yes is read by YAML as true/false, not text: write it quoted: 'yes'",
        "product 'CT-1': price: -0.50 is less than the minimum of 0",
    ]


def test_the_real_catalog_holds_no_float_anywhere():
    state = load_desired(CATALOG)
    for kind in state.objects.values():
        for obj in kind.values():
            assert not any(isinstance(v, float) for v in walk(obj.fields)), obj.key


def test_non_finite_numbers_are_rejected_by_the_schema(tmp_path):
    write(tmp_path, {"p.yaml": """
        products:
          - sku: CT-1
            price: .inf
            weight: .nan
    """})
    assert problems(tmp_path) == [
        f"{tmp_path}/p.yaml:3:12: product 'CT-1': price: '.inf' is not of type 'number'",
        f"{tmp_path}/p.yaml:4:13: product 'CT-1': weight: '.nan' is not of type 'number'",
    ]


# -- positions -------------------------------------------------------------------------

def test_field_sources_point_at_each_value(tmp_path):
    write(tmp_path, {"catalog/products/ties.yaml": """
        # a comment line
        products:
          - sku: CT-1
            price: 12.50
            categories:
              - Cable Ties
              - Cable Ties/Nylon
            meta_keywords: [ties, nylon]
        categories:
          - path: Cable Ties
          - path: Cable Ties/Nylon
    """})
    obj = load_desired(tmp_path / "catalog").get("product", "CT-1")
    f = f"{tmp_path}/catalog/products/ties.yaml"
    assert obj.source == SourceRange(f, 3, 5)                 # the object's first key
    assert obj.field_sources["sku"] == SourceRange(f, 3, 10)
    assert obj.field_sources["price"] == SourceRange(f, 4, 12)
    assert obj.field_sources["categories"] == SourceRange(f, 6, 7)
    assert obj.field_sources["categories.1"] == SourceRange(f, 7, 9)
    assert obj.field_sources["meta_keywords.1"] == SourceRange(f, 8, 27)
    assert obj.source_of("categories.1") == SourceRange(f, 7, 9)
    assert obj.source_of("nope") == obj.source


def test_nested_mapping_keys_are_joined_with_dots(tmp_path):
    write(tmp_path, {"s.yaml": """
        store:
          existing:
            brands:
              - 3M
    """})
    state = load_desired(tmp_path)
    assert state.store.existing["brand"] == {"3M"}
    assert state.store.source == SourceRange(f"{tmp_path}/s.yaml", 1, 1)


def test_paths_are_shown_relative_to_the_working_directory(tmp_path, monkeypatch):
    write(tmp_path, {"catalog/a.yaml": "products: [{sku: CT-1, price: -1}]\n"})
    monkeypatch.chdir(tmp_path)
    assert problems(Path("catalog")) == ["catalog/a.yaml:1:31: product 'CT-1': price: -1 is less than the minimum of 0"]
    assert problems(tmp_path / "catalog") == problems("catalog")


# -- diagnostics ---------------------------------------------------------------------------

def test_every_problem_in_every_file_is_reported_at_once_sorted(tmp_path):
    write(tmp_path, {
        "b.yaml": """
            products:
              - sku: CT-2
                price: -1
              - sku: CT-3
                weight: heavy
        """,
        "a.yaml": """
            products:
              - sku: CT-1
                brand: Nobody
            brandz: []
        """,
        "c.yaml": "products: [\n",
    })
    got = problems(tmp_path)
    assert [line.split(": ", 1)[0] for line in got] == [
        f"{tmp_path}/a.yaml:3:12", f"{tmp_path}/a.yaml:4:1",
        f"{tmp_path}/b.yaml:3:12", f"{tmp_path}/b.yaml:5:13",
        f"{tmp_path}/c.yaml:2:1",
    ]
    assert got[1].endswith("unknown top-level key 'brandz' (did you mean 'brands'?)")
    assert got[4].startswith(f"{tmp_path}/c.yaml:2:1: YAML syntax error: ")


def test_duplicates_across_files_ignore_case_and_name_the_first(tmp_path):
    write(tmp_path, {
        "a.yaml": "products:\n  - sku: CT-BLK100\n",
        "b.yaml": "products:\n  - sku: ct-blk100\n  - sku: Ct-Blk100\n",
    })
    assert problems(tmp_path) == [
        f"{tmp_path}/b.yaml:2:5: duplicate product 'ct-blk100' (first defined at {tmp_path}/a.yaml:2:5)",
        f"{tmp_path}/b.yaml:3:5: duplicate product 'Ct-Blk100' (first defined at {tmp_path}/a.yaml:2:5)",
    ]


def test_store_block_at_most_once(tmp_path):
    write(tmp_path, {"a.yaml": "store:\n  name: A\n", "b.yaml": "store:\n  name: B\n"})
    assert problems(tmp_path) == [f"{tmp_path}/b.yaml:1:1: store: defined again (first defined at {tmp_path}/a.yaml:1:1)"]


def test_file_that_is_not_a_mapping(tmp_path):
    write(tmp_path, {"a.yaml": "- sku: CT-1\n"})
    assert problems(tmp_path) == [
        f"{tmp_path}/a.yaml:1:1: expected a mapping of top-level keys (store, brands, categories, products, price_lists, customer_groups), got a list"]


def test_recursive_alias_is_reported_not_looped(tmp_path):
    write(tmp_path, {"a.yaml": "products:\n  - &p {sku: CT-1, meta_keywords: *p}\n"})
    assert any("an alias refers to the mapping or list that contains it" in p for p in problems(tmp_path))


def test_missing_directory_is_one_clear_diagnostic(tmp_path):
    with pytest.raises(DesiredStateError) as info:
        load_desired(tmp_path / "nope")
    (d,) = info.value.diagnostics
    assert d.summary == f"catalog directory '{tmp_path}/nope' does not exist"
    assert d.source is None


def test_directory_without_yaml_is_an_error(tmp_path):
    assert problems(tmp_path) == [f"no catalog files (*.yaml, *.yml) under '{tmp_path}'"]


def test_reads_yaml_and_yml_recursively_in_sorted_order_skipping_hidden(tmp_path):
    write(tmp_path, {
        "z.yml": "brands: [{name: Z}]\n",
        "a/b.yaml": "brands: [{name: B}]\n",
        "a.yaml": "brands: [{name: A}]\n",
        ".hidden/x.yaml": "not: valid\n",
        ".#editor-lock.yaml": "not: valid\n",
        "notes.txt": "ignored",
    })
    state = load_desired(tmp_path)
    assert state.files == [f"{tmp_path}/a.yaml", f"{tmp_path}/a/b.yaml", f"{tmp_path}/z.yml"]
    assert list(state.of("brand")) == ["A", "B", "Z"]


def test_empty_files_and_empty_lists_are_fine(tmp_path):
    write(tmp_path, {"a.yaml": "# nothing yet\n", "b.yaml": "products:\n"})
    state = load_desired(tmp_path)
    assert state.objects == {kind.name: {} for kind in REGISTRY}


def test_merge_keys_explicit_keys_win(tmp_path):
    write(tmp_path, {"a.yaml": """
        x-defaults: &d {type: physical, price: 1.00}
        products:
          - <<: *d
            sku: CT-1
            price: 2.00
    """})
    fields = load_desired(tmp_path).get("product", "CT-1").fields
    assert fields == {"type": "physical", "price": Decimal("2.00"), "sku": "CT-1"}


# -- the state -------------------------------------------------------------------------------

def test_state_shape_kinds_in_registry_order_store_settings(tmp_path):
    write(tmp_path, {"a.yaml": """
        store:
          name: Shop
          category_tree_id: 4
          existing: {categories: [Sale]}
        products: [{sku: CT-1, categories: [sale]}]
    """})
    state = load_desired(tmp_path)
    assert isinstance(state, DesiredState)
    assert list(state.objects) == [kind.name for kind in REGISTRY]
    assert state.store.category_tree_id == 4
    assert state.store.existing == {"brand": set(), "category": {"Sale"}, "customer_group": set(), "price_list": set()}
    assert state.store.raw["name"] == "Shop"


def test_store_defaults_when_absent(tmp_path):
    write(tmp_path, {"a.yaml": "products: [{sku: CT-1}]\n"})
    store = load_desired(tmp_path).store
    assert store.category_tree_id == 1
    assert store.existing == {"brand": set(), "category": set(), "customer_group": set(), "price_list": set()}
    assert store.max_price_drop_percent == Decimal(30)
    assert store.channels == {"uk-main": 1}
    assert store.sku_convention is None


def test_store_channels_and_sku_convention(tmp_path):
    write(tmp_path, {"s.yaml": """
        store:
          channels: {uk-main: 1, us-trade: 2}
          sku_convention:
            categories: {CT: Cable Ties}
          existing: {categories: [Cable Ties]}
        products: [{sku: ct-1, channels: [us-trade]}]
    """})
    with pytest.raises(DesiredStateError):      # enabled by default once the block is there
        load_desired(tmp_path)
    (tmp_path / "s.yaml").write_text((tmp_path / "s.yaml").read_text().replace(
        "sku_convention:\n", "sku_convention:\n    enabled: false\n"))
    store = load_desired(tmp_path).store
    assert store.channels == {"uk-main": 1, "us-trade": 2}
    assert store.sku_convention == {"enabled": False, "categories": {"CT": "Cable Ties"}}


# -- sub-resources ---------------------------------------------------------------------------

PRODUCT_WITH_CHILDREN = """
    store:
      channels: {uk-main: 1, us-trade: 2}
    products:
      - sku: CT-BLK100
        price: 1.95
        options:
          Width: [2.5mm, 4.8]
        variants:
          - sku: CT-BLK100-2.5
            options: {Width: 2.5mm}
            price: 1.95
          - {sku: CT-BLK100-4.8, options: {Width: 4.8}, price: 2.95, weight: null}
        custom_fields:
          Material: Nylon 6.6
          Pack Size: 100
        channels: [uk-main, us-trade]
"""


def test_sub_resources_are_derived_with_their_parent_and_positions(tmp_path):
    write(tmp_path, {"p.yaml": PRODUCT_WITH_CHILDREN})
    state = load_desired(tmp_path)
    f = f"{tmp_path}/p.yaml"
    assert {kind: list(objs) for kind, objs in state.objects.items()} == {
        "brand": [], "category": [], "product": ["CT-BLK100"],
        "option": ["CT-BLK100/Width"],
        "variant": ["CT-BLK100-2.5", "CT-BLK100-4.8"],
        "custom_field": ["CT-BLK100/Material", "CT-BLK100/Pack Size"],
        "channel_assignment": ["CT-BLK100@uk-main", "CT-BLK100@us-trade"],
        "price_list": [], "customer_group": [], "price_list_assignment": [], "price_record": [], "image": [],
        "bulk_pricing_rule": [],
    }
    children = [o for kind, objs in state.objects.items() if kind != "product" for o in objs.values()]
    assert {o.parent for o in children} == {"CT-BLK100"}

    v = state.get("variant", "CT-BLK100-2.5")
    assert v.fields == {"sku": "CT-BLK100-2.5", "options": {"Width": "2.5mm"}, "price": Decimal("1.95")}
    assert v.source == SourceRange(f, 9, 9)                       # the variant's mapping
    assert v.source_of("price") == SourceRange(f, 11, 16)
    assert v.source_of("options.Width") == SourceRange(f, 10, 26)
    v48 = state.get("variant", "CT-BLK100-4.8")
    assert v48.fields["options"] == {"Width": "4.8"} and v48.fields["weight"] is None
    assert v48.source_of("price") == SourceRange(f, 12, 60)

    opt = state.get("option", "CT-BLK100/Width")
    assert opt.fields == {"name": "Width", "values": ["2.5mm", "4.8"]}    # 4.8 read as a number, used as text
    assert opt.source == SourceRange(f, 7, 14)
    cf = state.get("custom_field", "CT-BLK100/Pack Size")
    assert cf.fields == {"name": "Pack Size", "value": "100"} and cf.source == SourceRange(f, 15, 18)
    ch = state.get("channel_assignment", "CT-BLK100@us-trade")
    assert ch.fields == {"channel": "us-trade"} and ch.source == SourceRange(f, 16, 25)


def test_field_sources_cover_nested_values(tmp_path):
    write(tmp_path, {"p.yaml": PRODUCT_WITH_CHILDREN})
    product = load_desired(tmp_path).get("product", "CT-BLK100")
    f = f"{tmp_path}/p.yaml"
    assert product.field_sources["variants.0"] == SourceRange(f, 9, 9)
    assert product.field_sources["variants.0.price"] == SourceRange(f, 11, 16)
    assert product.field_sources["variants.1.options.Width"] == SourceRange(f, 12, 47)
    assert product.field_sources["options.Width"] == SourceRange(f, 7, 14)
    assert product.field_sources["options.Width.1"] == SourceRange(f, 7, 22)
    assert product.field_sources["custom_fields.Material"] == SourceRange(f, 14, 17)
    assert product.field_sources["channels.1"] == SourceRange(f, 16, 25)


def test_the_product_keeps_its_sub_resources_as_written(tmp_path):
    write(tmp_path, {"p.yaml": PRODUCT_WITH_CHILDREN})
    fields = load_desired(tmp_path).get("product", "CT-BLK100").fields
    assert fields["options"] == {"Width": ["2.5mm", Decimal("4.8")]}
    assert fields["custom_fields"] == {"Material": "Nylon 6.6", "Pack Size": 100}
    assert fields["channels"] == ["uk-main", "us-trade"]


def test_sub_resources_are_not_top_level_lists(tmp_path):
    write(tmp_path, {"a.yaml": "variants:\n  - sku: CT-1-2\noptions: {}\n"})
    expected = "(expected one of: store, brands, categories, products, price_lists, customer_groups)"
    assert problems(tmp_path) == [
        f"{tmp_path}/a.yaml:1:1: unknown top-level key 'variants' {expected}",
        f"{tmp_path}/a.yaml:3:1: unknown top-level key 'options' {expected}",
    ]


def test_variant_and_product_skus_clash_ignoring_case_across_files(tmp_path):
    write(tmp_path, {
        "a.yaml": "products:\n  - {sku: CT-A, options: {W: [x]}, variants: [{sku: CT-A-X, options: {W: x}}]}\n",
        "b.yaml": "products:\n  - sku: ct-a-x\n",
    })
    assert problems(tmp_path) == [
        f"{tmp_path}/b.yaml:2:10: duplicate SKU 'ct-a-x' (first used by variant of product 'CT-A' "
        f"at {tmp_path}/a.yaml:2:53)"]


# -- digest ------------------------------------------------------------------------------------

def test_digest_is_stable_for_the_same_content_and_changes_with_a_value(tmp_path):
    first = load_desired(CATALOG).digest
    assert first == load_desired(CATALOG).digest
    assert len(first) == 64

    # Same content, different files and order: same digest.
    moved = tmp_path / "moved"
    shutil.copytree(CATALOG, moved)
    (moved / "products" / "tools.yaml").rename(moved / "products" / "0-tools.yml")
    assert load_desired(moved).digest == first

    # One price changed: different digest.
    ties = moved / "products" / "cable-ties.yaml"
    ties.write_text(ties.read_text().replace("price: 1.95", "price: 1.96", 1))
    assert load_desired(moved).digest != first


def test_digest_covers_sub_resources(tmp_path):
    write(tmp_path / "a", {"p.yaml": PRODUCT_WITH_CHILDREN})
    base = load_desired(tmp_path / "a").digest
    for old, new in [("price: 2.95", "price: 2.96"), ("Pack Size: 100", "Pack Size: 50"),
                     ("channels: [uk-main, us-trade]", "channels: [uk-main]"),
                     ("[2.5mm, 4.8]", "[2.5mm, 4.80]")]:     # the label "4.80" is not "4.8"
        text = textwrap.dedent(PRODUCT_WITH_CHILDREN).replace(old, new)
        if old == "[2.5mm, 4.8]":
            text = text.replace("{Width: 4.8}", "{Width: 4.80}")
        assert text != textwrap.dedent(PRODUCT_WITH_CHILDREN)
        (tmp_path / "b").mkdir(exist_ok=True)
        (tmp_path / "b" / "p.yaml").write_text(text)
        assert load_desired(tmp_path / "b").digest != base, old


def test_digest_compares_money_by_value(tmp_path):
    write(tmp_path / "a", {"p.yaml": "products: [{sku: CT-1, price: 12.50}]\n"})
    write(tmp_path / "b", {"p.yaml": "products: [{sku: CT-1, price: 12.5}]\n"})
    assert load_desired(tmp_path / "a").digest == load_desired(tmp_path / "b").digest


# -- customer groups and price lists -----------------------------------------------------------------

PRICE_LISTS = """
    products:
      - sku: CT-1
        price: 2.95
        cost_price: 0.95
        options: {Width: [2.5mm]}
        variants:
          - {sku: CT-1-2.5, options: {Width: 2.5mm}}
      - sku: CT-2
        price: 4.25
    customer_groups:
      - name: Trade
    price_lists:
      - name: Trade GBP
        currency: gbp
        assignments:
          - {customer_group: Trade, channel: uk-main}
        records:
          - {sku: CT-1-2.5, price: 0.90, acknowledge: [below_cost]}
          - {sku: CT-2, price: 3.40, currency: USD}
"""


def test_price_list_records_and_assignments_are_derived_with_the_lists_currency(tmp_path):
    write(tmp_path, {"p.yaml": PRICE_LISTS})
    state = load_desired(tmp_path)
    f = f"{tmp_path}/p.yaml"
    assert list(state.of("customer_group")) == ["Trade"]
    assert list(state.of("price_list")) == ["Trade GBP"]
    assert list(state.of("price_record")) == ["Trade GBP:CT-1-2.5:GBP", "Trade GBP:CT-2:USD"]
    assert list(state.of("price_list_assignment")) == ["Trade GBP@Trade@uk-main"]
    rec = state.get("price_record", "Trade GBP:CT-1-2.5:GBP")
    assert rec.parent == "Trade GBP"
    assert rec.fields == {"sku": "CT-1-2.5", "price": Decimal("0.90"), "acknowledge": ["below_cost"],
                          "currency": "GBP"}        # the list's default, upper-cased
    assert rec.source == SourceRange(f, 18, 9) and rec.source_of("price") == SourceRange(f, 18, 32)
    assert state.get("price_record", "Trade GBP:CT-2:USD").fields["currency"] == "USD"
    a = state.get("price_list_assignment", "Trade GBP@Trade@uk-main")
    assert a.fields == {"customer_group": "Trade", "channel": "uk-main"} and a.parent == "Trade GBP"
    assert state.get("price_list", "Trade GBP").fields["currency"] == "gbp"     # as written; YAML only


def test_price_list_problems_are_reported_with_the_catalog_rules(tmp_path):
    text = PRICE_LISTS.replace("acknowledge: [below_cost]", "sale_price: 0.95").replace("sku: CT-2,", "sku: CT-1,")
    write(tmp_path, {"p.yaml": text})
    f = f"{tmp_path}/p.yaml"
    assert problems(tmp_path) == [
        f"{f}:18:32: price_record 'Trade GBP:CT-1-2.5:GBP': price 0.90 is below cost_price 0.95 "
        "(add acknowledge: [below_cost] to sell below cost)",
        f"{f}:18:50: price_record 'Trade GBP:CT-1-2.5:GBP': sale_price 0.95 is not below price 0.90",
        f"{f}:19:15: price_record 'Trade GBP:CT-1:USD': sku 'CT-1' is a product with variants; the store takes "
        "price records only for its variants' SKUs (CT-1-2.5)",
    ]


def test_guardrails_setting_is_a_decimal(tmp_path):
    write(tmp_path, {"s.yaml": "store:\n  guardrails: {max_price_drop_percent: 12.5}\n"})
    assert load_desired(tmp_path).store.max_price_drop_percent == Decimal("12.5")
    write(tmp_path, {"s.yaml": "store:\n  guardrails: {max_price_drop_percent: 40}\n"})
    value = load_desired(tmp_path).store.max_price_drop_percent
    assert value == Decimal(40) and isinstance(value, Decimal)
    write(tmp_path, {"s.yaml": "store:\n  guardrails: {max_price_drop_percent: 120}\n"})
    assert problems(tmp_path) == [
        f"{tmp_path}/s.yaml:2:40: store: guardrails.max_price_drop_percent: 120 is greater than the maximum of 100"]


# -- the real catalog ----------------------------------------------------------------------------

def test_the_gtse_catalog_loads_without_diagnostics():
    state = load_desired(CATALOG)
    products = state.of("product")
    assert len(state.of("brand")) >= 2
    assert 30 <= len(products) <= 40
    assert 80 <= len(state.of("variant")) <= 120
    tops = {path.split("/")[0] for p in products.values() for path in p.fields["categories"]}
    assert len(tops) >= 4
    assert state.store.raw["name"] == "GTSE"
    assert state.store.channels == {"uk-main": 1, "us-trade": 2}
    assert state.store.sku_convention == {
        "enabled": True, "categories": {"CT": "Cable Ties", "FX": "Fixings", "TL": "Tools", "EL": "Electrical"}}
    assert all(f.startswith("catalog/") for f in state.files)
    assert set(state.of("customer_group")) == {"Retail", "Trade"}
    assert {k: len([r for r in state.of("price_record").values() if r.parent == k]) for k in state.of("price_list")} \
        == {"Trade GBP": 51, "Trade USD": 53}
    assert set(state.of("price_list_assignment")) == {"Trade GBP@Trade@uk-main", "Trade USD@Trade@us-trade"}
    assert state.store.max_price_drop_percent == Decimal(30)


def test_the_gtse_catalog_follows_its_conventions():
    state = load_desired(CATALOG)
    codes = {"Cable Ties": "CT", "Fixings": "FX", "Tools": "TL", "Electrical": "EL"}
    names = [p.fields["name"] for p in state.of("product").values()]
    assert len(names) == len(set(names))
    for sku, p in state.of("product").items():
        f = p.fields
        top = f["categories"][0].split("/")[0]
        assert sku.startswith(codes[top] + "-") and sku.count("-") == 1, sku
        assert f["cost_price"] < f["price"], sku
        assert f.get("sale_price", Decimal(0)) < f["price"], sku
        assert f["price"].as_tuple().exponent == -2, sku
        assert {"name", "type", "weight", "price", "brand", "categories", "description", "channels"} <= set(f), sku
        if f.get("variants"):       # the product's own price is its cheapest variant's ("from £1.95")
            assert f["price"] == min(v["price"] for v in f["variants"]), sku
    for sku, v in state.of("variant").items():
        f = v.fields
        assert f["cost_price"] < f["price"] and f.get("sale_price", Decimal(0)) < f["price"], sku
        assert f["price"].as_tuple().exponent == -2 and "weight" in f, sku
    fields = {cf.fields["name"] for cf in state.of("custom_field").values()}
    assert {"Material", "Pack Size", "Colour", "Standard"} <= fields
    # Trade prices: 15-25% below the catalog price, above cost; USD about 1.25 x GBP; each list
    # prices only SKUs sold on the channel it is assigned to.
    catalog = {**{k: v.fields for k, v in state.of("variant").items()},
               **{k: p.fields for k, p in state.of("product").items() if not p.fields.get("variants")}}
    channels = {**{k: state.get("product", v.parent).fields["channels"] for k, v in state.of("variant").items()},
                **{k: p.fields["channels"] for k, p in state.of("product").items()}}
    gbp = {r.fields["sku"]: r.fields["price"] for r in state.of("price_record").values() if r.parent == "Trade GBP"}
    for rec in state.of("price_record").values():
        sku, price, currency = rec.fields["sku"], rec.fields["price"], rec.fields["currency"]
        assert currency == {"Trade GBP": "GBP", "Trade USD": "USD"}[rec.parent], rec.key
        list_channel = {"Trade GBP": "uk-main", "Trade USD": "us-trade"}[rec.parent]
        assert list_channel in channels[sku], rec.key
        assert price > catalog[sku]["cost_price"] and price.as_tuple().exponent == -2, rec.key
        if currency == "GBP":
            full, cent = catalog[sku]["price"], Decimal("0.01")
            assert full * Decimal("0.75") - cent <= price <= full * Decimal("0.85") + cent, rec.key
        elif sku in gbp:
            assert abs(price - gbp[sku] * Decimal("1.25")) <= Decimal("0.01"), rec.key
    listed = {tuple(p.fields["channels"]) for p in state.of("product").values()}
    assert listed == {("uk-main", "us-trade"), ("uk-main",), ("us-trade",)}
    both = [p for p in state.of("product").values() if len(p.fields["channels"]) == 2]
    assert len(both) > len(state.of("product")) * 2 / 3        # most lines sell on both channels
    for path in sorted(CATALOG.rglob("*.yaml")):
        rel = Path("../" * (len(path.relative_to(CATALOG).parts))) / "schemas/catalog.schema.json"
        assert path.read_text().splitlines()[0] == f"# yaml-language-server: $schema={rel.as_posix()}", path


def test_the_quick_tag_resolver_agrees_with_pyyaml():
    import yaml

    from reconciler.desired.load import _Loader

    scalars = ["12", "012", "0x1F", "1_000", "-3", "+4", "1.5", ".5", "1e3", ".inf", "-.Inf", ".nan", "true",
               "True", "TRUE", "yes", "No", "off", "On", "y", "n", "null", "Null", "~", "", "2024-01-31",
               "2024-01-31 10:00:00", "<<", "=", "CT-BLK100", "Cable Ties", "2.5mm", "4.8", "t", "o", "f"]
    text = "".join(f"- {s}\n" for s in scalars) + "".join(f"- '{s}'\n" for s in scalars) + "- {a: 1, 2: b}\n"

    def tags(node):
        out = [(type(node).__name__, node.tag, node.value if isinstance(node.value, str) else None)]
        for item in node.value if isinstance(node.value, list) else []:
            for n in item if isinstance(item, tuple) else (item,):
                out += tags(n)
        return out

    text += text            # each plain scalar again: answered from what the loader remembered
    assert tags(yaml.compose(text, Loader=_Loader)) == tags(yaml.compose(text, Loader=yaml.SafeLoader))
