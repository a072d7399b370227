"""The last-applied state is written object by object (apply/last_applied.py ``save``):
the file reads back as the state it was written from, in the JSON the whole-tree
``json.dumps`` of ``encode_value`` made before."""

import json
from decimal import Decimal

import pytest

from reconciler.apply.last_applied import LastApplied, load, save
from reconciler.plan.model import encode_value


def test_saved_state_reads_back_and_is_the_same_json(tmp_path):
    objects = {
        "product\tsku-2": {"sku": "SKU-2", "price": Decimal("10.50"), "categories": ["A/B"], "name": "Über"},
        "product\tsku-1": {"sku": "SKU-1", "price": Decimal("0"), "variants": [{"sku": "V", "price": Decimal("1.0")}]},
    }
    baseline = {"read_at": "2026-01-01T00:00:00+00:00", "keys": {"product": {"1": "SKU-1"}}, "children": {}}
    state = LastApplied("2026-01-02T00:00:00+00:00", objects, baseline)
    path = tmp_path / "last-applied.json"
    save(path, state)
    back = load(path)
    assert back == state
    assert back.objects["product\tsku-1"]["variants"][0]["price"] == Decimal("1.0")
    whole = {"written_at": state.written_at, "objects": encode_value(objects), "baseline": baseline}
    assert json.loads(path.read_text(encoding="utf-8")) == whole
    assert "Über" in path.read_text(encoding="utf-8")      # not \\u-escaped


def test_a_value_json_cannot_hold_is_refused(tmp_path):
    with pytest.raises(TypeError, match="set"):
        save(tmp_path / "s.json", LastApplied("t", {"product\tx": {"tags": {"a"}}}))


def test_a_loaded_state_decodes_an_object_when_asked_and_saves_the_rest_as_read(tmp_path):
    odd = 'brand\tsays ": hi\n,'            # a key with the separators and a newline in it
    objects = {odd: {"name": 'says ": hi\n,', "note": "a\u2028b"},
               "product\tp": {"sku": "P", "price": Decimal("2.50")}}
    path = tmp_path / "s.json"
    save(path, LastApplied("t1", objects, None))
    back = load(path)
    assert dict(back.objects) == objects and len(back.objects) == 2 and odd in back.objects
    assert back.get("product", "p") == {"sku": "P", "price": Decimal("2.50")}
    back.objects["product\tq"] = {"sku": "Q", "price": Decimal("1")}
    del back.objects[odd]
    back.written_at = "t2"
    save(path, back)
    again = load(path)
    assert dict(again.objects) == {"product\tp": objects["product\tp"], "product\tq": {"sku": "Q", "price": Decimal("1")}}
    assert again.written_at == "t2"
    assert [line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith('"product\\tp"')] == \
        ['"product\\tp": {"price": {"$decimal": "2.50"}, "sku": "P"},']


def test_a_state_saved_as_one_json_line_still_loads(tmp_path):
    path = tmp_path / "old.json"
    path.write_text(json.dumps({"written_at": "t", "objects": {"product\tp": {"price": {"$decimal": "3.10"}}},
                                "baseline": None}), encoding="utf-8")
    assert dict(load(path).objects) == {"product\tp": {"price": Decimal("3.10")}}
