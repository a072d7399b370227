"""The whole command, process start to exit, against the ideal at a real quota window.

    make bench-large                          # = python -m bench.whole (both quotas, 10,000 and 100,000)
    python -m bench.whole --sizes 10000 --runs 3 --quotas enterprise

Each run starts ``catalog plan --detailed-exitcode`` (no-op) or ``catalog apply
--auto-approve`` (a 1 % change: plan + apply in one command) as a fresh process
(``bench.cli_rss``) against a sandbox store served from this process with the quota's
real window (30 s) and 30 ms latency. *wall* is from the process's start to its exit
(interpreter start, imports, YAML load and validation, the read, the diff, the apply,
the rendering); *ideal* = requests the store counted × window / quota, the least time a
client can take at that quota (request for request, the store's own count). Ideal and
measured come from the same run, side by side. The change runs go first and alternate
the 1 % catalog and the base one (each is a 1 % change from the other), so the store ends
as the base catalog; the no-op runs then check it (exit code 0 = no changes, 2 fails).
The cache of loaded catalogs (``CATALOG_DESIRED_CACHE``, reconciler/desired/cache.py) is
kept across the runs as CI keeps ``.catalog/cache``, emptied before each workload's first
run: the *catalog cache* column says whether a run read its catalog from it (hit), loaded
and wrote it (miss), or ran without (off, e.g. ``--ab CATALOG_DESIRED_CACHE=0``).

Quotas: ``enterprise`` 1,000 per 30 s, ``standard`` 150 per 30 s (BigCommerce's plans,
FACTS §4). ``--standard-sizes`` limits the Standard runs (default 10,000, no-op only:
the issue's item). Output: a table on stdout and ``whole.json`` / ``whole.md`` under
``--out`` (default ``.catalog/bench``).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.generate import generate_store, write_catalog
from bench.run import ROOT, Store, _sizes, machine

QUOTAS = {"enterprise": 1000, "standard": 150}


def run_command(store: Store, args: list[str], cwd: Path, env_extra: dict[str, str] | None = None) -> dict[str, Any]:
    """One `catalog ARGS` process: wall from start to exit, requests, peak memory."""
    store.fresh_window()
    rss = cwd / "rss.json"
    env = store.env() | {"BENCH_RSS_OUT": str(rss)} | (env_extra or {})
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "bench.cli_rss", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=1800)
    wall = time.perf_counter() - start
    stats = store.srv.stats()
    mem = json.loads(rss.read_text()) if rss.exists() else {}
    return {"wall_s": wall, "requests": stats["total"], "rate_limited": stats["rate_limited"],
            "exit_code": proc.returncode, "stderr": proc.stderr[-1500:] if proc.returncode not in (0,) else "",
            "stdout_tail": proc.stdout[-300:], **mem}


def bench_size(store: Store, opts: argparse.Namespace, size: int, quota_name: str, work: Path,
               workloads: list[str]) -> list[dict[str, Any]]:
    quota = QUOTAS[quota_name]
    store.opts.quota, store.opts.window_ms, store.opts.latency_ms = quota, opts.window_ms, opts.latency_ms
    base, changed = work / "catalogs" / f"{size}-base", work / "catalogs" / f"{size}-1pct"
    data = generate_store(size, opts.variants, price_lists=1, seed=opts.seed)
    if not (base / "store.yaml").exists() or not (changed / "store.yaml").exists():
        for folder in (base, changed):
            shutil.rmtree(folder, ignore_errors=True)
        write_catalog(data, base, seed=opts.seed)
        write_catalog(data, changed, changed_fraction=0.01, seed=opts.seed)
    seeded = store.reset(data)
    del data
    print(f"{size} products seeded in {seeded:.0f} s ({quota_name}: {quota} per {opts.window_ms} ms)", flush=True)
    rows = []
    runs = []
    if "change" in workloads:
        runs += [("change", changed if i % 2 == 0 else base) for i in range(2 * ((opts.runs + 1) // 2))]
    if "noop" in workloads:
        runs += [("noop", base)] * opts.runs
    # --ab NAME=VALUE: each run once as it is and once with that environment setting (a
    # switch an experiment adds), one after the other: the two side by side in one run.
    modes = [("as is", {}), (opts.ab, dict([opts.ab.split("=", 1)]))] if opts.ab else [("", {})]
    runs = [(w, c, m) for w, c in runs for m in modes]
    # The cache of loaded catalogs (reconciler/desired/cache.py) is kept across the runs, as
    # CI keeps .catalog/cache; it is emptied before each workload's first run (a cold start).
    cache = work / "desired-cache"
    for i, (workload, catalog, (mode, env_extra)) in enumerate(runs):
        cwd = Path(tempfile.mkdtemp(prefix="whole-", dir=work))
        if workload == "noop":
            args = ["plan", "--catalog", str(catalog), "--detailed-exitcode"]
        else:
            args = ["apply", "--auto-approve", "--catalog", str(catalog)]
        if i == 0 or runs[i - 1][0] != workload:
            shutil.rmtree(cache, ignore_errors=True)
        before = set(cache.glob("desired-*.pickle"))
        env = {"CATALOG_DESIRED_CACHE": str(cache) if opts.catalog_cache == "on" else "0"} | env_extra
        res = run_command(store, args, cwd, env)
        shutil.rmtree(cwd, ignore_errors=True)
        off = env["CATALOG_DESIRED_CACHE"] in ("0", "off", "false", "no")
        res["cache"] = "off" if off else "miss" if set(cache.glob("desired-*.pickle")) - before else "hit"
        ideal = res["requests"] * opts.window_ms / 1000 / quota
        row = {"size": size, "quota": quota_name, "workload": workload, "catalog": catalog.name, "mode": mode, **res,
               "ideal_s": ideal, "ratio": res["wall_s"] / ideal if ideal else None}
        rows.append(row)
        print(f"  {workload:<6} {catalog.name:<12} {mode:<10} requests={res['requests']} 429s={res['rate_limited']} "
              f"cache={res['cache']} wall={res['wall_s']:.1f}s ideal={ideal:.1f}s ratio={row['ratio']:.2f} "
              f"rss={res.get('peak_rss_mb')}MB child={res.get('child_peak_rss_mb')}MB exit={res['exit_code']}"
              + (f"\n{res['stderr']}" if res["stderr"] else ""), flush=True)
    return rows


def render(report: dict[str, Any]) -> str:
    s = report["settings"]
    lines = [f"Whole command (process start to exit), window {s['window_ms']} ms, latency {s['latency_ms']} ms, "
             f"commit {report['machine']['commit']}, load average at start {report['machine']['loadavg_1_5_15']}.", "",
             "| products | quota | workload | catalog | env | catalog cache | requests | 429s | wall s | ideal s | wall/ideal | "
             "peak MB | forked child peak MB | exit |",
             "|---:|---|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in report["results"]:
        lines.append(f"| {r['size']:,} | {r['quota']} | {r['workload']} | {r['catalog']} | {r.get('mode') or '–'} | {r.get('cache', '–')} | {r['requests']:,} | "
                     f"{r['rate_limited']} | {r['wall_s']:.1f} | {r['ideal_s']:.1f} | {r['ratio']:.2f} | "
                     f"{r.get('peak_rss_mb', 0):.0f} | {r.get('child_peak_rss_mb', 0):.0f} | {r['exit_code']} |")
    lines += ["", f"Total {report['total_s']:.0f} s."]
    return "\n".join(lines) + "\n"


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.whole", description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", type=_sizes, default=[10000, 100000])
    p.add_argument("--quotas", type=lambda t: [q for q in t.split(",") if q], default=["enterprise", "standard"])
    p.add_argument("--standard-sizes", type=_sizes, default=[10000])
    p.add_argument("--workloads", type=lambda t: [w for w in t.split(",") if w], default=["noop", "change"])
    p.add_argument("--runs", type=int, default=2, help="runs of each workload (the change: rounded up to even)")
    p.add_argument("--catalog-cache", choices=["on", "off"], default="on",
                   help="the cache of loaded catalogs for every run; off is what CI runs (its default)")
    p.add_argument("--ab", metavar="NAME=VALUE", default=None,
                   help="each run also with this environment setting, alternating (an experiment's switch)")
    p.add_argument("--window-ms", type=int, default=30000)
    p.add_argument("--latency-ms", type=int, default=30)
    p.add_argument("--variants", type=int, default=3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default=str(ROOT / ".catalog" / "bench"))
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    opts = parse(argv)
    out = Path(opts.out)
    out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    at_start = machine()
    store = Store(argparse.Namespace(quota=1000, window_ms=opts.window_ms, latency_ms=opts.latency_ms)).start()
    results: list[dict[str, Any]] = []
    try:
        for size in opts.sizes:
            for quota in opts.quotas:
                if quota == "standard" and size not in opts.standard_sizes:
                    continue
                workloads = opts.workloads if quota == "enterprise" else ["noop"]
                results += bench_size(store, opts, size, quota, out, workloads)
    finally:
        store.srv.stop()
    report = {"machine": at_start, "loadavg_at_end": machine()["loadavg_1_5_15"], "settings": vars(opts),
              "results": results, "total_s": time.monotonic() - started}
    (out / "whole.json").write_text(json.dumps(report, indent=2, default=str))
    table = render(report)
    (out / "whole.md").write_text(table)
    print("\n" + table)
    return 0 if all(r["exit_code"] == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
