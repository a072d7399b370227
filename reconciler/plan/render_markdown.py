"""Markdown view of a Plan: the comment CI posts on a pull request.

Reads only the Plan. Layout, top to bottom:

    <!-- catalog-reconciler-plan -->          hidden marker: CI finds and updates its one comment
    ### Catalog plan: 1 to create, 1 to update, 1 to delete
    | kind | create | update | delete | unmanaged |    one row per kind
    > [!CAUTION] ... deletes table                    only when something is deleted
    <details> per kind: | | key | field | before | after |
    <details> unmanaged keys per kind
    <sub>store, catalog digest, time</sub>

It stays readable and postable at any size: a table shows at most ``max_rows``
rows (then says how many more), and the whole comment stays under
``max_chars`` (GitHub refuses comments over 65,536 characters); whatever is cut
is named, and the JSON plan artifact always has everything.
"""

from __future__ import annotations

import re

from reconciler.plan.model import Action, Plan, ResourceChange
from reconciler.plan.values import FieldLine, count_noun, field_lines, group_by_kind

MARKER = "<!-- catalog-reconciler-plan -->"
MAX_ROWS = 200
MAX_CHARS = 60_000
JSON_HINT = "The full plan is in the JSON plan artifact (`plan.json`)."
TRUNCATED = (
    "> [!NOTE]\n> This comment was shortened to stay under GitHub's comment size limit. "
    + JSON_HINT + "\n"
)
_NOTE_ROOM = 200     # room kept for a table's "N more rows" note and closing tags
_SKIP_ROOM = 250     # room kept per later table for its "not shown" line

_CHANGE_HEADER = "| | key | field | before | after |\n| --- | --- | --- | --- | --- |\n"
_DELETE_HEADER = "| | kind | key | store id | reason |\n| --- | --- | --- | --- | --- |\n"


def render_markdown(plan: Plan, *, max_rows: int = MAX_ROWS, max_chars: int = MAX_CHARS) -> str:
    """The plan as a GitHub comment body, shorter than ``max_chars`` characters."""
    shown = [c for c in plan.changes if c.action is not Action.NOOP]
    deletes = [c for c in shown if c.action is Action.DELETE]
    groups = group_by_kind(c for c in shown if c.action is not Action.DELETE)
    unmanaged = {kind: keys for kind, keys in plan.unmanaged.items() if keys}
    footer = _footer(plan)
    doc = _Doc(max_chars - len(footer) - len(TRUNCATED) - 2, tables=bool(deletes) + len(groups) + len(unmanaged))
    doc.add(f"{MARKER}\n{_heading(plan)}\n")
    kinds = _kinds(shown, plan)
    if kinds:
        doc.add(_summary_table(plan, kinds))
    if not plan.has_changes:
        doc.add("The store matches the catalog.\n")
    if deletes:
        doc.add(_caution(deletes))
        rows = [_delete_row(c) for c in deletes]
        doc.table("Deletes", "#### Deletes\n\n", _DELETE_HEADER, rows, "", max_rows, "deletes")
    for group in groups:
        rows = [row for rc in group for row in _change_rows(rc)]
        label = _group_summary(group, len(rows))
        doc.table(label, _details(label), _CHANGE_HEADER, rows, "</details>\n", max_rows, "change rows")
    for kind, keys in unmanaged.items():
        label = _unmanaged_phrase(kind, len(keys))
        rows = [_code(k) for k in keys]
        doc.table(label, _details(label), "", rows, "</details>\n", max_rows, "keys", joiner=", ")
    body = doc.text()
    return body + (TRUNCATED + "\n" if doc.truncated else "") + footer


