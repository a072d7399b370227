"""The product's catalog rules, which a JSON Schema cannot state (``ResourceKind.catalog_rules``,
run by desired validation before every kind's ``checks``): variants against their product's
options, SKUs across products and variants, the house SKU convention, channels. Its own
module only for length: resources/product.py imports it and is the kind.

Each check returns diagnostics located at the offending value, worded like the schema
messages (``<kind> '<key>': <path>: <message>``). Values at a position in ``flagged`` already
have a diagnostic (a wrong type, say) and are not reported again; ``keys`` maps a product's
dotted paths to the position of their mapping key, for problems with a name rather than a value.

Positions are looked up only when they are needed: for a message, or to test ``flagged``
when it is not empty (a valid catalog has nothing flagged, and 10,000 products have
~300,000 paths these checks could ask about).

    >>> # variants: [{sku: CT-BLK100-5.0, options: {Width: 5.0mm}}] with options: {Width: [2.5mm]}
    >>> # -> "variant 'CT-BLK100-5.0': options.Width: '5.0mm' is not one of the values of
    >>> #     option 'Width' (2.5mm)"
"""

from __future__ import annotations

import difflib
import re
from decimal import Decimal
from typing import Any, Iterator

from reconciler.core.diagnostics import Diagnostic, SourceRange
from reconciler.core.objects import DesiredObject
from reconciler.core.settings import StoreSettings
from reconciler.resources.base import fold_text
from reconciler.resources.checks import error, flagged_at, items, key_sources, listed, tombstone
from reconciler.resources.children import text

# PRODUCT and VARIANT parts of a conventional SKU: CT-BLK100, CT-BLK100-4.8, FX-TBOLT-M10X100.
SKU_PART = re.compile(r"[A-Z0-9]+(?:\.[A-Z0-9]+)*")
SKU_PART_RULE = "must be uppercase letters and digits, in groups separated by single dots"


def catalog_rules(products: list, checking) -> list:
    """The product kind's ``catalog_rules``: variants against options, SKUs across products
    and variants, the SKU convention, channels."""
    flagged, store = checking.flagged, checking.store
    out = []
    for product in products:
        out += check_variants(product, key_sources(product), flagged)
    out += check_skus(products, flagged)
    out += check_sku_convention(products, store, flagged)
    return out + check_channels(products, store, flagged)


def _variant_label(product: DesiredObject, i: int, item: dict[str, Any]) -> str:
    sku = item.get("sku")
    return f"variant '{sku}'" if isinstance(sku, str) and sku else f"product '{product.key}': variants[{i}]"


def check_variants(product: DesiredObject, keys, flagged: frozenset[SourceRange]) -> list[Diagnostic]:
    """A product's variants choose exactly one listed value of each of its options
    (``keys``: dotted path -> position of its mapping key)."""
    fields = product.fields
    if tombstone(product):
        return []
    options, variants = fields.get("options"), fields.get("variants")
    if "options" in fields and not isinstance(options, dict) or "variants" in fields and not isinstance(variants, list):
        return []       # the schema has reported the wrong type
    options, variants = options or {}, variants or []
    if not options and not variants:
        return []
    label = f"product '{product.key}'"
    if variants and not options:
        return [error(f"{label}: variants: a product with variants needs options, the choices between them "
                      "(e.g. options: {Width: [2.5mm, 4.8mm]})", product.source_of("variants"))]
    if options and not variants:
        return [error(f"{label}: options: no variants choose from these options; add variants (each with "
                      "its own SKU and options) or remove options", product.source_of("options"))]
    # Options the schema has already faulted (a bad name, an empty list) are left out
    # of these checks, and so are variants' values for them.
    broken = {name for name, vals in options.items()
              if not isinstance(vals, list) or not vals or flagged and {
                  keys.get(f"options.{name}"), product.source_of(f"options.{name}")} & flagged}
    values = {name: [text(v) for v in vals] for name, vals in options.items() if name not in broken}
    used: dict[str, set[str]] = {name: set() for name in values}
    unsure: set[str] = set()            # options some variant gave no usable value for
    out = list(_repeated_labels(product, flagged))
    out += _combinations(product, variants, values, broken, keys, flagged, used, unsure)
    return out + _unused_values(product, values, used, unsure, flagged)


