"""The catalog service: products and their sub-resources, brands, categories."""

from __future__ import annotations

from ..core.service import Service
from .brands import Brands
from .bulk_pricing_rules import BulkPricingRules
from .categories import Categories
from .custom_fields import CustomFields
from .images import Images
from .options import Options
from .products import Products
from .urls import ROUTES
from .variants import Variants

SERVICE = Service("catalog", tuple(ROUTES), (
    ("brands", Brands), ("categories", Categories), ("products", Products), ("options", Options),
    ("variants", Variants), ("custom_fields", CustomFields), ("bulk_pricing_rules", BulkPricingRules),
    ("images", Images)))
