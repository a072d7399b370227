"""The desired state as plain data, with a source map back to the YAML.

``load_desired()`` (desired/load.py) returns a ``DesiredState``. Everything after
loading (plan, apply, render) reads only these objects, never the YAML again.

Values are plain Python: str, int, bool, list, dict, and ``decimal.Decimal`` for
every YAML float (so money is never a float). Only the fields written in the
YAML appear in ``DesiredObject.fields``: absent means "not managed".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reconciler.core.objects import DesiredObject
from reconciler.core.settings import StoreSettings


@dataclass
class DesiredState:
    # kind name -> key -> object, kinds in registry order, keys in file order
    objects: dict[str, dict[str, DesiredObject]]
    store: StoreSettings
    files: list[str]                # every YAML file read, relative to the cwd, sorted
    digest: str                     # sha256 of the normalised objects (stale-plan checks)
    # kind -> (how many objects it had, {casefolded key: object}): get()'s index, rebuilt
    # when the kind's objects change in number.
    _folded_keys: dict[str, tuple[int, dict[str, DesiredObject]]] = field(
        default_factory=dict, init=False, repr=False, compare=False)

    def of(self, kind: str) -> dict[str, DesiredObject]:
        return self.objects.get(kind, {})

    def get(self, kind: str, key: str) -> DesiredObject | None:
        """The object of ``kind`` with ``key``, matched without case as the store and
        ``LiveState.get`` match keys: a live child's parent key is the store's spelling
        (``Trade GBP``) while the YAML may write another (``TRADE GBP``)."""
        objects = self.objects.get(kind, {})
        found = objects.get(key)
        if found is None and objects:
            found = self._folded(kind, objects).get(key.casefold())
        return found

    def _folded(self, kind: str, objects: dict[str, DesiredObject]) -> dict[str, DesiredObject]:
        entry = self._folded_keys.get(kind)
        if entry is None or entry[0] != len(objects):
            entry = self._folded_keys[kind] = (len(objects), {k.casefold(): o for k, o in objects.items()})
        return entry[1]
