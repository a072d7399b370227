"""The drift receiver (`catalog webhooks serve`): the "receiver you run" that the store's
webhooks call (``register_hooks``), which turns a burst of admin edits into ONE run of
the drift workflow.

    store --POST hook--> receiver --(quiet window)--> GitHub POST /repos/{o}/{r}/dispatches
                                                      {"event_type": "catalog-drift", ...}

1. Each callback must carry the shared header set at registration (``--header
   X-Drift-Secret=…``), compared in constant time; else 401 and the event is dropped.
2. The body must be BigCommerce's payload shape (d:ev, FACTS §12): a JSON object with a
   ``scope`` ``store/…`` and ``data`` (object or list); else 400. Anything else about it
   is only counted: the drift job reads the store itself, so no payload is trusted
   for more than "something changed". ``distinct`` counts events of other (scope,
   ``hash``): the store resends some, and the hash is of the event's data, so 20 edits
   of one object are 20 events, 1 distinct.
3. Debounce: the first event opens a window; each further event pushes its end to
   ``quiet`` seconds after it, but never past ``max_wait`` seconds after the first
   (a store edited non-stop still gets a drift run every ``max_wait``).
4. When the window closes: one dispatch. ``client_payload`` holds counts only (events,
   per scope, first/last event time, the refresh to use: ``full`` when something was
   deleted, which an incremental read cannot see) – never a header, token or id list.
   Retried on connection errors, 5xx and 429 with backoff; a 4xx other than 429 is not
   retried (a bad token or repository will not get better) and is logged.

The store wants a 2xx quickly (FACTS §12: below 90 % success the domain is blocklisted),
so the callback is answered at once and the dispatch happens on a timer thread.
``GET /healthz`` answers 200 with counters (no secrets) for the host's health check.

Settings come from options or the environment (``ReceiverSettings.from_env``); the
GitHub token and the shared secret come from the environment only, never options (a
command line is visible to every user of the host).
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable

import requests
from werkzeug.wrappers import Request, Response

from reconciler.core.errors import ConfigError

log = logging.getLogger(__name__)

EVENT_TYPE = "catalog-drift"
MAX_BODY = 1 << 20             # a callback is a few hundred bytes; refuse megabytes
GITHUB_API = "https://api.github.com"
API_VERSION = "2022-11-28"     # the REST description vendored in tests/ci/github_rest/

ENV_SECRET = "CATALOG_WEBHOOK_SECRET"
ENV_HEADER = "CATALOG_WEBHOOK_HEADER"
ENV_TOKEN = "GITHUB_TOKEN"
ENV_REPOSITORY = "GITHUB_REPOSITORY"
ENV_API = "GITHUB_API_URL"
ENV_QUIET = "CATALOG_WEBHOOK_QUIET"
ENV_MAX_WAIT = "CATALOG_WEBHOOK_MAX_WAIT"
ENV_LISTEN = "CATALOG_WEBHOOK_LISTEN"


@dataclass(frozen=True)
class ReceiverSettings:
    repository: str                       # owner/name of the repository whose drift.yml runs
    header: str                           # the shared header's name
    secret: str = field(repr=False)       # its value
    token: str = field(repr=False)        # GitHub token: Contents read and write on the repository
    api_url: str = GITHUB_API
    quiet: float = 60.0                   # seconds without events that close the window
    max_wait: float = 300.0               # seconds after the first event at most
    retries: int = 5
    backoff: float = 2.0                  # seconds before the first retry, doubled each time

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **given: Any) -> ReceiverSettings:
        """Options given win over the environment, except the secret and the token,
        which only the environment may hold. Errors name variables, never values."""
        env = os.environ if environ is None else environ
        values = {k: v for k, v in given.items() if v is not None}
        missing = [name for name, key in ((ENV_SECRET, "secret"), (ENV_TOKEN, "token")) if not env.get(name)]
        repository = values.pop("repository", None) or env.get(ENV_REPOSITORY, "")
        if not repository:
            missing.append(f"{ENV_REPOSITORY} (or --repository)")
        if missing:
            raise ConfigError("the drift receiver needs " + ", ".join(missing))
        owner, _, name = repository.partition("/")
        if not owner or not name or "/" in name:
            raise ConfigError(f"repository {repository!r} must look like OWNER/NAME")
        try:
            quiet = float(values.pop("quiet", None) or env.get(ENV_QUIET) or cls.quiet)
            max_wait = float(values.pop("max_wait", None) or env.get(ENV_MAX_WAIT) or cls.max_wait)
        except ValueError:
            raise ConfigError(f"{ENV_QUIET} and {ENV_MAX_WAIT} must be numbers of seconds") from None
        if quiet <= 0 or max_wait < quiet:
            raise ConfigError("the quiet window must be > 0 s and the maximum wait at least as long")
        return cls(repository=repository, header=values.pop("header", None) or env.get(ENV_HEADER) or "X-Drift-Secret",
                   secret=env[ENV_SECRET], token=env[ENV_TOKEN],
                   api_url=(values.pop("api_url", None) or env.get(ENV_API) or GITHUB_API).rstrip("/"),
                   quiet=quiet, max_wait=max_wait, **values)


# ---- the payload -----------------------------------------------------------------------

def check_payload(body: Any) -> str | None:
    """Why ``body`` is not a BigCommerce webhook payload, or None."""
    if not isinstance(body, dict):
        return "the body must be a JSON object"
    scope = body.get("scope")
    if not isinstance(scope, str) or not scope.startswith("store/"):
        return "'scope' must be a string like store/product/updated"
    if not isinstance(body.get("data"), (dict, list)):
        return "'data' must be an object or a list"
    return None


@dataclass
class Window:
    """Events of one debounce window."""

    opened: float
    closes: float
    first_at: int | None = None
    last_at: int | None = None
    scopes: Counter = field(default_factory=Counter)
    seen: set = field(default_factory=set)

    def add(self, body: dict) -> None:
        self.seen.add((body["scope"], body.get("hash") or id(body)))
        self.scopes[body["scope"]] += 1
        stamp = body.get("created_at") if isinstance(body.get("created_at"), int) else int(time.time())
        self.first_at = stamp if self.first_at is None else min(self.first_at, stamp)
        self.last_at = stamp if self.last_at is None else max(self.last_at, stamp)

    def client_payload(self) -> dict:
        """At most 10 top-level properties (GitHub's limit); counts and scopes only."""
        deleted = any(s.endswith("/deleted") for s in self.scopes)
        return {"events": sum(self.scopes.values()), "distinct": len(self.seen),
                "scopes": dict(sorted(self.scopes.items())),
                "first_event_at": self.first_at, "last_event_at": self.last_at,
                "refresh": "full" if deleted else "incremental"}


class Dispatcher:
    """``POST {api}/repos/{owner}/{repo}/dispatches`` with retries. ``sleep`` is
    injectable so a test of the retries need not wait."""

    def __init__(self, settings: ReceiverSettings, sleep: Callable[[float], None] = time.sleep) -> None:
        self.settings = settings
        self.sleep = sleep
        self.session = requests.Session()

    def dispatch(self, client_payload: dict) -> bool:
        s = self.settings
        url = f"{s.api_url}/repos/{s.repository}/dispatches"
        headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": API_VERSION,
                   "Authorization": f"Bearer {s.token}", "User-Agent": "catalog-reconciler-drift-receiver"}
        body = {"event_type": EVENT_TYPE, "client_payload": client_payload}
        delay = s.backoff
        for attempt in range(1, s.retries + 2):
            try:
                answer = self.session.post(url, json=body, headers=headers, timeout=30)
                status: Any = answer.status_code
            except requests.RequestException as exc:
                status = type(exc).__name__
            if status == 204:
                log.info("dispatched %s to %s (%s events)", EVENT_TYPE, s.repository, client_payload["events"])
                return True
            retry = not isinstance(status, int) or status >= 500 or status == 429
            if not retry or attempt > s.retries:
                log.error("dispatch to %s failed: %s after %d attempt(s)%s", s.repository, status, attempt,
                          "" if retry else " (not retried: check the token and the repository)")
                return False
            log.warning("dispatch to %s: %s, retrying in %.0f s", s.repository, status, delay)
            self.sleep(delay)
            delay *= 2
        return False


