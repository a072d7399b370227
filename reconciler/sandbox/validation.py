"""Request-body validation: every body is checked against a schema before it touches
state (stripe-mock's ``validateAndCoerceRequest``).

The property tables in ``schemas.py`` are transcribed from the official OpenAPI files
(FACTS §5.3, §7.2, §7.3). ``check(body, schema, required=..., read_only=...)`` raises one
422 listing every problem, keyed by field name:

    check({"price": -1}, schemas.PRODUCT, required=("name", "price"))
    # raises SandboxError(422, "Missing Required Fields",
    #     {"name": "Please provide a name.", "price": "-1 is less than the minimum of 0"})

Unknown and read-only field names are rejected (422) instead of ignored. The real store
is not documented to do that; we are strict on purpose so that a client sending a field
BigCommerce would drop silently is caught here, the way stripe-mock rejects unknown
parameters.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, Iterable

from jsonschema import Draft7Validator

from .errors import SandboxError, invalid_body


def parse_json(raw: bytes) -> Any:
    """Parse a request body. Numbers with a fraction become ``Decimal`` (no binary
    rounding on the way in); NaN/Infinity are not JSON and are refused."""

    def _no_constants(name: str) -> Any:
        raise ValueError(name)

    try:
        return json.loads(raw.decode("utf-8"), parse_float=Decimal, parse_constant=_no_constants)
    except (ValueError, UnicodeDecodeError) as exc:
        raise invalid_body({"body": f"Request body is not valid JSON: {exc}"}) from None


def normalize_number(value: Any) -> Any:
    """Decimal -> JSON number as BigCommerce prints it: integral values without a
    fraction (``"weight": 1`` in P getProduct's example), others as float (12.5)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def normalize(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: normalize(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [normalize(v) for v in obj]
    return normalize_number(obj)


def _field(error: Any) -> str:
    path = [str(p) for p in error.absolute_path]
    return ".".join(path) if path else "body"


def check(
    body: Any,
    properties: dict[str, Any],
    *,
    required: Iterable[str] = (),
    read_only: Iterable[str] = (),
    allowed_extra: Iterable[str] = (),
) -> dict[str, Any]:
    """Validate one object body; return it normalised or raise a single 422."""
    if not isinstance(body, dict):
        raise invalid_body({"body": "Expected a JSON object."})
    errors: dict[str, str] = {}
    missing = [f for f in required if f not in body]
    for f in missing:
        errors[f] = f"Please provide a {f}."
    read_only = set(read_only)
    known = set(properties) | set(allowed_extra)
    for f in body:
        if f in read_only:
            errors[f] = f"The field '{f}' is read-only and cannot be written."
        elif f not in known:
            errors[f] = f"The field '{f}' is not a writable field of this resource."
    schema = {"type": "object", "properties": properties}
    for err in Draft7Validator(schema).iter_errors(body):
        errors.setdefault(_field(err), err.message)
    if errors:
        title = "Missing Required Fields" if missing else "JSON data is missing or invalid"
        raise SandboxError(422, title, errors)
    return normalize(body)


def expect_array(body: Any, what: str = "items") -> list[Any]:
    if not isinstance(body, list):
        raise invalid_body({"body": f"Expected a JSON array of {what}."})
    if not body:
        raise invalid_body({"body": f"The array of {what} is empty."})
    return body
