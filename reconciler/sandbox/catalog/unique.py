"""Uniqueness across a write: product names and URLs, and the one SKU namespace.

P ``sku``: "The SKU is always unique regardless of the letter case for both products
and variants" – product SKUs and option-variant SKUs form ONE case-insensitive
namespace (FACTS §5.2). A base variant has no SKU of its own (it shows its product's),
so it never counts twice. The empty SKU is not a value and may repeat.

``check(state, field, proposed)`` takes the new values of every object a request
writes, keyed by ``(kind, id)``, and overlays them on the store, so a batch that swaps
two SKUs is valid while two items taking the same SKU are not:

    check(state, "sku", {("product", 111): "CT-1", ("variant", 305): "ct-1"})
    # raises 409 {"sku": "SKU 'ct-1' is already used by product 111."}
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..core.errors import conflict

if TYPE_CHECKING:
    from ..core.storage import Storage

Owner = tuple[str, int]  # (kind, id)

# Which kinds share a field's namespace, and how a clash is worded.
KINDS = {"sku": ("product", "variant"), "name": ("product",), "custom_url": ("product",)}
LABELS = {"sku": "SKU", "name": "name", "custom_url": "custom URL"}
TITLES = {"sku": "The SKU is a duplicate", "name": "The product name is a duplicate",
          "custom_url": "The product custom URL is a duplicate"}


def describe(state: Storage, owner: Owner) -> str:
    kind, oid = owner
    if oid <= 0:
        return "another item of this request"
    if kind == "variant":
        variant = state.get("variant", oid)
        pid = variant["product_id"] if variant else "?"
        return f"variant {oid} of product {pid}"
    return f"{kind} {oid}"


def find(state: Storage, field: str, proposed: dict[Owner, str | None]) -> tuple[Owner, str, Owner] | None:
    """The first clash as (writer, value, other owner), or None. Writers come before
    the store in the order given, so the later of two clashing items is blamed."""
    seen: dict[str, Owner] = {}
    for owner, value in proposed.items():
        if not value:
            continue
        key = value.casefold()
        if key in seen:
            return owner, value, seen[key]
        seen[key] = owner
        for other in state.lookup(KINDS[field], field, value):
            if other != owner and other not in proposed:
                return owner, value, other
    return None


def check(state: Storage, field: str, proposed: dict[Owner, str | None]) -> None:
    """409 when a proposed value of ``field`` is taken (case-insensitively)."""
    hit = find(state, field, proposed)
    if hit is not None:
        owner, value, other = hit
        raise conflict(TITLES[field], {field: f"{LABELS[field]} '{value}' is already used by "
                                              f"{describe(state, other)}."})
