"""URL tables: path rule -> {method: handler} (moto's urls.py). Each service has its
own ``ROUTES`` (``<service>/urls.py``); the app joins them into one ``UrlTable``.

Rules are relative to ``/stores/{store_hash}``. ``UrlTable.match(path, method)`` returns
the route, its handler and the path arguments, or raises the BigCommerce-shaped 404
(unknown route) / 405 (known route, other method).

    >>> table = UrlTable([Route("/v3/things/<int:id>", {"GET": len})])
    >>> route, handler, args = table.match("/v3/things/111", "GET")
    >>> route.pattern, handler.__name__, args
    ('/v3/things/{id}', 'len', {'id': 111})
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from werkzeug.exceptions import NotFound
from werkzeug.routing import Map, Rule

from .errors import ROUTE_NOT_FOUND, SandboxError


@dataclass(frozen=True)
class Route:
    rule: str
    methods: dict[str, Callable[..., Any]]
    style: str = "default"  # error body style, see errors.SandboxError.body

    @property
    def pattern(self) -> str:
        """The rule with ``{name}`` placeholders, as used in stats keys."""
        return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", self.rule)


class UrlTable:
    """Routes -> the route for a path: one werkzeug Map over the services' tables."""

    def __init__(self, routes: Iterable[Route]) -> None:
        self.routes = list(routes)
        url_map = Map([Rule(route.rule, endpoint=i) for i, route in enumerate(self.routes)],
                      strict_slashes=False, merge_slashes=False)
        self._adapter = url_map.bind("sandbox")

    def find(self, path: str) -> tuple[Route, dict[str, Any]] | None:
        """The route for a store-relative path (trailing slash ignored), or None."""
        try:
            index, args = self._adapter.match(path.rstrip("/") or "/", method="GET")
        except NotFound:
            return None
        return self.routes[index], args

    def match(self, path: str, method: str) -> tuple[Route, Callable[..., Any], dict[str, Any]]:
        found = self.find(path)
        if found is None:
            raise route_not_found()
        route, args = found
        return route, handler_for(route, method, path), args


def route_not_found() -> SandboxError:
    return SandboxError(404, ROUTE_NOT_FOUND["title"])


def handler_for(route: Route, method: str, path: str) -> Callable[..., Any]:
    handler = route.methods.get(method)
    if handler is None:
        allowed = ", ".join(sorted(route.methods))
        raise SandboxError(405, "Method Not Allowed",
                           detail=f"{method} is not supported on {path}; allowed: {allowed}.",
                           headers={"Allow": allowed})
    return handler
