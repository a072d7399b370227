"""Variant options and their values (VO ``/v3/catalog/products/{id}/options``), FACTS §6.4.

An option is stored with its values inside it (``option_values``); value ids come from
their own sequence, so ``…/values/{value_id}`` finds a value in its option.

Rules, and choices where VO is silent:

* ``display_name`` is unique on the product, case-insensitively (VO 409 "duplicate
  unique fields, such as name"; case not stated, stricter reading). A value's
  ``label`` is unique in its option, case-insensitively; the values endpoints declare
  only 422 for invalid data, so a duplicate label is a 422 there.
* At most 250 values per option (VO: "250 option values per option limit") → 422.
* Creating options creates no variants (VO, d:catalog).
* A product that already has option variants gets no new option (422): its variants
  would lack a value for it. Not stated; stricter reading – delete the variants first.
* Deleting an option, or an option value, that a variant still uses is refused with
  422 (VO is silent; stricter than deleting the variants with it).
* ``PUT …/options/{id}`` is a partial update; when it carries ``option_values`` that
  list is the whole list (like a product's ``categories``): items with ``id`` update
  that value, items without are added, values left out are deleted (422 if used).
* ``name`` is read-only, "auto-generated from the display name, a timestamp, and the
  product ID" (VO); the sandbox uses the option id in place of the timestamp so that
  a reset store is reproducible.
* The first option of a product makes it complex: ``base_variant_id`` becomes null and
  its base variant leaves the variant lists; removing its last option undoes that
  (see ``variants.py``). Every write here moves the product's ``date_modified``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..core.errors import conflict, not_found, unprocessable
from ..core.storage import Key
from ..core.validation import check
from .schemas import (MAX_OPTION_VALUES, OPTION, OPTION_PUT, OPTION_READ_ONLY, OPTION_REQUIRED, OPTION_VALUE,
                      OPTION_VALUE_REQUIRED)

if TYPE_CHECKING:
    from ..core.storage import Storage

KIND = "option"
VALUE_SEQ = "option_value"
# ⚠ d:catalog says options made from a product POST's variants display as "radio
# button" in one place and "rectangles" in another; we take "rectangles".
AUTO_TYPE = "rectangles"


def _value(vid: int, body: dict) -> dict[str, Any]:
    return {"id": vid, "label": body["label"], "sort_order": body["sort_order"],
            "value_data": body.get("value_data"), "is_default": body.get("is_default", False)}


def _duplicate_labels(values: list[dict]) -> str | None:
    seen: set[str] = set()
    for v in values:
        key = v["label"].casefold()
        if key in seen:
            return v["label"]
        seen.add(key)
    return None


class Options:
    KEYS = (Key("product_id", ("product_id",), role="parent"),)
    FIRST_IDS = {"option": 51, "option_value": 601}

    def __init__(self, state: Storage) -> None:
        self.s = state

    # ---- reads ----------------------------------------------------------------------

    def of_product(self, pid: int) -> list[dict]:
        return self.s.children(KIND, [pid])

    def get(self, pid: int, oid: int) -> dict:
        option = self.s.get(KIND, oid)
        if option is None or option["product_id"] != pid:
            raise not_found("Option", oid)
        return option

    def list(self, pid: int) -> list[dict]:
        self.s.products.stored(pid)
        return self.of_product(pid)

    def get_value(self, pid: int, oid: int, vid: int) -> dict:
        for value in self.get(pid, oid)["option_values"]:
            if value["id"] == vid:
                return value
        raise not_found("Option value", vid)

    def used_values(self, pid: int) -> set[int]:
        return {ov["id"] for v in self.s.children("variant", [pid]) for ov in v["option_values"]}

    # ---- options --------------------------------------------------------------------

    def _check_name(self, pid: int, name: str, oid: int | None) -> None:
        for other in self.of_product(pid):
            if other["id"] != oid and other["display_name"].casefold() == name.casefold():
                raise conflict("The option name is a duplicate", {
                    "display_name": f"Option '{name}' already exists on product {pid} (option {other['id']})."})

    @staticmethod
    def _check_labels(values: list[dict]) -> None:
        dup = _duplicate_labels(values)
        if dup is not None:
            raise unprocessable("JSON data is missing or invalid", {
                "option_values": f"The label '{dup}' is used twice; labels are unique in an option."})

    def create(self, pid: int, raw: Any) -> dict:
        body = check(raw, OPTION, required=OPTION_REQUIRED, read_only=OPTION_READ_ONLY)
        self._check_product_id(pid, body)
        self.s.products.stored(pid)
        self._check_labels(body["option_values"])
        self._check_name(pid, body["display_name"], None)
        if self.s.variants.option_variants(pid):
            raise unprocessable("The product already has variants", {
                "option_values": f"Product {pid} has option variants, which would lack a value for a "
                                 "new option; delete them before adding an option."})
        return self.add(pid, body)

    def add(self, pid: int, body: dict, *, touch: bool = True) -> dict:
        """Write a validated option (used by the API and by a product POST's variants,
        which is one write to the product: ``touch=False`` there)."""
        oid = self.s.next_id(KIND)
        option = {"id": oid, "product_id": pid, "name": f"{body['display_name']}{oid}-{pid}",
                  "display_name": body["display_name"], "type": body["type"],
                  "sort_order": body.get("sort_order", 0),
                  "option_values": [_value(self.s.next_id(VALUE_SEQ), v) for v in body["option_values"]],
                  "config": body.get("config", {})}
        if "image_url" in body:
            option["image_url"] = body["image_url"]
        first = not self.of_product(pid)
        self.s.save(KIND, oid, option)
        if first:
            self.s.variants.hide_base(pid)
        if touch:
            self.s.products.touch(pid)
        return option

    @staticmethod
    def _check_product_id(pid: int, body: dict) -> None:
        if body.get("product_id", pid) != pid:
            raise unprocessable("JSON data is missing or invalid",
                                {"product_id": f"product_id must be {pid}, the product in the URL."})

    def update(self, pid: int, oid: int, raw: Any) -> dict:
        option = self.get(pid, oid)
        body = check(raw, OPTION_PUT, read_only=OPTION_READ_ONLY)
        self._check_product_id(pid, body)
        if "display_name" in body:
            self._check_name(pid, body["display_name"], oid)
        out = {**option, **{k: v for k, v in body.items() if k not in ("option_values", "product_id")}}
        if "option_values" in body:
            out["option_values"] = self._replace_values(pid, option, body["option_values"])
        self.s.save(KIND, oid, out)
        self.s.products.touch(pid)
        return out

    def _replace_values(self, pid: int, option: dict, items: list[dict]) -> list[dict]:
        current = {v["id"]: v for v in option["option_values"]}
        self._check_labels(items)
        out = []
        for item in items:
            if "id" in item and item["id"] not in current:
                raise unprocessable("JSON data is missing or invalid", {
                    "option_values": f"Option value {item['id']} is not a value of option {option['id']}."})
            vid = item.get("id") or self.s.next_id(VALUE_SEQ)
            out.append(_value(vid, {**current.get(vid, {}), **item}))
        kept = {v["id"] for v in out}
        self._refuse_used(pid, [vid for vid in current if vid not in kept])
        return out

    def _refuse_used(self, pid: int, value_ids: list[int], what: str = "option value") -> None:
        used = self.used_values(pid) & set(value_ids)
        if used:
            raise unprocessable(f"The {what} is used by variants", {
                "option_values": f"Option value(s) {sorted(used)} are used by variants of product {pid}; "
                                 "delete those variants first."})

    def delete(self, pid: int, oid: int) -> None:
        option = self.get(pid, oid)
        self._refuse_used(pid, [v["id"] for v in option["option_values"]], "option")
        self.s.remove(KIND, oid)
        if not self.of_product(pid):
            self.s.variants.unhide_base(pid)
        self.s.products.touch(pid)

    # ---- values ---------------------------------------------------------------------

    def create_value(self, pid: int, oid: int, raw: Any) -> dict:
        option = self.get(pid, oid)
        body = check(raw, OPTION_VALUE, required=OPTION_VALUE_REQUIRED, read_only=("id",))
        if len(option["option_values"]) >= MAX_OPTION_VALUES:
            raise unprocessable("Too many option values", {
                "option_values": f"An option has at most {MAX_OPTION_VALUES} values."})
        self._check_labels([*option["option_values"], body])
        value = _value(self.s.next_id(VALUE_SEQ), body)
        option["option_values"].append(value)
        self.s.save(KIND, oid, option)
        self.s.products.touch(pid)
        return value

    def update_value(self, pid: int, oid: int, vid: int, raw: Any) -> dict:
        option = self.get(pid, oid)
        current = self.get_value(pid, oid, vid)
        # VO's Option Value Put declares label and sort_order required, id x-required.
        body = check(raw, {**OPTION_VALUE, "id": {"type": "integer"}}, required=OPTION_VALUE_REQUIRED)
        if body.get("id", vid) != vid:
            raise unprocessable("JSON data is missing or invalid", {"id": f"id must be {vid}, the value in the URL."})
        value = _value(vid, {**current, **body})
        values = [value if v["id"] == vid else v for v in option["option_values"]]
        self._check_labels(values)
        self.s.save(KIND, oid, {**option, "option_values": values})
        self.s.products.touch(pid)
        return value

    def delete_value(self, pid: int, oid: int, vid: int) -> None:
        option = self.get(pid, oid)
        self.get_value(pid, oid, vid)
        self._refuse_used(pid, [vid])
        if len(option["option_values"]) == 1:
            # VO: option_values has minItems 1; an option without values is not valid.
            raise unprocessable("An option needs at least one value", {
                "option_values": f"Value {vid} is the last value of option {oid}; delete the option instead."})
        self.s.save(KIND, oid, {**option, "option_values": [v for v in option["option_values"] if v["id"] != vid]})
        self.s.products.touch(pid)

    # ---- from a product POST's variants ---------------------------------------------

    def ensure_for_variants(self, pid: int, variants: list[dict]) -> dict[tuple[str, str], tuple[int, int]]:
        """Create the options and values a new product's ``variants[]`` name, in
        first-seen order (sort_order = that position); returns
        (display name, label) casefolded → (option id, value id)."""
        plan: dict[str, tuple[str, list[str]]] = {}
        for variant in variants:
            for ov in variant["option_values"]:
                name, labels = plan.setdefault(ov["option_display_name"].casefold(),
                                               (ov["option_display_name"], []))
                if ov["label"].casefold() not in (x.casefold() for x in labels):
                    labels.append(ov["label"])
        ids: dict[tuple[str, str], tuple[int, int]] = {}
        for position, (name, labels) in enumerate(plan.values()):
            option = self.add(pid, {"display_name": name, "type": AUTO_TYPE, "sort_order": position,
                                    "option_values": [{"label": lb, "sort_order": i} for i, lb in enumerate(labels)]},
                              touch=False)
            for value in option["option_values"]:
                ids[(name.casefold(), value["label"].casefold())] = (option["id"], value["id"])
        return ids


def check_variant_matrix(variants: list[dict]) -> None:
    """422 unless a product POST's ``variants[]`` name the same options, one value each,
    with no combination twice and at most 250 values per option."""
    if not variants:
        return
    names = [tuple(ov["option_display_name"].casefold() for ov in v["option_values"]) for v in variants]
    expected = set(names[0])
    combos: set[frozenset] = set()
    labels: dict[str, set[str]] = {}
    for i, (variant, keys) in enumerate(zip(variants, names)):
        if len(set(keys)) != len(keys) or set(keys) != expected:
            raise unprocessable("Variants must name the same options", {
                f"variants.{i}.option_values": "Every variant needs exactly one value for each option "
                                               f"({', '.join(sorted(expected))})."})
        combo = frozenset((ov["option_display_name"].casefold(), ov["label"].casefold())
                          for ov in variant["option_values"])
        if combo in combos:
            raise unprocessable("Duplicate variant", {
                f"variants.{i}.option_values": "Another variant already has this combination of option values."})
        combos.add(combo)
        for name, label in combo:
            labels.setdefault(name, set()).add(label)
    for name, values in labels.items():
        if len(values) > MAX_OPTION_VALUES:
            raise unprocessable("Too many option values", {
                "variants": f"Option '{name}' would have {len(values)} values; the limit is {MAX_OPTION_VALUES}."})

