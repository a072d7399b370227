"""The channels service: channels, product channel assignments, channel metafields."""

from __future__ import annotations

from ..core.service import Service
from .metafields import ChannelMetafields
from .models import Channels
from .urls import ROUTES

SERVICE = Service("channels", tuple(ROUTES), (("channels", Channels), ("channel_metafields", ChannelMetafields)))
