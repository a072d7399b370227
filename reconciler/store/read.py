"""read_live(): every kind's list endpoint, side by side, into a LiveState.

Sub-resources (variants, options, custom fields, channel assignments) come in
the same pages as their products (``include=variants,custom_fields,channels``),
so reading them costs no extra request. Each page goes to a sink as it arrives:
the LiveBuilder (store/build.py), which translates it and lets the raw rows go,
or, when the read is to be cached, a RowCollector that keeps the raw rows.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any


from reconciler.core import gcpause
from reconciler.core.settings import StoreSettings
from reconciler.core.live import LiveState
from reconciler.store.touched import Touched, touched_by_changes
from reconciler.resources import REGISTRY, Registry
from reconciler.store import cache
from reconciler.store.build import LiveBuilder, build_live
from reconciler.store.client import PAGE_SIZE, StoreClient

log = logging.getLogger(__name__)

__all__ = ["read_live", "read_touched", "touched_by_changes", "Touched", "build_live", "find_by_key"]

def read_live(client: StoreClient, settings: StoreSettings | None = None,
              registry: Registry = REGISTRY, *, refresh: str | None = None,
              cache_path: Path | None = None) -> LiveState:
    """Read the whole store (``refresh`` None or "full"), or only what changed since
    the cached read ("incremental", see store/cache.py). With an explicit
    ``refresh`` the read is cached for the next incremental one. ``live.refresh``
    says which mode was used, and why a full read was needed."""
    settings = settings or StoreSettings()
    with gcpause.paused():
        if refresh not in ("full", "incremental"):
            builder = LiveBuilder(settings, registry)
            _read_all(client, builder, settings, registry)
            return _settle(client, builder.finish(), settings, registry)
        return _settle(client, _read_cached(client, settings, registry, refresh, cache_path), settings, registry)


def _settle(client: StoreClient, live: LiveState, settings: StoreSettings, registry: Registry) -> LiveState:
    """The kinds that complete their objects after the read (``ResourceKind.settle_read``)."""
    for kind in registry.ordered():
        if kind.settle_read:
            kind.settle_read(client, live, settings)
    return live


def _read_cached(client: StoreClient, settings: StoreSettings, registry: Registry, refresh: str,
                 cache_path: Path | None) -> LiveState:
    """A read whose raw rows are saved for the next incremental one."""
    path = cache_path or cache.DEFAULT_PATH
    store_hash = client.transport.config.store_hash
    started = cache.now()
    mode, rows, full_at, save = "full", None, started, True
    if refresh == "incremental":
        snap, why = _incremental(client, path, store_hash, settings, registry)
        if snap is None:
            mode = f"full ({why})"
        else:
            rows, full_at, save = snap.rows, snap.full_read_at, bool(why)
            mode = (f"incremental (changes since {cache.since(snap)}; "
                    f"last full read {snap.full_read_at.isoformat()})")
    if rows is None:
        collector = RowCollector(registry)
        _read_all(client, collector, settings, registry)
        rows = collector.finish()
    if save:     # nothing changed: the cache on disk already holds these rows (its older date only widens the next look-back)
        cache.save(path, cache.Snapshot(store_hash, full_at, started, rows, _sizes(rows, registry)))
    live = build_live(rows, settings, registry)
    live.refresh = mode
    return live


def _incremental(client: StoreClient, path: Path, store_hash: str, settings: StoreSettings,
                 registry: Registry) -> tuple["cache.Snapshot | None", str]:
    """The kinds with a ``modified_filter`` (products) and the read-apart kinds with a
    ``read_changed`` (price records): what changed since the cached read; the rest as cached.

    First the cache's head and one ``limit=1`` request per kind and per parent of a read-apart
    kind count what changed (``_changed_counts``), while the rows load: when more than
    ``cache.FULL_SHARE`` of the cached rows changed, a full read is faster (the filtered reads
    would ask for as many pages, plus the cache's own work): (None, why). Else the kinds and
    lists with changes are read: (the snapshot with them merged, "changed" or "" if none)."""
    head, why = cache.head_of(path, store_hash)
    if head is None:
        return None, why
    since = cache.since(head)
    top = [k for k in registry.ordered() if k.modified_filter and not k.parent]
    apart = [k for k in registry.ordered() if k.read_changed]
    got = client.gather({"counts": lambda: _changed_counts(client, head.sizes, since, settings, top, apart),
                         "rows": lambda: cache.load(path, head)})      # the rows load while the store answers
    counts, (snap, why) = got["counts"], got["rows"]
    cached = sum(head.sizes.get(k.name, 0) for k in top) + sum(
        sum((head.sizes.get(k.name) or {}).values()) for k in apart)
    if None not in counts.values() and sum(counts.values()) > cache.FULL_SHARE * cached:
        return None, f"{sum(counts.values())} of {cached} cached rows changed since {since}: a full read is faster"
    if snap is None:
        return None, why
    reads = {k.name: (lambda k=k: client.list_all(k.endpoint, {
        **(registry.list_params(k, settings) or {}), k.modified_filter: since})) for k in top if counts[k.name] != 0}
    for k in apart:
        parents = [r for r in snap.rows.get(k.parent, []) if counts.get(f"{k.name}#{r['id']}") != 0]
        if parents:
            reads[k.name] = lambda k=k, parents=parents: k.read_changed(client, parents, since, cache.merge)
    got = client.gather(reads)
    for k in top:
        fresh = got.get(k.name, [])
        snap.rows[k.name] = cache.merge(snap.rows.get(k.name, []), fresh, key=lambda r, f=k.id_field: r[f])
        log.info("Incremental refresh: %d %s changed since %s", len(fresh), k.plural, since)
    return snap, "changed" if reads else ""


def _sizes(rows: dict[str, list[dict]], registry: Registry) -> dict[str, Any]:
    """The cache's row counts (``cache.Snapshot.sizes``): {kind: n}; a read-apart child
    kind: {kind: {parent id: n}}."""
    out: dict[str, Any] = {k.name: len(rows.get(k.name, [])) for k in registry.ordered() if not k.parent}
    for k in registry.ordered():
        if k.read_changed:
            out[k.name] = {str(r["id"]): len(r.get(k.owner_field) or []) for r in rows.get(k.parent, [])}
    return out


def _changed_counts(client: StoreClient, sizes: dict[str, Any], since: str, settings: StoreSettings,
                    top: list, apart: list) -> dict[str, int | None]:
    """{kind, or "kind#parent id": how many of its rows changed since ``since``} from one
    ``limit=1`` request each (the answer's pagination total; None when it gives none)."""
    asks = {k.name: (k.endpoint, {**(k.list_params(settings) if k.list_params else {}), k.modified_filter: since})
            for k in top}     # its own query without its children's include: a count needs no rows
    for k in apart:
        for parent_id in sizes.get(k.name) or {}:
            asks[f"{k.name}#{parent_id}"] = (k.endpoint.format(parent_id=parent_id), {k.modified_filter: since})
    got = client.gather({name: (lambda path=path, params=params: client.get(path, {**params, "limit": 1}).data)
                         for name, (path, params) in asks.items()})
    return {name: _total(data) for name, data in got.items()}


def _total(data) -> int | None:
    pagination = ((data or {}).get("meta") or {}).get("pagination") or {} if isinstance(data, dict) else {}
    total = pagination.get("total")
    return int(total) if total is not None else None


# -- reading into a sink ---------------------------------------------------------------

def _read_all(client: StoreClient, sink, settings: StoreSettings, registry: Registry) -> None:
    """Every top-level kind side by side, each page into ``sink`` as it arrives."""
    client.gather({
        k.name: (lambda k=k: _read_kind(client, sink, k, registry.list_params(k, settings),
                                        registry=registry))
        for k in registry.ordered() if not k.parent
    })


def _read_kind(client: StoreClient, sink, kind, params: dict | None, touched: "Touched | None" = None,
               registry: Registry = REGISTRY) -> None:
    """A whole kind; then its sub-resources read apart from its rows (``read_apart``):
    all of them, or with ``touched`` only the touched ones."""
    apart = _apart(kind, registry)
    if kind.api_version == "v2":
        sink.add(kind.name, client.list_v2(kind.endpoint, params))
    elif apart:
        rows = client.list_all(kind.endpoint, params)
        sink.add(kind.name, rows)
        sink.done(kind.name)
        client.gather({f"{child.name}#{name}": read for child in apart for name, read in child.read_apart(
            client, sink, rows, touched.children.get(child.name, {}) if touched else None).items()})
        return
    else:
        client.each_page(kind.endpoint, params, lambda n, rows: sink.add(kind.name, rows, n))
    sink.done(kind.name)


def _apart(kind, registry: Registry) -> list:
    """``kind``'s sub-resources that are read apart from its rows."""
    return [k for k in registry.ordered() if k.parent == kind.name and k.read_apart]


class RowCollector:
    """The sink that keeps raw rows, in the cache's shape: {kind: rows}, a price
    list's records and assignments inside its row."""

    def __init__(self, registry: Registry = REGISTRY) -> None:
        self.registry = registry
        self._lock = threading.Lock()
        self._pages: dict[str, dict[int, list[dict]]] = {}
        self._children: list[tuple[tuple, dict, str, list[dict]]] = []

    def add(self, kind: str, rows: list[dict], page: int = 1) -> None:
        with self._lock:
            self._pages.setdefault(kind, {})[page] = rows

    def add_children(self, kind: str, parent_row: dict, rows: list[dict], order: tuple = (0, 1)) -> None:
        with self._lock:
            self._children.append((order, parent_row, self.registry[kind].owner_field, rows))

    def done(self, kind: str) -> None:
        pass

    def finish(self) -> dict[str, list[dict]]:
        for _, parent_row, owner, _ in self._children:
            parent_row[owner] = []
        for _, parent_row, owner, rows in sorted(self._children, key=lambda c: c[0]):
            parent_row[owner].extend(rows)
        return {kind: [row for n in sorted(pages) for row in pages[n]] for kind, pages in self._pages.items()}


def _as_touched(keys: "Touched | dict[str, list[str]]", registry: Registry = REGISTRY) -> Touched:
    """A Touched, or one from {top-level kind: keys} (a sub-resource given as its
    parent's key: that parent's sub-resources read apart are read whole)."""
    if isinstance(keys, Touched):
        return keys
    out = Touched(keys={k: set(v) for k, v in keys.items()})
    for child in registry.ordered():
        if child.read_apart:
            out.children[child.name] = {key: None for key in out.keys.get(child.parent, ())}
    return out


def read_touched(client: StoreClient, keys: "Touched | dict[str, list[str]]", settings: StoreSettings | None = None,
                 registry: Registry = REGISTRY) -> LiveState:
    """Read only what a plan touches (``touched_by_changes``; or {top-level kind: keys},
    a sub-resource counting as its parent's key), plus the kinds their names refer to.

    Kinds with a ``key_filter`` (products) are read by key, as many keys a request as
    the URL allows (up to a page, ``StoreClient.filter_chunks``); keys the plan creates
    are only looked for (key field only, or one listing of all keys when that is fewer
    requests) and the ones found read in full. The kinds without one (brands,
    categories, price lists, customer groups: few) are read whole when touched or
    referred to (``Registry.looks_up``). A price list's touched records are read by
    ``variant_id:in`` / ``sku:in``, its assignments by ``price_list_id:in`` (FACTS.md 10).
    The products a touched customer group's discount rules name (by id in the store,
    by SKU in the plan) and the plan does not read are looked up for their ids and
    SKUs only (``_read_naming``, from ``ResourceKind.names``), so the group reads as planned and its rules'
    payloads name the right products.
    At 10,000 products a 1 % price change is checked with 7 requests (132 by parent
    keys), 10,000 creates into an empty store with 6 (205).
    """
    settings = settings or StoreSettings()
    touched = _as_touched(keys, registry)
    builder = LiveBuilder(settings, registry)
    needed = _needed(touched, registry)
    reads: dict = {}
    for kind in registry.ordered():
        if kind.parent:
            continue
        params = registry.list_params(kind, settings) or {}
        if kind.key_filter is not None:
            wanted, absent = touched.keys.get(kind.name, set()), touched.absent.get(kind.name, set())
            if wanted or absent:
                reads[kind.name] = (lambda k=kind, p=params, w=wanted, a=absent:
                                    _read_keys(client, builder, k, p, sorted(w), sorted(a)))
        elif kind.names and (touched.keys.get(kind.name) or touched.named):
            reads[kind.name] = lambda k=kind, p=params: _read_naming(client, builder, k, p, touched, registry)
        elif kind.name in needed:
            reads[kind.name] = lambda k=kind, p=params: _read_kind(client, builder, k, p, touched, registry)
    with gcpause.paused():
        client.gather(reads)
        return _settle(client, builder.finish(), settings, registry)


def _needed(touched: Touched, registry: Registry) -> set[str]:
    """The touched kinds and, transitively, the kinds their translation and payloads
    look up (``Registry.looks_up``)."""
    todo = [*touched.keys, *touched.absent]
    for child in touched.children:
        todo += [child, registry[child].parent]
    needed: set[str] = set()
    while todo:
        kind = todo.pop()
        if kind in needed:
            continue
        needed.add(kind)
        todo += list(registry.looks_up(kind))
    return needed


def _read_keys(client: StoreClient, sink, kind, params: dict, wanted: list[str], absent: list[str]) -> None:
    """Objects by key, read whole; keys the plan creates only checked to be absent."""
    found = _present(client, kind, absent)
    chunks = client.key_filters(kind.endpoint, params, kind.key_filter, [*wanted, *found])
    client.gather({str(i): (lambda i=i, chunk=chunk: client.each_page(
        kind.endpoint, {**params, **chunk}, lambda n, rows: sink.add(kind.name, rows, (i, n))))
        for i, chunk in enumerate(chunks)})
    sink.done(kind.name)


def _read_naming(client: StoreClient, builder: LiveBuilder, kind, params: dict, touched: Touched,
                 registry: Registry) -> None:
    """A kind whose values name other kinds' objects (``ResourceKind.names``: a
    group's discount rules name products), and the ids and keys of those objects: the
    keys the plan's values write (beside the kind's read), then any id a touched
    row names that those did not find (after it). They go into the RefIndex before
    the kind's rows, so those read with keys, never ``#<id>``, and the payloads find
    the ids. One request more (none when nothing is named), two when the store's rows
    name an object the plan's do not."""
    got = client.gather({"rows": lambda: _list(client, kind, params), **{
        named: (lambda n=registry[named], keys=sorted(keys): _lookup(client, n, n.key_filter, keys))
        for named, keys in touched.named.items()}})
    rows = got.pop("rows")
    mine = {k.casefold() for k in touched.keys.get(kind.name, ())}
    held: dict[str, set] = {}
    for row in rows:
        if str(row.get(kind.key) or "").casefold() in mine:
            for named, ids in kind.names_in_row(row).items():
                held.setdefault(named, set()).update(ids)
    for named in {*got, *held}:
        target, found = registry[named], got.get(named, [])
        ids = held.get(named, set()) - {r.get(target.id_field) for r in found}
        builder.add_refs(named, found + _lookup(client, target, f"{target.id_field}:in", sorted(ids)))
    builder.add(kind.name, rows)
    builder.done(kind.name)


def _list(client: StoreClient, kind, params: dict | None) -> list[dict]:
    return client.list_v2(kind.endpoint, params) if kind.api_version == "v2" else client.list_all(kind.endpoint, params)


def _lookup(client: StoreClient, kind, name: str, values: list) -> list[dict]:
    """The objects whose filter ``name`` (``sku:in``, ``id:in``: FACTS.md 5.5) matches
    ``values``, key and id only (``include_fields``: the id always comes, FACTS.md 3.3)."""
    if not values:
        return []
    light = {"include_fields": kind.key}
    chunks = client.key_filters(kind.endpoint, light, name, values)
    got = client.gather({str(i): (lambda chunk=chunk: client.list_all(kind.endpoint, {**light, **chunk}))
                         for i, chunk in enumerate(chunks)})
    return [row for i in range(len(chunks)) for row in got[str(i)]]


def _present(client: StoreClient, kind, keys: list[str]) -> list[str]:
    """Which of ``keys`` the store has, asking for the key field only. By key when
    that takes one request; else the store's first page of keys says how many pages
    a listing of all its keys takes, and the fewer requests win (a plan creating
    most of the store: into an empty store, 10,000 creates are one request)."""
    if not keys:
        return []
    light = {"include_fields": kind.key}
    chunks = client.key_filters(kind.endpoint, light, kind.key_filter, keys)
    wanted = {k.casefold(): k for k in keys}
    seen: list[str] = []
    lock = threading.Lock()

    def keep(_: int, rows: list[dict]) -> None:
        with lock:
            seen.extend(str(r.get(kind.key) or "") for r in rows)

    if len(chunks) > 1:
        first = client.get(kind.endpoint, {**light, "limit": PAGE_SIZE, "page": 1}).data or {}
        pages = int(((first.get("meta") or {}).get("pagination") or {}).get("total_pages") or 1)
        if pages <= len(chunks):
            keep(1, first.get("data") or [])
            client.map(lambda p: keep(p, client.get(kind.endpoint, {**light, "limit": PAGE_SIZE, "page": p})
                                      .data.get("data") or []), range(2, pages + 1))
            chunks = []
    client.gather({str(i): (lambda chunk=chunk: client.each_page(kind.endpoint, {**light, **chunk}, keep))
                   for i, chunk in enumerate(chunks)})
    return sorted({wanted[s.casefold()] for s in seen if s.casefold() in wanted})


def find_by_key(client: StoreClient, kind, key: str, *, parent_id: int | None = None,
                settings: StoreSettings | None = None, parent: str | None = None) -> dict | None:
    """Look an object up by its key: after a create whose answer was lost (timeout,
    5xx, dropped connection) the store may or may not have it, and a blind retry
    could make a duplicate. Returns the store's row, or None. ``parent``: the parent's
    key, so a sub-resource's name is what follows ``<parent>/`` (a name may hold '/').
    Where to look is the kind's ``find_rows`` (default: its list filtered by the key
    field); what must match, its ``match_field`` (default: the key field)."""
    settings = settings or StoreSettings()
    if parent is not None and key.startswith(parent + "/"):
        name = key[len(parent) + 1:]
    else:
        name = key.rsplit("/", 1)[-1]
    rows = (kind.find_rows or _rows_by_key)(client, kind, key, name, parent_id, settings)
    field, wanted = (kind.match_field, name) if kind.match_field else (kind.key, key)
    return next((r for r in rows if isinstance(r, dict)
                 and str(r.get(field, "")).casefold() == wanted.casefold()), None)


def _rows_by_key(client: StoreClient, kind, key: str, name: str, parent_id, settings: StoreSettings) -> list[dict]:
    params = {**(REGISTRY.list_params(kind, settings) or {}), kind.key: key}
    data = client.get(kind.endpoint.format(parent_id=parent_id), params).data
    rows = data if kind.api_version == "v2" else (data or {}).get("data")
    return rows if isinstance(rows, list) else []
