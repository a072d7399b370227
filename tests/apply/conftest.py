"""The e2e fixtures (a client on the sandbox, a seeded small store, the small catalog)."""

from tests.e2e.conftest import _writes_valid_per_spec, catalog_files, client, config, live_data, seeded  # noqa: F401
