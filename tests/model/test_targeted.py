"""Issue 16: the targeted plan equals the full plan (plan/targeted.py), whatever happened since
the last apply. The model machine (machine.py) edits the YAML and, as another writer, the
store over plain HTTP, and applies (fault-free, faulted, killed); after every step the plan
made from a targeted read (``--refresh targeted``) has exactly the changes of the plan made
from a full read of the same store and catalog. Bounded here (`make test`); `make fuzz`
runs it longer (FUZZ_STEPS)."""

from __future__ import annotations

import math
import os
from datetime import timedelta

from hypothesis import note
from hypothesis.stateful import invariant

from reconciler import build_plan, load_desired, read_live
from reconciler.apply import last_applied
from reconciler.core.errors import DesiredStateError
from reconciler.apply.targeted import read_targeted

from .machine import CatalogMachine, run_machine

FUZZ_STEPS = int(os.environ.get("FUZZ_STEPS", "0"))
STEP_COUNT = 20 if FUZZ_STEPS else 8
EXAMPLES = math.ceil(FUZZ_STEPS * 1.6 / STEP_COUNT / 4) if FUZZ_STEPS else 4
CHECKS = {"targeted": 0, "full": 0}


def changes(plan) -> list[tuple]:
    """What a plan changes (not how it renders): address, action, reason, fields, values."""
    return sorted((str(c.address), c.action.verb, c.reason or "", repr([(f.path, f.before, f.after) for f in c.changes]),
                   repr(sorted(c.after.items()))) for c in plan.changes)


def plan_or_error(desired, live, last):
    try:
        return changes(build_plan(desired, live, last_applied=last))
    except DesiredStateError as exc:
        return sorted(str(d) for d in exc.diagnostics)


class TargetedMachine(CatalogMachine):
    @invariant()
    def targeted_equals_full(self):
        if getattr(self, "state", None) is None or not self.state.is_file():
            return
        self.write_yaml()
        desired = load_desired(self.folder)
        last = last_applied.load(self.state)
        full = plan_or_error(desired, read_live(self.client, desired.store), last)
        # Dates have whole seconds and the sandbox runs on this clock: no look-back needed.
        targeted = read_targeted(self.client, desired, last, overlap=timedelta(0))
        note(targeted.live.refresh)
        CHECKS["targeted" if targeted.live.refresh.startswith("targeted") else "full"] += 1
        assert plan_or_error(targeted.desired, targeted.live, last) == full, targeted.live.refresh


def test_targeted_plan_equals_full_plan(sandbox_server):
    run_machine(TargetedMachine, sandbox_server, EXAMPLES, STEP_COUNT, bool(FUZZ_STEPS))
    print(f"\ntargeted checks: {CHECKS}")
    # Most checks must be targeted reads: a targeted read that always fell back would pass vacuously.
    assert CHECKS["targeted"] > CHECKS["full"], CHECKS
