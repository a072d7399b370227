"""A crash at any point of an apply (here: SIGKILL halfway) leaves a store that the
next plan and apply bring to the desired state, with no duplicates, and a journal
that says what was confirmed."""

from __future__ import annotations

import copy
import os
import signal
import subprocess
import sys
import time

from reconciler.apply.journal import confirmed, read_journal

from .test_faults import catalog, dump_skus
from .test_variants import as_seed, plan_for, write


def test_sigkill_halfway_then_plan_and_apply_converge(sandbox, client, tmp_path):
    live, desired = catalog(10, 40)
    sandbox.reset(data=as_seed(copy.deepcopy(live)))
    folder = write(tmp_path, desired)
    total = len(plan_for(client, folder)[0].changes)
    sandbox.configure(latency_ms=15)          # slow enough to stop it in the middle
    journals = tmp_path / "journal"
    env = {**os.environ, "BIGCOMMERCE_API_URL": sandbox.url, "BIGCOMMERCE_STORE_HASH": sandbox.store_hash,
           "BIGCOMMERCE_ACCESS_TOKEN": sandbox.token}
    cmd = [sys.executable, "-c", "from reconciler.cli import main; main()", "apply", "--catalog", str(folder),
           "--auto-approve", "--journal-dir", str(journals), "--parallelism", "2"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        posts = [r for r in sandbox.requests() if r["method"] == "POST"]
        if len(posts) >= 12 or proc.poll() is not None:
            break
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL, "the apply finished before it could be killed"
    sandbox.configure(latency_ms=0)

    [journal] = journals.glob("apply-*.jsonl")
    records = list(read_journal(journal))
    assert records[0]["event"] == "apply" and records[-1]["event"] != "finished"
    assert 0 < len(confirmed(journal)) < total

    plan, wanted = plan_for(client, folder)
    assert plan.has_changes                   # what the crash left undone
    from reconciler import apply_saved_plan

    result = apply_saved_plan(plan, client, wanted.store)
    assert not result.failed, [(o.change.address, o.message) for o in result.failed[:5]]
    again, _ = plan_for(client, folder)
    assert not again.has_changes
    skus = dump_skus(sandbox)
    assert len(skus) == len({s.casefold() for s in skus})
