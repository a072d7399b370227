"""compile_plan(): a Plan, compiled once into the ordered steps apply runs.

The Plan says what differs; the Schedule says how it is written (Atlas's
PlanChanges vs ApplyChanges). A step is one kind and one action, with its
changes in plan order and the writer that sends them:

1. deletes, children first (registry order reversed);
2. then, parents first, each kind's creates and then its updates;
3. a create whose parent's create writes it in the same request
   (``created_with_parent``: a new product's variants, options and custom
   fields) is no step of its own: the parent's step owns it (``Step.owned``);
4. a kind with an ``upsert_writer`` (price records) has ONE "upsert" step for
   its creates and updates, where its creates would go.

Compiling is pure: no request, no hook, nothing written.

    >>> from reconciler.plan.model import Action, Plan, ResourceChange
    >>> plan = Plan(changes=[ResourceChange("brand", "Acme", Action.CREATE, after={"name": "Acme"}),
    ...                      ResourceChange("product", "X-1", Action.DELETE, live_id=7)])
    >>> [(s.kind.name, s.action, len(s.changes)) for s in compile_plan(plan)]
    [('product', 'delete', 1), ('brand', 'create', 1)]
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable, Iterator

from reconciler.apply import writers
from reconciler.apply.context import parent_key
from reconciler.plan.model import Action, Plan, ResourceChange
from reconciler.resources import REGISTRY, Registry
from reconciler.resources.base import ResourceKind

Writer = Callable[..., None]   # (ctx: core.writing.WriteContext, batch) -> None


@dataclass
class Step:
    kind: ResourceKind
    action: str                      # "delete" | "create" | "update" | "upsert"
    changes: list[ResourceChange]    # in plan order; never empty
    writer: Writer
    # parent key -> the children this step's creates write in their own request
    owned: dict[str, list[ResourceChange]] = field(default_factory=dict)
    # kind -> planned creates of a child kind that settles new parents (``settle_created``) under this step's objects
    related: dict[str, list[ResourceChange]] = field(default_factory=dict)

    @property
    def generic(self) -> bool:
        """Written by apply/writers.py: a rank's batches may go side by side. A kind's
        own writer gets its batches one at a time (channel assignments and record
        upserts are never sent in parallel, FACTS.md 8 and 10.2)."""
        return self.writer in _GENERIC.values()


@dataclass
class Schedule:
    steps: list[Step] = field(default_factory=list)

    def __iter__(self) -> Iterator[Step]:
        return iter(self.steps)

    def __len__(self) -> int:
        return len(self.steps)


_GENERIC = {"create": writers.create, "update": writers.update, "delete": writers.delete}


def compile_plan(plan: Plan, registry: Registry = REGISTRY) -> Schedule:
    """The plan's changes as ordered steps (see the module docstring)."""
    by_action: dict[tuple[str, Action], list[ResourceChange]] = defaultdict(list)
    for change in plan.changes:
        if change.action is not Action.NOOP:
            by_action[(change.kind, change.action)].append(change)
    owned = _owned(by_action, registry)
    owned_ids = {id(c) for children in owned.values() for kids in children.values() for c in kids}
    kinds = registry.ordered()
    steps = [_step(k, "delete", by_action[(k.name, Action.DELETE)]) for k in reversed(kinds)]
    for kind in kinds:
        creates = [c for c in by_action[(kind.name, Action.CREATE)] if id(c) not in owned_ids]
        updates = by_action[(kind.name, Action.UPDATE)]
        if kind.upsert_writer:
            steps.append(_step(kind, "upsert", creates + updates))
            continue
        steps.append(_step(kind, "create", creates, owned.get(kind.name, {}),
                           _related(kind, creates, by_action, registry)))
        steps.append(_step(kind, "update", updates))
    return Schedule([s for s in steps if s is not None])


def _step(kind: ResourceKind, action: str, changes: list[ResourceChange], owned=None, related=None) -> Step | None:
    if not changes:
        return None
    own = {"create": kind.create_writer, "update": kind.update_writer,
           "delete": kind.delete_writer, "upsert": kind.upsert_writer}[action]
    return Step(kind, action, changes, own or _GENERIC[action], owned or {}, related or {})


def _owned(by_action, registry: Registry) -> dict[str, dict[str, list[ResourceChange]]]:
    """parent kind -> parent key -> the creates its parent's create writes along
    (``created_with_parent`` kinds whose parent this plan creates too)."""
    out: dict[str, dict[str, list[ResourceChange]]] = defaultdict(lambda: defaultdict(list))
    for kind in registry.ordered():
        if not (kind.created_with_parent and kind.parent):
            continue
        new_parents = {c.key for c in by_action[(kind.parent, Action.CREATE)]}
        for change in by_action[(kind.name, Action.CREATE)]:
            if change.parent and parent_key(change) in new_parents:
                out[kind.parent][parent_key(change)].append(change)
    return out


def _related(kind: ResourceKind, creates: list[ResourceChange], by_action,
             registry: Registry) -> dict[str, list[ResourceChange]]:
    keys = {c.key for c in creates}
    return {name: [c for c in by_action[(name, Action.CREATE)] if c.parent and parent_key(c) in keys]
            for name in (k.name for k in registry.ordered() if k.parent == kind.name and k.settle_created)}
