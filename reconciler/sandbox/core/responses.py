"""What every service's handlers share: ``Ctx`` (the state and the parsed request) and
the JSON answers (``single``, ``collection``, … and their kept-view forms)."""

from __future__ import annotations

import json
from typing import Any, Iterable

from werkzeug.wrappers import Request, Response

from . import views
from .errors import SandboxError
from .query import Query
from .storage import Storage
from .validation import normalize_number, parse_json


class Ctx:
    """What a handler needs: the state and the parsed request."""

    def __init__(self, state: Storage, request: Request) -> None:
        self.state = state
        self.request = request

    def query(self, allowed: Iterable[str]) -> Query:
        return Query(self.request.args, allowed)

    def body(self) -> Any:
        raw = self.request.get_data(cache=True)
        mimetype = self.request.mimetype
        if mimetype and mimetype != "application/json":
            # P/C declare 415 for a Content-Type other than JSON.
            raise SandboxError(415, "Unsupported Media Type", {"Content-Type": mimetype})
        return parse_json(raw) if raw else None


def json_response(obj: Any, status: int = 200) -> Response:
    return Response(json.dumps(obj, default=normalize_number), status=status,
                    mimetype="application/json")


def single(data: Any, status: int = 200) -> Response:
    return json_response({"data": data, "meta": {}}, status)


def collection(data: list, meta: dict) -> Response:
    return json_response({"data": data, "meta": meta})


def collection_json(items: list[str], meta: dict) -> Response:
    """``collection`` of items that are JSON text already (kept views), byte for byte
    what ``collection`` writes for the same objects."""
    return Response("".join(('{"data": [', ", ".join(items), '], "meta": ', views.dumps(meta), "}")),
                    mimetype="application/json")


def single_json(data: str) -> Response:
    """``single`` of data that is JSON text already."""
    return Response('{"data": ' + data + ', "meta": {}}', mimetype="application/json")


def no_content(status: int = 204) -> Response:
    return Response(status=status)
