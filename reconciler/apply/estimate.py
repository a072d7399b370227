"""How many requests an apply of a plan sends, and how long they take at the store's quota.

The count is not a formula beside the executor: it IS the executor. ``count_requests``
runs the apply's own code (the stale check's ``read_for_apply`` and ``apply_plan``:
compile_plan, rank_batches, the kinds' writers) on a StoreClient whose transport
sends nothing and answers every request as a store that accepts it would (a write
echoes its body with an id, a read is one empty page, a delete is a 204). What it
counts is what those steps put on the wire when every request succeeds; the lock
adds what apply/lock.py says it costs (a POST and a DELETE, a PUT per RENEW_S).

Not counted, because no plan can know them: retries (429s, 5xx), batches the store
refuses and that are resent item by item, and what the store does on its own that a
writer then reads or undoes (a new product's channel listings: FACTS.md 8). Reads
answered empty count one page where the store may have more (a kind read whole).

``apply_seconds`` turns a count into time at the store's quota; it is pure.

    >>> apply_seconds(450, quota=150, window_s=30.0, left=150, reset_s=30.0, concurrency=8, rtt_s=0.05)
    90.0
"""

from __future__ import annotations

import itertools
import math
import re
import threading
from typing import Any

from reconciler.apply import lock as apply_lock
from reconciler.apply.executor import apply_plan
from reconciler.apply.stale import read_for_apply
from reconciler.core.live import LiveState
from reconciler.plan.model import Plan
from reconciler.resources import REGISTRY
from reconciler.store.client import StoreClient
from reconciler.store.ratelimit import RateLimiter
from reconciler.store.transport import Response

PHASES = ("lock", "check", "write")


class DryTransport:
    """A Transport that sends nothing: each request is counted (by phase and method) and
    answered as if the store accepted it."""

    def __init__(self, config: Any = None, *, concurrency: int = 8) -> None:
        self.config = config
        self.limiter = RateLimiter(max_inflight=concurrency)
        self.phase = "write"
        self.counts: dict[str, dict[str, int]] = {}
        self.sent = 0
        self.by_status: dict[int, int] = {}
        self._ids = itertools.count(10_000_000)
        self._lock = threading.Lock()
        self._named: dict[tuple[str, str], int] = {}
        # A kind whose objects the store names by another field (``id_field``) gets it in the echo.
        self._id_fields = [(re.compile(re.escape(path).replace(re.escape("{parent_id}"), "[^/]+") + "(/|$)"),
                            kind.id_field)
                           for kind in REGISTRY.ordered() if kind.id_field != "id"
                           for path in {kind.endpoint, kind.update_endpoint or kind.endpoint}]

    def request(self, method: str, path: str, *, params: dict | None = None, body: Any = None) -> Response:
        with self._lock:
            self.sent += 1
            per = self.counts.setdefault(self.phase, {})
            per[method] = per.get(method, 0) + 1
        if method == "GET":
            empty = [] if path.startswith("/v2/") else {"data": [], "meta": {"pagination": {"total_pages": 1, "total": 0}}}
            return Response(200, empty, {})
        if method == "DELETE":
            return Response(204, None, {})
        id_field = next((f for pattern, f in self._id_fields if pattern.match(path)), "id")
        return Response(200, {"data": self._echo(body, id_field)}, {})

    def _echo(self, body: Any, id_field: str = "id") -> Any:
        """The body as the store would answer it: each object with an id of its own."""
        if isinstance(body, list):
            return [self._echo(b, id_field) for b in body]
        if isinstance(body, dict):
            out = {k: self._echo(v) if isinstance(v, list) else v for k, v in body.items()}
            if id_field not in out:
                with self._lock:
                    out[id_field] = out.get("id") or next(self._ids)
            out.setdefault("id", out[id_field])
            for name in [k for k in out if k.endswith("_display_name")]:
                # A value that names its owner (``<owner>_display_name``) carries the owner's id.
                owner = name[: -len("_display_name")] + "_id"
                with self._lock:
                    out.setdefault(owner, self._named.setdefault((owner, str(out[name])), next(self._ids)))
            return out
        return body

    def close(self) -> None:
        pass


