"""Terraform-style text view of a Plan, for the terminal and CI logs.

Reads only the Plan. Changes that apply refuses until acknowledged (guardrails:
``ResourceChange.blocked``) come first, then deletes under a warning, because
they are the changes a reviewer must not miss; then the price impact table (when
the plan has one); then creates and updates grouped by kind in plan order; then
the unmanaged objects; then the one-line summary.

    BLOCKED: 1 change needs acknowledgement before apply:

      ~ price_record['Trade GBP:CT-BLK100-2.5:GBP'] (catalog/price_lists/trade.yaml:14:9): price drops 50.0% (limit 30%)

    To apply it, add acknowledge: [price_drop] to the object in YAML, or run apply with --allow-price-drop.

    Price impact (effective price per variant, by customer group and channel; negative = cheaper):

      customer group   channel  variants changing price  smallest  median  largest  blocked
      Trade            uk-main                     1500    -50.0%   -3.1%    +2.0%        1

A blocked change is also marked where it is listed: ``[BLOCKED: <reason>]``.
A price list's records and assignments are nested under it, one line each:
``~ CT-BLK100-2.5 GBP: price 1.60 -> 1.55 (-3.1%)``, ``+ assignment Trade on uk-main``; a
removed record says what it held (``- CT-BLK100-2.5 GBP: price 1.60 (...; removed: ...)``).
A change of a money field shows its percentage (``price: 12.99 -> 12.50 (-3.8%)``).

Sub-resources (options, variants, custom fields, channel assignments) are shown
nested under their product, grouped by kind in that order, one level deeper
(tests/render/golden/nested_children.txt, shortened):

    Resource actions are indicated with these symbols:
      + create
      ~ update
      - delete
    -/+ replace (delete, then create again)
      = unchanged itself; changes to its parts are listed under it

    WARNING: this plan DELETES 4 objects from the store (2 variants, 1 custom_field, 1 channel_assignment):

      - variant "CT-BLK100-2.5" of product "CT-BLK100" (store id 9002; replaced: options changed)
      - variant "CT-BLK100-9.0" of product "CT-BLK100" (store id 9001; removed: not in the product's variants)
      ...

      ~ product "CT-BLK100" (catalog/products/cable-ties.yaml:3:5)
          ~ price: 12.99 -> 12.50
          ~ option "Width": values +"2.5mm" +"7.6mm" -"2.5 mm" -"9.0mm"
          -/+ variant "CT-BLK100-2.5" (catalog/products/cable-ties.yaml:20:9; store id 9002; replaced: options changed)
              ~ options: {"Width": "2.5 mm"} -> {"Width": "2.5mm"}
              + price:   1.95
          + variant "CT-BLK100-7.6" (catalog/products/cable-ties.yaml:40:9)
              + options: {"Width": "7.6mm"}
              + price:   3.10
          ~ variant "CT-BLK100-4.8" (catalog/products/cable-ties.yaml:30:9)
              ~ price:      2.10 -> 2.25
              + sale_price: 1.99
          - variant "CT-BLK100-9.0" (store id 9001; removed: not in the product's variants)
          + custom_field "Pack Size": value "100"
          ~ custom_field "Material": value "Nylon" -> "Nylon 6.6"
          + channel_assignment "uk-main"
          - channel_assignment "us-trade" (store id 2; removed: not in the product's channels)
      = product "CT-WHT100"
          ~ custom_field "Material": value "Nylon" -> "Nylon 6.6"

    Plan: 5 to create, 6 to update, 4 to delete (options: ~1; variants: +2 ~2 -2; custom_fields: +1 ~2 -1; ...).

- A product with no change of its own is shown with "=" (and its source when
  the plan holds it as a noop); apply does not touch it.
- Options, custom fields and channel assignments take one line each when they
  have at most one field line ("values" of an option as a set diff).
- A delete and a create of the same sub-resource key (reason ``replace:...``)
  are shown once, as "-/+".
- Every delete, sub-resources included, is also listed in the warning at the top
  and counted in it; the summary adds a per-kind count of the sub-resource
  changes (+ create, ~ update, - delete) when there are any.

``color=True`` adds ANSI colour codes and nothing else: the output with the
codes stripped equals the plain output. Write it with ``typer.echo`` or
``sys.stdout.write``, not through rich markup (values may contain ``[...]``).
"""

