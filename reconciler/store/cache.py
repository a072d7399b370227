"""Incremental refresh: the last full read of the store, kept on disk.

``catalog plan --refresh=incremental`` re-reads only what changed since the last
read — products by ``date_modified:min`` (a write to a variant, option or custom
field moves its product's date) and each price list's records by
``date_modified:min`` — and takes everything else from this cache. It first counts
what changed (one ``limit=1`` request per kind and per price list): a kind or list with
nothing changed is not read, a read that changed nothing leaves this file as it is, and
when more than ``FULL_SHARE`` of the cached rows changed (a store seeded or applied a
moment ago) the store is read in full, which is then faster. Deletions
and changes to kinds without a date filter (brands, categories, groups) are
seen by the next full read, so the cache falls back to a full read when it is
missing, unreadable or older than a week (drift.yml runs a full read weekly).

The file holds raw API rows (no token); Decimals are kept exact. Beside it,
``live.json.head`` holds the same dates and the row counts, so the count of what changed
(and the decision for a full read) comes before the rows are loaded.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

DEFAULT_PATH = Path(".catalog/cache/live.json")
MAX_AGE = timedelta(days=7)
# A write that lands while the store is being read may carry a date just before
# the read started: look back a little further than the last read.
OVERLAP = timedelta(minutes=2)
FORMAT = 2     # 2: sizes, and the head file beside it
# An incremental refresh that finds more than this share of the cached rows changed reads
# the store in full instead: the filtered reads would ask for as many pages, plus the cache's
# own work (docs/benchmarks.md, "Incremental refresh").
FULL_SHARE = 0.25


@dataclass
class Snapshot:
    store_hash: str
    full_read_at: datetime
    read_at: datetime
    rows: dict[str, list[dict]]
    # How many rows it holds: {kind: n} and, for a kind read per parent, {kind: {parent id: n}};
    # kept in the head file too, so an incremental refresh can count what changed before it
    # loads the rows (``head_of``).
    sizes: dict[str, Any] = field(default_factory=dict)


def now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def head_path(path: Path) -> Path:
    """The small file beside the cache: its dates and sizes, without the rows."""
    return path.with_name(path.name + ".head")


def save(path: Path, snapshot: Snapshot) -> None:
    """The rows, then the head (the head names the rows' ``read_at``: a head without its
    rows, after a crash between the two writes, is refused by ``load``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    head = {
        "format": FORMAT,
        "store_hash": snapshot.store_hash,
        "full_read_at": snapshot.full_read_at.isoformat(),
        "read_at": snapshot.read_at.isoformat(),
        "sizes": snapshot.sizes,
    }
    _write(path, json.dumps({**head, "rows": snapshot.rows}, default=_encode))
    _write(head_path(path), json.dumps(head))


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def head_of(path: Path, store_hash: str) -> tuple[Snapshot | None, str]:
    """The cache's head (a Snapshot without rows), or None and why it cannot be used."""
    try:
        data = json.loads(head_path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, "no cache of a previous full read"
    except (OSError, ValueError) as exc:
        return None, f"the cache could not be read ({type(exc).__name__})"
    return _checked(data, store_hash)


def load(path: Path, head: Snapshot) -> tuple[Snapshot | None, str]:
    """The cached snapshot the head describes, or None and why it cannot be used."""
    if not path.is_file():
        return None, "no cache of a previous full read"
    try:
        data = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal, object_hook=_decode)
    except (OSError, ValueError) as exc:
        return None, f"the cache could not be read ({type(exc).__name__})"
    snap, why = _checked(data, head.store_hash)
    if snap is not None and snap.read_at != head.read_at:
        return None, "the cache's head and rows are of different reads"
    if snap is not None:
        snap.rows = data["rows"]
    return snap, why


def _checked(data: Any, store_hash: str) -> tuple[Snapshot | None, str]:
    try:
        snap = Snapshot(data["store_hash"], datetime.fromisoformat(data["full_read_at"]),
                        datetime.fromisoformat(data["read_at"]), {}, dict(data.get("sizes") or {}))
    except (ValueError, KeyError, TypeError) as exc:
        return None, f"the cache could not be read ({type(exc).__name__})"
    if data.get("format") != FORMAT:
        return None, "the cache was written by another version"
    if snap.store_hash != store_hash:
        return None, f"the cache is for store {snap.store_hash!r}"
    if now() - snap.full_read_at > MAX_AGE:
        return None, f"the last full read is older than {MAX_AGE.days} days"
    return snap, ""


def since(snapshot: Snapshot) -> str:
    """The ``date_modified:min`` value for the next incremental read."""
    return (snapshot.read_at - OVERLAP).strftime("%Y-%m-%dT%H:%M:%SZ")


def merge(cached: list[dict], fresh: list[dict], key) -> list[dict]:
    """Rows of the cache with the fresh ones replacing (or adding to) them."""
    out = {key(r): r for r in cached}
    for r in fresh:
        out[key(r)] = r
    return list(out.values())


def _encode(value: Any) -> Any:
    if isinstance(value, Decimal):
        return {"$d": format(value, "f")}
    raise TypeError(type(value).__name__)


def _decode(obj: dict) -> Any:
    if len(obj) == 1 and "$d" in obj:
        return Decimal(obj["$d"])
    return obj
