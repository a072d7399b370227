"""price_record: one variant's price in one currency on a price list.

Key: "<price list>:<variant SKU>:<CURRENCY>" (currency upper-case). Records are
read per list with cursor pagination and written with the bulk upsert
``PUT /v3/pricelists/{id}/records``: 1,000 per request, one request at a time
(FACTS.md 10.2 and 4: the spec allows 2 concurrent upserts, the price-list
guide says one bulk upsert at a time; we take the stricter reading). Removed in
batches with ``DELETE /v3/pricelists/{id}/records?variant_id:in=...&currency=...``.
"""

from __future__ import annotations

from typing import Any

from reconciler.core.live import LiveObject
from reconciler.resources import register
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

MONEY = frozenset({"price", "sale_price", "retail_price", "map_price"})
FIELDS = ("sku", "currency", "price", "sale_price", "retail_price", "map_price", "bulk_pricing_tiers")


def key_for(price_list: str, sku: str, currency: str) -> str:
    return f"{price_list}:{sku}:{currency.upper()}"


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


def live_from_parent(row: dict[str, Any], name: str, refs, settings) -> list[LiveObject]:
    out = []
    for rec in row.get("records") or []:
        fields = from_live(rec, refs)
        if not fields["sku"]:
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
    schema="price_list.schema.json",
    key="sku",
    endpoint="/v3/pricelists/{parent_id}/records",
    order=95,
    depends_on=("price_list", "variant"),
    create_batch_size=1000,   # bulk upsert: "up to 1,000 items" (FACTS.md 10.2)
    update_batch_size=1000,
    delete_batch_size=250,    # not stated; the catalog's delete-by-id:in limit
    money_fields=MONEY,
    meta_fields=frozenset({"acknowledge"}),   # tombstones (delete: true) are for top-level objects
    parent="price_list",
    owner_field="records",
    gone_with=("variant", "sku"),   # deleting a variant deletes its price records
    from_parent=from_parent,
    live_from_parent=live_from_parent,
    from_live=from_live,
    to_payload=to_payload,
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
))
