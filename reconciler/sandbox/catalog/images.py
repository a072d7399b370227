"""Product images (P ``…/products/{id}/images``), FACTS §5.1 and d:catalog "Adding
product images".

An image is added by ``image_url`` (``application/json``); the sandbox keeps the URL as
given and never fetches it. ``image_file`` uploads (``multipart/form-data``) are refused
with 422 (FACTS §1: "Sending multipart with image_url may give 422"; the sandbox takes
no files at all). The answer has P ``productImage_Full``'s fields: ``image_file`` and
the four ``url_*`` are derived from the URL, deterministically (the same URL on the same
image id gives the same values), in the shape of P's examples
(``a/521/towel__83011.jpg``, ``…/products/158/images/382/towel__83011.1280.1280.jpg?c=2``).

Rules (P createProductImage, d:catalog):

* ``image_url`` is required on POST, "a fully qualified URL path, including protocol"
  (http or https), at most 255 characters (P ``productImage_Post_Put``);
* "A product can have up to 1000 images": the next one is a 422;
* "A product can have only one thumbnail image at a time": an image written with
  ``is_thumbnail: true`` takes the flag from the others (two in one product body: 422);
  "If only one image is on the product, it becomes both the thumbnail and the main
  product image": a product's only image is its thumbnail;
* ``date_modified`` is the store's (refused in a body, as on products).

⚠ Not modelled: P's reordering of the other images' ``sort_order`` when an update gives
one "a lower priority" (the rule is not precise enough to copy); ``sort_order`` is kept as
sent. ⚠ An empty list answers 200 with ``data: []`` like every other list (P declares a
204 "There are not any images on this product").

In a product body (POST and PUT, P ``product_Base_POST/PUT`` ``images``) items with an
``id`` update that image, items without one add an image, images not sent are kept (as
for bulk pricing rules). Every write moves the product's ``date_modified``. In the SEED
FORMAT (and the dump) they are the product's ``images``: ``{image_url, description,
is_thumbnail, sort_order}``.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..core.errors import not_found, unprocessable
from ..core.storage import Key
from ..core.validation import check
from .schemas import IMAGE_BODY

if TYPE_CHECKING:
    from ..core.storage import Storage

KIND = "product_image"
MAX_IMAGES = 1000  # P createProductImage: "A product can have up to 1000 images"
WRITABLE = ("image_url", "description", "is_thumbnail", "sort_order")
LIST_PARAMS = ("page", "limit", "include_fields", "exclude_fields")
ITEM_PARAMS = ("include_fields", "exclude_fields")
_CDN = "https://cdn11.bigcommerce.com/s-sandbox"
_SIZES = {"url_zoom": "1280.1280", "url_standard": "560.850", "url_thumbnail": "330.500", "url_tiny": "66.100"}
_FIELDS = ("id", "product_id", "image_file", *_SIZES, "date_modified", "is_thumbnail", "sort_order",
           "description", "image_url")


def derived(pid: int, iid: int, url: str) -> dict[str, str]:
    """``image_file`` and the ``url_*`` of an image, from its URL alone (and ids)."""
    digest = int(hashlib.sha256(url.encode()).hexdigest()[:12], 16)
    name = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1] or "image.jpg"
    stem, dot, ext = name.rpartition(".")
    stem, ext = (stem, ext) if dot else (name, "jpg")
    out = {"image_file": f"{chr(97 + digest % 26)}/{digest % 1000:03d}/{stem}__{digest % 100000:05d}.{ext}"}
    for field, size in _SIZES.items():
        out[field] = f"{_CDN}/products/{pid}/images/{iid}/{stem}__{digest % 100000:05d}.{size}.{ext}?c=2"
    return out


def render(image: dict) -> dict[str, Any]:
    return {f: image[f] for f in _FIELDS}


def _url_errors(url: Any) -> dict[str, str]:
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        return {"image_url": "Must be a fully qualified URL path, including protocol (http or https)."}
    return {}


class Images:
    KEYS = (Key("product_id", ("product_id",), role="parent"),)
    FIRST_IDS = {KIND: 382}  # P getProductImages example: id 382

    def __init__(self, state: Storage) -> None:
        self.s = state
        state.keep_views(KIND, lambda images: [render(i) for i in images])

    def list(self, pid: int) -> list[dict]:
        self.s.products.stored(pid)
        return [render(i) for i in self.s.children(KIND, [pid])]

    def _stored(self, pid: int, iid: int) -> dict:
        self.s.products.stored(pid)
        image = self.s.get(KIND, iid)
        if image is None or image["product_id"] != pid:
            raise not_found("Product image", iid)
        return image

    def get(self, pid: int, iid: int) -> dict:
        return render(self._stored(pid, iid))

    def create(self, pid: int, raw: Any) -> dict:
        body = check(raw, IMAGE_BODY, required=("image_url",), read_only=("id", "date_modified", "image_file"))
        self.s.products.stored(pid)
        return self._write(pid, [self._own(pid, body)])[0]

    def update(self, pid: int, iid: int, raw: Any) -> dict:
        body = check(raw, IMAGE_BODY, read_only=("id", "date_modified", "image_file"))
        self._stored(pid, iid)
        return self._write(pid, [{**self._own(pid, body), "id": iid}])[0]

    def delete(self, pid: int, iid: int) -> None:
        self._stored(pid, iid)
        self.s.remove(KIND, iid)
        self._one_is_thumbnail(pid)
        self.s.products.touch(pid)

    @staticmethod
    def _own(pid: int, body: dict) -> dict:
        """The body without ``product_id``, which may only name the path's product."""
        body = dict(body)
        if body.pop("product_id", pid) != pid:
            raise unprocessable("JSON data is missing or invalid",
                                {"product_id": f"The image belongs to product {pid}."})
        return body

    def write_from_product(self, pid: int, images: list[dict]) -> None:
        """``images`` of a product POST/PUT (validated by the product schema)."""
        if sum(1 for i in images if i.get("is_thumbnail")) > 1:
            raise unprocessable("JSON data is missing or invalid",
                                {"images": "A product can have only one thumbnail image at a time."})
        if images:
            self._write(pid, images, touch=False)

    def _write(self, pid: int, items: list[dict], *, touch: bool = True) -> list[dict]:
        existing = {i["id"]: i for i in self.s.children(KIND, [pid])}
        written = [self._one(pid, item, existing) for item in items]
        if len(existing) > MAX_IMAGES:
            raise unprocessable("Too many images", {"images": f"A product can have up to {MAX_IMAGES} images."})
        changed = {image["id"] for image in written}
        for image in written:
            if image["is_thumbnail"]:
                changed |= self._only_thumbnail(image, existing)
        for iid in sorted(changed):
            self.s.save(KIND, iid, existing[iid])
        self._one_is_thumbnail(pid)
        if touch:
            self.s.products.touch(pid)
        return [render(self.s.get(KIND, image["id"])) for image in written]

    def _one(self, pid: int, item: dict, existing: dict[int, dict]) -> dict:
        iid = item.get("id")
        if iid is not None and iid not in existing:
            raise unprocessable("Invalid product image", {"images": f"Image {iid} is not on this product."})
        if iid is None and "image_url" not in item:
            raise unprocessable("Missing Required Fields", {"image_url": "Please provide an image_url."})
        errors = _url_errors(item["image_url"]) if "image_url" in item else {}
        if errors:
            raise unprocessable("JSON data is missing or invalid", errors)
        old = existing.get(iid, {"description": "", "is_thumbnail": False, "sort_order": 0})
        iid = iid or self.s.next_id(KIND)
        image = {**old, **{k: item[k] for k in WRITABLE if k in item}, "id": iid, "product_id": pid}
        image.update(derived(pid, iid, image["image_url"]))
        image["date_modified"] = self.s.stamp(old.get("date_modified"))
        existing[iid] = image
        return image

    def _only_thumbnail(self, image: dict, existing: dict[int, dict]) -> set[int]:
        """Take the thumbnail flag from every other image; their ids."""
        others = [o for o in existing.values() if o["id"] != image["id"] and o["is_thumbnail"]]
        for other in others:
            stamp = self.s.stamp(other["date_modified"])
            existing[other["id"]] = {**other, "is_thumbnail": False, "date_modified": stamp}
        return {other["id"] for other in others}

    def _one_is_thumbnail(self, pid: int) -> None:
        """d:catalog: "If only one image is on the product, it becomes both the thumbnail
        and the main product image"."""
        images = self.s.children(KIND, [pid])
        if len(images) == 1 and not images[0]["is_thumbnail"]:
            self.s.save(KIND, images[0]["id"], {**images[0], "is_thumbnail": True})

    def dump_into_products(self, pids: list[int]) -> tuple[str, dict[int, list[dict]]]:
        """Each product's images in the SEED FORMAT (the product body's form, no ids)."""
        out: dict[int, list[dict]] = {}
        for image in self.s.children(KIND, pids):
            out.setdefault(image["product_id"], []).append({k: image[k] for k in WRITABLE})
        return "images", out

    def thumbnails(self, pids: list[int]) -> dict[int, dict]:
        """Each product's thumbnail, as ``include=primary_image`` shows it (P product_Full
        ``primary_image``: primaryImage_Full); a product without one is not a key."""
        return {i["product_id"]: render(i) for i in self.s.children(KIND, pids) if i["is_thumbnail"]}

    def drop_product(self, pid: int) -> None:
        for image in self.s.children(KIND, [pid]):
            self.s.remove(KIND, image["id"])
