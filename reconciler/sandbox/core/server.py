"""SandboxServer: the offline BigCommerce-compatible store, served over real HTTP
(moto's ThreadedMotoServer; requests' tests/testserver with ``port=0``).

    >>> from reconciler.sandbox.store import SandboxServer   # bound to every service
    >>> srv = SandboxServer(port=0, seed="empty")
    >>> srv.start()                      # returns once the socket is listening
    >>> srv.api_base                     # doctest: +ELLIPSIS
    'http://127.0.0.1:.../stores/gtse'
    >>> srv.stop()

``url`` is what the client uses as BIGCOMMERCE_API_URL; requests go to
``{url}/stores/{store_hash}/v3/...`` with header ``X-Auth-Token: {token}``.

``db`` is a sqlite path (":memory:" by default). With a file, objects persist across
restarts: a db file that was already initialised is opened as is and ``seed`` is *not*
applied again; only ``reset()`` (here or ``POST /__sandbox/reset``) clears it. A new or
empty file is initialised and seeded like ":memory:".

Control routes (no auth, never rate limited, never faulted): ``GET /__sandbox/stats``
(``faults``: injected faults by kind), ``GET /__sandbox/requests`` (entries ``{method,
path, route, query, status, items, fault}``; ``route`` is the pattern the stats count
under; ``status`` is None for a dropped connection), ``POST /__sandbox/reset``
``{"seed": name}`` or ``{"data": {...}}`` (also clears faults), ``POST /__sandbox/seed``
``{"data": {...}}``, ``POST /__sandbox/config`` ``{"quota", "window_ms", "latency_ms"}``,
``GET /__sandbox/dump`` (the store in the SEED FORMAT, each model's ``dump``),
``POST /__sandbox/hooks`` ``{"deliver": {destination: local URL}}`` and ``GET
/__sandbox/hooks`` (webhook callbacks, ``hooks/delivery.py``) and faults
(``faults.py``, ``partial.py``):

* ``POST /__sandbox/faults`` ``{"seed": 42, "rates": {"500": 0.05, "drop": 0.02, ...},
  "slow_ms": 1500, "match": {"method": "PUT", "route": "/v3/catalog/products"},
  "queue": [{"fault": "drop_after", "count": 1, "method": "POST", "route":
  "/v3/catalog/products"}]}`` – every key optional; or the old form ``{"status",
  "count", "method", "route"}`` (queues ``{"fault": str(status)}``);
* ``GET /__sandbox/faults`` ``{"seed", "rates", "slow_ms", "match", "queue" (what is
  left of it), "injected": {kind: n}, "draws"}`` (POST and DELETE answer the same);
* ``DELETE /__sandbox/faults`` clears rates, queue and counters.
"""

from __future__ import annotations

import threading
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from ..seeds import load_seed
from .app import SandboxApp
from .service import Service
from .storage import Storage


class _QuietHandler(WSGIRequestHandler):
    """No per-request access log: it would be noise in test output. A dropped
    connection (a client that went away, or a "drop" fault) ends the connection:
    nothing more is read from or written to it."""

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass

    def connection_dropped(self, error: BaseException, environ: Any = None) -> None:
        self.close_connection = True


