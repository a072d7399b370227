"""catalog import, the content: each kind's live objects as the values its YAML files
hold, the files each kind is written to, store.existing and the store settings the
kinds infer.

Nothing here names a kind. What differs per kind is an ``import_*`` field of its
ResourceKind (the ``# -- import: layout --`` block in resources/base.py), set in
resources/<kind>.py; the hooks get the ``_Documents`` below as ``ctx``. A child kind
(a product's variants, a price list's records) is written inside its parent, under
its ``owner_field``: by its ``import_fold`` when it has one, else as the list of its
objects' fields, sorted by key (``_Documents.fold``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal
from typing import Any, Iterable

from reconciler.core.live import LiveObject, LiveState
from reconciler.resources import REGISTRY, Registry
from reconciler.resources.base import ResourceKind

from reconciler.importer.common import CatalogImportError, slugify, unique_slugs
from reconciler.importer.writer import Money, _Flow, _FlowMap, _flow, _Writer


def _empty(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, (list, dict)) and not value)


def _unset(kind: ResourceKind, name: str, value: Any) -> bool:
    """``value`` is what the store gives ``name`` when nobody set it (``sale_price: 0``)."""
    if name not in kind.import_unset:
        return False
    default = kind.import_unset[name]
    return isinstance(value, bool) == isinstance(default, bool) and value == default


def _by_key(obj: LiveObject) -> tuple[str, str]:
    return obj.key.casefold(), obj.key


def _ordered(doc: dict, order: tuple[str, ...]) -> dict:
    """``doc`` with the fields of ``order`` first, in that order; the others after, as they came."""
    return {**{k: doc[k] for k in order if k in doc}, **{k: v for k, v in doc.items() if k not in order}}


class _Documents:
    """The live objects of each kind as the plain values the YAML files hold; the
    helpers the kinds' import hooks call (as ``ctx``)."""

    flow = staticmethod(_flow)          # short lists and mappings on one line
    flow_list = _Flow                   # a list on one line, however long: [uk-main, us-trade]
    flow_map = _FlowMap                 # a mapping on one line: {Width: 2.5mm}
    money = Money                       # a Decimal written with two places or more

    def __init__(self, live: LiveState, writer: _Writer, registry: Registry = REGISTRY) -> None:
        self.live = live
        self.writer = writer
        self.registry = registry
        self.warnings: list[str] = []
        self.below_cost: list[str] = []                  # written with acknowledge: [below_cost]
        self.costs: dict[str, Any] = {}                  # folded SKU -> the cost its price records are held to
        self._children: dict[str, dict[str, list[LiveObject]]] = defaultdict(lambda: defaultdict(list))
        self._folded: dict[str, list[ResourceKind]] = defaultdict(list)   # parent kind -> child kinds, in order
        for kind in registry:
            if kind.parent and kind.owner_field:
                self._folded[kind.parent].append(kind)
            for obj in live.of(kind.name).values() if kind.parent else ():
                self._children[kind.name][(obj.parent or "").casefold()].append(obj)
        self.inexpressible, self.left_out = inexpressible(live, registry)

    # -- one object ----------------------------------------------------------------------------

    def document(self, obj: LiveObject) -> dict:
        """``obj`` as its YAML mapping: the kind's ``import_doc``, or its fields and children."""
        kind = self.registry[obj.kind]
        doc = kind.import_doc(obj, self) if kind.import_doc else self.fold(obj, self.pick(obj))
        return _ordered(doc, kind.import_fields) if kind.import_fields else doc

    def pick(self, obj: LiveObject, order: Iterable[str] | None = None) -> dict:
        """The fields of ``obj`` in ``order`` (the kind's ``import_fields``) that someone set,
        money marked as Money, lists on one line when short."""
        kind = self.registry[obj.kind]
        made = kind.import_made(obj) if kind.import_made else frozenset()
        out: dict[str, Any] = {}
        for name in order or kind.import_fields or tuple(obj.fields):
            value = obj.fields.get(name)
            if _empty(value) or _unset(kind, name, value) or name in made:
                continue
            if name in kind.money_fields and isinstance(value, Decimal):
                value = Money(value)
            out[name] = _flow(value) if isinstance(value, list) else value
        return out

    def children(self, obj: LiveObject, kind: str) -> list[LiveObject]:
        """The live objects of child kind ``kind`` under ``obj``, as read."""
        return list(self._children[kind][obj.key.casefold()])

    def fold(self, obj: LiveObject, doc: dict) -> dict:
        """``doc`` with each child kind's objects under its ``owner_field`` (registry order)."""
        for kind in self._folded[obj.kind]:
            found = self.children(obj, kind.name)
            value = kind.import_fold(found, obj, doc, self) if kind.import_fold else self._listed(kind, found)
            if value is not None:
                doc[kind.owner_field] = value
        return doc

    def _listed(self, kind: ResourceKind, found: list[LiveObject]) -> list | None:
        """A child kind without ``import_fold``: its objects' documents, in its order."""
        return [self.flow(self.document(o)) for o in sorted(found, key=kind.import_sort or _by_key)] or None

    def channel(self, name: str, channel_id: int | None = None) -> str:
        """A channel's name in store.channels (``_Writer.channel``)."""
        return self.writer.channel(name, channel_id)

    def unresolved(self, owner: str, values: Iterable[Any]) -> None:
        """Warn about references read as "#<id>": objects the store's catalog does not hold."""
        for v in values:
            if isinstance(v, str) and re.fullmatch(r"#\d+", v):
                self.warnings.append(f"{owner} refers to {v[1:]}, which is not in the store's catalog "
                                     f"(another category tree?): written as '{v}'; validate will point at it")

    def check_prices(self, label: str, doc: dict, cost: Any) -> None:
        """The store's prices as they are, against the catalog's money rules
        (desired/pricing.py): selling below cost is acknowledged, so the catalog
        validates and a reviewer sees it; a sale price not below the price cannot
        be, and is reported."""
        price, sale = doc.get("price"), doc.get("sale_price")
        if price is not None and sale is not None and sale >= price:
            self.warnings.append(f"{label}: sale_price {sale} is not below price {price} in the store; "
                                 "validate will refuse it until one of them is changed")
        if cost is not None and any(v is not None and v < cost for v in (price, sale)):
            doc["acknowledge"] = _Flow(["below_cost"])
            self.below_cost.append(label)

    # -- one kind's files ------------------------------------------------------------------------

    def files(self, kind: ResourceKind) -> list[tuple[str, str | None, list[dict]]]:
        """(file name, group title, documents) for a top-level kind, files by name."""
        objs = sorted((o for o in self.live.of(kind.name).values() if (o.kind, o.key.casefold()) not in self.left_out),
                      key=kind.import_sort or _by_key)
        if "{}" not in kind.import_file:
            return [(kind.import_file, None, [self.document(o) for o in objs])]
        groups: dict[str, list[LiveObject]] = defaultdict(list)
        titles: dict[str, str | None] = {}
        for obj in objs:
            title = kind.import_group(obj) if kind.import_group else obj.key
            titles.setdefault(title.casefold() if title else "", title)
            groups[title.casefold() if title else ""].append(obj)
        names = unique_slugs({k: slugify(titles[k] or "") or kind.import_ungrouped for k in sorted(groups, key=bool)})
        return [(kind.import_file.format(names[k]), titles[k], [self.document(o) for o in groups[k]])
                for k in sorted(groups, key=lambda k: names[k])]


