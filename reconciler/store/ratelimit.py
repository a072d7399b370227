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

Quota share (``share``, ``--quota-share``): all apps on a store share its quota, so
a share of 0.5 lets at most ``floor(0.5 x quota)`` of OUR requests into any window
of the store's. What Requests-Left says is everyone's; what is ours we count from
the times our answers came back, against the earliest the store's window can have
started:

- the store stamped Reset-Ms after we sent the request, so its window ends no earlier
  than ``sent + Reset-Ms`` (less the header's 1 ms rounding) and started no earlier
  than that less the window;
- a request reached the store at some time between its send and its answer: every
  request answered since the window can have started may be in it (by send time, the
  request that opened the window would seem to be before it: measured, 13 of ours in
  one window of a 10-request share);
- a request still in flight may land in either window: it counts in both;
- our own guess that a window has ended is late, never early (see release()), so
  the requests sent in between were counted in the old window and are counted
  again in the new one, not forgotten.
"""

from __future__ import annotations

import bisect
import collections
import itertools
import math
import statistics
import threading
import time
import weakref
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

    def __init__(self, clock=time.monotonic, *, max_inflight: int | None = None, ceiling: int = 16,
                 share: float | None = None) -> None:
        # Requests in flight: fixed when the operator says (--parallelism), else
        # set from the quota headers: enough to send quota/window requests per
        # second at the round-trip time we observe (Little's law, with headroom).
        self.max_inflight = max_inflight
        self._ceiling = ceiling
        self._rtt = 0.1
        self._took: collections.deque[float] = collections.deque(maxlen=512)   # the last round trips
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
        self._share: float | None = None
        self.share = share
        self._answered: list[float] = []     # when our answers came back, ascending
        self._start_lo = -math.inf           # the earliest the current window can have started

    @property
    def share(self) -> float | None:
        """The fraction of each window that is ours (None: all of it). It may be set once
        requests have gone: those already answered still count in their window."""
        return self._share

    @share.setter
    def share(self, share: float | None) -> None:
        if share is not None and not 0 < share <= 1:
            raise ValueError(f"quota share must be more than 0 and at most 1, got {share}")
        with self._cond:
            self._share = share
            self._cond.notify_all()

    @property
    def budget(self) -> int | None:
        """Our requests allowed in one window of the store's (None: no share, or quota unknown)."""
        if self.share is None or not self._quota:
            return None
        return max(1, math.floor(self.share * self._quota + 1e-9))

    @property
    def quota(self) -> tuple[int, float] | None:
        """(requests, seconds) per window as the store's headers said; None before the first answer."""
        return (self._quota, self._window_s) if self._quota else None

    def _ours(self) -> int:
        """Our requests that may be in the current window: answered since it can have
        begun, and all those still in flight."""
        return len(self._answered) - bisect.bisect_left(self._answered, self._start_lo) + len(self._inflight)

    def _new_window(self, start_lo: float) -> None:
        self._start_lo = start_lo
        # Forget answers of requests that can be in no window from this one on.
        del self._answered[:bisect.bisect_left(self._answered, start_lo)]

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
                    # The store's next window began at the earliest when the one we
                    # knew could have ended at the earliest.
                    self._new_window(self._start_lo + self._window_s)
                budget = self.budget
                if self._left > 0 and (budget is None or self._ours() < budget):
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
    def rtt_s(self) -> float:
        """The round trip of our requests, as measured (a moving average; 0.1 s before any)."""
        return self._rtt

    @property
    def median_rtt_s(self) -> float | None:
        """The median of the last 512 round trips (None before any): steadier than ``rtt_s``,
        which follows the last few, and less moved than a mean by the few large answers."""
        with self._cond:
            return statistics.median(self._took) if self._took else None

    def window_left(self) -> tuple[int, float] | None:
        """(requests left, seconds until the window ends) as the last answers said; None before."""
        with self._cond:
            if self._left is None or not self._quota:
                return None
            left = self._window_end + _MARGIN_S - self._clock()
            if left <= 0:
                return self._quota, self._window_s     # that window has ended: the next is whole
            return max(0, self._left), left

    @property
    def concurrency(self) -> int:
        """How many requests may be in flight at once."""
        if self.max_inflight:
            return self.max_inflight
        if not self._quota:
            return 4
        rate = (self.budget or self._quota) / self._window_s
        return max(4, min(self._ceiling, math.ceil(rate * self._rtt * 1.25)))

    def release(self, ticket: int, headers: Mapping[str, str] | None, status: int | None) -> float:
        """Record the answer to ``ticket``. Returns seconds to wait before a retry (429)."""
        info = RateInfo.from_headers(headers) if headers is not None else None
        with self._cond:
            self._inflight.discard(ticket)
            sent = self._sent_at.pop(ticket, None)
            # Kept with or without a share (a share set later counts them). Even without
            # an answer (a dropped connection) the request may have reached the store.
            bisect.insort(self._answered, self._clock())
            if sent is not None and status is not None:
                took = self._clock() - sent
                self._rtt = 0.8 * self._rtt + 0.2 * took
                self._took.append(took)
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
                # Stamped after we sent it: this answer's window started no earlier than this.
                start_lo = (sent if sent is not None else now) + (info.reset_ms - 1) / 1000 - self._window_s
                if self._left is None or end > self._window_end + slack:
                    # First answer, or the store has moved on to a new window.
                    self._window_end = end
                    self._left = estimate
                    self._new_window(start_lo)
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
                    self._start_lo = max(self._start_lo, start_lo)
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


_SHARED: "weakref.WeakValueDictionary[str, RateLimiter]" = weakref.WeakValueDictionary()
_SHARED_LOCK = threading.Lock()


def shared_limiter(store: str) -> RateLimiter:
    """The one limiter of this process for ``store``: every client of the same store that
    asks for it in one command (apply's lock, its plan, its writes) spends from the same
    count, so a share set on it (``limiter.share``) holds for them together. It lives
    while a client holds it."""
    with _SHARED_LOCK:
        limiter = _SHARED.get(store)
        if limiter is None:
            limiter = _SHARED[store] = RateLimiter()
        return limiter
