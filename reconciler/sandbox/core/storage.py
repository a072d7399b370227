"""Storage: the sandbox's own store, on stdlib sqlite3 (moto's backend state). It
imports no service: the services' models declare what it needs (``core/service.py``).

Generic tables; a kind is a *kind name*, not code here:

    objects(kind, id, body JSON, keys…)   one row per object; the body is the API shape,
                                   the key columns (below) are copied from it at every save
    views(kind, id, parent, text)  kept views (below): an object's API JSON, while fresh;
                                   ``parent`` its ``product_id``
    sequences(kind, last_id)       id allocation per kind (first ids: the models' FIRST_IDS)
    links(kind, a, b)              many-to-many pairs, e.g. ("product_channel", 111, 1)
    meta(key, value)               "initialized" marks a db that was already seeded

Keys in a body that start with "_" are internal and never leave the sandbox.

Key columns make the lookups that would otherwise scan a kind cheap, so a store of
10,000 products with 30,000 variants stays fast. Each model declares the ones it is
found by (``KEYS``: ``Key(field, path, folded, role)``, ``MATCHES``); every declared key
is copied from every body when it is saved (casefolded when ``folded``), whatever the
kind, and has a plain index:

* ``children(kind, parent_ids, field)`` – objects whose ``field`` (a "parent" key such
  as ``product_id``) is in the list: the variants of a page of products in one query;
* ``lookup(kinds, field, value)`` – objects whose ``field`` (a "lookup" key, e.g. the
  unique ``sku``, ``name``, ``custom_url``) equals ``value`` ignoring case;
* ``match(kind, **fields)`` – objects by the fields of a declared ``Match`` (or the
  first one or two of them), e.g. a price record's (list, variant, currency).

A db file written before some key column existed gets it filled from the bodies.

Kept views (``views.py``): a model may ``keep_views(kind, render, depends_on)``.
Its objects' API views are then kept as JSON text in ``views``, so a page of 250 products
with their variants is joined from stored text, not decoded, rebuilt and re-encoded.
Every write deletes the object's view, and the views of the objects that show it
(``depends_on``: a variant shows its product's price and its options' labels). A
missing view is rendered from the bodies when it is next read, and kept; ``seed``
renders them all at once. Writes and reads hold the lock and a rolled-back transaction
takes its views back with its bodies, so a kept view is never older than a body it
shows.

Concurrency: one connection shared by the server's threads, guarded by one RLock;
``transaction()`` wraps a request so that a ``SandboxError`` raised half-way through a
batch rolls everything back (the all-or-nothing rule for batch writes). Reads hold it
too: they may store views, one connection's statements would interleave with another
thread's open transaction, and a page is mostly Python work that the GIL serialises
anyway (the answer is written to the socket after the lock is released).

Persistence: with ``db`` a file path, objects and id sequences survive a restart.
``Storage(db, services)`` on a file that was already initialised keeps its contents; only
``reset()`` clears it. Rate-limit windows, stats and the request log are in memory.

    >>> from reconciler.sandbox.store import StoreState   # Storage with every service
    >>> s = StoreState(":memory:"); s.reset()
    >>> s.brands.create({"name": "GTSE Pro"})["id"]
    35
"""

from __future__ import annotations

import json
import sqlite3
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Iterable, Iterator

from . import views
from .validation import normalize_number

# The fixed tables; ``objects`` gets one more column per declared key (``Key``).
_TABLES = """
CREATE TABLE IF NOT EXISTS objects (kind TEXT NOT NULL, id INTEGER NOT NULL, body TEXT NOT NULL{keys},
                                    PRIMARY KEY (kind, id));
CREATE TABLE IF NOT EXISTS views (kind TEXT NOT NULL, id INTEGER NOT NULL, parent INTEGER,
                                  text TEXT NOT NULL, PRIMARY KEY (kind, id));
CREATE TABLE IF NOT EXISTS sequences (kind TEXT PRIMARY KEY, last_id INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS links (kind TEXT NOT NULL, a INTEGER NOT NULL, b INTEGER NOT NULL,
                                  PRIMARY KEY (kind, a, b));
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS views_parent ON views (parent, kind);
"""
# Expression indexes of db files from before the key columns (they called casefold()).
_OLD_INDEXES = ("objects_record_key", "objects_parent", "objects_price_list", "objects_sku", "objects_name",
                "objects_custom_url", "objects_stale")
