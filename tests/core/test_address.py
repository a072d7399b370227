"""Address: one formatter, one parser, one JSON form (reconciler/core/address.py)."""

from __future__ import annotations

import doctest

import pytest
from hypothesis import given
from hypothesis import strategies as st

import reconciler.core.address
import reconciler.resources.price_record
from reconciler.core.address import Address
from reconciler.resources import REGISTRY

KINDS = st.from_regex(r"[a-z][a-z0-9_]{0,20}", fullmatch=True)


@pytest.mark.parametrize("module", [reconciler.core.address, reconciler.resources.price_record])
def test_doctests(module):
    assert doctest.testmod(module).failed == 0


@pytest.mark.parametrize("key, text", [
    ("CT-BLK100", "product['CT-BLK100']"),
    ("Trade: GBP", "price_list['Trade: GBP']"),
    ("Trade's GBP", 'price_list["Trade\'s GBP"]'),
    ('Say "hi" \'now\'', "price_list['Say \"hi\" \\'now\\'']"),
    ("a]b[c", "price_list['a]b[c']"),
    ("line\nbreak", "price_list['line\\nbreak']"),
])
def test_the_text_is_the_one_plans_always_showed_and_parses_back(key, text):
    kind = text[:text.index("[")]
    assert str(Address(kind, key)) == text == f"{kind}[{key!r}]"
    assert Address.parse(text).key == key and Address.parse(text).kind == kind


@given(KINDS, st.text(), st.one_of(st.none(), st.tuples(KINDS, st.text())))
def test_parse_is_the_inverse_of_str_and_json_round_trips(kind, key, owner):
    parent = Address(*owner) if owner else None
    address = Address(kind, key, parent)
    parsed = Address.parse(str(address), parent)
    assert (parsed.kind, parsed.key, parsed.parent) == (kind, key, parent)
    again = Address.from_json(address.to_json())
    assert (again.kind, again.key, again.parent) == (kind, key, parent)
    assert again.parent is None or again.parent.parent is None


@pytest.mark.parametrize("text", [
    "product", "product[]", "product[CT-1]", "Product['X']", "product['X'] ", "product[1]",
    "product[__import__('os').system('true')]", "product['a' + 'b']", "product[b'X']", "product['X', 'Y']",
])
def test_parse_refuses_anything_but_a_kind_and_a_quoted_key(text):
    with pytest.raises(ValueError, match="not an address"):
        Address.parse(text)


def test_json_nests_parents_and_refuses_other_shapes():
    variant = Address("variant", "CT-1-2.5", Address("product", "CT-1"))
    assert variant.to_json() == {"kind": "variant", "key": "CT-1-2.5",
                                 "parent": {"kind": "product", "key": "CT-1", "parent": None}}
    for bad in ({"kind": "product"}, {"kind": "product", "key": 7, "parent": None}, {"key": "X", "parent": None}):
        with pytest.raises((KeyError, TypeError)):
            Address.from_json(bad)


def test_identity_is_kind_and_key_and_equals_the_text():
    a = Address("variant", "CT-1-2.5", Address("product", "CT-1"))
    assert a == Address("variant", "CT-1-2.5") == "variant['CT-1-2.5']"
    assert a != Address("product", "CT-1-2.5") and a != Address("variant", "ct-1-2.5") and a != 3
    assert {a: 1}["variant['CT-1-2.5']"] == 1 and "variant['CT-1-2.5']" in {a}
    with pytest.raises(Exception):
        a.key = "other"      # frozen


def test_addresses_sort_as_their_text():
    keys = ["Trade: GBP", "Trade GBP", "trade", "Zed", "A'b", 'A"b', "Ä"]
    addresses = [Address("price_list", k) for k in keys] + [Address("product", k) for k in keys]
    assert [str(a) for a in sorted(addresses)] == sorted(str(a) for a in addresses)


@pytest.mark.parametrize("key, parent, parts", [
    ("Trade: GBP:CT-1:GBP", "Trade: GBP", ("Trade: GBP", "CT-1", "GBP")),
    ("Trade: GBP:CT:1:EUR", "Trade: GBP", ("Trade: GBP", "CT:1", "EUR")),
    ("a:b:c:d:USD", "a:b", ("a:b", "c:d", "USD")),
    ("Trade GBP:CT-1:GBP", None, ("Trade GBP", "CT-1", "GBP")),
])
def test_a_price_record_key_splits_by_its_list_name(key, parent, parts):
    got = REGISTRY["price_record"].key_parts(key, parent)
    assert (got["price_list"], got["sku"], got["currency"]) == parts
