"""Channels (CH) and product channel assignments (P ``…/channel-assignments``).

The store always has two storefront channels, 1 "UK Main" and 2 "US Trade" (CH: "Will
always return the default BigCommerce storefront with an ID of 1"). They are installed
by ``reset()`` and cannot be changed through the sandbox.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..core.errors import SandboxError, unprocessable
from ..core.query import Query, build_filters, select
from ..core.validation import check, expect_array
from .schemas import CHANNEL_ASSIGNMENT

if TYPE_CHECKING:
    from ..core.storage import Storage

KIND = "channel"
LINK = "product_channel"
_CREATED = "2021-05-07T14:54:51Z"  # CH uses Z-suffixed dates (getChannels example)
_ICON = "https://storage.googleapis.com/bigcommerce-production-dev-center/images/bigcommerce_icon.svg"
_CURRENCY = {1: "GBP", 2: "USD"}

FILTERS = {
    "type:in": ("type", "str"),
    "status:in": ("status", "str"),
    "platform:in": ("platform", "str"),
}
LIST_PARAMS = ("page", "limit", "include", *FILTERS)
ASSIGNMENT_PARAMS = ("page", "limit", "product_id:in", "channel_id:in")


def _channel(cid: int, name: str) -> dict[str, Any]:
    return {
        "id": cid, "external_id": "", "is_listable_from_ui": True, "is_enabled": True,
        "is_visible": True, "status": "active", "name": name, "type": "storefront",
        "platform": "bigcommerce", "date_created": _CREATED, "date_modified": _CREATED,
        "icon_url": _ICON,
    }


class Channels:
    def __init__(self, state: Storage) -> None:
        self.s = state

    def install(self) -> None:
        for cid, name in ((1, "UK Main"), (2, "US Trade")):
            self.s.save(KIND, cid, _channel(cid, name))

    def exists(self, cid: int) -> bool:
        return self.s.get(KIND, cid) is not None

    def _render(self, channel: dict, q: Query) -> dict:
        includes = q.strs("include") or []
        bad = set(includes) - {"currencies"}
        if bad:
            raise unprocessable(f'Query parameter "include" value is invalid: {sorted(bad)}.')
        if "currencies" in includes:
            code = _CURRENCY.get(channel["id"], "USD")
            channel = {**channel, "currencies": {"channel_id": channel["id"],
                                                 "enabled_currencies": [code],
                                                 "default_currency": code}}
        return channel

    def list(self, q: Query) -> list[dict]:
        return [self._render(c, q) for c in select(self.s.all(KIND), build_filters(q, FILTERS))]

    def get(self, cid: int, q: Query) -> dict:
        channel = self.s.get(KIND, cid)
        if channel is None:
            # Body from CH getChannel's "Channel Not Found" example.
            raise SandboxError(404, "Not found", {})
        return self._render(channel, q)

    # ---- product channel assignments ---------------------------------------------------

    def assignments(self, q: Query) -> list[dict]:
        pairs = self.s.links(LINK, q.ints("product_id:in"), q.ints("channel_id:in"))
        return [{"product_id": p, "channel_id": c} for p, c in pairs]

    def assign(self, body: Any) -> None:
        """PUT: all items are checked before any is written; 422 otherwise."""
        items = expect_array(body, "channel assignments")
        errors: dict[str, str] = {}
        for i, item in enumerate(items):
            try:
                item = check(item, CHANNEL_ASSIGNMENT, required=("product_id", "channel_id"))
            except SandboxError as exc:
                errors.update({f"{i}.{k}": v for k, v in (exc.errors or {}).items()})
                continue
            if self.s.get("product", item["product_id"]) is None:
                errors[f"{i}.product_id"] = f"Product {item['product_id']} does not exist."
            if not self.exists(item["channel_id"]):
                errors[f"{i}.channel_id"] = f"Channel {item['channel_id']} does not exist."
        if errors:
            raise unprocessable("Invalid product channel assignments.", errors)
        for item in items:
            self.s.link(LINK, item["product_id"], item["channel_id"])

    def unassign(self, q: Query) -> None:
        products, channels = q.ints("product_id:in"), q.ints("channel_id:in")
        if not products and not channels:
            raise unprocessable("A filter must be supplied: product_id:in and/or channel_id:in.",
                                {"filter": "product_id:in or channel_id:in is required"})
        self.s.unlink(LINK, products, channels)
