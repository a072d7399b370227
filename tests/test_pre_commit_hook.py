"""The pre-commit hook (.pre-commit-hooks.yaml, issue 15) run for real: `pre-commit try-repo`
builds its own virtualenv, pip-installs this repository into it and runs the hook in a
temporary git repository holding a catalog: a good catalog passes, a broken one fails with
the FILE:LINE:COL message, a commit outside catalog/ skips it.

Offline: pip reads only the machine's local package index (PIP_INDEX_URL below; the test
is skipped where there is none), never a remote one."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.gitrepo import GIT_ENV, git

ROOT = Path(__file__).resolve().parents[1]
PRE_COMMIT = Path(sys.executable).with_name("pre-commit")
LOCAL_INDEX = [Path(p) for p in os.environ.get("CATALOG_TEST_PIP_INDEXES", "/opt/pypi/simple:/opt/pypi-more/simple")
               .split(":") if p]

pytestmark = pytest.mark.skipif(not (PRE_COMMIT.exists() and LOCAL_INDEX and LOCAL_INDEX[0].is_dir()),
                                reason="needs pre-commit (test extra) and a local package index")


def hook() -> dict:
    (only,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    return only


def test_the_hook_validates_the_whole_catalog_folder_on_catalog_and_schema_yaml():
    h = hook()
    assert (h["id"], h["entry"], h["args"], h["language"]) == (
        "catalog-validate", "catalog validate", ["--catalog", "catalog"], "python")
    assert h["pass_filenames"] is False
    files = re.compile(h["files"])
    assert files.search("catalog/products/tools.yaml") and files.search("schemas/x.yml")
    assert not files.search("README.md") and not files.search("reconciler/cli.py")


def run(repo: Path, home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1", "COLUMNS": "200",
           "PIP_INDEX_URL": LOCAL_INDEX[0].as_uri(),
           "PIP_EXTRA_INDEX_URL": " ".join(p.as_uri() for p in LOCAL_INDEX[1:] if p.is_dir())}
    return subprocess.run(args, cwd=repo, capture_output=True, text=True, timeout=300, env=env)



def test_try_repo_passes_a_good_catalog_and_fails_a_broken_one(tmp_path):
    repo, home = tmp_path / "shop", tmp_path / "pre-commit-home"
    shutil.copytree(ROOT / "catalog", repo / "catalog")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    try_repo = (str(PRE_COMMIT), "try-repo", str(ROOT), "catalog-validate", "--verbose")

    good = run(repo, home, *try_repo, "--all-files")
    assert good.returncode == 0, good.stdout + good.stderr
    assert re.search(r"^catalog validate\.+Passed$", good.stdout, re.MULTILINE), good.stdout
    git(repo, "commit", "-q", "-m", "the catalog")

    (repo / "notes.txt").write_text("not catalog\n")
    git(repo, "add", "notes.txt")
    skipped = run(repo, home, *try_repo)
    assert skipped.returncode == 0 and "(no files to check)Skipped" in skipped.stdout, skipped.stdout
    git(repo, "commit", "-q", "-m", "notes")

    brands = repo / "catalog" / "brands.yaml"
    lines = brands.read_text().splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.lstrip().startswith("- name:"))
    col = lines[at].index("- name:") + 3
    lines.insert(at + 1, " " * (col - 1) + "colour: red\n")         # no such field on a brand
    brands.write_text("".join(lines))
    git(repo, "add", "-A")
    bad = run(repo, home, *try_repo)
    out = bad.stdout + bad.stderr
    assert bad.returncode == 1, out
    assert re.search(r"^catalog validate\.+Failed$", bad.stdout, re.MULTILINE), out
    assert re.search(rf"^catalog/brands\.yaml:{at + 2}:{col}: .*colour", bad.stdout, re.MULTILINE), out
    assert "Traceback" not in out
