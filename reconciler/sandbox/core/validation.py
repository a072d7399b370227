"""Request-body validation: every body is checked against a schema before it touches
state (stripe-mock's ``validateAndCoerceRequest``).

The property tables in each service's ``schemas.py`` are transcribed from the official OpenAPI files
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
import re
from decimal import Decimal
from typing import Any, Callable, Iterable

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
    if not _quick(properties)(body):  # jsonschema alone words the messages
        for err in Draft7Validator({"type": "object", "properties": properties}).iter_errors(body):
            errors.setdefault(_field(err), err.message)
    if errors:
        title = "Missing Required Fields" if missing else "JSON data is missing or invalid"
        raise SandboxError(422, title, errors)
    return normalize(body)


# ---- a quick yes for valid bodies ------------------------------------------------------
#
# jsonschema takes ~0.25 ms for a product body, and as long as the rest of a POST; most
# bodies are valid. Each property table is compiled once into a predicate that is True
# only where jsonschema (Draft 7, no format checker) finds no error: unknown keywords,
# types other than those JSON parsing gives, and anything in doubt give False, and
# jsonschema decides. tests/sandbox/test_validation_quick.py checks the two agree.

Predicate = Callable[[Any], bool]
_NUMBERS = (int, float, Decimal)  # exact classes: bool is not a number here
_PARSED = frozenset({str, int, float, Decimal, bool, type(None), list, dict})
_TYPES: dict[str, Predicate] = {
    "string": lambda x: x.__class__ is str, "integer": lambda x: x.__class__ is int,
    "number": lambda x: x.__class__ in _NUMBERS, "boolean": lambda x: x.__class__ is bool,
    "null": lambda x: x is None, "array": lambda x: x.__class__ is list,
    "object": lambda x: x.__class__ is dict,
}
_QUICK: dict[int, tuple[dict, Predicate]] = {}


def _quick(properties: dict[str, Any]) -> Predicate:
    """The predicate of an object with these properties (cached for the schema tables,
    which live as long as the process)."""
    cached = _QUICK.get(id(properties))
    if cached is not None and cached[0] is properties:
        return cached[1]
    predicate = _compile({"type": "object", "properties": properties}) or (lambda x: False)
    if len(_QUICK) < 256:
        _QUICK[id(properties)] = (properties, predicate)
    return predicate


def _when(kind: str, test: Predicate) -> Predicate:
    """``test`` for values of one type; values of the other parsed types pass, as
    jsonschema applies a keyword such as minimum to numbers only."""
    is_kind = _TYPES[kind]
    return lambda x: test(x) if is_kind(x) else x.__class__ in _PARSED


def _keyword(keyword: str, arg: Any, schema: dict) -> Predicate | None:
    if keyword == "type":
        tests = [_TYPES.get(name) for name in ([arg] if isinstance(arg, str) else arg)]
        return None if None in tests else (lambda x: any(t(x) for t in tests))  # type: ignore[misc]
    if keyword == "minimum":
        return _when("number", lambda x: x >= arg)
    if keyword == "maximum":
        return _when("number", lambda x: x <= arg)
    if keyword == "minLength":
        return _when("string", lambda x: len(x) >= arg)
    if keyword == "maxLength":
        return _when("string", lambda x: len(x) <= arg)
    if keyword == "pattern":
        regex = re.compile(arg)
        return _when("string", lambda x: regex.search(x) is not None)
    if keyword == "enum":
        values = frozenset(arg) if all(isinstance(v, str) for v in arg) else None
        return None if values is None else (lambda x: x.__class__ is str and x in values)
    if keyword == "minItems":
        return _when("array", lambda x: len(x) >= arg)
    if keyword == "maxItems":
        return _when("array", lambda x: len(x) <= arg)
    if keyword == "items":
        item = _compile(arg)
        return None if item is None else _when("array", lambda x: all(item(v) for v in x))
    if keyword == "properties":
        props = {name: _compile(sub) for name, sub in arg.items()}
        if None in props.values():
            return None
        return _when("object", lambda x: all(props[k](v) for k, v in x.items() if k in props))  # type: ignore[misc]
    if keyword == "required":
        return _when("object", lambda x: all(name in x for name in arg))
    if keyword == "additionalProperties" and arg is False and "patternProperties" not in schema:
        known = frozenset(schema.get("properties", ()))
        return _when("object", lambda x: all(k in known for k in x))
    if keyword == "format":  # formats are not checked (no format checker)
        return lambda x: True
    return None


def _compile(schema: Any) -> Predicate | None:
    if not isinstance(schema, dict):
        return None
    checks = [_keyword(keyword, arg, schema) for keyword, arg in schema.items()]
    if None in checks:
        return None
    return lambda x: x.__class__ in _PARSED and all(check(x) for check in checks)  # type: ignore[misc]


def expect_array(body: Any, what: str = "items") -> list[Any]:
    if not isinstance(body, list):
        raise invalid_body({"body": f"Expected a JSON array of {what}."})
    if not body:
        raise invalid_body({"body": f"The array of {what} is empty."})
    return body
