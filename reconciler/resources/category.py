"""category: keyed by its path ("Cable Ties/Nylon") in one category tree.

Uses the current category-trees API (/v3/catalog/trees/categories); the legacy
/v3/catalog/categories is deprecated (FACTS.md 7.1). The name is the last path
segment and the parent is the path before it, so renaming is delete + create
and moving is not expressible: both are explicit in the plan.
"""

from __future__ import annotations

from typing import Any

from reconciler.resources.registry import register
from reconciler.core.writing import delete_by_filter
from reconciler.resources.base import ResourceKind
from reconciler.resources.checks import error

FIELDS = (
    "description", "is_visible", "sort_order", "page_title", "meta_description",
    "meta_keywords", "search_keywords", "default_product_sort", "layout_file", "image_url",
)


def split_path(path: str) -> tuple[str | None, str]:
    parent, _, name = path.rpartition("/")
    return (parent or None), name


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


def create_fields(settings) -> dict[str, Any]:
    """Every create names the catalog's tree (FACTS.md 7.2). CT createCategories:
    "Creating a category requires `name` [and] `tree_id` or `parent_id`"; CT `parent_id`
    and `tree_id`: "To create a top-level category, specify the `tree_id`" (a
    `parent_id` of 0 alone is refused: 422 "Please provide a tree_id or a parent_id.").
    ⚠ CT's ``CreateCategories`` schema is stricter than its prose: its one ``anyOf``
    branch requires `tree_id` AND `parent_id`. We take the stricter reading and send
    both: `tree_id` from store.category_tree_id, `parent_id` (0 at the top) from the path."""
    return {"tree_id": settings.category_tree_id}


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
    """A category by name in the store's tree, under its parent when that is known."""
    params = {"name": split_path(key)[1], "tree_id:in": settings.category_tree_id}
    if parent_id:
        params["parent_id:in"] = parent_id
    return client.get(kind.endpoint, params).data.get("data") or []


def list_params(settings) -> dict[str, Any]:
    return {"tree_id:in": settings.category_tree_id}


def paths_by_id(rows: list[dict[str, Any]]) -> dict[int, str]:
    """Category id -> "Parent/Child" path, from the flat list the trees API returns."""
    by_id = {r["category_id"]: r for r in rows}
    out: dict[int, str] = {}

    def path(cid: int, depth: int = 0) -> str:
        if cid in out:
            return out[cid]
        row = by_id[cid]
        parent = row.get("parent_id") or 0
        p = row["name"] if not parent or parent not in by_id or depth > 16 else f"{path(parent, depth + 1)}/{row['name']}"
        out[cid] = p
        return p

    for cid in by_id:
        path(cid)
    return out


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
    return out


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
    create_rank=lambda path: path.count("/"),   # parents exist before their children
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
    import_blank_before=lambda doc: "/" not in doc["path"],   # a blank line before each top category
    import_sort=lambda obj: ([s.casefold() for s in obj.key.split("/")], obj.key),   # parents first
    import_fields=("path", *FIELDS),
    import_unset={"default_product_sort": "use_store_settings", "layout_file": "category.html"},
    # -- apply: writers --
    delete_writer=delete_by_filter("category_id:in"),   # the trees endpoint deletes by filter
    # -- desired: catalog rules --
    catalog_rules=catalog_rules,    # the categories store.sku_convention names exist
))
