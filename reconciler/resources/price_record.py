"""price_record: one variant's price in one currency on a price list.

Key: "<price list>:<variant SKU>:<CURRENCY>" (currency upper-case). Records are
read per list with cursor pagination and written with the bulk upsert
``PUT /v3/pricelists/{id}/records``: 1,000 per request, one request at a time
(FACTS.md 10.2 and 4: the spec allows 2 concurrent upserts, the price-list
guide says one bulk upsert at a time; we take the stricter reading). Removed in
batches with ``DELETE /v3/pricelists/{id}/records?variant_id:in=...&currency=...``.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from reconciler.core.live import LiveObject
from reconciler.core.refs import UnresolvedReference
from reconciler.resources.registry import register
from reconciler.resources.base import ResourceKind
from reconciler.resources.checks import count, error, items, prices
from reconciler.resources.children import child
from reconciler.resources.fields import to_decimal

# A tier with no maximum. ⚠ PL contradicts itself: one records answer types
# ``quantity_max`` nullable ("null indicates that there is no maximum"), the upsert's
# request schema (BulkPricingTier) types it integer only, and its examples end the last
# tier at 2147483647. Stricter reading: the YAML's ``quantity_max: null`` is sent as
# this number, and either spelling read back is "no maximum" (null).
NO_MAXIMUM = 2147483647

# Every records read asks for the SKU and the tiers (PL getPriceListRecords ``include``).
RECORD_PARAMS = {"include": "sku,bulk_pricing_tiers"}

MONEY = frozenset({"price", "sale_price", "retail_price", "map_price"})
FIELDS = ("sku", "currency", "price", "sale_price", "retail_price", "map_price", "bulk_pricing_tiers")


def key_for(price_list: str, sku: str, currency: str) -> str:
    return f"{price_list}:{sku}:{currency.upper()}"


def key_parts(key: str, price_list: str | None = None) -> dict[str, str]:
    """The list, SKU and currency of a key ``key_for`` wrote. The list's name is the
    parent's (a name may hold ':'), the currency what follows the last ':'.

    >>> key_parts("Trade: GBP:CT:1:GBP", "Trade: GBP")
    {'price_list': 'Trade: GBP', 'sku': 'CT:1', 'currency': 'GBP'}
    """
    if price_list is not None and key.startswith(price_list + ":"):
        sku, _, currency = key[len(price_list) + 1:].rpartition(":")
    else:    # no parent to go by: the SKU is taken to hold no ':'
        head, _, currency = key.rpartition(":")
        price_list, _, sku = head.rpartition(":")
    return {"price_list": price_list, "sku": sku, "currency": currency}


def from_parent(price_list, settings) -> list:
    default = price_list.fields.get("currency")
    out = []
    for i, rec in enumerate(price_list.fields.get("records") or []):
        currency = str(rec.get("currency") or default or "").upper()
        fields = {**rec, "currency": currency}
        out.append(child("price_record", key_for(price_list.key, rec["sku"], currency), price_list,
                         f"records.{i}", fields))
    return out


def _tiers(tiers: Any) -> list[dict[str, Any]] | None:
    if tiers is None:
        return None
    return [{"quantity_min": t.get("quantity_min"), "quantity_max": _read_max(t.get("quantity_max")),
             "type": t.get("type"), "amount": to_decimal(t.get("amount"))} for t in tiers]


def _read_max(value: Any) -> Any:
    return None if value is None or value == NO_MAXIMUM else value


def _sent_tiers(tiers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**t, "quantity_max": NO_MAXIMUM} if t.get("quantity_max") is None else t for t in tiers]


def from_live(obj: dict[str, Any], refs) -> dict[str, Any]:
    out: dict[str, Any] = {"sku": obj.get("sku"), "currency": str(obj.get("currency") or "").upper()}
    for f in MONEY:
        if f in obj:
            out[f] = to_decimal(obj[f])
    if "bulk_pricing_tiers" in obj:
        out["bulk_pricing_tiers"] = _tiers(obj["bulk_pricing_tiers"]) or []
    return out


def _no_sku(name: str, row: dict[str, Any], rec: dict[str, Any], fields: dict[str, Any]) -> LiveObject:
    """A record of a variant without a SKU (a product without one: its base variant). YAML
    names records by SKU, so it belongs to no list's YAML (no ``parent``: never deleted
    for being absent from it) and catalog import names it (``import_inexpressible``)."""
    product = rec.get("product_id")
    return LiveObject("price_record", key_for(name, f"#{product}", fields["currency"]), rec.get("variant_id"),
                      {**fields, "sku": f"#{product}"}, rec.get("date_modified"),
                      extra={"price_list_id": row["id"], "variant_id": rec.get("variant_id"),
                             "product_id": product, "price_list": name})


def import_inexpressible(obj, live) -> str | None:
    """A record of a product without a SKU (``_no_sku``, or a variant of one:
    ``settle_read``), named with the product's id and name."""
    if obj.parent is not None:
        return None
    pid = obj.extra.get("product_id")
    product = next((p for p in live.of("product").values() if p.id == pid), None)
    name = f" '{product.fields.get('name')}'" if product is not None else ""
    sku = obj.fields.get("sku") or ""
    whose = f"variant '{sku}' of product #{pid}{name}" if not sku.startswith("#") else f"product #{pid}{name}"
    return (f"price list '{obj.extra.get('price_list')}': the {obj.fields.get('currency')} price record "
            f"{obj.fields.get('price')} of {whose}, which has no SKU (the catalog keys products by SKU): "
            "left as it is in the store")


