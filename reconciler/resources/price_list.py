"""price_list: keyed by name. /v3/pricelists; its records and assignments are sub-resources.

YAML:

    price_lists:
      - name: Trade GBP
        active: true
        currency: GBP                 # default for its records (YAML only)
        assignments: [{customer_group: Trade, channel: uk-main}]
        records:
          - {sku: CT-BLK100-2.5, price: 1.60}

A price list written in YAML owns all its records and assignments: those in the
store but not in YAML are removed (the plan says so).
"""

from __future__ import annotations

from reconciler.resources.registry import register
from reconciler.resources.base import RENAMED_FROM, ResourceKind
from reconciler.resources.fields import plain

FIELDS = ("name", "active")


from_live, to_payload = plain(FIELDS)


def import_doc(obj, ctx) -> dict:
    """A list as catalog import writes it: its records' one currency, when they share one,
    as the list's ``currency``; then its assignments and records (their kinds' ``import_fold``)."""
    doc = ctx.pick(obj)
    currencies = {r.fields["currency"] for r in ctx.children(obj, "price_record")}
    if len(currencies) == 1:
        doc["currency"] = currencies.pop()
    return ctx.fold(obj, doc)


PRICE_LIST = register(ResourceKind(
    name="price_list",
    plural="price_lists",
    schema="price_list.schema.json",
    key="name",
    endpoint="/v3/pricelists",
    case_renames=True,       # "The unique name of the Price List" (PL); the store ignores case
    key_on_update=True,      # PL updatePriceList: required [name]
    child_fields=frozenset({"records", "assignments"}),
    meta_fields=frozenset({"acknowledge", "currency", "delete", RENAMED_FROM}),
    renamable=True,          # PUT name on the same list (issue 14 finding 7)
    from_live=from_live,
    to_payload=to_payload,
    import_file="price-lists/{}.yaml",      # one file per list, named after it
    import_group=lambda obj: obj.key,
    import_ungrouped="price-list",
    import_doc=import_doc,
))
