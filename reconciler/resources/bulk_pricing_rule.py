"""bulk_pricing_rule: a product's quantity discount, keyed "<product sku>/<quantity_min>+".

YAML on a product::

    bulk_pricing_rules:
      - {quantity_min: 10, quantity_max: 49, type: percent, amount: 5}
      - {quantity_min: 50, type: price, amount: 1.50}

``type``: ``price`` takes ``amount`` off each unit's price, ``percent`` takes ``amount``
per cent off (YAML writes 5 for 5 %), ``fixed`` makes ``amount`` the unit price.

⚠ P's text for ``amount`` says a percent is sent as ".10", its examples send 10 for a
percent rule. The sandbox (sandbox/catalog/bulk_pricing_rules.py) keeps the number sent
and does not scale it, so we take the examples' reading: the YAML's number is the
percentage, sent and read back as it is (5 is 5 %, never 0.05).

A missing (or null) ``quantity_max`` is "no maximum", which the API writes as 0
(P ``quantity_max``: "0 (zero) ... no maximum bound"): desired and live both hold None.
The rules of a product may not overlap (the store answers 409) and a rule's key is its
``quantity_min``, unique inside the product, and a changed ``quantity_max`` replaces the
rule (delete, then create), so a range is never changed in place. Writing ``bulk_pricing_rules`` makes the
product own the list: rules it does not list are deleted.

Read with the product (``include=bulk_pricing_rules``); a new product's POST carries them
(P product_Base_POST ``bulk_pricing_rules``); otherwise one request per write on
``/v3/catalog/products/{id}/bulk-pricing-rules`` (POST) and ``…/{rule_id}`` (PUT, DELETE):
the API has no batch endpoint for them (FACTS.md 5.3).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Iterator

from reconciler.core.live import LiveObject
from reconciler.resources.base import ResourceKind
from reconciler.resources.checks import BELOW_COST, acknowledges, count, error, items, number
from reconciler.resources.children import child
from reconciler.resources.fields import to_decimal
from reconciler.resources.registry import register

FIELDS = ("quantity_min", "quantity_max", "type", "amount")
OWNER = "bulk_pricing_rules"


def key_for(sku: str, quantity_min: Any) -> str:
    """"CT-BLK100/10+": the rule for 10 or more of CT-BLK100."""
    return f"{sku}/{quantity_min}+"


def from_parent(product, settings) -> list:
    return [child("bulk_pricing_rule", key_for(product.key, item.get("quantity_min")), product,
                  f"{OWNER}.{i}", _fields(item))
            for i, item in enumerate(product.fields.get(OWNER) or [])]


def _fields(item: dict[str, Any]) -> dict[str, Any]:
    """A rule as desired: every field, quantity_max None for "no maximum" (so removing
    it from YAML is a change, not a field left unmanaged)."""
    return {"quantity_min": item.get("quantity_min"), "quantity_max": item.get("quantity_max") or None,
            "type": item.get("type"), "amount": item.get("amount")}


def from_live(obj: dict[str, Any], refs) -> dict[str, Any]:
    return {"quantity_min": obj.get("quantity_min"), "quantity_max": obj.get("quantity_max") or None,
            "type": obj.get("type"), "amount": to_decimal(obj.get("amount"))}


def live_from_parent(row: dict[str, Any], sku: str, refs, settings) -> list[LiveObject]:
    return [LiveObject("bulk_pricing_rule", key_for(sku, r["quantity_min"]), r["id"], from_live(r, refs),
                       parent=sku, extra={"product_id": row["id"]})
            for r in row.get(OWNER) or []]


def to_payload(fields: dict[str, Any], refs, parent: str | None = None) -> dict[str, Any]:
    # P createBulkPricingRule requires all four (a create has them all); an update sends
    # what changed (P updateBulkPricingRule: "Required Fields: none"). No maximum is 0.
    # Only a create carries the key (quantity_min), and it always says its maximum: a
    # rollback re-creating a rule from a journal holds no quantity_max for "none".
    body = {f: fields[f] for f in FIELDS if f in fields}
    if "quantity_max" in body or "quantity_min" in body:
        body["quantity_max"] = body.get("quantity_max") or 0
    return body


def find_rows(client, kind, key: str, name: str, parent_id, settings) -> list[dict]:
    """The product's rules after a lost create answer, each with its key's last part
    (``label``, "10+") for ``match_field``: the store has no filter by quantity."""
    rows = client.list_all(kind.endpoint.format(parent_id=parent_id))
    return [{**r, "label": f"{r.get('quantity_min')}+"} for r in rows if isinstance(r, dict)]


# -- money: what a rule makes a unit cost --------------------------------------------------------

def unit_price(rule: dict[str, Any], price: Any) -> Decimal | None:
    """The unit price ``rule`` gives a SKU sold at ``price`` (None: not known)."""
    amount, kind = rule.get("amount"), rule.get("type")
    if not number(amount):
        return None
    if kind == "fixed":
        return Decimal(amount)
    if not number(price):
        return None
    if kind == "price":
        return Decimal(price) - Decimal(amount)
    if kind == "percent":
        return Decimal(price) * (100 - Decimal(amount)) / 100
    return None


def sellables(product: dict[str, Any]) -> Iterator[tuple[str, Any, Any]]:
    """(label, price, cost) of what a product's rules discount: the product, and each
    variant with a price of its own (its cost, else the product's)."""
    cost = product.get("cost_price")
    yield f"product '{product.get('sku')}'", product.get("price"), cost
    for item in product.get("variants") or []:
        if isinstance(item, dict) and item.get("price") is not None:
            own = item.get("cost_price")
            yield f"variant '{item.get('sku')}'", item.get("price"), cost if own is None else own


def below_cost(product: dict[str, Any], rule: dict[str, Any]) -> tuple[str, Decimal, Any] | None:
    """(label, unit price, cost) of the first SKU ``rule`` prices below its cost, if any."""
    for label, price, cost in sellables(product):
        unit = unit_price(rule, price)
        if unit is not None and number(cost) and unit < cost:
            return label, unit, cost
    return None


# -- desired: checks ------------------------------------------------------------------------------

def checks(products: list, checking) -> list:
    """Before any API call: rules the store refuses (a maximum not above the minimum, a
    fixed rule below 2, overlapping ranges: 422 / 409) and rules that price a unit below
    cost, unless the product says ``acknowledge: [below_cost]``."""
    out = []
    for product in products:
        rules = [(i, r) for i, r in items(product, OWNER) if count(r.get("quantity_min"))]
        for i, rule in rules:
            at = (lambda path, i=i, p=product: p.source_of(f"{OWNER}.{i}.{path}"))
            if checking.flagged and at("quantity_min") in checking.flagged:
                continue
            out += _shape(product.key, i, rule, at) + _overlaps(product.key, i, rule, rules, at)
            if not acknowledges(product.fields, BELOW_COST):
                out += _cost(product, i, rule, at)
    return out


def _label(sku: str, i: int) -> str:
    return f"product '{sku}': {OWNER}[{i}]"


def _span(rule: dict[str, Any]) -> str:
    return f"{rule['quantity_min']}–{rule.get('quantity_max') or 'any'}"


def _shape(sku: str, i: int, rule: dict[str, Any], at) -> list:
    top, low = rule.get("quantity_max"), rule["quantity_min"]
    out = []
    if count(top) and top and top <= low:
        out.append(error(f"{_label(sku, i)}: quantity_max {top} is not above quantity_min {low} "
                         "(leave quantity_max out for no maximum)", at("quantity_max")))
    if rule.get("type") == "fixed" and low < 2:
        out.append(error(f"{_label(sku, i)}: a fixed rule's quantity_min is at least 2", at("quantity_min")))
    return out


def _overlaps(sku: str, i: int, rule: dict[str, Any], rules: list, at) -> list:
    """The first earlier rule of the list whose quantities ``rule``'s overlap."""
    def top(r):
        return r.get("quantity_max") if count(r.get("quantity_max")) and r.get("quantity_max") else float("inf")
    for j, other in rules:
        if j < i and other["quantity_min"] <= top(rule) and rule["quantity_min"] <= top(other):
            return [error(f"{_label(sku, i)}: quantities {_span(rule)} overlap {OWNER}[{j}] ({_span(other)}); "
                          "a quantity may match one rule only", at("quantity_min"))]
    return []


def _cost(product, i: int, rule: dict[str, Any], at) -> list:
    found = below_cost(product.fields, rule)
    if found is None:
        return []
    label, unit, cost = found
    return [error(f"{_label(product.key, i)}: the {rule.get('type')} rule prices {label} at "
                  f"{unit.quantize(Decimal('0.01'))}, below cost_price {cost} "
                  "(add acknowledge: [below_cost] to the product to sell below cost)", at("amount"))]


# -- import -----------------------------------------------------------------------------------------

def import_fold(rules: list, product, doc: dict, ctx) -> list | None:
    """A product's ``bulk_pricing_rules`` as catalog import writes them: by quantity, each
    on one line, no quantity_max when there is none; a rule below cost acknowledged on the
    product (folded after its variants, so theirs are checked too)."""
    out = [ctx.flow(ctx.pick(r)) for r in sorted(rules, key=lambda r: r.fields.get("quantity_min") or 0)]
    if any(below_cost({**doc, "sku": product.key}, r.fields) for r in rules):
        doc["acknowledge"] = ctx.flow_list(["below_cost"])
        ctx.below_cost.append(f"product '{product.key}' ({OWNER})")
    return out or None


BULK_PRICING_RULE = register(ResourceKind(
    name="bulk_pricing_rule",
    plural=OWNER,
    schema="product.schema.json",
    key="quantity_min",
    endpoint="/v3/catalog/products/{parent_id}/bulk-pricing-rules",
    depends_on=("product",),
    # No batch endpoint (FACTS.md 5.3): one rule per POST, PUT or DELETE (None = one a request).
    create_batch_size=None,
    update_batch_size=None,
    delete_batch_size=None,
    money_fields=frozenset({"amount"}),
    # A new range is delete + create, never a PUT: apply deletes before it creates, so the
    # ranges in the store never overlap on the way (an update narrowing 10-49 to 10-19 while
    # a create adds 20+ would meet a 409 in either order of the two). Type and amount update.
    replace_fields=frozenset({"quantity_max"}),
    meta_fields=frozenset({"acknowledge"}),   # tombstones (delete: true) are for top-level objects
    parent="product",
    owner_field=OWNER,
    from_parent=from_parent,
    live_from_parent=live_from_parent,
    read_include=OWNER,
    created_with_parent=True,
    bundle_field=OWNER,
    bundle=lambda after: to_payload(after, None),
    find_rows=find_rows,
    match_field="label",
    from_live=from_live,
    to_payload=to_payload,
    import_fields=FIELDS,
    import_fold=import_fold,
    fields_first=FIELDS,
    checks=checks,
    # at plan time, against the cost only the store holds (plan/guardrails.py)
    below_parent_cost=lambda product, rule: below_cost(product, rule),
))
