"""Validation of the loaded desired state -> list[Diagnostic].

Three layers, all collected rather than raised:

1. ``check_schema``: one object against its kind's JSON Schema (draft-07, in the
   top-level ``schemas/`` folder), each error located at the YAML node of
   ``error.absolute_path``.
2. ``check_duplicates`` / ``check_unique_fields``: the same key twice across the
   catalog (case-insensitive, as the store compares SKUs and names), and fields
   the store requires to be unique (``x-unique`` in a schema).
3. ``check_references``: names that must point at another object, declared in the
   schemas with ``x-reference`` (the value names an object of that kind) and
   ``x-parent-reference`` (the path's parent does), so a new kind declares its
   references where its fields are described and this module needs no change.

Rules a schema cannot state are the kinds' own: first their ``catalog_rules``
(a product's variants against its options, SKUs across products and variants,
the SKU convention, channels: resources/product_rules.py; the categories the
convention names: resources/category.py), run by ``check_rules``; then their
``checks`` (money guardrails, price records, assignments, customer groups: see
desired/pricing.py), run by ``check_kinds``; both on every kind at once. The
store block's own rule (channel ids) is desired/rules.py.

Messages read ``<kind> '<key>': <field path>: <message>``:

    >>> str(Diagnostic("error", "product 'CT-BLK100': price: -1 is less than the minimum of 0",
    ...                SourceRange("catalog/products/cable-ties.yaml", 12, 12)))
    "catalog/products/cable-ties.yaml:12:12: product 'CT-BLK100': price: -1 is less than the minimum of 0"

Besides standard draft-07, the schemas use two keywords of the VS Code JSON
language service, so the editor and this tool say the same thing:
``patternErrorMessage`` (replaces a pattern failure's message) and
``errorMessage`` (replaces any failure's message on that subschema).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache, cached_property
from typing import Any, Callable, Iterator, Mapping

from jsonschema.exceptions import ValidationError, best_match

from reconciler.core.objects import DesiredObject

from reconciler.core.settings import StoreSettings
from reconciler.core.diagnostics import EXCERPT, Diagnostic, SourceRange, excerpt
from reconciler.desired.pricing import sku_index
from reconciler.resources import REGISTRY, Registry
from reconciler.resources.base import ResourceKind, fold_text
from reconciler.resources.checks import Sku

STORE_SCHEMA = "store.schema.json"
CATALOG_SCHEMA = "catalog.schema.json"


def top_level_kinds() -> list[ResourceKind]:
    """Kinds written as top-level lists (brands, categories, products), in registry order.

    Kinds with a ``parent`` (variants, options, ...) are written inside their
    parent and validated by its schema; the loader derives them after validation.
    """
    return [kind for kind in REGISTRY if not kind.parent]


from reconciler.desired.quickcheck import discriminator, quick_check  # noqa: E402
from reconciler.desired.schemas import load_schema, schema_dir, schema_registry, validator_for  # noqa: E402,F401

# -- schema errors -> diagnostics --------------------------------------------------------

@dataclass
class Located:
    """One object (or the store block) as loaded, with what is needed to point at it."""

    label: str                      # "product 'CT-BLK100'", "products[3]", "store"
    fields: Any                     # the plain value built from YAML
    start: SourceRange              # the object's first key
    # dotted path -> position of the value / of its mapping key (loaded: sources.SourceMap views)
    values: Mapping[str, SourceRange] = field(default_factory=dict)
    keys: Mapping[str, SourceRange] = field(default_factory=dict)
    # the text written at a position, when the file is at hand (loader: _Reader.written)
    written: Callable[[SourceRange], str | None] | None = None

    def value_at(self, path: str) -> SourceRange:
        while path:
            if path in self.values:
                return self.values[path]
            path = path.rpartition(".")[0]
        return self.start

    def key_at(self, path: str) -> SourceRange:
        return self.keys.get(path) or self.value_at(path)

    def diagnostic(self, path: str, message: str, source: SourceRange) -> Diagnostic:
        where = f"{path}: " if path else ""
        return Diagnostic("error", f"{self.label}: {where}{message}", source)


def check_schema(schema_name: str, obj: Located) -> list[Diagnostic]:
    """Validate ``obj.fields`` against one schema file; every error, located.

        >>> obj = Located("product 'CT-X'", {"sku": "CT-X", "price": -1}, SourceRange("f.yaml", 2, 5),
        ...               values={"price": SourceRange("f.yaml", 3, 12)})
        >>> [str(d) for d in check_schema("product.schema.json", obj)]
        ["f.yaml:3:12: product 'CT-X': price: -1 is less than the minimum of 0"]
    """
    quick = quick_check(schema_name)
    if quick is not None and quick(obj.fields):
        return []
    out: list[Diagnostic] = []
    for error in validator_for(schema_name).iter_errors(obj.fields):
        for specific in _specific(error):
            out.extend(_diagnose(specific, obj))
    return out


def _specific(error: ValidationError) -> Iterator[ValidationError]:
    """The errors worth showing for one error: itself, or for a oneOf/anyOf its sub-errors.

    A oneOf told apart by a field (``type: price_list | all | ...``, see
    quickcheck.discriminator) reports every error of the branch the value chose,
    and nothing when it chose none: the enclosing schema requires that field and
    lists its values, so that error is reported there. Otherwise the sub-error
    that fits best.
    """
    found = discriminator(error.validator_value) if error.validator == "oneOf" else None
    if found is None:
        yield best_match(error.context) if error.context else error
        return
    name, values = found
    value = error.instance.get(name) if isinstance(error.instance, dict) else None
    chosen = values.get(value) if isinstance(value, str) else None
    for sub in error.context:
        if chosen is not None and sub.relative_schema_path and sub.relative_schema_path[0] == chosen:
            yield from _specific(sub)


def _diagnose(error: ValidationError, obj: Located) -> Iterator[Diagnostic]:
    path = ".".join(str(p) for p in error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = error.schema.get("properties", {})
        for name in error.instance:
            if name not in allowed and not _matches_pattern_properties(name, error.schema):
                child = f"{path}.{name}" if path else name
                message = f"unknown field '{name}'{_suggest(name, allowed)}"
                yield obj.diagnostic(path, message, obj.key_at(child))
        return
    if "propertyNames" in error.relative_schema_path and isinstance(error.instance, str):
        # A mapping key that is not a usable name: point at the key, not the mapping.
        child = f"{path}.{error.instance}" if path else error.instance
        message = _message(error)
        if error.validator != "pattern":
            message = f"name {message}"
        yield obj.diagnostic(path, message, obj.key_at(child))
        return
    yield obj.diagnostic(path, _quote_hint(error, obj, path) or _message(error), obj.value_at(path))


def _quote_hint(error: ValidationError, obj: Located, path: str) -> str | None:
    """For text written so that YAML reads a number or true/false (``upc: 0123``,
    octal 83 to YAML 1.1): say so, with the text as written, quoted."""
    types = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
    if error.validator != "type" or "string" not in types or not isinstance(error.instance, (int, Decimal)):
        return None
    text = obj.written(obj.value_at(path)) if obj.written else None
    if not text:
        return None
    what = "true/false" if isinstance(error.instance, bool) else "a number"
    text = excerpt(text)
    return f"{text} is read by YAML as {what}, not text: write it quoted: '{text}'"


def _message(error: ValidationError) -> str:
    schema = error.schema if isinstance(error.schema, dict) else {}
    if error.validator == "pattern" and "patternErrorMessage" in schema:
        return f"{_show(error.instance)} {schema['patternErrorMessage']}"
    if "errorMessage" in schema:
        return schema["errorMessage"]
    if error.validator == "type":
        types = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        message = f"{_show(error.instance)} is not of type {', '.join(repr(t) for t in types)}"
        if "string" in types and isinstance(error.instance, (int, Decimal)):
            message += " (put it in quotes to use it as text)"
        return message
    # jsonschema prints values with repr(): show Decimal('12.50') as 12.50, and
    # never the whole of a long value.
    message = error.message
    shown = repr(error.instance)
    if len(shown) > EXCERPT:
        message = message.replace(shown, _show(error.instance))
    return _DECIMAL_REPR.sub(r"\1", message)


_DECIMAL_REPR = re.compile(r"Decimal\('([^']*)'\)")


def _show(value: Any) -> str:
    """A value as it would be written in YAML: true, null, 12.50, 'text'."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        return repr(excerpt(value))
    if isinstance(value, (dict, list)):
        return excerpt(_DECIMAL_REPR.sub(r"\1", repr(value)))
    return _DECIMAL_REPR.sub(r"\1", repr(value))


