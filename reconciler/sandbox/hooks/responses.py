"""Request handlers for webhooks (WH ``/v3/hooks``; the rules are in ``models.py``).

Same contract as every service's responses.py: each handler takes a ``Ctx`` plus the path arguments and
answers the v3 envelope. Every answer carries the ``store_hash`` the request named (the
app has already checked it is this store's).
"""

from __future__ import annotations

from werkzeug.wrappers import Response

from ..core.query import paginate
from ..core.responses import Ctx, collection, single
from . import models as hooks


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
