"""StoreState: the sandbox's own store, on stdlib sqlite3 (moto's models.py).

Storage is deliberately generic so later kinds (price lists, customer groups,
webhooks) are new *kind names*, not new code here:

    objects(kind, id, body JSON)   one row per object; the body is the API shape
    sequences(kind, last_id)       id allocation per kind
    links(kind, a, b)              many-to-many pairs, e.g. ("product_channel", 111, 1)
    meta(key, value)               "initialized" marks a db that was already seeded

Keys in a body that start with "_" are internal and never leave the sandbox.

Expression indexes make the lookups that would otherwise scan a kind cheap, so a
store of 10,000 products with 30,000 variants stays fast:

* ``children(kind, parent_ids)`` – objects whose body has ``product_id`` in the list
  (variants, options, custom fields of a page of products, in one query); with
  ``field="price_list_id"`` the price records of some price lists;
* ``lookup(kinds, field, value)`` – objects whose ``field`` equals ``value`` ignoring
  case (``casefold``), for the unique fields ``sku``, ``name`` and ``custom_url.url``.

Concurrency: one connection shared by the server's threads, guarded by one RLock;
``transaction()`` wraps a request so that a ``SandboxError`` raised half-way through a
batch rolls everything back (the all-or-nothing rule for batch writes).

Persistence: with ``db`` a file path, objects and id sequences survive a restart.
``StoreState(db)`` on a file that was already initialised keeps its contents; only
``reset()`` clears it. Rate-limit windows, stats and the request log are in memory.

    >>> s = StoreState(":memory:"); s.reset()
    >>> s.brands.create({"name": "GTSE Pro"})["id"]
    35
"""

from __future__ import annotations

import json
import sqlite3
import threading
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable, Iterator

from .errors import SandboxError  # noqa: F401  (re-exported: state raises these)
from .validation import normalize_number

_SCHEMA = """
CREATE TABLE IF NOT EXISTS objects (kind TEXT NOT NULL, id INTEGER NOT NULL,
                                    body TEXT NOT NULL, PRIMARY KEY (kind, id));
CREATE TABLE IF NOT EXISTS sequences (kind TEXT PRIMARY KEY, last_id INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS links (kind TEXT NOT NULL, a INTEGER NOT NULL, b INTEGER NOT NULL,
                                  PRIMARY KEY (kind, a, b));
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS objects_parent
    ON objects (kind, json_extract(body, '$.product_id'), id);
CREATE INDEX IF NOT EXISTS objects_price_list
    ON objects (kind, json_extract(body, '$.price_list_id'), id);
CREATE INDEX IF NOT EXISTS objects_sku ON objects (kind, casefold(json_extract(body, '$.sku')));
CREATE INDEX IF NOT EXISTS objects_name ON objects (kind, casefold(json_extract(body, '$.name')));
CREATE INDEX IF NOT EXISTS objects_custom_url
    ON objects (kind, casefold(json_extract(body, '$.custom_url.url')));
"""
# Fields ``lookup`` may search (each has an expression index above). The queries name
# their index (INDEXED BY): without statistics SQLite would pick the primary key and
# scan the whole kind.
_LOOKUP_PATHS = {"sku": "$.sku", "name": "$.name", "custom_url": "$.custom_url.url"}
# Parent fields ``children`` may follow, with their index.
_PARENT_PATHS = {"product_id": ("$.product_id", "objects_parent"),
                 "price_list_id": ("$.price_list_id", "objects_price_list")}

# First id per kind. Distinct starting points are our choice (not stated anywhere):
# they make a client that sends a brand id where a product id belongs fail loudly.
FIRST_ID = {"product": 111, "brand": 35, "category": 18, "variant": 301, "custom_field": 1,
            "option": 51, "option_value": 601, "sku": 1, "hook": 18048287}

