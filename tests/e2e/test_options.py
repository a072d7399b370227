"""Options read from the store's own options (issue 11, findings 1 and 9): admin
edits made with plain HTTP calls, as an admin would, then plan -> apply -> "No changes"."""

from __future__ import annotations

import requests

from reconciler.apply import last_applied

from .test_variants import base, changes, converge, plan_for, write  # noqa: F401  (fixture)


class Admin:
    """Someone editing the store by hand, over the API."""

    def __init__(self, sandbox):
        self.base, self.headers = sandbox.api_base, {"X-Auth-Token": sandbox.token}

    def call(self, method: str, path: str, body=None):
        r = requests.request(method, self.base + path, json=body, headers=self.headers, timeout=10)
        assert r.status_code < 300, (method, path, r.status_code, r.text)
        return r.json().get("data") if r.content else None

    def product(self, sku: str) -> dict:
        return self.call("GET", f"/v3/catalog/products?sku={sku}&include=variants")[0]

    def option(self, sku: str, name: str) -> tuple[int, dict]:
        pid = self.product(sku)["id"]
        return pid, next(o for o in self.call("GET", f"/v3/catalog/products/{pid}/options")
                         if o["display_name"] == name)

    def delete_variant(self, sku: str) -> None:
        p = self.product(sku.rsplit("-", 1)[0])
        vid = next(v["id"] for v in p["variants"] if v["sku"] == sku)
        self.call("DELETE", f"/v3/catalog/products/{p['id']}/variants/{vid}")


def test_an_admin_deleting_one_variant_leaves_its_value_and_the_plan_recreates_only_the_variant(
        base, sandbox, client, tmp_path):
    admin = Admin(sandbox)
    admin.delete_variant("CT-BLK100-3.6")
    pid, width = admin.option("CT-BLK100", "Width")
    assert sorted(v["label"] for v in width["option_values"]) == ["2.5mm", "3.6mm"]   # as in BigCommerce
    folder = write(tmp_path, base)
    plan, desired = plan_for(client, folder)
    assert changes(plan) == [("create", "variant", "CT-BLK100-3.6", ("options", "price", "sku"))]
    converge(client, folder, plan, desired)
