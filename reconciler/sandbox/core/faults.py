"""Injected faults: a seeded random rate per kind, and a queue of exact faults, so that
tests of apply under failure are deterministic (``POST /__sandbox/faults``).

Kinds, and when each acts (``BEFORE``: instead of the handler, nothing is written;
``AFTER``: the handler runs and commits first):

    "500" "502" "503"  BEFORE  500: v3 ``{status, title, type, errors}``; 502: a text/html
                               gateway page; 503: FACTS §2.1 ``SERVICE_DEGRADED``. Any
                               other 5xx code ("504") answers the 500 shape with its code.
    "429"              BEFORE  429 ``Too many requests`` with the rate headers,
                               Requests-Left 0 and ``X-Retry-After: 1``.
    "drop"             BEFORE  the connection is closed without an HTTP answer.
    "500_after"        AFTER   written, then the answer is replaced by the 500 above.
    "drop_after"       AFTER   written, then the connection is closed without an answer.
    "slow"             AFTER   written, then the answer waits ``slow_ms`` (client timeouts).
    "partial"          AFTER   batch routes only: some items are not applied (``partial.py``).

Decision, for every authenticated request to the store (control routes, unknown store
hashes and 401s never fault), in arrival order:

1. When the random part is on (some rate > 0) and the request passes ``match``, ONE
   number ``r`` is drawn from ``random.Random(seed)``; the kinds are laid out in
   ``KINDS`` order, each taking ``rates[kind]`` of [0, 1), and ``r`` picks one (or none
   past their sum). So the same seed and the same request sequence give the same faults.
   "partial" drawn for a request that is not a batch route is no fault.
2. The first queued entry whose ``method``/``route`` match (None matches anything; a
   "partial" entry waits for a batch route) wins over the draw and loses one ``count``.
   The draw in 1 is made either way, so queued faults do not shift the random stream.

``route`` is the pattern the stats use ("/v3/catalog/products/{id}"). A fault that
was decided but could not act – the store refused the request itself with a 429 for
quota or concurrency – is spent and not counted. ``injected`` counts faults that acted.

    >>> f = Faults(); f.configure(seed=1, rates={"500": 0.5})
    >>> [f.decide("GET", "/v3/channels", batch=False) for _ in range(4)]
    ['500', None, None, '500']
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from datetime import datetime, timezone
from typing import Any

from werkzeug.wrappers import Response

from .errors import ERROR_TYPE
from .responses import json_response

KINDS = ("500", "502", "503", "drop", "drop_after", "500_after", "slow", "partial", "429")
AFTER = frozenset({"drop_after", "500_after", "slow", "partial"})
DEFAULT_SLOW_MS = 1000
CONFIG_KEYS = ("seed", "rates", "slow_ms", "match", "queue")

_GATEWAY = ("<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
            "<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n")


class DropConnection(ConnectionError):
    """Raised out of the WSGI app to close the connection without an answer; werkzeug's
    request handler treats a ConnectionError as a dropped connection and writes nothing
    (``server._Handler.connection_dropped`` then closes the socket)."""


def valid_kind(kind: Any) -> str:
    """A fault kind as a string, or ValueError."""
    kind = str(kind)
    if kind in KINDS or (kind.isdigit() and len(kind) == 3 and kind.startswith("5")):
        return kind
    raise ValueError(f"unknown fault {kind!r}; use one of {', '.join(KINDS)} or another 5xx code")


def _entry(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict) or "fault" not in raw:
        raise ValueError("a queue entry is {\"fault\", \"count\", \"method\", \"route\"}")
    unknown = set(raw) - {"fault", "count", "method", "route"}
    if unknown:
        raise ValueError(f"unknown queue entry key(s): {sorted(unknown)}")
    count = raw.get("count", 1)
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        raise ValueError("a queue entry's count must be an integer >= 1")
    method = raw.get("method")
    return {"fault": valid_kind(raw["fault"]), "count": count,
            "method": method.upper() if isinstance(method, str) else None, "route": raw.get("route")}


def _rates(raw: Any) -> dict[str, float]:
    if not isinstance(raw, dict):
        raise ValueError("rates must be an object of fault kind -> probability")
    rates = {}
    for kind, p in raw.items():
        if not isinstance(p, (int, float)) or isinstance(p, bool) or not 0 <= p <= 1:
            raise ValueError(f"rate of {kind!r} must be a number in [0, 1]")
        rates[valid_kind(kind)] = float(p)
    if sum(rates.values()) > 1 + 1e-9:
        raise ValueError("the rates add up to more than 1")
    return rates


def _matches(entry: dict[str, Any], method: str, route: str) -> bool:
    return entry.get("method") in (None, method) and entry.get("route") in (None, route)


class Faults:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.clear()

    def clear(self) -> None:
        """No rates, no queue, seed 0, counters zero."""
        with self._lock:
            self.seed: Any = 0
            self.rates: dict[str, float] = {}
            self.slow_ms = DEFAULT_SLOW_MS
            self.match: dict[str, Any] = {"method": None, "route": None}
            self.queue: list[dict[str, Any]] = []
            self.injected: Counter[str] = Counter()
            self.draws = 0
            self._rng = random.Random(0)

    def configure(self, seed: Any = None, rates: Any = None, slow_ms: Any = None,
                  match: Any = None, queue: Any = None) -> None:
        """Change what is given: ``rates`` and ``match`` replace the previous ones,
        ``queue`` entries are appended. Giving ``seed`` or ``rates`` restarts the random
        stream from the seed (the previous one when not given). All is checked before
        anything changes (ValueError)."""
        new_rates = _rates(rates) if rates is not None else None
        if queue is not None and not isinstance(queue, list):
            raise ValueError("queue must be a list")
        entries = [_entry(e) for e in queue] if queue is not None else []
        if slow_ms is not None and (not isinstance(slow_ms, int) or isinstance(slow_ms, bool) or slow_ms < 0):
            raise ValueError("slow_ms must be an integer >= 0")
        if match is not None:
            if not isinstance(match, dict) or set(match) - {"method", "route"}:
                raise ValueError("match is {\"method\", \"route\"}")
            method = match.get("method")
            match = {"method": method.upper() if isinstance(method, str) else None,
                     "route": match.get("route")}
        if seed is not None and not isinstance(seed, (int, str)):
            raise ValueError("seed must be an integer or a string")
        with self._lock:
            if seed is not None:
                self.seed = seed
            if new_rates is not None:
                self.rates = new_rates
            if seed is not None or new_rates is not None:
                self._rng, self.draws = random.Random(self.seed), 0
            if slow_ms is not None:
                self.slow_ms = slow_ms
            if match is not None:
                self.match = match
            self.queue.extend(entries)

    def add(self, fault: Any, count: int = 1, method: str | None = None, route: str | None = None) -> None:
        self.configure(queue=[{"fault": fault, "count": count, "method": method, "route": route}])

    def decide(self, method: str, route: str, *, batch: bool) -> str | None:
        """The fault for this request, or None (see the module docstring)."""
        with self._lock:
            drawn = None
            if any(self.rates.values()) and _matches(self.match, method, route):
                r, edge = self._rng.random(), 0.0
                self.draws += 1
                for kind in (*KINDS, *sorted(set(self.rates) - set(KINDS))):
                    edge += self.rates.get(kind, 0.0)
                    if r < edge:
                        drawn = kind
                        break
            for entry in self.queue:
                if _matches(entry, method, route) and (entry["fault"] != "partial" or batch):
                    entry["count"] -= 1
                    if entry["count"] == 0:
                        self.queue.remove(entry)
                    return entry["fault"]
            return None if drawn == "partial" and not batch else drawn

    def acted(self, kind: str) -> None:
        with self._lock:
            self.injected[kind] += 1

    def counts(self) -> dict[str, int]:
        with self._lock:
            return dict(self.injected)

    def snapshot(self) -> dict[str, Any]:
        """What ``GET /__sandbox/faults`` shows."""
        with self._lock:
            return {"seed": self.seed, "rates": dict(self.rates), "slow_ms": self.slow_ms,
                    "match": dict(self.match), "queue": [dict(e) for e in self.queue],
                    "injected": dict(self.injected), "draws": self.draws}


# ---- answers for the faults that replace the handler ------------------------------------

def server_error(status: int = 500) -> Response:
    return json_response({"status": status, "title": "Internal Server Error (injected by the sandbox)",
                          "type": ERROR_TYPE, "errors": {}}, status)


def answer(kind: str, headers: dict[str, str]) -> Response:
    """The answer of a BEFORE fault other than "drop"; ``headers`` are the rate headers."""
    if kind == "429":
        headers.update({"X-Rate-Limit-Requests-Left": "0", "X-Retry-After": "1"})
        response = json_response({"status": 429, "title": "Too many requests", "type": ERROR_TYPE,
                                  "errors": {}}, 429)
    elif kind == "502":
        response = Response(_GATEWAY, status=502, mimetype="text/html")
    elif kind == "503":
        # FACTS §2.1 (PL delete operations). retry_after_seconds: the spec's example
        # says 30; 1 keeps tests of clients that honour it fast.
        now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        response = json_response({"error": {
            "code": "SERVICE_DEGRADED", "message": "Service temporarily unavailable",
            "details": "We're unable to process your request right now, please retry later",
            "retry_after_seconds": 1, "timestamp": now}}, 503)
    else:
        response = server_error(int(kind))
    response.headers.update(headers)
    return response
