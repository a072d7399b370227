"""The client's rate limiter: what it learns from the X-Rate-Limit-* headers (a fake clock)."""

from __future__ import annotations

from reconciler.store.ratelimit import RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def headers(left: int, reset_ms: int, quota: int = 150, window_ms: int = 3000) -> dict[str, str]:
    return {"X-Rate-Limit-Requests-Left": str(left), "X-Rate-Limit-Time-Reset-Ms": str(reset_ms),
            "X-Rate-Limit-Requests-Quota": str(quota), "X-Rate-Limit-Time-Window-Ms": str(window_ms)}


def test_the_window_ends_at_the_earliest_answers_estimate():
    """An answer read late (its thread waited) says the same Reset-Ms as it was stamped with,
    so now + Reset-Ms comes out later than the window's true end: the earliest estimate wins."""
    clock = Clock()
    limiter = RateLimiter(clock)
    first = limiter.acquire()
    clock.now = 0.05                       # stamped at 0.02 with 2980 ms left: end 3.00 (+0.03)
    limiter.release(first, headers(149, 2980), 200)
    assert abs(limiter._window_end - 3.03) < 1e-9
    late = limiter.acquire()
    clock.now = 1.30                       # stamped at 0.80 (2200 ms left), read 0.5 s later
    limiter.release(late, headers(148, 2200), 200)
    assert abs(limiter._window_end - 3.03) < 1e-9   # not 3.50


def test_a_spent_window_waits_for_its_end_then_sends():
    clock = Clock()
    limiter = RateLimiter(clock, max_inflight=4)
    ticket = limiter.acquire()
    clock.now = 0.05
    limiter.release(ticket, headers(0, 2950), 200)    # the quota is spent until 3.0
    assert limiter._left == 0
    clock.now = 3.1                                    # past the end (+ margin): a new window
    ticket = limiter.acquire()
    assert limiter._left == 149 and ticket