def settle_read(client, live, settings) -> None:
    """Records of the variants of a product without a SKU: the product is not in any YAML
    (product.import_inexpressible), so neither are its variants nor their records. They
    lose their list as ``parent``, like a base variant's record (``_no_sku``): plan never
    deletes them for being absent from the list's YAML, and import names them."""
    loose = {p.key.casefold(): p.id for p in live.of("product").values() if p.extra.get("no_sku")}
    if not loose:
        return
    product_of = {v.id: loose[v.parent.casefold()] for v in live.of("variant").values()
                  if v.parent and v.parent.casefold() in loose}
    records = live.of("price_record")
    for key, rec in list(records.items()):
        if rec.parent is not None and rec.extra.get("variant_id") in product_of:
            records[key] = LiveObject(rec.kind, rec.key, rec.id, rec.fields, rec.date_modified,
                                      extra={**rec.extra, "product_id": product_of[rec.extra["variant_id"]],
                                             "price_list": rec.parent})


def live_from_parent(row: dict[str, Any], name: str, refs, settings) -> list[LiveObject]:
    out = []
    for rec in row.get("records") or []:
        fields = from_live(rec, refs)
        if not fields["sku"]:
            out.append(_no_sku(name, row, rec, fields))
            continue
        out.append(LiveObject("price_record", key_for(name, fields["sku"], fields["currency"]),
                              rec.get("variant_id"), fields, rec.get("date_modified"), parent=name,
                              extra={"price_list_id": row["id"], "variant_id": rec.get("variant_id")}))
    return out


def to_payload(fields: dict[str, Any], refs, parent: str | None = None) -> dict[str, Any]:
    body = {f: v for f, v in fields.items() if f in FIELDS}
    if "currency" in body:
        body["currency"] = body["currency"].lower()   # the API's examples use lower case
    if body.get("bulk_pricing_tiers"):
        body["bulk_pricing_tiers"] = _sent_tiers(body["bulk_pricing_tiers"])
    return body


def read_apart(client, sink, lists: list[dict], wanted: dict | None) -> dict:
    """Reads of the lists' records, page by page into ``sink``: every list's (``wanted``
    None), or the touched ones ({list name: [(key, variant id)] or None for all})."""
    folded = None if wanted is None else {k.casefold(): (k, v) for k, v in wanted.items()}
    reads = {}
    for i, row in enumerate(lists):
        name = str(row.get("name") or "").casefold()
        if folded is None or (name in folded and folded[name][1] is None):
            reads[str(row["id"])] = (lambda i=i, row=row: client.each_cursor_page(
                PRICE_RECORD.endpoint.format(parent_id=row["id"]), RECORD_PARAMS,
                lambda n, rows: sink.add_children("price_record", row, rows, (i, 0, n))))
        elif name in folded:
            reads[str(row["id"])] = (lambda i=i, row=row, hit=folded[name]: _read_touched(
                client, sink, row, *hit, i))
    return reads


