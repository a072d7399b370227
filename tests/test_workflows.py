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

from reconciler.webhooks.receiver import EVENT_TYPE

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW_DIR = ROOT / ".github" / "workflows"
WORKFLOWS = sorted(WORKFLOW_DIR.glob("*.yml"))
ACTION = ROOT / "action.yml"          # the composite action every workflow uses (`uses: ./`)
MODES = {"plan.yml": "plan", "apply.yml": "apply", "drift.yml": "drift"}


def load(path: Path) -> dict:
    data = yaml.safe_load(path.read_text())
    if True in data:   # YAML 1.1 reads the key `on` as true
        data["on"] = data.pop(True)
    return data


def action() -> dict:
    return yaml.safe_load(ACTION.read_text())


def mode_steps(mode: str) -> list[dict]:
    """The action's steps that run in `mode` (those without a condition run in every mode)."""
    return [s for s in action()["runs"]["steps"]
            if "if" not in s or f"inputs.mode == '{mode}'" in s["if"]]


def action_step(job: dict) -> dict:
    return next(s for s in job["steps"] if s.get("uses") == "./")


def schema_validator(name: str):
    text = resources.files("check_jsonschema.builtin_schemas.vendor").joinpath(name).read_text()
    schema = json.loads(text)
    return jsonschema.validators.validator_for(schema)(schema)


@pytest.fixture(scope="module")
def validator():
    return schema_validator("github-workflows.json")


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_is_valid_github_actions_syntax(path, validator):
    errors = sorted(validator.iter_errors(load(path)), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors]


def test_the_action_is_valid_action_metadata():
    errors = list(schema_validator("github-actions.json").iter_errors(action()))
    assert not errors, [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors]
    assert action()["runs"]["using"] == "composite"


def test_every_workflow_uses_the_action_in_its_mode_and_runs_no_script_of_its_own():
    for path in WORKFLOWS:
        (job,) = load(path)["jobs"].values()
        assert action_step(job)["with"]["mode"] == MODES[path.name], path.name
        assert not [s for s in job["steps"] if "run" in s], f"{path.name}: the action runs the commands"


def test_plan_runs_on_pull_requests_and_the_merge_queue_and_apply_never_on_a_pull_request():
    assert {"pull_request", "merge_group"} <= set(load(WORKFLOW_DIR / "plan.yml")["on"])
    # the required check reports on every PR (a path-filtered one would never report on some)
    assert not load(WORKFLOW_DIR / "plan.yml")["on"]["pull_request"]
    for name in ("apply.yml", "drift.yml"):
        on = set(load(WORKFLOW_DIR / name)["on"])
        assert not on & {"pull_request", "pull_request_target", "merge_group"}, name
    assert set(load(WORKFLOW_DIR / "apply.yml")["on"]) == {"push", "workflow_dispatch"}
    assert load(WORKFLOW_DIR / "apply.yml")["on"]["push"]["branches"] == ["main"]


def test_apply_by_hand_is_a_dispatch_on_main_with_a_reason_and_never_reacts_to_the_drift_receiver():
    wf = load(WORKFLOW_DIR / "apply.yml")
    assert "repository_dispatch" not in wf["on"]             # the receiver's event is drift.yml's
    inputs = wf["on"]["workflow_dispatch"]["inputs"]
    assert inputs["reason"]["required"] is True and inputs["reason"]["type"] == "string"
    assert inputs["on-stale"]["options"] == ["skip", "refuse"] and inputs["on-stale"]["default"] == "skip"
    job = wf["jobs"]["apply"]
    assert job["if"] == "github.ref == 'refs/heads/main'" and job["environment"] == "production"
    given = action_step(job)["with"]
    assert given["manual"] == "${{ github.event_name == 'workflow_dispatch' }}"
    assert given["reason"] == "${{ inputs.reason }}" and given["on-stale"] == "${{ inputs.on-stale }}"
    run = next(s for s in mode_steps("apply") if "catalog ci apply" in s.get("run", ""))
    # the reason reaches the command as data (an env variable), not spliced into the script
    assert run["env"]["REASON"] == "${{ inputs.reason }}" and "inputs.reason" not in run["run"]
    assert 'set -- --manual --reason "$REASON" --on-stale "$ON_STALE"' in run["run"]


