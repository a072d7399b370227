"""apply_plan(): run a Plan against the store, exactly, in dependency order.

The executor prints nothing: progress goes through ApplyHooks, which the CLI
implements. Order:

1. deletes, children first (registry order reversed: channel assignments,
   custom fields, variants, options, then products ...);
2. creates and updates, parents first (brands, categories, products, options,
   variants, ...); within a kind creates (by ``create_rank``) then updates.

Each change ends in exactly one Outcome. Writes use the kind's batch endpoint
at its documented size; a batch the store refuses as a whole (409/422/404) is
resent item by item so the error names the one YAML object that caused it.
After a write, the object the store returns is compared with what was planned;
a difference is an error ("store returned a different value than planned"), as
Terraform does for providers. Kinds that need more than POST/PUT/DELETE on their
endpoint register an implementation in apply/implementations.py.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable, Protocol

from reconciler.core import errors
from reconciler.apply.batching import rank_batches
from reconciler.core.settings import StoreSettings
from reconciler.core.live import LiveState
from reconciler.plan.model import Action, Plan, ResourceChange
from reconciler.resources import REGISTRY, Registry
from reconciler.resources.base import ResourceKind, fold_refs
from reconciler.core.refs import UnresolvedReference
from reconciler.store.client import StoreClient
from reconciler.store.transport import Response

log = logging.getLogger(__name__)

Ready = list[tuple[ResourceChange, dict]]


@dataclass
class Outcome:
    change: ResourceChange
    ok: bool
    message: str = ""
    id: int | None = None


@dataclass
class ApplyResult:
    outcomes: list[Outcome] = field(default_factory=list)
    skipped: list[tuple[ResourceChange, str]] = field(default_factory=list)   # stale, with --skip-stale
    interrupted: bool = False                                # stopped early (Ctrl-C, SIGTERM)
    not_applied: list[ResourceChange] = field(default_factory=list)          # never sent, when interrupted

    def _count(self, action: Action) -> int:
        return sum(1 for o in self.outcomes if o.ok and o.change.action is action)

    @property
    def created(self) -> int:
        return self._count(Action.CREATE)

    @property
    def updated(self) -> int:
        return self._count(Action.UPDATE)

    @property
    def deleted(self) -> int:
        return self._count(Action.DELETE)

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


# (kind name, action) -> fn(run, kind, batch). Filled by apply/implementations.py.
IMPLEMENTATIONS: dict[tuple[str, Action], Callable[["Run", ResourceKind, list[ResourceChange]], None]] = {}


def implementation_for(kind: str, action: Action):
    def register(fn):
        IMPLEMENTATIONS[(kind, action)] = fn
        return fn
    return register


def apply_plan(plan: Plan, client: StoreClient, live: LiveState, *, settings=None,
               hooks: ApplyHooks | None = None, registry: Registry = REGISTRY,
               stop: threading.Event | None = None) -> ApplyResult:
    """Apply every change in ``plan``. ``live`` (the touched objects, re-read) supplies
    the ids; its RefIndex grows as parents are created.

    ``stop`` (set by the CLI on Ctrl-C / SIGTERM): no request is started once it is set;
    those in flight finish and their outcomes count. What was never sent is
    ``result.not_applied`` and ``result.interrupted`` is True."""
    from reconciler.apply import implementations  # noqa: F401  (registers them)

    run = Run(plan, client, live, settings, hooks or _NoHooks(), registry, stop)
    kinds = registry.ordered()
    for kind in reversed(kinds):
        run.dispatch(kind, Action.DELETE)
    for kind in kinds:
        run.dispatch(kind, Action.CREATE)
        run.dispatch(kind, Action.UPDATE)
    if run.stopped:
        run.result.interrupted = True
        run.result.not_applied = [c for c in plan.changes if c.action is not Action.NOOP and not run.finished(c)]
    return run.result


class Run:
    """One apply: the client, the ids known so far, and the outcomes."""

    def __init__(self, plan: Plan, client: StoreClient, live: LiveState, settings, hooks: ApplyHooks,
                 registry: Registry, stop: threading.Event | None = None) -> None:
        self.plan = plan
        self.client = client
        self.live = live
        self.refs = live.refs
        self.settings = settings
        self.hooks = hooks
        self.registry = registry
        self.result = ApplyResult()
        self._finished: set[int] = set()
        self._lock = threading.Lock()
        self._stop = stop or threading.Event()

    @property
    def stopped(self) -> bool:
        """Interrupted: nothing new is sent (checked before each batch, change and request)."""
        return self._stop.is_set()

    def dispatch(self, kind: ResourceKind, action: Action) -> None:
        changes = [c for c in self.plan.changes
                   if c.kind == kind.name and c.action is action and id(c) not in self._finished]
        if not changes:
            return
        custom = IMPLEMENTATIONS.get((kind.name, action))
        ranks = rank_batches(kind, changes, action)
        if custom:
            # Kind-specific code keeps its own order (channel assignments and record
            # upserts go one request at a time, FACTS.md 8 and 10.2).
            for batch in (b for same_rank in ranks for b in same_rank):
                if self.stopped:
                    return
                custom(self, kind, batch)
            return
        step = getattr(self, action.verb)
        for same_rank in ranks:
            if self.stopped:
                return
            self.side_by_side(step, kind, same_rank)

    def side_by_side(self, step, kind: ResourceKind, batches: list[list[ResourceChange]]) -> None:
        """Batches of one kind and rank are independent: they go side by side, as many
        at once as the rate limiter lets requests be in flight (it and the transport's
        per-endpoint gates decide what reaches the wire). Their own pool, not the
        client's: a batch may read (a lost create is looked up) on the client's pool."""
        if len(batches) == 1:
            step(kind, batches[0])
            return
        workers = min(len(batches), self.client.transport.limiter.concurrency)
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix=f"apply-{kind.name}") as pool:
            for future in [pool.submit(step, kind, batch) for batch in batches]:
                future.result()

    # -- outcomes --------------------------------------------------------------------

    def finished(self, change: ResourceChange) -> bool:
        return id(change) in self._finished

    def done(self, change: ResourceChange, ok: bool, message: str = "", id_: int | None = None) -> None:
        outcome = Outcome(change, ok, message, id_)
        with self._lock:
            if id(change) in self._finished:
                return
            self._finished.add(id(change))
            self.result.outcomes.append(outcome)
            self.hooks.post_apply(outcome)

    def fail_all(self, ready: Ready, exc: Exception | str) -> None:
        for change, _ in ready:
            self.done(change, False, str(exc))

    @property
    def store_settings(self) -> StoreSettings:
        return self.settings if self.settings is not None else StoreSettings()

    def parent_id(self, kind: ResourceKind, change: ResourceChange) -> int | None:
        if not kind.parent:
            return None
        return self.refs.id_of(kind.parent, parent_key(change))

    def path(self, kind: ResourceKind, change: ResourceChange, item_id: int | None = None) -> str:
        base = kind.endpoint.format(parent_id=self.parent_id(kind, change))
        return f"{base}/{item_id}" if item_id is not None else base

    def payloads(self, kind: ResourceKind, batch: list[ResourceChange]) -> Ready:
        """Each change as an API body; a change whose reference cannot be resolved fails here."""
        ready = []
        for change in batch:
            if self.stopped:
                break
            self.hooks.pre_apply(change)
            try:
                body = kind.to_payload(_values(kind, change), self.refs, parent=parent_key(change))
                if change.action is Action.CREATE and kind.create_fields:
                    body = {**kind.create_fields(self.store_settings), **body}
                self.parent_id(kind, change)   # the parent must be known now
                ready.append((change, body))
            except UnresolvedReference as exc:
                self.done(change, False, f"{exc} (was it to be created by this apply? see the errors above)")
        return ready

    # -- generic create / update / delete ------------------------------------------------

    def create(self, kind: ResourceKind, batch: list[ResourceChange]) -> None:
        ready = self.payloads(kind, batch)
        if not ready:
            return
        if kind.create_batch_size:
            self.send(ready, lambda bodies: self.client.post(self.path(kind, ready[0][0]), bodies),
                      lambda r, resp: self.created(kind, r, resp), recover=True)
            return
        self.client.map(
            lambda item: self.send([item], lambda bodies: self.client.post(self.path(kind, item[0]), bodies[0]),
                                   lambda r, resp: self.created(kind, r, resp), recover=True),
            ready,
        )

    def created(self, kind: ResourceKind, ready: Ready, resp: Response) -> None:
        rows = rows_of(resp)
        by_name = {str(r.get("name", "")).casefold(): r for r in rows}
        for i, (change, body) in enumerate(ready):
            row = rows[0] if len(ready) == 1 and rows else by_name.get(str(body.get("name", "")).casefold())
            if not row or kind.id_field not in row:
                self.done(change, False, missing_row(resp, "create", i))
                continue
            new_id = row[kind.id_field]
            self.refs.add(kind.name, change.key, new_id)
            problem = self.inconsistent(kind, change, row)
            self.done(change, not problem, problem, new_id)

    def update(self, kind: ResourceKind, batch: list[ResourceChange]) -> None:
        ready = [(c, {kind.id_field: c.live_id, **body}) for c, body in self.payloads(kind, batch)]
        if not ready:
            return
        if kind.update_batch_size:
            endpoint = kind.update_endpoint or kind.endpoint
            self.send(ready, lambda bodies: self.client.put(endpoint, bodies),
                      lambda r, resp: self.updated(kind, r, resp))
            return
        for item in ready:
            path = self.path(kind, item[0], item[0].live_id)
            body = {k: v for k, v in item[1].items() if k != kind.id_field}
            self.send([item], lambda _: self.client.put(path, body), lambda r, resp: self.updated(kind, r, resp))

    def updated(self, kind: ResourceKind, ready: Ready, resp: Response) -> None:
        by_id = {r.get(kind.id_field): r for r in rows_of(resp)}
        if len(ready) == 1 and len(by_id) == 1:
            by_id = {ready[0][0].live_id: next(iter(by_id.values()))}
        for i, (change, _) in enumerate(ready):
            row = by_id.get(change.live_id)
            if resp.status == 207 and (row is None or str(i) in _item_errors(resp)):
                self.done(change, False, missing_row(resp, "update", i))
                continue
            # Endpoints that answer without the objects (trees PUT) are taken at their word.
            problem = self.inconsistent(kind, change, row) if row else ""
            self.done(change, not problem, problem, change.live_id)

    def delete(self, kind: ResourceKind, batch: list[ResourceChange]) -> None:
        for change in batch:
            if self.stopped:
                return
            self.hooks.pre_apply(change)
            try:
                path = self.path(kind, change, change.live_id)
            except UnresolvedReference as exc:
                self.done(change, False, str(exc))
                continue
            self.send([(change, {})], lambda _: self._delete_one(path),
                      lambda r, resp: self.done(r[0][0], True, "", r[0][0].live_id))

    def _delete_one(self, path: str) -> Response:
        """A DELETE whose object is already gone has done its job (a retry after a
        dropped answer, or someone else deleted it)."""
        try:
            return self.client.delete(path)
        except errors.NotFound:
            return Response(404, None, {})

    # -- sending -------------------------------------------------------------------------

    def send(self, ready: Ready, send: Callable[[list[dict]], Response],
             handle: Callable[[Ready, Response], None], *, recover: bool = False, attempts: int = 3) -> None:
        """One request for ``ready``, and what to do when it does not simply succeed.

        - Refused as a whole (409/422/404): items the answer names fail with the
          store's message; the others are resent (or, if none is named, every item
          alone), since the store may refuse a batch for one bad item without
          saying which (FACTS.md 5.6).
        - No answer or a 5xx to a create (``recover``): each object is looked up
          by its key before anything is sent again, so a retry never makes a
          duplicate; what is found counts as created.
        """
        if self.stopped:
            return          # interrupted: not sent, so not applied (listed as such)
        try:
            resp = send([body for _, body in ready])
        except errors.StoreHTTPError as exc:
            if exc.status in (404, 409, 422) and len(ready) > 1:
                named = named_failures(exc, ready)
                for i, message in named.items():
                    self.done(ready[i][0], False, f"{exc.status} {message}")
                rest = [item for i, item in enumerate(ready) if i not in named]
                if named and rest:
                    self.send(rest, send, handle, recover=recover, attempts=attempts)
                elif not named:
                    for item in ready:
                        self.send([item], send, handle, recover=recover, attempts=attempts)
                return
            self.fail_all(ready, exc)
            return
        except errors.StoreUnavailable as exc:
            if recover and attempts > 1:
                self._recover(ready, send, handle, attempts, exc)
                return
            self.fail_all(ready, exc)
            return
        except errors.StoreError as exc:
            self.fail_all(ready, exc)
            return
        handle(ready, resp)

    def _recover(self, ready: Ready, send, handle, attempts: int, exc: Exception) -> None:
        found, missing = [], []
        for item, row in zip(ready, self._look_up(ready)):
            (found if row else missing).append((item, row))
        if found:
            log.info("Found %d object(s) the store created although its answer was lost", len(found))
            handle([i for i, _ in found], Response(200, {"data": [r for _, r in found]}, {}))
        if missing:
            self.send([i for i, _ in missing], send, handle, recover=True, attempts=attempts - 1)

    def _look_up(self, ready: Ready) -> list[dict | None]:
        """The store's row for each create in ``ready`` (one kind), or None: by the
        kind's own lookup from what was sent, else by key."""
        from reconciler.store.read import find_by_key

        kind = self.registry[ready[0][0].kind]
        if kind.find_created:
            try:
                return kind.find_created(self.client, ready, self.store_settings)
            except errors.StoreError:
                return [None] * len(ready)
        rows = []
        for change, _ in ready:
            try:
                rows.append(find_by_key(self.client, kind, change.key, parent_id=self.parent_id(kind, change),
                                        settings=self.settings, parent=parent_key(change)))
            except errors.StoreError:
                rows.append(None)
        return rows

    # -- checks ------------------------------------------------------------------------

    def inconsistent(self, kind: ResourceKind, change: ResourceChange, row: dict[str, Any]) -> str:
        """Compare what the store answered with what the plan wanted to write."""
        got = kind.from_live(row, self.refs)
        bad = []
        for f, want in change.after.items():
            if f not in got or f in kind.child_fields:
                continue  # the endpoint did not echo this field
            have = got[f]
            if f in kind.set_fields:
                same = sorted(map(str.casefold, have or [])) == sorted(map(str.casefold, want or []))
            elif f in kind.ref_fields:
                same = fold_refs(have) == fold_refs(want)
            else:
                same = have == want
            if not same:
                bad.append(f"{f}: planned {want!r}, store has {have!r}")
        if bad:
            return "store returned a different value than planned: " + "; ".join(bad)
        return ""


