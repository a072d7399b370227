"""Markdown view of a Plan: the comment CI posts on a pull request.

Reads only the Plan. Layout, top to bottom:

    <!-- catalog-reconciler-plan -->          hidden marker: CI finds and updates its one comment
    ### Catalog plan: 1 to create, 1 to update, 1 to delete[, N blocked]
    | kind | create | update | delete | unmanaged |    one row per kind
    #### Price impact                                  only when plan.impact has rows; never cut
    > [!WARNING] ... blocked changes table            only when apply refuses changes; no row cap
    > [!CAUTION] ... deletes table                    only when something is deleted; past 20
                                                      deletions one row per kind (count, first
                                                      10 keys), every row in a nested <details>
    <details> per top-level kind: | | key | field | before | after |
    <details> unmanaged keys per kind
    <sub>store, catalog digest, time</sub>

It stays readable and postable at any size: a table shows at most ``max_rows``
rows (then says how many more), and the whole comment stays under
``max_chars`` (GitHub refuses comments over 65,536 characters); whatever is cut
is named, and the JSON plan artifact always has everything.

Sub-resources (options, variants, custom fields, channel assignments) get rows
right after their product's rows, in the product's table, with ``↳ kind `key```
in the key column; a product with no change of its own gets one ``=`` row so
its children never stand alone. A delete and a create of one child key are one
``-/+`` entry. Every delete, sub-resources included (key ``CT-BLK100`` ›
``CT-BLK100-9.0``), is also in the deletes table. A table is cut between
products, never between a product and its children (unless one product alone
is over the limit).

The price impact table and the blocked changes come before everything that may
be cut: the impact table is never cut, and the blocked table has no row cap (it
is cut only if it alone would not fit in a comment, and then says how many more
are blocked). A blocked change is marked again in its row (``**BLOCKED:**
<reason>``). A price list's records and assignments are its children, named
``↳ `CT-BLK100-2.5` GBP`` and ``↳ assignment `Trade` on `uk-main```; a record's
money change (any kind's) shows its percentage after the new value, and a removed
record what it held, in the before column.

    | ~ | `CT-BLK100` | `price` | `12.99` | `12.50` |
    | ~ | ↳ variant `CT-BLK100-4.8` | `price` | `2.10` | `2.25` |
    | - | ↳ variant `CT-BLK100-9.0` | *removed: not in the product's variants* |  |  |
"""

from __future__ import annotations

import re

from reconciler.core.errors import GO_AHEAD, blocked_what, unblock_hints
from reconciler.plan.model import IMPACT_GROUP, Action, Plan, ResourceChange
from reconciler.plan.values import (
    CATALOG_PRICE, IMPACT_COLUMNS, Block, Entry, FieldLine, child_counts,
    child_label, child_title, count_noun, estimate_lines, impact_movers, kind_label, delete_reason, deleted_lines, entry_lines, group_by_kind, impact_cells, nest,
    own_lines, parent_of, removal_note, renamed,
)

MARKER = "<!-- catalog-reconciler-plan -->"
DRIFT_MARKER = "<!-- catalog-reconciler-drift -->"
MAX_ROWS = 200
MAX_CHARS = 60_000
JSON_HINT = "The full plan is in the JSON plan artifact (`plan.json`)."
TRUNCATED = (
    "> [!NOTE]\n> This comment was shortened to stay under GitHub's comment size limit. "
    + JSON_HINT + "\n"
)
_NOTE_ROOM = 200     # room kept for a table's "N more rows" note and closing tags
_SKIP_ROOM = 250     # room kept per later table for its "not shown" line

_ACTIONS = (Action.CREATE, Action.UPDATE, Action.DELETE)
_CHANGE_HEADER = "| | key | field | before | after |\n| --- | --- | --- | --- | --- |\n"
_DELETE_HEADER = "| | kind | key | store id | reason |\n| --- | --- | --- | --- | --- |\n"
_BLOCKED_HEADER = "| | address | source | blocked because |\n| --- | --- | --- | --- |\n"


