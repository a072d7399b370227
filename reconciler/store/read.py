"""read_live(): every kind's list endpoint, side by side, into a LiveState.

Sub-resources (variants, options, custom fields, channel assignments) come in
the same pages as their products (``include=variants,custom_fields,channels``),
so reading them costs no extra request.
"""

from __future__ import annotations

import logging

from reconciler.desired.model import StoreSettings
from reconciler.live import LiveObject, LiveState
from reconciler.resources import REGISTRY, Registry
from reconciler.resources.category import paths_by_id
from reconciler.store.client import StoreClient

log = logging.getLogger(__name__)

# Keys go in the query string; 50 per request keeps URLs well under common limits.
KEYS_PER_REQUEST = 50


def read_live(client: StoreClient, settings: StoreSettings | None = None,
              registry: Registry = REGISTRY) -> LiveState:
    settings = settings or StoreSettings()
    rows = client.list_many({
        k.name: (k.endpoint, k.list_params(settings) if k.list_params else None)
        for k in registry.ordered() if not k.parent
    })
    return build_live(rows, settings, registry)


def read_touched(client: StoreClient, keys: dict[str, list[str]], settings: StoreSettings | None = None,
                 registry: Registry = REGISTRY) -> LiveState:
    """Read only the objects a plan touches (plus the kinds others refer to).

    ``keys`` maps top-level kinds to keys (a sub-resource counts as its parent's
    key). Kinds with a ``key_filter`` are read by key, in chunks; the others
    (brands, categories: few, and needed to resolve names) are read whole.
    """
    settings = settings or StoreSettings()
    requests: dict[str, tuple[str, dict | None]] = {}
    for kind in registry.ordered():
        if kind.parent:
            continue
        params = kind.list_params(settings) if kind.list_params else {}
        wanted = sorted(set(keys.get(kind.name, [])))
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
    return build_live(merged, settings, registry)


def build_live(rows: dict[str, list[dict]], settings: StoreSettings | None = None,
               registry: Registry = REGISTRY) -> LiveState:
    """Turn raw list rows per kind into a LiveState (refs first, then objects, then children)."""
    settings = settings or StoreSettings()
    live = LiveState()
    refs = live.refs
    for row in rows.get("brand", []):
        refs.add("brand", row["name"], row["id"])
    for cid, path in paths_by_id(rows.get("category", [])).items():
        refs.add("category", path, cid)
    children = [k for k in registry.ordered() if k.parent and k.live_from_parent]
    for kind in registry.ordered():
        if kind.parent:
            continue
        for row in rows.get(kind.name, []):
            fields = kind.from_live(row, refs)
            key = fields.get(kind.key)
            if not key:
                continue  # e.g. a product without SKU: cannot be matched to YAML
            refs.add(kind.name, key, row[kind.id_field])
            live.add(LiveObject(kind.name, key, row[kind.id_field], fields, row.get("date_modified")))
            for child in children:
                if child.parent == kind.name:
                    for obj in child.live_from_parent(row, key, refs, settings):
                        live.add(obj)
    return live
