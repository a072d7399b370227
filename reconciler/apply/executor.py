"""apply_plan(): run a Plan against the store, exactly, as its compiled Schedule.

The plan is compiled once (apply/schedule.py: deletes children first, then creates
and updates parents first); the executor runs the steps in that order:

- each step's changes still open go in the batches the kind declares
  (apply/batching.py); a generic writer's batches of one rank go side by side;
- every change is announced (``hooks.pre_apply``) before its batch is written and
  ends in exactly one Outcome (``hooks.post_apply``); writers call neither;
- ids the store gives new objects go into the executor's own map (``ApplyIds``),
  never into the LiveState it was given;
- the writer (generic, apply/writers.py, or the kind's own in its module) gets a
  StepContext (apply/context.py), never the executor.

The executor prints nothing: progress goes through ApplyHooks, which the CLI implements.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Protocol

from reconciler.apply.batching import rank_batches
from reconciler.apply.context import ApplyIds, StepContext, parent_key
from reconciler.apply.schedule import Schedule, Step, compile_plan
from reconciler.core.live import LiveState
from reconciler.core.settings import StoreSettings
from reconciler.plan.model import Action, Plan, ResourceChange
from reconciler.resources import REGISTRY, Registry
from reconciler.store.client import StoreClient

__all__ = ["apply_plan", "run_schedule", "ApplyResult", "Outcome", "ApplyHooks", "parent_key"]


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


def apply_plan(plan: Plan, client: StoreClient, live: LiveState, *, settings=None,
               hooks: ApplyHooks | None = None, registry: Registry = REGISTRY,
               stop: threading.Event | None = None) -> ApplyResult:
    """Apply every change in ``plan``. ``live`` (the touched objects, re-read) supplies
    the ids and the current values some writers need; it is only read.

    ``stop`` (set by the CLI on Ctrl-C / SIGTERM): no request is started once it is set;
    those in flight finish and their outcomes count. What was never sent is
    ``result.not_applied`` and ``result.interrupted`` is True."""
    return run_schedule(compile_plan(plan, registry), plan, client, live, settings=settings,
                        hooks=hooks, registry=registry, stop=stop)


def run_schedule(schedule: Schedule, plan: Plan, client: StoreClient, live: LiveState, *, settings=None,
                 hooks: ApplyHooks | None = None, registry: Registry = REGISTRY,
                 stop: threading.Event | None = None) -> ApplyResult:
    run = Executor(client, live, settings, hooks or _NoHooks(), registry, stop)
    for step in schedule:
        run.run_step(step)
    if run.stopped:
        run.result.interrupted = True
        run.result.not_applied = [c for c in plan.changes if c.action is not Action.NOOP and not run.finished(c)]
    return run.result


class Executor:
    """One apply: the client, the ids known so far, and the outcomes."""

    def __init__(self, client: StoreClient, live: LiveState, settings, hooks: ApplyHooks,
                 registry: Registry, stop: threading.Event | None = None) -> None:
        self.client = client
        self.live = live
        self.settings = settings if settings is not None else StoreSettings()
        self.ids = ApplyIds(live.refs, _known_ids(registry, self.settings))
        self.hooks = hooks
        self.result = ApplyResult()
        self._finished: set[int] = set()
        self._lock = threading.Lock()
        self._stop = stop or threading.Event()

    @property
    def stopped(self) -> bool:
        """Interrupted: nothing new is sent (checked before each batch, change and request)."""
        return self._stop.is_set()

    def run_step(self, step: Step) -> None:
        changes = [c for c in step.changes if not self.finished(c)]   # some are settled by an earlier step
        if not changes:
            return
        ctx = StepContext(self, step)
        for same_rank in rank_batches(step.kind, changes, step.action):
            if self.stopped:
                return
            if step.generic:
                self._side_by_side(ctx, same_rank)
                continue
            for batch in same_rank:
                if self.stopped:
                    return
                self._write(ctx, batch)

    def _write(self, ctx: StepContext, batch: list[ResourceChange]) -> None:
        announced = []
        for change in batch:
            if self.stopped:
                break
            self.announce(change)
            announced.append(change)
        if announced:
            ctx.step.writer(ctx, announced)

    def _side_by_side(self, ctx: StepContext, batches: list[list[ResourceChange]]) -> None:
        """Batches of one kind and rank are independent: they go side by side, as many
        at once as the rate limiter lets requests be in flight (it and the transport's
        per-endpoint gates decide what reaches the wire). Their own pool, not the
        client's: a batch may read (a lost create is looked up) on the client's pool."""
        if len(batches) == 1:
            self._write(ctx, batches[0])
            return
        workers = min(len(batches), self.client.transport.limiter.concurrency)
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix=f"apply-{ctx.kind.name}") as pool:
            for future in [pool.submit(self._write, ctx, batch) for batch in batches]:
                future.result()

    # -- outcomes --------------------------------------------------------------------

    def announce(self, change: ResourceChange) -> None:
        self.hooks.pre_apply(change)

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


def _known_ids(registry: Registry, settings: StoreSettings) -> dict[str, dict[str, int]]:
    """What the kinds' payloads look up in the settings rather than the store (channels)."""
    out: dict[str, dict[str, int]] = {}
    for kind in registry.ordered():
        for name, ids in (kind.known_ids(settings) if kind.known_ids else {}).items():
            out.setdefault(name, {}).update(ids)
    return out
