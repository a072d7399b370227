"""Issue 16: the targeted plan equals the full plan (plan/targeted.py), whatever happened since
the last apply. The model machine (machine.py) edits the YAML and, as another writer, the
store over plain HTTP, and applies (fault-free, faulted, killed); after every step the plan
made from a targeted read (``--refresh targeted``) has exactly the changes of the plan made
from a full read of the same store and catalog. Bounded here (`make test`); `make fuzz`
runs it longer (FUZZ_STEPS).

Except for what the targeted plan says it did not re-read (``plan.unread``): the channel
listings of the products outside its read, which the store changes without a date (the
machine's ``api_channel``). The full plan's changes to those, and only those, may be missing
from the targeted plan, and its count of such products must be the catalog's."""

from __future__ import annotations

import math
import os
import time
from datetime import timedelta

from hypothesis import note
from hypothesis.stateful import initialize, invariant

from reconciler import build_plan, load_desired, read_live
from reconciler.apply import last_applied
from reconciler.core.errors import DesiredStateError
from reconciler.apply.targeted import read_targeted
from reconciler.resources import REGISTRY

from .machine import CatalogMachine, run_machine

FUZZ_STEPS = int(os.environ.get("FUZZ_STEPS", "0"))
STEP_COUNT = 20 if FUZZ_STEPS else 8
EXAMPLES = math.ceil(FUZZ_STEPS * 1.6 / STEP_COUNT / 4) if FUZZ_STEPS else 4
CHECKS = {"targeted": 0, "full": 0, "not re-read": 0}


def changes(plan, unread: dict | None = None, covered: dict | None = None) -> list[tuple]:
    """What a plan changes (not how it renders): address, action, reason, fields, values;
    without the changes to ``unread`` kinds whose parent is not in ``covered``."""
    def kept(c) -> bool:
        if not unread or c.kind not in unread:
            return True
        parent = getattr(c.parent, "key", c.parent)
        return str(parent).casefold() in covered[unread[c.kind]["parent_kind"]]

    return sorted((str(c.address), c.action.verb, c.reason or "", repr([(f.path, f.before, f.after) for f in c.changes]),
                   repr(sorted(c.after.items()))) for c in plan.changes if kept(c))


def plan_or_error(desired, live, last, unread: dict | None = None, covered: dict | None = None):
    try:
        return changes(build_plan(desired, live, last_applied=last), unread, covered)
    except DesiredStateError as exc:
        return sorted(str(d) for d in exc.diagnostics)


def not_reread(desired, targeted) -> tuple[dict, dict]:
    """{parent kind: the parents the targeted read covers (folded)}, after checking that its
    ``unread`` counts are exactly the catalog's parents outside them that write the field."""
    unread = targeted.live.unread
    covered = {w["parent_kind"]: {k.casefold() for k in targeted.desired.of(w["parent_kind"])} for w in unread.values()}
    for name, what in unread.items():
        kind = REGISTRY[name]
        outside = [k for k, o in desired.of(kind.parent).items()
                   if kind.owner_field in o.fields and k.casefold() not in covered[kind.parent]]
        assert what["parents"] == len(outside) > 0, (name, what, len(outside))
        assert f"not re-read: {kind.words[1]} of {len(outside):,} " in targeted.live.refresh, targeted.live.refresh
    return unread, covered


class TargetedMachine(CatalogMachine):
    @initialize()
    def start(self):
        super().start()
        # A second after the seeding and the first apply, a second apply (nothing to change)
        # records its read: the products later steps leave alone are outside the targeted
        # read (the sandbox dates to the second), so another writer's listing of one
        # (api_channel) is what the plan must say it did not re-read.
        time.sleep(1.1)
        self.apply(fault_free=True)
        # ... as now: the last product listed on one more channel, which no date shows.
        row = self.other.product(sorted(self.products)[-1])
        self.other.call("PUT", "/v3/catalog/products/channel-assignments", [{"product_id": row["id"], "channel_id": 2}])
        self.step("api_edits")

    @invariant()
    def targeted_equals_full(self):
        if getattr(self, "state", None) is None or not self.state.is_file():
            return
        self.write_yaml()
        desired = load_desired(self.folder)
        last = last_applied.load(self.state)
        live = read_live(self.client, desired.store)
        # Dates have whole seconds and the sandbox runs on this clock: no look-back needed.
        targeted = read_targeted(self.client, desired, last, overlap=timedelta(0))
        note(targeted.live.refresh)
        CHECKS["targeted" if targeted.live.refresh.startswith("targeted") else "full"] += 1
        unread, covered = not_reread(desired, targeted)
        full = plan_or_error(desired, live, last, unread, covered)
        CHECKS["not re-read"] += len(plan_or_error(desired, live, last)) - len(full)
        assert plan_or_error(targeted.desired, targeted.live, last) == full, targeted.live.refresh


def test_targeted_plan_equals_full_plan(sandbox_server):
    run_machine(TargetedMachine, sandbox_server, EXAMPLES, STEP_COUNT, bool(FUZZ_STEPS))
    print(f"\ntargeted checks: {CHECKS}")
    # Most checks must be targeted reads: a targeted read that always fell back would pass vacuously.
    assert CHECKS["targeted"] > CHECKS["full"], CHECKS
    # ... and some left another writer's listings unread, or the exception above is untested.
    assert CHECKS["not re-read"] > 0, CHECKS
