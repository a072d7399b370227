"""desired/sources.py: the compact position table answers as the dict of dotted paths it replaced.

The loader used to keep, per object, ``{dotted path: SourceRange}`` for every value
and every mapping key (the last one written wins). ``dict_oracle`` below is that
old bookkeeping, kept here as the reference; random documents (keys with dots,
empty keys, numbers as keys, merges, aliases) must get the same answer for every
path from the table, and a sub-resource's view the same as its subtree.
"""

from __future__ import annotations

import random

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from reconciler.desired.load import _Builder
from reconciler.core.objects import DesiredObject
from reconciler.core.sources import SourceMap, SourceTable
from reconciler.core.diagnostics import SourceRange

FILE = "f.yaml"
NAMES = ["a", "b", "a.b", "", "0", "1", "b.", ".b", "a.b.c", "c"]


def dict_oracle(node: MappingNode, builder: _Builder, prefix: str = "") -> tuple[dict, dict]:
    """(values, keys): dotted path -> SourceRange, as the loader kept them before the table."""
    values: dict[str, SourceRange] = {}
    keys: dict[str, SourceRange] = {}

    def at(n):
        return SourceRange(FILE, n.start_mark.line + 1, n.start_mark.column + 1)

    def build(n, path: str, active: set[int]) -> None:
        if isinstance(n, ScalarNode) or id(n) in active:
            return
        active = active | {id(n)}
        if isinstance(n, SequenceNode):
            for i, item in enumerate(n.value):
                child = f"{path}.{i}" if path else str(i)
                values[child] = at(item)
                build(item, child, active)
        else:
            for key, value in builder.pairs(n, path):
                child = f"{path}.{key.value}" if path else key.value
                keys[child] = at(key)
                values[child] = at(value)
                build(value, child, active)

    build(node, prefix, set())
    return values, keys


def random_value(rng: random.Random, depth: int, names: list[str] = NAMES) -> object:
    roll = rng.random()
    if depth > 3 or roll < 0.4:
        return rng.choice([1, "x", 2.5, None, True, "y z"])
    if roll < 0.7:
        return {rng.choice(names): random_value(rng, depth + 1, names) for _ in range(rng.randint(0, 4))}
    return [random_value(rng, depth + 1, names) for _ in range(rng.randint(0, 4))]


def random_document(rng: random.Random) -> str:
    body = {rng.choice(NAMES): random_value(rng, 0) for _ in range(rng.randint(1, 6))}
    text = yaml.safe_dump({"obj": body}, default_flow_style=rng.random() < 0.3, sort_keys=False)
    if rng.random() < 0.5:
        # merges and aliases: the same nodes built more than once
        text = ("x-anchor: &shared {a: 1, a.b: [2, 3], '': {b: 4}}\n" + text.replace(
            "obj:\n", "obj:\n  <<: *shared\n  c: *shared\n", 1)) if "obj:\n" in text else text
    return text


def build_one(text: str, odd: bool | None = None) -> tuple[_Builder, MappingNode, dict, int]:
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    node = next(v for k, v in root.value if k.value == "obj")
    table = SourceTable()
    table.start_file(FILE)
    builder = _Builder(FILE, [], table, {}, {})
    value, index = builder.build(node)
    if odd is not None:
        table.odd_keys = odd
    return builder, node, value, index


def probes(paths) -> set[str]:
    out = set(paths) | {"", "nope", "0", ".", "a.", "a..b", "00", "1.0"}
    for p in paths:
        out |= {p + ".0", p + ".a", p + ".", "." + p, p.rpartition(".")[0], p.partition(".")[2]}
    return out


def test_every_path_gets_the_position_the_dict_had():
    rng = random.Random(7)
    for _ in range(300):
        text = random_document(rng)
        builder, node, value, index = build_one(text)
        values, keys = dict_oracle(node, builder)
        table = builder.table
        got_values = SourceMap(table, index, value)
        got_keys = SourceMap(table, index, value, keys=True)
        assert got_values.as_dict() == values, text
        assert list(got_values) == list(values), text        # the same order, too
        assert got_keys.as_dict() == keys, text
        for path in probes(values):
            assert got_values.get(path) == values.get(path), (text, path)
            assert got_keys.get(path) == keys.get(path), (text, path)
            assert (path in got_values) == (path in values), (text, path)


