"""Plans built by hand for the renderer tests: one function per case, same plan every call."""

from __future__ import annotations

from decimal import Decimal as D
from statistics import median

from reconciler.plan.model import Action, FieldChange, Plan, ResourceChange

STORE = {"api_url": "https://api.bigcommerce.com/stores/abc123", "store_hash": "abc123"}
CREATED_AT = "2026-05-01T10:00:00Z"
DIGEST = "sha256:0f3c9a1e"
FILE = "catalog/products/cable-ties.yaml"


def _plan(changes: list[ResourceChange], unmanaged: dict[str, list[str]] | None = None,
          impact: list[dict] | None = None) -> Plan:
    return Plan(changes=changes, unmanaged=unmanaged or {}, desired_digest=DIGEST, store=dict(STORE),
                created_at=CREATED_AT, impact=impact or [])


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


# -- prices: price lists, their records and assignments, customer groups, guardrails -------

PRICES = "catalog/prices.yaml"
CATALOG_PRICE = "(catalog price)"


def _record(action: Action, sku: str, *, line: int | None = None, before: D | None = None,
            after: D | None = None, blocked: str | None = None, live_id: int | None = None,
            price_list: str = "Trade GBP", extra: dict | None = None) -> ResourceChange:
    """A price record change as build_plan writes it (a delete carries the store's values as changes)."""
    if action is Action.CREATE:
        fields = {"sku": sku, "currency": "GBP", "price": after, **(extra or {})}
        changes = [FieldChange(f, None, fields[f]) for f in sorted(fields, key=lambda f: (f != "sku", f))]
    elif action is Action.UPDATE:
        fields, changes = {"price": after}, [FieldChange("price", before, after)]
    else:
        fields, changes = {}, [FieldChange(f, v, None) for f, v in (("currency", "GBP"), ("price", before),
                                                                     ("sku", sku))]
    reason = {Action.CREATE: "absent_from_store", Action.UPDATE: "differs_from_desired",
              Action.DELETE: "absent_from_desired"}[action]
    return ResourceChange(
        "price_record", f"{price_list}:{sku}:GBP", action, changes=changes, after=fields, live_id=live_id,
        fingerprint=f"fp-{live_id}" if live_id else None, reason=reason, parent=f"price_list[{price_list!r}]",
        source=f"{PRICES}:{line}:9" if line else (f"{PRICES}:6:5" if action is Action.DELETE else None),
        blocked=blocked)


def _pct(before: D, after: D) -> D:
    return ((after - before) / before * 100).quantize(D("0.1"))      # as the planner computes it


def _impact(group: str, channel: str, moves: list[tuple[str, D, D]], blocked: int) -> dict:
    """One impact row as the planner writes it, from (sku, before, after) in GBP: percentages,
    the sum of the change and the three biggest movers."""
    pcts = [_pct(before, after) for _, before, after in moves]
    biggest = sorted(moves, key=lambda m: (-abs(m[2] - m[1]), m[0]))[:3]
    return {"customer_group": group, "channel": channel, "changed": len(pcts), "min_pct": min(pcts),
            "median_pct": D(median(pcts)).quantize(D("0.1")), "max_pct": max(pcts), "blocked": blocked,
            "sum_change": {"GBP": sum((after - before for _, before, after in moves), D(0))},
            "movers": [{"sku": sku, "currency": "GBP", "before": before, "after": after}
                       for sku, before, after in biggest]}


def _drop(before: D, after: D) -> str:
    """What the planner writes for a blocked drop: what, then how to let it through."""
    from reconciler.core.errors import GO_AHEAD
    from reconciler.plan.guardrails import PRICE_DROP_HOW

    return f"price drops {-_pct(before, after)}% ({before} -> {after}; limit 30%){GO_AHEAD}{PRICE_DROP_HOW}"


def price_change_1500() -> Plan:
    """GTSE's trade price change: 1,500 records of one price list (assigned to two groups); one is a typo
    that halves a price, so it is blocked. The list itself does not change."""
    changes, moves = [], []
    typo = "CT-P123-4.8"
    for p in range(500):
        for j, width in enumerate(("2.5", "3.6", "4.8")):
            sku = f"CT-P{p:03d}-{width}"
            before = D("1.60") + D("0.05") * ((p + j) % 7)
            after = (before * D("0.97")).quantize(D("0.01"))
            if p % 50 == 7:
                after = (before * D("1.02")).quantize(D("0.01"))      # a few go up
            blocked = None
            if sku == typo:
                after, blocked = (before / 2).quantize(D("0.01")), None
                blocked = _drop(before, after)
            changes.append(_record(Action.UPDATE, sku, line=12 + 3 * (3 * p + j), before=before, after=after,
                                   blocked=blocked, live_id=30000 + 3 * p + j))
            moves.append((sku, before, after))
    impact = [_impact(group, "uk-main", moves, 1) for group in ("Trade", "Wholesale")]
    return _plan(changes, impact=impact)


