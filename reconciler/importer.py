"""catalog import: the live store written as catalog YAML, so adoption starts from
a plan with no changes.

    >>> with connect() as client:
    ...     settings = read_store_settings(client)     # channels by name, from GET /v3/channels
    ...     live = read_live(client, settings)
    >>> summary = import_catalog(live, settings, Path("catalog"))
    >>> summary.files[:3], summary.counts["product"]
    (['brands.yaml', 'categories.yaml', 'customer-groups.yaml'], 37)

The layout is the one of GTSE's hand-written ``catalog/``: ``store.yaml``,
``brands.yaml``, ``categories.yaml``, ``products/<top category>.yaml`` (by the
product's first category; none: ``products/uncategorised.yaml``),
``customer-groups.yaml`` and ``price-lists/<list>.yaml``.

What is written, and why:

- Only the fields each kind's ``from_live`` returns (the fields a plan compares),
  and of those only values someone set: no null, empty text or empty list, and
  not the value the store gives a field nobody set (``sale_price: 0``,
  ``is_featured: false``, ``sort_order: 0`` on products: ``_UNSET``). A field left
  out is not managed, so the plan is the same either way. ``is_visible`` is always
  written, ``false`` included.
- References by name, path and channel name; money as written decimals with two
  or more places (``1.95``, ``2.00``), never floats; text that would read back as
  a number or true/false is quoted.
- Everything sorted by key (categories parents first), except what the store
  keeps in an order of its own: option values (in the store's order), custom
  fields (in the order the product page shows them), discount rules and bulk
  pricing tiers (lists the plan compares in order).
- The SKU convention is written disabled: import takes the store as it is, and a
  convention that some SKUs break would make ``validate`` fail. The inferred
  codes are there with a comment saying whether every SKU follows them.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable

import yaml

from reconciler.desired.load import find_files
from reconciler.desired.model import DesiredObject, StoreSettings
from reconciler.desired.schemas import schema_dir
from reconciler.diagnostics import SourceRange
from reconciler.errors import ReconcilerError
from reconciler.live import LiveObject, LiveState
from reconciler.resources import REGISTRY, brand, category, customer_group, price_record, product, variant
from reconciler.resources.fields import money_text


class CatalogImportError(ReconcilerError):
    """The import cannot be done as asked (unknown kinds, references it cannot write)."""


class CatalogExistsError(CatalogImportError):
    """The output folder already holds a catalog and --force was not given."""


KINDS = tuple(k.name for k in REGISTRY if not k.parent)   # brand, category, product, price_list, customer_group
UNCATEGORISED = "uncategorised"
FLOW_WIDTH = 100        # a list or mapping shorter than this is written on one line: [uk-main, us-trade]

# The value the store gives a field nobody set. Left out: the plan is the same (a
# field not written is not managed) and the YAML shows only what someone chose.
_UNSET: dict[str, dict[str, Any]] = {
    "product": {
        "sale_price": 0, "retail_price": 0, "map_price": 0, "cost_price": 0, "fixed_cost_shipping_price": 0,
        "width": 0, "height": 0, "depth": 0, "sort_order": 0, "order_quantity_minimum": 0,
        "order_quantity_maximum": 0, "tax_class_id": 0, "availability": "available", "inventory_tracking": "none",
        "is_featured": False, "is_free_shipping": False, "is_condition_shown": False, "is_price_hidden": False,
    },
    "variant": {"is_free_shipping": False, "purchasing_disabled": False},
    "category": {"default_product_sort": "use_store_settings", "layout_file": "category.html"},
    "customer_group": {"is_default": False, "is_group_for_guests": False},
}


@dataclass
class ImportSummary:
    out_dir: Path
    files: list[str] = field(default_factory=list)             # written, relative to out_dir, sorted
    counts: dict[str, int] = field(default_factory=dict)       # kind -> objects written
    removed: list[str] = field(default_factory=list)           # old YAML files replaced (with force)
    existing: dict[str, list[str]] = field(default_factory=dict)   # store.existing, by plural
    warnings: list[str] = field(default_factory=list)
    below_cost: list[str] = field(default_factory=list)        # objects written with acknowledge: [below_cost]

    def render(self) -> str:
        """What the CLI prints: files, objects per kind, and the next step."""
        lines = [f"Imported the store into {self.out_dir}/ ({len(self.files)} files):"]
        lines += [f"  {name}" for name in self.files]
        counts = ", ".join(f"{n} {kind if n == 1 else REGISTRY[kind].plural}" for kind, n in self.counts.items())
        lines.append(f"Objects: {counts or 'none'}")
        if self.removed:
            lines.append(f"Replaced the catalog that was there: removed {len(self.removed)} old YAML files")
        for plural, names in self.existing.items():
            lines.append(f"Referred to but not imported (store.existing.{plural}): {len(names)}")
        if self.below_cost:
            lines.append(f"{len(self.below_cost)} objects sell below cost in the store: written with "
                         f"acknowledge: [below_cost] for reviewers to see (e.g. {self.below_cost[0]})")
        lines += [f"Warning: {w}" for w in self.warnings]
        lines.append(f"Next: catalog validate --catalog {self.out_dir} && catalog plan --catalog {self.out_dir}"
                     " (expect: no changes), then commit the folder.")
        return "\n".join(lines)


# -- the command's part: what the store says besides the catalog ------------------------------

def slugify(name: str) -> str:
    """A name as a file or channel name: "UK Main" -> "uk-main", "Café Crème" -> "cafe-creme"."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def channel_names(rows: list[dict[str, Any]]) -> dict[str, int]:
    """GET /v3/channels rows -> {slug: id}, by id; a slug taken (or empty) gets the id appended."""
    out: dict[str, int] = {}
    for row in sorted(rows, key=lambda r: r["id"]):
        slug = slugify(str(row.get("name") or "")) or "channel"
        out[slug if slug not in out else f"{slug}-{row['id']}"] = row["id"]
    return out


