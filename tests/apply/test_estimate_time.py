"""apply_seconds (reconciler/apply/estimate.py): a count of requests as time at a quota."""

from __future__ import annotations

import math

from hypothesis import given, strategies as st

from reconciler.apply.estimate import apply_seconds
from reconciler.plan.values import estimate_lines

quotas = st.integers(1, 2000)
windows = st.sampled_from([0.5, 3.0, 30.0])
shares = st.one_of(st.none(), st.floats(0.05, 1.0))
rtts = st.floats(0.001, 0.5)
conc = st.integers(1, 16)


def _args(draw_quota, window, share, left_frac, reset_frac, c, rtt):
    return dict(quota=draw_quota, window_s=window, share=share, left=math.floor(left_frac * draw_quota),
                reset_s=reset_frac * window, concurrency=c, rtt_s=rtt)


@given(st.integers(0, 20000), st.integers(0, 2000), quotas, windows, shares, st.floats(0, 1), st.floats(0, 1),
       conc, rtts)
def test_more_requests_never_take_less_time(n, more, q, w, share, lf, rf, c, rtt):
    args = _args(q, w, share, lf, rf, c, rtt)
    assert apply_seconds(n + more, **args) >= apply_seconds(n, **args)


@given(st.integers(1, 20000), quotas, windows, shares, st.floats(0, 1), conc, rtts)
def test_never_faster_than_the_quota_allows(n, q, w, share, rf, c, rtt):
    budget = max(1, math.floor(share * q + 1e-9)) if share else q
    # A fresh first window (all of the budget left): N requests need N x W / budget - W at least.
    t = apply_seconds(n, quota=q, window_s=w, share=share, left=q, reset_s=w, concurrency=c, rtt_s=rtt)
    assert t >= n * w / budget - w - 1e-9
    # Whatever the first window has left, never below the next windows' pace.
    t = apply_seconds(n, quota=q, window_s=w, share=share, left=0, reset_s=rf * w, concurrency=c, rtt_s=rtt)
    assert t >= n * w / budget - w - 1e-9
    assert t >= n * rtt / c - 1e-9


@given(st.integers(1, 20000), quotas, windows, conc, rtts)
def test_a_share_never_makes_it_faster(n, q, w, c, rtt):
    whole = apply_seconds(n, quota=q, window_s=w, concurrency=c, rtt_s=rtt)
    assert apply_seconds(n, quota=q, window_s=w, share=0.5, concurrency=c, rtt_s=rtt) >= whole


def test_within_the_first_window_it_is_the_wire_pace():
    assert apply_seconds(100, quota=150, window_s=30, left=150, reset_s=30, concurrency=4, rtt_s=0.2) == 5.0
    assert apply_seconds(0, quota=150, window_s=30) == 0.0


def test_windows_after_the_first():
    # 150 left in a window ending in 10 s, then 300 more: two more windows, the last full.
    assert apply_seconds(450, quota=150, window_s=30, left=150, reset_s=10, concurrency=10, rtt_s=0.1) == 10 + 30 + 1.5
    # A share of 0.5: 75 a window.
    assert apply_seconds(225, quota=150, window_s=30, share=0.5, left=150, reset_s=30, concurrency=1,
                         rtt_s=0.01) == 30 + 30 + 0.75


def test_the_lines():
    est = {"requests": 412, "phases": {"lock": 2, "check": 7, "write": 403}, "seconds": 83.2,
           "quota": {"requests": 150, "window_s": 30.0, "share": 0.5}, "read": {"requests": 166, "seconds": 3.1}}
    assert estimate_lines(est) == [
        "Apply: 412 requests (lock 2, check 7, write 403), ≈ 1 min 23 s at 150 per 30 s (your share 50 %)",
        "Read: 166 requests in 3.1 s"]
    assert estimate_lines({"read": {"requests": 166, "seconds": 3.1}}) == ["Read: 166 requests in 3.1 s"]
    assert estimate_lines(None) == []
    # A read faster than the 0.1 s it is rounded to does not say it took no time.
    assert estimate_lines({"read": {"requests": 8, "seconds": 0.0}}) == ["Read: 8 requests in under 0.1 s"]
