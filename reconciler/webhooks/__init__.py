"""Store webhooks for drift: list them, and register the ones a drift receiver needs.

After adoption, merchandisers still edit in the admin panel. A team that runs a receiver
learns of those edits as they happen from the store's webhooks (FACTS §12): one hook per
``DRIFT_SCOPES`` scope, all sent to the receiver's URL.

    >>> with connect() as client:
    ...     result = register_hooks(client, "https://drift.example.com/bc",
    ...                             headers={"X-Drift-Secret": secret})
    ...     print(result.summary())
    ...     print(render_hooks(result.hooks))
    Webhooks for https://drift.example.com/bc: 23 created, 0 reactivated, 0 already registered.
    ID        SCOPE                  DESTINATION                   ACTIVE  HEADERS
    18048287  store/product/created  https://drift.example.com/bc  yes     X-Drift-Secret: ***
    ...

Registering is idempotent: a second run finds every hook and creates nothing. Hooks are
matched by (scope, destination), the pair the store keeps unique. Header values may be
secrets, so nothing here prints them (``render_hooks`` and ``redact`` show ``***``);
the access token is never read here at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, NamedTuple
from urllib.parse import urlsplit

from reconciler.core.errors import ConfigError, ReconcilerError, StoreError

HOOKS = "/v3/hooks"
MASK = "***"

# The events that change what the catalog manages (d:ev, d:cb _all.yml):
# products, SKUs (variants) and price lists with their records and assignments.
# Customer groups have no webhook events: d:ev, _all.yml and WH list none (only
# store/customer/*, which is about customers), so group edits in the admin panel are
# seen only by the next `catalog plan`. Neither do brands (only brand metafields).
DRIFT_SCOPES: tuple[str, ...] = (
    "store/product/created", "store/product/updated", "store/product/deleted",
    "store/sku/created", "store/sku/updated", "store/sku/deleted",
    "store/priceList/created", "store/priceList/updated", "store/priceList/deleted",
    "store/priceList/record/created", "store/priceList/record/updated",
    "store/priceList/record/deleted",
    # the batch record endpoints fire these, not the record/* ones (d:ev)
    "store/priceList/records/created", "store/priceList/records/updated",
    "store/priceList/records/deleted",
    "store/priceList/assignment/updated",
    # Also in d:ev and about what the catalog manages: a list's `active` flag, its
    # assignments, and lists deleted in bulk.
    "store/priceList/activated", "store/priceList/deactivated",
    "store/priceList/assignment/deleted", "store/priceLists/deleted",
    # Categories are managed too (customer groups and brands have no events: d:ev).
    "store/category/created", "store/category/updated", "store/category/deleted",
)


class DestinationError(ConfigError):
    """A webhook destination the store would refuse; raised before any request."""


class RegisterError(ReconcilerError):
    """Creating or reactivating a hook failed part-way. ``result`` holds what was done
    before the failure; running again finishes the job (done hooks are found)."""

    def __init__(self, message: str, result: RegisterResult) -> None:
        super().__init__(message)
        self.result = result


class HookPlan(NamedTuple):
    """What ``register_hooks`` would do, per scope of ``DRIFT_SCOPES`` (in its order)."""

    to_create: list[str]      # scopes with no hook for the destination
    to_reactivate: list[dict]  # hooks to PUT: inactive, or (headers given) other headers
    already: list[dict]        # active hooks that need nothing


@dataclass(repr=False)
class RegisterResult:
    """Hooks as the store returned them. Their ``headers`` may hold secrets: show them
    through ``render_hooks`` or ``redact``, never as they are."""

    destination: str
    created: list[dict] = field(default_factory=list)
    reactivated: list[dict] = field(default_factory=list)
    already: list[dict] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.reactivated)

    @property
    def hooks(self) -> list[dict]:
        """Every hook for the destination's drift scopes, by scope."""
        return sorted(self.created + self.reactivated + self.already, key=lambda h: h["scope"])

    def summary(self) -> str:
        return (f"Webhooks for {self.destination}: {len(self.created)} created, "
                f"{len(self.reactivated)} reactivated, {len(self.already)} already registered.")

    def __repr__(self) -> str:  # never the hooks' headers
        return f"RegisterResult({self.summary()!r})"


# ---- checks (before any request) ----------------------------------------------------

def check_destination(destination: str) -> str:
    """``destination`` if the store would take it: https, served on port 443 (WH
    createWebhooks: "custom ports are not currently supported"), else DestinationError.

    Written here and not shared with the sandbox, which keeps its own copy of the rule.
    """
    parts = urlsplit(destination or "")
    try:
        port = parts.port
    except ValueError:
        port = -1
    if parts.scheme != "https" or not parts.hostname:
        raise DestinationError(f"webhook destination {destination!r} must be an https:// URL")
    if port not in (None, 443):
        raise DestinationError(
            f"webhook destination {destination!r} must be served on port 443 "
            "(BigCommerce does not support custom ports)")
    return destination


