"""The one place that talks HTTP: Session, pacing, retries, error mapping.

- Every request waits for a permit from the RateLimiter (store headers decide).
- 429 is always safe to retry (the store did not process it): wait the reset.
  429s are pacing, not failures: they have their own allowance (PACING_S from a
  request's first 429) and never spend the 5xx retry budget, nor it theirs.
- GET, PUT and DELETE are retried on 5xx and connection errors with backoff
  (``max_retries`` of them). A DELETE resent after a 5xx or a lost answer that
  meets 404 has succeeded (the earlier attempt did it): a 404 Response, no error.
  A first attempt's 404 stays an error (NotFound), for the caller to judge.
- POST is retried only when the connection was never made; after a 5xx or a
  read timeout "data may have made it to the server", so the caller must look
  before it tries again (StoreUnavailable says so).
- Error answers become the most specific StoreHTTPError, carrying method, path,
  status and the parsed body. Nothing here ever formats the token.

Bodies go out with Decimals as JSON numbers and come back with JSON floats as
Decimals, so money is never rounded through a float in our code. Equal number
texts share one Decimal (a 10,000-product read has 240,000 floats but 6,000
distinct ones; Decimals are immutable).
"""

from __future__ import annotations

import json
import logging
import random
import re
import threading
import time
from decimal import Decimal
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from reconciler.core import errors
from reconciler.resources.fields import shared_decimal
from reconciler.store.config import StoreConfig
from reconciler.store.ratelimit import RateLimiter

log = logging.getLogger(__name__)

RETRYABLE_STATUS = {500, 502, 503, 504}
IDEMPOTENT = {"GET", "PUT", "DELETE", "HEAD"}
# How long one request keeps waiting out 429s (pacing, not failures: FACTS.md §4
# "retry later"), counted from its first 429. Ten windows of 30 s.
PACING_S = 300.0
BACKOFF_S = 0.25          # the first 5xx retry's delay; doubled each time, at most 10 s

_STATUS_ERRORS: dict[int, type[errors.StoreHTTPError]] = {
    401: errors.Unauthorized,
    403: errors.Unauthorized,
    404: errors.NotFound,
    409: errors.Conflict,
    413: errors.PayloadTooLarge,
    422: errors.Unprocessable,
    429: errors.RateLimited,
}


def _encode(obj: Any) -> Any:
    if isinstance(obj, Decimal):
        # float() of a Decimal with a few places prints back as the same text.
        return int(obj) if obj == obj.to_integral_value() else float(obj)
    raise TypeError(f"cannot encode {type(obj).__name__} as JSON")


def dumps(body: Any) -> str:
    return json.dumps(body, default=_encode, separators=(",", ":"))


# Per-endpoint concurrency limits (FACTS.md §4): past them the store answers 429
# "and your additional requests will fail". Where the sources disagree (PUT
# records: spec 2, guide 1) the stricter reading.
ENDPOINT_CONCURRENCY: tuple[tuple[str, re.Pattern, int], ...] = tuple(
    (method, re.compile(pattern), limit) for method, pattern, limit in (
        ("PUT", r"^/v3/pricelists/\d+/records$", 1),
        ("GET", r"^/v3/pricelists/\d+/records$", 10),
        ("POST", r"^/v3/pricelists/\d+/records$", 10),
        ("PUT", r"^/v3/pricelists/records$", 1),
        ("POST", r"^/v3/pricelists/records$", 10),
        ("DELETE", r"^/v3/pricelists/\d+$", 1),
        ("GET", r"^/v3/pricelists/\d+/records/\d+$", 40),
        ("GET", r"^/v3/pricelists/\d+/records/\d+/\w+$", 50),
        ("PUT", r"^/v3/pricelists/\d+/records/\d+/\w+$", 40),
        ("DELETE", r"^/v3/pricelists/\d+/records/\d+/\w+$", 25),
        ("PUT", r"^/v3/pricelists/\d+/assignments$", 25),
        ("GET", r"^/v3/catalog/categories(/\d+)?$", 40),
        ("PUT", r"^/v3/catalog/categories/\d+$", 40),
        ("DELETE", r"^/v3/catalog/categories/\d+$", 40),
        ("GET", r"^/v3/catalog/trees/\d+/categories$", 1),
        ("GET", r"^/v2/customer_groups$", 40),
        ("POST", r"^/v2/customer_groups$", 40),
        ("DELETE", r"^/v2/customer_groups/\d+$", 40),
        # "Avoid parallel assignment requests if possible" (FACTS.md 8)
        ("PUT", r"^/v3/catalog/products/channel-assignments$", 1),
        ("DELETE", r"^/v3/catalog/products/channel-assignments$", 1),
    )
)


