"""The gtse seed (the live store of the demo) matches catalog/ except on purpose.

If you edit catalog/, edit reconciler/sandbox/seeds/gtse.json the same way, or
this test names the field that drifted. Sub-resources (options, variants, custom
fields, channel assignments, images, bulk pricing rules) are compared too, read from the seed the way the
store shows them: options only through the values their variants use. Price
lists, their records and assignments, and customer groups are compared the
same way.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from reconciler.desired import load_desired
from reconciler.resources import REGISTRY
from reconciler.resources.price_list_assignment import key_for as assignment_key
from reconciler.resources.price_record import key_for as record_key

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "reconciler" / "sandbox" / "seeds" / "gtse.json"

# The deliberate differences, and nothing else: (kind, key, field) -> (store, YAML).
EDITED_IN_ADMIN = {
    # repriced in the control panel
    ("variant", "CT-BLK100-2.5", "price"): (Decimal("1.79"), Decimal("1.95")),
    # written differently in the control panel
    ("custom_field", "CT-BLK200/Material", "value"): ("Nylon 66", "Nylon 6.6"),
    # the store still has the discontinued 4.8mm natural 100mm tie (ONLY_IN_STORE)
    ("option", "CT-NAT100/Width", "values"): ({"2.5mm", "3.6mm", "4.8mm"}, {"2.5mm", "3.6mm"}),
    # the new 4.0mm² ferrule (ONLY_IN_YAML) needs a new option value
    ("option", "EL-FERR/Size", "values"): (
        {"0.5mm²", "0.75mm²", "1.0mm²", "1.5mm²", "2.5mm²"},
        {"0.5mm²", "0.75mm²", "1.0mm²", "1.5mm²", "2.5mm²", "4.0mm²"}),
    # trade price edited in the control panel
    ("price_record", "Trade GBP:CT-BLK200-2.5:GBP", "price"): (Decimal("2.29"), Decimal("2.36")),
}
# Besides these, the sub-resources of a product that exists on one side only.
ONLY_IN_YAML = {
    "category": {"Electrical/Cable Glands"},
    "product": {"TL-CABCUT", "EL-GLANDBLK", "EL-GLANDGRY"},
    "variant": {"EL-FERR-4.0"},
    "channel_assignment": {"TL-TIEGUN@us-trade"},    # on UK Main only in the store
    "price_list": {"Trade USD"},                      # created with its records and assignment
    "price_record": {"Trade GBP:FX-FRAME-140:GBP"},   # new trade price
    "image": {"CT-KIT500/https://cdn.gtse.co.uk/p/ct-kit500-open.jpg"},   # a new picture of the open kit
}
ONLY_IN_STORE = {
    "product": {"CT-CLR150", "FX-NAIL40"},            # not managed by the catalog
    "variant": {"CT-NAT100-4.8"},                     # discontinued: the product owns its variants
    "customer_group": {"Staff"},                      # not managed by the catalog
    "price_record": {"Trade GBP:CT-SS316-520X7.9:GBP"},   # no longer trade-priced: the list owns its records
}
ONE_SIDED_PARENTS = ("product", "price_list")


@pytest.fixture(scope="module")
def seed() -> dict:
    return json.loads(SEED.read_text(encoding="utf-8"), parse_float=Decimal)


@pytest.fixture(scope="module")
def desired():
    return load_desired(REPO / "catalog")


class Live(dict):
    """kind -> folded key -> (key, parent SKU, fields), as the store would show the seed."""

    def add(self, kind: str, key: str, parent: str | None, fields: dict) -> None:
        self.setdefault(kind, {})[key.casefold()] = (key, parent, fields)


def seed_objects(seed: dict, channels: dict[str, int]) -> Live:
    names = {cid: name for name, cid in channels.items()}
    out = Live({kind.name: {} for kind in REGISTRY})
    for b in seed["brands"]:
        out.add("brand", b["name"], None, b)
    for c in seed["categories"]:
        out.add("category", c["path"], None, c)
    for p in seed["products"]:
        sku = p["sku"]
        out.add("product", sku, None, p)
        options: dict[str, list[str]] = {}
        for v in p.get("variants", []):
            out.add("variant", v["sku"], sku, v)
            for name, label in v["options"].items():
                if label not in options.setdefault(name, []):
                    options[name].append(label)
        for name, labels in options.items():
            out.add("option", f"{sku}/{name}", sku, {"name": name, "values": labels})
        for name, value in p.get("custom_fields", {}).items():
            out.add("custom_field", f"{sku}/{name}", sku, {"name": name, "value": value})
        for image in p.get("images", []):
            out.add("image", f"{sku}/{image['image_url']}", sku, image)
        for r in p.get("bulk_pricing_rules", []):     # the store's 0 is "no maximum"
            out.add("bulk_pricing_rule", f"{sku}/{r['quantity_min']}+", sku, {**r, "quantity_max": r["quantity_max"] or None})
        for cid in p["channels"]:
            name = names.get(cid, f"#{cid}")
            out.add("channel_assignment", f"{sku}@{name}", sku, {"channel": name})
    for g in seed["customer_groups"]:
        out.add("customer_group", g["name"], None, g)
    for pl in seed["price_lists"]:
        out.add("price_list", pl["name"], None, pl)
        for a in pl["assignments"]:
            channel = names.get(a["channel"], f"#{a['channel']}")
            out.add("price_list_assignment", assignment_key(pl["name"], a["customer_group"], channel), pl["name"],
                    {"customer_group": a["customer_group"], "channel": channel})
        for r in pl["records"]:
            fields = {**r, "currency": r["currency"].upper()}
            out.add("price_record", record_key(pl["name"], r["sku"], r["currency"]), pl["name"], fields)
    return out


def same(a, b) -> bool:
    if isinstance(a, (int, Decimal)) and isinstance(b, (int, Decimal)) and not isinstance(a, bool):
        return Decimal(a) == Decimal(b)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return a == b


def compared(kind, field, value):
    return set(value) if field in kind.set_fields and isinstance(value, list) else value


def test_seed_differs_from_the_catalog_only_on_purpose(seed, desired):
    live = seed_objects(seed, desired.store.channels)
    yaml_only_parents = {k.casefold() for kind in ONE_SIDED_PARENTS for k in ONLY_IN_YAML.get(kind, ())}
    store_only_parents = {k.casefold() for kind in ONE_SIDED_PARENTS for k in ONLY_IN_STORE.get(kind, ())}
    differences, only_yaml, only_store = {}, {}, {}
    for kind in REGISTRY:
        wanted = {k.casefold(): obj for k, obj in desired.of(kind.name).items()}
        only_yaml[kind.name] = {
            obj.key for k, obj in wanted.items()
            if k not in live[kind.name] and (obj.parent or "").casefold() not in yaml_only_parents}
        only_store[kind.name] = {
            key for k, (key, parent, _) in live[kind.name].items()
            if k not in wanted and (parent or "").casefold() not in store_only_parents}
        for k, obj in wanted.items():
            if k not in live[kind.name]:
                continue
            store_fields = live[kind.name][k][2]
            for field, value in obj.fields.items():
                if field in kind.child_fields or field in kind.meta_fields:
                    continue        # compared as their own kinds, or never sent to the store
                theirs, ours = compared(kind, field, store_fields.get(field)), compared(kind, field, value)
                if not same(theirs, ours):
                    differences[(kind.name, obj.key, field)] = (theirs, ours)
    assert differences == EDITED_IN_ADMIN
    assert {k: v for k, v in only_yaml.items() if v} == ONLY_IN_YAML
    assert {k: v for k, v in only_store.items() if v} == ONLY_IN_STORE


def test_seed_carries_fields_the_catalog_does_not_manage(seed, desired):
    unmanaged = {"inventory_level", "inventory_tracking", "bin_picking_number"}
    for item in seed["products"]:
        assert unmanaged <= set(item), item["sku"]
        assert item["inventory_tracking"] == ("variant" if item.get("variants") else "product"), item["sku"]
        for v in item.get("variants", []):
            assert {"inventory_level", "bin_picking_number"} <= set(v), v["sku"]
    for obj in desired.of("product").values():
        assert not unmanaged & set(obj.fields), obj.key
    for obj in desired.of("variant").values():
        assert not unmanaged & set(obj.fields), obj.key
    assert {tuple(p["channels"]) for p in seed["products"]} == {(1,), (2,), (1, 2)}


def test_seed_is_consistent_as_a_store(seed):
    paths = [c["path"] for c in seed["categories"]]
    for i, path in enumerate(paths):          # parents first
        parent = path.rpartition("/")[0]
        assert not parent or parent in paths[:i], path
    brands = {b["name"] for b in seed["brands"]}
    names = [p["name"] for p in seed["products"]]
    assert len(names) == len(set(names))       # the store requires unique product names
    skus = [p["sku"].casefold() for p in seed["products"]]
    skus += [v["sku"].casefold() for p in seed["products"] for v in p.get("variants", [])]
    assert len(skus) == len(set(skus))         # one namespace for product and variant SKUs
    for p in seed["products"]:
        assert p["brand"] in brands and set(p["categories"]) <= set(paths), p["sku"]
        variants = p.get("variants", [])
        assert len({tuple(sorted(v["options"])) for v in variants}) <= 1, p["sku"]    # same option names
        assert len({tuple(sorted(v["options"].items())) for v in variants}) == len(variants), p["sku"]
        assert all(isinstance(label, str) for v in variants for label in v["options"].values()), p["sku"]


def test_seed_numbers_are_plain_json_numbers():
    text = SEED.read_text(encoding="utf-8")
    raw = json.loads(text)
    assert all(isinstance(p["price"], (int, float)) for p in raw["products"])
    assert all(isinstance(v["price"], (int, float)) for p in raw["products"] for v in p.get("variants", []))
    assert '"$decimal"' not in text


def test_seed_price_lists_and_groups_are_consistent_as_a_store(seed):
    groups = seed["customer_groups"]
    assert len({g["id"] for g in groups}) == len(groups) and len({g["name"] for g in groups}) == len(groups)
    assert [g["name"] for g in groups if g["is_default"]] == ["Retail"]
    assert {g["name"]: g["id"] for g in groups}["Trade"] == 2
    with_variants = {p["sku"] for p in seed["products"] if p.get("variants")}
    sellable = {v["sku"] for p in seed["products"] for v in p.get("variants", [])}
    sellable |= {p["sku"] for p in seed["products"] if not p.get("variants")}
    for pl in seed["price_lists"]:
        keys = [(r["sku"].casefold(), r["currency"].upper()) for r in pl["records"]]
        assert len(keys) == len(set(keys)), pl["name"]
        assert {r["sku"] for r in pl["records"]} <= sellable, pl["name"]    # never a parent SKU
        assert not {r["sku"] for r in pl["records"]} & with_variants, pl["name"]
        for a in pl["assignments"]:
            assert a["customer_group"] in {g["name"] for g in groups} and a["channel"] in (1, 2), pl["name"]