def test_every_input_of_the_action_is_used_and_every_mode_has_steps():
    text = ACTION.read_text().split("\nruns:", 1)[1]
    unused = [name for name in action()["inputs"] if f"inputs.{name} }}}}" not in text]
    assert not unused
    for mode in MODES.values():
        assert any("if" in s for s in mode_steps(mode)), mode


def check_inputs(mode: str, refresh: str, tmp_path: Path) -> tuple[int, str, str]:
    """Run the action's own input check (its first step) with bash, as the runner would."""
    step = action()["runs"]["steps"][0]
    assert step["id"] == "inputs"
    out = tmp_path / "output"
    out.write_text("")
    done = subprocess.run(["bash", "-e", "-c", step["run"]], capture_output=True, text=True, timeout=30,
                          env={"PATH": os.environ["PATH"], "MODE": mode, "REFRESH": refresh,
                               "GITHUB_OUTPUT": str(out)})
    return done.returncode, out.read_text(), done.stdout


@pytest.mark.parametrize("mode, refresh, expected", [
    ("plan", "", "targeted"), ("plan", "full", "full"),
    ("drift", "", "incremental"), ("drift", "full", "full"), ("apply", "", ""),
])
def test_the_action_defaults_refresh_by_mode(mode, refresh, expected, tmp_path):
    assert check_inputs(mode, refresh, tmp_path)[:2] == (0, f"refresh={expected}\n")


@pytest.mark.parametrize("mode, refresh", [("plan", "incremental"), ("drift", "targeted"),
                                           ("apply", "full"), ("destroy", "")])
def test_the_action_refuses_a_wrong_mode_or_refresh(mode, refresh, tmp_path):
    code, output, stdout = check_inputs(mode, refresh, tmp_path)
    assert code == 1 and output == "" and stdout.startswith("::error::")


def test_the_expected_workflows_exist():
    assert {p.name for p in WORKFLOWS} >= {"plan.yml", "apply.yml", "drift.yml"}


def test_drift_runs_hourly_weekly_and_on_the_receivers_dispatch():
    wf = load(WORKFLOW_DIR / "drift.yml")
    assert [s["cron"] for s in wf["on"]["schedule"]] == ["17 * * * *", "43 5 * * 1"]
    # `catalog webhooks serve` sends event_type catalog-drift (reconciler/webhooks/receiver.py)
    assert wf["on"]["repository_dispatch"] == {"types": [EVENT_TYPE]}
    refresh = action_step(wf["jobs"]["drift"])["with"]["refresh"]
    assert "'43 5 * * 1' && 'full'" in refresh and "github.event.client_payload.refresh" in refresh
    check = next(s for s in mode_steps("drift") if s.get("id") == "drift")
    assert 'catalog drift --catalog "$CATALOG" --refresh "$REFRESH" --format markdown' in check["run"]
    assert check["env"]["REFRESH"] == "${{ steps.inputs.outputs.refresh }}"      # checked by the first step
    script = next(s["with"]["script"] for s in mode_steps("drift") if "github-script" in s.get("uses", ""))
    assert "issues.update" in script and "catalog-drift" in script


def test_apply_never_overlaps_applies_the_reviewed_plan_and_keeps_its_journal():
    wf = load(WORKFLOW_DIR / "apply.yml")
    assert wf["concurrency"] == {"group": "catalog-apply", "cancel-in-progress": False}
    runs = [s["run"] for s in mode_steps("apply") if "run" in s]
    assert any('catalog ci apply --catalog "$CATALOG"' in r for r in runs)
    assert not any("--auto-approve" in p.read_text() for p in [*WORKFLOWS, ACTION])   # never plan-and-apply on main
    uploads = [s for s in mode_steps("apply") if "upload-artifact" in s.get("uses", "")]
    assert ".catalog/journal/" in uploads[0]["with"]["path"] and uploads[0]["if"].startswith("always()")
    assert set(wf["jobs"]["apply"]["permissions"].items()) == {
        ("contents", "read"), ("actions", "read"), ("pull-requests", "write"), ("issues", "write")}


def test_the_plan_mode_runs_ci_plan_and_always_keeps_the_plan_of_the_pr_head():
    steps = mode_steps("plan")
    run = next(s for s in steps if "catalog ci plan" in s.get("run", ""))
    assert run["run"].strip() == 'catalog ci plan --catalog "$CATALOG" --out "$PLAN_FILE" --refresh "$REFRESH"'
    assert run["env"]["GITHUB_TOKEN"] == "${{ github.token }}"
    assert run["env"]["REFRESH"] == "${{ steps.inputs.outputs.refresh }}"
    upload = next(s for s in steps if "upload-artifact" in s.get("uses", ""))
    assert upload["if"] == "always() && inputs.mode == 'plan'"          # also after invalid / blocked
    assert upload["with"]["name"].startswith("catalog-plan-${{ github.event.pull_request.head.sha")
    assert upload["with"]["path"] == "${{ inputs.plan-file }}"


