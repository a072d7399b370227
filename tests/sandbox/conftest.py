"""Helpers for the sandbox tests: a thin HTTP client bound to the ``sandbox`` fixture."""

from __future__ import annotations

from typing import Any

import pytest
import requests


class Api:
    """``api.get("/v3/catalog/products", params=...)`` -> requests.Response, with the token."""

    def __init__(self, server: Any) -> None:
        self.server = server
        self.session = requests.Session()
        self.session.headers["X-Auth-Token"] = server.token

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self.session.request(method, self.server.api_base + path, timeout=10, **kwargs)

    def get(self, path: str, **kw: Any) -> requests.Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> requests.Response:
        return self.request("POST", path, **kw)

    def put(self, path: str, **kw: Any) -> requests.Response:
        return self.request("PUT", path, **kw)

    def delete(self, path: str, **kw: Any) -> requests.Response:
        return self.request("DELETE", path, **kw)

    def product(self, n: int = 1, **fields: Any) -> dict:
        body = {"name": f"Cable Tie {n}", "type": "physical", "price": 12.5, "weight": 0.2,
                "sku": f"CT-{n:03d}", **fields}
        r = self.post("/v3/catalog/products", json=body)
        assert r.status_code == 200, r.text
        return r.json()["data"]


@pytest.fixture
def api(sandbox: Any) -> Api:
    client = Api(sandbox)
    yield client
    client.session.close()
