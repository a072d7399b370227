"""The loaded, validated catalog kept on disk between runs, keyed by what it was made from.

``load_desired`` parses and validates every YAML file: ≈3.9 s of CPU at 10,000 products,
the largest local cost of a no-op ``catalog plan`` (docs/benchmarks.md, "The whole
command"). The same catalog is often loaded again unchanged — ``catalog plan`` then
``catalog apply`` on one commit, a re-run, the drift job — and reading back the
DesiredState it produced takes ≈0.4 s. So the CLI keeps the result:

    .catalog/cache/desired-<key>.pickle

*key* is the sha256 of everything the result depends on: every catalog file's path (as
diagnostics name it, relative to the working directory) and bytes, the schema files'
bytes, the source of the loader and the kinds (every ``reconciler`` module but the
sandbox's), the Python version and this module's ``FORMAT``. Any byte changed anywhere
is another key: a miss, which is the ordinary load. Only a catalog that loaded without a
problem is written (an invalid one raises before), so every diagnostic, with its
``FILE:LINE:COL``, comes from the ordinary load. The entry is written only when the
files still hash to the same key after the load (none changed meanwhile), to a temporary
name then renamed; an entry that cannot be read is a miss. The newest ``KEEP`` entries
are kept (a plan and the apply of the next commit), older ones removed.

``CATALOG_DESIRED_CACHE=0`` turns the cache off; ``CATALOG_DESIRED_CACHE=DIR`` puts it in
DIR. A CI job keeps it with ``actions/cache`` keyed on the catalog's files
(``hashFiles('catalog/**')``). The entries are pickles: whoever can write the cache
folder can run code as the next ``catalog`` command, as with the working directory's
other files — a cache restored in CI must come from the same repository's own jobs
(actions/cache scopes entries to the branch and its base), never from a fork's upload.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import stat
import sys
import tempfile
from pathlib import Path
from typing import Iterable

from reconciler.core import gcpause
from reconciler.desired import load as _load
from reconciler.desired.model import DesiredState
from reconciler.desired.schemas import schema_dir

log = logging.getLogger(__name__)

FORMAT = 1
KEEP = 2
ENV = "CATALOG_DESIRED_CACHE"
DEFAULT_DIR = Path(".catalog/cache")

_code_digest: str | None = None


def cache_dir(environ: os._Environ[str] | dict[str, str] = os.environ) -> Path | None:
    """Where the CLI keeps the entries, or None when ``CATALOG_DESIRED_CACHE=0``.

    Off by default in CI (``CI`` set, as GitHub Actions and most CI systems set it): the
    entries are pickles, so a file a pull request managed to put at
    ``.catalog/cache/desired-<key>.pickle`` (committed with ``git add -f``, then merged)
    would run as code in the apply job, which holds the store's write token. A CI job
    that wants the cache says where explicitly (``CATALOG_DESIRED_CACHE=DIR``, a folder
    only its own jobs write)."""
    value = environ.get(ENV, "")
    if value in ("0", "off", "false", "no"):
        return None
    if not value and environ.get("CI", "").lower() not in ("", "0", "false", "no"):
        return None
    return Path(value) if value else DEFAULT_DIR


def load_desired_cached(catalog_dir: str | os.PathLike[str], cache: Path | None | bool = True) -> DesiredState:
    """``load_desired(catalog_dir)``, read from the cache when the same inputs were loaded before.

    ``cache``: the folder, ``True`` for ``cache_dir()`` (the environment's setting), or
    None/False for no cache (then exactly ``load_desired``).
    """
    folder = cache_dir() if cache is True else (cache or None)
    key = _key(Path(catalog_dir)) if folder is not None else None
    if key is None:
        return _load.load_desired(catalog_dir)
    entry = folder / f"desired-{key}.pickle"
    found = _read(entry)
    if found is not None:
        return found
    desired = _load.load_desired(catalog_dir)
    if _key(Path(catalog_dir)) == key:      # no file changed while it was loaded
        _write(folder, entry, desired)
    return desired


def _key(root: Path) -> str | None:
    """The sha256 of the load's inputs, or None when the cache should not be used.

    None for anything out of the ordinary (a refused symlink, a file that is not
    regular or is over the loader's size limits, an unreadable file): the ordinary
    load reports it, and nothing of it is cached.
    """
    if root.is_symlink() or not (root.is_dir() or root.is_file()):
        return None
    if root.is_dir():
        files, refused = _load.catalog_files(root)
        if refused or not files:
            return None
    else:
        files = [root]
    h = hashlib.sha256(f"catalog-desired {FORMAT} {sys.version} {_code()}\n".encode())
    h.update(f"{_load.display_path(root)} {'dir' if root.is_dir() else 'file'}\n".encode())
    total = 0
    for path in files:
        data = _regular_bytes(path, _load.MAX_FILE_BYTES)
        if data is None:
            return None
        total += len(data)
        if total > _load.MAX_TOTAL_BYTES:
            return None
        h.update(f"{_load.display_path(path)}\0{len(data)}\0".encode("utf-8", "surrogateescape"))
        h.update(hashlib.sha256(data).digest())
    return h.hexdigest()


def _regular_bytes(path: Path, limit: int) -> bytes | None:
    try:
        fd = os.open(path.resolve(), os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            return None
        data = f.read(limit + 1)
    return data if len(data) <= limit else None


def _code() -> str:
    """The sha256 of the schemas and of every module but the sandbox's, once per process."""
    global _code_digest
    if _code_digest is None:
        package = Path(_load.__file__).resolve().parents[1]
        h = hashlib.sha256()
        for path in _sorted(p for p in package.rglob("*.py") if "sandbox" not in p.relative_to(package).parts):
            h.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
        for path in _sorted(schema_dir().glob("*.json")):
            h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
        _code_digest = h.hexdigest()
    return _code_digest


def _sorted(paths: Iterable[Path]) -> list[Path]:
    return sorted(paths, key=lambda p: p.as_posix())


def _read(entry: Path) -> DesiredState | None:
    try:
        with open(entry, "rb") as f, gcpause.paused():
            found = pickle.load(f)
    except FileNotFoundError:
        return None
    except Exception as exc:            # noqa: BLE001 - a damaged or foreign entry is a miss
        log.info("desired cache: %s unreadable (%s): loading the YAML", entry, type(exc).__name__)
        return None
    if not isinstance(found, DesiredState):
        return None
    try:
        os.utime(entry)                 # the newest entries are the ones kept
    except OSError:
        pass
    log.info("desired cache: hit %s", entry)
    return found


def _write(folder: Path, entry: Path, desired: DesiredState) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".desired-", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "wb") as f, gcpause.paused():
                pickle.dump(desired, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, entry)
        except BaseException:
            os.unlink(tmp)
            raise
        entries = sorted(folder.glob("desired-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[KEEP:]:
            old.unlink(missing_ok=True)
    except OSError as exc:              # a read-only or full disk: the run goes on without
        log.info("desired cache: not written (%s)", exc.strerror or exc)
