"""Catalog request handlers: parse the request, call the model, shape the answer
(moto's responses.py). Each handler takes a ``Ctx`` plus the path arguments and returns
a werkzeug Response; errors are raised as ``SandboxError`` and serialised by the app in
the route's style.
"""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Response

from ..core import views
from ..core.errors import SandboxError, unprocessable
from ..core.query import PAGING, SHAPING, Query, paginate, shape
from ..core.responses import Ctx, collection, collection_json, json_response, no_content, single, single_json
from ..core.storage import public
from . import brands, bulk_pricing_rules, categories, custom_fields, images, products, variants


# ---- products -------------------------------------------------------------------------

def list_products(ctx: Ctx) -> Response:
    q = ctx.query(products.LIST_PARAMS)
    page, meta = ctx.state.products.list_page(q)
    return collection_json(ctx.state.products.render_json(page, q), meta)


def create_product(ctx: Ctx) -> Response:
    q = ctx.query(("include_fields",))
    product = ctx.state.products.create(ctx.body())
    # The answer carries the sub-resources written with the product, as if
    # include=custom_fields,variants were given (createProduct's example shows
    # custom_fields; the variants made from the body's variants[] are the point of it).
    with_subs = Query({**q.args, "include": "custom_fields,variants"}, ("include", "include_fields"))
    return single_json(ctx.state.products.render_json([product["id"]], with_subs)[0])


def update_products(ctx: Ctx) -> Response:
    q = ctx.query(("include_fields",))
    done = ctx.state.products.update_many(ctx.body())
    # ⚠ updateProducts' 200 example is one bare object; its schema (followed) is an array.
    return single_json(views.array(ctx.state.products.render_json([p["id"] for p in done], q)))


def delete_products(ctx: Ctx) -> Response:
    ctx.state.products.delete_where(ctx.query(products.DELETE_PARAMS))
    return no_content()


def get_product(ctx: Ctx, id: int) -> Response:
    q = ctx.query(products.ITEM_PARAMS)
    return single_json(ctx.state.products.render_json([ctx.state.products.stored(id)["id"]], q)[0])


def update_product(ctx: Ctx, id: int) -> Response:
    q = ctx.query(("include", "include_fields"))
    return single_json(ctx.state.products.render_json([ctx.state.products.update(id, ctx.body())["id"]], q)[0])


def delete_product(ctx: Ctx, id: int) -> Response:
    ctx.query(())
    ctx.state.products.delete(id)
    return no_content()


# ---- variant options and values ---------------------------------------------------------

def list_options(ctx: Ctx, id: int) -> Response:
    q = ctx.query((*PAGING, *SHAPING))
    page, meta = paginate(ctx.state.options.list(id), q)
    return collection([shape(o, q) for o in page], meta)


def create_option(ctx: Ctx, id: int) -> Response:
    return single(ctx.state.options.create(id, ctx.body()))


def get_option(ctx: Ctx, id: int, option_id: int) -> Response:
    ctx.state.products.stored(id)
    return single(shape(ctx.state.options.get(id, option_id), ctx.query(SHAPING)))


def update_option(ctx: Ctx, id: int, option_id: int) -> Response:
    return single(ctx.state.options.update(id, option_id, ctx.body()))


def delete_option(ctx: Ctx, id: int, option_id: int) -> Response:
    ctx.state.products.stored(id)
    ctx.state.options.delete(id, option_id)
    return no_content()


def list_option_values(ctx: Ctx, id: int, option_id: int) -> Response:
    q = ctx.query((*PAGING, *SHAPING))
    ctx.state.products.stored(id)
    page, meta = paginate(ctx.state.options.get(id, option_id)["option_values"], q)
    return collection([shape(v, q) for v in page], meta)


def create_option_value(ctx: Ctx, id: int, option_id: int) -> Response:
    ctx.state.products.stored(id)
    return single(ctx.state.options.create_value(id, option_id, ctx.body()))


def get_option_value(ctx: Ctx, id: int, option_id: int, value_id: int) -> Response:
    ctx.state.products.stored(id)
    return single(shape(ctx.state.options.get_value(id, option_id, value_id), ctx.query(SHAPING)))


