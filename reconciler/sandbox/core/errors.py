"""BigCommerce-shaped errors raised by the sandbox's state and request parsing.

``SandboxError(status, title, errors)`` is the one exception the routes turn into an
HTTP answer (moto's ``JsonRESTError``; stripe-mock's ``createStripeError``). Its body
follows FACTS §2.1:

    >>> SandboxError(422, "Missing Required Fields", {"name": "Please provide a name."}).body()
    {'status': 422, 'title': 'Missing Required Fields', 'type': '/api-docs/getting-started/api-status-codes', 'errors': {'name': 'Please provide a name.'}}

Two endpoint families use other shapes, chosen by ``style``:

* ``"tree"`` – the category-trees spec (CT) nests the error and adds batch counts:
  ``{"errors": {status, title, type, errors}, "meta": {total, success, failed}}``.
* ``"v2"`` – customer groups (CU2 ``ErrorRequest``): ``{"errors": [{status, title,
  type}, ...]}``. ⚠ FACTS §2.2: other v2 specs use a bare array of ``{status,
  message}``; for ``/v2/customer_groups`` the customers v2 spec decides. ``ErrorBasic``
  has no field map, so the first entry carries the title and each field problem
  follows as an entry of its own, titled "field: message".
* 401 on catalog routes is plain text (CT/P/B declare ``plain/text``, a string body).

``BatchError(items)`` is V updateVariantsBatch's 422: ``{"batch_errors": [{status,
title, type, instance, errors}, ...]}``, one entry per refused item.
"""

from __future__ import annotations

from typing import Any

ERROR_TYPE = "/api-docs/getting-started/api-status-codes"

# The body for an unknown route, word for word from the brief.
ROUTE_NOT_FOUND = {
    "status": 404,
    "title": "The route is not found, check the URL",
    "type": ERROR_TYPE,
}


class SandboxError(Exception):
    """An error answer. ``errors`` maps field (or batch index) to message.

    ``errors=None`` leaves the key out (404/405 bodies have none); ``instance`` and
    ``detail`` are added when given (404 ``instance``; 405 ``detail`` is required there).
    ``meta`` carries the tree-style batch counts.
    """

    def __init__(
        self,
        status: int,
        title: str,
        errors: dict[str, Any] | None = None,
        *,
        instance: str | None = None,
        detail: str | None = None,
        meta: dict[str, int] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {title}")
        self.status = status
        self.title = title
        self.errors = errors
        self.instance = instance
        self.detail = detail
        self.meta = meta
        self.headers = headers or {}

    def body(self, style: str = "default") -> dict[str, Any]:
        inner: dict[str, Any] = {"status": self.status, "title": self.title, "type": ERROR_TYPE}
        if self.instance is not None:
            inner["instance"] = self.instance
        if self.detail is not None:
            inner["detail"] = self.detail
        if self.errors is not None:
            inner["errors"] = self.errors
        if style == "v2":
            entries = [{"status": self.status, "title": self.title, "type": ERROR_TYPE}]
            entries += [{"status": self.status, "title": f"{field}: {message}", "type": ERROR_TYPE}
                        for field, message in (self.errors or {}).items()]
            return {"errors": entries}
        if style == "tree" and self.status == 422:
            # CT declares every 422 as {errors: {...}, meta: {total, success, failed}}.
            inner.setdefault("errors", {})
            return {"errors": inner, "meta": self.meta or {"total": 0, "success": 0, "failed": 0}}
        return inner


class BatchError(SandboxError):
    """422 for a batch whose items failed validation; ``items`` are SandboxErrors whose
    ``instance`` names the item (see ``catalog/variants.py``)."""

    def __init__(self, items: list[SandboxError]) -> None:
        super().__init__(422, "Batch validation failed")
        self.items = items

    def body(self, style: str = "default") -> dict[str, Any]:
        return {"batch_errors": [e.body() for e in self.items]}


def not_found(kind: str, key: Any, instance: str | None = None) -> SandboxError:
    """404 for an object, titled like WH's example "Webhook with id [{id}] not found"."""
    return SandboxError(404, f"{kind} with id [{key}] not found", instance=instance or str(key))


def unprocessable(title: str, errors: dict[str, Any] | None = None) -> SandboxError:
    return SandboxError(422, title, errors if errors is not None else {})


def conflict(title: str, errors: dict[str, Any]) -> SandboxError:
    return SandboxError(409, title, errors)


def invalid_body(errors: dict[str, Any] | None = None) -> SandboxError:
    """The title WH's 422 example uses for a body that is not what the endpoint expects."""
    return SandboxError(422, "JSON data is missing or invalid", errors or {})
