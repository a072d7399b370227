"""`catalog ci apply` applies what was reviewed and nothing else (issue 15), over real HTTP:
the store is the sandbox, GitHub the local double of tests/ci/double_apply.py.

- a change merged to main that no reviewed plan holds stays unapplied, and the PR comment
  and the job summary say so and name the two ways to apply it;
- a write that fails partway (the sandbox's injected "partial" fault) exits 5, the PR
  comment lists what was applied and what failed, and the failure issue is opened;
- the manual run (`--manual`, apply.yml's workflow_dispatch) applies main's catalog but
  never overwrites an object the store changed since the last apply."""

from __future__ import annotations

import pytest
import requests

from reconciler.ci.apply import FAILED_LABEL, plan_artifact
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


def sent_writes(sandbox) -> list[str]:
    return [f"{r['method']} {r['path']}" for r in sandbox.requests() if r["method"] in ("POST", "PUT", "DELETE")]


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
    after = run_cli("plan", "--catalog", folder, "--detailed-exitcode")
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
