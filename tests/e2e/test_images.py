"""Product images (resources/image.py) over real HTTP to the sandbox: create, update and
removal converge (plan -> apply -> plan "No changes") on an existing product and inside a
new product's POST; a store given images through plain HTTP imports clean; an admin's
edit is drift that apply restores; rollback restores them; the thumbnail rules that could
never converge are diagnostics at the YAML."""

from __future__ import annotations

import json

import pytest
import requests
import yaml

from reconciler import apply_saved_plan, build_plan, load_desired, read_live
from reconciler.core.errors import DesiredStateError
from reconciler.importer import import_catalog, read_store_settings

STORE = {"store": {"name": "GTSE test", "channels": {"uk-main": 1}}}
A, B, C = ("https://cdn.gtse.co.uk/p/ct-blk100.jpg", "https://cdn.gtse.co.uk/p/ct-blk100-side.jpg",
           "https://cdn.gtse.co.uk/p/ct-blk100-pack.jpg")


def product(sku: str = "CT-BLK100", images=None) -> dict:
    out = {"sku": sku, "name": f"Cable Ties {sku}", "type": "physical", "price": 3.49, "weight": 0.1,
           "channels": ["uk-main"]}
    if images is not None:
        out["images"] = images
    return out


def write(tmp_path, products: list[dict]):
    folder = tmp_path / "catalog"
    folder.mkdir(exist_ok=True)
    (folder / "store.yaml").write_text(yaml.safe_dump(STORE, sort_keys=False))
    (folder / "products.yaml").write_text(yaml.safe_dump({"products": products}, sort_keys=False))
    return folder


def plan_for(client, folder):
    desired = load_desired(folder)
    return build_plan(desired, read_live(client, desired.store)), desired


def changes(plan):
    return sorted((c.action.verb, c.kind, c.key, tuple(sorted(f.path for f in c.changes))) for c in plan.changes)


def converge(client, folder):
    plan, desired = plan_for(client, folder)
    result = apply_saved_plan(plan, client, desired.store)
    assert not result.failed, [(o.change.address, o.message) for o in result.failed]
    again, _ = plan_for(client, folder)
    assert not again.has_changes, changes(again)
    return plan


def images_of(sandbox, sku: str) -> list[dict]:
    api, headers = sandbox.api_base, {"X-Auth-Token": sandbox.token}
    pid = requests.get(f"{api}/v3/catalog/products", params={"sku": sku}, headers=headers).json()["data"][0]["id"]
    rows = requests.get(f"{api}/v3/catalog/products/{pid}/images", headers=headers).json()["data"]
    return sorted(({k: r[k] for k in ("image_url", "description", "is_thumbnail", "sort_order")} for r in rows),
                  key=lambda r: r["image_url"])


def test_create_update_and_remove_on_an_existing_product(sandbox, client, tmp_path):
    folder = write(tmp_path, [product()])
    converge(client, folder)
    folder = write(tmp_path, [product(images=[{"image_url": A, "description": "Black ties", "is_thumbnail": False},
                                              {"image_url": B, "sort_order": 1, "is_thumbnail": False}])])
    plan = converge(client, folder)
    assert {(c.action.verb, c.key) for c in plan.changes} == {("create", f"CT-BLK100/{A}"),
                                                              ("create", f"CT-BLK100/{B}")}
    assert [i["is_thumbnail"] for i in images_of(sandbox, "CT-BLK100")] == [False, False]

    edited = [{"image_url": A, "description": "Black cable ties", "is_thumbnail": False},
              {"image_url": B, "sort_order": 2, "is_thumbnail": True}]
    folder = write(tmp_path, [product(images=edited)])
    plan = converge(client, folder)
    assert set(changes(plan)) == {("update", "image", f"CT-BLK100/{A}", ("description",)),
                                  ("update", "image", f"CT-BLK100/{B}", ("is_thumbnail", "sort_order"))}

    folder = write(tmp_path, [product(images=[{"image_url": C, "is_thumbnail": True}])])
    plan = converge(client, folder)
    assert {(c.action.verb, c.key) for c in plan.changes} == {
        ("delete", f"CT-BLK100/{A}"), ("delete", f"CT-BLK100/{B}"), ("create", f"CT-BLK100/{C}")}
    folder = write(tmp_path, [product(images=[])])
    converge(client, folder)
    assert images_of(sandbox, "CT-BLK100") == []


def test_a_new_products_images_ride_in_its_post(sandbox, client, tmp_path):
    folder = write(tmp_path, [product("CT-NEW1", images=[{"image_url": A, "description": "Front"},
                                                         {"image_url": B, "is_thumbnail": True, "sort_order": 1}])])
    start = len(sandbox.requests())
    plan = converge(client, folder)
    assert {(c.kind, c.reason) for c in plan.changes if c.kind == "image"} == {("image", "with_new_product")}
    writes = [r for r in sandbox.requests()[start:] if r["method"] in ("POST", "PUT") and "/images" in r["path"]]
    assert writes == []     # no request of their own: the product's POST carried them
    assert images_of(sandbox, "CT-NEW1") == [
        {"image_url": B, "description": "", "is_thumbnail": True, "sort_order": 1},
        {"image_url": A, "description": "Front", "is_thumbnail": False, "sort_order": 0}]