def render_markdown(plan: Plan, *, max_rows: int = MAX_ROWS, max_chars: int = MAX_CHARS, report: str = "plan",
                    run_url: str | None = None) -> str:
    """The plan as a GitHub comment body, shorter than ``max_chars`` characters. ``report="drift"``:
    a drift report (``catalog drift``: the plan's drifted changes), titled and marked as one.
    ``run_url`` (the CI run that made it): the footer links the run, and every "the full plan is
    in the JSON plan artifact" links its artifacts."""
    shown = [c for c in plan.changes if c.action is not Action.NOOP]
    deletes = [c for c in shown if c.action is Action.DELETE]
    groups = group_by_kind(nest(plan.changes))
    unmanaged = {kind: keys for kind, keys in plan.unmanaged.items() if keys}
    hint = json_hint(run_url)
    truncated = TRUNCATED.replace(JSON_HINT, hint)
    footer = _footer(plan, run_url)
    blocked = plan.blocked
    drift = [c for c in plan.changes if c.origin in ("drift", "yaml+drift")]
    tables = bool(blocked) + bool(deletes) + bool(drift) + len(groups) + len(unmanaged)
    doc = _Doc(max_chars - len(footer) - len(truncated) - 2, tables=tables, hint=hint)
    doc.add(f"{DRIFT_MARKER}\n{_drift_heading(plan)}\n" if report == "drift" else f"{MARKER}\n{_heading(plan)}\n")
    kinds = _kinds(shown, plan)
    if kinds:
        doc.add(_summary_table(plan, kinds))
    if not plan.has_changes:
        doc.add("The store matches the catalog.\n")
    if plan.refresh != "full":
        doc.add(f"<sub>Store read: {_text(plan.refresh)}</sub>\n")
    if plan.partial:
        doc.add(f"**Partial plan:** only {_text(plan.partial)}; the rest of the catalog is not planned.\n")
    if plan.estimate:
        doc.add("".join(f"<sub>{_text(line)}</sub><br>\n" for line in estimate_lines(plan.estimate)))
    if plan.impact:
        doc.add(_impact_table(plan.impact))
    if drift:
        doc.add(f"> [!IMPORTANT]\n> **{len(drift)} change{'s' if len(drift) != 1 else ''} undo edits made in the "
                f"store** since the last apply ({_text(plan.last_applied or '')}). Apply reverts them to the "
                f"catalog; to keep an edit, put it in the YAML.\n")
        rows = [[_drift_row(c)] for c in drift]
        doc.table("Drift", "#### Drift (changed in the store)\n\n", _DRIFT_HEADER, rows, "", max_rows, "drift rows")
    if blocked:
        doc.add(_warning(blocked))
        rows = [[row] for row in _blocked_rows(blocked)]
        doc.table("Blocked changes", "#### Blocked changes\n\n", _BLOCKED_HEADER, rows, "", len(rows),
                  "blocked changes")
    if deletes:
        doc.add(_caution(deletes))
        rows = [[_delete_row(c)] for c in deletes]
        if len(deletes) > GROUP_DELETES:      # one row per kind; every row in a nested <details>
            doc.add(_delete_summary(deletes))
            doc.table("Deletes", f"<details><summary>All {len(deletes)} deletions</summary>\n\n", _DELETE_HEADER,
                      rows, "</details>\n", max_rows, "deletes")
        else:
            doc.table("Deletes", "#### Deletes\n\n", _DELETE_HEADER, rows, "", max_rows, "deletes")
    for group in groups:
        rows = [_block_rows(block) for block in group]
        label = _group_summary(group, sum(map(len, rows)))
        doc.table(label, _details(label), _CHANGE_HEADER, rows, "</details>\n", max_rows, "change rows")
    for kind, keys in unmanaged.items():
        label = _unmanaged_phrase(kind, len(keys))
        rows = [[_code(k)] for k in keys]
        doc.table(label, _details(label), "", rows, "</details>\n", max_rows, "keys", joiner=", ")
    body = doc.text()
    return body + (truncated + "\n" if doc.truncated else "") + footer


