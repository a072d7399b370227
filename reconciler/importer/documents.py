"""catalog import, the content: each kind's objects as YAML values, store.existing
and the inferred SKU convention."""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal
from typing import Any, Iterable


from reconciler.core.objects import DesiredObject


from reconciler.core.settings import StoreSettings
from reconciler.core.diagnostics import SourceRange
from reconciler.core.live import LiveObject, LiveState
from reconciler.resources import REGISTRY, brand, category, customer_group, price_record, product, variant

from reconciler.importer.common import _UNSET, UNCATEGORISED, CatalogImportError, slugify
from reconciler.importer.writer import Money, _Flow, _FlowMap, _flow, _Writer  # noqa: F401

# -- objects as YAML values -------------------------------------------------------------------

def _empty(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, (list, dict)) and not value)


def _unset(kind: str, name: str, value: Any) -> bool:
    defaults = _UNSET.get(kind, {})
    if name not in defaults:
        return False
    default = defaults[name]
    return isinstance(value, bool) == isinstance(default, bool) and value == default


def _pick(kind: str, fields: dict[str, Any], order: Iterable[str], money: frozenset[str] = frozenset()) -> dict:
    """The fields in ``order`` that someone set, money marked as Money."""
    out: dict[str, Any] = {}
    for name in order:
        value = fields.get(name)
        if _empty(value) or _unset(kind, name, value):
            continue
        if name in money and isinstance(value, Decimal):
            value = Money(value)
        out[name] = _flow(value) if isinstance(value, list) else value
    return out


