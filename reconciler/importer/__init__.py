"""catalog import: the live store written as catalog YAML, so adoption starts from
a plan with no changes.

    >>> with connect() as client:
    ...     settings = read_store_settings(client)     # channels by name, from GET /v3/channels
    ...     live = read_live(client, settings)
    >>> summary = import_catalog(live, settings, Path("catalog"))
    >>> summary.files[:3], summary.counts["product"]
    (['brands.yaml', 'categories.yaml', 'customer-groups.yaml'], 37)

The layout is the one of GTSE's hand-written ``catalog/``: ``store.yaml``,
``brands.yaml``, ``categories.yaml``, ``products/<top category>.yaml`` (by the
product's first category; none: ``products/uncategorised.yaml``),
``customer-groups.yaml`` and ``price-lists/<list>.yaml``. Each kind says where it
goes and how it reads (the ``import_*`` fields of its ResourceKind, set in
resources/<kind>.py); this package names no kind.

What is written, and why:

- Only the fields each kind's ``from_live`` returns (the fields a plan compares),
  and of those only values someone set: no null, empty text or empty list, and
  not the value the store gives a field nobody set (``sale_price: 0``,
  ``is_featured: false``, ``sort_order: 0`` on products: ``import_unset``). A field left
  out is not managed, so the plan is the same either way. ``is_visible`` is always
  written, ``false`` included.
- References by name, path and channel name; money as written decimals with two
  or more places (``1.95``, ``2.00``), never floats; text that would read back as
  a number or true/false is quoted.
- Everything sorted by key (categories parents first), except what the store
  keeps in an order of its own: option values (in the store's order), custom
  fields (in the order the product page shows them), discount rules and bulk
  pricing tiers (lists the plan compares in order).
- The SKU convention (product.py's ``import_store``) is written disabled: import takes the store as it is, and a
  convention that some SKUs break would make ``validate`` fail. The inferred
  codes are there with a comment saying whether every SKU follows them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from reconciler.desired.load import find_files
from reconciler.core.settings import StoreSettings
from reconciler.resources.product_rules import check_sku_convention
from reconciler.importer.common import KINDS, CatalogExistsError, CatalogImportError, slugify  # noqa: F401
from reconciler.importer.documents import _Documents, existing, store_settings
from reconciler.importer.writer import _Writer
from reconciler.core.live import LiveState
from reconciler.resources import REGISTRY, Registry


@dataclass
class ImportSummary:
    out_dir: Path
    files: list[str] = field(default_factory=list)             # written, relative to out_dir, sorted
    counts: dict[str, int] = field(default_factory=dict)       # kind -> objects written
    removed: list[str] = field(default_factory=list)           # old YAML files replaced (with force)
    existing: dict[str, list[str]] = field(default_factory=dict)   # store.existing, by plural
    warnings: list[str] = field(default_factory=list)
    below_cost: list[str] = field(default_factory=list)        # objects written with acknowledge: [below_cost]
    inexpressible: list[str] = field(default_factory=list)     # objects not written, each with why

    def render(self) -> str:
        """What the CLI prints: files, objects per kind, and the next step."""
        lines = [f"Imported the store into {self.out_dir}/ ({len(self.files)} files):"]
        lines += [f"  {name}" for name in self.files]
        counts = ", ".join(f"{n} {kind if n == 1 else REGISTRY[kind].plural}" for kind, n in self.counts.items())
        lines.append(f"Objects: {counts or 'none'}")
        if self.removed:
            lines.append(f"Replaced the catalog that was there: removed {len(self.removed)} old YAML files")
        for plural, names in self.existing.items():
            lines.append(f"Referred to but not imported (store.existing.{plural}): {len(names)}")
        if self.below_cost:
            lines.append(f"{len(self.below_cost)} objects sell below cost in the store: written with "
                         f"acknowledge: [below_cost] for reviewers to see (e.g. {self.below_cost[0]})")
        if self.inexpressible:
            lines.append(f"Not expressible in YAML, left in the store as they are ({len(self.inexpressible)}):")
            lines += [f"  {why}" for why in self.inexpressible]
        lines += [f"Warning: {w}" for w in self.warnings]
        lines.append(f"Next: catalog validate --catalog {self.out_dir} && catalog plan --catalog {self.out_dir}"
                     " (expect: no changes), then commit the folder.")
        return "\n".join(lines)


# -- the command's part: what the store says besides the catalog ------------------------------

def channel_names(rows: list[dict[str, Any]]) -> dict[str, int]:
    """GET /v3/channels rows -> {slug: id}, by id; a slug taken (or empty) gets the id appended."""
    out: dict[str, int] = {}
    for row in sorted(rows, key=lambda r: r["id"]):
        slug = slugify(str(row.get("name") or "")) or "channel"
        out[slug if slug not in out else f"{slug}-{row['id']}"] = row["id"]
    return out


def read_store_settings(client) -> StoreSettings:
    """Default settings with the store's channels by name; ``raw["name"]`` is the default
    storefront's name (BigCommerce names channel 1 after the store), for ``store.name``."""
    rows = client.list_all("/v3/channels")
    first = next((r for r in rows if r.get("id") == 1), None)
    labels = {r["id"]: str(r.get("name") or "") for r in rows}
    settings = StoreSettings(channels=channel_names(rows),
                             raw={"name": first.get("name") if first else None, "channel_labels": labels})
    for kind in REGISTRY:       # what a kind reads of the store's settings (a category: its trees)
        if kind.import_settings:
            settings = replace(settings, **kind.import_settings(client, settings))
    return settings


