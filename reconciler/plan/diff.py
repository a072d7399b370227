"""build_plan(desired, live) -> Plan. Set arithmetic on keys, then per-field comparison.

    added   = desired - live      -> create (every field written in YAML)
    common  = desired & live      -> update (only fields written in YAML that differ)
    live - desired                -> unmanaged: listed, never touched
    renamed_from: OLD, store has OLD -> ONE update of the key field on the store's object

DeepDiff does the inner comparison on normalised values; its result is turned
into FieldChange objects at once so no deepdiff type reaches the Plan.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

from deepdiff import DeepDiff

from reconciler.core.address import Address
from reconciler.core.objects import DesiredObject

from reconciler.desired.model import DesiredState
from reconciler.core.diagnostics import Diagnostic
from reconciler.core.errors import DesiredStateError
from reconciler.core.live import LiveObject, LiveState
from reconciler.plan.guardrails import below_cost, mark_mass_deletes, mark_price_drops
from reconciler.plan.impact import price_impact
from reconciler.plan.model import Action, FieldChange, Plan, ResourceChange
from reconciler.plan.baseline import baseline_of
from reconciler.resources import REGISTRY, Registry
from reconciler.resources.base import RENAMED_FROM, ResourceKind, fold_refs, fold_text

log = logging.getLogger(__name__)


def build_plan(desired: DesiredState, live: LiveState, *, registry: Registry = REGISTRY,
               store: dict[str, str] | None = None, allow_price_drop: bool = False,
               allow_deletes: int | None = None, last_applied=None) -> Plan:
    """Compare desired with live; raise DesiredStateError for problems only the store reveals.

    Price changes past the guardrails are marked ``blocked`` (apply refuses them)
    unless acknowledged in YAML or ``allow_price_drop``; ``plan.impact`` says what
    the plan does to prices per customer group and channel."""
    diagnostics = _check_existing(desired, live)
    plan = Plan(
        desired_digest=desired.digest,
        store=dict(store or {}),
        created_at=datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
    )
    renames: dict[str, dict[str, str]] = {}    # kind -> {new key folded: the store's old key}
    for kind in registry.ordered():
        plan.changes += _compare_kind(kind, desired, live, plan, diagnostics, registry, renames)
    diagnostics += below_cost(plan, desired, live)
    mark_price_drops(plan, desired, live, allow=allow_price_drop)
    mark_mass_deletes(plan, desired, live, allow=allow_deletes)
    plan.impact = price_impact(plan, desired, live)
    plan.refresh = live.refresh
    plan.unread = live.unread
    plan.baseline = baseline_of(live, desired.store, registry)
    _mark_origins(plan, live, last_applied, registry)
    if diagnostics:
        raise DesiredStateError(diagnostics)
    return plan


def _compare_kind(kind: ResourceKind, desired: DesiredState, live: LiveState, plan: Plan,
                  diagnostics: list[Diagnostic], registry: Registry = REGISTRY,
                  renames: dict[str, dict[str, str]] | None = None) -> list[ResourceChange]:
    wanted = desired.of(kind.name)
    have = live.of(kind.name)
    renames = {} if renames is None else renames
    if kind.renamable:
        renames[kind.name] = _renames(kind, wanted, have, diagnostics)
    back = _parts_renamed(kind, renames, registry)
    creates, updates, deletes = [], [], []
    matched: set[str] = set()    # live keys (folded) the desired objects stand for
    gone = _replaced_keys(plan, kind.gone_with[0]) if kind.gone_with else set()
    for obj in wanted.values():
        current = have.get(obj.key.casefold())
        if current is None and back and obj.fields.get("delete") is not True:
            current = _moved(kind, obj, have, renames.get(kind.name, {}), back)
            if current is not None:
                matched.add(current.key.casefold())
                change = _update(kind, obj, current, registry, back=back)
                updates += [change] if change else []
                continue
        matched.add(obj.key.casefold())
        if current is not None and gone and str(obj.fields.get(kind.gone_with[1], "")).casefold() in gone:
            creates.append(_create(kind, obj, live, reason="with_replaced_" + kind.gone_with[0], registry=registry))
            continue
        if obj.fields.get("delete") is True:
            # A tombstone: the YAML asks for this object to be deleted.
            if current is not None:
                deletes.append(_delete(kind, current, desired, reason="marked_for_deletion", source=obj))
            continue
        if current is None:
            missing = [f for f in kind.required_on_create if f not in obj.fields]
            if missing:
                diagnostics.append(Diagnostic(
                    "error",
                    f"{kind.name} {obj.key!r} is not in the store; creating it needs " + ", ".join(missing),
                    obj.source,
                ))
                continue
            creates.append(_create(kind, obj, live, registry=registry))
        elif _replaced(kind, obj, current):
            deletes.append(_delete(kind, current, desired, reason="replace:" + ",".join(sorted(kind.replace_fields))))
            creates.append(_create(kind, obj, live, reason=deletes[-1].reason, registry=registry))
        else:
            change = _update(kind, obj, current, registry, back=back)
            if change:
                updates.append(change)
    absent = [o for fk, o in have.items() if fk not in matched]
    if kind.parent:
        # A sub-resource is deleted only when its parent's YAML owns the whole list.
        for obj in absent:
            parent = desired.get(kind.parent, obj.parent or "")
            if parent is not None and kind.owner_field in parent.fields:
                deletes.append(_delete(kind, obj, desired, reason="absent_from_desired"))
        # One the read left without a parent (a record of a product without a SKU) is
        # in no YAML: listed, like a top-level object no YAML declares.
        loose = sorted(o.key for o in absent if o.parent is None)
        if loose:
            plan.unmanaged[kind.name] = loose
    elif kind.name in desired.store.prune:
        # What store.existing declares is referred to, never managed: never pruned.
        keep = {kind.fold(k) for k in desired.store.existing.get(kind.name, ())}
        deletes += [_delete(kind, obj, desired, reason="absent_from_desired") for obj in absent
                    if kind.fold(obj.key) not in keep]
    elif absent:
        plan.unmanaged[kind.name] = sorted(o.key for o in absent)
    rank = kind.create_rank or (lambda key: 0)
    creates.sort(key=lambda c: (str(c.parent or ""), rank(c.key), c.key))
    updates.sort(key=lambda c: (str(c.parent or ""), c.key))
    deletes.sort(key=lambda c: (str(c.parent or ""), c.key))
    return deletes + creates + updates


def _renames(kind: ResourceKind, wanted: dict[str, DesiredObject], have: dict[str, LiveObject],
             diagnostics: list[Diagnostic]) -> dict[str, str]:
    """{new key folded: the store's old key} of this kind's ``renamed_from`` the store has
    yet to see: the old key in the store, the new one not. Done already (the new key in
    the store, the old gone): nothing. Both in the store, the old key declared as an object
    of its own, or named by two renames: a diagnostic at the ``renamed_from``."""
    out: dict[str, str] = {}
    declared = {fold_text(k) for k in wanted}
    for obj in wanted.values():
        old = obj.fields.get(RENAMED_FROM)
        if not isinstance(old, str) or obj.fields.get("delete") is True:
            continue
        problem = _rename_problem(kind, obj, old, have, declared, out)
        if problem:
            diagnostics.append(Diagnostic("error", problem, obj.source_of(RENAMED_FROM)))
        elif fold_text(old) in have and fold_text(obj.key) not in have:
            out[fold_text(obj.key)] = have[fold_text(old)].key
    return out


def _rename_problem(kind: ResourceKind, obj: DesiredObject, old: str, have: dict[str, LiveObject],
                    declared: set[str], seen: dict[str, str]) -> str | None:
    what = f"{kind.name} {obj.key!r} is renamed from {old!r}"
    if fold_text(old) == fold_text(obj.key):
        return f"{what}: its own key (a change of case alone needs no renamed_from)"
    if fold_text(old) in declared:
        return f"{what}, which the catalog also declares as a {kind.name} of its own: remove one of them"
    if fold_text(old) in {fold_text(v) for v in seen.values()}:
        return f"{what}, which another {kind.name} is renamed from too"
    if fold_text(old) in have and fold_text(obj.key) in have:
        return (f"{what}, but the store has both (ids {have[fold_text(old)].id} and {have[fold_text(obj.key)].id}): "
                f"delete one of them, or remove renamed_from")
    return None


def _parts_renamed(kind: ResourceKind, renames: dict[str, dict[str, str]],
                   registry: Registry) -> dict[str, dict[str, str]]:
    """What a key of this kind may name that the plan renames: {part: {new folded: old}},
    a part being the owner ("parent": its key starts a composite key) or a part of
    ``key_parts`` named as the renamed kind or its key field (a record's "sku")."""
    back: dict[str, dict[str, str]] = {}
    if renames.get(kind.name):
        back["self"] = renames[kind.name]
    if kind.parent and renames.get(kind.parent):
        back["parent"] = renames[kind.parent]
    for name, table in renames.items():
        if table and kind.key_parts and name != kind.name:
            for part in (name, registry[name].key):
                back.setdefault(part, {}).update(table)
    return back


def _moved(kind: ResourceKind, obj: DesiredObject, have: dict[str, LiveObject], own: dict[str, str],
           back: dict[str, dict[str, str]]) -> LiveObject | None:
    """The store's object a desired one stands for under the key it had before a rename:
    its own (``renamed_from``), or one its composite key names (its owner's, a part)."""
    was = own.get(fold_text(obj.key))
    if was is None and obj.key != obj.fields.get(kind.key):
        was = _followed_key(kind, obj, back)
    return have.get(was.casefold()) if was else None


def _followed_key(kind: ResourceKind, obj: DesiredObject, back: dict[str, dict[str, str]]) -> str | None:
    """A composite key as the store has it before the renames: the owner's key that starts
    it, and each renamed part (in ``key_parts`` order), put back."""
    rebuilt, rest = "", obj.key
    parent_was = back.get("parent", {}).get(fold_text(obj.parent or ""))
    if parent_was and fold_text(rest).startswith(fold_text(obj.parent)):
        rebuilt, rest = parent_was, rest[len(obj.parent):]
    if kind.key_parts:
        for part, value in kind.key_parts(obj.key, obj.parent).items():
            at = rest.find(value) if part != kind.parent else -1
            was = back.get(part, {}).get(fold_text(value)) if at >= 0 else None
            if was is not None:
                rebuilt, rest = rebuilt + rest[:at] + was, rest[at + len(value):]
    key = rebuilt + rest
    return key if key != obj.key else None


def _address(kind_name: str, key: str | None) -> Address | None:
    return Address(kind_name, key) if key else None


def _replaced_keys(plan: Plan, kind_name: str) -> set[str]:
    """Keys (casefolded) of the ``kind_name`` objects the plan so far replaces."""
    return {c.key.casefold() for c in plan.changes
            if c.kind == kind_name and c.action is Action.DELETE and c.reason.startswith("replace:")}


def _replaced(kind: ResourceKind, obj: DesiredObject, current: LiveObject) -> bool:
    return any(f in obj.fields and _differing(kind, {f: obj.fields[f]}, {f: current.fields.get(f)})
               for f in kind.replace_fields)


def _differing(kind: ResourceKind, want: dict[str, Any], have: dict[str, Any]) -> list[str]:
    """Fields whose values differ: by value for numbers, case-insensitively for
    references (the store matches names and SKUs regardless of case)."""
    out = []
    for f, w in want.items():
        h = have.get(f)
        if f in kind.ref_fields:
            w, h = fold_refs(w), fold_refs(h)
        if w != h or (w is None) != (h is None) or isinstance(w, bool) != isinstance(h, bool):
            out.append(f)
    return out


def _delete(kind: ResourceKind, current: LiveObject, desired: DesiredState, *, reason: str,
            source: DesiredObject | None = None) -> ResourceChange:
    parent = desired.get(kind.parent, current.parent) if kind.parent and current.parent else None
    log.info("Detected removed %s %r (%s)", kind.name, current.key, reason)
    return ResourceChange(
        kind=kind.name,
        key=current.key,
        action=Action.DELETE,
        changes=[FieldChange(f, v, None) for f, v in sorted(current.fields.items())],
        live_id=current.id,
        fingerprint=current.fingerprint,
        source=str(source.source) if source else str(parent.source_of(kind.owner_field)) if parent else None,
        reason=reason,
        parent=_address(kind.parent, current.parent) if kind.parent else None,
    )


def _create(kind: ResourceKind, obj: DesiredObject, live: LiveState, reason: str = "absent_from_store",
            registry: Registry = REGISTRY) -> ResourceChange:
    shown = _empty_owned_lists(kind, obj, registry)
    # A new object's set fields keep the order written: the store keeps it (option values' sort_order).
    after = {f: v if f in kind.set_fields else _normal(kind, f, v) for f, v in obj.fields.items()
             if (f not in registry.child_fields(kind) or f in shown) and f not in kind.meta_fields}
    log.info("Detected added %s %r", kind.name, obj.key)
    return ResourceChange(
        kind=kind.name,
        key=obj.key,
        action=Action.CREATE,
        changes=[FieldChange(f, None, after[f]) for f in _field_order(kind, after)],
        after=after,
        source=str(obj.source),
        reason=_with_parent(kind, obj, live) or reason,
        parent=_address(kind.parent, obj.parent) if kind.parent else None,
    )


def _empty_owned_lists(kind: ResourceKind, obj: DesiredObject, registry: Registry) -> set[str]:
    """A new object's lists of sub-resources that are written empty and are not carried
    by its own POST (``channels: []``): no child change says "none", so the create
    shows the field itself. Apply makes it so: the store may list a new product on
    channels by itself (FACTS.md 8), and apply removes those listings."""
    return {child.owner_field for child in registry.ordered()
            if child.parent == kind.name and child.owner_field and not child.created_with_parent
            and child.owner_field in obj.fields and obj.fields[child.owner_field] in ([], {})}


def _with_parent(kind: ResourceKind, obj: DesiredObject, live: LiveState) -> str | None:
    """A sub-resource of a product that is itself new is created by the product's own POST."""
    if kind.created_with_parent and obj.parent and live.get(kind.parent, obj.parent) is None:
        return "with_new_" + kind.parent
    return None


def _update(kind: ResourceKind, obj: DesiredObject, current: LiveObject,
            registry: Registry = REGISTRY, back: dict[str, dict[str, str]] | None = None) -> ResourceChange | None:
    skip = registry.child_fields(kind) | kind.meta_fields
    want = {f: _normal(kind, f, v) for f, v in obj.fields.items() if f != kind.key and f not in skip}
    have = {f: _normal(kind, f, current.fields.get(f)) for f in want}
    name, was = obj.fields.get(kind.key), current.fields.get(kind.key)
    renamed = bool(back) and fold_text(obj.key) in back.get("self", {})
    carried: dict[str, Any] = {}    # fields naming a renamed key: written with the change (a record's sku)
    if back and not renamed:
        followed = _renamed_values(kind, obj, want, have, back)
        carried = {f: want[f] for f in want if followed[f] is not have[f]}
        if isinstance(name, str) and isinstance(was, str) and fold_text(name) != fold_text(was):
            carried[kind.key] = name    # the key field of a composite key (a record's SKU)
        have = followed
    if (kind.case_renames or renamed) and name != was:
        # The same object (keys match without case, as the store compares these names):
        # the YAML's spelling is the desired name, a case change one update of it.
        want[kind.key], have[kind.key] = name, was
    suspects = _differing(kind, want, have)
    if not suspects:
        # Most objects are in sync: Python's == (Decimal("1.50") == 1.5 == Decimal("1.5"),
        # at any depth) says so in microseconds. DeepDiff, on the normalised values,
        # is for the few that differ.
        return None
    diff = DeepDiff(_comparable(kind, {f: have[f] for f in suspects}),
                    _comparable(kind, {f: want[f] for f in suspects}), ignore_order=False)
    paths = sorted(str(p) for p in diff.affected_root_keys) if diff else []
    if not paths:
        return None
    log.info("Detected changed %s %r: %s", kind.name, obj.key, paths)
    # Renamed, or named by a rename: addressed as the store has it until apply renames it.
    moved = renamed or current.key.casefold() != obj.key.casefold()
    key = current.key if moved else obj.key
    parent = current.parent if back and fold_text(obj.parent or "") in back.get("parent", {}) else obj.parent
    change = _change(kind, key, parent, paths, want, have, current, obj, "renamed" if renamed else "differs_from_desired")
    change.after = {**carried, **change.after}
    return change


def _renamed_values(kind: ResourceKind, obj: DesiredObject, want: dict[str, Any], have: dict[str, Any],
                    back: dict[str, dict[str, str]]) -> dict[str, Any]:
    """The store's values of an object a rename follows, as they will be after it: a
    field named as a renamed key part (a record's ``sku``) holding the old key."""
    out = dict(have)
    for f, value in want.items():
        was = back.get(f, {}).get(fold_text(value)) if isinstance(value, str) else None
        if was is not None and isinstance(have.get(f), str) and fold_text(have[f]) == fold_text(was):
            out[f] = value
    return out


def _change(kind: ResourceKind, key: str, parent: str | None, paths: list[str], want: dict[str, Any],
            have: dict[str, Any], current: LiveObject, obj: DesiredObject, reason: str) -> ResourceChange:
    changes = [FieldChange(p, have[p], want[p]) for p in _field_order(kind, {p: 1 for p in paths})]
    return ResourceChange(
        kind=kind.name,
        key=key,
        action=Action.UPDATE,
        changes=changes,
        after={c.path: c.after for c in changes},
        live_id=current.id,
        fingerprint=current.fingerprint,
        source=str(obj.source),
        reason=reason,
        parent=_address(kind.parent, parent) if kind.parent else None,
    )


def _normal(kind: ResourceKind, field: str, value: Any) -> Any:
    if field in kind.set_fields and isinstance(value, list):
        return sorted(value, key=str.casefold)
    if isinstance(value, float):  # never expected; guard money against binary floats
        return Decimal(repr(value))
    return value


def _comparable(kind: ResourceKind, values: dict[str, Any]) -> dict[str, Any]:
    """What equality means: references case-insensitive, numbers by value (YAML's
    ``5`` equals the store's ``5.0000``), at any depth (bulk pricing tiers)."""
    out = {}
    for f, v in values.items():
        out[f] = _number_by_value(fold_refs(v) if f in kind.ref_fields else v)
    return out


def _number_by_value(v: Any) -> Any:
    if isinstance(v, bool) or v is None:
        return v
    if isinstance(v, (int, Decimal)):
        d = Decimal(v)
        return d.normalize() if d else Decimal(0)
    if isinstance(v, dict):
        return {k: _number_by_value(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_number_by_value(x) for x in v]
    return v


def _field_order(kind: ResourceKind, fields: dict[str, Any]) -> list[str]:
    return sorted(fields, key=lambda f: (f != kind.key, f))


_MISSING = object()


def _mark_origins(plan: Plan, live: LiveState, last_applied, registry: Registry = REGISTRY) -> None:
    """Tell a PR's intent (yaml) from edits made in the store since the last apply
    (drift), using the last-applied state when there is one (apply/last_applied.py);
    and note when the store last changed each object, where the API says."""
    for change in plan.changes:
        change.live_modified = _modified(change, live)
    if last_applied is None:
        return
    plan.last_applied = last_applied.written_at
    for change in plan.changes:
        change.origin = _origin(change, last_applied.get(change.kind, change.key), registry[change.kind])
    # What goes with a replaced object (a variant's price records) has that replace's origin.
    replaced = {(c.kind, c.key.casefold()): c.origin for c in plan.changes
                if c.action is Action.CREATE and (c.reason or "").startswith("replace:")}
    for change in plan.changes:
        gone_with = registry[change.kind].gone_with
        if gone_with and change.reason == "with_replaced_" + gone_with[0]:
            owner = str(change.after.get(gone_with[1], "")).casefold()
            change.origin = replaced.get((gone_with[0], owner), change.origin)


def _origin(change: ResourceChange, last: dict | None, kind: ResourceKind) -> str:
    if change.action is Action.CREATE and (change.reason or "").startswith("replace:"):
        # Still in the store: replaced because a field it cannot update differs. The
        # YAML's doing when the YAML moved off what was applied, else the store's.
        moved = last is None or any(_number_by_value(_normal(kind, f, change.after.get(f)))
                                    != _number_by_value(_normal(kind, f, last.get(f))) for f in kind.replace_fields)
        return "yaml" if moved else "drift"
    if change.action is Action.CREATE:
        return "drift" if last is not None else "yaml"          # applied before, gone from the store now
    if change.action is Action.DELETE:
        if change.reason == "marked_for_deletion":
            return "yaml"
        return "yaml" if last is not None else "drift"          # removed from YAML / added in the store
    yaml_changed = store_changed = False
    for f in change.changes:
        was = last.get(f.path, _MISSING) if last is not None else _MISSING
        if was is _MISSING:
            yaml_changed = True                                  # not applied before: the YAML's doing
            continue
        # A set field (an option's values) in any order: the store lists labels in
        # its order, the last-applied state in the YAML's (issue 11 finding 9).
        was, before, after = (_number_by_value(_normal(kind, f.path, v)) for v in (was, f.before, f.after))
        yaml_changed |= was != after
        store_changed |= was != before
    if yaml_changed and store_changed:
        return "yaml+drift"
    return "drift" if store_changed else "yaml"


def _modified(change: ResourceChange, live: LiveState) -> str | None:
    current = live.get(change.kind, change.key)
    if current is not None and current.date_modified:
        return current.date_modified
    if change.parent:   # sub-resources without dates: a write to them moves the product's
        owner = live.get(change.parent.kind, change.parent.key)
        return owner.date_modified if owner is not None else None
    return None


def _check_existing(desired: DesiredState, live: LiveState) -> list[Diagnostic]:
    """Objects declared in store.existing must really be in the store."""
    out = []
    for kind, keys in sorted(desired.store.existing.items()):
        for key in sorted(keys):
            if desired.get(kind, key) is None and not live.refs.has(kind, key):
                out.append(Diagnostic(
                    "error",
                    f"{kind} {key!r} is listed in store.existing but is not in the store",
                    desired.store.source,
                ))
    return out
