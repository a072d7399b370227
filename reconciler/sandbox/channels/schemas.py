"""Channel body schemas: P createChannelAssignments' items."""

from __future__ import annotations

from ..core.schema import integer

CHANNEL_ASSIGNMENT = {"product_id": integer(1), "channel_id": integer(1)}