def parse_kinds(text: str | None) -> list[str] | None:
    """``--kinds brand,category,products`` -> kind names (plurals and dashes accepted); None = all."""
    if not text:
        return None
    out = []
    for word in (w.strip().replace("-", "_") for w in text.split(",") if w.strip()):
        kind = word if word in REGISTRY else getattr(REGISTRY.by_plural(word), "name", None)
        if kind not in KINDS:
            parent = REGISTRY[kind].parent if kind else None
            why = f"{word} is imported with its {parent}" if parent else f"unknown kind '{word}'"
            raise CatalogImportError(f"--kinds: {why} (choose from: {', '.join(KINDS)})")
        out.append(kind)
    return out


# -- the library function ---------------------------------------------------------------------

def import_catalog(live: LiveState, settings_hint: StoreSettings, out_dir: Path, *,
                   kinds: list[str] | None = None, force: bool = False,
                   registry: Registry = REGISTRY) -> ImportSummary:
    """Write ``live`` as a catalog under ``out_dir``; return what was written.

    ``settings_hint`` carries what the catalog does not: the channels by name (the
    ones ``live`` was read with), the category tree, the store's name in
    ``raw["name"]``. ``kinds`` limits the import to some top-level kinds; what they
    refer to is listed under ``store.existing``. An ``out_dir`` holding YAML is
    refused (CatalogExistsError) unless ``force``, which replaces that catalog.
    ``registry`` holds the kinds written (a test may add one).
    """
    out_dir = Path(out_dir)
    wanted = set(KINDS if kinds is None else parse_kinds(",".join(kinds)) or ())
    old = check_out_dir(out_dir, force)
    writer = _Writer(out_dir, settings_hint)
    docs = _Documents(live, writer, registry)
    files: dict[str, str] = {}
    for kind in registry:
        if kind.name in wanted and kind.import_file:
            for name, title, items in docs.files(kind):
                comment = kind.import_comment(title) if kind.import_comment else ""
                files[name] = writer.file(name, kind.plural, items, comment=comment,
                                          blank_before=kind.import_blank_before)
    refs = existing(live, wanted, registry, docs.left_out)
    inferred = store_settings(live, wanted, _store_rules, refs, registry)
    files["store.yaml"] = writer.store(refs, inferred)
    return ImportSummary(out_dir=out_dir, files=sorted(files), removed=_replace(out_dir, old, files),
                         counts=_counts(live, wanted, registry, docs.left_out),
                         existing={k: sorted(v) for k, v in refs.items() if v},
                         warnings=docs.warnings, below_cost=docs.below_cost,
                         inexpressible=[why for top, why in docs.inexpressible if top in wanted])


def _store_rules(objects: list, settings: StoreSettings) -> list:
    """What the catalog's rules for the whole store say of ``objects`` under ``settings``
    (the diagnostics a kind's ``import_store`` counts to say whether the store follows them)."""
    return check_sku_convention(objects, settings, frozenset())


def check_out_dir(out_dir: Path, force: bool) -> list[Path]:
    """The catalog files already under ``out_dir`` (what validate would read); refuses
    them without ``force``, so an import never silently overwrites a catalog."""
    if out_dir.exists() and not out_dir.is_dir():
        raise CatalogImportError(f"{out_dir} is a file, not a folder")
    old = find_files(out_dir) if out_dir.is_dir() else []
    if old and not force:
        raise CatalogExistsError(
            f"{out_dir} already holds a catalog ({len(old)} YAML file{'s' if len(old) != 1 else ''}, e.g. "
            f"{old[0].relative_to(out_dir).as_posix()}); import into another folder, or pass --force to replace "
            "it (every YAML file under it is removed first)")
    return old


def _replace(out_dir: Path, old: list[Path], files: dict[str, str]) -> list[str]:
    """Write the new files; with --force, remove the old catalog files not written again
    (left, they would define objects twice)."""
    written = {out_dir / name for name in files}
    removed = [p for p in old if p not in written]
    for path in removed:
        path.unlink()
    for name, text in files.items():
        path = out_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return sorted(p.relative_to(out_dir).as_posix() for p in removed)


def _counts(live: LiveState, wanted: set[str], registry: Registry,
            left_out: set[tuple[str, str]] = frozenset()) -> dict[str, int]:
    """Objects written, per kind (those ``left_out`` not counted: the summary names them)."""
    counts = {kind.name: sum((kind.name, k) not in left_out for k in live.of(kind.name)) for kind in registry
              if (kind.parent or kind.name) in wanted}
    return {name: n for name, n in counts.items() if n}
