"""Channel handlers: channels, product channel assignments, channel metafields."""

from __future__ import annotations

from werkzeug.wrappers import Response

from ..core.query import paginate
from ..core.responses import Ctx, collection, no_content, single
from . import metafields, models as channels


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


# ---- channels -------------------------------------------------------------------------------

def list_channels(ctx: Ctx) -> Response:
    q = ctx.query(channels.LIST_PARAMS)
    page, meta = paginate(ctx.state.channels.list(q), q)
    return collection(page, meta)


def get_channel(ctx: Ctx, id: int) -> Response:
    return single(ctx.state.channels.get(id, ctx.query(("include",))))


# ---- channel metafields -------------------------------------------------------------------

def list_channel_metafields(ctx: Ctx, id: int) -> Response:
    q = ctx.query(metafields.LIST_PARAMS)
    page, meta = paginate(ctx.state.channel_metafields.list(id, q), q)
    return collection(page, meta)


def create_channel_metafield(ctx: Ctx, id: int) -> Response:
    ctx.query(())
    return single(ctx.state.channel_metafields.create(id, ctx.body()))


def get_channel_metafield(ctx: Ctx, id: int, metafield_id: int) -> Response:
    ctx.query(())
    return single(ctx.state.channel_metafields.get(id, metafield_id))


def update_channel_metafield(ctx: Ctx, id: int, metafield_id: int) -> Response:
    ctx.query(())
    return single(ctx.state.channel_metafields.update(id, metafield_id, ctx.body()))


def delete_channel_metafield(ctx: Ctx, id: int, metafield_id: int) -> Response:
    ctx.query(())
    ctx.state.channel_metafields.delete(id, metafield_id)
    return no_content()
