"""product: keyed by SKU. POST one at a time; PUT in batches of 10 (413 above).

Desired terms: ``brand`` is a brand name, ``categories`` a list of category
paths, money fields are Decimals. The store's terms: ``brand_id`` and category
ids. Only fields written in YAML are compared and written.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from reconciler.resources.registry import REGISTRY, register
from reconciler.core.diagnostics import SourceRange
from reconciler.core.objects import DesiredObject
from reconciler.core.settings import StoreSettings
from reconciler.core.writing import delete_by_filter, rows_of
from reconciler.resources.category import top_of
from reconciler.resources.base import RENAMED_FROM, ResourceKind
from reconciler.resources.checks import Sku, items, prices
from reconciler.resources.product_rules import catalog_rules
from reconciler.resources.fields import to_decimal

MONEY = frozenset({"price", "sale_price", "retail_price", "cost_price", "map_price", "fixed_cost_shipping_price"})
DECIMAL = MONEY | {"weight", "width", "height", "depth"}

# The product page's path (P customUrl_Full): YAML writes the path, the API an object.
CUSTOM_URL = "custom_url"

# Fields by their API names (besides sku, brand, categories), copied as they are but
# custom_url (path <-> object, from_live / to_payload).
PLAIN = (
    "name", "type", "description", "price", "sale_price", "retail_price", "cost_price", "map_price",
    "weight", "width", "height", "depth", "is_visible", "is_featured", "availability",
    "availability_description", "condition", "is_condition_shown", "upc", "gtin", "mpn",
    "search_keywords", "page_title", "meta_description", "meta_keywords", CUSTOM_URL, "sort_order",
    "is_free_shipping", "fixed_cost_shipping_price", "order_quantity_minimum",
    "order_quantity_maximum", "warranty", "tax_class_id", "product_tax_code", "bin_picking_number",
    "inventory_tracking", "is_price_hidden", "price_hidden_label", "preorder_message",
)

REQUIRED_ON_CREATE = ("name", "type", "weight", "price")


def no_sku_key(row: dict[str, Any]) -> str:
    """The key of a product the store holds without a SKU (BigCommerce allows it): its id
    and name, ``#111 (no SKU: Loose Washers)``, so plan lists it as unmanaged, by both."""
    return f"#{row.get('id')} (no SKU: {row.get('name') or ''})"


def from_live(obj: dict[str, Any], refs) -> dict[str, Any]:
    out: dict[str, Any] = {"sku": obj.get("sku") or no_sku_key(obj)}
    for f in PLAIN:
        if f in obj:
            out[f] = to_decimal(obj[f]) if f in DECIMAL else obj[f]
    if "brand_id" in obj:
        out["brand"] = refs.key_of("brand", obj["brand_id"]) if obj["brand_id"] else None
    if "categories" in obj:
        paths = [refs.key_of("category", c) or f"#{c}" for c in obj["categories"]]
        out["categories"] = sorted(paths)
    if CUSTOM_URL in obj:     # not as it is: its path
        out[CUSTOM_URL] = (obj[CUSTOM_URL] or {}).get("url")
    return out


def live_extra(row: dict[str, Any]) -> dict[str, Any]:
    """A custom URL the store made from the name (``is_customized`` false): nobody set it
    (``import_made``). One shared dict for all such products (store/build.py)."""
    url = row.get(CUSTOM_URL)
    made = {"made_url": True} if isinstance(url, dict) and not url.get("is_customized") else {}
    return {**made, "no_sku": True} if not row.get("sku") else made


def import_inexpressible(obj, live) -> str | None:
    """A product without a SKU: YAML keys products by SKU, so it is left in the store as it is
    (``plan`` lists it as unmanaged); give it a SKU in the store to manage it."""
    if not obj.extra.get("no_sku"):
        return None
    return (f"product #{obj.id} '{obj.fields.get('name')}' has no SKU (products are keyed by SKU): "
            "left as it is, plan lists it as unmanaged; give it a SKU in the store to import it")


def import_made(obj) -> frozenset[str]:
    return frozenset({CUSTOM_URL}) if obj.extra.get("made_url") else frozenset()


