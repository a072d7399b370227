"""Customer groups (CU2 ``/v2/customer_groups``), FACTS §9. v2: no envelope, v2 errors.

Object, in ``customerGroup_Full``'s field order::

    {id, name, is_default, category_access: {type, categories (only for "specific")},
     discount_rules, date_created, date_modified, is_group_for_guests}

with dates as ``2023-07-17 06:30:41`` (UTC, no zone). Discount rules are written as

* exactly one ``{type: "price_list", price_list_id}``, which must be the only rule; or
* any number of ``{type: "category", method, amount, category_id}`` and
  ``{type: "product", method, amount, product_id}`` plus at most one
  ``{type: "all", method, amount}``; ``method`` ∈ percent|fixed|price and ``amount``
  a number or a numeric string ("Float, Float as String, Integer").

and read back with ``amount`` as a four-place string ("5.0000"); a price-list rule
shows only ``type`` and ``price_list_id`` (CU2). A PUT may send any subset of fields;
``discount_rules``, when sent, replace the whole set ("treated in bulk").

Choices where CU2 is silent or contradicts itself (⚠):

* ⚠ The price-list rule's schema says ``required: [type, price_list]``, a field it does
  not declare; the declared ``price_list_id`` is what is required (and ``price_list``
  refused as unknown).
* ⚠ The ``all`` rule declares only ``type`` required; a discount needs its method and
  amount, so both are required for every non-price-list rule.
* Names are unique case-insensitively; a clash is 409 (not stated).
* Only one group is the default and only one is for guests (CU2 says the latter):
  setting either flag on a group clears it on the group that had it (not stated for
  ``is_default``; "new customers are assigned to this group by default" needs one).
  The other group's ``date_modified`` moves.
* A price list, category or product a rule or ``category_access`` names must exist
  (422). Two rules for the same category or product are refused. ``amount`` must be
  ≥ 0, and a percent at most 100.
* PL info: a price list cannot be assigned to a group with customer-group discounts.
  So category/product/all rules are refused (422) on a group that has price list
  assignments; the other direction is checked by the assignments.
* Status codes: CU2 declares only 200/204/207 and 400 (``ErrorRequest``). Query
  problems (bad ``page``/``limit``, unknown filters) answer 400; body problems 422;
  an unknown id 404; a name clash 409 – all in the ``{"errors": [...]}`` shape.
* ``limit`` defaults to 50, at most 250 (not stated for groups; the v2 rule CU2 states
  for addresses); over 250 → 400. An empty page is ``200 []`` (v2 often answers 204,
  but getCustomerGroups lists only 200).
* getCustomerGroup declares list parameters (page, limit, name, dates, is_default);
  they are accepted and ignored.
* Deleting a group deletes its price list assignments. Deleting a price list, category
  or product removes the rules (and category access entries) that named it.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from ..catalog.refs import Refs
from ..core.errors import SandboxError, conflict, unprocessable
from ..core.query import Query, build_filters, select
from ..core.storage import DATE_FORMAT_V2, Key
from ..core.validation import check
from .schemas import CUSTOMER_GROUP, CUSTOMER_GROUP_READ_ONLY

if TYPE_CHECKING:
    from ..core.storage import Storage

KIND = "customer_group"
DEFAULT_LIMIT, MAX_LIMIT = 50, 250
_DATES = {f"{f}{op}": (f, "date") for f in ("date_created", "date_modified") for op in ("", ":min", ":max")}
FILTERS = {"name": ("name", "str"), "name:like": ("name", "like"), "is_default": ("is_default", "bool"),
           "is_group_for_guests": ("is_group_for_guests", "bool"), **_DATES}
LIST_PARAMS = ("page", "limit", *FILTERS)
ITEM_PARAMS = ("page", "limit", "name", "is_default", *_DATES)
METHODS = ("percent", "fixed", "price")
RULE_FIELDS = {"price_list": ("type", "price_list_id"),
               "category": ("type", "method", "amount", "category_id"),
               "product": ("type", "method", "amount", "product_id"),
               "all": ("type", "method", "amount")}
REFERENCES = {"price_list_id": "price_list", "category_id": "category", "product_id": "product"}
ORDER = ("id", "name", "is_default", "category_access", "discount_rules", "date_created",
         "date_modified", "is_group_for_guests")


def not_found(gid: int) -> SandboxError:
    # Title from the v2 family's 404 ("The requested resource was not found.", FACTS §2.2).
    return SandboxError(404, "The requested resource was not found.", {"id": f"Customer group {gid} does not exist."})


def _amount(value: Any, method: str) -> str:
    """The four-place string form of a rule amount; ValueError when it is not one."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal, str)):
        raise ValueError("amount must be a number or a numeric string such as \"5.0000\"")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"amount {value!r} is not a number") from None
    if not number.is_finite() or number < 0:
        raise ValueError("amount must be a finite number of at least 0")
    if method == "percent" and number > 100:
        raise ValueError("a percent amount is at most 100")
    return str(number.quantize(Decimal("0.0001")))


