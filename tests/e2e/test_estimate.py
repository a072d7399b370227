"""The plan's estimate (reconciler/apply/estimate.py) against what apply then sends.

Over real HTTP to the sandbox: for each plan shape the estimate's write requests are
the requests the apply sends (counted in the sandbox's log by our User-Agent), and its
stale-check read never more than the check really reads. The shapes together make
every kind of the registry, so a writer that sends more than the dry run counts fails
here.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from reconciler import apply_saved_plan, build_plan, load_desired, read_live
from reconciler.apply.estimate import count_requests
from reconciler.apply.stale import read_for_apply
from reconciler.plan.model import Action
from reconciler.resources import REGISTRY
from tests.contract.spec_checker import OUR_AGENT

EXAMPLE = Path(__file__).resolve().parents[2] / "catalog"


def _ours(sandbox) -> list[dict]:
    return [r for r in sandbox.requests() if r["agent"].startswith(OUR_AGENT)]


def _measure(sandbox, client, folder: Path, **apply_args):
    """(plan, estimated phases, requests the stale check sent, requests the writes sent)."""
    desired = load_desired(folder)
    live = read_live(client, desired.store)
    plan = build_plan(desired, live, allow_deletes=apply_args.get("allow_deletes"))
    phases = count_requests(plan, live, client.transport.config, desired.store)
    before = len(_ours(sandbox))
    read_for_apply(plan, client, desired.store)
    checked = len(_ours(sandbox)) - before
    before = len(_ours(sandbox))
    result = apply_saved_plan(plan, client, desired.store, desired=desired, check_stale=False, live=live,
                              **apply_args)
    assert not result.failed, [o.message for o in result.failed]
    return plan, phases, checked, len(_ours(sandbox)) - before


def _shapes(tmp_path):
    """Creates of every kind (empty store); GTSE's store to the example (updates, creates,
    deletes of variants, records, option values); then every price of the example up by
    1.00 (updates of products, variants and records, in batches)."""
    dearer = tmp_path / "dearer"
    shutil.copytree(EXAMPLE, dearer)
    for path in dearer.rglob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"(\bprice: )(\d+)\.(\d+)", lambda m: f"{m[1]}{int(m[2]) + 1}.{m[3]}", text),
                        encoding="utf-8")
    return [("empty", EXAMPLE, {}), ("gtse", EXAMPLE, {}), (None, dearer, {})]


def test_estimated_writes_are_the_writes_apply_sends(sandbox, client, tmp_path):
    kinds: dict[str, set[str]] = {}
    for seed, folder, args in _shapes(tmp_path):
        if seed:
            sandbox.reset(seed=seed)
        plan, phases, checked, written = _measure(sandbox, client, folder, **args)
        assert plan.has_changes
        for c in plan.changes:
            if c.action is not Action.NOOP:
                kinds.setdefault(c.action.verb, set()).add(c.kind)
        assert phases["write"] == written, (seed, folder.name, phases, written)
        # At most one short: a product whose options its variants do not explain has them read
        # (option settle_read), which an empty answer of the dry run does not lead to.
        assert checked - 1 <= phases["check"] <= checked, (seed, folder.name, phases, checked)
    assert kinds["create"] == {k.name for k in REGISTRY.ordered()}, "a kind no shape creates"
    assert kinds["update"] and kinds["delete"]


def test_plan_shows_the_estimate_in_text_markdown_and_json(run_cli, seeded, tmp_path):
    from tests.e2e.conftest import CATALOG, write_catalog

    folder = write_catalog(tmp_path, CATALOG)
    text = run_cli("plan", "--catalog", folder)
    assert text.exit_code == 0, text.output
    apply_line = next(line for line in text.stdout.splitlines() if line.startswith("Apply: "))
    assert "at 150 per 30 s" in apply_line and "write " in apply_line
    assert any(line.startswith("Read: ") for line in text.stdout.splitlines())
    md = run_cli("plan", "--catalog", folder, "--format", "markdown")
    assert "<sub>Apply: " in md.stdout
    data = json.loads(run_cli("plan", "--catalog", folder, "--format", "json").stdout)
    est = data["estimate"]
    assert est["requests"] == sum(est["phases"].values()) and est["quota"] == {"requests": 150, "window_s": 30.0}
    assert est["read"]["requests"] > 0
    import jsonschema

    schema = json.loads((EXAMPLE.parent / "schemas" / "plan.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft7Validator(schema).validate(data)
    assert "check " in apply_line            # a saved or confirmed plan is checked against a fresh read
    applied = run_cli("apply", "--catalog", folder, "--auto-approve")
    assert applied.exit_code == 0, applied.output
    # --auto-approve applies on the plan's own read: no stale check in its estimate.
    auto_line = next(line for line in applied.stdout.splitlines() if line.startswith("Apply: "))
    assert "check 0," in auto_line, auto_line
    assert "≈ under" not in auto_line, auto_line
    again = run_cli("plan", "--catalog", folder)
    assert not any(line.startswith("Apply: ") for line in again.stdout.splitlines()), again.stdout
    assert any(line.startswith("Read: ") for line in again.stdout.splitlines())


@pytest.mark.parametrize("share", ["0.5"])
def test_the_estimate_names_the_share(run_cli, seeded, tmp_path, share):
    from tests.e2e.conftest import CATALOG, write_catalog

    folder = write_catalog(tmp_path, CATALOG)
    out = run_cli("plan", "--catalog", folder, "--quota-share", share)
    assert "(your share 50 %)" in out.stdout, out.stdout
