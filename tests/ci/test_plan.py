"""`catalog ci plan` in a PR's run, over real HTTP: the store is the sandbox, GitHub a local
double. Every outcome leaves ONE current comment and one label on the PR: invalid YAML
(every diagnostic, linked, and as annotations), blocked, an error reaching the store, a plan.
The saved plan is the reviewed plan `catalog ci apply` uses after the merge."""

from __future__ import annotations

import json
import re

import pytest

from reconciler.ci.plan import FAMILY, LABELS
from reconciler.ci.report import PLAN_MARKER
from reconciler.plan.model import Plan
from tests.ci.github_double import GitHubDouble
from tests.e2e.conftest import (_writes_valid_per_spec, catalog_files, cli_env, live_data,  # noqa: F401
                                run_cli, seeded, write_catalog)

GH_TOKEN = "ghs_double-token-31c7"
HEAD_SHA = "c" * 40
PR = 12


@pytest.fixture
def github(monkeypatch, tmp_path):
    gh = GitHubDouble(token=GH_TOKEN).start()
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": PR, "head": {"sha": HEAD_SHA}}}))
    summary = tmp_path / "summary.md"
    for name, value in {"GITHUB_TOKEN": GH_TOKEN, "GITHUB_REPOSITORY": gh.repo, "GITHUB_API_URL": gh.api_url,
                        "GITHUB_SERVER_URL": "https://github.example", "GITHUB_RUN_ID": "777",
                        "GITHUB_EVENT_PATH": str(event), "GITHUB_STEP_SUMMARY": str(summary)}.items():
        monkeypatch.setenv(name, value)
    gh.summary = summary
    yield gh
    gh.stop()
    gh.assert_no_violations()


def plan_comments(github) -> list[str]:
    return [c["body"] for c in github.comments.get(PR, []) if PLAN_MARKER in c["body"]]


def no_secret_seen(github, sandbox) -> None:
    seen = github.bodies()
    assert sandbox.token not in seen and GH_TOKEN not in seen


def test_invalid_yaml_every_diagnostic_in_the_comment_linked_and_as_annotations(seeded, run_cli, github,
                                                                                catalog_files, tmp_path):
    files = dict(catalog_files)
    files["products/cable-ties.yaml"] = (files["products/cable-ties.yaml"]
                                         .replace("price: 4.99", "price: -4.99")
                                         .replace("price: 3.99", "price: cheap"))
    catalog = write_catalog(tmp_path, files)
    (tmp_path / ".git").mkdir()                     # the PR's checkout: paths are the repository's

    done = run_cli("ci", "plan", "--catalog", catalog, "--out", tmp_path / "plan.json")

    assert done.exit_code == 1, done.output
    commands = [line for line in done.stdout.splitlines() if line.startswith("::error ")]
    assert len(commands) == 2, done.stdout
    for line in commands:
        assert re.fullmatch(r"::error file=catalog/products/cable-ties\.yaml,line=\d+,col=\d+::.+", line), line
    [body] = plan_comments(github)
    assert "the YAML is invalid (2 problems)" in body
    for line in commands:
        row = re.match(r"::error file=([^,]+),line=(\d+),col=(\d+)::", line)
        path, ln, col = row.groups()
        assert f"[`{path}:{ln}:{col}`](https://github.example/gtse/catalog/blob/{HEAD_SHA}/{path}#L{ln})" in body
    assert github.labels[PR] == [LABELS["invalid"]]
    assert not (tmp_path / "plan.json").exists()
    assert seeded.requests() == []                  # invalid YAML never reaches the store
    assert "the YAML is invalid" in github.summary.read_text()
    no_secret_seen(github, seeded)


def test_a_blocked_plan_replaces_the_previous_comment_with_the_blocked_table_and_how_to_unblock(
        seeded, run_cli, github, catalog_files, tmp_path):
    catalog = write_catalog(tmp_path, catalog_files)
    first = run_cli("ci", "plan", "--catalog", catalog, "--out", tmp_path / "plan.json")
    assert first.exit_code == 0, first.output
    [old] = plan_comments(github)
    assert github.labels[PR] == [LABELS["changes"]]

    blocked = dict(catalog_files)
    blocked["products/cable-ties.yaml"] = blocked["products/cable-ties.yaml"].replace("price: 4.99", "price: 0.99")
    catalog = write_catalog(tmp_path / "next", blocked)
    done = run_cli("ci", "plan", "--catalog", catalog, "--out", tmp_path / "plan.json")

    assert done.exit_code == 3, done.output
    [body] = plan_comments(github)                  # one comment: the old one replaced in place
    assert body != old and len(github.comments[PR]) == 1
    assert "Blocked: apply will refuse this plan as it is." in body
    assert "acknowledge: [price_drop]" in body
    assert github.labels[PR] == [LABELS["blocked"]]
    assert Plan.from_json((tmp_path / "plan.json").read_text()).blocked
    no_secret_seen(github, seeded)


