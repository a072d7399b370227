"""Kept serializations: an object's API view as JSON text, stored beside its body, so a
page is joined from stored text instead of decoding, rebuilding and encoding every row.

A view is the object's keys and its ``"key": value`` pairs, each encoded exactly as
``json.dumps`` (default separators, ``ensure_ascii``) encodes it inside the object::

    <key><US><key>…<RS><"key": value><US><"key": value>…

US (``\\x1f``) and RS (``\\x1e``) cannot occur in ``json.dumps`` output (control characters
are escaped), so splitting on them is exact. The whole object is then
``"{" + pairs joined by ", " + "}"``, byte for byte ``json.dumps(obj)``; a shaped object
(``include_fields``/``exclude_fields``, or extra keys such as a product's ``variants``)
picks pairs by position. Positions are worked out once per distinct key list (every
product has the same keys), not once per row.

    >>> v = encode({"id": 1, "name": "Tie", "_x": 0})
    >>> splice(v), splice_many([v], frozenset({"id"}), extra_keys=("variants",), extras=[["[]"]])
    ('{"id": 1, "name": "Tie", "_x": 0}', ['{"id": 1, "variants": []}'])
"""

from __future__ import annotations

import json
from functools import lru_cache
from json.encoder import c_make_encoder, encode_basestring_ascii
from operator import itemgetter
from typing import Any, Callable, Iterable

from .validation import normalize_number

US, RS = "\x1f", "\x1e"


def _encoder(item_separator: str) -> Callable[[Any], str]:
    """``json.dumps`` as the answers call it (``default=normalize_number``), with the given
    item separator; json's C encoder is made once, not once per call as
    ``json.JSONEncoder.encode`` makes it."""
    if c_make_encoder is None:  # pragma: no cover - a Python without json's C accelerator
        return json.JSONEncoder(default=normalize_number, separators=(item_separator, ": ")).encode
    encoder = c_make_encoder(None, normalize_number, encode_basestring_ascii, None, ": ", item_separator,
                             False, False, True)
    return lambda value: encode_basestring_ascii(value) if value.__class__ is str else "".join(encoder(value, 0))


dumps = _encoder(", ")
# US between the items of objects and arrays: the pairs of an object without nested
# values split on it.
_dumps_split = _encoder(US)
_KEYS: dict[str, str] = {}
_HEADS: dict[tuple[str, ...], str] = {}


def _key(name: str) -> str:
    text = _KEYS.get(name)
    if text is None:
        text = _KEYS[name] = json.dumps(name)
    return text


def encode(obj: dict[str, Any]) -> str:
    """The view text of an API object (string keys; see the module docstring): one
    encoding of the object with its nested values left out, split into pairs, and
    the nested values encoded on their own."""
    keys = tuple(obj)
    head = _HEADS.get(keys)
    if head is None:
        head = US.join([_key(k) for k in keys])
        if len(_HEADS) < 1024:
            _HEADS[keys] = head
    nested = [i for i, v in enumerate(obj.values()) if isinstance(v, (dict, list, tuple))]
    flat = obj
    if nested:
        flat = dict(obj)
        for i in nested:
            flat[keys[i]] = None
    pairs = _dumps_split(flat)[1:-1].split(US)
    for i in nested:
        pairs[i] = f"{_key(keys[i])}: {dumps(obj[keys[i]])}"
    return head + RS + US.join(pairs)


class _Plan:
    """How views with one key list are shaped: which pairs are kept (in order), which
    of them an extra key replaces in place (a dict assignment keeps the key's place),
    and which extra keys are appended."""

    def __init__(self, head: str, keep: frozenset | None, drop: frozenset, extra_keys: tuple[str, ...]) -> None:
        names = json.loads("[" + head.replace(US, ",") + "]") if head else []
        picked = [i for i, k in enumerate(names) if (keep is None or k in keep) and k not in drop]
        kept = {names[i]: i for i in picked}
        # each chosen pair: a position in the view's pairs, or (prefix, index of an extra value)
        self.general = [(f"{_key(names[i])}: ", extra_keys.index(names[i])) if names[i] in extra_keys else i
                        for i in picked]
        self.general += [(f"{_key(k)}: ", j) for j, k in enumerate(extra_keys) if k not in kept]
        self.simple = not any(names[i] in extra_keys for i in picked)
        self.pick = (itemgetter(*picked) if len(picked) > 1 else
                     (lambda parts, i=picked[0]: (parts[i],)) if picked else (lambda parts: ()))
        self.tail = [pair for pair in self.general if isinstance(pair, tuple)]

    def join(self, pairs: str, values: list[str]) -> str:
        parts = pairs.split(US)
        if self.simple:
            chosen = self.pick(parts)
            if self.tail:
                chosen = (*chosen, *[prefix + values[j] for prefix, j in self.tail])
        else:
            chosen = tuple(parts[c] if isinstance(c, int) else c[0] + values[c[1]] for c in self.general)
        return "{" + ", ".join(chosen) + "}"


def splice_many(views: Iterable[str], keep: frozenset | None = None, drop: frozenset = frozenset(),
                extra_keys: tuple[str, ...] = (), extras: Iterable[list[str]] | None = None) -> list[str]:
    """The JSON text of each view, shaped like ``query.shape`` (``keep`` None: every key;
    ``drop``: keys left out), then with ``extra_keys`` set to ``extras[i]`` (JSON texts,
    in that order) as ``item[key] = value`` would set them."""
    if keep is None and not drop and not extra_keys:
        return ["{" + view.partition(RS)[2].replace(US, ", ") + "}" for view in views]
    out: list[str] = []
    last, plan = None, None
    rows = extras if extras is not None else iter(lambda: [], None)
    for view, values in zip(views, rows):
        head, _, pairs = view.partition(RS)
        if head != last:
            last, plan = head, _plan(head, keep, drop, extra_keys)
        out.append(plan.join(pairs, values))  # type: ignore[union-attr]
    return out


@lru_cache(maxsize=256)
def _plan(head: str, keep: frozenset | None, drop: frozenset, extra_keys: tuple[str, ...]) -> _Plan:
    return _Plan(head, keep, drop, extra_keys)


def splice(view: str, keep: frozenset | None = None, drop: frozenset = frozenset()) -> str:
    return splice_many([view], keep, drop)[0]


def array(items: Iterable[str]) -> str:
    """A JSON array of already-encoded items, as ``json.dumps`` would write it."""
    return "[" + ", ".join(items) + "]"


def array_of(views: list[str]) -> str:
    """The JSON array of whole views: ``array(splice_many(views))`` in one join."""
    if not views:
        return "[]"
    return "[{" + "}, {".join([view.partition(RS)[2] for view in views]).replace(US, ", ") + "}]"
