"""Plans built by hand for the renderer tests: one function per case, same plan every call."""

from __future__ import annotations

from decimal import Decimal as D

from reconciler.plan.model import Action, FieldChange, Plan, ResourceChange

STORE = {"api_url": "https://api.bigcommerce.com/stores/abc123", "store_hash": "abc123"}
CREATED_AT = "2026-05-01T10:00:00Z"
DIGEST = "sha256:0f3c9a1e"
FILE = "catalog/products/cable-ties.yaml"


def _plan(changes: list[ResourceChange], unmanaged: dict[str, list[str]] | None = None) -> Plan:
    return Plan(changes=changes, unmanaged=unmanaged or {}, desired_digest=DIGEST, store=dict(STORE),
                created_at=CREATED_AT)


def mixed() -> Plan:
    """The README example: a delete, a create, an update, unmanaged products."""
    return _plan(
        [
            ResourceChange("product", "CT-NAT300", Action.CREATE, source=f"{FILE}:40:5", after={
                "sku": "CT-NAT300", "name": "Natural Cable Ties 300mm", "price": D("14.2"),
                "type": "physical", "weight": D("0.1"), "categories": ["Cable Ties"],
            }),
            ResourceChange("product", "CT-BLK100", Action.UPDATE, source=f"{FILE}:3:5", live_id=111,
                           fingerprint="fp-111", changes=[FieldChange("price", D("12.99"), D("12.50"))],
                           after={"price": D("12.50")}),
            ResourceChange("product", "CT-OLD9", Action.DELETE, live_id=812, fingerprint="fp-812",
                           reason="absent_from_desired"),
        ],
        {"product": [f"CT-LEGACY{i}" for i in range(1, 4)]},
    )


LONG = "Heavy duty black nylon 6.6 cable ties, UV stabilised for outdoor use, 100 mm x 2.5 mm"


def create_many_fields() -> Plan:
    """Creates of every kind, with every value type and strings that need escaping."""
    return _plan([
        ResourceChange("brand", "Acme | Tools", Action.CREATE, source="catalog/brands.yaml:2:3", after={
            "name": "Acme | Tools", "page_title": "Acme `Tools`", "meta_keywords": ["acme", "tools"],
        }),
        ResourceChange("category", "Cable Ties/Nylon", Action.CREATE, source="catalog/categories.yaml:8:3", after={
            "path": "Cable Ties/Nylon", "is_visible": True, "sort_order": 3, "description": None,
        }),
        ResourceChange("product", "CT-BLK100", Action.CREATE, source=f"{FILE}:3:5", after={
            "sku": "CT-BLK100", "name": 'Cable Ties "Black" 100mm', "type": "physical",
            "price": D("12.5"), "sale_price": D("0.125"), "cost_price": D("3"), "weight": D("0.05"),
            "description": LONG, "search_keywords": "tie\nwrap <b>zip</b>", "is_visible": False,
            "inventory_tracking": "none", "brand": "Acme | Tools", "categories": ["Cable Ties/Nylon", "Tools"],
            "sort_order": 0, "upc": None, "custom": {"pack": 100, "unit": "pcs", "rrp": D("19.9")},
        }),
    ])


def update_decimals() -> Plan:
    """Money updates: padding, more than 2 places, set from null, removed; a hidden noop."""
    return _plan([
        ResourceChange("product", "CT-BLK100", Action.UPDATE, source=f"{FILE}:3:5", live_id=111, changes=[
            FieldChange("price", D("12.99"), D("12.5")),
            FieldChange("cost_price", D("3"), D("3.10")),
            FieldChange("weight", D("0.125"), D("0.13")),
            FieldChange("sale_price", None, D("9.5")),
            FieldChange("retail_price", D("19.99"), None),
        ], after={"price": D("12.5"), "cost_price": D("3.10"), "weight": D("0.13"), "sale_price": D("9.5"),
                  "retail_price": None}),
        ResourceChange("product", "CT-BLK200", Action.NOOP, source=f"{FILE}:20:5", live_id=112),
        ResourceChange("product", "CT-WHT100", Action.UPDATE, source=f"{FILE}:60:5", live_id=113, changes=[
            FieldChange("description", LONG + " (pack of 100)", LONG + " (pack of 50)"),
            FieldChange("is_visible", False, True),
        ], after={"description": LONG + " (pack of 50)", "is_visible": True}),
    ])


