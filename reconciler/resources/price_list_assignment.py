"""price_list_assignment: a price list applied to a customer group on a channel.

Key: "<price list>@<customer group>@<channel>"; an assignment to a channel alone (no
customer group: every shopper on it, as the API allows) is "<price list>@@<channel>",
written ``{channel: us-trade}`` with no ``customer_group``. Created with
``POST /v3/pricelists/assignments`` (25 per request, FACTS.md 10.3), removed
with ``DELETE /v3/pricelists/assignments?id=``. After a lost answer to the POST the
batch is looked up by (price list, customer group, channel) before it is resent.
"""

from __future__ import annotations

from typing import Any

from reconciler.core.live import LiveObject
from reconciler.resources.registry import register
from reconciler.core.refs import UnresolvedReference
from reconciler.core.writing import rows_of
from reconciler.resources.base import ResourceKind
from reconciler.resources.channel_assignment import channel_id, channel_name
from reconciler.resources.checks import error, items
from reconciler.resources.children import child
from reconciler.resources.customer_group import discount_types

ENDPOINT = "/v3/pricelists/assignments"


def key_for(price_list: str, group: str | None, channel: str) -> str:
    """``List@Group@channel``; no group (a channel-only assignment): ``List@@channel``."""
    return f"{price_list}@{group or ''}@{channel}"


def key_parts(key: str, price_list: str | None = None) -> dict[str, str]:
    """The list, group and channel of a key ``key_for`` wrote (the list's name is the
    parent's, the channel what follows the last '@'): what a rename follows.

    >>> key_parts("Trade GBP@Trade@uk-main", "Trade GBP")
    {'price_list': 'Trade GBP', 'customer_group': 'Trade', 'channel': 'uk-main'}
    """
    if price_list is not None and key.startswith(price_list + "@"):
        rest = key[len(price_list) + 1:]
    else:    # no parent to go by: the list's name is taken to hold no '@'
        price_list, _, rest = key.partition("@")
    group, _, channel = rest.rpartition("@")
    return {"price_list": price_list, "customer_group": group, "channel": channel}


def from_parent(price_list, settings) -> list:
    return [
        child("price_list_assignment", key_for(price_list.key, a.get("customer_group"), a["channel"]), price_list,
              f"assignments.{i}", {"customer_group": a.get("customer_group"), "channel": a["channel"]})
        for i, a in enumerate(price_list.fields.get("assignments") or [])
    ]


def _group(refs, group_id) -> str | None:
    """A row's customer group by name; None for a channel-only assignment, "#<id>" unknown."""
    if group_id is None:
        return None
    return refs.key_of("customer_group", group_id) or f"#{group_id}"


def live_from_parent(row: dict[str, Any], name: str, refs, settings) -> list[LiveObject]:
    out = []
    for a in row.get("assignments") or []:
        group = _group(refs, a.get("customer_group_id"))
        channel = channel_name(settings, a.get("channel_id"))
        out.append(LiveObject("price_list_assignment", key_for(name, group, channel), a["id"],
                              {"customer_group": group, "channel": channel}, parent=name,
                              extra={"price_list_id": row["id"]}))
    return out


def from_live(obj: dict[str, Any], refs) -> dict[str, Any]:
    return {"customer_group": obj.get("customer_group"), "channel": obj.get("channel")}


def to_payload(fields: dict[str, Any], refs, parent: str | None = None) -> dict[str, Any]:
    """The POST's item: the list (``parent``), the group (none: the channel alone, only
    ``price_list_id`` is required, FACTS.md 10.3) and the channel (``store.channels``)."""
    body = {"price_list_id": refs.id_of("price_list", parent), "channel_id": channel_id(refs, fields["channel"])}
    if fields.get("customer_group") is not None:
        body["customer_group_id"] = refs.id_of("customer_group", fields["customer_group"])
    return body


def find_created(client, ready: list, settings) -> list[dict | None]:
    """After a lost answer (the POST answers 200 with no body, FACTS.md 10.3, so there is
    nothing to learn ids from anyway): the batch's lists' assignments in one read, each
    sent body matched by (price list, customer group, channel). A (group, channel) held
    by another list is not a match: the resend then fails with the store's own 422."""
    lists = sorted({body["price_list_id"] for _, body in ready})
    rows = client.list_all(ENDPOINT, {"price_list_id:in": ",".join(map(str, lists))})
    have = {(r.get("price_list_id"), r.get("customer_group_id"), r.get("channel_id")): r for r in rows}
    return [have.get((b["price_list_id"], b.get("customer_group_id"), b["channel_id"])) for _, b in ready]


def read_apart(client, sink, lists: list[dict], wanted: dict | None) -> dict:
    """One read of the lists' assignments (all, or of the touched lists only)."""
    if wanted is None:
        ids = None
    else:
        names = {k.casefold() for k in wanted}
        ids = ",".join(str(r["id"]) for r in lists if str(r.get("name") or "").casefold() in names)
    if not lists or ids == "":
        return {}
    params = None if ids is None else {"price_list_id:in": ids}
    return {"all": lambda: _add(sink, lists, client.list_all(ENDPOINT, params))}


def _add(sink, lists: list[dict], rows: list[dict]) -> None:
    by_list: dict[int, list[dict]] = {}
    for a in rows:
        by_list.setdefault(a.get("price_list_id"), []).append(a)
    for i, row in enumerate(lists):
        sink.add_children("price_list_assignment", row, by_list.get(row["id"], []), (i, 1))