def _suggest(name: str, allowed: dict[str, Any]) -> str:
    names = [n for n, s in allowed.items() if not (isinstance(s, dict) and s.get("doNotSuggest"))]
    close = difflib.get_close_matches(name, names, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _matches_pattern_properties(name: str, schema: dict[str, Any]) -> bool:
    return any(re.search(p, name) for p in schema.get("patternProperties", {}))


# -- keys, uniqueness and references across the catalog ----------------------------------

def check_duplicates(found: list[tuple[str, DesiredObject]]) -> list[Diagnostic]:
    """Report each later object whose key equals an earlier one (case-insensitively).

    ``found`` is every object with a usable key, in file order, as (kind, object).
    """
    first: dict[tuple[str, str], DesiredObject] = {}
    out = []
    for kind, obj in found:
        seen = first.setdefault((kind, REGISTRY[kind].fold(obj.key)), obj)
        if seen is not obj:
            out.append(Diagnostic(
                "error", f"duplicate {kind} '{obj.key}' (first defined at {seen.source})", obj.source))
    return out


def check_unique_fields(objects: dict[str, dict[str, DesiredObject]]) -> list[Diagnostic]:
    """Fields listed in a schema's ``x-unique`` must not repeat within the kind."""
    out = []
    for kind in top_level_kinds():
        for name in load_schema(kind.schema).get("x-unique", ()):
            owner: dict[Any, DesiredObject] = {}
            for obj in objects.get(kind.name, {}).values():
                value = obj.fields.get(name)
                if not isinstance(value, str):
                    continue
                prev = owner.setdefault(fold_text(value), obj)     # as the store compares names
                if prev is not obj:
                    out.append(Diagnostic(
                        "error",
                        f"{kind.name} '{obj.key}': {name}: '{value}' is already used by "
                        f"{kind.name} '{prev.key}' ({prev.source_of(name)}); the store requires unique {name}s",
                        obj.source_of(name)))
    return out


def check_references(
    objects: dict[str, dict[str, DesiredObject]],
    store: StoreSettings,
    flagged: frozenset[SourceRange] = frozenset(),
) -> list[Diagnostic]:
    """Every ``x-reference`` value must name a desired object or one in ``store.existing``.

    Values at a position in ``flagged`` already have a diagnostic (a malformed
    path, say) and are not reported a second time.
    """
    known = {
        kind.name: {kind.fold(k) for k in objects.get(kind.name, {})}
        | {kind.fold(k) for k in store.existing.get(kind.name, ())}
        for kind in REGISTRY
    }
    out = []
    for kind in top_level_kinds():
        refs = reference_paths(kind.schema)
        if not refs:
            continue
        for obj in objects.get(kind.name, {}).values():
            for pattern, target, mode in refs:
                for path, value in _values_at(obj.fields, pattern):
                    if not isinstance(value, str) or flagged and obj.source_of(path) in flagged:
                        continue
                    name = _parent_of(target, value) if mode == "parent" else value
                    if name and REGISTRY[target].fold(name) not in known[target]:
                        plural = REGISTRY[target].plural
                        what = "parent" if mode == "parent" else target
                        # Kinds store.existing cannot list (products) must be in the catalog.
                        where = f"{plural} or to store.existing.{plural}" if target in store.existing else plural
                        out.append(Diagnostic(
                            "error",
                            f"{kind.name} '{obj.key}': {what} '{name}' is not declared (add it to {where})",
                            obj.source_of(path)))
    return out


def _parent_of(kind: str, key: str) -> str | None:
    """The key of the object ``key``'s object is under: the kind's ``parent_key``, else the
    text before the last "/"."""
    split = REGISTRY[kind].parent_key
    return split(key) if split else key.rpartition("/")[0]


def check_existing_overlap(
    objects: dict[str, dict[str, DesiredObject]], store: StoreSettings, values: Mapping[str, SourceRange]
) -> list[Diagnostic]:
    """An object cannot be both managed and listed in ``store.existing`` as unmanaged.

    ``values`` is the store block's source map (dotted path -> position).
    """
    out = []
    existing = store.raw.get("existing") if isinstance(store.raw, dict) else None
    for plural, names in (existing or {}).items():
        kind = REGISTRY.by_plural(plural)
        if kind is None or not isinstance(names, list):
            continue
        managed = {kind.fold(k): obj for k, obj in objects.get(kind.name, {}).items()}
        for i, name in enumerate(names):
            obj = managed.get(kind.fold(name)) if isinstance(name, str) else None
            if obj is not None:
                path = f"existing.{plural}.{i}"
                out.append(Diagnostic(
                    "error",
                    f"store: {path}: '{name}' is also managed in {plural} ({obj.source}); "
                    "list it in one place only",
                    values.get(path, store.source)))
    return out


@cache
def reference_paths(schema_name: str) -> tuple[tuple[tuple[str, ...], str, str], ...]:
    """(field path pattern, target kind, "value" | "parent") for each reference in a schema.

        >>> reference_paths("product.schema.json")
        ((('brand',), 'brand', 'value'), (('categories', '*'), 'category', 'value'))
    """
    found: list[tuple[tuple[str, ...], str, str]] = []

    def walk(schema: Any, path: tuple[str, ...]) -> None:
        if not isinstance(schema, dict):
            return
        if "x-reference" in schema:
            found.append((path, schema["x-reference"], "value"))
        if "x-parent-reference" in schema:
            found.append((path, schema["x-parent-reference"], "parent"))
        for name, sub in schema.get("properties", {}).items():
            walk(sub, path + (name,))
        walk(schema.get("items"), path + ("*",))
        for branch in schema.get("oneOf", ()):      # the same object, one shape of it per branch
            walk(branch, path)

    walk(load_schema(schema_name), ())
    return tuple(found)


def _values_at(value: Any, pattern: tuple[str, ...], path: str = "") -> Iterator[tuple[str, Any]]:
    if not pattern:
        yield path, value
        return
    head, rest = pattern[0], pattern[1:]
    if head == "*":
        if isinstance(value, list):
            for i, item in enumerate(value):
                yield from _values_at(item, rest, f"{path}.{i}" if path else str(i))
    elif isinstance(value, dict) and head in value:
        yield from _values_at(value[head], rest, f"{path}.{head}" if path else head)


# -- the kinds' own checks --------------------------------------------------------------

@dataclass
class Checking:
    """What a kind's ``checks`` and ``catalog_rules`` get besides its objects (resources/checks.py)."""

    objects: dict[str, dict[str, DesiredObject]]    # every kind's objects as written, by key
    store: StoreSettings
    flagged: frozenset[SourceRange]                 # positions already reported: not reported again
    # the store block's dotted paths -> positions (loaded: a SourceMap; read with .get() only)
    store_values: Mapping[str, SourceRange] = field(default_factory=dict)

    @cached_property
    def skus(self) -> dict[str, Sku]:
        """Folded SKU -> what the catalog says about it (its cost; a product's variants)."""
        return sku_index(self.objects)


def check_rules(objects: dict[str, dict[str, DesiredObject]], store: StoreSettings,
                flagged: frozenset[SourceRange] = frozenset(), store_values: Mapping[str, SourceRange] | None = None,
                registry: Registry = REGISTRY) -> list[Diagnostic]:
    """Every kind's ``catalog_rules`` (a product's variants against its options, SKUs, the SKU
    convention, channels; the categories the convention names), before ``check_kinds``."""
    checking = Checking(objects, store, flagged, store_values if store_values is not None else {})
    return _run(lambda kind: kind.catalog_rules, objects, checking, registry)


def check_kinds(objects: dict[str, dict[str, DesiredObject]], store: StoreSettings,
                flagged: frozenset[SourceRange] = frozenset(), registry: Registry = REGISTRY) -> list[Diagnostic]:
    """Every kind's ``checks`` on its objects as written (a child kind's: on its parents)."""
    return _run(lambda kind: kind.checks, objects, Checking(objects, store, flagged), registry)


def _run(hook: Callable[[ResourceKind], Callable | None], objects: dict[str, dict[str, DesiredObject]],
         checking: Checking, registry: Registry) -> list[Diagnostic]:
    """One hook of every kind that has it, in registry order, on its objects (a child kind: its parents')."""
    out: list[Diagnostic] = []
    for kind in registry:
        check = hook(kind)
        if check is not None:
            out += check(list(objects.get(kind.parent or kind.name, {}).values()), checking)
    return out
