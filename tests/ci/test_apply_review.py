"""`catalog ci apply` applies what was reviewed and nothing else (issue 15), over real HTTP:
the store is the sandbox, GitHub the local double of tests/ci/double_apply.py.

- a change merged to main that no reviewed plan holds stays unapplied, and the PR comment
  and the job summary say so and name the two ways to apply it;
- a write that fails partway (the sandbox's injected "partial" fault) exits 5, the PR
  comment lists what was applied and what failed, and the failure issue is opened;
- the manual run (`--manual`, apply.yml's workflow_dispatch) applies main's catalog but
  never overwrites an object the store changed since the last apply."""

from __future__ import annotations

import json

import pytest
import requests
import yaml

from reconciler.ci.apply import FAILED_LABEL, plan_artifact
from reconciler.ci.github import GitHub, GitHubError
from reconciler.ci.report import APPLY_MARKER
from reconciler.plan.model import Plan
from tests.ci.double_apply import GitHubDouble
from tests.e2e.conftest import (_writes_valid_per_spec, catalog_files, cli_env, live_data,  # noqa: F401
                                run_cli, seeded, write_catalog)

TOKEN = "ghs_review-double-31a7"
MERGE, HEAD, FIRST_HEAD = "d" * 40, "e" * 40, "f" * 40
PR = 11
MANUAL = "Actions → catalog apply → Run workflow"       # how the comments name the manual dispatch


@pytest.fixture
def gh(monkeypatch, tmp_path):
    double = GitHubDouble(token=TOKEN).start()
    summary = tmp_path / "step-summary.md"
    for name, value in {"GITHUB_TOKEN": TOKEN, "GITHUB_REPOSITORY": double.repo, "GITHUB_API_URL": double.api_url,
                        "GITHUB_SERVER_URL": "https://github.example", "GITHUB_RUN_ID": "5150",
                        "GITHUB_SHA": MERGE, "GITHUB_STEP_SUMMARY": str(summary)}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("GITHUB_EVENT_PATH", raising=False)
    double.summary = summary
    yield double
    double.stop()


@pytest.fixture
def reviewed(tmp_path, catalog_files):
    """The PR's catalog: CT-NAT200 to 5.25 (plus the shared catalog's CT-BLK100 3.99, FX-PLUG6)."""
    files = dict(catalog_files)
    files["products/cable-ties.yaml"] = files["products/cable-ties.yaml"].replace("price: 4.99", "price: 5.25")
    return files


def stamped_plan(run_cli, folder, tmp_path, head=HEAD) -> str:
    """What the PR's plan job uploads: `catalog plan --out`, stamped with the PR and its head."""
    out = tmp_path / f"plan-{head[:4]}.json"
    made = run_cli("plan", "--catalog", folder, "--out", out)
    assert made.exit_code == 0, made.output
    plan = Plan.from_json(out.read_text())
    plan.review = {"pr": PR, "head_sha": head}
    return plan.to_json()


def store_products(sandbox) -> dict[str, dict]:
    r = requests.get(f"{sandbox.api_base}/v3/catalog/products", headers={"X-Auth-Token": sandbox.token},
                     params={"limit": 250}, timeout=10)
    return {p["sku"]: p for p in r.json()["data"]}


def the_comment(gh) -> str:
    [body] = [c["body"] for c in gh.comments[PR] if APPLY_MARKER in c["body"]]
    return " ".join(body.split())


def summary(gh) -> str:
    return " ".join(gh.summary.read_text(encoding="utf-8").split())


def sent_writes(sandbox, since: int = 0) -> list[str]:
    """The writes the store received, from its ``since``-th request on."""
    return [f"{r['method']} {r['path']}" for r in sandbox.requests()[since:]
            if r["method"] in ("POST", "PUT", "DELETE")]


# -- 1. a change no reviewed plan holds is never applied by the merge job ----------------------

