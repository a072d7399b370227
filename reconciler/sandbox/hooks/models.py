"""Webhooks (WH ``/v3/hooks``), FACTS §12.

Object, in the field order of WH ``webhook_Resp``'s example::

    {id, client_id, store_hash, created_at, updated_at, scope, destination, is_active, headers}

``created_at``/``updated_at`` are UNIX epoch integers (WH). ``store_hash`` is not stored:
the routes add the one the request named (seeds know no store hash).

Rules, from WH and d:wh (FACTS §12):

* POST needs ``scope`` and ``destination``; a missing one is WH's 422 example,
  ``{"errors": {"destination": "error.path.missing."}}``. ``is_active`` defaults to true;
  ``headers`` is an object of strings or null (null when not sent, as d:wh's create
  response shows).
* ``destination`` must be ``https://`` on port 443 ("custom ports are not currently
  supported"): ``http://…`` or ``…:8443`` is a 422 naming ``destination``.
* At most 10 hooks per store + client + scope, and one per store + client + scope +
  destination (d:wh "Platform limits"). Both are 422: WH declares 400, 401 and 422 for
  createWebhooks and no 409, so a clash is "unacceptable data", not a conflict.
* PUT needs at least one field (WH updateWebhook) and obeys the same rules.
* DELETE answers 200 with the deleted hook (WH deleteWebhook).
* An unknown id is 404 ``"Webhook with id [{id}] not found"`` (WH getWebhook; used for
  PUT and DELETE too, which declare only 200).
* Hooks belong to the API account that made them: lists and lookups see only this
  client's (WH getWebhooks). The sandbox has one client, ``CLIENT_ID``; a seed may
  name another ``client_id`` to stand for another app's hooks.

Choices where WH is silent (⚠):

* ``scope`` must be one of ``SCOPES``, the scopes the copied docs list (d:ev tables,
  d:cb ``_all.yml``, WH schema titles); anything else is a 422 naming ``scope``.
  ⚠ d:ev writes several with a trailing slash (``store/priceList/updated/``) while its
  payload examples have none; only the form without the slash is accepted.
  Channel-specific scopes (``store/channel/{id}/…``, a separate guide not copied) are
  not known here.
* Inactive hooks count towards the limit of 10 (a deactivated hook still exists).
* Destinations are compared as exact strings (not stated).
* ``limit`` defaults to 50, at most 250 (WH states neither; query.py's v3 rule).
  An empty list is ``data: []`` although ``webhooks_Resp`` declares ``minItems: 1``.
* Unknown and read-only body fields are refused (validation.py's strictness).

SEED FORMAT: ``"hooks": [{"scope", "destination", "is_active", "headers", "client_id"}]``,
each checked like a POST (``ValueError`` if refused); ``client_id`` only for another
app's hook. Ids are not kept.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..core.errors import SandboxError, invalid_body
from ..core.query import PAGING, Query, build_filters, select
from ..core.validation import check
from .delivery import Outbox

if TYPE_CHECKING:
    from ..core.storage import Storage

KIND = "hook"
CLIENT_ID = "sandbox0client0id0for0webhooks00"  # 32 chars like WH's example; never the token
MAX_PER_SCOPE = 10
MISSING = "error.path.missing."  # WH createWebhooks' 422 example

PROPERTIES = {  # WH webhook_Base / webhook_Put
    "scope": {"type": "string", "minLength": 1},
    "destination": {"type": "string", "minLength": 1},
    "is_active": {"type": "boolean"},
    "headers": {"type": ["object", "null"], "additionalProperties": {"type": "string"}},
}
READ_ONLY = ("id", "client_id", "store_hash", "created_at", "updated_at")
FILTERS = {"is_active": ("is_active", "bool"), "scope": ("scope", "str"),
           "destination": ("destination", "str")}
LIST_PARAMS = (*PAGING, *FILTERS)

SCOPES = frozenset("""
store/app/uninstalled
store/brand/metafield/* store/brand/metafield/created store/brand/metafield/deleted
store/brand/metafield/updated
store/cart/* store/cart/created store/cart/updated store/cart/deleted store/cart/abandoned
store/cart/converted store/cart/couponApplied store/cart/lineItem/* store/cart/lineItem/created
store/cart/lineItem/updated store/cart/lineItem/deleted store/cart/metafield/created
store/cart/metafield/updated store/cart/metafield/deleted
store/category/* store/category/created store/category/updated store/category/deleted
store/category/metafield/created store/category/metafield/updated store/category/metafield/deleted
store/channel/* store/channel/created store/channel/updated store/channel/metafield/created
store/channel/metafield/updated store/channel/metafield/deleted
store/customer/* store/customer/created store/customer/updated store/customer/deleted
store/customer/address/* store/customer/address/created store/customer/address/updated
store/customer/address/deleted store/customer/channel/login/access/updated
store/customer/payment/instrument/default/updated
store/hook/deliveryException store/information/updated
store/inventory/location/created store/inventory/location/updated
store/inventory/location/metafield/* store/inventory/location/metafield/created
store/inventory/location/metafield/updated store/inventory/location/metafield/deleted
store/metafield/* store/metafield/created store/metafield/updated store/metafield/deleted
store/modifier/updated store/option/updated
store/order/* store/order/created store/order/updated store/order/archived
store/order/statusUpdated store/order/message/created store/order/refund/created
store/order/metafield/created store/order/metafield/updated store/order/metafield/deleted
store/order/transaction/created store/order/transaction/updated
store/priceList/created store/priceList/updated store/priceList/activated
store/priceList/deactivated store/priceList/deleted store/priceLists/deleted
store/priceList/record/created store/priceList/record/updated store/priceList/record/deleted
store/priceList/records/created store/priceList/records/updated store/priceList/records/deleted
store/priceList/assignment/updated store/priceList/assignment/deleted
store/product/* store/product/created store/product/updated store/product/deleted
store/product/inventory/updated store/product/inventory/order/updated
store/product/metafield/* store/product/metafield/created store/product/metafield/updated
store/product/metafield/deleted store/product/variant/metafield/*
store/product/variant/metafield/created store/product/variant/metafield/updated
store/product/variant/metafield/deleted
store/redirects/updated
store/shipment/* store/shipment/created store/shipment/updated store/shipment/deleted
store/sku/* store/sku/created store/sku/updated store/sku/deleted store/sku/inventory/updated
store/sku/inventory/order/updated
store/store/metafield/created store/store/metafield/updated store/store/metafield/deleted
store/subscriber/* store/subscriber/created store/subscriber/updated store/subscriber/deleted
""".split())


def not_found(hid: int) -> SandboxError:
    # WH 404_NotFound: {status, title, type}, no instance.
    return SandboxError(404, f"Webhook with id [{hid}] not found")


def destination_problem(destination: str) -> str | None:
    """Why the store would refuse ``destination``, or None."""
    parts = urlsplit(destination)
    try:
        port = parts.port
    except ValueError:
        port = -1
    if parts.scheme != "https" or not parts.hostname:
        return "Destination must be an https:// URL served on port 443."
    if port not in (None, 443):
        return "Destination URL must be served on port 443. Custom ports are not currently supported."
    return None


class Hooks:
    FIRST_IDS = {KIND: 18048287}
    SEED = ("hooks", 70)
    OUTBOX = Outbox           # callbacks after writes (delivery.py)

    def __init__(self, state: Storage) -> None:
        self.s = state

    # ---- reads ----------------------------------------------------------------------

    def _mine(self) -> list[dict]:
        return [h for h in self.s.all(KIND) if h["client_id"] == CLIENT_ID]

    def get(self, hid: int) -> dict:
        hook = self.s.get(KIND, hid)
        if hook is None or hook["client_id"] != CLIENT_ID:
            raise not_found(hid)
        return hook

    def list(self, q: Query) -> list[dict]:
        return select(self._mine(), build_filters(q, FILTERS))

    @staticmethod
    def view(hook: dict, store_hash: str) -> dict:
        """The API shape: ``store_hash`` after ``client_id``, as in WH's example."""
        out = {"id": hook["id"], "client_id": hook["client_id"], "store_hash": store_hash}
        out.update((k, v) for k, v in hook.items() if k not in out)
        return out

    # ---- writes ---------------------------------------------------------------------

    def create(self, raw: Any) -> dict:
        body = self._check(raw, required=("scope", "destination"))
        self._check_limits(body["scope"], body["destination"], CLIENT_ID, None)
        return self._build(body, CLIENT_ID)

    def update(self, hid: int, raw: Any) -> dict:
        current = self.get(hid)
        body = self._check(raw, required=())
        if not body:
            raise invalid_body({"body": "At least one field is required to perform an update."})
        scope = body.get("scope", current["scope"])
        destination = body.get("destination", current["destination"])
        self._check_limits(scope, destination, current["client_id"], hid)
        updated = {**current, **body, "updated_at": max(int(time.time()), current["updated_at"])}
        return self.s.save(KIND, hid, updated)

    def delete(self, hid: int) -> dict:
        hook = self.get(hid)
        self.s.remove(KIND, hid)
        return hook

    def _check(self, raw: Any, required: tuple[str, ...]) -> dict:
        """One 422 listing every problem: missing fields, types, scope, destination."""
        errors = {f: MISSING for f in required if isinstance(raw, dict) and raw.get(f) is None}
        try:
            body = check(raw, PROPERTIES, read_only=READ_ONLY)
        except SandboxError as exc:
            if not isinstance(raw, dict):
                raise
            errors = {**(exc.errors or {}), **errors}
            body = {}
        scope, destination = raw.get("scope"), raw.get("destination")
        if isinstance(scope, str) and scope not in SCOPES:
            errors["scope"] = f"Unknown scope '{scope}'."
        if isinstance(destination, str) and destination_problem(destination):
            errors["destination"] = destination_problem(destination)
        if errors:
            raise invalid_body(errors)
        return body

    def _check_limits(self, scope: str, destination: str, client_id: str, hid: int | None) -> None:
        others = [h for h in self.s.all(KIND)
                  if h["client_id"] == client_id and h["scope"] == scope and h["id"] != hid]
        same = [h for h in others if h["destination"] == destination]
        if same:
            raise SandboxError(422, "A webhook with this scope and destination already exists", {
                "destination": f"Webhook {same[0]['id']} already sends {scope} to this destination."})
        if len(others) >= MAX_PER_SCOPE:
            raise SandboxError(422, "Too many webhooks for this scope", {
                "scope": f"A maximum of {MAX_PER_SCOPE} webhooks per store, client and scope is allowed."})

    def _build(self, body: dict, client_id: str) -> dict:
        hid, now = self.s.next_id(KIND), int(time.time())
        hook = {"id": hid, "client_id": client_id, "created_at": now, "updated_at": now,
                "scope": body["scope"], "destination": body["destination"],
                "is_active": body.get("is_active", True), "headers": body.get("headers")}
        return self.s.save(KIND, hid, hook)

    # ---- seed and dump --------------------------------------------------------------

    def seed(self, item: dict) -> dict:
        item = dict(item)
        client_id = item.pop("client_id", CLIENT_ID)
        try:
            body = self._check(item, required=("scope", "destination"))
            self._check_limits(body["scope"], body["destination"], client_id, None)
        except SandboxError as exc:
            raise ValueError(f"seed hook {item.get('scope')!r}: {exc.title}: {exc.errors}") from None
        return self._build(body, client_id)

    def seed_all(self, items: list[dict]) -> None:
        for item in items:
            self.seed(item)

    def dump(self) -> dict[str, list[dict]]:
        """Every hook (any client) in the SEED FORMAT, by id."""
        out = []
        for hook in self.s.all(KIND):
            item = {k: hook[k] for k in ("scope", "destination", "is_active")}
            if hook["headers"] is not None:
                item["headers"] = hook["headers"]
            if hook["client_id"] != CLIENT_ID:
                item["client_id"] = hook["client_id"]
            out.append(item)
        return {"hooks": out}
