"""`--target` / `--exclude` on plan and apply (issue 16) over HTTP: a partial plan says so in
every format, children follow their parent, a saved partial plan applies only its changes
and the rest stays planned."""

from __future__ import annotations

import json

from .conftest import write_catalog


def _addresses(result) -> list[str]:
    return sorted(c["address"]["key"] for c in json.loads(result.stdout)["resource_changes"])


def test_target_and_exclude_cut_the_plan_and_say_so(seeded, run_cli, tmp_path, catalog_files):
    catalog = write_catalog(tmp_path, catalog_files)
    whole = run_cli("plan", "--catalog", catalog, "--format", "json")
    everything = _addresses(whole)
    assert "partial" not in json.loads(whole.stdout)
    cut = run_cli("plan", "--catalog", catalog, "--format", "json", "--target", "product['CT-*']")
    assert cut.exit_code == 0, cut.output
    keys = _addresses(cut)
    assert keys and all(k.startswith("CT-") for k in keys) and set(keys) < set(everything), (keys, everything)
    assert json.loads(cut.stdout)["partial"].startswith("--target product['CT-*']")
    text = run_cli("plan", "--catalog", catalog, "--exclude", "product['CT-*']")
    assert "Partial plan: only --exclude product['CT-*']" in text.stdout and "CT-" not in text.stdout.split(
        "Partial plan")[1].split("\n", 1)[1], text.stdout
    md = run_cli("plan", "--catalog", catalog, "--format", "markdown", "--target", "product")
    assert "**Partial plan:** only --target product" in md.stdout


def test_a_saved_partial_plan_applies_only_its_targets(seeded, run_cli, tmp_path, catalog_files):
    catalog = write_catalog(tmp_path, catalog_files)
    everything = _addresses(run_cli("plan", "--catalog", catalog, "--format", "json"))
    out = tmp_path / "partial.json"
    made = run_cli("plan", "--catalog", catalog, "--out", out, "--target", "product['CT-*']")
    assert made.exit_code == 0, made.output
    targeted = _addresses(run_cli("plan", "--catalog", catalog, "--format", "json", "--target", "product['CT-*']"))
    applied = run_cli("apply", str(out), "--catalog", catalog, "--auto-approve")
    assert applied.exit_code == 0, applied.output
    left = _addresses(run_cli("plan", "--catalog", catalog, "--format", "json"))
    assert left == sorted(set(everything) - set(targeted)) and left, (left, everything, targeted)
    # The last-applied state holds only what was applied, and no baseline: a partial apply
    # leaves the rest as it was, so no targeted plan may trust it.
    state = json.loads((tmp_path / "cwd" / ".catalog/state/last-applied.json").read_text())
    assert state["baseline"] is None
    held = {k.split("\t")[1] for k in state["objects"] if k.startswith("product\t")}
    assert held == {k.casefold() for k in targeted if "/" not in k and "@" not in k}, held
    refused = run_cli("apply", str(out), "--catalog", catalog, "--auto-approve", "--target", "brand")
    assert refused.exit_code == 1 and "--target/--exclude cut a plan as it is made" in refused.output


def test_what_a_target_needs_created_first_comes_along(seeded, run_cli, tmp_path, catalog_files):
    catalog = write_catalog(tmp_path, catalog_files)
    whole = json.loads(run_cli("plan", "--catalog", catalog, "--format", "json").stdout)["resource_changes"]
    [create] = [c for c in whole if c["kind"] == "product" and c["action"] == "create"]
    needed = [c["address"]["key"] for c in whole if c["action"] == "create" and c["kind"] != "product"
              and c["address"]["key"].casefold() in json.dumps(create["after"]).casefold()]
    cut = run_cli("plan", "--catalog", catalog, "--format", "json", "--target", f"product[{create['key']!r}]")
    plan = json.loads(cut.stdout)
    assert sorted(c["address"]["key"] for c in plan["resource_changes"]) == sorted([create["key"], *needed])
    assert needed and all(k in plan["partial"] for k in needed), plan["partial"]
