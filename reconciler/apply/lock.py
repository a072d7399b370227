"""The store's apply lock: a lease kept IN THE STORE, so it holds across machines.

A local file lock protects one machine; two CI runners, or a laptop and CI, share only
the store. BigCommerce has no lock API, but a channel metafield is unique per (app
client id, namespace, key, resource): a POST of an existing one is a 409 (CH
createChannelMetafield), an atomic create-if-absent. The lease is the metafield
``catalog-reconciler`` / ``apply-lock`` on channel 1 (the default storefront, which
every store has), ``permission_set: app_only`` (only this API account sees it), whose
value names the holder::

    {"holder": "user@host", "pid": 4242, "ci": "https://github.com/o/r/actions/runs/1",
     "started": "2026-12-03T17:20:00+00:00", "expires": "2026-12-03T17:25:00+00:00",
     "nonce": "..."}

- taken by POST (201/200: ours; 409: held, read it with one GET);
- renewed by PUT every ``RENEW_S`` while the apply runs (a background thread);
- deleted by id at the end, also after an error, Ctrl-C or SIGTERM;
- a lease past ``expires`` (its holder died: SIGKILL, a lost runner) is taken over:
  DELETE by the id that was read, then POST again; of two takers only one POST wins
  (the other's DELETE is a 404, its POST a 409);
- ``catalog force-unlock ID`` deletes a lease by id (the id is in the refusal message).

Cost: 2 requests an apply (POST, DELETE) plus one PUT per ``RENEW_S`` of apply time;
a refused apply spends 2 (POST 409, GET). Waiting (``--lock-timeout``) polls with one
POST every ``POLL_S``. Expiry compares the holder's clock with the taker's: clocks
more than ``TTL_S`` apart would break it (CI runners and laptops run NTP).
"""

from __future__ import annotations

import getpass
import json
import logging
import os
import secrets
import socket
import threading
import time
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from reconciler.core import errors
from reconciler.store.client import StoreClient

log = logging.getLogger(__name__)

CHANNEL = 1
ENDPOINT = f"/v3/channels/{CHANNEL}/metafields"
NAMESPACE, KEY = "catalog-reconciler", "apply-lock"
TTL_S = 300      # a dead holder blocks others for at most 5 minutes
RENEW_S = 60     # renewed well before it expires, even with a slow store
POLL_S = 2.0


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _data(resp_data: Any) -> Any:
    """CH's metafield_200 draws a bare object; the store wraps it in ``{data}``: read both."""
    return resp_data.get("data", resp_data) if isinstance(resp_data, dict) else resp_data


def who() -> dict[str, Any]:
    """The holder: user@host, pid, and the CI run when the environment names one."""
    try:
        user = getpass.getuser()
    except Exception:   # no user name (some containers): the host and pid still say who
        user = "unknown"
    info: dict[str, Any] = {"holder": f"{user}@{socket.gethostname()}", "pid": os.getpid()}
    if os.environ.get("GITHUB_RUN_ID"):
        server = os.environ.get("GITHUB_SERVER_URL", "https://github.com")
        info["ci"] = f"{server}/{os.environ.get('GITHUB_REPOSITORY', '')}/actions/runs/{os.environ['GITHUB_RUN_ID']}"
    elif os.environ.get("CI_JOB_URL"):       # GitLab
        info["ci"] = os.environ["CI_JOB_URL"]
    return info


def describe(lease: dict) -> str:
    """'alice@laptop (pid 4242, https://…/runs/1) since 17:20:00 UTC, lock id 7'."""
    value = lease.get("lease") or {}
    extra = ", ".join(str(x) for x in (f"pid {value.get('pid', '?')}", value.get("ci")) if x)
    return (f"{value.get('holder', 'an unknown holder')} ({extra}) since {value.get('started', '?')}, "
            f"until {value.get('expires', '?')} unless renewed; lock id {lease.get('id')}")


