"""Per-endpoint concurrency limits (FACTS §4): "exceeding it gives 429 and your
additional requests will fail".

``LIMITS`` maps (method, route pattern) to the number of requests that may be in
flight at once, store-wide (d:pl: "Running more than one in parallel on the **same
store** will cause a 429"). Patterns are the stats keys' patterns
(``/v3/pricelists/{id}/records``), so a new row is all a new limit needs. Rows for
routes the sandbox does not serve yet (legacy categories, customers v3) are kept so
that those routes are limited the day they exist.

    >>> limiter = ConcurrencyLimiter({("PUT", "/x"): 1})
    >>> first = limiter.enter("PUT", "/x"); limiter.enter("PUT", "/x") is None
    True
    >>> first.release(); limiter.enter("PUT", "/x") is not None
    True

A slot is held from the moment the request is admitted until its answer, including
the configured latency, has been produced – so with ``latency_ms`` > 0 the in-flight
window is as long as a slow real request's.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Mapping

LIMITS: dict[tuple[str, str], int] = {
    # ---- price lists [PL] ----
    ("DELETE", "/v3/pricelists/{id}"): 1,
    ("POST", "/v3/pricelists/records"): 10,
    ("PUT", "/v3/pricelists/records"): 1,
    ("GET", "/v3/pricelists/{id}/records"): 10,
    ("POST", "/v3/pricelists/{id}/records"): 10,
    # ⚠ PL upsertPriceListRecords says "Up to 2 concurrent batch upsert requests"; PL
    # info and d:pl say "You can only do one bulk upsert at a time". Stricter: 1.
    ("PUT", "/v3/pricelists/{id}/records"): 1,
    ("GET", "/v3/pricelists/{id}/records/{variant_id}"): 40,
    ("GET", "/v3/pricelists/{id}/records/{variant_id}/{currency_code}"): 50,
    ("PUT", "/v3/pricelists/{id}/records/{variant_id}/{currency_code}"): 40,
    ("DELETE", "/v3/pricelists/{id}/records/{variant_id}/{currency_code}"): 25,
    ("PUT", "/v3/pricelists/{id}/assignments"): 25,
    # ---- customer groups [CU2] ----
    ("GET", "/v2/customer_groups"): 40,
    ("POST", "/v2/customer_groups"): 40,
    ("DELETE", "/v2/customer_groups/{id}"): 40,
    # ---- catalog [C, CT] ----
    ("GET", "/v3/catalog/categories"): 40,
    ("GET", "/v3/catalog/categories/{id}"): 40,
    ("PUT", "/v3/catalog/categories/{id}"): 40,
    ("DELETE", "/v3/catalog/categories/{id}"): 40,
    ("GET", "/v3/catalog/trees/{tree_id}/categories"): 1,
    # PUT /v3/catalog/products/channel-assignments: "Avoid parallel assignment
    # requests if possible" – advice without a number, so no row.
    # ---- customers v3 [CU3] ----
    ("PUT", "/v3/customers"): 3,
    ("POST", "/v3/customers/addresses"): 10,
    ("PUT", "/v3/customers/addresses"): 3,
    ("POST", "/v3/customers/attributes"): 3,
    ("PUT", "/v3/customers/attributes"): 3,
    ("PUT", "/v3/customers/form-field-values"): 10,
}


class Slot:
    """One admitted request; ``release()`` frees its place (idempotent)."""

    def __init__(self, limiter: ConcurrencyLimiter | None, key: tuple[str, str]) -> None:
        self._limiter, self._key = limiter, key

    def release(self) -> None:
        if self._limiter is not None:
            self._limiter._leave(self._key)
            self._limiter = None


class ConcurrencyLimiter:
    def __init__(self, limits: Mapping[tuple[str, str], int] = LIMITS) -> None:
        self.limits = dict(limits)
        self._lock = threading.Lock()
        self._in_flight: Counter[tuple[str, str]] = Counter()

    def enter(self, method: str, pattern: str) -> Slot | None:
        """A slot for the request, or None when the route's limit is reached. Routes
        without a row are unlimited (they still get a Slot, which releases nothing)."""
        key = (method, pattern)
        limit = self.limits.get(key)
        if limit is None:
            return Slot(None, key)
        with self._lock:
            if self._in_flight[key] >= limit:
                return None
            self._in_flight[key] += 1
        return Slot(self, key)

    def _leave(self, key: tuple[str, str]) -> None:
        with self._lock:
            self._in_flight[key] -= 1
            if self._in_flight[key] <= 0:
                del self._in_flight[key]
