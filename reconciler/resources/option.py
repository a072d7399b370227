"""option: a product's variant option and its values, e.g. Width: [2.5mm, 3.6mm, 4.8mm].

Key: "<product sku>/<display name>". Read from the option values the product's
variants carry (include=variants), so no per-product option requests are needed.
A value no variant uses (an admin deleted its variant; BigCommerce keeps the
value) is invisible there, so a product whose YAML options the variants do not
explain (``unexplained``) has its options read from the store's own
``GET /v3/catalog/products/{id}/options`` (``live_from_options``): one request per
such product, none for a store that matches. ``include=options`` would cost a
request per 10 products (FACTS.md 3.1). An unused value the YAML does not list
either stays unread unless the product is read in full for another reason.

Apply: a new option is POSTed with its values; new values of an existing option
are POSTed one by one; values dropped from the list are deleted after the
variants that used them. For a new product the options come into being with
the product's own POST (from its variants), in one request.
"""

from __future__ import annotations

from typing import Any

from reconciler.core import errors
from reconciler.core.live import LiveObject
from reconciler.resources.registry import register
from reconciler.core.writing import rows_of
from reconciler.resources.base import ResourceKind
from reconciler.resources.children import all_of_parent, child, text


def key_for(sku: str, name: str) -> str:
    return f"{sku}/{name}"


def value_key(sku: str, name: str, label: str) -> str:
    return f"{sku}/{name}/{label}"


def from_parent(product, settings) -> list:
    opts = product.fields.get("options") or {}
    if opts:
        settings.declared_options[product.key] = {name: [text(v) for v in values] for name, values in opts.items()}
    return [
        child("option", key_for(product.key, name), product, f"options.{name}",
              {"name": name, "values": [text(v) for v in values]})
        for name, values in opts.items()
    ]


def live_from_parent(row: dict[str, Any], sku: str, refs, settings) -> list[LiveObject]:
    options: dict[int, dict[str, Any]] = {}
    for variant in row.get("variants") or []:
        for ov in variant.get("option_values") or []:
            opt = options.setdefault(ov["option_id"], {"name": ov["option_display_name"], "values": {}})
            opt["values"][ov["label"]] = ov["id"]
    out = []
    for option_id, opt in sorted(options.items()):
        key = key_for(sku, opt["name"])
        refs.add("option", key, option_id)
        for label, value_id in opt["values"].items():
            refs.add("option_value", value_key(sku, opt["name"], label), value_id)
        out.append(LiveObject("option", key, option_id, {"name": opt["name"], "values": sorted(opt["values"])},
                              parent=sku, extra={"product_id": row["id"], "value_ids": dict(opt["values"])}))
    return out


def unexplained(live, declared: dict[str, dict[str, list[str]]]) -> dict[str, int]:
    """{product key: id} of the products whose YAML options name an option or a value
    their variants' option values do not show: only the store's options tell."""
    out = {}
    for sku, options in declared.items():
        product = live.get("product", sku)
        if product is None:
            continue
        for name, values in options.items():
            have = live.get("option", key_for(product.key, name))
            if have is None or not set(values) <= set(have.fields["values"]):
                out[product.key] = product.id
                break
    return out


def settle_read(client, live, settings) -> None:
    """After a read: the store's own options of the products whose YAML options their
    variants do not explain (``unexplained``): a value no variant uses is only there."""
    wanted = unexplained(live, settings.declared_options)
    if not wanted:
        return
    items = sorted(wanted.items())
    groups = [items[i::8] for i in range(min(8, len(items)))]     # a few threads, not one per product
    got = client.gather({str(i): (lambda g=g: [(sku, pid, client.list_all(OPTION.endpoint.format(parent_id=pid)))
                                                for sku, pid in g]) for i, g in enumerate(groups)})
    read = {sku.casefold() for sku in wanted}
    options = live.objects.setdefault("option", {})
    for key in [k for k, o in options.items() if (o.parent or "").casefold() in read]:
        del options[key]
    for results in got.values():
        for sku, pid, rows in results:
            for obj in live_from_options(rows, sku, pid, live.refs):
                live.add(obj)


