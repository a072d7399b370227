"""Cases for the generated coverage test, read from reconciler.resources.REGISTRY and
schemas/*.schema.json at collection time (no hand list of fields).

A case is (kind, field, steps). Every top-level kind's schema properties are cases of
that kind; a child kind (``parent`` + ``owner_field`` in the registry) takes the fields
of its owner field's item schema (variants, price records, assignments) or, when its
entries are plain values (options, custom_fields, channels), the owner field itself
with the add-entry / remove-entry steps. Each case gets an object of its own, named by
a token ``Q<n>Z`` so plan changes and request bodies can be attributed to it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from reconciler.resources import REGISTRY

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"
STEPS = ("create", "change", "unset")
LIST_STEPS = ("add-entry", "remove-entry")

# Fields that are not cases, with the reason (the completeness test checks this table
# and the cases together cover every schema property).
EXCLUDED = {
    "delete": "a tombstone, not a field: covered by the deletion tests",
    "acknowledge": "read by this tool only, never sent to the store",
    "inventory_level": "refused by the schema (not: {}): the warehouse owns stock",
    "inventory_warning_level": "refused by the schema (not: {}): the warehouse owns stock",
    "map_price@variant": "refused by the schema (not: {}): the variant endpoints refuse it",
    "options@variant": "the variant's option values: every variant case sets them (its key)",
    "is_default@customer_group": "one default group per store: setting it moves the store's default",
    "is_group_for_guests@customer_group": "one guest group per store: as is_default",
    "currency@price_list": "a meta field (registry meta_fields): the records' default currency, never sent",
    "renamed_from": "a meta field naming an object's previous key, never sent: tests/e2e/test_rename.py",
}

# Fields that are part of their object's key: left out of YAML they do not become
# unmanaged, they name another object (a record's key is List:SKU:CUR, the list's
# currency is the default), so these have no unset step.
KEY_PARTS = {"currency@price_record": "a price record's key is (list, SKU, currency)"}


def load(name: str) -> dict:
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


@dataclass
class Case:
    kind: str
    field: str
    schema: dict
    token: str
    owner: str                       # the top-level kind whose object carries the case
    is_list: bool = False            # an owned list: add-entry / remove-entry steps too
    steps: tuple[str, ...] = field(default=STEPS)

    @property
    def id(self) -> str:
        return f"{self.kind}-{self.field}"


def _excluded(kind: str, name: str, prop: dict) -> bool:
    listed = name in EXCLUDED or f"{name}@{kind}" in EXCLUDED
    if prop.get("not") == {} and not listed:
        raise AssertionError(f"{kind}.{name} is refused by its schema (not: {{}}) but not in EXCLUDED")
    return listed


def build_cases() -> list[Case]:
    cases: list[Case] = []
    kinds = list(REGISTRY)
    top = {k.name: k for k in kinds if k.parent is None}
    owned = {(k.parent, k.owner_field): k for k in kinds if k.parent}

    def add(kind, name, prop, owner, is_list=False, required=False):
        token = f"Q{len(cases):03d}Z"
        steps = STEPS + (LIST_STEPS if is_list else ())
        # Cannot be left out, or left out it is the schema's ``default`` (a bulk pricing rule's
        # quantity_max: no maximum), not unmanaged: create and change only.
        if required or f"{name}@{kind}" in KEY_PARTS or "default" in prop:
            steps = tuple(s for s in steps if s != "unset")
        cases.append(Case(kind, name, prop, token, owner, is_list, steps))

    for kind in top.values():
        schema = load(kind.schema)
        for name, prop in schema["properties"].items():
            if name == kind.key or _excluded(kind.name, name, prop):
                continue
            child = owned.get((kind.name, name))
            if child is None:
                add(kind.name, name, prop, kind.name, is_list=prop.get("type") == "array"
                    and name == "discount_rules")
                continue
            items = prop.get("items") or {}
            if items.get("type") == "object":      # entries with fields of their own
                for sub, sprop in items["properties"].items():
                    if sub == child.key or _excluded(child.name, sub, sprop):
                        continue
                    add(child.name, sub, sprop, kind.name, required=sub in items.get("required", ()))
                add(child.name, name, prop, kind.name, is_list=True)
            else:                                   # plain entries: the list itself
                add(child.name, name, prop, kind.name, is_list=True)
    return cases


CASES = build_cases()


def excluded_fields() -> set[tuple[str, str]]:
    """(schema file, property) pairs that are not cases."""
    out = set()
    for kind in REGISTRY:
        if kind.parent is None:
            for name, prop in load(kind.schema)["properties"].items():
                if _excluded(kind.name, name, prop) or name == kind.key:
                    out.add((kind.name, name))
    return out


# ---- values -------------------------------------------------------------------------

# Objects every step's catalog has, for x-reference values and price records.
REFS = {
    "brand": ["Gen Brand A", "Gen Brand B"],
    "category": ["Gen Cat A", "Gen Cat B"],
    "customer_group": ["Gen Group A", "Gen Group B"],
    "price_list": ["Gen List A", "Gen List B"],
    "product": ["GENSHARED-A", "GENSHARED-B"],
}
CHANNELS = {"uk-main": 1, "us-trade": 2}   # the sandbox's two channels (FACTS: channels are store-owned)

# Where a schema cannot say what the store accepts:
OVERRIDES = {
    # currency: the pattern allows any 3 letters; the store takes only its currencies
    # (PL: "currency ... must be a currency the store has"); GBP and USD are the sandbox's.
    "currency": ["GBP", "USD"],
    # channel: a name from store.channels (resources/product_rules.py), which a schema cannot list.
    "channel": ["uk-main", "us-trade"],
    # upc/gtin: "up to 14 digits" in the description, the schema only says maxLength 14.
    "upc": ["012345678905", "012345678912"],
    "gtin": ["04006381333931", "04006381333948"],
    # image_url: the store fetches the address (B/P image_url: "a URL"), a path is refused.
    "image_url": ["https://cdn.example.com/a.jpg", "https://cdn.example.com/b.jpg"],
    # sale_price: "must be below price" (P sale_price); the products' price is 10.
    "sale_price": [Decimal("5.00"), Decimal("6.50")],
    # cost_price above price is refused by our guardrails unless acknowledged.
    "cost_price": [Decimal("1.25"), Decimal("2.25")],
    # layout_file: a template file the theme has (CT layout_file: "category.html").
    "layout_file": ["category.html", "category_with_facets.html"],
    # bulk_pricing_tiers: the schema's object; quantities and amounts that differ per step.
    "bulk_pricing_tiers": [[{"quantity_min": 2, "quantity_max": 9, "type": "price", "amount": Decimal("1.00")}],
                           [{"quantity_min": 2, "quantity_max": None, "type": "percent", "amount": Decimal("5.00")}]],
    # category_access: "specific" needs categories; both shapes of the object.
    "category_access": [{"type": "specific", "categories": ["Gen Cat A"]}, {"type": "all"}],
}


# Fields the store takes only beside another one (the other one written in the case's object).
CASE_EXTRA = {
    # P is_price_hidden: "only works when availability is disabled"; the store answers 422
    # "is_price_hidden can only be true when availability is 'disabled'".
    "is_price_hidden": {"availability": "disabled"},
}


def value(name: str, schema: dict, n: int, token: str) -> Any:
    """A value the schema allows (``n`` = 0 for create, 1 for change), different per step."""
    if name in OVERRIDES:
        return OVERRIDES[name][n]
    ref = schema.get("x-reference") or (schema.get("items") or {}).get("x-reference")
    typ = schema.get("type")
    if isinstance(typ, list):
        typ = next(t for t in typ if t != "null")
    if ref:
        return [REFS[ref][n]] if typ == "array" else REFS[ref][n]
    if "enum" in schema:
        enum = schema["enum"]
        return enum[(1 + n) % len(enum)]     # not the first: often the store's default
    if "examples" in schema:                 # the schema's own (a pattern a generated text would miss)
        return schema["examples"][n % len(schema["examples"])]
    if typ == "boolean":
        return n == 0
    if typ == "integer":
        lo, hi = max(schema.get("minimum", 1), 1), schema.get("maximum", 10 ** 6)
        return min(lo + 1 + n, hi)
    if typ == "number":
        lo, hi = max(schema.get("minimum", 0), 0), schema.get("maximum", 10 ** 6)
        return min(Decimal(lo) + Decimal("2.50") + n, Decimal(hi))
    if typ == "array":
        item = value(name, schema.get("items", {"type": "string"}), n, token)
        return [item] if n == 0 else [item, f"{item} more"]
    text = f"gen {token} {'ab'[n]}"
    return text[: schema.get("maxLength", 255)]


# ---- objects per step ---------------------------------------------------------------

def _product(token: str, **extra) -> dict:
    return {"sku": token, "name": f"Product {token}", "type": "physical", "weight": 1,
            "price": 10, **extra}


def _variants(token: str, values: list[str], price: int = 0, **field) -> dict:
    """A product with option Size = values and one variant per value."""
    return {"options": {"Size": values},
            "variants": [{"sku": f"{token}-{v}", "options": {"Size": v},
                          **({"price": 10 + price} if price else {}), **field} for v in values]}


def _entries(case: Case, step: str) -> dict | None:
    """The owner's value of an owned list at ``step`` (None: not in YAML)."""
    t = case.token
    if step == "unset":
        return None
    count = 2 if step == "add-entry" else 1
    changed = step != "create"
    if case.field == "options":
        vals = (["M", "L"] if changed else ["S"])[:count]
        return _variants(t, vals)
    if case.field == "variants":
        return _variants(t, ["S", "M"][:count], price=1 if changed else 0)
    if case.field == "custom_fields":
        return {"custom_fields": {f"Field {i}": f"value {i}{'b' if changed else ''}" for i in range(count)}}
    if case.field == "channels":
        return {"channels": ["uk-main", "us-trade"][:count] if changed else ["us-trade"]}
    if case.field == "records":
        return {"records": [{"sku": REFS["product"][i], "price": Decimal("7.00") + (1 if changed else 0)}
                            for i in range(count)]}
    if case.field == "assignments":
        return {"assignments": [{"customer_group": assignment_groups(case)[i],
                                 "channel": "uk-main" if not changed else "us-trade"} for i in range(count)]}
    if case.field == "discount_rules":
        rules = [{"type": "all", "method": "percent", "amount": Decimal("5") + (1 if changed else 0)},
                 {"type": "category", "category": REFS["category"][0], "method": "fixed", "amount": Decimal("1")}]
        return {"discount_rules": rules[:count]}
    examples = case.schema.get("examples")
    if examples:   # an owned list whose schema gives examples: the first, then the second
        return {case.field: examples[1 if changed else 0][:count]}
    return {case.field: [_item(case, i) for i in ([1, 0] if changed else [0])[:count]]}


