"""Variants (V ``/v3/catalog/products/{id}/variants``, ``/v3/catalog/variants``), FACTS §6.

Two sorts of variant share one id sequence and the kind "variant":

* the **base variant** every product gets at creation (d:catalog: a simple product "is
  its own variant"). It stores only its identity and the overrides written to it; its
  ``sku``, ``upc``, ``mpn``, ``gtin``, inventory, ``bin_picking_number`` and
  ``is_free_shipping`` are its product's (writes to them go to the product), and it
  has no SKU of its own in the SKU namespace. ``sku_id`` null, ``option_values`` [].
* **option variants**, one per combination of option values (``option_values`` stored
  as ``[{id, option_id}]``; labels and display names are rendered from the options, so
  renaming a value shows on every variant at once).

Price, sale/retail/cost/map price, weight, dimensions and ``fixed_cost_shipping_price``
are nullable overrides: null means "use the product's value" (V). ``calculated_price``
is the effective sale price if non-zero, else the effective price (as for products);
``calculated_weight`` the effective weight.

Choices where V is silent:

* **Base variant of a complex product.** What happens to it when options are added is
  not stated (FACTS §5.8). Ours: it is kept but leaves every list while the product has
  options – filed under the kind "base_variant" – so ``include=variants``,
  ``…/{id}/variants`` and ``/v3/catalog/variants`` show option variants only, and
  ``base_variant_id`` is null (P: "null for complex products"). Deleting the last option
  brings it back unchanged. A simple product's base variant is listed everywhere,
  ``/v3/catalog/variants`` included; V's ``sku`` filter matches variant SKUs only
  (SkuParam: "To filter by product / base variant SKU, see Get all products"), so a
  base variant never matches ``sku``/``sku:in``.
* A base variant cannot be deleted (422): delete the product instead. Deleting a
  variant deletes its price records on every list.
* Duplicate SKU → 409 (V declares none; P's product 409 wording). Over 600 option
  variants ("600 SKUs per product") → 422 (status not stated).
* Option values that are not the product's, that miss an option or name one twice, or
  a combination that already has a variant → 422.
* A write to a variant moves its product's ``date_modified`` (not stated, FACTS §13; so
  that an incremental sync on ``date_modified:min`` sees variant changes).
* ``PUT /v3/catalog/variants`` checks every item before writing any. Schema problems
  and unknown ids answer 422 ``{"batch_errors": [...]}``, one entry per refused item
  with ``instance`` = ``#/<index>`` (a JSON Pointer to the item in the request array; V
  shows no example); then SKU clashes answer 409. Nothing is written on either.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Response

from ..core.errors import ERROR_TYPE, BatchError, SandboxError, not_found, unprocessable
from ..core.partial import MESSAGE, Batch, copy_headers, label, ok
from ..core.query import Query, build_filters, page_meta, select, shape
from ..core.responses import json_response
from ..core.storage import Key
from ..core.validation import check, expect_array
from . import unique
from .options import check_variant_matrix
from .schemas import VARIANT_BATCH, VARIANT_POST, VARIANT_POST_REQUIRED, VARIANT_PUT, VARIANT_READ_ONLY

if TYPE_CHECKING:
    from ..core.storage import Storage

KIND = "variant"
HIDDEN = "base_variant"  # a complex product's base variant, out of every list
MAX_SKUS = 600           # V createProductVariant: "600 SKUs per product limit"
MAX_BATCH = 50           # V updateVariantsBatch: "Currently the limit is 50 variants"
OVERRIDES = ("cost_price", "price", "sale_price", "retail_price", "map_price", "weight",
             "width", "height", "depth", "fixed_cost_shipping_price")
MIRRORED = {"sku": None, "upc": "", "mpn": "", "gtin": "", "inventory_level": 0,
            "inventory_warning_level": 0, "bin_picking_number": "", "is_free_shipping": False}
OWN = {"purchasing_disabled": False, "purchasing_disabled_message": "", "image_url": ""}
# Field order of V getProductVariants' example.
ORDER = ("id", "product_id", "sku", "sku_id", "price", "calculated_price", "sale_price",
         "retail_price", "map_price", "weight", "calculated_weight", "width", "height", "depth",
         "is_free_shipping", "fixed_cost_shipping_price", "purchasing_disabled",
         "purchasing_disabled_message", "image_url", "cost_price", "upc", "mpn", "gtin",
         "inventory_level", "inventory_warning_level", "bin_picking_number", "option_values")
FILTERS = {"id": ("id", "int"), "id:in": ("id", "int"), "sku": ("_sku", "istr"),
           "sku:in": ("_sku", "istr"), "product_id:in": ("product_id", "int"), "upc": ("upc", "str")}
LIST_PARAMS = ("page", "limit", "include_fields", "exclude_fields", *FILTERS)
PRODUCT_LIST_PARAMS = ("page", "limit", "include_fields", "exclude_fields")
ITEM_PARAMS = ("include_fields", "exclude_fields")
_LIST_ONLY = ("page", "limit", "include_fields", "exclude_fields")


def base_variant(vid: int, pid: int) -> dict[str, Any]:
    return {"id": vid, "product_id": pid, "sku_id": None, "option_values": []}


def value_index(options: list[dict]) -> dict[int, tuple[int, str, str]]:
    """option value id -> (option id, option display name, label)."""
    return {v["id"]: (o["id"], o["display_name"], v["label"])
            for o in options for v in o["option_values"]}


def render_variant(variant: dict, product: dict, values: dict[int, tuple[int, str, str]]) -> dict[str, Any]:
    def effective(key: str) -> Any:
        own = variant.get(key)
        return product[key] if own is None else own

    sale, price = effective("sale_price"), effective("price")
    out: dict[str, Any] = {"id": variant["id"], "product_id": variant["product_id"],
                           "sku_id": variant.get("sku_id"),
                           "calculated_price": sale if sale else price,
                           "calculated_weight": effective("weight")}
    for key in MIRRORED:
        out[key] = variant[key] if key in variant else product[key]
    for key in OVERRIDES:
        out[key] = variant.get(key)
    for key, default in OWN.items():
        out[key] = variant.get(key, default)
    out["option_values"] = []
    for ov in variant["option_values"]:
        oid, name, label = values.get(ov["id"], (ov["option_id"], "", ""))
        out["option_values"].append({"id": ov["id"], "label": label, "option_id": oid,
                                     "option_display_name": name})
    return {k: out[k] for k in ORDER}


def check_bundle(variants: list[dict]) -> None:
    """422 for a product POST's ``variants[]`` that cannot be built (FACTS §5.8)."""
    if len(variants) > MAX_SKUS:
        raise unprocessable("Too many variants", {
            "variants": f"A product has at most {MAX_SKUS} SKUs; {len(variants)} were sent."})
    check_variant_matrix(variants)


