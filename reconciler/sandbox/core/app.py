"""The sandbox's WSGI application: store prefix, auth, rate limit, dispatch over the
services' URL tables, stats, and the ``/__sandbox/`` control routes (``control.py``).

Order for an API request, and why:

1. ``/stores/{store_hash}`` must name this store, else 404 (no quota spent: the request
   cannot be attributed to the store).
2. ``X-Auth-Token`` must equal the token, else 401. Requests with bad auth get the
   rate-limit headers (peeked) but do not spend quota – our choice; BigCommerce does
   not document it, and counting them would let a misconfigured client drain the
   quota of a correctly configured one. The read-only token (an API account with
   read-only scopes, as CI's plan job uses) may only GET: any other method is 403,
   as BigCommerce answers a missing OAuth scope (FACTS "403 causes"), spending no quota.
3. The request's fault is decided (``faults.py``: the queue, then the seeded random
   rates; one draw per request). A "429" fault answers at once and spends no quota.
   Every other request spends one unit of quota; when the window's quota is used up
   the answer is 429 (and a fault decided for the request is spent without acting).
   "500"/"502"/"503"/"drop" then answer (or close the connection) without touching
   state and without a concurrency slot.
4. The route's concurrency limit (``concurrency.LIMITS``, FACTS §4): when as many
   requests to the same (method, route) are already in flight, the answer is 429 with
   the rate-limit headers and ``X-Retry-After: 1``. Such a request has spent its unit
   of quota (not stated; every request the store answers counts). Counted in stats as
   ``concurrency_limited`` and, like every 429, in ``rate_limited``.
5. Unknown route -> 404, other method -> 405, otherwise the handler runs inside one
   state transaction (a SandboxError rolls the whole request back). Under a "partial"
   fault the batch is split first (``partial.py``). The state's lock is held for the
   whole transaction, so writes are serialised: two parallel requests cannot both
   take one SKU.
6. After the handler: "500_after" replaces the answer with a 500, "drop_after"
   closes the connection without an answer, "slow" waits ``slow_ms``.
7. ``latency_ms`` is slept after the answer is computed, outside the transaction but
   while the request still holds its concurrency slot, so parallel slow requests
   overlap the way real ones do.

The token is compared in constant time and never logged, echoed or stored.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
import socket
import threading
import time
from collections import Counter
from typing import Any

from werkzeug.wrappers import Request, Response

from ..seeds import load_seed
from . import control, faults, partial, urls
from .concurrency import ConcurrencyLimiter, Slot
from .errors import ERROR_TYPE, SandboxError
from .ratelimit import RateLimiter
from .responses import Ctx, json_response
from .service import Service, batches_of, outbox_of, routes_of
from .storage import Storage

log = logging.getLogger(__name__)
_STORE_PATH = re.compile(r"^/stores/([^/]+)(/.*)?$")
_BODY_LOG_MAX = 1 << 20  # a bulk upsert of 1,000 price records is ~150 KB
_TOO_MANY = {"status": 429, "title": "Too many requests", "type": ERROR_TYPE, "errors": {}}


class SandboxApp:
    def __init__(self, state: Storage, *, store_hash: str, token: str, quota: int,
                 window_ms: int, latency_ms: int, read_token: str | None = None,
                 services: tuple[Service, ...] | None = None) -> None:
        self.state = state
        services = state.services if services is None else services
        self.urls = urls.UrlTable(routes_of(services))
        self.batches = batches_of(services)
        self.store_hash = store_hash
        self._token = token.encode()
        self._read_token = read_token.encode() if read_token else None
        self.limiter = RateLimiter(quota, window_ms)
        self.concurrency = ConcurrencyLimiter()
        self.latency_ms = latency_ms
        self.faults = faults.Faults()
        outbox = outbox_of(services)     # webhook callbacks (the hooks service's), to local routes only
        self.outbox = outbox() if outbox else None
        self._lock = threading.Lock()
        self.clear_stats()

    # ---- stats ----------------------------------------------------------------------

    def clear_stats(self) -> None:
        with self._lock:
            self._requests: Counter[str] = Counter()
            self._responses: Counter[str] = Counter()
            self._rate_limited = 0
            self._concurrency_limited = 0
            self._in_flight = 0
            self._max_concurrency = 0
            self._log: list[dict[str, Any]] = []

    def stats(self) -> dict[str, Any]:
        with self._lock:
            return {"requests": dict(self._requests), "responses": dict(self._responses),
                    "rate_limited": self._rate_limited,
                    "concurrency_limited": self._concurrency_limited,
                    "total": sum(self._responses.values()),
                    "max_concurrency": self._max_concurrency,
                    "faults": self.faults.counts()}

    def request_log(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(e) for e in self._log]

    # ---- control --------------------------------------------------------------------

    def reset(self, seed: str | dict | None = "empty", data: dict | None = None) -> None:
        self.state.reset(data if data is not None else load_seed(seed))
        self.limiter.reset()
        self.faults.clear()
        if self.outbox is not None:
            self.outbox.clear()
        self.clear_stats()

    def configure(self, quota: int | None = None, window_ms: int | None = None,
                  latency_ms: int | None = None) -> None:
        self.limiter.configure(quota, window_ms)
        if latency_ms is not None:
            self.latency_ms = int(latency_ms)

    def add_fault(self, status: int, count: int = 1, method: str | None = None,
                  route: str | None = None) -> None:
        """Queue ``count`` answers of ``status`` (429 or 5xx) for the next authenticated
        API requests matching ``method`` and ``route`` (a stats-style pattern such as
        "/v3/catalog/products/{id}"): the fault queue's entry ``{"fault": str(status)}``."""
        if not (int(status) == 429 or 500 <= int(status) <= 599):
            raise ValueError("fault status must be 429 or 5xx")
        self.faults.add(str(int(status)), int(count), method, route)

    def configure_faults(self, body: dict[str, Any]) -> None:
        """``POST /__sandbox/faults``: ``{"status", ...}`` queues one entry (the old
        form); otherwise ``{"seed", "rates", "slow_ms", "match", "queue"}``."""
        if "status" in body:
            self.add_fault(**body)
            return
        unknown = set(body) - set(faults.CONFIG_KEYS)
        if unknown:
            raise ValueError(f"unknown key(s) {sorted(unknown)}; use {', '.join(faults.CONFIG_KEYS)}")
        self.faults.configure(**body)

    # ---- API ------------------------------------------------------------------------

    def __call__(self, environ: dict, start_response: Any) -> Any:
        request = Request(environ)
        if request.path.startswith(control.PREFIX):
            return control.handle(self, request)(environ, start_response)
        with self._lock:
            self._in_flight += 1
            self._max_concurrency = max(self._max_concurrency, self._in_flight)
        try:
            response = self._api(request)
        except faults.DropConnection:
            _shut(environ)
            raise
        finally:
            with self._lock:
                self._in_flight -= 1
        return response(environ, start_response)

    def _api(self, request: Request) -> Response:
        m = _STORE_PATH.match(request.path)
        sub = (m.group(2) or "/") if m else request.path
        found = self.urls.find(sub) if m else None
        pattern = found[0].pattern if found else sub
        entry = self._arrive(request, sub, pattern)
        style = found[0].style if found else "default"
        slot: Slot | None = None
        try:
            if m is None or m.group(1) != self.store_hash:
                title = "The route is not found, check the URL" if m is None else "Store not found"
                response = self._error(SandboxError(404, title), style)
                decision = self.limiter.peek()
            elif (access := self._access(request)) is None:
                response = self._unauthorized(sub)
                decision = self.limiter.peek()
            elif access == "read" and request.method not in ("GET", "HEAD"):
                response = self._error(SandboxError(403, "You don't have a required scope to access the endpoint"),
                                       style)
                decision = self.limiter.peek()
            else:
                fault = self.faults.decide(request.method, pattern,
                                           batch=(request.method, pattern) in self.batches)
                if fault is not None and fault not in faults.AFTER:
                    response, decision = self._before(entry, fault)
                else:
                    decision = self.limiter.consume()
                    if not decision.allowed:
                        response = json_response(_TOO_MANY, 429)
                    elif (slot := self.concurrency.enter(request.method, pattern)) is None:
                        decision.headers["X-Retry-After"] = "1"
                        response = json_response(_TOO_MANY, 429)
                        with self._lock:
                            self._concurrency_limited += 1
                    else:
                        response = self._after(entry, fault, request, sub, found, style, pattern)
            response.headers.update(decision.headers)
            self._done(entry, response.status_code)
            if entry["fault"] == "slow":
                time.sleep(self.faults.slow_ms / 1000)
            if self.latency_ms:
                time.sleep(self.latency_ms / 1000)
            entry["answered"] = time.monotonic()   # as the answer leaves, latency included
        finally:
            if slot is not None:
                slot.release()
        return response

    def _before(self, entry: dict[str, Any], fault: str) -> tuple[Response, Any]:
        """A fault that answers instead of the handler; nothing is written."""
        decision = self.limiter.peek() if fault == "429" else self.limiter.consume()
        if not decision.allowed:
            return json_response(_TOO_MANY, 429), decision  # the store's own 429 wins
        self._acted(entry, fault)
        if fault == "drop":
            raise faults.DropConnection("sandbox fault: drop")
        return faults.answer(fault, decision.headers), decision

    def _after(self, entry: dict[str, Any], fault: str | None, request: Request, sub: str,
               found: Any, style: str, pattern: str) -> Response:
        """Run the handler (split by a "partial" fault), then apply an AFTER fault."""
        def dispatch(req: Request) -> Response:
            return self._dispatch(req, sub, found, style)

        batch = self.batches.get((request.method, pattern))
        parts = partial.split(request, batch) if fault == "partial" and batch else None
        if parts is not None:
            response = partial.run(request, batch, *parts, dispatch)
        else:
            response = dispatch(request)
        if fault is not None and (fault != "partial" or parts is not None):
            self._acted(entry, fault)
        if fault == "500_after":
            return faults.server_error()
        if fault == "drop_after":
            raise faults.DropConnection("sandbox fault: drop_after")
        return response

    def _acted(self, entry: dict[str, Any], fault: str) -> None:
        self.faults.acted(fault)
        with self._lock:
            entry["fault"] = fault

    def _dispatch(self, request: Request, sub: str, found: Any, style: str) -> Response:
        try:
            if found is None:
                raise urls.route_not_found()
            route, args = found
            handler = urls.handler_for(route, request.method, sub)
            with self.state.transaction():
                response = handler(Ctx(self.state, request), **args)
                if self.outbox is not None and self.outbox.active and response.status_code < 300 \
                        and request.method in self.outbox.WRITES:
                    self._callbacks(request, route.pattern, args, response)
                return response
        except SandboxError as exc:
            return self._error(exc, style)
        except Exception:  # a sandbox bug: answer 500 and keep serving
            log.exception("sandbox handler failed: %s %s", request.method, sub)
            return json_response({"status": 500, "title": "Internal sandbox error",
                                  "type": ERROR_TYPE, "errors": {}}, 500)

    def _callbacks(self, request: Request, pattern: str, args: dict, response: Response) -> None:
        """Queue the webhook callbacks of one successful write (the model's ``OUTBOX``: ``hooks/delivery.py``)."""
        def parsed(raw: bytes) -> Any:
            try:
                return json.loads(raw) if raw else None
            except ValueError:
                return None
        found = self.outbox.events(request.method, pattern, args, request.args.to_dict(),
                                parsed(request.get_data(cache=True)), parsed(response.get_data()))
        if found:
            self.outbox.emit(found, self.state.all(self.outbox.KIND), self.store_hash)

    @staticmethod
    def _error(exc: SandboxError, style: str) -> Response:
        response = json_response(exc.body(style), exc.status)
        response.headers.update(exc.headers)
        return response

    def _access(self, request: Request) -> str | None:
        """"write" for the token, "read" for the read-only token, None for anything else."""
        given = request.headers.get("X-Auth-Token", "").encode()
        if hmac.compare_digest(given, self._token):
            return "write"
        if self._read_token is not None and hmac.compare_digest(given, self._read_token):
            return "read"
        return None

    @staticmethod
    def _unauthorized(sub: str) -> Response:
        if sub.startswith("/v3/catalog"):
            # P/B/CT declare 401 as content type "plain/text" (sic) with a string body;
            # we send a valid media type, text/plain.
            return Response("Unauthorized: X-Auth-Token is missing or invalid.", status=401,
                            mimetype="text/plain")
        return json_response({"status": 401, "title": "Unauthorized - the v3 Auth client ID or "
                              "token in the request are not a valid combination for this store.",
                              "type": ERROR_TYPE}, 401)  # WH getWebhooks' 401 body

    def _arrive(self, request: Request, sub: str, pattern: str) -> dict[str, Any]:
        items = None
        # Only an array has items to count: a body starting with "{" is not parsed for them.
        if request.method in ("POST", "PUT") and request.content_length \
                and request.get_data(cache=True).lstrip()[:1] != b"{":
            try:
                body = json.loads(request.get_data(cache=True))
                items = len(body) if isinstance(body, list) else None
            except ValueError:
                pass
        # ``path`` is the path as requested; ``route`` its pattern, as in the stats keys.
        # ``fault``: the injected fault that acted on the request, if any; a dropped
        # connection leaves ``status`` None. ``arrived`` / ``answered``: time.monotonic() of
        # this process, so tests can see which requests overlapped.
        # ``body``: a POST/PUT body as text, up to _BODY_LOG_MAX bytes (None beyond it), so
        # tests can check every write against the official specs (tests/contract/).
        # ``agent``: the User-Agent, so a test can tell its client's writes from the
        # writes it makes itself as an admin or another app would.
        body_text = None
        if request.method in ("POST", "PUT") and 0 < (request.content_length or 0) <= _BODY_LOG_MAX:
            body_text = request.get_data(cache=True).decode("utf-8", "replace")
        entry = {"method": request.method, "path": sub, "route": pattern,
                 "query": request.args.to_dict(), "status": None, "items": items, "fault": None,
                 "arrived": time.monotonic(), "answered": None, "body": body_text,
                 "agent": request.headers.get("User-Agent", "")}
        with self._lock:
            self._requests[f"{request.method} {pattern}"] += 1
            self._log.append(entry)
        return entry

    def _done(self, entry: dict[str, Any], status: int) -> None:
        with self._lock:
            entry["status"] = status
            self._responses[str(status)] += 1
            if status == 429:
                self._rate_limited += 1


def _shut(environ: dict) -> None:
    """Close the client's connection now (werkzeug's dev server exposes the socket)."""
    sock = environ.get("werkzeug.socket")
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
