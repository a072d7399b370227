"""What the executor hands a writer: a ``StepContext`` (core/writing.py's WriteContext).

It narrows the executor to one step: the client, the store settings, the ids
(``ApplyIds``: the store's as read, plus the ones this apply made, kept apart from
the LiveState), the step's batch helpers, and the executor's outcome book-keeping.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from reconciler.apply import sending, writers
from reconciler.core.live import LiveObject
from reconciler.core.address import key_of
from reconciler.core.refs import RefIndex, UnresolvedReference
from reconciler.core.writing import Ready
from reconciler.plan.model import Action, ResourceChange

if TYPE_CHECKING:
    from reconciler.apply.executor import Executor
    from reconciler.apply.schedule import Step


def parent_key(change) -> str | None:
    """The owner's key: "CT-BLK100" for a variant of product['CT-BLK100']."""
    return key_of(change.parent)


class ApplyIds(RefIndex):
    """The ids one apply knows: those read with the store (looked up, never written)
    and those it learns as it creates (its own map), plus what the settings name."""

    def __init__(self, read: RefIndex, known: dict[str, dict[str, int]] | None = None) -> None:
        super().__init__()
        self._read = read
        for kind, ids in (known or {}).items():
            for key, id_ in ids.items():
                self.add(kind, key, id_)

    def id_of(self, kind: str, key: str) -> int:
        if super().has(kind, key):
            return super().id_of(kind, key)
        return self._read.id_of(kind, key)

    def has(self, kind: str, key: str) -> bool:
        return super().has(kind, key) or self._read.has(kind, key)

    def key_of(self, kind: str, id_: int) -> str | None:
        mine = super().key_of(kind, id_)
        return mine if mine is not None else self._read.key_of(kind, id_)


class StepContext:
    """One step's WriteContext (see core/writing.py for what each member promises)."""

    def __init__(self, executor: "Executor", step: "Step") -> None:
        self._run = executor
        self.step = step
        self.kind = step.kind
        self.client = executor.client
        self.settings = executor.settings
        self.ids = executor.ids

    @property
    def stopped(self) -> bool:
        return self._run.stopped

    def parent_key(self, change) -> str | None:
        return parent_key(change)

    def parent_id(self, change) -> int | None:
        if not self.kind.parent:
            return None
        return self.ids.id_of(self.kind.parent, parent_key(change))

    def path(self, change, item_id: int | None = None) -> str:
        base = self.kind.endpoint.format(parent_id=self.parent_id(change))
        return f"{base}/{item_id}" if item_id is not None else base

    def live(self, kind: str, key: str) -> LiveObject | None:
        return self._run.live.get(kind, key)

    def payload(self, change) -> dict:
        kind = self.kind
        values = change.after
        if change.action is Action.UPDATE and kind.key_on_update:
            # the key field too, in the YAML's spelling of the key (``key_on_update``)
            values = {kind.key: change.key, **change.after}
        body = kind.to_payload(values, self.ids, parent=parent_key(change))
        if change.action is Action.CREATE and kind.create_fields:
            body = {**kind.create_fields(self.settings, values), **body}
        return body

    def payloads(self, batch: list) -> Ready:
        ready = []
        for change in batch:
            try:
                body = self.payload(change)
                self.parent_id(change)   # the parent must be known now
                ready.append((change, body))
            except UnresolvedReference as exc:
                self.done(change, False, f"{exc} (was it to be created by this apply? see the errors above)")
        return ready

    def send(self, ready: Ready, send: Callable, handle: Callable, *, recover: bool = False) -> None:
        sending.send(self, ready, send, handle, recover=recover)

    def created(self, ready: Ready, resp: Any) -> None:
        writers.created(self, ready, resp)

    def done(self, change, ok: bool, message: str = "", id_: int | None = None) -> None:
        self._run.done(change, ok, message, id_)

    def fail_all(self, ready: Ready, exc: Exception | str) -> None:
        for change, _ in ready:
            self.done(change, False, str(exc))

    def finished(self, change) -> bool:
        return self._run.finished(change)

    def owned(self, key: str) -> list:
        return self.step.owned.get(key, [])

    def related(self, kind: str) -> list:
        return self.step.related.get(kind, [])

    def settle(self, change, message: str, id_: int | None = None) -> None:
        self._run.announce(change)
        self.done(change, True, message, id_)

    def fail_unplanned(self, kind: str, key: str, *, action: str, live_id: int | None, like, reason: str,
                       message: str) -> None:
        change = ResourceChange(kind=kind, key=key, action=Action[action.upper()], live_id=live_id,
                                source=like.source, reason=reason, parent=like.address)
        self._run.announce(change)
        self.done(change, False, message)
