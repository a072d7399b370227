"""A quick yes for valid objects: each schema compiled into a plain predicate."""

from __future__ import annotations

import re
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
    "markdownDescription", "deprecationMessage",
})
_OBJECT = frozenset({"properties", "additionalProperties", "patternProperties"})   # compiled together
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
    checks_t = tuple(checks)

    def check(x: Any) -> bool:
        for c in checks_t:
            if not c(x):
                return False
        return True
    return check


def _object(schema: dict[str, Any], resolver: Resolver, active: set[str]) -> Predicate | None:
    if "patternProperties" in schema or schema.get("additionalProperties", True) not in (True, False):
        return None
    props = {name: _compile(sub, resolver, active) for name, sub in schema.get("properties", {}).items()}
    if None in props.values():
        return None
    closed = schema.get("additionalProperties") is False

    def check(x: Any) -> bool:
        if not isinstance(x, dict):
            return True
        for name, value in x.items():
            sub = props.get(name)
            if sub is None:
                if closed:
                    return False
            elif not sub(value):
                return False
        return True
    return check


def _type(arg: str | list[str]) -> Predicate:
    types = (arg,) if isinstance(arg, str) else tuple(arg)
    if types == ("string",):
        return lambda x: isinstance(x, str)
    return lambda x: any(_TYPES.is_type(x, t) for t in types)


def _enum(arg: list[Any]) -> Predicate | None:
    if not all(isinstance(v, str) for v in arg):
        return None
    values = frozenset(arg)
    return lambda x: isinstance(x, str) and x in values


def _pattern(arg: str) -> Predicate:
    search = re.compile(arg).search
    return lambda x: not isinstance(x, str) or search(x) is not None


def _is_number(x: Any) -> bool:
    return _TYPES.is_type(x, "number")


def _unique(arg: bool) -> Predicate:
    # Only lists of strings are judged here; anything else goes to jsonschema.
    if not arg:
        return lambda x: True
    return lambda x: not isinstance(x, list) or (
        all(isinstance(i, str) for i in x) and len(set(x)) == len(x))


def _items(sub: Predicate) -> Predicate:
    return lambda x: not isinstance(x, list) or all(sub(i) for i in x)


_SIMPLE: dict[str, Callable[[Any], Predicate | None]] = {
    "type": _type,
    "enum": _enum,
    "pattern": _pattern,
    "minLength": lambda n: lambda x: not isinstance(x, str) or len(x) >= n,
    "maxLength": lambda n: lambda x: not isinstance(x, str) or len(x) <= n,
    "minimum": lambda m: lambda x: not _is_number(x) or x >= m,
    "maximum": lambda m: lambda x: not _is_number(x) or x <= m,
    "exclusiveMinimum": lambda m: lambda x: not _is_number(x) or x > m,
    "exclusiveMaximum": lambda m: lambda x: not _is_number(x) or x < m,
    "required": lambda names: lambda x: not isinstance(x, dict) or all(n in x for n in names),
    "minItems": lambda n: lambda x: not isinstance(x, list) or len(x) >= n,
    "maxItems": lambda n: lambda x: not isinstance(x, list) or len(x) <= n,
    "uniqueItems": _unique,
}


