"""The baseline a complete apply records for the next targeted plan (apply/targeted.py):
when its read started, the store, the store settings' digest, and the dated kinds' objects
in the store (top-level kinds by id, read-apart kinds by key, per parent)."""

from __future__ import annotations

import hashlib
import json

from reconciler.core.live import LiveState
from reconciler.resources import REGISTRY, Registry


def settings_digest(settings) -> str:
    """The store block as written: a change to it (prune, channels, trees) may change any object's plan.
    ``targeted_undated`` only says what a targeted read lists: it changes no plan."""
    raw = {k: v for k, v in (settings.raw or {}).items() if k != "targeted_undated"}
    text = json.dumps(raw, sort_keys=True, default=str)
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def _dated(registry: Registry) -> tuple[list, list]:
    top = [k for k in registry.ordered() if k.modified_filter and not k.parent]
    apart = [k for k in registry.ordered() if k.read_changed and k.parent]
    return top, apart


def baseline_of(live: LiveState, settings, registry: Registry = REGISTRY) -> dict | None:
    """What a complete apply of a plan made from ``live`` records (``LastApplied.baseline``):
    when the read started, the store, the settings, and the dated kinds' objects in the
    store: {kind: {id: key}}, a read-apart kind's {kind: {parent key (folded): [keys (folded)]}}."""
    if not live.read_at:
        return None
    top, apart = _dated(registry)
    keys = {}
    for kind in top:
        ids = dict((live.known.get(kind.name) or {}))
        ids.update({str(o.id): o.key for o in live.of(kind.name).values() if o.id is not None})
        keys[kind.name] = ids
    children = {}
    for kind in apart:
        per = {p: set(ks) for p, ks in (live.known.get(kind.name) or {}).items()}
        for o in live.of(kind.name).values():
            per.setdefault((o.parent or "").casefold(), set()).add(o.key.casefold())
        children[kind.name] = {p: sorted(v) for p, v in per.items()}
    return {"read_at": live.read_at, "store_hash": live.store_hash, "settings": settings_digest(settings),
            "keys": keys, "children": children,
            # When the undated children (``list_undated``) were last listed whole: a targeted
            # read that did not list them carries the older time on.
            "undated_read_at": live.undated_read_at or live.read_at}


def after_apply(baseline: dict, outcomes, registry: Registry = REGISTRY) -> dict:
    """The baseline with the apply's own deletes taken out (its creates and updates move
    their objects' dates: the next targeted read finds them)."""
    top, apart = _dated(registry)
    tops, aparts = {k.name for k in top}, {k.name for k in apart}
    for o in outcomes:
        c = o.change
        if not o.ok or c.action.verb != "delete":
            continue
        if c.kind in tops and c.live_id is not None:
            baseline["keys"].get(c.kind, {}).pop(str(c.live_id), None)
        elif c.kind in aparts and c.parent is not None:
            keys = baseline["children"].get(c.kind, {}).get(str(c.parent.key).casefold())
            if keys is not None and c.key.casefold() in keys:
                keys.remove(c.key.casefold())
    return baseline
