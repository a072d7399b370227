"""brand: keyed by name. /v3/catalog/brands, one POST per brand, no batch endpoint."""

from __future__ import annotations

from reconciler.resources.registry import register
from reconciler.resources.base import ResourceKind
from reconciler.resources.fields import plain

FIELDS = ("name", "page_title", "meta_keywords", "meta_description", "search_keywords", "image_url")


from_live, to_payload = plain(FIELDS)


BRAND = register(ResourceKind(
    name="brand",
    plural="brands",
    schema="brand.schema.json",
    key="name",
    endpoint="/v3/catalog/brands",
    case_renames=True,       # "Must be unique" (B createBrand); the store ignores case
    key_on_update=True,      # B updateBrand: required [name]
    from_live=from_live,
    to_payload=to_payload,
    import_file="brands.yaml",
))
