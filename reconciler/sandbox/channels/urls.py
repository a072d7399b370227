"""Channels URL table: channels, product channel assignments, channel metafields. Rules are
relative to ``/stores/{store_hash}``."""

from __future__ import annotations

from ..core.urls import Route
from . import responses as h

ROUTES = [
    Route("/v3/catalog/products/channel-assignments", {
        "GET": h.list_channel_assignments, "PUT": h.put_channel_assignments,
        "DELETE": h.delete_channel_assignments}),
    Route("/v3/channels", {"GET": h.list_channels}),
    Route("/v3/channels/<int:id>", {"GET": h.get_channel}),
    Route("/v3/channels/<int:id>/metafields", {"GET": h.list_channel_metafields,
                                               "POST": h.create_channel_metafield}),
    Route("/v3/channels/<int:id>/metafields/<int:metafield_id>", {
        "GET": h.get_channel_metafield, "PUT": h.update_channel_metafield,
        "DELETE": h.delete_channel_metafield}),
]
