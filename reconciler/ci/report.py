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


def _listed(rows: list[str]) -> list[str]:
    """At most SHOWN rows, then how many more."""
    return rows[:SHOWN] + ([f"- … and {len(rows) - SHOWN} more"] if len(rows) > SHOWN else [])


LATER = ("A change that no reviewed plan contains is never applied by the merge: to apply "
         "{what}, open a follow-up PR (its plan shows them against the store as it is now), or run "
         "the apply of main by hand (Actions → catalog apply → Run workflow, with a reason; a reviewer "
         "of the `production` environment approves the run, and objects changed in the store since "
         "the last apply are skipped).")


def apply_body(result, journal: Path | None, pr: int, head_sha: str, env: Env, *,
               journal_artifact: str | None = None, yaml_moved: bool = False) -> str:
    """After the merge's apply: what was applied, what was skipped and why, what failed,
    the journal and how to undo it."""
    intro = (f"Applied the plan reviewed on this PR for commit `{head_sha[:12]}`, object by object. An object "
             "changed in the store since that plan was made is skipped, never overwritten.")
    lines = _outcome(result, f"after merging #{pr}", intro, "changed in the store since the review")
    if yaml_moved:
        lines += ["The catalog on main differs from the one this plan was made from (another PR merged "
                  "after it?): " + LATER.format(what="the difference"), ""]
    return "\n".join(lines + _journal(journal, journal_artifact)).rstrip("\n") + footer(env, None, None)


def _outcome(result, after: str, intro: str, skipped_why: str, later: str = LATER.format(what="them")) -> list[str]:
    """The apply's heading, then what was applied, skipped, failed and not sent."""
    ok = [o for o in result.outcomes if o.ok and o.change.action is not Action.NOOP]
    counts = (f"{result.created} created, {result.updated} updated, {result.deleted} deleted, "
              f"{len(result.skipped)} skipped, {len(result.failed)} failed")
    state = ("interrupted" if result.interrupted else "finished with failures" if result.failed
             else "nothing to apply" if not ok and not result.skipped else "done")
    lines = [f"### Catalog apply {after}: {state} ({counts})", "", intro, ""]
    if ok:
        lines += [f"**Applied ({len(ok)})**", ""]
        lines += _listed([f"- {o.change.action.verb} `{o.change.address}`" for o in ok]) + [""]
    if result.skipped:
        lines += [f"**Skipped ({len(result.skipped)}): {skipped_why}**", ""]
        lines += _listed([f"- `{c.address}`: {text(why)}" for c, why in result.skipped]) + [""]
        lines += [later, ""]
    if result.failed:
        lines += [f"**Failed ({len(result.failed)})**", ""]
        lines += _listed([f"- {o.change.action.verb} `{o.change.address}`: {text(scrub(o.message))}"
                          for o in result.failed]) + [""]
        lines += ["The rest was applied. Fix the cause, then open a follow-up PR: its plan shows what is "
                  "still to do.", ""]
    if result.interrupted and result.not_applied:
        lines += [f"**Not applied ({len(result.not_applied)}): the job was stopped before they were sent**", ""]
        lines += _listed([f"- {c.action.verb} `{c.address}`" for c in result.not_applied]) + [""]
    return lines


def _journal(journal: Path | None, artifact: str | None) -> list[str]:
    if journal is None:
        return []
    where = f" (in the run's artifact `{artifact}`)" if artifact else ""
    return [f"Journal: `{journal.name}`{where}. To undo this apply: "
            f"`catalog rollback {journal.as_posix()} --out rollback.json`, review it, then "
            "`catalog apply rollback.json`."]


def _by_hand(env: Env, reason: str, actor: str) -> str:
    who = f" by @{text(actor)}" if actor else ""
    return (f"Run{who} on main at `{env.sha[:12]}`, approved in the `production` environment. "
            f"Reason: {text(scrub(reason.strip()))}")


