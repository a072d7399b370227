"""Run the `catalog` command in this process and note its peak memory, for bench.whole.

    BENCH_RSS_OUT=FILE python -m bench.cli_rss plan --catalog DIR

Exactly ``catalog ARGS`` (reconciler.cli.main), then, at exit, writes to BENCH_RSS_OUT
the peak resident memory of this process (VmHWM) and of its largest finished child
(``ru_maxrss`` of RUSAGE_CHILDREN: a process the command forked, e.g. to load the YAML
beside the read; a forked child starts with its parent's RSS at the fork, small here)
and the exit code. The wall time is measured by the caller, process start to exit.
"""

from __future__ import annotations

import json
import os
import resource
import sys

from bench.workload import peak_rss_mb


def main() -> int:
    code = 0
    try:
        sys.argv = ["catalog", *sys.argv[1:]]
        from reconciler.cli import main as cli_main
        cli_main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        out = os.environ.get("BENCH_RSS_OUT")
        if out:
            child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            with open(out, "w") as f:
                json.dump({"peak_rss_mb": round(peak_rss_mb(), 1), "child_peak_rss_mb": round(child, 1),
                           "exit_code": code}, f)
    return code


if __name__ == "__main__":
    sys.exit(main())