class _Doc:
    """Blocks separated by blank lines, never growing past ``limit`` characters.

    Each table leaves room for the tables after it to say that they were cut,
    so no kind disappears from the comment without a line naming it.
    """

    def __init__(self, limit: int, tables: int) -> None:
        self.limit, self.blocks, self.size, self.truncated = limit, [], 0, False
        self.reserve = _SKIP_ROOM * tables

    def add(self, block: str) -> bool:
        if self.size + len(block) + 1 > self.limit:
            self.truncated = True
            return False
        self.blocks.append(block)
        self.size += len(block) + 1
        return True

    def table(self, label: str, opening: str, header: str, rows: list[str], closing: str,
              max_rows: int, noun: str, joiner: str = "\n") -> None:
        self.reserve -= _SKIP_ROOM
        room = self.limit - self.reserve - self.size - len(opening) - len(header) - len(closing) - _NOTE_ROOM
        kept: list[str] = []
        for row in rows[:max_rows]:
            if len(row) + len(joiner) > room:
                self.truncated = True
                break
            kept.append(row)
            room -= len(row) + len(joiner)
        if not kept:
            self.truncated = True
            self.add(f"_{label}: {len(rows)} {noun} not shown (comment size limit)._\n")
            return
        omitted = len(rows) - len(kept)
        note = f"\n_… and {omitted} more {noun} not shown. {JSON_HINT}_\n" if omitted else ""
        self.add(opening + header + joiner.join(kept) + "\n" + note + ("\n" + closing if closing else ""))

    def text(self) -> str:
        return "\n".join(self.blocks) + "\n"


def _heading(plan: Plan) -> str:
    if not plan.has_changes:
        return "### Catalog plan: no changes"
    s = plan.summary()
    return f"### Catalog plan: {s['create']} to create, {s['update']} to update, {s['delete']} to delete"


def _kinds(shown: list[ResourceChange], plan: Plan) -> list[str]:
    kinds = dict.fromkeys(c.kind for c in shown)
    kinds.update(dict.fromkeys(k for k, keys in plan.unmanaged.items() if keys))
    return list(kinds)


def _summary_table(plan: Plan, kinds: list[str]) -> str:
    lines = ["| kind | create | update | delete | unmanaged |", "| --- | ---: | ---: | ---: | ---: |"]
    for kind in kinds:
        counts = [plan.count(a, kind) for a in (Action.CREATE, Action.UPDATE, Action.DELETE)]
        lines.append(_row(_text(kind), *map(str, counts), str(len(plan.unmanaged.get(kind, [])))))
    if len(kinds) > 1:
        s = plan.summary()
        unmanaged = sum(len(keys) for keys in plan.unmanaged.values())
        lines.append(_row("**total**", *(f"**{n}**" for n in (*s.values(), unmanaged))))
    return "\n".join(lines) + "\n"


def _caution(deletes: list[ResourceChange]) -> str:
    kinds = ", ".join(count_noun(g[0].kind, len(g)) for g in group_by_kind(deletes))
    n = len(deletes)
    return (
        f"> [!CAUTION]\n> This plan **deletes {n} object{'s' if n != 1 else ''}** from the store "
        f"({kinds}). Check each one before merging.\n"
    )


def _delete_row(rc: ResourceChange) -> str:
    live_id = "" if rc.live_id is None else str(rc.live_id)
    return _row("-", _text(rc.kind), _code(rc.key), live_id, _code(rc.reason or ""))


def _change_rows(rc: ResourceChange) -> list[str]:
    lines = field_lines(rc) or [FieldLine(rc.action.value, "", None, None)]
    return [
        _row(f.symbol, _code(rc.key) if i == 0 else "", _code(f.path), _code(f.before or ""), _code(f.after or ""))
        for i, f in enumerate(lines)
    ]


def _group_summary(group: list[ResourceChange], rows: int) -> str:
    counts = [f"{n} to {a.verb}" for a in (Action.CREATE, Action.UPDATE) if (n := sum(c.action is a for c in group))]
    return f"<b>{_text(group[0].kind)}</b>: {', '.join(counts)} ({rows} field{'s' if rows != 1 else ''})"


def _details(summary: str) -> str:
    return f"<details><summary>{summary}</summary>\n\n"


def _unmanaged_phrase(kind: str, n: int) -> str:
    verb = "is" if n == 1 else "are"
    return f"{count_noun(kind, n)} in the store {verb} not in the catalog (unmanaged; never changed)"


def _footer(plan: Plan) -> str:
    parts = []
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


def _text(s: str) -> str:
    """Plain text with markdown and HTML punctuation escaped."""
    return re.sub(r"([\\`*_\[\]<>|#&])", r"\\\1", s)
