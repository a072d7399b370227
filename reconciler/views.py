"""What a person sees while apply runs: a progress bar and a closing summary.

The executor reports through ApplyHooks and never prints; this view is the CLI's
implementation of those hooks (Terraform's Hook + views split).
"""

from __future__ import annotations

import contextlib
import signal
import threading
from pathlib import Path
from typing import Iterator

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from reconciler.apply.executor import ApplyResult, Outcome
from reconciler.plan.model import Action, Plan, ResourceChange


class ProgressView:
    def __init__(self, progress: Progress, task) -> None:
        self.progress = progress
        self.task = task

    def pre_apply(self, change: ResourceChange) -> None:
        self.progress.update(self.task, description=f"{change.action.verb} {change.kind} {change.key}")

    def post_apply(self, outcome: Outcome) -> None:
        self.progress.advance(self.task)


def run_apply(plan: Plan, settings, parallelism: int, *, check_stale: bool, console: Console,
              allow_price_drop: bool = False, allow_deletes: int | None = None,
              journal_dir: Path = Path(".catalog/journal"), skip_stale: bool = False,
              state: Path | None = None, desired=None, live=None, quota_share: float | None = None) -> int:
    """Apply with a progress bar, journal and summary; the exit code: 0, 1 (failures) or
    130 (interrupted by Ctrl-C or SIGTERM: what was in flight finished, the rest was not sent)."""
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
        session = ApplySession(client, settings, hooks=ProgressView(progress, progress.add_task("applying", total=total)),
                               check_stale=check_stale, skip_stale=skip_stale, allow_price_drop=allow_price_drop,
                               allow_deletes=allow_deletes, desired=desired, live=live, stop=stop,
                               journal_dir=journal_dir, state=state)
        result = session.run(plan)
        sent = client.transport.sent
    render_result(result, console, sent)
    console.print(f"Journal: {session.journal_path} (undo with: catalog rollback {session.journal_path})",
                  highlight=False)
    if result.interrupted:
        return 130
    return 1 if result.failed else 0


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
