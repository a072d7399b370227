"""The customer groups service (v2)."""

from __future__ import annotations

from ..core.service import Service
from .models import CustomerGroups
from .urls import ROUTES

SERVICE = Service("customer_groups", tuple(ROUTES), (("customer_groups", CustomerGroups),))