_JOIN_VIEWS = "LEFT JOIN views v ON v.kind=o.kind AND v.id=o.id"
SEED_PHASE_LAST = 1000


@dataclass(frozen=True)
class Key:
    """A key column a model declares: ``path`` in the body is copied to ``column`` at
    every save (casefolded when ``folded``), whatever the kind. ``role``: "lookup"
    (``lookup(kinds, field, value)``, index (kind, column)), "parent" (``children``,
    index (kind, column, id)) or "match" (only part of a ``Match``)."""
    field: str
    path: tuple[str, ...]
    folded: bool = False
    role: str = "lookup"
    column: str = ""

    @property
    def name(self) -> str:
        return self.column or self.field

    @property
    def json_path(self) -> str:
        return "$." + ".".join(self.path)

    def value(self, obj: dict) -> Any:
        value: Any = obj
        for step in self.path:
            value = value.get(step) if isinstance(value, dict) else None
        if not isinstance(value, (int, float, str)):
            return None  # no lookup asks for anything else
        return casefold(value) if self.folded else value


@dataclass(frozen=True)
class Match:
    """Fields ``match(kind, **fields)`` finds objects by, in the order of one index."""
    name: str
    fields: tuple[str, ...]


def _declared(models: Iterable[type]) -> tuple[dict[str, Key], dict[str, Match], dict[str, int]]:
    """The keys (by field), matches (by name) and first ids the model classes declare."""
    keys: dict[str, Key] = {}
    matches: dict[str, Match] = {}
    first_ids: dict[str, int] = {}
    for model in models:
        for key in getattr(model, "KEYS", ()):
            if keys.setdefault(key.field, key) != key:
                raise ValueError(f"{model.__name__} declares key {key.field!r} unlike another model")
        for match in getattr(model, "MATCHES", ()):
            matches[match.name] = match
        first_ids.update(getattr(model, "FIRST_IDS", {}))
    return keys, matches, first_ids


def _indexes(keys: Iterable[Key], matches: Iterable[Match]) -> str:
    out = []
    for key in keys:
        if key.role != "match":
            tail = ", id" if key.role == "parent" else ""
            out.append(f"CREATE INDEX IF NOT EXISTS objects_by_{key.name} ON objects (kind, {key.name}{tail});")
    for match in matches:
        out.append(f"CREATE INDEX IF NOT EXISTS objects_by_{match.name} ON objects (kind, {', '.join(match.fields)});")
    return "\n".join(out)


DATE_FORMAT = "%Y-%m-%dT%H:%M:%S+00:00"  # P product_Full: 2018-08-15T14:49:05+00:00
DATE_FORMAT_Z = "%Y-%m-%dT%H:%M:%SZ"      # PL getPriceLists: 2022-02-26T17:33:11Z
DATE_FORMAT_V2 = "%Y-%m-%d %H:%M:%S"      # CU2 customerGroup_Full: 2023-07-17 06:30:41 (UTC)


_MAX_INT = 2 ** 63 - 1


def _clamp(n: int) -> int:
    """An int SQLite can bind (a cursor or page number from a query may be any size)."""
    return max(-_MAX_INT, min(n, _MAX_INT))


def _dumps(obj: Any) -> str:
    return json.dumps(obj, default=normalize_number, separators=(",", ":"))


def casefold(value: Any) -> Any:
    """SQL function ``casefold(x)``: Python's caseless key for strings, else x."""
    return value.casefold() if isinstance(value, str) else value


def public(obj: dict) -> dict:
    """The API view of a stored body: internal "_" keys removed."""
    return {k: v for k, v in obj.items() if not k.startswith("_")}


