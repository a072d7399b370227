"""Read the catalog YAML into a DesiredState, keeping where every value was written.

    >>> state = load_desired("catalog")
    >>> state.get("product", "CT-BLK100").fields["price"]
    Decimal('1.95')
    >>> str(state.get("product", "CT-BLK100").source_of("price"))
    'catalog/products/cable-ties.yaml:11:12'
    >>> str(state.get("variant", "CT-BLK100-4.8").source_of("price"))
    'catalog/products/cable-ties.yaml:27:62'

A plain file (no anchors, merges, tags or errors: the usual one) is built straight
from libyaml's event stream (``_Events``); any other is composed with ``yaml.compose``
(the libyaml loader when available) and its nodes built (``_Builder``); both give the
same values and positions. Values are built here rather than by ``yaml.safe_load``,
so that:

- every value keeps its position (``DesiredObject.field_sources``);
- a YAML float becomes ``Decimal`` of its source text (``12.50`` -> ``Decimal("12.50")``),
  so money is never a float; a timestamp stays the string it was written as;
- a key written twice in one mapping is reported (PyYAML keeps the last silently).

Nothing is raised until every file is read and checked: one run reports every
syntax, schema, duplicate, reference and catalog-rule problem (the store block's
channel ids, desired/rules.py; the kinds' ``catalog_rules``: variants, SKUs, the
SKU convention, channels; the kinds' ``checks``, listed in desired/pricing.py:
money guardrails, price lists, customer groups), sorted by file, line and column.
Only then are the sub-resources written inside products (options, variants,
custom fields, channel assignments) and price lists (assignments, records)
derived as objects of their own kinds (``resources.children.expand_children``).
Loading never touches the network.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import re
import stat
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Mapping

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from reconciler.core import gcpause
from reconciler.desired import rules, validate
from reconciler.core.objects import DesiredObject
from reconciler.desired.model import DesiredState
from reconciler.core.settings import StoreSettings
from reconciler.desired.quickcheck import quick_check
from reconciler.core.sources import NO_KEY, SourceMap, SourceTable
from reconciler.desired.validate import Located, top_level_kinds
from reconciler.core.diagnostics import Diagnostic, SourceRange, excerpt
from reconciler.core.errors import DesiredStateError
from reconciler.resources import REGISTRY, Registry
from reconciler.resources import children   # the module: resources may still be importing us
from reconciler.resources.base import ResourceKind

_CONSTRUCTOR = yaml.constructor.SafeConstructor()

_T = "tag:yaml.org,2002:"
STR, INT, FLOAT, BOOL, NULL = _T + "str", _T + "int", _T + "float", _T + "bool", _T + "null"
TIMESTAMP, MERGE, VALUE = _T + "timestamp", _T + "merge", _T + "value"


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):    # type: ignore[misc]
    """The safe loader (libyaml's when available), with a quicker tag resolver.

    PyYAML asks ``resolve`` for the tag of every node, in Python, trying each
    implicit-tag pattern for the scalar's first character. The answer for a
    plain scalar depends on its text alone, so texts whose first character
    starts no pattern are text at once, and the rest are remembered per file
    (keys and values repeat). Anything else, or a loader with path resolvers
    or catch-all patterns, gets PyYAML's own answer.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._patterns = self.yaml_implicit_resolvers
        self._quick = not self.yaml_path_resolvers and None not in self._patterns
        self._tags: dict[str, str] = {}

    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode and implicit[0] and self._quick:
            patterns = self._patterns.get(value[0] if value else "")
            if not patterns:
                return self.DEFAULT_SCALAR_TAG
            tag = self._tags.get(value)
            if tag is None:
                tag = self._tags[value] = super().resolve(kind, value, implicit)
            return tag
        return super().resolve(kind, value, implicit)


_LOADER = _Loader


# Limits on what one catalog may make the loader do (README "Limits"): a pull
# request's YAML is untrusted input. A 100,000-product catalog is about 84 MB in
# all, its largest file a few MB, nested 6 levels deep.
MAX_FILE_BYTES = 32 * 2**20         # one file
MAX_TOTAL_BYTES = 256 * 2**20       # every file of the catalog together
MAX_DEPTH = 64                      # mappings and lists nested in one another
MAX_ALIAS_VALUES = 1_000_000        # values that aliases and merges ("<<: *x") add, per catalog


def load_desired(catalog_dir: str | os.PathLike[str]) -> DesiredState:
    """Read every ``*.yaml``/``*.yml`` under ``catalog_dir`` (or that one file).

    Returns the validated DesiredState, or raises ``DesiredStateError`` carrying
    every problem found, each located as ``FILE:LINE:COL``. Only regular files
    inside the catalog are read: a symlink leading out of it (or a loop) is
    reported at its own path and nothing of its target is read.
    """
    root = Path(catalog_dir)
    if root.is_symlink() and not _inside(root, Path.cwd().resolve()):
        raise DesiredStateError([_outside(root)])
    if root.is_file():
        files, refused = ([root], []) if _inside(root, root.parent.resolve()) else ([], [_outside(root)])
    elif root.is_dir():
        files, refused = catalog_files(root)
    else:
        raise DesiredStateError([Diagnostic("error", f"catalog directory '{display_path(root)}' does not exist")])
    if not files and not refused:
        raise DesiredStateError([Diagnostic("error", f"no catalog files (*.yaml, *.yml) under '{display_path(root)}'")])
    with gcpause.paused():
        reader = _Reader()
        reader.diagnostics += refused
        for path in files:
            reader.read_file(path)
        return reader.finish()


def find_files(root: Path) -> list[Path]:
    """The catalog files under ``root`` (``catalog_files``, without the refused symlinks)."""
    return catalog_files(root)[0]


def catalog_files(root: Path) -> tuple[list[Path], list[Diagnostic]]:
    """YAML files under ``root``, recursively, sorted by their path as text, and a
    diagnostic for each symlink that leaves ``root`` or loops.

    Names starting with "." (editor and tool droppings, hidden folders) are
    skipped, as Terraform skips them in a configuration directory. Symlinked
    folders are never entered (a file in one inside the catalog is read at its
    own path); a symlinked file is read only when its target is inside ``root``.
    """
    real_root = root.resolve()
    files, refused = [], []
    for folder, dirs, names in os.walk(root):       # followlinks=False
        here = Path(folder)
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in dirs:
            if (here / name).is_symlink() and not _inside(here / name, real_root):
                refused.append(_outside(here / name))
        for name in names:
            path = here / name
            if name.startswith(".") or path.suffix not in (".yaml", ".yml"):
                continue
            if path.is_symlink() and not _inside(path, real_root):
                refused.append(_outside(path))
            else:
                files.append(path)
    return sorted(files, key=lambda p: p.as_posix()), refused


def _inside(path: Path, real_root: Path) -> bool:
    """Whether ``path``, its symlinks followed, exists inside ``real_root`` (False for a loop)."""
    try:
        return path.resolve(strict=True).is_relative_to(real_root)
    except (OSError, RuntimeError):         # RuntimeError: a symlink loop, before Python 3.13
        return False


def _outside(path: Path) -> Diagnostic:
    try:
        path.resolve(strict=True)
        why = ""
    except FileNotFoundError:
        why = " (its target does not exist)"
    except (OSError, RuntimeError):
        why = " (a loop)"
    return Diagnostic("error", f"symlink outside the catalog{why}: not read", SourceRange(display_path(path), 1, 1))


def display_path(path: Path) -> str:
    """``path`` relative to the working directory when under it, else as given.

    Symlinks are not followed: a file is named where the catalog has it.
    """
    try:
        return Path(os.path.abspath(path)).relative_to(Path.cwd()).as_posix()
    except ValueError:
        return path.as_posix()


class _Reader:
    """Collects objects, the store block and diagnostics across all files."""

    def __init__(self) -> None:
        self.diagnostics: list[Diagnostic] = []
        self.found: list[tuple[str, DesiredObject]] = []      # (kind, object) in file order
        self.files: list[str] = []
        self.store: StoreSettings | None = None
        self.store_values: Mapping[str, SourceRange] = {}
        self.table = SourceTable()          # where every value was written (desired/sources.py)
        self.decimals: dict[str, Decimal | str] = {}     # shared by the files' builders, dropped after loading
        self.strings: dict[str, str] = {}
        self.plain: dict[str, Any] = {}     # a plain scalar's text -> its value (``_Events``)
        self.total_bytes = 0
        self.text: str = ""                 # the file being read, for ``written``
        self.lines: list[str] | None = None
        self.aliases = _AliasBudget()       # shared by every file's builder

    def read_file(self, path: Path) -> None:
        file = display_path(path)
        self.files.append(file)
        text = self._read_text(path, file)
        if text is None:
            return
        self.text, self.lines = text, None
        try:
            if _EVENTS and self._read_events(file, text):
                return
            root = self._compose(text, file)
            if root is not None:
                self._read_root(file, root)
        finally:
            self.text, self.lines = "", None     # kept while the file is read, for ``written``

    def _read_events(self, file: str, text: str) -> bool:
        """The file read straight from libyaml's events (``_Events``), when it is plain:
        False, with nothing recorded, when it is anything else (then it is composed)."""
        table = self.table
        mark = len(table.pos), table.odd_keys
        table.start_file(file)
        try:
            events = _Events(text, table, self.strings, self.decimals, self.plain, self.store is None,
                             self.aliases.left)
            tops = events.read()
            if events.spent > self.aliases.left:
                raise _Fallback     # composing reports the budget spent, where
            self.aliases.left -= events.spent
        except (_Fallback, yaml.YAMLError):
            table.files.pop()
            table.file_starts.pop()
            for column in (table.pos, table.keys, table.ends):
                del column[mark[0]:]
            table.odd_keys = mark[1]
            return False
        kinds = {kind.plural: kind for kind in top_level_kinds()}
        for name, start, items in tops:
            if name == "store":
                raw, root, _ = items[0]
                self._store_block(raw, root, table.range(root, start))
                continue
            kind = kinds[name]
            for i, (fields, root, first) in enumerate(items):
                key = fields.get(kind.key)
                label = f"{kind.name} '{key}'" if isinstance(key, str) and key else f"{kind.plural}[{i}]"
                self._take(kind, label, fields, root, table.range(root, first))
        return True

    def _read_root(self, file: str, root: Node) -> None:
        self.table.start_file(file)
        b = _Builder(file, self.diagnostics, self.table, self.decimals, self.strings, self.aliases)
        if not isinstance(root, MappingNode):
            if not (isinstance(root, ScalarNode) and root.tag == NULL):
                b.error(f"expected a mapping of top-level keys ({_top_level_names()}), got {_describe(root)}", root)
            return
        self._read_tops(b, root)

    def _read_tops(self, b: _Builder, root: MappingNode) -> None:
        tops = {kind.plural: kind for kind in top_level_kinds()}
        for key, value in b.pairs(root, ""):
            kind = tops.get(key.value)     # sub-resources (variants, ...) live inside their parent
            if key.value == "store":
                self._read_store(b, key, value)
            elif kind is not None:
                self._read_list(b, kind, value)
            elif key.value.startswith("x-"):
                pass    # a place for YAML anchors to share, as in Compose files: "x-defaults: &tie"
            else:
                b.error(f"unknown top-level key '{excerpt(key.value)}' ({_hint(key.value)})", key)

    def _compose(self, text: str, file: str) -> Node | None:
        try:
            return yaml.compose(text, Loader=_LOADER)
        except yaml.YAMLError as exc:
            if "nesting depth" in str(exc):     # libyaml's own limit (1,000 levels)
                self.diagnostics.append(_too_deep(exc, file))
                return None
        # libyaml words its errors differently: re-parse with the pure-Python
        # parser so messages and positions are the same on every machine.
        try:
            return yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError as exc:
            self.diagnostics.append(_syntax_diagnostic(exc, file, text))
        except RecursionError:
            self.diagnostics.append(Diagnostic("error", f"YAML nested deeper than {MAX_DEPTH} levels",
                                               SourceRange(file, 1, 1)))
        return None

    def written(self, source: SourceRange) -> str | None:
        """The plain scalar written at ``source`` in the file being read (for messages)."""
        if source.file != self.files[-1]:
            return None
        if self.lines is None:
            self.lines = self.text.splitlines()
        line = self.lines[source.line - 1] if 0 < source.line <= len(self.lines) else ""
        found = _PLAIN.match(line, source.col - 1)
        return found.group(0) if found else None

    def _read_text(self, path: Path, file: str) -> str | None:
        """The file's text, if it is a regular file within the size limits, else a diagnostic."""
        def refuse(message: str) -> None:
            self.diagnostics.append(Diagnostic("error", message, SourceRange(file, 1, 1)))
        try:
            # Symlinks were checked (catalog_files): open the target, and only a regular file.
            fd = os.open(path.resolve(), os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        except OSError as exc:
            return refuse(f"cannot read file: {exc.strerror}")
        with os.fdopen(fd, "rb") as f:
            info = os.fstat(f.fileno())
            if not stat.S_ISREG(info.st_mode):
                return refuse("not a regular file: not read")
            if info.st_size > MAX_FILE_BYTES:
                return refuse(f"file is larger than the limit of {MAX_FILE_BYTES >> 20} MB "
                              f"({info.st_size / 2**20:.0f} MB): split it")
            over, self.total_bytes = self.total_bytes > MAX_TOTAL_BYTES, self.total_bytes + info.st_size
            if over:
                return None     # reported at the file that went past the limit
            if self.total_bytes > MAX_TOTAL_BYTES:
                return refuse(f"the catalog is larger than the limit of {MAX_TOTAL_BYTES >> 20} MB in all: "
                              "this file and the ones after it are not read")
            data = f.read(MAX_FILE_BYTES + 1)
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            return refuse(f"file is not UTF-8 text (bad byte at offset {exc.start})")

    def _read_store(self, b: _Builder, key: ScalarNode, node: Node) -> None:
        if self.store is not None:
            b.error(f"store: defined again (first defined at {self.store.source})", key)
            return
        start = b.at(key)
        b.label = "store"
        raw: Any = {}
        if isinstance(node, MappingNode):
            raw, root = b.build(node)
            b.label = None
            self._store_block(raw, root, start)
            return
        if not (isinstance(node, ScalarNode) and node.tag == NULL):
            b.error(f"expected a mapping of store settings, got {_describe(node)}", node)
        b.label = None
        self.store = _store_settings(raw, start)

    def _store_block(self, raw: dict[str, Any], root: int, start: SourceRange) -> None:
        """The store block built (node ``root``, its ``store`` key at ``start``): checked and kept."""
        self.store_values = SourceMap(self.table, root, raw)
        located = Located("store", raw, start, self.store_values, SourceMap(self.table, root, raw, keys=True),
                          self.written)
        self.diagnostics += validate.check_schema(validate.STORE_SCHEMA, located)
        self.store = _store_settings(raw, start)

    def _read_list(self, b: _Builder, kind: ResourceKind, node: Node) -> None:
        if isinstance(node, ScalarNode) and node.tag == NULL:
            return
        if not isinstance(node, SequenceNode):
            b.error(f"{kind.plural}: expected a list of {kind.plural}, got {_describe(node)}", node)
            return
        for i, item in enumerate(node.value):
            if not isinstance(item, MappingNode):
                b.error(f"{kind.plural}[{i}]: expected a mapping of {kind.name} fields, got {_describe(item)}", item)
                continue
            key = _peek(item, kind.key)
            b.label = f"{kind.name} '{key}'" if key else f"{kind.plural}[{i}]"
            fields, root = b.build(item)
            self._take(kind, b.label, fields, root, b.at(item.value[0][0] if item.value else item))
            b.label = None

    def _take(self, kind: ResourceKind, label: str, fields: dict[str, Any], root: int, start: SourceRange) -> None:
        """One object built (node ``root``, its first key at ``start``): checked and kept."""
        quick = quick_check(kind.schema)
        if quick is None or not quick(fields):
            located = Located(label, fields, start, SourceMap(self.table, root, fields),
                              SourceMap(self.table, root, fields, keys=True), self.written)
            self.diagnostics += validate.check_schema(kind.schema, located)
        if isinstance(fields.get(kind.key), str) and fields[kind.key]:
            obj = DesiredObject.located(kind.name, fields[kind.key], fields, start, self.table, root, fields)
            self.found.append((kind.name, obj))

    def finish(self) -> DesiredState:
        store = self.store or StoreSettings(existing=_existing({}))
        objects: dict[str, dict[str, DesiredObject]] = {kind.name: {} for kind in REGISTRY}
        seen: set[tuple[str, str]] = set()
        for kind, obj in self.found:
            folded = (kind, REGISTRY[kind].fold(obj.key))
            if folded not in seen:      # later duplicates are reported, the first is kept
                seen.add(folded)
                objects[kind][obj.key] = obj
        diagnostics = self.diagnostics + validate.check_duplicates(self.found)
        diagnostics += validate.check_unique_fields(objects)
        flagged = frozenset(d.source for d in diagnostics if d.source)
        diagnostics += validate.check_references(objects, store, flagged)
        diagnostics += validate.check_existing_overlap(objects, store, self.store_values)
        flagged = frozenset(d.source for d in diagnostics if d.source)
        diagnostics += rules.check_store(store, self.store_values)
        diagnostics += validate.check_rules(objects, store, flagged, self.store_values)
        diagnostics += validate.check_kinds(objects, store, flagged)
        if diagnostics:
            unique = {(d.source, d.summary): d for d in diagnostics}    # merged anchors repeat
            raise DesiredStateError(sorted(unique.values(), key=Diagnostic.sort_key))
        self.table.loaded()
        children.expand_children(objects, store)
        return DesiredState(objects=objects, store=store, files=sorted(self.files), digest=digest(objects, store))


_PLAIN = re.compile(r"[^\s,\[\]{}#'\"]+")     # a plain scalar, as flow and block styles end it


class _Builder:
    """Turns the composed nodes of one file into plain values, recording positions.

    Each value built is a node of the load's ``SourceTable`` (desired/sources.py),
    numbered in the order built: where the value starts, where its mapping key
    starts, where its subtree ends. Dotted paths ("categories.1") are made only
    for the messages of values that cannot be read.
    """

    def __init__(self, file: str, diagnostics: list[Diagnostic], table: SourceTable,
                 decimals: dict[str, Decimal | str], strings: dict[str, str],
                 aliases: _AliasBudget | None = None) -> None:
        self.file = file
        self.aliases = aliases or _AliasBudget()
        self._built: set[int] = set()       # collections built once: built again, they are an alias
        self._depth = 0
        self.diagnostics = diagnostics
        self.table = table
        self.label: str | None = None       # "product 'CT-BLK100'" while building one object
        self._active: set[int] = set()      # collections being built, to catch recursive aliases
        self._pos, self._keys, self._ends = table.pos.append, table.keys.append, table.ends
        self._decimals = decimals           # source text -> its Decimal, shared by equal texts
        self._strings = strings             # text -> the one string object kept for it

    def at(self, node: Node) -> SourceRange:
        mark = node.start_mark
        return SourceRange(self.file, mark.line + 1, mark.column + 1)

    def error(self, message: str, node: Node, path: str = "") -> None:
        prefix = "".join(f"{p}: " for p in (self.label, path) if p)
        self.diagnostics.append(Diagnostic("error", prefix + message, self.at(node)))

    def build(self, node: MappingNode) -> tuple[dict[str, Any], int]:
        """An object (or the store block) as a plain dict, and its node in the table."""
        root = len(self._ends)
        mark = node.start_mark
        self._pos(mark.line << 32 | mark.column)
        self._keys(NO_KEY)
        self._ends.append(root + 1)
        return self._collection(node, "", root), root

    def _collection(self, node: Node, path: str, index: int) -> Any:
        """A mapping or list (already recorded as node ``index``) and everything in it."""
        if id(node) in self._active:
            self.error("an alias refers to the mapping or list that contains it", node, path)
            return None
        if self._depth >= MAX_DEPTH:
            self.error(f"YAML nested deeper than {MAX_DEPTH} levels", node, path)
            return None
        if id(node) in self._built and not self.aliases.spend(len(node.value)):
            self.aliases.refuse(self, node, path)
            return None
        self._built.add(id(node))
        self._active.add(id(node))
        self._depth += 1
        record_pos, record_key, ends = self._pos, self._keys, self._ends
        out: Any
        try:
            if isinstance(node, SequenceNode):
                out = []
                append = out.append
                for i, item in enumerate(node.value):
                    n = len(ends)
                    mark = item.start_mark
                    record_pos(mark.line << 32 | mark.column)
                    record_key(NO_KEY)
                    ends.append(n + 1)
                    if isinstance(item, ScalarNode):
                        append(self.scalar(item, path, i))
                    else:
                        append(self._collection(item, f"{path}.{i}" if path else str(i), n))
            else:
                out = {}
                for key, value in self.pairs(node, path):
                    name = _key_name(self.table, key.value)
                    n = _entry(ends, record_key, record_pos, key.start_mark, value.start_mark)
                    if isinstance(value, ScalarNode):
                        out[name] = self.scalar(value, path, name)
                    else:
                        out[name] = self._collection(value, f"{path}.{name}" if path else name, n)
            ends[index] = len(ends)
            return out
        finally:
            self._depth -= 1
            self._active.discard(id(node))

    def pairs(self, node: MappingNode, path: str) -> list[tuple[ScalarNode, Node]]:
        """The (key, value) pairs of a mapping, merges (``<<: *anchor``) applied.

        A key written twice is reported and the first one kept; explicit keys win
        over merged ones, and earlier merged mappings over later ones (YAML 1.1).
        """
        first: dict[str, ScalarNode] = {}
        explicit: list[tuple[ScalarNode, Node]] = []
        merged: list[tuple[ScalarNode, Node]] = []
        for key, value in node.value:
            if not isinstance(key, ScalarNode):
                self.error("a key must be a plain name, not a list or mapping", key, path)
            elif key.tag == MERGE:
                merged += self._merged(value, path)
            elif key.value in first:
                line = first[key.value].start_mark.line + 1
                self.error(f"duplicate key '{excerpt(key.value)}' (first at line {line})", key, path)
            else:
                first[key.value] = key
                explicit.append((key, value))
        if not merged:
            return explicit
        out = []
        for key, value in merged:
            if key.value not in first:
                first[key.value] = key
                out.append((key, value))
        return out + explicit

    def _merged(self, node: Node, path: str) -> list[tuple[ScalarNode, Node]]:
        sources = node.value if isinstance(node, SequenceNode) else [node]
        out: list[tuple[ScalarNode, Node]] = []
        for source in sources:
            if isinstance(source, MappingNode):
                if self._depth >= MAX_DEPTH:
                    self.error(f"merges ('<<') nested deeper than {MAX_DEPTH} levels", source, path)
                    return out
                self._depth += 1
                try:
                    found = self.pairs(source, path)
                finally:
                    self._depth -= 1
                if not self.aliases.spend(len(found)):      # a merge copies every pair it brings
                    self.aliases.refuse(self, source, path)
                    return out
                out += found
            else:
                self.error("'<<' must be followed by a mapping or a list of mappings", source, path)
        return out

    def scalar(self, node: ScalarNode, parent: str, name: str | int) -> Any:
        """The value of a scalar written at ``name`` (a key, or an index) inside ``parent``'s path."""
        tag = node.tag
        if tag == STR:
            # Equal texts share one string (option labels, channels, brands repeat).
            text = node.value
            return self._strings.setdefault(text, text)
        if tag == FLOAT:
            # Equal texts share one Decimal (money repeats: 12.50 is written many times).
            text = node.value
            number = self._decimals.get(text)
            if number is None:
                number = self._decimals[text] = _decimal(text)
            return number
        if tag in (TIMESTAMP, VALUE):
            return node.value
        try:
            if tag == INT:
                return _CONSTRUCTOR.construct_yaml_int(node)
            if tag == BOOL:
                return _CONSTRUCTOR.construct_yaml_bool(node)
            if tag == NULL:
                return None
        except (ValueError, KeyError):
            self.error(f"'{excerpt(node.value)}' cannot be read as {tag.rpartition(':')[2]}", node, _join(parent, name))
            return node.value
        self.error(f"unsupported YAML tag '{tag}'", node, _join(parent, name))
        return node.value


_CPARSER = yaml.cyaml.CParser if yaml.__with_libyaml__ else None
_EVENTS = _CPARSER is not None     # without libyaml every file is composed by the pure-Python loader
_RESOLVER = yaml.resolver.Resolver()
_SCALAR_EVENT, _MAPPING_START, _SEQUENCE_START = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent
_MAPPING_END, _SEQUENCE_END = yaml.MappingEndEvent, yaml.SequenceEndEvent
_NONE = object()
_EVENT_DEPTH = 32       # deeper than any catalog: composed instead (which reports MAX_DEPTH)


class _Fallback(Exception):
    """The file is not plain (``_Events``): compose it instead."""


class _Events:
    """A plain catalog file built straight from libyaml's event stream, without nodes.

    Composing the file into PyYAML nodes, resolving each node's tag in Python and then
    walking the nodes (``_Builder``) was two thirds of the per-file load. Here each
    value is built as its event arrives, recording the same ``SourceTable`` nodes in
    the same order as ``_Builder`` (so positions, paths and messages are identical),
    and each plain scalar's text is resolved once per load. Only the common shape is
    built so: one document, a mapping of known top-level keys, the store a mapping,
    each kind a list of mappings; no merges, explicit tags, dates, duplicate or
    non-scalar keys, anchors redefined, and nothing a scalar cannot be read as. An
    anchored value's events are kept and an alias of it replays them, so it is built
    again at each use with the anchor's positions, spending the alias budget as
    ``_Builder`` does (anchors on objects themselves and on top-level values are
    composed; ``x-`` values are built for their anchors, then dropped). Anything else
    raises ``_Fallback`` (a syntax error raises ``yaml.YAMLError``) and the file is
    composed and built by ``_Builder``, which reports whatever is wrong exactly.
    """

    def __init__(self, text: str, table: SourceTable, strings: dict[str, str],
                 decimals: dict[str, Decimal | str], plain: dict[str, Any], store: bool, budget: int) -> None:
        self._raw = self._next = _CPARSER(text).get_event
        self._store = store                 # whether a store block may come (none read yet)
        self._anchors: dict[str, tuple[int, list[Any] | None, Any]] = {}  # name -> (packed, events, scalar)
        self._recorders: list[list[Any]] = []   # the events of each anchored collection being read
        self._replaying = 0                 # aliases being built again (nested)
        self._built: set[Any] = set()       # collections (their start events) built, that aliases may build again
        self._dry = False                   # building an ``x-`` value: not built, as far as aliases count
        self.spent = 0                      # values aliases added (``_AliasBudget``)
        self._budget = budget               # what is left of it: past that, stop and compose
        self.table = table
        self._pos, self._keys, self._ends = table.pos.append, table.keys.append, table.ends
        self._strings, self._decimals, self._plain = strings, decimals, plain

    def read(self) -> list[tuple[str, int, list[tuple[dict[str, Any], int, int]]]]:
        """(top-level key, its packed position, [(fields, node, packed first key), ...]) in file order."""
        get = self._next
        if type(get()) is not yaml.StreamStartEvent or type(get()) is not yaml.DocumentStartEvent:
            raise _Fallback
        event = get()
        if type(event) is not _MAPPING_START or event.anchor is not None or event.tag is not None:
            raise _Fallback
        kinds = {kind.plural for kind in top_level_kinds()}
        out: list[tuple[str, int, list[tuple[dict[str, Any], int, int]]]] = []
        seen: set[str] = set()
        while True:
            key = get()
            if type(key) is _MAPPING_END:
                break
            name = self._key(key)
            if name in seen:
                raise _Fallback
            seen.add(name)
            mark = key.start_mark
            at = mark.line << 32 | mark.column
            value = get()
            if name.startswith("x-"):
                self._shared(value)
            elif value.anchor is not None or getattr(value, "tag", None) is not None:
                raise _Fallback
            elif name == "store" and type(value) is _MAPPING_START and self._store:
                out.append((name, at, [self._object(value)]))
            elif name in kinds and type(value) is _SEQUENCE_START:
                items = []
                while True:
                    item = get()
                    if type(item) is _SEQUENCE_END:
                        break
                    if type(item) is not _MAPPING_START or item.anchor is not None or item.tag is not None:
                        raise _Fallback
                    items.append(self._object(item))
                out.append((name, at, items))
            elif not (name in kinds and type(value) is _SCALAR_EVENT and self._scalar(value) is None):
                raise _Fallback     # unknown key, a kind that is not a list, the store not a mapping
        if type(get()) is not yaml.DocumentEndEvent or type(get()) is not yaml.StreamEndEvent:
            raise _Fallback         # another document follows
        return out

    def _key(self, event: Any) -> str:
        if type(event) is not _SCALAR_EVENT or event.anchor is not None or event.tag is not None:
            raise _Fallback
        if event.implicit[0] and event.value == "<<":
            raise _Fallback         # a merge
        return _intern(event.value)

    def _object(self, event: Any) -> tuple[dict[str, Any], int, int]:
        root = len(self._ends)
        mark = event.start_mark
        packed = mark.line << 32 | mark.column
        self._pos(packed)
        self._keys(NO_KEY)
        self._ends.append(root + 1)
        fields = self._mapping(root, 1)
        first = self.table.keys[root + 1] if len(self._ends) > root + 1 else packed
        return fields, root, first

    def _mapping(self, index: int, depth: int) -> dict[str, Any]:
        get, ends, record_pos, record_key = self._next, self._ends, self._pos, self._keys
        table = self.table
        out: dict[str, Any] = {}
        while True:
            key = get()
            if type(key) is _MAPPING_END:
                ends[index] = len(ends)
                return out
            if type(key) is not _SCALAR_EVENT or key.anchor is not None or key.tag is not None:
                raise _Fallback
            name = key.value
            if name in out or (name == "<<" and key.implicit[0]):
                raise _Fallback     # a duplicate key, a merge
            name = _key_name(table, name)
            value = get()
            out[name] = self._value(value, _entry(ends, record_key, record_pos, key.start_mark, value.start_mark),
                                    depth)

    def _sequence(self, index: int, depth: int) -> list[Any]:
        get, ends, record_pos, record_key = self._next, self._ends, self._pos, self._keys
        out: list[Any] = []
        append = out.append
        while True:
            item = get()
            if type(item) is _SEQUENCE_END:
                ends[index] = len(ends)
                return out
            n = len(ends)
            mark = item.start_mark
            record_pos(mark.line << 32 | mark.column)
            record_key(NO_KEY)
            ends.append(n + 1)
            append(self._value(item, n, depth))

    def _value(self, event: Any, n: int, depth: int) -> Any:
        kind = type(event)
        if kind is _SCALAR_EVENT:
            return self._scalar(event)
        if kind is yaml.AliasEvent:
            return self._alias(event, n, depth)
        if event.tag is not None or depth >= _EVENT_DEPTH or kind not in (_MAPPING_START, _SEQUENCE_START):
            raise _Fallback
        anchor = None if self._replaying else event.anchor
        again = False
        if (anchor is not None or self._recorders or self._replaying) and not self._dry:   # may be built again
            again = event in self._built
            self._built.add(event)
        if anchor is None:
            value = self._mapping(n, depth + 1) if kind is _MAPPING_START else self._sequence(n, depth + 1)
            if again:
                self.spent += len(value)    # as composing counts: each value of a collection built again
                if self.spent > self._budget:
                    raise _Fallback         # a "billion laughs": composing refuses it, and says where
            return value
        if anchor in self._anchors:
            raise _Fallback     # an anchor defined again: which one an alias means is left to composing
        events = [event]
        self._recorders.append(events)
        before, self._next = self._next, self._recording
        try:
            value = self._mapping(n, depth + 1) if kind is _MAPPING_START else self._sequence(n, depth + 1)
        finally:
            self._next = before
            self._recorders.pop()
        mark = event.start_mark
        self._anchors[anchor] = (mark.line << 32 | mark.column, events, None)
        return value

    def _recording(self) -> Any:
        event = self._raw()
        for events in self._recorders:
            events.append(event)
        return event

    def _alias(self, event: Any, n: int, depth: int) -> Any:
        """The anchored value built again, where the anchor was written (as a composed alias is)."""
        found = self._anchors.get(event.anchor)
        if found is None:
            raise _Fallback     # not defined, or the collection that contains the alias
        packed, events, scalar = found
        self.table.pos[n] = packed
        if events is None or self._dry:
            return scalar       # in an ``x-`` value only the events are kept: nothing is built again
        before, self._next = self._next, iter(events[1:]).__next__
        self._replaying += 1
        try:
            return self._value(events[0], n, depth)
        finally:
            self._next = before
            self._replaying -= 1

    def _scalar(self, event: Any) -> Any:
        if event.tag is not None:
            raise _Fallback
        if event.anchor is not None and not self._replaying:
            if event.anchor in self._anchors:
                raise _Fallback
            mark = event.start_mark
            value = self._scalar_value(event)
            self._anchors[event.anchor] = (mark.line << 32 | mark.column, None, value)
            return value
        return self._scalar_value(event)

    def _scalar_value(self, event: Any) -> Any:
        text = event.value
        if not event.implicit[0]:       # quoted, or a block scalar: text
            return self._strings.setdefault(text, text)
        value = self._plain.get(text, _NONE)
        if value is _NONE:
            value = self._plain[text] = self._read_plain(text)
        return value

    def _read_plain(self, text: str) -> Any:
        tag = self._tag(text)
        if tag == STR:
            return self._strings.setdefault(text, text)
        if tag == FLOAT:
            number = self._decimals.get(text)
            if number is None:
                number = self._decimals[text] = _decimal(text)
            return number
        try:
            if tag == INT:
                return _CONSTRUCTOR.construct_yaml_int(ScalarNode(tag, text))
            if tag == BOOL:
                return _CONSTRUCTOR.construct_yaml_bool(ScalarNode(tag, text))
        except (ValueError, KeyError):
            raise _Fallback from None
        if tag == NULL:
            return None
        raise _Fallback     # a date, "=", or a tag PyYAML resolves that the loader does not read

    @staticmethod
    def _tag(text: str) -> str:
        return _RESOLVER.resolve(ScalarNode, text, (True, False))

    def _shared(self, event: Any) -> None:
        """An ``x-`` key's value: built for the anchors in it, then dropped, as if never read
        (composing reads no ``x-`` value: nothing in it is recorded or spends the budget)."""
        table = self.table
        n, odd = len(table.pos), table.odd_keys
        self._pos(0)
        self._keys(NO_KEY)
        self._ends.append(n + 1)
        self._dry = True
        try:
            self._value(event, n, 1)
        finally:
            self._dry = False
        for column in (table.pos, table.keys, table.ends):
            del column[n:]
        table.odd_keys = odd


class _AliasBudget:
    """How many more values aliases and merges may add to the catalog (``MAX_ALIAS_VALUES``).

    An alias of a mapping or list is built again at each use, so nested aliases
    multiply (a "billion laughs"): each use spends the values it holds, and
    once the budget is spent every further use is refused, reported once per file.
    """

    def __init__(self) -> None:
        self.left = MAX_ALIAS_VALUES
        self.reported: set[str] = set()

    def spend(self, values: int) -> bool:
        self.left -= values
        return self.left >= 0

    def refuse(self, builder: _Builder, node: Node, path: str) -> None:
        if builder.file not in self.reported:
            self.reported.add(builder.file)
            builder.error(f"aliases expand to more than {MAX_ALIAS_VALUES:,} values in the catalog "
                          "(a YAML alias is copied at each use): write the values out, or share fewer", node, path)


def _key_name(table: SourceTable, name: str) -> str:
    """A mapping key as kept (interned); an empty or dotted one makes paths take the slow, exact search."""
    if not name or "." in name:
        table.odd_keys = True
    return _intern(name)


def _entry(ends: Any, record_key: Any, record_pos: Any, key_mark: Any, value_mark: Any) -> int:
    """Record a mapping entry (its key's and value's marks) as the next node; its number."""
    n = len(ends)
    record_key(key_mark.line << 32 | key_mark.column)
    record_pos(value_mark.line << 32 | value_mark.column)
    ends.append(n + 1)
    return n


def _join(parent: str, name: str | int) -> str:
    """The dotted path of ``name`` inside ``parent`` ("" at the top: just the name)."""
    return f"{parent}.{name}" if parent else str(name)


_intern = sys.intern    # mapping keys repeat in every object: one string each


def _decimal(text: str) -> Decimal | str:
    """A YAML float as the Decimal of its source text; .inf/.nan stay text (and fail the schema)."""
    try:
        value = Decimal(text.replace("_", ""))
    except InvalidOperation:
        return text
    return value if value.is_finite() else text


def _peek(node: MappingNode, key_field: str) -> str | None:
    """The object's key as written, before building it, for labelling messages."""
    for key, value in node.value:
        if isinstance(key, ScalarNode) and key.value == key_field:
            if isinstance(value, ScalarNode) and value.tag == STR and value.value:
                return value.value
    return None


def _describe(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    return f"'{excerpt(node.value)}'"


def _too_deep(exc: yaml.YAMLError, file: str) -> Diagnostic:
    mark = getattr(exc, "problem_mark", None)
    source = SourceRange(file, mark.line + 1, mark.column + 1) if mark else SourceRange(file, 1, 1)
    return Diagnostic("error", f"YAML nested deeper than {MAX_DEPTH} levels", source)


def _top_level_names() -> str:
    return ", ".join(["store"] + [kind.plural for kind in top_level_kinds()])


def _hint(name: str) -> str:
    close = difflib.get_close_matches(name, ["store"] + [kind.plural for kind in top_level_kinds()], n=1)
    return f"did you mean '{close[0]}'?" if close else f"expected one of: {_top_level_names()}"


def _syntax_diagnostic(exc: yaml.YAMLError, file: str, text: str) -> Diagnostic:
    if isinstance(exc, yaml.reader.ReaderError):
        pos = exc.position
        line = text.count("\n", 0, pos) + 1
        col = pos - (text.rfind("\n", 0, pos) + 1) + 1
        return Diagnostic("error", f"YAML syntax error: character {exc.character!r} is not allowed ({exc.reason})",
                          SourceRange(file, line, col))
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    message = f"YAML syntax error: {getattr(exc, 'problem', None) or exc}"
    context, context_mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
    if context and context_mark is not None:
        message += f" ({context} at line {context_mark.line + 1})"
    source = SourceRange(file, mark.line + 1, mark.column + 1) if mark else SourceRange(file, 1, 1)
    return Diagnostic("error", message, source)


def _store_settings(raw: Any, source: SourceRange) -> StoreSettings:
    raw = raw if isinstance(raw, dict) else {}
    tree = raw.get("category_tree_id", 1)
    channels = raw.get("channels", {"uk-main": 1})
    return StoreSettings(
        existing=_existing(raw.get("existing")),
        category_tree_id=_int(tree, 1),
        channels={n: i for n, i in channels.items() if _int(i, 0) > 0} if isinstance(channels, dict) else {},
        max_price_drop_percent=_guardrail(raw.get("guardrails"), "max_price_drop_percent", Decimal(30)),
        prune=frozenset(p for p in raw.get("prune") or [] if isinstance(p, str)),
        max_deletes=_int((raw.get("deletion") or {}).get("max_objects", 10), 10),
        max_delete_percent=_guardrail(raw.get("deletion"), "max_percent", Decimal(5)),
        confirm_deletes=_int((raw.get("deletion") or {}).get("confirm"), None),
        quota_share=_share(raw.get("quota_share")),
        targeted_undated="all" if raw.get("targeted_undated") == "all" else "in-scope",
        raw=raw,
        source=source,
        **_kinds_settings(raw),
    )


def _share(value: Any) -> float | None:
    """store.quota_share (the schema has checked 0 < share <= 1)."""
    return float(value) if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool) else None


def _kinds_settings(raw: dict[str, Any]) -> dict[str, Any]:
    """The settings kinds read from the store block themselves (``ResourceKind.store_settings``)."""
    out: dict[str, Any] = {}
    for kind in REGISTRY:
        if kind.store_settings is not None:
            out.update(kind.store_settings(raw))
    return out


def _guardrail(block: Any, name: str, default: Decimal) -> Decimal:
    """A number from ``store.guardrails`` as Decimal (30 and 30.0 alike), else the default."""
    value = block.get(name) if isinstance(block, dict) else None
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        return default
    return Decimal(value)


def _int(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _existing(block: Any) -> dict[str, set[str]]:
    """``existing: {brands: [...]}`` keyed by kind name, one entry per kind it may list."""
    allowed = validate.load_schema(validate.STORE_SCHEMA)["properties"]["existing"]["properties"]
    block = block if isinstance(block, dict) else {}
    out = {}
    for kind in REGISTRY:
        if kind.plural in allowed:
            names = block.get(kind.plural)
            out[kind.name] = {n for n in names if isinstance(n, str)} if isinstance(names, list) else set()
    return out


def digest(objects: dict[str, dict[str, DesiredObject]], store: StoreSettings,
           registry: Registry = REGISTRY) -> str:
    """sha256 of the desired content, independent of file layout and object order.

    Decimals are compared by value (12.50 and 12.5 give the same digest).
    Sub-resources are digested as the derived objects, not as the parent's
    fields they come from: an option label 4.80 is the text "4.80", not the
    number 4.8. Kinds without objects are left out, so registering a new kind
    leaves the digest of a catalog that does not use it as it was.
    """
    def content(kind: ResourceKind, obj: DesiredObject) -> dict[str, Any]:
        owned = registry.child_fields(kind)
        if not owned:
            return obj.fields
        return {k: v for k, v in obj.fields.items() if k not in owned}

    # Kinds with no objects are left out: a kind added to the tool changes no digest of
    # a catalog that does not use it (saved plans stay valid across the upgrade).
    doc = {
        "store": store.raw,
        "objects": {
            kind.name: [content(kind, o) for o in sorted(objects[kind.name].values(),
                                                         key=lambda o: kind.fold(o.key))]
            for kind in registry if objects.get(kind.name)   # a kind nobody uses: as if unregistered
        },
    }
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_json_default)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    raise TypeError(f"cannot digest {type(value).__name__}")
