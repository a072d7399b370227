"""Price list assignments (PL ``/v3/pricelists/assignments``, ``…/{id}/assignments``), FACTS §10.3.

Object: ``{id, price_list_id, customer_group_id, channel_id}``; a scope left out is null.

* ``POST`` takes up to 25 items (413 above); only ``price_list_id`` is required. Answer:
  200 with no body, or 422 ``{status, title, type, errors, meta: {saved_records}}``
  with errors keyed ``"<index>.<field>"``.
* ``PUT /v3/pricelists/{id}/assignments`` upserts one assignment for (group, channel),
  both required; 404 when the list, the group or the channel does not exist.
* ``DELETE`` needs one of ``id``, ``price_list_id``, ``customer_group_id``,
  ``channel_id``, ``channel_id:in`` (PL: "You must use at least one"); else 422.

Choices where PL is silent:

* A POST is all-or-nothing: every item is checked first, and on any error nothing is
  saved (``saved_records`` 0).
* An assignment needs a customer group, a channel or both (d:pl: "a specific sales
  channel, customer group, or customer group on a specific sales channel"); neither → 422.
* One list per scope: a (group, channel) pair that already has an assignment is a
  duplicate (422) whatever its list – price resolution could not choose between two.
  The PUT upsert moves such an assignment to its list instead.
* PL info: "You cannot assign Price Lists to a customer group with customer group
  discounts -- You must delete the customer group discounts first" → 422 on POST and PUT.
* Assignments are not the same thing as a group's ``price_list`` discount rule (how
  the two relate is not stated); each is kept as written.
* Deleting a price list or a customer group deletes its assignments.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..core import cursors
from ..core.errors import ERROR_TYPE, SandboxError, not_found, unprocessable
from ..core.query import Query, build_filters, select
from ..core.storage import Key
from ..core.validation import check, expect_array
from .schemas import ASSIGNMENT, ASSIGNMENT_PUT

if TYPE_CHECKING:
    from ..core.storage import Storage

KIND = "price_list_assignment"
MAX_BATCH = 25  # PL createPriceListAssignments: "The batch limit ... is 25"
FILTERS = {f"{f}{op}": (f, "int") for f in ("id", "price_list_id", "customer_group_id", "channel_id")
           for op in ("", ":in")}
LIST_PARAMS = (*cursors.PAGING, *FILTERS)
DELETE_PARAMS = ("id", "price_list_id", "customer_group_id", "channel_id", "channel_id:in")


class AssignmentsRefused(SandboxError):
    """PL ``PriceListAssignmentsBatchErrorResponse``."""

    def body(self, style: str = "default") -> dict[str, Any]:
        return {"status": self.status, "title": self.title, "type": ERROR_TYPE,
                "errors": self.errors or {}, "meta": {"saved_records": 0}}


class PriceListAssignments:
    KEYS = (Key("price_list_id", ("price_list_id",), role="parent"),)
    SEED = ("price_lists", 60)  # after the customer groups they name

    def __init__(self, state: Storage) -> None:
        self.s = state

    def list(self, q: Query) -> list[dict]:
        return select(self.s.all(KIND), build_filters(q, FILTERS))

    def _scope_owner(self, group: int | None, channel: int | None) -> dict | None:
        return next((a for a in self.s.all(KIND)
                     if a["customer_group_id"] == group and a["channel_id"] == channel), None)

    def _problems(self, body: dict, plid: int | None = None) -> dict[str, str]:
        """What is wrong with one assignment (field -> message), store and scope checks."""
        errors: dict[str, str] = {}
        plid = plid if plid is not None else body["price_list_id"]
        group, channel = body.get("customer_group_id"), body.get("channel_id")
        if self.s.get("price_list", plid) is None:
            errors["price_list_id"] = f"Price list {plid} does not exist."
        if group is None and channel is None:
            errors["customer_group_id"] = "Provide a customer_group_id, a channel_id or both."
        if group is not None:
            if self.s.get("customer_group", group) is None:
                errors["customer_group_id"] = f"Customer group {group} does not exist."
            elif self.s.customer_groups.has_discounts(group):
                errors["customer_group_id"] = (f"Customer group {group} has customer group discounts; "
                                               "delete them before assigning a price list.")
        if channel is not None and not self.s.channels.exists(channel):
            errors["channel_id"] = f"Channel {channel} does not exist."
        return errors

    def create_many(self, raw: Any) -> None:
        items = expect_array(raw, "price list assignments")
        if len(items) > MAX_BATCH:
            raise SandboxError(413, "The request payload is too large. The maximum items allowed "
                               f"in the array is {MAX_BATCH}.", {})
        errors: dict[str, str] = {}
        scopes: set[tuple[Any, Any]] = set()
        bodies = []
        for i, item in enumerate(items):
            try:
                body = check(item, ASSIGNMENT, required=("price_list_id",), read_only=("id",))
            except SandboxError as exc:
                errors.update({f"{i}.{k}": v for k, v in (exc.errors or {}).items()})
                continue
            problems = self._problems(body)
            scope = (body.get("customer_group_id"), body.get("channel_id"))
            if not problems and (scope in scopes or self._scope_owner(*scope) is not None):
                problems["price_list_id"] = ("An assignment for customer group "
                                             f"{scope[0]} and channel {scope[1]} already exists.")
            scopes.add(scope)
            errors.update({f"{i}.{k}": v for k, v in problems.items()})
            bodies.append(body)
        if errors:
            raise AssignmentsRefused(422, "Price list assignments were not created.", errors)
        for body in bodies:
            self._save(None, body["price_list_id"], body.get("customer_group_id"), body.get("channel_id"))

    def _save(self, aid: int | None, plid: int, group: int | None, channel: int | None) -> dict:
        aid = aid if aid is not None else self.s.next_id(KIND)
        return self.s.save(KIND, aid, {"id": aid, "price_list_id": plid,
                                       "customer_group_id": group, "channel_id": channel})

    def upsert(self, plid: int, raw: Any) -> dict:
        self.s.price_lists.get(plid)
        body = check(raw, ASSIGNMENT_PUT, required=("customer_group_id", "channel_id"))
        group, channel = body["customer_group_id"], body["channel_id"]
        if self.s.get("customer_group", group) is None:
            raise not_found("Customer group", group)
        if not self.s.channels.exists(channel):
            raise not_found("Channel", channel)
        problems = self._problems(body, plid)
        if problems:
            raise unprocessable("The price list assignment is not valid.", problems)
        current = self._scope_owner(group, channel)
        return self._save(current["id"] if current else None, plid, group, channel)

    def delete_where(self, q: Query) -> None:
        if not any(q.has(p) for p in DELETE_PARAMS):
            raise unprocessable("At least one query parameter is required to delete price list assignments.",
                                {"filter": "Provide id, price_list_id, customer_group_id, channel_id "
                                           "or channel_id:in."})
        for assignment in select(self.s.all(KIND), build_filters(q, {p: FILTERS[p] for p in DELETE_PARAMS})):
            self.s.remove(KIND, assignment["id"])

    def drop(self, *, price_list_id: int | None = None, customer_group_id: int | None = None) -> None:
        for assignment in self.s.all(KIND):
            if (price_list_id is not None and assignment["price_list_id"] == price_list_id) or \
                    (customer_group_id is not None and assignment["customer_group_id"] == customer_group_id):
                self.s.remove(KIND, assignment["id"])

    def has_group(self, gid: int) -> bool:
        return any(a["customer_group_id"] == gid for a in self.s.all(KIND))

    def seed_all(self, items: list[dict]) -> None:
        """The ``assignments`` of each seeded price list (found by its name)."""
        for item in items:
            self.seed(self.s.price_lists.by_name(item["name"])["id"], item.get("assignments", []))

    def seed(self, plid: int, items: list[dict]) -> None:
        """SEED FORMAT ``[{"customer_group": name, "channel": channel id}]`` (either may be
        left out)."""
        for item in items:
            group = None
            if item.get("customer_group") is not None:
                found = self.s.customer_groups.by_name(item["customer_group"])
                if found is None:
                    raise ValueError(f"seed assignment: unknown customer group {item['customer_group']!r}")
                group = found["id"]
            body = {"price_list_id": plid, "customer_group_id": group, "channel_id": item.get("channel")}
            problems = self._problems(body)
            if problems or self._scope_owner(group, body["channel_id"]) is not None:
                raise ValueError(f"seed assignment {item!r}: {problems or 'duplicate scope'}")
            self._save(None, plid, group, body["channel_id"])
