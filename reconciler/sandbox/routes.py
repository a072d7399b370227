"""Request handlers: parse the request, call StoreState, answer JSON (moto's responses.py).

Each handler takes a ``Ctx`` plus the path arguments and returns a werkzeug Response.
Errors are raised as ``SandboxError`` and serialised by the app in the route's style.
"""

from __future__ import annotations

import json
from typing import Any, Iterable

from werkzeug.wrappers import Request, Response

from . import brands, categories, channels, products
from .errors import SandboxError
from .query import Query, paginate, shape
from .state import StoreState, public
from .validation import normalize_number, parse_json


class Ctx:
    """What a handler needs: the state and the parsed request."""

    def __init__(self, state: StoreState, request: Request) -> None:
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


def no_content(status: int = 204) -> Response:
    return Response(status=status)


# ---- products -------------------------------------------------------------------------

def list_products(ctx: Ctx) -> Response:
    q = ctx.query(products.LIST_PARAMS)
    page, meta = paginate(ctx.state.products.list(q), q)
    return collection([ctx.state.products.render(p, q) for p in page], meta)


def create_product(ctx: Ctx) -> Response:
    q = ctx.query(("include_fields",))
    return single(ctx.state.products.render(ctx.state.products.create(ctx.body()), q))


def update_products(ctx: Ctx) -> Response:
    q = ctx.query(("include_fields",))
    done = ctx.state.products.update_many(ctx.body())
    # ⚠ updateProducts' 200 example is one bare object; its schema (followed) is an array.
    return json_response({"data": [ctx.state.products.render(p, q) for p in done], "meta": {}})


def delete_products(ctx: Ctx) -> Response:
    ctx.state.products.delete_where(ctx.query(products.DELETE_PARAMS))
    return no_content()


def get_product(ctx: Ctx, id: int) -> Response:
    return single(ctx.state.products.get(id, ctx.query(products.ITEM_PARAMS)))


def update_product(ctx: Ctx, id: int) -> Response:
    q = ctx.query(("include", "include_fields"))
    return single(ctx.state.products.render(ctx.state.products.update(id, ctx.body()), q))


def delete_product(ctx: Ctx, id: int) -> Response:
    ctx.query(())
    ctx.state.products.delete(id)
    return no_content()


# ---- channel assignments -----------------------------------------------------------------

def list_channel_assignments(ctx: Ctx) -> Response:
    q = ctx.query(channels.ASSIGNMENT_PARAMS)
    page, meta = paginate(ctx.state.channels.assignments(q), q, link_order="limit")
    return collection(page, meta)


def put_channel_assignments(ctx: Ctx) -> Response:
    ctx.state.channels.assign(ctx.body())
    return no_content()


def delete_channel_assignments(ctx: Ctx) -> Response:
    ctx.state.channels.unassign(ctx.query(("product_id:in", "channel_id:in")))
    return no_content()


# ---- brands ------------------------------------------------------------------------------

def list_brands(ctx: Ctx) -> Response:
    q = ctx.query(brands.LIST_PARAMS)
    page, meta = paginate(ctx.state.brands.list(q), q)
    return collection([shape(public(b), q) for b in page], meta)


def create_brand(ctx: Ctx) -> Response:
    return single(ctx.state.brands.create(ctx.body()))


def delete_brands(ctx: Ctx) -> Response:
    ctx.state.brands.delete_where(ctx.query(("name", "page_title")))
    return no_content()


def get_brand(ctx: Ctx, id: int) -> Response:
    q = ctx.query(brands.ITEM_PARAMS)
    return single(shape(ctx.state.brands.get(id), q))


def update_brand(ctx: Ctx, id: int) -> Response:
    return single(ctx.state.brands.update(id, ctx.body()))


def delete_brand(ctx: Ctx, id: int) -> Response:
    ctx.state.brands.delete(id)
    return no_content()


# ---- category trees -------------------------------------------------------------------------

def list_trees(ctx: Ctx) -> Response:
    q = ctx.query(categories.TREE_PARAMS)
    page, meta = paginate(ctx.state.categories.trees(q), q, link_order="limit")
    return collection(page, meta)


def list_categories(ctx: Ctx) -> Response:
    q = ctx.query(categories.LIST_PARAMS)
    page, meta = paginate(ctx.state.categories.list(q), q, link_order="limit")
    return collection([shape(c, q, id_field="category_id") for c in page], meta)


def create_categories(ctx: Ctx) -> Response:
    done, errors, meta = ctx.state.categories.create_many(ctx.body())
    if errors:  # CT createCategories 207: {data, errors: {status, title, type, errors}, meta}
        partial = SandboxError(207, "Some categories were not created.", errors).body()
        return json_response({"data": done, "errors": partial, "meta": meta}, 207)
    return json_response({"data": done, "meta": meta}, 201)


def update_categories(ctx: Ctx) -> Response:
    _, errors, meta = ctx.state.categories.update_many(ctx.body())
    if errors:  # CT updateCategories 207: {errors, meta}; its 200 carries only meta
        partial = SandboxError(207, "Some categories were not updated.", errors).body()
        return json_response({"errors": partial, "meta": meta}, 207)
    return json_response({"meta": meta})


def delete_categories(ctx: Ctx) -> Response:
    meta = ctx.state.categories.delete_where(ctx.query(categories.DELETE_FILTERS))
    return json_response({"meta": meta}, 202)  # CT deleteTreeCategories answers 202


# ---- channels -------------------------------------------------------------------------------

def list_channels(ctx: Ctx) -> Response:
    q = ctx.query(channels.LIST_PARAMS)
    page, meta = paginate(ctx.state.channels.list(q), q)
    return collection(page, meta)


def get_channel(ctx: Ctx, id: int) -> Response:
    return single(ctx.state.channels.get(id, ctx.query(("include",))))

