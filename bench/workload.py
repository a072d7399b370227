"""One benchmark workload, run in a fresh process so its CPU time and peak memory are its own.

    python -m bench.workload '{"client": "ours", "workload": "change", "catalog": DIR, ...}'

Settings come as one JSON argument; the store comes from BIGCOMMERCE_API_URL,
BIGCOMMERCE_STORE_HASH and BIGCOMMERCE_ACCESS_TOKEN (the sandbox's). The result is
one JSON object on the last line of stdout:

* ``phases``: per phase (load, read, diff, apply; naive: load, read or apply) its wall
  and CPU seconds (``time.process_time``: this process, all threads) and the peak RSS
  so far;
* ``sent`` / ``by_status``: requests the client put on the wire, by answer status;
* ``peak_rss_mb``: the peak resident memory (VmHWM) of this process at the end of the
  measured work;
* ``check``: what the workload found or did (changes planned, outcomes, failures).

``"save_live": FILE`` (ours, noop) pickles the LiveState it read, after the
measurements; ``{"client": "profile", "catalog": DIR, "live": FILE, "profile": OUT}``
then runs load_desired and build_plan on the same inputs under cProfile and dumps the
stats to OUT (its timings are not used for the tables: cProfile slows Python down).
"""

from __future__ import annotations

import cProfile
import json
import os
import resource
import sys
import time
from collections import Counter
from contextlib import contextmanager
from typing import Any, Iterator


class Phases:
    def __init__(self) -> None:
        self.out: dict[str, dict[str, float]] = {}

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        w, c = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.out[name] = {"wall_s": time.perf_counter() - w, "cpu_s": time.process_time() - c,
                              "peak_rss_mb_so_far": round(peak_rss_mb(), 1)}


def peak_rss_mb() -> float:
    """This process's peak resident memory: VmHWM of /proc/self/status (Linux).

    Not ``ru_maxrss``: Linux carries it across fork and exec, so a workload started by the
    benchmark (whose process holds the sandbox's store) reported the benchmark's own peak
    (490 MB for a no-op plan whose process peaked at 290 MB). VmHWM belongs to the address
    space exec created."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024   # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024   # Linux: kB


def run_ours(args: dict[str, Any], phases: Phases) -> dict[str, Any]:
    from reconciler import apply_saved_plan, build_plan, connect, load_desired, read_live
    from reconciler.store.config import StoreConfig

    check: dict[str, Any] = {}
    with phases("load"):
        desired = load_desired(args["catalog"])
    client = connect(StoreConfig.from_env(), parallelism=args.get("parallelism"))
    try:
        with phases("read"):
            live = read_live(client, desired.store)
        with phases("diff"):
            plan = build_plan(desired, live)
        if args.get("save_live"):
            _KEEP["live"] = live
        check["planned"] = dict(Counter(f"{c.action.verb} {c.kind}" for c in plan.changes))
        check["blocked"] = len(plan.blocked)
        if args["workload"] != "noop":
            # As `catalog apply --auto-approve` (CI after a merge) does: the plan is applied
            # the moment it is made, with the read it was made from. A saved plan
            # (`catalog apply PLANFILE`) re-reads what it touches first: "saved": true.
            saved = bool(args.get("saved"))
            with phases("apply"):
                result = apply_saved_plan(plan, client, desired.store, check_stale=saved,
                                          live=None if saved else live)
            check["outcomes"] = len(result.outcomes)
            check["failed"] = [f"{o.change.address}: {o.message}" for o in result.failed[:10]]
            check["failed_count"] = len(result.failed)
        transport = client.transport
        return {"sent": transport.sent, "by_status": {str(k): v for k, v in transport.by_status.items()},
                "rate_limited_seen": transport.limiter.rate_limited,
                "waited_for_quota_s": round(transport.limiter.waited_s, 3), "check": check}
    finally:
        client.close()


_KEEP: dict[str, Any] = {}


def run_profile(args: dict[str, Any], phases: Phases) -> dict[str, Any]:
    """load_desired and build_plan under cProfile, on a LiveState saved by a no-op run
    (``save_live``), so the profile needs no store and no second read."""
    import pickle

    from reconciler import build_plan, load_desired

    profiler = cProfile.Profile()
    with phases("load"):
        profiler.enable()
        desired = load_desired(args["catalog"])
        profiler.disable()
    with open(args["live"], "rb") as f:
        live = pickle.load(f)
    with phases("diff"):
        profiler.enable()
        plan = build_plan(desired, live)
        profiler.disable()
    profiler.dump_stats(args["profile"])
    return {"sent": 0, "by_status": {}, "check": {"planned": dict(Counter(c.kind for c in plan.changes))}}


def run_naive(args: dict[str, Any], phases: Phases) -> dict[str, Any]:
    from bench import naive

    with phases("load"):
        catalog = naive.read_catalog(args["catalog"])
    base = os.environ["BIGCOMMERCE_API_URL"].rstrip("/") + "/stores/" + os.environ["BIGCOMMERCE_STORE_HASH"]
    client = naive.NaiveClient(base, os.environ["BIGCOMMERCE_ACCESS_TOKEN"],
                               retry_sleep_s=args.get("naive_retry_sleep_s", 1.0))
    try:
        if args["workload"] == "create":
            with phases("apply"):
                check = naive.create_all(client, catalog)
        else:
            with phases("read" if args["workload"] == "noop" else "apply"):
                check = naive.sync_existing(client, catalog, write=args["workload"] != "noop")
        return {"sent": client.sent, "by_status": {str(k): v for k, v in client.by_status.items()},
                "rate_limited_seen": client.by_status.get(429, 0), "slept_on_429_s": client.slept_s,
                "check": check}
    finally:
        client.close()


def main(argv: list[str]) -> int:
    args = json.loads(argv[0])
    phases = Phases()
    runner = {"ours": run_ours, "naive": run_naive, "profile": run_profile}[args["client"]]
    wall, cpu = time.perf_counter(), time.process_time()
    out = runner(args, phases)
    out.update({"wall_s": time.perf_counter() - wall, "cpu_s": time.process_time() - cpu,
                "phases": phases.out, "peak_rss_mb": round(peak_rss_mb(), 1)})
    if "live" in _KEEP:   # after the measurements: pickling takes time and memory
        import pickle
        with open(args["save_live"], "wb") as f:
            pickle.dump(_KEEP.pop("live"), f, protocol=pickle.HIGHEST_PROTOCOL)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
