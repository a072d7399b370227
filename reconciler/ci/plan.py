"""`catalog ci plan`: the PR's run. Every outcome leaves ONE current comment on the PR.

    validate the catalog (no network)
      invalid  -> every diagnostic as an annotation (workflow command on stdout), the
                  comment lists them, each linked to its line at the PR's head commit;
                  label "catalog: invalid"; exit 1
    plan against the store
      error    -> the comment says the store could not be reached or used (no secret);
                  label "catalog: error"; exit 4 (or the error's own code)
      blocked  -> the plan with its blocked table and the YAML that unblocks it;
                  label "catalog: blocked"; exit 3
      else     -> the plan; label "catalog: no changes" / "catalog: changes" / "catalog: deletes"
    the saved plan (--out) is stamped with the PR and head commit it was made for:
    `catalog ci apply` applies after the merge only that plan.

The comment is replaced in place (found by its hidden marker), so an older plan never
stands beside a red check. Outside a pull request (merge_group, a push) there is no PR to
comment on: annotations, the job summary and the exit code say it all.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Callable

from rich.console import Console
from rich.markup import escape

from reconciler.ci import report
from reconciler.ci.annotations import annotations
from reconciler.ci.github import Env, GitHub, GitHubError
from reconciler.core import errors
from reconciler.plan.model import Action, Plan

LABELS = {
    "no changes": "catalog: no changes",
    "changes": "catalog: changes",
    "deletes": "catalog: deletes",
    "invalid": "catalog: invalid",
    "blocked": "catalog: blocked",
    "error": "catalog: error",
}
FAMILY = tuple(LABELS.values())

# make() -> the catalog loaded and planned against the store (the CLI's _make_plan);
# raises DesiredStateError before any request when the YAML is invalid.
MakeFn = Callable[[], Plan]
# render(plan) -> the plan as markdown (plan/render_markdown.py).
RenderFn = Callable[[Plan], str]


def repo_root(catalog: Path) -> Path:
    """The git work tree the catalog is in (the PR's checkout, e.g. pr/), else the cwd:
    paths in annotations and links are the repository's, not the runner's."""
    here = catalog.resolve()
    for folder in (here, *here.parents):
        if (folder / ".git").exists():
            return folder
    return Path.cwd()


def relative(diagnostics: list, root: Path) -> list:
    """The diagnostics with their files as paths inside the repository."""
    out = []
    for d in diagnostics:
        s = d.source
        if s is not None:
            p = Path(s.file)
            try:
                rel = (p if p.is_absolute() else Path.cwd() / p).resolve().relative_to(root).as_posix()
            except ValueError:
                rel = p.as_posix()
            d = dataclasses.replace(d, source=dataclasses.replace(s, file=rel))
        out.append(d)
    return out


def outcome(plan: Plan) -> str:
    if plan.blocked:
        return "blocked"
    if not plan.has_changes:
        return "no changes"
    if any(c.action is Action.DELETE for c in plan.changes):
        return "deletes"
    return "changes"


def summary(text: str) -> None:
    """Append to the job summary (GITHUB_STEP_SUMMARY), when the run has one."""
    path = os.environ.get("GITHUB_STEP_SUMMARY")
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(report.scrub(text).rstrip("\n") + "\n")


def ci_plan(catalog: Path, out: Path | None, make: MakeFn, render: RenderFn, console: Console) -> int:
    """Validate, plan, report on the PR; the exit code (0, 1 invalid, 3 blocked, 4 store)."""
    env = Env.read()
    pr, head_sha = env.pull_request()
    gh = GitHub.from_env(env) if pr is not None else None
    if out is not None and out.exists():
        out.unlink()             # never an older plan uploaded as this commit's reviewed plan
    artifact = f"catalog-plan-{head_sha}" if head_sha else None
    try:
        plan = make()
    except errors.DesiredStateError as exc:
        diagnostics = relative(exc.diagnostics, repo_root(catalog))
        print(annotations(diagnostics), end="", flush=True)
        for d in diagnostics:
            console.print(str(d), markup=False, soft_wrap=True)
        console.print(f"[red]Error:[/] {escape(str(exc))}", soft_wrap=True)
        return _post(gh, pr, "invalid", report.invalid_body(diagnostics, env, head_sha), console, 1)
    except errors.ReconcilerError as exc:
        message = report.scrub(str(exc))
        print(f"::error title=catalog plan::{message}", flush=True)
        console.print(f"[red]Error:[/] {escape(message)}", soft_wrap=True)
        code = 4 if isinstance(exc, (errors.StoreError, errors.ConfigError)) else exc.exit_code
        return _post(gh, pr, "error", report.error_body(exc, env, head_sha), console, code)

    if pr is not None:
        plan.review = {"pr": pr, "head_sha": head_sha, **({"run_url": env.run_url} if env.run_url else {})}
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(plan.to_json(), encoding="utf-8")
        console.print(f"Saved the plan to {out}" + (f" (for #{pr} at {head_sha[:12]})" if pr else ""),
                      highlight=False)
    body = report.plan_body(plan, render(plan), env, head_sha, artifact)
    kind = outcome(plan)
    if kind == "blocked":
        console.print(f"[red]Blocked:[/] {escape(str(errors.GuardrailError(plan.blocked)))}", soft_wrap=True)
    return _post(gh, pr, kind, body, console, 3 if kind == "blocked" else 0)


def _post(gh: GitHub | None, pr: int | None, kind: str, body: str, console: Console, code: int) -> int:
    """The job summary, then (in a PR) the one comment and the outcome's label."""
    body = report.scrub(body)
    summary(body)
    if gh is None or pr is None:
        console.print("No pull request in this event: nothing to comment on.", highlight=False)
        return code
    try:
        gh.upsert_comment(pr, report.PLAN_MARKER, body)
        gh.set_label(pr, LABELS[kind], FAMILY)
    except GitHubError as exc:
        # The plan's own outcome still decides the exit; a comment we could not post is said.
        console.print(f"[red]Could not report on #{pr}:[/] {escape(report.scrub(str(exc)))}", soft_wrap=True)
        return code or 1
    console.print(f"Reported on #{pr}: {LABELS[kind]}.", highlight=False)
    return code
