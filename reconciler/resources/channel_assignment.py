"""channel_assignment: a product listed on a storefront channel, keyed "<sku>@<channel>".

YAML: ``channels: [uk-main, us-trade]`` on a product; names resolve to channel
ids through ``store.channels`` in catalog/store.yaml. Read with the product
(include=channels). Written with PUT/DELETE /v3/catalog/products/channel-assignments,
never in parallel ("Do not make parallel assignment requests with the same
product IDs", FACTS.md 8).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import Any

from reconciler.core import errors
from reconciler.core.live import LiveObject
from reconciler.resources.registry import register
from reconciler.core.refs import UnresolvedReference
from reconciler.resources.base import ResourceKind
from reconciler.resources.children import child

log = logging.getLogger(__name__)

ENDPOINT = "/v3/catalog/products/channel-assignments"


def key_for(sku: str, channel: str) -> str:
    return f"{sku}@{channel}"


def from_parent(product, settings) -> list:
    return [
        child("channel_assignment", key_for(product.key, name), product, f"channels.{i}", {"channel": name})
        for i, name in enumerate(product.fields.get("channels") or [])
    ]


def channel_name(settings, channel_id: int) -> str:
    for name, cid in settings.channels.items():
        if cid == channel_id:
            return name
    return f"#{channel_id}"   # a channel the catalog does not name


def live_from_parent(row: dict[str, Any], sku: str, refs, settings) -> list[LiveObject]:
    out = []
    for cid in row.get("channels") or []:
        name = channel_name(settings, cid)
        out.append(LiveObject("channel_assignment", key_for(sku, name), cid, {"channel": name}, parent=sku,
                              extra={"product_id": row["id"], "channel_id": cid}))
    return out


def list_undated(client) -> dict[int, list[int]]:
    """Every product's channel ids, from the assignments listing (FACTS.md: ``GET
    …/channel-assignments``): a write to an assignment is not known to move the product's
    ``date_modified``, so a targeted plan cannot find another writer's listing by date: it
    lists them all only when ``store.targeted_undated: all`` or the last listing is a week
    old (apply/targeted.py), else names what it did not re-read."""
    out: dict[int, list[int]] = {}
    for row in client.list_all(ENDPOINT):
        out.setdefault(row["product_id"], []).append(row["channel_id"])
    return out


def from_live(obj: dict[str, Any], refs) -> dict[str, Any]:
    return {"channel": obj.get("channel")}


def to_payload(fields: dict[str, Any], refs, parent: str | None = None) -> dict[str, Any]:
    """One assignment of the PUT: the product's id and the channel's (``store.channels``,
    which apply's ids hold as kind "channel": ``known_ids``)."""
    return {"product_id": refs.id_of("product", parent), "channel_id": channel_id(refs, fields["channel"])}


def channel_id(refs, name: str) -> int:
    if not refs.has("channel", name):
        raise KeyError(f"channel {name!r} is not in store.channels")
    return refs.id_of("channel", name)


def known_ids(settings) -> dict[str, dict[str, int]]:
    return {"channel": dict(settings.channels or {})}


# -- writers --------------------------------------------------------------------------


def assign(ctx, batch: list) -> None:
    """One PUT per batch, never in parallel (FACTS.md 8)."""
    ready = []
    for change in batch:
        try:
            ready.append((change, ctx.payload(change)))
        except (UnresolvedReference, KeyError) as exc:
            ctx.done(change, False, f"cannot assign: {exc}")
    if ready:
        ctx.send(ready, lambda bodies: ctx.client.put(ENDPOINT, bodies),
                 lambda r, resp: [ctx.done(c, True) for c, _ in r])


def unassign(ctx, batch: list) -> None:
    """One DELETE per channel for all the batch's products on it."""
    by_channel: dict[int, list] = defaultdict(list)
    for change in batch:
        try:
            by_channel[change.live_id].append((change, {"product_id": ctx.parent_id(change)}))
        except UnresolvedReference as exc:
            ctx.done(change, False, str(exc))
    for cid, ready in sorted(by_channel.items()):
        ids = ",".join(str(b["product_id"]) for _, b in ready)
        ctx.send(ready, lambda _, ids=ids, cid=cid: ctx.client.delete(ENDPOINT, {"product_id:in": ids,
                                                                               "channel_id:in": cid}),
                 lambda r, resp: [ctx.done(c, True) for c, _ in r])


def settle_new_products(ctx, created: list) -> None:
    """Which channels a product created through the API is listed on is "not stated"
    (FACTS.md 8; the sandbox lists it on channel 1). For the new products whose YAML
    lists channels, ``channels: []`` included (the plan shows that one on the product's
    create), read what the store did (one GET per 250 products) and send only the
    difference, so the planned assignments are exactly what remains:

    - a planned assignment the store already made is done, with no request;
    - one the store made and the YAML does not list is deleted (one DELETE per channel
      for up to ``delete_batch_size`` products, one request at a time);
    - the rest are PUT by ``assign`` as planned (the channel assignment step).

    Products whose assignments could not be read are cleared instead, so the PUTs
    leave exactly the planned set. Products whose YAML does not write ``channels``
    are left as the store made them (unmanaged). ``ctx`` is the product create's."""
    planned, owners = _planned(ctx, created)
    have = _read_assignments(ctx, sorted(planned))
    extra: dict[int | None, list[int]] = defaultdict(list)   # channel id (None: every channel) -> products
    for pid, wanted in planned.items():
        if pid not in have:
            extra[None].append(pid)
        for cid in sorted(have.get(pid, set()) - set(wanted)):
            extra[cid].append(pid)
    _unlist(ctx, extra, planned, owners)
    for pid, wanted in planned.items():
        for cid in sorted(set(wanted) & have.get(pid, set())):
            if not ctx.finished(wanted[cid]):
                ctx.settle(wanted[cid], "listed by the store when the product was created", cid)


def _planned(ctx, created: list) -> tuple[dict[int, dict[int, Any]], dict[int, Any]]:
    """product id -> channel id -> planned assignment; and product id -> its create, for
    the products planned on no channel (``channels: []``)."""
    planned: dict[int, dict[int, Any]] = defaultdict(dict)
    owners: dict[int, Any] = {}
    for change in created:
        if change.after.get(CHANNEL_ASSIGNMENT.owner_field) == [] and ctx.ids.has("product", change.key):
            owners[ctx.ids.id_of("product", change.key)] = change
    for pid in owners:
        planned[pid] = {}
    for change in ctx.related(CHANNEL_ASSIGNMENT.name):
        try:
            pid = ctx.ids.id_of("product", ctx.parent_key(change))
            planned[pid][channel_id(ctx.ids, change.after["channel"])] = change
        except (UnresolvedReference, KeyError):
            continue   # its product failed (reported), or ``assign`` reports the unknown channel
    return planned, owners


def _unlist(ctx, extra: dict[int | None, list[int]], planned: dict, owners: dict) -> None:
    size = CHANNEL_ASSIGNMENT.delete_batch_size
    for cid, pids in sorted(extra.items(), key=lambda item: item[0] or 0):
        for i in range(0, len(pids), size):
            chunk = pids[i : i + size]
            params = {"product_id:in": ",".join(map(str, chunk))}
            if cid is not None:
                params["channel_id:in"] = str(cid)
            try:
                ctx.client.delete(ENDPOINT, params)
            except errors.StoreError as exc:
                what = f"listing on channel {cid}" if cid is not None else "listings (they could not be read)"
                message = f"its product was created, but the store's {what} could not be removed: {exc}"
                for pid in chunk:
                    for change in planned[pid].values():
                        ctx.done(change, False, message)
                    if pid in owners:
                        _unlisting_failed(ctx, owners[pid], cid, message)


def _unlisting_failed(ctx, product, cid: int | None, message: str) -> None:
    """A product planned with ``channels: []`` has no assignment change to fail: its
    product's create is confirmed already (the journal says so, and rollback needs it),
    so the listing that stays is reported as a failed delete of its own."""
    name = channel_name(ctx.settings, cid) if cid is not None else "*"
    ctx.fail_unplanned(CHANNEL_ASSIGNMENT.name, key_for(product.key, name), action="delete", live_id=cid,
                       like=product, reason="listed_by_the_store_on_create", message=message)


def _read_assignments(ctx, product_ids: list[int]) -> dict[int, set[int]]:
    """product id -> its channel ids, for the products whose assignments could be read."""
    def read(chunk: str):
        try:
            return ctx.client.list_all(ENDPOINT, {"product_id:in": chunk})
        except errors.StoreError as exc:
            log.warning("Could not read the channel assignments of %d new product(s): %s",
                        chunk.count(",") + 1, exc)
            return None

    # Up to a page of product ids a read (and a URL the store takes): one GET per 250.
    chunks = ctx.client.filter_chunks(ENDPOINT, None, "product_id:in", product_ids)
    got = ctx.client.gather({str(i): (lambda c=c: read(c)) for i, c in enumerate(chunks)}) if chunks else {}
    out: dict[int, set[int]] = {}
    for i, chunk in enumerate(chunks):
        rows = got[str(i)]
        if rows is None:
            continue
        for pid in map(int, chunk.split(",")):
            out[pid] = set()
        for row in rows:
            if row.get("product_id") in out:
                out[row["product_id"]].add(row.get("channel_id"))
    return out


CHANNEL_ASSIGNMENT = register(ResourceKind(
    name="channel_assignment",
    plural="channel_assignments",
    schema="product.schema.json",
    key="channel",
    endpoint=ENDPOINT,
    depends_on=("product",),
    # Assignment batch size is not stated (FACTS.md 8): 50 per PUT, sent one at a time.
    create_batch_size=50,
    delete_batch_size=50,
    meta_fields=frozenset({"acknowledge"}),   # tombstones (delete: true) are for top-level objects
    parent="product",
    owner_field="channels",
    from_parent=from_parent,
    live_from_parent=live_from_parent,
    read_include="channels",
    list_undated=list_undated,
    from_live=from_live,
    to_payload=to_payload,
    # A product's ``channels`` as catalog import writes them: its channels' names, sorted, one line.
    import_fold=lambda found, product, doc, ctx: ctx.flow_list(sorted(
        ctx.channel(c.fields["channel"], c.extra.get("channel_id")) for c in found)) or None,
    # -- apply: writers --
    create_writer=assign,
    settle_created=settle_new_products,
    delete_writer=unassign,
    known_ids=known_ids,
    shown_as="inline",        # one value each (a label list, a text, a channel)
    audience_fields=(None, "channel"),   # the product's catalog price, on this channel
    audience_from="granted",
))