def _values(kind: ResourceKind, change: ResourceChange) -> dict[str, Any]:
    """What the body is made from: the planned values, and on an update of a kind whose
    bodies need it (``key_on_update``) the key field, the YAML's spelling of the key."""
    if change.action is Action.UPDATE and kind.key_on_update:
        return {kind.key: change.key, **change.after}
    return change.after


def named_failures(exc: errors.StoreHTTPError, ready: Ready) -> dict[int, str]:
    """Items a refused batch names: ``batch_errors`` by ``instance`` index ("#/3",
    variants) or by identity (``data.sku`` + currency, price records)."""
    body = exc.body if isinstance(exc.body, dict) else {}
    out: dict[int, str] = {}
    for err in body.get("batch_errors") or []:
        if not isinstance(err, dict):
            continue
        message = err.get("title") or ""
        detail = err.get("errors") or err.get("field_errors")
        if isinstance(detail, dict) and detail:
            message = f"{message} ({'; '.join(f'{k}: {v}' for k, v in detail.items())})".strip()
        index = _index_of(err, ready)
        if index is not None:
            out[index] = message or "refused by the store"
    return out


def _index_of(err: dict, ready: Ready) -> int | None:
    instance = str(err.get("instance") or "")
    if instance.startswith("#/") and instance[2:].isdigit() and int(instance[2:]) < len(ready):
        return int(instance[2:])
    data = err.get("data") if isinstance(err.get("data"), dict) else {}
    for i, (_, body) in enumerate(ready):
        if data.get("sku") and str(body.get("sku", "")).casefold() == str(data["sku"]).casefold() and \
                str(body.get("currency", "")).casefold() == str(data.get("currency", "")).casefold():
            return i
        if data.get("variant_id") and body.get("variant_id") == data["variant_id"]:
            return i
    return None


