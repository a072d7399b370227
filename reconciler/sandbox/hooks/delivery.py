"""Webhook callbacks: after a write, the sandbox sends the event to each active hook whose
scope matches, as the store does (d:ev payloads, FACTS §12).

A hook's destination is ``https://…:443`` (the store refuses anything else), and a test
must never reach a host but 127.0.0.1. So a callback is sent only where a test said to
send it: ``routes`` maps a destination to a local URL (``POST /__sandbox/hooks``
``{"deliver": {"https://drift.example.com/bc": "http://127.0.0.1:8123/bc"}}``). Hooks
whose destination has no route are counted as ``unrouted`` and sent nowhere. With no
routes at all (the default) nothing is computed.

Payload, as d:ev's examples::

    {"scope": "store/product/updated", "store_id": "1001197568",
     "data": {"type": "product", "id": 205}, "hash": "<sha1 of the JSON data>",
     "created_at": 1561479233, "producer": "stores/{store_hash}"}

SKU events carry ``data = {"type": "sku", "id": V, "sku": {"product_id": P, "variant_id": V}}``;
``store/priceList/records/*`` a list of ``{price_list_id, variant_id, currency}``.

Which write fires which scope (⚠ where d:ev is vague, our choice):

* products: POST/PUT/DELETE of ``/v3/catalog/products[/{id}]`` -> ``store/product/
  created|updated|deleted`` per product; a write to a product's options, custom fields,
  images or bulk pricing rules -> ``store/product/updated`` ⚠.
* variants: ``/v3/catalog/products/{id}/variants[/{variant_id}]`` and the batch
  ``PUT /v3/catalog/variants`` -> ``store/sku/created|updated|deleted``.
* price lists: ``/v3/pricelists[/{id}]`` -> ``store/priceList/created|updated|deleted``
  (a bulk DELETE: ``store/priceLists/deleted``); the batch record endpoints ->
  ``store/priceList/records/updated`` (⚠ an upsert is reported as updated) or
  ``…/records/deleted``; the one-record PUT/DELETE -> ``store/priceList/record/…``;
  assignments -> ``store/priceList/assignment/updated|deleted``.
* categories (trees): ``/v3/catalog/trees/categories`` -> ``store/category/…``.

Callbacks are sent in order by one thread, after the write's answer; each is one POST
with ``Content-Type: application/json`` and the hook's custom ``headers``. A 2xx counts
as delivered; anything else (or no answer in 5 s) as failed, not retried (the store
retries for hours, FACTS §12, which no test waits for).
"""

from __future__ import annotations

import hashlib
import json
import queue
import threading
import time
import urllib.error
import urllib.request
from typing import Any

KIND = "hook"              # the hooks service's storage kind (models.KIND)
STORE_ID = "1001197568"   # d:ev's example store_id
WRITES = ("POST", "PUT", "DELETE")
VERBS = {"POST": "created", "PUT": "updated", "DELETE": "deleted"}
_PRODUCTS = "/v3/catalog/products"


def _items(body: Any) -> list[dict]:
    data = body.get("data") if isinstance(body, dict) else body
    if isinstance(data, dict):
        return [data]
    return [d for d in data if isinstance(d, dict)] if isinstance(data, list) else []


def _ids_in_query(args: dict) -> list[int]:
    raw = args.get("id:in") or args.get("category_uuid:in") or ""
    return [int(x) for x in str(raw).split(",") if x.strip().isdigit()]


