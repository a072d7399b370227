"""Fixtures for end-to-end tests: a client, a CLI runner and small catalogs, all
talking over real HTTP to the sandbox (tests/conftest.py starts it)."""

from __future__ import annotations

import copy
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reconciler import apply_saved_plan, build_plan, connect, load_desired, read_live
from reconciler.cli import app
from reconciler.store.config import StoreConfig

HEADER = "# yaml-language-server: $schema={rel}schemas/catalog.schema.json\n"

# A small store: what the tests seed as "live".
LIVE = {
    "brands": [{"name": "GTSE Pro"}, {"name": "FixRight"}],
    "categories": [{"path": "Cable Ties"}, {"path": "Cable Ties/Nylon"}, {"path": "Fixings"}],
    "products": [
        {"sku": "CT-BLK100", "name": "Black Cable Ties 100mm", "type": "physical", "price": 3.49,
         "cost_price": 1.10, "weight": 0.1, "brand": "GTSE Pro", "categories": ["Cable Ties/Nylon"],
         "inventory_level": 500, "inventory_tracking": "product", "bin_picking_number": "A-01-3"},
        {"sku": "CT-NAT200", "name": "Natural Cable Ties 200mm", "type": "physical", "price": 4.99,
         "weight": 0.2, "brand": "GTSE Pro", "categories": ["Cable Ties/Nylon"], "inventory_level": 80,
         "inventory_tracking": "product"},
        {"sku": "FX-OLD1", "name": "Old Clearance Plugs", "type": "physical", "price": 1.00, "weight": 0.1,
         "brand": "FixRight", "categories": ["Fixings"]},
    ],
}

CATALOG = {
    "store.yaml": """
        store:
          name: GTSE test
    """,
    "brands.yaml": """
        brands:
          - name: GTSE Pro
          - name: FixRight
    """,
    "categories.yaml": """
        categories:
          - path: Cable Ties
          - path: Cable Ties/Nylon
          - path: Fixings
          - path: Fixings/Wall Plugs
    """,
    "products/cable-ties.yaml": """
        products:
          - sku: CT-BLK100
            name: Black Cable Ties 100mm
            type: physical
            price: 3.99
            cost_price: 1.10
            weight: 0.1
            brand: GTSE Pro
            categories: [Cable Ties/Nylon]
          - sku: CT-NAT200
            name: Natural Cable Ties 200mm
            type: physical
            price: 4.99
            weight: 0.2
            brand: GTSE Pro
            categories: [Cable Ties/Nylon]
    """,
    "products/fixings.yaml": """
        products:
          - sku: FX-PLUG6
            name: Wall Plugs 6mm (100)
            type: physical
            price: 2.49
            weight: 0.15
            brand: FixRight
            categories: [Fixings/Wall Plugs]
    """,
}


def write_catalog(root: Path, files: dict[str, str]) -> Path:
    """Write YAML files (dedented, with the schema header) under root/catalog."""
    base = root / "catalog"
    for name, text in files.items():
        path = base / name
        path.parent.mkdir(parents=True, exist_ok=True)
        rel = "../" * (name.count("/") + 1)
        path.write_text(HEADER.format(rel=rel) + textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return base


@pytest.fixture
def live_data():
    return copy.deepcopy(LIVE)


@pytest.fixture
def catalog_files():
    return dict(CATALOG)


@pytest.fixture
def seeded(sandbox, live_data):
    sandbox.reset(data=live_data)
    return sandbox


@pytest.fixture
def config(sandbox) -> StoreConfig:
    return StoreConfig(api_url=sandbox.url, store_hash=sandbox.store_hash, token=sandbox.token)


@pytest.fixture
def client(config):
    with connect(config, parallelism=4) as c:
        yield c


@pytest.fixture
def cli_env(sandbox, monkeypatch):
    monkeypatch.setenv("BIGCOMMERCE_API_URL", sandbox.url)
    monkeypatch.setenv("BIGCOMMERCE_STORE_HASH", sandbox.store_hash)
    monkeypatch.setenv("BIGCOMMERCE_ACCESS_TOKEN", sandbox.token)
    return sandbox


@pytest.fixture
def run_cli(cli_env, tmp_path, monkeypatch):
    # Apply writes its journal and last-applied state under ./.catalog: keep each
    # test's in its own folder.
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    runner = CliRunner()

    def run(*args: str, input: str | None = None):
        return runner.invoke(app, [str(a) for a in args], input=input, catch_exceptions=False)

    return run




# e2e tests whose writes the official specs refuse, each with the reason. Everything else
# must send only spec-valid POST/PUT bodies (checked after each test; ~4 s for all of e2e).
SPEC_INVALID_ON_PURPOSE = {
    "test_422_lists_the_missing_fields": "sends an incomplete product create on purpose (the 422 message)",
}


@pytest.fixture(autouse=True)
def _writes_valid_per_spec(request, sandbox_server):
    """After each e2e test: every POST/PUT body our client sent is valid per the official
    specs (tests/contract/spec_checker.py, independent of the sandbox's own tables). The
    test's own plain-HTTP edits (as an admin or another app) are not ours to check."""
    from tests.contract.spec_checker import OUR_AGENT, invalid_writes

    yield
    if "sandbox" not in request.fixturenames or request.node.originalname in SPEC_INVALID_ON_PURPOSE:
        return
    bad = invalid_writes(sandbox_server.requests(), OUR_AGENT)   # the log since the test's reset of the sandbox
    assert not bad, "request bodies the official spec refuses:\n" + "\n".join(bad)


def plan_for(client, folder):
    """The plan of the catalog in ``folder`` against the store, and its desired state."""
    desired = load_desired(folder)
    return build_plan(desired, read_live(client, desired.store)), desired


def converge(client, folder):
    """Plan and apply ``folder``; the apply fails nothing and the next plan is empty."""
    plan, desired = plan_for(client, folder)
    result = apply_saved_plan(plan, client, desired.store, desired=desired)
    assert not result.failed, [o.message for o in result.failed]
    again, _ = plan_for(client, folder)
    assert not again.has_changes, [str(c.address) for c in again.changes]
    return plan
