"""Terraform-style text view of a Plan, for the terminal and CI logs.

Reads only the Plan. Deletes come first, under a warning, because they are the
changes a reviewer must not miss; then creates and updates grouped by kind in
plan order; then the unmanaged objects; then the one-line summary.

    >>> print(render_text(plan))
    Resource actions are indicated with these symbols:
      + create
      ~ update
      - delete
    <BLANKLINE>
      ~ product "CT-BLK100" (catalog/products/cable-ties.yaml:3:5)
          ~ price: 12.99 -> 12.50
    <BLANKLINE>
    Plan: 0 to create, 1 to update, 0 to delete.

``color=True`` adds ANSI colour codes and nothing else: the output with the
codes stripped equals the plain output. Write it with ``typer.echo`` or
``sys.stdout.write``, not through rich markup (values may contain ``[...]``).
"""

from __future__ import annotations

from reconciler.plan.model import Action, Plan, ResourceChange
from reconciler.plan.values import FieldLine, count_noun, field_lines, format_value, group_by_kind

UNMANAGED_SHOWN = 10   # keys listed per kind before "and N more"

_GREEN, _YELLOW, _RED, _BOLD, _RESET = "\x1b[32m", "\x1b[33m", "\x1b[31m", "\x1b[1m", "\x1b[0m"
_SYMBOL_COLOR = {"+": _GREEN, "~": _YELLOW, "-": _RED}


def render_text(plan: Plan, *, color: bool = False) -> str:
    """The whole plan as text, ending with a newline."""
    paint = _Paint(color)
    shown = [c for c in plan.changes if c.action is not Action.NOOP]
    deletes = [c for c in shown if c.action is Action.DELETE]
    lines: list[str] = []
    if shown:
        lines += ["Resource actions are indicated with these symbols:"] + [f"  {paint.symbol(a.value)} {a.verb}" for a in _ACTIONS] + [""]
    if deletes:
        lines += _delete_lines(deletes, paint)
    for group in group_by_kind(c for c in shown if c.action is not Action.DELETE):
        for rc in group:
            lines += _resource_lines(rc, paint)
        lines.append("")
    lines += _unmanaged_lines(plan)
    lines.append(_summary(plan, paint))
    return "\n".join(lines) + "\n"


_ACTIONS = (Action.CREATE, Action.UPDATE, Action.DELETE)


class _Paint:
    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if self.color and text else text

    def symbol(self, sym: str) -> str:
        return self(sym, _SYMBOL_COLOR.get(sym, ""))


def _delete_lines(deletes: list[ResourceChange], paint: _Paint) -> list[str]:
    kinds = ", ".join(count_noun(g[0].kind, len(g)) for g in group_by_kind(deletes))
    n = len(deletes)
    head = f"WARNING: this plan DELETES {n} object{'s' if n != 1 else ''} from the store ({kinds}):"
    lines = [paint(head, _BOLD + _RED), ""]
    for rc in deletes:
        lines += _resource_lines(rc, paint)
    return lines + [""]


def _resource_lines(rc: ResourceChange, paint: _Paint) -> list[str]:
    where = _where(rc)
    lines = [f"  {paint.symbol(rc.action.value)} {rc.kind} {format_value(rc.key, max_len=None)}{where}"]
    fields = field_lines(rc)
    width = max((len(f.path) for f in fields), default=0) + 1
    return lines + [f"      {paint.symbol(f.symbol)} {f.path + ':':<{width}} {_shown(f)}" for f in fields]


def _where(rc: ResourceChange) -> str:
    parts = [rc.source] if rc.source else []
    if rc.action is Action.DELETE:
        if rc.live_id is not None:
            parts.append(f"store id {rc.live_id}")
        if rc.reason:
            parts.append(f"reason: {rc.reason}")
    return f" ({'; '.join(parts)})" if parts else ""


def _shown(f: FieldLine) -> str:
    if f.set_like:
        return " ".join(p for p in (f.after, f.before) if p) or "(order only)"
    if f.before is None:
        return f.after or ""
    return f"{f.before} -> {f.after}"


def _unmanaged_lines(plan: Plan) -> list[str]:
    lines = []
    for kind, keys in plan.unmanaged.items():
        if not keys:
            continue
        verb = "is" if len(keys) == 1 else "are"
        listed = ", ".join(keys[:UNMANAGED_SHOWN])
        more = f", and {len(keys) - UNMANAGED_SHOWN} more" if len(keys) > UNMANAGED_SHOWN else ""
        lines.append(
            f"{count_noun(kind, len(keys))} in the store {verb} not in the catalog "
            f"(unmanaged; never changed): {listed}{more}"
        )
    return lines + [""] if lines else []


def _summary(plan: Plan, paint: _Paint) -> str:
    if not plan.has_changes:
        return f"{paint('No changes.', _BOLD + _GREEN)} The store matches the catalog."
    s = plan.summary()
    deleted = f"{s['delete']} to delete"
    if s["delete"]:
        deleted = paint(deleted, _BOLD + _RED)
    return f"{paint('Plan:', _BOLD)} {s['create']} to create, {s['update']} to update, {deleted}."
