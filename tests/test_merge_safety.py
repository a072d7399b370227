"""Merge safety (issue 15): two pull requests, each valid alone, merge cleanly in git and
make main invalid. One removes the variant CT-NAT100-3.6, the other adds a contract price
for it. `catalog validate` passes on each branch and fails on the merge result, naming the
record and the missing variant at FILE:LINE:COL. The plan workflow plans the merge result
(refs/pull/N/merge, and the merge queue's commit: tests/test_workflows.py), so the second
PR is caught before it merges.

Plain git in a temporary repository and the installed `catalog` command, as CI runs them."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.gitrepo import git

ROOT = Path(__file__).resolve().parents[1]
CATALOG = Path(sys.executable).with_name("catalog")
VARIANT = "CT-NAT100-3.6"
CONTRACT = """\
# yaml-language-server: $schema=../../schemas/catalog.schema.json
#
# ACME's contract prices (GBP ex tax), agreed for 2027.
price_lists:
  - name: Contract ACME
    active: true
    currency: GBP
    records:
      - {sku: CT-NAT100-3.6, price: 1.60}
"""



def validate(repo: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(CATALOG), "validate", "--catalog", "catalog"], cwd=repo, capture_output=True,
                          text=True, timeout=60, env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200"})


def remove_the_variant(repo: Path) -> None:
    """PR A: the 3.6mm natural tie is discontinued: its variant, its option value and its
    trade prices go (so the branch is valid on its own)."""
    products = repo / "catalog/products/cable-ties.yaml"
    text = products.read_text()
    line = next(x for x in text.splitlines(keepends=True) if f"sku: {VARIANT}," in x)
    width = "      Width: [2.5mm, 3.6mm]\n"
    start = text.rindex("    options:\n", 0, text.index(line))      # CT-NAT100's own options
    assert text.index(width, start) < text.index(line)
    text = text[:start] + text[start:].replace(width, "      Width: [2.5mm]\n", 1)
    products.write_text(text.replace(line, ""))
    for name in ("trade-usd.yaml", "trade-gbp.yaml"):
        path = repo / "catalog/price-lists" / name
        lines = path.read_text().splitlines(keepends=True)
        path.write_text("".join(x for x in lines if f"sku: {VARIANT}," not in x))


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    repo = tmp_path / "shop"
    shutil.copytree(ROOT / "catalog", repo / "catalog")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "the catalog")
    git(repo, "switch", "-q", "-c", "discontinue-nat100-3.6")
    remove_the_variant(repo)
    git(repo, "commit", "-q", "-am", "Discontinue CT-NAT100-3.6")
    git(repo, "switch", "-q", "-c", "acme-contract", "main")
    (repo / "catalog/price-lists/contract-acme.yaml").write_text(CONTRACT)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "ACME contract prices")
    return repo


def test_each_pr_is_valid_alone_and_their_merge_is_not(repo):
    for branch in ("main", "discontinue-nat100-3.6", "acme-contract"):
        git(repo, "switch", "-q", branch)
        done = validate(repo)
        assert done.returncode == 0, (branch, done.stdout + done.stderr)

    # PR A merges first; PR B still merges cleanly in git (no conflict, no file in common)
    git(repo, "switch", "-q", "main")
    git(repo, "merge", "-q", "--no-ff", "-m", "Merge PR A", "discontinue-nat100-3.6")
    assert validate(repo).returncode == 0
    # what GitHub plans for PR B: refs/pull/B/merge, B merged into the base as it is now
    git(repo, "switch", "-q", "--detach", "main")
    git(repo, "merge", "-q", "--no-ff", "-m", "Merge B into main", "acme-contract")
    assert git(repo, "diff", "--name-only", "--diff-filter=U") == ""

    done = validate(repo)
    assert done.returncode == 1, done.stdout + done.stderr
    out = done.stdout + done.stderr
    where = re.search(r"^(\S*contract-acme\.yaml):(\d+):(\d+): (.*)$", out, re.MULTILINE)
    assert where, out
    path, line, col, message = where.groups()
    assert (int(line), int(col)) == (9, 15)       # the record's sku, in the file PR B added
    assert CONTRACT.splitlines()[int(line) - 1][int(col) - 1:].startswith(VARIANT)
    assert "Contract ACME" in message and f"sku '{VARIANT}'" in message and "not a product or variant" in message
    assert "Traceback" not in out
