"""The whole store in the SEED FORMAT (``GET /__sandbox/dump``, ``SandboxServer.dump()``),
for tests that compare the store with a desired state after a crash, and look for
duplicate SKUs.

    {"brands": [{"name", "page_title", …}],
     "categories": [{"path": "Cable Ties/Nylon", "tree_id": 2 (when not 1), "url", …}],
     "products": [{"sku", "name", …, "brand": "GTSE Pro", "categories": ["Cable Ties/Nylon"],
                   "channels": [1, 2], "custom_fields": {"Material": "Nylon 6.6"},
                   "variants": [{"sku", "options": {"Width": "2.5mm"}, "price", …}],
                   "base_variant": {"price": 1.5}}],
     "price_lists": [{"name", "active", "records": [{"sku", "currency", "price", …}],
                      "assignments": [{"customer_group": "Trade", "channel": 1}]}],
     "customer_groups": [{"id", "name", "is_default", "is_group_for_guests",
                          "category_access", "discount_rules": [{"type": "price_list",
                                                                 "price_list": "Trade GBP"}]}],
     "hooks": [{"scope": "store/product/updated", "destination": "https://…", "is_active": true}]}

Ids are left out (other than the groups', which seeds keep), references are by name,
path or SKU, so ``reset(data=dump())`` builds an equal store and a second dump equals
the first. Products keep every writable field (read-only and derived ones, such as
``date_modified`` and ``calculated_price``, are left out). Option variants keep their
own values; overrides that are null (inherit the product's) are left out. A simple
product's base-variant overrides are under ``base_variant`` (left out when none).
Categories come parents first. A category (in a product or a group) that the seed's
path lookup – tree 1 first – would not find is given by id. Not kept: option types
and sort orders (seeding recreates options from the variants), options without
variants, and a complex product's hidden base variant.

Order: brands, products, price lists and records by id; categories by (tree, depth, id).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .schemas import PRODUCT_READ_ONLY
from .state import public
from .variants import MIRRORED, OVERRIDES, OWN

if TYPE_CHECKING:
    from .state import StoreState

_CATEGORY_INTERNAL = ("category_id", "category_uuid", "parent_id", "tree_id", "name")
_PRICES = ("price", "sale_price", "retail_price", "map_price")


def dump(state: StoreState) -> dict[str, list[dict]]:
    with state.transaction():  # one consistent snapshot: writers wait
        refs = _Refs(state)
        return {"brands": [{k: v for k, v in public(b).items() if k != "id"} for b in state.all("brand")],
                "categories": _categories(state),
                "products": _products(state, refs),
                "price_lists": _price_lists(state),
                "customer_groups": _groups(state, refs),
                "hooks": state.hooks.dump()}


class _Refs:
    """How the seed names things: a category by path, a product by SKU."""

    def __init__(self, state: StoreState) -> None:
        self.s = state
        self._paths: dict[int, str | int] = {}

    def category(self, cid: int) -> str | int:
        if cid not in self._paths:
            cat = self.s.get("category", cid)
            path = "/".join(self.s.categories.path_of(cat)) if cat else ""
            found = self.s.categories.find_path(path) if path else None
            self._paths[cid] = path if found and found["category_id"] == cid else cid
        return self._paths[cid]

    def product(self, pid: int) -> str | int:
        product = self.s.get("product", pid)
        sku = product["sku"] if product else ""
        hits = self.s.lookup(("product",), "sku", sku) if sku else []
        return sku if hits and hits[0] == ("product", pid) else pid


def _categories(state: StoreState) -> list[dict]:
    out = []
    for cat in state.all("category"):
        path = state.categories.path_of(cat)
        item: dict[str, Any] = {"path": "/".join(path)}
        if cat["tree_id"] != 1:
            item["tree_id"] = cat["tree_id"]
        item.update({k: v for k, v in cat.items() if k not in _CATEGORY_INTERNAL})
        out.append((cat["tree_id"], len(path), cat["category_id"], item))
    return [item for *_, item in sorted(out, key=lambda t: t[:3])]


def _products(state: StoreState, refs: _Refs) -> list[dict]:
    products = state.all("product")
    pids = [p["id"] for p in products]
    variants = state.variants.of_products(products)
    fields = state.custom_fields.of_products(pids)
    channels: dict[int, list[int]] = {pid: [] for pid in pids}
    for pid, cid in state.links("product_channel", pids):
        channels[pid].append(cid)
    brands = {b["id"]: b["name"] for b in state.all("brand")}
    out = []
    for product in products:
        pid = product["id"]
        item = {k: v for k, v in public(product).items() if k not in PRODUCT_READ_ONLY}
        brand_id = item.pop("brand_id")
        if brand_id in brands:
            item["brand"] = brands[brand_id]
        elif brand_id:
            item["brand_id"] = brand_id
        item["categories"] = [refs.category(c) for c in item["categories"]]
        item["channels"] = channels[pid]
        names = [f["name"] for f in fields[pid]]
        item["custom_fields"] = ({f["name"]: f["value"] for f in fields[pid]} if len(set(names)) == len(names)
                                 else [{"name": f["name"], "value": f["value"]} for f in fields[pid]])
        option_variants = [v for v in variants[pid] if v["option_values"]]
        if option_variants:
            item["variants"] = [_variant(v) for v in option_variants]
        base = [v for v in variants[pid] if not v["option_values"]]
        overrides = _overrides(base[0]) if base and not option_variants else {}
        if overrides:
            item["base_variant"] = overrides
        out.append(item)
    return out


def _overrides(variant: dict) -> dict[str, Any]:
    out = {k: variant[k] for k in OVERRIDES if variant[k] is not None}
    out.update({k: variant[k] for k, default in OWN.items() if variant[k] != default})
    return out


def _variant(variant: dict) -> dict[str, Any]:
    item: dict[str, Any] = {"sku": variant["sku"],
                            "options": {ov["option_display_name"]: ov["label"] for ov in variant["option_values"]}}
    item.update({k: variant[k] for k in OVERRIDES if variant[k] is not None})
    item.update({k: variant[k] for k in (*OWN, *MIRRORED) if k != "sku"})
    return item


def _price_lists(state: StoreState) -> list[dict]:
    groups = {g["id"]: g["name"] for g in state.all("customer_group")}
    assignments = state.all("price_list_assignment")
    out = []
    for price_list in state.all("price_list"):
        plid = price_list["id"]
        stored = state.children("price_record", [plid], "price_list_id")
        records = []
        for rec in state.price_records.render(stored, ("sku", "bulk_pricing_tiers")):
            item: dict[str, Any] = {"sku": rec["sku"]} if rec.get("sku") else {"variant_id": rec["variant_id"]}
            item["currency"] = rec["currency"]
            item.update({k: rec[k] for k in _PRICES if rec.get(k) is not None})
            if rec["bulk_pricing_tiers"]:
                item["bulk_pricing_tiers"] = rec["bulk_pricing_tiers"]
            records.append(item)
        scopes = []
        for a in assignments:
            if a["price_list_id"] == plid:
                scope = {}
                if a["customer_group_id"] is not None:
                    scope["customer_group"] = groups.get(a["customer_group_id"], a["customer_group_id"])
                if a["channel_id"] is not None:
                    scope["channel"] = a["channel_id"]
                scopes.append(scope)
        out.append({"name": price_list["name"], "active": price_list["active"],
                    "records": records, "assignments": scopes})
    return out


def _groups(state: StoreState, refs: _Refs) -> list[dict]:
    lists = {p["id"]: p["name"] for p in state.all("price_list")}
    out = []
    for group in state.all("customer_group"):
        access = dict(group["category_access"])
        if "categories" in access:
            access["categories"] = [refs.category(c) for c in access["categories"]]
        rules = []
        for rule in group["discount_rules"]:
            rule = dict(rule)
            if "price_list_id" in rule:
                rule["price_list"] = lists.get(rule.pop("price_list_id"))
            if "category_id" in rule:
                rule["category"] = refs.category(rule.pop("category_id"))
            if "product_id" in rule:
                rule["product"] = refs.product(rule.pop("product_id"))
            rules.append(rule)
        out.append({"id": group["id"], "name": group["name"], "is_default": group["is_default"],
                    "is_group_for_guests": group["is_group_for_guests"],
                    "category_access": access, "discount_rules": rules})
    return out

