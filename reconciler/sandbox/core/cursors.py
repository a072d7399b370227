"""Offset and cursor pagination of the price-list endpoints (PL ``CollectionMeta``, FACTS §3.2).

* no paging parameter, or only ``limit`` → the first page with both ``pagination`` and
  ``cursor_pagination``;
* ``page`` → only ``pagination``;
* ``before`` or ``after`` → only ``cursor_pagination``;
* ``before`` with ``after``, or either with ``page`` → 422 (PL: "Cannot be used with").

A cursor is the base64 of an item's position key (its id), as PL's example
``"start_cursor": "Nw==", "end_cursor": "MTQ="`` (7 and 14) suggests; clients treat it
as opaque. ``after=<end_cursor>`` gives the next page, ``before=<start_cursor>`` the
previous one; ``links`` carry ready-made query strings for both.

    >>> items = [{"id": i} for i in range(1, 6)]
    >>> page, meta = paginate_mixed(items, Query({"limit": "2"}, PAGING))
    >>> [o["id"] for o in page], meta["cursor_pagination"]["end_cursor"]
    ([1, 2], 'Mg==')
    >>> page, meta = paginate_mixed(items, Query({"limit": "2", "after": "Mg=="}, PAGING))
    >>> [o["id"] for o in page], sorted(meta)
    ([3, 4], ['cursor_pagination'])

``limit`` defaults to 50. PL declares no maximum; its ``per_page`` is "determined by the
limit parameter—whether explicitly set, defaulted, or capped at the maximum limit", so
a larger limit is capped (not refused) at 250, the maximum of every other v3 list. One
rule for both modes. PL's ``pagination`` has no ``links`` (its schema and example list
only total, count, per_page, current_page, total_pages); we follow that.
"""

from __future__ import annotations

import base64
import binascii
import math
from typing import Any, Callable, Protocol, Sequence
from urllib.parse import quote

from .errors import unprocessable
from .query import Query

PAGING = ("page", "limit", "before", "after")
DEFAULT_LIMIT = 50
MAX_LIMIT = 250


def encode(key: int) -> str:
    return base64.b64encode(str(key).encode()).decode()


def decode(raw: str, name: str) -> int:
    try:
        return int(base64.b64decode(raw.encode(), validate=True).decode())
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise unprocessable(f'Query parameter "{name}" value is not a valid cursor: "{raw}".',
                            {name: "Use a start_cursor or end_cursor from a previous answer."}) from None


def _limit(q: Query) -> int:
    limit = q.int("limit", DEFAULT_LIMIT)
    if limit < 1:
        raise unprocessable('Query parameter "limit" value must be a positive integer.')
    return min(limit, MAX_LIMIT)


class Ordered(Protocol):
    """Items in ascending key order, read a window at a time: a list (``Listed``), or
    rows the store counts and pages with its index (a price list's 30,000 records)."""

    def __len__(self) -> int: ...

    def position(self, mark: int, after: bool) -> int:
        """The index of the first item whose key is > ``mark`` (``after``) or >= ``mark``."""

    def window(self, lo: int, hi: int) -> list[Any]: ...

    def key(self, item: Any) -> int: ...


class Listed:
    """``Ordered`` over a list already in ascending ``key`` order."""

    def __init__(self, items: Sequence[Any], key: Callable[[Any], int]) -> None:
        self.items, self.key = items, key  # type: ignore[method-assign]

    def __len__(self) -> int:
        return len(self.items)

    def position(self, mark: int, after: bool) -> int:
        keys = (self.key(o) for o in self.items)
        return next((i for i, k in enumerate(keys) if (k > mark if after else k >= mark)), len(self.items))

    def window(self, lo: int, hi: int) -> list[Any]:
        return list(self.items[lo:hi])


def paginate_mixed(items: list[Any], q: Query,
                   key: Callable[[Any], int] = lambda o: o["id"]) -> tuple[list[Any], dict]:
    """One page of ``items`` (already in ascending ``key`` order) and its meta."""
    return paginate_ordered(Listed(items, key), q)


def paginate_ordered(items: Ordered, q: Query) -> tuple[list[Any], dict]:
    """``paginate_mixed`` over any ``Ordered``: only the page's window is read."""
    before, after, page = q.str("before"), q.str("after"), q.has("page")
    if before is not None and after is not None:
        raise unprocessable('Query parameters "before" and "after" cannot be used together.')
    if (before is not None or after is not None) and page:
        raise unprocessable('Query parameter "page" cannot be used with "before" or "after".')
    limit = _limit(q)
    if page:
        number = q.int("page", 1)
        if number < 1:
            raise unprocessable('Query parameter "page" value must be a positive integer.')
        chunk = items.window((number - 1) * limit, number * limit)
        return chunk, {"pagination": _offset_meta(len(items), len(chunk), number, limit)}
    total = len(items)
    if after is not None:
        start = items.position(decode(after, "after"), after=True)
        lo, hi = start, min(start + limit, total)
        current = f"?limit={limit}&after={quote(after, safe='')}"
    elif before is not None:
        end = items.position(decode(before, "before"), after=False)
        lo, hi = max(end - limit, 0), end
        current = f"?limit={limit}&before={quote(before, safe='')}"
    else:
        lo, hi = 0, min(limit, total)
        current = f"?limit={limit}"
    chunk = items.window(lo, hi)
    keys = [items.key(o) for o in chunk]
    meta: dict[str, Any] = {"cursor_pagination": _cursor_meta(keys, lo, hi, total, limit, current)}
    if before is None and after is None:
        meta = {"pagination": _offset_meta(total, len(chunk), 1, limit), **meta}
    return chunk, meta


def _offset_meta(total: int, count: int, page: int, limit: int) -> dict:
    return {"total": total, "count": count, "per_page": limit, "current_page": page,
            "total_pages": math.ceil(total / limit)}


def _cursor_meta(keys: list[int], lo: int, hi: int, total: int, limit: int, current: str) -> dict:
    """``keys``: the page's, items ``lo`` to ``hi`` of ``total``. An empty page has no
    start/end cursor (nothing to point at) and no ``next``."""
    out: dict[str, Any] = {"count": hi - lo, "per_page": limit}
    links: dict[str, str] = {}
    if hi > lo:
        start, end = encode(keys[0]), encode(keys[-1])
        out["start_cursor"], out["end_cursor"] = start, end
        if lo > 0:
            links["previous"] = f"?limit={limit}&before={quote(start, safe='')}"
    links["current"] = current
    if hi > lo and hi < total:
        links["next"] = f"?limit={limit}&after={quote(end, safe='')}"
    out["links"] = links
    return out
