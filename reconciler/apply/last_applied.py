"""The last-applied state: what the catalog said for each object when apply last
wrote it. It lets a plan tell a PR's intent from drift:

    YAML now  vs last applied   store now vs last applied   origin
    differs                     same                        yaml   (the catalog changed)
    same                        differs                     drift  (someone edited the store)
    differs                     differs                     yaml+drift

``catalog apply`` writes it to ``.catalog/state/last-applied.json`` (CI keeps it
in a cache so the scheduled drift job can restore it). Without it the plan is
exactly the same; only the origin of each change is unknown.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator, MutableMapping

from reconciler.desired.model import DesiredState
from reconciler.plan import baseline as targeted
from reconciler.plan.model import Action, Plan, decode_value, encode_value

DEFAULT_PATH = Path(".catalog/state/last-applied.json")


@dataclass
class LastApplied:
    written_at: str = ""
    objects: MutableMapping[str, dict[str, Any]] = field(default_factory=dict)   # "kind\tkey(folded)" -> fields
    # The store as the last complete apply left it, for a targeted plan (plan/targeted.py):
    # its read's start, store, settings and the dated kinds' objects; None: none to trust.
    baseline: dict[str, Any] | None = None

    @staticmethod
    def ident(kind: str, key: str) -> str:
        return f"{kind}\t{key.casefold()}"

    def get(self, kind: str, key: str) -> dict[str, Any] | None:
        return self.objects.get(self.ident(kind, key))


class SavedObjects(MutableMapping):
    """The objects of a saved state, each kept as the JSON text it was saved as and decoded
    when asked for (a fresh value each time: read it, never change it). A plan asks for
    the few objects it changes; a 10,000-product state decoded whole kept 113 MB and peaked
    at 230 MB (bench/memory_pipeline.py), its text is 22 MB. Set values are kept as given."""

    def __init__(self, texts: dict[str, str]) -> None:
        self._texts = texts
        self._values: dict[str, Any] = {}

    def __getitem__(self, ident: str) -> Any:
        if ident in self._values:
            return self._values[ident]
        return decode_value(json.loads(self._texts[ident]))

    def __setitem__(self, ident: str, value: Any) -> None:
        self._texts.pop(ident, None)
        self._values[ident] = value

    def __delitem__(self, ident: str) -> None:
        if self._values.pop(ident, _NONE) is _NONE:
            del self._texts[ident]

    def __contains__(self, ident: object) -> bool:
        return ident in self._values or ident in self._texts

    def __iter__(self) -> Iterator[str]:
        yield from self._texts
        yield from self._values

    def __len__(self) -> int:
        return len(self._texts) + len(self._values)

    def text(self, ident: str) -> str | None:
        """The JSON an object was read as, when it was not set since."""
        return self._texts.get(ident)


_NONE = object()
_HEAD_END = '"objects": {\n'


def load(path: Path = DEFAULT_PATH) -> LastApplied | None:
    try:
        with path.open(encoding="utf-8") as f:
            head = f.readline()
            if not head.endswith(_HEAD_END):      # a state saved as one JSON line (before)
                data = json.loads(head + f.read())
                return LastApplied(data["written_at"], decode_value(data["objects"]), data.get("baseline"))
            data = json.loads(head + "}}")
            texts, scan = {}, json.JSONDecoder().raw_decode
            for line in f:
                if line.startswith('"'):
                    ident, end = scan(line)
                    texts[ident] = line[end + 2:].rstrip().removesuffix(",")
        return LastApplied(data["written_at"], SavedObjects(texts), data.get("baseline"))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def save(path: Path, state: LastApplied) -> None:
    """Written object by object, one a line (``load`` keeps each line's text, decodes
    it when asked): the whole state as one encoded tree and one JSON string was ≈200 MB
    at its peak for a 10,000-product catalog (bench/memory_pipeline.py)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")

    def dumps(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=_encode)

    objects = state.objects
    saved = objects.text if isinstance(objects, SavedObjects) else lambda ident: None
    with tmp.open("w", encoding="utf-8") as f:
        f.write('{"written_at": ' + dumps(state.written_at) + ', "baseline": ' + dumps(state.baseline)
                + ", " + _HEAD_END)
        for i, ident in enumerate(sorted(objects)):
            text = saved(ident)
            f.write(("" if i == 0 else ",\n") + dumps(ident) + ": " + (text if text is not None else dumps(objects[ident])))
        f.write("\n}}\n")
    tmp.replace(path)


def _encode(value: Any) -> Any:
    """What ``encode_value`` makes of a value JSON has no type for (a Decimal)."""
    encoded = encode_value(value)
    if encoded is value:
        raise TypeError(f"{type(value).__name__} is not JSON serializable")
    return encoded


def _baseline(previous: dict | None, plan: Plan, outcomes: list, desired: DesiredState | None,
              complete: bool) -> dict | None:
    """A complete apply of a whole plan, of the catalog it was made from, read as a whole:
    that read's baseline; else the previous one (its objects changed since are found by
    date; an object left differing keeps its previous entry). Either way without the
    objects this apply deleted."""
    fresh = (complete and not plan.partial and plan.baseline is not None
             and desired is not None and desired.digest == plan.desired_digest)
    base = plan.baseline if fresh else previous
    if base is None:
        return None
    if any(o.ok and o.change.action is Action.DELETE for o in outcomes):
        base = copy.deepcopy(base)      # after_apply takes the deletes out in place
    return targeted.after_apply(base, outcomes)


def record(path: Path, plan: Plan, outcomes: list, desired: DesiredState | None) -> LastApplied:
    """After an apply: every object whose changes all went through now stands as the
    catalog says (all of ``desired`` when it is the catalog the plan was made from,
    else the applied changes on top of the previous state); failed ones keep their
    previous entry, so their drift is still reported."""
    state = load(path) or LastApplied()
    done = {LastApplied.ident(o.change.kind, o.change.key) for o in outcomes if o.ok}
    # A change without a good outcome (failed, skipped as stale, never sent after an interrupt)
    # keeps its object's previous entry: the store may still differ from the catalog there.
    failed = {LastApplied.ident(o.change.kind, o.change.key) for o in outcomes if not o.ok}
    failed |= {LastApplied.ident(c.kind, c.key) for c in plan.changes
               if c.action is not Action.NOOP and LastApplied.ident(c.kind, c.key) not in done}
    state.baseline = _baseline(state.baseline, plan, outcomes, desired, complete=not failed)
    if desired is not None and desired.digest == plan.desired_digest and not plan.partial:
        for kind, objects in desired.objects.items():
            for obj in objects.values():
                ident = LastApplied.ident(kind, obj.key)
                if ident in failed:
                    continue
                if obj.fields.get("delete") is True:
                    state.objects.pop(ident, None)
                elif "acknowledge" in obj.fields:
                    state.objects[ident] = {f: v for f, v in obj.fields.items() if f != "acknowledge"}
                else:
                    state.objects[ident] = obj.fields     # shared, not copied: saved, never changed
    for o in outcomes:
        ident = LastApplied.ident(o.change.kind, o.change.key)
        if not o.ok:
            continue
        if o.change.action is Action.DELETE:
            state.objects.pop(ident, None)
        elif desired is None or desired.digest != plan.desired_digest or plan.partial:
            state.objects[ident] = {**state.objects.get(ident, {}), **o.change.after}
    state.written_at = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    save(path, state)
    return state
