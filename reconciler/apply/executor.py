"""apply_plan(): run a Plan against the store, exactly, in dependency order.

The executor prints nothing: progress goes through ApplyHooks, which the CLI
implements. Order: kinds in registry order (brands and categories before the
products that use them); within a kind, creates (parents first, by
``create_rank``) then updates. Each change ends in exactly one Outcome.

Writes use the kind's batch endpoint at its documented size; a batch the store
refuses as a whole (409/422/404) is resent item by item so the error names the
one YAML object that caused it. After a write, the object the store returns is
compared with what was planned; a difference is reported as an error ("store
returned a different value than planned"), as Terraform does for providers.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any, Protocol

from reconciler import errors
from reconciler.apply.batching import group_batches
from reconciler.plan.model import Action, Plan, ResourceChange
from reconciler.resources import REGISTRY, Registry
from reconciler.resources.base import ResourceKind
from reconciler.resources.refs import RefIndex, UnresolvedReference
from reconciler.store.client import StoreClient
from reconciler.store.transport import Response

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    change: ResourceChange
    ok: bool
    message: str = ""
    id: int | None = None


@dataclass
class ApplyResult:
    outcomes: list[Outcome] = field(default_factory=list)

    def _count(self, action: Action, ok: bool) -> int:
        return sum(1 for o in self.outcomes if o.ok is ok and (ok is False or o.change.action is action))

    @property
    def created(self) -> int:
        return self._count(Action.CREATE, True)

    @property
    def updated(self) -> int:
        return self._count(Action.UPDATE, True)

    @property
    def deleted(self) -> int:
        return self._count(Action.DELETE, True)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.ok]


class ApplyHooks(Protocol):
    def pre_apply(self, change: ResourceChange) -> None: ...
    def post_apply(self, outcome: Outcome) -> None: ...


class _NoHooks:
    def pre_apply(self, change: ResourceChange) -> None:
        pass

    def post_apply(self, outcome: Outcome) -> None:
        pass


def apply_plan(plan: Plan, client: StoreClient, refs: RefIndex, *,
               hooks: ApplyHooks | None = None, registry: Registry = REGISTRY) -> ApplyResult:
    """Apply every change in ``plan``; ``refs`` resolves names to ids and grows with creates."""
    run = _Run(client, refs, hooks or _NoHooks(), registry)
    for kind in registry.ordered():
        mine = [c for c in plan.changes if c.kind == kind.name]
        for batch in group_batches(kind, [c for c in mine if c.action is Action.CREATE], Action.CREATE):
            run.create(kind, batch)
        for batch in group_batches(kind, [c for c in mine if c.action is Action.UPDATE], Action.UPDATE):
            run.update(kind, batch)
    return run.result


class _Run:
    def __init__(self, client: StoreClient, refs: RefIndex, hooks: ApplyHooks, registry: Registry) -> None:
        self.client = client
        self.refs = refs
        self.hooks = hooks
        self.registry = registry
        self.result = ApplyResult()
        self._lock = threading.Lock()

    # -- outcomes --------------------------------------------------------------------

    def _done(self, change: ResourceChange, ok: bool, message: str = "", id_: int | None = None) -> None:
        outcome = Outcome(change, ok, message, id_)
        with self._lock:
            self.result.outcomes.append(outcome)
            self.hooks.post_apply(outcome)

    def _payloads(self, kind: ResourceKind, batch: list[ResourceChange]) -> list[tuple[ResourceChange, dict]]:
        """Translate each change to an API body; a change whose reference failed fails here."""
        ready = []
        for change in batch:
            self.hooks.pre_apply(change)
            try:
                ready.append((change, kind.to_payload(change.after, self.refs)))
            except UnresolvedReference as exc:
                self._done(change, False, f"{exc} (was it created by this apply? see the errors above)")
        return ready

    # -- create ------------------------------------------------------------------------

    def create(self, kind: ResourceKind, batch: list[ResourceChange]) -> None:
        ready = self._payloads(kind, batch)
        if not ready:
            return
        if kind.create_batch_size:
            self._send(ready, lambda bodies: self.client.post(kind.endpoint, bodies),
                       lambda r, resp: self._created(kind, r, resp))
        else:
            self.client.map(
                lambda item: self._send([item], lambda bodies: self.client.post(kind.endpoint, bodies[0]),
                                        lambda r, resp: self._created(kind, r, resp)),
                ready,
            )

    def _created(self, kind: ResourceKind, ready: list[tuple[ResourceChange, dict]], resp: Response) -> None:
        rows = _rows(resp)
        by_name = {str(r.get("name", "")).casefold(): r for r in rows}
        for change, body in ready:
            row = rows[0] if len(ready) == 1 and rows else by_name.get(str(body.get("name", "")).casefold())
            if not row or kind.id_field not in row:
                self._done(change, False, _missing_row(resp, "create"))
                continue
            new_id = row[kind.id_field]
            self.refs.add(kind.name, change.key, new_id)
            problem = self._inconsistent(kind, change, row)
            self._done(change, not problem, problem, new_id)

    # -- update ------------------------------------------------------------------------

    def update(self, kind: ResourceKind, batch: list[ResourceChange]) -> None:
        ready = [(c, {kind.id_field: c.live_id, **body}) for c, body in self._payloads(kind, batch)]
        if not ready:
            return
        if kind.update_batch_size:
            self._send(ready, lambda bodies: self.client.put(kind.endpoint, bodies),
                       lambda r, resp: self._updated(kind, r, resp))
            return
        for item in ready:
            path = f"{kind.endpoint}/{item[0].live_id}"
            body = {k: v for k, v in item[1].items() if k != kind.id_field}
            self._send([item], lambda _: self.client.put(path, body), lambda r, resp: self._updated(kind, r, resp))

    def _updated(self, kind: ResourceKind, ready: list[tuple[ResourceChange, dict]], resp: Response) -> None:
        by_id = {r.get(kind.id_field): r for r in _rows(resp)}
        for change, _ in ready:
            row = by_id.get(change.live_id)
            if row is None and resp.status == 207:
                self._done(change, False, _missing_row(resp, "update"))
                continue
            # Endpoints that answer without the objects (trees PUT) are taken at their word.
            problem = self._inconsistent(kind, change, row) if row else ""
            self._done(change, not problem, problem, change.live_id)

    # -- sending -------------------------------------------------------------------------

    def _send(self, ready: list[tuple[ResourceChange, dict]], send, handle) -> None:
        """One request for ``ready``; a batch refused as a whole is resent item by item.

        The store may refuse a whole batch for one bad item without saying which
        (FACTS.md 5.6), so the error would otherwise land on innocent objects.
        """
        try:
            resp = send([body for _, body in ready])
        except errors.StoreHTTPError as exc:
            if len(ready) > 1 and exc.status in (404, 409, 422):
                for item in ready:
                    self._send([item], send, handle)
                return
            self._fail_all(ready, exc)
            return
        except errors.StoreError as exc:
            self._fail_all(ready, exc)
            return
        handle(ready, resp)

    def _fail_all(self, ready: list[tuple[ResourceChange, dict]], exc: Exception) -> None:
        for change, _ in ready:
            self._done(change, False, str(exc))

    # -- checks ------------------------------------------------------------------------

    def _inconsistent(self, kind: ResourceKind, change: ResourceChange, row: dict[str, Any]) -> str:
        """Compare what the store answered with what the plan wanted to write."""
        got = kind.from_live(row, self.refs)
        bad = []
        for f, want in change.after.items():
            if f not in got:
                continue  # the endpoint did not echo this field
            have = got[f]
            if f in kind.set_fields:
                same = sorted(map(str.casefold, have or [])) == sorted(map(str.casefold, want or []))
            elif f in kind.ref_fields and isinstance(want, str):
                same = isinstance(have, str) and have.casefold() == want.casefold()
            else:
                same = have == want
            if not same:
                bad.append(f"{f}: planned {want!r}, store has {have!r}")
        if bad:
            return "store returned a different value than planned: " + "; ".join(bad)
        return ""


def _rows(resp: Response) -> list[dict]:
    data = resp.data.get("data") if isinstance(resp.data, dict) else None
    if isinstance(data, dict):
        return [data]
    return [r for r in data if isinstance(r, dict)] if isinstance(data, list) else []


def _missing_row(resp: Response, verb: str) -> str:
    if resp.status == 207:
        detail = resp.data.get("errors") if isinstance(resp.data, dict) else None
        return f"BigCommerce 207 partial failure: this {verb} was not applied ({detail})"
    return f"the store accepted the {verb} but did not return the object"
