"""The GitHub workflows are valid GitHub Actions syntax (the schema GitHub's editor uses,
vendored by check-jsonschema) and do what the README says."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
import yaml

WORKFLOWS = sorted((Path(__file__).resolve().parents[1] / ".github" / "workflows").glob("*.yml"))


def load(path: Path) -> dict:
    data = yaml.safe_load(path.read_text())
    if True in data:   # YAML 1.1 reads the key `on` as true
        data["on"] = data.pop(True)
    return data


@pytest.fixture(scope="module")
def validator():
    text = resources.files("check_jsonschema.builtin_schemas.vendor").joinpath("github-workflows.json").read_text()
    schema = json.loads(text)
    return jsonschema.validators.validator_for(schema)(schema)


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_is_valid_github_actions_syntax(path, validator):
    errors = sorted(validator.iter_errors(load(path)), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors]


def test_the_expected_workflows_exist():
    assert {p.name for p in WORKFLOWS} >= {"plan.yml", "apply.yml", "drift.yml"}


def test_drift_runs_hourly_and_weekly_and_updates_one_issue():
    wf = load(next(p for p in WORKFLOWS if p.name == "drift.yml"))
    crons = [s["cron"] for s in wf["on"]["schedule"]]
    assert crons == ["17 * * * *", "43 5 * * 1"]
    steps = wf["jobs"]["drift"]["steps"]
    run = next(s["run"] for s in steps if s.get("id") == "drift")
    assert "catalog drift --refresh" in run
    script = next(s["with"]["script"] for s in steps if "github-script" in s.get("uses", ""))
    assert "issues.update" in script and "catalog-drift" in script


def test_apply_never_overlaps_and_keeps_its_journal():
    wf = load(next(p for p in WORKFLOWS if p.name == "apply.yml"))
    assert wf["concurrency"] == {"group": "catalog-apply", "cancel-in-progress": False}
    text = (WORKFLOWS[0].parent / "apply.yml").read_text()
    assert ".catalog/journal/" in text and "catalog apply --auto-approve" in text


def test_plan_comment_is_updated_not_duplicated():
    text = (WORKFLOWS[0].parent / "plan.yml").read_text()
    assert "<!-- catalog-reconciler-plan -->" in text and "updateComment" in text


# -- issue 12: a pull request cannot reach the write token ---------------------------------

ZIZMOR = Path(sys.executable).with_name("zizmor")


def zizmor(persona: str) -> list[dict]:
    """zizmor's findings on .github/workflows: offline (no audit reaches the network)."""
    done = subprocess.run([str(ZIZMOR), "--offline", "--persona", persona, "--format", "json",
                           str(WORKFLOWS[0].parent)], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "ZIZMOR_OFFLINE": "true", "NO_COLOR": "1"})
    assert done.returncode in (0, 10, 11, 12, 13, 14), done.stderr[-2000:]    # 1x: findings of severity x
    return json.loads(done.stdout or "[]")


@pytest.mark.parametrize("persona", ["regular", "auditor"])
def test_zizmor_finds_nothing(persona):
    # regular is zizmor's default persona; auditor is the strictest short of pedantic.
    findings = zizmor(persona)
    assert not findings, [f"{Path(_where(f)[0]).name}:{_where(f)[1]}: {f['ident']}: {f['desc']}" for f in findings]


def _where(finding: dict) -> tuple[str, int]:
    location = finding["locations"][0]
    path = next(iter(location["symbolic"]["key"].values()))
    path = path.get("verbatim_path") or path.get("given_path") if isinstance(path, dict) else str(path)
    return path, location["concrete"]["location"]["start_point"]["row"] + 1


def jobs() -> dict[str, dict]:
    return {p.name: job for p in WORKFLOWS for job in load(p)["jobs"].values()}


def test_only_the_apply_job_holds_the_write_token_in_the_production_environment():
    for name, job in jobs().items():
        token = job["env"]["BIGCOMMERCE_ACCESS_TOKEN"]
        if name == "apply.yml":
            assert job["environment"] == "production" and token == "${{ secrets.BIGCOMMERCE_WRITE_TOKEN }}"
        else:
            assert job["environment"] == "catalog-read" and token == "${{ secrets.BIGCOMMERCE_READ_TOKEN }}"
    texts = {p.name: p.read_text() for p in WORKFLOWS}
    assert [n for n, t in texts.items() if "WRITE_TOKEN" in t] == ["apply.yml"]
    assert not any("pull_request_target" in load(p)["on"] for p in WORKFLOWS)


def test_the_plan_job_runs_the_base_branch_reconciler_and_reads_the_pr_as_data():
    steps = jobs()["plan.yml"]["steps"]
    checkouts = [s for s in steps if s.get("uses", "").startswith("actions/checkout@")]
    base = next(s for s in checkouts if s["with"].get("ref") == "${{ github.event.pull_request.base.sha }}")
    pr = next(s for s in checkouts if s is not base)
    runs = [s["run"] for s in steps if "run" in s]
    assert any(r.strip() == f"pip install ./{base['with']['path']}" for r in runs)
    assert not any(f"./{pr['with']['path']}" in r or r.strip() == "pip install ." for r in runs)
    catalog_runs = [r for r in runs if "catalog " in r]
    assert catalog_runs and all(f"--catalog {pr['with']['path']}/catalog" in r for r in catalog_runs)


def test_every_action_is_pinned_to_a_commit_and_no_checkout_keeps_credentials():
    for path in WORKFLOWS:
        for job in load(path)["jobs"].values():
            assert "permissions" in job, f"{path.name}: a job without its own permissions"
            for step in job["steps"]:
                uses = step.get("uses")
                if uses:
                    assert re.fullmatch(r"[\w./-]+@[0-9a-f]{40}", uses), uses
                if uses and uses.startswith("actions/checkout@"):
                    assert step["with"]["persist-credentials"] is False
        for line in path.read_text().splitlines():
            if "uses:" in line:
                assert re.search(r"@[0-9a-f]{40} # v\d+\.\d+\.\d+$", line), line     # the version, beside it
