"""RefIndex: names <-> ids for the objects other objects refer to.

The YAML refers to brands by name and categories by path; the API by id. The
index is built from the live store and grows as apply creates parents, so a
product created in the same apply as its brand gets the new brand's id.

    >>> refs = RefIndex()
    >>> refs.add("brand", "GTSE Pro", 7)
    >>> refs.id_of("brand", "gtse pro"), refs.key_of("brand", 7)
    (7, 'GTSE Pro')
"""

from __future__ import annotations


class UnresolvedReference(LookupError):
    def __init__(self, kind: str, key: str) -> None:
        super().__init__(f"{kind} {key!r} does not exist in the store")
        self.kind = kind
        self.key = key


class RefIndex:
    def __init__(self) -> None:
        self._ids: dict[str, dict[str, int]] = {}
        self._keys: dict[str, dict[int, str]] = {}

    def add(self, kind: str, key: str, id_: int) -> None:
        self._ids.setdefault(kind, {})[key.casefold()] = id_
        self._keys.setdefault(kind, {})[id_] = key

    def id_of(self, kind: str, key: str) -> int:
        try:
            return self._ids[kind][key.casefold()]
        except KeyError:
            raise UnresolvedReference(kind, key) from None

    def has(self, kind: str, key: str) -> bool:
        return key.casefold() in self._ids.get(kind, {})

    def key_of(self, kind: str, id_: int) -> str | None:
        return self._keys.get(kind, {}).get(id_)
