"""The `catalog` command: parse options, call the library, render, exit.

Each command is thin: it builds what it needs (desired state, a store client),
calls one library function and hands the result to a renderer. Only
ReconcilerError is caught and shown as a message; anything else is a bug and
keeps its traceback (without locals: the token is a local somewhere).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sys
import time
from enum import Enum
from pathlib import Path
from typing import Annotated, Iterator, Optional

import typer
from rich.console import Console

from reconciler.core import errors
from reconciler.core.diagnostics import Diagnostic
# The CLI's loads go through the cache of loaded catalogs (.catalog/cache/desired-*.pickle, desired/cache.py).
from reconciler.desired.cache import load_desired_cached as load_desired
from reconciler.desired.model import DesiredState
from reconciler.core.settings import StoreSettings
from reconciler.plan.model import Plan

LAST_APPLIED = Path(".catalog/state/last-applied.json")

def _exit_code_help() -> str:
    rows = "\n\n".join(f"{code:>3}  {what}" for code, what in errors.EXIT_CODES.items())
    return f"Exit codes:\n\n{rows}"


app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    help="Catalog as code for BigCommerce: validate the YAML, plan the changes, apply them.",
    epilog=_exit_code_help(),
)
err = Console(stderr=True, highlight=False)


class Format(str, Enum):
    text = "text"
    markdown = "markdown"
    json = "json"


class ValidateFormat(str, Enum):
    text = "text"
    github = "github"


CatalogOpt = Annotated[Path, typer.Option("--catalog", "-c", help="Folder of YAML files (the desired state).")]
AllowDropOpt = Annotated[bool, typer.Option("--allow-price-drop",
                                            help="Let price drops past the guardrail through (say why in the PR).")]
AllowDeletesOpt = Annotated[Optional[int], typer.Option(
    "--allow-deletes", metavar="N", min=0,
    help="Confirm a plan that deletes up to N objects, past the per-kind deletion limit.")]
class Refresh(str, Enum):
    full = "full"
    incremental = "incremental"
    targeted = "targeted"


RefreshOpt = Annotated[Optional[Refresh], typer.Option(
    "--refresh", help="full: read the whole store (and cache it); incremental: only what changed since the "
                      "cached read (products and price records by date_modified), full when the cache is "
                      "missing or older than a week; targeted (plan): only what the catalog changed since "
                      "the last apply (--state) and what the store changed since by date_modified, a full "
                      "read when it cannot be sure (the plan says which and why).")]
StateOpt = Annotated[Path, typer.Option("--state", help="The last-applied state, to tell drift from YAML changes.")]
TargetOpt = Annotated[Optional[list[str]], typer.Option(
    "--target", metavar="ADDRESS|GLOB", help="Plan only these: an address (product['CT-1']), a glob on addresses "
    "(product['CT-*']) or a kind; children follow their parent, what they need created first comes along. "
    "Repeatable; the plan says it is partial.")]
ExcludeOpt = Annotated[Optional[list[str]], typer.Option(
    "--exclude", metavar="ADDRESS|GLOB", help="Leave these out of the plan (as --target matches). Repeatable.")]
ParallelOpt = Annotated[Optional[int], typer.Option(
    "--parallelism", min=1, max=64,
    help="Requests in flight at once (default: set from the store's quota headers and round-trip time); "
         "the quota still paces them.")]
ShareOpt = Annotated[Optional[float], typer.Option(
    "--quota-share", metavar="FRACTION", min=0.01, max=1.0,
    help="Use at most this fraction of each rate-limit window (the store's other apps keep the rest), "
         "e.g. 0.5; wins over store.quota_share. Default: the whole quota.")]


def _print_version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            typer.echo(f"catalog-reconciler {version('catalog-reconciler')}")
        except PackageNotFoundError:
            typer.echo("catalog-reconciler (not installed: no package metadata)")
        raise typer.Exit()


_COLOR = {"off": False}     # --no-color, or NO_COLOR set (https://no-color.org)


def _color_wanted(stream=None) -> bool:
    """Colour only on a terminal, and never with --no-color or a non-empty NO_COLOR."""
    return not _COLOR["off"] and not os.environ.get("NO_COLOR") and (stream or sys.stdout).isatty()


@app.callback()
def _main(verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log detections and requests.")] = False,
          no_color: Annotated[bool, typer.Option("--no-color", help="No colour in the output (as does a non-empty "
                                                                   "NO_COLOR environment variable).")] = False,
          version: Annotated[bool, typer.Option("--version", callback=_print_version, is_eager=True,
                                                help="Print the version and exit.")] = False) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s")
    _COLOR["off"] = no_color or bool(os.environ.get("NO_COLOR"))
    err.no_color = _COLOR["off"]


@app.command()
def validate(
    catalog: CatalogOpt = Path("catalog"),
    format: Annotated[ValidateFormat, typer.Option(
        "--format", "-f", help="text: FILE:LINE:COL lines; github: also each problem as a GitHub "
                               "annotation (a workflow command on stdout) on its line of the PR.")] = ValidateFormat.text,
) -> None:
    """Check every YAML file against its schema and references. No network calls."""
    with _reporting(Format.text):
        catalog = _find_catalog(catalog)
        try:
            desired = load_desired(catalog)
        except errors.DesiredStateError as exc:
            if format is ValidateFormat.github:
                from reconciler.ci.annotations import annotations
                from reconciler.ci.plan import relative, repo_root

                typer.echo(annotations(relative(exc.diagnostics, repo_root(catalog))), nl=False)
            raise
    from reconciler.resources import REGISTRY

    counts = ", ".join(
        f"{len(objs)} {kind if len(objs) == 1 else REGISTRY[kind].plural}" for kind, objs in desired.objects.items()
    )
    err.print(f"[green]✓[/] {catalog} is valid: {counts} in {len(desired.files)} files")


@app.command()
def plan(
    catalog: CatalogOpt = Path("catalog"),
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Save the plan (JSON) for `catalog apply PLANFILE`.")] = None,
    format: Annotated[Format, typer.Option("--format", "-f", help="How to print the plan.")] = Format.text,
    detailed_exitcode: Annotated[bool, typer.Option("--detailed-exitcode", help="Exit 0 no changes, 2 changes, 3 blocked, 1 or 4 error.")] = False,
    allow_price_drop: AllowDropOpt = False,
    allow_deletes: AllowDeletesOpt = None,
    refresh: RefreshOpt = None,
    state: StateOpt = LAST_APPLIED,
    parallelism: ParallelOpt = None,
    target: TargetOpt = None,
    exclude: ExcludeOpt = None,
    quota_share: ShareOpt = None,
) -> None:
    """Show what apply would change in the store."""
    with _reporting(format):
        the_plan, _ = _make_plan(catalog, parallelism, allow_price_drop, allow_deletes, refresh, state,
                                 targets=(target or [], exclude or []),
                                 quota_share=quota_share)
    typer.echo(_render(the_plan, format), nl=False)
    if out:
        _save(the_plan, out)
    if the_plan.blocked:
        # The plan (any format) already lists them first; the message says what to do.
        err.print(f"[red]Error:[/] {_escape(str(errors.GuardrailError(the_plan.blocked)))}", soft_wrap=True)
        raise typer.Exit(errors.GuardrailError.exit_code)
    if detailed_exitcode and the_plan.has_changes:
        raise typer.Exit(errors.EXIT_CHANGES)


@app.command()
def apply(
    planfile: Annotated[Optional[Path], typer.Argument(help="A plan saved by `catalog plan --out`; applied exactly.")] = None,
    catalog: CatalogOpt = Path("catalog"),
    auto_approve: Annotated[bool, typer.Option("--auto-approve", help="Do not ask for confirmation.")] = False,
    allow_price_drop: AllowDropOpt = False,
    allow_deletes: AllowDeletesOpt = None,
    skip_stale: Annotated[bool, typer.Option("--skip-stale", help="With PLANFILE: apply what is still current, "
                                              "skip (and list) objects changed in the store since.")] = False,
    journal_dir: Annotated[Path, typer.Option("--journal-dir", help="Where the apply journal is written.")]
    = Path(".catalog/journal"),
    state: StateOpt = LAST_APPLIED,
    parallelism: ParallelOpt = None,
    lock_timeout: Annotated[float, typer.Option(
        "--lock-timeout", metavar="SECONDS", min=0,
        help="When another apply holds the store's lock: wait up to this long for it (default 0: "
             "refuse at once, naming the holder).")] = 0,
    target: TargetOpt = None,
    exclude: ExcludeOpt = None,
    quota_share: ShareOpt = None,
) -> None:
    """Apply a plan: the saved PLANFILE, or a fresh plan after confirmation.

    The store's apply lock is held from before the plan is made (or re-checked) to the end."""
    from reconciler.views import run_apply

    with _reporting(Format.text), _apply_lock(lock_timeout, quota_share) as lock_client:
        if planfile:
            if target or exclude:
                raise errors.PlanError("--target/--exclude cut a plan as it is made: pass them to "
                                       "`catalog plan --out`, then apply that file")
            the_plan = _read_plan(planfile)
            found = _find_catalog(catalog, required=False)
            desired = load_desired(found) if found else None
            settings = desired.store if desired else StoreSettings()
        else:
            read: dict = {}
            the_plan, desired = _make_plan(catalog, parallelism, allow_price_drop, allow_deletes, None, state, read,
                                           targets=(target or [], exclude or []),
                                           quota_share=quota_share, check_stale=not auto_approve)
            settings = desired.store
            typer.echo(_render(the_plan, Format.text), nl=False)
            if not the_plan.has_changes:
                return
            if the_plan.blocked:
                raise errors.GuardrailError(the_plan.blocked)
            _confirm(auto_approve)
        # A plan applied the moment it was made (--auto-approve) uses the read it was made
        # from; one that waited (a file, or a person's yes) is checked against a fresh read.
        waited = planfile is not None or not auto_approve
        quota_share = _share(quota_share, settings, lock_client)
        code = run_apply(the_plan, settings, parallelism, check_stale=waited, console=err, quota_share=quota_share,
                       allow_price_drop=allow_price_drop, allow_deletes=allow_deletes,
                       journal_dir=journal_dir, skip_stale=skip_stale, state=state, desired=desired,
                       live=None if waited else read.get("live"))
    if code:
        raise typer.Exit(code)