def test_a_change_merged_to_main_outside_the_reviewed_plan_stays_unapplied_and_the_pr_says_how_to_apply_it(
        seeded, run_cli, gh, reviewed, tmp_path):
    gh.add_pull(MERGE, PR, HEAD)
    gh.add_artifact(plan_artifact(HEAD), {"plan.json": stamped_plan(run_cli, write_catalog(tmp_path / "pr",
                                                                                            reviewed), tmp_path)})
    # main, as the merge job checks it out: the reviewed change plus another PR's, merged
    # without a fresh plan of this one (FX-PLUG6 at 2.79, not 2.49; a new FX-PLUG8)
    main, plugs = dict(reviewed), reviewed["products/fixings.yaml"]
    main["products/fixings.yaml"] = (plugs.rstrip(" ").replace("price: 2.49", "price: 2.79")
                                     + plugs.split("products:\n", 1)[1].replace("PLUG6", "PLUG8").replace("6mm", "8mm"))
    folder = write_catalog(tmp_path / "main", main)

    done = run_cli("ci", "apply", "--catalog", folder)

    assert done.exit_code == 0, done.output
    store = store_products(seeded)
    assert store["CT-NAT200"]["price"] == 5.25                   # the reviewed plan: applied
    assert store["FX-PLUG6"]["price"] == 2.49                    # as reviewed, not main's 2.79
    assert "FX-PLUG8" not in store                               # in no reviewed plan: not applied
    for text in (the_comment(gh), summary(gh)):
        assert "The catalog on main differs from the one this plan was made from" in text
        assert "follow-up PR" in text and MANUAL in text
        assert "catalog-apply-" + MERGE in text or "Journal:" in text
    # The last-applied state records what was applied, not main's YAML: the next plan of
    # main still shows the two changes the merge job left.
    after = run_cli("plan", "--catalog", folder, "--detailed-exitcode", "--refresh", "targeted")
    assert after.exit_code == 2, after.output
    assert "FX-PLUG8" in after.output and "2.79" in after.output and "CT-NAT200" not in after.output
    assert TOKEN not in gh.bodies() and seeded.token not in gh.bodies()


def test_a_commit_pushed_after_the_last_plan_is_not_applied_and_neither_is_the_older_plan(
        seeded, run_cli, gh, reviewed, tmp_path):
    # The plan job ran on the PR's first commit; a second commit (a new product) was pushed
    # and the PR merged before any plan of it: the reviewed plan is not the merged head's.
    gh.add_pull(MERGE, PR, HEAD)
    gh.add_artifact(plan_artifact(FIRST_HEAD), {"plan.json": stamped_plan(run_cli, write_catalog(
        tmp_path / "first", reviewed), tmp_path, head=FIRST_HEAD)})
    second = dict(reviewed)
    second["products/fixings.yaml"] = reviewed["products/fixings.yaml"].replace("FX-PLUG6", "FX-PLUG10")

    refused = run_cli("ci", "apply", "--catalog", write_catalog(tmp_path / "main", second))

    assert refused.exit_code == 1, refused.output
    assert sent_writes(seeded) == []
    assert "FX-PLUG10" not in store_products(seeded) and store_products(seeded)["CT-NAT200"]["price"] == 4.99
    for text in (the_comment(gh), summary(gh)):
        assert f"no reviewed plan for #{PR}" in text and f"catalog-plan-{HEAD}" in text
        assert "refused, nothing applied" in text and "follow-up PR" in text and MANUAL in text
    [issue] = gh.issues
    assert issue["state"] == "open" and f"catalog-plan-{HEAD}" in issue["body"]


# -- 2. an apply that fails partway -----------------------------------------------------------

def test_a_write_failing_partway_exits_5_lists_applied_and_failed_on_the_pr_and_opens_the_issue(
        seeded, run_cli, gh, reviewed, tmp_path):
    folder = write_catalog(tmp_path / "pr", reviewed)
    gh.add_pull(MERGE, PR, HEAD)
    gh.add_artifact(plan_artifact(HEAD), {"plan.json": stamped_plan(run_cli, folder, tmp_path)})
    # The batch update of the two cable ties: the store writes the first item, refuses the
    # second (207), as reconciler/sandbox/core/partial.py documents.
    seeded.faults(queue=[{"fault": "partial", "count": 1, "method": "PUT", "route": "/v3/catalog/products"}])

    failed = run_cli("ci", "apply", "--catalog", folder)

    assert failed.exit_code == 5, failed.output
    assert sum(seeded.faults()["injected"].values()) == 1          # the fault really acted
    seeded.clear_faults()
    store = store_products(seeded)
    body = the_comment(gh)
    assert "finished with failures (2 created, 1 updated, 0 deleted, 0 skipped, 1 failed)" in body
    updated = {"CT-BLK100": 3.99, "CT-NAT200": 5.25}
    [written] = [sku for sku, price in updated.items() if store[sku]["price"] == price]
    [not_written] = set(updated) - {written}
    assert f"- update `product['{written}']`" in body and "- create `product['FX-PLUG6']`" in body
    assert f"**Failed (1)** - update `product['{not_written}']`: " in body and "207" in body
    assert "The rest was applied" in body and "Journal:" in body and "catalog rollback" in body
    assert "FX-PLUG6" in store
    [issue] = gh.issues
    assert issue["state"] == "open" and [lb["name"] for lb in issue["labels"]] == [FAILED_LABEL]
    assert f"after merging #{PR}" in issue["body"] and f"update `product['{not_written}']`" in issue["body"]
    assert "1 failed" in summary(gh)
    assert TOKEN not in gh.bodies() and seeded.token not in gh.bodies()