def _item(case: Case, i: int, **fld) -> dict:
    """An entry of any other child kind's list of objects (images): its key (the ``i``-th value
    the key's schema allows, the same at every step), the fields its item schema requires,
    and the case's field."""
    kind = REGISTRY[case.kind]
    schema = load(REGISTRY[kind.parent].schema)["properties"][kind.owner_field]["items"]
    names = (kind.key, *(r for r in schema.get("required", ()) if r != kind.key))
    entry = {name: value(name, schema["properties"][name], i if name == kind.key else 0, case.token)
             for name in names}
    return {**entry, **fld}


def _owner(case: Case) -> dict:
    """The object of the case's owner kind that carries its owned list."""
    t = case.token
    return {"product": _product(t), "price_list": {"name": f"List {t}", "currency": "GBP"},
            "customer_group": {"name": f"Group {t}"}}[case.owner]


def _example_entry(case: Case) -> dict:
    """One entry of a child kind's owned list, from the owner field's schema ``examples``:
    the first entry of the first example, which the case's field then changes."""
    kind = REGISTRY[case.kind]
    prop = load(REGISTRY[case.owner].schema)["properties"][kind.owner_field]
    if not prop.get("examples"):
        raise KeyError(f"{case.kind}: give {kind.owner_field} schema examples, or a case shape here")
    return dict(prop["examples"][0][0])