def update_option_value(ctx: Ctx, id: int, option_id: int, value_id: int) -> Response:
    ctx.state.products.stored(id)
    return single(ctx.state.options.update_value(id, option_id, value_id, ctx.body()))


def delete_option_value(ctx: Ctx, id: int, option_id: int, value_id: int) -> Response:
    ctx.state.products.stored(id)
    ctx.state.options.delete_value(id, option_id, value_id)
    return no_content()


# ---- variants ------------------------------------------------------------------------------

def list_product_variants(ctx: Ctx, id: int) -> Response:
    page, meta = ctx.state.variants.list_for_product(id, ctx.query(variants.PRODUCT_LIST_PARAMS))
    return collection(page, meta)


def create_variant(ctx: Ctx, id: int) -> Response:
    return single(ctx.state.variants.create(id, ctx.body()))


def get_variant(ctx: Ctx, id: int, variant_id: int) -> Response:
    return single(ctx.state.variants.get(id, variant_id, ctx.query(variants.ITEM_PARAMS)))


def update_variant(ctx: Ctx, id: int, variant_id: int) -> Response:
    return single(ctx.state.variants.update(id, variant_id, ctx.body()))


def delete_variant(ctx: Ctx, id: int, variant_id: int) -> Response:
    ctx.state.variants.delete(id, variant_id)
    return no_content()


def list_variants(ctx: Ctx) -> Response:
    page, meta = ctx.state.variants.list_all(ctx.query(variants.LIST_PARAMS))
    return collection(page, meta)


def update_variants(ctx: Ctx) -> Response:
    return json_response({"data": ctx.state.variants.update_many(ctx.body()), "meta": {}})


# ---- custom fields -------------------------------------------------------------------------

def list_custom_fields(ctx: Ctx, id: int) -> Response:
    q = ctx.query(custom_fields.LIST_PARAMS)
    page, meta = paginate(ctx.state.custom_fields.list(id), q)
    return collection([shape(f, q) for f in page], meta)


def create_custom_field(ctx: Ctx, id: int) -> Response:
    return single(ctx.state.custom_fields.create(id, ctx.body()))


def get_custom_field(ctx: Ctx, id: int, custom_field_id: int) -> Response:
    q = ctx.query(custom_fields.ITEM_PARAMS)
    return single(shape(ctx.state.custom_fields.get(id, custom_field_id), q))


def update_custom_field(ctx: Ctx, id: int, custom_field_id: int) -> Response:
    return single(ctx.state.custom_fields.update(id, custom_field_id, ctx.body()))


def delete_custom_field(ctx: Ctx, id: int, custom_field_id: int) -> Response:
    ctx.state.custom_fields.delete(id, custom_field_id)
    return no_content()


# ---- bulk pricing rules --------------------------------------------------------------------

def list_bulk_pricing_rules(ctx: Ctx, id: int) -> Response:
    q = ctx.query(bulk_pricing_rules.LIST_PARAMS)
    page, meta = paginate(ctx.state.bulk_pricing_rules.list(id), q)
    return collection([shape(rule, q) for rule in page], meta)


def create_bulk_pricing_rule(ctx: Ctx, id: int) -> Response:
    return single(ctx.state.bulk_pricing_rules.create(id, ctx.body()))


def get_bulk_pricing_rule(ctx: Ctx, id: int, rule_id: int) -> Response:
    q = ctx.query(bulk_pricing_rules.ITEM_PARAMS)
    return single(shape(ctx.state.bulk_pricing_rules.get(id, rule_id), q))


def update_bulk_pricing_rule(ctx: Ctx, id: int, rule_id: int) -> Response:
    return single(ctx.state.bulk_pricing_rules.update(id, rule_id, ctx.body()))


def delete_bulk_pricing_rule(ctx: Ctx, id: int, rule_id: int) -> Response:
    ctx.state.bulk_pricing_rules.delete(id, rule_id)
    return no_content()


# ---- images --------------------------------------------------------------------------------

def list_images(ctx: Ctx, id: int) -> Response:
    q = ctx.query(images.LIST_PARAMS)
    page, meta = paginate(ctx.state.images.list(id), q)
    return collection([shape(image, q) for image in page], meta)


