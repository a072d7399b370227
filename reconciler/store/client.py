"""StoreClient: typed verbs over the Transport. Pagination and batching, no diff logic.

    >>> client = StoreClient(Transport(StoreConfig.from_env()))
    >>> brands = client.list_all("/v3/catalog/brands")

``list_all`` reads page 1 at the largest page size (250), learns
``total_pages`` from ``meta.pagination`` and fetches the remaining pages in
parallel; the RateLimiter keeps that within the store's quota. ``each_page``
does the same but hands each page to a callback as it arrives, so a large read
never holds every raw page at once (store/build.py translates them page by page).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Iterable, Iterator
from urllib.parse import quote_plus, urlencode

from reconciler.store.transport import Response, Transport

PAGE_SIZE = 250
# No API page states a URL limit. RFC 9110 §4.1: "It is RECOMMENDED that all senders
# and recipients support, at a minimum, URIs with lengths of 8000 octets"; we stay
# below that, with room for the page and limit parameters.
MAX_URL_LENGTH = 8000

PageFn = Callable[[int, list], Any]   # (page number from 1, the page's rows)


def in_filter_can_carry(value: Any) -> bool:
    """Whether ``value`` survives as one item of an ``:in`` filter. The store splits
    the list on commas (a SKU may contain one: FACTS.md §5 only bounds its length) and,
    like the sandbox, may trim each item; no doc says, so the stricter reading: a value
    with a comma, or with blanks at either end, or empty, is asked for on its own."""
    text = str(value)
    return bool(text) and "," not in text and text == text.strip()


def chunks(items: list, size: int | None) -> Iterator[list]:
    step = size or 1
    for i in range(0, len(items), step):
        yield items[i : i + step]


class StoreClient:
    def __init__(self, transport: Transport, *, parallelism: int = 8) -> None:
        self.transport = transport
        self.parallelism = max(1, parallelism)
        self._pool = ThreadPoolExecutor(max_workers=self.parallelism, thread_name_prefix="store")

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        self.transport.close()

    def __enter__(self) -> "StoreClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- verbs ---------------------------------------------------------------------

    def get(self, path: str, params: dict | None = None) -> Response:
        return self.transport.request("GET", path, params=params)

    def post(self, path: str, body: Any, params: dict | None = None) -> Response:
        return self.transport.request("POST", path, params=params, body=body)

    def put(self, path: str, body: Any, params: dict | None = None) -> Response:
        return self.transport.request("PUT", path, params=params, body=body)

    def delete(self, path: str, params: dict | None = None) -> Response:
        return self.transport.request("DELETE", path, params=params)

    def map(self, fn, items: Iterable) -> list:
        """Run ``fn`` over items on the client's worker pool, results in order."""
        return list(self._pool.map(fn, items))

    # -- pagination ------------------------------------------------------------------

    def list_all(self, path: str, params: dict | None = None, *, page_size: int = PAGE_SIZE) -> list[dict]:
        return _in_order(lambda on_page: self.each_page(path, params, on_page, page_size=page_size))

    def each_page(self, path: str, params: dict | None, on_page: PageFn, *, page_size: int = PAGE_SIZE) -> int:
        """Every page of a v3 collection, each handed to ``on_page(number, rows)`` as it
        arrives, on the thread that fetched it (pages 2.. in parallel, in any order): the
        caller keeps what it needs and each raw page is freed once ``on_page`` returns.
        Returns the number of pages."""
        base = dict(params or {})
        base["limit"] = page_size
        first = self.get(path, {**base, "page": 1}).data
        pagination = (first.get("meta") or {}).get("pagination") or {}
        total_pages = int(pagination.get("total_pages") or 1)
        on_page(1, first.get("data") or [])
        del first
        if total_pages > 1:
            self.map(lambda p: on_page(p, self.get(path, {**base, "page": p}).data.get("data") or []),
                     range(2, total_pages + 1))
        return total_pages

    def list_v2(self, path: str, params: dict | None = None, *, page_size: int = PAGE_SIZE) -> list[dict]:
        """A v2 collection (bare JSON arrays, no pagination meta): the first page; when it
        is full, ``/count`` and then the other pages side by side. Most stores have fewer
        customer groups than a page: one request, not two."""
        base = dict(params or {})
        first = self.get(path, {**base, "page": 1, "limit": page_size}).data
        rows: list[dict] = list(first) if isinstance(first, list) else []
        if len(rows) < page_size:
            return rows
        count = self.get(f"{path}/count", base).data
        total = int(count.get("count", 0)) if isinstance(count, dict) else 0
        pages = max(1, -(-total // page_size))
        answers = self.map(lambda p: self.get(path, {**base, "page": p, "limit": page_size}), range(2, pages + 1))
        for resp in answers:
            if isinstance(resp.data, list):
                rows.extend(resp.data)
        return rows

    def list_cursor(self, path: str, params: dict | None = None, *, page_size: int = PAGE_SIZE) -> list[dict]:
        return _in_order(lambda on_page: self.each_cursor_page(path, params, on_page, page_size=page_size))

    def each_cursor_page(self, path: str, params: dict | None, on_page: PageFn, *,
                         page_size: int = PAGE_SIZE) -> int:
        """A v3 collection that offers cursor and page pagination (price lists), page by
        page into ``on_page(number, rows)`` as ``each_page`` does.

        The first page is asked for with ``limit`` only, which answers with both
        metas (FACTS.md 3.2); when it says how many pages there are, the rest are
        fetched by page number side by side, within the quota — following the
        cursor would be one request at a time, which at 30,000 records is most of
        a plan's wall time. Without a page count the cursor is followed."""
        base = {**(params or {}), "limit": page_size}
        first = self.get(path, base).data
        data = first if isinstance(first, dict) else {}
        pages = int(((data.get("meta") or {}).get("pagination") or {}).get("total_pages") or 0)
        on_page(1, data.get("data") or [])
        if pages:
            del first, data
            self.map(lambda p: on_page(p, (self.get(path, {**base, "page": p}).data or {}).get("data") or []),
                     range(2, pages + 1))
            return pages
        return self._follow_cursor(path, base, data, on_page)

    def _follow_cursor(self, path: str, base: dict, data: dict, on_page: PageFn) -> int:
        after, number = None, 1
        while True:
            cursor = (data.get("meta") or {}).get("cursor_pagination") or {}
            nxt = cursor.get("end_cursor")
            if not data.get("data") or not nxt or nxt == after or not (cursor.get("links") or {}).get("next"):
                return number
            after = nxt
            resp = self.get(path, {**base, "after": after})
            data = resp.data if isinstance(resp.data, dict) else {}
            number += 1
            on_page(number, data.get("data") or [])

    def filter_chunks(self, path: str, params: dict | None, name: str, values: Iterable[Any], *,
                      most: int = PAGE_SIZE) -> list[str]:
        """``values`` as comma-joined values of the filter ``name`` (``sku:in``,
        ``variant_id:in``), as few as can be: at most ``most`` values each (by
        default a page, so each chunk is one answer) and a URL (with ``params``,
        ``page`` and ``limit``) of at most MAX_URL_LENGTH characters."""
        fixed = len(self.transport.config.base_url + path) + len("?&page=99999&limit=999&" + quote_plus(name) + "=")
        room = MAX_URL_LENGTH - fixed - len(urlencode(params or {}))
        comma = len(quote_plus(","))
        chunks: list[str] = []
        chunk: list[str] = []
        used = 0
        for value in values:
            text = str(value)
            size = len(quote_plus(text)) + (comma if chunk else 0)
            if chunk and (len(chunk) >= most or used + size > room):
                chunks.append(",".join(chunk))
                chunk, used, size = [], 0, size - comma
            chunk.append(text)
            used += size
        if chunk:
            chunks.append(",".join(chunk))
        return chunks

    def key_filters(self, path: str, params: dict | None, name: str, values: Iterable[Any]) -> list[dict]:
        """Query parameters that select ``values`` by the filter ``name`` (``sku:in``):
        ``filter_chunks`` of the values the ``:in`` syntax can carry, and one exact
        filter (``sku``) for each value it cannot (``in_filter_can_carry``). Each dict
        goes beside ``params``."""
        values = [str(v) for v in values]
        exact = name.removesuffix(":in")
        carried = [v for v in values if in_filter_can_carry(v)]
        out = [{name: chunk} for chunk in self.filter_chunks(path, params, name, carried)]
        return out + [{exact: v} for v in values if not in_filter_can_carry(v)]

    def list_many(self, requests: dict[str, tuple[str, dict | None]]) -> dict[str, list[dict]]:
        """Several ``list_all`` calls side by side: {name: (path, params)} -> {name: rows}."""
        return self.gather({n: (lambda r=r: self.list_all(*r)) for n, r in requests.items()})

    def gather(self, calls: dict[str, Any]) -> dict[str, Any]:
        """Run several reads side by side: {name: fn()} -> {name: result}.

        Each read fans its own pages out on the pool; running the reads on plain
        threads avoids a pool waiting on itself."""
        names = list(calls)
        with ThreadPoolExecutor(max_workers=len(names) or 1) as outer:
            futures = {n: outer.submit(calls[n]) for n in names}
            return {n: f.result() for n, f in futures.items()}


def _in_order(read: Callable[[PageFn], int]) -> list[dict]:
    """All rows of a paged read, in page order whatever order the pages arrived in."""
    pages: dict[int, list] = {}
    lock = threading.Lock()

    def keep(number: int, rows: list) -> None:
        with lock:
            pages[number] = rows

    read(keep)
    return [row for n in sorted(pages) for row in pages[n]]
