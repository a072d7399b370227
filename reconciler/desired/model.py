"""The desired state as plain data, with a source map back to the YAML.

``load_desired()`` (desired/load.py) returns a ``DesiredState``. Everything after
loading (plan, apply, render) reads only these objects, never the YAML again.

Values are plain Python: str, int, bool, list, dict, and ``decimal.Decimal`` for
every YAML float (so money is never a float). Only the fields written in the
YAML appear in ``DesiredObject.fields``: absent means "not managed".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from reconciler.diagnostics import SourceRange


@dataclass
class DesiredObject:
    kind: str                       # registry name: "brand", "category", "product"
    key: str                        # identity: brand name, category path, product sku
    fields: dict[str, Any]          # as written in YAML (key field included)
    source: SourceRange             # where the object starts (its first key)
    field_sources: dict[str, SourceRange] = field(default_factory=dict)
    parent: str | None = None       # key of the owning object (a variant's product SKU)
    # field_sources maps a dotted path inside the object ("price",
    # "categories.1", "custom_fields.Colour") to the position of its value.

    def source_of(self, path: str | None = None) -> SourceRange:
        """Position of ``path`` inside this object, or of the object itself."""
        if path:
            parts = path.split(".")
            while parts:
                hit = self.field_sources.get(".".join(parts))
                if hit:
                    return hit
                parts.pop()
        return self.source


@dataclass
class StoreSettings:
    """The ``store:`` block (catalog/store.yaml). Defaults apply when it is absent."""

    # Objects the YAML refers to but does not manage: {"brand": {"3M"}, "category": {"Sale"}}.
    existing: dict[str, set[str]] = field(default_factory=dict)
    category_tree_id: int = 1
    channels: dict[str, int] = field(default_factory=lambda: {"uk-main": 1})   # name -> channel id
    # The house SKU rule, "enabled" filled in: {"enabled": True, "categories": {"CT": "Cable Ties"}};
    # None when the store block has none (then SKUs are not checked against it).
    sku_convention: dict[str, Any] | None = None
    # Money guardrails (store.guardrails): a price drop larger than this, compared
    # with the live store, blocks apply unless acknowledged.
    max_price_drop_percent: Decimal = Decimal(30)
    # Deletion bounds (store.prune, store.deletion): kinds whose absent objects are
    # deleted; at most max(max_objects, max_percent of the live count) per kind.
    prune: frozenset[str] = frozenset()
    max_deletes: int = 10
    max_delete_percent: Decimal = Decimal(5)
    raw: dict[str, Any] = field(default_factory=dict)
    source: SourceRange | None = None


@dataclass
class DesiredState:
    # kind name -> key -> object, kinds in registry order, keys in file order
    objects: dict[str, dict[str, DesiredObject]]
    store: StoreSettings
    files: list[str]                # every YAML file read, relative to the cwd, sorted
    digest: str                     # sha256 of the normalised objects (stale-plan checks)

    def of(self, kind: str) -> dict[str, DesiredObject]:
        return self.objects.get(kind, {})

    def get(self, kind: str, key: str) -> DesiredObject | None:
        return self.objects.get(kind, {}).get(key)