def price_drop_blocked() -> Plan:
    """Two 50% drops, one in the catalog price and one in a trade price, both blocked; a small cut is not."""
    variant = ResourceChange(
        "variant", "CT-BLK100-2.5", Action.UPDATE, source=f"{FILE}:20:9", live_id=9002, fingerprint="fp-9002",
        changes=[FieldChange("price", D("3.20"), D("1.60"))], after={"price": D("1.60")},
        reason="differs_from_desired", parent="product['CT-BLK100']", blocked=_drop(D("3.20"), D("1.60")))
    records = [
        _record(Action.UPDATE, "CT-BLK100-2.5", line=14, before=D("1.60"), after=D("0.80"), live_id=9002,
                blocked=_drop(D("1.60"), D("0.80"))),
        _record(Action.UPDATE, "CT-BLK100-4.8", line=15, before=D("2.10"), after=D("2.03"), live_id=9003),
    ]
    impact = [
        _impact("Trade", "uk-main", [("CT-BLK100-2.5", D("1.60"), D("0.80")),
                                     ("CT-BLK100-4.8", D("2.10"), D("2.03"))], 1),
        _impact(CATALOG_PRICE, "uk-main", [("CT-BLK100-2.5", D("3.20"), D("1.60"))], 1),
        _impact(CATALOG_PRICE, "us-trade", [("CT-BLK100-2.5", D("3.20"), D("1.60"))], 1),
    ]
    return _plan([variant, *records], impact=impact)


def new_customer_group() -> Plan:
    """A new customer group Wholesale with its own price list, assigned to it on uk-main, five records."""
    group = {"name": "Wholesale", "is_default": False, "category_access": {"type": "all"},
             "discount_rules": [{"type": "price_list", "price_list": "Wholesale GBP"}]}
    price_list = {"name": "Wholesale GBP", "active": True}
    skus = [f"CT-BLK100-{w}" for w in ("2.5", "3.6", "4.8")] + [f"CT-WHT100-{w}" for w in ("2.5", "3.6")]
    records = [
        _record(Action.CREATE, sku, line=40 + i, after=D("1.40"), price_list="Wholesale GBP",
                extra={"bulk_pricing_tiers": [{"quantity_min": 10, "quantity_max": None, "type": "price",
                                               "amount": D("1.3")}]} if i == 0 else None)
        for i, sku in enumerate(skus)
    ]
    changes = [
        ResourceChange("price_list", "Wholesale GBP", Action.CREATE, source=f"{PRICES}:30:5", after=price_list,
                       changes=[FieldChange(f, None, v) for f, v in price_list.items()], reason="absent_from_store"),
        ResourceChange("customer_group", "Wholesale", Action.CREATE, source="catalog/groups.yaml:8:5", after=group,
                       changes=[FieldChange(f, None, v) for f, v in group.items()], reason="absent_from_store"),
        ResourceChange("price_list_assignment", "Wholesale GBP@Wholesale@uk-main", Action.CREATE,
                       source=f"{PRICES}:34:9", after={"customer_group": "Wholesale", "channel": "uk-main"},
                       changes=[FieldChange("customer_group", None, "Wholesale"),
                                FieldChange("channel", None, "uk-main")],
                       reason="absent_from_store", parent="price_list['Wholesale GBP']"),
        *records,
    ]
    impact = [_impact("Wholesale", "uk-main", [(sku, D("2.00"), D("1.40")) for sku in skus], 0)]
    return _plan(changes, impact=impact)


def records_removed_10() -> Plan:
    """Ten records removed from a list: those variants go back to the catalog price for the list's group."""
    changes = [_record(Action.DELETE, f"CT-P{i:03d}-2.5", before=D("1.60"), live_id=30000 + 3 * i) for i in range(10)]
    impact = [_impact("Trade", "uk-main", [(f"CT-P{i:03d}-2.5", D("1.60"), D("2.00")) for i in range(10)], 0)]
    return _plan(changes, impact=impact)


CASES = {f.__name__: f for f in (mixed, create_many_fields, update_decimals, categories_change, unmanaged_15,
                                  empty, large_1000, nested_children, new_product_children, variants_120,
                                  price_change_1500, price_drop_blocked, new_customer_group, records_removed_10)}
SMALL = [name for name in CASES if name not in ("large_1000", "variants_120", "price_change_1500")]
TEXT = [name for name in CASES if name != "large_1000"]
