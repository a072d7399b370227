"""What a plan touches: the one answer, for every reader that re-reads only that.

``touched_by_changes(changes)`` is used by the stale check before an apply
(apply/stale.py, through store/read.py ``read_touched``), by a rollback for the
objects its journal changed (apply/rollback.py) and by ``touched_keys`` (every
touched object by its top-level key). Changes are plan ``ResourceChange``s, or
anything with their kind, key, action, parent, after, live_id and reason.

    >>> from reconciler.plan.model import Action, ResourceChange
    >>> t = touched_by_changes([ResourceChange("variant", "X-1-RED", Action.UPDATE, parent="product['X-1']"),
    ...                         ResourceChange("brand", "Acme", Action.CREATE)])
    >>> t.keys, t.absent, t.top_level()
    ({'product': {'X-1'}}, {'brand': {'Acme'}}, {'product': ['X-1'], 'brand': ['Acme']})
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reconciler.core.address import key_of
from reconciler.resources import REGISTRY, Registry


@dataclass
class Touched:
    """What a stale check (or a rollback) re-reads: never the whole store.

    - ``keys``: top-level objects read with their sub-resources (updated, deleted,
      or the parent of a changed variant, option, custom field or channel);
    - ``absent``: top-level objects the plan creates: only their absence is checked;
    - ``children``: the changed sub-resources by parent, {kind: {parent key: [(key,
      live id or None)]}}, None instead of the list for all of that parent's; a kind
      read apart from its parent (a price list's records) reads only these;
    - ``named``: keys of objects the plan's values name without touching them (the
      products a group's discount rules name): only their ids are looked up.
    """

    keys: dict[str, set[str]] = field(default_factory=dict)
    absent: dict[str, set[str]] = field(default_factory=dict)
    children: dict[str, dict[str, list[tuple[str, Any]] | None]] = field(default_factory=dict)
    named: dict[str, set[str]] = field(default_factory=dict)

    def top_level(self) -> dict[str, list[str]]:
        """Every touched top-level object, by kind: what a rollback reads whole."""
        out: dict[str, list[str]] = {}
        for kinds in (self.keys, self.absent):
            for kind, keys in kinds.items():
                out.setdefault(kind, []).extend(sorted(keys))
        return out


def touched_by_changes(changes, registry: Registry = REGISTRY) -> Touched:
    """What the changes touch. A create is only checked to be absent, unless it
    replaces a deleted object; a sub-resource's parent is read unless the plan creates it."""
    touched = Touched()
    parents: list[tuple[str, str]] = []
    for c in changes:
        if c.action.verb == "noop":
            continue
        kind = registry[c.kind]
        if kind.parent:
            if not c.parent:
                continue   # a sub-resource without its parent's address: nothing to read it by
            parent = key_of(c.parent)
            parents.append((kind.parent, parent))
            touched.children.setdefault(kind.name, {}).setdefault(parent, []).append((c.key, c.live_id))
        elif c.action.verb == "create" and not (c.reason or "").startswith("replace"):
            touched.absent.setdefault(kind.name, set()).add(c.key)
        else:
            touched.keys.setdefault(kind.name, set()).add(c.key)
        for named, keys in (kind.names(c.after or {}) if kind.names else {}).items():
            if keys:   # the objects its written values name: their ids
                touched.named.setdefault(named, set()).update(keys)
    for kind, key in parents:
        if key not in touched.absent.get(kind, ()):
            touched.keys.setdefault(kind, set()).add(key)
    for kind, keys in touched.keys.items():
        touched.absent.get(kind, set()).difference_update(keys)
    return touched
