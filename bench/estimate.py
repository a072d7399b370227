"""The plan's estimate against the apply it estimates (issue 16: within ±20 %).

    .venv/bin/python -m bench.estimate                    # make bench
    .venv/bin/python -m bench.estimate --sizes 1000 --window-ms 3000

The sandbox runs in this process with BigCommerce's Standard quota, 150 requests a
window, and ``--latency-ms`` on every answer. Workloads, seeded by ``bench/generate.py``
(3 variants a product, one Trade price list):

- ``create`` at 1,000 products: the whole catalog into an empty store (one POST a
  product, ≈ 1,050 requests), on a 3 s window instead of the real 30 s (7 windows in
  ≈ 20 s, not 3.5 minutes);
- ``change 1 %`` / ``change 20 %`` at 10,000 products: that fraction of the variant
  prices and of the price records changed (variants in batches of 50, records of
  1,000); the 1 % change on the 3 s window (16 requests: round trips, not windows), the
  20 % change on the real 30 s window (the plan's 166 reads fill one, its apply needs a
  second).

Each is planned as ``catalog plan`` plans (the store read, the diff, then
``apply/estimate.py``'s estimate from the limiter's learned quota) and applied at once on
the same client, as ``catalog apply PLANFILE`` applies: the store's lock, the stale
check's re-read, the writes. *Measured* requests are the sandbox's log of our User-Agent
from the lock to its release; seconds are that wall time. The estimate's own CPU time
(the dry run of the executor) is reported apart: it falls between the plan and the apply.
"""

from __future__ import annotations

import argparse
import copy
import json
import tempfile
import time
from pathlib import Path

from bench.generate import generate_store, write_catalog
from reconciler import apply_saved_plan, build_plan, connect, load_desired, read_live
from reconciler.apply.estimate import estimate
from reconciler.apply.lock import ApplyLock
from reconciler.sandbox.store import SandboxServer
from reconciler.store.config import StoreConfig

AGENT = "catalog-reconciler/"
# (products, workload, fraction changed, window ms): the quota is Standard's, 150 a window;
# the 1,000-product create on a 3 s window (≈ 1,050 requests, 7 windows), the 10,000-product
# 1 % change too (its apply is round trips, not windows), the 20 % change on the real 30 s
# window (the plan's reads fill one, its apply needs a second).
WORKLOADS = [(1000, "create", 0.0, 3000), (10000, "change", 0.01, 3000), (10000, "change", 0.20, 30000)]


def _ours(srv: SandboxServer) -> int:
    return sum(1 for r in srv.requests() if r["agent"].startswith(AGENT))


_STORES: dict[int, dict] = {}


def one(srv: SandboxServer, size: int, workload: str, fraction: float, window_ms: int, opts) -> dict:
    if size not in _STORES:
        _STORES[size] = generate_store(size)    # generated once a size, seeded from a copy
    data = _STORES[size]
    srv.reset(seed=None, data=None if workload == "create" else copy.deepcopy(data))
    srv.configure(quota=opts.quota, window_ms=window_ms, latency_ms=opts.latency_ms)
    cfg = StoreConfig(api_url=srv.url, store_hash=srv.store_hash, token=srv.token)
    with tempfile.TemporaryDirectory() as tmp:
        write_catalog(data, Path(tmp) / "catalog", changed_fraction=fraction, seed=1)
        desired = load_desired(Path(tmp) / "catalog")
        with connect(cfg) as client:
            start, sent = time.perf_counter(), client.transport.sent
            live = read_live(client, desired.store)
            read = {"requests": client.transport.sent - sent, "seconds": round(time.perf_counter() - start, 1)}
            plan = build_plan(desired, live)
            t = time.perf_counter()
            est = estimate(plan, live, cfg, desired.store, limiter=client.transport.limiter, read=read)
            estimate_cpu = time.perf_counter() - t
            before, t = _ours(srv), time.perf_counter()
            with ApplyLock(client):
                result = apply_saved_plan(plan, client, desired.store, check_stale=True)
            seconds = time.perf_counter() - t
            requests = _ours(srv) - before
    assert not result.failed, [o.message for o in result.failed[:5]]
    return {"products": size, "workload": workload if workload == "create" else f"change {fraction:.0%}",
            "window_s": window_ms / 1000,
            "changes": sum(plan.summary().values()), "read": read,
            "estimated": {"requests": est["requests"], "phases": est["phases"], "seconds": est["seconds"],
                          "basis": est.get("basis")},
            "measured": {"requests": requests, "seconds": round(seconds, 2)},
            "requests_ratio": round(requests / est["requests"], 3),
            "seconds_ratio": round(seconds / est["seconds"], 3) if est["seconds"] else None,
            "estimate_cpu_s": round(estimate_cpu, 2)}


def render(rows: list[dict], opts) -> str:
    head = (f"Quota {opts.quota} a window, {opts.latency_ms} ms latency.\n\n"
            "| products | workload | window | changes | estimated requests (lock/check/write) | measured requests | "
            "estimated s | measured s | measured / estimated s | estimate's own CPU s |\n"
            "|---:|---|---:|---:|---|---:|---:|---:|---:|---:|\n")
    lines = []
    for r in rows:
        e, m, p = r["estimated"], r["measured"], r["estimated"]["phases"]
        lines.append(f"| {r['products']:,} | {r['workload']} | {r['window_s']:g} s | {r['changes']:,} | {e['requests']:,} "
                     f"({p['lock']}/{p['check']}/{p['write']}) | {m['requests']:,} | {e['seconds']} | "
                     f"{m['seconds']} | {r['seconds_ratio']} | {r['estimate_cpu_s']} |")
    return head + "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--quota", type=int, default=150)
    ap.add_argument("--window-ms", type=int, default=None, help="one window for every workload")
    ap.add_argument("--latency-ms", type=int, default=20)
    ap.add_argument("--out", default=".catalog/bench")
    opts = ap.parse_args(argv)
    srv = SandboxServer(port=0).start()
    rows = []
    try:
        sizes = {int(s) for s in opts.sizes.split(",")}
        for size, workload, fraction, window_ms in WORKLOADS:
            if size in sizes:
                row = one(srv, size, workload, fraction, opts.window_ms or window_ms, opts)
                print(json.dumps(row), flush=True)
                rows.append(row)
    finally:
        srv.stop()
    table = render(rows, opts)
    out = Path(opts.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "estimate.json").write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    (out / "estimate.md").write_text(table, encoding="utf-8")
    print(table)
    bad = [r for r in rows if not (0.8 <= r["requests_ratio"] <= 1.2 and r["seconds_ratio"] is not None
                                   and 0.8 <= r["seconds_ratio"] <= 1.2)]
    if bad:
        print(f"OUTSIDE ±20 %: {[(r['products'], r['workload']) for r in bad]}")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
