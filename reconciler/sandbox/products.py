"""Products (P ``/v3/catalog/products``), FACTS §5.

Choices where the official description is silent or contradicts itself (⚠):

* ``weight`` is required even for digital products (⚠ prose creates one without it;
  the spec's ``required`` list is the stricter reading).
* ``price`` must be a JSON number (⚠ prose sends "10.00"; strings are refused).
* Product names are unique case-insensitively (P: "A unique product name."; case not
  stated, we take the stricter reading). SKUs are unique case-insensitively (P states
  it); the empty SKU is not a value and may repeat. The ``sku``/``sku:in`` filters match
  case-insensitively too, consistent with that.
* A new product is assigned to channel 1 (not stated in the docs).
* Defaults for fields the body leaves out follow P getProduct's example
  (``related_products: [-1]``, ``layout_file: "product.html"``, …).
* ``is_price_hidden: true`` needs ``availability: "disabled"`` (P's note says it will
  not take effect otherwise); we refuse it with 422 instead of ignoring it.
* ``custom_url`` left out is generated from the name ("/cable-tie-100/"); a generated
  URL that is taken gets "-2", "-3" …; an explicit one that is taken is a 409.
* ``categories:in`` on GET returns products in *all* listed categories (⚠ P says "all",
  d:query calls it SQL IN; "all" is the stricter reading).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .brands import slug
from .errors import SandboxError, conflict, not_found, unprocessable
from .query import Query, build_filters, select, shape, sort_items
from .schemas import PRODUCT, PRODUCT_READ_ONLY, PRODUCT_REQUIRED, PRODUCT_UNSUPPORTED
from .state import public
from .validation import check, normalize
from .variants import base_variant, render_variant

if TYPE_CHECKING:
    from .state import StoreState

KIND = "product"
MAX_BATCH = 10  # P updateProducts: "Batches are limited to 10 products"
MAX_INVENTORY = 2147483647
INCLUDES = ("bulk_pricing_rules", "channels", "custom_fields", "images", "modifiers", "options",
            "parent_relations", "primary_image", "reviews", "variants", "videos")
_ALWAYS = ("gift_wrapping_options_type", "gift_wrapping_options_list")  # P IncludeFieldsParam
_INT = "int"
FILTERS = {
    "id": ("id", _INT), "id:in": ("id", _INT), "id:not_in": ("id", _INT),
    "id:min": ("id", _INT), "id:max": ("id", _INT), "id:greater": ("id", _INT), "id:less": ("id", _INT),
    "name": ("name", "str"), "sku": ("sku", "istr"), "sku:in": ("sku", "istr"),
    "brand_id": ("brand_id", _INT), "brand_id:in": ("brand_id", _INT),
    "type": ("type", "str"), "availability": ("availability", "str"),
    "is_visible": ("is_visible", "bool"), "is_featured": ("is_featured", "bool"),
    "price": ("price", "num"), "price:min": ("price", "num"), "price:max": ("price", "num"),
    "inventory_level": ("inventory_level", _INT), "inventory_level:min": ("inventory_level", _INT),
    "inventory_level:max": ("inventory_level", _INT),
    "date_modified": ("date_modified", "date"), "date_modified:min": ("date_modified", "date"),
    "date_modified:max": ("date_modified", "date"),
}
SORTS = ("id", "name", "sku", "price", "date_modified", "date_last_imported", "inventory_level",
         "is_visible", "total_sold", "calculated_price")
LIST_PARAMS = ("page", "limit", "include", "include_fields", "exclude_fields", "sort", "direction",
               "categories", "categories:in", "channel_id:in", *FILTERS)
ITEM_PARAMS = ("include", "include_fields", "exclude_fields")
# P deleteProducts' accepted filters that the sandbox implements.
DELETE_PARAMS = ("id:in", "name", "sku", "brand_id", "is_visible", "is_featured", "type",
                 "price", "inventory_level", "categories")


def defaults(pid: int, now: str) -> dict[str, Any]:
    """Every product_Full field, with the values P getProduct's example shows."""
    return {
        "id": pid, "name": "", "type": "physical", "sku": "", "description": "",
        "weight": 0, "width": 0, "depth": 0, "height": 0, "price": 0, "cost_price": 0,
        "retail_price": 0, "sale_price": 0, "map_price": 0, "tax_class_id": 0,
        "product_tax_code": "", "calculated_price": 0, "categories": [], "brand_id": 0,
        "option_set_id": None, "option_set_display": "right", "inventory_level": 0,
        "inventory_warning_level": 0, "inventory_tracking": "none", "reviews_rating_sum": 0,
        "reviews_count": 0, "total_sold": 0, "fixed_cost_shipping_price": 0,
        "is_free_shipping": False, "is_visible": True, "is_featured": False,
        "related_products": [-1], "warranty": "", "bin_picking_number": "",
        "layout_file": "product.html", "upc": "", "mpn": "", "gtin": "",
        "date_last_imported": None, "search_keywords": "", "availability": "available",
        "availability_description": "", "gift_wrapping_options_type": "any",
        "gift_wrapping_options_list": [], "sort_order": 0, "condition": "New",
        "is_condition_shown": False, "order_quantity_minimum": 0, "order_quantity_maximum": 0,
        "page_title": "", "meta_keywords": [], "meta_description": "", "date_created": now,
        "date_modified": now, "view_count": 0, "preorder_release_date": None,
        "preorder_message": "", "is_preorder_only": False, "is_price_hidden": False,
        "price_hidden_label": "", "custom_url": None, "base_variant_id": None,
        "open_graph_type": "product", "open_graph_title": "", "open_graph_description": "",
        "open_graph_use_meta_description": True, "open_graph_use_product_name": True,
        "open_graph_use_image": True,
    }


