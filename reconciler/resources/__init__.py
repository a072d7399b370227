"""REGISTRY of resource kinds: each module here that calls ``register`` adds one.

    >>> from reconciler.resources import REGISTRY
    >>> [k.name for k in REGISTRY.ordered()][:5]        # brands and categories before products, ...
    ['brand', 'category', 'product', 'option', 'variant']

Every module of this package is imported, so a new kind's module registers itself
with no change here. Apply order follows ``depends_on`` (``Registry.ordered``);
``LISTED`` only says how kinds that do not depend on each other are listed (in
plans, reads and applies); a kind not in it comes after these, by name. A child kind's
``owner_field`` joins its parent's ``child_fields`` (``Registry.link_children``).
"""

import importlib
import pkgutil

from reconciler.resources.registry import REGISTRY, Registry, register  # noqa: F401

LISTED = ("brand", "category", "product", "option", "variant", "custom_field", "channel_assignment",
          "price_list", "customer_group", "price_list_assignment", "price_record")

for _module in sorted(m.name for m in pkgutil.iter_modules(__path__)):
    importlib.import_module(f"{__name__}.{_module}")
REGISTRY.list_in(LISTED)
REGISTRY.link_children()