def categories_change() -> Plan:
    """Set-like list fields show added and removed items, not two whole lists."""
    return _plan([
        ResourceChange("product", "CR-100", Action.UPDATE, source="catalog/products/crimpers.yaml:2:5",
                       live_id=201, changes=[FieldChange("categories", ["Tools"], ["Tools/Crimping"])],
                       after={"categories": ["Tools/Crimping"]}),
        ResourceChange("product", "CR-200", Action.UPDATE, source="catalog/products/crimpers.yaml:20:5",
                       live_id=202, changes=[
                           FieldChange("categories", ["Tools"], ["Tools", "Tools/Crimping", "Sale"]),
                           FieldChange("meta_keywords", ["crimp"], ["crimp", "tool"]),
                       ], after={"categories": ["Tools", "Tools/Crimping", "Sale"], "meta_keywords": ["crimp", "tool"]}),
        ResourceChange("product", "CR-300", Action.UPDATE, source="catalog/products/crimpers.yaml:40:5",
                       live_id=203, changes=[FieldChange("categories", ["Sale", "Tools"], ["Tools"])],
                       after={"categories": ["Tools"]}),
    ])


def unmanaged_15() -> Plan:
    """Nothing to change; 15 products and 1 brand exist only in the store."""
    return _plan([], {"brand": ["Old Brand"], "product": [f"CT-OLD{i}" for i in range(1, 16)], "category": []})


def empty() -> Plan:
    return _plan([])


def large_1000() -> Plan:
    """1,000 resource changes: enough rows to hit both the per-table and the size caps."""
    changes = [
        ResourceChange("brand", f"Brand {i:03d}", Action.CREATE, source=f"catalog/brands.yaml:{3 * i + 1}:3", after={
            "name": f"Brand {i:03d}", "page_title": f"Brand {i:03d} | official", "meta_keywords": ["b", f"b{i}"],
            "search_keywords": "brand",
        })
        for i in range(50)
    ]
    changes += [
        ResourceChange("category", f"Tools/Group {i:03d}", Action.UPDATE, live_id=1000 + i,
                       source=f"catalog/categories.yaml:{4 * i + 1}:3", changes=[
                           FieldChange("description", f"{LONG} (group {i}, old)", f"Group {i}: {LONG}"),
                           FieldChange("is_visible", False, True),
                       ], after={"description": f"Group {i}: {LONG}", "is_visible": True})
        for i in range(150)
    ]
    changes += [
        ResourceChange("product", f"CT-{i:04d}", Action.UPDATE, live_id=5000 + i, source=f"{FILE}:{5 * i + 3}:5",
                       changes=[FieldChange("price", D("12.99"), D(f"13.{i % 100:02d}"))],
                       after={"price": D(f"13.{i % 100:02d}")})
        for i in range(780)
    ]
    changes += [
        ResourceChange("product", f"CT-GONE{i:02d}", Action.DELETE, live_id=9000 + i, reason="absent_from_desired")
        for i in range(20)
    ]
    return _plan(changes)


# -- sub-resources: options, variants, custom fields, channel assignments -------------

def _owner(sku: str) -> str:
    return f"product[{sku!r}]"


def _child(kind: str, key: str, action: Action, sku: str, *, line: int | None = None, live_id: int | None = None,
           changes: list[FieldChange] | None = None, after: dict | None = None, reason: str | None = None
           ) -> ResourceChange:
    """A sub-resource change as build_plan writes it: create/update from YAML, delete from the store."""
    changes = changes if changes is not None else [FieldChange(f, None, v) for f, v in (after or {}).items()]
    if action is Action.UPDATE and after is None:
        after = {c.path: c.after for c in changes}
    default = {Action.CREATE: "absent_from_store", Action.UPDATE: "differs_from_desired",
               Action.DELETE: "absent_from_desired"}[action]
    return ResourceChange(kind, key, action, changes=changes, after=after or {}, live_id=live_id,
                          fingerprint=f"fp-{live_id}" if live_id else None,
                          source=f"{FILE}:{line}:9" if line else None, reason=reason or default,
                          parent=_owner(sku))


