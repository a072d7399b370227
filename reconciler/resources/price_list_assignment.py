"""price_list_assignment: a price list applied to a customer group on a channel.

Key: "<price list>@<customer group>@<channel>". Created with
``POST /v3/pricelists/assignments`` (25 per request, FACTS.md 10.3), removed
with ``DELETE /v3/pricelists/assignments?id=``. After a lost answer to the POST the
batch is looked up by (price list, customer group, channel) before it is resent.
"""

from __future__ import annotations

from typing import Any

from reconciler.core.live import LiveObject
from reconciler.resources import register
from reconciler.resources.base import ResourceKind
from reconciler.resources.channel_assignment import channel_name
from reconciler.resources.checks import error, items
from reconciler.resources.children import child
from reconciler.resources.customer_group import discount_types

ENDPOINT = "/v3/pricelists/assignments"


def key_for(price_list: str, group: str, channel: str) -> str:
    return f"{price_list}@{group}@{channel}"


def from_parent(price_list, settings) -> list:
    return [
        child("price_list_assignment", key_for(price_list.key, a["customer_group"], a["channel"]), price_list,
              f"assignments.{i}", {"customer_group": a["customer_group"], "channel": a["channel"]})
        for i, a in enumerate(price_list.fields.get("assignments") or [])
    ]


def live_from_parent(row: dict[str, Any], name: str, refs, settings) -> list[LiveObject]:
    out = []
    for a in row.get("assignments") or []:
        group = refs.key_of("customer_group", a.get("customer_group_id")) or f"#{a.get('customer_group_id')}"
        channel = channel_name(settings, a.get("channel_id"))
        out.append(LiveObject("price_list_assignment", key_for(name, group, channel), a["id"],
                              {"customer_group": group, "channel": channel}, parent=name,
                              extra={"price_list_id": row["id"]}))
    return out


def from_live(obj: dict[str, Any], refs) -> dict[str, Any]:
    return {"customer_group": obj.get("customer_group"), "channel": obj.get("channel")}


def to_payload(fields: dict[str, Any], refs, parent: str | None = None) -> dict[str, Any]:
    return {"customer_group_id": refs.id_of("customer_group", fields["customer_group"])}


def find_created(client, ready: list, settings) -> list[dict | None]:
    """After a lost answer (the POST answers 200 with no body, FACTS.md 10.3, so there is
    nothing to learn ids from anyway): the batch's lists' assignments in one read, each
    sent body matched by (price list, customer group, channel). A (group, channel) held
    by another list is not a match: the resend then fails with the store's own 422."""
    lists = sorted({body["price_list_id"] for _, body in ready})
    rows = client.list_all(ENDPOINT, {"price_list_id:in": ",".join(map(str, lists))})
    have = {(r.get("price_list_id"), r.get("customer_group_id"), r.get("channel_id")): r for r in rows}
    return [have.get((b["price_list_id"], b["customer_group_id"], b["channel_id"])) for _, b in ready]


def title(field, label: str, key: str) -> list[tuple[str, bool]]:
    """An assignment in a plan: ``assignment Trade on uk-main`` (from its fields, else its label)."""
    group, _, channel = label.rpartition("@")
    group, channel = field("customer_group") or group, field("channel") or channel
    return [("assignment", False), (group or key, True), ("on", False), (channel, True)]


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
    if not isinstance(group, str) or not isinstance(channel, str):
        return out
    seen = first.setdefault((group.casefold(), channel), where)
    if seen != where:
        out.append(error(f"{label}: assignments.{i}: customer group '{group}' on channel '{channel}' "
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
    order=90,
    depends_on=("price_list", "customer_group"),
    create_batch_size=25,     # POST /pricelists/assignments: batch limit 25 (FACTS.md 10.3)
    meta_fields=frozenset({"acknowledge"}),   # tombstones (delete: true) are for top-level objects
    parent="price_list",
    owner_field="assignments",
    replace_fields=frozenset({"customer_group", "channel"}),
    # The group is named as the store compares group names, without case (customer_group.py):
    # "TRADE" in YAML is the store's "Trade", so its assignments are not deleted and re-created.
    ref_fields=frozenset({"customer_group"}),
    from_parent=from_parent,
    live_from_parent=live_from_parent,
    from_live=from_live,
    to_payload=to_payload,
    find_created=find_created,
    shown_as="one_line",
    title_fields=frozenset({"customer_group", "channel"}),
    title=title,
    audience_fields=("customer_group", "channel"),
    checks=checks,
))
