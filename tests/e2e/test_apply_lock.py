"""Two `catalog apply` processes started together against one store (issue 11, finding 14):
the store sees at most one apply's writes at a time, and the second either waits
(--lock-timeout) or exits non-zero naming the first. Shown from the sandbox's request log."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import CATALOG, LIVE, write_catalog

CLI = str(Path(sys.executable).with_name("catalog"))
LOCK_ROUTE = "/v3/channels/{id}/metafields"


def _start(sandbox, cwd: Path, catalog: Path, *extra: str) -> subprocess.Popen:
    cwd.mkdir()
    env = {**os.environ, "BIGCOMMERCE_API_URL": sandbox.url, "BIGCOMMERCE_STORE_HASH": sandbox.store_hash,
           "BIGCOMMERCE_ACCESS_TOKEN": sandbox.token}
    return subprocess.Popen([CLI, "apply", "--catalog", str(catalog), "--auto-approve", *extra],
                            cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _writes_inside_leases(log: list[dict]) -> tuple[int, int]:
    """(catalog writes, leases granted). Fails unless every write arrived after a lease was
    granted (its POST answered) and was answered before that lease's DELETE arrived, and
    no two leases overlap (times: the sandbox's time.monotonic())."""
    lock = [e for e in log if e["route"].startswith(LOCK_ROUTE)]
    granted = [e["answered"] for e in lock if e["method"] == "POST" and e["status"] == 200]
    released = [e["arrived"] for e in lock if e["method"] == "DELETE" and e["status"] == 204]
    assert len(granted) == len(released)
    leases = list(zip(granted, released))
    for (_, end), (start, _) in zip(leases, leases[1:]):
        assert end <= start, "a second lease was granted while one was held"
    writes = [e for e in log if e["method"] in ("POST", "PUT", "DELETE") and e not in lock]
    for w in writes:
        assert any(start <= w["arrived"] and w["answered"] <= end for start, end in leases), \
            f"a write outside any apply lease: {w['method']} {w['path']}"
    return len(writes), len(leases)


@pytest.mark.parametrize("wait", [False, True], ids=["refuse", "wait"])
def test_two_applies_at_once_never_interleave_writes(sandbox, tmp_path, wait):
    sandbox.reset(data=LIVE)
    catalog = write_catalog(tmp_path, CATALOG)
    sandbox.configure(latency_ms=60)          # each apply takes a second or two
    extra = ("--lock-timeout", "60") if wait else ()
    procs = [_start(sandbox, tmp_path / f"run{i}", catalog, *extra) for i in (1, 2)]
    outs = [p.communicate(timeout=120) for p in procs]
    sandbox.configure(latency_ms=0)
    codes = [p.returncode for p in procs]
    writes, leases = _writes_inside_leases(sandbox.requests())
    assert writes > 0
    if wait:
        assert codes == [0, 0], outs
        assert leases == 2
        assert any("No changes" in out + errs for out, errs in outs), outs   # the second planned after the first
    else:
        assert sorted(codes) == [0, 4], outs     # 4: the store is locked
        loser = codes.index(4)
        winner = procs[1 - loser]
        message = outs[loser][1]
        assert "locked by" in message and f"pid {winner.pid}" in message, message
        assert "force-unlock" in message and "Traceback" not in message
        assert leases == 1


# ---- the lease itself (library, over HTTP to the sandbox) --------------------------------

import json  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402

from reconciler.core import errors  # noqa: E402
from reconciler.apply.lock import ENDPOINT, KEY, NAMESPACE, ApplyLock  # noqa: E402


def _leases(client) -> list[dict]:
    return client.get(ENDPOINT, {"namespace": NAMESPACE, "key": KEY}).data["data"]


def test_a_held_lease_is_refused_naming_its_holder_then_free_after_release(sandbox, client):
    first = ApplyLock(client)
    first.acquire()
    with pytest.raises(errors.LockError) as refused:
        ApplyLock(client).acquire()
    message = str(refused.value)
    assert f"pid {os.getpid()}" in message and f"force-unlock {first.id}" in message
    first.release()
    assert _leases(client) == []
    with ApplyLock(client) as second:
        assert [m["id"] for m in _leases(client)] == [second.id]
    assert _leases(client) == []


def test_a_waiting_apply_gets_the_lease_when_the_first_releases_it(sandbox, client):
    first = ApplyLock(client)
    first.acquire()
    threading.Timer(0.5, first.release).start()
    started = time.monotonic()
    with ApplyLock(client, timeout_s=10) as second:
        assert second.id is not None and second.id != first.id
    assert 0.4 < time.monotonic() - started < 5


def test_an_expired_lease_is_taken_over(sandbox, client):
    dead = {"holder": "ci@runner-7", "pid": 1, "started": "2026-01-01T00:00:00+00:00",
            "expires": "2026-01-01T00:05:00+00:00"}
    old = client.post(ENDPOINT, {"namespace": NAMESPACE, "key": KEY, "permission_set": "app_only",
                                 "value": json.dumps(dead)}).data["data"]["id"]
    with ApplyLock(client) as lock:
        assert lock.id != old and [m["id"] for m in _leases(client)] == [lock.id]


def test_force_unlock_removes_only_the_named_lease(run_cli, client):
    held = ApplyLock(client)
    held.acquire()
    wrong = run_cli("force-unlock", str(held.id + 100))
    assert wrong.exit_code == 4 and "no apply lock with id" in wrong.output
    assert len(_leases(client)) == 1
    ok = run_cli("force-unlock", str(held.id))
    assert ok.exit_code == 0 and f"pid {os.getpid()}" in ok.output
    assert _leases(client) == []
    held.release()                           # its DELETE meets a 404: nothing to do


def test_a_held_lease_is_renewed_before_it_expires(sandbox, client, monkeypatch):
    from reconciler.apply import lock as lock_module

    monkeypatch.setattr(lock_module, "RENEW_S", 0.3)
    with ApplyLock(client) as held:
        [before] = _leases(client)
        time.sleep(2.2)          # expires has whole seconds: renewed at least 1.8 s later
        [after] = _leases(client)
        assert after["id"] == before["id"] == held.id
    assert json.loads(after["value"])["expires"] > json.loads(before["value"])["expires"]
    assert json.loads(after["value"])["started"] == json.loads(before["value"])["started"]