class _Documents:
    """The live objects of each kind as the plain values the YAML files hold."""

    def __init__(self, live: LiveState, writer: "_Writer") -> None:
        self.live = live
        self.writer = writer
        self.warnings: list[str] = []
        self.below_cost: list[str] = []                  # written with acknowledge: [below_cost]
        self.costs: dict[str, Any] = {}                  # folded SKU -> the cost a price record is held to
        self.children: dict[str, dict[str, list[LiveObject]]] = defaultdict(lambda: defaultdict(list))
        for kind in REGISTRY:
            if kind.parent:
                for obj in live.of(kind.name).values():
                    self.children[kind.name][(obj.parent or "").casefold()].append(obj)

    def _sorted(self, kind: str) -> list[LiveObject]:
        return sorted(self.live.of(kind).values(), key=lambda o: (o.key.casefold(), o.key))

    def _unresolved(self, owner: str, values: Iterable[Any]) -> None:
        for v in values:
            if isinstance(v, str) and re.fullmatch(r"#\d+", v):
                self.warnings.append(f"{owner} refers to {v[1:]}, which is not in the store's catalog "
                                     f"(another category tree?): written as '{v}'; validate will point at it")

    def brands(self) -> list[dict]:
        return [_pick("brand", o.fields, brand.FIELDS) for o in self._sorted("brand")]

    def categories(self) -> list[dict]:
        objs = sorted(self.live.of("category").values(),
                      key=lambda o: ([s.casefold() for s in o.key.split("/")], o.key))
        return [_pick("category", o.fields, ("path", *category.FIELDS)) for o in objs]

    def product_files(self) -> dict[str, tuple[str | None, list[dict]]]:
        """File name -> (top category, products), products sorted by SKU."""
        groups: dict[str, list[LiveObject]] = defaultdict(list)
        tops: dict[str, str] = {}
        for obj in self._sorted("product"):
            cats = obj.fields.get("categories") or []
            top = cats[0].split("/")[0] if cats else None
            key = top.casefold() if top else ""
            tops.setdefault(key, top)
            groups[key].append(obj)
        names = _unique_slugs({k: (slugify(tops[k]) if k else UNCATEGORISED) for k in sorted(groups, key=bool)})
        return {f"products/{names[k]}.yaml": (tops[k], [self.product(o) for o in groups[k]])
                for k in sorted(groups, key=lambda k: names[k])}

    def product(self, obj: LiveObject) -> dict:
        fields = obj.fields
        self._unresolved(f"product '{obj.key}'", fields.get("categories") or [])
        head = ("sku", "name", "type", "description", "brand", "categories")
        out = _pick("product", fields, (*head, *(f for f in product.PLAIN if f not in head)), product.MONEY)
        parent = obj.key.casefold()
        fields_ = sorted(self.children["custom_field"][parent], key=lambda c: c.id)
        if fields_:
            out["custom_fields"] = {c.fields["name"]: c.fields["value"] for c in fields_}
        options = sorted(self.children["option"][parent], key=lambda o: o.id)
        if options:
            out["options"] = {o.fields["name"]: _Flow(_labels(o)) for o in options}
            order = [o.fields["name"] for o in options]
            variants = sorted(self.children["variant"][parent], key=lambda v: (v.key.casefold(), v.key))
            out["variants"] = [self.variant(v, order, out.get("cost_price")) for v in variants]
        else:
            self.costs[parent] = out.get("cost_price")
        self._check_prices(f"product '{obj.key}'", out, out.get("cost_price"))
        channels = sorted(self.writer.channel(c.fields["channel"], c.extra.get("channel_id"))
                          for c in self.children["channel_assignment"][parent])
        if channels:
            out["channels"] = _Flow(channels)
        return out

    def variant(self, obj: LiveObject, order: list[str], product_cost: Any) -> dict:
        chosen = obj.fields.get("options") or {}
        out = {"sku": obj.key, "options": _FlowMap((n, chosen[n]) for n in order if n in chosen)}
        out.update(_pick("variant", obj.fields, variant.PLAIN, variant.MONEY))
        cost = out.get("cost_price", product_cost)
        self.costs[obj.key.casefold()] = cost
        self._check_prices(f"variant '{obj.key}'", out, cost)
        return _flow(out)

    def _check_prices(self, label: str, doc: dict, cost: Any) -> None:
        """The store's prices as they are, against the catalog's money rules
        (desired/pricing.py): selling below cost is acknowledged, so the catalog
        validates and a reviewer sees it; a sale price not below the price cannot
        be, and is reported."""
        price, sale = doc.get("price"), doc.get("sale_price")
        if price is not None and sale is not None and sale >= price:
            self.warnings.append(f"{label}: sale_price {sale} is not below price {price} in the store; "
                                 "validate will refuse it until one of them is changed")
        if cost is not None and any(v is not None and v < cost for v in (price, sale)):
            doc["acknowledge"] = _Flow(["below_cost"])
            self.below_cost.append(label)

    def groups(self) -> list[dict]:
        out = []
        for obj in self._sorted("customer_group"):
            doc = _pick("customer_group", obj.fields, customer_group.PLAIN)
            access = obj.fields.get("category_access")
            if access:
                self._unresolved(f"customer group '{obj.key}'", access.get("categories") or [])
                doc["category_access"] = _flow({k: _flow(v) for k, v in access.items()})
            rules = obj.fields.get("discount_rules")
            if rules:
                doc["discount_rules"] = [_flow(_rule(r)) for r in rules]
            out.append(doc)
        return out

    def price_list_files(self) -> dict[str, dict]:
        objs = self._sorted("price_list")
        names = _unique_slugs({o.key.casefold(): slugify(o.key) or "price-list" for o in objs})
        return {f"price-lists/{names[o.key.casefold()]}.yaml": self.price_list(o) for o in objs}

    def price_list(self, obj: LiveObject) -> dict:
        doc = _pick("price_list", obj.fields, ("name", "active"))
        parent = obj.key.casefold()
        records = sorted(self.children["price_record"][parent],
                         key=lambda r: (r.fields["sku"].casefold(), r.fields["sku"], r.fields["currency"]))
        currencies = {r.fields["currency"] for r in records}
        if len(currencies) == 1:
            doc["currency"] = currencies.pop()
        assignments = sorted(
            ({"customer_group": a.fields["customer_group"], "channel": self.writer.channel(a.fields["channel"])}
             for a in self.children["price_list_assignment"][parent]),
            key=lambda a: (a["customer_group"].casefold(), a["channel"]))
        self._unresolved(f"price list '{obj.key}'", (a["customer_group"] for a in assignments))
        if assignments:
            doc["assignments"] = [_flow(a) for a in assignments]
        if records:
            doc["records"] = [self.record(r, "currency" not in doc) for r in records]
        return doc

    def record(self, obj: LiveObject, own_currency: bool) -> dict:
        fields = obj.fields
        order = ("sku", "currency", "price", "sale_price", "retail_price", "map_price")
        out = _pick("price_record", fields, order if own_currency else order[:1] + order[2:], price_record.MONEY)
        tiers = fields.get("bulk_pricing_tiers")
        if tiers:
            out["bulk_pricing_tiers"] = [_flow(_tier(t)) for t in tiers]
        self._check_prices(f"price_record '{obj.key}'", out, self.costs.get(fields["sku"].casefold()))
        return _flow(out)


