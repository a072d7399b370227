"""channel_assignment: a product listed on a storefront channel, keyed "<sku>@<channel>".

YAML: ``channels: [uk-main, us-trade]`` on a product; names resolve to channel
ids through ``store.channels`` in catalog/store.yaml. Read with the product
(include=channels). Written with PUT/DELETE /v3/catalog/products/channel-assignments,
never in parallel ("Do not make parallel assignment requests with the same
product IDs", FACTS.md 8).
"""

from __future__ import annotations

from typing import Any

from reconciler.core.live import LiveObject
from reconciler.resources import register
from reconciler.resources.base import ResourceKind
from reconciler.resources.children import child

ENDPOINT = "/v3/catalog/products/channel-assignments"


def key_for(sku: str, channel: str) -> str:
    return f"{sku}@{channel}"


def from_parent(product, settings) -> list:
    return [
        child("channel_assignment", key_for(product.key, name), product, f"channels.{i}", {"channel": name})
        for i, name in enumerate(product.fields.get("channels") or [])
    ]


def channel_name(settings, channel_id: int) -> str:
    for name, cid in settings.channels.items():
        if cid == channel_id:
            return name
    return f"#{channel_id}"   # a channel the catalog does not name


def live_from_parent(row: dict[str, Any], sku: str, refs, settings) -> list[LiveObject]:
    out = []
    for cid in row.get("channels") or []:
        name = channel_name(settings, cid)
        out.append(LiveObject("channel_assignment", key_for(sku, name), cid, {"channel": name}, parent=sku,
                              extra={"product_id": row["id"], "channel_id": cid}))
    return out


def from_live(obj: dict[str, Any], refs) -> dict[str, Any]:
    return {"channel": obj.get("channel")}


def to_payload(fields: dict[str, Any], refs, parent: str | None = None) -> dict[str, Any]:
    return {}


CHANNEL_ASSIGNMENT = register(ResourceKind(
    name="channel_assignment",
    plural="channel_assignments",
    schema="product.schema.json",
    key="channel",
    endpoint=ENDPOINT,
    order=70,
    depends_on=("product",),
    # Assignment batch size is not stated (FACTS.md 8): 50 per PUT, sent one at a time.
    create_batch_size=50,
    delete_batch_size=50,
    meta_fields=frozenset({"acknowledge"}),   # tombstones (delete: true) are for top-level objects
    parent="product",
    owner_field="channels",
    from_parent=from_parent,
    live_from_parent=live_from_parent,
    from_live=from_live,
    to_payload=to_payload,
    shown_as="inline",        # one value each (a label list, a text, a channel)
    audience_fields=(None, "channel"),   # the product's catalog price, on this channel
    audience_from="granted",
))
