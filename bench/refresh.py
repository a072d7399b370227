"""Full read against ``--refresh incremental`` on a store of N products (issue 14,
finding 11): each mode's wall time and requests, a few runs each.

    .venv/bin/python -m bench.refresh --sizes 2000,10000 --runs 3

The sandbox runs in this process, seeded by ``bench/generate.py`` (3 variants a product,
one Trade price list), with its default limits unless ``--latency-ms`` / ``--quota`` are
given. A full read with ``refresh="full"`` writes the cache; then, alternately, a plain
full read (``refresh=None``, what ``catalog plan`` does by default) and an incremental
one against the cache (and ``refresh="full"``, the full read that writes the cache, as
``--refresh full`` does), on a store nothing changed since (``--touch K``: K products
modified before each incremental read; ``--fresh``: everything changed, the cache's
look-back covering the seeding). Not part of ``make test``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from bench.generate import generate_store
from reconciler import connect
from reconciler.sandbox.store import SandboxServer
from reconciler.store import cache
from reconciler.store.config import StoreConfig
from reconciler.store.read import read_live


def timed(srv: SandboxServer, cfg: StoreConfig, **kw) -> tuple[float, int, str]:
    """One read as one CLI run makes it: a client of its own, in a rate-limit window of its
    own (each mode starts with the whole quota); the connection set-up not timed."""
    srv.configure(quota=srv_quota, window_ms=srv_window, latency_ms=srv_latency)
    with connect(cfg) as client:
        start = len(srv.requests())
        t = time.perf_counter()
        live = read_live(client, **kw)
        return time.perf_counter() - t, len(srv.requests()) - start, live.refresh


def quiet(path: Path) -> None:
    """The cache as if read more than ``cache.OVERLAP`` after the store's last write (a
    seeded store's every row is minutes old, inside the look-back): only what changes
    from now on is "changed"."""
    later = (datetime.now(timezone.utc).replace(microsecond=0) + cache.OVERLAP + timedelta(seconds=1)).isoformat()
    for file in (path, cache.head_path(path)):
        data = json.loads(file.read_text(encoding="utf-8"))
        data["read_at"] = later
        file.write_text(json.dumps(data), encoding="utf-8")


def touch(client, n: int) -> None:
    rows = client.list_all("/v3/catalog/products")[:n] if n else []
    client.map(lambda row: client.put(f"/v3/catalog/products/{row['id']}",
                                      {"bin_picking_number": f"T-{time.time_ns() % 10**6}"}), rows)


def run_size(srv: SandboxServer, size: int, runs: int, touched: int, fresh: bool) -> dict:
    srv.reset(seed=None, data=generate_store(size))
    srv.configure(quota=srv_quota, window_ms=srv_window, latency_ms=srv_latency)
    cfg = StoreConfig(api_url=srv.url, store_hash=srv.store_hash, token=srv.token)
    out = {"full": [], "full, cached": [], "incremental": []}
    with tempfile.TemporaryDirectory() as tmp, connect(cfg) as client:
        path = Path(tmp) / "live.json"
        for _ in range(runs):
            out["full"].append(timed(srv, cfg))
            out["full, cached"].append(timed(srv, cfg, refresh="full", cache_path=path))
            if not fresh:
                quiet(path)
            touch(client, touched)
            out["incremental"].append(timed(srv, cfg, refresh="incremental", cache_path=path))
    return out


def main() -> None:
    global srv_quota, srv_window, srv_latency
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="2000,10000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--touch", type=int, default=0)
    ap.add_argument("--fresh", action="store_true",
                    help="leave the cache's read time as it is: every row of a just-seeded store is inside the "
                         "look-back (cache.OVERLAP), so the incremental read asks for everything")
    ap.add_argument("--quota", type=int, default=150)
    ap.add_argument("--window-ms", type=int, default=30000)
    ap.add_argument("--latency-ms", type=int, default=0)
    opts = ap.parse_args()
    srv_quota, srv_window, srv_latency = opts.quota, opts.window_ms, opts.latency_ms
    srv = SandboxServer(port=0)
    srv.start()
    try:
        print("| products | mode | wall s (median, min–max) | requests (last run) | read as (each run) |")
        print("|---:|---|---|---:|---|")
        for size in (int(s) for s in opts.sizes.split(",")):
            got = run_size(srv, size, opts.runs, opts.touch, opts.fresh)
            for mode, results in got.items():
                walls = [w for w, _, _ in results]
                print(f"| {size:,} | {mode} | {statistics.median(walls):.2f} ({min(walls):.2f}–{max(walls):.2f}) "
                      f"| {results[-1][1]} | {', '.join(r.split(' (')[0] for _, _, r in results)} |", flush=True)
    finally:
        srv.stop()


if __name__ == "__main__":
    main()
