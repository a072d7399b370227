"""What the desired catalog says about prices, for the kinds' money checks.

The checks themselves are the kinds' (``ResourceKind.checks``, run together by
``validate.check_kinds``, each located at the offending value):

- sale_price below price, and neither below the cost price unless the object
  says ``acknowledge: [below_cost]`` (resources/checks.py ``prices``): products
  (resources/product.py), variants, which use their product's cost when they
  have none (variant.py), price records, which use their SKU's cost in the
  catalog (price_record.py);
- price records' SKUs, currencies, duplicates and bulk tiers (price_record.py),
  price list assignments (price_list_assignment.py), customer groups
  (customer_group.py);
- ``acknowledge: [price_drop]`` is accepted and read at plan time, where the live
  prices are known (plan/guardrails.py).

    >>> # records: [{sku: CT-BLK200-3.6, price: 0.80}] on "Trade GBP", cost_price 1.10 ->
    >>> # "price_record 'Trade GBP:CT-BLK200-3.6:GBP': price 0.80 is below cost_price 1.10
    >>> #  (add acknowledge: [below_cost] to sell below cost)"

This module builds what those checks share: every SKU the catalog sells, with
its cost (``sku_index``, from the kinds' ``sold``).
"""

from __future__ import annotations

from reconciler.core.objects import DesiredObject
from reconciler.resources import REGISTRY
from reconciler.resources.checks import Sku


def sku_index(objects: dict[str, dict[str, DesiredObject]]) -> dict[str, Sku]:
    """Folded SKU -> Sku, for every SKU an object as written sells (the first one wins)."""
    out: dict[str, Sku] = {}
    for kind in REGISTRY:
        if kind.sold is None:
            continue
        for obj in objects.get(kind.name, {}).values():
            for sku, held in kind.sold(obj):
                out.setdefault(sku.casefold(), held)
    return out