def json_hint(run_url: str | None) -> str:
    """Where the full plan is: the JSON plan artifact, linked to the run's artifacts when known."""
    if not run_url:
        return JSON_HINT
    return f"The full plan is in the JSON plan artifact ([`plan.json` in this run's artifacts]({run_url}#artifacts))."


class _Doc:
    """Blocks separated by blank lines, never growing past ``limit`` characters.

    Each table leaves room for the tables after it to say that they were cut,
    so no kind disappears from the comment without a line naming it.
    """

    def __init__(self, limit: int, tables: int, hint: str = JSON_HINT) -> None:
        self.limit, self.blocks, self.size, self.truncated, self.hint = limit, [], 0, False, hint
        self.reserve = _SKIP_ROOM * tables

    def add(self, block: str) -> bool:
        if self.size + len(block) + 1 > self.limit:
            self.truncated = True
            return False
        self.blocks.append(block)
        self.size += len(block) + 1
        return True

    def table(self, label: str, opening: str, header: str, groups: list[list[str]], closing: str,
              max_rows: int, noun: str, joiner: str = "\n") -> None:
        """A table of ``groups`` of rows; a group is cut only when it is the first and alone too big."""
        self.reserve -= _SKIP_ROOM
        room = self.limit - self.reserve - self.size - len(opening) - len(header) - len(closing) - _NOTE_ROOM
        kept: list[str] = []
        for group in groups:
            size = sum(len(row) + len(joiner) for row in group)
            if len(kept) + len(group) <= max_rows and size <= room:
                kept += group
                room -= size
                continue
            if not kept:     # one group alone over a limit: show what fits of it
                kept = _fitting(group[:max_rows], room, len(joiner))
                self.truncated |= len(kept) < min(len(group), max_rows)
            else:
                self.truncated |= len(kept) + len(group) <= max_rows
            break
        total = sum(map(len, groups))
        if not kept:
            self.truncated = True
            self.add(f"_{label}: {total} {noun} not shown (comment size limit)._\n")
            return
        omitted = total - len(kept)
        note = f"\n_… and {omitted} more {noun} not shown. {self.hint}_\n" if omitted else ""
        self.add(opening + header + joiner.join(kept) + "\n" + note + ("\n" + closing if closing else ""))

    def text(self) -> str:
        return "\n".join(self.blocks) + "\n"


def _fitting(rows: list[str], room: int, joiner: int) -> list[str]:
    kept: list[str] = []
    for row in rows:
        if len(row) + joiner > room:
            break
        kept.append(row)
        room -= len(row) + joiner
    return kept


def _heading(plan: Plan) -> str:
    if not plan.has_changes:
        return "### Catalog plan: no changes"
    s = plan.summary()
    blocked = f", {n} blocked" if (n := len(plan.blocked)) else ""
    return f"### Catalog plan: {s['create']} to create, {s['update']} to update, {s['delete']} to delete{blocked}"


def _drift_heading(plan: Plan) -> str:
    n = sum(c.action is not Action.NOOP for c in plan.changes)
    if not n:
        return "### Catalog drift: none"
    s = plan.summary()
    return (f"### Catalog drift: {n} object{'s' if n != 1 else ''} changed in the store since the last apply "
            f"(apply reverts them: {s['create']} to create, {s['update']} to update, {s['delete']} to delete)")


def _kinds(shown: list[ResourceChange], plan: Plan) -> list[str]:
    kinds = dict.fromkeys(c.kind for c in shown)
    kinds.update(dict.fromkeys(k for k, keys in plan.unmanaged.items() if keys))
    return list(kinds)


