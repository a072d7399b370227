"""The live store as read for one plan: objects in desired-state terms, plus ids.

Produced by reconciler.store.read.read_live(); consumed by plan/diff.py, which
never imports the store client.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reconciler.core.refs import RefIndex


def fingerprint(fields: dict[str, Any], date_modified: str | None = None) -> str:
    """Hash of an object's managed fields (and date_modified where the API has one)."""
    canon = json.dumps({"f": fields, "m": date_modified}, sort_keys=True, default=_canon)
    return hashlib.sha256(canon.encode()).hexdigest()[:16]


def _canon(v: Any) -> Any:
    if isinstance(v, Decimal):
        return format(v.normalize(), "f")
    if isinstance(v, (set, frozenset)):
        return sorted(v)
    raise TypeError(type(v).__name__)


@dataclass(slots=True)
class LiveObject:
    """One object of the store. A read holds one per product, variant, record, ...
    (113,000 for 10,000 products with 3 variants each), hence ``__slots__``.
    ``fields`` and ``extra`` may be shared with objects holding equal ones
    (store/build.py): read them, never write to them."""

    kind: str
    key: str
    id: int
    fields: dict[str, Any]              # desired-shaped, every managed field the API returned
    date_modified: str | None = None
    parent: str | None = None           # key of the owning object (sub-resources)
    extra: dict[str, Any] = field(default_factory=dict)   # ids apply needs: product_id, option value ids

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.fields, self.date_modified)


@dataclass
class LiveState:
    objects: dict[str, dict[str, LiveObject]] = field(default_factory=dict)   # kind -> folded key -> obj
    refs: RefIndex = field(default_factory=lambda: _new_refs())
    refresh: str = "full"   # how it was read: "full", "full (why)", "incremental (since ...)"
    # When a read of the whole store (read_live) or a targeted one started, and of which
    # store: the baseline a complete apply of its plan records (plan/targeted.py). None for
    # reads of what a plan touches.
    read_at: str | None = None
    store_hash: str | None = None
    # A targeted read's objects known to be in the store without being read: {kind: {id: key}},
    # a read-apart kind's {kind: {parent key: [keys]}} (plan/targeted.py ``baseline_of``).
    known: dict = field(default_factory=dict)
    # A targeted read that did not list its parents' undated children (apply/targeted.py):
    # {kind: {"parents": N, "parent_kind": kind, "since": when last listed}}, and that time
    # (None: this read's start, the children listed or read whole).
    unread: dict = field(default_factory=dict)
    undated_read_at: str | None = None

    def of(self, kind: str) -> dict[str, LiveObject]:
        return self.objects.get(kind, {})

    def get(self, kind: str, key: str) -> LiveObject | None:
        return self.objects.get(kind, {}).get(key.casefold())

    def add(self, obj: LiveObject) -> None:
        self.objects.setdefault(obj.kind, {})[obj.key.casefold()] = obj


def _new_refs() -> "RefIndex":
    # Imported here: reconciler.resources imports every kind, and the kinds import this
    # module, so a top-level import made `from reconciler.core.live import LiveObject` fail
    # when it was a program's first import of the package.
    from reconciler.core.refs import RefIndex

    return RefIndex()