class Receiver:
    """The WSGI app and its debounce timer."""

    def __init__(self, settings: ReceiverSettings, dispatcher: Dispatcher | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.settings = settings
        self.dispatcher = dispatcher or Dispatcher(settings)
        self.clock = clock
        self._lock = threading.Lock()
        self._window: Window | None = None
        self._timer: threading.Timer | None = None
        self.counts: Counter = Counter()

    # ---- WSGI ------------------------------------------------------------------------

    def __call__(self, environ: dict, start_response: Any) -> Any:
        return self.handle(Request(environ))(environ, start_response)

    def handle(self, request: Request) -> Response:
        if request.method == "GET" and request.path == "/healthz":
            with self._lock:
                return _json({"ok": True, "pending": bool(self._window), **self.counts})
        if request.method != "POST":
            return _json({"error": "POST webhook callbacks here"}, 405)
        given = request.headers.get(self.settings.header, "")
        if not hmac.compare_digest(given.encode(), self.settings.secret.encode()):
            self._count("refused")
            return _json({"error": "unauthorized"}, 401)
        if (request.content_length or 0) > MAX_BODY:
            self._count("invalid")
            return _json({"error": "body too large"}, 413)
        try:
            body = json.loads(request.get_data(cache=False) or b"null")
        except ValueError:
            body = None
        problem = check_payload(body)
        if problem:
            self._count("invalid")
            return _json({"error": problem}, 400)
        self.accept(body)
        return _json({"ok": True})

    def _count(self, what: str) -> None:
        with self._lock:
            self.counts[what] += 1

    # ---- debounce ----------------------------------------------------------------------

    def accept(self, body: dict) -> None:
        s = self.settings
        with self._lock:
            self.counts["accepted"] += 1
            now = self.clock()
            if self._window is None:
                self._window = Window(opened=now, closes=now + s.quiet)
            else:
                self._window.closes = min(now + s.quiet, self._window.opened + s.max_wait)
            self._window.add(body)
            self._arm(self._window.closes - now)

    def _arm(self, delay: float) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = threading.Timer(max(delay, 0.0), self._close)
        self._timer.daemon = True
        self._timer.start()

    def _close(self) -> None:
        with self._lock:
            window = self._window
            if window is None:
                return
            if self.clock() < window.closes:     # pushed back since this timer was set
                self._arm(window.closes - self.clock())
                return
            self._window, self._timer = None, None
        ok = self.dispatcher.dispatch(window.client_payload())
        self._count("dispatched" if ok else "dispatch_failed")

    def flush(self) -> None:
        """Close the open window now (on shutdown: do not lose the last burst)."""
        with self._lock:
            if self._window is not None:
                self._window.closes = self.clock()
            if self._timer is not None:
                self._timer.cancel()
        self._close()


def _json(body: dict, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")


def serve(receiver: Receiver, host: str, port: int, ready: Callable[[str], None] | None = None) -> None:
    """Serve until interrupted, then dispatch what is pending."""
    from werkzeug.serving import make_server

    server = make_server(host, port, receiver, threaded=True)
    if ready is not None:
        ready(f"http://{host}:{server.server_port}")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        receiver.flush()
