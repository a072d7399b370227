"""Options read from the store's own options (issue 11, findings 1 and 9): admin
edits made with plain HTTP calls, as an admin would, then plan -> apply -> "No changes"."""

from __future__ import annotations

import requests

from reconciler import build_plan, load_desired, read_live
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


def test_adding_or_removing_an_option_value_in_yaml_is_a_yaml_change_not_drift(base, run_cli, client, tmp_path):
    base[0]["options"]["Width"].append("10mm")   # the store lists labels in its own order ("10mm" < "2.5mm")
    base[0]["variants"].append({"sku": "CT-BLK100-10", "options": {"Width": "10mm"}, "price": 3.95})
    folder = write(tmp_path, base)
    assert run_cli("apply", "--catalog", folder, "--auto-approve").exit_code == 0
    base[0]["options"]["Width"].insert(2, "4.8mm")                   # a PR adds a value ...
    base[0]["variants"].append({"sku": "CT-BLK100-4.8", "options": {"Width": "4.8mm"}, "price": 2.95})
    base[1]["options"]["Width"].remove("4.8mm")                      # ... and removes one
    base[1]["variants"].pop()
    write(tmp_path, base)
    state = last_applied.load(tmp_path / "cwd" / last_applied.DEFAULT_PATH)
    assert state is not None
    desired = load_desired(folder)
    plan = build_plan(desired, read_live(client, desired.store), last_applied=state)
    assert {c.key: c.origin for c in plan.changes if c.kind == "option"} == \
        {"CT-BLK100/Width": "yaml", "CT-NAT200/Width": "yaml"}
    found = run_cli("drift", "--catalog", folder)
    assert found.exit_code == 0, found.output


def test_an_extra_value_an_admin_adds_is_never_re_added_when_the_yaml_lists_it(base, sandbox, client, tmp_path):
    admin = Admin(sandbox)
    pid, width = admin.option("CT-BLK100", "Width")
    admin.call("POST", f"/v3/catalog/products/{pid}/options/{width['id']}/values", {"label": "6.0mm", "sort_order": 9})
    folder = write(tmp_path, base)
    plan, _ = plan_for(client, folder)
    assert changes(plan) == []      # unused and unlisted: not read (no request per product), harmless
    base[0]["options"]["Width"].append("6.0mm")
    base[0]["variants"].append({"sku": "CT-BLK100-6.0", "options": {"Width": "6.0mm"}, "price": 3.10})
    write(tmp_path, base)
    plan, desired = plan_for(client, folder)
    assert changes(plan) == [("create", "variant", "CT-BLK100-6.0", ("options", "price", "sku"))]
    converge(client, folder, plan, desired)


def test_an_option_value_an_admin_renames_is_renamed_back(base, sandbox, client, tmp_path):
    admin = Admin(sandbox)
    pid, width = admin.option("CT-BLK100", "Width")
    vid = next(v["id"] for v in width["option_values"] if v["label"] == "3.6mm")
    admin.call("PUT", f"/v3/catalog/products/{pid}/options/{width['id']}/values/{vid}", {"label": "3.5mm", "sort_order": 1})
    folder = write(tmp_path, base)
    plan, desired = plan_for(client, folder)
    assert [c[:3] for c in changes(plan)] == [
        ("create", "variant", "CT-BLK100-3.6"),     # its options changed: replaced
        ("delete", "variant", "CT-BLK100-3.6"),
        ("update", "option", "CT-BLK100/Width"),
    ]
    converge(client, folder, plan, desired)
    _, width = admin.option("CT-BLK100", "Width")
    assert sorted(v["label"] for v in width["option_values"]) == ["2.5mm", "3.6mm"]


def test_an_option_an_admin_deletes_with_its_variants_is_created_again(base, sandbox, client, tmp_path):
    admin = Admin(sandbox)
    for sku in ("CT-NAT200-3.6", "CT-NAT200-4.8"):
        admin.delete_variant(sku)
    pid, width = admin.option("CT-NAT200", "Width")
    admin.call("DELETE", f"/v3/catalog/products/{pid}/options/{width['id']}")
    folder = write(tmp_path, base)
    plan, desired = plan_for(client, folder)
    assert [c[:3] for c in changes(plan)] == [
        ("create", "option", "CT-NAT200/Width"),
        ("create", "variant", "CT-NAT200-3.6"),
        ("create", "variant", "CT-NAT200-4.8"),
    ]
    converge(client, folder, plan, desired)


def test_an_option_an_admin_renames_is_replaced_with_its_variants(base, sandbox, client, tmp_path):
    admin = Admin(sandbox)
    pid, width = admin.option("CT-BLK100", "Width")
    admin.call("PUT", f"/v3/catalog/products/{pid}/options/{width['id']}", {"display_name": "Size"})
    folder = write(tmp_path, base)
    plan, desired = plan_for(client, folder)
    assert [c[:3] for c in changes(plan)] == [
        ("create", "option", "CT-BLK100/Width"),
        ("create", "variant", "CT-BLK100-2.5"),
        ("create", "variant", "CT-BLK100-3.6"),
        ("delete", "option", "CT-BLK100/Size"),
        ("delete", "variant", "CT-BLK100-2.5"),
        ("delete", "variant", "CT-BLK100-3.6"),
    ]
    converge(client, folder, plan, desired)
