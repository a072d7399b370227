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
