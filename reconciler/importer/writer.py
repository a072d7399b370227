"""catalog import, the writing: YAML that reads like the hand-written catalog."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from reconciler.core.settings import StoreSettings
from reconciler.resources.fields import money_text

FLOW_WIDTH = 100        # a list or mapping shorter than this is written on one line: [uk-main, us-trade]


class Money(Decimal):
    """Written with at least two decimal places: 2 -> 2.00."""


class _Flow(list):
    """Written on one line: [uk-main, us-trade]."""


class _FlowMap(dict):
    """Written on one line: {sku: CT-BLK100-2.5, options: {Width: 2.5mm}, price: 1.95}."""


def _flow(value: Any) -> Any:
    """``value`` marked for one-line writing when it is short and holds no long text."""
    if isinstance(value, (list, dict)) and value and _width(value) <= FLOW_WIDTH:
        return _FlowMap(value) if isinstance(value, dict) else _Flow(value)
    return value


def _width(value: Any) -> int:
    if isinstance(value, dict):
        return sum(len(str(k)) + 4 + _width(v) for k, v in value.items())
    if isinstance(value, list):
        return sum(2 + _width(v) for v in value) + 2
    if isinstance(value, str) and "\n" in value:
        return FLOW_WIDTH + 1
    return len(str(value))


# -- writing ---------------------------------------------------------------------------------------

class _Dumper(yaml.SafeDumper):
    """Block style with indented lists (as catalog/ is written); no anchors."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        return super().increase_indent(flow, False)

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_str(dumper: yaml.SafeDumper, text: str) -> yaml.Node:
    # Several lines as a literal block; PyYAML falls back to quotes where a block
    # would not read back the same (inside [..], trailing spaces, \r).
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|" if "\n" in text else None)


# Decimals by value, as the store means them: its v2 "20.0000" is 20, its 0.8 is 0.80 in money.
def _represent_decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.Node:
    text = format(Decimal(value).normalize(), "f")
    return dumper.represent_scalar("tag:yaml.org,2002:" + ("float" if "." in text else "int"), text)


def _represent_money(dumper: yaml.SafeDumper, value: Decimal) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:float", money_text(Decimal(value).normalize()))


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(Decimal, _represent_decimal)
_Dumper.add_representer(Money, _represent_money)
_Dumper.add_representer(_Flow, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True))
_Dumper.add_representer(_FlowMap, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v.items(), flow_style=True))
_Dumper.add_representer(dict, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v.items(), flow_style=False))


def dump(value: Any) -> str:
    return yaml.dump(value, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1 << 20,
                     default_flow_style=False)


def _indent(text: str, by: int) -> list[str]:
    return [(" " * by + line) if line else line for line in text.splitlines()]


class _Writer:
    """File texts: the schema header, comments, and the objects one after another."""

    def __init__(self, out_dir: Path, settings: StoreSettings) -> None:
        self.out_dir = out_dir
        self.settings = settings
        self.channels = dict(settings.channels)       # grows when an object names an unknown channel id
        self.schemas = _schemas_for(out_dir)

    def header(self, name: str) -> list[str]:
        """The schema line, relative to the written file (``../../schemas/catalog.schema.json``
        in ``products/``), as the README shows: never a path of this machine."""
        folder = os.path.abspath(self.out_dir / name).rsplit(os.sep, 1)[0]
        target = os.path.join(self.schemas, "catalog.schema.json")
        return [f"# yaml-language-server: $schema={Path(os.path.relpath(target, folder)).as_posix()}", "#"]

    def file(self, name: str, plural: str, items: list[dict], *, comment: str = "",
             blank_before=None) -> str:
        intro = f"# Imported from the live store by `catalog import`. {comment}".rstrip()
        lines = self.header(name) + [intro, f"{plural}:"]
        texts = [dump([item]) for item in items]
        spaced = blank_before is None and any(t.count("\n") > 1 for t in texts)
        for i, (item, text) in enumerate(zip(items, texts)):
            if i and (spaced or (blank_before is not None and blank_before(item))):
                lines.append("")
            lines += _indent(text, 2)
        return "\n".join(lines) + "\n"

    def channel(self, name: str, channel_id: int | None = None) -> str:
        """A channel's name in store.channels; a channel read without one ("#3") gets one."""
        if not name.startswith("#"):
            return name
        cid = channel_id or int(name[1:])
        found = next((n for n, i in self.channels.items() if i == cid), None)
        if found is None:
            found = f"channel-{cid}"
            self.channels[found] = cid
        return found

    def store(self, existing: dict[str, set[str]], inferred: list[tuple[list[str], dict]]) -> str:
        """store.yaml: the settings read from the store, ``existing``, and the settings the kinds
        inferred (comment lines and their block: a SKU convention, written disabled)."""
        s = self.settings
        lines = self.header("store.yaml") + [
            "# Settings for the whole store, imported by `catalog import`. Objects under `existing`",
            "# are referred to by the catalog but were not imported: they are never changed.",
            "store:",
        ]
        name = s.raw.get("name")
        if name:
            lines += ["  # The default storefront's name; shown in plans to say which store they are for."]
            lines += _indent(dump({"name": name}), 2)
        lines += ["  # currency: the currency of catalog prices (e.g. GBP), for the plan's price impact table."]
        lines += _indent(dump({"category_tree_id": s.category_tree_id}), 2)
        if existing:
            listed = {plural: sorted(names, key=str.casefold) for plural, names in sorted(existing.items())}
            lines += _indent(dump({"existing": listed}), 2)
        lines += self._channels()
        for comment, block in inferred:
            lines += [f"  # {line}" for line in comment]
            lines += _indent(dump(block), 2) if block else []
        lines += ["  # Money guardrails: a price dropping by more than this blocks apply unless acknowledged.",
                  *_indent(dump({"guardrails": {"max_price_drop_percent": int(s.max_price_drop_percent)}}), 2),
                  "  # Deletion is explicit: nothing is deleted unless its kind is listed here (or the object",
                  "  # says delete: true).",
                  "  prune: []"]
        return "\n".join(lines) + "\n"

    def _channels(self) -> list[str]:
        lines = ["  # Storefront channels (GET /v3/channels), by the names products and price lists use.",
                 "  channels:"]
        labels = self.settings.raw.get("channel_labels") or {}
        for slug, cid in sorted(self.channels.items(), key=lambda kv: kv[1]):
            label = " ".join(str(labels.get(cid, "")).split())
            lines.append(f"    {slug}: {cid}" + (f"   # {label}" if label else ""))
        return lines


def _schemas_for(out_dir: Path) -> str:
    """The schema folder the headers point at (absolute here, written relative): the
    nearest ``schemas/`` holding catalog.schema.json in the catalog's folder or above it
    (a repository's, as this one's), else the one the repository layout puts beside the
    catalog (``catalog/`` next to ``schemas/``). Never the installed package's: its path
    is this machine's, and the file is committed."""
    root = Path(os.path.abspath(out_dir))
    for folder in (root, *root.parents):
        if (folder / "schemas" / "catalog.schema.json").is_file():
            return str(folder / "schemas")
    return str(root.parent / "schemas")
