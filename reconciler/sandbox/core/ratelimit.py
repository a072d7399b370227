"""BigCommerce-style rate limiting (FACTS §4, d:rate, d:about).

A fixed window of ``window_ms`` starts at the first counted request after the previous
window ended; each window allows ``quota`` requests. Every API answer carries the four
``X-Rate-Limit-*`` headers; a refused request (429) also carries ``X-Retry-After`` in whole
seconds, rounded up.

    >>> rl = RateLimiter(quota=2, window_ms=1000)
    >>> [rl.consume().allowed for _ in range(3)]
    [True, True, False]

``peek()`` gives the headers without spending quota (used for requests that fail auth).
Thread-safe: one Lock around the window arithmetic.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from typing import Callable


@dataclass
class Decision:
    allowed: bool
    headers: dict[str, str] = field(default_factory=dict)


class RateLimiter:
    def __init__(self, quota: int = 150, window_ms: int = 30000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self.quota = quota
        self.window_ms = window_ms
        self._start: float | None = None
        self._used = 0

    def configure(self, quota: int | None = None, window_ms: int | None = None) -> None:
        with self._lock:
            if quota is not None:
                self.quota = int(quota)
            if window_ms is not None:
                self.window_ms = int(window_ms)
            self._start, self._used = None, 0

    def reset(self) -> None:
        self.configure()

    def _remaining_ms(self, now: float) -> float | None:
        """Ms left in the current window, or None when no window is running."""
        if self._start is None:
            return None
        left = self._start + self.window_ms / 1000 - now
        return left * 1000 if left > 0 else None

    def _headers(self, remaining_ms: float | None) -> dict[str, str]:
        # ⚠ d:rate describes Reset-Ms with the window's text; d:about's "ms left until the
        # quota refreshes" is what a client can act on, so that is what we send.
        reset = self.window_ms if remaining_ms is None else math.ceil(remaining_ms)
        left = self.quota if remaining_ms is None else max(self.quota - self._used, 0)
        return {
            "X-Rate-Limit-Time-Window-Ms": str(self.window_ms),
            "X-Rate-Limit-Time-Reset-Ms": str(reset),
            "X-Rate-Limit-Requests-Quota": str(self.quota),
            "X-Rate-Limit-Requests-Left": str(left),
        }

    def consume(self) -> Decision:
        with self._lock:
            now = self._clock()
            remaining = self._remaining_ms(now)
            if remaining is None:
                self._start, self._used = now, 0
                remaining = float(self.window_ms)
            if self._used >= self.quota:
                headers = self._headers(remaining)
                headers["X-Retry-After"] = str(max(1, math.ceil(remaining / 1000)))
                return Decision(False, headers)
            self._used += 1
            return Decision(True, self._headers(remaining))

    def peek(self) -> Decision:
        with self._lock:
            return Decision(True, self._headers(self._remaining_ms(self._clock())))