def nested_children() -> Plan:
    """One product's variants, option values, custom fields and channels change; two owners have no change."""
    P, W = "CT-BLK100", "CT-WHT100"
    return _plan([
        ResourceChange("product", P, Action.UPDATE, source=f"{FILE}:3:5", live_id=111, fingerprint="fp-111",
                       changes=[FieldChange("price", D("12.99"), D("12.50"))], after={"price": D("12.50")},
                       reason="differs_from_desired"),
        ResourceChange("product", "CT-BLK200", Action.NOOP, source=f"{FILE}:60:5", live_id=112),
        # a new variant needs the new option value 7.6mm; 9.0mm goes with its variant; "2.5 mm" is renamed
        _child("option", f"{P}/Width", Action.UPDATE, P, line=12, live_id=31, changes=[
            FieldChange("values", ["2.5 mm", "4.8mm", "9.0mm"], ["2.5mm", "4.8mm", "7.6mm"])]),
        # replace: the variant's options cannot change in place, so it is deleted and created again
        _child("variant", f"{P}-2.5", Action.CREATE, P, line=20, reason="replace:options",
               after={"sku": f"{P}-2.5", "options": {"Width": "2.5mm"}, "price": D("1.95")}),
        _child("variant", f"{P}-7.6", Action.CREATE, P, line=40, after={
            "sku": f"{P}-7.6", "options": {"Width": "7.6mm"}, "price": D("3.1"), "weight": D("0.06")}),
        _child("variant", f"{P}-4.8", Action.UPDATE, P, line=30, live_id=9003, changes=[
            FieldChange("price", D("2.10"), D("2.25")), FieldChange("sale_price", None, D("1.99"))]),
        _child("variant", "CT-BLK200-4.8", Action.UPDATE, "CT-BLK200", line=70, live_id=9010, changes=[
            FieldChange("purchasing_disabled", False, True)]),
        _child("variant", f"{P}-2.5", Action.DELETE, P, live_id=9002, reason="replace:options", changes=[
            FieldChange("options", {"Width": "2.5 mm"}, None), FieldChange("price", D("1.95"), None),
            FieldChange("sku", f"{P}-2.5", None), FieldChange("upc", "", None)]),     # the old values
        _child("variant", f"{P}-9.0", Action.DELETE, P, line=19, live_id=9001),
        _child("custom_field", f"{P}/Pack Size", Action.CREATE, P, line=50,
               after={"name": "Pack Size", "value": "100"}),
        _child("custom_field", f"{P}/Material", Action.UPDATE, P, line=51, live_id=75, changes=[
            FieldChange("value", "Nylon", "Nylon 6.6")]),
        _child("custom_field", f"{W}/Material", Action.UPDATE, W, line=90, live_id=80, changes=[
            FieldChange("value", "Nylon", "Nylon 6.6")]),
        _child("custom_field", f"{P}/Colour", Action.DELETE, P, live_id=77),
        _child("channel_assignment", f"{P}@uk-main", Action.CREATE, P, line=55, after={"channel": "uk-main"}),
        _child("channel_assignment", f"{W}@us-trade", Action.CREATE, W, line=95, after={"channel": "us-trade"}),
        _child("channel_assignment", f"{P}@us-trade", Action.DELETE, P, live_id=2),
    ])


def new_product_children() -> Plan:
    """A new product with one option, four variants, two custom fields and two channels."""
    P = "CT-RED100"
    widths = ["2.5mm", "3.6mm", "4.8mm", "7.6mm"]
    product = {"sku": P, "name": "Red Cable Ties 100mm", "type": "physical", "price": D("13.5"), "weight": D("0.05"),
               "options": {"Width": widths}, "channels": ["uk-main", "us-trade"]}   # shown as children
    changes = [ResourceChange("product", P, Action.CREATE, source=f"{FILE}:100:5", after=product,
                              changes=[FieldChange(f, None, v) for f, v in product.items()],
                              reason="absent_from_store"),
               _child("option", f"{P}/Width", Action.CREATE, P, line=108, after={"name": "Width", "values": widths})]
    changes += [
        _child("variant", f"{P}-{w[:-2]}", Action.CREATE, P, line=110 + 4 * i, after={
            "sku": f"{P}-{w[:-2]}", "options": {"Width": w}, "price": D("13.5") + i, "purchasing_disabled": i == 3})
        for i, w in enumerate(widths)
    ]
    changes += [
        _child("custom_field", f"{P}/{name}", Action.CREATE, P, line=126 + i, after={"name": name, "value": value})
        for i, (name, value) in enumerate([("Material", "Nylon 6.6"), ("Pack Size", "100")])
    ]
    changes += [
        _child("channel_assignment", f"{P}@{ch}", Action.CREATE, P, line=129 + i, after={"channel": ch})
        for i, ch in enumerate(["uk-main", "us-trade"])
    ]
    return _plan(changes)


def variants_120() -> Plan:
    """120 variant price updates across 40 products that have no change of their own."""
    changes = [
        _child("variant", f"CT-{p:03d}-{size}", Action.UPDATE, f"CT-{p:03d}", line=10 * p + j + 5,
               live_id=20000 + 3 * p + j, changes=[FieldChange("price", D("2.10") + j, D("2.25") + j)])
        for p in range(40) for j, size in enumerate(("S", "M", "L"))
    ]
    return _plan(sorted(changes, key=lambda c: c.key))


CASES = {f.__name__: f for f in (mixed, create_many_fields, update_decimals, categories_change, unmanaged_15,
                                  empty, large_1000, nested_children, new_product_children, variants_120)}
SMALL = [name for name in CASES if name not in ("large_1000", "variants_120")]
TEXT = [name for name in CASES if name != "large_1000"]