# -- issue 12: a pull request cannot reach the write token ---------------------------------

ZIZMOR = Path(sys.executable).with_name("zizmor")


def zizmor(persona: str) -> list[dict]:
    """zizmor's findings on .github/workflows: offline (no audit reaches the network)."""
    done = subprocess.run([str(ZIZMOR), "--offline", "--persona", persona, "--format", "json",
                           str(WORKFLOW_DIR), str(ACTION)], capture_output=True, text=True, timeout=120,
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


def test_the_plan_job_runs_the_base_branch_action_and_reads_the_merge_result_as_data():
    job = jobs()["plan.yml"]
    checkouts = [s for s in job["steps"] if s.get("uses", "").startswith("actions/checkout@")]
    base, pr = checkouts
    # the workspace root (where `uses: ./` and the action's `pip install` read) is the base branch
    assert "path" not in base["with"]
    assert base["with"]["ref"] == "${{ github.event.pull_request.base.sha || github.event.merge_group.base_sha }}"
    # the catalog is the MERGE RESULT (refs/pull/N/merge, or the queued merge commit), not the PR head
    assert pr["with"]["ref"] == "${{ github.sha }}" and "head" not in json.dumps(pr)
    step = action_step(job)
    assert job["steps"].index(step) > job["steps"].index(pr)
    assert step["with"]["catalog"] == f"{pr['with']['path']}/catalog"
    assert step["with"]["refresh"] == "targeted"
    install = next(s for s in action()["runs"]["steps"] if "pip install" in s.get("run", ""))
    assert install["run"].strip() == 'pip install "$ACTION_PATH"'
    assert install["env"]["ACTION_PATH"] == "${{ github.action_path }}"
    assert job["name"] == "catalog plan"      # the required check the README names


def test_every_action_is_pinned_to_a_commit_and_no_checkout_keeps_credentials():
    steps = [(path.name, step) for path in WORKFLOWS for job in load(path)["jobs"].values()
             for step in job["steps"]] + [("action.yml", s) for s in action()["runs"]["steps"]]
    for path in WORKFLOWS:
        for job in load(path)["jobs"].values():
            assert "permissions" in job, f"{path.name}: a job without its own permissions"
    for name, step in steps:
        uses = step.get("uses")
        if uses and uses != "./":
            assert re.fullmatch(r"[\w./-]+@[0-9a-f]{40}", uses), (name, uses)
        if uses and uses.startswith("actions/checkout@"):
            assert step["with"]["persist-credentials"] is False
    for path in [*WORKFLOWS, ACTION]:
        for line in path.read_text().splitlines():
            if "uses:" in line and "uses: ./" not in line and not line.strip().startswith("#"):
                assert re.search(r"@[0-9a-f]{40} # v\d+\.\d+\.\d+$", line), line     # the version, beside it


@pytest.mark.parametrize("manual, expected", [
    ("true", ["ci", "apply", "--catalog", "catalog", "--manual", "--reason", 'promo `$(id)` "ends"', "--on-stale",
              "refuse"]),
    ("false", ["ci", "apply", "--catalog", "catalog"]),
])
def test_the_apply_step_passes_the_reason_as_one_argument_only_when_manual(manual, expected, tmp_path):
    step = next(s for s in mode_steps("apply") if "catalog ci apply" in s.get("run", ""))
    fake = tmp_path / "bin" / "catalog"          # records its arguments, one a line
    fake.parent.mkdir()
    fake.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > {tmp_path}/args\nexit 5\n')
    fake.chmod(0o755)
    # as the runner runs a `shell: bash` step: bash --noprofile --norc -eo pipefail
    done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                          capture_output=True, text=True, timeout=30, cwd=tmp_path,
                          env={"PATH": f"{fake.parent}:{os.environ['PATH']}", "CATALOG": "catalog", "MANUAL": manual,
                               "REASON": 'promo `$(id)` "ends"', "ON_STALE": "refuse"})
    assert done.returncode == 5                  # the command's exit code, through the tee
    assert (tmp_path / "args").read_text().splitlines() == expected
