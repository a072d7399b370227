"""Issue 14, finding 10: an apply refused before anything is sent (a stale plan, a
guardrail) writes no journal, so the newest journal stays the last real apply's and
`catalog rollback` on it undoes that apply. Over real HTTP to the sandbox."""

from __future__ import annotations

import pytest

from reconciler import build_plan, load_desired, read_live
from reconciler.apply.session import ApplySession
from reconciler.core import errors

from .conftest import write_catalog


def newest(folder):
    return max(folder.glob("apply-*.jsonl"), key=lambda p: p.name)


def product(client, sku):
    return client.get("/v3/catalog/products", {"sku": sku}).data["data"][0]


def test_a_stale_apply_leaves_the_last_real_journal_newest(seeded, run_cli, client, tmp_path, catalog_files):
    catalog = write_catalog(tmp_path, catalog_files)
    journals = tmp_path / "journal"
    assert run_cli("apply", "--catalog", catalog, "--auto-approve", "--journal-dir", journals).exit_code == 0
    real = newest(journals)
    files = dict(catalog_files)
    files["products/cable-ties.yaml"] = files["products/cable-ties.yaml"].replace("price: 4.99", "price: 5.25")
    catalog = write_catalog(tmp_path, files)
    out = tmp_path / "plan.json"
    assert run_cli("plan", "--catalog", catalog, "--out", out).exit_code == 0
    client.put(f"/v3/catalog/products/{product(client, 'CT-NAT200')['id']}", {"price": 4.75})  # admin edit
    refused = run_cli("apply", out, "--catalog", catalog, "--journal-dir", journals)
    assert refused.exit_code == 3 and "stale" in refused.stderr.lower(), refused.output
    assert list(journals.glob("apply-*.jsonl")) == [real]
    undo = run_cli("rollback", newest(journals), "--catalog", catalog, "--out", tmp_path / "undo.json")
    assert undo.exit_code == 0, undo.output
    assert "no confirmed changes" not in undo.output
    assert "Plan: 0 to create, 1 to update, 2 to delete." in undo.stdout


def test_a_refused_session_has_no_journal(seeded, client, tmp_path, catalog_files):
    catalog = write_catalog(tmp_path, catalog_files)
    desired = load_desired(catalog)
    plan = build_plan(desired, read_live(client, desired.store), store=client.transport.config.public())
    client.put(f"/v3/catalog/products/{product(client, 'CT-BLK100')['id']}", {"price": 3.79})
    session = ApplySession(client, desired.store, desired=desired, journal_dir=tmp_path / "journal")
    with pytest.raises(errors.PlanStaleError):
        session.run(plan)
    assert session.journal_path is None
    assert not list(tmp_path.glob("journal/*.jsonl"))


def test_rollback_of_a_journal_with_nothing_confirmed_names_the_last_one_that_has(
        seeded, run_cli, tmp_path, catalog_files):
    catalog = write_catalog(tmp_path, catalog_files)
    journals = tmp_path / "journal"
    assert run_cli("apply", "--catalog", catalog, "--auto-approve", "--journal-dir", journals).exit_code == 0
    real = newest(journals)
    empty = journals / "apply-99991231T000000000000Z.jsonl"     # e.g. an apply whose every change failed
    empty.write_text('{"event": "apply"}\n{"event": "finished", "failed": 1}\n')
    refused = run_cli("rollback", empty, "--catalog", catalog)
    assert refused.exit_code == 1
    assert f"no confirmed changes to roll back; the newest journal with confirmed changes is {real}" in \
        " ".join(refused.stderr.split())
