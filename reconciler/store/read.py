"""read_live(): every kind's list endpoint, side by side, into a LiveState."""

from __future__ import annotations

import logging

from reconciler.desired.model import StoreSettings
from reconciler.live import LiveObject, LiveState
from reconciler.resources import REGISTRY, Registry
from reconciler.resources.category import paths_by_id
from reconciler.store.client import StoreClient

log = logging.getLogger(__name__)


def read_live(client: StoreClient, settings: StoreSettings | None = None,
              registry: Registry = REGISTRY) -> LiveState:
    settings = settings or StoreSettings()
    kinds = registry.ordered()
    rows = client.list_many({
        k.name: (k.endpoint, k.list_params(settings) if k.list_params else None) for k in kinds
    })
    return build_live(rows, registry)


def build_live(rows: dict[str, list[dict]], registry: Registry = REGISTRY) -> LiveState:
    """Turn raw list rows per kind into a LiveState (refs first, then objects)."""
    live = LiveState()
    refs = live.refs
    for row in rows.get("brand", []):
        refs.add("brand", row["name"], row["id"])
    for cid, path in paths_by_id(rows.get("category", [])).items():
        refs.add("category", path, cid)
    for kind in registry.ordered():
        for row in rows.get(kind.name, []):
            fields = kind.from_live(row, refs)
            key = fields.get(kind.key)
            if not key:
                continue  # e.g. a product without SKU: cannot be matched to YAML
            live.add(LiveObject(kind.name, key, row[kind.id_field], fields, row.get("date_modified")))
    return live