def case_object(case: Case, step: str) -> tuple[str, dict]:
    """(owner plural, the YAML object) of ``case`` at ``step``."""
    t = case.token
    n = 0 if step == "create" else 1
    set_field = {} if step in ("unset", *LIST_STEPS) and not case.is_list else None
    if case.is_list:
        body = _entries(case, step) or {}
        return REGISTRY[case.owner].plural, {**_owner(case), **body}
    fld = {} if set_field == {} else {case.field: value(case.field, case.schema, n, t)}
    if case.kind == "brand":
        return "brands", {"name": f"Brand {t}", **fld}
    if case.kind == "category":
        return "categories", {"path": f"Cat {t}", **fld}
    if case.kind == "product":
        base = _product(t)
        if not fld:   # unset: the field is not written at all, not even the create's default
            base.pop(case.field, None)
        return "products", {**base, **CASE_EXTRA.get(case.field, {}), **fld}
    if case.kind == "variant":
        return "products", {**_product(t), **_variants(t, ["S"], **fld)}
    if case.kind == "price_list":
        return "price_lists", {"name": f"List {t}", **fld}
    if case.kind == "price_record":
        return "price_lists", {"name": f"List {t}", "currency": "GBP",
                               "records": [{"sku": REFS["product"][0], "price": 7, **fld}]}
    if case.kind == "price_list_assignment":
        return "price_lists", {"name": f"List {t}", "assignments": [
            {"customer_group": assignment_groups(case)[0], **(fld or {"channel": "uk-main"})}]}
    if case.kind == "customer_group":
        return "customer_groups", {"name": f"Group {t}", **fld}
    kind = REGISTRY[case.kind]
    if not kind.parent:
        raise KeyError(case.kind)
    if load(REGISTRY[case.owner].schema)["properties"][kind.owner_field].get("examples"):
        # One entry from its owner field's schema examples, with this field. Left out only where
        # it may be (a required field's case has no unset step: it keeps the example's).
        entry = {k: v for k, v in _example_entry(case).items() if fld or "unset" not in case.steps or k != case.field}
        return REGISTRY[case.owner].plural, {**_owner(case), kind.owner_field: [{**entry, **fld}]}
    # Else the case's entry and a second one, so a rule about a list's only entry (a
    # product's only image is its thumbnail) does not decide the case's field.
    return REGISTRY[case.owner].plural, {**_owner(case), kind.owner_field: [_item(case, 0, **fld), _item(case, 1)]}


