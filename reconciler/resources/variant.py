"""variant: one SKU of a product with options, keyed by its own SKU (CT-BLK100-4.8).

YAML: ``variants: [{sku, options: {Width: 4.8mm}, price, ...}]`` inside a product.
Updates batch across products through ``PUT /v3/catalog/variants`` (50 per
request, 413 above: FACTS.md 6.3); creates go one at a time to the product's
variants endpoint with the option value ids (FACTS.md 6.1), or ride along in a
new product's POST. A variant's ``options`` cannot be changed in place (the batch
schema has no option_values), so a change there is planned as delete + create.
A base variant (a product without options) is the product itself, not a variant.
"""

from __future__ import annotations

from typing import Any

from reconciler.core.live import LiveObject
from reconciler.resources.registry import register
from reconciler.resources.base import RENAMED_FROM, ResourceKind
from reconciler.resources.checks import items, prices
from reconciler.resources.children import child, text
from reconciler.resources.fields import to_decimal
from reconciler.resources.option import OPTION, key_for, value_key

# map_price is in the products spec's variant schema but not in the variants
# spec's (FACTS.md 6.2 ⚠); the variant endpoints refuse it, so it is not managed here.
MONEY = frozenset({"price", "sale_price", "retail_price", "cost_price", "fixed_cost_shipping_price"})
DECIMAL = MONEY | {"weight", "width", "height", "depth"}
PLAIN = (
    "price", "sale_price", "retail_price", "cost_price", "weight", "width", "height", "depth",
    "is_free_shipping", "fixed_cost_shipping_price", "purchasing_disabled", "purchasing_disabled_message",
    "upc", "gtin", "mpn", "bin_picking_number", "image_url",
)


def from_parent(product, settings) -> list:
    out = []
    for i, item in enumerate(product.fields.get("variants") or []):
        options = item.get("options")
        if isinstance(options, dict) and all(type(label) is str for label in options.values()):
            fields = item       # as written: shared with the product's, never changed (not copied)
        else:
            fields = dict(item)
            fields["options"] = {name: text(label) for name, label in (options or {}).items()}
        out.append(child("variant", item["sku"], product, f"variants.{i}", fields))
    return out


def from_live(obj: dict[str, Any], refs) -> dict[str, Any]:
    out: dict[str, Any] = {"sku": obj.get("sku")}
    for f in PLAIN:
        if f in obj:
            out[f] = to_decimal(obj[f]) if f in DECIMAL else obj[f]
    if "option_values" in obj:
        out["options"] = {ov["option_display_name"]: ov["label"] for ov in obj["option_values"]}
    return out


def live_from_parent(row: dict[str, Any], sku: str, refs, settings) -> list[LiveObject]:
    out = []
    for v in row.get("variants") or []:
        if not v.get("option_values"):
            continue  # the base variant of a product without options
        refs.add("variant", v["sku"], v["id"])
        out.append(LiveObject("variant", v["sku"], v["id"], from_live(v, refs), parent=sku,
                              extra={"product_id": row["id"]}))
    return out


def to_payload(fields: dict[str, Any], refs, parent: str | None = None) -> dict[str, Any]:
    body = {f: v for f, v in fields.items() if f in PLAIN or f == "sku"}
    if "options" in fields and parent:
        # Only on create (options are never updated in place): the option value
        # ids, resolved through the product's options, created earlier if new.
        # V productVariant_Post requires product_id, and option_display_name and label
        # in each option_values item beside the ids.
        body["product_id"] = refs.id_of("product", parent)
        body["option_values"] = [
            {"option_id": refs.id_of("option", key_for(parent, name)),
             "id": refs.id_of("option_value", value_key(parent, name, label)),
             "option_display_name": name, "label": label}
            for name, label in fields["options"].items()
        ]
    return body


def bundled(fields: dict[str, Any]) -> dict[str, Any]:
    """A variant inside a new product's POST: options by display name and label."""
    body = {f: v for f, v in fields.items() if f in PLAIN or f == "sku"}
    body["option_values"] = [
        {"option_display_name": name, "label": label} for name, label in (fields.get("options") or {}).items()
    ]
    return body


