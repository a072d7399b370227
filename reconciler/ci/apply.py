"""`catalog ci apply`: after a merge, apply what was reviewed, and nothing else.

    push to main (GITHUB_SHA)
      -> the PR merged as that commit (GET commits/{sha}/pulls) and its last head commit
      -> its reviewed plan: artifact catalog-plan-<head sha>, saved by `catalog ci plan`
      -> checked: the checksum holds, the plan's review names that PR and that head
      -> applied as `catalog apply PLANFILE --skip-stale` applies (views.run_apply, the
         apply session): each object the store changed since the plan is skipped, not overwritten
      -> one comment on the merged PR (its own marker, apart from the plan comment);
         ONE open issue labelled catalog-apply-failed while applies fail, closed by the next success

No merged PR, no artifact, a plan for another head, a bad checksum: refused (exit 1),
nothing sent to the store. The YAML on main is never planned here: a change that no
reviewed plan contains (another PR merged without a fresh plan, an admin's edit since
the review) waits for a follow-up PR's plan or a manual apply.

The manual apply (`catalog ci apply --manual`, apply.yml's workflow_dispatch, run once a
reviewer of the `production` environment approves it) plans main's catalog and applies
it, but never overwrites an edit made in the store: every object the store changed since
the last apply (the plan's "drift" and "yaml+drift" changes) is held back, as a stale
object is (``stale="refuse"``: the whole run is refused instead); objects that change
between the plan and the send are skipped as stale. Without a last-applied state drift
cannot be told from the catalog's changes, so it is refused. Reported in the job summary.
"""

from __future__ import annotations

import dataclasses
import io
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from rich.console import Console
from rich.markup import escape

from reconciler.apply.executor import ApplyResult
from reconciler.ci import report
from reconciler.ci.github import Env, GitHub, GitHubError
from reconciler.ci.plan import summary
from reconciler.core import errors
from reconciler.desired import load_desired
from reconciler.plan.model import Action, Plan, ResourceChange

FAILED_LABEL = "catalog-apply-failed"
FAILED_TITLE = "Catalog apply failed on main"
MAX_PLAN_BYTES = 512 * 1024 * 1024      # a zip bomb is refused, not unpacked


def plan_artifact(head_sha: str) -> str:
    """The name `catalog ci plan`'s workflow uploads the plan under (action.yml)."""
    return f"catalog-plan-{head_sha}"


def journal_artifact(sha: str) -> str:
    """The name the apply workflow uploads the journal and log under (action.yml)."""
    return f"catalog-apply-{sha}"


class Refused(errors.ReconcilerError):
    """No reviewed plan to apply: nothing is sent to the store."""

    exit_code = 1

    def __init__(self, why: str, pr: int | None = None) -> None:
        super().__init__(why)
        self.pr = pr


@dataclass
class Reviewed:
    """The merged PR's reviewed plan, checked."""

    pr: int
    head_sha: str
    plan: Plan
    artifact: str


def merged_pull(gh: GitHub, sha: str) -> dict:
    """The pull request merged as commit ``sha`` (a merge, squash or rebase commit on main)."""
    if not sha:
        raise Refused("GITHUB_SHA is not set: this command runs in the workflow of a push to main")
    merged = [p for p in gh.pulls_of_commit(sha) if p.get("merged_at")]
    exact = [p for p in merged if p.get("merge_commit_sha") == sha]
    found = exact or merged
    if not found:
        raise Refused(f"commit {sha[:12]} is not the merge of a pull request (pushed to main directly?): "
                      "there is no reviewed plan for it")
    if len(found) > 1:
        numbers = ", ".join(f"#{p['number']}" for p in found)
        raise Refused(f"commit {sha[:12]} belongs to several merged pull requests ({numbers}): "
                      "which plan was reviewed for it is not clear")
    return found[0]


def reviewed_plan(gh: GitHub, sha: str) -> Reviewed:
    """The plan reviewed on the PR merged as ``sha``, made for the PR's last head commit."""
    pull = merged_pull(gh, sha)
    number, head_sha = pull["number"], (pull.get("head") or {}).get("sha") or ""
    name = plan_artifact(head_sha)
    found = gh.artifacts(name)
    if not found:
        raise Refused(f"no reviewed plan for #{number}: no unexpired artifact `{name}` (the plan of the PR's "
                      f"last commit {head_sha[:12]}); did the PR's plan job run and succeed on that commit?",
                      number)
    plan = plan_from_zip(gh.download_artifact(found[0]["id"]), name, number)
    review = plan.review or {}
    if review.get("pr") != number or review.get("head_sha") != head_sha:
        made_for = (f"#{review.get('pr')} at {str(review.get('head_sha'))[:12]}" if review
                    else "no pull request (it has no review stamp)")
        raise Refused(f"artifact `{name}` holds a plan made for {made_for}, not for #{number} at "
                      f"{head_sha[:12]}", number)
    return Reviewed(number, head_sha, plan, name)


