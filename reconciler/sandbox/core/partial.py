"""The "partial" fault: a batch request where some items are not applied. The shapes
below are each declared by the model that owns the route (``BATCHES``: a ``Batch``
with its rewrite); this module splits the request and runs them.

Which items fail: the items at odd indexes of the request array (1, 3, 5, …); a
one-item batch fails its only item. Deterministic, so a test knows exactly what was
written. The other items go to the route's handler as a request of their own (in
order), are written as usual, and the answer is rewritten into the endpoint's
partial-failure shape with the failed items named by their index in the *original*
request:

* ``PUT /v3/catalog/products`` – P updateProducts' 207::

      {"data": [<updated products>], "meta": {},
       "errors": {"status": 207, "title": "Some products were not updated.", "type": …,
                  "errors": {"1": "Product 112 was not updated (injected sandbox fault)."}}}

* ``POST`` / ``PUT /v3/catalog/trees/categories`` – CT's 207, ``{data (POST only),
  errors: {status: 207, title, type, errors: {"<index>": msg}}, meta: {total, success,
  failed}}``; when no item at all was saved, CT's 422 ``{errors: {status: 422, …},
  meta}`` (as the handler answers itself).
* ``PUT /v3/catalog/variants`` – V declares no 207, so the "non-strict" answer: 422
  ``{"batch_errors": [{status: 422, title, type, instance: "#/<index>", errors:
  {"id": msg}}]}`` naming the failed items, while the others ARE written.
* ``PUT /v3/pricelists/{id}/records`` – PL's non-strict 422 ``{"batch_errors": [{data:
  {price_list_id, variant_id, sku, currency}, field_errors: {"record": msg}}]}``, the
  handler's own item errors first, then the injected ones; the others are written.

When the kept items fail the store's own checks, the store's answer stands: products
and variants are all-or-nothing (nothing is written; variant ``#/<index>`` instances
and category error keys are mapped back to the original indexes, and the injected
items are added to the category errors). A body that is not a non-empty JSON array,
or a batch over the route's size limit, is answered as usual and the fault does not
act (the 422/413 must not be hidden by shrinking the batch).
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from typing import Any, Callable

from werkzeug.wrappers import Request, Response

MESSAGE = "{what} was not {verb} (injected sandbox fault)."
# rewrite(inner response or None, its JSON, items, kept indexes, failed indexes, request)
Rewrite = Callable[[Any, Any, list, list, list, Request], Response]


@dataclass(frozen=True)
class Batch:
    """A batch route's partial-failure shape, declared by its model (``BATCHES``):
    ``rewrite`` turns the answer to the kept items into the answer naming the failed
    ones; ``limit`` is the most items the route takes (None: no limit)."""
    rewrite: Rewrite
    limit: int | None = None


def failing(n: int) -> list[int]:
    """Indexes that fail in a batch of ``n``: the odd ones, or the only one."""
    return [0] if n == 1 else list(range(1, n, 2))


def split(request: Request, batch: Batch) -> tuple[list[Any], list[int]] | None:
    """(items, failed indexes) when the fault can act on this request, else None."""
    try:
        items = json.loads(request.get_data(cache=True) or b"null")
    except ValueError:
        return None
    limit = batch.limit
    if not isinstance(items, list) or not items or (limit is not None and len(items) > limit):
        return None
    return items, failing(len(items))


def run(request: Request, batch: Batch, items: list[Any], failed: list[int],
        dispatch: Callable[[Request], Response]) -> Response:
    """Dispatch the kept items, then rewrite the answer (see the module docstring)."""
    kept = [i for i in range(len(items)) if i not in failed]
    inner = dispatch(_with_body(request, [items[i] for i in kept])) if kept else None
    return batch.rewrite(inner, as_json(inner), items, kept, failed, request)


def _with_body(request: Request, items: list[Any]) -> Request:
    data = json.dumps(items).encode()
    environ = dict(request.environ)
    environ.update({"wsgi.input": io.BytesIO(data), "CONTENT_LENGTH": str(len(data))})
    return Request(environ)


def as_json(response: Response | None) -> Any:
    if response is None or response.mimetype != "application/json":
        return None
    return json.loads(response.get_data())


def ok(response: Response | None) -> bool:
    return response is None or response.status_code in (200, 201)


def label(item: Any, key: str) -> Any:
    return item.get(key) if isinstance(item, dict) else None


def copy_headers(response: Response, inner: Response) -> Response:
    for key, value in inner.headers.items():
        if key.lower() not in ("content-type", "content-length"):
            response.headers[key] = value
    return response
