"""REGISTRY of resource kinds. One module per kind registers itself here.

    >>> from reconciler.resources import REGISTRY
    >>> [k.name for k in REGISTRY.ordered()]
    ['brand', 'category', 'product', 'option', 'variant', 'custom_field', 'channel_assignment', 'price_list', 'customer_group', 'price_list_assignment', 'price_record']
"""

from reconciler.resources.registry import REGISTRY, Registry, register  # noqa: F401

# Importing the kind modules registers them; order among independent kinds is this one.
from reconciler.resources import brand, category, product  # noqa: E402,F401
from reconciler.resources import option, variant, custom_field, channel_assignment  # noqa: E402,F401
from reconciler.resources import price_list, customer_group, price_list_assignment, price_record  # noqa: E402,F401
