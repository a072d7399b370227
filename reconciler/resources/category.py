r"""category: keyed by its path ("Cable Ties/Nylon"), in one of the store's category trees.

Uses the current category-trees API (/v3/catalog/trees/categories); the legacy
/v3/catalog/categories is deprecated (FACTS.md 7.1). The name is the last path
segment and the parent is the path before it, so renaming is delete + create
and moving is not expressible: both are explicit in the plan.

A store has one tree per storefront channel (FACTS.md 7.2). A path in the catalog's
tree (``store.category_tree_id``) is written as it always was; a path in another tree
starts with that tree's name in ``store.category_trees`` (import names each tree after
its channel in ``store.channels``) and ": ". Inside a name, ``\/`` is a "/" and ``\\``
a backslash; a top-level name that itself begins like a tree's name and ": " writes
that colon ``\:``. The escape round-trips:

    >>> path_of("us-trade", ["Cables/Adapters", "HDMI"])
    'us-trade: Cables\\/Adapters/HDMI'
    >>> parse_path('us-trade: Cables\\/Adapters/HDMI')
    ('us-trade', ['Cables/Adapters', 'HDMI'])
    >>> path_of(None, ["Sale: Summer"]), parse_path('Sale\\: Summer')
    ('Sale\\: Summer', (None, ['Sale: Summer']))
"""

from __future__ import annotations

import re
from typing import Any

from reconciler.resources.registry import register
from reconciler.core.writing import delete_by_filter
from reconciler.resources.base import ResourceKind
from reconciler.resources.checks import error

FIELDS = (
    "description", "is_visible", "sort_order", "page_title", "meta_description",
    "meta_keywords", "search_keywords", "default_product_sort", "layout_file", "image_url",
)


_TREE = re.compile(r"([A-Za-z0-9][A-Za-z0-9._-]{0,49}): ")   # a store.category_trees name, ": "


def parse_path(path: str) -> tuple[str | None, list[str]]:
    """A written path -> (its tree's name or None for the catalog's tree, the names unescaped)."""
    tree, rest = None, path
    match = _TREE.match(path)
    if match:
        tree, rest = match.group(1), path[match.end():]
    names, name, chars = [], [], iter(rest)
    for ch in chars:
        if ch == "\\":
            name.append(next(chars, "\\"))
        elif ch == "/":
            names.append("".join(name))
            name = []
        else:
            name.append(ch)
    return tree, [*names, "".join(name)]


def escape(name: str, top: bool = False) -> str:
    """A category name as a path segment: "/" and "\\" escaped, and a top-level name's
    colon when the name would read as a tree's name."""
    out = name.replace("\\", "\\\\").replace("/", "\\/")
    match = _TREE.match(out) if top else None
    return f"{match.group(1)}\\: {out[match.end():]}" if match else out


def path_of(tree: str | None, names: list[str]) -> str:
    """(tree name or None, names) -> the written path; ``parse_path`` reverses it."""
    text = "/".join(escape(n, top=i == 0) for i, n in enumerate(names))
    return f"{tree}: {text}" if tree else text


def split_path(path: str) -> tuple[str | None, str]:
    """A path -> (its parent's path or None, its own name unescaped)."""
    tree, names = parse_path(path)
    return (path_of(tree, names[:-1]) if len(names) > 1 else None), names[-1]


def depth(path: str) -> int:
    """0 for a top-level category."""
    return len(parse_path(path)[1]) - 1


def top_of(path: str) -> str:
    """The path of the top-level category ``path`` is under (itself at the top)."""
    tree, names = parse_path(path)
    return path_of(tree, names[:1])


def parent_path(path: str) -> str | None:
    return split_path(path)[0]


def tree_id_of(path: str, settings) -> int | None:
    """The id of the tree ``path`` is in; None for a tree store.category_trees does not name."""
    tree = parse_path(path)[0]
    if tree is None:
        return settings.category_tree_id
    return {n.casefold(): i for n, i in settings.category_trees.items()}.get(tree.casefold())


def from_live(obj: dict[str, Any], refs) -> dict[str, Any]:
    out = {f: obj.get(f) for f in FIELDS if f in obj}
    out["path"] = refs.key_of("category", obj["category_id"])
    return out