DATE_FORMAT = "%Y-%m-%dT%H:%M:%S+00:00"  # P product_Full: 2018-08-15T14:49:05+00:00
DATE_FORMAT_Z = "%Y-%m-%dT%H:%M:%SZ"      # PL getPriceLists: 2022-02-26T17:33:11Z
DATE_FORMAT_V2 = "%Y-%m-%d %H:%M:%S"      # CU2 customerGroup_Full: 2023-07-17 06:30:41 (UTC)
SEED_SECTIONS = ("brands", "categories", "products", "price_lists", "customer_groups", "hooks")


def _dumps(obj: Any) -> str:
    return json.dumps(obj, default=normalize_number, separators=(",", ":"))


def casefold(value: Any) -> Any:
    """SQL function ``casefold(x)``: Python's caseless key for strings, else x."""
    return value.casefold() if isinstance(value, str) else value


def public(obj: dict) -> dict:
    """The API view of a stored body: internal "_" keys removed."""
    return {k: v for k, v in obj.items() if not k.startswith("_")}


class StoreState:
    def __init__(self, db: str = ":memory:") -> None:
        self.lock = threading.RLock()
        self._conn = sqlite3.connect(db, check_same_thread=False, isolation_level=None)
        self._depth = 0
        # Registered before the schema: the expression indexes call it on every write.
        self._conn.create_function("casefold", 1, casefold, deterministic=True)
        with self.lock:
            self._conn.executescript(_SCHEMA)
        # Imported here: the kind modules import this one for type hints and helpers.
        from .brands import Brands
        from .categories import Categories
        from .channels import Channels
        from .custom_fields import CustomFields
        from .customer_groups import CustomerGroups
        from .hooks import Hooks
        from .options import Options
        from .price_list_assignments import PriceListAssignments
        from .price_lists import PriceLists
        from .price_records import PriceRecords
        from .products import Products
        from .variants import Variants

        self.channels = Channels(self)
        self.brands = Brands(self)
        self.categories = Categories(self)
        self.products = Products(self)
        self.options = Options(self)
        self.variants = Variants(self)
        self.custom_fields = CustomFields(self)
        self.price_lists = PriceLists(self)
        self.price_records = PriceRecords(self)
        self.assignments = PriceListAssignments(self)
        self.customer_groups = CustomerGroups(self)
        self.hooks = Hooks(self)

    # ---- lifecycle ----------------------------------------------------------------

    @property
    def initialized(self) -> bool:
        with self.lock:
            row = self._conn.execute("SELECT value FROM meta WHERE key='initialized'").fetchone()
        return row is not None

    def reset(self, data: dict | None = None) -> None:
        """Clear everything, recreate the fixed parts (channels, trees), then seed."""
        with self.transaction():
            for table in ("objects", "sequences", "links", "meta"):
                self._conn.execute(f"DELETE FROM {table}")
            self.channels.install()
            self.categories.install_trees()
            if data:
                self.seed(data)
            self._conn.execute("INSERT INTO meta VALUES ('initialized', ?)", (self.now(),))

    def seed(self, data: dict) -> None:
        """Add objects in the SEED FORMAT (see ``reconciler.sandbox.seeds``), bypassing
        validation but using the same builders as the API, so seeded objects are
        identical to ones created over HTTP."""
        unknown = set(data) - set(SEED_SECTIONS)
        if unknown:
            raise ValueError(f"unknown seed section(s): {sorted(unknown)}")
        with self.transaction():
            for item in data.get("brands", []):
                self.brands.seed(item)
            for item in data.get("categories", []):
                self.categories.seed(item)
            for item in data.get("products", []):
                self.products.seed(item)
            # Price lists (and their records) before groups, so a group's discount rule
            # can name a list; the lists' assignments after groups, as they name groups.
            lists = [(item, self.price_lists.seed(item)) for item in data.get("price_lists", [])]
            self.customer_groups.seed_all(data.get("customer_groups", []))
            for item, price_list in lists:
                self.assignments.seed(price_list["id"], item.get("assignments", []))
            for item in data.get("hooks", []):
                self.hooks.seed(item)

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
        path, index = _PARENT_PATHS[field]
        with self.lock:
            rows = self._conn.execute(
                f"SELECT body FROM objects INDEXED BY {index} "
                f"WHERE kind=? AND json_extract(body, '{path}') "
                "IN (SELECT value FROM json_each(?)) ORDER BY id",
                (kind, json.dumps(sorted(set(parent_ids))))).fetchall()
        return [json.loads(r[0]) for r in rows]

    def child_ids(self, kind: str, parent_id: int, field: str = "product_id") -> list[int]:
        """Ids of ``children(kind, [parent_id], field)``, in id order, without decoding
        the bodies: a page of 250 out of 30,000 price records decodes only its 250."""
        path, index = _PARENT_PATHS[field]
        with self.lock:
            rows = self._conn.execute(
                f"SELECT id FROM objects INDEXED BY {index} "
                f"WHERE kind=? AND json_extract(body, '{path}') = ? ORDER BY id",
                (kind, parent_id)).fetchall()
        return [r[0] for r in rows]

    def lookup(self, kinds: tuple[str, ...], field: str, value: str) -> list[tuple[str, int]]:
        """(kind, id) of objects whose ``field`` equals ``value`` ignoring case."""
        path = _LOOKUP_PATHS[field]
        out: list[tuple[str, int]] = []
        for kind in kinds:
            with self.lock:
                rows = self._conn.execute(
                    f"SELECT id FROM objects INDEXED BY objects_{field} WHERE kind=? AND "
                    f"casefold(json_extract(body, '{path}')) = ? ORDER BY id",
                    (kind, casefold(value))).fetchall()
            out.extend((kind, r[0]) for r in rows)
        return out

    def count(self, kind: str) -> int:
        with self.lock:
            return self._conn.execute("SELECT COUNT(*) FROM objects WHERE kind=?", (kind,)).fetchone()[0]

    def page(self, kind: str, offset: int, limit: int, descending: bool = False) -> list[dict]:
        """One page of a kind in id order (for unfiltered lists)."""
        order = "DESC" if descending else "ASC"
        with self.lock:
            rows = self._conn.execute(
                f"SELECT body FROM objects WHERE kind=? ORDER BY id {order} LIMIT ? OFFSET ?",
                (kind, limit, offset)).fetchall()
        return [json.loads(r[0]) for r in rows]

    def save(self, kind: str, oid: int, obj: dict) -> dict:
        with self.lock:
            self._conn.execute("INSERT OR REPLACE INTO objects VALUES (?, ?, ?)",
                               (kind, oid, _dumps(obj)))
        return obj

    def remove(self, kind: str, oid: int) -> None:
        with self.lock:
            self._conn.execute("DELETE FROM objects WHERE kind=? AND id=?", (kind, oid))

    def move(self, kind: str, oid: int, to_kind: str) -> None:
        """Re-file an object under another kind, keeping its id and body."""
        with self.lock:
            self._conn.execute("UPDATE objects SET kind=? WHERE kind=? AND id=?", (to_kind, kind, oid))

    def claim_id(self, kind: str, oid: int) -> None:
        """Make sure the sequence of a kind never hands out ``oid`` (an id a seed fixed)."""
        with self.lock:
            row = self._conn.execute(
                "SELECT last_id FROM sequences WHERE kind=?", (kind,)).fetchone()
            last = FIRST_ID.get(kind, 1) - 1 if row is None else row[0]
            self._conn.execute("INSERT OR REPLACE INTO sequences VALUES (?, ?)", (kind, max(last, oid)))

    def next_id(self, kind: str) -> int:
        with self.lock:
            row = self._conn.execute(
                "SELECT last_id FROM sequences WHERE kind=?", (kind,)).fetchone()
            nid = FIRST_ID.get(kind, 1) if row is None else row[0] + 1
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
