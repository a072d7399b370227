"""Channel metafields (CH ``/v3/channels/{channel_id}/metafields``), what the apply lock
uses of them: create, list (``namespace``/``key`` filters), get, update, delete.

Object (CH ``metafield_200``)::

    {id, key, value, namespace, permission_set, resource_type: "channel", resource_id,
     description, date_created, date_modified, owner_client_id}

Rules, from CH:

* POST body is ``metafield_Post``: ``namespace``, ``key``, ``value``, ``permission_set``
  required; lengths 1–64 (namespace, key), 1–65535 (value), 0–255 (description); a
  problem is a 422 naming the fields.
* One metafield per (client id, namespace, key, resource_type, resource_id): a second
  POST is CH createChannelMetafield's 409 (``ErrorResponse``). The check and the write
  happen in one store transaction, so of two POSTs at once exactly one wins (the apply
  lock relies on it).
* PUT body is ``metafield_Put`` (every field optional); a PUT onto another metafield's
  (namespace, key) is the same 409 (stricter reading: CH declares 200/400/404 for PUT
  but states the unique combination for every metafield).
* DELETE answers 204 (CH deleteChannelMetafield); an unknown id, or a channel that does
  not exist, is CH's 404 ``"The resource at that URL is not found."``.
* ⚠ CH's ``metafield_200`` (also referenced by the list) draws a bare metafield; every
  other v3 answer and the docs wrap it: the sandbox answers ``{data, meta}`` (a list:
  ``data: [...]`` with pagination meta), and the client reads both.
* Every metafield belongs to the app that wrote it (``owner_client_id``); the sandbox has
  one client (``hooks.CLIENT_ID``).

SEED FORMAT: none (metafields are not part of a catalog); ``reset`` clears them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..core.errors import SandboxError
from ..core.query import PAGING, Query, build_filters, select
from ..core.validation import check
from ..hooks.models import CLIENT_ID

if TYPE_CHECKING:
    from ..core.storage import Storage

KIND = "channel_metafield"
DATE_FORMAT = "%Y-%m-%dT%H:%M:%S.000Z"  # CH example "2018-05-07T20:14:17.000Z"
PERMISSIONS = ["app_only", "read", "write", "read_and_sf_access", "write_and_sf_access"]
PROPERTIES = {  # CH metafield_Post / metafield_Put
    "namespace": {"type": "string", "minLength": 1, "maxLength": 64},
    "key": {"type": "string", "minLength": 1, "maxLength": 64},
    "value": {"type": "string", "minLength": 1, "maxLength": 65535},
    "permission_set": {"type": "string", "enum": PERMISSIONS},
    "description": {"type": "string", "minLength": 0, "maxLength": 255},
}
REQUIRED = ("namespace", "key", "value", "permission_set")
READ_ONLY = ("id", "resource_type", "resource_id", "date_created", "date_modified", "owner_client_id")
FILTERS = {"key": ("key", "str"), "namespace": ("namespace", "str")}
LIST_PARAMS = (*PAGING, *FILTERS)


def not_found() -> SandboxError:
    return SandboxError(404, "The resource at that URL is not found.")  # CH's 404 example


class ChannelMetafields:
    def __init__(self, state: Storage) -> None:
        self.s = state

    def _channel(self, cid: int) -> None:
        if not self.s.channels.exists(cid):
            raise not_found()

    def list(self, cid: int, q: Query) -> list[dict]:
        self._channel(cid)
        mine = [m for m in self.s.all(KIND) if m["resource_id"] == cid]
        return select(mine, build_filters(q, FILTERS))

    def get(self, cid: int, mid: int) -> dict:
        self._channel(cid)
        found = self.s.get(KIND, mid)
        if found is None or found["resource_id"] != cid:
            raise not_found()
        return found

    def create(self, cid: int, raw: Any) -> dict:
        self._channel(cid)
        body = check(raw, PROPERTIES, required=REQUIRED, read_only=READ_ONLY)
        with self.s.transaction():           # check and write as one: one of two POSTs wins
            self._unique(cid, body["namespace"], body["key"], None)
            mid, now = self.s.next_id(KIND), self.s.now(DATE_FORMAT)
            return self.s.save(KIND, mid, {
                "id": mid, "key": body["key"], "value": body["value"], "namespace": body["namespace"],
                "permission_set": body["permission_set"], "resource_type": "channel", "resource_id": cid,
                "description": body.get("description", ""), "date_created": now, "date_modified": now,
                "owner_client_id": CLIENT_ID})

    def update(self, cid: int, mid: int, raw: Any) -> dict:
        body = check(raw, PROPERTIES, read_only=READ_ONLY)
        with self.s.transaction():
            current = self.get(cid, mid)
            merged = {**current, **body}
            self._unique(cid, merged["namespace"], merged["key"], mid)
            merged["date_modified"] = self.s.stamp(current["date_modified"], DATE_FORMAT)
            return self.s.save(KIND, mid, merged)

    def delete(self, cid: int, mid: int) -> None:
        with self.s.transaction():
            self.get(cid, mid)
            self.s.remove(KIND, mid)

    def _unique(self, cid: int, namespace: str, key: str, mid: int | None) -> None:
        for m in self.s.all(KIND):
            if (m["resource_id"], m["namespace"], m["key"], m["owner_client_id"]) == \
                    (cid, namespace, key, CLIENT_ID) and m["id"] != mid:
                raise SandboxError(409, "A metafield with this namespace and key already exists "
                                        "for this resource", {
                                            "key": f"Metafield {m['id']} already has namespace "
                                                   f"'{namespace}' and key '{key}'."})