def _apply(product: dict, body: dict) -> dict:
    """Merge a validated body into a product and recompute derived fields."""
    out = dict(product)
    for key, value in body.items():
        if key == "custom_url":
            out["custom_url"] = {"url": value["url"], "is_customized": value.get("is_customized", True)}
        elif key == "categories":
            out["categories"] = list(dict.fromkeys(value))
        elif key == "inventory_level":
            out[key] = min(value, MAX_INVENTORY)  # P: over the limit "sets ... to the limit"
        elif key not in ("brand_name", "custom_fields"):
            out[key] = value
    out["calculated_price"] = out["sale_price"] if out["sale_price"] else out["price"]
    return out


class Products:
    def __init__(self, state: StoreState) -> None:
        self.s = state

    # ---- reads ----------------------------------------------------------------------

    def _stored(self, pid: int) -> dict:
        product = self.s.get(KIND, pid)
        if product is None:
            raise not_found("Product", pid)
        return product

    def get(self, pid: int, q: Query) -> dict:
        return self.render(self._stored(pid), q)

    def render(self, product: dict, q: Query) -> dict:
        out = shape(public(product), q, always=_ALWAYS)
        for inc in self._includes(q):
            if inc == "channels":
                out["channels"] = self.s.channels.of_product(product["id"])
            elif inc == "custom_fields":
                out["custom_fields"] = [{k: f[k] for k in ("id", "name", "value")}
                                        for f in self.s.all("custom_field")
                                        if f["product_id"] == product["id"]]
            elif inc == "variants":  # ⚠ product_Full declares no variants; examples have them
                out["variants"] = [render_variant(v, product) for v in self.s.all("variant")
                                   if v["product_id"] == product["id"]]
            elif inc in ("images", "videos", "bulk_pricing_rules", "options", "modifiers"):
                out[inc] = []  # none of these sub-resources exist in the sandbox yet
        return out

    @staticmethod
    def _includes(q: Query) -> list[str]:
        values = q.strs("include") or []
        bad = [v for v in values if v not in INCLUDES]
        if bad:
            raise unprocessable(f'Query parameter "include" value is invalid: {", ".join(bad)}.',
                                {"include": f"allowed values: {', '.join(INCLUDES)}"})
        return values

    def list(self, q: Query) -> list[dict]:
        preds = build_filters(q, FILTERS)
        cats_all, cats_only = q.ints("categories:in"), q.ints("categories")
        if cats_all is not None:
            preds.append(lambda p: set(cats_all) <= set(p["categories"]))
        if cats_only is not None:
            # P CategoriesParam: a product in more than one category is not returned.
            preds.append(lambda p: p["categories"] == cats_only)
        channel_ids = q.ints("channel_id:in")
        if channel_ids is not None:
            linked = {pid for pid, _ in self.s.links("product_channel", None, channel_ids)}
            preds.append(lambda p: p["id"] in linked)
        sort, direction = q.str("sort") or "id", q.str("direction") or "asc"
        if sort not in SORTS:
            raise unprocessable(f'Query parameter "sort" value must be one of: {", ".join(SORTS)}.')
        if direction not in ("asc", "desc"):
            raise unprocessable('Query parameter "direction" value must be one of: asc, desc.')
        self._includes(q)
        return sort_items(select(self.s.all(KIND), preds), sort, direction == "desc")

    # ---- validation -----------------------------------------------------------------

    def _validate(self, body: Any, *, required: tuple[str, ...]) -> dict:
        body = check(body, PRODUCT, required=required,
                     read_only=(*PRODUCT_READ_ONLY, *PRODUCT_UNSUPPORTED))
        if "brand_id" in body and "brand_name" in body:
            raise unprocessable("Use either brand_id or brand_name",
                                {"brand_name": "Use either the brand_id or the brand_name field."})
        return body

    def _check_refs(self, product: dict, body: dict) -> None:
        """409 for a missing brand or category (P createProduct 409 description)."""
        brand_id = body.get("brand_id", 0)
        if brand_id and self.s.get("brand", brand_id) is None:
            raise conflict("Brand not found", {"brand_id": f"Brand {brand_id} does not exist."})
        for cid in body.get("categories", []):
            if self.s.get("category", cid) is None:
                raise conflict("Category not found", {"categories": f"Category {cid} does not exist."})
        if product.get("is_price_hidden") and product.get("availability") != "disabled":
            raise unprocessable("JSON data is missing or invalid", {
                "is_price_hidden": "is_price_hidden can only be true when availability is 'disabled'."})

    def _check_unique(self, candidates: dict[int, dict]) -> None:
        """409 when a candidate's name, SKU or custom URL is used by another product.
        ``candidates`` overlay the store, so a batch that swaps two SKUs is valid."""
        everyone = {p["id"]: p for p in self.s.all(KIND)}
        everyone.update(candidates)
        for field, label in (("name", "name"), ("sku", "SKU"), ("custom_url", "custom URL")):
            seen: dict[str, int] = {}
            for pid in sorted(everyone, key=lambda i: (i in candidates, i)):
                value = everyone[pid][field]
                value = value["url"] if field == "custom_url" and value else value
                if not value:
                    continue
                key = value.casefold()
                if key in seen and pid in candidates:
                    raise conflict(f"The product {label} is a duplicate",
                                   {field: f"{label} '{value}' is already used by product {seen[key]}."})
                seen.setdefault(key, pid)

    def _auto_url(self, name: str, taken_by: dict[int, dict]) -> dict:
        taken = {p["custom_url"]["url"].casefold() for p in taken_by.values() if p.get("custom_url")}
        base, n = slug(name), 1
        url = f"/{base}/"
        while url.casefold() in taken:
            n += 1
            url = f"/{base}-{n}/"
        return {"url": url, "is_customized": False}

    # ---- writes ---------------------------------------------------------------------

    def _finish_brand(self, body: dict) -> dict:
        if "brand_name" in body:
            body = {**body, "brand_id": self.s.brands.ensure(body["brand_name"])}
        return body

    def create(self, raw: Any, *, validate: bool = True) -> dict:
        body = self._validate(raw, required=PRODUCT_REQUIRED) if validate else normalize(raw)
        pid, now = self.s.next_id(KIND), self.s.now()
        product = _apply(defaults(pid, now), body)
        if product["custom_url"] is None:
            product["custom_url"] = self._auto_url(product["name"], {p["id"]: p for p in self.s.all(KIND)})
        if validate:
            self._check_refs(product, body)
            self._check_unique({pid: product})
        body = self._finish_brand(body)
        product["brand_id"] = body.get("brand_id", product["brand_id"])
        variant = base_variant(self.s.next_id("variant"), pid)
        product["base_variant_id"] = variant["id"]
        self.s.save("variant", variant["id"], variant)
        self.s.save(KIND, pid, product)
        self.s.link("product_channel", pid, 1)
        self._write_custom_fields(pid, body.get("custom_fields", []))
        return product

    def update(self, pid: int, raw: Any) -> dict:
        current = self._stored(pid)
        body = self._validate(raw, required=())
        return self._commit([(current, body)])[0]

    def update_many(self, raw: Any) -> list[dict]:
        if not isinstance(raw, list) or not raw:
            raise unprocessable("JSON data is missing or invalid", {"body": "Expected a JSON array of products."})
        if len(raw) > MAX_BATCH:
            raise SandboxError(413, "The request payload is too large. The maximum items allowed "
                               f"in the array is {MAX_BATCH}.", {})
        bodies, errors = [], {}
        for item in raw:  # 422 for every item first, then 404, then 409: nothing is written
            try:
                if isinstance(item, dict) and "id" not in item:
                    raise unprocessable("Missing Required Fields", {"id": "Please provide an id."})
                item = dict(item) if isinstance(item, dict) else item
                pid = item.pop("id", None) if isinstance(item, dict) else None
                bodies.append((pid, self._validate(item, required=())))
            except SandboxError as exc:
                errors.update({k: v for k, v in (exc.errors or {}).items() if k not in errors})
        if errors:
            # Like d:err's batch example: field-keyed, without naming the failed items.
            missing = any(str(v).startswith("Please provide") for v in errors.values())
            raise unprocessable("Missing Required Fields" if missing else "JSON data is missing or invalid", errors)
        pids = [pid for pid, _ in bodies]
        if not all(isinstance(p, int) and not isinstance(p, bool) for p in pids) or len(set(pids)) != len(pids):
            raise unprocessable("JSON data is missing or invalid", {"id": "Each item needs a distinct integer id."})
        pairs = [(self._stored(pid), body) for pid, body in bodies]
        return self._commit(pairs)

    def _commit(self, pairs: list[tuple[dict, dict]]) -> list[dict]:
        candidates = {}
        for current, body in pairs:
            product = _apply(current, body)
            self._check_refs(product, body)
            candidates[product["id"]] = product
        self._check_unique(candidates)
        out = []
        for current, body in pairs:
            product = candidates[current["id"]]
            body = self._finish_brand(body)
            product["brand_id"] = body.get("brand_id", product["brand_id"])
            product["date_modified"] = self.s.stamp(current["date_modified"])
            self.s.save(KIND, product["id"], product)
            self._write_custom_fields(product["id"], body.get("custom_fields", []))
            out.append(product)
        return out

    def _write_custom_fields(self, pid: int, fields: list[dict]) -> None:
        """Items with ``id`` update that field, others are added (P productCustomField_Put:
        id is "Required to update existing custom field"). Fields not sent are kept."""
        existing = {f["id"]: f for f in self.s.all("custom_field") if f["product_id"] == pid}
        for field in fields:
            if "id" in field and field["id"] not in existing:
                raise unprocessable("Invalid custom field", {"custom_fields": f"Custom field {field['id']} is not on product {pid}."})
            fid = field.get("id") or self.s.next_id("custom_field")
            pairs = {(f["name"], f["value"]) for i, f in existing.items() if i != fid}
            if (field["name"], field["value"]) in pairs:
                raise conflict("Duplicate custom field", {"custom_fields": "Every name-value pair must be unique inside a product."})
            existing[fid] = {"id": fid, "product_id": pid, "name": field["name"], "value": field["value"]}
            self.s.save("custom_field", fid, existing[fid])

    def delete(self, pid: int) -> None:
        self._stored(pid)
        self._drop(pid)

    def _drop(self, pid: int) -> None:
        self.s.remove(KIND, pid)
        for kind in ("variant", "custom_field"):
            for obj in self.s.all(kind):
                if obj["product_id"] == pid:
                    self.s.remove(kind, obj["id"])
        self.s.unlink("product_channel", [pid])

    def delete_where(self, q: Query) -> None:
        """P deleteProducts: "you must include a filter"; ``id:in`` takes up to 250 ids."""
        if not any(q.has(p) for p in DELETE_PARAMS):
            raise unprocessable("A filter is required to delete products.",
                                {"filter": "Provide a filter such as id:in."})
        ids = q.ints("id:in")
        if ids is not None and len(ids) > 250:
            raise unprocessable("Too many ids", {"id:in": "At most 250 ids per request."})
        for product in self.list(q):
            self._drop(product["id"])

    def clear_brand(self, brand_id: int) -> None:
        for product in self.s.all(KIND):
            if product["brand_id"] == brand_id:
                product["brand_id"] = 0
                product["date_modified"] = self.s.stamp(product["date_modified"])
                self.s.save(KIND, product["id"], product)

    # ---- seeding --------------------------------------------------------------------

    def seed(self, item: dict) -> dict:
        item = dict(item)
        channels = item.pop("channels", [1])
        if "brand" in item:
            brand = self.s.brands.by_name(item.pop("brand"))
            if brand is None:
                raise ValueError(f"seed product {item.get('sku') or item.get('name')!r}: unknown brand")
            item["brand_id"] = brand["id"]
        item["categories"] = [c if isinstance(c, int) else self._seed_category(c)
                              for c in item.get("categories", [])]
        product = self.create(item, validate=False)
        self.s.unlink("product_channel", [product["id"]])
        for cid in channels:
            self.s.link("product_channel", product["id"], cid)
        return product

    def _seed_category(self, path: str) -> int:
        cat = self.s.categories.find_path(path)
        if cat is None:
            raise ValueError(f"seed product: unknown category path {path!r}")
        return cat["category_id"]