def _image_body(ctx: Ctx) -> Any:
    """FACTS §1: an ``image_file`` upload (multipart) may be refused with 422; the sandbox
    takes images by ``image_url`` (JSON) only."""
    if ctx.request.mimetype == "multipart/form-data":
        raise unprocessable("The sandbox takes images by image_url only", {
            "image_file": "Send image_url in an application/json body; file uploads are not supported."})
    return ctx.body()


def create_image(ctx: Ctx, id: int) -> Response:
    return single(ctx.state.images.create(id, _image_body(ctx)))


def get_image(ctx: Ctx, id: int, image_id: int) -> Response:
    return single(shape(ctx.state.images.get(id, image_id), ctx.query(images.ITEM_PARAMS)))


def update_image(ctx: Ctx, id: int, image_id: int) -> Response:
    return single(ctx.state.images.update(id, image_id, _image_body(ctx)))


def delete_image(ctx: Ctx, id: int, image_id: int) -> Response:
    ctx.state.images.delete(id, image_id)
    return no_content()


# ---- brands ------------------------------------------------------------------------------

def list_brands(ctx: Ctx) -> Response:
    q = ctx.query(brands.LIST_PARAMS)
    page, meta = paginate(ctx.state.brands.list(q), q)
    return collection([shape(public(b), q) for b in page], meta)


def create_brand(ctx: Ctx) -> Response:
    return single(ctx.state.brands.create(ctx.body()))


def delete_brands(ctx: Ctx) -> Response:
    ctx.state.brands.delete_where(ctx.query(("name", "page_title")))
    return no_content()


def get_brand(ctx: Ctx, id: int) -> Response:
    q = ctx.query(brands.ITEM_PARAMS)
    return single(shape(ctx.state.brands.get(id), q))


def update_brand(ctx: Ctx, id: int) -> Response:
    return single(ctx.state.brands.update(id, ctx.body()))


def delete_brand(ctx: Ctx, id: int) -> Response:
    ctx.state.brands.delete(id)
    return no_content()


# ---- category trees -------------------------------------------------------------------------

def list_trees(ctx: Ctx) -> Response:
    q = ctx.query(categories.TREE_PARAMS)
    page, meta = paginate(ctx.state.categories.trees(q), q, link_order="limit")
    return collection(page, meta)


def upsert_trees(ctx: Ctx) -> Response:
    done = ctx.state.categories.upsert_trees(ctx.body())   # CT upsertCategoryTrees 200: {data, meta}
    return json_response({"data": done, "meta": {"total": len(done), "success": len(done), "failed": 0}})


def delete_trees(ctx: Ctx) -> Response:
    ctx.state.categories.delete_trees(ctx.query(("id:in",)))
    return no_content()   # CT deleteCategoryTrees 204


def list_categories(ctx: Ctx) -> Response:
    q = ctx.query(categories.LIST_PARAMS)
    page, meta = paginate(ctx.state.categories.list(q), q, link_order="limit")
    return collection([shape(c, q, id_field="category_id") for c in page], meta)


def create_categories(ctx: Ctx) -> Response:
    done, errors, meta = ctx.state.categories.create_many(ctx.body())
    if errors:  # CT createCategories 207: {data, errors: {status, title, type, errors}, meta}
        partial = SandboxError(207, "Some categories were not created.", errors).body()
        return json_response({"data": done, "errors": partial, "meta": meta}, 207)
    return json_response({"data": done, "meta": meta}, 201)


def update_categories(ctx: Ctx) -> Response:
    _, errors, meta = ctx.state.categories.update_many(ctx.body())
    if errors:  # CT updateCategories 207: {errors, meta}; its 200 carries only meta
        partial = SandboxError(207, "Some categories were not updated.", errors).body()
        return json_response({"errors": partial, "meta": meta}, 207)
    return json_response({"meta": meta})


def delete_categories(ctx: Ctx) -> Response:
    meta = ctx.state.categories.delete_where(ctx.query(categories.DELETE_FILTERS))
    return json_response({"meta": meta}, 202)  # CT deleteTreeCategories answers 202
