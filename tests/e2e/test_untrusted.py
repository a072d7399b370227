"""Issue 12: a pull request's catalog is untrusted input.

`catalog validate` runs as the CI job runs it (a subprocess), each case bounded by
10 s of CPU and 1 GB: a symlink leaving the catalog reads nothing of its target,
resource limits are refused at FILE:LINE, and no output holds a traceback.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from tests.e2e.conftest import write_catalog

CATALOG_BIN = Path(sys.executable).with_name("catalog")
SECRET = "TOP-SECRET-7f3a9c"


def validate(cwd: Path, *args: str) -> tuple[subprocess.CompletedProcess, float, float]:
    """Run `catalog validate` in ``cwd``: (result, CPU seconds and peak RSS in MB of the child).

    CPU time, not wall time, is held to 10 s: the suite shares 2 cores with other
    work, and a loaded machine stretches the wall clock (60 s: surely unbounded).
    """
    def limit():   # never let a regression take the shared machine's memory
        resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        done = subprocess.run([str(CATALOG_BIN), "validate", *args], cwd=cwd, capture_output=True, text=True,
                              timeout=60, preexec_fn=limit)
    except subprocess.TimeoutExpired:
        pytest.fail("catalog validate ran past 60 s")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    assert "Traceback" not in done.stdout + done.stderr, done.stderr[-2000:]
    return done, cpu, after.ru_maxrss / 1024    # ru_maxrss: the largest child's peak so far


def output(done: subprocess.CompletedProcess) -> str:
    return done.stdout + done.stderr


PRODUCT = """
products:
  - sku: CT-A1
    name: Tie A
    type: physical
    price: 1.00
    weight: 0.1