def test_a_store_holding_images_imports_to_no_changes(sandbox, client, tmp_path):
    api, headers = sandbox.api_base, {"X-Auth-Token": sandbox.token}
    made = requests.post(f"{api}/v3/catalog/products", headers=headers, json={
        "sku": "IMG-1", "name": "Imaged", "type": "physical", "price": 2, "weight": 1}).json()["data"]
    for url, extra in ((A, {"description": "Front"}), (B, {"sort_order": 3}), (C, {"is_thumbnail": True})):
        assert requests.post(f"{api}/v3/catalog/products/{made['id']}/images", headers=headers,
                             json={"image_url": url, **extra}).ok
    settings = read_store_settings(client)
    import_catalog(read_live(client, settings), settings, tmp_path / "catalog")
    text = "".join(p.read_text() for p in (tmp_path / "catalog").rglob("*.yaml"))
    assert A in text and "is_thumbnail: true" in text
    plan, _ = plan_for(client, tmp_path / "catalog")
    assert not plan.has_changes, changes(plan)


def test_an_admin_edit_is_drift_and_apply_restores_it(sandbox, client, tmp_path):
    folder = write(tmp_path, [product(images=[{"image_url": A, "description": "Front"}, {"image_url": B}])])
    converge(client, folder)
    api, headers = sandbox.api_base, {"X-Auth-Token": sandbox.token}
    found = requests.get(f"{api}/v3/catalog/products", params={"sku": "CT-BLK100"}, headers=headers).json()
    pid = found["data"][0]["id"]
    rows = requests.get(f"{api}/v3/catalog/products/{pid}/images", headers=headers).json()["data"]
    front = next(r for r in rows if r["image_url"] == A)
    assert requests.put(f"{api}/v3/catalog/products/{pid}/images/{front['id']}", headers=headers,
                        json={"description": "edited in the admin"}).ok
    other = next(r for r in rows if r["image_url"] == B)
    assert requests.delete(f"{api}/v3/catalog/products/{pid}/images/{other['id']}", headers=headers).ok
    plan = converge(client, folder)
    assert set(changes(plan)) == {("create", "image", f"CT-BLK100/{B}", ("image_url",)),
                                  ("update", "image", f"CT-BLK100/{A}", ("description",))}
    assert {i["image_url"]: i["description"] for i in images_of(sandbox, "CT-BLK100")} == {A: "Front", B: ""}


def test_rollback_restores_the_images(sandbox, client, run_cli, tmp_path):
    first = [{"image_url": A, "description": "Front", "is_thumbnail": True}, {"image_url": B, "sort_order": 1}]
    folder = write(tmp_path, [product(images=first)])
    converge(client, folder)
    before = images_of(sandbox, "CT-BLK100")
    folder = write(tmp_path, [product(images=[{"image_url": A, "description": "Changed"},
                                              {"image_url": C, "is_thumbnail": True}])])
    journals = tmp_path / "journal"
    assert run_cli("apply", "--catalog", folder, "--auto-approve", "--journal-dir", journals).exit_code == 0
    assert images_of(sandbox, "CT-BLK100") != before
    [journal] = journals.glob("apply-*.jsonl")
    out = tmp_path / "rollback.json"
    planned = run_cli("rollback", journal, "--out", out, "--catalog", folder)
    assert planned.exit_code == 0, planned.output
    assert {c["kind"] for c in json.loads(out.read_text())["resource_changes"]} == {"image"}
    undone = run_cli("apply", out, "--catalog", folder, "--journal-dir", journals)
    assert undone.exit_code == 0, undone.output
    assert images_of(sandbox, "CT-BLK100") == before


@pytest.mark.parametrize("images, message", [
    ([{"image_url": A, "is_thumbnail": False}],
     "products.yaml:11:19: product 'CT-BLK100': images.0: a product's only image is always its thumbnail"),
    ([{"image_url": A, "is_thumbnail": True}, {"image_url": B, "is_thumbnail": True}],
     "products.yaml:13:19: product 'CT-BLK100': images.1: a product has one thumbnail"),
    ([{"image_url": A}, {"image_url": A}],
     "products.yaml:11:16: product 'CT-BLK100': images.1: image_url is also images.0's"),
], ids=["sole-image-not-thumbnail", "two-thumbnails", "same-url-twice"])
def test_thumbnail_rules_that_never_converge_are_diagnostics(tmp_path, images, message):
    folder = write(tmp_path, [product(images=images)])
    with pytest.raises(DesiredStateError) as caught:
        load_desired(folder)
    found = [str(d) for d in caught.value.diagnostics]
    assert any(message in d for d in found), found


def test_a_lost_image_create_is_found_by_its_url_not_sent_twice(sandbox, client, tmp_path):
    converge(client, write(tmp_path, [product()]))
    folder = write(tmp_path, [product(images=[{"image_url": A, "description": "Front"}, {"image_url": B}])])
    plan, desired = plan_for(client, folder)
    client.transport.backoff_s = 0.01
    route = "/v3/catalog/products/{id}/images"
    sandbox.faults(queue=[{"fault": "drop_after", "count": 1, "method": "POST", "route": route}])
    result = apply_saved_plan(plan, client, desired.store)
    assert sandbox.faults()["injected"] == {"drop_after": 1}
    sandbox.clear_faults()
    assert not result.failed, [(o.change.address, o.message) for o in result.failed]
    posts = [r for r in sandbox.requests() if r["method"] == "POST" and r["route"] == route]
    assert len(posts) == 2            # the lost one looked up by its whole URL, never sent again
    assert [i["image_url"] for i in images_of(sandbox, "CT-BLK100")] == sorted([A, B])
    again, _ = plan_for(client, folder)
    assert not again.has_changes, changes(again)
