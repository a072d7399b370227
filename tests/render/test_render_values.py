from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.plan.model import Action, FieldChange, ResourceChange
from reconciler.plan.values import (
    child_label, child_title, delete_reason, deleted_lines, field_lines, format_compact, format_pair, format_pct,
    format_set_diff, format_value, impact_cells, impact_movers, parent_of, pct_change,
)


@pytest.mark.parametrize("value, shown", [
    (Decimal("12.5"), "12.50"),
    (Decimal("0.125"), "0.125"),
    (Decimal("3"), "3.00"),
    (Decimal("1E+2"), "100.00"),
    (Decimal("-0.5"), "-0.50"),
    ("Tools", '"Tools"'),
    ('say "hi"\n', '"say \\"hi\\"\\n"'),
    (None, "null"),
    (True, "true"),
    (False, "false"),
    (7, "7"),
    (["a", "b"], '["a", "b"]'),
    ({"pack": 100, "rrp": Decimal("19.9")}, '{"pack": 100, "rrp": 19.90}'),
    ("x" * 61, '"' + "x" * 60 + '…"'),
    ("x" * 60, '"' + "x" * 60 + '"'),
])
def test_format_value(value, shown):
    assert format_value(value) == shown


def test_long_strings_are_whole_when_asked():
    assert format_value("x" * 100, max_len=None) == '"' + "x" * 100 + '"'


def test_long_strings_show_where_they_differ():
    before, after = format_pair("a" * 80 + " old tail", "a" * 80 + " new tail")
    assert "old tail" in before and "new tail" in after
    assert before.startswith('"…')


def test_set_diff():
    assert format_set_diff(["Tools"], ["Tools/Crimping"]) == '+"Tools/Crimping" -"Tools"'
    assert format_set_diff(None, ["A"]) == '+"A"'
    assert format_set_diff(["A", "B"], ["B", "A"]) == "(order only)"


@settings(max_examples=100, deadline=None)
@given(st.decimals(allow_nan=False, allow_infinity=False, places=None))
def test_decimals_show_exactly_with_at_least_two_places(d):
    shown = format_value(d)
    assert Decimal(shown) == d
    assert "e" not in shown.lower() and len(shown.split(".")[1]) >= 2


def _rc(kind, key, parent, reason="absent_from_desired"):
    return ResourceChange(kind, key, Action.DELETE, reason=reason, parent=parent)


@pytest.mark.parametrize("parent, owner", [
    ("product['CT-BLK100']", ("product", "CT-BLK100")),
    ('product["it\'s"]', ("product", "it's")),
    ("CT-BLK100", ("product", "CT-BLK100")),        # a bare key: the registry names the owner kind
    (None, None),
])
def test_parent_of(parent, owner):
    assert parent_of(_rc("variant", "CT-BLK100-4.8", parent)) == owner


@pytest.mark.parametrize("kind, key, label", [
    ("variant", "CT-BLK100-4.8", "CT-BLK100-4.8"),
    ("option", "CT-BLK100/Width", "Width"),
    ("custom_field", "CT-BLK100/Pack Size", "Pack Size"),
    ("channel_assignment", "CT-BLK100@us-trade", "us-trade"),
])
def test_child_label(kind, key, label):
    assert child_label(_rc(kind, key, "product['CT-BLK100']")) == label


def test_delete_reason():
    owned = "product['CT-BLK100']"
    assert delete_reason(_rc("variant", "V", owned)) == "removed: not in the product's variants"
    assert delete_reason(_rc("channel_assignment", "C", owned)) == "removed: not in the product's channels"
    assert delete_reason(_rc("variant", "V", owned, "replace:options")) == "replaced: options changed"
    assert delete_reason(_rc("product", "P", None)) == "reason: absent_from_desired"
    assert delete_reason(_rc("price_record", "L:S:GBP", "price_list['L']")) == (
        "removed: not in the price list's records")


# -- prices ------------------------------------------------------------------------------

@pytest.mark.parametrize("value, shown", [
    (Decimal("-12.5"), "-12.5%"),
    (Decimal("3"), "+3.0%"),
    (Decimal("0"), "0.0%"),
    (Decimal("-0.04"), "-0.0%"),          # too small to show, still cheaper
    (Decimal("0.04"), "+0.0%"),
    (Decimal("-3.125"), "-3.1%"),
    (Decimal("-2.25"), "-2.2%"),          # half even, as the planner rounds
    (Decimal("1E+3"), "+1000.0%"),
    (7, "+7.0%"),
    (None, "n/a"),
])
def test_format_pct(value, shown):
    assert format_pct(value) == shown


