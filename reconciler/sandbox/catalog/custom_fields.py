"""Product custom fields (P ``…/products/{id}/custom-fields``), FACTS §5.7.

``name`` and ``value`` are 1–250 characters (⚠ P's product body says 255 per field, the
field schemas and d:catalog say 250: 250 is used). At most 200 per product (422).

Uniqueness: P says "Every name-value pair must be unique inside a product" (FACTS
§5.7), so two fields may share a name with different values. The pair is compared
ignoring case (case is not stated: the stricter reading). Status: the custom-fields endpoints declare no 409
(200, 401, 403, 404, 405, 415, 422), so a duplicate there is a 422; inside a product
POST/PUT it is a 409 (P: 409 for "duplicate unique values").

A product PUT's ``custom_fields`` items with ``id`` update that field, items without
``id`` add one (P ``productCustomField_Put``: id "Required to update existing custom
field"); fields not sent are kept. Every write moves the product's ``date_modified``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..core.errors import SandboxError, conflict, not_found, unprocessable
from ..core.storage import Key
from ..core.validation import check
from .schemas import CUSTOM_FIELD_BODY

if TYPE_CHECKING:
    from ..core.storage import Storage

KIND = "custom_field"
MAX_PER_PRODUCT = 200  # P createProductCustomField: "200 custom fields per product limit"
LIST_PARAMS = ("page", "limit", "include_fields", "exclude_fields")
ITEM_PARAMS = ("include_fields", "exclude_fields")


def render(field: dict) -> dict[str, Any]:
    return {"id": field["id"], "name": field["name"], "value": field["value"]}


def _pair(field: dict) -> tuple[str, str]:
    return field["name"].casefold(), field["value"].casefold()


class CustomFields:
    KEYS = (Key("product_id", ("product_id",), role="parent"),)
    FIRST_IDS = {KIND: 1}

    def __init__(self, state: Storage) -> None:
        self.s = state
        state.keep_views(KIND, lambda fields: [render(f) for f in fields])

    def of_products(self, pids: list[int]) -> dict[int, list[dict]]:
        out: dict[int, list[dict]] = {pid: [] for pid in pids}
        for field in self.s.children(KIND, pids):
            out[field["product_id"]].append(render(field))
        return out

    def list(self, pid: int) -> list[dict]:
        self.s.products.stored(pid)
        return self.of_products([pid])[pid]

    def _stored(self, pid: int, fid: int) -> dict:
        self.s.products.stored(pid)
        field = self.s.get(KIND, fid)
        if field is None or field["product_id"] != pid:
            raise not_found("Custom field", fid)
        return field

    def get(self, pid: int, fid: int) -> dict:
        return render(self._stored(pid, fid))

    def create(self, pid: int, raw: Any) -> dict:
        body = check(raw, CUSTOM_FIELD_BODY, required=("name", "value"), read_only=("id",))
        self.s.products.stored(pid)
        return self._write(pid, [body], status=422)[0]

    def update(self, pid: int, fid: int, raw: Any) -> dict:
        body = check(raw, CUSTOM_FIELD_BODY, read_only=("id",))  # P customFieldPut: none required
        self._stored(pid, fid)
        return self._write(pid, [{**body, "id": fid}], status=422)[0]

    def delete(self, pid: int, fid: int) -> None:
        self._stored(pid, fid)
        self.s.remove(KIND, fid)
        self.s.products.touch(pid)

    def write_from_product(self, pid: int, fields: list[dict]) -> None:
        """``custom_fields`` of a product POST/PUT (validated by the product schema)."""
        if fields:
            self._write(pid, fields, status=409, touch=False)

    def _write(self, pid: int, items: list[dict], *, status: int, touch: bool = True) -> list[dict]:
        existing = {f["id"]: f for f in self.s.children(KIND, [pid])}
        written = []
        for item in items:
            fid = item.get("id")
            if fid is not None and fid not in existing:
                raise unprocessable("Invalid custom field", {
                    "custom_fields": f"Custom field {fid} is not on product {pid}."})
            field = {**existing.get(fid, {}), **item} if fid else dict(item)
            field = {"id": fid or self.s.next_id(KIND), "product_id": pid,
                     "name": field["name"], "value": field["value"]}
            for other in existing.values():
                if other["id"] != field["id"] and _pair(other) == _pair(field):
                    title, msg = "The custom field is a duplicate", (
                        f"The product already has a custom field '{other['name']}' with the value "
                        f"'{other['value']}'.")
                    if status == 409:
                        raise conflict(title, {"custom_fields": msg})
                    raise SandboxError(422, title, {"name": msg})
            existing[field["id"]] = field
            if len(existing) > MAX_PER_PRODUCT:
                raise unprocessable("Too many custom fields", {
                    "custom_fields": f"A product has at most {MAX_PER_PRODUCT} custom fields."})
            self.s.save(KIND, field["id"], field)
            written.append(render(field))
        if touch:
            self.s.products.touch(pid)
        return written

    def drop_product(self, pid: int) -> None:
        for field in self.s.children(KIND, [pid]):
            self.s.remove(KIND, field["id"])
