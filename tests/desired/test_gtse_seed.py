"""The gtse seed (the live store of the demo) matches catalog/ except on purpose.

If you edit catalog/, edit reconciler/sandbox/seeds/gtse.json the same way, or
this test names the field that drifted.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from reconciler.desired import load_desired
from reconciler.resources import REGISTRY

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "reconciler" / "sandbox" / "seeds" / "gtse.json"

# The deliberate differences, and nothing else.
EDITED_IN_ADMIN = {("product", "CT-BLK100", "price"): (Decimal("1.79"), Decimal("1.95"))}   # store, YAML
ONLY_IN_YAML = {"category": {"Electrical/Cable Glands"}, "product": {"TL-CABCUT", "EL-GLAND20", "EL-GLAND25"}}
ONLY_IN_STORE = {"product": {"CT-CLR150", "FX-NAIL40"}}


@pytest.fixture(scope="module")
def seed() -> dict:
    return json.loads(SEED.read_text(encoding="utf-8"), parse_float=Decimal)


@pytest.fixture(scope="module")
def desired():
    return load_desired(REPO / "catalog")


def seed_objects(seed, kind) -> dict:
    return {item[kind.key].casefold(): item for item in seed[kind.plural]}


def same(a, b) -> bool:
    if isinstance(a, (int, Decimal)) and isinstance(b, (int, Decimal)) and not isinstance(a, bool):
        return Decimal(a) == Decimal(b)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


def test_seed_differs_from_the_catalog_only_on_purpose(seed, desired):
    differences, only_yaml, only_store = {}, {}, {}
    for kind in REGISTRY:
        live = seed_objects(seed, kind)
        wanted = {k.casefold(): obj for k, obj in desired.of(kind.name).items()}
        only_yaml[kind.name] = {obj.key for k, obj in wanted.items() if k not in live}
        only_store[kind.name] = {item[kind.key] for k, item in live.items() if k not in wanted}
        for k, obj in wanted.items():
            for field, value in obj.fields.items():
                if k in live and not same(live[k].get(field), value):
                    differences[(kind.name, obj.key, field)] = (live[k].get(field), value)
    assert differences == EDITED_IN_ADMIN
    assert {k: v for k, v in only_yaml.items() if v} == ONLY_IN_YAML
    assert {k: v for k, v in only_store.items() if v} == ONLY_IN_STORE


def test_seed_carries_fields_the_catalog_does_not_manage(seed, desired):
    unmanaged = {"inventory_level", "inventory_tracking", "bin_picking_number", "channels"}
    for item in seed["products"]:
        assert unmanaged <= set(item), item["sku"]
    for obj in desired.of("product").values():
        assert not unmanaged & set(obj.fields), obj.key
    assert {tuple(p["channels"]) for p in seed["products"]} == {(1,), (1, 2)}


def test_seed_is_consistent_as_a_store(seed):
    paths = [c["path"] for c in seed["categories"]]
    for i, path in enumerate(paths):          # parents first
        parent = path.rpartition("/")[0]
        assert not parent or parent in paths[:i], path
    brands = {b["name"] for b in seed["brands"]}
    names = [p["name"] for p in seed["products"]]
    assert len(names) == len(set(names))       # the store requires unique product names
    for p in seed["products"]:
        assert p["brand"] in brands and set(p["categories"]) <= set(paths), p["sku"]


def test_seed_numbers_are_plain_json_numbers():
    text = SEED.read_text(encoding="utf-8")
    raw = json.loads(text)
    assert all(isinstance(p["price"], (int, float)) for p in raw["products"])
    assert '"$decimal"' not in text
