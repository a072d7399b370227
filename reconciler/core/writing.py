"""What a kind's writer may use while apply runs: the ``WriteContext`` protocol.

Writers are the ``ResourceKind`` callables of the ``# -- apply: writers --`` block
(``create_writer``, ``update_writer``, ``delete_writer``, ``upsert_writer``), set in the
kind's module. The executor (reconciler/apply/) calls ``writer(ctx, batch)`` with one
batch of the step's changes, already announced to the hooks, and the writer:

- builds bodies (``ctx.payload`` / ``ctx.payloads``) and sends them (``ctx.send``:
  a refused batch is resent item by item, a lost create is looked up first);
- ends every change of the batch with ``ctx.done`` (or ``ctx.created``, the generic
  handling of a create's answer), and records new ids in ``ctx.ids``.

A writer never reads the plan, never calls hooks and never writes to the live state;
it is given what it needs: the client, the store settings, the ids, the children the
step owns (``ctx.owned``) and the planned changes it settles (``ctx.related``).
Living here, the protocol lets ``reconciler.resources`` write without importing apply.
"""

from __future__ import annotations

from typing import Any, Callable, Protocol

from reconciler.core.live import LiveObject
from reconciler.core.refs import RefIndex
from reconciler.core.settings import StoreSettings

# (change, API body) pairs: what one request carries. A change is a plan ResourceChange
# (kind, key, action, after, live_id, parent, source): this layer names no plan type.
Ready = list[tuple[Any, dict]]


class WriteContext(Protocol):
    client: Any              # the StoreClient: post/put/delete/get/list_all/map/gather/filter_chunks
    settings: StoreSettings
    ids: RefIndex            # the ids read with the store plus the ones this apply made (add them here)
    kind: Any                # the step's ResourceKind

    @property
    def stopped(self) -> bool:
        """Interrupted: send nothing new (``send`` checks this too)."""

    def parent_key(self, change: Any) -> str | None: ...
    def parent_id(self, change: Any) -> int | None: ...
    def path(self, change: Any, item_id: int | None = None) -> str: ...
    def live(self, kind: str, key: str) -> LiveObject | None: ...

    def payload(self, change: Any) -> dict:
        """The change's API body (``kind.to_payload``); raises what an unknown reference raises."""

    def payloads(self, batch: list) -> Ready:
        """Bodies for the batch; a change whose reference is unknown fails here."""

    def send(self, ready: Ready, send: Callable[[list[dict]], Any], handle: Callable[[Ready, Any], None],
             *, recover: bool = False) -> None: ...

    def created(self, ready: Ready, resp: Any) -> None:
        """The generic end of a create: ids learnt, answer checked against the plan, done."""

    def done(self, change: Any, ok: bool, message: str = "", id_: int | None = None) -> None: ...
    def fail_all(self, ready: Ready, exc: Exception | str) -> None: ...
    def finished(self, change: Any) -> bool: ...

    def owned(self, parent_key: str) -> list:
        """The children a parent's create writes in its own request (``created_with_parent``)."""

    def related(self, kind: str) -> list:
        """Planned creates of ``kind`` (one of ``self.kind.settles``) under this step's objects."""

    def settle(self, change: Any, message: str, id_: int | None = None) -> None:
        """A related change the store already made: announced and done, with no request."""

    def fail_unplanned(self, kind: str, key: str, *, action: str, live_id: int | None, like: Any,
                       reason: str, message: str) -> None:
        """Report a failure the plan has no change for (named like ``like``, its parent)."""


def rows_of(resp: Any) -> list[dict]:
    """The objects an answer carries: v3 ``{"data": ...}`` or v2's bare object/array."""
    if isinstance(resp.data, list):
        return [r for r in resp.data if isinstance(r, dict)]
    if isinstance(resp.data, dict) and "data" not in resp.data and "id" in resp.data:
        return [resp.data]
    data = resp.data.get("data") if isinstance(resp.data, dict) else None
    if isinstance(data, dict):
        return [data]
    return [r for r in data if isinstance(r, dict)] if isinstance(data, list) else []


def delete_by_filter(name: str) -> Callable[[WriteContext, list], None]:
    """A delete writer: one ``DELETE <endpoint>?<name>=<ids>`` for the batch (products
    by ``id:in``, categories by ``category_id:in``), batches one after another."""
    def write(ctx: WriteContext, batch: list) -> None:
        ready = [(change, {}) for change in batch]
        ids = ",".join(str(c.live_id) for c, _ in ready)
        ctx.send(ready, lambda _: ctx.client.delete(ctx.kind.endpoint, {name: ids}),
                 lambda r, resp: [ctx.done(c, True, "", c.live_id) for c, _ in r])
    return write