# -- 3. the manual apply of main (apply.yml's workflow_dispatch) ----------------------------

def admin_sets_price(sandbox, sku: str, price: float) -> None:
    """An edit in the store's admin: plain HTTP, not our client."""
    r = requests.put(f"{sandbox.api_base}/v3/catalog/products/{store_products(sandbox)[sku]['id']}",
                     headers={"X-Auth-Token": sandbox.token}, json={"price": price}, timeout=10)
    assert r.status_code == 200, r.text


@pytest.fixture
def applied_then_edited(seeded, run_cli, reviewed, tmp_path, gh, monkeypatch):
    """The store after an apply of the PR's catalog (so a last-applied state exists), an admin's
    promo price on CT-BLK100 since, and main moved on with a change no plan was made for."""
    done = run_cli("apply", "--catalog", write_catalog(tmp_path / "applied", reviewed), "--auto-approve")
    assert done.exit_code == 0, done.output
    admin_sets_price(seeded, "CT-BLK100", 3.79)
    main = dict(reviewed)
    main["products/cable-ties.yaml"] = reviewed["products/cable-ties.yaml"].replace("price: 5.25", "price: 5.75")
    monkeypatch.setenv("GITHUB_ACTOR", "ci-maintainer")
    gh.since = len(seeded.requests())
    return write_catalog(tmp_path / "main", main)


def test_a_manual_apply_applies_main_but_never_overwrites_an_edit_made_in_the_store(
        seeded, run_cli, gh, applied_then_edited):
    gh.add_issue("Catalog apply failed on main", [FAILED_LABEL])            # an earlier failed apply

    done = run_cli("ci", "apply", "--manual", "--reason", "re-apply after <the> promo | import",
                   "--catalog", applied_then_edited)

    assert done.exit_code == 0, done.output
    store = store_products(seeded)
    assert store["CT-NAT200"]["price"] == 5.75                    # main's change, in no reviewed plan: applied
    assert store["CT-BLK100"]["price"] == 3.79                    # the admin's edit stands
    # the one write besides the apply lock's (a channel metafield)
    assert [w for w in sent_writes(seeded, gh.since) if "/metafields" not in w] == ["PUT /v3/catalog/products"]
    text = summary(gh)
    assert "### Catalog apply of main by hand: done (0 created, 1 updated, 0 deleted, 1 skipped, 0 failed)" in text
    assert f"Run by @ci-maintainer on main at `{MERGE[:12]}`, approved in the `production` environment." in text
    assert "Reason: re-apply after &lt;the&gt; promo \\| import" in text
    assert ("`product['CT-BLK100']`: changed in the store since the last apply (price): a run by hand never "
            "overwrites an edit made in the store") in text
    assert "- update `product['CT-NAT200']`" in text and "open a PR" in text and "Journal:" in text
    [issue] = gh.issues
    assert issue["state"] == "closed"                             # the success closes the failure issue
    # no PR to comment on: the only comment is the one closing the issue
    assert [r.path for r in gh.requests if r.method != "GET" and "/comments" in r.path] == [
        f"/repos/{gh.repo}/issues/{issue['number']}/comments"]
    # What was held is still there for the next plan (a PR decides), as drift.
    again = run_cli("plan", "--catalog", applied_then_edited, "--detailed-exitcode", "--refresh", "targeted")
    assert again.exit_code == 2 and "CT-BLK100" in again.output and "CT-NAT200" not in again.output


def test_a_manual_apply_with_stale_refuse_applies_nothing_when_the_store_was_edited(
        seeded, run_cli, gh, applied_then_edited):
    held = run_cli("ci", "apply", "--manual", "--reason", "weekly sync", "--on-stale", "refuse",
                   "--catalog", applied_then_edited)

    assert held.exit_code == 3, held.output
    assert sent_writes(seeded, gh.since) == []
    assert store_products(seeded)["CT-NAT200"]["price"] == 5.25
    text = summary(gh)
    assert "### Catalog apply of main by hand: held back, nothing applied" in text
    assert "Reason: weekly sync" in text and "product['CT-BLK100']: changed in the store since the last apply" in text
    [issue] = gh.issues
    assert issue["state"] == "open" and "held back, nothing applied" in issue["body"]
    assert "Held:" in held.stderr


