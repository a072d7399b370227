"""Kind-specific ways of applying a change, where POST/PUT/DELETE on the kind's
endpoint is not the whole story. Registered per (kind, action), like Alembic's
``@Operations.implementation_for``; everything else uses the generic verbs in
executor.Run.
"""

from __future__ import annotations

import logging
from collections import defaultdict

from reconciler.core import errors
from reconciler.apply.executor import Ready, Run, implementation_for, parent_key, rows_of
from reconciler.plan.model import Action, ResourceChange
from reconciler.resources.base import ResourceKind
from reconciler.resources.channel_assignment import ENDPOINT as ASSIGNMENTS, channel_name, key_for as assignment_key
from reconciler.resources.option import key_for as option_key, value_key
from reconciler.core.refs import UnresolvedReference
from reconciler.resources.variant import bundled

log = logging.getLogger(__name__)


@implementation_for("product", Action.CREATE)
def create_products(run: Run, kind: ResourceKind, batch: list[ResourceChange]) -> None:
    """One POST per product, carrying its variants (and so its options) and custom fields."""
    # Sub-resources a new product's own POST creates (FACTS.md 5.1, 5.8).
    bundled_kinds = tuple(k.name for k in run.registry.ordered() if k.created_with_parent)
    kids = _children(run, {c.key for c in batch}, bundled_kinds, Action.CREATE)
    ready = run.payloads(kind, batch)
    for change, body in ready:
        mine = kids.get(change.key, [])
        variants = [bundled(c.after) for c in mine if c.kind == "variant"]
        fields = [{"name": c.after["name"], "value": c.after["value"]} for c in mine if c.kind == "custom_field"]
        if variants:
            body["variants"] = variants
        if fields:
            body["custom_fields"] = fields

    def handle(r: Ready, resp) -> None:
        change = r[0][0]
        run.created(kind, r, resp)
        row = (rows_of(resp) or [{}])[0]
        _learn_options(run, change.key, row)
        for kid in kids.get(change.key, []):
            run.done(kid, bool(row.get("id")), "" if row.get("id") else "its product was not created")

    run.client.map(lambda item: run.send([item], lambda bodies: run.client.post(kind.endpoint, bodies[0]), handle,
                                         recover=True), ready)
    for change in batch:
        # A product never sent (the apply was interrupted) leaves its sub-resources not applied.
        if not run.refs.has("product", change.key) and run.finished(change):
            for kid in kids.get(change.key, []):
                run.done(kid, False, f"not created: product {change.key!r} failed")
    _settle_new_channels(run, [c for c, _ in ready])


def _settle_new_channels(run: Run, created: list[ResourceChange]) -> None:
    """Which channels a product created through the API is listed on is "not stated"
    (FACTS.md 8; the sandbox lists it on channel 1). For the new products whose YAML
    lists channels, ``channels: []`` included (the plan shows that one on the product's
    create), read what the store did (one GET per 250 products) and send only the
    difference, so the planned assignments are exactly what remains:

    - a planned assignment the store already made is done, with no request;
    - one the store made and the YAML does not list is deleted (one DELETE per channel
      for up to 50 products, one request at a time, like every assignment write);
    - the rest are PUT by ``assign_channels`` as planned.

    Products whose assignments could not be read are cleared instead, so the PUTs
    leave exactly the planned set. Products whose YAML does not write ``channels``
    are left as the store made them (unmanaged)."""
    kind = run.registry["channel_assignment"]
    keys = {c.key for c in created}
    planned: dict[int, dict[int, ResourceChange]] = defaultdict(dict)   # product id -> channel id -> change
    owners: dict[int, ResourceChange] = {}   # product id -> its create, for those listed on no channel
    for change in created:
        if change.after.get(kind.owner_field) == [] and run.refs.has("product", change.key):
            owners[run.refs.id_of("product", change.key)] = change
    for pid in owners:
        planned[pid] = {}
    for change in run.plan.changes:
        if change.kind != kind.name or change.action is not Action.CREATE or parent_key(change) not in keys:
            continue
        try:
            planned[run.parent_id(kind, change)][_channel_id(run, change.after["channel"])] = change
        except (UnresolvedReference, KeyError):
            continue   # its product failed (reported), or assign_channels reports the unknown channel
    have = _read_assignments(run, sorted(planned))
    extra: dict[int | None, list[int]] = defaultdict(list)   # channel id (None: every channel) -> products
    for pid, wanted in planned.items():
        if pid not in have:
            extra[None].append(pid)
        for cid in sorted(have.get(pid, set()) - set(wanted)):
            extra[cid].append(pid)
    size = kind.delete_batch_size or 50
    for cid, pids in sorted(extra.items(), key=lambda item: item[0] or 0):
        for i in range(0, len(pids), size):
            chunk = pids[i : i + size]
            params = {"product_id:in": ",".join(map(str, chunk))}
            if cid is not None:
                params["channel_id:in"] = str(cid)
            try:
                run.client.delete(ASSIGNMENTS, params)
            except errors.StoreError as exc:
                what = f"listing on channel {cid}" if cid is not None else "listings (they could not be read)"
                message = f"its product was created, but the store's {what} could not be removed: {exc}"
                for pid in chunk:
                    for change in planned[pid].values():
                        run.done(change, False, message)
                    if pid in owners:
                        _unlisting_failed(run, kind, owners[pid], cid, message)
    for pid, wanted in planned.items():
        for cid in sorted(set(wanted) & have.get(pid, set())):
            if not run.finished(wanted[cid]):
                run.hooks.pre_apply(wanted[cid])
                run.done(wanted[cid], True, "listed by the store when the product was created", cid)


