"""Price records (PL ``/v3/pricelists/{id}/records`` and ``/v3/pricelists/records``), FACTS §10.2.

A record is one variant's prices in one currency on one list; its identity is
(``price_list_id``, ``variant_id``, ``currency``). Read form, in the field order of
PL getPriceListRecords' example::

    {price_list_id, variant_id, price, sale_price, retail_price, map_price,
     calculated_price, date_created, date_modified, currency, product_id,
     sku (include=sku, when the variant has one), bulk_pricing_tiers (include=bulk_pricing_tiers)}

Writes name the variant by ``variant_id`` or ``sku`` (a variant's SKU, or a simple
product's SKU, which is its base variant's). A product that has option variants has
no record of its own: "don't include records for the parent product SKU" – naming its
SKU or its (hidden) base variant is an item error. ``variant_id`` and ``sku`` in one
item must name the same variant. Currencies are three letters, accepted in either
case and stored lower-case as PL's examples show (``usd``).

Batch writes run in **non-strict mode** (PL: "May include errors during partial
update in non-strict mode"): every valid item is written, and if any item failed the
answer is 422 ``{"batch_errors": [{"data": {price_list_id, variant_id, sku, currency (those given)},
"field_errors": {field: message}}]}``; all valid → 200 ``{"data": {}, "meta": {}}``.
PUT upserts (up to 1,000 items), POST creates (up to 100; an existing record is an item
error); over the limit → 413 and nothing is written.

Choices where PL is silent:

* An upsert **replaces** an existing record's prices: optional prices left out become
  null and tiers left out become [] (PUT takes ``price`` as required, so the body is
  the whole record).
* ``calculated_price`` is ``sale_price`` when it is not null, else ``price``.
* ⚠ Only sale/retail/map declare ``minimum: 0``; ``price`` must be ≥ 0 too. ``price``
  must not be null on PUT.
* Tiers: ``quantity_max`` ≥ ``quantity_min``; ranges may not overlap; an open-ended tier
  (``quantity_max`` null) must be the last; ``percent`` amounts are at most 100.
* The same (variant, currency) twice in one request: the second is an item error.
* Records are listed in the order they were first written; deleting one that does not
  exist is a 404 (PL declares only 204/503 for DELETE).
* Deleting a variant or a product deletes its records on every list.
* ``DELETE …/records`` needs at least one of ``currency``, ``variant_id:in``, ``sku:in``
  (not stated what none does; 422 rather than emptying the list). Filters combine (AND).
* ⚠ The multi-list endpoints (``/v3/pricelists/records``) declare their 422 as ONE
  ``{data, field_errors}`` object; we follow that and report the first failed item
  (the others' valid items are still written). Their PUT batch size is not stated:
  1,000, as for one list.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Response

from ..core import cursors, views
from ..core.errors import SandboxError, not_found, unprocessable
from ..core.partial import MESSAGE, Batch, ok
from ..core.query import Query, build_filters, select
from ..core.responses import json_response
from ..core.storage import DATE_FORMAT_Z, Key, Match
from ..core.validation import check, expect_array
from .schemas import PRICE_RECORD_BASE, PRICE_RECORD_ITEM, PRICE_RECORD_READ_ONLY

if TYPE_CHECKING:
    from ..core.storage import Storage

KIND = "price_record"
MAX_PUT = 1000   # PL upsertPriceListRecords: "up to 1,000 items per request"
MAX_POST = 100   # PL createPriceListRecords: "up to 100 items per request"
PRICES = ("price", "sale_price", "retail_price", "map_price")
OPTIONAL = frozenset((*PRICES, "calculated_price"))
# PL records PUT 422 batch_errors[].data: the identifiers an item gave, with their types.
ECHOED = {"price_list_id": int, "variant_id": int, "sku": str, "currency": str}
INCLUDES = ("sku", "bulk_pricing_tiers")
_NUM = {f"{f}{op}": (f, "num") for f in (*PRICES, "calculated_price") for op in ("", ":min", ":max")}
_DATE = {f"{f}{op}": (f, "date") for f in ("date_created", "date_modified") for op in ("", ":min", ":max")}
FILTERS = {"variant_id:in": ("variant_id", "int"), "product_id:in": ("product_id", "int"),
           "currency": ("currency", "istr"), "currency:in": ("currency", "istr"),
           "sku": ("_sku", "istr"), "sku:in": ("_sku", "istr"), **_NUM, **_DATE}
LIST_PARAMS = (*cursors.PAGING, "include", *FILTERS)
VARIANT_PARAMS = (*cursors.PAGING, "include")
DELETE_PARAMS = ("currency", "variant_id:in", "sku:in")
ORDER = ("price_list_id", "variant_id", "price", "sale_price", "retail_price", "map_price",
         "calculated_price", "date_created", "date_modified", "currency", "product_id")


class ItemError(Exception):
    """One batch item's field errors."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


