"""--quota-share: our apply leaves the store's other apps their part of every window.

A second app (a thread making plain HTTP requests, as an ERP sync would) runs at its
fair rate during our apply. Its part of a window of Q requests at share 0.5 is Q/2; it
sends at most (Q/2 - 2) per window: each request at least a window/(Q/2 - 2) after the
one before, never catching up after a stall (a thread delayed by a loaded machine that
then sent its backlog at once was the other app's burst, not ours: seen once on CI), and
one more of margin for requests that are delayed on their way and arrive closer together
than they were sent. Any window then holds fewer than Q/2 of its requests, whatever
the window's phase. With our share it sees no 429; without it (the
control) our apply takes what the store has left and it does see 429s.

Small quota and a short window keep both runs to a few seconds.
"""

from __future__ import annotations

import threading
import time

import pytest
import requests

from tests.e2e.conftest import write_catalog

QUOTA, WINDOW_MS, LATENCY_MS = 20, 500, 10
OTHER_PER_WINDOW = QUOTA // 2 - 2
PRODUCTS = 40     # one POST each: with the plan's reads and the lock, ≈ 5 windows of our share


class SteadyApp(threading.Thread):
    """Another app on the store: GET requests at a steady rate, counting its 429s."""

    def __init__(self, sandbox, per_window: int) -> None:
        super().__init__(daemon=True, name="other-app")
        self.url = f"{sandbox.url}/stores/{sandbox.store_hash}/v3/catalog/brands"
        self.token = sandbox.token
        self.interval = WINDOW_MS / 1000 / per_window
        self.stop = threading.Event()
        self.sent = 0
        self.limited = 0

    def run(self) -> None:
        session = requests.Session()
        session.headers.update({"X-Auth-Token": self.token, "Accept": "application/json"})
        while not self.stop.is_set():
            began = time.monotonic()
            status = session.get(self.url, params={"limit": 1}, timeout=5).status_code
            self.sent += 1
            self.limited += status == 429
            # An interval from the last send (not "after the answer", not on a fixed
            # schedule that would catch up in a burst after a stall).
            delay = began + self.interval - time.monotonic()
            if delay > 0:
                self.stop.wait(delay)


def _catalog(tmp_path, share_setting: str = ""):
    products = "\n".join(
        f"  - {{sku: QS-{i:03d}, name: Quota share product {i}, type: physical, price: {i + 1}.50, weight: 0.1}}"
        for i in range(PRODUCTS))
    return write_catalog(tmp_path, {"store.yaml": f"store:\n  name: quota share\n{share_setting}",
                                    "products.yaml": "products:\n" + products + "\n"})


def _apply_beside_other_app(sandbox, run_cli, catalog, *share_args: str) -> tuple[SteadyApp, float, object]:
    sandbox.configure(quota=QUOTA, window_ms=WINDOW_MS, latency_ms=LATENCY_MS)
    other = SteadyApp(sandbox, per_window=OTHER_PER_WINDOW)
    other.start()
    try:
        time.sleep(WINDOW_MS / 1000)          # it is already running when we start
        start = time.monotonic()
        result = run_cli("apply", "--auto-approve", "--catalog", catalog, *share_args)
        took = time.monotonic() - start
        time.sleep(WINDOW_MS / 1000)
    finally:
        other.stop.set()
        other.join(5)
    return other, took, result


def _windows(sandbox) -> list[tuple[int, int]]:
    """(ours, theirs) in each of the store's fixed windows, rebuilt from arrival times
    (approximate at the edges: the store counts a request a moment after it arrives);
    for a failure's message, so it says which side went over its part."""
    windows: list[list[int]] = []
    end = None
    for r in sorted(sandbox.requests(), key=lambda r: r["arrived"]):
        if end is None or r["arrived"] >= end:
            end = r["arrived"] + WINDOW_MS / 1000
            windows.append([0, 0])
        windows[-1][0 if str(r.get("agent", "")).startswith("catalog-reconciler") else 1] += 1
    return [tuple(w) for w in windows]


@pytest.mark.parametrize("how", ["option", "store.yaml"])
def test_with_a_share_of_half_the_other_app_sees_no_429(sandbox, run_cli, tmp_path, how):
    if how == "option":
        catalog = _catalog(tmp_path)
        other, took, result = _apply_beside_other_app(sandbox, run_cli, catalog, "--quota-share", "0.5")
    else:
        catalog = _catalog(tmp_path, "  quota_share: 0.5\n")
        other, took, result = _apply_beside_other_app(sandbox, run_cli, catalog)
    assert result.exit_code == 0, result.output
    assert sandbox.state.count("product") == PRODUCTS
    ours = sum(1 for r in sandbox.requests() if str(r.get("agent", "")).startswith("catalog-reconciler"))
    assert other.sent >= 3 * OTHER_PER_WINDOW, other.sent
    assert other.limited == 0, (f"the other app got {other.limited} 429s of {other.sent} (our apply "
                                f"took {took:.1f} s); per window, by arrival: {_windows(sandbox)}")
    # Our requests could not have gone faster than half the quota per window.
    windows = ours / (QUOTA // 2)
    assert took >= (windows - 1) * WINDOW_MS / 1000 * 0.9, (ours, took)


def test_without_a_share_the_other_app_is_starved(sandbox, run_cli, tmp_path):
    """The control: the same apply beside the same app, without a share, takes the whole
    quota; so the test above can fail."""
    other, _, result = _apply_beside_other_app(sandbox, run_cli, _catalog(tmp_path))
    assert result.exit_code == 0, result.output
    assert other.limited > 0, f"the other app got no 429 in {other.sent} requests"