def _read_touched(client, sink, row: dict, name: str, items: list[tuple[str, Any]], i: int) -> None:
    """One list's touched records (``name``: the list as the plan names it): by
    ``variant_id:in`` where the plan knows the variant (updates, deletes), by
    ``sku:in`` for new records (FACTS.md 10.2)."""
    path = PRICE_RECORD.endpoint.format(parent_id=row["id"])
    ids = sorted({vid for _, vid in items if vid is not None})
    skus = sorted({key[len(name) + 1 : key.rindex(":")] for key, vid in items if vid is None})
    chunks = client.key_filters(path, RECORD_PARAMS, "variant_id:in", ids)
    chunks += client.key_filters(path, RECORD_PARAMS, "sku:in", skus)
    client.gather({str(j): (lambda j=j, chunk=chunk: client.each_cursor_page(
        path, {**RECORD_PARAMS, **chunk}, lambda n, rows: sink.add_children("price_record", row, rows, (i, j, n))))
        for j, chunk in enumerate(chunks)})


def read_changed(client, lists: list[dict], since: str, merge) -> None:
    """The incremental refresh: each cached list's records modified since ``since``,
    merged into its cached ``records`` by (variant, currency)."""
    got = client.gather({str(pl["id"]): (lambda pl=pl: client.list_cursor(
        PRICE_RECORD.endpoint.format(parent_id=pl["id"]), {**RECORD_PARAMS, PRICE_RECORD.modified_filter: since}))
        for pl in lists})
    for pl in lists:
        pl["records"] = merge(pl.get("records", []), got[str(pl["id"])],
                              key=lambda r: (r.get("variant_id"), str(r.get("currency", "")).lower()))
# -- import ------------------------------------------------------------------------------------------

def import_fold(records: list, price_list, doc: dict, ctx) -> list | None:
    """A list's ``records`` as catalog import writes them: by SKU, then currency; each
    record's currency only when the list has none of its own (price_list.import_doc)."""
    own_currency = "currency" not in doc
    rows = sorted(records, key=lambda r: (r.fields["sku"].casefold(), r.fields["sku"], r.fields["currency"]))
    return [_import_record(r, own_currency, ctx) for r in rows] or None


def _import_record(obj: LiveObject, own_currency: bool, ctx) -> dict:
    fields = obj.fields
    order = PRICE_RECORD.import_fields
    out = ctx.pick(obj, order if own_currency else order[:1] + order[2:])
    if fields.get("bulk_pricing_tiers"):
        out["bulk_pricing_tiers"] = [ctx.flow(_import_tier(t, ctx)) for t in fields["bulk_pricing_tiers"]]
    ctx.check_prices(f"price_record '{obj.key}'", out, ctx.costs.get(fields["sku"].casefold()))
    return ctx.flow(out)


def _import_tier(tier: dict[str, Any], ctx) -> dict[str, Any]:
    """A bulk pricing tier; ``quantity_max: null`` is kept (the schema asks for it)."""
    out = dict(tier)
    if tier.get("type") in ("price", "fixed") and isinstance(tier.get("amount"), Decimal):
        out["amount"] = ctx.money(tier["amount"])
    return out
# -- writers --------------------------------------------------------------------------

_RECORD_FIELDS = ("price", "sale_price", "retail_price", "map_price", "bulk_pricing_tiers")


def upsert(ctx, batch: list) -> None:
    """Creates and updates of one list's records go together through the bulk upsert,
    up to 1,000 a request, one request at a time (FACTS.md 10.2; ⚠ the spec allows 2
    concurrent upserts, the guide one: we take one). The step batches them by list."""
    ready = []
    for change in batch:
        try:
            ctx.parent_id(change)
        except UnresolvedReference as exc:
            ctx.done(change, False, str(exc))
            continue
        ready.append((change, _record_body(ctx, change)))
    if ready:
        path = ctx.path(ready[0][0])
        ctx.send(ready, lambda bodies: ctx.client.put(path, bodies),
                 lambda r, resp: [ctx.done(c, True, "", c.live_id) for c, _ in r])