def too_large(limit: int) -> SandboxError:
    # The catalog's 413 body (P updateProducts), with this endpoint's number.
    return SandboxError(413, "The request payload is too large. The maximum items allowed "
                        f"in the array is {limit}.", {})


def _tier_errors(tiers: list[dict]) -> dict[str, str]:
    errors: dict[str, str] = {}
    ordered = sorted(enumerate(tiers), key=lambda t: t[1]["quantity_min"])
    previous_max: int | None = 0
    for i, tier in ordered:
        low, high = tier["quantity_min"], tier.get("quantity_max")
        if high is not None and high < low:
            errors[f"bulk_pricing_tiers.{i}"] = "quantity_max must not be less than quantity_min."
        elif previous_max is None or low <= previous_max:
            errors[f"bulk_pricing_tiers.{i}"] = "Bulk pricing tiers must not overlap."
        elif tier["type"] == "percent" and tier["amount"] > 100:
            errors[f"bulk_pricing_tiers.{i}"] = "A percent amount is at most 100."
        previous_max = high
    return errors


class _ListRecords:
    """``cursors.Ordered`` over the record ids of one price list, counted and paged by
    the store's index: a page of 250 out of 30,000 reads only its 250."""

    def __init__(self, state: Storage, plid: int) -> None:
        self.s, self.plid = state, plid
        self.total = state.child_count(KIND, plid, "price_list_id")

    def __len__(self) -> int:
        return self.total

    def position(self, mark: int, after: bool) -> int:
        return self.s.child_count(KIND, self.plid, "price_list_id", below=mark + 1 if after else mark)

    def window(self, lo: int, hi: int) -> list[int]:
        return self.s.child_ids(KIND, self.plid, "price_list_id", offset=lo, limit=max(hi - lo, 0))

    @staticmethod
    def key(rid: int) -> int:
        return rid


def _partial_answer(inner, body, items, kept, failed, request) -> Response:
    """A partial upsert of records: PL's non-strict 422 ``batch_errors``."""
    if not (ok(inner) or (inner.status_code == 422 and body and "batch_errors" in body)):
        return inner
    plid = int(request.path.rstrip("/").split("/")[-2])
    entries = list((body or {}).get("batch_errors", []))
    for i in failed:
        entries.append({"data": echo_item(items[i], plid), "field_errors": {
            "record": MESSAGE.format(what="The price record", verb="written")}})
    return json_response({"batch_errors": entries}, 422)