from __future__ import annotations

from reconciler.core.errors import blocked_what, unblock_hints
from reconciler.plan.model import IMPACT_GROUP, Action, Plan, ResourceChange
from reconciler.plan.values import (
    IMPACT_COLUMNS, impact_movers, INLINE_KINDS, NEUTRAL, ONE_LINE_KINDS, REPLACE, Block,
    Entry, FieldLine, child_counts, estimate_lines, child_label, child_title, count_noun, delete_reason, deleted_lines, entry_lines,
    format_value, group_by_kind, impact_cells, nest, own_lines, parent_of, plural, renamed,
)

UNMANAGED_SHOWN = 10   # keys listed per kind before "and N more"

_GREEN, _YELLOW, _RED, _BOLD, _RESET = "\x1b[32m", "\x1b[33m", "\x1b[31m", "\x1b[1m", "\x1b[0m"
_SYMBOL_COLOR = {"+": _GREEN, "~": _YELLOW, "-": _RED}
_ACTIONS = (Action.CREATE, Action.UPDATE, Action.DELETE)
_CHILD = " " * 4       # one nesting level


def render_text(plan: Plan, *, color: bool = False, report: str = "plan") -> str:
    """The whole plan as text, ending with a newline; ``report="drift"``: titled as a drift report."""
    paint = _Paint(color)
    shown = [c for c in plan.changes if c.action is not Action.NOOP]
    deletes = [c for c in shown if c.action is Action.DELETE]
    blocks = nest(plan.changes)
    lines: list[str] = []
    if plan.refresh != "full":
        lines += [f"Store read: {plan.refresh}", ""]
    if plan.partial:
        lines += [f"Partial plan: only {plan.partial}; the rest of the catalog is not planned.", ""]
    if shown:
        lines += _legend(blocks, paint)
    lines += _drift_lines(plan, paint)
    if plan.blocked:
        lines += _blocked_lines(plan.blocked, paint)
    if deletes:
        lines += _delete_lines(deletes, paint)
    if plan.impact:
        lines += _impact_lines(plan.impact, paint)
    for group in group_by_kind(blocks):
        for block in group:
            lines += _block_lines(block, paint)
        lines.append("")
    lines += _unmanaged_lines(plan)
    lines.append(_drift_summary(plan, paint) if report == "drift" else _summary(plan, paint))
    lines += estimate_lines(plan.estimate)
    return "\n".join(lines) + "\n"


class _Paint:
    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if self.color and text else text

    def symbol(self, sym: str) -> str:
        if sym == REPLACE:
            return self("-", _RED) + "/" + self("+", _GREEN)
        return self(sym, _SYMBOL_COLOR.get(sym, ""))


def _legend(blocks: list[Block], paint: _Paint) -> list[str]:
    lines = ["Resource actions are indicated with these symbols:"]
    lines += [f"  {paint.symbol(a.value)} {a.verb}" for a in _ACTIONS]
    if any(e.replaced for b in blocks for e in b.children):
        lines.append(f"{paint.symbol(REPLACE)} replace (delete, then create again)")
    if any(b.symbol == NEUTRAL for b in blocks):
        lines.append(f"  {NEUTRAL} unchanged itself; changes to its parts are listed under it")
    return lines + [""]


