"""How many requests an apply of a plan sends, and how long they take at the store's quota.

The count is not a formula beside the executor: it IS the executor. ``count_requests``
runs the apply's own code (the stale check's ``read_for_apply`` and ``apply_plan``:
compile_plan, rank_batches, the kinds' writers) on a StoreClient whose transport
sends nothing and answers every request as a store that accepts it would (a write
echoes its body with an id, a read is one page: empty, or for a kind whose
sub-resources are read apart its rows as the plan read them; a delete is a 204). What
it counts is what those steps put on the wire when every request succeeds; the lock
adds what apply/lock.py says it costs (a POST and a DELETE, a PUT per RENEW_S).

Not counted, because no plan can know them: retries (429s, 5xx), batches the store
refuses and that are resent item by item, and what the store does on its own that a
writer then reads or undoes (a new product's channel listings: FACTS.md 8; the
assignments it made are settled without the PUT counted here). A read answered empty
counts one page where the store may have more, and nothing a non-empty answer would
lead to (a product's options read apart: tests/e2e/test_estimate.py).

``apply_seconds`` turns a count into time at the store's quota; it is pure.

    >>> apply_seconds(450, quota=150, window_s=30.0, left=150, reset_s=30.0, concurrency=8, rtt_s=0.05)
    60.9375

(150 in the first window, 150 in the next, the last 150 at 8 in flight of 50 ms each.)
"""

from __future__ import annotations

import itertools
import math
import re
import threading
import time
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
    answered as if the store accepted it.

    ``rows``: {endpoint: rows} a read of that endpoint answers with (paged as asked),
    for the reads that go on from what they find (a price list's records are read
    by list). Each request is held ``HOLD_S`` so the executor's parallel batches overlap
    as they would on the wire: ``serial`` adds up 1 / (requests in flight) per request,
    the requests' length in round trips if the quota never held them."""

    HOLD_S = 0.001

    def __init__(self, config: Any = None, *, concurrency: int = 8,
                 rows: dict[str, list[dict]] | None = None) -> None:
        self.config = config
        self.limiter = RateLimiter(max_inflight=concurrency)
        self.phase = "write"
        self.counts: dict[str, dict[str, int]] = {}
        self.serial = 0.0
        self.sent = 0
        self.by_status: dict[int, int] = {}
        self._rows = rows or {}
        self._inflight = 0
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
            self._inflight += 1
            self.serial += 1 / self._inflight
            per = self.counts.setdefault(self.phase, {})
            per[method] = per.get(method, 0) + 1
        try:
            time.sleep(self.HOLD_S)
            return self._answer(method, path, params or {}, body)
        finally:
            with self._lock:
                self._inflight -= 1

    def _answer(self, method: str, path: str, params: dict, body: Any) -> Response:
        if method == "GET":
            rows = self._rows.get(path, [])
            if path.startswith("/v2/"):
                return Response(200, rows if int(params.get("page") or 1) == 1 else [], {})
            limit, page = int(params.get("limit") or 250), int(params.get("page") or 1)
            pages = max(1, math.ceil(len(rows) / limit))
            return Response(200, {"data": rows[(page - 1) * limit: page * limit],
                                  "meta": {"pagination": {"total_pages": pages, "total": len(rows)}}}, {})
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
                   concurrency: int = 8) -> dict[str, Any]:
    """Requests an apply of ``plan`` sends, by phase: ``lock`` (taking and releasing the
    store's lease), ``check`` (the stale check's re-read of what the plan touches;
    ``check_stale`` False: none, as ``apply --auto-approve`` right after its plan) and
    ``write``; and ``serial``, their length in round trips at ``concurrency`` in flight.
    ``live``: the store as the plan read it (the writers' ids and values; the rows of the
    kinds whose sub-resources are read apart); ``config``: the store's StoreConfig (its
    URL decides how many keys a filter carries)."""
    rows = {kind.endpoint: [{kind.id_field: o.id, "id": o.id, kind.key: o.key} for o in live.of(kind.name).values()]
            for kind in REGISTRY.ordered()
            if not kind.parent and any(k.parent == kind.name and k.read_apart for k in REGISTRY.ordered())}
    transport = DryTransport(config, concurrency=concurrency, rows=rows)
    client = StoreClient(transport, parallelism=concurrency)   # type: ignore[arg-type]
    try:
        if check_stale:
            transport.phase = "check"
            read_for_apply(plan, client, settings)
        transport.phase = "write"
        apply_plan(plan, client, live, settings=settings)
    finally:
        client.close()
    out: dict[str, Any] = {phase: sum(transport.counts.get(phase, {}).values()) for phase in PHASES}
    out["lock"] = LOCK_REQUESTS
    out["serial"] = transport.serial + LOCK_REQUESTS
    return out