"""


def test_a_symlink_to_a_file_outside_the_catalog_reads_nothing_of_it(tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text(f"{SECRET}\nproducts: [{SECRET}]\n")
    base = write_catalog(tmp_path, {"p.yaml": PRODUCT})
    (base / "x.yaml").symlink_to(outside)
    done, _, _ = validate(tmp_path)
    assert done.returncode == 1
    assert SECRET not in output(done)
    assert "catalog/x.yaml:1:1: symlink outside the catalog" in output(done)


def test_a_symlinked_folder_outside_and_a_symlink_loop_are_refused_at_their_paths(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "leak.yaml").write_text(f"products: [{SECRET}]\n")
    base = write_catalog(tmp_path, {"p.yaml": PRODUCT})
    (base / "more").symlink_to(elsewhere, target_is_directory=True)
    (base / "loop.yaml").symlink_to(base / "loop.yaml")
    done, _, _ = validate(tmp_path)
    text = output(done)
    assert done.returncode == 1 and SECRET not in text
    assert "catalog/more:1:1: symlink outside the catalog" in text
    assert "catalog/loop.yaml:1:1: symlink outside the catalog (a loop)" in text


def test_a_symlink_inside_the_catalog_is_read(tmp_path):
    base = write_catalog(tmp_path, {"real/p.yaml": PRODUCT})
    (base / "alias.yml").symlink_to(base / "real" / "p.yaml")
    done, _, _ = validate(tmp_path, "--catalog", "catalog/alias.yml")
    assert done.returncode == 0, output(done)


def test_alias_expansion_is_bounded(tmp_path):
    lol = ["x-0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lol += [f"x-{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 10)]
    text = "\n".join(lol) + PRODUCT + "    custom_fields: {Material: Nylon}\n    bulk: *a9\n"
    write_catalog(tmp_path, {"p.yaml": text})
    done, cpu, mb = validate(tmp_path)
    assert done.returncode == 1
    assert "catalog/p.yaml:" in output(done) and "aliases expand to more than" in output(done), output(done)
    assert cpu < 10 and mb < 1024, (cpu, mb)


def test_merges_in_a_chain_are_bounded(tmp_path):
    lines = ["x-0: &m0 {a: 1, b: 2}"] + [f"x-{i}: &m{i} {{<<: [*m{i - 1}, *m{i - 1}], k{i}: 1}}" for i in range(1, 40)]
    write_catalog(tmp_path, {"p.yaml": "\n".join(lines) + PRODUCT + "    extra: *m39\n"})
    done, cpu, mb = validate(tmp_path)
    assert done.returncode == 1 and "catalog/p.yaml:" in output(done)
    assert cpu < 10 and mb < 1024, (cpu, mb)


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path):
    base = write_catalog(tmp_path, {"p.yaml": PRODUCT})
    with open(base / "big.yaml", "w") as f:
        f.write("products:\n")
        line = "  - {sku: CT-B0000001, name: 'Big', type: physical, price: 1.00, weight: 0.1}\n"
        f.write(line * (50 * 2**20 // len(line)))      # 50 MB: a MemoryError traceback before
    done, cpu, mb = validate(tmp_path)
    assert done.returncode == 1
    assert "catalog/big.yaml:1:1: file is larger than the limit of 32 MB" in output(done), output(done)
    assert cpu < 10 and mb < 1024, (cpu, mb)


@pytest.mark.parametrize("depth", [200, 10_000])
def test_deep_nesting_is_refused_at_file_line(tmp_path, depth):
    write_catalog(tmp_path, {"p.yaml": PRODUCT + "    custom_fields: " + "[" * depth + "]" * depth + "\n"})
    done, cpu, mb = validate(tmp_path)
    assert done.returncode == 1
    assert "catalog/p.yaml:" in output(done) and "nested deeper than 64 levels" in output(done), output(done)
    assert cpu < 10 and mb < 1024, (cpu, mb)


def test_a_long_value_is_quoted_only_as_an_excerpt(tmp_path):
    write_catalog(tmp_path, {"p.yaml": PRODUCT.replace("Tie A", "N" * 100_000)})
    done, _, _ = validate(tmp_path)
    assert done.returncode == 1 and "catalog/p.yaml:" in output(done)
    assert "N" * 200 not in output(done) and len(output(done)) < 2000, output(done)[:500]


def test_skus_and_names_equal_after_nfc_and_case_folding_clash(tmp_path):
    composed, decomposed = "CT-CAFÉ1", unicodedata.normalize("NFD", "CT-CAFÉ1")
    assert composed != decomposed
    text = f"""
        products:
          - sku: {composed}
            name: Café Tie
            type: physical
            price: 1.00
            weight: 0.1
            options: {{Width: [2mm]}}
            variants:
              - sku: {composed}-2
                options: {{Width: 2mm}}
          - sku: {decomposed.lower()}
            name: Another
            type: physical
            price: 1.00
            weight: 0.1
          - sku: CT-B2
            name: {unicodedata.normalize("NFD", "CAFÉ TIE")}
            type: physical
            price: 1.00
            weight: 0.1
          - sku: CT-OTHER
            name: Other
            type: physical
            price: 1.00
            weight: 0.1
            options: {{Width: [2mm]}}
            variants:
              - sku: {decomposed}-2
                options: {{Width: 2mm}}
    """
    write_catalog(tmp_path, {"p.yaml": text})
    done, _, _ = validate(tmp_path)
    text = output(done)
    assert done.returncode == 1
    assert "duplicate product" in text, text
    assert "name:" in text and "is already used by" in text, text
    assert f"duplicate SKU '{decomposed}-2'" in text, text


def test_a_number_where_text_is_wanted_says_write_it_quoted(tmp_path):
    write_catalog(tmp_path, {"p.yaml": PRODUCT + "    upc: 0123\n"})
    done, _, _ = validate(tmp_path)
    text = output(done)
    assert done.returncode == 1
    assert "catalog/p.yaml:" in text and "write it quoted: '0123'" in text, text
    assert "83" not in text.replace("catalog/p.yaml", ""), text


def test_plan_against_the_store_prints_nothing_of_a_symlinked_secret(run_cli, seeded, catalog_files, tmp_path):
    # The plan is what CI posts as the PR comment: over real HTTP to the sandbox.
    outside = tmp_path / "runner-secrets.yaml"
    outside.write_text(f"products:\n  - sku: {SECRET}\n    name: {seeded.token}\n")
    base = write_catalog(Path.cwd(), catalog_files)
    (base / "products" / "leak.yaml").symlink_to(outside)
    result = run_cli("plan", "--catalog", "catalog", "--format", "markdown")
    assert result.exit_code == 1
    assert "catalog/products/leak.yaml:1:1: symlink outside the catalog" in result.output, result.output
    assert SECRET not in result.output and seeded.token not in result.output
    (base / "products" / "leak.yaml").unlink()
    result = run_cli("plan", "--catalog", "catalog", "--detailed-exitcode")
    assert result.exit_code in (0, 2), result.output       # the same catalog without the link plans


def test_the_read_only_token_plans_and_cannot_write(run_cli, seeded, catalog_files, monkeypatch):
    # The plan job's API account is read-only (README "Tokens"): planning needs nothing more,
    # and a write with it is refused by the store (403, no scope), the token never shown.
    write_catalog(Path.cwd(), catalog_files)
    monkeypatch.setenv("BIGCOMMERCE_ACCESS_TOKEN", seeded.read_token)
    planned = run_cli("plan", "--catalog", "catalog", "--detailed-exitcode")
    assert planned.exit_code == 2, planned.output
    applied = run_cli("apply", "--catalog", "catalog", "--auto-approve")
    assert applied.exit_code == 4 and "403" in applied.output, applied.output
    assert seeded.read_token not in planned.output + applied.output
    monkeypatch.setenv("BIGCOMMERCE_ACCESS_TOKEN", seeded.token)
    assert run_cli("plan", "--catalog", "catalog", "--detailed-exitcode").exit_code == 2   # nothing was written
