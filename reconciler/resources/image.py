"""image: a product's picture, by its address, keyed "<product sku>/<image_url>".

YAML: ``images: [{image_url: https://cdn.gtse.co.uk/p/ct-blk100.jpg, description: Black
cable ties, is_thumbnail: true, sort_order: 0}]`` inside a product. Read with the product
(include=images); written through the product's images endpoint, one image a request
(P createProductImage / updateProductImage / deleteProductImage: the API has no batch
endpoint for images), or inside a new product's POST (P product_Base_POST ``images``).
The store keeps the URL it is given; a different URL is a different image (delete +
create). Writing ``images`` makes the product own the list: images not listed are deleted.

The store's thumbnail rules (P createProductImage, d:catalog "Adding product images"):
one thumbnail a product (an image made the thumbnail takes the flag from the others) and
a product's only image is its thumbnail. So two thumbnails in one product, or a sole image
written ``is_thumbnail: false``, could never converge: both are diagnostics (``checks``).
Creates on an existing product go one after another, a thumbnail last; an image the
store made the thumbnail only because it came first is then set back as planned.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from reconciler.core.live import LiveObject
from reconciler.core.writing import rows_of
from reconciler.resources.base import ResourceKind
from reconciler.resources.checks import error, items
from reconciler.resources.children import all_of_parent, child
from reconciler.resources.registry import register

FIELDS = ("image_url", "description", "is_thumbnail", "sort_order")


def key_for(sku: str, url: str) -> str:
    return f"{sku}/{url}"


def from_parent(product, settings) -> list:
    return [child("image", key_for(product.key, item["image_url"]), product, f"images.{i}", dict(item))
            for i, item in items(product, "images") if isinstance(item.get("image_url"), str)]


def from_live(obj: dict[str, Any], refs) -> dict[str, Any]:
    return {f: obj[f] for f in FIELDS if f in obj}


def live_from_parent(row: dict[str, Any], sku: str, refs, settings) -> list[LiveObject]:
    return [LiveObject("image", key_for(sku, image["image_url"]), image["id"], from_live(image, refs),
                       parent=sku, extra={"product_id": row["id"]})
            for image in row.get("images") or []]


def to_payload(fields: dict[str, Any], refs, parent: str | None = None) -> dict[str, Any]:
    # P productImage_Post_Put: image_url on create (the key, always in a create's fields);
    # an update sends what changed.
    return {f: fields[f] for f in FIELDS if f in fields}


# -- writers --------------------------------------------------------------------------


def create(ctx, batch: list) -> None:
    """The images of each product one after another (products side by side): the store
    makes a product's first image its thumbnail, so the order decides the result."""
    by_product: dict[Any, list] = defaultdict(list)
    for change, body in ctx.payloads(batch):
        by_product[ctx.parent_key(change)].append((change, body))
    ctx.client.map(lambda ready: _create_in_product(ctx, ready), list(by_product.values()))


def _create_in_product(ctx, ready: list) -> None:
    """A thumbnail last (it takes the flag from the others); then an image the store made
    the thumbnail against the plan (it was the product's only one) is set back."""
    ready.sort(key=lambda item: item[1].get("is_thumbnail") is True)
    forced: list = []
    for item in ready:
        ctx.send([item], lambda bodies, c=item[0]: ctx.client.post(ctx.path(c), bodies[0]),
                 lambda r, resp: _created(ctx, r, resp, forced), recover=True)
    for change, new_id in forced:
        body = {"is_thumbnail": False}
        ctx.send([(change, body)], lambda _, c=change, i=new_id: ctx.client.put(ctx.path(c, i), body),
                 lambda r, resp, i=new_id: _unforced(ctx, r[0][0], resp, i))


def _created(ctx, ready: list, resp, forced: list) -> None:
    change, body = ready[0]
    row = (rows_of(resp) or [{}])[0]
    if body.get("is_thumbnail") is False and row.get("is_thumbnail") is True and "id" in row:
        ctx.ids.add(ctx.kind.name, change.key, row["id"])
        forced.append((change, row["id"]))
        return
    ctx.created(ready, resp)


def _unforced(ctx, change, resp, new_id: int) -> None:
    row = (rows_of(resp) or [{}])[0]
    ok = row.get("is_thumbnail") is False
    ctx.done(change, ok, "" if ok else "the store keeps a product's only image as its thumbnail", new_id)


# -- desired checks -------------------------------------------------------------------


def checks(products: list, checking) -> list:
    """Per product: one image per URL, at most one thumbnail, and no sole image written
    ``is_thumbnail: false`` (the store makes it the thumbnail: the plan would never settle)."""
    out = []
    for product in products:
        images = list(items(product, "images"))
        at = lambda i, f, p=product: p.source_of(f"images.{i}.{f}")   # noqa: E731
        label = f"product '{product.key}'"
        out += _duplicates(label, images, at)
        thumbs = [i for i, item in images if item.get("is_thumbnail") is True]
        for i in thumbs[1:]:
            out.append(error(f"{label}: images.{i}: a product has one thumbnail; images.{thumbs[0]} "
                             "is already is_thumbnail: true", at(i, "is_thumbnail")))
        if len(images) == 1 and images[0][1].get("is_thumbnail") is False:
            out.append(error(f"{label}: images.0: a product's only image is always its thumbnail "
                             "(remove is_thumbnail: false, or add another image)", at(0, "is_thumbnail")))
    return out


def _duplicates(label: str, images: list, at) -> list:
    seen: dict[str, int] = {}
    out = []
    for i, item in images:
        url = item.get("image_url")
        if isinstance(url, str) and seen.setdefault(url.casefold(), i) != i:
            out.append(error(f"{label}: images.{i}: image_url is also images.{seen[url.casefold()]}'s",
                             at(i, "image_url")))
    return out


IMAGE = register(ResourceKind(
    name="image",
    plural="images",
    schema="product.schema.json",
    key="image_url",
    endpoint="/v3/catalog/products/{parent_id}/images",
    depends_on=("product",),
    # No batch endpoint (P …/products/{id}/images takes one image a request): every
    # batch size is None, one image a POST, PUT and DELETE.
    create_batch_size=None,
    update_batch_size=None,
    delete_batch_size=None,
    replace_fields=frozenset({"image_url"}),   # another URL is another image
    meta_fields=frozenset({"acknowledge"}),    # tombstones (delete: true) are for top-level objects
    parent="product",
    owner_field="images",
    created_with_parent=True,
    bundle_field="images",
    bundle=lambda after: {f: after[f] for f in FIELDS if f in after},
    from_parent=from_parent,
    live_from_parent=live_from_parent,
    read_include="images",
    find_rows=all_of_parent,
    match_field="image_url",
    from_live=from_live,
    to_payload=to_payload,
    create_writer=create,
    import_fields=FIELDS,
    # The store's values for what nobody set: not written by catalog import.
    import_unset={"description": "", "is_thumbnail": False, "sort_order": 0},
    import_sort=lambda obj: (obj.fields.get("sort_order") or 0, obj.id),   # as the product page shows them
    fields_first=("description",),
    checks=checks,
))
