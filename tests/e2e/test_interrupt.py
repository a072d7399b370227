"""Ctrl-C (SIGINT) or a CI cancel (SIGTERM) during an apply (issue 11, finding 15): the
requests in flight finish, no new one starts, the journal gets its end record, the summary
says what was done and what was not, the store lock is released, the exit is non-zero."""

from __future__ import annotations

import copy
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reconciler.apply.journal import confirmed, read_journal
from reconciler.apply.lock import ENDPOINT, KEY, NAMESPACE

from .test_faults import catalog
from .test_variants import as_seed, plan_for, write

CLI = str(Path(sys.executable).with_name("catalog"))


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_signal_mid_apply_finishes_in_flight_and_reports(sandbox, client, tmp_path, sig):
    live, desired = catalog(4, 30)
    sandbox.reset(data=as_seed(copy.deepcopy(live)))
    folder = write(tmp_path, desired)
    total = len(plan_for(client, folder)[0].changes)
    sandbox.faults(seed=1, rates={"slow": 1.0}, slow_ms=250, match={"method": "POST"})
    journals = tmp_path / "journal"
    env = {**os.environ, "BIGCOMMERCE_API_URL": sandbox.url, "BIGCOMMERCE_STORE_HASH": sandbox.store_hash,
           "BIGCOMMERCE_ACCESS_TOKEN": sandbox.token}
    proc = subprocess.Popen([CLI, "apply", "--catalog", str(folder), "--auto-approve", "--journal-dir",
                             str(journals), "--parallelism", "2"], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and proc.poll() is None:
        if sum(1 for r in sandbox.requests() if r["route"] == "/v3/catalog/products"
               and r["method"] == "POST") >= 4:
            break
        time.sleep(0.02)
    signalled = time.monotonic()
    proc.send_signal(sig)
    out, errs = proc.communicate(timeout=60)
    sandbox.clear_faults()

    assert proc.returncode == 130, (proc.returncode, errs)
    assert "Traceback" not in errs and sandbox.token not in errs + out
    log = sandbox.requests()
    writes = [r for r in log if r["method"] in ("POST", "PUT", "DELETE") and not r["route"].startswith("/v3/channels/")]
    assert all(r["status"] is not None for r in writes)                       # in flight: finished
    late = [r for r in writes if r["arrived"] > signalled]
    assert len(late) <= 2, late                                                # no new ones scheduled
    [journal] = journals.glob("apply-*.jsonl")
    records = list(read_journal(journal))
    assert records[-1]["event"] == "finished" and records[-1]["interrupted"] is True
    done = len(confirmed(journal))
    assert 0 < done < total
    assert records[-1]["failed"] == 0                   # not sent is "not applied", never "failed"
    assert records[-1]["not_applied"] == total - done
    summary = re.search(r"Apply interrupted: (\d+) created, (\d+) updated, (\d+) deleted, (\d+) failed, "
                        r"(\d+) not applied", errs)
    assert summary, errs
    assert sum(map(int, summary.groups()[:3])) == done and int(summary[5]) == records[-1]["not_applied"]
    assert client.get(ENDPOINT, {"namespace": NAMESPACE, "key": KEY}).data["data"] == []   # lock released
    again, _ = plan_for(client, folder)
    assert len(again.changes) == total - done