def read_store_settings(client) -> StoreSettings:
    """Default settings with the store's channels by name; ``raw["name"]`` is the default
    storefront's name (BigCommerce names channel 1 after the store), for ``store.name``."""
    rows = client.list_all("/v3/channels")
    first = next((r for r in rows if r.get("id") == 1), None)
    labels = {r["id"]: str(r.get("name") or "") for r in rows}
    return StoreSettings(channels=channel_names(rows),
                         raw={"name": first.get("name") if first else None, "channel_labels": labels})


def parse_kinds(text: str | None) -> list[str] | None:
    """``--kinds brand,category,products`` -> kind names (plurals and dashes accepted); None = all."""
    if not text:
        return None
    out = []
    for word in (w.strip().replace("-", "_") for w in text.split(",") if w.strip()):
        kind = word if word in REGISTRY else getattr(REGISTRY.by_plural(word), "name", None)
        if kind not in KINDS:
            parent = REGISTRY[kind].parent if kind else None
            why = f"{word} is imported with its {parent}" if parent else f"unknown kind '{word}'"
            raise CatalogImportError(f"--kinds: {why} (choose from: {', '.join(KINDS)})")
        out.append(kind)
    return out


# -- the library function ---------------------------------------------------------------------

def import_catalog(live: LiveState, settings_hint: StoreSettings, out_dir: Path, *,
                   kinds: list[str] | None = None, force: bool = False) -> ImportSummary:
    """Write ``live`` as a catalog under ``out_dir``; return what was written.

    ``settings_hint`` carries what the catalog does not: the channels by name (the
    ones ``live`` was read with), the category tree, the store's name in
    ``raw["name"]``. ``kinds`` limits the import to some top-level kinds; what they
    refer to is listed under ``store.existing``. An ``out_dir`` holding YAML is
    refused (CatalogExistsError) unless ``force``, which replaces that catalog.
    """
    out_dir = Path(out_dir)
    wanted = set(KINDS if kinds is None else parse_kinds(",".join(kinds)) or ())
    old = check_out_dir(out_dir, force)
    writer = _Writer(out_dir, settings_hint)
    docs = _Documents(live, writer)
    summary = ImportSummary(out_dir=out_dir)
    files: dict[str, str] = {}
    if "brand" in wanted:
        files["brands.yaml"] = writer.file("brands.yaml", "brands", docs.brands())
    if "category" in wanted:
        files["categories.yaml"] = writer.file("categories.yaml", "categories", docs.categories(),
                                               comment="Each category is written as its full path, parents first.",
                                               blank_before=lambda c: "/" not in c["path"])
    if "product" in wanted:
        for name, (top, items) in docs.product_files().items():
            what = f"under {top}" if top else "in no category"
            files[name] = writer.file(name, "products", items, comment=f"Products whose first category is {what}.")
    if "customer_group" in wanted:
        files["customer-groups.yaml"] = writer.file("customer-groups.yaml", "customer_groups", docs.groups())
    if "price_list" in wanted:
        for name, item in docs.price_list_files().items():
            files[name] = writer.file(name, "price_lists", [item])
    existing = _existing(live, wanted)
    convention, note = _sku_convention(live) if "product" in wanted else (None, [])
    if convention and "category" not in wanted:
        existing.setdefault("categories", set()).update(convention.values())
    files["store.yaml"] = writer.store(existing, convention, note)
    summary.removed = _replace(out_dir, old, files)
    summary.files = sorted(files)
    summary.counts = _counts(live, wanted)
    summary.existing = {k: sorted(v) for k, v in existing.items() if v}
    summary.warnings = docs.warnings
    summary.below_cost = docs.below_cost
    return summary


