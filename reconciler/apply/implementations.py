"""Kind-specific ways of applying a change, where POST/PUT/DELETE on the kind's
endpoint is not the whole story. Registered per (kind, action), like Alembic's
``@Operations.implementation_for``; everything else uses the generic verbs in
executor.Run.
"""

from __future__ import annotations

from collections import defaultdict

from reconciler import errors
from reconciler.apply.executor import Ready, Run, implementation_for, parent_key, rows_of
from reconciler.plan.model import Action, ResourceChange
from reconciler.resources.base import ResourceKind
from reconciler.resources.channel_assignment import ENDPOINT as ASSIGNMENTS
from reconciler.resources.option import key_for as option_key, value_key
from reconciler.resources.refs import UnresolvedReference
from reconciler.resources.variant import bundled



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
        if not run.refs.has("product", change.key):
            for kid in kids.get(change.key, []):
                run.done(kid, False, f"not created: product {change.key!r} failed")
    _clear_default_channels(run, [c for c, _ in ready])


def _clear_default_channels(run: Run, created: list[ResourceChange]) -> None:
    """A new product's channels are "not stated" (FACTS.md 8); the store may list it on
    its default storefront. For products whose YAML lists channels, start from none,
    so the planned assignments are exactly what remains."""
    owning = {parent_key(c) for c in run.plan.changes if c.kind == "channel_assignment" and c.action is Action.CREATE}
    ids = []
    for change in created:
        if change.key in owning:
            try:
                ids.append(run.refs.id_of("product", change.key))
            except UnresolvedReference:
                continue  # its create failed; reported already
    for i in range(0, len(ids), 50):
        chunk = ",".join(map(str, ids[i : i + 50]))
        try:
            run.client.delete(ASSIGNMENTS, {"product_id:in": chunk})
        except errors.StoreError as exc:
            for c in created:
                if c.key in owning:
                    run.done(c, False, f"created, but its default channel listing could not be cleared: {exc}")


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
        by_list[parent_key(change)].append((change, _record_body(run, change)))
    for name, ready in by_list.items():
        path = run.path(kind, ready[0][0])
        for i in range(0, len(ready), kind.update_batch_size or 1000):
            chunk = ready[i : i + (kind.update_batch_size or 1000)]
            run.send(chunk, lambda bodies, path=path: run.client.put(path, bodies),
                     lambda r, resp: [run.done(c, True, "", c.live_id) for c, _ in r])


def _record_body(run: Run, change: ResourceChange) -> dict:
    """An upsert writes the whole record: fields the YAML does not set keep their live values."""
    current = run.live.get("price_record", change.key)
    body = {f: v for f, v in (current.fields if current else {}).items() if f in _RECORD_FIELDS and v is not None}
    _, sku, currency = change.key.rsplit(":", 2)
    body.update({f: v for f, v in change.after.items() if f in _RECORD_FIELDS})
    body["sku"] = sku
    body["currency"] = currency.lower()   # the API's examples use lower case
    return body


@implementation_for("price_record", Action.DELETE)
def delete_records(run: Run, kind: ResourceKind, batch: list[ResourceChange]) -> None:
    """One DELETE per (list, currency) for up to 250 variants."""
    groups: dict[tuple[str, str], Ready] = defaultdict(list)
    for change in batch:
        run.hooks.pre_apply(change)
        groups[(parent_key(change), change.key.rsplit(":", 1)[1])].append((change, {}))
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