@app.command()
def show(
    planfile: Annotated[Path, typer.Argument(help="A plan saved by `catalog plan --out` (or the JSON plan artifact).")],
    format: Annotated[Format, typer.Option("--format", "-f", help="How to print the plan.")] = Format.text,
) -> None:
    """Print a saved plan as `catalog plan` would have: read from the file, no network calls."""
    with _reporting(format):
        the_plan = _read_plan(planfile)
    typer.echo(_render(the_plan, format), nl=False)


@app.command("force-unlock")
def force_unlock(
    lock_id: Annotated[int, typer.Argument(metavar="LOCK_ID", help="The lock id the refused apply printed.")],
) -> None:
    """Remove the store's apply lock left by an apply that died (like `terraform force-unlock`).

    Only the lock with this id is removed: a lock taken since by another apply is left alone."""
    from reconciler import connect
    from reconciler.apply.lock import describe
    from reconciler.apply.lock import force_unlock as unlock

    with _reporting(Format.text):
        with connect() as client:
            removed = unlock(client, lock_id)
        if removed is None:
            raise errors.LockError(f"no apply lock with id {lock_id} (already released or taken over?)")
    err.print(f"Removed the apply lock held by {_escape(describe(removed))}", soft_wrap=True)


@app.command()
def drift(
    catalog: CatalogOpt = Path("catalog"),
    format: Annotated[Format, typer.Option("--format", "-f", help="How to print the report.")] = Format.markdown,
    refresh: RefreshOpt = None,
    state: StateOpt = LAST_APPLIED,
    parallelism: ParallelOpt = None,
    quota_share: ShareOpt = None,
) -> None:
    """Report edits made in the store since the last apply (exit 0: none, 2: drift found).

    Only those are checked: it never says the store matches the catalog, and it
    counts the plan's other changes (YAML edits, ...) and points to `catalog plan`.

    Needs the last-applied state that `catalog apply` writes; without it every
    difference is reported as a plan would, with its origin unknown."""
    import dataclasses

    with _reporting(format):
        the_plan, _ = _make_plan(catalog, parallelism, True, None, refresh, state, quota_share=quota_share)
    drifted = [c for c in the_plan.changes if c.origin in ("drift", "yaml+drift")]
    if the_plan.last_applied is None:
        err.print(f"[yellow]No last-applied state at {state}:[/] every difference is listed; origins are unknown.")
        drifted = list(the_plan.changes)
    report = dataclasses.replace(the_plan, changes=drifted, impact=[], unmanaged={})
    others = sum(1 for c in the_plan.changes if c.action.verb != "noop") - len(drifted)
    if format is Format.json:
        typer.echo(_drift_json(report, others), nl=False)
    elif drifted:
        typer.echo(_render(report, format, report="drift"), nl=False)
    else:
        typer.echo("No drift: no edits made in the store since the last apply (only those are checked).")
    if others and format is not Format.json:
        typer.echo(f"The plan has {others} other change{'s' if others != 1 else ''} (YAML changes and others): "
                   "run `catalog plan` to see them.")
    if drifted:
        raise typer.Exit(errors.EXIT_CHANGES)


