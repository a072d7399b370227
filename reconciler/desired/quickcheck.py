"""A quick yes for valid objects: each schema compiled into a plain predicate."""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Any, Callable

import jsonschema

from reconciler.desired.schemas import load_schema, schema_registry

if TYPE_CHECKING:
    from referencing._core import Resolver

# -- a quick yes for valid objects ----------------------------------------------------------
#
# jsonschema spends ~100 us on each product; a 10,000-product catalog (30,000
# variants later) must load in a few seconds. Most objects are valid, so each
# schema is also compiled into a plain predicate that answers "valid" fast.
# It is one-sided by construction: True only where jsonschema would find no
# error; False (or a keyword it does not know) sends the object to jsonschema,
# which alone words the messages. tests/desired checks the two agree.

_ANNOTATIONS = frozenset({
    "$schema", "$id", "$comment", "title", "description", "default", "examples", "format",
    "readOnly", "writeOnly", "patternErrorMessage", "errorMessage", "doNotSuggest",
    "markdownDescription", "deprecationMessage", "definitions",
})
_OBJECT = frozenset({"properties", "additionalProperties", "patternProperties", "propertyNames"})   # compiled together
_TYPES = jsonschema.Draft7Validator.TYPE_CHECKER
Predicate = Callable[[Any], bool]


@cache
def quick_check(schema_name: str) -> Predicate | None:
    """A predicate that is True only for objects valid under the schema, or None."""
    return _compile(load_schema(schema_name), schema_registry().resolver(base_uri=schema_name), set())


def _compile(schema: Any, resolver: Resolver, active: set[str]) -> Predicate | None:
    if schema is True or schema == {}:
        return lambda x: True
    if not isinstance(schema, dict):
        return None
    checks: list[Predicate] = []
    for keyword, arg in schema.items():
        if keyword in _ANNOTATIONS or keyword.startswith("x-") or keyword in _OBJECT:
            continue
        if keyword == "$ref":
            if arg in active:
                return None
            target = resolver.lookup(arg)
            check = _compile(target.contents, target.resolver, active | {arg})
        elif keyword == "allOf":
            subs = [_compile(sub, resolver, active) for sub in arg]
            check = None if None in subs else _all_of(subs)
        elif keyword == "items":
            sub = _compile(arg, resolver, active) if isinstance(arg, dict) else None
            check = None if sub is None else _items(sub)
        elif keyword == "oneOf":
            check = _one_of(arg, resolver, active)
        elif keyword == "not":
            check = (lambda x: False) if arg == {} else None
        elif keyword in _SIMPLE:
            check = _SIMPLE[keyword](arg)
        else:
            return None
        if check is None:
            return None
        checks.append(check)
    if _OBJECT.intersection(schema):
        check = _object(schema, resolver, active)
        if check is None:
            return None
        checks.append(check)
    return _all_of(checks)


def _all_of(checks: list[Predicate]) -> Predicate:
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks
        return lambda x: first(x) and second(x)
    checks_t = tuple(checks)

    def check(x: Any) -> bool:
        for c in checks_t:
            if not c(x):
                return False
        return True
    return check


def _object(schema: dict[str, Any], resolver: Resolver, active: set[str]) -> Predicate | None:
    if "patternProperties" in schema:
        return None
    props = {name: _compile(sub, resolver, active) for name, sub in schema.get("properties", {}).items()}
    if None in props.values():
        return None
    extra = schema.get("additionalProperties", True)
    other = extra if isinstance(extra, bool) else _compile(extra, resolver, active)
    names = _compile(schema["propertyNames"], resolver, active) if "propertyNames" in schema else None
    if other is None or ("propertyNames" in schema and names is None):
        return None

    def check(x: Any) -> bool:
        if not isinstance(x, dict):
            return True
        for name, value in x.items():
            if names is not None and not names(name):
                return False
            sub = props.get(name)
            if sub is None:
                if other is False or (other is not True and not other(value)):
                    return False
            elif not sub(value):
                return False
        return True
    return check


def discriminator(branches: Any) -> tuple[str, dict[str, int]] | None:
    """The field that tells a oneOf's branches apart, and its value -> branch index.

    A field qualifies when every branch requires it and fixes it with a text
    ``const``, each branch to a different value (``type: price_list``, ``type:
    all``...). Exactly one branch can then match, so checking that branch alone
    answers the whole oneOf; validate.py reports that branch's errors only.
    """
    if not isinstance(branches, list) or not branches or not all(isinstance(b, dict) for b in branches):
        return None
    for name, sub in (branches[0].get("properties") or {}).items():
        values: dict[str, int] = {}
        for i, branch in enumerate(branches):
            const = ((branch.get("properties") or {}).get(name) or {}).get("const")
            if not isinstance(const, str) or name not in branch.get("required", ()) or const in values:
                break
            values[const] = i
        else:
            return name, values
    return None


