"""`catalog ci apply` after a merge, over real HTTP: the store is the sandbox, GitHub a local
double (tests/ci/github_double.py, checked against GitHub's REST description). What merges is what was reviewed: the merged PR's plan,
made for its last head commit, applied object by object; an object an admin edited after the
review is skipped and reported on the PR; without the reviewed plan nothing is applied."""

from __future__ import annotations

import json

import pytest
import requests

from reconciler.ci.apply import FAILED_LABEL, plan_artifact
from reconciler.ci.report import APPLY_MARKER
from reconciler.plan.model import Plan
from tests.ci.github_double import GitHubDouble
from tests.e2e.conftest import (_writes_valid_per_spec, catalog_files, cli_env, live_data,  # noqa: F401
                                run_cli, seeded, write_catalog)

GH_TOKEN = "ghs_double-token-8f2c"
MERGE_SHA = "a" * 40
HEAD_SHA = "b" * 40
PR = 7


@pytest.fixture
def github(monkeypatch):
    gh = GitHubDouble(token=GH_TOKEN).start()
    for name, value in {"GITHUB_TOKEN": GH_TOKEN, "GITHUB_REPOSITORY": gh.repo, "GITHUB_API_URL": gh.api_url,
                        "GITHUB_SERVER_URL": "https://github.example", "GITHUB_RUN_ID": "4242",
                        "GITHUB_SHA": MERGE_SHA}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("GITHUB_EVENT_PATH", raising=False)
    yield gh
    gh.stop()
    gh.assert_no_violations()


@pytest.fixture
def catalog(tmp_path, catalog_files):
    files = dict(catalog_files)
    files["products/cable-ties.yaml"] = files["products/cable-ties.yaml"].replace("price: 4.99", "price: 5.25")
    return write_catalog(tmp_path, files)


def reviewed_plan(run_cli, catalog, tmp_path, pr=PR, head_sha=HEAD_SHA) -> str:
    """The plan as the PR's run makes it: `catalog plan --out`, stamped with the PR and head."""
    out = tmp_path / "plan.json"
    made = run_cli("plan", "--catalog", catalog, "--out", out)
    assert made.exit_code == 0, made.output
    plan = Plan.from_json(out.read_text())
    plan.review = {"pr": pr, "head_sha": head_sha, "run_url": "https://github.example/gtse/catalog/actions/runs/1"}
    return plan.to_json()


def products(sandbox) -> dict[str, dict]:
    r = requests.get(f"{sandbox.api_base}/v3/catalog/products", headers={"X-Auth-Token": sandbox.token},
                     params={"limit": 250}, timeout=10)
    return {p["sku"]: p for p in r.json()["data"]}


def admin_sets_price(sandbox, sku: str, price: float) -> None:
    """An edit in the store's admin: plain HTTP, not our client."""
    pid = products(sandbox)[sku]["id"]
    r = requests.put(f"{sandbox.api_base}/v3/catalog/products/{pid}", headers={"X-Auth-Token": sandbox.token},
                     json={"price": price}, timeout=10)
    assert r.status_code == 200, r.text


def writes(sandbox) -> list[str]:
    return [f"{r['method']} {r['path']}" for r in sandbox.requests() if r["method"] in ("POST", "PUT", "DELETE")]


def apply_comment(github, pr=PR) -> str:
    [comment] = [c["body"] for c in github.comments[pr] if APPLY_MARKER in c["body"]]
    return comment


def no_secret_seen(github, sandbox) -> None:
    seen = github.bodies()
    assert sandbox.token not in seen and GH_TOKEN not in seen
    assert all(sandbox.token not in i["body"] and GH_TOKEN not in i["body"] for i in github.issues)


def test_the_reviewed_plan_is_applied_and_an_object_edited_since_is_skipped(seeded, run_cli, github, catalog,
                                                                             tmp_path):
    github.add_pull(MERGE_SHA, PR, HEAD_SHA)
    github.add_artifact(plan_artifact(HEAD_SHA), {"plan.json": reviewed_plan(run_cli, catalog, tmp_path)})
    admin_sets_price(seeded, "CT-BLK100", 3.79)         # after the review, before the merge's apply

    done = run_cli("ci", "apply", "--catalog", catalog)

    assert done.exit_code == 0, done.output
    store = products(seeded)
    assert store["CT-BLK100"]["price"] == 3.79           # the admin's edit stands
    assert store["CT-NAT200"]["price"] == 5.25 and "FX-PLUG6" in store
    body = apply_comment(github)
    assert "merging #7: done (2 created, 1 updated, 0 deleted, 1 skipped, 0 failed)" in body
    assert "**Skipped (1): changed in the store since the review**" in body
    assert ("`product['CT-BLK100']`: changed in the store after the plan was made "
            "(price was 3.49 when planned, now 3.79)") in body
    assert "- update `product['CT-NAT200']`" in body and "- create `product['FX-PLUG6']`" in body
    assert "follow-up PR" in body
    [journal] = (tmp_path / "cwd" / ".catalog" / "journal").glob("apply-*.jsonl")
    assert f"Journal: `{journal.name}`" in body and "catalog rollback .catalog/journal/" in body
    assert "artifact `catalog-apply-" + MERGE_SHA in body
    assert "https://github.example/gtse/catalog/actions/runs/4242" in body
    assert github.issues == []
    assert len(github.comments[PR]) == 1
    no_secret_seen(github, seeded)


