"""The generic writers: POST / PUT / DELETE on the kind's endpoint, at its batch sizes.

A kind whose writes are more than that sets its own writer in its module
(``ResourceKind.create_writer`` & co., reconciler/resources/<kind>.py); every
other kind is written by these. Each takes ``(ctx, batch)`` (core/writing.py).

After a write, the object the store returns is compared with what was planned; a
difference is an error ("store returned a different value than planned"), as
Terraform does for providers.
"""

from __future__ import annotations

from typing import Any

from reconciler.apply.sending import item_errors, missing_row
from reconciler.core import errors
from reconciler.core.writing import Ready, WriteContext, rows_of
from reconciler.resources import REGISTRY
from reconciler.resources.base import fold_refs
from reconciler.store.transport import Response


def create(ctx: WriteContext, batch: list) -> None:
    ready = ctx.payloads(batch)
    if not ready:
        return
    kind = ctx.kind
    if kind.create_batch_size:
        ctx.send(ready, lambda bodies: ctx.client.post(ctx.path(ready[0][0]), bodies), ctx.created, recover=True)
        return
    ctx.client.map(
        lambda item: ctx.send([item], lambda bodies: ctx.client.post(ctx.path(item[0]), bodies[0]),
                              ctx.created, recover=True),
        ready,
    )


def created(ctx: WriteContext, ready: Ready, resp: Response) -> None:
    """Each create's row in the answer (by name in a batch): its id learnt, its values checked."""
    kind = ctx.kind
    rows = rows_of(resp)
    by_name = {str(r.get("name", "")).casefold(): r for r in rows}
    for i, (change, body) in enumerate(ready):
        row = rows[0] if len(ready) == 1 and rows else by_name.get(str(body.get("name", "")).casefold())
        if not row or kind.id_field not in row:
            ctx.done(change, False, missing_row(resp, "create", i))
            continue
        new_id = row[kind.id_field]
        ctx.ids.add(kind.name, change.key, new_id)
        problem = inconsistent(ctx, change, row)
        ctx.done(change, not problem, problem, new_id)


def update(ctx: WriteContext, batch: list) -> None:
    kind = ctx.kind
    ready = [(c, {kind.id_field: c.live_id, **body}) for c, body in ctx.payloads(batch)]
    if not ready:
        return
    handle = lambda r, resp: _updated(ctx, r, resp)   # noqa: E731
    if kind.update_batch_size:
        endpoint = kind.update_endpoint or kind.endpoint
        ctx.send(ready, lambda bodies: ctx.client.put(endpoint, bodies), handle)
        return
    for item in ready:
        path = ctx.path(item[0], item[0].live_id)
        body = {k: v for k, v in item[1].items() if k != kind.id_field}
        ctx.send([item], lambda _: ctx.client.put(path, body), handle)


def _updated(ctx: WriteContext, ready: Ready, resp: Response) -> None:
    kind = ctx.kind
    by_id = {r.get(kind.id_field): r for r in rows_of(resp)}
    if len(ready) == 1 and len(by_id) == 1:
        by_id = {ready[0][0].live_id: next(iter(by_id.values()))}
    for i, (change, _) in enumerate(ready):
        row = by_id.get(change.live_id)
        if resp.status == 207 and (row is None or str(i) in item_errors(resp)):
            ctx.done(change, False, missing_row(resp, "update", i))
            continue
        # Endpoints that answer without the objects (trees PUT) are taken at their word.
        problem = inconsistent(ctx, change, row) if row else ""
        ctx.done(change, not problem, problem, change.live_id)


def delete(ctx: WriteContext, batch: list) -> None:
    """One DELETE per object; one already gone has done its job (a retry after a
    dropped answer, or someone else deleted it)."""
    from reconciler.core.refs import UnresolvedReference

    for change in batch:
        if ctx.stopped:
            return
        try:
            path = ctx.path(change, change.live_id)
        except UnresolvedReference as exc:
            ctx.done(change, False, str(exc))
            continue
        ctx.send([(change, {})], lambda _: _delete_one(ctx, path),
                 lambda r, resp: ctx.done(r[0][0], True, "", r[0][0].live_id))


def _delete_one(ctx: WriteContext, path: str) -> Response:
    try:
        return ctx.client.delete(path)
    except errors.NotFound:
        return Response(404, None, {})


def inconsistent(ctx: WriteContext, change: Any, row: dict[str, Any]) -> str:
    """Compare what the store answered with what the plan wanted to write."""
    kind = ctx.kind
    got = kind.from_live(row, ctx.ids)
    bad = []
    owned = REGISTRY.child_fields(kind)
    for f, want in change.after.items():
        if f not in got or f in owned:
            continue  # the endpoint did not echo this field
        have = got[f]
        if f in kind.set_fields:
            same = sorted(map(str.casefold, have or [])) == sorted(map(str.casefold, want or []))
        elif f in kind.ref_fields:
            same = fold_refs(have) == fold_refs(want)
        else:
            same = have == want
        if not same:
            bad.append(f"{f}: planned {want!r}, store has {have!r}")
    if bad:
        return "store returned a different value than planned: " + "; ".join(bad)
    return ""
