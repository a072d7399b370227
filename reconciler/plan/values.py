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

Sub-resources (variants, options, custom fields, channel assignments) are shown
nested under the object that owns them. ``nest`` turns the flat plan into
``Block``s, one per top-level object, each with its children grouped by kind
(registry order: option, variant, custom_field, channel_assignment). A parent
that has no change of its own (or is not in the plan at all) still gets a block,
marked ``NEUTRAL`` ("="), so no child is ever shown without its owner. A delete
and a create of one child key (reason ``replace:<fields>``) become one
``Entry`` shown as ``REPLACE`` ("-/+").

Prices: a price list's records and assignments nest under it and take one line
each, named by what they are (``child_title``: "CT-BLK100-2.5 GBP", "assignment
Trade on uk-main"). A change of a money field (the kind's ``money_fields``:
price, sale_price, ...) carries its percentage (``FieldLine.note``: "-3.1%").
Structured settings (a customer group's discount_rules) are shown compactly,
YAML flow style:

    >>> format_compact([{"type": "price_list", "price_list": "Trade GBP"}])
    '[{type: price_list, price_list: "Trade GBP"}]'
    >>> format_pct(Decimal("-12.5")), format_pct(Decimal("3")), format_pct(Decimal("0"))
    ('-12.5%', '+3.0%', '0.0%')

``impact_cells`` gives the cells of one ``Plan.impact`` row; how a blocked change is let
through is the HOW of its reason (core.errors ``unblock_hints``).

The JSON renderer does not use this module: a plan file keeps every value exact.
Display strings may be shortened here (long strings are cut with "…").
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Context, Decimal, InvalidOperation
from typing import Any, Iterable, NamedTuple, Protocol, TypeVar

from reconciler.core.address import Address
from reconciler.plan.model import IMPACT_GROUP, Action, ResourceChange
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


# Render hints (ResourceKind's "plan: render hints"): how a kind's changes are shown.

def _compact(kind: str, path: str) -> bool:
    """A field shown YAML flow style (``[{type: price_list, price_list: "Trade GBP"}]``), not as JSON."""
    return kind in REGISTRY and path in REGISTRY[kind].compact_fields


def _fields_first(kind: str) -> tuple[str, ...]:
    """Fields shown first, in this order (a record's price before the prices a reviewer reads less)."""
    return REGISTRY[kind].fields_first if kind in REGISTRY else ()


def _title_fields(kind: str) -> frozenset[str]:
    """Fields a ``child_title`` already says: not repeated as field lines."""
    return REGISTRY[kind].title_fields if kind in REGISTRY else frozenset()


class _HasKind(Protocol):
    kind: str


_K = TypeVar("_K", bound=_HasKind)


def group_by_kind(items: Iterable[_K]) -> list[list[_K]]:
    """Group changes (or blocks) by kind: kinds in order of first appearance, order kept inside a kind."""
    groups: dict[str, list[_K]] = {}
    for item in items:
        groups.setdefault(item.kind, []).append(item)
    return list(groups.values())


def count_noun(kind: str, n: int) -> str:
    """``1 product``, ``15 products``, ``2 categories``, ``3 prices for a group``: the kind's words."""
    return f"1 {kind_label(kind)}" if n == 1 else f"{n} {kind_label(kind, many=True)}"


def kind_label(kind: str, *, many: bool = False) -> str:
    """A kind in a merchandiser's words (``ResourceKind.words``): "custom field", "price for a group"."""
    if kind in REGISTRY:
        return REGISTRY[kind].words[many]
    return plural(kind) if many else kind       # a kind this tool does not know: as the plan file names it


def plural(kind: str) -> str:
    if kind in REGISTRY:
        return REGISTRY[kind].plural
    return f"{kind[:-1]}ies" if kind.endswith("y") else f"{kind}s"


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
    note: str = ""          # what a money change does, in percent: "-3.1%"


def field_lines(rc: ResourceChange) -> list[FieldLine]:
    """The lines shown under one resource: all fields of a create, the changes of an update.

    A sub-resource's key field (a variant's ``sku``, a custom field's ``name``) is
    left out: its label already says it.
    """
    if rc.action is Action.CREATE:
        return [FieldLine("+", p, None, _shown_value(rc.kind, p, rc.after[p])) for p in _create_order(rc)]
    if rc.action is Action.UPDATE:
        lines = [_change_line(rc.kind, fc.path, fc.before, fc.after) for fc in rc.changes]
        return sorted(lines, key=lambda f: _field_rank(rc.kind, f.path)) if _fields_first(rc.kind) else lines
    return []


def deleted_lines(rc: ResourceChange) -> list[FieldLine]:
    """What a deleted one-line child held (a price record's "price 1.60"), from its changes' old values.

    Empty for other kinds and for fields the child's title already says.
    """
    if rc.action is not Action.DELETE or rc.kind not in ONE_LINE_KINDS:
        return []
    titled = _title_fields(rc.kind)
    gone = [fc for fc in rc.changes if fc.before is not None and fc.path not in titled]
    return [FieldLine("-", fc.path, _shown_value(rc.kind, fc.path, fc.before), None)
            for fc in sorted(gone, key=lambda fc: _field_rank(rc.kind, fc.path))]


def _create_order(rc: ResourceChange) -> list[str]:
    key = key_field(rc.kind)
    titled = _title_fields(rc.kind) if rc.parent else frozenset()
    paths = [p for p in rc.after if not (rc.parent and p == key) and p not in titled]
    return sorted(paths, key=lambda p: (p != key, _field_rank(rc.kind, p), p))


def _field_rank(kind: str, path: str) -> int:
    first = _fields_first(kind)
    return first.index(path) if path in first else len(first)


def _shown_value(kind: str, path: str, value: Any) -> str:
    if _compact(kind, path):
        return format_compact(value)
    return format_value(value)


def _change_line(kind: str, path: str, before: Any, after: Any) -> FieldLine:
    if _compact(kind, path):
        if before is None:
            return FieldLine("+", path, None, format_compact(after))
        if after is None:
            return FieldLine("-", path, format_compact(before), "null")
        return FieldLine("~", path, format_compact(before), format_compact(after))
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
    note = ""
    if kind in REGISTRY and path in REGISTRY[kind].money_fields:
        note = format_pct(pct_change(before, after))
    return FieldLine("~", path, *format_pair(before, after), note=note if note != NO_PCT else "")


# -- prices: compact values, percentages, impact rows -------------------------------------

NO_PCT = "n/a"
IMPACT_COLUMNS = ("customer group", "channel", "variants changing price", "smallest", "median", "largest",
                  "sum of change", "blocked")
CATALOG_PRICE = "(catalog price)"     # Plan.impact's customer_group for shoppers without a price list

_PLAIN_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PCT_PLACES = Decimal("0.1")


def format_compact(value: Any, *, max_len: int | None = MAX_STRING) -> str:
    """YAML flow style: keys and snake_case words bare, other strings quoted, Decimals as money."""
    if isinstance(value, str):
        return value if _bare(value) and value.islower() else _string(value, max_len)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(format_compact(v, max_len=max_len) for v in value) + "]"
    if isinstance(value, dict):
        items = (f"{k if isinstance(k, str) and _bare(k) else _string(str(k), None)}: "
                 f"{format_compact(v, max_len=max_len)}" for k, v in value.items())
        return "{" + ", ".join(items) + "}"
    return format_value(value, max_len=max_len)


def _bare(s: str) -> bool:
    return bool(_PLAIN_WORD.fullmatch(s)) and s not in ("null", "true", "false")


def pct_change(before: Any, after: Any) -> Decimal | None:
    """(after - before) / before in percent; None unless both are numbers and before is not 0."""
    if isinstance(before, bool) or isinstance(after, bool):
        return None
    try:
        old, new = Decimal(str(before)), Decimal(str(after))
    except (InvalidOperation, ValueError, TypeError):
        return None
    if not old.is_finite() or not new.is_finite() or old == 0:
        return None
    return Context(prec=50).divide((new - old) * 100, old)


def format_pct(value: Any) -> str:
    """``-12.5%``, ``+3.0%``, ``0.0%``: signed, one decimal place (half even, as the planner
    rounds); ``n/a`` when unknown.

    A change too small to show keeps its direction: -0.04 is ``-0.0%``.
    """
    if value is None or isinstance(value, bool):
        return NO_PCT
    try:
        d = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if not d.is_finite():
        return f"{d}%"
    if d == 0:
        return "0.0%"
    context = Context(prec=max(50, d.adjusted() + 3))
    text = format(d.quantize(_PCT_PLACES, rounding=ROUND_HALF_EVEN, context=context), "f")
    if d < 0 and not text.startswith("-"):
        text = "-" + text
    return ("+" if d > 0 else "") + text + "%"


def impact_cells(row: dict[str, Any]) -> tuple[str, ...]:
    """The cells of one ``Plan.impact`` row, in ``IMPACT_COLUMNS`` order (missing values tolerated:
    a plan saved before the amounts existed has an empty "sum of change")."""
    total = ", ".join(_money(d, cur) for cur, d in (row.get("sum_change") or {}).items())
    return (
        str(row.get(IMPACT_GROUP, "")), str(row.get("channel", "")), str(row.get("changed", 0)),
        format_pct(row.get("min_pct")), format_pct(row.get("median_pct")), format_pct(row.get("max_pct")),
        total, str(row.get("blocked", 0)),
    )


def impact_movers(row: dict[str, Any]) -> list[tuple[str, str]]:
    """A ``Plan.impact`` row's biggest movers: [(sku, "1.60 -> 0.80 (-0.80 GBP)"), ...]."""
    return [(str(m["sku"]), f"{format_value(m['before'])} -> {format_value(m['after'])} "
                            f"({_money(m['after'] - m['before'], m['currency'])})") for m in row.get("movers") or []]


def _money(d: Decimal, currency: str) -> str:
    """A signed amount with its currency: "+0.50 GBP", "-3.00" (no currency known)."""
    text = ("+" if d > 0 else "") + format_value(d)
    return f"{text} {currency}" if currency else text


# -- sub-resources nested under their parent --------------------------------------------

NEUTRAL = "="      # a parent shown only because its parts change; apply does not touch it
REPLACE = "-/+"    # a child deleted and created again under the same key
# Kinds that are one value each (a label list, a text, a channel): shown on one line.
INLINE_KINDS = frozenset(k.name for k in REGISTRY if k.shown_as == "inline")
# Kinds shown on one line whatever they change, named by ``child_title`` (a list holds 1,500 records).
ONE_LINE_KINDS = frozenset(k.name for k in REGISTRY if k.shown_as == "one_line")


class Entry(NamedTuple):
    """One displayed child: a change, or a replacement (``change`` is its create)."""

    change: ResourceChange
    replaced: ResourceChange | None = None     # the delete of the same key

    @property
    def symbol(self) -> str:
        return REPLACE if self.replaced else self.change.action.value


@dataclass
class Block:
    """A top-level object and the changes to its parts, as shown.

    ``head`` is the object's own change: None when the plan does not hold it
    (a parent only named by its children), possibly a NOOP.
    """

    kind: str
    key: str
    head: ResourceChange | None
    children: list[Entry] = field(default_factory=list)

    @property
    def symbol(self) -> str:
        return self.head.action.value if self.head and self.head.action is not Action.NOOP else NEUTRAL


def parent_of(rc: ResourceChange) -> tuple[str, str] | None:
    """(kind, key) of the owner ``rc.parent`` (``Address("product", "CT-BLK100")``); None at top level."""
    if rc.parent is None:
        return None
    if isinstance(rc.parent, Address):
        return rc.parent.kind, rc.parent.key
    kind = REGISTRY[rc.kind].parent if rc.kind in REGISTRY else None
    return kind or _USUAL_OWNER, rc.parent      # a bare key: the owner kind is the registry's


# The owner of a bare-key child of a kind this tool does not know: the kind most kinds nest under.
_USUAL_OWNER = Counter(k.parent for k in REGISTRY if k.parent).most_common(1)[0][0]


def child_label(rc: ResourceChange) -> str:
    """A child's key without its owner's: "Width" for "CT-BLK100/Width", a variant's whole SKU,
    "CT-BLK100-2.5:GBP" for the price record "Trade GBP:CT-BLK100-2.5:GBP"."""
    owner = parent_of(rc)
    if owner:
        for sep in ("/", "@", ":"):
            if rc.key.startswith(owner[1] + sep) and len(rc.key) > len(owner[1]) + 1:
                return rc.key[len(owner[1]) + 1:]
    return rc.key


def renamed(rc: ResourceChange) -> tuple[str, str] | None:
    """(new key, old key) of a rename in place (reason ``renamed``: ``renamed_from`` in YAML);
    the change is addressed by the old key, the store's, until apply renames it."""
    if rc.reason != "renamed" or rc.kind not in REGISTRY:
        return None
    key_field = REGISTRY[rc.kind].key
    for f in rc.changes:
        if f.path == key_field:
            return str(f.after), str(f.before)
    return None


def child_title(rc: ResourceChange) -> list[tuple[str, bool]] | None:
    """How a one-line child names itself, as (word, is_name) pairs; None for other kinds.

    The kind's ``title`` says: a price record is its SKU and currency
    (``CT-BLK100-2.5 GBP``), an assignment its customer group and channel
    (``assignment Trade on uk-main``). Names come from the change's fields, else
    from the key.
    """
    title = REGISTRY[rc.kind].title if rc.kind in REGISTRY else None
    if title is None:
        return None
    return title(lambda name: _field(rc, name), child_label(rc), rc.key)


def _field(rc: ResourceChange, name: str) -> str | None:
    """A field of the object: what a create writes, else what a delete's changes say it was."""
    value = rc.after.get(name)
    if value is None:
        value = next((fc.before for fc in rc.changes if fc.path == name), None)
    return str(value) if value not in (None, "") else None


def delete_reason(rc: ResourceChange) -> str:
    """Why something goes: "replaced: options changed", "removed: not in the product's variants"."""
    reason = rc.reason or ""
    if reason.startswith("replace:"):
        return f"replaced: {reason.partition(':')[2].replace(',', ', ')} changed"
    note = removal_note(rc)
    if note:
        return f"removed: {note}"
    return f"reason: {reason}" if reason else ""


def removal_note(rc: ResourceChange) -> str | None:
    """"not in the product's variants" for a child absent from its owner's list in YAML."""
    owner = parent_of(rc)
    if owner is None or rc.reason != "absent_from_desired":
        return None
    kind = REGISTRY[rc.kind] if rc.kind in REGISTRY else None
    listed = (kind.owner_field if kind else None) or plural(rc.kind)
    return f"not in the {owner[0].replace('_', ' ')}'s {listed}"


def kind_rank(kind: str) -> tuple[int, str]:
    """Registry order; kinds this tool does not know come last, by name."""
    return (REGISTRY.rank(kind), "") if kind in REGISTRY else (1 << 30, kind)


def nest(changes: Iterable[ResourceChange]) -> list[Block]:
    """The plan's creates, updates and child deletes as blocks, one per top-level object.

    Top-level deletes are not in a block (renderers list them first, on their
    own), and neither are deletes of children whose owner is deleted with them.
    Blocks keep plan order inside a kind; owners not in the plan follow, by key.
    """
    changes = list(changes)
    top = {(c.kind, c.key): c for c in changes if c.parent is None}
    position = {k: i for i, k in enumerate(top)}
    blocks = {k: Block(*k, c) for k, c in top.items() if c.action not in (Action.NOOP, Action.DELETE)}
    kids: dict[tuple[str, str], list[ResourceChange]] = {}
    for c in changes:
        owner = parent_of(c)
        if owner is None or c.action is Action.NOOP:
            continue
        if c.action is Action.DELETE and owner in top and top[owner].action is Action.DELETE:
            continue
        kids.setdefault(owner, []).append(c)
    for owner, cs in kids.items():
        block = blocks.setdefault(owner, Block(*owner, top.get(owner)))
        block.children = _entries(cs)
    return sorted(blocks.values(), key=lambda b: (
        kind_rank(b.kind), (b.kind, b.key) not in position, position.get((b.kind, b.key), 0), b.key))


def _entries(changes: list[ResourceChange]) -> list[Entry]:
    out: list[Entry] = []
    seen: dict[tuple[str, str], int] = {}
    for c in sorted(changes, key=lambda c: kind_rank(c.kind)):     # stable: plan order inside a kind
        i = seen.get((c.kind, c.key))
        if i is not None and out[i].replaced is None and {out[i].change.action, c.action} == _REPLACE_PAIR:
            first = out[i].change
            out[i] = Entry(c, first) if c.action is Action.CREATE else Entry(first, c)
            continue
        seen[(c.kind, c.key)] = len(out)
        out.append(Entry(c))
    return out


_REPLACE_PAIR = {Action.CREATE, Action.DELETE}


def entry_lines(entry: Entry) -> list[FieldLine]:
    """Field lines of a child. A replacement shows the fields its create writes, as
    ``before -> after`` where the value differs from the deleted object's (the delete's
    changes carry the old values)."""
    if entry.replaced is None:
        return field_lines(entry.change)
    rc = entry.change
    before = {fc.path: fc.before for c in (entry.replaced, rc) for fc in c.changes if fc.before is not None}
    return [
        _change_line(rc.kind, p, before[p], rc.after[p]) if p in before and before[p] != rc.after[p]
        else FieldLine("+", p, None, format_value(rc.after[p]))
        for p in _create_order(rc)
    ]


def own_lines(block: Block) -> list[FieldLine]:
    """The parent's own field lines, without the lists its nested children show item by item."""
    if block.head is None or block.head.action is Action.NOOP:
        return []
    shown = {REGISTRY[e.change.kind].owner_field for e in block.children if e.change.kind in REGISTRY}
    return [f for f in field_lines(block.head) if f.path not in shown]


def child_counts(changes: Iterable[ResourceChange]) -> dict[str, dict[Action, int]]:
    """{kind: {action: n}} of the sub-resource changes, kinds in registry order."""
    counts: dict[str, dict[Action, int]] = {}
    for c in sorted((c for c in changes if c.parent is not None and c.action is not Action.NOOP),
                    key=lambda c: kind_rank(c.kind)):
        per = counts.setdefault(c.kind, {})
        per[c.action] = per.get(c.action, 0) + 1
    return counts


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


# -- the estimate (apply/estimate.py) -------------------------------------------------


def _seconds_text(seconds: float) -> str:
    """``under 0.1 s``, ``3.1 s``, ``1 min 23 s``, ``2 h 5 min``."""
    if seconds < 0.05:
        return "under 0.1 s"       # not "0.0 s": a read that took no time reads as a bug
    if seconds < 10:
        return f"{seconds:.1f} s"
    whole = round(seconds)
    minutes, secs = divmod(whole, 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min {secs} s" if minutes else f"{secs} s"


def estimate_lines(estimate: dict[str, Any] | None) -> list[str]:
    """``Apply: 412 requests (lock 2, check 7, write 403), ≈ 1 min 23 s at 150 per 30 s
    (your share 50 %)`` and ``Read: 166 requests in 3.1 s``; none without an estimate."""
    if not estimate:
        return []
    lines = []
    if "requests" in estimate:
        phases = estimate.get("phases") or {}
        line = f"Apply: {estimate['requests']} requests"
        if phases:
            line += " (" + ", ".join(f"{name} {n}" for name, n in phases.items()) + ")"
        quota = estimate.get("quota")
        if quota and "seconds" in estimate:
            window = quota["window_s"]
            window_text = f"{window:g} s"
            took = _seconds_text(estimate['seconds'])
            line += f", {took if took.startswith('under') else '≈ ' + took} at {quota['requests']} per {window_text}"
            if quota.get("share"):
                line += f" (your share {quota['share'] * 100:g} %)"
        lines.append(line)
    if estimate.get("read"):
        read = estimate["read"]
        lines.append(f"Read: {read['requests']} requests in {_seconds_text(read['seconds'])}")
    return lines
