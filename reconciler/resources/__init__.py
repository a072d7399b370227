"""REGISTRY of resource kinds. One module per kind registers itself here.

    >>> from reconciler.resources import REGISTRY
    >>> [k.name for k in REGISTRY.ordered()]
    ['brand', 'category', 'product', 'option', 'variant', 'custom_field', 'channel_assignment', 'price_list', 'customer_group', 'price_list_assignment', 'price_record']
"""

from __future__ import annotations

from typing import Iterator

from reconciler.resources.base import ResourceKind


class Registry:
    def __init__(self) -> None:
        self._kinds: dict[str, ResourceKind] = {}

    def register(self, kind: ResourceKind) -> ResourceKind:
        if kind.name in self._kinds:
            raise ValueError(f"resource kind {kind.name!r} is registered twice")
        self._kinds[kind.name] = kind
        return kind

    def __getitem__(self, name: str) -> ResourceKind:
        return self._kinds[name]

    def __contains__(self, name: str) -> bool:
        return name in self._kinds

    def ordered(self) -> list[ResourceKind]:
        return sorted(self._kinds.values(), key=lambda k: k.order)

    def by_plural(self, plural: str) -> ResourceKind | None:
        return next((k for k in self._kinds.values() if k.plural == plural), None)

    def __iter__(self) -> Iterator[ResourceKind]:
        return iter(self.ordered())


REGISTRY = Registry()
register = REGISTRY.register

# Importing the kind modules registers them, in dependency order.
from reconciler.resources import brand, category, product  # noqa: E402,F401
from reconciler.resources import option, variant, custom_field, channel_assignment  # noqa: E402,F401
from reconciler.resources import price_list, customer_group, price_list_assignment, price_record  # noqa: E402,F401
