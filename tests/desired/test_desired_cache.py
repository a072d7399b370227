"""desired/cache.py: the loaded catalog kept between runs, keyed by every byte it came from."""

from __future__ import annotations

import logging
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from reconciler.core.errors import DesiredStateError
from reconciler.desired import load_desired
from reconciler.desired.cache import KEEP, cache_dir, load_desired_cached

REPO = Path(__file__).resolve().parents[2]
PRICE = "price: 1.95"          # CT-BLK100's price in catalog/products/cable-ties.yaml


@pytest.fixture
def work(tmp_path, monkeypatch):
    """A copy of the example catalog, loaded from its own working directory."""
    monkeypatch.chdir(tmp_path)
    shutil.copytree(REPO / "catalog", tmp_path / "catalog")
    return tmp_path


def entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("desired-*.pickle")) if folder.exists() else []


def hits(caplog) -> int:
    return sum("desired cache: hit" in r.getMessage() for r in caplog.records)


def test_a_second_load_is_read_back_with_the_same_values_and_positions(work, caplog):
    caplog.set_level(logging.INFO, logger="reconciler.desired.cache")
    folder = work / "cache"
    first = load_desired_cached("catalog", folder)
    assert len(entries(folder)) == 1 and hits(caplog) == 0
    again = load_desired_cached("catalog", folder)
    assert hits(caplog) == 1
    plain = load_desired("catalog")
    assert (again.objects, again.store, again.files, again.digest) == (plain.objects, plain.store, plain.files, plain.digest)
    assert again.objects == first.objects
    for kind, key, field in [("product", "CT-BLK100", "price"), ("variant", "CT-BLK100-4.8", "price")]:
        assert str(again.get(kind, key).source_of(field)) == str(plain.get(kind, key).source_of(field))
    assert str(again.get("product", "CT-BLK100").source_of("price")) == "catalog/products/cable-ties.yaml:11:12"


def test_one_byte_changed_is_a_miss_and_loads_the_new_value(work, caplog):
    caplog.set_level(logging.INFO, logger="reconciler.desired.cache")
    folder = work / "cache"
    assert load_desired_cached("catalog", folder).get("product", "CT-BLK100").fields["price"] == Decimal("1.95")
    path = work / "catalog" / "products" / "cable-ties.yaml"
    text = path.read_text()
    assert PRICE in text
    path.write_text(text.replace(PRICE, "price: 1.96", 1))
    changed = load_desired_cached("catalog", folder)
    assert changed.get("product", "CT-BLK100").fields["price"] == Decimal("1.96")
    assert hits(caplog) == 0 and len(entries(folder)) == 2
    path.write_text(text)           # back as it was: the first entry again
    assert load_desired_cached("catalog", folder).get("product", "CT-BLK100").fields["price"] == Decimal("1.95")
    assert hits(caplog) == 1


def test_the_same_files_seen_from_another_directory_are_another_entry(work):
    # Diagnostics and sources name files relative to the working directory.
    folder = work / "cache"
    load_desired_cached("catalog", folder)
    (work / "sub").mkdir()
    shutil.move(work / "catalog", work / "sub" / "catalog")
    moved = load_desired_cached("sub/catalog", folder)
    assert str(moved.get("product", "CT-BLK100").source_of("price")) == "sub/catalog/products/cable-ties.yaml:11:12"
    assert len(entries(folder)) == 2


def test_an_invalid_catalog_is_never_cached_and_reports_as_without(work):
    folder = work / "cache"
    path = work / "catalog" / "products" / "cable-ties.yaml"
    path.write_text(path.read_text().replace(PRICE, "price: -1", 1))
    with pytest.raises(DesiredStateError) as plain:
        load_desired("catalog")
    for _ in range(2):
        with pytest.raises(DesiredStateError) as cached:
            load_desired_cached("catalog", folder)
        assert [str(d) for d in cached.value.diagnostics] == [str(d) for d in plain.value.diagnostics]
    assert any(str(d).startswith("catalog/products/cable-ties.yaml:11:") for d in plain.value.diagnostics)
    assert entries(folder) == []


def test_a_damaged_entry_is_a_miss_and_is_written_again(work, caplog):
    caplog.set_level(logging.INFO, logger="reconciler.desired.cache")
    folder = work / "cache"
    load_desired_cached("catalog", folder)
    [entry] = entries(folder)
    entry.write_bytes(entry.read_bytes()[:1000])
    assert load_desired_cached("catalog", folder).get("product", "CT-BLK100").fields["price"] == Decimal("1.95")
    assert hits(caplog) == 0 and entry.stat().st_size > 1000
    load_desired_cached("catalog", folder)
    assert hits(caplog) == 1


def test_only_the_newest_entries_are_kept(work):
    folder = work / "cache"
    path = work / "catalog" / "products" / "cable-ties.yaml"
    text = path.read_text()
    for cents in range(KEEP + 2):
        path.write_text(text.replace(PRICE, f"price: 1.{90 + cents}", 1))
        load_desired_cached("catalog", folder)
    assert len(entries(folder)) == KEEP


def test_the_setting_turns_it_off_or_moves_it(work, monkeypatch):
    monkeypatch.setenv("CATALOG_DESIRED_CACHE", "0")
    assert cache_dir() is None
    load_desired_cached("catalog")
    assert not (work / ".catalog").exists()
    monkeypatch.setenv("CATALOG_DESIRED_CACHE", str(work / "elsewhere"))
    load_desired_cached("catalog")
    assert len(entries(work / "elsewhere")) == 1
    monkeypatch.delenv("CATALOG_DESIRED_CACHE")
    monkeypatch.delenv("CI", raising=False)
    assert cache_dir() == Path(".catalog/cache")
    load_desired_cached("catalog")
    assert len(entries(work / ".catalog" / "cache")) == 1


@pytest.mark.parametrize("ci, folder", [("true", None), ("1", None), ("false", Path(".catalog/cache")),
                                        ("", Path(".catalog/cache"))])
def test_off_by_default_in_ci_where_a_planted_pickle_would_run_with_the_write_token(monkeypatch, ci, folder):
    monkeypatch.delenv("CATALOG_DESIRED_CACHE", raising=False)
    monkeypatch.setenv("CI", ci)
    assert cache_dir() == folder
    monkeypatch.setenv("CATALOG_DESIRED_CACHE", "/srv/cache")
    assert cache_dir() == Path("/srv/cache")          # a CI job may still ask for it, explicitly
