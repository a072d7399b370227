"""The "partial" fault: a batch request where some items are not applied.

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
from typing import Any, Callable

from werkzeug.wrappers import Request, Response

from . import price_records, products, variants
from .errors import ERROR_TYPE
from .routes import json_response

# (method, route pattern) -> (shape, max items the route takes)
ROUTES: dict[tuple[str, str], tuple[str, int | None]] = {
    ("PUT", "/v3/catalog/products"): ("products", products.MAX_BATCH),
    ("PUT", "/v3/catalog/variants"): ("variants", variants.MAX_BATCH),
    ("POST", "/v3/catalog/trees/categories"): ("categories_post", None),
    ("PUT", "/v3/catalog/trees/categories"): ("categories_put", None),
    ("PUT", "/v3/pricelists/{id}/records"): ("records", price_records.MAX_PUT),
}
MESSAGE = "{what} was not {verb} (injected sandbox fault)."


def is_batch(method: str, route: str) -> bool:
    return (method, route) in ROUTES


def failing(n: int) -> list[int]:
    """Indexes that fail in a batch of ``n``: the odd ones, or the only one."""
    return [0] if n == 1 else list(range(1, n, 2))


def split(request: Request, method: str, route: str) -> tuple[list[Any], list[int]] | None:
    """(items, failed indexes) when the fault can act on this request, else None."""
    try:
        items = json.loads(request.get_data(cache=True) or b"null")
    except ValueError:
        return None
    limit = ROUTES[(method, route)][1]
    if not isinstance(items, list) or not items or (limit is not None and len(items) > limit):
        return None
    return items, failing(len(items))


def run(request: Request, method: str, route: str, items: list[Any], failed: list[int],
        dispatch: Callable[[Request], Response]) -> Response:
    """Dispatch the kept items, then rewrite the answer (see the module docstring)."""
    kept = [i for i in range(len(items)) if i not in failed]
    shape = ROUTES[(method, route)][0]
    inner = dispatch(_with_body(request, [items[i] for i in kept])) if kept else None
    body = _json(inner)
    return _REWRITE[shape](inner, body, items, kept, failed, request)


def _with_body(request: Request, items: list[Any]) -> Request:
    data = json.dumps(items).encode()
    environ = dict(request.environ)
    environ.update({"wsgi.input": io.BytesIO(data), "CONTENT_LENGTH": str(len(data))})
    return Request(environ)


def _json(response: Response | None) -> Any:
    if response is None or response.mimetype != "application/json":
        return None
    return json.loads(response.get_data())


def _ok(response: Response | None) -> bool:
    return response is None or response.status_code in (200, 201)


def _label(item: Any, key: str) -> Any:
    return item.get(key) if isinstance(item, dict) else None


def _products(inner, body, items, kept, failed, request) -> Response:
    if not _ok(inner):
        return inner
    errors = {str(i): MESSAGE.format(what=f"Product {_label(items[i], 'id')}", verb="updated")
              for i in failed}
    return json_response({"data": body["data"] if body else [], "meta": {},
                          "errors": {"status": 207, "title": "Some products were not updated.",
                                     "type": ERROR_TYPE, "errors": errors}}, 207)


def _variants(inner, body, items, kept, failed, request) -> Response:
    if inner is not None and inner.status_code == 422 and body and "batch_errors" in body:
        for entry in body["batch_errors"]:  # "#/<j>" of the kept items -> the request's index
            j = int(str(entry.get("instance", "#/0")).rsplit("/", 1)[-1])
            entry["instance"] = f"#/{kept[j]}"
        return _copy_headers(json_response(body, 422), inner)
    if not _ok(inner):
        return inner
    return json_response({"batch_errors": [
        {"status": 422, "title": "Variant was not updated", "type": ERROR_TYPE, "instance": f"#/{i}",
         "errors": {"id": MESSAGE.format(what=f"Variant {_label(items[i], 'id')}", verb="updated")}}
        for i in failed]}, 422)


def _categories(verb: str, inner, body, items, kept, failed, request) -> Response:
    own = (body or {}).get("errors", {}).get("errors", {}) if isinstance(body, dict) else {}
    if inner is not None and (inner.status_code not in (200, 201, 207, 422)
                              or not all(str(k).isdigit() for k in own)):
        return inner  # not an item-by-item answer: the store's own answer stands
    errors = {str(kept[int(j)]): msg for j, msg in own.items()}
    for i in failed:
        name, cid = _label(items[i], "name"), _label(items[i], "category_id")
        what = f"Category {cid}" if cid else f"Category {name!r}" if name else f"Category #{i}"
        errors[str(i)] = MESSAGE.format(what=what, verb=verb)
    errors = dict(sorted(errors.items(), key=lambda kv: int(kv[0])))
    data = (body or {}).get("data", [])
    meta = {"total": len(items), "success": len(items) - len(errors), "failed": len(errors)}
    if meta["success"] == 0:
        return json_response({"errors": {"status": 422, "title": "No category in the request could be saved.",
                                         "type": ERROR_TYPE, "errors": errors}, "meta": meta}, 422)
    title = "Some categories were not created." if verb == "created" else "Some categories were not updated."
    out = {"errors": {"status": 207, "title": title, "type": ERROR_TYPE, "errors": errors}, "meta": meta}
    if verb == "created":
        out = {"data": data, **out}
    return json_response(out, 207)


def _records(inner, body, items, kept, failed, request) -> Response:
    if not (_ok(inner) or (inner.status_code == 422 and body and "batch_errors" in body)):
        return inner
    plid = int(request.path.rstrip("/").split("/")[-2])
    entries = list((body or {}).get("batch_errors", []))
    for i in failed:
        entries.append({"data": price_records.echo_item(items[i], plid), "field_errors": {
            "record": MESSAGE.format(what="The price record", verb="written")}})
    return json_response({"batch_errors": entries}, 422)


def _copy_headers(response: Response, inner: Response) -> Response:
    for key, value in inner.headers.items():
        if key.lower() not in ("content-type", "content-length"):
            response.headers[key] = value
    return response


_REWRITE = {
    "products": _products,
    "variants": _variants,
    "categories_post": lambda *a: _categories("created", *a),
    "categories_put": lambda *a: _categories("updated", *a),
    "records": _records,
}
