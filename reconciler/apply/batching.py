"""Group a kind's changes into the batches its endpoints accept.

A batch never mixes create ranks (a category and its parent are never in one
request, because the child needs the parent's id) and never exceeds the
kind's documented batch size for that action.

    >>> from reconciler.resources import REGISTRY
    >>> len(group_batches(REGISTRY["product"], [object()] * 25, Action.UPDATE))
    3
"""

from __future__ import annotations

from itertools import groupby

from reconciler.plan.model import Action, ResourceChange
from reconciler.resources.base import ResourceKind


def batch_size(kind: ResourceKind, action: Action) -> int:
    size = {
        Action.CREATE: kind.create_batch_size,
        Action.UPDATE: kind.update_batch_size,
        Action.DELETE: kind.delete_batch_size,
    }[action]
    return size or 1


def group_batches(kind: ResourceKind, changes: list[ResourceChange], action: Action) -> list[list[ResourceChange]]:
    return [batch for same_rank in rank_batches(kind, changes, action) for batch in same_rank]


def rank_batches(kind: ResourceKind, changes: list[ResourceChange],
                 action: Action) -> list[list[list[ResourceChange]]]:
    """The batches, grouped by create rank: batches of one rank are independent (the
    executor sends them side by side), a rank waits for the ranks before it."""
    size = batch_size(kind, action)
    rank = kind.create_rank if action is Action.CREATE and kind.create_rank else None
    groups = [list(g) for _, g in groupby(changes, key=lambda c: rank(c.key) if rank else 0)]
    if size == 1 and action is Action.CREATE and not kind.create_batch_size:
        # One object per POST: the executor runs them side by side; keep the
        # rank groups whole so it can.
        return [[g] for g in groups]
    return [[g[i : i + size] for i in range(0, len(g), size)] for g in groups]
