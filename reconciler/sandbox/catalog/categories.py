"""Category trees and their categories (CT ``/v3/catalog/trees``…), FACTS §7.2.

Two trees at reset: 1 "UK Main" on channel 1 and 2 "US Trade" on channel 2. ``PUT
/v3/catalog/trees`` upserts (CT upsertCategoryTrees: with ``id`` a rename, ``channels``
absent; without, ``name`` and one channel, which has no tree yet; 50 a request, else 413),
``DELETE /v3/catalog/trees?id:in=`` deletes trees with their categories (204; a filter is
required; CT deleteCategoryTrees). Choices where CT is silent: a tree whose categories hold
products is not deleted (422, as for categories); the whole request fails on one bad tree.

Batch writes (POST/PUT) report per item: all items ok -> 201/200, some failed -> 207
with ``errors``, all failed -> 422, each in the CT shapes. Item errors are keyed by the
item's index in the request array, with a "field: message" string – the form of B's
bulk 422 example ``{"1": "Unauthorized to delete"}``. Choices where CT is silent:
sibling names are unique case-insensitively; ``url.path`` is generated from the
ancestor names ("/cable-ties/nylon/") and not regenerated on rename; ``tree_id`` of an
existing category cannot change; no batch size limit.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Response

from ..core.errors import ERROR_TYPE, SandboxError, unprocessable
from ..core.partial import MESSAGE, Batch, label
from ..core.query import Query, build_filters, select
from ..core.responses import json_response
from ..core.validation import check, expect_array
from .brands import slug
from .schemas import CATEGORY, CATEGORY_PUT, CATEGORY_READ_ONLY

if TYPE_CHECKING:
    from ..core.storage import Storage

KIND = "category"
_DUMP_INTERNAL = ("category_id", "category_uuid", "parent_id", "tree_id", "name")  # not in the seed format
TREE = "tree"
MAX_DEPTH = 8  # CT createCategories: "8 levels of child categories depth limit"
_UUID_NS = uuid.UUID("5b1f0a52-3d0e-4c59-9d5e-0c3c1a2b7f10")

FILTERS = {
    "category_id:in": ("category_id", "int"), "category_id:not_in": ("category_id", "int"),
    "category_uuid:in": ("category_uuid", "str"), "category_uuid:not_in": ("category_uuid", "str"),
    "tree_id:in": ("tree_id", "int"), "tree_id:not_in": ("tree_id", "int"),
    "parent_id:in": ("parent_id", "int"), "parent_id:not_in": ("parent_id", "int"),
    "name": ("name", "str"), "name:like": ("name", "like"),
    "page_title": ("page_title", "str"), "page_title:like": ("page_title", "like"),
    "is_visible": ("is_visible", "bool"),
}
LIST_PARAMS = ("page", "limit", "include_fields", "exclude_fields", *FILTERS)
DELETE_FILTERS = ("category_id:in", "category_uuid:in", "tree_id:in", "parent_id:in")
TREE_PARAMS = ("page", "limit", "id:in", "channel_id:in")
MAX_TREES = 50   # CT upsertCategoryTrees: "Batches are limited to 50 trees." (413)


def _item_error(exc: SandboxError) -> str:
    if exc.errors:
        return "; ".join(f"{k}: {v}" for k, v in exc.errors.items())
    return exc.title


def _partial_answer(verb: str, inner, body, items, kept, failed, request) -> Response:
    """A partial batch of categories: CT's 207, or 422 when no item was saved."""
    own = (body or {}).get("errors", {}).get("errors", {}) if isinstance(body, dict) else {}
    if inner is not None and (inner.status_code not in (200, 201, 207, 422)
                              or not all(str(k).isdigit() for k in own)):
        return inner  # not an item-by-item answer: the store's own answer stands
    errors = {str(kept[int(j)]): msg for j, msg in own.items()}
    for i in failed:
        name, cid = label(items[i], "name"), label(items[i], "category_id")
        what = f"Category {cid}" if cid else f"Category {name!r}" if name else f"Category #{i}"
        errors[str(i)] = MESSAGE.format(what=what, verb=verb)
    errors = dict(sorted(errors.items(), key=lambda kv: int(kv[0])))
    data = (body or {}).get("data", [])
    meta = {"total": len(items), "success": len(items) - len(errors), "failed": len(errors)}
    if meta["success"] == 0:
        return json_response({"errors": {"status": 422, "title": "No category in the request could be saved.",
                                         "type": ERROR_TYPE, "errors": errors}, "meta": meta}, 422)
    title = "Some categories were not created." if verb == "created" else "Some categories were not updated."
    out = {"errors": {"status": 207, "title": title, "type": ERROR_TYPE, "errors": errors}, "meta": meta}
    if verb == "created":
        out = {"data": data, **out}
    return json_response(out, 207)


