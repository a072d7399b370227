"""The whole exception tree of catalog-reconciler.

    ReconcilerError                      anything the CLI reports without a traceback
    ├── ConfigError                      missing/invalid connection settings
    ├── DesiredStateError                bad YAML; carries every Diagnostic at once
    ├── StoreError                       talking to the store went wrong
    │   ├── StoreUnavailable             connection refused/reset, timeout, 5xx after retries
    │   └── StoreHTTPError               the store answered with an error status
    │       ├── Unauthorized             401 (and 403)
    │       ├── NotFound                 404
    │       ├── Conflict                 409
    │       ├── PayloadTooLarge          413
    │       ├── Unprocessable            422
    │       └── RateLimited              429 that survived pacing and retries
    ├── PlanError                        a plan file that cannot be read or used
    │   ├── PlanStaleError               the store changed since the plan was made
    │   └── GuardrailError               the plan has changes blocked by money guardrails
    ├── ApplyError                       some changes failed; carries done and failed
    └── LockError                        another apply holds the store's apply lock

Each class's ``exit_code`` is what `catalog` exits with when it stops on it (README,
"Exit codes"): 1 invalid input, 3 blocked or stale (nothing was sent), 4 the store cannot
be reached or used (settings, connection, 401/403, the apply lock), 5 apply failed partway.

Errors never carry the access token: the transport strips it before anything is
stored on an exception (see reconciler.store.transport).
"""

from __future__ import annotations

from typing import Any


# The exit codes of `catalog` (one table: README "Exit codes" and `catalog --help` show it).
EXIT_OK, EXIT_ERROR, EXIT_CHANGES, EXIT_BLOCKED, EXIT_STORE, EXIT_APPLY_FAILED, EXIT_INTERRUPTED = 0, 1, 2, 3, 4, 5, 130
EXIT_CODES = {
    EXIT_OK: "success; no changes (plan --detailed-exitcode), no drift",
    EXIT_ERROR: "invalid input: bad YAML, a bad plan file, other errors",
    EXIT_CHANGES: "changes present (plan --detailed-exitcode) or drift found (drift)",
    EXIT_BLOCKED: "blocked: a guardrail (price drop, mass deletion) or a saved plan refused as stale",
    EXIT_STORE: "cannot reach or use the store: connection, 5xx after retries, 401/403, missing or invalid "
                "settings, the apply lock held",
    EXIT_APPLY_FAILED: "apply failed partway: some changes failed (the journal says what was done)",
    EXIT_INTERRUPTED: "interrupted (Ctrl-C, SIGTERM): what was in flight finished, the rest was not sent",
}


# Every guardrail's ``blocked`` reason is "WHAT; to go ahead: HOW" (plan/guardrails.py).
GO_AHEAD = "; to go ahead: "


def blocked_what(change) -> str:
    """A blocked change's reason without its HOW: what is blocked, for rows that repeat it."""
    return (change.blocked or "").partition(GO_AHEAD)[0]


def unblock_hints(blocked: list) -> list[str]:
    """What lets ``blocked`` changes through, each once, in order: the HOW of each reason;
    a reason without one (a plan file from an older tool) gets the hint for its action."""
    hints: dict[str, None] = {}
    for c in blocked:
        _, sep, how = (c.blocked or "").partition(GO_AHEAD)
        if not sep:
            how = ("confirm the number of deletions with `--allow-deletes N`" if c.action.verb == "delete"
                   else "add `acknowledge: [price_drop]` to the object in YAML, or pass `--allow-price-drop`")
        hints[how] = None
    return list(hints)


class ReconcilerError(Exception):
    """Base of every error the CLI renders as a message instead of a traceback."""

    exit_code = EXIT_ERROR


class ConfigError(ReconcilerError):
    exit_code = EXIT_STORE


class DesiredStateError(ReconcilerError):
    """The desired state is invalid. ``diagnostics`` lists every problem found."""

    def __init__(self, diagnostics: list) -> None:
        self.diagnostics = list(diagnostics)
        n = len(self.diagnostics)
        super().__init__(f"{n} problem{'s' if n != 1 else ''} in the desired state")


class StoreError(ReconcilerError):
    exit_code = EXIT_STORE

    def __init__(self, message: str, *, method: str = "", path: str = "") -> None:
        super().__init__(message)
        self.method = method
        self.path = path


class StoreUnavailable(StoreError):
    pass


class StoreHTTPError(StoreError):
    """The store answered with an error. ``body`` is the parsed error body, if JSON."""

    def __init__(
        self,
        message: str,
        *,
        method: str = "",
        path: str = "",
        status: int = 0,
        title: str = "",
        errors: Any = None,
        body: Any = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message, method=method, path=path)
        self.status = status
        self.title = title
        self.errors = errors
        self.body = body
        self.request_id = request_id


class Unauthorized(StoreHTTPError):
    pass


class NotFound(StoreHTTPError):
    pass


class Conflict(StoreHTTPError):
    pass


class PayloadTooLarge(StoreHTTPError):
    pass


class Unprocessable(StoreHTTPError):
    pass


class RateLimited(StoreHTTPError):
    pass


class PlanError(ReconcilerError):
    pass


class PlanStaleError(PlanError):
    """Objects the plan touches changed in the store since the plan was made."""

    exit_code = EXIT_BLOCKED

    def __init__(self, stale: list[str]) -> None:
        self.stale = stale
        super().__init__(
            "plan is stale: the store changed since it was made; run `catalog plan` again\n"
            + "\n".join(f"  - {s}" for s in stale)
        )


class GuardrailError(PlanError):
    """Changes the guardrails block without acknowledgement: price drops past the limit
    (acknowledge: [price_drop] in YAML, or --allow-price-drop) or mass deletions
    (store.deletion.confirm: N in store.yaml, or --allow-deletes N)."""

    exit_code = EXIT_BLOCKED

    def __init__(self, blocked: list) -> None:
        self.blocked = blocked
        lines = [f"  - {c.address}{f' ({c.source})' if c.source else ''}: {blocked_what(c)}"
                 for c in blocked[:20]]
        if len(blocked) > 20:
            lines.append(f"  ... and {len(blocked) - 20} more")
        super().__init__(
            f"{len(blocked)} change{'s are' if len(blocked) != 1 else ' is'} blocked by the guardrails:\n"
            + "\n".join(lines) + "\nTo go ahead: " + "; ".join(unblock_hints(blocked)) + "."
        )


class ApplyError(ReconcilerError):
    """Apply finished with failures. ``result`` is the ApplyResult (done and failed)."""

    exit_code = EXIT_APPLY_FAILED

    def __init__(self, message: str, result: Any = None) -> None:
        super().__init__(message)
        self.result = result


class LockError(ReconcilerError):
    """Another apply holds the store's apply lock (or the lock could not be taken or
    released). ``holder`` is the lease as read from the store, if any."""

    exit_code = EXIT_STORE

    def __init__(self, message: str, holder: dict | None = None) -> None:
        super().__init__(message)
        self.holder = holder