def _unlisting_failed(run: Run, kind: ResourceKind, product: ResourceChange, cid: int | None, message: str) -> None:
    """A product planned with ``channels: []`` has no assignment change to fail: its
    product's create is confirmed already (the journal says so, and rollback needs it),
    so the listing that stays is reported as a failed delete of its own."""
    name = channel_name(run.store_settings, cid) if cid is not None else "*"
    change = ResourceChange(kind=kind.name, key=assignment_key(product.key, name), action=Action.DELETE,
                            live_id=cid, source=product.source, reason="listed_by_the_store_on_create",
                            parent=product.address)
    run.hooks.pre_apply(change)
    run.done(change, False, message)


def _read_assignments(run: Run, product_ids: list[int]) -> dict[int, set[int]]:
    """product id -> its channel ids, for the products whose assignments could be read."""
    def read(chunk: str):
        try:
            return run.client.list_all(ASSIGNMENTS, {"product_id:in": chunk})
        except errors.StoreError as exc:
            log.warning("Could not read the channel assignments of %d new product(s): %s",
                        chunk.count(",") + 1, exc)
            return None

    # Up to a page of product ids a read (and a URL the store takes): one GET per 250.
    chunks = run.client.filter_chunks(ASSIGNMENTS, None, "product_id:in", product_ids)
    got = run.client.gather({str(i): (lambda c=c: read(c)) for i, c in enumerate(chunks)}) if chunks else {}
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


@implementation_for("option", Action.CREATE)
def create_options(run: Run, kind: ResourceKind, batch: list[ResourceChange]) -> None:
    def handle(r: Ready, resp) -> None:
        run.created(kind, r, resp)
        row = (rows_of(resp) or [{}])[0]
        change = r[0][0]
        for v in row.get("option_values") or []:
            run.refs.add("option_value", value_key(parent_key(change), change.after["name"], v["label"]), v["id"])

    for change, body in run.payloads(kind, batch):
        run.send([(change, body)], lambda bodies: run.client.post(run.path(kind, change), bodies[0]), handle,
                 recover=True)


@implementation_for("option", Action.UPDATE)
def update_options(run: Run, kind: ResourceKind, batch: list[ResourceChange]) -> None:
    """New values are added one by one; values dropped from the list are deleted
    (their variants were deleted earlier in this apply)."""
    for change in batch:
        run.hooks.pre_apply(change)
        product = parent_key(change)
        current = run.live.get("option", change.key)
        if current is None:
            run.done(change, False, "the option is no longer in the store; plan again")
            continue
        base = run.path(kind, change, change.live_id) + "/values"
        name = change.key[len(product) + 1:]     # key is "<sku>/<option name>"
        want = list(change.after.get("values") or [])
        have = current.extra.get("value_ids", {})
        try:
            for i, label in enumerate(want):
                if label not in have:
                    resp = run.client.post(base, {"label": label, "sort_order": i})
                    row = (rows_of(resp) or [{}])[0]
                    run.refs.add("option_value", value_key(product, name, label), row.get("id"))
            for label, value_id in have.items():
                if label not in want:
                    run.client.delete(f"{base}/{value_id}")
        except errors.StoreError as exc:
            run.done(change, False, str(exc))
            continue
        run.done(change, True, "", change.live_id)