def plan_from_zip(data: bytes, name: str, pr: int | None = None) -> Plan:
    """The one plan JSON in the artifact's zip, its checksum checked (Plan.from_json)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            files = [i for i in zf.infolist() if not i.is_dir() and i.filename.endswith(".json")]
            if len(files) != 1:
                raise Refused(f"artifact `{name}` holds {len(files)} JSON files, not the one plan", pr)
            if files[0].file_size > MAX_PLAN_BYTES:
                raise Refused(f"artifact `{name}`: {files[0].filename} is {files[0].file_size} bytes, too big "
                              "for a plan", pr)
            text = zf.read(files[0]).decode("utf-8")
    except (zipfile.BadZipFile, UnicodeDecodeError) as exc:
        raise Refused(f"artifact `{name}` is not a zip of a JSON plan ({exc})", pr) from None
    try:
        return Plan.from_json(text)
    except errors.PlanError as exc:
        raise Refused(f"artifact `{name}`: {exc}", pr) from None


def exit_code(exc: errors.ReconcilerError) -> int:
    """common.md's codes: 3 blocked or stale, 4 the store cannot be reached or used, else the error's."""
    if isinstance(exc, (errors.GuardrailError, errors.PlanStaleError)):
        return 3
    if isinstance(exc, (errors.StoreError, errors.ConfigError, errors.LockError)):
        return 4
    return exc.exit_code


# apply(plan, desired, report): apply the saved plan with the stale check skipping what
# changed; report["result"] / report["journal"] afterwards (views.run_apply(report=...)).
ApplyFn = Callable[[Plan, object, dict], object]


def ci_apply(catalog: Path, apply: ApplyFn, console: Console) -> int:
    """Apply the merged PR's reviewed plan, report it on the PR and in the failure issue;
    the exit code (0 applied, 1 refused, 3 blocked, 4 store, 5 apply failed partway, 130)."""
    env = Env.read()
    gh = GitHub.from_env(env)
    pr: int | None = None
    try:
        reviewed = reviewed_plan(gh, env.sha)
        pr = reviewed.pr
        console.print(f"Applying the plan reviewed on #{pr} for {reviewed.head_sha[:12]} "
                      f"(artifact {reviewed.artifact}); objects changed in the store since are skipped.",
                      highlight=False)
        desired = load_desired(catalog) if catalog.exists() else None
        done: dict = {}
        apply(reviewed.plan, desired, done)
        result: ApplyResult = done.get("result") or ApplyResult()
        code = 130 if result.interrupted else 5 if result.failed else 0
        body = report.apply_body(result, done.get("journal"), pr, reviewed.head_sha, env,
                                 journal_artifact=journal_artifact(env.sha),
                                 yaml_moved=desired is not None and desired.digest != reviewed.plan.desired_digest)
    except GitHubError:
        raise
    except Refused as exc:
        pr = exc.pr
        code, body = 1, report.refusal_body(pr, env.sha, str(exc), env)
        console.print(f"[red]Refused:[/] {escape(report.scrub(str(exc)))}", soft_wrap=True)
    except errors.ReconcilerError as exc:
        code, body = exit_code(exc), report.apply_error_body(exc, pr, env.sha, env)
        for d in getattr(exc, "diagnostics", []):
            console.print(str(d), markup=False, soft_wrap=True)
        console.print(f"[red]Error:[/] {escape(report.scrub(str(exc)))}", soft_wrap=True)
    _publish(gh, pr, code, body, env, console)
    return code


def _publish(gh: GitHub, pr: int | None, code: int, body: str, env: Env, console: Console) -> None:
    """The job summary, the PR comment (when there is a PR), then the failure issue: opened or updated while
    applies fail, commented on and closed by the first one that succeeds."""
    body = report.scrub(body)
    summary(body)
    if pr is not None:
        gh.upsert_comment(pr, report.APPLY_MARKER, body)
        console.print(f"Reported on #{pr}.", highlight=False)
    if code:
        issue = gh.upsert_issue(FAILED_LABEL, FAILED_TITLE, report.scrub(report.failure_issue_body(body, pr, env)))
        console.print(f"Opened or updated issue #{issue.get('number')} ({FAILED_LABEL}).", highlight=False)
    else:
        closed = gh.close_issues(FAILED_LABEL, report.scrub(report.resolved_comment(pr, env)))
        for number in closed:
            console.print(f"Closed issue #{number}: this apply succeeded.", highlight=False)


class Held(errors.ReconcilerError):
    """The manual apply refused as a whole: nothing is sent to the store."""

    exit_code = 3


EDITED = ("drift", "yaml+drift")       # plan/diff.py's origins of a store edit since the last apply


def edited_in_store(plan: Plan) -> list[tuple[ResourceChange, str]]:
    """The changes that would overwrite an edit made in the store since the last apply,
    each with why; an edited object's sub-resources go with it."""
    held = []
    for c in plan.changes:
        if c.action is Action.NOOP or c.origin not in EDITED:
            continue
        if (c.reason or "").startswith("replace:"):
            why = f"changed in the store since the last apply (to replace: {c.reason.removeprefix('replace:')})"
        elif c.action is Action.CREATE:
            why = "deleted in the store since the last apply"
        elif c.action is Action.DELETE:
            why = "added in the store since the last apply (not in the catalog)"
        else:
            why = f"changed in the store since the last apply ({', '.join(f.path for f in c.changes)})"
        held.append((c, why + ": a run by hand never overwrites an edit made in the store"))
    at = {c.address for c, _ in held}
    grew = True
    # Held by address: both halves of a replace (a delete and a create of one address) go
    # together; then the sub-resources, and theirs (a variant's price records).
    while grew:
        more = [(c, f"goes with {c.parent}, held back") for c in plan.changes
                if c.address not in at and c.parent in at and c.action is not Action.NOOP]
        held += more
        at |= {c.address for c, _ in more}
        grew = bool(more)
    return held


