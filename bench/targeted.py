"""A PR plan that costs what it changes (issue 16): ``--refresh targeted`` against a full read
on a store of N products, in one run, side by side.

    .venv/bin/python -m bench.targeted --sizes 10000            # make bench
    .venv/bin/python -m bench.targeted --sizes 100000           # make bench-large

The sandbox runs in this process, seeded by ``bench/generate.py`` (3 variants a product, one
Trade price list, 30 % of products on two channels). The catalog that matches it is planned
(no changes) and that empty plan's apply recorded as `catalog apply` records it: the
last-applied state and its baseline. The baseline's read is then moved ``OVERLAP`` + 1 s later
(the seeded store's every row is seconds old, inside the look-back: as if the last apply had
come minutes after the seeding). Then a PR's catalog changes the prices of ~10 products'
variants and ~10 price records, another writer edits ``--touch`` products in the store, and
both plans are made: requests (the sandbox's log) and wall time of each; the two plans must
have the same changes. Not part of ``make test``.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from bench.generate import generate_store, write_catalog
from reconciler import build_plan, connect, load_desired, read_live
from reconciler.apply import last_applied
from reconciler.apply.targeted import OVERLAP, read_targeted
from reconciler.sandbox.store import SandboxServer
from reconciler.store.config import StoreConfig


def changes(plan) -> list[tuple]:
    return sorted((str(c.address), c.action.verb, repr(c.after)) for c in plan.changes)


def _by_path(requests: list[dict]) -> dict[str, int]:
    """The targeted read's requests by path and the filters they use (what each costs)."""
    out: dict[str, int] = {}
    for r in requests:
        names = sorted(k for k in r.get("query") or {} if k not in ("page", "include", "include_fields"))
        what = f"{r['method']} {r['path']}" + (f" ?{','.join(names)}" if names else "")
        out[what] = out.get(what, 0) + 1
    return dict(sorted(out.items()))


def bench_targeted(srv: SandboxServer, size: int, touched: int = 5, products_changed: int = 10) -> dict:
    """One size: the full plan and the targeted plan of the same PR, requests and seconds each."""
    data = generate_store(size)
    srv.reset(seed=None, data=data)
    srv.configure(quota=100000, window_ms=1000, latency_ms=0)
    cfg = StoreConfig(api_url=srv.url, store_hash=srv.store_hash, token=srv.token)
    with tempfile.TemporaryDirectory() as tmp, connect(cfg) as client:
        tmp = Path(tmp)
        write_catalog(data, tmp / "before")
        before = load_desired(tmp / "before")
        state = tmp / "last-applied.json"
        plan = build_plan(before, read_live(client, before.store))
        assert not plan.has_changes, plan.summary()
        last_applied.record(state, plan, [], before)
        saved = json.loads(state.read_text(encoding="utf-8"))
        later = datetime.fromisoformat(saved["baseline"]["read_at"]) + OVERLAP + timedelta(seconds=1)
        saved["baseline"]["read_at"] = later.isoformat()
        state.write_text(json.dumps(saved), encoding="utf-8")
        since = later - OVERLAP      # edits from here on are the store's changes since the last apply
        time.sleep(max(0.0, (since - datetime.now(since.tzinfo)).total_seconds() + 0.1))
        # The PR: ~products_changed products' variant prices (one variant each) and as many records.
        write_catalog(data, tmp / "after", changed_fraction=products_changed / (size * 3), seed=1)
        after = load_desired(tmp / "after")
        rows = client.list_all("/v3/catalog/products", {"limit": touched, "page": 2})[:touched] if touched else []
        for row in rows:     # another writer: a field the catalog does not manage
            client.put(f"/v3/catalog/products/{row['id']}", {"bin_picking_number": f"T-{time.time_ns() % 10**6}"})
        last = last_applied.load(state)
        out = {"products": size}
        for name in ("full", "targeted"):
            start, t = len(srv.requests()), time.perf_counter()
            if name == "full":
                result = build_plan(after, read_live(client, after.store), last_applied=last)
            else:
                got = read_targeted(client, after, last)
                result = build_plan(got.desired, got.live, last_applied=last)
                out["line"] = got.live.refresh
            if name == "targeted":
                out["by_path"] = _by_path(srv.requests()[start:])
            out[name] = {"requests": len(srv.requests()) - start, "seconds": round(time.perf_counter() - t, 2),
                         "changes": len(result.changes)}
            out[f"_{name}"] = changes(result)
        out["equal"] = out.pop("_full") == out.pop("_targeted")
        return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000")
    ap.add_argument("--touch", type=int, default=5, help="products another writer edits before the plans")
    args = ap.parse_args()
    srv = SandboxServer(port=0).start()
    try:
        for size in (int(s) for s in args.sizes.split(",")):
            r = bench_targeted(srv, size, args.touch)
            print(json.dumps(r), flush=True)
            print(f"{size:>7} products: full {r['full']['requests']} requests {r['full']['seconds']} s, "
                  f"targeted {r['targeted']['requests']} requests {r['targeted']['seconds']} s, "
                  f"{r['targeted']['changes']} changes, equal: {r['equal']}\n  {r['line']}", flush=True)
            assert r["equal"], "the targeted plan's changes differ from the full plan's"
    finally:
        srv.stop()


if __name__ == "__main__":
    main()