def live_from_options(rows: list[dict[str, Any]], sku: str, product_id: int, refs) -> list[LiveObject]:
    """The product's options as the store keeps them (``/v3/catalog/products/{id}/options``)."""
    out = []
    for row in sorted(rows, key=lambda r: r["id"]):
        key = key_for(sku, row["display_name"])
        ids = {v["label"]: v["id"] for v in row.get("option_values") or []}
        refs.add("option", key, row["id"])
        for label, value_id in ids.items():
            refs.add("option_value", value_key(sku, row["display_name"], label), value_id)
        out.append(LiveObject("option", key, row["id"], {"name": row["display_name"], "values": sorted(ids)},
                              parent=sku, extra={"product_id": product_id, "value_ids": ids}))
    return out


def from_live(obj: dict[str, Any], refs) -> dict[str, Any]:
    return {"name": obj.get("display_name"), "values": [v["label"] for v in obj.get("option_values") or []]}


def to_payload(fields: dict[str, Any], refs, parent: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "display_name": fields["name"],
        "type": "rectangles",
        "option_values": [{"label": v, "sort_order": i} for i, v in enumerate(fields.get("values") or [])],
    }
    if parent is not None and refs is not None and refs.has("product", parent):
        # VO createOption requires ``product_id`` in the body beside the one in the path.
        body["product_id"] = refs.id_of("product", parent)
    return body


def import_fold(options: list, product, doc: dict, ctx) -> dict | None:
    """A product's ``options`` as catalog import writes them: name -> values on one line,
    options and values in the store's order (by id: the order they were made in)."""
    return {o.fields["name"]: ctx.flow_list(_labels(o)) for o in sorted(options, key=lambda o: o.id)} or None


def _labels(option: LiveObject) -> list[str]:
    ids = option.extra.get("value_ids") or {}
    return sorted(option.fields["values"], key=lambda v: (ids.get(v, 1 << 62), v))
# -- writers --------------------------------------------------------------------------


def create(ctx, batch: list) -> None:
    """One POST per option, with its values; the values' ids are learnt from the answer."""
    def handle(r, resp) -> None:
        ctx.created(r, resp)
        row = (rows_of(resp) or [{}])[0]
        change = r[0][0]
        for v in row.get("option_values") or []:
            ctx.ids.add("option_value", value_key(ctx.parent_key(change), change.after["name"], v["label"]), v["id"])

    for change, body in ctx.payloads(batch):
        ctx.send([(change, body)], lambda bodies, c=change: ctx.client.post(ctx.path(c), bodies[0]), handle,
                 recover=True)


def update(ctx, batch: list) -> None:
    """New values are added one by one; values dropped from the list are deleted
    (their variants were deleted earlier in this apply)."""
    for change in batch:
        current = ctx.live("option", change.key)
        if current is None:
            ctx.done(change, False, "the option is no longer in the store; plan again")
            continue
        try:
            _write_values(ctx, change, current.extra.get("value_ids", {}))
        except errors.StoreError as exc:
            ctx.done(change, False, str(exc))
            continue
        ctx.done(change, True, "", change.live_id)


def _write_values(ctx, change, have: dict[str, int]) -> None:
    product = ctx.parent_key(change)
    base = ctx.path(change, change.live_id) + "/values"
    name = change.key[len(product) + 1:]     # key is "<sku>/<option name>"
    want = list(change.after.get("values") or [])
    for i, label in enumerate(want):
        if label not in have:
            resp = ctx.client.post(base, {"label": label, "sort_order": i})
            row = (rows_of(resp) or [{}])[0]
            ctx.ids.add("option_value", value_key(product, name, label), row.get("id"))
    for label, value_id in have.items():
        if label not in want:
            ctx.client.delete(f"{base}/{value_id}")


OPTION = register(ResourceKind(
    name="option",
    plural="options",
    schema="product.schema.json",
    key="name",
    endpoint="/v3/catalog/products/{parent_id}/options",
    depends_on=("product",),
    set_fields=frozenset({"values"}),
    # Value labels are unique in an option without case (the sandbox's stricter reading of
    # VO's 409), so "2.5MM" is the store's "2.5mm": not a value to add (the store refuses it).
    ref_fields=frozenset({"values"}),
    meta_fields=frozenset({"acknowledge"}),   # tombstones (delete: true) are for top-level objects
    parent="product",
    created_with_parent=True,
    owner_field="options",
    from_parent=from_parent,
    live_from_parent=live_from_parent,
    settle_read=settle_read,
    find_rows=all_of_parent,
    match_field="display_name",
    from_live=from_live,
    to_payload=to_payload,
    import_fold=import_fold,
    # -- apply: writers --
    create_writer=create,
    update_writer=update,
    shown_as="inline",        # one value each (a label list, a text, a channel)
))
