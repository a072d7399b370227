"""The model-based test (machine.py) against the session's sandbox over HTTP.

Bounded here (`make test`); `make fuzz` runs it with FUZZ_STEPS steps in all and a
printed FUZZ_SEED (passed as --hypothesis-seed) so any failure can be replayed."""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings

from reconciler import connect
from reconciler.store.config import StoreConfig

from .machine import STEPS, CatalogMachine

FUZZ_STEPS = int(os.environ.get("FUZZ_STEPS", "0"))
STEP_COUNT = 25 if FUZZ_STEPS else 10
# Hypothesis ends some runs before stateful_step_count: ask for more runs than the
# bare quotient; the steps really run are counted and printed.
EXAMPLES = math.ceil(FUZZ_STEPS * 1.6 / STEP_COUNT) if FUZZ_STEPS else 10


def test_any_store_state_converges(sandbox_server):
    config = StoreConfig(api_url=sandbox_server.url, store_hash=sandbox_server.store_hash,
                         token=sandbox_server.token)
    with connect(config, parallelism=4) as client, tempfile.TemporaryDirectory() as tmp:
        client.transport.backoff_s = 0.01

        class Machine(CatalogMachine):
            pass

        Machine.server, Machine.client, Machine.folder = sandbox_server, client, Path(tmp) / "catalog"
        run = Machine.TestCase
        run.settings = settings(max_examples=EXAMPLES, stateful_step_count=STEP_COUNT, deadline=None,
                                suppress_health_check=list(HealthCheck), derandomize=not FUZZ_STEPS,
                                database=None if not FUZZ_STEPS else settings.default.database)
        try:
            run("runTest").runTest()
        finally:
            print(f"\nmodel steps: {json.dumps(STEPS)}")
            out = os.environ.get("FUZZ_REPORT")
            if out:
                Path(out).write_text(json.dumps(STEPS) + "\n")
