"""read_live(): every kind's list endpoint, side by side, into a LiveState.

Sub-resources (variants, options, custom fields, channel assignments) come in
the same pages as their products (``include=variants,custom_fields,channels``),
so reading them costs no extra request.
"""

from __future__ import annotations

import logging
from pathlib import Path

from reconciler.desired.model import StoreSettings
from reconciler.live import LiveObject, LiveState
from reconciler.resources import REGISTRY, Registry
from reconciler.resources.category import paths_by_id
from reconciler.store import cache
from reconciler.store.client import StoreClient

log = logging.getLogger(__name__)

# Keys go in the query string; 50 per request keeps URLs well under common limits.
KEYS_PER_REQUEST = 50


def read_live(client: StoreClient, settings: StoreSettings | None = None,
              registry: Registry = REGISTRY, *, refresh: str | None = None,
              cache_path: Path | None = None) -> LiveState:
    """Read the whole store (``refresh`` None or "full"), or only what changed since
    the cached read ("incremental", see store/cache.py). With an explicit
    ``refresh`` the read is cached for the next incremental one. ``live.refresh``
    says which mode was used, and why a full read was needed."""
    settings = settings or StoreSettings()
    path = cache_path or cache.DEFAULT_PATH
    store_hash = client.transport.config.store_hash
    started = cache.now()
    mode, rows, full_at = "full", None, started
    if refresh == "incremental":
        snap, why = cache.load(path, store_hash)
        if snap is None:
            mode = f"full ({why})"
        else:
            rows, full_at = _read_incremental(client, snap, settings, registry), snap.full_read_at
            mode = f"incremental (changes since {cache.since(snap)}; last full read {snap.full_read_at.isoformat()})"
    if rows is None:
        rows = client.gather({
            k.name: (lambda k=k: _read_kind(client, k, k.list_params(settings) if k.list_params else None))
            for k in registry.ordered() if not k.parent
        })
    if refresh in ("full", "incremental"):
        cache.save(path, cache.Snapshot(store_hash, full_at, started, rows))
    live = build_live(rows, settings, registry)
    live.refresh = mode
    return live


def _read_incremental(client: StoreClient, snap: "cache.Snapshot", settings: StoreSettings,
                      registry: Registry) -> dict[str, list[dict]]:
    """Products and price records modified since the cached read; the rest as cached."""
    rows = {k: list(v) for k, v in snap.rows.items()}
    changed_since = cache.since(snap)
    product = registry["product"]
    params = {**(product.list_params(settings) if product.list_params else {}), "date_modified:min": changed_since}
    reads = {"product": lambda: client.list_all(product.endpoint, params)}
    for pl in rows.get("price_list", []):
        reads[f"records#{pl['id']}"] = (lambda pl=pl: client.list_cursor(
            f"/v3/pricelists/{pl['id']}/records",
            {"include": "sku,bulk_pricing_tiers", "date_modified:min": changed_since}))
    got = client.gather(reads)
    rows["product"] = cache.merge(rows.get("product", []), got["product"], key=lambda r: r["id"])
    for pl in rows.get("price_list", []):
        pl["records"] = cache.merge(pl.get("records", []), got[f"records#{pl['id']}"],
                                    key=lambda r: (r.get("variant_id"), str(r.get("currency", "")).lower()))
    log.info("Incremental refresh: %d product(s) changed since %s", len(got["product"]), changed_since)
    return rows


def _read_kind(client: StoreClient, kind, params: dict | None) -> list[dict]:
    if kind.api_version == "v2":
        return client.list_v2(kind.endpoint, params)
    rows = client.list_all(kind.endpoint, params)
    reader = _EXTRA_READS.get(kind.name)
    if reader:
        reader(client, rows)
    return rows


def _read_price_lists(client: StoreClient, lists: list[dict]) -> None:
    """Each list's records (cursor pagination, the docs' advice) and assignments,
    attached to the list's row for the child kinds to read."""
    reads = {f"records#{r['id']}": (lambda r=r: client.list_cursor(
        f"/v3/pricelists/{r['id']}/records", {"include": "sku,bulk_pricing_tiers"})) for r in lists}
    if lists:
        reads["assignments"] = lambda: client.list_all("/v3/pricelists/assignments")
    got = client.gather(reads) if reads else {}
    by_list: dict[int, list[dict]] = {}
    for a in got.get("assignments", []):
        by_list.setdefault(a.get("price_list_id"), []).append(a)
    for row in lists:
        row["records"] = got.get(f"records#{row['id']}", [])
        row["assignments"] = by_list.get(row["id"], [])