class ApplyLock:
    """``with ApplyLock(client, timeout_s):`` holds the store's apply lock for the block."""

    def __init__(self, client: StoreClient, timeout_s: float = 0.0, *,
                 on_wait: Callable[[str], None] | None = None) -> None:
        self.client = client
        self.timeout_s = timeout_s
        self.on_wait = on_wait or (lambda message: None)
        self.me = {**who(), "nonce": secrets.token_hex(8)}
        self.id: int | None = None
        self._stop = threading.Event()
        self._renewer: threading.Thread | None = None

    # ---- the lease's value ------------------------------------------------------------

    def _value(self) -> str:
        now = datetime.now(timezone.utc)
        started = self.me.setdefault("started", _iso(now))
        return json.dumps({**self.me, "started": started, "expires": _iso(now + timedelta(seconds=TTL_S))})

    # ---- take -------------------------------------------------------------------------

    def acquire(self) -> None:
        deadline = time.monotonic() + self.timeout_s
        told, vanished = False, 0
        while True:
            if self._post():
                self._renewer = threading.Thread(target=self._renew, name="apply-lock", daemon=True)
                self._renewer.start()
                return
            held = self.read()
            if held is None:                   # released between our POST and GET: try again
                vanished += 1
                if vanished > 5:
                    raise errors.LockError("the store refuses the apply lock (409) but shows no holder")
                continue
            if self._expired(held):
                log.warning("Taking over an expired apply lock: %s", describe(held))
                self._delete(held["id"])
                continue
            if time.monotonic() >= deadline:
                raise errors.LockError(
                    f"the store is locked by another apply: {describe(held)}. Wait for it to finish, "
                    f"retry with --lock-timeout SECONDS to wait, or, if that apply is dead, run "
                    f"`catalog force-unlock {held['id']}`", held)
            if not told:
                self.on_wait(f"Waiting for the apply lock (up to {self.timeout_s:g} s): held by {describe(held)}")
                told = True
            time.sleep(min(POLL_S, max(0.0, deadline - time.monotonic())))

    def _post(self) -> bool:
        body = {"namespace": NAMESPACE, "key": KEY, "permission_set": "app_only", "value": self._value(),
                "description": "catalog-reconciler: an apply is running (see value)"}
        try:
            self.id = _data(self.client.post(ENDPOINT, body).data)["id"]
            return True
        except errors.Conflict:
            return False
        except errors.StoreUnavailable:
            # The answer was lost, the POST may have happened: ours if it carries our nonce.
            held = self.read()
            if held and (held.get("lease") or {}).get("nonce") == self.me["nonce"]:
                self.id = held["id"]
                return True
            return False

    def read(self) -> dict | None:
        """The lease in the store, ``{"id", "lease": parsed value}``, or None."""
        rows = _data(self.client.get(ENDPOINT, {"namespace": NAMESPACE, "key": KEY}).data) or []
        if not rows:
            return None
        try:
            value = json.loads(rows[0].get("value") or "{}")
        except ValueError:
            value = {}
        return {"id": rows[0]["id"], "lease": value if isinstance(value, dict) else {}}

    @staticmethod
    def _expired(held: dict) -> bool:
        try:
            expires = datetime.fromisoformat(held["lease"]["expires"])
        except (KeyError, TypeError, ValueError):
            return False                       # unreadable: never taken over silently
        return expires < datetime.now(timezone.utc)

    # ---- keep and give back -------------------------------------------------------------

    def _renew(self) -> None:
        while not self._stop.wait(RENEW_S):
            try:
                self.client.put(f"{ENDPOINT}/{self.id}", {"value": self._value()})
            except errors.NotFound:
                log.warning("The apply lock was removed by someone else (force-unlock?) while this apply ran")
                return
            except errors.StoreError as exc:
                log.warning("Could not renew the apply lock: %s", exc)

    def release(self) -> None:
        self._stop.set()
        if self._renewer is not None:
            self._renewer.join(10)
        if self.id is not None:
            try:
                self._delete(self.id)
            except errors.StoreError as exc:
                log.warning("Could not release the apply lock (it expires in %d s): %s", TTL_S, exc)
            self.id = None

    def _delete(self, lock_id: int) -> None:
        try:
            self.client.delete(f"{ENDPOINT}/{lock_id}")
        except errors.NotFound:
            pass                               # gone already: someone else took it over

    def __enter__(self) -> "ApplyLock":
        self.acquire()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.release()


def force_unlock(client: StoreClient, lock_id: int) -> dict | None:
    """Delete the lease ``lock_id`` if it is the current one; returns what was deleted."""
    held = ApplyLock(client).read()
    if held is None or held["id"] != lock_id:
        return None
    ApplyLock(client)._delete(lock_id)
    return held
