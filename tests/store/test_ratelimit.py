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


def test_a_share_counts_the_request_that_opened_the_window():
    """Share 0.5 of 10 per 1 s: 5 of ours per window. The window's first request was sent
    at 0.9995 and opened the window on arrival (1.0003, ending 2.0003); a later answer's
    Reset-Ms puts the window's start no earlier than 1.000, after that send. By send time
    the opener would fall before the window and a 6th request would go (measured in the
    sandbox: 13 of ours in one window of a 10-request share); by answer time it counts."""
    import math
    import threading

    clock = Clock()
    limiter = RateLimiter(clock, share=0.5)
    end = 2.0003
    clock.now = 0.9995
    opener = limiter.acquire()
    clock.now = 1.010
    limiter.release(opener, headers(9, math.ceil((end - 1.0004) * 1000), 10, 1000), 200)
    for k in range(4):
        clock.now = 1.020 + k * 0.01
        ticket = limiter.acquire()
        clock.now += 0.0001                       # stamped at once, answered at once
        limiter.release(ticket, headers(8 - k, math.ceil((end - clock.now) * 1000), 10, 1000), 200)
    assert limiter.budget == 5 and limiter._ours() == 5
    got: list[int] = []
    sixth = threading.Thread(target=lambda: got.append(limiter.acquire()), daemon=True)
    sixth.start()
    sixth.join(0.2)
    assert got == [], "a 6th request of ours went into a window of 5"
    clock.now = end + 0.05                        # the window is over: it goes
    sixth.join(2)
    assert len(got) == 1


def test_a_share_set_after_requests_counts_them():
    """Apply's lock is taken before store.yaml is read: its requests count once the share is set."""
    clock = Clock()
    limiter = RateLimiter(clock)
    for k in range(3):
        ticket = limiter.acquire()
        clock.now += 0.01
        limiter.release(ticket, headers(9 - k, 1000 - 10 * (k + 1), 10, 1000), 200)
    limiter.share = 0.3
    assert limiter.budget == 3 and limiter._ours() == 3


def test_window_left_and_the_round_trips_for_the_estimate():
    """What the plan's estimate reads: the window's requests left and time to its end as the
    last answers said, a whole window once that one has ended; the median round trip."""
    clock = Clock()
    limiter = RateLimiter(clock)
    assert limiter.window_left() is None and limiter.median_rtt_s is None
    for took in (0.02, 0.03, 0.9):        # one slow answer does not move the median
        ticket = limiter.acquire()
        clock.now += took
        limiter.release(ticket, headers(140, 2000), 200)
    left, seconds = limiter.window_left()
    assert left == 140 and 1.9 < seconds <= 2.03
    assert abs(limiter.median_rtt_s - 0.03) < 1e-9
    clock.now += 2.5
    assert limiter.window_left() == (150, 3.0)