webhooks_app = typer.Typer(no_args_is_help=False, help="List or register the store's drift webhooks; "
                           "`catalog webhooks serve` runs the receiver they call.")
app.add_typer(webhooks_app, name="webhooks")


@webhooks_app.callback(invoke_without_command=True)
def webhooks(
    ctx: typer.Context,
    destination: Annotated[Optional[str], typer.Option(
        "--destination", help="Register hooks for every drift-relevant event to this https URL (port 443).")] = None,
    header: Annotated[Optional[list[str]], typer.Option(
        "--header", help="NAME=VALUE sent with each callback (e.g. a shared secret); repeatable. Never printed.")]
    = None,
) -> None:
    """List the store's webhooks, or register the drift hooks (products, SKUs, price
    lists, categories) to a receiver you run. Registering twice creates nothing new."""
    if ctx.invoked_subcommand is not None:
        return
    from reconciler import connect
    from reconciler.webhooks import list_hooks, parse_headers, register_hooks, render_hooks

    with _reporting(Format.text):
        with connect() as client:
            if destination is None:
                typer.echo(render_hooks(list_hooks(client)))
                return
            result = register_hooks(client, destination, parse_headers(header or []))
    err.print(_escape(result.summary()))
    typer.echo(render_hooks(result.hooks))