def test_without_a_reviewed_plan_nothing_is_applied_an_issue_is_opened_and_a_later_success_closes_it(
        seeded, run_cli, github, catalog, tmp_path):
    github.add_pull(MERGE_SHA, PR, HEAD_SHA)            # merged, but no plan artifact for its head

    refused = run_cli("ci", "apply", "--catalog", catalog)

    assert refused.exit_code == 1, refused.output
    assert "no reviewed plan for #7" in refused.stderr
    assert writes(seeded) == []
    assert "refused, nothing applied" in apply_comment(github)
    [issue] = github.issues
    assert issue["state"] == "open" and [lb["name"] for lb in issue["labels"]] == [FAILED_LABEL]
    assert f"catalog-plan-{HEAD_SHA}" in issue["body"]

    # The plan turns up (re-run of the PR's plan); the next apply succeeds and closes the issue.
    github.add_artifact(plan_artifact(HEAD_SHA), {"plan.json": reviewed_plan(run_cli, catalog, tmp_path)})
    done = run_cli("ci", "apply", "--catalog", catalog)
    assert done.exit_code == 0, done.output
    assert issue["state"] == "closed" and len(github.issues) == 1
    assert "succeeded" in github.comments[issue["number"]][0]["body"]
    assert "done (2 created, 2 updated" in apply_comment(github)       # the same one comment, replaced
    no_secret_seen(github, seeded)


@pytest.mark.parametrize("stamp, why", [
    ({"pr": PR, "head_sha": "c" * 40}, "a plan made for #7 at cccccccccccc, not for #7 at bbbbbbbbbbbb"),
    ({"pr": 8, "head_sha": HEAD_SHA}, "a plan made for #8 at bbbbbbbbbbbb"),
    (None, "no pull request (it has no review stamp)"),
])
def test_a_plan_made_for_another_head_or_pr_is_refused(seeded, run_cli, github, catalog, tmp_path, stamp, why):
    github.add_pull(MERGE_SHA, PR, HEAD_SHA)
    plan = Plan.from_json(reviewed_plan(run_cli, catalog, tmp_path))
    plan.review = stamp
    github.add_artifact(plan_artifact(HEAD_SHA), {"plan.json": plan.to_json()})

    refused = run_cli("ci", "apply", "--catalog", catalog)

    assert refused.exit_code == 1, refused.output
    assert why in " ".join(refused.stderr.split())
    assert writes(seeded) == []
    assert why in apply_comment(github)
    assert len(github.issues) == 1


def test_a_plan_edited_after_review_is_refused(seeded, run_cli, github, catalog, tmp_path):
    github.add_pull(MERGE_SHA, PR, HEAD_SHA)
    data = json.loads(reviewed_plan(run_cli, catalog, tmp_path))
    change = next(c for c in data["resource_changes"] if c["key"] == "CT-NAT200")
    change["after"]["price"] = {"$decimal": "0.01"}
    github.add_artifact(plan_artifact(HEAD_SHA), {"plan.json": json.dumps(data)})

    refused = run_cli("ci", "apply", "--catalog", catalog)

    assert refused.exit_code == 1
    assert "checksum does not match" in apply_comment(github)
    assert writes(seeded) == [] and products(seeded)["CT-NAT200"]["price"] == 4.99


def test_a_push_that_merged_no_pull_request_is_refused_in_the_log_and_the_issue(seeded, run_cli, github, catalog):
    refused = run_cli("ci", "apply", "--catalog", catalog)

    assert refused.exit_code == 1
    assert "is not the merge of a pull request" in refused.stderr
    assert writes(seeded) == []
    [issue] = github.issues
    assert "is not the merge of a pull request" in issue["body"]
    assert all(r.method == "GET" or r.path.endswith("/issues") for r in github.requests)   # no PR comment


def test_a_store_that_refuses_the_token_exits_4_and_reports_on_the_pr_and_the_issue(
        seeded, run_cli, github, catalog, tmp_path, monkeypatch):
    github.add_pull(MERGE_SHA, PR, HEAD_SHA)
    github.add_artifact(plan_artifact(HEAD_SHA), {"plan.json": reviewed_plan(run_cli, catalog, tmp_path)})
    github.add_issue("Catalog apply failed on main", [FAILED_LABEL])       # an earlier failure
    monkeypatch.setenv("BIGCOMMERCE_ACCESS_TOKEN", "revoked-token-5d1e")

    failed = run_cli("ci", "apply", "--catalog", catalog)

    assert failed.exit_code == 4, failed.output
    body = apply_comment(github)
    assert "could not reach or use the store" in body
    [issue] = github.issues                                               # updated, not a second one
    assert issue["state"] == "open" and "could not reach or use the store" in issue["body"]
    assert "revoked-token-5d1e" not in github.bodies()
    assert products(seeded)["CT-NAT200"]["price"] == 4.99
    no_secret_seen(github, seeded)