def events(method: str, pattern: str, path_args: dict, query: dict, sent: Any, answer: Any) -> list[tuple[str, Any]]:
    """(scope, data) for one successful write. ``sent`` and ``answer`` are the parsed
    request and response bodies (None when there is none)."""
    verb = VERBS[method]
    pid = path_args.get("id")
    out: list[tuple[str, Any]] = []
    if pattern.startswith(f"{_PRODUCTS}/{{id}}/variants") or pattern == "/v3/catalog/variants":
        found = _items(answer) or ([{"id": path_args.get("variant_id"), "product_id": pid}]
                                   if path_args.get("variant_id") else [])
        for v in found:
            vid, owner = v.get("id", path_args.get("variant_id")), v.get("product_id", pid)
            out.append((f"store/sku/{verb}", {"type": "sku", "id": vid,
                                              "sku": {"product_id": owner, "variant_id": vid}}))
    elif pattern.startswith(f"{_PRODUCTS}/{{id}}/"):
        out.append(("store/product/updated", {"type": "product", "id": pid}))
    elif pattern == f"{_PRODUCTS}/{{id}}":
        out.append((f"store/product/{verb}", {"type": "product", "id": pid}))
    elif pattern == _PRODUCTS:
        ids = _ids_in_query(query) if method == "DELETE" else [p.get("id") for p in _items(answer)]
        out += [(f"store/product/{verb}", {"type": "product", "id": i}) for i in ids]
    elif pattern == "/v3/catalog/trees/categories":
        ids = _ids_in_query(query) if method == "DELETE" else \
            [c.get("category_id", c.get("id")) for c in _items(answer)]
        out += [(f"store/category/{verb}", {"type": "category", "id": i}) for i in ids]
    elif pattern == "/v3/pricelists":
        if method == "DELETE":
            out.append(("store/priceLists/deleted", {"type": "priceList"}))
        else:
            out += [(f"store/priceList/{verb}", {"id": p.get("id")}) for p in _items(answer)]
    elif pattern == "/v3/pricelists/{id}":
        out.append((f"store/priceList/{verb}", {"id": pid}))
    elif pattern in ("/v3/pricelists/{id}/records", "/v3/pricelists/records"):
        rows = [r for r in (sent if isinstance(sent, list) else []) if isinstance(r, dict)]
        data = [{"price_list_id": r.get("price_list_id", pid), "variant_id": r.get("variant_id"),
                 "currency": r.get("currency")} for r in rows] or [{"price_list_id": pid}]
        out.append((f"store/priceList/records/{'deleted' if method == 'DELETE' else 'updated'}", data))
    elif pattern == "/v3/pricelists/{id}/records/{variant_id}/{currency_code}":
        out.append((f"store/priceList/record/{verb}", {
            "price_list_id": pid, "variant_id": path_args.get("variant_id"),
            "currency": path_args.get("currency_code")}))
    elif pattern in ("/v3/pricelists/assignments", "/v3/pricelists/{id}/assignments"):
        out.append((f"store/priceList/assignment/{'deleted' if method == 'DELETE' else 'updated'}",
                    {"price_list_id": pid}))
    return out


def matches(hook_scope: str, scope: str) -> bool:
    if hook_scope.endswith("/*"):
        return scope.startswith(hook_scope[:-1])
    return hook_scope == scope


def payload(scope: str, data: Any, store_hash: str) -> dict:
    text = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return {"scope": scope, "store_id": STORE_ID, "data": data,
            "hash": hashlib.sha1(text.encode()).hexdigest(), "created_at": int(time.time()),
            "producer": f"stores/{store_hash}"}


class Outbox:
    """Callbacks waiting to be sent, and what became of those sent (``Hooks.OUTBOX``)."""

    WRITES = WRITES
    KIND = KIND
    events = staticmethod(events)

    def __init__(self) -> None:
        self.routes: dict[str, str] = {}
        self._lock = threading.Lock()
        self._queue: queue.Queue = queue.Queue()
        self._log: list[dict] = []
        self._worker: threading.Thread | None = None

    @property
    def active(self) -> bool:
        return bool(self.routes)

    def configure(self, deliver: dict[str, str]) -> None:
        for local in deliver.values():
            if not str(local).startswith(("http://127.0.0.1:", "http://localhost:")):
                raise ValueError(f"a delivery route must be a local http URL, not {local!r}")
        with self._lock:
            self.routes = dict(deliver)

    def clear(self) -> None:
        with self._lock:
            self.routes, self._log = {}, []

    def log(self) -> list[dict]:
        with self._lock:
            return [dict(e) for e in self._log]

    def emit(self, found: list[tuple[str, Any]], hooks: list[dict], store_hash: str) -> None:
        for scope, data in found:
            body = payload(scope, data, store_hash)
            for hook in hooks:
                if not hook.get("is_active") or not matches(hook["scope"], scope):
                    continue
                entry = {"scope": scope, "destination": hook["destination"], "status": None}
                local = self.routes.get(hook["destination"])
                with self._lock:
                    self._log.append(entry)
                if local is None:
                    entry["status"] = "unrouted"
                    continue
                self._queue.put((local, dict(hook.get("headers") or {}), body, entry))
        self._start()

    def _start(self) -> None:
        with self._lock:
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._run, name="sandbox-webhooks", daemon=True)
                self._worker.start()

    def _run(self) -> None:
        while True:
            local, headers, body, entry = self._queue.get()
            request = urllib.request.Request(local, data=json.dumps(body).encode(), method="POST",
                                             headers={**headers, "Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(request, timeout=5) as answer:
                    status: Any = answer.status
            except urllib.error.HTTPError as exc:
                status = exc.code
            except OSError:
                status = "unreachable"
            with self._lock:
                entry["status"] = status
