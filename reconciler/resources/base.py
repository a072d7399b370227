"""ResourceKind: everything the engine knows about one kind, in one place.

Each module in reconciler/resources/ registers one kind. The kind holds its
identity (``key``), where it lives in the API (``endpoint``), what it depends
on, its batch sizes, and the two translations between desired-state terms
(names, paths, Decimals) and API terms (ids, numbers):

- ``from_live(obj, refs)`` -> dict of desired-shaped fields for one live object
- ``to_payload(fields, refs)`` -> API body for those desired fields
- ``create_fields(settings)`` -> what a create's body takes from the store
  settings rather than the YAML (a category's tree)

``refs`` is a ``reconciler.core.refs.RefIndex`` that resolves names to ids
and back (brand name <-> brand_id, category path <-> category_id).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any, Callable


def fold_text(text: str) -> str:
    """``text`` as it compares for uniqueness: Unicode NFC (an "É" written as one
    character or as "E" and an accent is one letter) and case folded, as the
    store enforces unique SKUs and names case-insensitively."""
    if text.isascii():
        return text.casefold()
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", text).casefold())


def fold_refs(value: Any) -> Any:
    """A ``ref_fields`` value as the store compares it: every name in it folded (``fold_text``), at any
    depth and in mapping keys too (a customer group's rules name price lists, category
    paths and SKUs; a variant's options are option name -> value label)."""
    if isinstance(value, str):
        return fold_text(value)
    if isinstance(value, list):
        return [fold_refs(v) for v in value]
    if isinstance(value, dict):
        return {fold_refs(k): fold_refs(v) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class ResourceKind:
    name: str                       # singular, snake_case, as the API: "brand"
    plural: str                     # top-level YAML key: "brands"
    schema: str                     # schemas/<name>.schema.json
    key: str                        # identity field in YAML: "name" | "path" | "sku"
    endpoint: str                   # v3 path below /stores/{hash}
    order: int                      # plan/apply order; parents have smaller numbers
    depends_on: tuple[str, ...] = ()
    update_batch_size: int | None = None   # documented batch limit, None = one per call
    create_batch_size: int | None = None
    delete_batch_size: int | None = None
    id_field: str = "id"            # live identity field ("category_id" for trees)
    money_fields: frozenset[str] = frozenset()
    set_fields: frozenset[str] = frozenset()   # lists compared as sets (categories)
    ref_fields: frozenset[str] = frozenset()   # names/paths of other objects: case-insensitive
    # The key is the object's own name (a category's path ends in its name), which the store
    # keeps unique without case: keys match case-insensitively, and a difference in case
    # alone is planned as ONE update of the key field (never delete + create, never ignored).
    case_renames: bool = False
    # Every update body carries the key field, changed or not: the spec requires it
    # (B updateBrand, PL updatePriceList: ``required: [name]``) or ``to_payload`` derives
    # the body from it (a category's name and parent from its path). Its value is the
    # change's key: the YAML's spelling, which a case-only rename plans as a change.
    key_on_update: bool = False
    required_on_create: tuple[str, ...] = ()   # the store refuses a create without these
    create_rank: Callable[[str], int] | None = None   # creates of a lower rank go first
    server_owned: tuple[str, ...] = ("id", "date_created", "date_modified")
    # Sub-resources (variants, options, custom fields, channel assignments) live
    # inside a product in YAML and in the product's API answer. ``parent`` names
    # the owning kind; ``owner_field`` the parent's YAML field that, when written,
    # makes the parent own the whole list (so entries absent from it are deleted).
    parent: str | None = None
    owner_field: str | None = None
    from_parent: Callable[..., list] | None = None        # (parent DesiredObject, settings) -> [DesiredObject]
    live_from_parent: Callable[..., list] | None = None   # (parent row, parent key, refs, settings) -> [LiveObject]
    created_with_parent: bool = False   # a new parent's own POST creates these too (variants in a product POST)
    replace_fields: frozenset[str] = frozenset()   # a change here is delete + create (API cannot update it)
    # (kind, field): an object whose ``field`` names an object of ``kind`` the plan replaces
    # is dropped by the store with it (a variant's price records), so it is created again.
    gone_with: tuple[str, str] | None = None
    child_fields: frozenset[str] = frozenset()     # parent fields handled by child kinds, not diffed here
    update_endpoint: str | None = None             # batch update endpoint when not ``endpoint``
    api_version: str = "v3"        # "v2": bare JSON bodies, page/limit paging without meta (customer groups)
    # YAML-only fields: never compared with the store nor sent (acknowledgements, list defaults).
    meta_fields: frozenset[str] = frozenset({"acknowledge", "delete"})
    key_filter: str | None = None   # list filter that selects by key ("sku:in"); None = read all
    list_params: Callable[..., dict[str, Any]] | None = None   # (store settings) -> query
    from_live: Callable[..., dict[str, Any]] | None = None
    to_payload: Callable[..., dict[str, Any]] | None = None
    create_fields: Callable[..., dict[str, Any]] | None = None   # (store settings) -> fields every create carries
    # (client, [(change, body)], settings) -> [row or None]: finds the objects of creates whose
    # answer was lost, by what was sent; None = ``store.read.find_by_key`` on each key.
    find_created: Callable[..., list] | None = None
    # -- addresses: composite keys --
    # (key, parent's key or None) -> the key's named parts ({"price_list", "sku", "currency"}),
    # for kinds whose key joins other names; the only place such a key is split. None = atomic.
    key_parts: Callable[[str, str | None], dict[str, str]] | None = None

    def fold(self, key: str) -> str:
        """Keys match as a merchandiser reads them: ``fold_text``."""
        return fold_text(key)
