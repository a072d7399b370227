"""What the parts of catalog import share: its errors, the kinds it writes, and names."""

from __future__ import annotations

import re
import unicodedata

from reconciler.core.errors import ReconcilerError
from reconciler.resources import REGISTRY


class CatalogImportError(ReconcilerError):
    """The import cannot be done as asked (unknown kinds, references it cannot write)."""


class CatalogExistsError(CatalogImportError):
    """The output folder already holds a catalog and --force was not given."""


KINDS = tuple(k.name for k in REGISTRY if not k.parent)   # the top-level kinds, in registry order


def slugify(name: str) -> str:
    """A name as a file or channel name: "UK Main" -> "uk-main", "Café Crème" -> "cafe-creme"."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def unique_slugs(slugs: dict[str, str]) -> dict[str, str]:
    """Key -> slug, a slug used twice made unique with -2, -3 ... (keys in the given order)."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for key, slug in slugs.items():
        candidate, n = slug, 2
        while candidate in taken:
            candidate, n = f"{slug}-{n}", n + 1
        taken.add(candidate)
        out[key] = candidate
    return out