def _combinations(product: DesiredObject, variants: list, values: dict[str, list[str]], broken: set[str],
                  keys, flagged: frozenset[SourceRange], used: dict[str, set[str]],
                  unsure: set[str]) -> list[Diagnostic]:
    """Each variant's options, and no two variants with one combination of values."""
    out = []
    combos: dict[tuple[str, ...], int] = {}     # combination -> the first variant with it
    for i, item in enumerate(variants):
        if not isinstance(item, dict):
            continue
        problems, combo = _variant_options(product, i, item, values, broken, keys, flagged, used, unsure)
        out += problems
        if combo is None:
            continue
        k = combos.setdefault(combo, i)
        if k == i:
            continue
        # The same mapping twice (an alias) is one position: not a second variant.
        first, where = product.source_of(f"variants.{k}.options"), product.source_of(f"variants.{i}.options")
        if first != where:
            out.append(error(f"{_variant_label(product, i, item)}: options: same as "
                             f"{_variant_label(product, k, variants[k])} ({first}); "
                             "each variant needs its own combination of option values", where))
    return out


def _unused_values(product: DesiredObject, values: dict[str, list[str]], used: dict[str, set[str]],
                   unsure: set[str], flagged: frozenset[SourceRange]) -> list[Diagnostic]:
    """Option values no variant chooses (options some variant left unclear are not judged)."""
    out = []
    for name, labels in values.items():
        if name in unsure:
            continue
        for j, value in enumerate(labels):
            if value in used[name]:
                continue
            where = product.source_of(f"options.{name}.{j}")
            if where not in flagged:
                out.append(error(
                    f"product '{product.key}': options.{name}.{j}: value '{value}' is not used by any variant; "
                    "the store shows option values only through its variants, so an unused value would show "
                    "as a change in every plan (add a variant with it or remove it)", where))
    return out


def _variant_options(product: DesiredObject, i: int, item: dict[str, Any], values: dict[str, list[str]],
                     broken: set[str], keys, flagged: frozenset[SourceRange], used: dict[str, set[str]],
                     unsure: set[str]) -> tuple[list[Diagnostic], tuple[str, ...] | None]:
    """Problems with one variant's options, and its combination of values when it is complete."""
    label, path = _variant_label(product, i, item), f"variants.{i}.options"
    chosen = item.get("options")
    if chosen is None:
        unsure.update(values)
        return [error(f"{label}: no options: give its value for each of the product's options "
                      f"({listed(values)})", product.source_of(f"variants.{i}"))], None
    if not isinstance(chosen, dict):
        unsure.update(values)
        return [], None
    out = _unknown_options(product, label, path, chosen, values, broken, keys)
    combo = []
    for name, labels in values.items():
        if name not in chosen:
            unsure.add(name)
            out.append(error(f"{label}: options: no value for option '{name}'", product.source_of(path)))
            continue
        value = chosen[name]
        if not isinstance(value, (str, int, Decimal)) or isinstance(value, bool) \
                or flagged_at(flagged, product, f"{path}.{name}"):
            unsure.add(name)
            continue
        if text(value) not in labels:
            unsure.add(name)
            out.append(error(f"{label}: options.{name}: '{text(value)}' is not one of the values of option "
                             f"'{name}' ({listed(labels)})", product.source_of(f"{path}.{name}")))
            continue
        used[name].add(text(value))
        combo.append(text(value))
    complete = not out and not broken and len(combo) == len(values)
    return out, (tuple(combo) if complete else None)


def _unknown_options(product: DesiredObject, label: str, path: str, chosen: dict[str, Any],
                     values: dict[str, list[str]], broken: set[str], keys) -> list[Diagnostic]:
    out = []
    for name in chosen:
        if name not in values and name not in broken:
            hint = difflib.get_close_matches(name, list(values), n=1)
            tip = f" (did you mean '{hint[0]}'?)" if hint else f" (the product's options: {listed(values)})"
            out.append(error(f"{label}: options: '{name}' is not one of the product's options{tip}",
                             keys.get(f"{path}.{name}") or product.source_of(f"{path}.{name}")))
    return out


def _repeated_labels(product: DesiredObject, flagged: frozenset[SourceRange]) -> Iterator[Diagnostic]:
    """4.8 and "4.8" are the same label; the schema's uniqueItems sees a number and a text."""
    for name, vals in (product.fields.get("options") or {}).items():
        if not isinstance(vals, list):
            continue
        first: dict[str, int] = {}
        for j, value in enumerate(vals):
            k = first.setdefault(text(value), j)
            if k == j or vals[k] == value:
                continue
            where = product.source_of(f"options.{name}.{j}")
            if where not in flagged:
                yield error(f"product '{product.key}': options.{name}.{j}: '{text(value)}' is listed twice "
                            f"(first at {product.source_of(f'options.{name}.{k}')})", where)


