"""Brands (B ``/v3/catalog/brands``), FACTS §7.3.

Brand names are unique case-insensitively (the brief; P ``brand_name``: "Brand name is
not case-sensitive"). Deleting a brand sets ``brand_id`` to 0 on its products – not
stated anywhere; it is what keeps products valid, and it counts as a write to each
product (``date_modified`` moves).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ..core.errors import conflict, not_found, unprocessable
from ..core.query import Query, build_filters, select, sort_items
from ..core.storage import public
from ..core.validation import check
from .schemas import BRAND, BRAND_READ_ONLY

if TYPE_CHECKING:
    from ..core.storage import Storage

KIND = "brand"
FILTERS = {
    "id": ("id", "int"), "id:in": ("id", "int"), "id:not_in": ("id", "int"),
    "id:min": ("id", "int"), "id:max": ("id", "int"),
    "id:greater": ("id", "int"), "id:less": ("id", "int"),
    "name": ("name", "str"), "name:like": ("name", "like"), "page_title": ("page_title", "str"),
}
LIST_PARAMS = ("page", "limit", "include_fields", "exclude_fields", "sort", "direction", *FILTERS)
ITEM_PARAMS = ("include_fields", "exclude_fields")


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "item"


def build(bid: int, body: dict[str, Any]) -> dict[str, Any]:
    """A full brand from a (validated) body; defaults follow B's getBrands example."""
    brand = {
        "id": bid, "name": body["name"], "page_title": "", "meta_keywords": [],
        "meta_description": "", "image_url": "", "search_keywords": "",
        "custom_url": {"url": f"/{slug(body['name'])}/", "is_customized": False},
    }
    for key, value in body.items():
        if key == "custom_url":
            brand["custom_url"] = {"url": value.get("url", brand["custom_url"]["url"]),
                                   "is_customized": value.get("is_customized", True)}
        else:
            brand[key] = value
    return brand


class Brands:
    FIRST_IDS = {KIND: 35}
    SEED = ("brands", 10)

    def __init__(self, state: Storage) -> None:
        self.s = state

    def get(self, bid: int) -> dict:
        brand = self.s.get(KIND, bid)
        if brand is None:
            raise not_found("Brand", bid)
        return public(brand)

    def by_name(self, name: str) -> dict | None:
        key = name.casefold()
        return next((b for b in self.s.all(KIND) if b["name"].casefold() == key), None)

    def list(self, q: Query) -> list[dict]:
        sort = q.str("sort")
        if sort not in (None, "name"):
            raise unprocessable('Query parameter "sort" value must be one of: name.')
        direction = q.str("direction") or "asc"
        if direction not in ("asc", "desc"):
            raise unprocessable('Query parameter "direction" value must be one of: asc, desc.')
        items = select(self.s.all(KIND), build_filters(q, FILTERS))
        return sort_items(items, sort or "id", direction == "desc")

    def _check_name(self, name: str, bid: int | None) -> None:
        other = self.by_name(name)
        if other is not None and other["id"] != bid:
            raise conflict("Brand name is a duplicate",
                           {"name": f"Brand name '{name}' is already used by brand {other['id']}."})

    def create(self, body: Any) -> dict:
        body = check(body, BRAND, required=("name",), read_only=BRAND_READ_ONLY)
        self._check_name(body["name"], None)
        bid = self.s.next_id(KIND)
        return public(self.s.save(KIND, bid, build(bid, body)))

    def ensure(self, name: str) -> int:
        """Used by a product's ``brand_name``: existing brand (case-insensitive) or a new one."""
        brand = self.by_name(name)
        if brand is not None:
            return brand["id"]
        bid = self.s.next_id(KIND)
        self.s.save(KIND, bid, build(bid, {"name": name}))
        return bid

    def update(self, bid: int, body: Any) -> dict:
        current = self.get(bid)
        # B updateBrand's request schema declares required: [name]; we enforce it.
        body = check(body, BRAND, required=("name",), read_only=BRAND_READ_ONLY)
        self._check_name(body["name"], bid)
        merged = {**current, **body}
        if "custom_url" in body:
            merged["custom_url"] = {**current["custom_url"], **body["custom_url"]}
            merged["custom_url"].setdefault("is_customized", True)
        return public(self.s.save(KIND, bid, merged))

    def delete(self, bid: int) -> None:
        self.get(bid)
        self.s.remove(KIND, bid)
        self.s.products.clear_brand(bid)

    def delete_where(self, q: Query) -> None:
        """B deleteBrands: "you must include a value for the name filter"."""
        name = q.str("name")
        if not name:
            raise unprocessable("A name filter is required to delete brands.",
                                {"name": "Please provide a name filter."})
        preds = build_filters(q, {"name": ("name", "str"), "page_title": ("page_title", "str")})
        for brand in select(self.s.all(KIND), preds):
            self.delete(brand["id"])

    def seed_all(self, items: list[dict]) -> None:
        for item in items:
            self.seed(item)

    def dump(self) -> dict[str, list[dict]]:
        """Brands by id, without their ids."""
        return {"brands": [{k: v for k, v in public(b).items() if k != "id"} for b in self.s.all(KIND)]}

    def seed(self, item: dict) -> dict:
        bid = self.s.next_id(KIND)
        return self.s.save(KIND, bid, build(bid, item))
