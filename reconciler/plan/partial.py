"""``--target`` / ``--exclude`` (Terraform's ``-target``, Atlas's ``--include/--exclude``): a
plan cut down to some addresses.

A pattern is an address as ``core/address.py`` writes it (``product['CT-BLK100']``), an
fnmatch glob on that text (``product['CT-*']``), or a kind name alone (``brand``). A change
is targeted when its address, or its parent's, matches a target (children follow their
parent), and not excluded the same way. What a targeted change needs created first (its
parent, and the objects of the kinds it depends on that its values name) comes with it, and
the plan's ``partial`` says so: every rendering shows that the plan is partial, and a saved
partial plan applies only its changes (the last-applied state records only those).
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import Any

from reconciler.plan.model import Action, Plan, ResourceChange
from reconciler.resources import REGISTRY, Registry
from reconciler.resources.base import fold_text


def _glob(pattern: str) -> str:
    """``*`` and ``?`` are wildcards; an address's brackets are themselves (not fnmatch's sets)."""
    return "".join({"[": "[[]", "]": "[]]"}.get(ch, ch) for ch in pattern)


def _matches(change: ResourceChange, patterns: list[str]) -> bool:
    addresses = [str(change.address)] + ([str(change.parent)] if change.parent is not None else [])
    kinds = {change.kind} | ({change.parent.kind} if change.parent is not None else set())
    return any(p in kinds or any(fnmatchcase(a, _glob(p)) for a in addresses) for p in patterns)


def _names(value: Any) -> set[str]:
    if isinstance(value, str):
        return {fold_text(value)}
    if isinstance(value, dict):
        return set().union(*(_names(v) for v in value.values())) if value else set()
    if isinstance(value, (list, tuple)):
        return set().union(*(_names(v) for v in value)) if value else set()
    return set()


def select(plan: Plan, targets: list[str], excludes: list[str], registry: Registry = REGISTRY) -> Plan:
    """The plan with only the targeted changes (all when ``targets`` is empty) minus the
    excluded ones, plus the creates they need first; ``plan.partial`` describes the cut."""
    if not targets and not excludes:
        return plan
    kept = [c for c in plan.changes if (not targets or _matches(c, targets)) and not _matches(c, excludes)]
    creates = {(c.kind, fold_text(c.key)): c for c in plan.changes if c.action is Action.CREATE}
    chosen = {id(c) for c in kept}
    added: list[ResourceChange] = []
    todo = list(kept)
    while todo:
        change = todo.pop()
        if change.action is Action.DELETE:
            continue
        kind = registry[change.kind]
        needed = []
        if change.parent is not None:
            needed.append((change.parent.kind, fold_text(change.parent.key)))
        names = _names(change.after)
        needed += [(dep, name) for dep in registry.needs(kind) for name in names]
        for want in needed:
            dep = creates.get(want)
            if dep is not None and id(dep) not in chosen:
                chosen.add(id(dep))
                added.append(dep)
                todo.append(dep)
    plan.changes = [c for c in plan.changes if id(c) in chosen]
    said = [f"--target {t}" for t in targets] + [f"--exclude {e}" for e in excludes]
    plan.partial = " ".join(said) + (
        f"; with what they need created first: {', '.join(sorted(str(c.address) for c in added))}" if added else "")
    return plan
