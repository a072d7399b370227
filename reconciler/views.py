"""What a person sees while apply runs: a progress bar and a closing summary.

The executor reports through ApplyHooks and never prints; this view is the CLI's
implementation of those hooks (Terraform's Hook + views split). On a terminal it
is a progress bar (labelled "reading the store ..." while the plan is checked
against a fresh read, so it never sits at 0/N unexplained); when stderr is not a
terminal (CI logs, a pipe) it is a log line every ``progress_seconds()`` (10 s) or
every 10 % of the changes:

    apply: 120/724 changes, 3 failed, ~1 min 20 s left at 150 req/30 s

The time left is the larger of what the quota allows (the requests each change
took so far, at the rate the store's headers announced) and what the run's own
pace says; long reads print ``plan: reading the store: 340 requests, 40 s``.
"""

from __future__ import annotations

import contextlib
import math
import os
import signal
import threading
import time
from pathlib import Path
from typing import Iterator

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from reconciler.apply.executor import ApplyResult, Outcome
from reconciler.core import errors
from reconciler.plan.model import Action, Plan, ResourceChange


class ProgressView:
    def __init__(self, progress: Progress, task, total: int) -> None:
        self.progress = progress
        self.task = task
        self.total = total

    def pre_apply(self, change: ResourceChange) -> None:
        self.progress.update(self.task, description=f"{change.action.verb} {change.kind} {change.key}",
                             total=self.total)

    def post_apply(self, outcome: Outcome) -> None:
        self.progress.advance(self.task)


PROGRESS_ENV = "CATALOG_PROGRESS_SECONDS"


def progress_seconds() -> float:
    """Seconds between progress log lines: 10, or CATALOG_PROGRESS_SECONDS."""
    try:
        return max(float(os.environ.get(PROGRESS_ENV, "10")), 0.01)
    except ValueError:
        return 10.0


def duration_text(seconds: float) -> str:
    """``45 s``, ``1 min 20 s``, ``2 h 5 min``."""
    s = max(0, math.ceil(seconds))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60} s" if s % 60 else f"{s // 60} min"
    return f"{s // 3600} h {s % 3600 // 60} min"


class LogProgress:
    """ApplyHooks printing a line every ``every_s`` seconds or every 10 % of ``total``
    (stderr not a terminal). ``transport`` gives the requests sent and the learned quota."""

    def __init__(self, console: Console, total: int, transport, *, every_s: float | None = None,
                 clock=time.monotonic, label: str = "apply") -> None:
        self.console, self.total, self.transport, self.clock, self.label = console, total, transport, clock, label
        self.every_s = progress_seconds() if every_s is None else every_s
        self.done = self.failed = 0
        self.started = self.last = clock()
        self.sent_before = transport.sent
        self.step = max(1, math.ceil(total / 10))
        self._lock = threading.Lock()

    def pre_apply(self, change: ResourceChange) -> None:
        pass

    def post_apply(self, outcome: Outcome) -> None:
        with self._lock:
            self.done += 1
            self.failed += not outcome.ok
            now = self.clock()
            if self.done < self.total and (now - self.last >= self.every_s or self.done % self.step == 0):
                self.last = now
                self.console.print(self.line(now), markup=False, highlight=False, soft_wrap=True)

    def line(self, now: float) -> str:
        text = f"{self.label}: {self.done}/{self.total} changes, {self.failed} failed"
        left = self.total - self.done
        if not self.done or not left:
            return text
        pace = (now - self.started) / self.done * left
        per_change = (self.transport.sent - self.sent_before) / self.done
        quota = self.transport.limiter.learned_quota
        if quota:
            requests, window = quota
            eta = max(pace, per_change * left * window / requests)
            return f"{text}, ~{duration_text(eta)} left at {requests} req/{duration_text(window)}"
        return f"{text}, ~{duration_text(pace)} left"


@contextlib.contextmanager
def reading(console: Console, transport, label: str, *, every_s: float | None = None) -> Iterator[None]:
    """While the block reads the store: a labelled spinner on a terminal, else a log line
    every ``every_s`` seconds (``LABEL: N requests, T``) once the read is that long."""
    if console.is_terminal:
        with console.status(escape(label)):
            yield
        return
    every = progress_seconds() if every_s is None else every_s
    stop, started, before = threading.Event(), time.monotonic(), transport.sent

    def tick() -> None:
        while not stop.wait(every):
            console.print(f"{label}: {transport.sent - before} requests, "
                          f"{duration_text(time.monotonic() - started)}", markup=False, highlight=False)

    ticker = threading.Thread(target=tick, name="read-progress", daemon=True)
    ticker.start()
    try:
        yield
    finally:
        stop.set()
        ticker.join()


def run_apply(plan: Plan, settings, parallelism: int, *, check_stale: bool, console: Console,
              allow_price_drop: bool = False, allow_deletes: int | None = None,
              journal_dir: Path = Path(".catalog/journal"), skip_stale: bool = False,
              state: Path | None = None, desired=None, live=None, report: dict | None = None,
              quota_share: float | None = None) -> int:
    """Apply with a progress bar (log lines when ``console`` is not a terminal), journal and
    summary; the exit code: 0, 5 (some changes failed) or 130 (interrupted by Ctrl-C or
    SIGTERM: what was in flight finished, the rest was not sent).
    With ``report``, ``report["result"]`` is the ApplyResult and ``report["journal"]`` its journal."""
    from reconciler import connect
    from reconciler.apply.session import ApplySession

    total = sum(1 for c in plan.changes if c.action is not Action.NOOP)
    if total == 0:
        console.print("No changes to apply.")
        return 0
    progress = Progress(
        TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), console=console, transient=True,
    )
    stop = threading.Event()
    with connect(parallelism=parallelism, quota_share=quota_share) as client, progress, _stop_on_signals(stop, console):
        if console.is_terminal:
            # No total (a pulsing bar, no 0/N) until the first change is sent.
            reread = "reading the store: checking the plan is still current" if live is None else "applying"
            hooks = ProgressView(progress, progress.add_task(reread, total=None), total)
        else:
            if live is None:
                console.print("apply: reading the objects the plan touches (checking it is still current)",
                              highlight=False)
            hooks = LogProgress(console, total, client.transport)
        session = ApplySession(client, settings, hooks=hooks,
                               check_stale=check_stale, skip_stale=skip_stale, allow_price_drop=allow_price_drop,
                               allow_deletes=allow_deletes, desired=desired, live=live, stop=stop,
                               journal_dir=journal_dir, state=state)
        result = session.run(plan)
        sent = client.transport.sent
    if report is not None:
        report.update(result=result, journal=session.journal_path)
    render_result(result, console, sent)
    console.print(f"Journal: {session.journal_path} (undo with: catalog rollback {session.journal_path})",
                  highlight=False)
    if result.interrupted:
        return errors.EXIT_INTERRUPTED
    return errors.EXIT_APPLY_FAILED if result.failed else errors.EXIT_OK


