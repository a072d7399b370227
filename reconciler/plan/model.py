"""The Plan: plain data, computed once, rendered many ways, applied exactly.

    Plan
    ├── changes: [ResourceChange]        ordered (kind order, action order, key)
    │   ├── kind, key, action (+ ~ - " ")
    │   ├── changes: [FieldChange(path, before, after)]   what differs, desired terms
    │   ├── after: {field: value}        the desired fields to write (create/update)
    │   ├── live_id                      store id of the object (None for a create)
    │   ├── fingerprint                  hash of the live object the change was computed from
    │   ├── parent                       Address of the owning object, for sub-resources
    │   └── source                       "catalog/products/x.yaml:12:3" of the YAML object
    └── unmanaged: {kind: [key]}          in the store, not in YAML: never touched

Values are in desired-state terms (brand names, category paths, Decimals), never
API ids, so a plan reads like the YAML it came from. ``to_json``/``from_json``
round-trip exactly; Decimals are written as strings so money never becomes a
float on the way through a plan file.

Plan files: format_version "2" carries addresses and parents as JSON objects
(``Address.to_json``). A version "1" file (addresses as text) is still read when its
checksum verifies, its texts parsed with ``Address.parse``; any other version is refused.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from typing import Any

from reconciler.core.address import Address
from reconciler.core.errors import PlanError

FORMAT_VERSION = "2"
READS = ("1", FORMAT_VERSION)   # versions from_json reads; a plan read is held (and written) as the current one
# Plan.impact's column naming who sees a price: a field of the plan file that happens to
# be spelled as a kind's name (tests/plan/test_no_kind_names.py allows this one constant).
IMPACT_GROUP = "customer_group"


class Action(str, Enum):
    CREATE = "+"
    UPDATE = "~"
    DELETE = "-"
    NOOP = " "

    @property
    def verb(self) -> str:
        return {"+": "create", "~": "update", "-": "delete", " ": "noop"}[self.value]

    @classmethod
    def from_verb(cls, verb: str) -> "Action":
        return {"create": cls.CREATE, "update": cls.UPDATE, "delete": cls.DELETE, "noop": cls.NOOP}[verb]


@dataclass(frozen=True)
class FieldChange:
    path: str          # dotted field path in desired terms: "price", "categories"
    before: Any        # live value (None when absent); informational for apply
    after: Any         # desired value; what apply writes


@dataclass
class ResourceChange:
    kind: str
    key: str
    action: Action
    changes: list[FieldChange] = field(default_factory=list)
    after: dict[str, Any] = field(default_factory=dict)
    live_id: int | None = None
    fingerprint: str | None = None
    source: str | None = None
    reason: str | None = None
    # Address of the owning object: Address("product", "CT-BLK100"). Text ("product['CT-BLK100']")
    # is parsed on construction; anything else that is not an address stays as given (a bare key).
    parent: Address | None = None
    blocked: str | None = None     # why apply refuses this change unless acknowledged (guardrails)
    # Where the difference comes from, when the last applied state is known:
    # "yaml" (the catalog changed: a PR's intent), "drift" (the store changed since
    # the last apply), "yaml+drift" (both). None: unknown. Informational only.
    origin: str | None = None
    live_modified: str | None = None   # the store's date_modified of the object, where the API has one

    def __post_init__(self) -> None:
        if isinstance(self.parent, str):
            try:
                self.parent = Address.parse(self.parent)
            except ValueError:
                pass    # a bare key, as some callers still write it: renderers nest it by kind

    @property
    def address(self) -> Address:
        parent = self.parent if isinstance(self.parent, Address) else None
        return Address(self.kind, self.key, parent)


@dataclass
class Plan:
    changes: list[ResourceChange] = field(default_factory=list)
    unmanaged: dict[str, list[str]] = field(default_factory=dict)
    desired_digest: str = ""
    store: dict[str, str] = field(default_factory=dict)   # {"api_url", "store_hash"}: no token
    created_at: str = ""
    format_version: str = FORMAT_VERSION
    # Business impact of price changes: one row per (customer group, channel):
    # {"customer_group", "channel", "changed", "min_pct", "median_pct", "max_pct", "blocked"}
    # (percentages as Decimals). Informational; apply never reads it.
    impact: list[dict[str, Any]] = field(default_factory=list)
    refresh: str = "full"          # how the store was read (full, or incremental since when)
    last_applied: str | None = None   # when the last-applied state used for drift was written
    # {"pr", "head_sha", "run_url"}: the pull request commit a CI plan was made for (reconciler/ci).
    # Written only when set, so plans made elsewhere are unchanged; readers without it ignore it.
    review: dict[str, Any] | None = None
    # A plan cut down by --target / --exclude (plan/partial.py): the patterns, and what came
    # with them; None: the whole plan.
    partial: str | None = None
    # What a targeted read did not re-read (LiveState.unread): {kind: {"parents", "parent_kind",
    # "since"}}; written only when set.
    unread: dict[str, Any] = field(default_factory=dict)
    # What a complete apply of this plan records for the next targeted plan (plan/targeted.py
    # ``baseline_of``): set by build_plan from a read of the store; never in the plan file.
    baseline: dict[str, Any] | None = field(default=None, repr=False, compare=False)
    # What the plan cost and what its apply will (apply/estimate.py): {"read": {"requests",
    # "seconds"}, "requests", "phases": {"lock", "check", "write"}, "seconds", "quota":
    # {"requests", "window_s", "share"?}}; "read" alone for a plan with nothing to apply.
    # Set by the CLI after the plan's reads; written only when set. Informational only.
    estimate: dict[str, Any] | None = None

    @property
    def blocked(self) -> list["ResourceChange"]:
        return [c for c in self.changes if c.blocked]

    @property
    def has_changes(self) -> bool:
        return any(c.action is not Action.NOOP for c in self.changes)

    def count(self, action: Action, kind: str | None = None) -> int:
        return sum(1 for c in self.changes if c.action is action and (kind is None or c.kind == kind))

    def summary(self) -> dict[str, int]:
        return {a.verb: self.count(a) for a in (Action.CREATE, Action.UPDATE, Action.DELETE)}

    # -- serialisation -------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {
            "format_version": self.format_version,
            "created_at": self.created_at,
            "store": dict(self.store),
            "desired_digest": self.desired_digest,
            "summary": self.summary(),
            "resource_changes": [_change_to_dict(c) for c in self.changes],
            "unmanaged": {
                kind: {"count": len(keys), "keys": list(keys)} for kind, keys in self.unmanaged.items()
            },
            "impact": encode_value(self.impact),
            "refresh": self.refresh,
            "last_applied": self.last_applied,
            **({"review": dict(self.review)} if self.review is not None else {}),
            **({"partial": self.partial} if self.partial else {}),
            **({"estimate": self.estimate} if self.estimate else {}),
            **({"unread": dict(self.unread)} if self.unread else {}),
        }

    def to_json(self) -> str:
        data = self.to_dict()
        data["checksum"] = checksum(data)
        return json.dumps(data, indent=2, sort_keys=False, ensure_ascii=False) + "\n"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Plan":
        version = data.get("format_version")
        if version not in READS:
            raise PlanError(f"unsupported plan format_version {version!r}: this tool writes "
                            f"{FORMAT_VERSION!r} and reads {' and '.join(map(repr, READS))}; "
                            "make a new plan with `catalog plan --out`")
        parent_of = _parent_v1 if version == "1" else _parent_v2
        try:
            return cls(
                changes=[_change_from_dict(c, parent_of) for c in data["resource_changes"]],
                unmanaged={k: list(v["keys"]) for k, v in data.get("unmanaged", {}).items()},
                desired_digest=data.get("desired_digest", ""),
                store=dict(data.get("store", {})),
                created_at=data.get("created_at", ""),
                impact=decode_value(data.get("impact") or []),
                refresh=data.get("refresh") or "full",
                last_applied=data.get("last_applied"),
                review=data.get("review"),
                partial=data.get("partial"),
                estimate=data.get("estimate"),
                unread=dict(data.get("unread") or {}),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise PlanError(f"plan file is malformed: {exc}") from None

    @classmethod
    def from_json(cls, text: str) -> "Plan":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise PlanError(f"plan file is not JSON: {exc}") from None
        if not isinstance(data, dict):
            raise PlanError("plan file is not a JSON object")
        written = data.pop("checksum", None)
        if written != checksum(data):
            version = data.get("format_version")
            older = f", and a format_version {version!r} plan is read only as written" if version != FORMAT_VERSION else ""
            raise PlanError(
                f"plan file was changed after `catalog plan` wrote it (its checksum does not match{older}); "
                "a plan is applied exactly as it was reviewed, so make a new one with `catalog plan --out`"
            )
        return cls.from_dict(data)


def checksum(data: dict[str, Any]) -> str:
    """sha256 of the plan's content (everything but the checksum itself), so a
    plan edited by hand is noticed. It guards against mistakes, not against
    someone who recomputes it."""
    import hashlib

    body = {k: v for k, v in data.items() if k != "checksum"}
    canon = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canon.encode()).hexdigest()


# Decimals travel as {"$decimal": "12.50"} so that from_json restores them exactly
# and the JSON stays unambiguous for other readers (documented in plan.schema.json).

def encode_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return {"$decimal": format(value, "f")}
    if isinstance(value, dict):
        return {k: encode_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode_value(v) for v in value]
    return value


def decode_value(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"$decimal"}:
            return Decimal(value["$decimal"])
        return {k: decode_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode_value(v) for v in value]
    return value


def _change_to_dict(c: ResourceChange) -> dict[str, Any]:
    return {
        "address": c.address.to_json(),
        "kind": c.kind,
        "key": c.key,
        "action": c.action.verb,
        "reason": c.reason,
        "live_id": c.live_id,
        "fingerprint": c.fingerprint,
        "source": c.source,
        "parent": c.parent.to_json() if isinstance(c.parent, Address) else None,
        "blocked": c.blocked,
        "origin": c.origin,
        "live_modified": c.live_modified,
        "changes": [
            {"path": f.path, "before": encode_value(f.before), "after": encode_value(f.after)} for f in c.changes
        ],
        "after": encode_value(c.after),
    }


def _parent_v1(d: dict[str, Any]) -> Address | None:
    """A version-1 parent: the address as text, "product['CT-BLK100']"."""
    return Address.parse(d["parent"]) if d.get("parent") is not None else None


def _parent_v2(d: dict[str, Any]) -> Address | None:
    """A version-2 parent: ``{"kind", "key", "parent"}``; the change's own address must agree."""
    parent = Address.from_json(d["parent"]) if d.get("parent") is not None else None
    address = Address.from_json(d["address"])
    if (address.kind, address.key, address.parent) != (d["kind"], d["key"], parent):
        raise ValueError(f"address {address} does not match kind {d['kind']!r}, key {d['key']!r}, parent {parent}")
    return parent


def _change_from_dict(d: dict[str, Any], parent_of=_parent_v2) -> ResourceChange:
    return ResourceChange(
        kind=d["kind"],
        key=d["key"],
        action=Action.from_verb(d["action"]),
        changes=[FieldChange(f["path"], decode_value(f["before"]), decode_value(f["after"])) for f in d["changes"]],
        after=decode_value(d.get("after") or {}),
        live_id=d.get("live_id"),
        fingerprint=d.get("fingerprint"),
        source=d.get("source"),
        reason=d.get("reason"),
        parent=parent_of(d),
        blocked=d.get("blocked"),
        origin=d.get("origin"),
        live_modified=d.get("live_modified"),
    )
