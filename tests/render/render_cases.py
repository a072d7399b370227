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


CASES = {f.__name__: f for f in (mixed, create_many_fields, update_decimals, categories_change, unmanaged_15,
                                  empty, large_1000)}
SMALL = [name for name in CASES if name != "large_1000"]
