"""The cyclic garbage collector around bulk building (the catalog's YAML, the store's pages).

Loading 10,000 products, or reading them from the store, allocates a few objects per
value and keeps most of them, so the collector would rescan the growing heap again and
again (70 % of the load's time, half the read's). ``paused()`` stops it while building.
Afterwards what was built is frozen (``gc.freeze``: moved to the permanent generation)
when it is large, so later collections, during the diff and the apply, never rescan it
either. A full ``gc.collect()`` instead cost 0.3–0.6 s after a 10,000-product read, and
leaving the collector to catch up cost 1 s in the diff.

What is built is trees of dicts, lists and values, freed by reference counting: no
cycles are left to collect. The price of freezing is that a cycle among the frozen
objects that dies later is not collected before the process ends: a CLI run is one
plan or apply, so nothing accumulates.
"""

from __future__ import annotations

import contextlib
import gc
from typing import Iterator

FREEZE_AFTER = 100_000   # new container objects since the last collection


@contextlib.contextmanager
def paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if gc.get_count()[0] >= FREEZE_AFTER:
                gc.freeze()
            gc.enable()
