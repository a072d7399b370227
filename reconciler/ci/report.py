"""The markdown the CI commands post: one comment per PR run, one after the merge's apply,
one issue when the apply fails. Pure functions of their inputs (no network)."""

from __future__ import annotations

import os
from pathlib import Path

from reconciler.ci.github import Env
from reconciler.core import errors
from reconciler.plan.model import Action, Plan

PLAN_MARKER = "<!-- catalog-reconciler:plan -->"
APPLY_MARKER = "<!-- catalog-reconciler:apply -->"
SHOWN = 50          # rows of applied / skipped objects listed in the apply comment
SECRETS = ("GITHUB_TOKEN", "BIGCOMMERCE_ACCESS_TOKEN")


def scrub(text: str) -> str:
    """Belt and braces: no token value from the environment survives into anything posted."""
    for name in SECRETS:
        value = os.environ.get(name)
        if value and len(value) >= 4:
            text = text.replace(value, "***")
    return text


def text(s: str) -> str:
    """A message as markdown text: no HTML, no table breaks."""
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")


def repo_path(file: str) -> str:
    """A diagnostic's file as a path in the repository (the run's working directory)."""
    p = Path(file)
    if p.is_absolute():
        try:
            p = p.relative_to(Path.cwd())
        except ValueError:
            pass
    return p.as_posix()


def footer(env: Env, head_sha: str | None, artifact: str | None) -> str:
    parts = []
    if head_sha:
        parts.append(f"for commit `{head_sha[:12]}`")
    if env.run_url:
        parts.append(f"[run]({env.run_url})")
        if artifact:
            parts.append(f"plan file: artifact [`{artifact}`]({env.run_url}#artifacts)")
    return ("\n\n---\n<sub>" + " · ".join(parts) + "</sub>\n") if parts else ""


def invalid_body(diagnostics: list, env: Env, head_sha: str | None) -> str:
    n = len(diagnostics)
    lines = [f"### Catalog plan: the YAML is invalid ({n} problem{'s' if n != 1 else ''})", "",
             "Nothing was planned. Fix these in the PR (each links to the line):", ""]
    for d in diagnostics:
        s = d.source
        if s:
            path = repo_path(s.file)
            where = f"`{path}:{s.line}:{s.col}`"
            if head_sha:
                where = f"[{where}]({env.blob_url(head_sha, path, s.line)})"
        else:
            where = "(no file)"
        mark = "⚠️" if d.severity == "warning" else "❌"
        lines.append(f"- {mark} {where} {text(d.summary)}")
    return "\n".join(lines) + footer(env, head_sha, None)


def error_body(exc: Exception, env: Env, head_sha: str | None) -> str:
    what = ("could not reach or use the store" if isinstance(exc, (errors.StoreError, errors.ConfigError))
            else "failed")
    return (f"### Catalog plan: {what}\n\nNo plan was made, so there is none to review: the previous plan "
            f"(if any) no longer stands.\n\n```\n{scrub(str(exc))}\n```\n"
            "Check the store's credentials (repository secrets) and that the store answers, then re-run the job."
            + footer(env, head_sha, None))


def unblock_hint(plan: Plan) -> str:
    """The plan's own advice on what lifts its blocks (the guardrail error's text)."""
    message = str(errors.GuardrailError(plan.blocked))
    _, _, hint = message.partition("\nTo go ahead: ")
    return hint or message


def plan_body(plan: Plan, markdown: str, env: Env, head_sha: str | None, artifact: str | None) -> str:
    body = markdown.rstrip("\n")
    if plan.blocked:
        body += ("\n\n**Blocked: apply will refuse this plan as it is.** To go ahead: "
                 f"{text(unblock_hint(plan))}\n")
    return body + footer(env, head_sha, artifact)


def apply_body(result, journal: Path | None, pr: int, head_sha: str, env: Env) -> str:
    ok = [o for o in result.outcomes if o.ok and o.change.action is not Action.NOOP]
    lines = [f"### Catalog apply after merging #{pr}: {result.created} created, {result.updated} updated, "
             f"{result.deleted} deleted, {len(result.skipped)} skipped, {len(result.failed)} failed", "",
             f"Applied the plan reviewed for `{head_sha[:12]}`, object by object; an object changed in the "
             "store since that plan was made is skipped, never overwritten.", ""]
    if ok:
        lines += [f"**Applied ({len(ok)})**", ""] + [f"- {o.change.action.verb} `{o.change.address}`" for o in ok[:SHOWN]]
        lines += [f"- … and {len(ok) - SHOWN} more"] if len(ok) > SHOWN else []
        lines.append("")
    if result.skipped:
        lines += [f"**Skipped ({len(result.skipped)}): changed in the store since the review**", ""]
        lines += [f"- `{c.address}`: {text(why)}" for c, why in result.skipped[:SHOWN]]
        lines += [f"- … and {len(result.skipped) - SHOWN} more"] if len(result.skipped) > SHOWN else []
        lines += ["", "To apply them, open a new PR: its plan shows them against the store as it is now.", ""]
    if result.failed:
        lines += [f"**Failed ({len(result.failed)})**", ""]
        lines += [f"- `{o.change.address}`: {text(scrub(o.message))}" for o in result.failed[:SHOWN]]
        lines.append("")
    if journal is not None:
        lines += [f"Journal: `{journal.name}`. Undo this apply with: `catalog rollback {journal}`"]
    return "\n".join(lines) + footer(env, None, None)


def refusal_body(pr: int | None, sha: str, why: str, env: Env) -> str:
    where = f"merging #{pr}" if pr else f"commit `{sha[:12]}`"
    return (f"### Catalog apply after {where}: refused, nothing applied\n\n{text(why)}\n\n"
            "What merges is what was reviewed: without the PR's reviewed plan nothing is applied. "
            "Re-run the PR's plan (push to a branch and open a PR), or apply by hand with "
            "`catalog plan --out plan.json` and `catalog apply plan.json`." + footer(env, None, None))
