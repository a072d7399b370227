"""ResourceKind: everything the engine knows about one kind, in one place.

Each module in reconciler/resources/ registers one kind. The kind holds its
identity (``key``), where it lives in the API (``endpoint``), what it depends
on, its batch sizes, and the two translations between desired-state terms
(names, paths, Decimals) and API terms (ids, numbers):

- ``from_live(obj, refs)`` -> dict of desired-shaped fields for one live object
- ``to_payload(fields, refs)`` -> API body for those desired fields
- ``create_fields(settings, fields)`` -> what a create's body takes from the store
  settings rather than the YAML (a category's tree)

``refs`` is a ``reconciler.core.refs.RefIndex`` that resolves names to ids
and back (brand name <-> brand_id, category path <-> category_id).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping


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


# The YAML field naming an object's previous key, on kinds that are ``renamable``.
RENAMED_FROM = "renamed_from"


@dataclass(frozen=True)
class ResourceKind:
    name: str                       # singular, snake_case, as the API: "brand"
    plural: str                     # top-level YAML key: "brands"
    schema: str                     # schemas/<name>.schema.json
    key: str                        # identity field in YAML: "name" | "path" | "sku"
    endpoint: str                   # v3 path below /stores/{hash}
    # Kinds this kind refers to or must follow (with ``parent``): the one source of apply
    # order and of what a read resolves first (``Registry.ordered``, ``Registry.looks_up``).
    depends_on: tuple[str, ...] = ()
    # (one, many) in a merchandiser's words, as plans and comments name the kind; by default
    # name and plural with spaces ("custom field", "custom fields"). ``words`` reads it.
    label: tuple[str, str] | None = None
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
    # Parent fields handled by child kinds, not diffed here. Each child kind's owner_field is
    # added (``Registry.child_fields``; for REGISTRY at import, ``Registry.link_children``),
    # so a parent lists only what has no child kind.
    child_fields: frozenset[str] = frozenset()
    update_endpoint: str | None = None             # batch update endpoint when not ``endpoint``
    api_version: str = "v3"        # "v2": bare JSON bodies, page/limit paging without meta (customer groups)
    # YAML-only fields: never compared with the store nor sent (acknowledgements, list defaults).
    meta_fields: frozenset[str] = frozenset({"acknowledge", "delete"})
    key_filter: str | None = None   # list filter that selects by key ("sku:in"); None = read all
    list_params: Callable[..., dict[str, Any]] | None = None   # (store settings) -> query
    from_live: Callable[..., dict[str, Any]] | None = None
    to_payload: Callable[..., dict[str, Any]] | None = None
    create_fields: Callable[..., dict[str, Any]] | None = None   # (store settings, the create's fields) -> what every create carries
    # (client, [(change, body)], settings) -> [row or None]: finds the objects of creates whose
    # answer was lost, by what was sent; None = ``store.read.find_by_key`` on each key.
    find_created: Callable[..., list] | None = None
    # -- addresses: composite keys --
    # (key, parent's key or None) -> the key's named parts ({"price_list", "sku", "currency"}),
    # for kinds whose key joins other names; the only place such a key is split. None = atomic.
    key_parts: Callable[[str, str | None], dict[str, str]] | None = None

    # -- store: read --
    # (row) -> the LiveObject's ``extra``: what import or apply need of a top-level row beside
    # its fields (a product's custom URL was made by the store, not set by anyone).
    live_extra: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    # The parent's list ``include`` value that brings this kind's rows in the parent's
    # pages (a product's "variants"); ``Registry.list_params`` adds it to the parent's query.
    read_include: str | None = None
    # After the whole read, a kind may complete its objects with reads of its own:
    # (client, live, settings) -> None (options no variant explains: resources/option.py).
    settle_read: Callable[..., None] | None = None
    # A sub-resource read apart from its parent's rows (a price list's records):
    # (client, sink, parent rows, touched or None) -> {name: read}; run side by side.
    # ``touched``: [(key, live id or None)] per parent key, None for all of a parent's.
    read_apart: Callable[..., dict[str, Callable[[], Any]]] | None = None
    # The incremental refresh (store/cache.py): a top-level kind's list filter for "modified
    # since" (``date_modified:min``); a read-apart kind's (client, cached parent rows, since)
    # -> {name: read} whose results it merges into those rows itself.
    modified_filter: str | None = None
    read_changed: Callable[..., dict[str, Callable[[], Any]]] | None = None
    # A sub-resource the store writes without moving its parent's ``date_modified`` (a
    # product's channel listings): (client) -> {parent id: what the parent row's
    # ``read_include`` holds}, from one listing of the whole kind. A targeted plan
    # (apply/targeted.py) reads it with its parents in scope and says what it did not
    # re-read; with ``store.targeted_undated: all`` (or a week after the last listing) it
    # lists it and reads the parents whose children differ from the catalog. None: a
    # write to it moves its parent's date (or it has no parent).
    list_undated: Callable[..., dict[int, Any]] | None = None
    # Keys of other kinds' objects a change's fields name without depending on them for
    # order (a group's discount rules name products): (fields) -> {kind: {key}}; and the
    # same from a live row, by id: (row) -> {kind: {id}}. Looked up by key/id only.
    names: Callable[[dict[str, Any]], dict[str, set]] | None = None
    names_in_row: Callable[[dict[str, Any]], dict[str, set]] | None = None
    # The RefIndex entries of a kind whose keys need all its rows (a category's path
    # needs its ancestors and its tree's name): (rows, store settings) -> {id: key}; None = each
    # row's key field.
    keys_of_rows: Callable[[list[dict], Any], dict[int, str]] | None = None
    # Finding an object by key after a create whose answer was lost (store.read.find_by_key):
    # (client, kind, key, name, parent_id, settings) -> candidate rows; None = the list
    # endpoint filtered by the key field. ``match_field``: the row field compared with the
    # key's last part ``name`` (a category's "name"); None = the key field with the key.
    find_rows: Callable[..., list[dict]] | None = None
    match_field: str | None = None
    # -- import: layout --
    # How ``catalog import`` writes the kind (reconciler/importer/ names no kind). The callables
    # get ``ctx``, the import's documents (importer/documents.py): ``pick``, ``fold``, ``children``,
    # ``flow``, ``flow_list``, ``flow_map``, ``money``, ``channel``, ``unresolved``, ``check_prices``, ``costs``.
    import_file: str | None = None   # "brands.yaml", or a file per group: "products/{}.yaml" ({}: its slug)
    import_group: Callable[..., str | None] | None = None   # (obj) -> the title its file is named after
    import_ungrouped: str = ""       # the slug for objects with no title (or one with no letters)
    import_comment: Callable[[str | None], str] | None = None   # (group title) -> the file's comment
    import_blank_before: Callable[[dict], bool] | None = None   # a blank line before this item; None: long items
    import_sort: Callable[..., Any] | None = None   # (obj) -> where it is written; None: by key, without case
    import_fields: tuple[str, ...] = ()   # the fields written, in this order; (): as from_live gives them
    # The store's value for a field nobody set (sale_price: 0): not written.
    import_unset: Mapping[str, Any] = field(default_factory=dict, hash=False)
    # (live obj) -> its fields the store made itself (a product's path from its name): not written.
    import_made: Callable[..., frozenset[str]] | None = None
    import_doc: Callable[..., dict] | None = None   # (obj, ctx) -> its YAML mapping; None: ctx.pick, ctx.fold
    # (children, parent obj, parent doc, ctx) -> the parent's owner_field value (the inverse of
    # from_parent), None to leave it out; None: the children's documents, by key.
    import_fold: Callable[..., Any] | None = None
    import_refers: Callable[..., list] | None = None   # (fields) -> [(kind, key)] it names: store.existing
    existing_refused: str | None = None   # why an import leaving this kind out is refused when it is named
    # (live, store rules) -> (comment lines, {store.yaml key: value}, [(kind, key)] named): store
    # settings inferred from the kind's objects (product: the SKU convention).
    import_store: Callable[..., tuple] | None = None
    # -- apply: writers --
    # (ctx: core.writing.WriteContext, batch of changes) -> None, ending each change with
    # ctx.done. None = the generic writer of apply/writers.py (POST/PUT/DELETE on ``endpoint``).
    create_writer: Callable[..., None] | None = None
    update_writer: Callable[..., None] | None = None
    delete_writer: Callable[..., None] | None = None
    # Set: creates and updates are ONE step (a bulk upsert), batches of update_batch_size, one list each.
    upsert_writer: Callable[..., None] | None = None
    # A child kind created in its parent's own POST (``created_with_parent``): the body
    # field that carries it and (after) -> one item of that list; None: it rides along in
    # another kind's items (a variant's option values make the options).
    bundle_field: str | None = None
    bundle: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    # (ctx, parent key, the parent's created row) -> None: ids this kind learns from the
    # answer to its parent's create (a new product's variants, options and values).
    learn_created: Callable[..., None] | None = None
    # (ctx, created parent changes) -> None: a child kind that settles what the store did
    # by itself to new parents (a new product's default channel); its planned creates under
    # them reach the parent's create step as ``ctx.related(kind)``.
    settle_created: Callable[..., None] | None = None
    # (store settings) -> {kind: {key: id}}: ids payloads look up that the settings hold, not the store.
    known_ids: Callable[..., dict[str, dict[str, int]]] | None = None

    # -- plan: render hints --
    # How the text and markdown plans show a child under its owner (plan/values.py):
    # "block" (its field lines below it), "inline" (on one line when it changes one field),
    # "one_line" (always one line, named by ``title``: a list holds 1,500 records).
    shown_as: str = "block"
    compact_fields: frozenset[str] = frozenset()   # shown YAML flow style ([{type: all, ...}]), not as JSON
    fields_first: tuple[str, ...] = ()             # field lines shown first, in this order
    title_fields: frozenset[str] = frozenset()     # what ``title`` already says: not repeated as field lines
    # (field(name) -> str | None, label, key) -> [(word, is_name)]: how a one-line child names itself
    # ("CT-BLK100-2.5 GBP"); ``field`` reads what the change writes or held, ``label`` is the key
    # without its owner's.
    title: Callable[..., list] | None = None

    # -- plan: pricing --
    # What the money guardrails and the price impact (plan/guardrails.py, plan/impact.py) read.
    # A child kind that prices through its parent (a quantity discount): (parent's fields, YAML
    # over the store's; the child's fields) -> (what, unit price, cost) when it sells below cost.
    below_parent_cost: Callable[[dict[str, Any], dict[str, Any]], tuple | None] | None = None
    price_field: str | None = None        # the selling price ("price"); None: the kind sets no price
    sale_price_field: str | None = None   # what a shopper pays instead when it is set above 0
    cost_field: str | None = None         # the cost a price must not go below ("cost_price")
    cost_from_parent: bool = False        # without a cost of its own, its parent's applies (a variant's product's)
    # An override of the catalog price (a price record): the kinds holding the catalog price of
    # its SKU, in lookup order. A create moves the price from theirs, a delete back to it, and
    # their cost is the one a price must not go below.
    overrides: tuple[str, ...] = ()
    sku_field: str | None = None          # an override's field naming the SKU it prices
    currency_field: str | None = None     # an override's currency: compared with the catalog only in the store's
    # Who sees the prices of this kind's parent: (field naming the customer group, or None for
    # every shopper without a price list, "(catalog price)"; field naming the channel).
    audience_fields: tuple[str | None, str] | None = None
    # Which parents' audience the YAML decides (the others': as the store has it): "declared"
    # (every parent in the YAML: a price list's assignments) or "granted" (parents with at least
    # one of these in the YAML: a product's channels).
    audience_from: str = "declared"

    # -- desired: checks --
    # ([objects as written], checking) -> [Diagnostic]: rules a schema cannot state (money
    # guardrails, duplicates in a list), run by desired validation on every kind at once,
    # before any API call. A child kind gets its parents (its entries are their
    # ``owner_field``). ``checking``: resources/checks.py says what it holds.
    checks: Callable[..., list] | None = None
    # (object as written) -> [(sku, checks.Sku)]: the SKUs it sells and their cost, for other
    # kinds' checks (a price record's below-cost check); a product: itself and its variants.
    sold: Callable[..., list] | None = None

    # -- desired: catalog rules --
    # ([objects as written], checking) -> [Diagnostic]: rules that hold the catalog together
    # (a product's variants against its options, one SKU namespace, the SKU convention), run by
    # the loader before every kind's ``checks``; ``checking`` also holds ``store_values``.
    catalog_rules: Callable[..., list] | None = None
    # (store block as written, a dict) -> {StoreSettings field: value}: the settings this kind
    # reads from store.yaml itself (a product: sku_convention, "enabled" filled in).
    store_settings: Callable[..., dict] | None = None
    # -- issue 14: bundle order --
    # (this kind's owned changes, all the parent's owned changes) -> them in the order the
    # parent's POST carries them (a variant: so the store's first-seen values keep the YAML's order).
    bundle_order: Callable[[list, list], list] | None = None

    # -- category trees (issue 14) --
    # (key) -> the key of the object this one is under, or None (a category path's parent path,
    # escapes and tree name kept); None = the text before the key's last "/".
    parent_key: Callable[[str], str | None] | None = None
    # (client, settings as import found them) -> {StoreSettings field: value}: settings import
    # reads from the store for this kind (a category: the store's trees, by their channels).
    import_settings: Callable[..., dict] | None = None
    # -- plan: rename in place (issue 14 finding 7) --
    # The YAML may name an object's previous key (``RENAMED_FROM``, a meta field): when the
    # store has that key and not the new one, the plan is ONE update of the key field on it.
    renamable: bool = False
    # -- import: what YAML cannot express (issue 14) --
    # (live object, live state) -> why it cannot be written, or None: catalog import leaves it
    # out and names it (with its children) in its output (a product without a SKU).
    import_inexpressible: Callable[..., str | None] | None = None

    def fold(self, key: str) -> str:
        """Keys match as a merchandiser reads them: ``fold_text``."""
        return fold_text(key)

    @property
    def words(self) -> tuple[str, str]:
        """(one, many) as a plan names the kind: ``label``, else name and plural with spaces."""
        return self.label or (self.name.replace("_", " "), self.plural.replace("_", " "))
