"""The catalog loads beside the store read (reconciler.load_beside, desired/background.py):
the plan, its exit code and the diagnostics' FILE:LINE:COL are what loading first gives."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from reconciler import build_plan, connect, load_beside, load_desired, read_live
from reconciler.desired.load import store_settings

from .conftest import write_catalog

CLI = str(Path(sys.executable).with_name("catalog"))


def _plan(sandbox, cwd: Path, catalog: Path, beside: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "BIGCOMMERCE_API_URL": sandbox.url, "BIGCOMMERCE_STORE_HASH": sandbox.store_hash,
           "BIGCOMMERCE_ACCESS_TOKEN": sandbox.token, "CATALOG_LOAD_BESIDE": beside}
    return subprocess.run([CLI, "plan", "--catalog", str(catalog), "--detailed-exitcode", "--format", "markdown"],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_forked_load_plans_as_loading_first(seeded, catalog_files, tmp_path):
    # A new CLI process has one thread: the YAML loads in a forked child, pickled back.
    catalog_files["products/fixings.yaml"] = catalog_files["products/fixings.yaml"].replace("2.49", "2.79")
    catalog = write_catalog(tmp_path, catalog_files)
    beside, first = _plan(seeded, tmp_path, catalog, "1"), _plan(seeded, tmp_path, catalog, "0")
    assert (beside.returncode, first.returncode) == (2, 2), beside.stderr + first.stderr
    assert "FX-PLUG6" in beside.stdout and "2.79" in beside.stdout
    made_at = re.compile(r"\d{4}-\d\d-\d\dT[\d:+]+")     # the plan's own time
    assert made_at.sub("T", beside.stdout) == made_at.sub("T", first.stdout)


def test_forked_load_reports_positions_first(seeded, catalog_files, tmp_path):
    catalog_files["products/fixings.yaml"] = catalog_files["products/fixings.yaml"].replace("price: 2.49",
                                                                                          "price: cheap")
    catalog = write_catalog(tmp_path, catalog_files)
    beside, first = _plan(seeded, tmp_path, catalog, "1"), _plan(seeded, tmp_path, catalog, "0")
    assert beside.returncode == first.returncode == 1
    assert "catalog/products/fixings.yaml:6:12: product 'FX-PLUG6': price: 'cheap' is not of type 'number'" \
        in beside.stderr
    assert beside.stderr == first.stderr


def test_settings_read_ahead_that_differ_are_read_again(seeded, catalog_files, tmp_path, config):
    # A store block the quick look does not see (a flow mapping): the settings read ahead are
    # the defaults, not the loaded ones, so the store is read again with the loaded ones.
    catalog_files["store.yaml"] = """
        {store: {name: GTSE test}}
    """
    catalog = write_catalog(tmp_path, catalog_files)
    desired = load_desired(catalog)
    assert store_settings(catalog) != desired.store
    seeded.app.clear_stats()
    got, live, client = load_beside(catalog, lambda: connect(config, parallelism=4))
    with client:
        twice = seeded.stats()["total"]
        expected = read_live(client, desired.store)
        once = seeded.stats()["total"] - twice
    assert got.digest == desired.digest
    assert twice == 2 * once
    assert build_plan(got, live).to_json() == build_plan(desired, expected).to_json()


def test_settings_read_ahead_match_read_once(seeded, catalog_files, tmp_path, config):
    catalog = write_catalog(tmp_path, catalog_files)
    desired = load_desired(catalog)
    assert store_settings(catalog) == desired.store
    seeded.app.clear_stats()
    got, live, client = load_beside(catalog, lambda: connect(config, parallelism=4))
    with client:
        beside = seeded.stats()["total"]
        expected = read_live(client, desired.store)
        once = seeded.stats()["total"] - beside
    assert beside == once
    assert build_plan(got, live).to_json() == build_plan(desired, expected).to_json()
