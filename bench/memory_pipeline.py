"""Where the memory of a whole plan (and apply) goes, stage by stage, in a fresh process.

    python -m bench.memory_pipeline --size 10000                   # no-op plan, RSS per stage
    python -m bench.memory_pipeline --size 10000 --workload change # 1 % change: plan + apply
    python -m bench.memory_pipeline --size 10000 --trace           # + tracemalloc per stage (slow)

The sandbox store is seeded and served from this process (short window, no latency:
memory does not depend on the window); the pipeline runs in a child process, as
``catalog plan`` / ``catalog apply --auto-approve`` do it (reconciler/cli.py
``_make_plan``, ``_render``, views.run_apply), and after each stage prints the process's
resident memory (VmRSS), its peak so far (VmHWM) and, with ``--trace``, what Python
allocations stay alive (tracemalloc, the stage's growth and its top sites). Stages: load
(``load_desired``), read (``read_live``), plan (``build_plan``), render (the text plan),
apply (the change workload), save (the plan as JSON, ``--out``). The catalogs are
written under ``--out`` (default ``.catalog/bench/catalogs``) and kept for the next run.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path


def _status() -> dict[str, float]:
    out = {}
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                out[line.split(":")[0]] = int(line.split()[1]) / 1024
    return out


class Stages:
    def __init__(self, trace: bool, top_n: int = 8) -> None:
        self.trace, self.top_n = trace, top_n
        self.rows: list[dict] = []
        self.started = time.perf_counter()
        self.last = 0
        if trace:
            tracemalloc.start()

    def mark(self, stage: str) -> None:
        mem = _status()
        row = {"stage": stage, "rss_mb": round(mem["VmRSS"]), "hwm_mb": round(mem["VmHWM"]),
               "at_s": round(time.perf_counter() - self.started, 1)}
        if self.trace:
            current, peak = tracemalloc.get_traced_memory()
            row |= {"traced_mb": round(current / 2**20, 1), "traced_peak_mb": round(peak / 2**20, 1),
                    "traced_growth_mb": round((current - self.last) / 2**20, 1)}
            self.last = current
            from bench.memory import top
            row["top"] = top(tracemalloc.take_snapshot(), self.top_n)
            tracemalloc.reset_peak()
        self.rows.append(row)
        print(json.dumps({k: v for k, v in row.items() if k != "top"}), flush=True)
        for line in row.get("top", []):
            print(line, flush=True)


def child(opts: argparse.Namespace) -> int:
    """The pipeline of `catalog plan` (and `apply --auto-approve`), stage by stage."""
    from rich.console import Console

    from reconciler import build_plan, connect, read_live
    from reconciler.apply import last_applied
    from reconciler.desired.load import load_desired
    from reconciler.plan.render_text import render_text

    if opts.make_state:     # the state a complete apply of this catalog leaves (apply/last_applied.py)
        desired = load_desired(Path(opts.catalog))
        state = last_applied.LastApplied("2026-01-01T00:00:00+00:00", {
            last_applied.LastApplied.ident(kind, o.key): o.fields
            for kind, objects in desired.objects.items() for o in objects.values()})
        last_applied.save(Path(opts.state_file), state)
        return 0
    stages = Stages(opts.trace, opts.top)
    stages.mark("start (imports)")
    desired = load_desired(Path(opts.catalog))
    stages.mark("load")
    state = Path(opts.state_file)
    previous = last_applied.load(state)
    if previous is not None:
        stages.mark(f"last-applied state ({len(previous.objects):,} objects, {state.stat().st_size / 2**20:.0f} MB file)")
    with connect() as client:
        live = read_live(client, desired.store)
        store = client.transport.config.public()
    stages.mark("read")
    plan = build_plan(desired, live, store=store, last_applied=previous)
    stages.mark("plan")
    text = render_text(plan, color=False)
    stages.mark(f"render ({len(text) / 2**20:.1f} MB of text)")
    del text
    if opts.save:
        from reconciler.cli import _save
        _save(plan, Path(opts.save))
        stages.mark(f"save ({os.path.getsize(opts.save) / 2**20:.1f} MB file)")
    if opts.workload == "change":
        from reconciler.views import run_apply

        console = Console(stderr=True, force_terminal=False)
        code = run_apply(plan, desired.store, None, check_stale=False, console=console, state=state,
                         desired=desired, live=live, journal_dir=Path(opts.journal))
        stages.mark(f"apply (exit {code})")
    gc.collect()
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.memory_pipeline", description=__doc__.split("\n\n")[0])
    p.add_argument("--size", type=int, default=10000)
    p.add_argument("--variants", type=int, default=3)
    p.add_argument("--workload", choices=["noop", "change"], default="noop")
    p.add_argument("--trace", action="store_true")
    p.add_argument("--top", type=int, default=8, help="with --trace: allocation sites listed per stage")
    p.add_argument("--save", action="store_true", help="also save the plan as JSON (plan --out)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default=".catalog/bench")
    p.add_argument("--state", action="store_true",
                   help="plan with the last-applied state a complete apply of the catalog leaves (as CI keeps it)")
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--make-state", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--catalog", help=argparse.SUPPRESS)
    p.add_argument("--state-file", dest="state_file", help=argparse.SUPPRESS)
    p.add_argument("--journal", help=argparse.SUPPRESS)
    opts = p.parse_args(argv)
    if opts.child:
        if opts.save:
            opts.save = str(Path(opts.journal).parent / "plan.json")
        return child(opts)

    import shutil
    import tempfile

    from bench.generate import generate_store, write_catalog
    from bench.run import Store

    out = Path(opts.out)
    base, changed = out / "catalogs" / f"{opts.size}-base", out / "catalogs" / f"{opts.size}-1pct"
    data = generate_store(opts.size, opts.variants, price_lists=1, seed=opts.seed)
    if not (base / "store.yaml").exists() or not (changed / "store.yaml").exists():
        for folder in (base, changed):
            shutil.rmtree(folder, ignore_errors=True)
        write_catalog(data, base, seed=opts.seed)
        write_catalog(data, changed, changed_fraction=0.01, seed=opts.seed)
    store = Store(argparse.Namespace(quota=100000, window_ms=1000, latency_ms=0)).start()
    try:
        seeded = store.reset(data)
        del data
        print(f"{opts.size} products seeded in {seeded:.0f} s", flush=True)
        work = Path(tempfile.mkdtemp(prefix="mem-", dir=out))
        catalog = changed if opts.workload == "change" else base
        args = [sys.executable, "-m", "bench.memory_pipeline", "--child", "--catalog", str(catalog.resolve()),
                "--state-file", str(work / "last-applied.json"), "--journal", str(work / "journal"),
                "--workload", opts.workload] + (["--trace", "--top", str(opts.top)] if opts.trace else []) + (["--save"] if opts.save else [])
        env = store.env() | {"CATALOG_DESIRED_CACHE": "0"}
        if opts.state:
            subprocess.run(args[:8] + ["--make-state"], env=env, cwd=work, check=True)
        proc = subprocess.run(args, env=env, cwd=work)
        shutil.rmtree(work, ignore_errors=True)
        return proc.returncode
    finally:
        store.srv.stop()


if __name__ == "__main__":
    sys.exit(main())