@implementation_for("channel_assignment", Action.CREATE)
def assign_channels(run: Run, kind: ResourceKind, batch: list[ResourceChange]) -> None:
    """One PUT per batch, never in parallel (FACTS.md 8)."""
    ready = []
    for change in batch:
        run.hooks.pre_apply(change)
        try:
            ready.append((change, {"product_id": run.parent_id(kind, change),
                                   "channel_id": _channel_id(run, change.after["channel"])}))
        except (UnresolvedReference, KeyError) as exc:
            run.done(change, False, f"cannot assign: {exc}")
    if ready:
        run.send(ready, lambda bodies: run.client.put(ASSIGNMENTS, bodies),
                 lambda r, resp: [run.done(c, True) for c, _ in r])


@implementation_for("channel_assignment", Action.DELETE)
def unassign_channels(run: Run, kind: ResourceKind, batch: list[ResourceChange]) -> None:
    """One DELETE per channel for all the batch's products on it."""
    by_channel: dict[int, Ready] = defaultdict(list)
    for change in batch:
        run.hooks.pre_apply(change)
        try:
            by_channel[change.live_id].append((change, {"product_id": run.parent_id(kind, change)}))
        except UnresolvedReference as exc:
            run.done(change, False, str(exc))
    for channel_id, ready in sorted(by_channel.items()):
        ids = ",".join(str(b["product_id"]) for _, b in ready)
        run.send(ready, lambda _: run.client.delete(ASSIGNMENTS, {"product_id:in": ids, "channel_id:in": channel_id}),
                 lambda r, resp: [run.done(c, True) for c, _ in r])


def _channel_id(run: Run, name: str) -> int:
    channels = getattr(run.settings, "channels", None) or {}
    if name not in channels:
        raise KeyError(f"channel {name!r} is not in store.channels")
    return channels[name]


def _children(run: Run, parents: set[str], kinds: tuple[str, ...], action: Action) -> dict[str, list[ResourceChange]]:
    out: dict[str, list[ResourceChange]] = defaultdict(list)
    for c in run.plan.changes:
        if c.kind in kinds and c.action is action and c.parent and parent_key(c) in parents:
            out[parent_key(c)].append(c)
    return out


def _learn_options(run: Run, sku: str, row: dict) -> None:
    for v in row.get("variants") or []:
        run.refs.add("variant", v.get("sku", ""), v.get("id"))
        for ov in v.get("option_values") or []:
            run.refs.add("option", option_key(sku, ov["option_display_name"]), ov["option_id"])
            run.refs.add("option_value", value_key(sku, ov["option_display_name"], ov["label"]), ov["id"])


# -- price lists ------------------------------------------------------------------------

_RECORD_FIELDS = ("price", "sale_price", "retail_price", "map_price", "bulk_pricing_tiers")


@implementation_for("price_record", Action.CREATE)
def upsert_records(run: Run, kind: ResourceKind, batch: list[ResourceChange]) -> None:
    """Creates and updates of records go together through the bulk upsert, 1,000 per
    request, one request at a time (FACTS.md 10.2; ⚠ the spec allows 2 concurrent
    upserts, the guide one: we take one). Called once for the creates; it takes the
    updates of the same lists along, so a list's changes need the fewest requests."""
    updates = [c for c in run.plan.changes if c.kind == kind.name and c.action is Action.UPDATE]
    _upsert(run, kind, batch + updates)


@implementation_for("price_record", Action.UPDATE)
def upsert_updates(run: Run, kind: ResourceKind, batch: list[ResourceChange]) -> None:
    _upsert(run, kind, batch)


def _upsert(run: Run, kind: ResourceKind, changes: list[ResourceChange]) -> None:
    by_list: dict[str, Ready] = defaultdict(list)
    for change in changes:
        if run.finished(change):
            continue
        run.hooks.pre_apply(change)
        try:
            run.parent_id(kind, change)
        except UnresolvedReference as exc:
            run.done(change, False, str(exc))
            continue
        by_list[parent_key(change)].append((change, _record_body(run, kind, change)))
    for name, ready in by_list.items():
        path = run.path(kind, ready[0][0])
        for i in range(0, len(ready), kind.update_batch_size or 1000):
            chunk = ready[i : i + (kind.update_batch_size or 1000)]
            run.send(chunk, lambda bodies, path=path: run.client.put(path, bodies),
                     lambda r, resp: [run.done(c, True, "", c.live_id) for c, _ in r])