def parent_key(change: ResourceChange) -> str | None:
    """The owner's key: "CT-BLK100" for a variant of product['CT-BLK100']."""
    return change.parent.key if change.parent else None


def rows_of(resp: Response) -> list[dict]:
    """The objects an answer carries: v3 ``{"data": ...}`` or v2's bare object/array."""
    if isinstance(resp.data, list):
        return [r for r in resp.data if isinstance(r, dict)]
    if isinstance(resp.data, dict) and "data" not in resp.data and "id" in resp.data:
        return [resp.data]
    data = resp.data.get("data") if isinstance(resp.data, dict) else None
    if isinstance(data, dict):
        return [data]
    return [r for r in data if isinstance(r, dict)] if isinstance(data, list) else []


def _item_errors(resp: Response) -> dict[str, str]:
    """A 207's per-item messages, keyed by the item's index in the request."""
    errs = resp.data.get("errors") if isinstance(resp.data, dict) else None
    inner = errs.get("errors") if isinstance(errs, dict) else None
    return {str(k): str(v) for k, v in inner.items()} if isinstance(inner, dict) else {}


def missing_row(resp: Response, verb: str, index: int | None = None) -> str:
    if resp.status == 207:
        message = _item_errors(resp).get(str(index)) if index is not None else None
        if not message:
            errs = resp.data.get("errors") if isinstance(resp.data, dict) else None
            message = (errs.get("title") if isinstance(errs, dict) else None) or "no reason given"
        return f"BigCommerce 207 Multi-Status: this {verb} was not applied: {message}"
    return f"the store accepted the {verb} but did not return the object"