class Storage:
    """The store's state: generic tables, and one attribute per model of the services
    it is given (``services``, or the class's ``SERVICES``), e.g. ``storage.products``."""

    SERVICES: tuple = ()

    def __init__(self, db: str = ":memory:", services: Iterable[Any] | None = None) -> None:
        self.lock = threading.RLock()
        self._conn = sqlite3.connect(db, check_same_thread=False, isolation_level=None)
        self._depth = 0
        # Registered before the schema: the expression indexes call it on every write.
        self._conn.create_function("casefold", 1, casefold, deterministic=True)
        # kind -> render(bodies) -> API objects; source kind -> {field: [dependent kinds]}
        self._renderers: dict[str, Callable[[list[dict]], list[dict]]] = {}
        self._dependents: dict[str, dict[str, list[str]]] = {}
        self.services = tuple(self.SERVICES if services is None else services)
        classes = [(attr, cls) for service in self.services for attr, cls in service.models]
        self._keys, self._matches, self._first_ids = _declared(cls for _, cls in classes)
        with self.lock:
            self._create_tables()
        self.models = []
        for attr, cls in classes:
            model = cls(self)
            setattr(self, attr, model)
            self.models.append(model)

    def _create_tables(self) -> None:
        keys = list(self._keys.values())
        self._conn.executescript(_TABLES.format(keys="".join(f", {k.name}" for k in keys)))
        columns = {row[1] for row in self._conn.execute("PRAGMA table_info(objects)")}
        missing = [k for k in keys if k.name not in columns]
        if missing:  # a db file from before (some of) the key columns: fill them from the bodies
            for index in _OLD_INDEXES:
                self._conn.execute(f"DROP INDEX IF EXISTS {index}")
            for key in missing:
                value = f"json_extract(body, '{key.json_path}')"
                self._conn.execute(f"ALTER TABLE objects ADD COLUMN {key.name}")
                self._conn.execute(f"UPDATE objects SET {key.name} = {f'casefold({value})' if key.folded else value}")
        self._conn.executescript(_indexes(keys, self._matches.values()))

    # ---- lifecycle ----------------------------------------------------------------

    @property
    def initialized(self) -> bool:
        with self.lock:
            row = self._conn.execute("SELECT value FROM meta WHERE key='initialized'").fetchone()
        return row is not None

    def reset(self, data: dict | None = None) -> None:
        """Clear everything, recreate the fixed parts (each model's ``install``), then seed."""
        with self.transaction():
            for table in ("objects", "views", "sequences", "links", "meta"):
                self._conn.execute(f"DELETE FROM {table}")
            for model in self.models:
                if hasattr(model, "install"):
                    model.install()
            if data:
                self.seed(data)
            self._conn.execute("INSERT INTO meta VALUES ('initialized', ?)", (self.now(),))

    def seed(self, data: dict) -> None:
        """Add objects in the SEED FORMAT (see ``reconciler.sandbox.seeds``), bypassing
        validation but using the same builders as the API, so seeded objects are
        identical to ones created over HTTP. A model declares ``SEED = (section, phase)``
        and takes the section's items in ``seed_all``; phases run in order (price lists
        before the groups whose discount rules name them, their assignments after)."""
        steps = sorted(((m.SEED[1], i, m) for i, m in enumerate(self.models) if getattr(m, "SEED", None)),
                       key=lambda t: t[:2])
        unknown = set(data) - {m.SEED[0] for *_, m in steps}
        if unknown:
            raise ValueError(f"unknown seed section(s): {sorted(unknown)}")
        with self.transaction():
            for *_, model in steps:
                model.seed_all(data.get(model.SEED[0], []))
            self.refresh_views()

    def dump(self) -> dict[str, list[dict]]:
        """The whole store in the SEED FORMAT: each model's ``dump()`` sections, in one
        consistent snapshot (writers wait)."""
        with self.transaction():
            out: dict[str, list[dict]] = {}
            for model in self.models:
                if hasattr(model, "dump"):
                    out.update(model.dump())
            return out

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self.lock:
            outer = self._depth == 0
            if outer:
                self._conn.execute("BEGIN IMMEDIATE")
            self._depth += 1
            try:
                yield
            except BaseException:
                self._depth -= 1
                if outer:
                    self._conn.execute("ROLLBACK")
                raise
            self._depth -= 1
            if outer:
                self._conn.execute("COMMIT")

    def close(self) -> None:
        with self.lock:
            self._conn.close()

    # ---- objects ------------------------------------------------------------------

    def get(self, kind: str, oid: int) -> dict | None:
        with self.lock:
            row = self._conn.execute(
                "SELECT body FROM objects WHERE kind=? AND id=?", (kind, oid)).fetchone()
        return None if row is None else json.loads(row[0])

    def all(self, kind: str) -> list[dict]:
        """Every object of a kind, in id order."""
        with self.lock:
            rows = self._conn.execute(
                "SELECT body FROM objects WHERE kind=? ORDER BY id", (kind,)).fetchall()
        return [json.loads(r[0]) for r in rows]

    def get_many(self, kind: str, ids: Iterable[int]) -> dict[int, dict]:
        """Objects of a kind by id, in one query; missing ids are left out."""
        with self.lock:
            rows = self._conn.execute(
                "SELECT id, body FROM objects WHERE kind=? AND id IN (SELECT value FROM json_each(?))",
                (kind, json.dumps(sorted(set(ids))))).fetchall()
        return {oid: json.loads(body) for oid, body in rows}

    def children(self, kind: str, parent_ids: Iterable[int], field: str = "product_id") -> list[dict]:
        """Objects of a kind whose ``field`` (``product_id`` or ``price_list_id``) is one
        of ``parent_ids``, in id order, in one query (the page of a product list loads
        its variants at once)."""
        return [json.loads(r[0]) for r in self._children("o.body", kind, parent_ids, field)]

    def _children(self, columns: str, kind: str, parent_ids: Iterable[int], field: str, join: str = "") -> list[tuple]:
        """Rows of ``columns`` (of ``objects o``; ``{parent}`` is the parent field) for
        ``children(kind, parent_ids, field)``."""
        column = self._keys[field].name
        with self.lock:
            return self._conn.execute(
                f"SELECT {columns.format(parent=f'o.{column}')} FROM objects o INDEXED BY objects_by_{column} "
                f"{join} WHERE o.kind=? AND o.{column} IN (SELECT value FROM json_each(?)) ORDER BY o.id",
                (kind, json.dumps(sorted(set(parent_ids))))).fetchall()

    def child_ids(self, kind: str, parent_id: int, field: str = "product_id",
                  offset: int = 0, limit: int = -1) -> list[int]:
        """Ids of ``children(kind, [parent_id], field)``, in id order, without decoding
        the bodies; ``offset``/``limit`` take one page of them (-1: no limit)."""
        column = self._keys[field].name
        with self.lock:
            rows = self._conn.execute(
                f"SELECT id FROM objects INDEXED BY objects_by_{column} "
                f"WHERE kind=? AND {column} = ? ORDER BY id LIMIT ? OFFSET ?",
                (kind, parent_id, limit, _clamp(offset))).fetchall()
        return [r[0] for r in rows]

    def child_count(self, kind: str, parent_id: int, field: str = "product_id",
                    below: int | None = None) -> int:
        """How many ``child_ids(kind, parent_id, field)`` there are (with ``below``: how
        many of them are less than it)."""
        column = self._keys[field].name
        with self.lock:
            return self._conn.execute(
                f"SELECT COUNT(*) FROM objects INDEXED BY objects_by_{column} "
                f"WHERE kind=? AND {column} = ? AND id < ?",
                (kind, parent_id, _clamp(below if below is not None else _MAX_INT))).fetchone()[0]

    def lookup(self, kinds: tuple[str, ...], field: str, value: str) -> list[tuple[str, int]]:
        """(kind, id) of objects whose ``field`` equals ``value`` ignoring case."""
        column = self._keys[field].name
        out: list[tuple[str, int]] = []
        for kind in kinds:
            with self.lock:
                rows = self._conn.execute(
                    f"SELECT id FROM objects INDEXED BY objects_by_{column} WHERE kind=? AND {column} = ? "
                    "ORDER BY id", (kind, casefold(value))).fetchall()
            out.extend((kind, r[0]) for r in rows)
        return out

    def count(self, kind: str) -> int:
        with self.lock:
            return self._conn.execute("SELECT COUNT(*) FROM objects WHERE kind=?", (kind,)).fetchone()[0]

    def page(self, kind: str, offset: int, limit: int, descending: bool = False) -> list[dict]:
        """One page of a kind in id order (for unfiltered lists)."""
        return [json.loads(body) for body in self._page("body", kind, offset, limit, descending)]

    def page_ids(self, kind: str, offset: int, limit: int, descending: bool = False) -> list[int]:
        """The ids of ``page(kind, offset, limit, descending)``, read from the key alone."""
        return self._page("id", kind, offset, limit, descending)

    def _page(self, column: str, kind: str, offset: int, limit: int, descending: bool) -> list[Any]:
        order = "DESC" if descending else "ASC"
        with self.lock:
            rows = self._conn.execute(
                f"SELECT {column} FROM objects WHERE kind=? ORDER BY id {order} LIMIT ? OFFSET ?",
                (kind, limit, offset)).fetchall()
        return [r[0] for r in rows]

    def match(self, kind: str, **fields: Any) -> list[dict]:
        """Objects of a kind whose fields equal ``fields`` (exactly), in id order: the
        fields are ``price_list_id``, ``variant_id``, ``currency`` or the first of them."""
        found = [(m.name, m.fields[:len(fields)]) for m in self._matches.values()
                 if set(m.fields[:len(fields)]) == set(fields)]
        if not found:
            raise ValueError(f"no declared Match takes the fields {sorted(fields)}")
        index, names = found[0]
        where = " AND ".join(f"{name} = ?" for name in names)
        with self.lock:
            rows = self._conn.execute(
                f"SELECT body FROM objects INDEXED BY objects_by_{index} WHERE kind=? AND {where} "
                "ORDER BY id", (kind, *(fields[name] for name in names))).fetchall()
        return [json.loads(r[0]) for r in rows]

    def save(self, kind: str, oid: int, obj: dict) -> dict:
        with self.lock:
            self._stale_views(kind, oid, obj)
            keys = self._keys.values()
            columns = "".join(f", {k.name}" for k in keys)
            self._conn.execute(
                f"INSERT OR REPLACE INTO objects (kind, id, body{columns}) VALUES (?, ?, ?{', ?' * len(keys)})",
                (kind, oid, _dumps(obj), *(k.value(obj) for k in keys)))
        return obj

    def remove(self, kind: str, oid: int) -> None:
        with self.lock:
            self._stale_views(kind, oid, None)
            self._conn.execute("DELETE FROM objects WHERE kind=? AND id=?", (kind, oid))

    def move(self, kind: str, oid: int, to_kind: str) -> None:
        """Re-file an object under another kind, keeping its id and body."""
        with self.lock:
            obj = self.get(kind, oid)
            self._stale_views(kind, oid, obj)
            self._stale_views(to_kind, oid, obj)
            self._conn.execute("UPDATE objects SET kind=? WHERE kind=? AND id=?", (to_kind, kind, oid))

    # ---- kept views ---------------------------------------------------------------------

    def keep_views(self, kind: str, render: Callable[[list[dict]], list[dict]],
                   depends_on: dict[str, str] | None = None) -> None:
        """Keep the API views of ``kind`` as text: ``render(bodies)`` gives the API objects
        (in order). ``depends_on`` {source kind: field}: a view of ``kind`` also shows the
        objects of the source kind whose ``field`` equals its ``product_id``, so writing
        one of those makes it stale (``{"product": "id"}``: its product)."""
        self._renderers[kind] = render
        for source, field in (depends_on or {}).items():
            if field not in ("id", "product_id"):
                raise ValueError(f"a view depends on objects by id or product_id, not {field!r}")
            self._dependents.setdefault(source, {}).setdefault(field, []).append(kind)

    def _stale_views(self, kind: str, oid: int, obj: dict | None) -> None:
        """Delete the view of object (kind, oid), and the views that show it: by its
        stored body (before the write) and by ``obj`` (after it); by its id, which never
        changes."""
        if kind in self._renderers:
            self._conn.execute("DELETE FROM views WHERE kind=? AND id=?", (kind, oid))
        for field, dependents in self._dependents.get(kind, {}).items():
            kinds = ", ".join("?" * len(dependents))
            if field == "id":
                shown, params = "?", (oid,)
            else:
                shown = f"?, (SELECT {field} FROM objects WHERE kind=? AND id=?)"
                params = (None if obj is None else obj.get(field), kind, oid)
            self._conn.execute(f"DELETE FROM views WHERE parent IN ({shown}) AND kind IN ({kinds})",
                               (*params, *dependents))

    def refresh_views(self) -> None:
        """Render every missing view of the kinds that keep views (after seeding, so
        that the first read of a seeded store is as fast as the next)."""
        with self.lock:
            for kind in self._renderers:
                rows = self._conn.execute(
                    "SELECT id, NULL, body FROM objects o WHERE kind=? AND NOT EXISTS "
                    "(SELECT 1 FROM views v WHERE v.kind=o.kind AND v.id=o.id) ORDER BY id", (kind,)).fetchall()
                self._texts(kind, rows)

    def forget_views(self) -> None:
        """Drop every kept view; each is rendered again when next read."""
        with self.lock:
            self._conn.execute("DELETE FROM views")

    def _texts(self, kind: str, rows: list[tuple]) -> list[str]:
        """Rows (id, view or None, body if no view, …) -> view texts. Missing views are
        rendered from the bodies and kept: every write after this deletes them again."""
        texts = [row[1] for row in rows]
        missing = [i for i, text in enumerate(texts) if text is None]
        if missing:
            bodies = [json.loads(rows[i][2]) for i in missing]
            for i, obj in zip(missing, self._renderers[kind](bodies)):
                texts[i] = views.encode(obj)
            self._conn.executemany("INSERT INTO views VALUES (?, ?, ?, ?)",
                                   [(kind, rows[i][0], body.get("product_id"), texts[i])
                                    for i, body in zip(missing, bodies)])
        return texts

    def views(self, kind: str, ids: Iterable[int]) -> dict[int, str]:
        """View texts of objects by id, in one query; missing ids are left out."""
        with self.lock:
            rows = self._conn.execute(
                f"SELECT o.id, v.text, iif(v.text IS NULL, o.body, NULL) FROM objects o {_JOIN_VIEWS} "
                "WHERE o.kind=? AND o.id IN (SELECT value FROM json_each(?))",
                (kind, json.dumps(sorted(set(ids))))).fetchall()
            return dict(zip((r[0] for r in rows), self._texts(kind, rows)))

    def child_views(self, kind: str, parent_ids: Iterable[int],
                    field: str = "product_id") -> list[tuple[int, str]]:
        """(parent id, view text) of ``children(kind, parent_ids, field)``, in id order."""
        with self.lock:
            rows = self._children("o.id, v.text, iif(v.text IS NULL, o.body, NULL), {parent}", kind, parent_ids,
                                  field, _JOIN_VIEWS)
            return list(zip((r[3] for r in rows), self._texts(kind, rows)))

    def claim_id(self, kind: str, oid: int) -> None:
        """Make sure the sequence of a kind never hands out ``oid`` (an id a seed fixed)."""
        with self.lock:
            row = self._conn.execute(
                "SELECT last_id FROM sequences WHERE kind=?", (kind,)).fetchone()
            last = self._first_ids.get(kind, 1) - 1 if row is None else row[0]
            self._conn.execute("INSERT OR REPLACE INTO sequences VALUES (?, ?)", (kind, max(last, oid)))

    def next_id(self, kind: str) -> int:
        with self.lock:
            row = self._conn.execute(
                "SELECT last_id FROM sequences WHERE kind=?", (kind,)).fetchone()
            nid = self._first_ids.get(kind, 1) if row is None else row[0] + 1
            self._conn.execute("INSERT OR REPLACE INTO sequences VALUES (?, ?)", (kind, nid))
        return nid

    # ---- links --------------------------------------------------------------------

    def link(self, kind: str, a: int, b: int) -> None:
        with self.lock:
            self._conn.execute("INSERT OR IGNORE INTO links VALUES (?, ?, ?)", (kind, a, b))

    def links(self, kind: str, a: list[int] | None = None,
              b: list[int] | None = None) -> list[tuple[int, int]]:
        """Pairs of a link kind, ordered by (a, b), optionally restricted on either side."""
        sql, params = "SELECT a, b FROM links WHERE kind=?", [kind]
        for column, values in (("a", a), ("b", b)):
            if values is not None:
                sql += f" AND {column} IN (SELECT value FROM json_each(?))"
                params.append(json.dumps(list(values)))
        with self.lock:
            rows = self._conn.execute(sql + " ORDER BY a, b", params).fetchall()
        return [(x, y) for x, y in rows]

    def unlink(self, kind: str, a: list[int] | None = None, b: list[int] | None = None) -> int:
        pairs = self.links(kind, a, b)
        with self.lock:
            self._conn.executemany("DELETE FROM links WHERE kind=? AND a=? AND b=?",
                                   [(kind, x, y) for x, y in pairs])
        return len(pairs)

    # ---- clock --------------------------------------------------------------------

    @staticmethod
    def now(fmt: str = DATE_FORMAT) -> str:
        return datetime.now(timezone.utc).strftime(fmt)

    def stamp(self, previous: str | None = None, fmt: str = DATE_FORMAT) -> str:
        """A ``date_modified`` for a write. Real UTC time to the second, but never equal
        to or before the object's previous value: if an object is written twice within
        one second the second stamp is previous + 1 s. So every write to an object
        changes its ``date_modified`` (strictly increasing), and the clock runs ahead of
        wall time only by the number of same-second rewrites of that one object."""
        now = datetime.now(timezone.utc).replace(microsecond=0)
        if previous:
            prev = datetime.strptime(previous, fmt).replace(tzinfo=timezone.utc)
            if now <= prev:
                now = prev + timedelta(seconds=1)
        return now.strftime(fmt)