LOCK_REQUESTS = 2   # apply/lock.py: POST to take the lease, DELETE to release it (+ a PUT per RENEW_S)


def apply_seconds(requests: int, *, quota: int, window_s: float, share: float | None = None,
                  left: int | None = None, reset_s: float | None = None, concurrency: int = 1,
                  rtt_s: float = 0.1, serial: float | None = None) -> float:
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
    wire = serial * rtt_s if serial is not None else requests * rtt_s / max(1, concurrency)
    per_request = wire / requests
    if budget * per_request >= window_s:
        return wire                    # the wire cannot fill a window: the quota never holds us
    if per_request > 0:
        first = min(first, math.floor(reset / per_request))   # what the wire sends before it ends
    if requests <= first:
        return wire
    rest = requests - first
    windows = math.ceil(rest / budget)          # the windows after the first one
    last = rest - (windows - 1) * budget        # requests in the last, partly used window
    return max(wire, reset + (windows - 1) * window_s + last * per_request)


def estimate(plan: Plan, live: LiveState, config, settings=None, *, limiter: RateLimiter | None = None,
             read: dict[str, float] | None = None, check_stale: bool = True) -> dict[str, Any] | None:
    """The plan's ``estimate`` (Plan.estimate): its apply's requests by phase and their time
    at the quota ``limiter`` learned from the plan's own reads (None without one), and
    ``read``, what those reads cost ({"requests", "seconds"}). None: nothing to apply.
    ``check_stale`` False: the apply sends no stale check (apply --auto-approve)."""
    if not plan.has_changes:
        return {"read": read} if read else None
    quota = limiter.learned_quota if limiter is not None else None
    concurrency = limiter.concurrency if limiter is not None else 8
    window = limiter.window_left() if limiter is not None else None   # before the dry run's own time
    began = time.perf_counter()
    phases = count_requests(plan, live, config, settings, check_stale=check_stale, concurrency=concurrency)
    serial = phases.pop("serial")
    # The dry run is the apply's own local work (reads translated, payloads built, answers
    # checked) plus the time it held each request: what is left is that work's time.
    local_s = max(0.0, time.perf_counter() - began - serial * DryTransport.HOLD_S)
    total = sum(phases.values())
    out: dict[str, Any] = {"requests": total, "phases": phases}
    if quota:
        requests, window_s = quota
        share = limiter.share if limiter is not None else None
        rtt_s = limiter.median_rtt_s or limiter.rtt_s   # of the plan's reads: what this store takes
        seconds = apply_seconds(total, quota=requests, window_s=window_s, share=share,
                                left=window[0] if window else None, reset_s=window[1] if window else None,
                                concurrency=concurrency, rtt_s=rtt_s, serial=serial) + local_s
        renewals = int(seconds // apply_lock.RENEW_S)     # the lease's PUTs while the apply runs
        if renewals:
            phases["lock"] += renewals
            out["requests"] = total = total + renewals
        out["seconds"] = round(seconds, 1)
        out["quota"] = {"requests": requests, "window_s": window_s, **({"share": share} if share else {})}
        out["basis"] = {"left": window[0] if window else None, "reset_s": round(window[1], 2) if window else None,
                        "rtt_s": round(rtt_s, 4),
                        "round_trips": round(serial, 1), "local_s": round(local_s, 2)}
    if read:
        out["read"] = read
    return out
