"""A desired object: one YAML object's fields as written, and where they were written.

``desired/load.py`` builds these; the resources' ``from_parent`` derives sub-resources
(a product's variants) as these too, which is why the type sits in the bottom layer.
"""

from __future__ import annotations

from typing import Any, Mapping

from reconciler.core.diagnostics import SourceRange
from reconciler.core.sources import SourceMap, SourceTable


class DesiredObject:
    """One object of the desired state: its fields as written and where they were written.

    ``field_sources`` maps a dotted path inside the object ("price",
    "categories.1", "custom_fields.Colour") to the position of its value. Loaded
    objects read it from the load's ``SourceTable`` (desired/sources.py) and make
    a SourceRange only when one is asked for; an object built by hand may pass a
    plain dict. ``source`` is where the object starts (its first key; for a
    sub-resource, its value inside the parent).
    """

    # A 10,000-product catalog has ~110,000 of these: slots, and positions kept as
    # (table, node, value the node was built from) rather than as SourceRanges.
    __slots__ = ("kind", "key", "fields", "parent", "_source", "_table", "_node", "_value")

    def __init__(self, kind: str, key: str, fields: dict[str, Any], source: SourceRange | None = None,
                 field_sources: Mapping[str, SourceRange] | None = None, parent: str | None = None) -> None:
        self.kind = kind                # registry name: "brand", "category", "product"
        self.key = key                  # identity: brand name, category path, product sku
        self.fields = fields            # as written in YAML (key field included)
        self.parent = parent            # key of the owning object (a variant's product SKU)
        self._source = source
        self._table: Any = {} if field_sources is None else field_sources
        self._node = -1
        self._value: Any = None

    @classmethod
    def located(cls, kind: str, key: str, fields: dict[str, Any], source: SourceRange | None,
                table: SourceTable, node: int, value: Any, parent: str | None = None) -> DesiredObject:
        """An object whose positions are node ``node`` of ``table``, built from ``value``.

        ``value`` is ``fields`` for an object written at the top level, or the part of
        its parent's fields a sub-resource was written as. ``source`` None: the node's own.
        """
        obj = cls(kind, key, fields, source, None, parent)
        obj._table, obj._node, obj._value = table, node, value
        return obj

    @property
    def source(self) -> SourceRange:
        if self._source is None and self._node >= 0:
            self._source = self._table.range(self._node)
        return self._source

    @source.setter
    def source(self, value: SourceRange) -> None:
        self._source = value

    @property
    def field_sources(self) -> Mapping[str, SourceRange]:
        if self._node < 0:
            return self._table
        return SourceMap(self._table, self._node, self._value, top=self.parent is None)

    @field_sources.setter
    def field_sources(self, value: Mapping[str, SourceRange]) -> None:
        self._table, self._node, self._value = value, -1, None

    def node_of(self, path: str) -> tuple[SourceTable, int, Any] | None:
        """(table, node, value) of the value at ``path``, for a sub-resource written there."""
        if self._node < 0:
            return None
        found = self._table.find(self._node, self._value, path, self.parent is None)
        return (self._table, *found[-1]) if found else None

    def source_of(self, path: str | None = None) -> SourceRange:
        """Position of ``path`` inside this object, or of the object itself."""
        if path:
            get = self.field_sources.get
            parts = path.split(".")
            while parts:
                hit = get(".".join(parts))
                if hit:
                    return hit
                parts.pop()
        return self.source

    def __repr__(self) -> str:
        return (f"DesiredObject(kind={self.kind!r}, key={self.key!r}, fields={self.fields!r}, "
                f"source={self.source!r}, field_sources={self.field_sources!r}, parent={self.parent!r})")

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return (self.kind, self.key, self.fields, self.source, self.parent) == (
            other.kind, other.key, other.fields, other.source, other.parent) and \
            dict(self.field_sources) == dict(other.field_sources)

    __hash__ = None     # type: ignore[assignment]   # as the dataclass it was
