"""LiveBuilder: the store's list rows into a LiveState, page by page as they arrive.

A page is translated (``from_live``, ``live_from_parent``) as soon as everything
its kind looks up in the RefIndex has been read (``Registry.looks_up``, from the
kinds' ``depends_on``), and its raw rows
are dropped then: product pages once the brands and categories are in, price
records at once, customer groups last (their discount rules name products). A
page that arrives earlier waits, raw, until then. So a read of the whole store
never holds all its raw pages beside the LiveState built from them.

    >>> builder = LiveBuilder(settings)
    >>> builder.add("brand", rows)            # from any thread, pages in any order
    >>> builder.done("brand")                 # every brand row is in
    >>> live = builder.finish()

Objects enter the LiveState in the order of a sequential read (kind by kind,
page by page, row by row), whatever order the pages arrived in. Equal small
values are one object (``_shared``): a LiveObject's ``fields`` and ``extra`` are
read-only.
"""

from __future__ import annotations

import threading
from typing import Any

from reconciler.core.settings import StoreSettings
from reconciler.core.live import LiveObject, LiveState
from reconciler.resources import REGISTRY, Registry

class LiveBuilder:
    def __init__(self, settings: StoreSettings | None = None, registry: Registry = REGISTRY) -> None:
        self.settings = settings or StoreSettings()
        self.registry = registry
        self.live = LiveState()
        self._rank = {k.name: i for i, k in enumerate(registry.ordered())}
        self._children = {k.name: [c for c in registry.ordered() if c.parent == k.name and c.live_from_parent]
                          for k in registry.ordered()}
        self._lock = threading.Lock()
        self._done: set[str] = set()
        self._finished = False
        self._whole: dict[str, list[dict]] = {}   # rows of kinds whose keys need them all
        self._waiting: list[tuple[tuple, frozenset, Any]] = []   # (order, needs, translate)
        self._out: list[tuple[tuple, list[LiveObject]]] = []      # (order, objects)
        self._memo: dict = {}   # see _shared

    # -- input ---------------------------------------------------------------------

    def add(self, kind: str, rows: list[dict], page: int | tuple = 1) -> None:
        """One page of a top-level kind's rows; pages enter the LiveState in the order
        of ``page`` (a number, or a tuple such as (chunk, page))."""
        k = self.registry[kind]
        needs = set(self._needs(kind))
        for child in self._children[kind]:
            needs.update(self._needs(child.name))
        order = (self._rank[kind], *(page if isinstance(page, tuple) else (page,)))
        with self._lock:
            self._register(k, rows)
            self._offer(order, needs, lambda: self._objects(k, rows))

    def add_refs(self, kind: str, rows: list[dict]) -> None:
        """Rows of ``kind`` known by name only (key and id, e.g. ``include_fields=sku``):
        into the RefIndex, never the LiveState. For the objects other objects name
        that a partial read does not read (read_touched: a group's rule's products)."""
        with self._lock:
            self._register(self.registry[kind], rows)

    def add_children(self, kind: str, parent_row: dict, rows: list[dict], order: tuple = (0, 1)) -> None:
        """Sub-resource rows read apart from their parent (a price list's records,
        its assignments): ``order`` = (the parent row's position, page number)."""
        k = self.registry[kind]
        needs = {*self._needs(kind), k.parent}
        with self._lock:
            self._offer((self._rank[kind], *order), needs, lambda: self._child_objects(k, parent_row, rows))

    def done(self, kind: str) -> None:
        """Every row of ``kind`` has been added: pages waiting for it are translated now."""
        with self._lock:
            self._done.add(kind)
            self._register_whole(kind)
            self._flush()

    def finish(self) -> LiveState:
        """Translate whatever still waits and fill the LiveState in read order."""
        with self._lock:
            for kind in [k for k in self._whole if k not in self._done]:
                self._done.add(kind)
                self._register_whole(kind)
            self._finished = True
            self._flush()
            self._out.sort(key=lambda item: item[0])
            for _, objects in self._out:
                for obj in objects:
                    self.live.add(obj)
            self._out.clear()
            return self.live

    # -- inside the lock -------------------------------------------------------------

    def _needs(self, kind: str) -> tuple[str, ...]:
        return self.registry.looks_up(kind)

    def _register(self, kind, rows: list[dict]) -> None:
        """Names first: objects of other kinds refer to them by key."""
        if kind.keys_of_rows:
            self._whole.setdefault(kind.name, []).extend(rows)   # a path needs the whole tree: at done()
            return
        refs = self.live.refs
        for row in rows:
            if row.get(kind.key):
                refs.add(kind.name, row[kind.key], row[kind.id_field])

    def _register_whole(self, kind: str) -> None:
        rows = self._whole.pop(kind, None)
        if rows is not None:
            for id_, key in self.registry[kind].keys_of_rows(rows, self.settings).items():
                self.live.refs.add(kind, key, id_)

    def _offer(self, order: tuple, needs: set[str], translate) -> None:
        if self._ready(needs):
            self._out.append((order, translate()))
        else:
            self._waiting.append((order, frozenset(needs), translate))

    def _ready(self, needs) -> bool:
        return self._finished or needs <= self._done

    def _flush(self) -> None:
        waiting, self._waiting = self._waiting, []
        for order, needs, translate in waiting:
            self._offer(order, needs, translate)

    def _objects(self, kind, rows: list[dict]) -> list[LiveObject]:
        refs, settings = self.live.refs, self.settings
        children = self._children[kind.name]
        out: list[LiveObject] = []
        for row in rows:
            fields = kind.from_live(row, refs)
            key = fields.get(kind.key)
            if not key:
                continue  # e.g. a product without SKU: cannot be matched to YAML
            extra = kind.live_extra(row) if kind.live_extra else {}
            out.append(LiveObject(kind.name, key, row[kind.id_field], fields, row.get("date_modified"), extra=extra))
            for child in children:
                out.extend(child.live_from_parent(row, key, refs, settings))
        return self._shared(out)

    def _child_objects(self, kind, parent_row: dict, rows: list[dict]) -> list[LiveObject]:
        parent = self.registry[kind.parent]
        key = self.live.refs.key_of(parent.name, parent_row[parent.id_field])
        if not key:
            return []
        row = {**parent_row, kind.owner_field: rows}
        return self._shared(kind.live_from_parent(row, key, self.live.refs, self.settings))

    def _shared(self, objects: list[LiveObject]) -> list[LiveObject]:
        """One object for equal small values: {"product_id": 7} is the ``extra`` of
        each of a product's variants and custom fields, {"channel": "uk-main"} the
        fields of thousands of channel assignments, and a bulk import gives
        thousands of records one ``date_modified``. Larger dicts are rarely equal
        and not tried; a dict holding a list or dict (unhashable) stays as it is.
        At 10,000 products: 0.07 s of CPU, 11 MB less."""
        memo = self._memo
        for obj in objects:
            extra = obj.extra
            if len(extra) <= 1:       # {} or {"product_id": 7}; two ids name one object
                try:
                    obj.extra = memo.setdefault(tuple(extra.items()), extra)
                except TypeError:
                    pass
            fields = obj.fields
            if len(fields) <= 2:      # {"channel": ...}, {"name": ..., "value": ...}
                try:
                    obj.fields = memo.setdefault(tuple(fields.items()), fields)
                except TypeError:
                    pass
            date = obj.date_modified
            if date is not None:
                obj.date_modified = memo.setdefault(date, date)
        return objects


def build_live(rows: dict[str, list[dict]], settings: StoreSettings | None = None,
               registry: Registry = REGISTRY) -> LiveState:
    """Raw list rows per kind (sub-resources inside their parents' rows, as the cache
    keeps them) into a LiveState."""
    builder = LiveBuilder(settings, registry)
    for kind in registry.ordered():
        if not kind.parent:
            builder.add(kind.name, rows.get(kind.name, []))
            builder.done(kind.name)
    return builder.finish()
