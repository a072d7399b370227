"""The GitHub workflows are valid GitHub Actions syntax (the schema GitHub's editor uses,
vendored by check-jsonschema) and do what the README says."""

from __future__ import annotations

import json
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
