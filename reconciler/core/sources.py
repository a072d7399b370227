"""Where every loaded value was written, kept compactly: one table per load.

The loader records each YAML value it builds as a *node* of a ``SourceTable``,
in the order it builds them (depth first, a mapping's entries in the order of
the built dict, a list's items in order). A node is three numbers in flat
arrays: where its value starts, where its mapping key starts (while loading
only), and the index just past its subtree. No path strings, no SourceRange
and no parser marks are kept: a 10,000-product catalog has more than half a
million values, and ``SourceRange``s for all of them cost ~100 MB where these
arrays cost ~6 MB.

A dotted path ("variants.1.options.Width") is found by walking the built value
alongside the nodes, so lookups need the value the nodes were built from (the
object's ``fields``, or for a sub-resource the part of its parent's fields it
was written as). The answer is exactly what a dict from dotted path to
position would give, including keys that contain dots: the last node written
whose path reads that way wins.

``SourceMap`` is the dict-like view (``DesiredObject.field_sources``, the
``values`` and ``keys`` of ``validate.Located``); SourceRanges are made only
when a position is asked for.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from typing import Any, Iterator, Mapping

from reconciler.core.diagnostics import SourceRange

_LOW = (1 << 32) - 1
NO_KEY = -1                 # the node is not a mapping's value (a list item, an object)
BIG = 16                    # containers with this many children get an index of their children


def pack(line: int, column: int) -> int:
    """A 0-based (line, column), as a parser mark gives it, as one number."""
    return line << 32 | column


class SourceTable:
    """Positions of every node built in one load, for all files."""

    __slots__ = ("files", "file_starts", "pos", "keys", "ends", "odd_keys", "_children")

    def __init__(self) -> None:
        self.files: list[str] = []
        self.file_starts: list[int] = []        # first node of each file
        self.pos = array("q")                   # packed start of each node's value
        self.keys: array | None = array("q")    # packed start of its key, or NO_KEY; None once loaded
        self.ends = array("i")                  # index just past each node's subtree
        self.odd_keys = False                   # some mapping key is empty or has a dot
        self._children: dict[int, array] = {}   # big container -> its children's nodes

    def start_file(self, file: str) -> None:
        self.files.append(file)
        self.file_starts.append(len(self.pos))

    def file_of(self, node: int) -> str:
        return self.files[bisect_right(self.file_starts, node) - 1]

    def range(self, node: int, packed: int | None = None) -> SourceRange:
        p = self.pos[node] if packed is None else packed
        return SourceRange(self.file_of(node), (p >> 32) + 1, (p & _LOW) + 1)

    def loaded(self) -> None:
        """Loading is over: key positions (wanted only for load's own messages) are dropped."""
        self.keys = None

    # -- finding a path ------------------------------------------------------------------------

    def find(self, node: int, value: Any, path: str, top: bool) -> list[tuple[int, Any]]:
        """(node, value) of every node under ``node`` (built from ``value``) whose dotted path
        is ``path``, in the order they were built.

        ``top``: ``node`` is an object itself, whose children's paths are their bare
        names; otherwise ``node`` is a value inside one, and ``path`` is relative to it.
        """
        out: list[tuple[int, Any]] = []
        try:
            self._find(node, value, path, top, out)
        except IndexError:      # the value was changed in place since it was loaded: no position
            return []
        return out

    def _find(self, node: int, value: Any, rest: str, bare: bool, out: list[tuple[int, Any]]) -> None:
        # ``bare``: the path of ``node`` is empty, so its children's paths are their names
        # alone ("" + "." is not added); otherwise a child's path is "<node's path>.<name>".
        if type(value) is list:
            # List items are named "0", "1", ...: only the item ``rest`` begins with can match.
            head, dot, tail = rest.partition(".")
            if not head.isdigit() or (len(head) > 1 and head[0] == "0") or not head.isascii():
                return
            i = int(head)
            if i >= len(value):
                return
            child = self._child(node, value, i)
            if not dot:
                out.append((child, value[i]))
            elif isinstance(value[i], (dict, list)):
                self._find(child, value[i], tail, False, out)
            return
        if type(value) is not dict:
            return
        ends = self.ends
        if not self.odd_keys:
            # Every key is a plain name: only the first segment of ``rest`` can match.
            head, dot, tail = rest.partition(".")
            if head not in value:
                return
            sub = value[head]
            if len(value) >= BIG:
                child = self._child(node, value, _ordinal(value, head))
            else:
                child = node + 1
                for name in value:
                    if name == head:
                        break
                    child = ends[child]
            if not dot:
                out.append((child, sub))
            elif type(sub) is dict or type(sub) is list:
                self._find(child, sub, tail, False, out)
            return
        if len(value) >= BIG and rest and "." not in rest and not (bare and "" in value):
            # A big mapping and a plain name: only that key can match. A descendant's
            # path has a dot after its ancestor's name, unless that ancestor's own
            # path is empty (an empty key where paths are bare).
            if rest in value:
                out.append((self._child(node, value, _ordinal(value, rest)), value[rest]))
            return
        child = node + 1
        for name, sub in value.items():
            if name == rest:
                out.append((child, sub))
            if type(sub) is dict or type(sub) is list:
                if bare and name == "":
                    self._find(child, sub, rest, True, out)
                elif rest.startswith(name) and rest[len(name):len(name) + 1] == ".":
                    self._find(child, sub, rest[len(name) + 1:], False, out)
            child = ends[child]

    def _child(self, node: int, value: list | dict, i: int) -> int:
        """The node of the ``i``-th child of ``node`` (a container built from ``value``)."""
        if len(value) < BIG:
            child, ends = node + 1, self.ends
            for _ in range(i):
                child = ends[child]
            return child
        index = self._children.get(node)
        if index is None:
            index, child, ends = array("i"), node + 1, self.ends
            for _ in range(len(value)):
                index.append(child)
                child = ends[child]
            self._children[node] = index
        return index[i]

    # -- every path -----------------------------------------------------------------------------

    def entries(self, node: int, value: Any, prefix: str | None, bare: bool) -> Iterator[tuple[str, int]]:
        """(dotted path, node) for every node under ``node``, in the order they were built.

        ``prefix``: the path of ``node``, or None for paths relative to it.
        """
        if type(value) is dict:
            items: Any = value.items()
        elif type(value) is list:
            items = ((str(i), v) for i, v in enumerate(value))
        else:
            return
        child = node + 1
        for name, sub in items:
            path = name if bare or prefix is None else f"{prefix}.{name}"
            yield path, child
            yield from self.entries(child, sub, path, bare and path == "")
            child = self.ends[child]


def _ordinal(mapping: dict, name: str) -> int:
    for i, key in enumerate(mapping):
        if key == name:
            return i
    raise KeyError(name)


class SourceMap(Mapping[str, SourceRange]):
    """Dotted path -> SourceRange of the values (or, ``keys=True``, the mapping keys) under a node.

    Reads like the ``dict[str, SourceRange]`` it replaces; positions are made when asked for.
    """

    __slots__ = ("table", "node", "value", "top", "of_keys")

    def __init__(self, table: SourceTable, node: int, value: Any, top: bool = True, keys: bool = False) -> None:
        self.table, self.node, self.value, self.top, self.of_keys = table, node, value, top, keys

    def _node(self, path: str) -> int | None:
        found = self.table.find(self.node, self.value, path, self.top)
        if self.of_keys:
            keys = self.table.keys
            found = [f for f in found if keys is not None and keys[f[0]] != NO_KEY]
        return found[-1][0] if found else None

    def _range(self, node: int) -> SourceRange:
        if self.of_keys:
            return self.table.range(node, self.table.keys[node])
        return self.table.range(node)

    def get(self, path: str, default: Any = None) -> Any:
        node = self._node(path)
        return default if node is None else self._range(node)

    def __getitem__(self, path: str) -> SourceRange:
        node = self._node(path)
        if node is None:
            raise KeyError(path)
        return self._range(node)

    def __contains__(self, path: object) -> bool:
        return isinstance(path, str) and self._node(path) is not None

    def as_dict(self) -> dict[str, SourceRange]:
        last: dict[str, int] = {}
        keys = self.table.keys
        for path, node in self.table.entries(self.node, self.value, None, self.top):
            if not self.of_keys or (keys is not None and keys[node] != NO_KEY):
                last[path] = node
        return {path: self._range(node) for path, node in last.items()}

    def __iter__(self) -> Iterator[str]:
        return iter(self.as_dict())

    def __len__(self) -> int:
        return len(self.as_dict())

    def __eq__(self, other: object) -> bool:
        return dict(self.as_dict()) == (dict(other) if isinstance(other, Mapping) else other)

    def __repr__(self) -> str:
        return repr(self.as_dict())
