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
* ``custom_url`` (P ``customUrl_Full``) is on every product. Left out on POST it is
  generated from the name ("Black Cable Ties 100mm" -> "/black-cable-ties-100mm/",
  ``is_customized: false``); a generated URL that is taken gets "-2", "-3" …; an explicit
  one (``url`` 1–255 and ``is_customized`` both required) that another product has,
  ignoring case, is a 409 naming ``custom_url`` (FACTS §5.1). ``create_redirect`` is
  accepted and not kept or echoed: the sandbox has no storefront redirects. A rename
  leaves the URL as it is (not stated).
* ``categories:in`` on GET returns products in *all* listed categories (⚠ P says "all",
  d:query calls it SQL IN; "all" is the stricter reading).
* SKUs of products and of option variants share one case-insensitive namespace (P
  ``sku``: "unique regardless of the letter case for both products and variants"),
  checked on every write (``unique.py``).
* POST ``variants[]`` (FACTS §5.8): items carry ``sku`` and ``option_values:
  [{option_display_name, label}]``; the options and values are created from them in
  first-seen order (``options.py``). Every item is checked, and every SKU of the
  product and its variants is checked for uniqueness, before anything is written.
  ``variants`` is refused on PUT (POST only).
* ``include=variants,custom_fields,channels,options`` load each sub-resource for a
  whole page in one query; they are added regardless of ``include_fields``. With
  ``include=options`` or ``modifiers`` a page of GET products holds at most 10 (FACTS §3.1).
* Deleting a product deletes its variants, options, custom fields, channel
  assignments and price records, and the customer-group discount rules naming it
  (P: effect not stated; nothing can refer to them afterwards).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from werkzeug.wrappers import Response

from ..core import views
from ..core.errors import ERROR_TYPE, SandboxError, conflict, not_found, unprocessable
from ..core.partial import MESSAGE, Batch, label, ok
from ..core.query import Query, build_filters, page_meta, select, shape_sets, sort_items
from ..core.responses import json_response
from ..core.storage import Key, public
from ..core.validation import check, normalize
from . import unique
from .brands import slug
from .refs import Refs
from .schemas import PRODUCT, PRODUCT_POST_ONLY, PRODUCT_READ_ONLY, PRODUCT_REQUIRED, PRODUCT_UNSUPPORTED
from .variants import HIDDEN, base_variant, check_bundle, dump_overrides, dump_variant

if TYPE_CHECKING:
    from ..core.storage import Storage

KIND = "product"
MAX_BATCH = 10  # P updateProducts: "Batches are limited to 10 products"
MAX_INVENTORY = 2147483647
INCLUDES = ("bulk_pricing_rules", "channels", "custom_fields", "images", "modifiers", "options",
            "parent_relations", "primary_image", "reviews", "variants", "videos")
_ALWAYS = ("gift_wrapping_options_type", "gift_wrapping_options_list")  # P IncludeFieldsParam
# FACTS §3.1, P IncludeParamGetProducts: "When you specify `options` or `modifiers`,
# results are limited to 10 per page" (a smaller ``limit`` stands).
PAGE_CAPPED_BY = ("options", "modifiers")
CAPPED_PAGE = 10
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
               "categories", "categories:in", "channel_id:in", "keyword", "keyword_context", *FILTERS)
KEYWORD_CONTEXTS = ("shopper", "merchant")  # P KeywordContextParam
ITEM_PARAMS = ("include", "include_fields", "exclude_fields")
# P deleteProducts' accepted filters (FACTS §5.6) that the sandbox implements; ``keyword``
# matches as the list's does (§5.5, issue 14 #14).
DELETE_PARAMS = ("id:in", "name", "sku", "brand_id", "is_visible", "is_featured", "type",
                 "price", "inventory_level", "categories", "keyword", "date_modified")


