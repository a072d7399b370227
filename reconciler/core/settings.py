"""The ``store:`` block (catalog/store.yaml) as plain data: what every layer may read."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from reconciler.core.diagnostics import SourceRange


@dataclass
class StoreSettings:
    """The ``store:`` block (catalog/store.yaml). Defaults apply when it is absent."""

    # Objects the YAML refers to but does not manage: {"brand": {"3M"}, "category": {"Sale"}}.
    existing: dict[str, set[str]] = field(default_factory=dict)
    category_tree_id: int = 1
    # The store's other category trees by name: {"us-trade": 2}; their paths start "us-trade: ".
    category_trees: dict[str, int] = field(default_factory=dict)
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
    # store.deletion.confirm: the number of deletions a reviewer confirmed in the PR (as
    # --allow-deletes N does, but seen in the diff); lets a plan making exactly that many through.
    confirm_deletes: int | None = None
    # store.quota_share: the fraction of each rate-limit window our requests may use
    # (the store's other apps keep the rest); None: all of it. --quota-share wins.
    quota_share: float | None = None
    # store.targeted_undated: "all" makes every targeted plan list the children the store
    # writes without a date (apply/targeted.py); "in-scope": only the planned parents'.
    targeted_undated: str = "in-scope"
    raw: dict[str, Any] = field(default_factory=dict)
    source: SourceRange | None = None
    # {product sku: {option name: [labels]}} as the products' ``options`` say (filled
    # by resources/option.py): the read checks them against what the variants show.
    declared_options: dict[str, dict[str, list[str]]] = field(default_factory=dict, compare=False, repr=False)
