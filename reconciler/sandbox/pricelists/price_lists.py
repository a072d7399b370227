"""Price lists (PL ``/v3/pricelists``), FACTS §10.1.

Object: ``{id, name, date_created, date_modified, active}`` (field order of PL
getPriceLists' example), dates as ``2022-02-26T17:33:11Z``.

Choices where PL is silent or contradicts itself (⚠):

* Names are unique case-insensitively (PL: "The unique name"; case not stated, the
  stricter reading); a clash is a 409 on POST and PUT.
* ⚠ PUT requires ``name`` (the base schema's ``required`` wins over ``x-required: post``).
* ``active`` defaults to true (PL).
* Writing records does not move the list's ``date_modified`` (not stated).
* Deleting a list deletes its records (PL) and its assignments, and removes
  ``price_list`` discount rules naming it from customer groups (not stated; nothing
  may point at a list that is gone).
* ``DELETE /v3/pricelists`` ("Delete All Price Lists") needs ``id:in`` or ``name``;
  without a filter it answers 422 rather than deleting every list (not stated; the
  catalog's bulk deletes all require a filter).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..core.cursors import PAGING
from ..core.errors import SandboxError, conflict, unprocessable
from ..core.query import Query, build_filters, select
from ..core.storage import DATE_FORMAT_Z, Key
from ..core.validation import check
from .schemas import PRICE_LIST, PRICE_LIST_READ_ONLY

if TYPE_CHECKING:
    from ..core.storage import Storage

KIND = "price_list"
FILTERS = {
    "id:in": ("id", "int"), "name": ("name", "str"), "name:like": ("name", "like"),
    "date_created": ("date_created", "date"), "date_created:min": ("date_created", "date"),
    "date_created:max": ("date_created", "date"),
    "date_modified": ("date_modified", "date"), "date_modified:min": ("date_modified", "date"),
    "date_modified:max": ("date_modified", "date"),
}
LIST_PARAMS = (*PAGING, *FILTERS)
DELETE_PARAMS = ("id:in", "name")


def not_found(plid: int) -> SandboxError:
    # PL updatePriceList's 404: {status, title, type, instance}.
    return SandboxError(404, f"Price List with id [{plid}] not found", instance=f"/v3/pricelists/{plid}")


_PRICES = ("price", "sale_price", "retail_price", "map_price")


def _dump_scope(assignment: dict, groups: dict[int, str]) -> dict[str, Any]:
    scope: dict[str, Any] = {}
    if assignment["customer_group_id"] is not None:
        scope["customer_group"] = groups.get(assignment["customer_group_id"], assignment["customer_group_id"])
    if assignment["channel_id"] is not None:
        scope["channel"] = assignment["channel_id"]
    return scope


class PriceLists:
    KEYS = (Key("name", ("name",), folded=True),)
    SEED = ("price_lists", 40)

    def __init__(self, state: Storage) -> None:
        self.s = state

    def get(self, plid: int) -> dict:
        price_list = self.s.get(KIND, plid)
        if price_list is None:
            raise not_found(plid)
        return price_list

    def by_name(self, name: str) -> dict | None:
        hits = self.s.lookup((KIND,), "name", name)
        return self.s.get(KIND, hits[0][1]) if hits else None

    def list(self, q: Query) -> list[dict]:
        return select(self.s.all(KIND), build_filters(q, FILTERS))

    def _check_name(self, name: str, plid: int | None) -> None:
        other = self.by_name(name)
        if other is not None and other["id"] != plid:
            raise conflict("Price List name is a duplicate",
                           {"name": f"Price List name '{name}' is already used by price list {other['id']}."})

    def create(self, raw: Any) -> dict:
        body = check(raw, PRICE_LIST, required=("name",), read_only=PRICE_LIST_READ_ONLY)
        self._check_name(body["name"], None)
        return self._build(body)

    def _build(self, body: dict) -> dict:
        plid, now = self.s.next_id(KIND), self.s.now(DATE_FORMAT_Z)
        price_list = {"id": plid, "name": body["name"], "date_created": now, "date_modified": now,
                      "active": body.get("active", True)}
        return self.s.save(KIND, plid, price_list)

    def update(self, plid: int, raw: Any) -> dict:
        current = self.get(plid)
        body = check(raw, PRICE_LIST, required=("name",), read_only=PRICE_LIST_READ_ONLY)
        self._check_name(body["name"], plid)
        updated = {**current, **body, "date_modified": self.s.stamp(current["date_modified"], DATE_FORMAT_Z)}
        return self.s.save(KIND, plid, updated)

    def delete(self, plid: int) -> None:
        self.get(plid)
        self._drop(plid)

    def _drop(self, plid: int) -> None:
        self.s.remove(KIND, plid)
        self.s.price_records.drop_list(plid)
        self.s.assignments.drop(price_list_id=plid)
        self.s.customer_groups.forget_price_list(plid)

    def delete_where(self, q: Query) -> None:
        if not any(q.has(p) for p in DELETE_PARAMS):
            raise unprocessable("A filter is required to delete price lists.",
                                {"filter": "Provide id:in or name."})
        preds = build_filters(q, {p: FILTERS[p] for p in DELETE_PARAMS})
        for price_list in select(self.s.all(KIND), preds):
            self._drop(price_list["id"])

    # ---- seeding --------------------------------------------------------------------

    def seed_all(self, items: list[dict]) -> None:
        for item in items:
            self.seed(item)

    def dump(self) -> dict[str, list[dict]]:
        """Lists by id with their records (by SKU) and assignments (group by name)."""
        groups = {g["id"]: g["name"] for g in self.s.all("customer_group")}
        assignments = self.s.all("price_list_assignment")
        return {"price_lists": [{"name": pl["name"], "active": pl["active"], "records": self._dump_records(pl["id"]),
                                 "assignments": [_dump_scope(a, groups) for a in assignments
                                                 if a["price_list_id"] == pl["id"]]}
                                for pl in self.s.all(KIND)]}

    def _dump_records(self, plid: int) -> list[dict]:
        stored = self.s.children("price_record", [plid], "price_list_id")
        out = []
        for rec in self.s.price_records.render(stored, ("sku", "bulk_pricing_tiers")):
            item: dict[str, Any] = {"sku": rec["sku"]} if rec.get("sku") else {"variant_id": rec["variant_id"]}
            item["currency"] = rec["currency"]
            item.update({k: rec[k] for k in _PRICES if rec.get(k) is not None})
            if rec["bulk_pricing_tiers"]:
                item["bulk_pricing_tiers"] = rec["bulk_pricing_tiers"]
            out.append(item)
        return out

    def seed(self, item: dict) -> dict:
        """SEED FORMAT ``{"name", "active", "records": [{"sku", "currency", "price", ...}],
        "assignments": [...]}``; assignments are seeded later, after the groups."""
        name = item.get("name")
        if not name or self.by_name(name) is not None:
            raise ValueError(f"seed price list {name!r}: missing or duplicate name")
        price_list = self._build({"name": name, "active": item.get("active", True)})
        records = [_open_tiers(r) for r in item.get("records", [])]
        if records:
            errors = self.s.price_records.write(price_list["id"], records, mode="put")
            if errors:
                raise ValueError(f"seed price list {name!r}: bad records: {errors}")
        return price_list


def _open_tiers(record: dict) -> dict:
    """A seed's open-ended tier (``quantity_max: null``) as a request body must send it:
    the upsert's schema types ``quantity_max`` integer and PL's examples end the last
    tier at 2147483647 (see schemas.PRICE_TIER)."""
    tiers = record.get("bulk_pricing_tiers")
    if not tiers:
        return record
    return {**record, "bulk_pricing_tiers": [
        {**t, "quantity_max": 2147483647} if t.get("quantity_max") is None else t for t in tiers]}
