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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reconciler import gcpause
from reconciler.core.settings import StoreSettings
from reconciler.core.live import LiveState
from reconciler.resources import REGISTRY, Registry
from reconciler.store import cache
from reconciler.store.build import EVERYTHING, LOOKS_UP, LiveBuilder, build_live
from reconciler.store.client import PAGE_SIZE, StoreClient

log = logging.getLogger(__name__)

__all__ = ["read_live", "read_touched", "touched_by_changes", "Touched", "build_live", "find_by_key"]

RECORD_PARAMS = {"include": "sku,bulk_pricing_tiers"}


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
            return _read_options(client, builder.finish(), settings)
        return _read_options(client, _read_cached(client, settings, registry, refresh, cache_path), settings)


def _read_options(client: StoreClient, live: LiveState, settings: StoreSettings) -> LiveState:
    """The store's own options of the products whose YAML options their variants do
    not explain (resources/option.py): a value no variant uses is only there."""
    from reconciler.resources import option

    wanted = option.unexplained(live, settings.declared_options)
    if not wanted:
        return live
    items = sorted(wanted.items())
    groups = [items[i::8] for i in range(min(8, len(items)))]     # a few threads, not one per product
    got = client.gather({str(i): (lambda g=g: [(sku, pid, client.list_all(f"/v3/catalog/products/{pid}/options"))
                                                for sku, pid in g]) for i, g in enumerate(groups)})
    read = {sku.casefold() for sku in wanted}
    options = live.objects.setdefault("option", {})
    for key in [k for k, o in options.items() if (o.parent or "").casefold() in read]:
        del options[key]
    for results in got.values():
        for sku, pid, rows in results:
            for obj in option.live_from_options(rows, sku, pid, live.refs):
                live.add(obj)
    return live


def _read_cached(client: StoreClient, settings: StoreSettings, registry: Registry, refresh: str,
                 cache_path: Path | None) -> LiveState:
    """A read whose raw rows are saved for the next incremental one."""
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
        collector = RowCollector(registry)
        _read_all(client, collector, settings, registry)
        rows = collector.finish()
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
            f"/v3/pricelists/{pl['id']}/records", {**RECORD_PARAMS, "date_modified:min": changed_since}))
    got = client.gather(reads)
    rows["product"] = cache.merge(rows.get("product", []), got["product"], key=lambda r: r["id"])
    for pl in rows.get("price_list", []):
        pl["records"] = cache.merge(pl.get("records", []), got[f"records#{pl['id']}"],
                                    key=lambda r: (r.get("variant_id"), str(r.get("currency", "")).lower()))
    log.info("Incremental refresh: %d product(s) changed since %s", len(got["product"]), changed_since)
    return rows


# -- reading into a sink ---------------------------------------------------------------

def _read_all(client: StoreClient, sink, settings: StoreSettings, registry: Registry) -> None:
    """Every top-level kind side by side, each page into ``sink`` as it arrives."""
    client.gather({
        k.name: (lambda k=k: _read_kind(client, sink, k, k.list_params(settings) if k.list_params else None))
        for k in registry.ordered() if not k.parent
    })


def _read_kind(client: StoreClient, sink, kind, params: dict | None, touched: "Touched | None" = None) -> None:
    """A whole kind; with ``touched``, only the touched sub-resources read apart from it."""
    children = _CHILD_READS.get(kind.name, (None,))[0]
    if kind.api_version == "v2":
        sink.add(kind.name, client.list_v2(kind.endpoint, params))
    elif children:
        rows = client.list_all(kind.endpoint, params)
        sink.add(kind.name, rows)
        sink.done(kind.name)
        children(client, sink, rows, touched)
        return
    else:
        client.each_page(kind.endpoint, params, lambda n, rows: sink.add(kind.name, rows, n))
    sink.done(kind.name)


