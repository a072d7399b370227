"""One request for a batch, and what to do when it does not simply succeed.

- Refused as a whole (409/422/404): items the answer names fail with the store's
  message; the others are resent (or, if none is named, every item alone), since
  the store may refuse a batch for one bad item without saying which (FACTS.md 5.6).
- No answer or a 5xx to a create (``recover``): each object is looked up (the
  kind's ``find_created``, else by key) before anything is sent again, so a retry
  never makes a duplicate; what is found counts as created.

Used through ``WriteContext.send`` (apply/context.py); prints nothing.
"""

from __future__ import annotations

import logging
from typing import Callable

from reconciler.core import errors
from reconciler.core.writing import Ready, WriteContext
from reconciler.store.transport import Response

log = logging.getLogger(__name__)


def send(ctx: WriteContext, ready: Ready, request: Callable[[list[dict]], Response],
         handle: Callable[[Ready, Response], None], *, recover: bool = False, attempts: int = 3) -> None:
    if ctx.stopped:
        return          # interrupted: not sent, so not applied (listed as such)
    try:
        resp = request([body for _, body in ready])
    except errors.StoreHTTPError as exc:
        if exc.status in (404, 409, 422) and len(ready) > 1:
            _resend_refused(ctx, ready, request, handle, exc, recover=recover, attempts=attempts)
            return
        ctx.fail_all(ready, exc)
        return
    except errors.StoreUnavailable as exc:
        if recover and attempts > 1:
            _recover(ctx, ready, request, handle, attempts)
            return
        ctx.fail_all(ready, exc)
        return
    except errors.StoreError as exc:
        ctx.fail_all(ready, exc)
        return
    handle(ready, resp)


def _resend_refused(ctx: WriteContext, ready: Ready, request, handle, exc: errors.StoreHTTPError, *,
                    recover: bool, attempts: int) -> None:
    named = named_failures(exc, ready)
    for i, message in named.items():
        ctx.done(ready[i][0], False, f"{exc.status} {message}")
    rest = [item for i, item in enumerate(ready) if i not in named]
    if named and rest:
        send(ctx, rest, request, handle, recover=recover, attempts=attempts)
    elif not named:
        for item in ready:
            send(ctx, [item], request, handle, recover=recover, attempts=attempts)


def _recover(ctx: WriteContext, ready: Ready, request, handle, attempts: int) -> None:
    found, missing = [], []
    for item, row in zip(ready, _look_up(ctx, ready)):
        (found if row else missing).append((item, row))
    if found:
        log.info("Found %d object(s) the store created although its answer was lost", len(found))
        handle([i for i, _ in found], Response(200, {"data": [r for _, r in found]}, {}))
    if missing:
        send(ctx, [i for i, _ in missing], request, handle, recover=True, attempts=attempts - 1)


def _look_up(ctx: WriteContext, ready: Ready) -> list[dict | None]:
    """The store's row for each create in ``ready`` (the step's kind), or None: by the
    kind's own lookup from what was sent, else by key."""
    from reconciler.store.read import find_by_key

    kind = ctx.kind
    if kind.find_created:
        try:
            return kind.find_created(ctx.client, ready, ctx.settings)
        except errors.StoreError:
            return [None] * len(ready)
    rows = []
    for change, _ in ready:
        try:
            rows.append(find_by_key(ctx.client, kind, change.key, parent_id=ctx.parent_id(change),
                                    settings=ctx.settings, parent=ctx.parent_key(change)))
        except errors.StoreError:
            rows.append(None)
    return rows


def named_failures(exc: errors.StoreHTTPError, ready: Ready) -> dict[int, str]:
    """Items a refused batch names: ``batch_errors`` by ``instance`` index ("#/3",
    variants) or by identity (``data.sku`` + currency, price records)."""
    body = exc.body if isinstance(exc.body, dict) else {}
    out: dict[int, str] = {}
    for err in body.get("batch_errors") or []:
        if not isinstance(err, dict):
            continue
        message = err.get("title") or ""
        detail = err.get("errors") or err.get("field_errors")
        if isinstance(detail, dict) and detail:
            message = f"{message} ({'; '.join(f'{k}: {v}' for k, v in detail.items())})".strip()
        index = _index_of(err, ready)
        if index is not None:
            out[index] = message or "refused by the store"
    return out


def _index_of(err: dict, ready: Ready) -> int | None:
    instance = str(err.get("instance") or "")
    if instance.startswith("#/") and instance[2:].isdigit() and int(instance[2:]) < len(ready):
        return int(instance[2:])
    data = err.get("data") if isinstance(err.get("data"), dict) else {}
    for i, (_, body) in enumerate(ready):
        if data.get("sku") and str(body.get("sku", "")).casefold() == str(data["sku"]).casefold() and \
                str(body.get("currency", "")).casefold() == str(data.get("currency", "")).casefold():
            return i
        if data.get("variant_id") and body.get("variant_id") == data["variant_id"]:
            return i
    return None


def item_errors(resp: Response) -> dict[str, str]:
    """A 207's per-item messages, keyed by the item's index in the request."""
    errs = resp.data.get("errors") if isinstance(resp.data, dict) else None
    inner = errs.get("errors") if isinstance(errs, dict) else None
    return {str(k): str(v) for k, v in inner.items()} if isinstance(inner, dict) else {}


def missing_row(resp: Response, verb: str, index: int | None = None) -> str:
    if resp.status == 207:
        message = item_errors(resp).get(str(index)) if index is not None else None
        if not message:
            errs = resp.data.get("errors") if isinstance(resp.data, dict) else None
            message = (errs.get("title") if isinstance(errs, dict) else None) or "no reason given"
        return f"BigCommerce 207 Multi-Status: this {verb} was not applied: {message}"
    return f"the store accepted the {verb} but did not return the object"
