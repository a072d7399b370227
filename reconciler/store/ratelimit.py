"""Client-side pacing from the store's own X-Rate-Limit-* headers.

BigCommerce gives each store a quota of requests per window (150 per 30 s on
Standard), shared by every app, and reports it on every response:
``X-Rate-Limit-Requests-Left`` and ``X-Rate-Limit-Time-Reset-Ms`` (FACTS.md §4).
The limiter keeps an estimate of what is left in the current window and lets a
request go only while that estimate is positive, so parallel workers keep the
quota busy without ever spending past it. On a 429 it waits the reset the store
announced (the longer of Reset-Ms and X-Retry-After), never a blind sleep loop.

Accounting, in one picture:

    send order      s1  s2  s3  s4        (s3, s4 still in flight)
    response of s2  -> Requests-Left = 10
    estimate        = 10 - |in flight sent after s2| = 10 - 2 = 8

A response can arrive out of order; the estimate from an older request is
higher than the truth, so within one window we keep the minimum.
"""

from __future__ import annotations

import itertools
import math
import threading
import time
from dataclasses import dataclass
from typing import Mapping

# Our estimate of the window's end is taken when a response arrives, after the
# store computed Reset-Ms, so it is already late; the margin covers clock jitter.
_MARGIN_S = 0.02


@dataclass
class RateInfo:
    left: int
    reset_ms: int
    quota: int | None
    window_ms: int | None
    retry_after_s: float | None = None

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> "RateInfo | None":
        h = {k.lower(): v for k, v in headers.items()}
        try:
            left = int(h["x-rate-limit-requests-left"])
            reset_ms = int(h["x-rate-limit-time-reset-ms"])
        except (KeyError, ValueError):
            return None
        return cls(
            left=left,
            reset_ms=reset_ms,
            quota=_int(h.get("x-rate-limit-requests-quota")),
            window_ms=_int(h.get("x-rate-limit-time-window-ms")),
            retry_after_s=_float(h.get("x-retry-after")),
        )


def _int(v: str | None) -> int | None:
    try:
        return int(v) if v is not None else None
    except ValueError:
        return None


def _float(v: str | None) -> float | None:
    try:
        return float(v) if v is not None else None
    except ValueError:
        return None


class RateLimiter:
    """Hands out permits to send; learns the quota from response headers."""

    def __init__(self, clock=time.monotonic, *, max_inflight: int | None = None, ceiling: int = 16) -> None:
        # Requests in flight: fixed when the operator says (--parallelism), else
        # set from the quota headers: enough to send quota/window requests per
        # second at the round-trip time we observe (Little's law, with headroom).
        self.max_inflight = max_inflight
        self._ceiling = ceiling
        self._rtt = 0.1
        self._sent_at: dict[int, float] = {}
        self._clock = clock
        self._cond = threading.Condition()
        self._seq = itertools.count(1)
        self._inflight: set[int] = set()
        self._left: int | None = None        # None until the first response
        self._quota: int | None = None
        self._window_s: float = 30.0
        self._window_end = 0.0
        self.waited_s = 0.0                  # time spent waiting for the quota
        self.rate_limited = 0                # 429 answers seen

    def acquire(self) -> int:
        """Block until a request may be sent; returns its ticket."""
        with self._cond:
            while True:
                now = self._clock()
                if self._left is None:
                    # Nothing known yet: one probe request at a time.
                    if not self._inflight:
                        break
                    self._cond.wait(0.05)
                    continue
                if len(self._inflight) >= self.concurrency:
                    self._cond.wait(0.05)
                    continue
                if now >= self._window_end + _MARGIN_S and self._quota is not None:
                    # The window we knew has ended. Requests still in flight may
                    # land in the new one, so they are counted against it.
                    self._left = self._quota - len(self._inflight)
                    self._window_end = now + self._window_s
                if self._left > 0:
                    self._left -= 1
                    break
                wait = max(self._window_end + _MARGIN_S - now, 0.005)
                started = self._clock()
                self._cond.wait(wait)
                self.waited_s += self._clock() - started
            ticket = next(self._seq)
            self._inflight.add(ticket)
            self._sent_at[ticket] = self._clock()
            return ticket

    @property
    def learned_quota(self) -> tuple[int, float] | None:
        """(requests, window in seconds) as the store's headers announced them; None before."""
        return (self._quota, self._window_s) if self._quota else None

    @property
    def concurrency(self) -> int:
        """How many requests may be in flight at once."""
        if self.max_inflight:
            return self.max_inflight
        if not self._quota:
            return 4
        rate = self._quota / self._window_s
        return max(4, min(self._ceiling, math.ceil(rate * self._rtt * 1.25)))

    def release(self, ticket: int, headers: Mapping[str, str] | None, status: int | None) -> float:
        """Record the answer to ``ticket``. Returns seconds to wait before a retry (429)."""
        info = RateInfo.from_headers(headers) if headers is not None else None
        with self._cond:
            self._inflight.discard(ticket)
            sent = self._sent_at.pop(ticket, None)
            if sent is not None and status is not None:
                self._rtt = 0.8 * self._rtt + 0.2 * (self._clock() - sent)
            wait = 0.0
            if info is not None:
                now = self._clock()
                if info.quota:
                    self._quota = info.quota
                if info.window_ms:
                    self._window_s = info.window_ms / 1000
                end = now + info.reset_ms / 1000
                later = sum(1 for t in self._inflight if t > ticket)
                estimate = info.left - later
                slack = max(0.1, self._window_s * 0.25)
                if self._left is None or end > self._window_end + slack:
                    # First answer, or the store has moved on to a new window.
                    self._window_end = end
                    self._left = estimate
                elif end < self._window_end - 2 * slack:
                    # A late answer from the window before: its count is of that
                    # window, not of the one we are spending now.
                    pass
                else:
                    # Every answer's estimate is late by the time it spent on its way and
                    # waiting for this process (now >= when the store stamped Reset-Ms), so
                    # each is an upper bound of the window's end: the smallest is the
                    # closest and still never early. (The largest made a busy client wait
                    # 0.4 s past a 3 s window at 10,000 products.)
                    self._window_end = min(self._window_end, end)
                    self._left = min(self._left, estimate)
                if status == 429:
                    # The store's own word on when the quota comes back wins over
                    # any estimate we had.
                    self.rate_limited += 1
                    wait = max(info.reset_ms / 1000, info.retry_after_s or 0.0)
                    self._left = 0
                    self._window_end = now + wait
            elif self._left is None and status is not None:
                # An answer without rate headers (e.g. a proxy error): keep probing.
                self._left = None
            self._cond.notify_all()
            return wait