def check_skus(products: list[DesiredObject], flagged: frozenset[SourceRange]) -> list[Diagnostic]:
    """Product and variant SKUs share one namespace in the store, ignoring case.

    Two products with one SKU are reported by desired validation's ``check_duplicates``;
    this adds every clash that involves a variant, at the later of the two.
    """
    # folded SKU -> (product, variant index or None) of its first use
    owners: dict[str, tuple[DesiredObject, int | None]] = {}
    out = []
    for product in products:
        held = owners.setdefault(fold_text(product.key), (product, None))
        if held[1] is not None:
            out.append(error(f"duplicate SKU '{product.key}' (first used by {_owner(*held)} at {_sku_at(*held)})",
                             product.source_of("sku")))
        for i, item in items(product, "variants"):
            sku = item.get("sku")
            if not isinstance(sku, str) or not sku or flagged_at(flagged, product, f"variants.{i}.sku"):
                continue
            held = owners.setdefault(fold_text(sku), (product, i))
            if held[0] is product and held[1] == i:
                continue
            first, where = _sku_at(*held), product.source_of(f"variants.{i}.sku")
            if first != where:      # one mapping twice (an alias) is one position, not a clash
                out.append(error(f"duplicate SKU '{sku}' (first used by {_owner(*held)} at {first})", where))
    return out


def _owner(product: DesiredObject, variant: int | None) -> str:
    return f"product '{product.key}'" if variant is None else f"variant of product '{product.key}'"


def _sku_at(product: DesiredObject, variant: int | None) -> SourceRange:
    return product.source_of("sku" if variant is None else f"variants.{variant}.sku")


def check_sku_convention(products: list[DesiredObject], store: StoreSettings,
                         flagged: frozenset[SourceRange]) -> list[Diagnostic]:
    """SKUs follow ``store.sku_convention`` when it is enabled (see schemas/store.schema.json)."""
    rule = store.sku_convention
    if not rule or not rule.get("enabled", True):
        return []
    codes = {c: p for c, p in (rule.get("categories") or {}).items() if isinstance(p, str)}
    out = []
    for product in products:
        if tombstone(product):
            continue    # only its key is written: the convention is for what the catalog keeps
        if not flagged_at(flagged, product, "sku"):
            out += _product_sku(product, codes)
        for i, item in items(product, "variants"):
            sku = item.get("sku")
            if isinstance(sku, str) and not flagged_at(flagged, product, f"variants.{i}.sku"):
                problem = _variant_sku(product.key, sku)
                if problem:
                    out.append(error(problem, product.source_of(f"variants.{i}.sku")))
    return out


def _product_sku(product: DesiredObject, codes: dict[str, str]) -> list[Diagnostic]:
    label, sku = f"product '{product.key}'", product.key
    code, dash, part = sku.partition("-")
    if not dash:
        problems = [f"{label}: SKU must be a category code, '-' and the product's own part "
                    f"(store.sku_convention; codes: {listed(sorted(codes))})"]
    else:
        problems = []
        if code not in codes:
            problems.append(f"{label}: SKU prefix '{code}' is not in store.sku_convention.categories "
                            f"(known: {listed(sorted(codes))})")
        elif not _in_or_below(product.fields.get("categories"), codes[code]):
            problems.append(f"{label}: SKU prefix '{code}' means category '{codes[code]}', "
                            "but the product is not in it or below it")
        if not SKU_PART.fullmatch(part):
            problems.append(f"{label}: SKU part after '{code}-' {SKU_PART_RULE} (got '{part}')")
    if not problems:
        return []
    where = product.source_of("sku")
    return [error(problem, where) for problem in problems]


def _variant_sku(product_sku: str, sku: str) -> str | None:
    prefix = product_sku + "-"
    if not sku.startswith(prefix):
        return f"variant '{sku}': variant SKU must start with its product's SKU '{prefix}'"
    part = sku[len(prefix):]
    if not SKU_PART.fullmatch(part):
        return f"variant '{sku}': SKU part after '{prefix}' {SKU_PART_RULE} (got '{part}')"
    return None


def _in_or_below(categories: Any, top: str) -> bool:
    top = top.casefold()
    return isinstance(categories, list) and any(
        isinstance(c, str) and (c.casefold() == top or c.casefold().startswith(top + "/")) for c in categories)


def check_channels(products: list[DesiredObject], store: StoreSettings,
                   flagged: frozenset[SourceRange]) -> list[Diagnostic]:
    """Each product channel names an entry of ``store.channels``."""
    known = listed(sorted(store.channels))
    out = []
    for product in products:
        channels = product.fields.get("channels")
        if not isinstance(channels, list):
            continue
        for i, name in enumerate(channels):
            if isinstance(name, str) and name not in store.channels:
                where = product.source_of(f"channels.{i}")
                if where not in flagged:
                    out.append(error(f"product '{product.key}': channel '{name}' is not in store.channels "
                                     f"(known: {known})", where))
    return out