@webhooks_app.command("serve")
def webhooks_serve(
    listen: Annotated[str, typer.Option(
        "--listen", envvar="CATALOG_WEBHOOK_LISTEN", help="HOST:PORT to listen on (behind your https proxy).")]
    = "127.0.0.1:8080",
    repository: Annotated[Optional[str], typer.Option(
        "--repository", help="OWNER/NAME whose drift workflow to run [env GITHUB_REPOSITORY].")] = None,
    header_name: Annotated[Optional[str], typer.Option(
        "--header-name", help="The shared header registered with --header [env CATALOG_WEBHOOK_HEADER; "
                              "default X-Drift-Secret]. Its value: env CATALOG_WEBHOOK_SECRET only.")] = None,
    quiet: Annotated[Optional[float], typer.Option(
        "--quiet", help="Seconds without events before dispatching [env CATALOG_WEBHOOK_QUIET; default 60].")] = None,
    max_wait: Annotated[Optional[float], typer.Option(
        "--max-wait", help="Seconds after the first event at most [env CATALOG_WEBHOOK_MAX_WAIT; default 300].")]
    = None,
    api_url: Annotated[Optional[str], typer.Option(
        "--github-api-url", help="[env GITHUB_API_URL; default https://api.github.com]")] = None,
) -> None:
    """Receive the store's webhooks and run the drift workflow (repository_dispatch
    `catalog-drift`) once per burst of edits. The GitHub token: env GITHUB_TOKEN only."""
    import logging

    from reconciler.webhooks.receiver import Receiver, ReceiverSettings, serve

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    with _reporting(Format.text):
        settings = ReceiverSettings.from_env(repository=repository, header=header_name, quiet=quiet,
                                             max_wait=max_wait, api_url=api_url)
        host, sep, port = listen.rpartition(":")
        if not sep or not port.isdigit():
            raise errors.ConfigError(f"--listen {listen!r} must look like HOST:PORT")
    serve(Receiver(settings), host or "127.0.0.1", int(port),
          ready=lambda url: err.print(f"Drift receiver listening on {url}; dispatching to "
                                      f"{settings.repository} after {settings.quiet:g} s quiet "
                                      f"(at most {settings.max_wait:g} s).", soft_wrap=True))