def _item_error(index: int, exc: SandboxError) -> SandboxError:
    return SandboxError(422, exc.title, exc.errors or {}, instance=f"#/{index}")


def _partial_answer(inner, body, items, kept, failed, request) -> Response:
    """A partial batch of variants: V declares no 207, so the non-strict 422."""
    if inner is not None and inner.status_code == 422 and body and "batch_errors" in body:
        for entry in body["batch_errors"]:  # "#/<j>" of the kept items -> the request's index
            j = int(str(entry.get("instance", "#/0")).rsplit("/", 1)[-1])
            entry["instance"] = f"#/{kept[j]}"
        return copy_headers(json_response(body, 422), inner)
    if not ok(inner):
        return inner
    return json_response({"batch_errors": [
        {"status": 422, "title": "Variant was not updated", "type": ERROR_TYPE, "instance": f"#/{i}",
         "errors": {"id": MESSAGE.format(what=f"Variant {label(items[i], 'id')}", verb="updated")}}
        for i in failed]}, 422)


def dump_overrides(variant: dict) -> dict[str, Any]:
    """A base variant's overrides in the SEED FORMAT (nulls and defaults left out)."""
    out = {k: variant[k] for k in OVERRIDES if variant[k] is not None}
    out.update({k: variant[k] for k, default in OWN.items() if variant[k] != default})
    return out


def dump_variant(variant: dict) -> dict[str, Any]:
    """An option variant in the SEED FORMAT: its SKU, options by name, its own values."""
    item: dict[str, Any] = {"sku": variant["sku"],
                            "options": {ov["option_display_name"]: ov["label"] for ov in variant["option_values"]}}
    item.update({k: variant[k] for k in OVERRIDES if variant[k] is not None})
    item.update({k: variant[k] for k in (*OWN, *MIRRORED) if k != "sku"})
    return item


