"""Price lists URL table: lists, records, assignments. Rules are
relative to ``/stores/{store_hash}``."""

from __future__ import annotations

from ..core.urls import Route
from . import responses as h

ROUTES = [
    Route("/v3/pricelists", {"GET": h.list_price_lists, "POST": h.create_price_list,
                             "DELETE": h.delete_price_lists}),
    Route("/v3/pricelists/records", {"POST": h.create_records_multi, "PUT": h.upsert_records_multi}),
    Route("/v3/pricelists/assignments", {"GET": h.list_assignments, "POST": h.create_assignments,
                                         "DELETE": h.delete_assignments}),
    Route("/v3/pricelists/<int:id>", {"GET": h.get_price_list, "PUT": h.update_price_list,
                                      "DELETE": h.delete_price_list}),
    Route("/v3/pricelists/<int:id>/records", {"GET": h.list_records, "POST": h.create_records,
                                              "PUT": h.upsert_records, "DELETE": h.delete_records}),
    Route("/v3/pricelists/<int:id>/records/<int:variant_id>", {"GET": h.list_variant_records}),
    Route("/v3/pricelists/<int:id>/records/<int:variant_id>/<currency_code>", {
        "GET": h.get_record, "PUT": h.set_record, "DELETE": h.delete_record}),
    Route("/v3/pricelists/<int:id>/assignments", {"PUT": h.upsert_assignment}),
]