def check_headers(headers: dict[str, str] | None) -> dict[str, str] | None:
    """Custom headers sent with each callback: names to string values. Errors name the
    header, never its value."""
    if headers is None:
        return None
    if not isinstance(headers, dict):
        raise ConfigError("webhook headers must be a mapping of header names to values")
    for name, value in headers.items():
        if not isinstance(name, str) or not name.strip() or any(c in name for c in " :\r\n"):
            raise ConfigError(f"invalid webhook header name {name!r}")
        if not isinstance(value, str):
            raise ConfigError(f"webhook header {name!r}: the value must be a string")
    return dict(headers)


def parse_headers(items: Iterable[str]) -> dict[str, str] | None:
    """``["X-Drift-Secret=abc"]`` (repeated ``--header NAME=VALUE``) -> headers, or None
    when there are none."""
    headers: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ConfigError("a webhook header must look like NAME=VALUE")
        headers[name.strip()] = value
    return check_headers(headers) if headers else None


# ---- library API ----------------------------------------------------------------------

def list_hooks(client: Any) -> list[dict]:
    """Every webhook of this API account (the store lists only the caller's client's)."""
    return client.list_all(HOOKS)


def plan_hooks(existing: list[dict], destination: str, headers: dict[str, str] | None = None,
               scopes: Iterable[str] = DRIFT_SCOPES) -> HookPlan:
    """Compare the store's hooks with one hook per scope for ``destination``. Pure.

    ``headers=None`` leaves existing hooks' headers alone; given, a hook with other
    headers is put back with these. Hooks for other destinations or scopes are ignored.

        >>> plan_hooks([{"id": 7, "scope": "store/sku/created", "destination": "https://d/",
        ...              "is_active": False, "headers": None}], "https://d/",
        ...            scopes=["store/sku/created", "store/sku/updated"])
        HookPlan(to_create=['store/sku/updated'], to_reactivate=[{'id': 7, ...}], already=[])
    """
    scopes = list(dict.fromkeys(scopes))
    matches: dict[str, list[dict]] = {}
    for hook in existing:
        if hook.get("destination") == destination and hook.get("scope") in scopes:
            matches.setdefault(hook["scope"], []).append(hook)
    plan = HookPlan([], [], [])
    for scope in scopes:
        found = matches.get(scope)
        if not found:
            plan.to_create.append(scope)
            continue
        hook = next((h for h in found if h.get("is_active")), found[0])
        if hook.get("is_active") and (headers is None or (hook.get("headers") or {}) == headers):
            plan.already.append(hook)
        else:
            plan.to_reactivate.append(hook)
    return plan


def register_hooks(client: Any, destination: str, headers: dict[str, str] | None = None,
                   scopes: Iterable[str] = DRIFT_SCOPES) -> RegisterResult:
    """Make sure ``destination`` gets every scope's events: create the missing hooks one
    at a time ("Only one webhook at a time can be created", WH) and reactivate inactive
    ones. The destination and headers are checked before any request."""
    check_destination(destination)
    headers = check_headers(headers)
    plan = plan_hooks(list_hooks(client), destination, headers, scopes)
    result = RegisterResult(destination, already=list(plan.already))
    extra = {} if headers is None else {"headers": headers}
    for scope in plan.to_create:
        body = {"scope": scope, "destination": destination, "is_active": True, **extra}
        result.created.append(_send(result, scope, lambda: client.post(HOOKS, body)))
    for hook in plan.to_reactivate:
        body = {"is_active": True, **extra}
        result.reactivated.append(
            _send(result, hook["scope"], lambda: client.put(f"{HOOKS}/{hook['id']}", body)))
    return result


def _send(result: RegisterResult, scope: str, call: Callable[[], Any]) -> dict:
    try:
        return call().data["data"]
    except StoreError as exc:
        raise RegisterError(f"registering the {scope} webhook failed: {exc}. So far: "
                            f"{result.summary()} Run again to finish.", result) from exc


# ---- output -----------------------------------------------------------------------------

def redact(hook: dict) -> dict:
    """``hook`` with every custom header value replaced by ``***``."""
    headers = hook.get("headers")
    return {**hook, "headers": None if headers is None else {k: MASK for k in headers}}


def render_hooks(hooks: list[dict]) -> str:
    """A table for the terminal, by (destination, scope, id); header values masked.

        >>> print(render_hooks([{"id": 7, "scope": "store/sku/created", "destination": "https://d/",
        ...                      "is_active": False, "headers": {"X-Key": "s3cret"}}]))
        ID  SCOPE              DESTINATION  ACTIVE  HEADERS
        7   store/sku/created  https://d/   no      X-Key: ***
    """
    if not hooks:
        return "No webhooks."
    rows = [("ID", "SCOPE", "DESTINATION", "ACTIVE", "HEADERS")]
    for h in sorted(hooks, key=lambda h: (h.get("destination", ""), h.get("scope", ""), h.get("id", 0))):
        names = ", ".join(f"{name}: {MASK}" for name in h.get("headers") or {}) or "-"
        rows.append((str(h.get("id", "")), h.get("scope", ""), h.get("destination", ""),
                     "yes" if h.get("is_active") else "no", names))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows)