@app.command()
def rollback(
    journal: Annotated[Path, typer.Argument(help="An apply's journal (.catalog/journal/apply-*.jsonl).")],
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Save the rollback plan to apply later.")] = None,
    catalog: CatalogOpt = Path("catalog"),
    format: Annotated[Format, typer.Option("--format", "-f", help="How to print the plan.")] = Format.text,
    parallelism: ParallelOpt = None,
) -> None:
    """Plan the undoing of one apply: restore the "before" values its journal recorded.

    The result is an ordinary plan: review it, save it with --out, apply it with
    `catalog apply FILE`."""
    from reconciler import connect
    from reconciler.apply.rollback import rollback_plan, touched_by
    from reconciler.store.read import read_touched

    with _reporting(format):
        if not journal.is_file():
            raise errors.PlanError(f"no journal at {journal}")
        settings = _settings(catalog)
        with connect(parallelism=parallelism) as client:
            live = read_touched(client, touched_by(journal), settings)
            store = client.transport.config.public()
        the_plan = rollback_plan(journal, live, store=store)
        _mark_blocked(the_plan, live, settings)
    typer.echo(_render(the_plan, format), nl=False)
    if out:
        _save(the_plan, out)


@app.command("import")
def import_(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write the catalog to.")] = Path("catalog"),
    kinds: Annotated[Optional[str], typer.Option(
        "--kinds", help="Only these kinds, e.g. brand,category,product (default: all); "
                        "what they refer to is listed under store.existing.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace the catalog already in --out.")] = False,
    parallelism: ParallelOpt = None,
    quota_share: ShareOpt = None,
) -> None:
    """Write the live store as catalog YAML: adopting a store starts with a plan showing no changes."""
    from reconciler import connect, read_live
    from reconciler.importer import check_out_dir, import_catalog, parse_kinds, read_store_settings

    with _reporting(Format.text):
        wanted = parse_kinds(kinds)
        check_out_dir(out, force)     # before reading a whole store
        with connect(parallelism=parallelism, quota_share=quota_share) as client:
            settings = read_store_settings(client)
            live = read_live(client, settings)
        summary = import_catalog(live, settings, out, kinds=wanted, force=force)
    err.print(summary.render(), markup=False, soft_wrap=True)


@app.command()
def sandbox(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on (0 = any free port).")] = 8787,
    db: Annotated[str, typer.Option(help="SQLite file for the store's state (default: in memory).")] = ":memory:",
    seed: Annotated[str, typer.Option(help="Start from: gtse (a GTSE-like store) or empty.")] = "gtse",
    quota: Annotated[int, typer.Option(help="Requests per window (Standard plan: 150).")] = 150,
    window_ms: Annotated[int, typer.Option("--window-ms", help="Rate-limit window in ms.")] = 30000,
    latency_ms: Annotated[int, typer.Option("--latency-ms", help="Added to every answer.")] = 0,
) -> None:
    """Run the local BigCommerce-compatible sandbox store in the foreground."""
    from reconciler.sandbox.store import SandboxServer

    srv = SandboxServer(host=host, port=port, db=db, seed=seed, quota=quota, window_ms=window_ms,
                        latency_ms=latency_ms)
    srv.bind()            # the socket only: serve_forever serves on it (no second bind)
    err.print(f"Sandbox store listening on {srv.url} (seed: {seed}, quota {quota} per {window_ms} ms)")
    err.print("Point the catalog command at it with:")
    typer.echo(f"export BIGCOMMERCE_API_URL={srv.url}")
    typer.echo(f"export BIGCOMMERCE_STORE_HASH={srv.store_hash}")
    typer.echo(f"export BIGCOMMERCE_ACCESS_TOKEN={srv.token}")
    sys.stdout.flush()
    srv.serve_forever()


# -- helpers -----------------------------------------------------------------------------