def _read_price_list_children(client: StoreClient, sink, lists: list[dict], touched: "Touched | None" = None) -> None:
    """Each list's records (page by page) and the lists' assignments (one read). With
    ``touched``: the touched records only, by variant id (or SKU for new ones), and
    the assignments only when one is touched."""
    records = _by_folded(touched.children.get("price_record", {})) if touched else None
    assignments = _by_folded(touched.children.get("price_list_assignment", {})) if touched else None
    reads = {}
    for i, row in enumerate(lists):
        name = str(row.get("name") or "").casefold()
        if records is None or (name in records and records[name][1] is None):
            reads[f"records#{row['id']}"] = (lambda i=i, row=row: client.each_cursor_page(
                f"/v3/pricelists/{row['id']}/records", RECORD_PARAMS,
                lambda n, rows: sink.add_children("price_record", row, rows, (i, 0, n))))
        elif name in records:
            reads[f"records#{row['id']}"] = (lambda i=i, row=row, touched=records[name]: _read_records(
                client, sink, row, *touched, i))
    if assignments is None and lists:
        reads["assignments"] = lambda: _add_assignments(sink, lists, client.list_all("/v3/pricelists/assignments"))
    elif assignments:
        ids = ",".join(str(r["id"]) for r in lists if str(r.get("name") or "").casefold() in assignments)
        if ids:
            reads["assignments"] = lambda: _add_assignments(sink, lists, client.list_all(
                "/v3/pricelists/assignments", {"price_list_id:in": ids}))
    client.gather(reads)


def _by_folded(by_parent: dict[str, Any]) -> dict[str, tuple[str, Any]]:
    """{parent key: x} -> {folded parent key: (parent key, x)}: the plan may spell a
    list's name in another case than the store (keys match case-insensitively)."""
    return {key.casefold(): (key, x) for key, x in by_parent.items()}


def _read_records(client: StoreClient, sink, row: dict, name: str, items: list[tuple[str, Any]], i: int) -> None:
    """One list's touched records (``name``: the list as the plan names it): by
    ``variant_id:in`` where the plan knows the variant (updates, deletes), by
    ``sku:in`` for new records (FACTS.md 10.2)."""
    path = f"/v3/pricelists/{row['id']}/records"
    ids = sorted({vid for _, vid in items if vid is not None})
    skus = sorted({key[len(name) + 1 : key.rindex(":")] for key, vid in items if vid is None})
    chunks = client.key_filters(path, RECORD_PARAMS, "variant_id:in", ids)
    chunks += client.key_filters(path, RECORD_PARAMS, "sku:in", skus)
    client.gather({str(j): (lambda j=j, chunk=chunk: client.each_cursor_page(
        path, {**RECORD_PARAMS, **chunk}, lambda n, rows: sink.add_children("price_record", row, rows, (i, j, n))))
        for j, chunk in enumerate(chunks)})


def _add_assignments(sink, lists: list[dict], rows: list[dict]) -> None:
    by_list: dict[int, list[dict]] = {}
    for a in rows:
        by_list.setdefault(a.get("price_list_id"), []).append(a)
    for i, row in enumerate(lists):
        sink.add_children("price_list_assignment", row, by_list.get(row["id"], []), (i, 1))


# Top-level kinds whose sub-resources are read apart from their rows: (reader, child kinds).
_CHILD_READS = {"price_list": (_read_price_list_children, ("price_record", "price_list_assignment"))}
_SEPARATE_CHILDREN = {child for _, children in _CHILD_READS.values() for child in children}


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