def _delete_lines(deletes: list[ResourceChange], paint: _Paint) -> list[str]:
    kinds = ", ".join(count_noun(g[0].kind, len(g)) for g in group_by_kind(deletes))
    n = len(deletes)
    head = f"WARNING: this plan DELETES {n} object{'s' if n != 1 else ''} from the store ({kinds}):"
    lines = [paint(head, _BOLD + _RED), ""]
    for rc in deletes:
        owner = parent_of(rc)
        of = f" of {owner[0]} {_quoted(owner[1])}" if owner else ""
        lines.append(f"  {paint.symbol('-')} {rc.kind} {_quoted(child_label(rc))}{of}{_where(rc)}"
                     f"{_blocked_mark(rc, paint)}")
    return lines + [""]


def _blocked_lines(blocked: list[ResourceChange], paint: _Paint) -> list[str]:
    n = len(blocked)
    head = f"BLOCKED: {n} change{'s' if n != 1 else ''} need{'s' if n == 1 else ''} acknowledgement before apply:"
    lines = [paint(head, _BOLD + _RED), ""]
    for rc in blocked:
        where = f" ({rc.source})" if rc.source else ""
        lines.append(f"  {paint.symbol(rc.action.value)} {rc.address}{where}: {paint(blocked_what(rc), _RED)}")
    them = "it" if n == 1 else "them"
    return lines + ["", f"To apply {them}: {'; '.join(unblock_hints(blocked))}.", ""]


def _impact_lines(impact: list[dict], paint: _Paint) -> list[str]:
    rows = [impact_cells(row) for row in impact]
    widths = [max(len(cells[i]) for cells in [IMPACT_COLUMNS, *rows]) for i in range(len(IMPACT_COLUMNS))]

    def line(cells: tuple[str, ...], blocked: bool = False) -> str:
        parts = [c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths))]
        if blocked:
            parts[-1] = paint(parts[-1], _BOLD + _RED)
        return ("  " + "  ".join(parts)).rstrip()

    lines = [paint("Price impact", _BOLD)
             + " (effective price per variant, by customer group and channel; negative = cheaper):", ""]
    lines.append(line(IMPACT_COLUMNS))
    lines += [line(cells, blocked=cells[-1] not in ("0", "")) for cells in rows]
    movers = [(row, moves) for row in impact if (moves := impact_movers(row))]
    if movers:
        lines += ["", "  Biggest movers (old -> new price):"]
    for row, moves in movers:
        lines.append(f"    {row.get(IMPACT_GROUP, '')} on {row.get('channel', '')}: "
                     + ", ".join(f"{sku} {move}" for sku, move in moves))
    return lines + [""]


def _block_lines(block: Block, paint: _Paint) -> list[str]:
    where = _where(block.head) if block.head else ""
    where += _blocked_mark(block.head, paint) if block.head else ""
    lines = [f"  {paint.symbol(block.symbol)} {block.kind} {_named(block.head, block.key)}{where}"]
    lines += _fields(own_lines(block), "      ", paint)
    for entry in block.children:
        lines += _entry_lines(entry, paint)
    return lines


def _entry_lines(entry: Entry, paint: _Paint) -> list[str]:
    rc = entry.change
    fields = entry_lines(entry)
    title = child_title(rc)
    name = " ".join(word for word, _ in title) if title else f"{rc.kind} {_named(rc, child_label(rc))}"
    label = f"      {paint.symbol(entry.symbol)} {name}"
    mark = _blocked_mark(rc, paint)
    one_line = rc.kind in ONE_LINE_KINDS or (rc.kind in INLINE_KINDS and len(fields) <= 1)
    if one_line and entry.replaced is None:
        shown = [f"{f.path} {_shown(f)}" for f in fields] + [f"{f.path} {f.before}" for f in deleted_lines(rc)]
        value = ": " + ", ".join(shown) if shown else ""
        return [label + value + (_where(rc) if rc.action is Action.DELETE else "") + mark]
    return [label + _where(rc, entry.replaced) + mark] + _fields(fields, "      " + _CHILD, paint)