class PriceRecords:
    # a record is found by (price list, variant, currency): the one index ``match`` uses
    KEYS = (Key("price_list_id", ("price_list_id",), role="parent"), Key("variant_id", ("variant_id",), role="match"),
            Key("currency", ("currency",), role="match"))
    MATCHES = (Match("record", ("price_list_id", "variant_id", "currency")),)
    BATCHES = {("PUT", "/v3/pricelists/{id}/records"): Batch(_partial_answer, MAX_PUT)}

    def __init__(self, state: Storage) -> None:
        self.s = state
        # A record shows its variant's SKU (a base variant's is its product's).
        state.keep_views(KIND, lambda records: self.render(records, INCLUDES),
                         depends_on={"product": "id", "variant": "product_id", "base_variant": "product_id"})

    # ---- identity ---------------------------------------------------------------------

    def _variant(self, vid: int) -> dict:
        variant = self.s.get("variant", vid)
        if variant is not None:
            return variant
        hidden = self.s.get("base_variant", vid)
        if hidden is not None:
            raise ItemError({"variant_id": f"Variant {vid} is the base variant of product "
                             f"{hidden['product_id']}, which has variants; don't include records "
                             "for the parent product SKU."})
        raise ItemError({"variant_id": f"Variant {vid} does not exist."})

    def _by_sku(self, sku: str) -> dict:
        for kind, oid in self.s.lookup(("variant", "product"), "sku", sku):
            if kind == "variant":
                return self.s.get("variant", oid)
            product = self.s.get("product", oid)
            if product["base_variant_id"] is None:
                raise ItemError({"sku": f"SKU '{sku}' is the parent SKU of product {oid}, which has "
                                 "variants; don't include records for the parent product SKU."})
            return self.s.get("variant", product["base_variant_id"])
        raise ItemError({"sku": f"No variant or product has the SKU '{sku}'."})

    def _resolve(self, body: dict) -> dict:
        if "variant_id" not in body and "sku" not in body:
            raise ItemError({"variant_id": "Please provide a variant_id or a sku."})
        by_id = self._variant(body["variant_id"]) if "variant_id" in body else None
        by_sku = self._by_sku(body["sku"]) if "sku" in body else None
        if by_id and by_sku and by_id["id"] != by_sku["id"]:
            raise ItemError({"sku": f"SKU '{body['sku']}' is variant {by_sku['id']}, "
                                    f"not variant {by_id['id']}."})
        return by_id or by_sku

    # ---- writes -------------------------------------------------------------------------

    def _check_item(self, raw: Any, mode: str, plid: int | None) -> dict:
        try:
            body = check(raw, PRICE_RECORD_ITEM, required=("currency",), read_only=PRICE_RECORD_READ_ONLY)
        except SandboxError as exc:
            raise ItemError(exc.errors or {"body": exc.title}) from None
        errors: dict[str, str] = {}
        if mode == "put" and body.get("price") is None:
            errors["price"] = "Please provide a price."  # PL price: x-required: put
        if plid is not None and body.get("price_list_id", plid) != plid:
            errors["price_list_id"] = f"price_list_id must be {plid}, the price list in the URL."
        if plid is None and "price_list_id" not in body:
            errors["price_list_id"] = "Please provide a price_list_id."
        errors.update(_tier_errors(body.get("bulk_pricing_tiers", [])))
        if errors:
            raise ItemError(errors)
        return body

    def write(self, plid: int | None, items: list[Any], mode: str) -> list[dict]:
        """Write valid items (``mode`` "put" upserts, "post" creates); return the
        ``batch_errors`` entries of the others. ``plid`` None: items name their list."""
        lists: set[int] = set()
        seen: set[tuple[int, int, str]] = set()
        failed = []
        for raw in items:
            data = echo_item(raw, plid)
            try:
                body = self._check_item(raw, mode, plid)
                list_id = plid if plid is not None else body["price_list_id"]
                if list_id not in lists:
                    if self.s.get("price_list", list_id) is None:
                        raise ItemError({"price_list_id": f"Price list {list_id} does not exist."})
                    lists.add(list_id)
                variant = self._resolve(body)
                data["variant_id"] = variant["id"]
                currency = body["currency"].lower()
                key = (variant["id"], currency)
                if (list_id, *key) in seen:
                    raise ItemError({"variant_id": f"Variant {variant['id']} in '{currency}' is listed "
                                                   "twice in this request."})
                seen.add((list_id, *key))
                current = self._find(list_id, variant["id"], currency)
                if current is not None and mode == "post":
                    raise ItemError({"variant_id": f"A price record for variant {variant['id']} in "
                                                   f"'{currency}' already exists; use PUT to update it."})
                self._save(list_id, variant, currency, body, current)
            except ItemError as exc:
                failed.append({"data": data, "field_errors": exc.errors})
        return failed

    def _save(self, plid: int, variant: dict, currency: str, body: dict, current: dict | None) -> dict:
        if current is None:
            rid, now = self.s.next_id(KIND), self.s.now(DATE_FORMAT_Z)
            record = {"_id": rid, "price_list_id": plid, "variant_id": variant["id"],
                      "product_id": variant["product_id"], "currency": currency, "date_created": now,
                      "date_modified": now}
        else:
            record = dict(current)
            record["date_modified"] = self.s.stamp(current["date_modified"], DATE_FORMAT_Z)
        for field in PRICES:
            record[field] = body.get(field)
        record["bulk_pricing_tiers"] = [{"quantity_min": t["quantity_min"],
                                         "quantity_max": t.get("quantity_max"),
                                         "type": t["type"], "amount": t["amount"]}
                                        for t in body.get("bulk_pricing_tiers", [])]
        return self.s.save(KIND, record["_id"], record)

    def batch(self, plid: int | None, raw: Any, mode: str) -> list[dict]:
        """A batch request: 404 for an unknown list, 413 over the limit, else ``write``."""
        if plid is not None:
            self.s.price_lists.get(plid)
        items = expect_array(raw, "price records")
        limit = MAX_PUT if mode == "put" else MAX_POST
        if len(items) > limit:
            raise too_large(limit)
        return self.write(plid, items, mode)

    def set_one(self, plid: int, vid: int, currency: str, raw: Any) -> dict:
        self.s.price_lists.get(plid)
        body = check(raw, PRICE_RECORD_BASE, required=("price",), read_only=PRICE_RECORD_READ_ONLY)
        errors = _tier_errors(body.get("bulk_pricing_tiers", []))
        if body["price"] is None:
            errors["price"] = "Please provide a price."
        if len(currency) != 3 or not currency.isalpha():
            errors["currency_code"] = f"'{currency}' is not a three-letter ISO-4217 currency code."
        if errors:
            raise unprocessable("JSON data is missing or invalid", errors)
        if self.s.get("variant", vid) is None and self.s.get("base_variant", vid) is None:
            raise not_found("Variant", vid)
        try:
            variant = self._variant(vid)
        except ItemError as exc:
            raise unprocessable("JSON data is missing or invalid", exc.errors) from None
        current = self._find(plid, vid, currency)
        return self.render([self._save(plid, variant, currency.lower(), body, current)], INCLUDES)[0]

    # ---- reads --------------------------------------------------------------------------

    def _find(self, plid: int, vid: int, currency: str) -> dict | None:
        """The record of (list, variant, currency), by the store's index on them."""
        found = self.s.match(KIND, price_list_id=plid, variant_id=vid, currency=currency.lower())
        return found[0] if found else None

    def _skus(self, records: list[dict]) -> dict[int, str | None]:
        """variant id -> its SKU (an option variant's own, a base variant's product's)."""
        vids = {r["variant_id"] for r in records}
        variants = {**self.s.get_many("base_variant", vids), **self.s.get_many("variant", vids)}
        products = self.s.get_many("product", {v["product_id"] for v in variants.values()})
        out: dict[int, str | None] = {}
        for vid in vids:
            variant = variants.get(vid)
            if variant is None:
                out[vid] = None
            elif variant["option_values"]:
                out[vid] = variant.get("sku")
            else:
                product = products.get(variant["product_id"])
                out[vid] = product["sku"] if product else None
        return out

    def render(self, records: list[dict], includes: tuple[str, ...] | list[str]) -> list[dict]:
        skus = self._skus(records) if "sku" in includes else {}
        out = []
        for record in records:
            sale = record.get("sale_price")
            # PL types the prices and calculated_price number, not nullable: an unset
            # one (a POST may leave out even price) is left out, never null (issue 14 #17).
            values = {**record, "calculated_price": sale if sale is not None else record.get("price")}
            item = {k: values.get(k) for k in ORDER if k not in OPTIONAL or values.get(k) is not None}
            if "sku" in includes and skus.get(record["variant_id"]):
                item["sku"] = skus[record["variant_id"]]
            if "bulk_pricing_tiers" in includes:
                item["bulk_pricing_tiers"] = record.get("bulk_pricing_tiers", [])
            out.append(item)
        return out

    @staticmethod
    def _includes(q: Query) -> list[str]:
        # PL: "Other values will be ignored."
        return [v for v in q.strs("include") or [] if v in INCLUDES]

    def list(self, plid: int, q: Query) -> tuple[list[str], dict]:
        """One page of a list's records as JSON text, and its meta."""
        self.s.price_lists.get(plid)
        includes = self._includes(q)
        preds = build_filters(q, FILTERS)
        if not preds:
            # Count and page by the index; the page is joined from its records' kept views.
            ids, meta = cursors.paginate_ordered(_ListRecords(self.s, plid), q)
            stored = self.s.views(KIND, ids)
            left_out = frozenset(INCLUDES) - set(includes)
            return views.splice_many([stored[i] for i in ids if i in stored], drop=left_out), meta
        if q.has("variant_id:in"):
            # Narrowed by the (list, variant, currency) index first; every filter still
            # applies below, so the answer is the one a scan of the whole list gives.
            vids = dict.fromkeys(q.ints("variant_id:in") or [])
            records = sorted((r for vid in vids for r in self.s.match(KIND, price_list_id=plid, variant_id=vid)),
                             key=lambda r: r["_id"])
        else:
            records = self.s.children(KIND, [plid], "price_list_id")
        skus = self._skus(records) if (q.has("sku") or q.has("sku:in")) else {}
        shown = []
        for record, view in zip(records, self.render(records, ())):
            view["_sku"], view["_record"] = skus.get(record["variant_id"]), record
            shown.append(view)
        records = [v["_record"] for v in select(shown, preds)]
        page, meta = cursors.paginate_mixed(records, q, key=lambda r: r["_id"])
        return [views.dumps(r) for r in self.render(page, includes)], meta

    def by_variant(self, plid: int, vid: int, q: Query) -> tuple[list[dict], dict]:
        self.s.price_lists.get(plid)
        records = self.s.match(KIND, price_list_id=plid, variant_id=vid)
        page, meta = cursors.paginate_mixed(records, q, key=lambda r: r["_id"])
        return self.render(page, self._includes(q)), meta

    def get_one(self, plid: int, vid: int, currency: str, q: Query) -> dict:
        self.s.price_lists.get(plid)
        record = self._find(plid, vid, currency)
        if record is None:
            raise _record_not_found(plid, vid, currency)
        return self.render([record], self._includes(q))[0]

    # ---- deletes ------------------------------------------------------------------------

    def delete_one(self, plid: int, vid: int, currency: str) -> None:
        self.s.price_lists.get(plid)
        record = self._find(plid, vid, currency)
        if record is None:
            raise _record_not_found(plid, vid, currency)
        self.s.remove(KIND, record["_id"])

    def delete_where(self, plid: int, q: Query) -> None:
        self.s.price_lists.get(plid)
        if not any(q.has(p) for p in DELETE_PARAMS):
            raise unprocessable("A filter is required to delete price records.",
                                {"filter": "Provide currency, variant_id:in or sku:in."})
        records = self.s.children(KIND, [plid], "price_list_id")
        currency, vids = q.str("currency"), q.ints("variant_id:in")
        skus = {s.casefold() for s in q.strs("sku:in") or []} if q.has("sku:in") else None
        known = self._skus(records) if skus is not None else {}
        for record in records:
            if currency is not None and record["currency"] != currency.lower():
                continue
            if vids is not None and record["variant_id"] not in vids:
                continue
            if skus is not None and (known.get(record["variant_id"]) or "").casefold() not in skus:
                continue
            self.s.remove(KIND, record["_id"])

    def drop_list(self, plid: int) -> None:
        for record in self.s.children(KIND, [plid], "price_list_id"):
            self.s.remove(KIND, record["_id"])

    def drop_product(self, pid: int, vid: int | None = None) -> None:
        """Delete the records of a product's variants (or of one variant), on every list."""
        for record in self.s.children(KIND, [pid]):
            if vid is None or record["variant_id"] == vid:
                self.s.remove(KIND, record["_id"])


def _record_not_found(plid: int, vid: int, currency: str) -> SandboxError:
    return SandboxError(404, f"Price record for variant [{vid}] in currency [{currency.lower()}] "
                        f"not found on price list [{plid}]",
                        instance=f"/v3/pricelists/{plid}/records/{vid}/{currency.lower()}")



def echo_item(raw: Any, plid: int | None) -> dict[str, Any]:
    """What identifies a batch item in its ``batch_errors`` entry: only identifiers it
    has, of the type PL declares (integer or string, none nullable), never a null."""
    given = {"price_list_id": plid, **(raw if isinstance(raw, dict) else {})}
    return {k: given[k] for k, kind in ECHOED.items()
            if isinstance(given.get(k), kind) and not isinstance(given.get(k), bool)}