@contextlib.contextmanager
def _stop_on_signals(stop: threading.Event, console: Console) -> Iterator[None]:
    """The first SIGINT (Ctrl-C) or SIGTERM (a CI cancel) sets ``stop``: the executor starts
    nothing new and the requests in flight finish. A second one acts as usual (stops at once)."""
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}

    def first(signum, frame) -> None:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        stop.set()
        console.print(f"[yellow]{signal.Signals(signum).name}:[/] stopping: the requests in flight finish, "
                      "nothing new is sent (again to stop at once).")

    for sig in previous:
        signal.signal(sig, first)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


NOT_APPLIED_SHOWN = 20


def render_result(result: ApplyResult, console: Console, requests_sent: int | None = None) -> None:
    for change, why in result.skipped:
        console.print(f"[yellow]skipped[/] {escape(str(change.address))}: {escape(why)}", soft_wrap=True)
    for o in result.failed:
        where = f"{o.change.source}: " if o.change.source else ""
        console.print(f"[red]✗[/] {escape(where)}{o.change.kind} {escape(repr(o.change.key))}: {escape(o.message)}",
                      soft_wrap=True)
    for change in result.not_applied[:NOT_APPLIED_SHOWN]:
        console.print(f"[yellow]not applied[/] {escape(str(change.address))}", soft_wrap=True)
    if len(result.not_applied) > NOT_APPLIED_SHOWN:
        console.print(f"[yellow]… and {len(result.not_applied) - NOT_APPLIED_SHOWN} more not applied[/] "
                      "(the next plan lists them all)")
    colour = "red" if result.failed or result.interrupted else "green"
    state = "interrupted" if result.interrupted else "finished with errors" if result.failed else "complete"
    line = (f"[{colour}]Apply {state}:[/] "
            f"{result.created} created, {result.updated} updated, {result.deleted} deleted, "
            f"{len(result.failed)} failed")
    line += f", {len(result.not_applied)} not applied." if result.interrupted else "."
    if requests_sent is not None:
        line += f" ({requests_sent} API requests)"
    console.print(line)
