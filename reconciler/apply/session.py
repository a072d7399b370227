"""ApplySession: one apply of one plan, from the first check to the last record.

    store check -> read -> stale check -> guardrails -> execute -> journal -> last-applied

Everything that drives an apply (``reconciler.apply_saved_plan``, the CLI's view)
builds a session and calls ``run(plan)``; they only parse options and render.

    >>> session = ApplySession(client, desired.store, journal_dir=Path(".catalog/journal"))
    >>> result = session.run(plan)          # ApplyResult; raises PlanStaleError, GuardrailError, ...
    >>> session.journal_path                # .catalog/journal/apply-<UTC time>.jsonl
"""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reconciler.apply import last_applied
from reconciler.apply.executor import ApplyHooks, ApplyResult, apply_plan
from reconciler.apply.journal import Hooks, Journal
from reconciler.apply.stale import find_stale, read_for_apply
from reconciler.core import errors
from reconciler.core.live import LiveState
from reconciler.core.settings import StoreSettings
from reconciler.plan.model import Plan, ResourceChange


@dataclass
class ApplySession:
    """How to apply: the store, the checks, and where the records go.

    - ``check_stale``: re-read the touched objects and refuse a plan they no longer
      match (PlanStaleError); ``skip_stale``: apply the rest instead, listing them.
    - ``live``: the LiveState the plan was made from moments ago by a full read
      (``catalog apply --auto-approve``): its ids are used as they are and nothing is
      read again. Only without ``check_stale``.
    - ``journal_dir``: write the apply's journal there (``journal_path`` once run);
      ``state``: record the last-applied state there afterwards.
    """

    client: Any                                  # StoreClient
    settings: StoreSettings | None = None
    hooks: ApplyHooks | None = None
    check_stale: bool = True
    skip_stale: bool = False
    allow_price_drop: bool = False
    allow_deletes: int | None = None
    desired: Any = None                          # the DesiredState the plan was made from (acknowledgements)
    live: LiveState | None = None
    stop: threading.Event | None = None
    journal_dir: Path | None = None
    state: Path | None = None
    journal_path: Path | None = field(default=None, init=False)

    def run(self, plan: Plan) -> ApplyResult:
        """The checks first; the journal is opened only once they pass, just before the
        first request is sent. A refused apply (another store, a stale plan, a guardrail)
        sent nothing, so it writes no journal: the newest journal stays the last apply
        that did something, the one ``catalog rollback`` is meant for."""
        reviewed = plan
        plan, live, stale = self._checked(plan)
        journal = Journal(self.journal_dir, plan) if self.journal_dir is not None else None
        self.journal_path = journal.path if journal else None
        hooks = Hooks(self.hooks, journal) if journal else self.hooks
        try:
            result = apply_plan(plan, self.client, live, settings=self.settings, hooks=hooks, stop=self.stop)
            result.skipped = stale
        except BaseException:
            if journal:
                journal.close()
            raise
        if journal:
            journal.close(result)
        if self.state is not None:
            # With the plan as it was given: a change skipped as stale (and its
            # sub-resources) has no outcome there, so its object keeps its previous entry.
            last_applied.record(self.state, reviewed, result.outcomes, self.desired)
        return result

    def _checked(self, plan: Plan) -> tuple[Plan, LiveState, list[tuple[ResourceChange, str]]]:
        """Store check, read, stale check, guardrails: (the plan to send, the read, the
        stale changes skipped); raises when the apply is refused."""
        self._check_store(plan)
        if self.live is not None and self.check_stale:
            raise ValueError("a plan checked for staleness is checked against a fresh read, not the plan's own")
        live = self.live
        if live is None or not live.refresh.startswith("full"):
            live = read_for_apply(plan, self.client, self.settings)
        stale = find_stale(plan, live) if self.check_stale else []
        if stale and not self.skip_stale:
            raise errors.PlanStaleError([f"{c.address}: {why}" for c, why in stale])
        plan = _without(plan, stale)
        guard(plan, live, self.settings, self.desired, self.allow_price_drop, self.allow_deletes)
        return plan, live, stale

    def _check_store(self, plan: Plan) -> None:
        here = self.client.transport.config.store_hash
        if plan.store and plan.store.get("store_hash") not in (None, here):
            raise errors.PlanError(f"this plan was made for store {plan.store.get('store_hash')!r}, not {here!r}")


def _without(plan: Plan, stale: list[tuple[ResourceChange, str]]) -> Plan:
    """--skip-stale: the rest of the plan; a stale object's sub-resources are skipped with it."""
    if not stale:
        return plan
    skipped = {c.address for c, _ in stale}
    keep = [c for c in plan.changes if c.address not in skipped and c.parent not in skipped]
    return dataclasses.replace(plan, changes=keep)


def guard(plan: Plan, live: LiveState, settings: StoreSettings | None, desired, allow_price_drop: bool,
          allow_deletes: int | None) -> None:
    """The one place a plan meets the guardrails before anything is sent: the blocks the plan
    was made with, unless the operator's flags lift them, and the same checks made again
    against the store as read now (a rollback or any other plan source is not trusted)."""
    from reconciler.plan.guardrails import blocked_at_apply

    still = {c.address: c for c in blocked_at_apply(plan, live, settings or StoreSettings(), desired,
                                                    allow_price_drop=allow_price_drop, allow_deletes=allow_deletes)}
    for c in plan.blocked:      # the plan's own marks, unless the flags lift them (counted on what is applied)
        if not _overridden(c, plan, allow_price_drop, allow_deletes):
            still.setdefault(c.address, c)
    if still:
        raise errors.GuardrailError(list(still.values()))


def _overridden(change: ResourceChange, plan: Plan, allow_price_drop: bool, allow_deletes: int | None) -> bool:
    """Whether the operator's flags lift this change's block: deletions are blocked
    as a mass deletion, everything else by a price drop."""
    if change.action.verb == "delete":
        return allow_deletes is not None and allow_deletes >= plan.count(change.action)
    return allow_price_drop
