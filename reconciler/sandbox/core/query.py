"""Query-string parsing, filtering, field shaping and offset pagination (FACTS §3).

A ``Query`` is built from the request's args and the list of parameter names the
endpoint accepts. Unknown names are refused with 422 rather than ignored: a filter the
sandbox silently dropped would make a client test pass against a wider result than a
real store returns (stripe-mock refuses unknown parameters for the same reason).

    >>> q = Query({"limit": "3", "page": "2"}, allowed=PAGING)
    >>> paginate(list(range(7)), q, link_order="page")
    ([3, 4, 5], {'pagination': {'total': 7, 'count': 3, 'per_page': 3, 'current_page': 2,
      'total_pages': 3, 'links': {'previous': '?page=1&limit=3', 'current': '?page=2&limit=3',
      'next': '?page=3&limit=3'}}})
"""

from __future__ import annotations

import math
from datetime import datetime, timezone
from typing import Any, Callable, Iterable, Mapping

from .errors import SandboxError, unprocessable

PAGING = ("page", "limit")
SHAPING = ("include_fields", "exclude_fields")
DEFAULT_LIMIT = 50
MAX_LIMIT = 250


def _must_be_integer(name: str, raw: str) -> SandboxError:
    # Title copied from CH getChannels' "Invalid Filter Value" example.
    return unprocessable(f'Query parameter "{name}" value must be integer. For input string: "{raw}".')


def parse_date(raw: str, name: str) -> datetime:
    """ISO 8601 date or date-time; a bare date gets the current time of day, as P
    ``DateModifiedMinParam`` says the API does. Naive times are taken as UTC."""
    try:
        if len(raw) == 10:
            now = datetime.now(timezone.utc)
            day = datetime.fromisoformat(raw)
            return day.replace(hour=now.hour, minute=now.minute, second=now.second,
                               tzinfo=timezone.utc)
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise unprocessable(f'Query parameter "{name}" value must be a date. For input string: "{raw}".') from None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


class Query:
    """The parsed query string of one request."""

    def __init__(self, args: Mapping[str, str], allowed: Iterable[str]) -> None:
        self.args = {k: args[k] for k in args}
        allowed = set(allowed)
        for name in self.args:
            if name not in allowed:
                raise unprocessable(
                    f'Query parameter "{name}" is not supported by this endpoint in the sandbox.',
                    {name: "unsupported query parameter"})

    def has(self, name: str) -> bool:
        return name in self.args

    def str(self, name: str) -> str | None:
        return self.args.get(name)

    def int(self, name: str, default: int | None = None) -> int | None:
        raw = self.args.get(name)
        if raw is None:
            return default
        try:
            return int(raw.strip())
        except ValueError:
            raise _must_be_integer(name, raw) from None

    def strs(self, name: str) -> list[str] | None:
        raw = self.args.get(name)
        return None if raw is None else [p for p in (s.strip() for s in raw.split(",")) if p]

    def ints(self, name: str) -> list[int] | None:
        parts = self.strs(name)
        if parts is None:
            return None
        out = []
        for p in parts:
            try:
                out.append(int(p))
            except ValueError:
                raise _must_be_integer(name, p) from None
        return out

    def bool(self, name: str) -> bool | None:
        raw = self.args.get(name)
        if raw is None:
            return None
        if raw.lower() in ("true", "1"):
            return True
        if raw.lower() in ("false", "0"):
            return False
        raise unprocessable(f'Query parameter "{name}" value must be boolean. For input string: "{raw}".')

    def date(self, name: str) -> datetime | None:
        raw = self.args.get(name)
        return None if raw is None else parse_date(raw, name)

    def page_limit(self) -> tuple[int, int]:
        page = self.int("page", 1)
        limit = self.int("limit", DEFAULT_LIMIT)
        if limit > MAX_LIMIT:
            # Specs are silent on limit > 250; d:status: 413 is for "too many objects.
            # For example, the `limit` parameter exceeded the maximum."
            raise SandboxError(413, f"The limit parameter exceeded the maximum of {MAX_LIMIT}.", {})
        if limit < 1 or page < 1:
            name = "limit" if limit < 1 else "page"
            raise unprocessable(f'Query parameter "{name}" value must be a positive integer.')
        return page, limit


# ---- filters ------------------------------------------------------------------------

def _key(value: Any) -> Any:
    return value.casefold() if isinstance(value, str) else value


def _as_date(value: Any) -> datetime | None:
    return None if value in (None, "") else parse_date(str(value), "field")


Filter = Callable[[dict], bool]