def import_fold(assignments: list, price_list, doc: dict, ctx) -> list | None:
    """A list's ``assignments`` as catalog import writes them: by group (channel-only ones,
    without ``customer_group``, first), then channel."""
    rows = sorted((_imported(a, ctx) for a in assignments),
                  key=lambda a: (a.get("customer_group", "").casefold(), a["channel"]))
    ctx.unresolved(f"price list '{price_list.key}'", (a.get("customer_group") for a in rows))
    return [ctx.flow(a) for a in rows] or None
def _imported(assignment, ctx) -> dict:
    """One assignment as import writes it; no ``customer_group`` when it has none."""
    group = assignment.fields["customer_group"]
    return {**({"customer_group": group} if group is not None else {}),
            "channel": ctx.channel(assignment.fields["channel"])}


# -- writers --------------------------------------------------------------------------


def assign(ctx, batch: list) -> None:
    """POST /v3/pricelists/assignments, 25 per request; it answers 200 without a body.
    After a lost answer the batch is looked up (``find_created``) before anything is
    resent: a blind resend would meet the store's 422 for a duplicate."""
    ready = []
    for change in batch:
        try:
            ready.append((change, ctx.payload(change)))
        except (UnresolvedReference, KeyError) as exc:
            ctx.done(change, False, f"cannot assign: {exc}")

    def handle(r, resp) -> None:
        rows = rows_of(resp)   # none from the POST; the store's rows when found after a lost answer
        for i, (change, _) in enumerate(r):
            ctx.done(change, True, "", rows[i].get("id") if len(rows) == len(r) else None)

    if ready:
        ctx.send(ready, lambda bodies: ctx.client.post(ENDPOINT, bodies), handle, recover=True)


def unassign(ctx, batch: list) -> None:
    for change in batch:
        ctx.send([(change, {})], lambda _, c=change: ctx.client.delete(ENDPOINT, {"id": c.live_id}),
                 lambda r, resp: ctx.done(r[0][0], True, "", r[0][0].live_id))
def title(field, label: str, key: str) -> list[tuple[str, bool]]:
    """An assignment in a plan: ``assignment Trade on uk-main`` (from its fields, else its label)."""
    group, _, channel = label.rpartition("@")
    group, channel = field("customer_group") or group, field("channel") or channel
    if not group:
        return [("assignment", False), ("everyone", True), ("on", False), (channel or key, True)]
    return [("assignment", False), (group, True), ("on", False), (channel, True)]


def checks(price_lists: list, checking) -> list:
    """Each list's assignments: known channels, no (group, channel) twice, and no group that
    has customer-group discounts (the store refuses a price list for it)."""
    groups = {k.casefold(): g for k, g in checking.objects.get("customer_group", {}).items()}
    out = []
    for price_list in price_lists:
        first: dict[tuple[str, str], Any] = {}
        for i, item in items(price_list, "assignments"):
            out += _assignment(price_list, i, item, groups, checking, first)
    return out


def _assignment(price_list, i: int, item: dict, groups: dict, checking, first: dict) -> list:
    label, at = f"price_list '{price_list.key}'", price_list.source_of
    group, channel = item.get("customer_group"), item.get("channel")
    where, out = at(f"assignments.{i}"), []
    if isinstance(channel, str) and channel not in checking.store.channels \
            and at(f"assignments.{i}.channel") not in checking.flagged:
        known = ", ".join(sorted(checking.store.channels))
        out.append(error(f"{label}: channel '{channel}' is not in store.channels (known: {known})",
                         at(f"assignments.{i}.channel")))
    if not isinstance(group, (str, type(None))) or not isinstance(channel, str):
        return out
    group = group or ""         # a channel-only assignment: at most one per channel too
    seen = first.setdefault((group.casefold(), channel), where)
    if seen != where:
        who = f"customer group '{group}'" if group else "the assignment without a customer group"
        out.append(error(f"{label}: assignments.{i}: {who} on channel '{channel}' "
                         f"is listed twice (first at {seen})", where))
    discounts = discount_types(groups.get(group.casefold()))
    if discounts:
        out.append(error(f"{label}: assignments.{i}: customer group '{group}' has customer-group discounts "
                         f"({', '.join(discounts)}); the store refuses a price list for a group until its "
                         "discount rules are removed", where))
    return out


PRICE_LIST_ASSIGNMENT = register(ResourceKind(
    name="price_list_assignment",
    plural="price_list_assignments",
    schema="price_list.schema.json",
    key="customer_group",
    endpoint=ENDPOINT,
    depends_on=("price_list", "customer_group"),
    create_batch_size=25,     # POST /pricelists/assignments: batch limit 25 (FACTS.md 10.3)
    meta_fields=frozenset({"acknowledge"}),   # tombstones (delete: true) are for top-level objects
    key_parts=key_parts,     # a renamed group's assignments follow it (issue 14 finding 7)
    parent="price_list",
    owner_field="assignments",
    read_apart=read_apart,
    replace_fields=frozenset({"customer_group", "channel"}),
    # The group is named as the store compares group names, without case (customer_group.py):
    # "TRADE" in YAML is the store's "Trade", so its assignments are not deleted and re-created.
    ref_fields=frozenset({"customer_group"}),
    from_parent=from_parent,
    live_from_parent=live_from_parent,
    from_live=from_live,
    to_payload=to_payload,
    find_created=find_created,
    import_fold=import_fold,
    import_refers=lambda fields: [("customer_group", fields["customer_group"])] if fields["customer_group"] else [],
    # -- apply: writers --
    create_writer=assign,
    delete_writer=unassign,
    shown_as="one_line",
    title_fields=frozenset({"customer_group", "channel"}),
    title=title,
    audience_fields=("customer_group", "channel"),
    checks=checks,
))
