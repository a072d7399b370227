"""Group a step's changes into the batches its endpoints accept.

A batch never mixes create ranks (a category and its parent are never in one
request, because the child needs the parent's id), never mixes parents in an
upsert (one price list's records a request), and never exceeds the size the
kind declares for that action (None: one object a request).

    >>> from reconciler.resources import REGISTRY
    >>> len(group_batches(REGISTRY["product"], [object()] * 25, "update"))
    3
"""

from __future__ import annotations

from itertools import groupby

from reconciler.apply.context import parent_key
from reconciler.plan.model import ResourceChange
from reconciler.resources.base import ResourceKind


def batch_size(kind: ResourceKind, action: str) -> int:
    size = {
        "create": kind.create_batch_size,
        "update": kind.update_batch_size,
        "upsert": kind.update_batch_size,
        "delete": kind.delete_batch_size,
    }[getattr(action, "verb", action)]
    return size or 1


def group_batches(kind: ResourceKind, changes: list[ResourceChange], action: str) -> list[list[ResourceChange]]:
    return [batch for same_rank in rank_batches(kind, changes, action) for batch in same_rank]


def rank_batches(kind: ResourceKind, changes: list[ResourceChange], action: str) -> list[list[list[ResourceChange]]]:
    """The batches, grouped by create rank: batches of one rank are independent (the
    executor may send them side by side), a rank waits for the ranks before it."""
    action = getattr(action, "verb", action)
    size = batch_size(kind, action)
    groups = _groups(kind, changes, action)
    if size == 1 and action == "create" and not kind.create_batch_size:
        # One object per POST: the writer sends them side by side; keep the
        # rank groups whole so it can.
        return [[g] for g in groups]
    return [[g[i : i + size] for i in range(0, len(g), size)] for g in groups]


def _groups(kind: ResourceKind, changes: list[ResourceChange], action: str) -> list[list[ResourceChange]]:
    if action == "upsert":
        by_parent: dict[str | None, list[ResourceChange]] = {}
        for change in changes:
            by_parent.setdefault(parent_key(change), []).append(change)
        return list(by_parent.values())
    rank = kind.create_rank if action == "create" and kind.create_rank else None
    return [list(g) for _, g in groupby(changes, key=lambda c: rank(c.key) if rank else 0)]
