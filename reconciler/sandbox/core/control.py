"""The control routes ``/__sandbox/*`` (no auth, never rate limited, never faulted), as a
URL table like any service's. Each handler takes the app and the JSON body (an object,
``{}`` when empty) and answers JSON; a bad body or argument is a 400, an unknown route
or method a 404 naming it."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from .responses import json_response
from .urls import Route, UrlTable

if TYPE_CHECKING:
    from .app import SandboxApp

PREFIX = "/__sandbox/"
_OK = {"ok": True}


def stats(app: SandboxApp, body: dict) -> Response:
    return json_response(app.stats())


def requests(app: SandboxApp, body: dict) -> Response:
    return json_response(app.request_log())


def dump(app: SandboxApp, body: dict) -> Response:
    return json_response(app.state.dump())


def faults(app: SandboxApp, body: dict) -> Response:
    return json_response(app.faults.snapshot())


def set_faults(app: SandboxApp, body: dict) -> Response:
    app.configure_faults(body)
    return faults(app, body)


def clear_faults(app: SandboxApp, body: dict) -> Response:
    app.faults.clear()
    return faults(app, body)


def reset(app: SandboxApp, body: dict) -> Response:
    app.reset(body.get("seed", "empty"), body.get("data"))
    return json_response(_OK)


def seed(app: SandboxApp, body: dict) -> Response:
    app.state.seed(body["data"])
    return json_response(_OK)


def config(app: SandboxApp, body: dict) -> Response:
    app.configure(**{k: body[k] for k in ("quota", "window_ms", "latency_ms") if k in body})
    return json_response(_OK)


def hooks(app: SandboxApp, body: dict) -> Response:
    if app.outbox is None:
        raise ValueError("this sandbox has no hooks service")
    return json_response({"deliver": app.outbox.routes, "callbacks": app.outbox.log()})


def set_hooks(app: SandboxApp, body: dict) -> Response:
    hooks(app, body)
    app.outbox.configure(body["deliver"])
    return hooks(app, body)


ROUTES = UrlTable([
    Route("/stats", {"GET": stats}),
    Route("/requests", {"GET": requests}),
    Route("/dump", {"GET": dump}),
    Route("/faults", {"GET": faults, "POST": set_faults, "DELETE": clear_faults}),
    Route("/reset", {"POST": reset}),
    Route("/seed", {"POST": seed}),
    Route("/config", {"POST": config}),
    Route("/hooks", {"GET": hooks, "POST": set_hooks}),
])


def handle(app: SandboxApp, request: Request) -> Response:
    name, method = request.path[len(PREFIX):].strip("/"), request.method
    try:
        body: Any = json.loads(request.get_data() or b"{}")
        if not isinstance(body, dict):
            raise ValueError("body must be a JSON object")
        found = ROUTES.find("/" + name)
        handler = found[0].methods.get(method) if found else None
        if handler is None:
            return json_response({"status": 404, "title": f"No control route {method} {PREFIX}{name}"}, 404)
        return handler(app, body)
    except (ValueError, KeyError, TypeError) as exc:
        return json_response({"status": 400, "title": f"Bad control request: {exc}"}, 400)
