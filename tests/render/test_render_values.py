from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.plan.model import Action, ResourceChange
from reconciler.plan.values import child_label, delete_reason, format_pair, format_set_diff, format_value, parent_of


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
