"""brand: keyed by name. /v3/catalog/brands, one POST per brand, no batch endpoint."""

from __future__ import annotations

from typing import Any

from reconciler.resources import register
from reconciler.resources.base import ResourceKind

FIELDS = ("name", "page_title", "meta_keywords", "meta_description", "search_keywords", "image_url")


def from_live(obj: dict[str, Any], refs) -> dict[str, Any]:
    return {f: obj.get(f) for f in FIELDS if f in obj}


def to_payload(fields: dict[str, Any], refs, parent: str | None = None) -> dict[str, Any]:
    return {f: v for f, v in fields.items() if f in FIELDS}


BRAND = register(ResourceKind(
    name="brand",
    plural="brands",
    schema="brand.schema.json",
    key="name",
    endpoint="/v3/catalog/brands",
    order=10,
    from_live=from_live,
    to_payload=to_payload,
))