def _record_body(ctx, change) -> dict:
    """An upsert writes the whole record: fields the YAML does not set keep their live
    values. SKU and currency come from the record's fields (a SKU may hold a ':', so
    the key is split only when neither side has them); the kind's payload does the rest."""
    current = ctx.live("price_record", change.key)
    known = current.fields if current else {}
    body = {f: v for f, v in known.items() if f in _RECORD_FIELDS and v is not None}
    body.update({f: v for f, v in change.after.items() if f in _RECORD_FIELDS})
    for f in ("sku", "currency"):
        body[f] = change.after.get(f) or known.get(f)
    if not (body["sku"] and body["currency"]):
        _, body["sku"], body["currency"] = change.key.rsplit(":", 2)
    return to_payload(body, ctx.ids)


def delete(ctx, batch: list) -> None:
    """One DELETE per (list, currency) for the batch's variants (up to 250)."""
    groups: dict[tuple[str, str], list] = defaultdict(list)
    for change in batch:
        groups[(ctx.parent_key(change), change.key.rsplit(":", 1)[1])].append((change, {}))
    for (_, currency), ready in groups.items():
        try:
            path = ctx.path(ready[0][0])
        except UnresolvedReference as exc:
            ctx.fail_all(ready, exc)
            continue
        ids = ",".join(str(c.live_id) for c, _ in ready)
        ctx.send(ready, lambda _, p=path, ids=ids, cur=currency: ctx.client.delete(
                     p, {"variant_id:in": ids, "currency": cur.lower()}),
                 lambda r, resp: [ctx.done(c, True, "", c.live_id) for c, _ in r])
def title(field, label: str, key: str) -> list[tuple[str, bool]]:
    """A record in a plan is its SKU and currency: ``CT-BLK100-2.5 GBP`` (from its fields, else its label)."""
    sku, _, currency = label.rpartition(":")
    return [(field("sku") or sku or key, True), (field("currency") or currency, False)]


# -- desired checks: SKU, currency, duplicates, money guardrails, bulk tiers -----------------------

def checks(price_lists: list, checking) -> list:
    """Each list's records. A record is labelled by the key it will have:
    ``price_record 'Trade GBP:CT-BLK200-3.6:GBP': price 0.80 is below cost_price 1.10 ...``.
    A record's cost is its SKU's in the catalog (``checking.skus``), compared with the
    record's number as written, whatever its currency (cost prices are in the store's)."""
    out = []
    for price_list in price_lists:
        out += _records(price_list, checking.skus, checking.flagged)
    return out


def _records(price_list, skus: dict, flagged) -> list:
    at = price_list.source_of
    default = price_list.fields.get("currency")
    if not isinstance(default, str) or flagged and at("currency") in flagged:
        default = None
    out = []
    first: dict[tuple[str, str], int] = {}      # (folded SKU, CURRENCY) -> index of its first record
    for i, rec in items(price_list, "records"):
        path, sku = f"records.{i}", rec.get("sku")
        if not isinstance(sku, str) or not sku or flagged and at(f"{path}.sku") in flagged:
            continue
        currency = rec.get("currency", default)
        if "currency" not in rec and "currency" not in price_list.fields:
            out.append(error(f"price_list '{price_list.key}': {path}: no currency: write currency on the record "
                             "or a default currency on the list", at(path)))
            continue
        if not isinstance(currency, str) or flagged and at(f"{path}.currency") in flagged:
            continue
        label = f"price_record '{key_for(price_list.key, sku, currency)}'"
        k = first.setdefault((sku.casefold(), currency.upper()), i)
        if k != i:
            out.append(error(f"duplicate {label} (first defined at {at(f'records.{k}')})", at(path)))
            continue
        out += _record_money(label, price_list, path, rec, skus.get(sku.casefold()), flagged)
    return out


def _record_money(label: str, price_list, path: str, rec: dict, held, flagged) -> list:
    """The record's SKU against the catalog, its prices against the SKU's cost, its tiers."""
    at = price_list.source_of
    out = []
    problem = _record_sku(rec["sku"], held)
    if problem:
        out.append(error(f"{label}: {problem}", at(f"{path}.sku")))
    cost = held.cost_price if held is not None and not held.variants else None
    out += prices(label, rec, cost, lambda name: at(f"{path}.{name}"), flagged)
    if "bulk_pricing_tiers" in rec:
        out += _check_tiers(label, price_list, f"{path}.bulk_pricing_tiers", rec["bulk_pricing_tiers"], flagged)
    return out