def test_pct_change():
    assert pct_change(Decimal("1.60"), Decimal("1.55")) == Decimal("-3.125")
    assert pct_change(Decimal("0"), Decimal("1")) is None
    assert pct_change(None, Decimal("1")) is None
    assert pct_change("a", Decimal("1")) is None


def test_format_compact():
    assert format_compact([{"type": "price_list", "price_list": "Trade GBP"}]) == (
        '[{type: price_list, price_list: "Trade GBP"}]')
    assert format_compact({"type": "specific", "categories": ["Cable Ties"]}) == (
        '{type: specific, categories: ["Cable Ties"]}')
    assert format_compact({"method": "percent", "amount": Decimal("5"), "on": None, "x": "true"}) == (
        '{method: percent, amount: 5.00, on: null, x: "true"}')      # a string never looks like a boolean


def test_impact_cells():
    row = {"customer_group": "Trade", "channel": "uk-main", "changed": 1500, "min_pct": Decimal("-50.0"),
           "median_pct": Decimal("-3.1"), "max_pct": Decimal("2"), "blocked": 1}
    assert impact_cells(row) == ("Trade", "uk-main", "1500", "-50.0%", "-3.1%", "+2.0%", "", "1")   # a plan from before amounts
    assert impact_cells({}) == ("", "", "0", "n/a", "n/a", "n/a", "", "0")
    row["sum_change"] = {"EUR": Decimal("3.10"), "GBP": Decimal("-77.59")}
    row["movers"] = [{"sku": "CT-P123-4.8", "currency": "GBP", "before": Decimal("1.90"), "after": Decimal("0.95")},
                     {"sku": "CT-P1", "currency": "", "before": Decimal("1"), "after": Decimal("1.5")}]
    assert impact_cells(row)[6] == "+3.10 EUR, -77.59 GBP"
    assert impact_movers(row) == [("CT-P123-4.8", "1.90 -> 0.95 (-0.95 GBP)"), ("CT-P1", "1.00 -> 1.50 (+0.50)")]
    assert impact_movers({}) == []


def _record(action, **kw):
    return ResourceChange("price_record", "Trade GBP:CT-BLK100-2.5:GBP", action, parent="price_list['Trade GBP']", **kw)


def test_price_records_and_assignments_name_themselves():
    assert child_label(_record(Action.UPDATE)) == "CT-BLK100-2.5:GBP"
    assert child_title(_record(Action.UPDATE)) == [("CT-BLK100-2.5", True), ("GBP", False)]
    assignment = ResourceChange("price_list_assignment", "Trade GBP@Trade@uk-main", Action.DELETE,
                                parent="Trade GBP", changes=[FieldChange("channel", "uk-main", None),
                                                             FieldChange("customer_group", "Trade", None)])
    assert child_title(assignment) == [("assignment", False), ("Trade", True), ("on", False), ("uk-main", True)]
    assert child_title(_rc("variant", "V", "product['P']")) is None


def test_price_record_fields_leave_out_what_the_title_says_and_put_price_first():
    rc = _record(Action.CREATE, after={"sku": "CT-BLK100-2.5", "currency": "GBP", "sale_price": Decimal("1.5"),
                                      "price": Decimal("1.6"), "bulk_pricing_tiers": []})
    assert [f.path for f in field_lines(rc)] == ["price", "sale_price", "bulk_pricing_tiers"]
    gone = _record(Action.DELETE, changes=[FieldChange("currency", "GBP", None),
                                           FieldChange("price", Decimal("1.6"), None),
                                           FieldChange("sku", "CT-BLK100-2.5", None)])
    assert [(f.path, f.before) for f in deleted_lines(gone)] == [("price", "1.60")]


def test_money_changes_carry_their_percentage():
    rc = _record(Action.UPDATE, changes=[FieldChange("price", Decimal("1.60"), Decimal("0.80")),
                                         FieldChange("sale_price", None, Decimal("0.75"))])
    assert [(f.path, f.note) for f in field_lines(rc)] == [("price", "-50.0%"), ("sale_price", "")]
    weight = ResourceChange("product", "P", Action.UPDATE, changes=[FieldChange("weight", Decimal("1"), Decimal("2"))])
    assert field_lines(weight)[0].note == ""          # not money
