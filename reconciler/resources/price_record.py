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
    key_parts=key_parts,
))
