"""The model-based test (machine.py) against the session's sandbox over HTTP.

Bounded here (`make test`); `make fuzz` runs it with FUZZ_STEPS steps in all and a
printed FUZZ_SEED (passed as --hypothesis-seed) so any failure can be replayed."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

from hypothesis import settings

from .machine import STEPS, CatalogMachine, run_machine

FUZZ_STEPS = int(os.environ.get("FUZZ_STEPS", "0"))
STEP_COUNT = 25 if FUZZ_STEPS else 10
# Hypothesis ends some runs before stateful_step_count: ask for more runs than the
# bare quotient; the steps really run are counted and printed.
EXAMPLES = math.ceil(FUZZ_STEPS * 1.6 / STEP_COUNT) if FUZZ_STEPS else 10


def test_any_store_state_converges(sandbox_server):
    try:
        run_machine(CatalogMachine, sandbox_server, EXAMPLES, STEP_COUNT, bool(FUZZ_STEPS),
                    database=None if not FUZZ_STEPS else settings.default.database)
    finally:
        print(f"\nmodel steps: {json.dumps(STEPS)}")
        out = os.environ.get("FUZZ_REPORT")
        if out:
            Path(out).write_text(json.dumps(STEPS) + "\n")