# make(): main's plan (made with the last-applied state) and its desired state.
MakeFn = Callable[[], tuple[Plan, object]]


def ci_apply_main(make: MakeFn, apply: ApplyFn, console: Console, *, reason: str, stale: str = "skip") -> int:
    """The manual apply of main's catalog: held-back edits, the job summary, the failure issue;
    the exit code (0 applied, 1 no reason, 3 held or blocked, 4 store, 5 failed partway, 130)."""
    env = Env.read()
    gh = GitHub.from_env(env)
    who = os.environ.get("GITHUB_ACTOR", "")
    try:
        if not reason.strip():
            raise Refused("a manual apply needs a reason (the workflow's `reason` input)")
        plan, desired = make()
        if plan.has_changes and plan.last_applied is None:
            raise Held("there is no last-applied state (.catalog/state), so an edit made in the store cannot be "
                       "told from a change of the catalog: nothing applied. The first apply goes through a PR "
                       "(its reviewed plan shows both), or `catalog apply` run by someone who checks the plan")
        held = edited_in_store(plan)
        if held and stale == "refuse":
            raise Held(f"{len(held)} object(s) changed in the store since the last apply, and on-stale is refuse: "
                       "nothing applied\n" + "\n".join(f"  - {c.address}: {why}" for c, why in held))
        at = {c.address for c, _ in held}
        done: dict = {}
        apply(dataclasses.replace(plan, changes=[c for c in plan.changes if c.address not in at]), desired, done)
        result: ApplyResult = done.get("result") or ApplyResult()
        result.skipped = held + list(result.skipped)
        code = 130 if result.interrupted else 5 if result.failed else 0
        body = report.manual_body(result, done.get("journal"), env, reason=reason, actor=who,
                                  journal_artifact=journal_artifact(env.sha))
    except GitHubError:
        raise
    except errors.ReconcilerError as exc:
        code = exit_code(exc)
        body = report.manual_error_body(exc, env, reason=reason, actor=who)
        for d in getattr(exc, "diagnostics", []):
            console.print(str(d), markup=False, soft_wrap=True)
        console.print(f"[red]{'Held' if isinstance(exc, Held) else 'Error'}:[/] {escape(report.scrub(str(exc)))}",
                      soft_wrap=True)
    _publish(gh, None, code, body, env, console)
    return code