def _dump_group(group: dict, refs: Refs, lists: dict[int, str]) -> dict[str, Any]:
    access = dict(group["category_access"])
    if "categories" in access:
        access["categories"] = [refs.category(c) for c in access["categories"]]
    rules = []
    for rule in group["discount_rules"]:
        rule = dict(rule)
        if "price_list_id" in rule:
            rule["price_list"] = lists.get(rule.pop("price_list_id"))
        if "category_id" in rule:
            rule["category"] = refs.category(rule.pop("category_id"))
        if "product_id" in rule:
            rule["product"] = refs.product(rule.pop("product_id"))
        rules.append(rule)
    return {"id": group["id"], "name": group["name"], "is_default": group["is_default"],
            "is_group_for_guests": group["is_group_for_guests"], "category_access": access, "discount_rules": rules}


class CustomerGroups:
    KEYS = (Key("name", ("name",), folded=True),)
    SEED = ("customer_groups", 50)

    def __init__(self, state: Storage) -> None:
        self.s = state

    # ---- reads ------------------------------------------------------------------------

    def get(self, gid: int) -> dict:
        group = self.s.get(KIND, gid)
        if group is None:
            raise not_found(gid)
        return group

    def by_name(self, name: str) -> dict | None:
        hits = self.s.lookup((KIND,), "name", name)
        return self.s.get(KIND, hits[0][1]) if hits else None

    def list_page(self, q: Query) -> list[dict]:
        """One page, sorted by id (CU2: "Default sorting is by customer-group ID")."""
        page, limit = q.int("page", 1), q.int("limit", DEFAULT_LIMIT)
        if page < 1 or not 1 <= limit <= MAX_LIMIT:
            raise SandboxError(400, f'Query parameter "page" must be at least 1 and "limit" between 1 and {MAX_LIMIT}.')
        matched = select(self.s.all(KIND), build_filters(q, FILTERS))
        return matched[(page - 1) * limit: page * limit]

    def count(self) -> int:
        return self.s.count(KIND)

    def has_discounts(self, gid: int) -> bool:
        group = self.s.get(KIND, gid)
        return bool(group) and any(r["type"] != "price_list" for r in group["discount_rules"])

    # ---- validation -------------------------------------------------------------------

    def _exists(self, kind: str, oid: Any) -> bool:
        return isinstance(oid, int) and not isinstance(oid, bool) and self.s.get(kind, oid) is not None

    def _access(self, access: dict) -> dict:
        cats = access.get("categories")
        if access["type"] != "specific":
            if cats:
                raise unprocessable("JSON data is missing or invalid", {
                    "category_access.categories": "categories may be given only when type is 'specific'."})
            return {"type": access["type"]}
        if cats is None:
            raise unprocessable("Missing Required Fields", {
                "category_access.categories": "Please provide the categories for type 'specific'."})
        missing = [c for c in cats if not self._exists("category", c)]
        if missing:
            raise unprocessable("JSON data is missing or invalid", {
                "category_access.categories": f"Categories {missing} do not exist."})
        return {"type": "specific", "categories": list(dict.fromkeys(cats))}

    def _rules(self, rules: list[dict], gid: int | None) -> list[dict]:
        errors: dict[str, str] = {}
        out: list[dict] = []
        targets: set[tuple[str, Any]] = set()
        for i, rule in enumerate(rules):
            where = f"discount_rules.{i}"
            kind = rule.get("type")
            fields = RULE_FIELDS.get(kind)
            if fields is None:
                errors[f"{where}.type"] = f"type must be one of: {', '.join(RULE_FIELDS)}."
                continue
            extra = sorted(set(rule) - set(fields))
            missing = [f for f in fields if f not in rule]
            if extra or missing:
                errors[where] = (f"A '{kind}' rule has exactly the fields {', '.join(fields)}"
                                 f"{'; missing ' + ', '.join(missing) if missing else ''}"
                                 f"{'; unknown ' + ', '.join(extra) if extra else ''}.")
                continue
            stored = {"type": kind}
            if kind != "price_list":
                if rule["method"] not in METHODS:
                    errors[f"{where}.method"] = f"method must be one of: {', '.join(METHODS)}."
                    continue
                try:
                    stored.update(method=rule["method"], amount=_amount(rule["amount"], rule["method"]))
                except ValueError as exc:
                    errors[f"{where}.amount"] = str(exc)
                    continue
            for field in fields[1:]:
                if field in REFERENCES:
                    if not self._exists(REFERENCES[field], rule[field]):
                        errors[f"{where}.{field}"] = f"{REFERENCES[field].replace('_', ' ').capitalize()} " \
                                                     f"{rule[field]!r} does not exist."
                    stored[field] = rule[field]
            target = (kind, stored.get("category_id") or stored.get("product_id"))
            if target in targets:
                errors[where] = "Another rule of this request has the same target."
            targets.add(target)
            out.append(stored)
        kinds = [r["type"] for r in out]
        if "price_list" in kinds and len(rules) > 1:
            errors["discount_rules"] = "A price_list rule must be the only rule."
        if errors:
            raise unprocessable("JSON data is missing or invalid", errors)
        if gid is not None and any(k != "price_list" for k in kinds) and self.s.assignments.has_group(gid):
            raise unprocessable("The customer group has price list assignments", {
                "discount_rules": f"Customer group {gid} has price list assignments; customer group "
                                  "discounts cannot be combined with them."})
        return out

    def _validate(self, raw: Any, gid: int | None, *, create: bool) -> dict:
        if raw is None and not create:
            raw = {}  # updateCustomerGroup's body is "required: false"
        body = check(raw, CUSTOMER_GROUP, required=("name",) if create else (),
                     read_only=CUSTOMER_GROUP_READ_ONLY)
        if "category_access" in body:
            body["category_access"] = self._access(body["category_access"])
        if "discount_rules" in body:
            body["discount_rules"] = self._rules(body["discount_rules"], gid)
        if "name" in body:
            other = self.by_name(body["name"])
            if other is not None and other["id"] != gid:
                raise conflict("The customer group name is a duplicate", {
                    "name": f"Customer group name '{body['name']}' is already used by group {other['id']}."})
        return body

    # ---- writes -----------------------------------------------------------------------

    def _save(self, group: dict) -> dict:
        for flag in ("is_default", "is_group_for_guests"):
            if group[flag]:
                for other in self.s.all(KIND):
                    if other[flag] and other["id"] != group["id"]:
                        self._touch({**other, flag: False})
        return self.s.save(KIND, group["id"], {k: group[k] for k in ORDER})

    def _touch(self, group: dict) -> dict:
        group["date_modified"] = self.s.stamp(group["date_modified"], DATE_FORMAT_V2)
        return self.s.save(KIND, group["id"], group)

    def _build(self, gid: int, body: dict) -> dict:
        now = self.s.now(DATE_FORMAT_V2)
        group = {"id": gid, "name": body["name"], "is_default": False, "category_access": {"type": "all"},
                 "discount_rules": [], "date_created": now, "date_modified": now,
                 "is_group_for_guests": False, **body}
        return self._save(group)

    def create(self, raw: Any) -> dict:
        body = self._validate(raw, None, create=True)
        return self._build(self.s.next_id(KIND), body)

    def update(self, gid: int, raw: Any) -> dict:
        current = self.get(gid)
        body = self._validate(raw, gid, create=False)
        updated = {**current, **body, "date_modified": self.s.stamp(current["date_modified"], DATE_FORMAT_V2)}
        return self._save(updated)

    def delete(self, gid: int) -> None:
        self.get(gid)
        self.s.remove(KIND, gid)
        self.s.assignments.drop(customer_group_id=gid)

    # ---- references that go away ------------------------------------------------------

    def _forget(self, keep_rule: Any, keep_category: Any = lambda c: True) -> None:
        for group in self.s.all(KIND):
            rules = [r for r in group["discount_rules"] if keep_rule(r)]
            access = group["category_access"]
            if "categories" in access:
                access = {**access, "categories": [c for c in access["categories"] if keep_category(c)]}
            if rules != group["discount_rules"] or access != group["category_access"]:
                self._touch({**group, "discount_rules": rules, "category_access": access})

    def forget_price_list(self, plid: int) -> None:
        self._forget(lambda r: r.get("price_list_id") != plid)

    def forget_categories(self, cids: set[int]) -> None:
        self._forget(lambda r: r.get("category_id") not in cids, lambda c: c not in cids)

    def forget_product(self, pid: int) -> None:
        self._forget(lambda r: r.get("product_id") != pid)

    # ---- seeding ----------------------------------------------------------------------

    def dump(self) -> dict[str, list[dict]]:
        """Groups by id (ids kept), references by name, path or SKU (``Refs``)."""
        refs = Refs(self.s)
        lists = {p["id"]: p["name"] for p in self.s.all("price_list")}
        return {"customer_groups": [_dump_group(g, refs, lists) for g in self.s.all(KIND)]}

    def seed_all(self, items: list[dict]) -> None:
        """SEED FORMAT: groups with names instead of ids (see ``seeds``). An explicit
        ``id`` is kept (GTSE's "Trade" group is 2); the others get the next free ids."""
        fixed = {item["id"] for item in items if "id" in item}
        for item in items:
            gid = item.get("id")
            if gid is None:
                gid = self.s.next_id(KIND)
                while gid in fixed or self.s.get(KIND, gid) is not None:
                    gid = self.s.next_id(KIND)
            elif self.s.get(KIND, gid) is not None:
                raise ValueError(f"seed customer group {item.get('name')!r}: id {gid} is taken")
            try:
                body = self._validate(self._from_seed(item), gid, create=True)
            except SandboxError as exc:
                raise ValueError(f"seed customer group {item.get('name')!r}: {exc.title}: {exc.errors}") from None
            self._build(gid, body)
        for gid in fixed:
            self.s.claim_id(KIND, gid)

    def _from_seed(self, item: dict) -> dict:
        body = {k: v for k, v in item.items() if k != "id"}
        access = body.get("category_access")
        if access and "categories" in access:
            body["category_access"] = {**access, "categories": [self._ref("category", c) for c in access["categories"]]}
        if "discount_rules" in body:
            body["discount_rules"] = [self._seed_rule(r) for r in body["discount_rules"]]
        return body

    def _seed_rule(self, rule: dict) -> dict:
        """``{"type": "price_list", "price_list": name}`` → ``price_list_id``; likewise
        ``category`` (a path) and ``product`` (a SKU)."""
        rule = dict(rule)
        for name in ("price_list", "category", "product"):
            if name in rule:
                rule[f"{name}_id"] = self._ref(name, rule.pop(name))
        return rule

    def _ref(self, kind: str, key: Any) -> int:
        """A seed's name / path / SKU → id (integers pass through)."""
        if isinstance(key, int):
            return key
        if kind == "category":
            found = self.s.categories.find_path(key)
            oid = found["category_id"] if found else None
        elif kind == "price_list":
            found = self.s.price_lists.by_name(key)
            oid = found["id"] if found else None
        else:
            hits = self.s.lookup(("product",), "sku", key)
            oid = hits[0][1] if hits else None
        if oid is None:
            raise ValueError(f"seed customer group: unknown {kind.replace('_', ' ')} {key!r}")
        return oid