def test_a_sub_resource_view_answers_as_its_subtree():
    rng = random.Random(11)
    checked = 0
    for _ in range(300):
        text = random_document(rng)
        builder, node, value, index = build_one(text)
        values, _ = dict_oracle(node, builder)
        obj = DesiredObject.located("product", "P", value, None, builder.table, index, value)
        for path in values:
            found = obj.node_of(path)
            table, child, sub = found
            assert table.range(child) == values[path]
            if not isinstance(sub, (dict, list)):
                continue
            # The subtree's own dict: paths relative to the sub-resource.
            view = DesiredObject.located("variant", "V", {}, None, table, child, sub, parent="P")
            expected = {}
            for p, src in dict_oracle(_node_at(node, builder, path), builder, prefix="X")[0].items():
                expected[p[2:]] = src
            assert view.field_sources.as_dict() == expected, (text, path)
            assert view.source == values[path]
            checked += 1
    assert checked > 100


def _node_at(node, builder, path):
    """The YAML node the oracle would give ``path`` (the last one written with that path)."""
    found = []

    def walk(n, p, active):
        if isinstance(n, ScalarNode) or id(n) in active:
            return
        active = active | {id(n)}
        pairs = [(str(i), v) for i, v in enumerate(n.value)] if isinstance(n, SequenceNode) \
            else [(k.value, v) for k, v in builder.pairs(n, p)]
        for name, v in pairs:
            child = f"{p}.{name}" if p else name
            if child == path:
                found.append(v)
            walk(v, child, active)

    walk(node, "", set())
    return found[-1]


def test_plain_keys_take_the_fast_path_and_agree():
    rng = random.Random(3)
    plain = ["a", "b", "c", "0", "1"]
    for _ in range(200):
        body = {rng.choice(plain): random_value(rng, 0, plain) for _ in range(rng.randint(1, 6))}
        text = yaml.safe_dump({"obj": body}, sort_keys=False)
        fast = build_one(text)
        slow = build_one(text, odd=True)
        assert not fast[0].table.odd_keys
        values, _ = dict_oracle(fast[1], fast[0])
        for path in probes(values):
            assert SourceMap(fast[0].table, fast[3], fast[2]).get(path) == values.get(path), (text, path)
            assert SourceMap(slow[0].table, slow[3], slow[2]).get(path) == values.get(path), (text, path)


def test_big_lists_and_mappings_are_indexed():
    items = "\n".join(f"    - {{sku: S{i}, price: {i}.5}}" for i in range(100))
    names = "\n".join(f"    n{i}: {i}" for i in range(40))
    builder, node, value, index = build_one(f"obj:\n  records:\n{items}\n  custom:\n{names}\n")
    m = SourceMap(builder.table, index, value)
    assert m["records.0.sku"] == SourceRange(FILE, 3, 13)
    assert m["records.99.price"] == SourceRange(FILE, 102, 25)
    assert m["custom.n39"] == SourceRange(FILE, 143, 10)
    assert "records.100" not in m and "custom.n40" not in m and "records.01" not in m
    assert m.as_dict() == dict_oracle(node, builder)[0]
    # the same through the search for keys with dots (a big mapping, a plain name)
    builder, node, value, index = build_one(f"obj:\n  records:\n{items}\n  custom:\n{names}\n", odd=True)
    m = SourceMap(builder.table, index, value)
    values = dict_oracle(node, builder)[0]
    assert all(m[path] == src for path, src in values.items())


def test_positions_survive_loading_but_key_positions_do_not():
    builder, node, value, index = build_one("obj:\n  a: 1\n")
    table = builder.table
    assert SourceMap(table, index, value, keys=True)["a"] == SourceRange(FILE, 2, 3)
    table.loaded()
    assert SourceMap(table, index, value)["a"] == SourceRange(FILE, 2, 6)
    assert SourceMap(table, index, value, keys=True).get("a") is None
