"""The `catalog` command as a terminal or a CI log sees it (issue 15, finding 6): `show`,
`--version`, colour (NO_COLOR, --no-color, only on a terminal), progress lines when stderr is
not a terminal, the exit codes, catalog discovery from a subfolder, drift titled as drift."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from reconciler.core import errors

from .conftest import write_catalog

ANSI = re.compile(r"\x1b\[[0-9;]*m")
CLI = [sys.executable, "-c", "from reconciler.cli import main; main()"]


def _saved_plan(run_cli, tmp_path, catalog_files) -> Path:
    out = tmp_path / "plan.json"
    made = run_cli("plan", "--catalog", write_catalog(tmp_path, catalog_files), "--out", out)
    assert made.exit_code == 0, made.output
    return out


def _on_a_terminal(*args: str, env: dict[str, str] | None = None) -> str:
    """Run `catalog ARGS` with stdout on a pseudo-terminal; what it printed there."""
    main, child = pty.openpty()
    proc = subprocess.Popen([*CLI, *args], stdout=child, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                            env={**os.environ, "COLUMNS": "200", **(env or {})})
    os.close(child)
    chunks = []
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:       # EIO: the child closed its end
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(main)
    assert proc.wait(timeout=60) == 0, proc.stderr.read()
    return b"".join(chunks).decode()


def test_version_comes_from_the_package_metadata(run_cli):
    result = run_cli("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"catalog-reconciler {version('catalog-reconciler')}"


def test_help_lists_every_exit_code(run_cli):
    text = run_cli("--help").stdout
    for code, meaning in errors.EXIT_CODES.items():
        assert re.search(rf"^\s*{code}\s+{re.escape(meaning.split(':')[0])}", text, re.M), (code, text)
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    for code in errors.EXIT_CODES:
        assert f"| {code} |" in readme


def test_show_prints_a_saved_plan_in_each_format_without_the_store(seeded, run_cli, tmp_path, catalog_files,
                                                                   monkeypatch):
    out = _saved_plan(run_cli, tmp_path, catalog_files)
    start = len(seeded.requests())
    monkeypatch.setenv("BIGCOMMERCE_API_URL", "http://127.0.0.1:9")    # nothing listens: show must not call
    text = run_cli("show", out)
    assert text.exit_code == 0, text.output
    assert "Plan: 2 to create, 1 to update, 0 to delete." in text.stdout
    markdown = run_cli("show", out, "--format", "markdown")
    assert markdown.exit_code == 0 and "### Catalog plan: 2 to create, 1 to update, 0 to delete" in markdown.stdout
    as_json = run_cli("show", out, "--format", "json")
    assert json.loads(as_json.stdout) == json.loads(out.read_text())
    assert seeded.requests()[start:] == []


def test_show_reads_a_format_1_plan_and_refuses_a_bad_file(run_cli, tmp_path):
    from reconciler.plan.model import checksum

    v1 = {"format_version": "1", "created_at": "2026-01-01T00:00:00Z", "store": {}, "desired_digest": "",
          "summary": {"create": 1, "update": 0, "delete": 0},
          "resource_changes": [{"address": "brand.Acme", "kind": "brand", "key": "Acme", "action": "create",
                                "parent": None, "changes": [{"path": "name", "before": None, "after": "Acme"}],
                                "after": {"name": "Acme"}}], "unmanaged": {}}
    v1["checksum"] = checksum(v1)
    old = tmp_path / "v1.json"
    old.write_text(json.dumps(v1))
    shown = run_cli("show", old)
    assert shown.exit_code == 0, shown.output
    assert "Acme" in shown.stdout and "Plan: 1 to create" in shown.stdout

    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    refused = run_cli("show", bad)
    assert refused.exit_code == errors.EXIT_ERROR and "plan file is not JSON" in refused.stderr
    missing = run_cli("show", tmp_path / "nope.json")
    assert missing.exit_code == 1 and "cannot read plan file" in missing.stderr


def test_colour_only_on_a_terminal_and_never_with_no_color(seeded, run_cli, tmp_path, catalog_files):
    out = _saved_plan(run_cli, tmp_path, catalog_files)
    piped = run_cli("show", out).stdout
    assert not ANSI.search(piped)                              # CliRunner: not a terminal
    coloured = _on_a_terminal("show", str(out), env={"NO_COLOR": ""})   # empty: not set, per no-color.org
    assert ANSI.search(coloured)
    for plain in (_on_a_terminal("show", str(out), env={"NO_COLOR": "1"}),
                  _on_a_terminal("--no-color", "show", str(out))):
        assert not ANSI.search(plain), plain
        assert ANSI.sub("", coloured) == plain


def _many_brands(catalog_files: dict[str, str], n: int) -> dict[str, str]:
    files = dict(catalog_files)
    last = "          - name: FixRight\n"
    files["brands.yaml"] = files["brands.yaml"].replace(
        last, last + "".join(f"          - name: Brand {i:02d}\n" for i in range(n)))
    return files


def test_apply_without_a_terminal_prints_progress_lines_with_an_eta(seeded, run_cli, tmp_path, catalog_files):
    catalog = write_catalog(tmp_path, _many_brands(catalog_files, 27))      # 30 changes
    applied = run_cli("apply", "--catalog", catalog, "--auto-approve")
    assert applied.exit_code == 0, applied.output
    lines = re.findall(r"^apply: (\d+)/30 changes, (\d+) failed(.*)$", applied.stderr, re.M)
    done = [int(d) for d, _, _ in lines]
    assert done == sorted(done) and len(done) >= 9, applied.stderr      # every 10 % (3 changes)
    assert all(failed == "0" for _, failed, _ in lines)
    # the sandbox announces 150 requests a 30 s window (X-Rate-Limit-* headers)
    assert any(re.fullmatch(r", ~\d+ (s|min.*) left at \d+ req/\d+ s", eta) for _, _, eta in lines), lines


def test_a_long_read_without_a_terminal_prints_what_it_has_read(seeded, run_cli, tmp_path, catalog_files,
                                                                monkeypatch):
    monkeypatch.setenv("CATALOG_PROGRESS_SECONDS", "0.05")
    seeded.configure(latency_ms=40)
    try:
        planned = run_cli("plan", "--catalog", write_catalog(tmp_path, catalog_files))
    finally:
        seeded.configure(latency_ms=0)
    assert planned.exit_code == 0, planned.output
    assert re.search(r"^plan: reading the store: \d+ requests, \d+ s$", planned.stderr, re.M), planned.stderr


def test_progress_lines_use_the_learned_quota_for_the_time_left():
    from rich.console import Console

    from reconciler.apply.executor import Outcome
    from reconciler.plan.model import Action, ResourceChange
    from reconciler.views import LogProgress

    class Limiter:
        learned_quota = (150, 30.0)

    class Transport:
        sent = 0
        limiter = Limiter()

    console, now = Console(record=True, width=200), [0.0]
    transport = Transport()
    view = LogProgress(console, 724, transport, every_s=10, clock=lambda: now[0])
    change = ResourceChange(kind="brand", key="b", action=Action.DELETE)
    for i in range(120):
        now[0] = i * 0.01              # fast so far: the quota, not the pace, decides
        transport.sent += 1
        view.post_apply(Outcome(change, ok=i % 40 != 0))
    now[0] = 11.0                      # 10 s after the line at 73 (every 10 %)
    transport.sent += 1
    view.post_apply(Outcome(change, ok=True))
    last = console.export_text().strip().splitlines()[-1]
    # 603 changes left at one request each, 5 requests a second: 121 s
    assert last == "apply: 121/724 changes, 3 failed, ~2 min 1 s left at 150 req/30 s"


def test_exit_codes_blocked_and_store_errors(seeded, run_cli, tmp_path, catalog_files, monkeypatch):
    """3 blocked, 4 the store refuses the token (5, apply failed partway: test_partial.py)."""
    files = dict(catalog_files)
    files["products/cable-ties.yaml"] = files["products/cable-ties.yaml"].replace("price: 4.99", "price: 1.99")
    blocked = run_cli("plan", "--catalog", write_catalog(tmp_path / "drop", files))
    assert blocked.exit_code == errors.EXIT_BLOCKED == 3, blocked.output
    monkeypatch.setenv("BIGCOMMERCE_ACCESS_TOKEN", "wrong")
    denied = run_cli("plan", "--catalog", write_catalog(tmp_path, catalog_files))
    assert denied.exit_code == errors.EXIT_STORE == 4 and "401" in denied.stderr


def test_the_catalog_is_found_from_a_subfolder(seeded, run_cli, tmp_path, catalog_files, monkeypatch):
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    catalog = write_catalog(repo, catalog_files)
    (repo / "docs" / "deep").mkdir(parents=True)
    for here in (catalog / "products", catalog, repo / "docs" / "deep"):
        monkeypatch.chdir(here)
        result = run_cli("validate")
        assert result.exit_code == 0, (here, result.output)
        assert "is valid" in result.stderr
    monkeypatch.chdir(catalog / "products")
    planned = run_cli("plan")
    assert planned.exit_code == 0 and "Plan: 2 to create, 1 to update" in planned.stdout, planned.output


def test_a_missing_catalog_says_what_was_looked_for(run_cli, tmp_path, monkeypatch):
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    (tmp_path / "repo" / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "repo" / "sub")
    result = run_cli("validate")
    assert result.exit_code == 1
    assert "looked for a folder 'catalog' or one holding store.yaml" in result.stderr
    assert str(tmp_path / "repo") in result.stderr and "--catalog" in result.stderr


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_drift_is_titled_as_drift_in_every_format(seeded, run_cli, client, tmp_path, catalog_files, fmt):
    catalog = write_catalog(tmp_path, catalog_files)
    assert run_cli("apply", "--catalog", catalog, "--auto-approve").exit_code == 0
    blk = client.get("/v3/catalog/products", {"sku": "CT-BLK100"}).data["data"][0]
    client.put(f"/v3/catalog/products/{blk['id']}", {"price": 2.99})        # an admin edit
    found = run_cli("drift", "--catalog", catalog, "--format", fmt)
    assert found.exit_code == 2, found.output
    assert "Catalog plan" not in found.stdout and "Plan:" not in found.stdout
    if fmt == "json":
        report = json.loads(found.stdout)
        assert report["report"] == "drift" and report["drifted"] == 1
        assert report["title"].startswith("Catalog drift: 1 object changed in the store")
    elif fmt == "markdown":
        assert found.stdout.startswith("<!-- catalog-reconciler-drift -->\n### Catalog drift: 1 object changed")
    else:
        assert "Drift: 1 object changed in the store since the last apply" in found.stdout
