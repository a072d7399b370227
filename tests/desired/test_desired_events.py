"""The loader's event path (desired/load.py ``_Events``) gives what composing gives.

Each catalog is loaded twice, once with files built straight from libyaml's events and
once with every file composed into nodes (``_Builder``), and the two loads must agree on
every value and its type, every position a value or key has, the digest, the source
table and, for invalid catalogs, every diagnostic. The plain catalogs must be read by the
event path (no file composed); the odd ones (anchors, merges, tags, dates, duplicate keys,
syntax errors, several documents) fall back to composing, file by file.
"""

from __future__ import annotations

import re
import shutil
import textwrap
from pathlib import Path

import pytest

from bench.generate import generate_store, write_catalog
from reconciler.core.errors import DesiredStateError
from reconciler.desired import load as load_module
from reconciler.desired.load import load_desired

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "tests" / "examples"
ANCHOR = re.compile(r"[\s:\[{,-]&[\w-]+(\s|$)")     # "x: &name", not "&deg;"


@pytest.fixture(autouse=True)
def _at_repo_root(monkeypatch):
    monkeypatch.chdir(REPO)


def typed(value):
    """``value`` with the type of every part, so 1 == 1.0 == True cannot pass for equal."""
    if isinstance(value, dict):
        return {k: typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [typed(v) for v in value]
    return (type(value).__name__, value)


def outcome(target: Path, events: bool, monkeypatch) -> tuple[object, int]:
    """Everything a load says of ``target``, and how many files it composed."""
    composed = []
    original = load_module._Reader._compose

    def counting(self, text, file):
        composed.append(file)
        return original(self, text, file)

    with monkeypatch.context() as m:
        m.setattr(load_module, "_EVENTS", events)
        m.setattr(load_module._Reader, "_compose", counting)
        try:
            state = load_desired(target)
        except DesiredStateError as exc:
            return [str(d) for d in exc.diagnostics], len(composed)
    objects = {
        kind: {key: (typed(obj.fields), str(obj.source), sorted((p, str(s)) for p, s in obj.field_sources.items()))
               for key, obj in by_key.items()}
        for kind, by_key in state.objects.items()
    }
    store = (typed(state.store.raw), str(state.store.source))
    return (objects, store, state.digest, state.files), len(composed)


def same_both_ways(target: Path, monkeypatch) -> int:
    """Assert both paths agree on ``target``; the number of files the event path composed."""
    fast, fallbacks = outcome(target, True, monkeypatch)
    slow, composed = outcome(target, False, monkeypatch)
    assert composed > 0 or not any(target.rglob("*.y*ml")) or target.is_file()
    assert fast == slow
    return fallbacks


def test_generated_catalog_is_read_from_events_alone(tmp_path, monkeypatch):
    write_catalog(generate_store(60, 3, price_lists=2, seed=3), tmp_path / "c", seed=3)
    files = len(list((tmp_path / "c").rglob("*.yaml")))
    assert files >= 5
    assert same_both_ways(tmp_path / "c", monkeypatch) == 0
    fast, _ = outcome(tmp_path / "c", True, monkeypatch)
    assert sum(len(by_key) for by_key in fast[0].values()) > 60 * 4     # products, variants, records...


def test_the_real_catalog_is_read_from_events_alone_its_anchors_too(monkeypatch):
    files = list((REPO / "catalog").rglob("*.yaml"))
    assert any(ANCHOR.search(f.read_text()) for f in files)     # its price lists share tiers: &volume
    assert same_both_ways(REPO / "catalog", monkeypatch) == 0


@pytest.mark.parametrize("name", sorted(p.name for p in (EXAMPLES / "valid").iterdir())
                         + sorted(p.name for p in (EXAMPLES / "invalid").iterdir()))
def test_examples_agree(name, tmp_path, monkeypatch):
    source = EXAMPLES / ("valid" if (EXAMPLES / "valid" / name).exists() else "invalid") / name
    target = tmp_path / "c"
    if source.is_dir():
        shutil.copytree(source, target)
    else:
        target.mkdir()
        shutil.copy(source, target / name)
    same_both_ways(target, monkeypatch)


PLAIN_HEAD = """
store:
  name: "Shop"
  channels: {uk-main: 1}
brands:
  - name: Acme
"""

ODD = {
    "anchors and merges": """
        x-base: &base {type: physical, price: 1.50, weight: 1}
        products:
          - <<: *base
            sku: A-1
            name: "A one"
          - sku: A-2
            name: A two
            <<: *base
            price: 2.00
        """,
    "aliases of collections, nested": """
        x-tiers: &tiers
          - {quantity_min: 10, type: percent, amount: 5}
          - &top {quantity_min: 50, type: percent, amount: 10}
        x-more: &more {tiers: *tiers, last: *top, name: &n shared}
        products:
          - {sku: L-1, name: *n, type: physical, price: 1, weight: 1, custom_fields: &cf {a: x, b: y}}
          - {sku: L-2, name: L two, type: physical, price: 1, weight: 1, custom_fields: *cf, bulk: *more}
        """,
    "aliases as list items": """
        products:
          - sku: R-1
            name: R
            type: physical
            price: 1
            weight: 1
            categories: &cats [A/B, C]
            variants:
              - &v {sku: R-1-a, price: 1, options: &o {Size: S}}
              - {sku: R-1-b, price: 2, options: *o}
          - {sku: R-2, name: R2, type: physical, price: 1, weight: 1, categories: *cats, channels: [*cats, *v]}
        """,
    "an alias inside its own anchor": """
        x-a: &a [1, *a]
        products: []
        """,
    "an undefined alias": """
        products:
          - {sku: M-1, name: *nothing, type: physical, price: 1, weight: 1}
        """,
    "an anchor defined again": """
        x-a: &a {v: 1}
        x-b: &a {v: 2}
        products:
          - {sku: N-1, name: N, type: physical, price: 1, weight: 1, custom_fields: *a}
        """,
    "an anchor on an object": """
        products:
          - &o {sku: O-1, name: O, type: physical, price: 1, weight: 1}
        """,
    "an alias of a scalar": """
        products:
          - {sku: &s B-1, name: *s, type: physical, price: 1, weight: 1}
        """,
    "a duplicate key": """
        products:
          - {sku: C-1, name: C, name: D, type: physical, price: 1, weight: 1}
        """,
    "an explicit tag": """
        products:
          - {sku: !!str 12, name: E, type: physical, price: !!float 1, weight: 1}
        """,
    "a date": """
        products:
          - {sku: 2024-01-02, name: F, type: physical, price: 1, weight: 1}
        """,
    "a syntax error": """
        products:
          - {sku: G, name: [G, type: physical
        """,
    "two documents": """
        products: []
        ---
        brands: []
        """,
    "not a mapping": """
        - products
        """,
    "an unknown top-level key": """
        prodcts: []
        """,
    "a list that is not": """
        products: {sku: H}
        """,
    "an item that is not a mapping": """
        products: [H-1]
        """,
    "odd keys": """
        products:
          - {sku: I-1, name: I, type: physical, price: 1, weight: 1, custom_fields: {"a.b": x, "": y, 12: z}}
        """,
    "an unreadable int": """
        products:
          - {sku: J-1, name: J, type: physical, price: 1, weight: 0o9}
        """,
    "a null list and empty mapping": """
        categories:
        products:
          - {}
        """,
    "quoted and block scalars": """
        products:
          - sku: 'K-1'
            name: |
              K
              one
            type: "physical"
            price: "1.50"
            weight: 1
            is_visible: yes
        """,
    "a second store block": """
        store: {name: again}
        """,
}


@pytest.mark.parametrize("case", sorted(ODD))
def test_odd_files_agree(case, tmp_path, monkeypatch):
    target = tmp_path / "c"
    target.mkdir()
    (target / "a.yaml").write_text(textwrap.dedent(PLAIN_HEAD).lstrip("\n"), encoding="utf-8")
    (target / "b.yaml").write_text(textwrap.dedent(ODD[case]).lstrip("\n"), encoding="utf-8")
    same_both_ways(target, monkeypatch)


def test_a_plain_file_beside_an_odd_one_is_still_read_from_events(tmp_path, monkeypatch):
    target = tmp_path / "c"
    target.mkdir()
    (target / "a.yaml").write_text(textwrap.dedent(PLAIN_HEAD).lstrip("\n"), encoding="utf-8")
    (target / "b.yaml").write_text(textwrap.dedent(ODD["anchors and merges"]).lstrip("\n"), encoding="utf-8")
    assert same_both_ways(target, monkeypatch) == 1      # b.yaml alone was composed


@pytest.mark.parametrize("case", ["aliases of collections, nested", "aliases as list items", "an alias of a scalar"])
def test_aliases_are_read_from_events(case, tmp_path, monkeypatch):
    target = tmp_path / "c"
    target.mkdir()
    (target / "b.yaml").write_text(textwrap.dedent(ODD[case]).lstrip("\n"), encoding="utf-8")
    assert same_both_ways(target, monkeypatch) == 0


@pytest.mark.parametrize("budget", [0, 5, 6, 7, 8, 9, 10, 11, 1000])
def test_the_alias_budget_is_spent_alike(budget, tmp_path, monkeypatch):
    """Aliases add values as composing counts them: at the limit the file is read, one over it is refused."""
    monkeypatch.setattr(load_module, "MAX_ALIAS_VALUES", budget)
    target = tmp_path / "c"
    target.mkdir()
    (target / "a.yaml").write_text(textwrap.dedent(ODD["aliases of collections, nested"]).lstrip("\n"),
                                   encoding="utf-8")
    (target / "b.yaml").write_text(textwrap.dedent(ODD["aliases of collections, nested"]).lstrip("\n")
                                   .replace("L-", "Q-"), encoding="utf-8")
    # Each file's aliases add 5 values, as composing counts them (the budget's edge is between 9 and 10):
    # a file whose aliases would go past what is left is composed, and composing reports it.
    assert same_both_ways(target, monkeypatch) == (0 if budget >= 10 else 1 if budget >= 5 else 2)


def test_nested_aliases_in_x_values_are_not_expanded_there(tmp_path, monkeypatch):
    """A "billion laughs" kept in x- values: nothing is built while they are read, the one
    use spends the budget as composing does, and both refuse it at the same place."""
    monkeypatch.setattr(load_module, "MAX_ALIAS_VALUES", 1000)
    lines = ["x-0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"x-{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 8)]   # 10**8 if built
    lines += ["products:", "  - {sku: Z-1, name: Z, type: physical, price: 1, weight: 1, bulk: *a7}"]
    target = tmp_path / "c"
    target.mkdir()
    (target / "p.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert same_both_ways(target, monkeypatch) == 1     # refused by the budget, then composed
    found, _ = outcome(target, True, monkeypatch)
    assert any("aliases expand to more than 1,000 values" in d for d in found)
