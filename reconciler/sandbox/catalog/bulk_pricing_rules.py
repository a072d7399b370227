"""Product bulk pricing rules (P ``…/products/{id}/bulk-pricing-rules``), FACTS §5.3.

A rule is ``{id, quantity_min, quantity_max, type, amount}`` (P ``bulkPricingRule_Full``;
POST requires all four fields, PUT none; ``id`` is read-only). Rules P's field texts state:

* ``quantity_max`` "Must be greater than the quantity_min value – unless this field has a
  value of 0 (zero), in which case there will be no maximum bound" (422);
* "For fixed rules, the minimum quantity canʼt be less than two" (422);
* ``type`` is ``price``, ``percent`` or ``fixed``.

``amount`` is a number or a string (P: percent as ".10"); "the response will return a
float": a numeric string is answered as its number (⚠ vague whether ".10" means 10 %
or 0.1 of something: we keep the value sent, 0.1). A non-numeric string is a 422.

Overlapping quantity ranges inside a product are a 409 (P updateBulkPricingRule 409:
"quantity range overlapping with existing bulk pricing rules"; createBulkPricingRule
declares only 200, we give the same 409; product POST/PUT: 409 for "a conflicting
bulk_pricing_rule", FACTS §5.1). In a product body, items with ``id`` replace that rule,
items without add one, rules not sent are kept (as for custom fields; not stated).
Every write moves the product's ``date_modified``. ⚠ P does not say whether a product
PUT's ``bulk_pricing_rules`` replaces the set; we keep the rules not sent (the reading
that loses nothing; removing a rule is a DELETE).

In the SEED FORMAT (and the dump) a product's rules are its body's
``bulk_pricing_rules``, without ids.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..core.errors import conflict, not_found, unprocessable
from ..core.storage import Key
from ..core.validation import check
from .schemas import BULK_PRICING_RULE_BODY, BULK_PRICING_RULE_REQUIRED

if TYPE_CHECKING:
    from ..core.storage import Storage

KIND = "bulk_pricing_rule"
FIELDS = ("quantity_min", "quantity_max", "type", "amount")
LIST_PARAMS = ("page", "limit", "include_fields", "exclude_fields")
ITEM_PARAMS = ("include_fields", "exclude_fields")


def render(rule: dict) -> dict[str, Any]:
    return {"id": rule["id"], **{f: rule[f] for f in FIELDS}}


def _amount(value: Any) -> float | int:
    if not isinstance(value, str):
        return value
    try:
        return float(value)
    except ValueError:
        raise unprocessable("JSON data is missing or invalid",
                            {"amount": f"'{value}' is not a number."}) from None


def _errors(rule: dict) -> dict[str, str]:
    out = {}
    if rule["quantity_max"] and rule["quantity_max"] <= rule["quantity_min"]:
        out["quantity_max"] = "quantity_max must be greater than quantity_min, or 0 for no maximum."
    if rule["type"] == "fixed" and rule["quantity_min"] < 2:
        out["quantity_min"] = "A fixed rule's quantity_min is at least 2."
    return out


def _overlap(a: dict, b: dict) -> bool:
    top_a, top_b = a["quantity_max"] or float("inf"), b["quantity_max"] or float("inf")
    return a["quantity_min"] <= top_b and b["quantity_min"] <= top_a


def _span(rule: dict) -> str:
    return f"{rule['quantity_min']}–{rule['quantity_max'] or 'any'}"


class BulkPricingRules:
    KEYS = (Key("product_id", ("product_id",), role="parent"),)
    FIRST_IDS = {KIND: 83}  # P createBulkPricingRule example: id 83

    def __init__(self, state: Storage) -> None:
        self.s = state
        state.keep_views(KIND, lambda rules: [render(r) for r in rules])

    def list(self, pid: int) -> list[dict]:
        self.s.products.stored(pid)
        return [render(r) for r in self.s.children(KIND, [pid])]

    def _stored(self, pid: int, rid: int) -> dict:
        self.s.products.stored(pid)
        rule = self.s.get(KIND, rid)
        if rule is None or rule["product_id"] != pid:
            raise not_found("Bulk pricing rule", rid)
        return rule

    def get(self, pid: int, rid: int) -> dict:
        return render(self._stored(pid, rid))

    def create(self, pid: int, raw: Any) -> dict:
        body = check(raw, BULK_PRICING_RULE_BODY, required=BULK_PRICING_RULE_REQUIRED, read_only=("id",))
        self.s.products.stored(pid)
        return self._write(pid, [body])[0]

    def update(self, pid: int, rid: int, raw: Any) -> dict:
        # ⚠ P's PUT body schema marks id required, its text "Read-Only Fields: id" and
        # "Required Fields: none": the stricter reading refuses id in the body.
        body = check(raw, BULK_PRICING_RULE_BODY, read_only=("id",))
        self._stored(pid, rid)
        return self._write(pid, [{**body, "id": rid}])[0]

    def delete(self, pid: int, rid: int) -> None:
        self._stored(pid, rid)
        self.s.remove(KIND, rid)
        self.s.products.touch(pid)

    def write_from_product(self, pid: int, rules: list[dict]) -> None:
        """``bulk_pricing_rules`` of a product POST/PUT (validated by the product schema)."""
        if rules:
            self._write(pid, rules, touch=False)

    def _write(self, pid: int, items: list[dict], *, touch: bool = True) -> list[dict]:
        existing = {r["id"]: r for r in self.s.children(KIND, [pid])}
        written = []
        for item in items:
            rid = item.get("id")
            if rid is not None and rid not in existing:
                raise unprocessable("Invalid bulk pricing rule", {
                    "bulk_pricing_rules": f"Bulk pricing rule {rid} is not on this product."})
            merged = {**existing.get(rid, {}), **item}
            rule = {"id": rid or self.s.next_id(KIND), "product_id": pid,
                    **{f: merged[f] for f in FIELDS}, "amount": _amount(merged["amount"])}
            errors = _errors(rule)
            if errors:
                raise unprocessable("JSON data is missing or invalid", errors)
            for other in existing.values():
                if other["id"] != rule["id"] and _overlap(other, rule):
                    # No ids named: the other rule may be one this refused request made.
                    raise conflict("The bulk pricing rule conflicts with another", {
                        "bulk_pricing_rules": f"Quantities {_span(rule)} overlap the rule for {_span(other)}."})
            existing[rule["id"]] = rule
            self.s.save(KIND, rule["id"], rule)
            written.append(render(rule))
        if touch:
            self.s.products.touch(pid)
        return written

    def dump_into_products(self, pids: list[int]) -> tuple[str, dict[int, list[dict]]]:
        """Each product's rules in the SEED FORMAT (the product body's form, no ids)."""
        out: dict[int, list[dict]] = {}
        for rule in self.s.children(KIND, pids):
            out.setdefault(rule["product_id"], []).append({f: rule[f] for f in FIELDS})
        return "bulk_pricing_rules", out

    def drop_product(self, pid: int) -> None:
        for rule in self.s.children(KIND, [pid]):
            self.s.remove(KIND, rule["id"])