def defaults(pid: int, now: str) -> dict[str, Any]:
    """Every product_Full field, with the values P getProduct's example shows – except
    ``option_set_id`` and ``date_last_imported``: the example shows null, but
    product_Full types them integer and string, not nullable, and the sandbox has neither
    an option set nor an import to name, so they are left out until written (issue 14
    #17; ⚠ example vs schema, the schema is the stricter reading)."""
    return {
        "id": pid, "name": "", "type": "physical", "sku": "", "description": "",
        "weight": 0, "width": 0, "depth": 0, "height": 0, "price": 0, "cost_price": 0,
        "retail_price": 0, "sale_price": 0, "map_price": 0, "tax_class_id": 0,
        "product_tax_code": "", "calculated_price": 0, "categories": [], "brand_id": 0,
        "option_set_display": "right", "inventory_level": 0,
        "inventory_warning_level": 0, "inventory_tracking": "none", "reviews_rating_sum": 0,
        "reviews_count": 0, "total_sold": 0, "fixed_cost_shipping_price": 0,
        "is_free_shipping": False, "is_visible": True, "is_featured": False,
        "related_products": [-1], "warranty": "", "bin_picking_number": "",
        "layout_file": "product.html", "upc": "", "mpn": "", "gtin": "",
        "search_keywords": "", "availability": "available",
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
        elif key not in ("brand_name", "custom_fields", "bulk_pricing_rules", "images", "variants"):
            out[key] = value
    out["calculated_price"] = out["sale_price"] if out["sale_price"] else out["price"]
    return out


def _partial_answer(inner, body, items, kept, failed, request) -> Response:
    """A partial batch of products: P updateProducts' 207."""
    if not ok(inner):
        return inner
    errors = {str(i): MESSAGE.format(what=f"Product {label(items[i], 'id')}", verb="updated")
              for i in failed}
    return json_response({"data": body["data"] if body else [], "meta": {},
                          "errors": {"status": 207, "title": "Some products were not updated.",
                                     "type": ERROR_TYPE, "errors": errors}}, 207)


class Products:
    # the unique fields products are found by (unique.py), casefolded
    KEYS = (Key("sku", ("sku",), folded=True), Key("name", ("name",), folded=True),
            Key("custom_url", ("custom_url", "url"), folded=True, column="url"))
    FIRST_IDS = {KIND: 111}
    SEED = ("products", 30)
    BATCHES = {("PUT", "/v3/catalog/products"): Batch(_partial_answer, MAX_BATCH)}

    def __init__(self, state: Storage) -> None:
        self.s = state
        state.keep_views(KIND, lambda products: [public(p) for p in products])

    # ---- reads ----------------------------------------------------------------------

    def stored(self, pid: int) -> dict:
        product = self.s.get(KIND, pid)
        if product is None:
            raise not_found("Product", pid)
        return product

    def render_json(self, pids: list[int], q: Query) -> list[str]:
        """The API view of stored products as JSON text, joined from their kept views
        (``views.py``); each ``include`` costs one query for the whole page, never one
        per product. ``primary_image`` (P product_Full: an object, primaryImage_Full) is
        the product's thumbnail, left out for a product that has none (issue 14 #17)."""
        includes = tuple(dict.fromkeys(self._includes(q)))
        subs = self._subs(pids, includes)
        stored = self.s.views(KIND, pids)
        keep, drop = shape_sets(q, always=_ALWAYS)
        out: dict[int, str] = {}
        for group in self._by_includes(pids, includes, subs):
            shown = tuple(inc for inc in includes if inc != "primary_image" or group[0] in subs[inc])
            extras = [[subs[inc][pid] if inc in subs else "[]" for inc in shown] for pid in group]
            out.update(zip(group, views.splice_many([stored[pid] for pid in group], keep, drop, shown, extras)))
        return [out[pid] for pid in pids]

    @staticmethod
    def _by_includes(pids: list[int], includes: tuple[str, ...], subs: dict) -> list[list[int]]:
        """The page's products in groups that show the same includes (one group unless a
        product has no primary image to show)."""
        if "primary_image" not in includes:
            return [pids] if pids else []
        shown = [pid for pid in pids if pid in subs["primary_image"]]
        return [group for group in (shown, [pid for pid in pids if pid not in subs["primary_image"]]) if group]

    def _subs(self, pids: list[int], includes: tuple[str, ...]) -> dict[str, dict[int, str]]:
        """Each included sub-resource of each product as JSON text."""
        subs: dict[str, dict[int, str]] = {}
        if "channels" in includes:
            channels: dict[int, list[int]] = {pid: [] for pid in pids}
            for pid, cid in self.s.links("product_channel", pids):
                channels[pid].append(cid)
            subs["channels"] = {pid: views.dumps(cids) for pid, cids in channels.items()}
        for inc, kind in (("custom_fields", "custom_field"), ("variants", "variant"),
                          ("bulk_pricing_rules", "bulk_pricing_rule"), ("images", "product_image")):
            # ⚠ product_Full declares no variants; examples have them
            if inc in includes:
                children: dict[int, list[str]] = {pid: [] for pid in pids}
                for pid, view in self.s.child_views(kind, pids):
                    children[pid].append(view)
                subs[inc] = {pid: views.array_of(texts) for pid, texts in children.items()}
        if "options" in includes:
            options: dict[int, list[dict]] = {pid: [] for pid in pids}
            for option in self.s.children("option", pids):
                options[option["product_id"]].append(option)
            subs["options"] = {pid: views.dumps(found) for pid, found in options.items()}
        if "primary_image" in includes:
            subs["primary_image"] = {pid: views.dumps(image)
                                     for pid, image in self.s.images.thumbnails(pids).items()}
        # neither videos nor modifiers exist in the sandbox yet
        return subs

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
        keyword = self._keyword(q)
        if keyword is not None:
            preds.append(keyword)
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
        return sort_items(select(self._candidates(q), preds), sort, direction == "desc")

    def _keyword(self, q: Query) -> Callable[[dict], bool] | None:
        """P KeywordParam: "keywords found in the name, description, or sku fields, or in
        the brand name" (FACTS §5.5). ⚠ The spec is vague on matching: we take each
        blank-separated word as a keyword that must occur (case-insensitively, as a
        substring) in one of those four texts. ``keyword_context`` (shopper|merchant)
        "targets" the search algorithm's ranking, which the spec does not describe: it
        is checked against its enum and does not change which products match."""
        context = q.str("keyword_context")
        if context is not None and context not in KEYWORD_CONTEXTS:
            raise unprocessable('Query parameter "keyword_context" value must be one of: shopper, merchant.',
                                {"keyword_context": "allowed values: shopper, merchant"})
        words = (q.str("keyword") or "").casefold().split() if q.has("keyword") else None
        if words is None:
            return None
        brands = {b["id"]: b["name"] for b in self.s.all("brand")}

        def matches(p: dict) -> bool:
            texts = (p["name"], p["description"], p["sku"], brands.get(p["brand_id"], ""))
            haystack = "\n".join(texts).casefold()
            return all(word in haystack for word in words)
        return matches

    def _candidates(self, q: Query) -> list[dict]:
        """The products an indexed filter (id, id:in, sku, sku:in) allows, or all; the
        other filters then run over these in Python."""
        ids = q.ints("id:in") if q.has("id:in") else ([q.int("id")] if q.has("id") else None)
        if ids is None and (q.has("sku:in") or q.has("sku")):
            skus = q.strs("sku:in") if q.has("sku:in") else [q.str("sku") or ""]
            ids = [pid for sku in skus for _, pid in self.s.lookup((KIND,), "sku", sku)]
        if ids is None:
            return self.s.all(KIND)
        return [p for _, p in sorted(self.s.get_many(KIND, ids).items())]

    def list_page(self, q: Query) -> tuple[list[int], dict]:
        """The ids on one page of ``GET /v3/catalog/products``, and its meta. Without
        filters and sorted by id (how a full read goes, 250 a page) only that page's ids
        are read."""
        plain = not any(q.has(p) for p in LIST_PARAMS if p not in
                        ("page", "limit", "include", "include_fields", "exclude_fields", "sort", "direction"))
        page, limit = self._page_limit(q)
        if plain and q.str("sort") in (None, "id") and q.str("direction") in (None, "asc", "desc"):
            chunk = self.s.page_ids(KIND, (page - 1) * limit, limit, descending=q.str("direction") == "desc")
            return chunk, page_meta(self.s.count(KIND), len(chunk), page, limit)
        found = self.list(q)
        chunk = [p["id"] for p in found[(page - 1) * limit: page * limit]]
        return chunk, page_meta(len(found), len(chunk), page, limit)

    def _page_limit(self, q: Query) -> tuple[int, int]:
        """``page`` and ``limit``; at most 10 a page with ``include=options`` or
        ``modifiers`` (FACTS §3.1, P IncludeParamGetProducts)."""
        page, limit = q.page_limit()
        if any(inc in PAGE_CAPPED_BY for inc in self._includes(q)):
            limit = min(limit, CAPPED_PAGE)
        return page, limit

    # ---- validation -----------------------------------------------------------------

    def _validate(self, body: Any, *, required: tuple[str, ...], post_only: bool = False) -> dict:
        refused = (*PRODUCT_READ_ONLY, *PRODUCT_UNSUPPORTED, *(PRODUCT_POST_ONLY if post_only else ()))
        body = check(body, PRODUCT, required=required, read_only=refused)
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

    def _check_unique(self, candidates: dict[int, dict], skus: dict[tuple[str, int], str] | None = None) -> None:
        """409 when a candidate's name, SKU or custom URL is used by another product (or,
        for SKUs, a variant). ``candidates`` overlay the store, so a batch that swaps two
        SKUs is valid; ``skus`` adds the SKUs of variants written in the same request."""
        for field in ("name", "sku", "custom_url"):
            proposed: dict[tuple[str, int], str | None] = {}
            for pid, product in candidates.items():
                value = product[field]
                proposed[(KIND, pid)] = value["url"] if field == "custom_url" and value else value
            if field == "sku":
                proposed.update(skus or {})
            unique.check(self.s, field, proposed)

    def _auto_url(self, name: str) -> dict:
        base, n = slug(name), 1
        url = f"/{base}/"
        while self.s.lookup((KIND,), "custom_url", url):
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
        variants = body.get("variants", [])
        check_bundle(variants)
        # Checked under id 0 ("another item of this request"), the id taken only once the
        # product is valid: a refused POST neither uses nor names the next id (issue 14 #16).
        product = _apply(defaults(0, self.s.now()), body)
        if product["custom_url"] is None:
            product["custom_url"] = self._auto_url(product["name"])
        if validate:
            self._check_refs(product, body)
            self._check_unique({0: product}, {("variant", -i): v["sku"] for i, v in enumerate(variants, 1)})
        pid = product["id"] = self.s.next_id(KIND)
        body = self._finish_brand(body)
        product["brand_id"] = body.get("brand_id", product["brand_id"])
        variant = base_variant(self.s.next_id("variant"), pid)
        product["base_variant_id"] = product["_base_variant_id"] = variant["id"]
        if variants:  # complex from the start: its base variant is hidden at once (variants.py)
            product["base_variant_id"] = None
        self.s.save(HIDDEN if variants else "variant", variant["id"], variant)
        self.s.save(KIND, pid, product)
        self.s.link("product_channel", pid, 1)
        self.s.custom_fields.write_from_product(pid, body.get("custom_fields", []))
        if any("id" in rule for rule in body.get("bulk_pricing_rules", [])):
            raise unprocessable("JSON data is missing or invalid", {
                "bulk_pricing_rules": "A new product's bulk pricing rules cannot have ids."})
        self.s.bulk_pricing_rules.write_from_product(pid, body.get("bulk_pricing_rules", []))
        if any("id" in image for image in body.get("images", [])):
            raise unprocessable("JSON data is missing or invalid", {
                "images": "A new product's images cannot have ids."})
        self.s.images.write_from_product(pid, body.get("images", []))
        if variants:
            self.s.variants.create_bundle(pid, variants)
        return product

    def update(self, pid: int, raw: Any) -> dict:
        current = self.stored(pid)
        body = self._validate(raw, required=(), post_only=True)
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
                bodies.append((pid, self._validate(item, required=(), post_only=True)))
            except SandboxError as exc:
                errors.update({k: v for k, v in (exc.errors or {}).items() if k not in errors})
        if errors:
            # Like d:err's batch example: field-keyed, without naming the failed items.
            missing = any(str(v).startswith("Please provide") for v in errors.values())
            raise unprocessable("Missing Required Fields" if missing else "JSON data is missing or invalid", errors)
        pids = [pid for pid, _ in bodies]
        if not all(isinstance(p, int) and not isinstance(p, bool) for p in pids) or len(set(pids)) != len(pids):
            raise unprocessable("JSON data is missing or invalid", {"id": "Each item needs a distinct integer id."})
        pairs = [(self.stored(pid), body) for pid, body in bodies]
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
            self.s.custom_fields.write_from_product(product["id"], body.get("custom_fields", []))
            self.s.bulk_pricing_rules.write_from_product(product["id"], body.get("bulk_pricing_rules", []))
            self.s.images.write_from_product(product["id"], body.get("images", []))
            out.append(product)
        return out

    def delete(self, pid: int) -> None:
        self.stored(pid)
        self._drop(pid)

    def _drop(self, pid: int) -> None:
        self.s.remove(KIND, pid)
        self.s.variants.drop_product(pid)
        for option in self.s.children("option", [pid]):
            self.s.remove("option", option["id"])
        self.s.custom_fields.drop_product(pid)
        self.s.bulk_pricing_rules.drop_product(pid)
        self.s.images.drop_product(pid)
        self.s.unlink("product_channel", [pid])
        self.s.price_records.drop_product(pid)
        self.s.customer_groups.forget_product(pid)

    # ---- sub-resource support ---------------------------------------------------------

    def touch(self, pid: int) -> None:
        """A write to a variant, option or custom field counts as a write to its
        product: ``date_modified`` moves (not stated, FACTS §13 – our choice)."""
        product = self.stored(pid)
        product["date_modified"] = self.s.stamp(product["date_modified"])
        self.s.save(KIND, pid, product)

    def set_fields(self, pid: int, fields: dict[str, Any]) -> None:
        """Write product fields on behalf of a sub-resource (base variant, options)."""
        self.s.save(KIND, pid, {**self.stored(pid), **fields})

    def base_variant_of(self, pid: int) -> int:
        product = self.stored(pid)
        return product.get("_base_variant_id") or product["base_variant_id"]

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

    def seed_all(self, items: list[dict]) -> None:
        for item in items:
            self.seed(item)

    def dump(self) -> dict[str, list[dict]]:
        """Products by id with every writable field; brand by name, categories by path,
        channels, custom fields, option variants and base-variant overrides (refs.py);
        and what a sub-resource model adds with ``dump_into_products(pids)`` ->
        (field, {pid: value}), left out when empty (seeding takes it back in the body)."""
        refs = Refs(self.s)
        products = self.s.all(KIND)
        pids = [p["id"] for p in products]
        variants = self.s.variants.of_products(products)
        fields = self.s.custom_fields.of_products(pids)
        channels: dict[int, list[int]] = {pid: [] for pid in pids}
        for pid, cid in self.s.links("product_channel", pids):
            channels[pid].append(cid)
        brands = {b["id"]: b["name"] for b in self.s.all("brand")}
        out = [self._dump_one(p, refs, brands, channels[p["id"]], fields[p["id"]], variants[p["id"]])
               for p in products]
        for model in self.s.models:  # sub-resources that dump themselves into their product
            if hasattr(model, "dump_into_products"):
                field, values = model.dump_into_products(pids)
                for item, pid in zip(out, pids):
                    if values.get(pid):
                        item[field] = values[pid]
        return {"products": out}

    @staticmethod
    def _dump_one(product: dict, refs: Refs, brands: dict[int, str], channels: list[int], fields: list[dict],
                  variants: list[dict]) -> dict[str, Any]:
        item = {k: v for k, v in public(product).items() if k not in PRODUCT_READ_ONLY}
        brand_id = item.pop("brand_id")
        if brand_id in brands:
            item["brand"] = brands[brand_id]
        elif brand_id:
            item["brand_id"] = brand_id
        item["categories"] = [refs.category(c) for c in item["categories"]]
        item["channels"] = channels
        names = [f["name"] for f in fields]
        item["custom_fields"] = ({f["name"]: f["value"] for f in fields} if len(set(names)) == len(names)
                                 else [{"name": f["name"], "value": f["value"]} for f in fields])
        option_variants = [v for v in variants if v["option_values"]]
        if option_variants:
            item["variants"] = [dump_variant(v) for v in option_variants]
        base = [v for v in variants if not v["option_values"]]
        overrides = dump_overrides(base[0]) if base and not option_variants else {}
        if overrides:
            item["base_variant"] = overrides
        return item

    def seed(self, item: dict) -> dict:
        item = dict(item)
        channels = item.pop("channels", [1])
        overrides = item.pop("base_variant", {})
        if "brand" in item:
            brand = self.s.brands.by_name(item.pop("brand"))
            if brand is None:
                raise ValueError(f"seed product {item.get('sku') or item.get('name')!r}: unknown brand")
            item["brand_id"] = brand["id"]
        item["categories"] = [c if isinstance(c, int) else self._seed_category(c)
                              for c in item.get("categories", [])]
        if isinstance(item.get("custom_fields"), dict):
            item["custom_fields"] = [{"name": k, "value": v} for k, v in item["custom_fields"].items()]
        if "variants" in item:
            item["variants"] = [_seed_variant(v) for v in item["variants"]]
        try:
            product = self.create(item, validate=False)
        except SandboxError as exc:
            raise ValueError(f"seed product {item.get('sku') or item.get('name')!r}: {exc.title}: "
                             f"{exc.errors}") from None
        self.s.unlink("product_channel", [product["id"]])
        for cid in channels:
            self.s.link("product_channel", product["id"], cid)
        if overrides and product["base_variant_id"]:
            base = self.s.get("variant", product["base_variant_id"])
            self.s.save("variant", base["id"], {**base, **overrides})
        return product

    def _seed_category(self, path: str) -> int:
        cat = self.s.categories.find_path(path)
        if cat is None:
            raise ValueError(f"seed product: unknown category path {path!r}")
        return cat["category_id"]


def _seed_variant(item: dict) -> dict:
    """Seed form ``{"sku", "options": {"Width": "2.5mm"}, ...}`` → the POST form."""
    item = dict(item)
    options = item.pop("options", {})
    item["option_values"] = [{"option_display_name": k, "label": v} for k, v in options.items()]
    return item
