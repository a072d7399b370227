"""Where the memory of a large plan goes: tracemalloc over load_desired (and a saved LiveState).

    python -m bench.memory .catalog/bench/catalogs/10000-base [.catalog/bench/live-10000.pickle]
    python -m bench.memory --time 3 .catalog/bench/catalogs/10000-base

Prints the traced peak and what stays allocated after ``load_desired``, with the top
allocation sites (file:line); with a LiveState pickled by a benchmark no-op run
(``bench.run`` keeps ``live-<size>.pickle`` in its ``--out`` folder when it profiles), what
that LiveState holds once built. tracemalloc slows Python down several times: these are
sizes, not timings. ``--time N`` instead runs ``load_desired`` N times untraced and prints
the CPU time (``time.process_time``) of each, the first including the schemas' compilation.
"""

from __future__ import annotations

import gc
import pickle
import sys
import time
import tracemalloc
from pathlib import Path


def top(snapshot: tracemalloc.Snapshot, n: int = 12) -> list[str]:
    root = str(Path(__file__).resolve().parents[1]) + "/"
    lines = []
    for stat in snapshot.statistics("lineno")[:n]:
        frame = stat.traceback[0]
        where = frame.filename.replace(root, "").split("site-packages/")[-1]
        lines.append(f"  {stat.size / 2**20:8.1f} MB {stat.count:>10,} blocks  {where}:{frame.lineno}")
    return lines


def timing(catalog: str, runs: int) -> None:
    from reconciler import load_desired

    times = []
    for _ in range(runs):
        start = time.process_time()
        desired = load_desired(catalog)
        times.append(time.process_time() - start)
        del desired
        gc.collect()
    print(f"load_desired({catalog}) CPU: " + ", ".join(f"{t:.2f} s" for t in times) + f" (min {min(times):.2f} s)")


def main(argv: list[str]) -> int:
    from reconciler import load_desired

    if argv and argv[0] == "--time":
        timing(argv[2], int(argv[1]))
        return 0
    catalog = argv[0]
    tracemalloc.start()
    desired = load_desired(catalog)
    current, peak = tracemalloc.get_traced_memory()
    print(f"load_desired({catalog}): {current / 2**20:.0f} MB kept, {peak / 2**20:.0f} MB peak (traced)")
    print("\n".join(top(tracemalloc.take_snapshot())))
    if len(argv) > 1:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        with open(argv[1], "rb") as f:
            live = pickle.load(f)
        after = tracemalloc.get_traced_memory()[0]
        print(f"\nLiveState from {argv[1]}: {(after - before) / 2**20:.0f} MB kept")
        print("\n".join(top(tracemalloc.take_snapshot())))
        del live
    del desired
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
