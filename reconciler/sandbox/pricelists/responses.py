"""Request handlers for price lists, records and assignments (PL ``/v3/pricelists``).

Same contract as every service's responses.py: each handler takes a ``Ctx`` plus the path
arguments, calls the model and returns a werkzeug Response.
"""

from __future__ import annotations

from werkzeug.wrappers import Response

from ..core.cursors import paginate_mixed
from ..core.responses import Ctx, collection, collection_json, json_response, no_content, single
from . import assignments as price_list_assignments, price_lists, records as price_records


# ---- price lists -----------------------------------------------------------------------------

def list_price_lists(ctx: Ctx) -> Response:
    q = ctx.query(price_lists.LIST_PARAMS)
    page, meta = paginate_mixed(ctx.state.price_lists.list(q), q)
    return collection(page, meta)


def create_price_list(ctx: Ctx) -> Response:
    return single(ctx.state.price_lists.create(ctx.body()))


def delete_price_lists(ctx: Ctx) -> Response:
    ctx.state.price_lists.delete_where(ctx.query(price_lists.DELETE_PARAMS))
    return no_content()


def get_price_list(ctx: Ctx, id: int) -> Response:
    ctx.query(())
    return single(ctx.state.price_lists.get(id))


def update_price_list(ctx: Ctx, id: int) -> Response:
    return single(ctx.state.price_lists.update(id, ctx.body()))


def delete_price_list(ctx: Ctx, id: int) -> Response:
    ctx.query(())
    ctx.state.price_lists.delete(id)
    return no_content()


# ---- price records ---------------------------------------------------------------------------

def _batch_answer(errors: list[dict]) -> Response:
    """Non-strict mode: the valid items are written either way (no exception, so the
    transaction commits); failures make the answer a 422 listing them."""
    if errors:
        return json_response({"batch_errors": errors}, 422)
    return json_response({"data": {}, "meta": {}})


def _multi_answer(errors: list[dict]) -> Response:
    # ⚠ PL createPriceListsRecords / upsertPriceListsRecords: 422 is ONE {data, field_errors}.
    return json_response(errors[0], 422) if errors else json_response({"data": {}, "meta": {}})


def list_records(ctx: Ctx, id: int) -> Response:
    page, meta = ctx.state.price_records.list(id, ctx.query(price_records.LIST_PARAMS))
    return collection_json(page, meta)


def create_records(ctx: Ctx, id: int) -> Response:
    return _batch_answer(ctx.state.price_records.batch(id, ctx.body(), "post"))


def upsert_records(ctx: Ctx, id: int) -> Response:
    return _batch_answer(ctx.state.price_records.batch(id, ctx.body(), "put"))


def delete_records(ctx: Ctx, id: int) -> Response:
    ctx.state.price_records.delete_where(id, ctx.query(price_records.DELETE_PARAMS))
    return no_content()


def create_records_multi(ctx: Ctx) -> Response:
    return _multi_answer(ctx.state.price_records.batch(None, ctx.body(), "post"))


def upsert_records_multi(ctx: Ctx) -> Response:
    return _multi_answer(ctx.state.price_records.batch(None, ctx.body(), "put"))


def list_variant_records(ctx: Ctx, id: int, variant_id: int) -> Response:
    page, meta = ctx.state.price_records.by_variant(id, variant_id, ctx.query(price_records.VARIANT_PARAMS))
    return collection(page, meta)


def get_record(ctx: Ctx, id: int, variant_id: int, currency_code: str) -> Response:
    q = ctx.query(("include",))
    return single(ctx.state.price_records.get_one(id, variant_id, currency_code, q))


def set_record(ctx: Ctx, id: int, variant_id: int, currency_code: str) -> Response:
    return single(ctx.state.price_records.set_one(id, variant_id, currency_code, ctx.body()))


def delete_record(ctx: Ctx, id: int, variant_id: int, currency_code: str) -> Response:
    ctx.state.price_records.delete_one(id, variant_id, currency_code)
    return no_content()


# ---- price list assignments ------------------------------------------------------------------

def list_assignments(ctx: Ctx) -> Response:
    q = ctx.query(price_list_assignments.LIST_PARAMS)
    page, meta = paginate_mixed(ctx.state.assignments.list(q), q)
    return collection(page, meta)


def create_assignments(ctx: Ctx) -> Response:
    ctx.state.assignments.create_many(ctx.body())
    return Response(status=200)  # PL createPriceListAssignments: "200 No content"


def delete_assignments(ctx: Ctx) -> Response:
    ctx.state.assignments.delete_where(ctx.query(price_list_assignments.DELETE_PARAMS))
    return no_content()


def upsert_assignment(ctx: Ctx, id: int) -> Response:
    return single(ctx.state.assignments.upsert(id, ctx.body()))
