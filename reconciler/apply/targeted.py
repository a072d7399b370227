"""The targeted plan (``catalog plan --refresh targeted``): read only what may differ.

A complete apply leaves the store as the catalog says (its next plan is empty). Since then
an object can differ from the catalog only when

- the catalog changed it: its fields against the last-applied state (apply/last_applied.py),
  an object the state holds that the catalog no longer has, a ``renamed_from``;
- the store changed it: a top-level kind with a date filter (``modified_filter``: products)
  by ``date_modified`` since the apply's read, a read-apart kind with one (``read_changed``:
  price records) the same per parent;
- another writer deleted it: no date shows that, so the store's count of each dated kind
  (and per parent) must equal the baseline's objects plus the ones changed since — the
  baseline holds their ids (top-level) or keys (read apart), the apply's own deletes taken
  out (``after_apply``).

Kinds without a date (brands, categories, price lists, customer groups, assignments) are
read whole: they are few. The plan is made from the catalog's objects those reads cover
and the store's objects read, which is the full plan restricted to them: an object outside
both is as the last apply left it. Where it cannot be sure the read is a full one, and the
plan's ``refresh`` line says why: no last-applied state or no baseline in it (the last apply
did not finish every change, was partial, or predates this), another store, changed store
settings, a baseline older than ``MAX_AGE``, a renamed parent of a read-apart kind, a count
that does not add up, a changed row without a key.

A sub-resource whose writes do not move its parent's date (``list_undated``: channel
listings; no date, filter or webhook shows another writer's, FACTS.md §8, §12, §13) is read
only for the parents in scope (with them: ``read_include``). The rest is not re-read, and the
plan says so (``LiveState.unread``, the ``refresh`` line): how many parents, and since when
the whole kind was last listed (``undated_read_at`` in the baseline). A count of the listing
cannot prove nothing changed (one unlisting and one listing keep it), so none is made. The
whole kind is listed again, as before, when ``store.targeted_undated: all`` says so, when
that listing is older than ``MAX_AGE`` (so the gap is never longer than the weekly drift
job's full read), and by every full read.

What it trusts, as ``--refresh incremental`` does: that the store moves a product's
``date_modified`` when its variants, options, custom fields, images or bulk pricing rules
change (the sandbox does; BigCommerce does not say, FACTS.md §13), and that the clocks of
the store and of this machine agree within ``OVERLAP``.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from reconciler.core.live import LiveState
from reconciler.core.refs import RefIndex
from reconciler.desired.model import DesiredState
from reconciler.plan.baseline import _dated, settings_digest
from reconciler.resources import REGISTRY, Registry
from reconciler.resources.base import RENAMED_FROM
from reconciler.store import cache
from reconciler.store.read import Touched, read_live, read_touched

OVERLAP = cache.OVERLAP
MAX_AGE = cache.MAX_AGE


@dataclass
class Targeted:
    desired: DesiredState     # the catalog's objects the read covers (all of it after a full read)
    live: LiveState           # ``live.refresh``: the plan's one line on how the store was read


def read_targeted(client, desired: DesiredState, last, *, registry: Registry = REGISTRY,
                  overlap: timedelta = OVERLAP) -> Targeted:
    """The store as far as a plan of ``desired`` against it can differ from the last apply's
    (``last``: a LastApplied or None), with the catalog's part it covers; a full read, and
    why, when it cannot be sure."""
    why = _unusable(client, desired, last)
    if why is None:
        targeted = _Reader(client, desired, last, registry, overlap).read()
        if isinstance(targeted, Targeted):
            return targeted
        why = targeted
    live = read_live(client, desired.store, registry)
    live.refresh = f"full read: {why}"
    return Targeted(desired, live)


def _unusable(client, desired: DesiredState, last) -> str | None:
    if last is None:
        return "no last-applied state"
    base = getattr(last, "baseline", None)
    if not base:
        return ("the last-applied state has no baseline (the last apply did not finish every change, "
                "was partial, or was made before targeted plans)")
    if base.get("store_hash") != client.transport.config.store_hash:
        return "the last apply was to another store"
    if base.get("settings") != settings_digest(desired.store):
        return "the store settings changed since the last apply"
    try:
        read_at = datetime.fromisoformat(base["read_at"])
    except (KeyError, TypeError, ValueError):
        return "the last-applied state's baseline is unreadable"
    if cache.now() - read_at > MAX_AGE:
        return f"the last apply's read is older than {MAX_AGE.days} days"
    return None


def _not_reread(unread: dict[str, dict], registry: Registry) -> str:
    """The plan's words for what a targeted read did not re-read (``LiveState.unread``)."""
    parts = []
    for name, what in unread.items():
        kind, parent = registry[name], registry[what["parent_kind"]]
        parts.append(f"{kind.words[1]} of {what['parents']:,} {parent.words[1 if what['parents'] != 1 else 0]} "
                     f"(last listed {what['since']})")
    if not parts:
        return ""
    return ("; not re-read: " + ", ".join(parts) + ": the store dates no such change, so another writer's "
            "shows only in a full read (the weekly drift job's, `--refresh full`) or with "
            "store.targeted_undated: all; a targeted plan lists them again after "
            f"{MAX_AGE.days} days")