def _summary_table(plan: Plan, kinds: list[str]) -> str:
    lines = ["| kind | create | update | delete | unmanaged |", "| --- | ---: | ---: | ---: | ---: |"]
    for kind in kinds:
        counts = [plan.count(a, kind) for a in _ACTIONS]
        lines.append(_row(_text(kind_label(kind)), *map(str, counts), str(len(plan.unmanaged.get(kind, [])))))
    if len(kinds) > 1:
        s = plan.summary()
        unmanaged = sum(len(keys) for keys in plan.unmanaged.values())
        lines.append(_row("**total**", *(f"**{n}**" for n in (*s.values(), unmanaged))))
    return "\n".join(lines) + "\n"


def _impact_table(impact: list[dict]) -> str:
    lines = [
        "#### Price impact",
        "",
        "Change of each variant's effective price, per customer group and channel (negative = cheaper); "
        "sum of change: new minus old price, added up over those variants.",
        "",
        _row(*IMPACT_COLUMNS),
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in impact:
        group, channel, *numbers, blocked = impact_cells(row)
        group = f"*{_text(group)}*" if group == CATALOG_PRICE else _text(group)
        lines.append(_row(group, _text(channel), *numbers, f"**{blocked}**" if blocked not in ("0", "") else blocked))
    movers = [(row, moves) for row in impact if (moves := impact_movers(row))]
    if movers:
        lines += ["", "Biggest movers (old -\\> new price) per customer group and channel:", ""]
    for row, moves in movers:
        who = f"{_text(str(row.get(IMPACT_GROUP, '')))} on {_text(str(row.get('channel', '')))}"
        lines.append(f"- {who}: " + ", ".join(f"{_code(sku)} {_text(move)}" for sku, move in moves))
    return "\n".join(lines) + "\n"


def _warning(blocked: list[ResourceChange]) -> str:
    n = len(blocked)
    it = "it" if n == 1 else "them"
    hints = "; ".join(_inline(h) for h in unblock_hints(blocked))
    return (
        f"> [!WARNING]\n> **Apply refuses {n} change{'s' if n != 1 else ''}** until acknowledged "
        f"(listed below). To apply {it}: {hints}.\n"
    )


def _blocked_rows(blocked: list[ResourceChange]) -> list[str]:
    """One row per blocked change; a mass deletion's many identical rows (same kind, same reason,
    more than GROUP_DELETES) as one row naming the count and the first keys."""
    same: dict[tuple[str, str], list[ResourceChange]] = {}
    for c in blocked:
        if c.action is Action.DELETE:
            same.setdefault((c.kind, c.blocked or ""), []).append(c)
    rows, done = [], set()
    for c in blocked:
        group = same.get((c.kind, c.blocked or "")) if c.action is Action.DELETE else None
        if group is None or len(group) <= GROUP_DELETES:
            rows.append(_blocked_row(c))
        elif id(group) not in done:
            done.add(id(group))
            keys = ", ".join(_delete_key(g) for g in group[:FIRST_KEYS])
            what = (f"{len(group)} {_text(kind_label(c.kind, many=True))}: {keys}, … and {len(group) - FIRST_KEYS} "
                    "more (all under Deletes)")
            rows.append(_row(c.action.value, what, "", _reason(c)))
    return rows


def _reason(rc: ResourceChange) -> str:
    what, _, how = (rc.blocked or "").partition(GO_AHEAD)
    return _text(what) + (f"; to go ahead: {_inline(how)}" if how else "")


def _blocked_row(rc: ResourceChange) -> str:
    return _row(rc.action.value, _code(str(rc.address)), _code(rc.source or ""), _reason(rc))


def _caution(deletes: list[ResourceChange]) -> str:
    kinds = ", ".join(count_noun(g[0].kind, len(g)) for g in group_by_kind(deletes))
    n = len(deletes)
    return (
        f"> [!CAUTION]\n> This plan **deletes {n} object{'s' if n != 1 else ''}** from the store "
        f"({kinds}). Check each one before merging.\n"
    )


GROUP_DELETES = 20       # more deletions than this: one summary row per kind first
FIRST_KEYS = 10          # keys named in a kind's summary row


def _delete_summary(deletes: list[ResourceChange]) -> str:
    """``| - | product | 724 | 724 | `A`, `B`, … and 714 more |``: per kind, how many, how many blocked."""
    lines = ["#### Deletes", "", "| | kind | deletions | blocked | first keys |", "| --- | --- | ---: | ---: | --- |"]
    for group in group_by_kind(deletes):
        keys = ", ".join(_delete_key(c) for c in group[:FIRST_KEYS])
        more = f", … and {len(group) - FIRST_KEYS} more" if len(group) > FIRST_KEYS else ""
        blocked = sum(1 for c in group if c.blocked)
        lines.append(_row("-", _text(kind_label(group[0].kind, many=True)), str(len(group)),
                          f"**{blocked}**" if blocked else "0", keys + more))
    return "\n".join(lines) + "\n"


def _delete_key(rc: ResourceChange) -> str:
    owner = parent_of(rc)
    return f"{_code(owner[1])} › {_code(child_label(rc))}" if owner else _code(rc.key)


def _delete_row(rc: ResourceChange) -> str:
    live_id = "" if rc.live_id is None else str(rc.live_id)
    key = _delete_key(rc)
    note = removal_note(rc)
    reason = _code(rc.reason or "") + (f" ({_text(note)})" if note else "") + _blocked_mark(rc)
    return _row("-", _text(kind_label(rc.kind)), key, live_id, reason)


def _block_rows(block: Block) -> list[str]:
    """The product's own rows (or one "=" row), then its children's, one group for the size caps."""
    key = _named(block.head, block.key) + (_blocked_mark(block.head) if block.head else "")
    own = own_lines(block)
    rows = [_field_row(f, key if i == 0 else "") for i, f in enumerate(own)] or [_row(block.symbol, key, "", "", "")]
    for entry in block.children:
        rows += _entry_rows(entry)
    return rows


def _entry_rows(entry: Entry) -> list[str]:
    rc = entry.change
    title = child_title(rc)
    name = " ".join(_code(w) if is_name else _text(w) for w, is_name in title) if title else (
        f"{_text(kind_label(rc.kind))} {_named(rc, child_label(rc))}")
    key = f"↳ {name}{_blocked_mark(rc)}"
    fields = entry_lines(entry)
    gone = entry.replaced or (rc if rc.action is Action.DELETE else None)
    if gone is not None:
        held = _code(", ".join(f"{f.path} {f.before}" for f in deleted_lines(rc)))
        head = _row(entry.symbol, key, f"*{_text(delete_reason(gone))}*" if delete_reason(gone) else "", held, "")
        return [head] + [_field_row(f, "") for f in fields]
    if not fields:
        return [_row(entry.symbol, key, "", "", "")]
    return [_field_row(f, key if i == 0 else "") for i, f in enumerate(fields)]


def _named(rc: ResourceChange | None, key: str) -> str:
    """The key shown; a rename in place as its new key and the old: `NEW` (renamed from `OLD`)."""
    moved = renamed(rc) if rc is not None else None
    return f"{_code(moved[0])} (renamed from {_code(moved[1])})" if moved else _code(key)


def _field_row(f: FieldLine, key: str) -> str:
    after = _code(f.after or "") + (f" ({_text(f.note)})" if f.note else "")
    return _row(f.symbol, key, _code(f.path), _code(f.before or ""), after)


_DRIFT_HEADER = "| | address | fields | origin | store changed |\n| --- | --- | --- | --- | --- |\n"


def _drift_row(rc: ResourceChange) -> str:
    fields = ", ".join(_code(f.path) for f in rc.changes) or rc.action.verb
    return _row(rc.action.value, _code(str(rc.address)), fields, rc.origin or "", _text(rc.live_modified or ""))


def _blocked_mark(rc: ResourceChange) -> str:
    return f" **BLOCKED:** {_text(blocked_what(rc))}" if rc.blocked else ""


def _group_summary(group: list[Block], rows: int) -> str:
    """``<b>product</b>: 1 to update, 39 changed only in their parts; <b>variant</b>: 120 to update (161 rows)``."""
    heads = [b.head for b in group if b.head and b.head.action in (Action.CREATE, Action.UPDATE)]
    own = [f"{n} to {a.verb}" for a in (Action.CREATE, Action.UPDATE) if (n := sum(h.action is a for h in heads))]
    if parts_only := sum(b.symbol == "=" for b in group):
        own.append(f"{parts_only} changed only in {'their' if parts_only != 1 else 'its'} parts")
    parts = [f"<b>{_html(kind_label(group[0].kind))}</b>" + (f": {', '.join(own)}" if own else "")]
    entries = [e for b in group for e in b.children]
    children = [e.change for e in entries] + [e.replaced for e in entries if e.replaced]
    for kind, counts in child_counts(children).items():
        nums = ", ".join(f"{counts[a]} to {a.verb}" for a in _ACTIONS if counts.get(a))
        parts.append(f"<b>{_html(kind_label(kind))}</b>: {nums}")
    return f"{'; '.join(parts)} ({rows} row{'s' if rows != 1 else ''})"


def _details(summary: str) -> str:
    return f"<details><summary>{summary}</summary>\n\n"


def _unmanaged_phrase(kind: str, n: int) -> str:
    verb = "is" if n == 1 else "are"
    return f"{_html(count_noun(kind, n))} in the store {verb} not in the catalog (unmanaged; never changed)"


def _footer(plan: Plan, run_url: str | None = None) -> str:
    parts = [f'<a href="{_html(run_url)}">CI run</a>'] if run_url else []
    if plan.store.get("store_hash"):
        parts.append(f"store {_code(plan.store['store_hash'])}")
    if plan.desired_digest:
        parts.append(f"catalog digest {_code(plan.desired_digest)}")
    if plan.created_at:
        parts.append(f"planned {_text(plan.created_at)}")
    parts.append(f"plan format {plan.format_version}")
    return f"<sub>{' · '.join(parts)}</sub>\n"



# -- escaping ------------------------------------------------------------------------

def _row(*cells: str) -> str:
    return "| " + " | ".join(cells) + " |"


def _code(s: str) -> str:
    """An inline code span that holds any text, safe inside a table cell.

    The fence is one backtick longer than the longest backtick run inside, and
    ``|`` is escaped as ``\\|``, which GitHub tables turn back into ``|``.
    """
    if not s:
        return ""
    s = s.replace("\r", " ").replace("\n", " ")
    fence = "`" * (max((len(run) for run in re.findall(r"`+", s)), default=0) + 1)
    pad = " " if s[0] == "`" or s[-1] == "`" or (s[0] == " " and s[-1] == " ") else ""
    return (fence + pad + s + pad + fence).replace("|", "\\|")


def _html(s: str) -> str:
    """Text inside HTML (a ``<summary>``), where markdown is not parsed: HTML escapes only."""
    import html

    return html.escape(s, quote=False)


def _inline(s: str) -> str:
    """Text whose `backticked` spans are code (the YAML and flags a hint names), the rest escaped."""
    parts = re.split(r"`([^`]*)`", s)
    return "".join(_code(p) if i % 2 else _text(p) for i, p in enumerate(parts))


def _text(s: str) -> str:
    """Plain text with markdown and HTML punctuation escaped."""
    return re.sub(r"([\\`*_\[\]<>|#&])", r"\\\1", s)
