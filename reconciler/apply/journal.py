"""The apply journal: one JSON line per event, written as it happens.

Every apply that passes its checks writes ``.catalog/journal/apply-<UTC time>.jsonl``
(CI uploads the folder as an artifact); one refused before anything is sent (a stale
plan, a guardrail, another store) writes none, so the newest journal is always that of
the last apply that sent something (apply/session.py):

    {"event": "apply", "time": ..., "store": {...}, "desired_digest": ..., "summary": {...}}
    {"event": "start", "time": ..., "kind": "product", "key": "CT-BLK100", "action": "update"}
    {"event": "done",  "time": ..., "kind": ..., "key": ..., "action": ..., "parent": ...,
     "before": {...}, "after": {...}, "outcome": "ok" | "failed", "message": "", "id": 111}
    {"event": "finished", "time": ..., "created": n, "updated": n, "deleted": n, "failed": n,
     "interrupted": bool, "not_applied": n}

Each line is flushed before the next request, so after a crash (even SIGKILL)
the journal says what was started and what was confirmed. ``before`` holds the
live values the change replaced (all of them for a delete), which is what
``catalog rollback`` restores. Values are in desired-state terms; money as
``{"$decimal": "1.95"}``. The token is never written.
"""

from __future__ import annotations

import json
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from reconciler.apply.executor import ApplyResult, Outcome
from reconciler.plan.model import Action, Plan, ResourceChange, decode_value, encode_value


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


class Journal:
    """ApplyHooks that append to a JSON-lines file."""

    def __init__(self, folder: Path, plan: Plan) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        self.path = folder / f"apply-{stamp}.jsonl"
        self._file = self.path.open("a", encoding="utf-8")
        self._lock = threading.Lock()
        self._write({"event": "apply", "store": plan.store, "desired_digest": plan.desired_digest,
                     "plan_created_at": plan.created_at, "summary": plan.summary()})

    def _write(self, record: dict[str, Any]) -> None:
        line = json.dumps({"time": _now(), **record}, ensure_ascii=False)
        with self._lock:
            self._file.write(line + "\n")
            self._file.flush()

    def pre_apply(self, change: ResourceChange) -> None:
        self._write({"event": "start", "kind": change.kind, "key": change.key, "action": change.action.verb})

    def post_apply(self, outcome: Outcome) -> None:
        c = outcome.change
        before = {f.path: f.before for f in c.changes}
        self._write({
            "event": "done", "kind": c.kind, "key": c.key, "action": c.action.verb,
            "parent": str(c.parent) if c.parent else None,
            "before": encode_value(before), "after": encode_value(c.after),
            "outcome": "ok" if outcome.ok else "failed", "message": outcome.message, "id": outcome.id,
        })

    def close(self, result: ApplyResult | None = None) -> None:
        if result is not None:
            self._write({"event": "finished", "created": result.created, "updated": result.updated,
                         "deleted": result.deleted, "failed": len(result.failed),
                         "interrupted": result.interrupted, "not_applied": len(result.not_applied)})
        self._file.close()


def read_journal(path: Path) -> Iterator[dict[str, Any]]:
    """The journal's records; a last line cut short by a crash is skipped."""
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            for field in ("before", "after"):
                if field in record:
                    record[field] = decode_value(record[field])
            yield record


def confirmed(path: Path) -> list[dict[str, Any]]:
    """Changes the store confirmed, in the order they were applied."""
    return [r for r in read_journal(path) if r.get("event") == "done" and r.get("outcome") == "ok"]


class Hooks:
    """Several ApplyHooks as one."""

    def __init__(self, *hooks) -> None:
        self.hooks = [h for h in hooks if h is not None]

    def pre_apply(self, change: ResourceChange) -> None:
        for h in self.hooks:
            h.pre_apply(change)

    def post_apply(self, outcome: Outcome) -> None:
        for h in self.hooks:
            h.post_apply(outcome)


__all__ = ["Journal", "Hooks", "read_journal", "confirmed", "Action"]
