"""The price lists service: lists, their records and their assignments."""

from __future__ import annotations

from ..core.service import Service
from .assignments import PriceListAssignments
from .price_lists import PriceLists
from .records import PriceRecords
from .urls import ROUTES

SERVICE = Service("pricelists", tuple(ROUTES), (
    ("price_lists", PriceLists), ("price_records", PriceRecords), ("assignments", PriceListAssignments)))
