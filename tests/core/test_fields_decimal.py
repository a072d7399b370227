"""to_decimal (resources/fields.py) shares one Decimal per text, and stays exact."""

from decimal import Decimal, InvalidOperation

import pytest

from reconciler.resources import fields
from reconciler.resources.fields import to_decimal


def test_equal_texts_give_one_shared_exact_decimal():
    assert to_decimal(15) is to_decimal("15") is to_decimal(15)
    assert str(to_decimal("12.50")) == "12.50" and str(to_decimal(0.1)) == "0.1"
    assert to_decimal("") is None and to_decimal(None) is None


def test_the_memo_is_bounded(monkeypatch):
    monkeypatch.setattr(fields, "DECIMALS_KEPT", 3)
    monkeypatch.setattr(fields, "_DECIMALS", {})
    values = [to_decimal(str(i)) for i in range(10)]
    assert values == [Decimal(i) for i in range(10)] and len(fields._DECIMALS) <= 3


def test_not_a_number_still_fails():
    with pytest.raises(InvalidOperation):
        to_decimal("abc")