@dataclass
class Touched:
    """What a stale check (or a rollback) re-reads: never the whole store.

    - ``keys``: top-level objects read with their sub-resources (updated, deleted,
      or the parent of a changed variant, option, custom field or channel);
    - ``absent``: top-level objects the plan creates: only their absence is checked;
    - ``children``: sub-resources read apart from their parents (a price list's
      records and assignments): {kind: {parent key: [(key, live id or None)]}},
      None instead of the list for all of that parent's;
    - ``named``: keys of objects the plan's values name without touching them (the
      products a group's discount rules name): only their ids are looked up.
    """

    keys: dict[str, set[str]] = field(default_factory=dict)
    absent: dict[str, set[str]] = field(default_factory=dict)
    children: dict[str, dict[str, list[tuple[str, Any]] | None]] = field(default_factory=dict)
    named: dict[str, set[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, keys: "Touched | dict[str, list[str]]", registry: Registry = REGISTRY) -> "Touched":
        """A Touched, or one from {top-level kind: keys} (a sub-resource given as its
        parent's key: that parent's separately read sub-resources are read whole)."""
        if isinstance(keys, Touched):
            return keys
        out = cls(keys={k: set(v) for k, v in keys.items()})
        for parent, (_, children) in _CHILD_READS.items():
            for child in children:
                out.children[child] = {key: None for key in out.keys.get(parent, ())}
        return out


def touched_by_changes(changes, registry: Registry = REGISTRY) -> Touched:
    """What a plan's changes touch (``ResourceChange``s: kind, key, action, parent,
    live_id, reason). A create is only checked to be absent, unless it replaces a
    deleted object; a sub-resource's parent is read unless the plan creates it."""
    touched = Touched()
    parents: list[tuple[str, str]] = []
    for c in changes:
        verb = c.action.verb
        if verb == "noop":
            continue
        kind = registry[c.kind]
        if kind.parent:
            if not c.parent:
                continue   # a sub-resource without its parent's address: nothing to read it by
            parent = c.parent.key
            parents.append((kind.parent, parent))
            if kind.name in _SEPARATE_CHILDREN:
                touched.children.setdefault(kind.name, {}).setdefault(parent, []).append((c.key, c.live_id))
        elif verb == "create" and not (c.reason or "").startswith("replace"):
            touched.absent.setdefault(kind.name, set()).add(c.key)
        else:
            touched.keys.setdefault(kind.name, set()).add(c.key)
        if kind.name == "customer_group":   # the products its written rules name: their ids
            skus = _rule_products((c.after or {}).get("discount_rules"), "product")
            if skus:
                touched.named.setdefault("product", set()).update(skus)
    for kind, key in parents:
        if key not in touched.absent.get(kind, ()):
            touched.keys.setdefault(kind, set()).add(key)
    for kind, keys in touched.keys.items():
        touched.absent.get(kind, set()).difference_update(keys)
    return touched


def _rule_products(rules, by: str) -> set:
    """What a customer group's discount rules name products by: ``by`` "product"
    (SKUs: the plan's values) or "product_id" (the store's rows)."""
    return {r[by] for r in rules or () if isinstance(r, dict) and r.get("type") == "product"
            and r.get(by) is not None}


def read_touched(client: StoreClient, keys: "Touched | dict[str, list[str]]", settings: StoreSettings | None = None,
                 registry: Registry = REGISTRY) -> LiveState:
    """Read only what a plan touches (``touched_by_changes``; or {top-level kind: keys},
    a sub-resource counting as its parent's key), plus the kinds their names refer to.

    Kinds with a ``key_filter`` (products) are read by key, as many keys a request as
    the URL allows (up to a page, ``StoreClient.filter_chunks``); keys the plan creates
    are only looked for (key field only, or one listing of all keys when that is fewer
    requests) and the ones found read in full. The kinds without one (brands,
    categories, price lists, customer groups: few) are read whole when touched or
    referred to (build.LOOKS_UP). A price list's touched records are read by
    ``variant_id:in`` / ``sku:in``, its assignments by ``price_list_id:in`` (FACTS.md 10).
    The products a touched customer group's discount rules name (by id in the store,
    by SKU in the plan) and the plan does not read are looked up for their ids and
    SKUs only (``_read_groups``), so the group reads as planned and its rules'
    payloads name the right products.
    At 10,000 products a 1 % price change is checked with 7 requests (132 by parent
    keys), 10,000 creates into an empty store with 6 (205).
    """
    settings = settings or StoreSettings()
    touched = Touched.of(keys, registry)
    builder = LiveBuilder(settings, registry)
    needed = _needed(touched, registry)
    reads: dict = {}
    for kind in registry.ordered():
        if kind.parent:
            continue
        params = kind.list_params(settings) if kind.list_params else {}
        if kind.key_filter is not None:
            wanted, absent = touched.keys.get(kind.name, set()), touched.absent.get(kind.name, set())
            if wanted or absent:
                reads[kind.name] = (lambda k=kind, p=params, w=wanted, a=absent:
                                    _read_keys(client, builder, k, p, sorted(w), sorted(a)))
        elif kind.name == "customer_group" and (touched.keys.get(kind.name) or touched.named.get("product")):
            reads[kind.name] = lambda k=kind, p=params: _read_groups(client, builder, k, p, touched, registry)
        elif kind.name in needed:
            reads[kind.name] = lambda k=kind, p=params: _read_kind(client, builder, k, p, touched)
    with gcpause.paused():
        client.gather(reads)
        return _read_options(client, builder.finish(), settings)


def _needed(touched: Touched, registry: Registry) -> set[str]:
    """The touched kinds and, transitively, the kinds their translation and payloads
    look up (a kind unknown to build.LOOKS_UP needs every kind)."""
    todo = [*touched.keys, *touched.absent]
    for child in touched.children:
        todo += [child, registry[child].parent]
    needed: set[str] = set()
    while todo:
        kind = todo.pop()
        if kind in needed:
            continue
        needed.add(kind)
        looks_up = LOOKS_UP.get(kind, EVERYTHING)
        todo += [k.name for k in registry.ordered() if not k.parent] if looks_up == EVERYTHING else list(looks_up)
    return needed


def _read_keys(client: StoreClient, sink, kind, params: dict, wanted: list[str], absent: list[str]) -> None:
    """Objects by key, read whole; keys the plan creates only checked to be absent."""
    found = _present(client, kind, absent)
    chunks = client.key_filters(kind.endpoint, params, kind.key_filter, [*wanted, *found])
    client.gather({str(i): (lambda i=i, chunk=chunk: client.each_page(
        kind.endpoint, {**params, **chunk}, lambda n, rows: sink.add(kind.name, rows, (i, n))))
        for i, chunk in enumerate(chunks)})
    sink.done(kind.name)


def _read_groups(client: StoreClient, builder: LiveBuilder, kind, params: dict, touched: Touched,
                 registry: Registry) -> None:
    """The customer groups, and the ids and SKUs of the products their rules name: the
    SKUs the plan's rules write (beside the groups' read), then any product id a
    touched group's rules hold that those did not find (after it). They go
    into the RefIndex before the groups' rows, so the groups read with SKUs, never
    ``#<id>``, and the payloads find the ids. One request more (none when no rule
    names a product), two when the store's rules name a product the plan's do not."""
    product = registry["product"]
    skus = sorted(touched.named.get("product", ()))   # even those read in full: this answer comes sooner
    got = client.gather({"groups": lambda: client.list_v2(kind.endpoint, params),
                         "skus": lambda: _lookup(client, product, product.key_filter, skus)})
    rows, found = got["groups"], got["skus"]
    groups = {k.casefold() for k in touched.keys.get(kind.name, ())}
    ids = set().union(*(_rule_products(g.get("discount_rules"), "product_id") for g in rows
                        if str(g.get(kind.key) or "").casefold() in groups))
    ids -= {r.get(product.id_field) for r in found}
    found += _lookup(client, product, "id:in", sorted(ids))
    builder.add_refs(product.name, found)
    builder.add(kind.name, rows)
    builder.done(kind.name)


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
    key, so a sub-resource's name is what follows ``<parent>/`` (a name may hold '/')."""
    settings = settings or StoreSettings()
    if parent is not None and key.startswith(parent + "/"):
        name = key[len(parent) + 1:]
    else:
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