def _total(data) -> int | None:
    pagination = ((data or {}).get("meta") or {}).get("pagination") or {} if isinstance(data, dict) else {}
    total = pagination.get("total")
    return int(total) if total is not None else None


class _Listed:
    """The client for this read's ``read_touched``: a plain listing of an endpoint this read
    has listed already (a read-apart kind's parents: the price lists, for their counts) is
    answered with those rows (copies) instead of asking the store again a moment later."""

    def __init__(self, client, listed: dict[str, list[dict]]):
        self._client, self._listed = client, listed

    def __getattr__(self, name: str):
        return getattr(self._client, name)

    def list_all(self, path: str, params: dict | None = None, **kw) -> list[dict]:
        if path in self._listed and not params and not kw:
            return copy.deepcopy(self._listed[path])
        return self._client.list_all(path, params, **kw)


class _Reader:
    def __init__(self, client, desired: DesiredState, last, registry: Registry, overlap: timedelta):
        self.client, self.desired, self.last, self.registry = client, desired, last, registry
        self.base = last.baseline
        self.since = (datetime.fromisoformat(self.base["read_at"]) - overlap).strftime("%Y-%m-%dT%H:%M:%SZ")
        self.top, self.apart = _dated(registry)
        self.top_names = {k.name for k in self.top}
        # What the read covers: top-level dated keys (folded -> as written), and per
        # read-apart kind {parent key folded: {key folded: (key, live id or None)} or None (all)}.
        self.wanted: dict[str, dict[str, str]] = {k.name: {} for k in self.top}
        self.items: dict[str, dict[str, dict | None]] = {k.name: {} for k in self.apart}
        self.skus: set[str] = set()          # SKUs (folded) whose read-apart children are read
        self.catalog = self.store = 0
        self.unread: list = []               # list_undated kinds not listed (``_undated_listed``)
        self.listed: dict[str, list[dict]] = {}   # endpoint -> the parents' rows this read listed
        self.listed_at: str | None = None    # when those were last listed whole

    # -- what the catalog changed -------------------------------------------------------

    def _catalog_changed(self) -> str | None:
        last, desired = self.last, self.desired
        seen: set[str] = set()
        for kind in self.registry.ordered():
            for obj in desired.of(kind.name).values():
                ident = last.ident(kind.name, obj.key)
                seen.add(ident)
                fields = {f: v for f, v in obj.fields.items() if f != "acknowledge"}
                old = obj.fields.get(RENAMED_FROM)
                if isinstance(old, str):
                    if kind.name in self.top_names:
                        self.wanted[kind.name][old.casefold()] = old
                    elif kind.parent in self.top_names:
                        self.skus.add(old.casefold())
                    elif any(a.parent == kind.name for a in self.apart) and old.casefold() in \
                            self.base["children"].get(self._apart_of(kind.name), {}):
                        return f"{kind.name} {obj.key!r} is renamed from {old!r}"
                if last.objects.get(ident) == fields:
                    continue
                self.catalog += 1
                self._cover(kind, obj.key, obj.parent, obj.fields)
        for ident in last.objects.keys() - seen:
            kind_name, key = ident.split("\t", 1)
            if kind_name not in self.registry:
                continue
            self.catalog += 1
            kind = self.registry[kind_name]
            if kind.name in self.top_names:
                self.wanted[kind.name].setdefault(key, key)
            elif kind.parent in self.top_names:
                self.skus.add(key)
            elif kind.name in self.items:
                parent = next((p for p in self._parents(kind) if key.startswith(p + ":")), None)
                if parent is None:
                    return f"the last-applied {kind.name} {key!r} names no price list known"
                self._item(kind.name, parent, key, None)
        return None

    def _apart_of(self, parent_kind: str) -> str:
        return next(a.name for a in self.apart if a.parent == parent_kind)

    def _parents(self, kind) -> list[str]:
        names = {k.casefold() for k in self.desired.of(kind.parent)}
        names |= set(self.base["children"].get(kind.name, {}))
        return sorted(names, key=len, reverse=True)

    def _cover(self, kind, key: str, parent: str | None, fields: dict) -> None:
        if kind.name in self.top_names:
            self.wanted[kind.name][key.casefold()] = key
        elif kind.parent in self.top_names and parent:
            self.wanted[kind.parent][parent.casefold()] = parent
        elif kind.name in self.items and parent:
            self._item(kind.name, parent.casefold(), key, None)
            sku = fields.get(kind.sku_field) if kind.sku_field else None
            if isinstance(sku, str):
                self.skus.add(sku.casefold())

    def _item(self, kind: str, parent: str, key: str, live_id) -> None:
        per = self.items[kind]
        if parent in per and per[parent] is None:
            return
        per.setdefault(parent, {})[key.casefold()] = (key, live_id)

    # -- what the store changed ---------------------------------------------------------

    def read(self) -> "Targeted | str":
        started = cache.now().isoformat()
        why = self._catalog_changed()
        if why:
            return why
        client = self.client
        asks: dict[str, Any] = {}
        for kind in self.top:
            asks[f"count {kind.name}"] = lambda k=kind: client.get(k.endpoint, {"limit": 1}).data
            asks[f"changed {kind.name}"] = lambda k=kind: client.list_all(
                k.endpoint, {k.modified_filter: self.since, "include_fields": k.key})
        for kind in self.apart:
            parent = self.registry[kind.parent]
            asks[f"parents {kind.name}"] = lambda p=parent: client.list_all(p.endpoint)
        undated = self._undated_listed()
        for kind in undated:
            asks[f"undated {kind.name}"] = lambda k=kind: k.list_undated(client)
        got = client.gather(asks)
        known: dict[str, Any] = {}
        for kind in self.top:
            why = self._top_changed(kind, got[f"count {kind.name}"], got[f"changed {kind.name}"], known)
            if why:
                return why
        for kind in undated:
            self._undated_changed(kind, got[f"undated {kind.name}"], known[kind.parent])
        for kind in self.apart:
            self.listed[self.registry[kind.parent].endpoint] = got[f"parents {kind.name}"]
            why = self._apart_changed(kind, got[f"parents {kind.name}"], known)
            if why:
                return why
        return self._read_covered(started, known)

    def _top_changed(self, kind, count, rows: list[dict], known: dict) -> str | None:
        base = self.base["keys"].get(kind.name, {})
        actual = _total(count)
        ids = set(base) | {str(r.get(kind.id_field)) for r in rows}
        if actual is None or actual != len(ids):
            return (f"the store has {actual} {kind.plural}, {len(ids)} expected from the last apply and the "
                    f"changes since: another writer deleted some")
        for row in rows:
            key = str(row.get(kind.key) or "")
            if not key:
                return f"a {kind.name} changed in the store since the last apply has no {kind.key}"
            self.store += 1
            self.wanted[kind.name][key.casefold()] = key
            was = base.get(str(row.get(kind.id_field)))
            if was and was.casefold() != key.casefold():      # renamed by another writer
                self.wanted[kind.name][was.casefold()] = was
        for key in self.desired.store.existing.get(kind.name, ()):
            self.wanted[kind.name].setdefault(key.casefold(), key)
        known[kind.name] = dict(base)
        return None

    def _undated_listed(self) -> list:
        """The ``list_undated`` kinds this read lists whole: all of them when the settings
        ask (``targeted_undated: all``) or the last listing is older than ``MAX_AGE``, else
        none (``self.unread``: the ones not listed)."""
        kinds = [k for k in self.registry.ordered() if k.list_undated and k.parent in self.top_names]
        listed_at = self.base.get("undated_read_at") or self.base["read_at"]
        try:
            old = cache.now() - datetime.fromisoformat(listed_at) > MAX_AGE
        except (TypeError, ValueError):
            old = True
        if old or self.desired.store.targeted_undated == "all":
            self.listed_at = None        # this read's start: every kind listed now
            return kinds
        self.listed_at = listed_at
        self.unread = kinds
        return []

    def _unread(self) -> dict[str, dict]:
        """{kind: {"parents": N, "parent_kind", "since"}}: the catalog's parents outside the
        read whose undated children (written in the YAML) were not re-read."""
        out: dict[str, dict] = {}
        for kind in self.unread:
            keep = self.wanted[kind.parent]
            n = sum(1 for key, obj in self.desired.of(kind.parent).items()
                    if kind.owner_field in obj.fields and key.casefold() not in keep)
            if n:
                out[kind.name] = {"parents": n, "parent_kind": kind.parent, "since": self.listed_at}
        return out

    def _undated_changed(self, kind, listing: dict, ids: dict[str, str]) -> None:
        """The parents whose store children (one listing) differ from the catalog's."""
        mine: dict[str, set[str]] = {}
        for obj in self.desired.of(kind.name).values():
            mine.setdefault((obj.parent or "").casefold(), set()).add(obj.key.casefold())
        listing = {str(pid): values for pid, values in listing.items()}
        refs = RefIndex()
        for pid, key in ids.items():
            parent = self.desired.get(kind.parent, key)
            if parent is None or kind.owner_field not in parent.fields or key.casefold() in self.wanted[kind.parent]:
                continue
            row = {"id": int(pid), kind.read_include: listing.get(pid, [])}
            have = {o.key.casefold() for o in kind.live_from_parent(row, key, refs, self.desired.store)}
            if have != mine.get(key.casefold(), set()):
                self.store += 1
                self.wanted[kind.parent][key.casefold()] = key

    def _apart_changed(self, kind, parents: list[dict], known: dict) -> str | None:
        """Per parent (price list): its count against the baseline, its rows changed since."""
        parent_kind = self.registry[kind.parent]
        base = self.base["children"].get(kind.name, {})
        desired_parents = {k.casefold() for k in self.desired.of(kind.parent)}
        rows = {str(r.get(parent_kind.key) or "").casefold(): r for r in parents}
        for name in desired_parents - set(base):
            self.items[kind.name][name] = None            # new since the last apply: read whole
        asks: dict[str, Any] = {}
        client = self.client
        for name, row in rows.items():
            if name not in base:
                continue
            path = kind.endpoint.format(parent_id=row["id"])
            asks[f"count {name}"] = lambda path=path: client.get(path, {"limit": 1}).data
            fake = {**row, kind.owner_field: []}
            asks[f"changed {name}"] = lambda fake=fake: (kind.read_changed(
                client, [fake], self.since, lambda cached, fresh, key: fresh), fake)[1]
        got = client.gather(asks)
        refs = RefIndex()
        for name, keys in base.items():
            if name not in rows:
                if name in desired_parents:
                    return f"{parent_kind.name} {name!r} was deleted in the store since the last apply"
                continue
            if self.items[kind.name].get(name, {}) is None:
                continue
            fake = got[f"changed {name}"]
            changed = kind.live_from_parent(fake, str(rows[name].get(parent_kind.key)), refs, self.desired.store)
            actual = _total(got[f"count {name}"])
            expected = set(keys) | {o.key.casefold() for o in changed}
            if actual is None or actual != len(expected):
                return (f"{parent_kind.name} {name!r} has {actual} {kind.plural} in the store, {len(expected)} "
                        "expected from the last apply and the changes since: another writer deleted some")
            for obj in changed:
                self.store += 1
                self._item(kind.name, name, obj.key, obj.id)
                sku = obj.fields.get(kind.sku_field) if kind.sku_field else None
                if isinstance(sku, str):
                    self.skus.add(sku.casefold())
        known[kind.name] = {name: list(keys) for name, keys in base.items()}
        return None

    # -- the read and the catalog's part it covers ----------------------------------------

    def _owners(self) -> dict[str, tuple[str, str]]:
        """{SKU folded: (top-level kind, its key)}: a product's own SKU and its children's keys."""
        out: dict[str, tuple[str, str]] = {}
        for kind in self.registry.ordered():
            if kind.parent in self.top_names:
                for obj in self.desired.of(kind.name).values():
                    out[obj.key.casefold()] = (kind.parent, obj.parent or "")
        for name in self.top_names:
            for key in self.desired.of(name):
                out[key.casefold()] = (name, key)
        return out

    def _read_covered(self, started: str, known: dict) -> "Targeted":
        owners = self._owners()
        for sku in list(self.skus):          # the products of changed records, for their costs
            if sku in owners:
                kind, key = owners[sku]
                self.wanted[kind].setdefault(key.casefold(), key)
        covered = {name: set(keys) for name, keys in self.wanted.items()}
        for sku, (kind, key) in owners.items():   # every SKU of a covered product: its records
            if key.casefold() in covered[kind]:
                self.skus.add(sku)
        for kind in self.apart:
            for obj in self.desired.of(kind.name).values():
                sku = obj.fields.get(kind.sku_field) if kind.sku_field else None
                if isinstance(sku, str) and sku.casefold() in self.skus and obj.parent:
                    self._item(kind.name, obj.parent.casefold(), obj.key, None)
            for sku in self.skus - {str(o.fields.get(kind.sku_field) or "").casefold()
                                    for o in self.desired.of(kind.name).values()}:
                # A SKU the catalog no longer prices (a removed variant): its records in every
                # list, by SKU (price_record._read_touched reads "List:SKU:CUR" keys by SKU).
                for parent in self._parents(kind):
                    self._item(kind.name, parent, f"{parent}:{sku}:", None)
        touched = Touched()
        for kind in self.registry.ordered():
            if kind.parent:
                continue
            if kind.name in self.top_names:
                touched.keys[kind.name] = set(self.wanted[kind.name].values())
            else:
                touched.keys[kind.name] = set(self.desired.of(kind.name))
                if kind.names:
                    for obj in self.desired.of(kind.name).values():
                        for named, keys in kind.names(obj.fields).items():
                            touched.named.setdefault(named, set()).update(keys)
        for kind in self.registry.ordered():
            if kind.parent and kind.read_apart:
                if kind.name in self.items:
                    touched.children[kind.name] = {
                        p: (None if v is None else list(v.values())) for p, v in self.items[kind.name].items()}
                else:
                    touched.children[kind.name] = None      # undated: every parent's, whole
        live = read_touched(_Listed(self.client, self.listed), touched, self.desired.store, self.registry)
        live.read_at, live.store_hash, live.known = started, self.client.transport.config.store_hash, known
        live.undated_read_at, live.unread = self.listed_at, self._unread()
        part = self._part(live)
        n = sum(len(objs) for objs in live.objects.values())
        live.refresh = (f"targeted read: {n} objects (catalog changed {self.catalog} since the last apply, "
                        f"store changed {self.store} since {self.base['read_at']})") + _not_reread(
                            live.unread, self.registry)
        return Targeted(part, live)

    def _part(self, live: LiveState) -> DesiredState:
        """The catalog's objects the read covers: the undated kinds whole, the covered
        products with their children, the read-apart objects read or asked for."""
        objects: dict[str, dict] = {}
        for kind in self.registry.ordered():
            wanted = self.desired.of(kind.name)
            if kind.name in self.top_names:
                keep = self.wanted[kind.name]
                wanted = {k: o for k, o in wanted.items() if k.casefold() in keep}
            elif kind.parent in self.top_names:
                keep = self.wanted[kind.parent]
                wanted = {k: o for k, o in wanted.items() if (o.parent or "").casefold() in keep}
            elif kind.name in self.items:
                read = set(live.of(kind.name))
                per = self.items[kind.name]
                wanted = {k: o for k, o in wanted.items() if k.casefold() in read
                          or per.get((o.parent or "").casefold(), {}) is None
                          or k.casefold() in (per.get((o.parent or "").casefold()) or {})}
            objects[kind.name] = dict(wanted)
        return DesiredState(objects=objects, store=self.desired.store, files=self.desired.files,
                            digest=self.desired.digest)