def check_out_dir(out_dir: Path, force: bool) -> list[Path]:
    """The catalog files already under ``out_dir`` (what validate would read); refuses
    them without ``force``, so an import never silently overwrites a catalog."""
    if out_dir.exists() and not out_dir.is_dir():
        raise CatalogImportError(f"{out_dir} is a file, not a folder")
    old = find_files(out_dir) if out_dir.is_dir() else []
    if old and not force:
        raise CatalogExistsError(
            f"{out_dir} already holds a catalog ({len(old)} YAML file{'s' if len(old) != 1 else ''}, e.g. "
            f"{old[0].relative_to(out_dir).as_posix()}); import into another folder, or pass --force to replace "
            "it (every YAML file under it is removed first)")
    return old


def _replace(out_dir: Path, old: list[Path], files: dict[str, str]) -> list[str]:
    """Write the new files; with --force, remove the old catalog files not written again
    (left, they would define objects twice)."""
    written = {out_dir / name for name in files}
    removed = [p for p in old if p not in written]
    for path in removed:
        path.unlink()
    for name, text in files.items():
        path = out_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return sorted(p.relative_to(out_dir).as_posix() for p in removed)


def _counts(live: LiveState, wanted: set[str]) -> dict[str, int]:
    return {kind.name: len(live.of(kind.name)) for kind in REGISTRY
            if (kind.parent or kind.name) in wanted and live.of(kind.name)}


# -- objects as YAML values -------------------------------------------------------------------

class Money(Decimal):
    """Written with at least two decimal places: 2 -> 2.00."""


class _Flow(list):
    """Written on one line: [uk-main, us-trade]."""


class _FlowMap(dict):
    """Written on one line: {sku: CT-BLK100-2.5, options: {Width: 2.5mm}, price: 1.95}."""


def _flow(value: Any) -> Any:
    """``value`` marked for one-line writing when it is short and holds no long text."""
    if isinstance(value, (list, dict)) and value and _width(value) <= FLOW_WIDTH:
        return _FlowMap(value) if isinstance(value, dict) else _Flow(value)
    return value


def _width(value: Any) -> int:
    if isinstance(value, dict):
        return sum(len(str(k)) + 4 + _width(v) for k, v in value.items())
    if isinstance(value, list):
        return sum(2 + _width(v) for v in value) + 2
    if isinstance(value, str) and "\n" in value:
        return FLOW_WIDTH + 1
    return len(str(value))


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


# -- writing ---------------------------------------------------------------------------------------