def to_payload(fields: dict[str, Any], refs, parent: str | None = None) -> dict[str, Any]:
    body = {f: v for f, v in fields.items() if f in FIELDS}
    if "path" not in fields:   # an update carries only the changed fields (CT updateCategories: category_id + those)
        return body
    parent, name = split_path(fields["path"])
    body["name"] = name
    body["parent_id"] = refs.id_of("category", parent) if parent else 0
    return body


def create_fields(settings, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    """Every create names the catalog's tree (FACTS.md 7.2). CT createCategories:
    "Creating a category requires `name` [and] `tree_id` or `parent_id`"; CT `parent_id`
    and `tree_id`: "To create a top-level category, specify the `tree_id`" (a
    `parent_id` of 0 alone is refused: 422 "Please provide a tree_id or a parent_id.").
    ⚠ CT's ``CreateCategories`` schema is stricter than its prose: its one ``anyOf``
    branch requires `tree_id` AND `parent_id`. We take the stricter reading and send
    both: `tree_id` of the path's tree (store.category_tree_id, or the one store.category_trees
    names), `parent_id` (0 at the top) from the path."""
    path = (fields or {}).get("path")
    return {"tree_id": (tree_id_of(path, settings) if path else None) or settings.category_tree_id}


def find_created(client, ready: list, settings) -> list[dict | None]:
    """After a lost answer: each category by name where it was to go (tree and parent),
    so a top-level "Garden" is never mistaken for "Tools/Garden"."""
    found = []
    for _, body in ready:
        rows = client.get(CATEGORY.endpoint, {"name": body["name"], "tree_id:in": body["tree_id"],
                                              "parent_id:in": body["parent_id"]}).data.get("data") or []
        found.append(next((r for r in rows if str(r.get("name", "")).casefold() == body["name"].casefold()
                           and r.get("parent_id", 0) == body["parent_id"]), None))
    return found


def find_rows(client, kind, key: str, name: str, parent_id, settings) -> list[dict]:
    """A category by name in its tree, under its parent when that is known."""
    params = {"name": split_path(key)[1], "tree_id:in": tree_id_of(key, settings) or settings.category_tree_id}
    if parent_id:
        params["parent_id:in"] = parent_id
    return client.get(kind.endpoint, params).data.get("data") or []


def list_params(settings) -> dict[str, Any]:
    """The catalog's tree and the trees store.category_trees names."""
    trees = sorted({settings.category_tree_id, *settings.category_trees.values()})
    return {"tree_id:in": ",".join(map(str, trees))}


def tree_names(settings) -> dict[int, str | None]:
    """Tree id -> the name its paths start with (None: the catalog's own tree)."""
    return {**{i: n for n, i in settings.category_trees.items()}, settings.category_tree_id: None}


def paths_by_id(rows: list[dict[str, Any]], settings) -> dict[int, str]:
    """Category id -> "Parent/Child" path (its tree's name first outside the catalog's tree),
    from the flat list the trees API returns."""
    by_id = {r["category_id"]: r for r in rows}
    trees = tree_names(settings)
    names: dict[int, list[str]] = {}

    def chain(cid: int, depth: int = 0) -> list[str]:
        if cid not in names:
            row = by_id[cid]
            parent = row.get("parent_id") or 0
            top = not parent or parent not in by_id or depth > 16
            names[cid] = [row["name"]] if top else [*chain(parent, depth + 1), row["name"]]
        return names[cid]

    def tree(row: dict) -> str | None:   # a row without a tree_id: the catalog's tree
        tid = row.get("tree_id", settings.category_tree_id)
        return trees.get(tid, f"tree-{tid}")

    return {cid: path_of(tree(row), chain(cid)) for cid, row in by_id.items()}


def catalog_rules(categories: list, checking) -> list:
    """The categories ``store.sku_convention`` names exist: in the catalog or in
    ``store.existing.categories`` (matched without case)."""
    store, values, flagged = checking.store, checking.store_values, checking.flagged
    declared = {c.key.casefold() for c in categories} | {
        k.casefold() for k in store.existing.get(CATEGORY.name, ())}
    out = []
    for code, path in ((store.sku_convention or {}).get("categories") or {}).items():
        where = values.get(f"sku_convention.categories.{code}", store.source)
        if isinstance(path, str) and path.casefold() not in declared and where not in flagged:
            out.append(error(f"store: sku_convention.categories.{code}: category '{path}' is not declared "
                             "(add it to categories or to store.existing.categories)", where))
    return out + _unknown_trees(categories, store, checking)


def _unknown_trees(categories: list, store, checking) -> list:
    """A path that starts with a tree's name names one store.category_trees has."""
    named = {n.casefold() for n in store.category_trees}
    out = []
    for cat in categories:
        tree = parse_path(cat.key)[0]
        where = cat.source_of("path")
        if tree is not None and tree.casefold() not in named and where not in checking.flagged:
            out.append(error(f"category '{cat.key}': '{tree}' is not a tree in store.category_trees "
                             f"(declare it, or write a ':' in a top-level name as '\\:')", where))
    return out


def store_settings(raw: dict[str, Any]) -> dict[str, Any]:
    """``store.category_trees``: tree name -> tree id, the trees besides category_tree_id's."""
    trees = raw.get("category_trees")
    return {"category_trees": {n: i for n, i in trees.items() if isinstance(i, int) and not isinstance(i, bool)
                               and i > 0} if isinstance(trees, dict) else {}}


def read_trees(client, settings) -> dict[str, Any]:
    """For import: each tree besides the catalog's, named after its channel in store.channels
    (GET /v3/catalog/trees: ``{id, name, channels[]}``, one channel per tree)."""
    channel_names = {i: n for n, i in settings.channels.items()}
    out: dict[str, int] = {}
    for tree in sorted(client.list_all("/v3/catalog/trees"), key=lambda t: t["id"]):
        if tree["id"] != settings.category_tree_id:
            name = next((channel_names[c] for c in tree.get("channels") or [] if c in channel_names), None)
            out[name if name and name not in out else f"tree-{tree['id']}"] = tree["id"]
    return {"category_trees": out}


def import_trees(live, rules) -> tuple[list[str], dict, list]:
    """store.category_trees for the trees the imported paths name (the tree id each was read in)."""
    trees = {}
    for obj in live.of("category").values():
        tree = parse_path(obj.key)[0]
        if tree is not None:
            trees[tree] = obj.extra.get("tree_id")
    if not trees:
        return [], {}, []
    return (["Category trees besides category_tree_id's, named after their channels: a path in one",
             "starts with its name and ': ' (e.g. 'us-trade: Cables')."],
            {"category_trees": dict(sorted(trees.items(), key=lambda kv: kv[1]))}, [])




def _import_order(obj) -> tuple:
    tree, names = parse_path(obj.key)
    return tree is not None, (tree or "").casefold(), [n.casefold() for n in names], obj.key


CATEGORY = register(ResourceKind(
    name="category",
    plural="categories",
    schema="category.schema.json",
    key="path",
    endpoint="/v3/catalog/trees/categories",
    depends_on=("category",),   # a path names its parent categories: the whole tree is read first
    case_renames=True,       # sibling names are unique without case (CT 409 for duplicate names)
    key_on_update=True,      # to_payload takes the name and parent from the path
    # Batch sizes of the trees endpoints are "not stated" (FACTS.md 7.2): we take
    # the strictest documented catalog batch limit, 10, rather than guess higher.
    create_batch_size=10,
    update_batch_size=10,
    id_field="category_id",
    server_owned=("category_id", "category_uuid", "tree_id", "parent_id", "url", "views"),
    create_rank=depth,   # parents exist before their children
    list_params=list_params,
    from_live=from_live,
    to_payload=to_payload,
    create_fields=create_fields,
    find_created=find_created,
    keys_of_rows=paths_by_id,
    find_rows=find_rows,
    match_field="name",
    import_file="categories.yaml",
    import_comment=lambda _: "Each category is written as its full path, parents first.",
    import_blank_before=lambda doc: depth(doc["path"]) == 0,   # a blank line before each top category
    import_sort=_import_order,   # the catalog's tree first, parents first
    import_fields=("path", *FIELDS),
    import_unset={"default_product_sort": "use_store_settings", "layout_file": "category.html"},
    # -- apply: writers --
    delete_writer=delete_by_filter("category_id:in"),   # the trees endpoint deletes by filter
    # -- desired: catalog rules --
    catalog_rules=catalog_rules,    # the categories store.sku_convention names exist; known trees
    store_settings=store_settings,  # store.category_trees
    # -- category trees (issue 14) --
    live_extra=lambda row: {"tree_id": row.get("tree_id")},
    parent_key=parent_path,
    import_settings=read_trees,
    import_store=import_trees,
))