def catalog(step: str, group: str) -> dict:
    """The catalog of one owner kind (``group``) at ``step``: the shared objects and the
    object of every case that kind owns. Each group is applied on its own, so an apply
    that cannot run for one kind fails only that kind's cases."""
    doc: dict[str, Any] = {
        "store": {"name": "generated coverage", "channels": CHANNELS},
        "brands": [{"name": b} for b in REFS["brand"]],
        "categories": [{"path": c} for c in REFS["category"]],
        "products": [_product(s) for s in REFS["product"]],
        "price_lists": [{"name": p} for p in REFS["price_list"]],
        "customer_groups": [{"name": g} for g in REFS["customer_group"]],
    }
    for case in CASES:   # a case without this step keeps its object, the field left out
        if case.owner != group:
            continue
        plural, obj = case_object(case, step if step in case.steps else "unset")
        doc[plural].append(obj)
        if case.kind == "price_list_assignment":   # one list per (group, channel): groups of its own
            doc["customer_groups"] += [{"name": g} for g in assignment_groups(case)]
    return doc


GROUPS = tuple(dict.fromkeys(c.owner for c in CASES))


def assignment_groups(case: Case) -> list[str]:
    """The store allows one price list per (customer group, channel) (PL createPriceListAssignments:
    422 "An assignment for customer group .. and channel .. already exists"): each assignment
    case names customer groups of its own."""
    return [f"Group {case.token} {i}" for i in range(2)]

