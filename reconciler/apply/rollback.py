"""Rollback: an ordinary plan that restores what one apply changed.

From the journal's confirmed changes, in reverse:

- an update -> an update back to the journal's ``before`` values (only fields
  that still differ; an object changed back already needs nothing); an update of
  the key field (a rename in place: the journal names the OLD key) finds the object
  by its new key and renames it back on the same id;
- a create  -> a delete of that object, if it is still there;
- a delete  -> a create from the journal's ``before`` values, where the API can
  create that kind again (sub-resources a deleted product took with it are not
  in the journal and are not recreated: the plan says only what it will do);
- a replace (deleted, then created again under the same key: a field the API cannot
  update) -> a delete of the new object and a create of the old one.

The result is shown, saved and applied like any plan (`catalog apply FILE`), so
the stale-plan check and the guardrails apply to it too.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from reconciler.apply.journal import confirmed
from reconciler.core.address import Address
from reconciler.core.errors import PlanError
from reconciler.core.live import LiveState
from reconciler.plan.model import Action, FieldChange, Plan, ResourceChange
from reconciler.store.touched import touched_by_changes
from reconciler.resources import REGISTRY, Registry


def touched_by(journal: Path, registry: Registry = REGISTRY) -> dict[str, list[str]]:
    """Top-level keys the journal's changes touched (a sub-resource counts as its parent)."""
    entries = confirmed(journal)
    changes = [ResourceChange(kind=r["kind"], key=r["key"], action=Action[r["action"].upper()],
                              parent=r.get("parent")) for r in entries]
    changes += [ResourceChange(kind=r["kind"], key=new, action=Action.UPDATE)   # where a rename put it
                for r in entries if (new := _new_key(r, registry)) and not registry[r["kind"]].parent]
    return touched_by_changes(changes, registry).top_level()


def rollback_plan(journal: Path, live: LiveState, *, store: dict[str, str] | None = None,
                  registry: Registry = REGISTRY) -> Plan:
    entries = confirmed(journal)
    if not entries:
        raise PlanError(f"{journal}: no confirmed changes to roll back{_hint(journal)}")
    by_object: dict[tuple[str, str], list[dict]] = {}
    for r in entries:
        by_object.setdefault((r["kind"], r["key"]), []).append(r)
    changes: list[ResourceChange] = []
    for done in reversed(list(by_object.values())):
        changes += _undo_object(done, live, registry)
    order = {k.name: i for i, k in enumerate(registry.ordered())}
    rank = {Action.DELETE: 0, Action.CREATE: 1, Action.UPDATE: 2}
    changes.sort(key=lambda c: (rank[c.action], order[c.kind] if c.action is not Action.DELETE
                                else -order[c.kind], c.key))
    return Plan(changes=changes, store=dict(store or {}), desired_digest=f"rollback of {journal.name}",
                created_at=datetime.now(timezone.utc).replace(microsecond=0).isoformat())


def _hint(journal: Path) -> str:
    """Where to look instead: the newest journal beside it with confirmed changes."""
    others = sorted((p for p in journal.parent.glob("apply-*.jsonl") if p != journal), reverse=True)
    last = next((p for p in others if confirmed(p)), None)
    return f"; the newest journal with confirmed changes is {last}" if last else ""


def _parent(r: dict) -> Address | None:
    """The journal writes a change's parent as its address text."""
    return Address.parse(r["parent"]) if r.get("parent") else None


def _new_key(r: dict, registry: Registry) -> str | None:
    """The key an update gave its object by changing the kind's key field (a rename in
    place, whose journal names the old key); None for any other change."""
    if r["action"] != "update" or r["kind"] not in registry:
        return None
    field = registry[r["kind"]].key
    old, new = (r.get("before") or {}).get(field), (r.get("after") or {}).get(field)
    if old is None or new is None or str(old).casefold() != r["key"].casefold():
        return None     # the key field not changed, or not the whole key (a composite key)
    return str(new) if str(new).casefold() != str(old).casefold() else None


def _undo_object(done: list[dict], live: LiveState, registry: Registry) -> list[ResourceChange]:
    """The changes undoing what one apply did to one object (``done``, in order): its last
    change undone; a replace (deleted, then created again under its key: a field the API
    cannot update) also deletes the new one and creates the first one again."""
    first, last = done[0], done[-1]
    if first["action"] == "delete" and last["action"] == "create":
        gone = _undo(last, live, registry)
        return [*([gone] if gone else []), _created_again(first)]
    change = _undo(last, live, registry)
    return [change] if change is not None else []


def _update_back(r: dict, now, live: LiveState, registry: Registry) -> ResourceChange | None:
    """An update back to the journal's ``before`` values; a renamed object is found by its
    new key and addressed by it (the store's), shown as a rename back."""
    new = _new_key(r, registry)
    moved = now is None and new is not None and live.get(r["kind"], new) is not None
    now = live.get(r["kind"], new) if moved else now
    if now is None:
        return None  # gone since: nothing to restore into
    back = {f: v for f, v in (r.get("before") or {}).items() if now.fields.get(f) != v}
    if not back:
        return None
    return ResourceChange(r["kind"], now.key if moved else r["key"], Action.UPDATE,
                          changes=[FieldChange(f, now.fields.get(f), v) for f, v in back.items()],
                          after=back, live_id=now.id, fingerprint=now.fingerprint,
                          reason="renamed" if moved else "rollback", parent=_parent(r))


def _created_again(r: dict) -> ResourceChange:
    """A create from a deleted object's journal ``before`` values."""
    before = {f: v for f, v in (r.get("before") or {}).items() if v is not None}
    return ResourceChange(r["kind"], r["key"], Action.CREATE,
                          changes=[FieldChange(f, None, v) for f, v in sorted(before.items())],
                          after=before, reason="rollback", parent=_parent(r))


def _undo(r: dict, live: LiveState, registry: Registry) -> ResourceChange | None:
    kind, key, parent = r["kind"], r["key"], _parent(r)
    now = live.get(kind, key)
    action = r["action"]
    if action == "update":
        return _update_back(r, now, live, registry)
    if action == "create":
        if now is None:
            return None
        return ResourceChange(kind, key, Action.DELETE,
                              changes=[FieldChange(f, v, None) for f, v in sorted(now.fields.items())],
                              live_id=now.id, fingerprint=now.fingerprint, reason="rollback", parent=parent)
    if action == "delete":
        return None if now is not None else _created_again(r)
    return None
