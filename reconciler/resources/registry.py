"""Registry: the resource kinds, and what their ``depends_on`` decides (order, lookups).

Kind modules register with ``register``; ``reconciler.resources`` imports them all.
"""

from __future__ import annotations

from typing import Any, Iterator

from reconciler.resources.base import ResourceKind


class Registry:
    """The kinds, and the two things derived from their ``depends_on`` (plus ``parent``):

    - ``ordered()``: apply (and read) order, each kind after every kind it depends on;
      kinds nothing orders among themselves keep the order they were registered in.
    - ``looks_up(name)``: the top-level kinds whose names a kind's translation resolves
      through the RefIndex (a product's brand and categories), read before it.
    """

    def __init__(self) -> None:
        self._kinds: dict[str, ResourceKind] = {}
        self._order: list[ResourceKind] | None = None
        self._listed: tuple[str, ...] = ()

    def register(self, kind: ResourceKind) -> ResourceKind:
        if kind.name in self._kinds:
            raise ValueError(f"resource kind {kind.name!r} is registered twice")
        self._kinds[kind.name] = kind
        self._order = None
        return kind

    def list_in(self, names: tuple[str, ...]) -> None:
        """How kinds that do not depend on each other are listed: in this order, then
        the kinds not named here by name, then (a registry built by hand) as registered."""
        self._listed = tuple(names)
        self._order = None

    def link_children(self) -> None:
        """Each child kind's ``owner_field`` joins its parent's ``child_fields`` (the parent's
        YAML field diffed as the child kind's objects, never as the parent's own field), so a
        parent's module need not list the kinds that live inside it. Run once every kind is
        registered (``reconciler.resources`` does for ``REGISTRY``); the kinds are frozen, so
        the set is replaced in place, before anything hashes or reads them."""
        for child in self._kinds.values():
            parent = self._kinds.get(child.parent or "")
            if parent is not None and child.owner_field and child.owner_field not in parent.child_fields:
                object.__setattr__(parent, "child_fields", parent.child_fields | {child.owner_field})

    def __getitem__(self, name: str) -> ResourceKind:
        return self._kinds[name]

    def __contains__(self, name: str) -> bool:
        return name in self._kinds

    def ordered(self) -> list[ResourceKind]:
        if self._order is None:
            self._order = self._sorted()
        return list(self._order)

    def rank(self, name: str) -> int:
        """Position of kind ``name`` in ``ordered()``."""
        return next(i for i, k in enumerate(self.ordered()) if k.name == name)

    def needs(self, kind: ResourceKind) -> set[str]:
        """What must exist before ``kind``: its ``depends_on`` and its parent, itself
        excluded, among the kinds of this registry (one built by hand may hold a few;
        tests/arch checks that the package's kinds name only registered kinds)."""
        return ({*kind.depends_on, *((kind.parent,) if kind.parent else ())} - {kind.name}) & set(self._kinds)

    def child_fields(self, kind: ResourceKind) -> frozenset[str]:
        """The fields of ``kind`` its child kinds own (each one's ``owner_field``), with the
        ``child_fields`` it declares: handled by those kinds, never diffed, sent or digested
        as the parent's own. A new child kind needs no line in its parent's module."""
        owned = {k.owner_field for k in self._kinds.values() if k.parent == kind.name and k.owner_field}
        return kind.child_fields | owned

    def looks_up(self, name: str) -> tuple[str, ...]:
        """Top-level kinds ``name`` refers to by name (its parent's key is not a lookup;
        a sub-resource's names come with its parent's row)."""
        kind = self._kinds[name]
        return tuple(d for d in kind.depends_on if d != kind.parent and d in self._kinds
                     and self._kinds[d].parent is None)

    def list_params(self, kind: ResourceKind, settings) -> dict[str, Any] | None:
        """The query of ``kind``'s list reads: its own ``list_params`` and the ``include``
        of its sub-resources that come in its pages (None: no query)."""
        params = dict(kind.list_params(settings)) if kind.list_params else {}
        includes = [k.read_include for k in self.ordered() if k.parent == kind.name and k.read_include]
        if includes:
            params["include"] = ",".join([*filter(None, [params.get("include")]), *includes])
        return params or None

    def _sorted(self) -> list[ResourceKind]:
        placed: list[ResourceKind] = []
        todo = list(self._kinds.values())
        if self._listed:
            listed = {name: i for i, name in enumerate(self._listed)}
            todo.sort(key=lambda k: (listed.get(k.name, len(listed)), k.name if k.name not in listed else ""))
        while todo:
            done = {k.name for k in placed}
            ready = next((k for k in todo if self.needs(k) <= done), None)
            if ready is None:
                raise ValueError(f"resource kinds depend on each other in a circle: {sorted(k.name for k in todo)}")
            placed.append(ready)
            todo.remove(ready)
        return placed

    def by_plural(self, plural: str) -> ResourceKind | None:
        return next((k for k in self._kinds.values() if k.plural == plural), None)

    def __iter__(self) -> Iterator[ResourceKind]:
        return iter(self.ordered())


REGISTRY = Registry()
register = REGISTRY.register