def _labels(option: LiveObject) -> list[str]:
    """An option's values in the store's order (by value id: the order they were made in)."""
    ids = option.extra.get("value_ids") or {}
    return sorted(option.fields["values"], key=lambda v: (ids.get(v, 1 << 62), v))


def _tier(tier: dict[str, Any]) -> dict[str, Any]:
    """A bulk pricing tier; ``quantity_max: null`` is kept (the schema asks for it)."""
    out = dict(tier)
    if tier.get("type") in ("price", "fixed") and isinstance(tier.get("amount"), Decimal):
        out["amount"] = Money(tier["amount"])
    return out


def _rule(rule: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in rule.items() if v is not None}
    if rule.get("method") in ("price", "fixed") and isinstance(rule.get("amount"), Decimal):
        out["amount"] = Money(rule["amount"])
    return out


def _unique_slugs(slugs: dict[str, str]) -> dict[str, str]:
    """Key -> slug, a slug used twice made unique with -2, -3 ... (keys in the given order)."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for key, slug in slugs.items():
        candidate, n = slug, 2
        while candidate in taken:
            candidate, n = f"{slug}-{n}", n + 1
        taken.add(candidate)
        out[key] = candidate
    return out

# -- store.existing and the SKU convention ----------------------------------------------------------

def _existing(live: LiveState, wanted: set[str]) -> dict[str, set[str]]:
    """What the imported objects refer to among the kinds left out, by plural."""
    refs: dict[str, set[str]] = defaultdict(set)
    if "product" in wanted:
        for p in live.of("product").values():
            if p.fields.get("brand"):
                refs["brand"].add(p.fields["brand"])
            refs["category"].update(p.fields.get("categories") or [])
    if "customer_group" in wanted:
        for g in live.of("customer_group").values():
            refs["category"].update((g.fields.get("category_access") or {}).get("categories") or [])
            for rule in g.fields.get("discount_rules") or []:
                for kind in ("category", "price_list", "product"):
                    if rule.get(kind):
                        refs[kind].add(rule[kind])
    if "price_list" in wanted:
        refs["customer_group"].update(a.fields["customer_group"] for a in live.of("price_list_assignment").values())
        refs["product"].update(r.fields["sku"] for r in live.of("price_record").values())
    if refs["product"] and "product" not in wanted:
        raise CatalogImportError(
            "--kinds: price list records and customer-group product discounts name SKUs, which must be products "
            "in the catalog (store.existing cannot list products); add product to --kinds")
    return {REGISTRY[k].plural: {n for n in names if not n.startswith("#")}
            for k, names in refs.items() if k not in wanted and k != "product" and names}


def _sku_convention(live: LiveState) -> tuple[dict[str, str] | None, list[str]]:
    """SKU prefix codes -> top category, inferred from the products, and a note saying
    whether every SKU follows them. None when no code stands for one category."""
    from reconciler.desired.rules import check_sku_convention

    tops_by_code: dict[str, set[str] | None] = {}
    for p in live.of("product").values():
        code, dash, _ = p.key.partition("-")
        tops = {c.split("/")[0] for c in p.fields.get("categories") or [] if not c.startswith("#")}
        if dash and re.fullmatch(r"[A-Z0-9]+", code) and tops:
            seen = tops_by_code.get(code, tops)
            tops_by_code[code] = seen & tops if seen is not None else None
    codes = {c: min(t) for c, t in sorted(tops_by_code.items()) if t and len(t) == 1}
    if not codes:
        return None, ["No SKU prefix stands for one top category, so no SKU convention was inferred."]
    where = SourceRange("<import>", 1, 1)
    variants = defaultdict(list)
    for v in live.of("variant").values():
        variants[(v.parent or "").casefold()].append({"sku": v.key})
    products = [DesiredObject("product", p.key, {"sku": p.key, "categories": p.fields.get("categories") or [],
                                                "variants": variants[p.key.casefold()]}, where)
                for p in live.of("product").values()]
    broken = check_sku_convention(products, StoreSettings(sku_convention={"enabled": True, "categories": codes}),
                                  frozenset())
    total = len(products) + sum(len(v) for v in variants.values())
    if broken:
        note = [f"Inferred from the SKUs; {len(broken)} of {total} SKUs break it (validate lists them when",
                "it is enabled). Rename those SKUs, then set enabled: true to check every new SKU."]
    else:
        note = [f"Inferred from the SKUs: all {total} follow it. Set enabled: true to check every new SKU."]
    return codes, note