def to_payload(fields: dict[str, Any], refs, parent: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for f, v in fields.items():
        if f == "brand":
            body["brand_id"] = refs.id_of("brand", v) if v else 0
        elif f == "categories":
            body["categories"] = [refs.id_of("category", p) for p in v]
        elif f == CUSTOM_URL:
            # Customized, so the store keeps it when the name changes; the old path
            # redirects (301) to the new one (customUrl_Full ``create_redirect``).
            body[f] = {"url": v, "is_customized": True, "create_redirect": True}
        elif f in PLAIN or f == "sku":
            body[f] = v
    return body


def list_params(settings) -> dict[str, Any]:
    # One page carries exactly what the diff needs: no per-product requests.
    fields = ("sku", "brand_id", "categories", "date_modified", *PLAIN)
    return {"include_fields": ",".join(fields)}   # + its sub-resources' ``read_include``


# -- import ------------------------------------------------------------------------------------------

_HEAD = ("sku", "name", "type", "description", "brand", "categories")
IMPORT_FIELDS = (*_HEAD, *(f for f in PLAIN if f not in _HEAD),
                 "custom_fields", "options", "variants", "acknowledge", "channels")

# The value the store gives a field nobody set: catalog import leaves it out.
IMPORT_UNSET = {
    "sale_price": 0, "retail_price": 0, "map_price": 0, "cost_price": 0, "fixed_cost_shipping_price": 0,
    "width": 0, "height": 0, "depth": 0, "sort_order": 0, "order_quantity_minimum": 0,
    "order_quantity_maximum": 0, "tax_class_id": 0, "availability": "available", "inventory_tracking": "none",
    "is_featured": False, "is_free_shipping": False, "is_condition_shown": False, "is_price_hidden": False,
}


def top_category(obj) -> str | None:
    """The top of the product's first category: the file catalog import writes it to."""
    categories = obj.fields.get("categories") or []
    return top_of(categories[0]) if categories else None


def import_doc(obj, ctx) -> dict[str, Any]:
    """A product with its options, variants, custom fields and channels (their kinds'
    ``import_fold``); a product without options holds its price records to its cost."""
    ctx.unresolved(f"product '{obj.key}'", obj.fields.get("categories") or [])
    doc = ctx.fold(obj, ctx.pick(obj))
    if not doc.get("options"):
        ctx.costs[obj.key.casefold()] = doc.get("cost_price")
    ctx.check_prices(f"product '{obj.key}'", doc, doc.get("cost_price"))
    return doc


def import_refers(fields: dict[str, Any]) -> list[tuple[str, str]]:
    brand = [("brand", fields["brand"])] if fields.get("brand") else []
    return brand + [("category", path) for path in fields.get("categories") or []]


def import_sku_convention(live, rules) -> tuple[list[str], dict, list[tuple[str, str]]]:
    """store.sku_convention inferred from the SKUs (CODE-PRODUCT, CODE-PRODUCT-VARIANT), written
    disabled: import takes the store as it is. Comment lines say whether every SKU follows it
    (``rules``: the catalog's store rules, run over the products as the catalog will hold them)."""
    codes = _sku_codes(live)
    if not codes:
        return ["No SKU prefix stands for one top category, so no SKU convention was inferred."], {}, []
    products = _as_desired(live)
    broken = rules(products, StoreSettings(sku_convention={"enabled": True, "categories": codes}))
    total = sum(1 + len(p.fields["variants"]) for p in products)
    comment = ["House SKU rule: CODE-PRODUCT for products, CODE-PRODUCT-VARIANT for variants; the",
               "code says which top category the product is in. Off: import takes SKUs as they are."]
    if broken:
        comment += [f"Inferred from the SKUs; {len(broken)} of {total} SKUs break it (validate lists them when",
                    "it is enabled). Rename those SKUs, then set enabled: true to check every new SKU."]
    else:
        comment += [f"Inferred from the SKUs: all {total} follow it. Set enabled: true to check every new SKU."]
    block = {"sku_convention": {"enabled": False, "categories": codes}}
    return comment, block, [("category", top) for top in codes.values()]


def store_settings(raw: dict[str, Any]) -> dict[str, Any]:
    """``store.sku_convention`` with ``enabled`` filled in (true unless written false), or None;
    its checks are product_rules.py ``check_sku_convention``."""
    block = raw.get("sku_convention")
    if not isinstance(block, dict):
        return {"sku_convention": None}
    categories = block.get("categories")
    return {"sku_convention": {
        "enabled": block.get("enabled", True) is not False,
        "categories": dict(categories) if isinstance(categories, dict) else {},
    }}


def _sku_codes(live) -> dict[str, str]:
    """SKU prefix code -> the one top category every product with that code is in."""
    tops_by_code: dict[str, set[str] | None] = {}
    for p in live.of("product").values():
        if p.extra.get("no_sku"):
            continue
        code, dash, _ = p.key.partition("-")
        tops = {top_of(c) for c in p.fields.get("categories") or [] if not c.startswith("#")}
        if dash and re.fullmatch(r"[A-Z0-9]+", code) and tops:
            seen = tops_by_code.get(code, tops)
            tops_by_code[code] = seen & tops if seen is not None else None
    return {c: min(t) for c, t in sorted(tops_by_code.items()) if t and len(t) == 1}


def _as_desired(live) -> list[DesiredObject]:
    """The live products, with their variants' SKUs, as the SKU rules read them."""
    where = SourceRange("<import>", 1, 1)
    variants: dict[str, list[dict[str, str]]] = defaultdict(list)
    for v in live.of("variant").values():
        variants[(v.parent or "").casefold()].append({"sku": v.key})
    return [DesiredObject("product", p.key, {"sku": p.key, "categories": p.fields.get("categories") or [],
                                             "variants": variants[p.key.casefold()]}, where)
            for p in live.of("product").values() if not p.extra.get("no_sku")]


# -- writers --------------------------------------------------------------------------


def create(ctx, batch: list) -> None:
    """One POST per product, side by side, carrying the children the step owns (its
    variants, and so its options, and custom fields: each child kind's ``bundle``;
    FACTS.md 5.1, 5.8). Then the child kinds learn their ids from the answer
    (``learn_created``) and settle what the store did by itself (``settle_created``)."""
    children = [k for k in REGISTRY.ordered() if k.parent == PRODUCT.name]
    ready = ctx.payloads(batch)
    for change, body in ready:
        _bundle(body, ctx.owned(change.key), children)

    def handle(r, resp) -> None:
        change = r[0][0]
        ctx.created(r, resp)
        row = (rows_of(resp) or [{}])[0]
        for kind in children:
            if kind.learn_created:
                kind.learn_created(ctx, change.key, row)
        for kid in ctx.owned(change.key):
            ctx.done(kid, bool(row.get("id")), "" if row.get("id") else "its product was not created")

    ctx.client.map(lambda item: ctx.send([item], lambda bodies: ctx.client.post(ctx.kind.endpoint, bodies[0]),
                                         handle, recover=True), ready)
    for change in batch:
        # A product that failed takes its sub-resources with it; one never sent (the apply
        # was interrupted) leaves them not applied.
        if not ctx.ids.has(PRODUCT.name, change.key) and ctx.finished(change):
            for kid in ctx.owned(change.key):
                ctx.done(kid, False, f"not created: product {change.key!r} failed")
    for kind in children:
        if kind.settle_created:
            kind.settle_created(ctx, [c for c, _ in ready])


def _bundle(body: dict[str, Any], kids: list, children: list) -> None:
    for kind in children:
        mine = [c for c in kids if c.kind == kind.name]
        if kind.bundle_order:
            mine = kind.bundle_order(mine, kids)
        items = [kind.bundle(c.after) for c in mine] if kind.bundle else []
        if items:
            body[kind.bundle_field] = items


def checks(products: list, checking) -> list:
    """The money guardrails on each product's own prices (resources/checks.py ``prices``)."""
    out = []
    for product in products:
        out += prices(f"product '{product.key}'", product.fields, product.fields.get("cost_price"),
                      product.source_of, checking.flagged)
    return out


def sold(product) -> list[tuple[str, Sku]]:
    """The product's SKU (with its variants' SKUs, which price records must use instead) and
    each variant's, with the cost that applies: its own, else the product's."""
    cost = product.fields.get("cost_price")
    variants = [item for _, item in items(product, "variants") if isinstance(item.get("sku"), str)]
    out = [(product.key, Sku(cost, tuple(item["sku"] for item in variants)))]
    for item in variants:
        own = item.get("cost_price")
        out.append((item["sku"], Sku(cost if own is None else own)))
    return out


PRODUCT = register(ResourceKind(
    name="product",
    plural="products",
    schema="product.schema.json",
    key="sku",
    endpoint="/v3/catalog/products",
    depends_on=("brand", "category"),
    update_batch_size=10,     # "Batches are limited to 10 products" (FACTS.md 5.6)
    delete_batch_size=250,    # DELETE ?id:in= up to 250 (FACTS.md 5.6)
    money_fields=MONEY,
    set_fields=frozenset({"categories"}),
    ref_fields=frozenset({"brand", "categories"}),
    child_fields=frozenset({"options", "variants", "custom_fields", "channels"}),
    required_on_create=REQUIRED_ON_CREATE,
    key_filter="sku:in",
    modified_filter="date_modified:min",
    renamable=True,           # PUT sku on the same product (issue 14 finding 7)
    meta_fields=frozenset({"acknowledge", "delete", RENAMED_FROM}),
    list_params=list_params,
    live_extra=live_extra,
    from_live=from_live,
    to_payload=to_payload,
    import_file="products/{}.yaml",       # one file per top category
    import_group=top_category,
    import_ungrouped="uncategorised",
    import_comment=lambda top: f"Products whose first category is {f'under {top}' if top else 'in no category'}.",
    import_fields=IMPORT_FIELDS,
    import_unset=IMPORT_UNSET,
    import_doc=import_doc,
    import_made=import_made,
    import_refers=import_refers,
    existing_refused=("price list records and customer-group product discounts name SKUs, which must be "
                      "products in the catalog (store.existing cannot list products); add product to --kinds"),
    import_store=import_sku_convention,
    # -- apply: writers --
    create_writer=create,
    # DELETE ?id:in= for up to 250 at once (FACTS.md 5.6); the store removes their
    # variants, options, custom fields and assignments with them.
    delete_writer=delete_by_filter("id:in"),
    price_field="price",
    sale_price_field="sale_price",
    cost_field="cost_price",
    checks=checks,
    sold=sold,
    # -- desired: catalog rules --
    catalog_rules=catalog_rules,      # variants against options, SKUs, the SKU convention, channels
    store_settings=store_settings,    # store.sku_convention
    # -- import: what YAML cannot express (issue 14) --
    import_inexpressible=import_inexpressible,   # a product without a SKU
))
