"""Customer groups URL table (v2: bare JSON, v2 error bodies). Rules are
relative to ``/stores/{store_hash}``."""

from __future__ import annotations

from ..core.urls import Route
from . import responses as h

ROUTES = [
    Route("/v2/customer_groups", {"GET": h.list_customer_groups, "POST": h.create_customer_group},
                                  style="v2"),
    Route("/v2/customer_groups/count", {"GET": h.count_customer_groups}, style="v2"),
    Route("/v2/customer_groups/<int:id>", {"GET": h.get_customer_group, "PUT": h.update_customer_group,
                                           "DELETE": h.delete_customer_group}, style="v2"),
]
