"""The webhooks service."""

from __future__ import annotations

from ..core.service import Service
from .models import Hooks
from .urls import ROUTES

SERVICE = Service("hooks", tuple(ROUTES), (("hooks", Hooks),))