class Response:
    """What callers see: status, parsed JSON (Decimals for floats), headers."""

    def __init__(self, status: int, data: Any, headers: dict[str, str]) -> None:
        self.status = status
        self.data = data
        self.headers = headers


class Transport:
    def __init__(
        self,
        config: StoreConfig,
        *,
        pool_size: int = 16,
        max_retries: int = 5,
        backoff_s: float | None = None,
        pacing_s: float = PACING_S,
        limiter: RateLimiter | None = None,
    ) -> None:
        self.config = config
        self.limiter = limiter or RateLimiter()
        self.max_retries = max_retries
        self.backoff_s = BACKOFF_S if backoff_s is None else backoff_s
        self.pacing_s = pacing_s
        self._local = threading.local()
        self._pool_size = pool_size
        self._sessions: list[requests.Session] = []
        self._lock = threading.Lock()
        self._gates = {i: threading.BoundedSemaphore(limit) for i, (_, _, limit) in enumerate(ENDPOINT_CONCURRENCY)}
        self.sent = 0                 # requests that reached the wire (incl. retries)
        self.by_status: dict[int, int] = {}

    # A Session per thread: requests.Session is not documented as thread-safe.
    def _session(self) -> requests.Session:
        s = getattr(self._local, "session", None)
        if s is None:
            s = requests.Session()
            adapter = HTTPAdapter(pool_connections=1, pool_maxsize=self._pool_size, max_retries=0)
            s.mount("http://", adapter)
            s.mount("https://", adapter)
            s.headers.update({
                "X-Auth-Token": self.config.token,
                "Accept": "application/json",
                "Content-Type": "application/json",
                "User-Agent": "catalog-reconciler/0.1",
            })
            self._local.session = s
            with self._lock:
                self._sessions.append(s)
        return s

    def close(self) -> None:
        with self._lock:
            for s in self._sessions:
                s.close()
            self._sessions.clear()

    def request(self, method: str, path: str, *, params: dict | None = None, body: Any = None) -> Response:
        """Send one API request (path below /stores/{hash}, e.g. "/v3/catalog/brands")."""
        gate = self._gate(method, path)
        if gate is None:
            return self._request(method, path, params=params, body=body)
        with gate:
            return self._request(method, path, params=params, body=body)

    def _gate(self, method: str, path: str) -> threading.BoundedSemaphore | None:
        for i, (m, pattern, _) in enumerate(ENDPOINT_CONCURRENCY):
            if m == method and pattern.match(path):
                return self._gates[i]
        return None

    def _request(self, method: str, path: str, *, params: dict | None = None, body: Any = None) -> Response:
        url = self.config.base_url + path
        data = dumps(body) if body is not None else None
        failures = 0          # 5xx answers and lost connections: the retry budget (max_retries)
        pacing = _Pacing(self.pacing_s)   # 429s: pacing, with an allowance of their own
        unsure = False        # an earlier attempt may have been applied (5xx, or no answer)
        while True:
            ticket = self.limiter.acquire()
            try:
                resp = self._session().request(
                    method, url, params=params, data=data, timeout=self.config.timeout
                )
            except requests.RequestException as exc:
                self.limiter.release(ticket, None, None)
                failures += 1
                if self._may_retry_exception(method, exc, failures):
                    unsure = True
                    self._sleep_backoff(failures)
                    continue
                raise self._unavailable(method, path, exc, failures) from None
            wait = self.limiter.release(ticket, resp.headers, resp.status_code)
            with self._lock:
                self.sent += 1
                self.by_status[resp.status_code] = self.by_status.get(resp.status_code, 0) + 1
            status = resp.status_code
            if status == 429 and pacing.another(wait):
                # Rate-limited answers were not processed: always safe to resend. The
                # limiter holds every request until the announced reset; a 429 without
                # rate headers (platform load) backs off here.
                if wait <= 0:
                    self._sleep_backoff(min(pacing.count, 7))
                log.info("429 on %s %s; waiting %.2fs for the window to reset", method, path, wait)
                continue
            if status in RETRYABLE_STATUS and method in IDEMPOTENT and failures < self.max_retries:
                failures += 1
                unsure = True
                self._sleep_backoff(failures)
                continue
            if status == 404 and method == "DELETE" and unsure:
                # The earlier attempt deleted it and its answer was lost: done.
                log.info("DELETE %s resent after a lost answer met 404: it was deleted", path)
                return Response(404, None, dict(resp.headers))
            if status == 429:
                raise self._rate_limited(method, path, resp, pacing)
            if status >= 400:
                raise self._http_error(method, path, resp, failures)
            return Response(status, _parse(resp, shared_decimal), dict(resp.headers))

    def _may_retry_exception(self, method: str, exc: Exception, attempt: int) -> bool:
        if attempt > self.max_retries:
            return False
        if method in IDEMPOTENT:
            return True
        # A POST may be resent only if it certainly never reached the server.
        return isinstance(exc, requests.ConnectTimeout) or (
            isinstance(exc, requests.ConnectionError) and "NewConnectionError" in repr(exc)
        )

    def _sleep_backoff(self, attempt: int) -> None:
        delay = self.backoff_s * (2 ** (attempt - 1))
        time.sleep(min(delay, 10.0) * (0.5 + random.random() / 2))

    def _unavailable(self, method: str, path: str, exc: Exception, tries: int = 1) -> errors.StoreUnavailable:
        kind = type(exc).__name__
        msg = f"{method} {path}: the store could not be reached ({kind}){_after(tries)}"
        if method not in IDEMPOTENT:
            msg += "; the request may or may not have been applied: run `catalog plan` to see"
        return errors.StoreUnavailable(msg, method=method, path=path)

    def _rate_limited(self, method: str, path: str, resp: requests.Response, pacing: "_Pacing") -> errors.StoreHTTPError:
        """A 429 past the pacing allowance: the error says which request and how long it waited."""
        return self._http_error(method, path, resp, context=(
            f"still rate-limited after {pacing.count} wait(s) over {pacing.elapsed():.0f} s; "
            f"the allowance is {pacing.seconds:.0f} s"))

    def _http_error(self, method: str, path: str, resp: requests.Response, tries: int = 0,
                    context: str = "") -> errors.StoreHTTPError:
        body = _parse(resp, shared_decimal)
        title, detail = "", None
        if isinstance(body, dict):
            title = str(body.get("title") or body.get("message") or "")
            detail = body.get("errors") or body.get("batch_errors") or body.get("detail")
        elif isinstance(body, list) and body and isinstance(body[0], dict):  # v2 error arrays
            title = "; ".join(str(e.get("message") or e.get("title") or "") for e in body)
        elif isinstance(body, str) and not _is_html(resp):
            title = body.strip()[:200]   # a gateway's HTML page says nothing the status does not
        status = resp.status_code
        cls = _STATUS_ERRORS.get(status, errors.StoreHTTPError if status < 500 else errors.StoreUnavailable)
        reason = resp.reason or ""
        msg = f"BigCommerce {status} {reason}".rstrip()
        if title:
            msg += f": {title}"
        if isinstance(detail, dict) and detail:
            msg += " (" + "; ".join(f"{k}: {v}" for k, v in detail.items()) + ")"
        if status == 401:
            msg += " — check BIGCOMMERCE_ACCESS_TOKEN and BIGCOMMERCE_STORE_HASH"
        if context:
            msg = f"{method} {path}: {msg} ({context})"
        if cls is errors.StoreUnavailable:
            return errors.StoreUnavailable(f"{method} {path}: {msg}{_after(tries + 1)}", method=method, path=path)
        return cls(
            msg,
            method=method,
            path=path,
            status=status,
            title=title,
            errors=detail,
            body=body,
            request_id=resp.headers.get("X-Request-Id"),
        )


class _Pacing:
    """One request's allowance for 429s: as many as come within ``seconds`` of the
    first. Separate from the 5xx budget: a 429 was not processed, it only paces."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.count = 0
        self.since: float | None = None

    def another(self, wait: float) -> bool:
        """Record a 429 whose announced wait is ``wait``; False once past the allowance."""
        now = time.monotonic()
        self.since = now if self.since is None else self.since
        if now + max(wait, 0.0) - self.since > self.seconds:
            return False
        self.count += 1
        return True

    def elapsed(self) -> float:
        return time.monotonic() - self.since if self.since is not None else 0.0


def _after(tries: int) -> str:
    return f" (gave up after {tries} attempts)" if tries > 1 else ""


def _is_html(resp: requests.Response) -> bool:
    return "html" in resp.headers.get("Content-Type", "")


def _parse(resp: requests.Response, parse_float=Decimal) -> Any:
    if not resp.content:
        return None
    ctype = resp.headers.get("Content-Type", "")
    if "json" in ctype:
        try:
            return json.loads(resp.content, parse_float=parse_float)
        except ValueError:
            return resp.text
    return resp.text