class Variants:
    KEYS = (Key("product_id", ("product_id",), role="parent"), Key("sku", ("sku",), folded=True))
    FIRST_IDS = {KIND: 301, "sku": 1}
    BATCHES = {("PUT", "/v3/catalog/variants"): Batch(_partial_answer, MAX_BATCH)}

    def __init__(self, state: Storage) -> None:
        self.s = state
        # A variant shows its product's values where it has none, and its options' labels.
        state.keep_views(KIND, self.render_all, depends_on={"product": "id", "option": "product_id"})

    # ---- reads ----------------------------------------------------------------------

    def option_variants(self, pid: int) -> list[dict]:
        return [v for v in self.s.children(KIND, [pid]) if v["option_values"]]

    def _stored(self, pid: int, vid: int) -> dict:
        variant = self.s.get(KIND, vid)
        if variant is None or variant["product_id"] != pid:
            raise not_found("Variant", vid)
        return variant

    def render_all(self, variants: list[dict], products: dict[int, dict] | None = None) -> list[dict]:
        """Render variants with their products and options loaded in two queries."""
        pids = {v["product_id"] for v in variants}
        if products is None:
            products = self.s.get_many("product", pids)
        with_options = {v["product_id"] for v in variants if v["option_values"]}
        values = value_index(self.s.children("option", with_options)) if with_options else {}
        return [render_variant(v, products[v["product_id"]], values) for v in variants]

    def of_products(self, products: list[dict]) -> dict[int, list[dict]]:
        """product id -> rendered variants, for ``include=variants`` on a page."""
        by_id = {p["id"]: p for p in products}
        out: dict[int, list[dict]] = {pid: [] for pid in by_id}
        variants = self.s.children(KIND, by_id)
        for rendered in self.render_all(variants, by_id):
            out[rendered["product_id"]].append(rendered)
        return out

    def get(self, pid: int, vid: int, q: Query) -> dict:
        self.s.products.stored(pid)
        return shape(self.render_all([self._stored(pid, vid)])[0], q)

    def list_for_product(self, pid: int, q: Query) -> tuple[list[dict], dict]:
        product = self.s.products.stored(pid)
        page, limit = q.page_limit()
        variants = self.s.children(KIND, [pid])
        chunk = variants[(page - 1) * limit: page * limit]
        rendered = [shape(v, q) for v in self.render_all(chunk, {pid: product})]
        return rendered, page_meta(len(variants), len(chunk), page, limit)

    def list_all(self, q: Query) -> tuple[list[dict], dict]:
        page, limit = q.page_limit()
        if not any(q.has(f) for f in FILTERS):
            # The common case (read every variant, 250 a page) reads only one page.
            total = self.s.count(KIND)
            chunk = self.s.page(KIND, (page - 1) * limit, limit)
            return [shape(v, q) for v in self.render_all(chunk)], page_meta(total, len(chunk), page, limit)
        matched = select(self._candidates(q), build_filters(q, FILTERS))
        chunk = matched[(page - 1) * limit: page * limit]
        for v in chunk:
            del v["_sku"]
        return [shape(v, q) for v in chunk], page_meta(len(matched), len(chunk), page, limit)

    def _candidates(self, q: Query) -> list[dict]:
        """Rendered variants narrowed by an indexed filter first, then the rest in Python."""
        ids = q.ints("id:in") or ([q.int("id")] if q.has("id") else None)
        if ids is not None:
            variants = sorted(self.s.get_many(KIND, ids).values(), key=lambda v: v["id"])
        elif q.has("product_id:in"):
            variants = self.s.children(KIND, q.ints("product_id:in") or [])
        elif q.has("sku") or q.has("sku:in"):
            skus = q.strs("sku:in") or [q.str("sku") or ""]
            found = {oid for sku in skus for kind, oid in self.s.lookup((KIND,), "sku", sku)}
            variants = sorted(self.s.get_many(KIND, found).values(), key=lambda v: v["id"])
        else:
            variants = self.s.all(KIND)
        rendered = self.render_all(variants)
        for variant, out in zip(variants, rendered):
            out["_sku"] = variant.get("sku")  # the variant's own SKU; None for a base variant
        return rendered

    # ---- writes ---------------------------------------------------------------------

    def _resolve(self, pid: int, items: list[dict]) -> list[dict]:
        """``option_values`` [{id, option_id}] → stored pairs; 422 unless they name
        exactly one value of each of the product's options."""
        options = {o["id"]: o for o in self.s.options.of_product(pid)}
        if not options:
            raise unprocessable("The product has no variant options", {
                "option_values": f"Product {pid} has no variant options; create them first "
                                 f"(POST /v3/catalog/products/{pid}/options)."})
        seen: set[int] = set()
        for i, item in enumerate(items):
            option = options.get(item["option_id"])
            value = next((v for v in option["option_values"] if v["id"] == item["id"]), None) if option else None
            if value is None:
                raise unprocessable("Invalid option values", {
                    f"option_values.{i}": f"Option value {item['id']} of option {item['option_id']} "
                                          f"does not belong to product {pid}."})
            if (item.get("option_display_name", option["display_name"]) != option["display_name"]
                    or item.get("label", value["label"]) != value["label"]):
                raise unprocessable("Invalid option values", {
                    f"option_values.{i}": f"Option value {value['id']} is '{option['display_name']}: "
                                          f"{value['label']}'."})
            if option["id"] in seen:
                raise unprocessable("Invalid option values", {
                    f"option_values.{i}": f"Option '{option['display_name']}' has more than one value."})
            seen.add(option["id"])
        missing = [o["display_name"] for oid, o in options.items() if oid not in seen]
        if missing:
            raise unprocessable("Invalid option values", {
                "option_values": f"A variant needs a value for every option of the product; missing: "
                                 f"{', '.join(missing)}."})
        return [{"id": item["id"], "option_id": item["option_id"]} for item in items]

    def _check_new(self, pid: int, pairs: list[dict]) -> None:
        existing = self.option_variants(pid)
        combo = {p["id"] for p in pairs}
        for other in existing:
            if {p["id"] for p in other["option_values"]} == combo:
                raise unprocessable("Duplicate variant", {
                    "option_values": f"Variant {other['id']} already has these option values."})
        if len(existing) >= MAX_SKUS:
            raise unprocessable("Too many variants", {
                "sku": f"A product has at most {MAX_SKUS} SKUs; product {pid} has {len(existing)}."})

    def build(self, pid: int, body: dict, pairs: list[dict]) -> dict:
        """A new option variant (unsaved) from a validated body; its option values are
        kept in option order, whatever order the request named them in."""
        variant: dict[str, Any] = {"id": self.s.next_id(KIND), "product_id": pid,
                                   "sku_id": self.s.next_id("sku"),
                                   "option_values": sorted(pairs, key=lambda p: p["option_id"])}
        for key, default in {**MIRRORED, **OWN}.items():
            variant[key] = body.get(key, default)
        for key in OVERRIDES:
            variant[key] = body.get(key)
        return variant

    def create(self, pid: int, raw: Any) -> dict:
        body = check(raw, VARIANT_POST, required=VARIANT_POST_REQUIRED, read_only=VARIANT_READ_ONLY)
        self.s.products.stored(pid)
        self._check_product_id(pid, body)
        pairs = self._resolve(pid, body["option_values"])
        self._check_new(pid, pairs)
        unique.check(self.s, "sku", {(KIND, 0): body["sku"]})
        variant = self.build(pid, body, pairs)
        self.s.save(KIND, variant["id"], variant)
        self.s.products.touch(pid)
        return self.render_all([variant])[0]

    def create_bundle(self, pid: int, items: list[dict]) -> None:
        """The variants of a product POST (checked by ``check_bundle``): their options
        and values first, then one variant per item."""
        ids = self.s.options.ensure_for_variants(pid, items)
        for item in items:
            pairs = [{"id": ids[key][1], "option_id": ids[key][0]}
                     for key in ((ov["option_display_name"].casefold(), ov["label"].casefold())
                                 for ov in item["option_values"])]
            variant = self.build(pid, {k: v for k, v in item.items() if k != "option_values"}, pairs)
            self.s.save(KIND, variant["id"], variant)

    @staticmethod
    def _check_product_id(pid: int, body: dict) -> None:
        if body.get("product_id", pid) != pid:
            raise unprocessable("JSON data is missing or invalid", {
                "product_id": f"product_id must be {pid}, the product in the URL; variants do not move."})

    def update(self, pid: int, vid: int, raw: Any) -> dict:
        body = check(raw, VARIANT_PUT, read_only=VARIANT_READ_ONLY)  # option_values: not writable
        self.s.products.stored(pid)
        variant = self._stored(pid, vid)
        self._check_product_id(pid, body)
        self._check_skus([(variant, body)])
        return self._commit([(variant, body)])[0]

    def update_many(self, raw: Any) -> list[dict]:
        items = expect_array(raw, "variants")
        if len(items) > MAX_BATCH:
            # ⚠ Body from V updateVariantsBatch's 413 example, which (unlike P's) has no
            # final full stop; the spec's text is used as is.
            raise SandboxError(413, "The request payload is too large. The maximum items allowed "
                               f"in the array is {MAX_BATCH}", {})
        pairs, errors, seen = [], [], set()
        for i, item in enumerate(items):
            try:
                body = check(item, VARIANT_BATCH, required=("id",),
                             read_only=("sku_id", "calculated_price", "calculated_weight"))
                if body["id"] in seen:
                    raise unprocessable("JSON data is missing or invalid", {"id": f"Variant {body['id']} is listed twice."})
                seen.add(body["id"])
                variant = self.s.get(KIND, body.pop("id"))
                if variant is None:
                    raise unprocessable("Variant not found", {"id": f"Variant {item['id']} does not exist."})
                pairs.append((variant, body))
            except SandboxError as exc:
                errors.append(_item_error(i, exc))
        if errors:
            raise BatchError(errors)
        self._check_skus(pairs)
        return self._commit(pairs)

    def _check_skus(self, pairs: list[tuple[dict, dict]]) -> None:
        proposed: dict[tuple[str, int], str | None] = {}
        for variant, body in pairs:
            if "sku" in body:
                owner = (KIND, variant["id"]) if variant["option_values"] else ("product", variant["product_id"])
                proposed[owner] = body["sku"]
        if proposed:
            unique.check(self.s, "sku", proposed)

    def _commit(self, pairs: list[tuple[dict, dict]]) -> list[dict]:
        touched: dict[int, dict] = {}
        out = []
        for variant, body in pairs:
            body = {k: v for k, v in body.items() if k != "product_id"}
            if not variant["option_values"]:
                # A base variant: its product-level fields are the product's.
                mirrored = {k: MIRRORED[k] if v is None else v for k, v in body.items() if k in MIRRORED}
                if mirrored:
                    self.s.products.set_fields(variant["product_id"], mirrored)
                body = {k: v for k, v in body.items() if k not in MIRRORED}
            variant = {**variant, **body}
            self.s.save(KIND, variant["id"], variant)
            out.append(variant)
            touched[variant["product_id"]] = variant
        for pid in touched:
            self.s.products.touch(pid)
        return self.render_all(out)

    def delete(self, pid: int, vid: int) -> None:
        self.s.products.stored(pid)
        variant = self._stored(pid, vid)
        if not variant["option_values"]:
            raise unprocessable("A base variant cannot be deleted", {
                "id": f"Variant {vid} is the base variant of product {pid}; delete the product instead."})
        self.s.remove(KIND, vid)
        self.s.price_records.drop_product(pid, vid)
        self.s.products.touch(pid)

    # ---- base variants --------------------------------------------------------------

    def hide_base(self, pid: int) -> None:
        if self.s.products.stored(pid)["base_variant_id"] is None:
            return  # hidden already: a product POSTed with variants is complex from the start
        vid = self.s.products.base_variant_of(pid)
        self.s.move(KIND, vid, HIDDEN)
        self.s.products.set_fields(pid, {"_base_variant_id": vid, "base_variant_id": None})

    def unhide_base(self, pid: int) -> None:
        vid = self.s.products.base_variant_of(pid)
        self.s.move(HIDDEN, vid, KIND)
        self.s.products.set_fields(pid, {"base_variant_id": vid})

    def drop_product(self, pid: int) -> None:
        for kind in (KIND, HIDDEN):
            for variant in self.s.children(kind, [pid]):
                self.s.remove(kind, variant["id"])