class SandboxServer:
    """A store serving ``services`` (or the class's ``SERVICES``: ``store.SandboxServer``
    has them all)."""

    SERVICES: tuple[Service, ...] = ()

    def __init__(self, host: str = "127.0.0.1", port: int = 0, db: str = ":memory:",
                 seed: str | dict | None = "empty", quota: int = 150, window_ms: int = 30000,
                 latency_ms: int = 0, store_hash: str = "gtse",
                 token: str = "sandbox-token", read_token: str = "sandbox-read-token",
                 services: tuple[Service, ...] | None = None) -> None:
        self.host, self.port = host, port
        self.store_hash, self.token = store_hash, token
        self.read_token = read_token        # GET only, like an API account with read-only scopes
        self.state = Storage(db, self.SERVICES if services is None else services)
        if not self.state.initialized:
            self.state.reset(load_seed(seed))
        self.app = SandboxApp(self.state, store_hash=store_hash, token=token, quota=quota,
                              window_ms=window_ms, latency_ms=latency_ms, read_token=read_token)
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()

    def __repr__(self) -> str:  # never shows the token
        return f"SandboxServer(url={self.url!r}, store_hash={self.store_hash!r})"

    # ---- addresses ----------------------------------------------------------------------

    @property
    def url(self) -> str:
        port = self._server.server_port if self._server else self.port
        return f"http://{self.host}:{port}"

    @property
    def api_base(self) -> str:
        return f"{self.url}/stores/{self.store_hash}"

    # ---- lifecycle ----------------------------------------------------------------------

    def _bind(self) -> BaseWSGIServer:
        self._server = make_server(self.host, self.port, self.app, threaded=True,
                                   request_handler=_QuietHandler)
        self._server.daemon_threads = True
        return self._server

    def start(self) -> "SandboxServer":
        """Serve in a background thread; returns once the socket accepts connections."""
        server = self._bind()

        def run() -> None:
            self._ready.set()
            server.serve_forever(poll_interval=0.05)

        self._thread = threading.Thread(target=run, name="bigcommerce-sandbox", daemon=True)
        self._thread.start()
        self._ready.wait(10)
        return self

    def bind(self) -> "SandboxServer":
        """Open the listening socket without serving yet (``url`` is then final)."""
        if self._server is None:
            self._bind()
        return self

    def serve_forever(self) -> None:
        """Serve in the foreground (``catalog sandbox``) on the socket ``bind`` opened
        (opened here if not yet); Ctrl-C stops cleanly. One socket per server: binding
        again would fail on a fixed port and listen twice with port 0."""
        server = self.bind()._server
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
            self.state.close()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(5)
        self.state.close()

    def __enter__(self) -> "SandboxServer":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # ---- control (same effect as the /__sandbox/ routes) ----------------------------

    def reset(self, seed: str | dict | None = "empty", data: dict | None = None) -> None:
        """Clear objects, stats, the request log and the rate-limit window, then seed.
        ``seed=None`` means empty; ``data`` (SEED FORMAT) wins over ``seed``."""
        self.app.reset(seed, data)

    def seed(self, data: dict) -> None:
        """Add objects in the SEED FORMAT without clearing anything."""
        self.state.seed(data)

    def fault(self, status: int, count: int = 1, method: str | None = None,
              route: str | None = None) -> None:
        """Queue injected 429/5xx answers (see ``SandboxApp.add_fault``)."""
        self.app.add_fault(status, count, method, route)

    def faults(self, seed: int | str | None = None, rates: dict[str, float] | None = None,
               queue: list[dict] | None = None, slow_ms: int | None = None,
               match: dict | None = None) -> dict:
        """Set fault rates / append queue entries, as ``POST /__sandbox/faults``; returns
        the ``GET /__sandbox/faults`` view. With no arguments it only reads.

            srv.faults(seed=42, rates={"500": 0.1})
            srv.faults(queue=[{"fault": "drop_after", "method": "POST",
                               "route": "/v3/catalog/products"}])
        """
        given = {"seed": seed, "rates": rates, "queue": queue, "slow_ms": slow_ms, "match": match}
        self.app.configure_faults({k: v for k, v in given.items() if v is not None})
        return self.app.faults.snapshot()

    def clear_faults(self) -> None:
        """No rates, no queue, counters zero (``DELETE /__sandbox/faults``)."""
        self.app.faults.clear()

    def dump(self) -> dict:
        """The whole store in the SEED FORMAT (``GET /__sandbox/dump``)."""
        return self.state.dump()

    def configure(self, quota: int | None = None, window_ms: int | None = None,
                  latency_ms: int | None = None) -> None:
        """Change limits at runtime; the rate-limit window restarts."""
        self.app.configure(quota, window_ms, latency_ms)

    def stats(self) -> dict:
        return self.app.stats()

    def deliver_hooks(self, routes: dict[str, str]) -> None:
        """Send webhook callbacks for these destinations to these local URLs
        (``POST /__sandbox/hooks {"deliver": routes}``; ``hooks/delivery.py``)."""
        self.app.outbox.configure(routes)

    def callbacks(self) -> list[dict]:
        """Callbacks sent since the last reset: ``{scope, destination, status}``."""
        return self.app.outbox.log()

    def requests(self) -> list:
        return self.app.request_log()