BY_PR = ("To apply them, open a PR: its plan shows each against the store as drift, a reviewer decides, "
         "and the merge applies what was reviewed.")


def manual_body(result, journal: Path | None, env: Env, *, reason: str, actor: str = "",
                journal_artifact: str | None = None) -> str:
    """The run summary of a manual apply of main (apply.yml's workflow_dispatch)."""
    intro = (_by_hand(env, reason, actor) + "\n\nPlanned main's catalog against the store and applied it object "
             "by object. An object changed in the store since the last apply (an edit in the admin), or "
             "between the plan and its send, is skipped, never overwritten: a PR's plan shows it as drift, "
             "for a reviewer to decide.")
    lines = _outcome(result, "of main by hand", intro, "changed in the store", BY_PR)
    return "\n".join(lines + _journal(journal, journal_artifact)).rstrip("\n") + footer(env, None, None)


def manual_error_body(exc: Exception, env: Env, *, reason: str, actor: str = "") -> str:
    """A manual apply that stopped before or while sending: held back, blocked, the store, the YAML."""
    return apply_error_body(exc, None, env.sha, env, run="of main by hand", intro=_by_hand(env, reason, actor))


def refusal_body(pr: int | None, sha: str, why: str, env: Env) -> str:
    where = f"merging #{pr}" if pr else f"commit `{sha[:12]}`"
    return (f"### Catalog apply after {where}: refused, nothing applied\n\n{text(scrub(why))}\n\n"
            "What merges is what was reviewed: without the reviewed plan of the PR's last commit nothing "
            "is sent to the store. " + LATER.format(what="this change") + footer(env, None, None))


def apply_error_body(exc: Exception, pr: int | None, sha: str, env: Env, *, run: str | None = None,
                     intro: str = "") -> str:
    """The apply stopped before or while sending: the store could not be reached or used,
    a guardrail blocked the plan, main's YAML is invalid, ... ``run``: what the heading
    calls the run (a manual apply's "of main by hand"), ``intro`` its first paragraph."""
    where = f"after merging #{pr}" if pr else f"after commit `{sha[:12]}`"
    if isinstance(exc, (errors.StoreError, errors.ConfigError)):
        what, then = ("could not reach or use the store",
                      "Check the store's credentials (the environment's secrets) and that the store answers, "
                      "then re-run the job: the stale check skips whatever was applied already.")
    elif isinstance(exc, errors.GuardrailError):
        what, then = ("blocked by a guardrail, nothing applied",
                      "The message says what lifts the block; it goes in a follow-up PR, reviewed like any other.")
    elif getattr(exc, "exit_code", None) == errors.EXIT_BLOCKED:
        what, then = "held back, nothing applied", ("Nothing was sent. A PR's plan shows what the store holds "
                                                    "against the catalog, for a reviewer to decide.")
    else:
        what, then = "failed", "Nothing more was sent. Fix the cause and re-run the job."
    found = "".join(f"{d}\n" for d in getattr(exc, "diagnostics", []))    # main's YAML invalid: each problem
    intro = f"{intro}\n\n" if intro else ""
    return (f"### Catalog apply {run or where}: {what}\n\n{intro}```\n{scrub(found + str(exc))}\n```\n{then}"
            + footer(env, None, None))


def failure_issue_body(body: str, pr: int | None, env: Env) -> str:
    """The one catalog-apply-failed issue: the latest failure, replaced by each failed apply."""
    about = f" after merging #{pr}" if pr else ""
    run = f" ([run]({env.run_url}))" if env.run_url else ""
    return (f"The latest apply to the store{about} did not finish cleanly{run}. This issue is updated by "
            "each failed apply on main and closed by the next one that succeeds.\n\n" + body)


def resolved_comment(pr: int | None, env: Env) -> str:
    about = f" after merging #{pr}" if pr else ""
    run = f" ([run]({env.run_url}))" if env.run_url else ""
    return f"The apply{about} succeeded{run}: closing."