def build_filters(q: Query, spec: Mapping[str, tuple[str, str]]) -> list[Filter]:
    """``spec`` maps parameter -> (field, type); type is int|num|str|istr|bool|date|like.
    The operator comes from the suffix (FACTS §3.3): none, in, not_in, min, max,
    greater, less."""
    preds: list[Filter] = []
    for param, (field, kind) in spec.items():
        if not q.has(param):
            continue
        op = param.split(":", 1)[1] if ":" in param else "eq"
        preds.append(_predicate(q, param, field, kind, op))
    return preds


def _predicate(q: Query, param: str, field: str, kind: str, op: str) -> Filter:
    if kind == "like":
        needle = (q.str(param) or "").strip("%").casefold()
        return lambda o: needle in str(o.get(field, "")).casefold()
    if kind == "bool":
        want = q.bool(param)
        return lambda o: bool(o.get(field)) == want
    if op in ("in", "not_in"):
        if kind == "int":
            values = set(q.ints(param) or [])
        else:
            values = {_key(v) for v in q.strs(param) or []}
        if op == "in":
            return lambda o: _key(o.get(field)) in values
        return lambda o: _key(o.get(field)) not in values
    if kind == "date":
        ref = q.date(param)
        get = lambda o: _as_date(o.get(field))  # noqa: E731
    elif kind in ("int", "num"):
        ref = q.int(param) if kind == "int" else _num(q, param)
        get = lambda o: o.get(field)  # noqa: E731
    else:
        ref = q.str(param)
        ref = ref.casefold() if kind == "istr" else ref
        get = (lambda o: _key(o.get(field))) if kind == "istr" else (lambda o: o.get(field))
    return _compare(get, ref, op)


def _num(q: Query, param: str) -> float:
    raw = q.str(param) or ""
    try:
        return float(raw)
    except ValueError:
        raise unprocessable(f'Query parameter "{param}" value must be a number. For input string: "{raw}".') from None


def _compare(get: Callable[[dict], Any], ref: Any, op: str) -> Filter:
    ops = {
        "eq": lambda a: a == ref,
        "min": lambda a: a is not None and a >= ref,
        "max": lambda a: a is not None and a <= ref,
        "greater": lambda a: a is not None and a > ref,
        "less": lambda a: a is not None and a < ref,
    }
    test = ops[op]
    return lambda o: test(get(o))


def select(items: Iterable[dict], preds: list[Filter]) -> list[dict]:
    return [o for o in items if all(p(o) for p in preds)]


# ---- shaping and paging -------------------------------------------------------------

def shape(obj: dict, q: Query, id_field: str = "id", always: Iterable[str] = ()) -> dict:
    """Apply include_fields (listed fields plus the id) and exclude_fields (the id
    cannot be excluded) – d:query, P ``IncludeFieldsParam``/``ExcludeFieldsParam``."""
    keep, exclude = shape_sets(q, id_field, always)
    return {k: v for k, v in obj.items()
            if (keep is None or k in keep) and k not in exclude}


def shape_sets(q: Query, id_field: str = "id", always: Iterable[str] = ()) -> tuple[frozenset | None, frozenset]:
    """The keys ``shape`` keeps (None: all) and the keys it leaves out."""
    include = q.strs("include_fields")
    exclude = frozenset(q.strs("exclude_fields") or []) - {id_field}
    keep = frozenset(include) | {id_field} | set(always) if include else None
    return keep, exclude


def paginate(items: list, q: Query, link_order: str = "page") -> tuple[list, dict]:
    """Offset pagination. ``link_order`` is "page" (``?page=2&limit=50``, P/B/CH
    examples) or "limit" (``?limit=50&page=2``, assignment and trees examples)."""
    page, limit = q.page_limit()
    chunk = items[(page - 1) * limit: page * limit]
    return chunk, page_meta(len(items), len(chunk), page, limit, link_order)


def page_meta(total: int, count: int, page: int, limit: int, link_order: str = "page") -> dict:
    """``meta.pagination`` for one page of ``total`` items (FACTS §3.1)."""
    total_pages = math.ceil(total / limit)

    def link(n: int) -> str:
        return f"?page={n}&limit={limit}" if link_order == "page" else f"?limit={limit}&page={n}"

    links: dict[str, str] = {}
    if page > 1:
        links["previous"] = link(page - 1)
    links["current"] = link(page)
    if page < total_pages:
        links["next"] = link(page + 1)
    return {"pagination": {"total": total, "count": count, "per_page": limit,
                           "current_page": page, "total_pages": total_pages, "links": links}}


def sort_items(items: list[dict], field: str, descending: bool) -> list[dict]:
    """Stable sort with None last; ties keep id order (FACTS: default sort not stated,
    we use id ascending)."""
    present = [o for o in items if o.get(field) is not None]
    missing = [o for o in items if o.get(field) is None]
    present.sort(key=lambda o: _key(o[field]), reverse=descending)
    return present + missing
