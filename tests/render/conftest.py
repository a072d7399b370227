"""Golden-file helper for the renderer tests.

Regenerate with ``pytest --update-golden`` when tests/conftest.py provides the
``update_golden`` fixture, or with ``UPDATE_GOLDEN=1 pytest tests/render``; then
review the diff of tests/render/golden/.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

GOLDEN_DIR = Path(__file__).parent / "golden"


class Golden:
    def __init__(self, update: bool) -> None:
        self.update = update

    def check(self, name: str, actual: str) -> None:
        path = GOLDEN_DIR / name
        if self.update:
            path.write_text(actual, encoding="utf-8", newline="")
            return
        assert path.exists(), f"no golden file {path}: run with --update-golden or UPDATE_GOLDEN=1"
        with open(path, encoding="utf-8", newline="") as f:
            expected = f.read()
        assert actual == expected, f"{name} differs from its golden file"


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Golden:
    # update_golden belongs to tests/conftest.py; fall back to the env var until it exists.
    try:
        update = bool(request.getfixturevalue("update_golden"))
    except pytest.FixtureLookupError:
        update = False
    return Golden(update or os.environ.get("UPDATE_GOLDEN") == "1")