_EXTRA_READS = {"price_list": _read_price_lists}


def read_touched(client: StoreClient, keys: dict[str, list[str]], settings: StoreSettings | None = None,
                 registry: Registry = REGISTRY) -> LiveState:
    """Read only the objects a plan touches (plus the kinds others refer to).

    ``keys`` maps top-level kinds to keys (a sub-resource counts as its parent's
    key). Kinds with a ``key_filter`` are read by key, in chunks; the others
    (brands, categories: few, and needed to resolve names) are read whole.
    """
    settings = settings or StoreSettings()
    requests: dict = {}
    for kind in registry.ordered():
        if kind.parent:
            continue
        params = kind.list_params(settings) if kind.list_params else {}
        wanted = sorted(set(keys.get(kind.name, [])))
        if kind.key_filter is None:
            requests[kind.name] = (lambda k=kind, p=params: _read_kind(client, k, p))
        else:
            for i in range(0, len(wanted), KEYS_PER_REQUEST):
                chunk = ",".join(wanted[i : i + KEYS_PER_REQUEST])
                requests[f"{kind.name}#{i}"] = (lambda k=kind, p={**params, kind.key_filter: chunk}: _read_kind(client, k, p))
    rows = client.gather(requests) if requests else {}
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
    # Every top-level object's name first: objects refer to kinds read later
    # (a customer group's discount rule names a price list, an assignment a group).
    for kind in registry.ordered():
        if kind.parent or kind.name == "category":
            continue
        for row in rows.get(kind.name, []):
            if row.get(kind.key):
                refs.add(kind.name, row[kind.key], row[kind.id_field])
    children = [k for k in registry.ordered() if k.parent and k.live_from_parent]
    for kind in registry.ordered():
        if kind.parent:
            continue
        for row in rows.get(kind.name, []):
            fields = kind.from_live(row, refs)
            key = fields.get(kind.key)
            if not key:
                continue  # e.g. a product without SKU: cannot be matched to YAML
            live.add(LiveObject(kind.name, key, row[kind.id_field], fields, row.get("date_modified")))
            for child in children:
                if child.parent == kind.name:
                    for obj in child.live_from_parent(row, key, refs, settings):
                        live.add(obj)
    return live


def find_by_key(client: StoreClient, kind, key: str, *, parent_id: int | None = None,
                settings: StoreSettings | None = None) -> dict | None:
    """Look an object up by its key: after a create whose answer was lost (timeout,
    5xx, dropped connection) the store may or may not have it, and a blind retry
    could make a duplicate. Returns the store's row, or None."""
    settings = settings or StoreSettings()
    name = key.rsplit("/", 1)[-1]
    if kind.name == "product":
        params = {**(kind.list_params(settings) if kind.list_params else {}), "sku": key}
        rows = client.get(kind.endpoint, params).data.get("data") or []
    elif kind.name == "variant":
        rows = client.get("/v3/catalog/variants", {"sku": key}).data.get("data") or []
    elif kind.name == "category":
        from reconciler.resources.category import split_path

        params = {"name": split_path(key)[1], "tree_id:in": settings.category_tree_id}
        if parent_id:
            params["parent_id:in"] = parent_id
        rows = client.get(kind.endpoint, params).data.get("data") or []
    elif kind.api_version == "v2":
        rows = client.get(kind.endpoint, {"name": key}).data or []
    elif kind.name in ("option", "custom_field"):
        path = kind.endpoint.format(parent_id=parent_id)
        rows = client.list_all(path)
        field = "display_name" if kind.name == "option" else "name"
        return next((r for r in rows if str(r.get(field, "")).casefold() == name.casefold()), None)
    else:
        rows = client.get(kind.endpoint.format(parent_id=parent_id), {"name": key}).data.get("data") or []
    rows = rows if isinstance(rows, list) else []
    field = kind.key if kind.name != "category" else "name"
    wanted = key if kind.name != "category" else name
    return next((r for r in rows if str(r.get(field, "")).casefold() == wanted.casefold()), None)