# -- what YAML cannot express ------------------------------------------------------------------

def inexpressible(live: LiveState, registry: Registry = REGISTRY) -> tuple[list[tuple[str, str]], set[tuple[str, str]]]:
    """([(top-level kind, why)] for each object left out, parents first, with the children
    that go with it counted; {(kind, folded key)} of those objects and their children): the
    kinds' ``import_inexpressible``, so catalog import names every object it does not write."""
    reasons: dict[tuple[str, str], tuple[str, str]] = {}
    root: dict[tuple[str, str], tuple[str, str]] = {}        # left out -> the object it goes with
    kids: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for kind in registry.ordered():        # parents first: a left-out parent's children go with it
        for obj in live.of(kind.name).values():
            at, parent = (kind.name, obj.key.casefold()), (kind.parent, (obj.parent or "").casefold())
            if kind.parent and parent in root:
                root[at] = root[parent]
                kids[root[at]][kind.plural] += 1
                continue
            why = kind.import_inexpressible(obj, live) if kind.import_inexpressible else None
            if why:
                reasons[at], root[at] = (kind.parent or kind.name, why), at
    return [(top, why + _with(kids.get(at))) for at, (top, why) in reasons.items()], set(root)


def _with(counts: dict[str, int] | None) -> str:
    """The children left out with an object, as "(with it: 2 variants, 1 channel_assignments)"."""
    return f" (with it: {', '.join(f'{n} {plural}' for plural, n in counts.items())})" if counts else ""


# -- store.existing and the store settings ------------------------------------------------------

def existing(live: LiveState, wanted: set[str], registry: Registry = REGISTRY,
             left_out: set[tuple[str, str]] = frozenset()) -> dict[str, set[str]]:
    """What the imported objects (not those ``left_out``) refer to among the kinds left out, by
    plural, in registry order (``import_refers``); a kind store.existing cannot list is refused
    (``existing_refused``)."""
    refs: dict[str, set[str]] = defaultdict(set)
    for kind in registry:
        if (kind.parent or kind.name) in wanted and kind.import_refers:
            for obj in live.of(kind.name).values():
                if (kind.name, obj.key.casefold()) in left_out:
                    continue
                for target, key in kind.import_refers(obj.fields):
                    refs[target].add(key)
    for target, names in refs.items():
        if names and target not in wanted and registry[target].existing_refused:
            raise CatalogImportError(f"--kinds: {registry[target].existing_refused}")
    return {kind.plural: {n for n in refs[kind.name] if not n.startswith("#")} for kind in registry
            if refs.get(kind.name) and kind.name not in wanted and not kind.existing_refused}


def store_settings(live: LiveState, wanted: set[str], rules, refs: dict[str, set[str]],
                   registry: Registry = REGISTRY) -> list[tuple[list[str], dict]]:
    """(comment lines, {store.yaml key: value}) the wanted kinds infer (``import_store``),
    e.g. the SKU convention; what those settings name among kinds left out goes to ``refs``."""
    out = []
    for kind in registry:
        if kind.name in wanted and kind.import_store:
            comment, block, named = kind.import_store(live, rules)
            out.append((comment, block))
            for target, key in named:
                if target not in wanted:
                    refs.setdefault(registry[target].plural, set()).add(key)
    return out
