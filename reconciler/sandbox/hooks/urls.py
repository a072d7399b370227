"""Webhooks URL table. Rules are relative to ``/stores/{store_hash}``."""

from __future__ import annotations

from ..core.urls import Route
from . import responses as h

ROUTES = [
    Route("/v3/hooks", {"GET": h.list_hooks, "POST": h.create_hook}),
    Route("/v3/hooks/<int:id>", {"GET": h.get_hook, "PUT": h.update_hook, "DELETE": h.delete_hook}),
]
