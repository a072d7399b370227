"""The scale benchmark: catalog-reconciler and a naive client against a sandbox store
with BigCommerce's Standard-plan quota on a shortened window.

    make bench                       # or: .venv/bin/python -m bench.run
    python -m bench.run --sizes 1000 --window-ms 1500 --latency-ms 50

For each size (products with 3 variants each, one Trade GBP price record per variant):

1. ``noop``   – plan against a store that already matches (no changes);
2. ``change`` – plan and apply a catalog where 1 % of variant prices and 1 % of price
   records changed;
3. ``create`` – plan and apply the whole catalog into an empty store.

The same workloads run through ``bench.naive`` (one request per object, one at a
time): the no-op and the create at 1,000 products (``--naive-sizes``,
``--naive-create-sizes``), the 1 % change at 1,000 and 10,000 (``--naive-change-sizes``).
At 10,000 the naive no-op needs ≈10,000 sequential requests and the naive create
≈84,000, beyond this benchmark's 15-minute budget. The naive change at the largest size
and the naive creates run last, side by side, each against a sandbox of its own (both
spend their time waiting out the latency, one request at a time); the row says what ran
beside it. Every workload runs in a fresh subprocess (``bench.workload``) so
its CPU time and peak memory are its own; the sandbox runs here, in this process.

Output: a table on stdout, ``results.json`` and ``tables.md`` under ``--out`` (default
``.catalog/bench``), and with the profile (default on) the hottest functions of the
largest no-op plan under cProfile.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import pstats
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from bench.generate import generate_store, write_catalog
from reconciler.sandbox.store import SandboxServer

ROOT = Path(__file__).resolve().parents[1]
COUNTED_KINDS = ("brand", "category", "product", "variant", "option", "custom_field", "price_list",
                 "price_record", "price_list_assignment", "customer_group")


class TimedApp:
    """Wraps the sandbox's WSGI app to add up the CPU time its request threads spend
    per route (``time.thread_time``: CPU only, not the configured latency or GIL waits).
    Everything else is delegated, so the SandboxServer's helpers keep working."""

    def __init__(self, app: Any) -> None:
        self._app = app
        self._lock = threading.Lock()
        self.cpu: dict[str, float] = defaultdict(float)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._app, name)

    def __call__(self, environ: dict, start_response: Any) -> Any:
        start = time.thread_time()
        try:
            return self._app(environ, start_response)
        finally:
            key = f"{environ.get('REQUEST_METHOD')} {environ.get('PATH_INFO', '')}"
            with self._lock:
                self.cpu[_route(key)] += time.thread_time() - start

    def take(self) -> dict[str, float]:
        with self._lock:
            out, self.cpu = dict(self.cpu), defaultdict(float)
        return out


def _route(key: str) -> str:
    """"GET /stores/gtse/v3/pricelists/1/records" -> "GET /v3/pricelists/{n}/records"."""
    method, _, path = key.partition(" ")
    parts = path.split("/")
    if len(parts) > 2 and parts[1] == "stores":
        parts = parts[:1] + parts[3:]
    return method + " " + "/".join("{n}" if p.isdigit() else p for p in parts)


# -- machine --------------------------------------------------------------------------------------------

def machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    commit = _git("rev-parse", "--short", "HEAD")
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    dirty = bool(_git("status", "--porcelain", "--untracked-files=no", "--", "reconciler", "schemas"))
    return {"nproc": os.cpu_count(), "cpu": cpu, "ram_gb": mem_gb, "python": platform.python_version(),
            "platform": platform.platform(), "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "commit": commit, "reconciler_uncommitted_changes": dirty,
            "loadavg_1_5_15": [round(x, 2) for x in load] if load else None}


def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


# -- running one workload ---------------------------------------------------------------------------------

class Store:
    """A sandbox store served from this process, with its quota, latency and CPU accounting."""

    def __init__(self, opts: argparse.Namespace) -> None:
        self.opts = opts
        self.srv = SandboxServer(port=0, quota=opts.quota, window_ms=opts.window_ms, latency_ms=opts.latency_ms)
        self.timed = TimedApp(self.srv.app)
        self.srv.app = self.timed

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update({"BIGCOMMERCE_API_URL": self.srv.url, "BIGCOMMERCE_STORE_HASH": self.srv.store_hash,
                    "BIGCOMMERCE_ACCESS_TOKEN": self.srv.token, "PYTHONPATH": str(ROOT)})
        return env

    def fresh_window(self) -> None:
        """Stats, request log and the rate-limit window start again; the objects stay."""
        self.srv.app.clear_stats()
        self.srv.configure(quota=self.opts.quota, window_ms=self.opts.window_ms, latency_ms=self.opts.latency_ms)
        self.timed.take()

    def reset(self, data: dict | None) -> float:
        start = time.perf_counter()
        self.srv.reset(seed=None, data=data or None)
        self.fresh_window()
        return time.perf_counter() - start

    def counts(self) -> dict[str, int]:
        return {k: self.srv.state.count(k) for k in COUNTED_KINDS}

    def start(self) -> "Store":
        self.srv.start()
        return self


