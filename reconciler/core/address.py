"""Address: the one way to name an object of the catalog, in code, plans and messages.

An address is a kind and a key, and for a sub-resource the address of its owner::

    Address("variant", "CT-BLK100-2.5", parent=Address("product", "CT-BLK100"))

Its text is ``kind['key']`` (the key as Python's repr writes it, so a key may hold
any character: ``price_list['Trade: GBP']``); ``Address.parse`` is the inverse, and
the plan file carries addresses as JSON objects (``to_json`` / ``from_json``).

Keys are unique within a kind, so an address's identity is its text: two addresses
with the same kind and key are equal whatever parent they carry, and an address
equals its text (journals and version-1 plan files hold text), hashes as it and
sorts as it, so lists sorted by address keep the order they had as text.

>>> a = Address("variant", "CT-BLK100-2.5", Address("product", "CT-BLK100"))
>>> str(a), str(a.parent)
("variant['CT-BLK100-2.5']", "product['CT-BLK100']")
>>> Address.parse(str(a)) == a, Address.parse("price_list['Trade: GBP']").key
(True, 'Trade: GBP')
>>> Address.from_json(a.to_json()).parent
Address(kind='product', key='CT-BLK100', parent=None)
>>> a == "variant['CT-BLK100-2.5']"
True
"""

from __future__ import annotations

import ast
import functools
import re
import threading
from dataclasses import dataclass
from typing import Any

_TEXT = re.compile(r"([a-z][a-z0-9_]*)\[(['\"].*['\"])\]", re.S)


@functools.total_ordering
@dataclass(frozen=True, eq=False)
class Address:
    kind: str                          # resource kind: "product", "price_record"
    key: str                           # identity within the kind: SKU, name, "List:SKU:CUR"
    parent: Address | None = None      # the owning object's address, for sub-resources

    def __str__(self) -> str:
        return f"{self.kind}[{self.key!r}]"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (Address, str)):
            return str(self) == str(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(str(self))

    def __lt__(self, other: Address | str) -> bool:
        if isinstance(other, (Address, str)):
            return str(self) < str(other)
        return NotImplemented

    @classmethod
    def parse(cls, text: str, parent: Address | None = None) -> Address:
        """The address ``str()`` wrote; only the quoted key is evaluated, as a literal.

        >>> Address.parse('price_list["Trade\\'s: GBP"]').key
        "Trade's: GBP"
        >>> Address.parse("product[__import__('os')]")
        Traceback (most recent call last):
        ...
        ValueError: not an address kind['key']: "product[__import__('os')]"
        """
        m = _TEXT.fullmatch(text) if isinstance(text, str) else None
        key = _literal(m.group(2)) if m else None
        if not isinstance(key, str):
            raise ValueError(f"not an address kind['key']: {text!r}")
        return cls(m.group(1), key, parent)

    def to_json(self) -> dict[str, Any]:
        """``{"kind", "key", "parent"}``, the parent nested the same way (or null)."""
        return {"kind": self.kind, "key": self.key,
                "parent": self.parent.to_json() if self.parent is not None else None}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Address:
        """The inverse of ``to_json``; KeyError or TypeError for anything else.

        >>> Address.from_json({"kind": "brand", "key": "GTSE Pro", "parent": None})
        Address(kind='brand', key='GTSE Pro', parent=None)
        """
        kind, key, parent = data["kind"], data["key"], data.get("parent")
        if not (isinstance(kind, str) and isinstance(key, str)):
            raise TypeError(f"an address needs a string kind and key: {data!r}")
        return cls(kind, key, cls.from_json(parent) if parent is not None else None)


def key_of(parent: "Address | str | None") -> str | None:
    """The key of a parent given as an Address or as its text (a journal's), None for none.

    >>> key_of(Address("product", "CT-1")), key_of("product['CT-1']"), key_of(None)
    ('CT-1', 'CT-1', None)
    """
    if not parent:
        return None
    return parent.key if isinstance(parent, Address) else Address.parse(parent).key


# CPython 3.11 can fail ("AST constructor recursion depth mismatch") when threads build
# ASTs at once (apply's writers run side by side): one at a time, and each text once.
_AST = threading.Lock()


@functools.lru_cache(maxsize=65536)
def _literal(quoted: str) -> Any:
    with _AST:
        try:
            return ast.literal_eval(quoted)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return None
