"""Helpers for the kinds' desired checks (``ResourceKind.checks``), and the money
guardrail every priced kind shares.

A kind's ``checks(objects, checking)`` gets its objects as written in YAML (a
child kind: its parents, whose ``owner_field`` holds its entries) and a
``checking`` context made by desired validation (desired/validate.py
``Checking``): ``objects`` (every kind's objects as written), ``store``,
``flagged`` (positions already reported, e.g. by the schema: not reported again)
and ``skus`` (folded SKU -> ``Sku``, from the kinds' ``sold``). It returns
diagnostics located at the offending value, worded like the schema messages
(``<kind> '<key>': <path>: <message>``).

The shared money guardrail (``prices``), for an object that writes prices:

- ``sale_price`` must be below ``price`` when both are written:
  ``product 'X': sale_price 12.00 is not below price 10.00``;
- neither may be below the cost price unless the object says
  ``acknowledge: [below_cost]``, so the reviewer of the pull request sees it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable, Iterator, Mapping

from reconciler.core.diagnostics import Diagnostic, SourceRange
from reconciler.core.objects import DesiredObject
from reconciler.core.sources import SourceMap

BELOW_COST = "below_cost"

# A valid catalog has nothing flagged, so checks test ``flagged`` before building a
# path to look up: a 30,000-record price list would otherwise make hundreds of
# thousands of positions just to find none of them flagged.


@dataclass(frozen=True)
class Sku:
    """What the desired catalog says about one SKU, for other kinds' checks (a price record's)."""

    cost_price: Any                 # Decimal or int when written (a variant without one: its product's)
    variants: tuple[str, ...] = ()  # a product's variant SKUs: records must use these instead


def error(message: str, source: SourceRange) -> Diagnostic:
    return Diagnostic("error", message, source)


def number(value: Any) -> bool:
    return isinstance(value, (int, Decimal)) and not isinstance(value, bool)


def count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def items(obj: DesiredObject, field: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """(index, entry) of the mappings in the list ``obj`` writes at ``field``."""
    found = obj.fields.get(field)
    if isinstance(found, list):
        for i, item in enumerate(found):
            if isinstance(item, dict):
                yield i, item


def tombstone(obj: DesiredObject) -> bool:
    """``delete: true``: the object is to be deleted, and only its key is needed next to it."""
    return obj.fields.get("delete") is True


def listed(names: Any) -> str:
    """Names as a message lists them: ``a, b, c``."""
    return ", ".join(str(n) for n in names)


def flagged_at(flagged: frozenset[SourceRange], obj: DesiredObject, path: str) -> bool:
    """Whether the value at ``path`` in ``obj`` already has a diagnostic (looked up only if any has)."""
    return bool(flagged) and obj.source_of(path) in flagged


def key_sources(obj: DesiredObject) -> Mapping[str, SourceRange]:
    """Dotted path -> position of its mapping key in ``obj`` (read with ``.get()`` only), for
    problems with a name rather than a value; an object built by hand: its value positions."""
    found = obj.field_sources
    if isinstance(found, SourceMap):
        return SourceMap(found.table, found.node, found.value, keys=True)
    return found


def acknowledges(fields: dict[str, Any], what: str) -> bool:
    ack = fields.get("acknowledge")
    return isinstance(ack, list) and what in ack


def prices(label: str, fields: dict[str, Any], cost: Any, at: Callable[[str], SourceRange],
           flagged: frozenset[SourceRange]) -> list[Diagnostic]:
    """The guardrails for one object's price, sale_price and cost (``at(field)`` locates a field)."""
    price, sale = fields.get("price"), fields.get("sale_price")
    if not number(price) or flagged and at("price") in flagged:
        price = None
    if not number(sale) or flagged and at("sale_price") in flagged:
        sale = None
    out = []
    if price is not None and sale is not None and sale >= price:
        out.append(error(f"{label}: sale_price {sale} is not below price {price}", at("sale_price")))
    if number(cost) and not acknowledges(fields, BELOW_COST):
        for name, value in (("price", price), ("sale_price", sale)):
            if value is not None and value < cost:
                out.append(error(f"{label}: {name} {value} is below cost_price {cost} "
                                 "(add acknowledge: [below_cost] to sell below cost)", at(name)))
    return out
