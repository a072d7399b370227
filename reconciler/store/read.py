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


# SKUs go in the query string; 50 per request keeps URLs well under common limits.
KEYS_PER_REQUEST = 50


def read_touched(client: StoreClient, keys: dict[str, list[str]], settings: StoreSettings | None = None,
                 registry: Registry = REGISTRY) -> LiveState:
    """Read only the objects a plan touches (plus the kinds others refer to).

    Kinds with a ``key_filter`` are read by key, in chunks; the others (brands,
    categories: few, and needed to resolve names) are read whole.
    """
    settings = settings or StoreSettings()
    requests: dict[str, tuple[str, dict | None]] = {}
    for kind in registry.ordered():
        params = kind.list_params(settings) if kind.list_params else {}
        wanted = keys.get(kind.name, [])
        if kind.key_filter is None:
            requests[kind.name] = (kind.endpoint, params)
        else:
            for i in range(0, len(wanted), KEYS_PER_REQUEST):
                chunk = ",".join(wanted[i : i + KEYS_PER_REQUEST])
                requests[f"{kind.name}#{i}"] = (kind.endpoint, {**params, kind.key_filter: chunk})
    rows = client.list_many(requests) if requests else {}
    merged: dict[str, list[dict]] = {}
    for name, got in rows.items():
        merged.setdefault(name.split("#")[0], []).extend(got)
    return build_live(merged, registry)
