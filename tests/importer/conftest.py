"""The e2e fixtures (a client of the sandbox) for the importer's tests."""

from tests.e2e.conftest import client, config  # noqa: F401
