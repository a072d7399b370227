"""What a person sees while apply runs: a progress bar and a closing summary.

The executor reports through ApplyHooks and never prints; this view is the CLI's
implementation of those hooks (Terraform's Hook + views split).
"""

from __future__ import annotations

from pathlib import Path

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
              state: Path | None = None, desired=None, live=None) -> bool:
    from reconciler import apply_saved_plan, connect
    from reconciler.apply.journal import Hooks, Journal

    total = sum(1 for c in plan.changes if c.action is not Action.NOOP)
    if total == 0:
        console.print("No changes to apply.")
        return True
    progress = Progress(
        TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), console=console, transient=True,
    )
    journal = None
    with connect(parallelism=parallelism) as client, progress:
        task = progress.add_task("applying", total=total)
        journal = Journal(journal_dir, plan)
        try:
            result = apply_saved_plan(plan, client, settings, hooks=Hooks(ProgressView(progress, task), journal),
                                      check_stale=check_stale, allow_price_drop=allow_price_drop,
                                      allow_deletes=allow_deletes, skip_stale=skip_stale, live=live,
                                      desired=desired)
        except BaseException:
            journal.close()
            raise
        journal.close(result)
        sent = client.transport.sent
    if state is not None:
        from reconciler.apply import last_applied

        last_applied.record(state, plan, result.outcomes, desired)
    render_result(result, console, sent)
    console.print(f"Journal: {journal.path} (undo with: catalog rollback {journal.path})", highlight=False)
    return not result.failed


def render_result(result: ApplyResult, console: Console, requests_sent: int | None = None) -> None:
    for change, why in result.skipped:
        console.print(f"[yellow]skipped[/] {escape(change.address)}: {escape(why)}", soft_wrap=True)
    for o in result.failed:
        where = f"{o.change.source}: " if o.change.source else ""
        console.print(f"[red]✗[/] {escape(where)}{o.change.kind} {escape(repr(o.change.key))}: {escape(o.message)}",
                      soft_wrap=True)
    colour = "red" if result.failed else "green"
    line = (f"[{colour}]Apply {'finished with errors' if result.failed else 'complete'}:[/] "
            f"{result.created} created, {result.updated} updated, {result.deleted} deleted, "
            f"{len(result.failed)} failed.")
    if requests_sent is not None:
        line += f" ({requests_sent} API requests)"
    console.print(line)