def _one_of(branches: Any, resolver: Resolver, active: set[str]) -> Predicate | None:
    found = discriminator(branches)
    if found is None:
        return None
    name, values = found
    subs = [_compile(b, resolver, active) for b in branches]
    if None in subs:
        return None

    def check(x: Any) -> bool:
        # Not a mapping, or no known value: every branch might pass or fail; let jsonschema judge.
        if not isinstance(x, dict):
            return False
        i = values.get(x.get(name)) if isinstance(x.get(name), str) else None
        return i is not None and subs[i](x)
    return check


def _const(arg: Any) -> Predicate | None:
    if isinstance(arg, bool):
        # JSON Schema's const is type-strict: true is not 1 (Python says True == 1).
        return lambda x: x is arg
    if not isinstance(arg, str):
        return None
    return lambda x: isinstance(x, str) and x == arg


def _type(arg: str | list[str]) -> Predicate:
    types = (arg,) if isinstance(arg, str) else tuple(arg)
    if all(t in _PY_TYPES for t in types):
        # Plain isinstance checks: True only for values JSON Schema calls that type.
        checks = tuple(_PY_TYPES[t] for t in types)
        if len(checks) == 1:
            return checks[0]
        return lambda x: any(c(x) for c in checks)
    return lambda x: any(_TYPES.is_type(x, t) for t in types)


_PY_TYPES: dict[str, Predicate] = {
    "string": lambda x: isinstance(x, str),
    "number": lambda x: isinstance(x, (int, Decimal, float)) and not isinstance(x, bool),
    "integer": lambda x: isinstance(x, int) and not isinstance(x, bool),
    "boolean": lambda x: isinstance(x, bool),
    "null": lambda x: x is None,
    "array": lambda x: isinstance(x, list),
    "object": lambda x: isinstance(x, dict),
}


def _enum(arg: list[Any]) -> Predicate | None:
    if not all(isinstance(v, str) for v in arg):
        return None
    values = frozenset(arg)
    return lambda x: isinstance(x, str) and x in values


def _pattern(arg: str) -> Predicate:
    search = re.compile(arg).search
    return lambda x: not isinstance(x, str) or search(x) is not None


def _is_number(x: Any) -> bool:
    kind = type(x)
    if kind is int or kind is Decimal or kind is float:
        return True
    if kind is str or kind is bool or kind is dict or kind is list or x is None:
        return False
    return _TYPES.is_type(x, "number")


def _unique(arg: bool) -> Predicate:
    # Only lists of text and numbers are judged here (Python's == agrees with
    # JSON Schema's equality for them); anything else goes to jsonschema.
    if not arg:
        return lambda x: True
    return lambda x: not isinstance(x, list) or (
        all(isinstance(i, _PLAIN_ITEM) and not isinstance(i, bool) for i in x) and len(set(x)) == len(x))


_PLAIN_ITEM = (str, int, Decimal)


def _items(sub: Predicate) -> Predicate:
    def check(x: Any) -> bool:
        if isinstance(x, list):
            for item in x:
                if not sub(item):
                    return False
        return True
    return check


_SIMPLE: dict[str, Callable[[Any], Predicate | None]] = {
    "type": _type,
    "enum": _enum,
    "const": _const,
    "pattern": _pattern,
    "minLength": lambda n: lambda x: not isinstance(x, str) or len(x) >= n,
    "maxLength": lambda n: lambda x: not isinstance(x, str) or len(x) <= n,
    "minimum": lambda m: lambda x: not _is_number(x) or x >= m,
    "maximum": lambda m: lambda x: not _is_number(x) or x <= m,
    "exclusiveMinimum": lambda m: lambda x: not _is_number(x) or x > m,
    "exclusiveMaximum": lambda m: lambda x: not _is_number(x) or x < m,
    "required": lambda names: lambda x: not isinstance(x, dict) or all(n in x for n in names),
    "minItems": lambda n: lambda x: not isinstance(x, list) or len(x) >= n,
    "minProperties": lambda n: lambda x: not isinstance(x, dict) or len(x) >= n,
    "maxProperties": lambda n: lambda x: not isinstance(x, dict) or len(x) <= n,
    "maxItems": lambda n: lambda x: not isinstance(x, list) or len(x) <= n,
    "uniqueItems": _unique,
}


