"""--quota-share 0.5 beside another app, against the same apply without a share (issue 16:
"the second client sees 0 429s during a 1,000-change apply; our apply takes ≤ 2.2× its
unshared time").

    .venv/bin/python -m bench.quota_share                     # make bench
    .venv/bin/python -m bench.quota_share --pairs 3 --window-ms 1000

The sandbox runs in this process with the Standard quota, 150 requests a window, on a
1 s window instead of 30 s (a 1,000-request apply then takes seconds, not minutes), and
``--latency-ms`` on every answer. The apply creates 1,000 products (one POST each, plus
their channel listings) in a store that has their brands and categories.

Each pair runs, one after the other on the same store (reset between runs):

- ``alone``: our apply, no share, no other app: the unshared time;
- ``shared``: our apply with a share of 0.5 while another app (a thread of plain HTTP
  GETs, as an ERP sync would send) runs steadily at its part of the quota: at most
  Q/2 - 2 requests a window, each at least window/(Q/2 - 2) after the one before, never
  catching up after a stall (tests/e2e/test_quota_share.py's SteadyApp);
- ``unshared``: the control, our apply without a share beside the same app.

The 429s counted are the other app's. *Apply* is the wall time of the lock, the writes and
the lock's release (the plan is made before, its reads not counted). The ratio is each
pair's shared apply over its own alone apply: side by side in one run.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import threading
import time
from pathlib import Path
from statistics import median

import requests

from bench.generate import generate_store, write_catalog
from reconciler import apply_saved_plan, build_plan, connect, load_desired, read_live
from reconciler.apply.lock import ApplyLock
from reconciler.sandbox.store import SandboxServer
from reconciler.store.config import StoreConfig

SHARE = 0.5
AGENT = "catalog-reconciler/"


class SteadyApp(threading.Thread):
    """Another app on the store: GETs at a steady rate (an interval from the last send,
    no catching up), counting its 429s."""

    def __init__(self, srv: SandboxServer, per_window: int, window_s: float) -> None:
        super().__init__(daemon=True, name="other-app")
        self.url = f"{srv.url}/stores/{srv.store_hash}/v3/catalog/brands"
        self.token = srv.token
        self.interval = window_s / per_window
        self.stop = threading.Event()
        self.sent = self.limited = 0

    def run(self) -> None:
        session = requests.Session()
        session.headers.update({"X-Auth-Token": self.token, "Accept": "application/json"})
        while not self.stop.is_set():
            began = time.monotonic()
            self.limited += session.get(self.url, params={"limit": 1}, timeout=10).status_code == 429
            self.sent += 1
            delay = began + self.interval - time.monotonic()
            if delay > 0:
                self.stop.wait(delay)


def one_run(srv: SandboxServer, base: dict, catalog: Path, mode: str, opts) -> dict:
    srv.reset(seed=None, data=base)
    srv.configure(quota=opts.quota, window_ms=opts.window_ms, latency_ms=opts.latency_ms)
    window_s = opts.window_ms / 1000
    other = SteadyApp(srv, opts.quota // 2 - 2, window_s) if mode != "alone" else None
    cfg = StoreConfig(api_url=srv.url, store_hash=srv.store_hash, token=srv.token)
    desired = load_desired(catalog)
    if other:
        other.start()
        time.sleep(window_s)               # it is already running when we start
    try:
        with connect(cfg, quota_share=SHARE if mode == "shared" else None) as client:
            live = read_live(client, desired.store)
            plan = build_plan(desired, live)
            before, start = sum(1 for r in srv.requests() if r["agent"].startswith(AGENT)), time.perf_counter()
            with ApplyLock(client):
                result = apply_saved_plan(plan, client, desired.store, check_stale=False, live=live)
            took = time.perf_counter() - start
            ours = sum(1 for r in srv.requests() if r["agent"].startswith(AGENT)) - before
            our_429 = client.transport.limiter.rate_limited
        if other:
            time.sleep(window_s)
    finally:
        if other:
            other.stop.set()
            other.join(10)
    assert not result.failed, [o.message for o in result.failed[:5]]
    return {"mode": mode, "changes": sum(plan.summary().values()), "apply_s": round(took, 2), "requests": ours,
            "our_429": our_429, "other_sent": other.sent if other else 0,
            "other_429": other.limited if other else 0}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--products", type=int, default=1000)
    ap.add_argument("--pairs", type=int, default=2)
    ap.add_argument("--quota", type=int, default=150)
    ap.add_argument("--window-ms", type=int, default=1000)
    ap.add_argument("--latency-ms", type=int, default=20)
    ap.add_argument("--out", default=".catalog/bench")
    opts = ap.parse_args(argv)
    data = generate_store(opts.products, variants_per_product=0, price_lists=0)
    base = {k: v for k, v in data.items() if k != "products"}
    srv = SandboxServer(port=0).start()
    runs = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            catalog = Path(tmp) / "catalog"
            write_catalog(data, catalog)
            for pair in range(opts.pairs):
                for mode in ("alone", "shared", "unshared"):
                    run = {"pair": pair + 1, **one_run(srv, base, catalog, mode, opts)}
                    print(json.dumps(run), flush=True)
                    runs.append(run)
    finally:
        srv.stop()
    ratios = []
    for pair in range(1, opts.pairs + 1):
        got = {r["mode"]: r for r in runs if r["pair"] == pair}
        ratios.append(got["shared"]["apply_s"] / got["alone"]["apply_s"])
    lines = [f"Quota {opts.quota} per {opts.window_ms / 1000:g} s window, {opts.latency_ms} ms latency; "
             f"{opts.products:,} products created; the other app at {opts.quota // 2 - 2} requests a window.", "",
             "| pair | run | changes | our requests | apply s | other app's requests | other app's 429s |",
             "|---:|---|---:|---:|---:|---:|---:|"]
    lines += [f"| {r['pair']} | {r['mode']} | {r['changes']:,} | {r['requests']:,} | {r['apply_s']} | "
              f"{r['other_sent']:,} | {r['other_429']} |" for r in runs]
    lines += ["", f"shared / alone apply time, per pair: {', '.join(f'{x:.2f}×' for x in ratios)} "
                  f"(median {median(ratios):.2f}×)"]
    table = "\n".join(lines) + "\n"
    out = Path(opts.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "quota_share.json").write_text(json.dumps({"runs": runs, "ratios": ratios}, indent=2) + "\n",
                                          encoding="utf-8")
    (out / "quota_share.md").write_text(table, encoding="utf-8")
    print(table)
    shared_429 = sum(r["other_429"] for r in runs if r["mode"] == "shared")
    ok = shared_429 == 0 and max(ratios) <= 2.2
    if not ok:
        print(f"NOT MET: other app's 429s beside the shared apply {shared_429}, worst ratio {max(ratios):.2f}×")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