class _Dumper(yaml.SafeDumper):
    """Block style with indented lists (as catalog/ is written); no anchors."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        return super().increase_indent(flow, False)

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_str(dumper: yaml.SafeDumper, text: str) -> yaml.Node:
    # Several lines as a literal block; PyYAML falls back to quotes where a block
    # would not read back the same (inside [..], trailing spaces, \r).
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|" if "\n" in text else None)


# Decimals by value, as the store means them: its v2 "20.0000" is 20, its 0.8 is 0.80 in money.
def _represent_decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.Node:
    text = format(Decimal(value).normalize(), "f")
    return dumper.represent_scalar("tag:yaml.org,2002:" + ("float" if "." in text else "int"), text)


def _represent_money(dumper: yaml.SafeDumper, value: Decimal) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:float", money_text(Decimal(value).normalize()))


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(Decimal, _represent_decimal)
_Dumper.add_representer(Money, _represent_money)
_Dumper.add_representer(_Flow, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True))
_Dumper.add_representer(_FlowMap, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v.items(), flow_style=True))
_Dumper.add_representer(dict, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v.items(), flow_style=False))


def dump(value: Any) -> str:
    return yaml.dump(value, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1 << 20,
                     default_flow_style=False)


def _indent(text: str, by: int) -> list[str]:
    return [(" " * by + line) if line else line for line in text.splitlines()]


class _Writer:
    """File texts: the schema header, comments, and the objects one after another."""

    def __init__(self, out_dir: Path, settings: StoreSettings) -> None:
        self.out_dir = out_dir
        self.settings = settings
        self.channels = dict(settings.channels)       # grows when an object names an unknown channel id
        self.schemas = _schemas_for(out_dir)

    def header(self, name: str) -> list[str]:
        folder = (self.out_dir / name).parent
        target = self.schemas / "catalog.schema.json"
        ref = Path(os.path.relpath(target, folder)).as_posix() if not self.schemas.is_absolute() else target.as_posix()
        return [f"# yaml-language-server: $schema={ref}", "#"]

    def file(self, name: str, plural: str, items: list[dict], *, comment: str = "",
             blank_before=None) -> str:
        intro = f"# Imported from the live store by `catalog import`. {comment}".rstrip()
        lines = self.header(name) + [intro, f"{plural}:"]
        texts = [dump([item]) for item in items]
        spaced = blank_before is None and any(t.count("\n") > 1 for t in texts)
        for i, (item, text) in enumerate(zip(items, texts)):
            if i and (spaced or (blank_before is not None and blank_before(item))):
                lines.append("")
            lines += _indent(text, 2)
        return "\n".join(lines) + "\n"

    def channel(self, name: str, channel_id: int | None = None) -> str:
        """A channel's name in store.channels; a channel read without one ("#3") gets one."""
        if not name.startswith("#"):
            return name
        cid = channel_id or int(name[1:])
        found = next((n for n, i in self.channels.items() if i == cid), None)
        if found is None:
            found = f"channel-{cid}"
            self.channels[found] = cid
        return found

    def store(self, existing: dict[str, set[str]], convention: dict[str, str] | None, note: list[str]) -> str:
        s = self.settings
        lines = self.header("store.yaml") + [
            "# Settings for the whole store, imported by `catalog import`. Objects under `existing`",
            "# are referred to by the catalog but were not imported: they are never changed.",
            "store:",
        ]
        name = s.raw.get("name")
        if name:
            lines += ["  # The default storefront's name; shown in plans to say which store they are for."]
            lines += _indent(dump({"name": name}), 2)
        lines += ["  # currency: the currency of catalog prices (e.g. GBP), for the plan's price impact table."]
        lines += _indent(dump({"category_tree_id": s.category_tree_id}), 2)
        if existing:
            listed = {plural: sorted(names, key=str.casefold) for plural, names in sorted(existing.items())}
            lines += _indent(dump({"existing": listed}), 2)
        lines += ["  # Storefront channels (GET /v3/channels), by the names products and price lists use.",
                  "  channels:"]
        labels = s.raw.get("channel_labels") or {}
        for slug, cid in sorted(self.channels.items(), key=lambda kv: kv[1]):
            label = " ".join(str(labels.get(cid, "")).split())
            lines.append(f"    {slug}: {cid}" + (f"   # {label}" if label else ""))
        if convention:
            lines += ["  # House SKU rule: CODE-PRODUCT for products, CODE-PRODUCT-VARIANT for variants; the",
                      "  # code says which top category the product is in. Off: import takes SKUs as they are."]
            lines += [f"  # {line}" for line in note]
            lines += _indent(dump({"sku_convention": {"enabled": False, "categories": convention}}), 2)
        else:
            lines += [f"  # {line}" for line in note]
        lines += ["  # Money guardrails: a price dropping by more than this blocks apply unless acknowledged.",
                  *_indent(dump({"guardrails": {"max_price_drop_percent": int(s.max_price_drop_percent)}}), 2),
                  "  # Deletion is explicit: nothing is deleted unless its kind is listed here (or the object",
                  "  # says delete: true).",
                  "  prune: []"]
        return "\n".join(lines) + "\n"


def _schemas_for(out_dir: Path) -> Path:
    """The schema folder for the header: the working directory's ``schemas/`` (relative,
    for editors in the repository) when the catalog is written below it, else the
    installed package's schemas (absolute)."""
    cwd = Path.cwd().resolve()
    local = cwd / "schemas"
    try:
        out_dir.resolve().relative_to(cwd)
    except ValueError:
        return schema_dir().resolve()
    if (local / "catalog.schema.json").is_file():
        return Path(os.path.relpath(local, cwd))
    return schema_dir().resolve()