def count_requests(plan: Plan, live: LiveState, config, settings=None, *, check_stale: bool = True,
                   concurrency: int = 8) -> dict[str, int]:
    """Requests an apply of ``plan`` sends, by phase: ``lock`` (taking and releasing the
    store's lease), ``check`` (the stale check's re-read of what the plan touches;
    ``check_stale`` False: none, as ``apply --auto-approve`` right after its plan) and
    ``write``. ``live``: the store as the plan read it (the writers' ids and values);
    ``config``: the store's StoreConfig (its URL decides how many keys a filter carries)."""
    transport = DryTransport(config, concurrency=concurrency)
    client = StoreClient(transport, parallelism=concurrency)   # type: ignore[arg-type]
    try:
        if check_stale:
            transport.phase = "check"
            read_for_apply(plan, client, settings)
        transport.phase = "write"
        apply_plan(plan, client, live, settings=settings)
    finally:
        client.close()
    out = {phase: sum(transport.counts.get(phase, {}).values()) for phase in PHASES}
    out["lock"] = LOCK_REQUESTS
    return out


LOCK_REQUESTS = 2   # apply/lock.py: POST to take the lease, DELETE to release it (+ a PUT per RENEW_S)


def apply_seconds(requests: int, *, quota: int, window_s: float, share: float | None = None,
                  left: int | None = None, reset_s: float | None = None, concurrency: int = 1,
                  rtt_s: float = 0.1) -> float:
    """Seconds ``requests`` take at ``quota`` requests per ``window_s``, of which ``share``
    is ours, ``concurrency`` in flight at ``rtt_s`` each.

    The first window has ``left`` requests of the quota still to give and ends in
    ``reset_s`` (as the last answer's headers said; default: a whole fresh window); each
    window after it gives our budget (``share`` of the quota, at least one). Requests
    that fit the windows go at the wire's pace (``requests x rtt / concurrency``);
    the result is never below that pace."""
    if requests <= 0:
        return 0.0
    budget = max(1, math.floor(share * quota + 1e-9)) if share else quota
    first = budget if left is None else max(0, min(left, budget))
    reset = window_s if reset_s is None else max(0.0, min(reset_s, window_s))
    per_request = rtt_s / max(1, concurrency)
    wire = requests * per_request
    if requests <= first:
        return wire
    rest = requests - first
    windows = math.ceil(rest / budget)          # the windows after the first one
    last = rest - (windows - 1) * budget        # requests in the last, partly used window
    return max(wire, reset + (windows - 1) * window_s + last * per_request)


def estimate(plan: Plan, live: LiveState, config, settings=None, *, limiter: RateLimiter | None = None,
             read: dict[str, float] | None = None) -> dict[str, Any] | None:
    """The plan's ``estimate`` (Plan.estimate): its apply's requests by phase and their time
    at the quota ``limiter`` learned from the plan's own reads (None without one), and
    ``read``, what those reads cost ({"requests", "seconds"}). None: nothing to apply."""
    if not plan.has_changes:
        return {"read": read} if read else None
    quota = limiter.learned_quota if limiter is not None else None
    concurrency = limiter.concurrency if limiter is not None else 8
    phases = count_requests(plan, live, config, settings, concurrency=concurrency)
    total = sum(phases.values())
    out: dict[str, Any] = {"requests": total, "phases": phases}
    if quota:
        requests, window_s = quota
        window = limiter.window_left() if limiter is not None else None
        share = limiter.share if limiter is not None else None
        seconds = apply_seconds(total, quota=requests, window_s=window_s, share=share,
                                left=window[0] if window else None, reset_s=window[1] if window else None,
                                concurrency=concurrency, rtt_s=limiter.rtt_s)
        renewals = int(seconds // apply_lock.RENEW_S)     # the lease's PUTs while the apply runs
        if renewals:
            phases["lock"] += renewals
            out["requests"] = total = total + renewals
        out["seconds"] = round(seconds, 1)
        out["quota"] = {"requests": requests, "window_s": window_s, **({"share": share} if share else {})}
    if read:
        out["read"] = read
    return out