def _make_plan(catalog: Path, parallelism: int, allow_price_drop: bool = False,
               allow_deletes: int | None = None, refresh: "Refresh | None" = None,
               state: Path = LAST_APPLIED, keep: dict | None = None,
               targets: tuple[list[str], list[str]] = ([], []), *,
               quota_share: float | None = None, check_stale: bool = True) -> tuple[Plan, DesiredState]:
    """The plan and the desired state; with ``keep``, ``keep["live"]`` is the store as read.
    ``quota_share``: the option's, else store.quota_share. ``check_stale`` False: the
    plan is applied on its own read at once (apply --auto-approve), so its estimate has
    no stale check."""
    from reconciler import build_plan, connect, read_live
    from reconciler.apply import last_applied
    from reconciler.views import reading

    desired = load_desired(_find_catalog(catalog))
    previous = last_applied.load(state)
    part = desired
    share = _share(quota_share, desired.store)
    with connect(parallelism=parallelism, quota_share=share) as client, reading(err, client.transport, "plan: reading the store"):
        began, sent_before = time.monotonic(), client.transport.sent
        if refresh is Refresh.targeted:
            from reconciler.apply.targeted import read_targeted

            targeted = read_targeted(client, desired, previous)
            part, live = targeted.desired, targeted.live
        else:
            live = read_live(client, desired.store, refresh=refresh.value if refresh else None)
        store = client.transport.config.public()
        read_cost = {"requests": client.transport.sent - sent_before, "seconds": round(time.monotonic() - began, 1)}
    if keep is not None:
        keep["live"] = live
    from reconciler.plan.partial import select

    the_plan = build_plan(part, live, store=store, allow_price_drop=allow_price_drop,
                          allow_deletes=allow_deletes, last_applied=previous)
    cut = select(the_plan, *targets)
    if cut.partial:
        from reconciler.plan.impact import price_impact

        cut.impact = price_impact(cut, part, live)     # the money of the changes kept, not of the whole plan
    from reconciler.apply.estimate import estimate

    cut.estimate = estimate(cut, live, client.transport.config, desired.store, limiter=client.transport.limiter,
                            read=read_cost, check_stale=check_stale)
    return cut, desired


def _share(flag: float | None, settings: StoreSettings | None, lock_client=None) -> float | None:
    """The quota share in force: --quota-share wins over store.quota_share. Apply's
    ``lock_client`` (made before the settings were read, on the store's shared limiter,
    which counts the lock's requests too) spends from that share from now on."""
    share = flag if flag is not None else (settings.quota_share if settings else None)
    if lock_client is not None and share is not None:
        lock_client.transport.limiter.share = share
    return share


def _mark_blocked(the_plan: Plan, live, settings: StoreSettings) -> None:
    """Show what apply will refuse, and how to pass, on a plan made without the planner's marks."""
    from reconciler.plan.guardrails import blocked_at_apply

    why = {c.address: c.blocked for c in blocked_at_apply(the_plan, live, settings)}
    for change in the_plan.changes:
        change.blocked = change.blocked or why.get(change.address)
    if the_plan.blocked:
        err.print(f"[yellow]Apply will refuse this plan as it is:[/] {_escape(str(errors.GuardrailError(the_plan.blocked)))}",
                  soft_wrap=True)


def _settings(catalog: Path) -> StoreSettings:
    """Store settings from the catalog if it is there (tree id etc.), else defaults."""
    found = _find_catalog(catalog, required=False)
    return load_desired(found).store if found else StoreSettings()


def _find_catalog(catalog: Path, *, required: bool = True) -> Path | None:
    """The catalog folder: ``catalog`` as given when it exists; else, for a relative path, the
    first folder up from here that holds store.yaml (run from inside the catalog) or ``catalog``
    (run from elsewhere in the repository), stopping at the repository's root (.git). Paths in
    messages stay relative to here (``../products/x.yaml``).
    Not found: None, or (``required``) an error naming what was looked for."""
    if catalog.exists():
        return catalog
    here = Path.cwd()
    for folder in () if catalog.is_absolute() else (here, *here.parents):
        if (folder / "store.yaml").is_file():
            return Path(os.path.relpath(folder))
        if (folder / catalog).is_dir():
            return Path(os.path.relpath(folder / catalog))
        if (folder / ".git").exists():
            break
    if not required:
        return None
    if catalog.is_absolute():
        raise errors.DesiredStateError([Diagnostic("error", f"catalog directory '{catalog}' does not exist")])
    raise errors.DesiredStateError([Diagnostic(
        "error", f"no catalog found: looked for a folder '{catalog}' or one holding store.yaml in {here} and each "
                 f"folder above it up to {folder}; run from the repository or pass --catalog PATH")])