@pytest.mark.parametrize("why", ["unreachable", "bad token"])
def test_a_plan_that_cannot_reach_the_store_says_so_on_the_pr_and_exits_4(seeded, run_cli, github,
                                                                          catalog_files, tmp_path, monkeypatch,
                                                                          why):
    catalog = write_catalog(tmp_path, catalog_files)
    assert run_cli("ci", "plan", "--catalog", catalog).exit_code == 0
    bad_token = "wrong-token-5d1e9a"
    if why == "unreachable":
        monkeypatch.setenv("BIGCOMMERCE_API_URL", "http://127.0.0.1:9")
        monkeypatch.setenv("BIGCOMMERCE_MAX_RETRIES", "0")
    else:
        monkeypatch.setenv("BIGCOMMERCE_ACCESS_TOKEN", bad_token)

    done = run_cli("ci", "plan", "--catalog", catalog, "--out", tmp_path / "plan.json")

    assert done.exit_code == 4, done.output
    [body] = plan_comments(github)
    assert "### Catalog plan: could not reach or use the store" in body
    assert "the previous plan (if any) no longer stands" in body
    assert github.labels[PR] == [LABELS["error"]]
    assert not (tmp_path / "plan.json").exists()
    assert bad_token not in github.bodies()
    no_secret_seen(github, seeded)


def test_a_plan_is_saved_stamped_for_the_head_commit_and_labelled(seeded, run_cli, github, catalog_files, tmp_path):
    catalog = write_catalog(tmp_path, catalog_files)
    github.labels[PR] = [LABELS["invalid"], "merch"]      # a previous run's label, and a team's own

    done = run_cli("ci", "plan", "--catalog", catalog, "--out", tmp_path / "plan.json")

    assert done.exit_code == 0, done.output
    saved = Plan.from_json((tmp_path / "plan.json").read_text())
    assert saved.review == {"pr": PR, "head_sha": HEAD_SHA,
                            "run_url": "https://github.example/gtse/catalog/actions/runs/777"}
    assert saved.has_changes
    [body] = plan_comments(github)
    assert f"artifact [`catalog-plan-{HEAD_SHA}`](https://github.example/gtse/catalog/actions/runs/777#artifacts)" \
        in body
    assert sorted(github.labels[PR]) == sorted(["merch", LABELS["changes"]])
    assert set(FAMILY) & set(github.labels[PR]) == {LABELS["changes"]}
    no_secret_seen(github, seeded)


def test_outside_a_pull_request_nothing_is_posted(seeded, run_cli, github, catalog_files, tmp_path, monkeypatch):
    """merge_group: the merge queue's commit has no PR to comment on; the check's exit and
    the job summary carry the outcome."""
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(tmp_path / "merge_group.json"))
    (tmp_path / "merge_group.json").write_text(json.dumps({"merge_group": {"head_sha": "d" * 40}}))
    files = dict(catalog_files)
    files["products/cable-ties.yaml"] = files["products/cable-ties.yaml"].replace("price: 4.99", "price: x")
    catalog = write_catalog(tmp_path, files)

    done = run_cli("ci", "plan", "--catalog", catalog)

    assert done.exit_code == 1
    assert "::error file=" in done.stdout
    assert github.requests == []
    assert "the YAML is invalid (1 problem)" in github.summary.read_text()


def test_validate_format_github_prints_annotations(run_cli, catalog_files, tmp_path):
    files = dict(catalog_files)
    files["products/cable-ties.yaml"] = files["products/cable-ties.yaml"].replace("price: 4.99", "price: x")
    catalog = write_catalog(tmp_path, files)
    (tmp_path / ".git").mkdir()

    done = run_cli("validate", "--catalog", catalog, "--format", "github")

    assert done.exit_code == 1
    [line] = [ln for ln in done.stdout.splitlines() if ln.startswith("::")]
    assert re.fullmatch(r"::error file=catalog/products/cable-ties\.yaml,line=\d+,col=\d+::product 'CT-NAT200': price: .+", line), line
    assert run_cli("validate", "--catalog", write_catalog(tmp_path / "ok", catalog_files),
                   "--format", "github").stdout == ""


def test_the_plan_ci_plan_saved_is_the_one_ci_apply_applies_after_the_merge(seeded, run_cli, github, catalog_files,
                                                                          tmp_path, monkeypatch):
    catalog = write_catalog(tmp_path, catalog_files)
    out = tmp_path / "plan.json"
    assert run_cli("ci", "plan", "--catalog", catalog, "--out", out).exit_code == 0
    merge_sha = "e" * 40
    github.add_pull(merge_sha, PR, HEAD_SHA)
    github.add_artifact(f"catalog-plan-{HEAD_SHA}", {"plan.json": out.read_text()})
    monkeypatch.setenv("GITHUB_SHA", merge_sha)
    monkeypatch.delenv("GITHUB_EVENT_PATH")

    done = run_cli("ci", "apply", "--catalog", catalog)

    assert done.exit_code == 0, done.output
    again = run_cli("plan", "--catalog", catalog, "--detailed-exitcode")
    assert again.exit_code == 0, again.output          # the store is the YAML: the reviewed plan was applied
    assert len(plan_comments(github)) == 1 and len(github.comments[PR]) == 2
    no_secret_seen(github, seeded)
