"""``load_desired`` in a forked process, so the catalog loads while the store is read.

    >>> loading = BackgroundLoad("catalog")     # before any thread starts (before connect)
    >>> ...                                     # read the store meanwhile
    >>> desired = loading.result()              # the DesiredState, or its DesiredStateError

Loading and validating the YAML is CPU work under the GIL (4–5 s at 10,000 products); the
store read is mostly waiting on the network and the quota, but its own CPU (JSON, live
objects) would queue behind the load's in one process. A forked child loads the catalog
on another core and sends the result back pickled through a pipe; a thread of this
process unpickles it as it arrives (blocked in ``read`` meanwhile, without the GIL).

The result is the same object ``load_desired`` returns, or the same error with the same
diagnostics (FILE:LINE:COL). The load runs in this process instead (a thread, or at once
in ``result``) where forking is not safe or not possible: no ``os.fork``, or other threads
running (a fork copies their locks, held or not); and if the child dies without answering.
"""

from __future__ import annotations

import os
import pickle
import threading
from typing import Any

from reconciler.core import gcpause
from reconciler.core.errors import DesiredStateError
from reconciler.desired.load import load_desired
from reconciler.desired.model import DesiredState

# CATALOG_LOAD_BESIDE=0 loads in this process, one step after the other (for comparisons).
ENABLED = os.environ.get("CATALOG_LOAD_BESIDE", "1") != "0"


class BackgroundLoad:
    def __init__(self, catalog_dir: Any) -> None:
        self.catalog_dir = catalog_dir
        self._got: tuple[str, Any] | None = None
        self._thread: threading.Thread | None = None
        self.forked = False
        if not ENABLED:
            return
        if hasattr(os, "fork") and threading.active_count() == 1:
            self._fork()
        else:
            self._thread = threading.Thread(target=self._load_here, name="load-desired", daemon=True)
            self._thread.start()

    @property
    def started(self) -> bool:
        """Whether the load runs beside the caller (forked, or in a thread)."""
        return self._thread is not None

    def result(self) -> DesiredState:
        """The loaded DesiredState; raises its DesiredStateError as ``load_desired`` would."""
        if self._thread is not None:
            self._thread.join()
        if self._got is None or self._got[0] == "lost":
            self._load_here()        # not started, or the child died: load here, as before
        status, value = self._got
        if status == "invalid":
            raise DesiredStateError(value)
        if status == "raised":
            raise value
        return value

    def _load_here(self) -> None:
        try:
            self._got = ("ok", load_desired(self.catalog_dir))
        except DesiredStateError as exc:
            self._got = ("invalid", exc.diagnostics)
        except BaseException as exc:     # noqa: BLE001 - handed to result(), raised there
            self._got = ("raised", exc)

    def _fork(self) -> None:
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:      # the child: load, send, leave without running the parent's exit handlers
            code = 0
            try:
                os.close(read_fd)
                with os.fdopen(write_fd, "wb", buffering=1 << 20) as out:
                    try:
                        got: tuple[str, Any] = ("ok", load_desired(self.catalog_dir))
                    except DesiredStateError as exc:
                        # Sent as its diagnostics: the exception's own pickling would rebuild it from its message.
                        got = ("invalid", exc.diagnostics)
                    pickle.dump(got, out, protocol=pickle.HIGHEST_PROTOCOL)
            except BaseException:   # noqa: BLE001 - the parent sees EOF and loads itself
                code = 1
            finally:
                os._exit(code)
        os.close(write_fd)
        self.forked = True
        self._thread = threading.Thread(target=self._receive, args=(read_fd, pid), name="load-desired", daemon=True)
        self._thread.start()

    def _receive(self, read_fd: int, pid: int) -> None:
        try:
            with os.fdopen(read_fd, "rb", buffering=1 << 20) as got, gcpause.paused():
                self._got = pickle.load(got)
        except (EOFError, pickle.UnpicklingError, OSError):
            self._got = ("lost", None)
        finally:
            os.waitpid(pid, 0)