def _render(the_plan: Plan, fmt: Format, color: bool | None = None, report: str = "plan") -> str:
    from reconciler.plan.render_json import render_json
    from reconciler.plan.render_markdown import render_markdown
    from reconciler.plan.render_text import render_text

    if fmt is Format.json:
        return render_json(the_plan)
    if fmt is Format.markdown:
        return render_markdown(the_plan, report=report, run_url=_run_url())
    return render_text(the_plan, color=_color_wanted() if color is None else color, report=report)


def _run_url() -> str | None:
    """The GitHub Actions run this is part of (GITHUB_SERVER_URL, _REPOSITORY, _RUN_ID), if any."""
    parts = [os.environ.get(f"GITHUB_{name}", "").strip("/") for name in ("SERVER_URL", "REPOSITORY", "RUN_ID")]
    return f"{parts[0]}/{parts[1]}/actions/runs/{parts[2]}" if all(parts) else None


def _drift_json(report: Plan, others: int) -> str:
    """A drift report as JSON: titled as such, the drifted changes in the plan's own shape."""
    n = len(report.changes)
    return json.dumps({
        "report": "drift",
        "title": f"Catalog drift: {n} object{'s' if n != 1 else ''} changed in the store since the last apply",
        "drifted": n,
        "other_changes": others,
        "last_applied": report.last_applied,
        "changes": report.to_dict(),
    }, indent=2, ensure_ascii=False) + "\n"


def _save(the_plan: Plan, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(the_plan.to_json(), encoding="utf-8")
    err.print(f"Saved the plan to {out}. Apply exactly this plan with: catalog apply {out}")


def _read_plan(path: Path) -> Plan:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise errors.PlanError(f"cannot read plan file {path}: {exc.strerror}") from None
    return Plan.from_json(text)


def _confirm(auto_approve: bool) -> None:
    if auto_approve:
        return
    if not sys.stdin.isatty():
        raise errors.ReconcilerError("apply needs confirmation: run it in a terminal, or pass --auto-approve")
    answer = typer.prompt("Apply these changes to the store? Only 'yes' is accepted", default="", show_default=False)
    if answer.strip() != "yes":
        raise errors.ReconcilerError("apply cancelled")


@contextlib.contextmanager
def _apply_lock(timeout_s: float, quota_share: float | None = None) -> Iterator:
    """Hold the store's apply lock (apply/lock.py) for the block; released on any exit."""
    import signal

    from reconciler import connect
    from reconciler.apply.lock import ApplyLock

    def interrupt(signum, frame) -> None:
        raise KeyboardInterrupt    # SIGTERM (a CI cancel) while planning: unwind, so the lock is released

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        with connect(parallelism=1, quota_share=quota_share, shared=True) as client, ApplyLock(
                client, timeout_s, on_wait=lambda m: err.print(_escape(m), soft_wrap=True)):
            yield client
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def _reporting(fmt: Format) -> Iterator[None]:
    """Render ReconcilerError for people (or as JSON), then exit 1."""
    try:
        yield
    except errors.ReconcilerError as exc:
        diagnostics = getattr(exc, "diagnostics", [])
        if fmt is Format.json:
            typer.echo(json.dumps({"error": {
                "message": str(exc),
                "diagnostics": [
                    {"severity": d.severity, "summary": d.summary, "source": str(d.source) if d.source else None}
                    for d in diagnostics
                ],
            }}, indent=2))
        else:
            for d in diagnostics:
                err.print(str(d), markup=False, soft_wrap=True)
            err.print(f"[red]Error:[/] {_escape(str(exc))}", soft_wrap=True)
        raise typer.Exit(exc.exit_code) from None


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


ci_app = typer.Typer(no_args_is_help=True,
                     help="The GitHub side of CI: the PR's comment and labels, the reviewed plan.")
app.add_typer(ci_app, name="ci")


@ci_app.command("plan")
def ci_plan(
    catalog: CatalogOpt = Path("catalog"),
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Save the plan (JSON), stamped with the PR "
                                                "and head commit, for `catalog ci apply` after the merge.")] = None,
    refresh: RefreshOpt = None,
    state: StateOpt = LAST_APPLIED,
    parallelism: ParallelOpt = None,
) -> None:
    """In a PR's run: validate, plan, and leave ONE current comment and label on the PR.

    Invalid YAML: every diagnostic as an annotation and in the comment, linked to its line
    (exit 1). Store unreachable or refused: the error, without secrets (exit 4). Blocked: the
    blocked table and the YAML that unblocks it (exit 3). Otherwise the plan (exit 0). The
    job summary gets the same text. Env: GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_EVENT_PATH,
    GITHUB_API_URL, GITHUB_SERVER_URL, GITHUB_RUN_ID, GITHUB_STEP_SUMMARY and the store's settings."""
    from reconciler.ci.plan import ci_plan as plan_and_report
    from reconciler.plan.render_markdown import render_markdown

    def make() -> Plan:
        return _make_plan(catalog, parallelism, refresh=refresh, state=state)[0]

    with _reporting(Format.text):
        code = plan_and_report(catalog, out, make, render_markdown, err)
    if code:
        raise typer.Exit(code)