class Bench:
    def __init__(self, opts: argparse.Namespace) -> None:
        self.opts = opts
        self.out = Path(opts.out)
        self.out.mkdir(parents=True, exist_ok=True)
        self.store = Store(opts)
        self.side: Store | None = None   # a second store for the naive client's create, see main()
        self.results: list[dict[str, Any]] = []
        self.notes: list[str] = []
        self._saving = threading.Lock()
        self.started = time.monotonic()
        self.machine_at_start = machine()

    def child(self, args: dict[str, Any], store: Store) -> dict[str, Any]:
        proc = subprocess.run([sys.executable, "-m", "bench.workload", json.dumps(args)], cwd=ROOT, env=store.env(),
                              capture_output=True, text=True, timeout=self.opts.workload_timeout_s)
        if proc.returncode != 0:
            raise RuntimeError(f"workload {args['client']} {args['workload']} failed:\n{proc.stderr[-3000:]}")
        return json.loads(proc.stdout.strip().splitlines()[-1])

    def over_budget(self, what: str) -> bool:
        """True (and noted) once the run has used ``--budget-s``: what is left is skipped."""
        if self.elapsed() <= self.opts.budget_s:
            return False
        note = f"SKIPPED {what}: the run had used {self.elapsed():.0f} s of its {self.opts.budget_s} s budget"
        self.notes.append(note)
        print(f"[{self.elapsed():6.0f}s] {note}", flush=True)
        return True

    def run(self, size: int, workload: str, client: str, catalog: Path, expect: dict | None = None,
            store: Store | None = None, **extra: Any) -> dict:
        store = store or self.store
        label = f"{size:>6} {workload:<6} {client:<5}"
        if self.over_budget(f"{size} {workload} {client}"):
            return None
        print(f"[{self.elapsed():6.0f}s] {label} ...", flush=True)
        cpu0 = time.process_time()
        beside = extra.pop("beside", None)
        try:
            res = self.child({"client": client, "workload": workload, "catalog": str(catalog),
                              "parallelism": self.opts.parallelism,
                              "naive_retry_sleep_s": self.opts.naive_retry_sleep_s, **extra}, store)
        except (RuntimeError, subprocess.TimeoutExpired) as exc:
            note = f"FAILED {size} {workload} {client}: {str(exc)[-1500:]}"
            self.notes.append(note)
            print(f"[{self.elapsed():6.0f}s] {note}", flush=True)
            return None
        # The sandbox's CPU: this process's (both stores' when two workloads run side by side).
        sandbox_cpu = time.process_time() - cpu0
        stats = store.srv.stats()
        route_cpu = store.timed.take()
        requests = stats["total"]
        api_wall = sum(p["wall_s"] for name, p in res["phases"].items() if name in ("read", "apply"))
        ideal = requests * self.opts.window_ms / 1000 / self.opts.quota
        # At the real Standard quota a store answers the first 150 requests at once and
        # one more window of 30 s per further 150: the least time the API phases can take.
        real_floor = max(0, (requests - 1) // 150) * 30.0
        row = {
            "size": size, "workload": workload, "client": client,
            "requests": requests, "sent": res["sent"], "rate_limited": stats["rate_limited"],
            "max_concurrency": stats["max_concurrency"],
            "wall_s": res["wall_s"], "api_wall_s": api_wall, "ideal_s": ideal,
            "api_ratio": api_wall / ideal if ideal else None,
            "cpu_s": res["cpu_s"], "phases": res["phases"], "peak_rss_mb": res["peak_rss_mb"],
            "sandbox_cpu_s": sandbox_cpu,
            "sandbox_cpu_by_route": dict(sorted(route_cpu.items(), key=lambda kv: -kv[1])[:8]),
            "requests_by_route": stats["requests"],
            # At the real Standard window local work is unchanged and the API phases take at
            # least real_floor: an estimate, not a measurement.
            "est_wall_at_30s_window_s": (res["wall_s"] - api_wall) + max(api_wall, real_floor),
            "beside": beside, "check": res["check"], "extra": {k: res[k] for k in ("waited_for_quota_s", "slept_on_429_s") if k in res},
        }
        if expect is not None:
            row["check"]["store_counts_match"] = store.counts() == expect
        self.results.append(row)
        self.save()
        print(f"[{self.elapsed():6.0f}s] {label} requests={requests} 429s={stats['rate_limited']} "
              f"wall={res['wall_s']:.1f}s api={api_wall:.1f}s ideal={ideal:.1f}s cpu={res['cpu_s']:.1f}s "
              f"rss={res['peak_rss_mb']:.0f}MB check={json.dumps(row['check'])[:200]}", flush=True)
        return row

    def verify(self, size: int, what: str, catalog: Path, store: Store | None = None) -> None:
        """A plan after an apply must show no changes (not timed; only up to --verify-max)."""
        store = store or self.store
        if size > self.opts.verify_max or self.over_budget(f"verifying {size} {what}"):
            return
        store.fresh_window()
        try:
            res = self.child({"client": "ours", "workload": "noop", "catalog": str(catalog),
                              "parallelism": self.opts.parallelism}, store)
        except (RuntimeError, subprocess.TimeoutExpired) as exc:
            self.notes.append(f"FAILED verifying {size} {what}: {str(exc)[-1500:]}")
            return
        planned = res["check"]["planned"]
        ok = not planned
        note = f"{size} {what}: plan after apply shows {'no changes' if ok else planned}"
        self.notes.append(("OK " if ok else "FAIL ") + note)
        print(f"[{self.elapsed():6.0f}s]   verify: {note}", flush=True)

    def save(self, profile: dict | None = None, done: bool = False) -> dict[str, Any]:
        """Write results.json (after every workload too, so an interrupted run keeps its numbers)."""
        with self._saving:
            report = {"machine": self.machine_at_start, "loadavg_at_end": machine()["loadavg_1_5_15"],
                      "settings": dict(vars(self.opts)), "results": list(self.results), "notes": list(self.notes),
                      "profile": profile, "total_s": self.elapsed(), "complete": done}
            (self.out / "results.json").write_text(json.dumps(report, indent=2, default=str))
            return report

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    # -- the whole run ----------------------------------------------------------------------------------

    def main(self) -> None:
        o = self.opts
        later: dict[int, tuple[dict, Path, dict]] = {}
        # The naive client's change at the largest size and its creates are the longest
        # workloads (one request per object, one at a time, each waiting out the latency):
        # they run last, side by side, each against a store of its own.
        deferred: dict[int, tuple[dict, Path]] = {}
        for size in o.sizes:
            start = time.perf_counter()
            data = generate_store(size, o.variants, price_lists=1, seed=o.seed)
            base, changed = self.out / "catalogs" / f"{size}-base", self.out / "catalogs" / f"{size}-1pct"
            for folder in (base, changed):
                if folder.exists():
                    subprocess.run(["rm", "-rf", str(folder)], check=True)
            write_catalog(data, base, seed=o.seed)
            summary = write_catalog(data, changed, changed_fraction=0.01, seed=o.seed)
            seeded = self.store.reset(data)
            reference = self.store.counts()
            self.notes.append(f"{size} products: generated and written in {time.perf_counter() - start - seeded:.1f} s, "
                              f"sandbox seeded in {seeded:.1f} s; 1% catalog: {summary}")
            empty: dict = {}   # no products, brands, categories, groups or price lists
            live = self.out / f"live-{size}.pickle"
            live.unlink(missing_ok=True)
            if "noop" in o.workloads:
                self.run(size, "noop", "ours", base,
                         save_live=str(live) if o.profile and size == max(o.sizes) else None)
                if size in o.naive_sizes:
                    self.store.fresh_window()
                    self.run(size, "noop", "naive", base)
            if "change" in o.workloads:
                self.store.fresh_window()
                self.run(size, "change", "ours", changed)
                self.verify(size, "change/ours", changed)
                if size in o.naive_change_sizes:
                    if size == max(o.sizes) and o.naive_create_sizes:
                        deferred[size] = (data, changed)
                    else:
                        self.store.reset(data)
                        self.run(size, "change", "naive", changed)
                        self.verify(size, "change/naive", changed)
            if "create" in o.workloads:
                self.store.reset(empty)
                self.run(size, "create", "ours", base, expect=reference)
                self.verify(size, "create/ours", base)
                later[size] = (empty, base, reference)
        # The profile needs no store (it reads the LiveState the no-op run saved), so it runs
        # beside the naive client, which spends its time waiting on the network.
        profile, profiling, prof = None, None, None
        size = max(o.sizes)
        live = self.out / f"live-{size}.pickle"
        if o.profile and live.exists() and not self.over_budget("the profile"):
            prof = self.out / f"noop-{size}.prof"
            print(f"[{self.elapsed():6.0f}s] profiling load_desired + build_plan of the {size}-product no-op plan "
                  "under cProfile (in the background) ...", flush=True)
            args = {"client": "profile", "catalog": str(self.out / "catalogs" / f"{size}-base"),
                    "live": str(live), "profile": str(prof)}
            profiling = subprocess.Popen([sys.executable, "-m", "bench.workload", json.dumps(args)], cwd=ROOT,
                                         env=self.store.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                         text=True)
        creates = [size for size in o.naive_create_sizes if size in later]
        def beside(other: str) -> str | None:
            return " and ".join(filter(None, ["the profile" if profiling else "",
                                              f"the naive {other} (on its own sandbox)" if creates and deferred
                                              else ""])) or None

        def naive_changes() -> None:
            for size, (data, changed) in deferred.items():
                self.store.reset(data)
                self.run(size, "change", "naive", changed, beside=beside("create"))
                self.verify(size, "change/naive", changed)

        def naive_creates() -> None:
            if not creates:
                return
            if deferred:
                self.side = self.side or Store(o).start()
            store = self.side or self.store
            for size in creates:
                empty, base, reference = later[size]
                store.reset(empty)
                self.run(size, "create", "naive", base, expect=reference, store=store, beside=beside("change"))
                self.verify(size, "create/naive", base, store=store)

        side_by_side = threading.Thread(target=naive_creates, name="naive-creates")
        side_by_side.start()
        try:
            naive_changes()
        finally:
            side_by_side.join()
        if profiling is not None:
            try:
                _, err = profiling.communicate(timeout=o.workload_timeout_s)
                if profiling.returncode == 0:
                    profile = summarize_profile(prof)
                else:
                    self.notes.append(f"FAILED the profile: {err[-1500:]}")
            except subprocess.TimeoutExpired:
                profiling.kill()
                self.notes.append("FAILED the profile: timed out")
            print(f"[{self.elapsed():6.0f}s] profile done", flush=True)
        report = self.save(profile, done=True)
        tables = render(report)
        (self.out / "tables.md").write_text(tables)
        print("\n" + tables)
        print(f"results: {self.out / 'results.json'}; tables: {self.out / 'tables.md'}; total {self.elapsed():.0f} s")


# -- profile and tables ---------------------------------------------------------------------------------

def summarize_profile(path: Path, top: int = 15) -> dict[str, Any]:
    stats = pstats.Stats(str(path))
    total = stats.total_tt
    rows = []
    for (file, line, func), (cc, nc, tt, ct, callers) in stats.stats.items():
        rows.append({"where": f"{_short(file)}:{line}", "function": func, "calls": nc,
                     "tottime_s": tt, "cumtime_s": ct, "tot_share": tt / total if total else 0,
                     "cum_share": ct / total if total else 0})
    own = sorted(rows, key=lambda r: -r["tottime_s"])[:top]
    ours = sorted((r for r in rows if r["where"].startswith("reconciler/")), key=lambda r: -r["cumtime_s"])[:top]
    return {"total_s": total, "by_own_time": own, "reconciler_by_cumulative": ours}


def _short(file: str) -> str:
    root = str(ROOT) + "/"
    if file.startswith(root):
        return file[len(root):]
    if "site-packages/" in file:
        return file.split("site-packages/", 1)[1]
    return file


def _f(v: Any, nd: int = 1) -> str:
    return "–" if v is None else f"{v:,.{nd}f}"


def render(report: dict[str, Any]) -> str:
    s = report["settings"]
    lines = [f"Settings: quota {s['quota']} per {s['window_ms']} ms, latency {s['latency_ms']} ms, "
             f"parallelism {s['parallelism'] or 'from the quota headers'}, {s['variants']} variants per product, seed {s['seed']}.", "",
             "| products | workload | client | requests (store) | sent (client) | 429s | wall s | API s | ideal s | API/ideal | "
             "CPU s | load+validate CPU s | diff CPU s | apply CPU s | peak MB | est. wall at 150/30 s |",
             "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in report["results"]:
        ph = r["phases"]
        lines.append(
            f"| {r['size']:,} | {r['workload']} | {r['client']}{' †' if r.get('beside') else ''} | {r['requests']:,} | "
            f"{r['sent']:,} | {r['rate_limited']} | "
            f"{_f(r['wall_s'])} | {_f(r['api_wall_s'])} | {_f(r['ideal_s'])} | {_f(r['api_ratio'], 2)} | "
            f"{_f(r['cpu_s'])} | {_f(ph.get('load', {}).get('cpu_s'))} | {_f(ph.get('diff', {}).get('cpu_s'))} | "
            f"{_f(ph.get('apply', {}).get('cpu_s'))} | {_f(r['peak_rss_mb'], 0)} | "
            f"{_fmt_duration(r['est_wall_at_30s_window_s'])} |")
    lines += [f"\n† {r['size']:,} {r['workload']} {r['client']}: ran beside {r['beside']}."
              for r in report["results"] if r.get("beside")]
    pairs = defaultdict(dict)
    for r in report["results"]:
        pairs[(r["size"], r["workload"])][r["client"]] = r
    comp = ["", "| products | workload | requests ours / naive | × fewer | wall ours / naive | × faster | "
            "est. at 150/30 s ours / naive | × faster |", "|---:|---|---|---:|---|---:|---|---:|"]
    for (size, workload), c in pairs.items():
        if "ours" in c and "naive" in c:
            a, b = c["ours"], c["naive"]
            comp.append(
                f"| {size:,} | {workload} | {a['requests']:,} / {b['requests']:,} | {b['requests'] / a['requests']:.1f} | "
                f"{_f(a['wall_s'])} s / {_f(b['wall_s'])} s | {b['wall_s'] / a['wall_s']:.1f} | "
                f"{_fmt_duration(a['est_wall_at_30s_window_s'])} / {_fmt_duration(b['est_wall_at_30s_window_s'])} | "
                f"{b['est_wall_at_30s_window_s'] / a['est_wall_at_30s_window_s']:.1f} |")
    out = lines + (comp if len(comp) > 3 else [])
    prof = report.get("profile")
    if prof:
        out += ["", f"cProfile of load_desired + build_plan for the largest no-op plan ({prof['total_s']:.1f} s "
                "under the profiler), by own time:", "", "| function | where | calls | own s | share |", "|---|---|---:|---:|---:|"]
        out += [f"| `{r['function']}` | `{r['where']}` | {r['calls']:,} | {r['tottime_s']:.2f} | {r['tot_share']:.0%} |"
                for r in prof["by_own_time"]]
        out += ["", "reconciler functions by cumulative time:", "",
                "| function | where | calls | cumulative s | share |", "|---|---|---:|---:|---:|"]
        out += [f"| `{r['function']}` | `{r['where']}` | {r['calls']:,} | {r['cumtime_s']:.2f} | {r['cum_share']:.0%} |"
                for r in prof["reconciler_by_cumulative"]]
    if report.get("notes"):
        out += ["", "Notes:", ""] + [f"- {n}" for n in report["notes"]]
    return "\n".join(out) + "\n"


def _fmt_duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def _sizes(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x.strip()] if text.strip() else []


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", type=_sizes, default=[1000, 10000], help="product counts (default 1000,10000)")
    p.add_argument("--naive-sizes", type=_sizes, default=[1000],
                   help="sizes at which the naive client runs noop (default 1000)")
    p.add_argument("--naive-change-sizes", type=_sizes, default=[1000, 10000],
                   help="sizes at which the naive client runs the 1%% change (default 1000,10000)")
    p.add_argument("--naive-create-sizes", type=_sizes, default=[1000],
                   help="sizes at which the naive client runs create (default 1000)")
    p.add_argument("--workloads", type=lambda t: [w for w in t.split(",") if w], default=["noop", "change", "create"],
                   help="which workloads (default noop,change,create)")
    p.add_argument("--variants", type=int, default=3)
    p.add_argument("--quota", type=int, default=150, help="requests per window (Standard plan: 150)")
    p.add_argument("--window-ms", type=int, default=3000,
                   help="rate-limit window (real stores: 30000; default 3000, see docs/benchmarks.md)")
    p.add_argument("--latency-ms", type=int, default=30, help="sandbox latency per request")
    p.add_argument("--parallelism", type=int, default=None,
                   help="requests in flight for our client (default: from the quota headers, as the CLI)")
    p.add_argument("--naive-retry-sleep-s", type=float, default=1.0)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--verify-max", type=int, default=1000,
                   help="re-plan after each apply (expect no changes) up to this size (default 1000)")
    p.add_argument("--budget-s", type=int, default=840,
                   help="start no new workload after this many seconds (default 840: the run ends within ~15 min)")
    p.add_argument("--workload-timeout-s", type=int, default=900)
    p.add_argument("--no-profile", dest="profile", action="store_false")
    p.add_argument("--out", default=str(ROOT / ".catalog" / "bench"))
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    opts = parse(argv)
    bench = Bench(opts)
    bench.store.start()
    try:
        bench.main()
    finally:
        bench.store.srv.stop()
        if bench.side is not None:
            bench.side.srv.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
