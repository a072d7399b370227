"""Request handlers for customer groups (CU2 ``/v2/customer_groups``). v2 answers are
bare JSON (FACTS §1): a list is an array, an object is the object, the count is
``{"count": n}``.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from werkzeug.wrappers import Response

from ..core.errors import SandboxError
from ..core.responses import Ctx, json_response, no_content
from . import models as customer_groups


@contextmanager
def _query_is_bad_request() -> Iterator[None]:
    """v2: a query the endpoint cannot take is a 400 (CU2 declares 400 for "malformed
    request syntax" and no 422), in place of the v3 422/413."""
    try:
        yield
    except SandboxError as exc:
        if exc.status in (413, 422):
            raise SandboxError(400, exc.title, exc.errors) from None
        raise


# ---- customer groups (v2) ------------------------------------------------------------------

def list_customer_groups(ctx: Ctx) -> Response:
    with _query_is_bad_request():
        groups = ctx.state.customer_groups.list_page(ctx.query(customer_groups.LIST_PARAMS))
    return json_response(groups)


def count_customer_groups(ctx: Ctx) -> Response:
    with _query_is_bad_request():
        ctx.query(())
    return json_response({"count": ctx.state.customer_groups.count()})


def create_customer_group(ctx: Ctx) -> Response:
    return json_response(ctx.state.customer_groups.create(ctx.body()))


def get_customer_group(ctx: Ctx, id: int) -> Response:
    with _query_is_bad_request():
        ctx.query(customer_groups.ITEM_PARAMS)
    return json_response(ctx.state.customer_groups.get(id))


def update_customer_group(ctx: Ctx, id: int) -> Response:
    return json_response(ctx.state.customer_groups.update(id, ctx.body()))


def delete_customer_group(ctx: Ctx, id: int) -> Response:
    ctx.state.customer_groups.delete(id)
    return no_content()