def _record_body(run: Run, kind: ResourceKind, change: ResourceChange) -> dict:
    """An upsert writes the whole record: fields the YAML does not set keep their live
    values. SKU and currency come from the record's fields (a SKU may hold a ':', so
    the key is split only when neither side has them); the kind's payload does the rest."""
    current = run.live.get("price_record", change.key)
    known = current.fields if current else {}
    body = {f: v for f, v in known.items() if f in _RECORD_FIELDS and v is not None}
    body.update({f: v for f, v in change.after.items() if f in _RECORD_FIELDS})
    for f in ("sku", "currency"):
        body[f] = change.after.get(f) or known.get(f)
    if not (body["sku"] and body["currency"]):
        parts = kind.key_parts(change.key, parent_key(change))
        body["sku"], body["currency"] = parts["sku"], parts["currency"]
    return kind.to_payload(body, run.refs)


@implementation_for("price_record", Action.DELETE)
def delete_records(run: Run, kind: ResourceKind, batch: list[ResourceChange]) -> None:
    """One DELETE per (list, currency) for up to 250 variants."""
    groups: dict[tuple[str, str], Ready] = defaultdict(list)
    for change in batch:
        run.hooks.pre_apply(change)
        currency = kind.key_parts(change.key, parent_key(change))["currency"]
        groups[(parent_key(change), currency)].append((change, {}))
    for (name, currency), ready in groups.items():
        try:
            path = run.path(kind, ready[0][0])
        except UnresolvedReference as exc:
            run.fail_all(ready, exc)
            continue
        ids = ",".join(str(c.live_id) for c, _ in ready)
        run.send(ready, lambda _, p=path, ids=ids, cur=currency: run.client.delete(
                     p, {"variant_id:in": ids, "currency": cur.lower()}),
                 lambda r, resp: [run.done(c, True, "", c.live_id) for c, _ in r])


@implementation_for("price_list_assignment", Action.CREATE)
def assign_price_lists(run: Run, kind: ResourceKind, batch: list[ResourceChange]) -> None:
    """POST /v3/pricelists/assignments, 25 per request; it answers 200 without a body.
    After a lost answer the batch is looked up (the kind's ``find_created``) before
    anything is resent: a blind resend would meet the store's 422 for a duplicate."""
    ready = []
    for change in batch:
        run.hooks.pre_apply(change)
        try:
            ready.append((change, {
                "price_list_id": run.parent_id(kind, change),
                "customer_group_id": run.refs.id_of("customer_group", change.after["customer_group"]),
                "channel_id": _channel_id(run, change.after["channel"]),
            }))
        except (UnresolvedReference, KeyError) as exc:
            run.done(change, False, f"cannot assign: {exc}")
    def handle(r: Ready, resp) -> None:
        rows = rows_of(resp)   # none from the POST; the store's rows when found after a lost answer
        for i, (change, _) in enumerate(r):
            run.done(change, True, "", rows[i].get("id") if len(rows) == len(r) else None)

    if ready:
        run.send(ready, lambda bodies: run.client.post(kind.endpoint, bodies), handle, recover=True)


@implementation_for("price_list_assignment", Action.DELETE)
def unassign_price_lists(run: Run, kind: ResourceKind, batch: list[ResourceChange]) -> None:
    for change in batch:
        run.hooks.pre_apply(change)
        run.send([(change, {})], lambda _, c=change: run.client.delete(kind.endpoint, {"id": c.live_id}),
                 lambda r, resp: run.done(r[0][0], True, "", r[0][0].live_id))


# -- deletes -----------------------------------------------------------------------------


@implementation_for("product", Action.DELETE)
def delete_products(run: Run, kind: ResourceKind, batch: list[ResourceChange]) -> None:
    """``DELETE /v3/catalog/products?id:in=`` for up to 250 at once (FACTS.md 5.6); the
    store removes their variants, options, custom fields and assignments with them."""
    _delete_by_filter(run, batch, kind.endpoint, "id:in")


@implementation_for("category", Action.DELETE)
def delete_categories(run: Run, kind: ResourceKind, batch: list[ResourceChange]) -> None:
    _delete_by_filter(run, batch, kind.endpoint, "category_id:in")


def _delete_by_filter(run: Run, batch: list[ResourceChange], endpoint: str, name: str) -> None:
    ready = []
    for change in batch:
        run.hooks.pre_apply(change)
        ready.append((change, {}))
    ids = ",".join(str(c.live_id) for c, _ in ready)
    run.send(ready, lambda _: run.client.delete(endpoint, {name: ids}),
             lambda r, resp: [run.done(c, True, "", c.live_id) for c, _ in r])
