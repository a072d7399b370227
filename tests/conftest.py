"""Fixtures shared by the whole suite.

``sandbox_server`` runs one real SandboxServer (port 0) for the session; ``sandbox``
hands it to a test after a reset to the empty seed and the default limits. Tests talk
to it over real HTTP (``sandbox.api_base``, header ``X-Auth-Token: sandbox.token``);
nothing patches ``requests``.
"""

from __future__ import annotations

import pytest

from reconciler.sandbox.store import SandboxServer


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite golden files instead of comparing against them")


@pytest.fixture(scope="session")
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(scope="session")
def sandbox_server():
    server = SandboxServer(port=0)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def sandbox(sandbox_server: SandboxServer) -> SandboxServer:
    sandbox_server.reset(seed="empty")
    sandbox_server.configure(quota=150, window_ms=30000, latency_ms=0)
    return sandbox_server


@pytest.fixture
def spec_invalid_writes(sandbox):
    """Call it to get a message for every POST/PUT body this test sent to the sandbox that
    the official OpenAPI specs refuse (tests/contract/spec_checker.py: independent of the
    sandbox's own schema tables). ``assert spec_invalid_writes() == []``."""
    from tests.contract.spec_checker import invalid_writes

    return lambda: invalid_writes(sandbox.requests())