def test_a_manual_apply_without_a_last_applied_state_or_a_reason_applies_nothing(seeded, run_cli, gh, reviewed,
                                                                                tmp_path):
    folder = write_catalog(tmp_path / "main", reviewed)

    no_reason = run_cli("ci", "apply", "--manual", "--catalog", folder)
    no_state = run_cli("ci", "apply", "--manual", "--reason", "first sync", "--catalog", folder)

    assert no_reason.exit_code == 1 and "needs a reason" in no_reason.stderr
    assert no_state.exit_code == 3, no_state.output
    assert "there is no last-applied state" in " ".join(no_state.stderr.split())
    assert sent_writes(seeded) == []
    assert "held back, nothing applied" in summary(gh)


def test_a_manual_apply_keeps_the_guardrails(seeded, run_cli, gh, reviewed, tmp_path, applied_then_edited):
    # main, by another route, halves CT-NAT200's price: past the 30 % limit, no acknowledgement
    main = dict(reviewed)
    main["products/cable-ties.yaml"] = reviewed["products/cable-ties.yaml"].replace("price: 5.25", "price: 2.50")

    blocked = run_cli("ci", "apply", "--manual", "--reason", "price fix", "--catalog",
                      write_catalog(tmp_path / "cut", main))

    assert blocked.exit_code == 3, blocked.output
    assert [w for w in sent_writes(seeded, gh.since) if "/metafields" not in w] == []
    assert store_products(seeded)["CT-NAT200"]["price"] == 5.25
    assert "### Catalog apply of main by hand: blocked by a guardrail, nothing applied" in summary(gh)


def test_what_a_manual_apply_holds_back_goes_with_its_sub_resources_and_both_halves_of_a_replace():
    from reconciler.ci.apply import edited_in_store
    from reconciler.plan.model import Action, FieldChange, ResourceChange

    product = ResourceChange("product", "CT-BLK100", Action.UPDATE, [FieldChange("price", 3.79, 3.99)],
                             origin="drift")
    variant = ResourceChange("variant", "CT-BLK100-S", Action.UPDATE, origin="yaml", parent="product['CT-BLK100']")
    record = ResourceChange("price_record", "Trade:CT-BLK100-S:GBP", Action.CREATE, origin="yaml",
                            parent="variant['CT-BLK100-S']")
    gone, back = (ResourceChange("option", "Size", action, reason="replace:type", origin=origin)
                  for action, origin in ((Action.DELETE, "yaml"), (Action.CREATE, "drift")))
    other = ResourceChange("product", "CT-NAT200", Action.UPDATE, [FieldChange("price", 4.99, 5.25)], origin="yaml")
    plan = Plan(changes=[product, variant, record, gone, back, other])

    held = dict((str(c.address), why) for c, why in edited_in_store(plan))

    assert held == {
        "product['CT-BLK100']": "changed in the store since the last apply (price): a run by hand never overwrites "
                                "an edit made in the store",
        "option['Size']": "changed in the store since the last apply (to replace: type): a run by hand never "
                          "overwrites an edit made in the store",
        "variant['CT-BLK100-S']": "goes with product['CT-BLK100'], held back",
        "price_record['Trade:CT-BLK100-S:GBP']": "goes with variant['CT-BLK100-S'], held back",
    }
    # the delete half of the replace has the same address, so it is held (not sent) as well
    assert [c for c in plan.changes if c.address not in {c.address for c, _ in edited_in_store(plan)}] == [other]


# -- 4. GitHub.dispatch: the repository_dispatch call --------------------------------------

def test_dispatch_sends_the_event_github_describes_and_a_refusal_is_an_error_without_the_token():
    double = GitHubDouble(token=TOKEN).start()      # checks the request against GitHub's description
    try:
        gh = GitHub(double.repo, TOKEN, double.api_url)
        gh.dispatch("catalog-drift", {"events": 3, "refresh": "full"})
        [seen] = double.requests
        assert seen.method == "POST" and seen.path == f"/repos/{double.repo}/dispatches"
        body = json.loads(seen.body)
        assert body == {"event_type": "catalog-drift", "client_payload": {"events": 3, "refresh": "full"}}
        assert seen.headers["Authorization"] == f"Bearer {TOKEN}"
        double.assert_no_violations()

        for event, payload, why in [("x" * 101, {}, "1 to 100 characters"),
                                    ("catalog-drift", {f"k{i}": i for i in range(11)}, "at most 10 top-level keys")]:
            with pytest.raises(GitHubError, match=why):
                gh.dispatch(event, payload)
        assert len(double.requests) == 1                  # refused before sending

        other = GitHub("gtse/elsewhere", TOKEN, double.api_url)
        with pytest.raises(GitHubError) as refused:
            other.dispatch("catalog-drift")
        assert refused.value.status == 404 and TOKEN not in str(refused.value)
    finally:
        double.stop()