class OnStale(str, Enum):
    skip = "skip"
    refuse = "refuse"


@ci_app.command("apply")
def ci_apply(
    catalog: CatalogOpt = Path("catalog"),
    manual: Annotated[bool, typer.Option("--manual", help="A run by hand (apply.yml's workflow_dispatch): plan "
                                         "main's catalog and apply it, holding back every object changed in "
                                         "the store since the last apply; reported in the job summary.")] = False,
    reason: Annotated[str, typer.Option("--reason", help="With --manual: why this run (shown in the summary).")]
    = "",
    on_stale: Annotated[OnStale, typer.Option("--on-stale", help="With --manual: skip the objects changed in the "
                                              "store (apply the rest), or refuse the run when there is any.")]
    = OnStale.skip,
    journal_dir: Annotated[Path, typer.Option("--journal-dir", help="Where the apply journal is written.")]
    = Path(".catalog/journal"),
    state: StateOpt = LAST_APPLIED,
    parallelism: ParallelOpt = None,
    lock_timeout: Annotated[float, typer.Option("--lock-timeout", metavar="SECONDS", min=0,
                                                help="Wait this long for another apply's lock.")] = 0,
) -> None:
    """After a merge to main: apply the merged PR's reviewed plan, and nothing else.

    The plan is the artifact catalog-plan-<PR head sha> that `catalog ci plan` saved; it is
    applied as `catalog apply PLANFILE --skip-stale` does (objects changed in the store since
    are skipped) and reported on the PR. Without it: refused (exit 1). Any failure opens or
    updates one issue labelled catalog-apply-failed. Env: GITHUB_TOKEN, GITHUB_REPOSITORY,
    GITHUB_SHA, GITHUB_API_URL, GITHUB_SERVER_URL, GITHUB_RUN_ID and the store's settings.

    --manual (the workflow's dispatch, approved in the production environment): main's
    catalog, planned now, applied the same way; objects the store changed since the last
    apply are held back (--on-stale refuse: nothing is applied, exit 3)."""
    from reconciler.ci.apply import ci_apply as apply_reviewed
    from reconciler.views import run_apply

    def apply_saved(the_plan: Plan, desired, report: dict) -> None:
        with _apply_lock(lock_timeout):
            settings = desired.store if desired else StoreSettings()
            run_apply(the_plan, settings, parallelism, check_stale=True, quota_share=_share(None, settings),
                      skip_stale=True, console=err, journal_dir=journal_dir, state=state, desired=desired,
                      report=report)

    with _reporting(Format.text):
        if manual:
            from reconciler.ci.apply import ci_apply_main

            def make() -> tuple[Plan, DesiredState]:
                return _make_plan(catalog, parallelism, state=state)

            code = ci_apply_main(make, apply_saved, err, reason=reason, stale=on_stale.value)
        else:
            code = apply_reviewed(catalog, apply_saved, err)
    if code:
        raise typer.Exit(code)


def main() -> None:
    app()
