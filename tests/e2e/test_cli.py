"""The `catalog` command end to end: exit codes, saved plans, messages, no token leaks."""

from __future__ import annotations

import json

from .conftest import write_catalog


def test_detailed_exitcode_is_2_before_and_0_after_apply(seeded, run_cli, tmp_path, catalog_files):
    catalog = write_catalog(tmp_path, catalog_files)
    before = run_cli("plan", "--catalog", catalog, "--detailed-exitcode")
    assert before.exit_code == 2, before.output
    assert "Plan: 2 to create, 1 to update, 0 to delete." in before.stdout

    applied = run_cli("apply", "--catalog", catalog, "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert "2 created, 1 updated, 0 deleted, 0 failed" in applied.stderr

    after = run_cli("plan", "--catalog", catalog, "--detailed-exitcode")
    assert after.exit_code == 0, after.output
    assert "No changes" in after.stdout

    again = run_cli("apply", "--catalog", catalog, "--auto-approve")
    assert again.exit_code == 0 and "No changes" in again.output


def test_saved_plan_is_applied_exactly(seeded, run_cli, tmp_path, catalog_files):
    catalog = write_catalog(tmp_path, catalog_files)
    out = tmp_path / "plan.json"
    made = run_cli("plan", "--catalog", catalog, "--out", out, "--format", "json")
    assert made.exit_code == 0, made.output
    saved = json.loads(out.read_text())
    assert saved["format_version"] == "2"
    assert json.loads(made.stdout)["summary"] == saved["summary"] == {"create": 2, "update": 1, "delete": 0}

    applied = run_cli("apply", out, "--catalog", catalog)
    assert applied.exit_code == 0, applied.output
    assert run_cli("plan", "--catalog", catalog, "--detailed-exitcode").exit_code == 0


def test_stale_saved_plan_is_refused(seeded, run_cli, client, tmp_path, catalog_files):
    catalog = write_catalog(tmp_path, catalog_files)
    out = tmp_path / "plan.json"
    assert run_cli("plan", "--catalog", catalog, "--out", out).exit_code == 0
    blk = client.get("/v3/catalog/products", {"sku": "CT-BLK100"}).data["data"][0]
    client.put(f"/v3/catalog/products/{blk['id']}", {"price": 3.79})
    refused = run_cli("apply", out, "--catalog", catalog)
    assert refused.exit_code == 3
    assert "plan is stale" in refused.stderr and "CT-BLK100" in refused.stderr


def test_apply_without_a_terminal_needs_auto_approve(seeded, run_cli, tmp_path, catalog_files):
    catalog = write_catalog(tmp_path, catalog_files)
    result = run_cli("apply", "--catalog", catalog)
    assert result.exit_code == 1
    assert "--auto-approve" in result.stderr
    assert "Traceback" not in result.output


def test_missing_settings_name_the_variables(run_cli, monkeypatch, tmp_path, catalog_files):
    monkeypatch.delenv("BIGCOMMERCE_ACCESS_TOKEN")
    monkeypatch.delenv("BIGCOMMERCE_STORE_HASH")
    result = run_cli("plan", "--catalog", write_catalog(tmp_path, catalog_files))
    assert result.exit_code == 4
    assert "BIGCOMMERCE_STORE_HASH" in result.stderr and "BIGCOMMERCE_ACCESS_TOKEN" in result.stderr
    assert "Traceback" not in result.output


def test_wrong_token_is_reported_and_never_printed(seeded, run_cli, monkeypatch, tmp_path, catalog_files):
    monkeypatch.setenv("BIGCOMMERCE_ACCESS_TOKEN", "s3cret-t0ken-value")
    result = run_cli("-v", "plan", "--catalog", write_catalog(tmp_path, catalog_files))
    assert result.exit_code == 4
    assert "401" in result.stderr
    assert "s3cret-t0ken-value" not in result.output


def test_token_never_reaches_output_or_plan_file(seeded, run_cli, sandbox, tmp_path, catalog_files):
    catalog = write_catalog(tmp_path, catalog_files)
    out = tmp_path / "plan.json"
    outputs = [run_cli("-v", "plan", "--catalog", catalog, "--out", out, "--format", fmt).output
               for fmt in ("text", "markdown", "json")]
    outputs.append(run_cli("-v", "apply", "--catalog", catalog, "--auto-approve").output)
    for text in outputs + [out.read_text()]:
        assert sandbox.token not in text


def test_invalid_yaml_never_reaches_the_store(sandbox, run_cli, tmp_path, catalog_files):
    files = dict(catalog_files)
    files["products/fixings.yaml"] = files["products/fixings.yaml"].replace("price: 2.49", "price: -2")
    catalog = write_catalog(tmp_path, files)
    start = len(sandbox.requests())
    result = run_cli("plan", "--catalog", catalog)
    assert result.exit_code == 1
    assert "products/fixings.yaml:6:" in result.stderr
    assert sandbox.requests()[start:] == []


def test_plan_errors_come_out_as_json_in_json_format(sandbox, run_cli, tmp_path, catalog_files):
    files = dict(catalog_files)
    files["products/fixings.yaml"] = files["products/fixings.yaml"].replace("price: 2.49", "price: -2")
    result = run_cli("plan", "--catalog", write_catalog(tmp_path, files), "--format", "json")
    assert result.exit_code == 1
    error = json.loads(result.stdout)["error"]
    assert error["diagnostics"] and error["diagnostics"][0]["source"].endswith(":6:12")


def test_apply_auto_approve_uses_the_read_its_plan_was_made_from(seeded, run_cli, tmp_path, catalog_files):
    """`catalog apply --auto-approve` (CI after a merge) applies the plan the moment it is
    made: the store is read once, for the plan, and not again before the writes. A saved
    plan is checked against a fresh read of what it touches."""
    catalog = write_catalog(tmp_path, catalog_files)
    seeded.app.clear_stats()
    assert run_cli("plan", "--catalog", catalog).exit_code == 0
    plan_reads = [r["path"] for r in seeded.requests() if r["method"] == "GET"]

    seeded.app.clear_stats()
    applied = run_cli("apply", "--catalog", catalog, "--auto-approve")
    assert applied.exit_code == 0 and "2 created, 1 updated, 0 deleted, 0 failed" in applied.stderr
    gets = [r["path"] for r in seeded.requests() if r["method"] == "GET"]
    assert sorted(gets) == sorted(plan_reads)   # the plan's read, nothing more
    assert run_cli("plan", "--catalog", catalog, "--detailed-exitcode").exit_code == 0

    # a saved plan re-reads what it touches before writing
    files = dict(catalog_files)
    files["products/cable-ties.yaml"] = files["products/cable-ties.yaml"].replace(
        "name: Natural Cable Ties 200mm", "name: Natural Cable Ties 200 mm")
    catalog = write_catalog(tmp_path / "again", files)
    out = tmp_path / "plan.json"
    made = run_cli("plan", "--catalog", catalog, "--out", out)
    assert made.exit_code == 0 and out.exists(), made.output
    seeded.app.clear_stats()
    again = run_cli("apply", out, "--catalog", catalog)
    assert again.exit_code == 0 and "0 created, 1 updated, 0 deleted, 0 failed" in again.stderr, again.output
    assert [r["query"].get("sku:in") for r in seeded.requests()
            if r["method"] == "GET" and r["path"].endswith("/v3/catalog/products")] == ["CT-NAT200"]
