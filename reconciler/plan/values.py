"""What the text and markdown renderers show for a value, a field and a change.

Plan values are in desired-state terms (Decimals, names, category paths). This
module turns them into one-line strings a reviewer can read, and turns one
ResourceChange into the field lines both renderers print:

    >>> format_value(Decimal("12.5")), format_value(Decimal("0.125"))
    ('12.50', '0.125')
    >>> format_value(["Tools", None, True])
    '["Tools", null, true]'
    >>> format_set_diff(["Tools"], ["Tools", "Tools/Crimping"])
    '+"Tools/Crimping"'

The JSON renderer does not use this module: a plan file keeps every value exact.
Display strings may be shortened here (long strings are cut with "…").
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, Iterable, NamedTuple

from reconciler.plan.model import Action, ResourceChange
from reconciler.resources import REGISTRY

MAX_STRING = 60      # characters of a string shown before it is cut with "…"
_CONTEXT = 20        # characters kept before the first difference of two long strings
ELLIPSIS = "…"


def format_value(value: Any, *, max_len: int | None = MAX_STRING) -> str:
    """One-line display form: JSON-like, Decimals as plain text with at least 2 places.

    ``max_len=None`` shows strings in full.
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return _decimal(value)
    if isinstance(value, str):
        return _string(value, max_len)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(format_value(v, max_len=max_len) for v in value) + "]"
    if isinstance(value, dict):
        items = (f"{_string(str(k), None)}: {format_value(v, max_len=max_len)}" for k, v in value.items())
        return "{" + ", ".join(items) + "}"
    if isinstance(value, float):
        return json.dumps(value)
    return str(value)


def format_pair(before: Any, after: Any, *, max_len: int | None = MAX_STRING) -> tuple[str, str]:
    """Format both sides of a change so the difference stays visible.

    Two long strings that differ only after ``max_len`` characters would look the
    same when both are cut at the start, so both are shown from just before
    their first difference instead: ``"…UV stabilised, black"``.
    """
    if isinstance(before, str) and isinstance(after, str) and max_len is not None:
        start = _common_prefix(before, after) - _CONTEXT
        if start > 0 and start + 2 * _CONTEXT >= max_len:   # difference not (well) in view
            space = before.rfind(" ", max(start - _CONTEXT, 0), start)
            start = space + 1 if space >= 0 else start    # start at a word when one is near
            return _string(before, max_len, start), _string(after, max_len, start)
    return format_value(before, max_len=max_len), format_value(after, max_len=max_len)


def set_diff(before: Any, after: Any) -> tuple[list[Any], list[Any]]:
    """(added, removed) between two set-like lists, each in its list's order."""
    old, new = list(before or []), list(after or [])
    return [v for v in new if v not in old], [v for v in old if v not in new]


def format_set_diff(before: Any, after: Any, *, max_len: int | None = MAX_STRING) -> str:
    """``+"Tools/Crimping" -"Tools"``: added items first, then removed ones."""
    added, removed = set_diff(before, after)
    parts = [f"+{format_value(v, max_len=max_len)}" for v in added]
    parts += [f"-{format_value(v, max_len=max_len)}" for v in removed]
    return " ".join(parts) or "(order only)"


# -- per-kind facts the Plan does not carry ------------------------------------------
# The key field name and which lists are sets are static facts of a kind, read from
# the registry; unknown kinds (a plan file from a newer tool) still render.

def key_field(kind: str) -> str | None:
    return REGISTRY[kind].key if kind in REGISTRY else None


def is_set_field(kind: str, path: str) -> bool:
    return kind in REGISTRY and path in REGISTRY[kind].set_fields


def group_by_kind(changes: Iterable[ResourceChange]) -> list[list[ResourceChange]]:
    """Group by kind: kinds in order of first appearance, plan order inside a kind."""
    groups: dict[str, list[ResourceChange]] = {}
    for rc in changes:
        groups.setdefault(rc.kind, []).append(rc)
    return list(groups.values())


def count_noun(kind: str, n: int) -> str:
    """``1 product``, ``15 products``, ``2 categories``."""
    if n == 1:
        return f"1 {kind}"
    if kind in REGISTRY:
        return f"{n} {REGISTRY[kind].plural}"
    return f"{n} {kind[:-1]}ies" if kind.endswith("y") else f"{n} {kind}s"


# -- field lines -----------------------------------------------------------------------

class FieldLine(NamedTuple):
    """One displayed field of a resource change.

    ``symbol`` is "+" (value set where there was none), "~" (changed) or "-"
    (value removed). For a set-like list, ``before`` holds the removed items
    (``-"Tools"``) and ``after`` the added ones (``+"Tools/Crimping"``).
    """

    symbol: str
    path: str
    before: str | None
    after: str | None
    set_like: bool = False


def field_lines(rc: ResourceChange) -> list[FieldLine]:
    """The lines shown under one resource: all fields of a create, the changes of an update."""
    if rc.action is Action.CREATE:
        return [FieldLine("+", p, None, format_value(rc.after[p])) for p in _create_order(rc)]
    if rc.action is Action.UPDATE:
        return [_change_line(rc.kind, fc.path, fc.before, fc.after) for fc in rc.changes]
    return []


def _create_order(rc: ResourceChange) -> list[str]:
    key = key_field(rc.kind)
    return sorted(rc.after, key=lambda p: (p != key, p))


def _change_line(kind: str, path: str, before: Any, after: Any) -> FieldLine:
    if is_set_field(kind, path):
        added, removed = set_diff(before, after)
        return FieldLine(
            "~", path,
            " ".join(f"-{format_value(v)}" for v in removed),
            " ".join(f"+{format_value(v)}" for v in added),
            set_like=True,
        )
    if before is None:
        return FieldLine("+", path, None, format_value(after))
    if after is None:
        return FieldLine("-", path, format_value(before), "null")
    return FieldLine("~", path, *format_pair(before, after))


def _decimal(d: Decimal) -> str:
    if not d.is_finite():
        return str(d)
    text = format(d, "f")
    places = len(text.partition(".")[2])
    if places < 2:      # pad as text: never rounds, never depends on the decimal context
        text += ("" if places else ".") + "0" * (2 - places)
    return text


def _string(s: str, max_len: int | None, start: int = 0) -> str:
    if max_len is None or (start == 0 and len(s) <= max_len):
        return json.dumps(s, ensure_ascii=False)
    head = ELLIPSIS if start else ""
    tail = ELLIPSIS if len(s) > start + max_len else ""
    return '"' + head + json.dumps(s[start:start + max_len], ensure_ascii=False)[1:-1] + tail + '"'


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n