def _blocked_mark(rc: ResourceChange, paint: _Paint) -> str:
    mark = " " + paint(f"[BLOCKED: {blocked_what(rc)}]", _BOLD + _RED) if rc.blocked else ""
    if rc.origin in ("drift", "yaml+drift"):
        when = f", store changed {rc.live_modified}" if rc.live_modified else ""
        mark += " " + paint(f"[{rc.origin.upper()}{when}]", _YELLOW)
    return mark


def _drift_lines(plan: Plan, paint: _Paint) -> list[str]:
    """Changes made in the store since the last apply: apply would revert them."""
    drift = [c for c in plan.changes if c.origin in ("drift", "yaml+drift")]
    if not drift:
        return []
    head = (f"DRIFT: {len(drift)} change{'s' if len(drift) != 1 else ''} undo edits made in the store "
            f"since the last apply ({plan.last_applied}); apply reverts them to the catalog:")
    lines = [paint(head, _BOLD + _YELLOW), ""]
    for rc in drift:
        fields = ", ".join(f.path for f in rc.changes) or rc.action.verb
        when = f" (store changed {rc.live_modified})" if rc.live_modified else ""
        lines.append(f"  {paint.symbol(rc.action.value)} {rc.address}: {fields}{when}")
    return lines + [""]


def _fields(fields: list[FieldLine], indent: str, paint: _Paint) -> list[str]:
    width = max((len(f.path) for f in fields), default=0) + 1
    return [f"{indent}{paint.symbol(f.symbol)} {f.path + ':':<{width}} {_shown(f)}" for f in fields]


def _where(rc: ResourceChange, replaced: ResourceChange | None = None) -> str:
    parts = [rc.source] if rc.source else []
    gone = replaced or (rc if rc.action is Action.DELETE else None)
    if gone is not None:
        if gone.live_id is not None:
            parts.append(f"store id {gone.live_id}")
        reason = delete_reason(gone)
        if reason:
            parts.append(reason)
    return f" ({'; '.join(parts)})" if parts else ""


def _named(rc: ResourceChange | None, key: str) -> str:
    """The key shown; a rename in place as its new key and the old: 'NEW' (renamed from 'OLD')."""
    moved = renamed(rc) if rc is not None else None
    return f"{_quoted(moved[0])} (renamed from {_quoted(moved[1])})" if moved else _quoted(key)


def _quoted(key: str) -> str:
    return format_value(key, max_len=None)


def _shown(f: FieldLine) -> str:
    if f.set_like:
        return " ".join(p for p in (f.after, f.before) if p) or "(order only)"
    if f.before is None:
        return f.after or ""
    return f"{f.before} -> {f.after}" + (f" ({f.note})" if f.note else "")


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
    detail = _child_detail(plan, paint)
    line = f"{paint('Plan:', _BOLD)} {s['create']} to create, {s['update']} to update, {deleted}{detail}."
    if n := len(plan.blocked):
        line += " " + paint(f"{n} BLOCKED until acknowledged (listed at the top).", _BOLD + _RED)
    return line


def _drift_summary(plan: Plan, paint: _Paint) -> str:
    n = sum(c.action is not Action.NOOP for c in plan.changes)
    if not n:
        return f"{paint('Drift:', _BOLD)} none."
    s = plan.summary()
    return (f"{paint('Drift:', _BOLD)} {n} object{'s' if n != 1 else ''} changed in the store since the last "
            f"apply (apply reverts them: {s['create']} to create, {s['update']} to update, {s['delete']} to delete).")


def _child_detail(plan: Plan, paint: _Paint) -> str:
    """`` (variants: +2 ~118 -1; custom_fields: +1)``: the sub-resource share of the totals."""
    parts = []
    for kind, counts in child_counts(plan.changes).items():
        nums = " ".join(paint.symbol(a.value) + str(counts[a]) for a in _ACTIONS if counts.get(a))
        parts.append(f"{plural(kind)}: {nums}")
    return f" ({'; '.join(parts)})" if parts else ""
