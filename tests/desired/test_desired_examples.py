"""Schema examples: every valid example loads; every invalid one gives exactly
the diagnostics its ``# expect: LINE:COL message`` comments state.

An example is a file in tests/examples/{valid,invalid}/, or a folder of files
loaded together (for problems that span files). Paths in messages are relative
to the repository root, where these tests run.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reconciler.desired import load_desired
from reconciler.core.errors import DesiredStateError

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "tests" / "examples"
EXPECT = re.compile(r"^# expect: (\d+):(\d+) (.+)$", re.MULTILINE)


def _examples(kind: str) -> list[Path]:
    return sorted(p.relative_to(REPO) for p in (EXAMPLES / kind).iterdir() if p.is_dir() or p.suffix == ".yaml")


def _expected(example: Path) -> list[str]:
    files = sorted(example.rglob("*.yaml")) if example.is_dir() else [example]
    return [
        f"{f.as_posix()}:{line}:{col}: {message}"
        for f in files
        for line, col, message in EXPECT.findall(f.read_text(encoding="utf-8"))
    ]


@pytest.fixture(autouse=True)
def _at_repo_root(monkeypatch):
    monkeypatch.chdir(REPO)


@pytest.mark.parametrize("example", _examples("valid"), ids=str)
def test_valid_example_loads(example):
    state = load_desired(example)
    assert state.files


@pytest.mark.parametrize("example", _examples("invalid"), ids=str)
def test_invalid_example_reports_exactly_its_expectations(example):
    expected = _expected(example)
    assert expected, f"{example} states no '# expect:' lines"
    with pytest.raises(DesiredStateError) as info:
        load_desired(example)
    assert sorted(str(d) for d in info.value.diagnostics) == sorted(expected)
    assert str(info.value) == f"{len(expected)} problem{'s' if len(expected) != 1 else ''} in the desired state"


def test_every_example_file_names_the_catalog_schema():
    for path in EXAMPLES.rglob("*.yaml"):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema="), path
        target = (path.parent / first.split("=", 1)[1]).resolve()
        assert target == REPO / "schemas" / "catalog.schema.json", path
