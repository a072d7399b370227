"""Request handlers for webhooks (WH ``/v3/hooks``; the rules are in ``hooks.py``) and
channel metafields (CH ``/v3/channels/{channel_id}/metafields``; ``metafields.py``).

Same contract as ``routes.py``: each handler takes a ``Ctx`` plus the path arguments and
answers the v3 envelope. Every answer carries the ``store_hash`` the request named (the
app has already checked it is this store's).
"""

from __future__ import annotations

from werkzeug.wrappers import Response

from . import hooks, metafields
from .query import paginate
from .routes import Ctx, collection, no_content, single


def _store_hash(ctx: Ctx) -> str:
    return ctx.request.path.split("/")[2]  # /stores/{store_hash}/v3/hooks...


def _one(ctx: Ctx, hook: dict) -> Response:
    return single(hooks.Hooks.view(hook, _store_hash(ctx)))


def list_hooks(ctx: Ctx) -> Response:
    q = ctx.query(hooks.LIST_PARAMS)
    page, meta = paginate(ctx.state.hooks.list(q), q)
    return collection([hooks.Hooks.view(h, _store_hash(ctx)) for h in page], meta)


def create_hook(ctx: Ctx) -> Response:
    return _one(ctx, ctx.state.hooks.create(ctx.body()))


def get_hook(ctx: Ctx, id: int) -> Response:
    ctx.query(())
    return _one(ctx, ctx.state.hooks.get(id))


def update_hook(ctx: Ctx, id: int) -> Response:
    return _one(ctx, ctx.state.hooks.update(id, ctx.body()))


def delete_hook(ctx: Ctx, id: int) -> Response:
    ctx.query(())
    return _one(ctx, ctx.state.hooks.delete(id))


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