def _record_sku(sku: str, held) -> str | None:
    """What is wrong with a record's SKU, if anything."""
    if held is None:
        return f"sku '{sku}' is not a product or variant in the catalog"
    if held.variants:
        shown = ", ".join(held.variants[:3]) + (", ..." if len(held.variants) > 3 else "")
        return (f"sku '{sku}' is a product with variants; the store takes price records only "
                f"for its variants' SKUs ({shown})")
    return None


def _check_tiers(label: str, price_list, path: str, tiers: Any, flagged) -> list:
    """Bulk pricing tiers are ascending quantity ranges that do not overlap."""
    if not isinstance(tiers, list):
        return []
    at = price_list.source_of
    out = []
    prev: tuple[int, int, int | None] | None = None     # (index, quantity_min, quantity_max)
    for j, tier in enumerate(tiers):
        tier = tier if isinstance(tier, dict) else {}
        lo, hi = tier.get("quantity_min"), tier.get("quantity_max")
        at_lo, at_hi = f"{path}.{j}.quantity_min", f"{path}.{j}.quantity_max"
        if not count(lo) or flagged and at(at_lo) in flagged or "quantity_max" not in tier \
                or (hi is not None and (not count(hi) or flagged and at(at_hi) in flagged)):
            prev = None         # the schema has reported it; judge the next tier afresh
            continue
        if hi is not None and hi < lo:
            out.append(error(f"{label}: bulk_pricing_tiers.{j}: quantity_max {hi} is below quantity_min {lo}",
                             at(at_hi)))
        if prev is not None:
            out += _overlap(label, j, lo, prev, at(at_lo))
        prev = (j, lo, hi)
    return out


def _overlap(label: str, j: int, lo: int, prev: tuple[int, int, int | None], where) -> list:
    k, prev_lo, prev_hi = prev
    if prev_hi is None:
        return [error(f"{label}: bulk_pricing_tiers.{j}: overlaps tier {k} ({prev_lo} or more); "
                      "only the last tier can have quantity_max: null", where)]
    if lo <= prev_hi:
        return [error(f"{label}: bulk_pricing_tiers.{j}: quantity_min {lo} is not above tier {k}'s "
                      f"range ({prev_lo} to {prev_hi}); tiers are ascending ranges that do not overlap", where)]
    return []


PRICE_RECORD = register(ResourceKind(
    name="price_record",
    plural="price_records",
    label=("price for a group", "prices for a group"),
    schema="price_list.schema.json",
    key="sku",
    endpoint="/v3/pricelists/{parent_id}/records",
    depends_on=("price_list", "variant"),
    create_batch_size=1000,   # bulk upsert: "up to 1,000 items" (FACTS.md 10.2)
    update_batch_size=1000,
    delete_batch_size=250,    # not stated; the catalog's delete-by-id:in limit
    money_fields=MONEY,
    meta_fields=frozenset({"acknowledge"}),   # tombstones (delete: true) are for top-level objects
    parent="price_list",
    owner_field="records",
    read_apart=read_apart,
    settle_read=settle_read,   # records of the variants of a product without a SKU
    modified_filter="date_modified:min",
    read_changed=read_changed,
    gone_with=("variant", "sku"),   # deleting a variant deletes its price records
    from_parent=from_parent,
    live_from_parent=live_from_parent,
    from_live=from_live,
    to_payload=to_payload,
    import_fields=("sku", "currency", "price", "sale_price", "retail_price", "map_price"),
    import_fold=import_fold,
    import_refers=lambda fields: [("product", fields["sku"])],
    # -- apply: writers --
    upsert_writer=upsert,     # creates and updates: one step, batches of update_batch_size per list
    delete_writer=delete,
    shown_as="one_line",
    compact_fields=frozenset({"bulk_pricing_tiers"}),
    # The price before the prices a reviewer reads less.
    fields_first=("price", "sale_price", "retail_price", "map_price", "bulk_pricing_tiers"),
    title_fields=frozenset({"sku", "currency"}),
    title=title,
    price_field="price",
    sale_price_field="sale_price",
    overrides=("variant", "product"),   # a variant's price, else (no options) the product's
    sku_field="sku",
    currency_field="currency",
    checks=checks,
    key_parts=key_parts,
    # -- import: what YAML cannot express (issue 14) --
    import_inexpressible=import_inexpressible,   # a record of a product without a SKU
))