class Categories:
    FIRST_IDS = {KIND: 18, TREE: 3}
    SEED = ("categories", 20)
    BATCHES = {("POST", "/v3/catalog/trees/categories"): Batch(lambda *a: _partial_answer("created", *a)),
               ("PUT", "/v3/catalog/trees/categories"): Batch(lambda *a: _partial_answer("updated", *a))}

    def __init__(self, state: Storage) -> None:
        self.s = state

    def install(self) -> None:
        """The two trees, one per channel (reset)."""
        for tid, name in ((1, "UK Main"), (2, "US Trade")):
            self.s.save(TREE, tid, {"id": tid, "name": name, "channels": [tid]})

    def trees(self, q: Query) -> list[dict]:
        ids, channels = q.ints("id:in"), q.ints("channel_id:in")
        return [t for t in self.s.all(TREE)
                if (ids is None or t["id"] in ids)
                and (channels is None or set(t["channels"]) & set(channels))]

    def upsert_trees(self, body: Any) -> list[dict]:
        items = expect_array(body, "trees")
        if len(items) > MAX_TREES:
            raise SandboxError(413, "The request payload is too large. The maximum trees allowed in the array is 50.", {})
        return [self._upsert_tree(str(i), raw) for i, raw in enumerate(items)]

    def _upsert_tree(self, at: str, raw: Any) -> dict:
        if not isinstance(raw, dict):
            raise unprocessable("Invalid tree", {at: "A tree is an object."})
        name = raw.get("name")
        if name is not None and not (isinstance(name, str) and 1 <= len(name) <= 255):
            raise unprocessable("Invalid tree", {f"{at}.name": "name is a string of 1 to 255 characters."})
        if raw.get("id") is not None:
            tree = self.s.get(TREE, raw["id"]) if isinstance(raw["id"], int) else None
            if tree is None:
                raise unprocessable("Invalid tree", {f"{at}.id": f"Tree {raw['id']} does not exist."})
            if "channels" in raw:
                raise unprocessable("Invalid tree", {f"{at}.channels": "channels must be absent when updating a tree."})
            return self.s.save(TREE, tree["id"], {**tree, "name": name or tree["name"]})
        channels = raw.get("channels")
        if name is None or not isinstance(channels, list) or len(channels) != 1:
            raise unprocessable("Invalid tree", {at: "A new tree needs a name and exactly one channel."})
        if not isinstance(channels[0], int) or self.s.get("channel", channels[0]) is None:
            raise unprocessable("The Channel was not valid.", {f"{at}.channels": f"Channel {channels[0]} does not exist."})
        if any(channels[0] in t["channels"] for t in self.s.all(TREE)):
            raise unprocessable("The Channel was not valid.", {f"{at}.channels": f"Channel {channels[0]} already has a tree."})
        tid = self.s.next_id(TREE)
        return self.s.save(TREE, tid, {"id": tid, "name": name, "channels": [channels[0]]})

    def delete_trees(self, q: Query) -> None:
        ids = q.ints("id:in")
        if not ids:
            raise unprocessable("A filter is required to delete trees.", {"id:in": "Provide id:in."})
        doomed = [t["id"] for t in self.s.all(TREE) if t["id"] in ids]
        self._delete_categories([c for c in self.s.all(KIND) if c["tree_id"] in doomed])
        for tid in doomed:
            self.s.remove(TREE, tid)

    # ---- reads ----------------------------------------------------------------------

    def list(self, q: Query) -> list[dict]:
        return select(self.s.all(KIND), build_filters(q, FILTERS))

    def path_of(self, cat: dict) -> list[str]:
        names = [cat["name"]]
        while cat["parent_id"]:
            cat = self.s.get(KIND, cat["parent_id"])
            names.insert(0, cat["name"])
        return names

    def find_path(self, path: str, tree_id: int | None = None) -> dict | None:
        """A category by "A/B/C" path, in ``tree_id`` or else the lowest tree id having it."""
        want = [p.strip() for p in path.split("/") if p.strip()]
        cats = sorted(self.s.all(KIND), key=lambda c: (c["tree_id"], c["category_id"]))
        for cat in cats:
            if (tree_id is None or cat["tree_id"] == tree_id) and self.path_of(cat) == want:
                return cat
        return None

    def _children(self, cid: int) -> list[dict]:
        return [c for c in self.s.all(KIND) if c["parent_id"] == cid]

    def _depth(self, cid: int) -> int:
        depth = 0
        while cid:
            depth += 1
            cid = self.s.get(KIND, cid)["parent_id"]
        return depth

    def _sibling_clash(self, tree_id: int, parent_id: int, name: str, cid: int | None) -> bool:
        return any(c["tree_id"] == tree_id and c["parent_id"] == parent_id
                   and c["name"].casefold() == name.casefold() and c["category_id"] != cid
                   for c in self.s.all(KIND))

    # ---- writes ---------------------------------------------------------------------

    def _build(self, cid: int, tree_id: int, parent_id: int, body: dict) -> dict:
        names = (self.path_of(self.s.get(KIND, parent_id)) if parent_id else []) + [body["name"]]
        cat = {
            "category_id": cid, "category_uuid": str(uuid.uuid5(_UUID_NS, f"category-{cid}")),
            "parent_id": parent_id, "tree_id": tree_id, "name": body["name"], "description": "",
            "views": 0, "sort_order": 0, "page_title": "", "meta_keywords": [],
            "meta_description": "", "layout_file": "category.html", "image_url": "",
            "is_visible": True, "search_keywords": "", "default_product_sort": "use_store_settings",
            "url": {"path": "/" + "/".join(slug(n) for n in names) + "/", "is_customized": False},
        }
        for key, value in body.items():
            if key == "url":
                cat["url"] = {"path": value["path"], "is_customized": value.get("is_customized", True)}
            elif key not in ("tree_id", "parent_id"):
                cat[key] = value
        return cat

    def _placement(self, body: dict, cid: int | None) -> tuple[int, int]:
        """(tree_id, parent_id) for a new or moved category, or a 422."""
        parent_id = body.get("parent_id", 0)
        tree_id = body.get("tree_id")
        if parent_id:
            parent = self.s.get(KIND, parent_id)
            if parent is None:
                raise unprocessable("Invalid parent", {"parent_id": f"Parent category {parent_id} does not exist."})
            if tree_id is not None and tree_id != parent["tree_id"]:
                raise unprocessable("Invalid parent", {"parent_id": f"Parent category {parent_id} is not in tree {tree_id}."})
            tree_id = parent["tree_id"]
            if cid is not None and (parent_id == cid or cid in self._ancestors(parent_id)):
                raise unprocessable("Invalid parent", {"parent_id": "A category cannot be moved under itself."})
            if self._depth(parent_id) + 1 > MAX_DEPTH:
                raise unprocessable("Too deep", {"parent_id": f"Categories can be at most {MAX_DEPTH} levels deep."})
        elif tree_id is None:
            raise unprocessable("Missing Required Fields", {"tree_id": "Please provide a tree_id or a parent_id."})
        if self.s.get(TREE, tree_id) is None:
            raise unprocessable("Invalid tree", {"tree_id": f"Tree {tree_id} does not exist."})
        return tree_id, parent_id

    def _ancestors(self, cid: int) -> list[int]:
        out = []
        while cid:
            out.append(cid)
            cid = self.s.get(KIND, cid)["parent_id"]
        return out

    def _create_one(self, raw: Any) -> dict:
        body = check(raw, CATEGORY, required=("name",), read_only=("category_id", *CATEGORY_READ_ONLY))
        tree_id, parent_id = self._placement(body, None)
        if self._sibling_clash(tree_id, parent_id, body["name"], None):
            raise unprocessable("Duplicate name", {"name": f"A category named '{body['name']}' already exists here."})
        cid = self.s.next_id(KIND)
        return self.s.save(KIND, cid, self._build(cid, tree_id, parent_id, body))

    def _update_one(self, raw: Any) -> dict:
        body = check(raw, CATEGORY_PUT, required=("category_id",), read_only=CATEGORY_READ_ONLY)
        cat = self.s.get(KIND, body["category_id"])
        if cat is None:
            raise unprocessable("Not found", {"category_id": f"Category {body['category_id']} does not exist."})
        if "tree_id" in body and body["tree_id"] != cat["tree_id"]:
            raise unprocessable("Invalid tree", {"tree_id": "A category cannot move to another tree."})
        if "parent_id" in body:
            cat["parent_id"] = self._placement({"parent_id": body["parent_id"], "tree_id": cat["tree_id"]},
                                               cat["category_id"])[1]
        name = body.get("name", cat["name"])
        if self._sibling_clash(cat["tree_id"], cat["parent_id"], name, cat["category_id"]):
            raise unprocessable("Duplicate name", {"name": f"A category named '{name}' already exists here."})
        for key, value in body.items():
            if key == "url":
                cat["url"] = {"path": value["path"], "is_customized": value.get("is_customized", True)}
            elif key not in ("category_id", "tree_id", "parent_id"):
                cat[key] = value
        return self.s.save(KIND, cat["category_id"], cat)

    def _batch(self, body: Any, one) -> tuple[list[dict], dict[str, str], dict[str, int]]:
        items = expect_array(body, "categories")
        done, errors = [], {}
        for i, raw in enumerate(items):
            try:
                done.append(one(raw))
            except SandboxError as exc:
                errors[str(i)] = _item_error(exc)
        meta = {"total": len(items), "success": len(done), "failed": len(errors)}
        if not done:
            raise SandboxError(422, "No category in the request could be saved.", errors, meta=meta)
        return done, errors, meta

    def create_many(self, body: Any) -> tuple[list[dict], dict[str, str], dict[str, int]]:
        return self._batch(body, self._create_one)

    def update_many(self, body: Any) -> tuple[list[dict], dict[str, str], dict[str, int]]:
        return self._batch(body, self._update_one)

    def delete_where(self, q: Query) -> dict[str, int]:
        """Delete matched categories and all their descendants; refuse (422) if any of
        them still has products, since C deleteCategories does (⚠ d:status says 409;
        the spec's 422 is what we follow). Customer groups lose the category discount
        rules and category access entries that named them (not stated)."""
        if not any(q.has(f) for f in DELETE_FILTERS):
            raise unprocessable("A filter is required to delete categories.",
                                {"filter": "Provide category_id:in, category_uuid:in, tree_id:in or parent_id:in."})
        return self._delete_categories(select(self.s.all(KIND), build_filters(q, {f: FILTERS[f] for f in DELETE_FILTERS})))

    def _delete_categories(self, matched: list[dict]) -> dict[str, int]:
        doomed: dict[int, dict] = {}
        stack = list(matched)
        while stack:
            cat = stack.pop()
            if cat["category_id"] not in doomed:
                doomed[cat["category_id"]] = cat
                stack.extend(self._children(cat["category_id"]))
        used = {cid: p["id"] for p in self.s.all("product") for cid in p["categories"] if cid in doomed}
        if used:
            raise unprocessable("Categories that contain products cannot be deleted.",
                                {str(cid): f"Category {cid} is used by product {pid}." for cid, pid in used.items()})
        for cid in doomed:
            self.s.remove(KIND, cid)
        self.s.customer_groups.forget_categories(set(doomed))
        return {"total": len(doomed), "success": len(doomed), "failed": 0}

    def seed_all(self, items: list[dict]) -> None:
        for item in items:
            self.seed(item)

    def dump(self) -> dict[str, list[dict]]:
        """Categories by (tree, depth, id): parents first; the tree only when not 1."""
        out = []
        for cat in self.s.all(KIND):
            path = self.path_of(cat)
            item: dict[str, Any] = {"path": "/".join(path)}
            if cat["tree_id"] != 1:
                item["tree_id"] = cat["tree_id"]
            item.update({k: v for k, v in cat.items() if k not in _DUMP_INTERNAL})
            out.append((cat["tree_id"], len(path), cat["category_id"], item))
        return {"categories": [item for *_, item in sorted(out, key=lambda t: t[:3])]}

    def seed(self, item: dict) -> dict:
        item = dict(item)
        names = [p.strip() for p in item.pop("path").split("/") if p.strip()]
        tree_id = item.pop("tree_id", 1)
        parent = self.find_path("/".join(names[:-1]), tree_id) if len(names) > 1 else None
        if len(names) > 1 and parent is None:
            raise ValueError(f"seed category {'/'.join(names)!r}: parent not seeded before it")
        cid = self.s.next_id(KIND)
        body = {**item, "name": names[-1]}
        return self.s.save(KIND, cid, self._build(cid, tree_id, parent["category_id"] if parent else 0, body))