def bundle_order(variants: list, kids: list) -> list:
    """A new product's variants in the order its options' values are written: the store
    makes the options from the POST's variants, values in first-seen order (sandbox
    ``ensure_for_variants``), so ``Plug: [UK, EU, US]`` is stored as UK, EU, US, not in SKU
    order. Sorted by each option's value position, first option first (stable otherwise)."""
    positions = [(c.after["name"].casefold(), {text(v).casefold(): i for i, v in enumerate(c.after.get("values") or [])})
                 for c in kids if c.kind == OPTION.name]

    def rank(change) -> tuple:
        chosen = {n.casefold(): text(v).casefold() for n, v in (change.after.get("options") or {}).items()}
        return tuple(at.get(chosen.get(name, ""), len(at)) for name, at in positions)
    return sorted(variants, key=rank)


def find_rows(client, kind, key: str, name: str, parent_id, settings) -> list[dict]:
    """A variant by SKU across products (``GET /v3/catalog/variants?sku=``, FACTS.md 6.3)."""
    return client.get(kind.update_endpoint, {"sku": key}).data.get("data") or []
# -- import ------------------------------------------------------------------------------------------

def import_fold(variants: list, product, doc: dict, ctx) -> list | None:
    """A product's ``variants`` as catalog import writes them, by SKU: written when the
    product has options (option.import_fold, folded before), each variant's options in
    their order; prices held to the variant's cost, else the product's."""
    names = list(doc.get("options") or ())
    if not names:
        return None
    return [_import_variant(v, names, doc.get("cost_price"), ctx)
            for v in sorted(variants, key=lambda v: (v.key.casefold(), v.key))]


def _import_variant(obj: LiveObject, names: list[str], product_cost: Any, ctx) -> dict:
    chosen = obj.fields.get("options") or {}
    out = {"sku": obj.key, "options": ctx.flow_map((n, chosen[n]) for n in names if n in chosen)}
    out.update(ctx.pick(obj))
    cost = out.get("cost_price", product_cost)
    ctx.costs[obj.key.casefold()] = cost      # what this SKU's price records are held to
    ctx.check_prices(f"variant '{obj.key}'", out, cost)
    return ctx.flow(out)


def learn_created(ctx, sku: str, row: dict) -> None:
    """Ids from a new product's answer: its variants, their options and option values."""
    for v in row.get("variants") or []:
        ctx.ids.add("variant", v.get("sku", ""), v.get("id"))
        for ov in v.get("option_values") or []:
            ctx.ids.add("option", key_for(sku, ov["option_display_name"]), ov["option_id"])
            ctx.ids.add("option_value", value_key(sku, ov["option_display_name"], ov["label"]), ov["id"])
def checks(products: list, checking) -> list:
    """The money guardrails on each variant's prices; a variant without its own cost_price
    uses its product's."""
    out = []
    for product in products:
        product_cost = product.fields.get("cost_price")
        for i, item in items(product, "variants"):
            sku = item.get("sku")
            label = f"variant '{sku}'" if isinstance(sku, str) and sku else f"product '{product.key}': variants[{i}]"
            cost = item.get("cost_price")
            out += prices(label, item, product_cost if cost is None else cost,
                          lambda path, p=product, i=i: p.source_of(f"variants.{i}.{path}"), checking.flagged)
    return out


VARIANT = register(ResourceKind(
    name="variant",
    plural="variants",
    schema="product.schema.json",
    key="sku",
    endpoint="/v3/catalog/products/{parent_id}/variants",
    update_endpoint="/v3/catalog/variants",
    depends_on=("product", "option"),
    update_batch_size=50,      # "Currently the limit is 50 variants" (FACTS.md 6.3)
    money_fields=MONEY,
    replace_fields=frozenset({"options"}),
    # Option names and value labels as the store compares them, without case: {WIDTH: 2.5MM}
    # is the store's {Width: 2.5mm}, not a reason to delete and re-create the variant.
    ref_fields=frozenset({"options"}),
    meta_fields=frozenset({"acknowledge", RENAMED_FROM}),   # tombstones (delete: true) are for top-level objects
    renamable=True,            # PUT sku on the same variant (issue 14 finding 7)
    parent="product",
    created_with_parent=True,
    bundle_field="variants",
    bundle=bundled,
    bundle_order=bundle_order,
    learn_created=learn_created,
    owner_field="variants",
    from_parent=from_parent,
    live_from_parent=live_from_parent,
    read_include="variants",
    find_rows=find_rows,
    from_live=from_live,
    to_payload=to_payload,
    import_fields=PLAIN,
    import_unset={"is_free_shipping": False, "purchasing_disabled": False},
    import_fold=import_fold,
    price_field="price",
    sale_price_field="sale_price",
    cost_field="cost_price",
    cost_from_parent=True,
    checks=checks,
))
