"""Rules for the store block a JSON Schema cannot state: channel ids name one channel each.

The catalog's own rules (a product's variants against its options, SKUs, the SKU
convention, channels; the categories the convention names) are the kinds'
``catalog_rules`` (resources/product_rules.py, resources/category.py), run by
desired/validate.py ``check_rules``. Diagnostics are located at the offending value
(``values``: the store block's dotted paths -> positions; read with ``.get()`` only).

    >>> # channels: {uk-main: 1, uk-trade: 1}
    >>> # -> "store: channels.uk-trade: channel id 1 is already named 'uk-main'"
"""

from __future__ import annotations

from typing import Mapping

from reconciler.core.diagnostics import Diagnostic, SourceRange
from reconciler.core.settings import StoreSettings


def check_store(store: StoreSettings, values: Mapping[str, SourceRange]) -> list[Diagnostic]:
    """Channel ids name one channel each."""
    out = []
    named: dict[int, str] = {}
    for name, cid in store.channels.items():
        first = named.setdefault(cid, name)
        if first != name:
            out.append(Diagnostic("error", f"store: channels.{name}: channel id {cid} is already named '{first}'",
                                  values.get(f"channels.{name}", store.source)))
    return out
