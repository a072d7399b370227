"""Product images (P ``/catalog/products/{product_id}/images``, product bodies' ``images``,
``include=images``): added by ``image_url``, never fetched, answered with P
``productImage_Full``'s fields; one thumbnail per product; in the dump."""

from __future__ import annotations

import pytest

PRODUCTS = "/v3/catalog/products"
URL = "https://example.test/img/cable-ties-black.jpg"
FIELDS = {"id", "product_id", "image_file", "url_zoom", "url_standard", "url_thumbnail", "url_tiny",
          "date_modified", "is_thumbnail", "sort_order", "description", "image_url"}


def images(pid):
    return f"{PRODUCTS}/{pid}/images"


def test_image_crud(api):
    p = api.product()
    base = images(p["id"])
    assert api.get(base).json()["data"] == []
    r = api.post(base, json={"image_url": URL, "description": "Black ties", "sort_order": 2})
    assert r.status_code == 200, r.text
    image = r.json()["data"]
    assert set(image) == FIELDS and r.json()["meta"] == {}
    assert image["image_url"] == URL and image["product_id"] == p["id"] and image["description"] == "Black ties"
    assert image["sort_order"] == 2 and image["is_thumbnail"] is True        # the only image is the thumbnail
    assert image["url_zoom"].startswith("https://") and image["url_zoom"].endswith(".1280.1280.jpg?c=2")
    assert image["image_file"].endswith(".jpg")
    assert api.get(f"{base}/{image['id']}").json() == {"data": image, "meta": {}}
    assert api.get(f"{base}/{image['id']}", params={"include_fields": "image_url"}).json()["data"] == {
        "id": image["id"], "image_url": URL}
    r = api.put(f"{base}/{image['id']}", json={"description": "Ties, black"})
    assert r.status_code == 200, r.text
    updated = r.json()["data"]
    assert updated["description"] == "Ties, black" and updated["url_zoom"] == image["url_zoom"]
    assert updated["date_modified"] > image["date_modified"]
    listed = api.get(base).json()
    assert listed["data"] == [updated] and listed["meta"]["pagination"]["total"] == 1
    assert api.delete(f"{base}/{image['id']}").status_code == 204
    assert api.get(f"{base}/{image['id']}").status_code == 404
    assert api.put(f"{base}/{image['id']}", json={"description": "x"}).status_code == 404
    assert api.get(f"{PRODUCTS}/999999/images").status_code == 404
    assert api.post(f"{PRODUCTS}/999999/images", json={"image_url": URL}).status_code == 404


def test_the_urls_are_derived_from_the_url_alone(api, sandbox):
    a, b = api.product(1), api.product(2)
    first = api.post(images(a["id"]), json={"image_url": URL}).json()["data"]
    again = api.post(images(b["id"]), json={"image_url": URL}).json()["data"]
    other = api.post(images(b["id"]), json={"image_url": URL.replace("black", "white")}).json()["data"]
    assert first["image_file"] == again["image_file"] != other["image_file"]
    assert first["url_tiny"].replace(f"/{a['id']}/images/{first['id']}/", "/") == \
        again["url_tiny"].replace(f"/{b['id']}/images/{again['id']}/", "/")
    assert not any("example.test" in str(e["path"]) for e in sandbox.requests())   # nothing fetched


@pytest.mark.parametrize("body, field", [
    ({}, "image_url"),
    ({"image_url": "cable-ties.jpg"}, "image_url"),                # not fully qualified
    ({"image_url": "ftp://example.test/a.jpg"}, "image_url"),
    ({"image_url": "https://example.test/" + "a" * 250 + ".jpg"}, "image_url"),  # over 255
    ({"image_url": URL, "is_thumbnail": "yes"}, "is_thumbnail"),
    ({"image_url": URL, "sort_order": 2 ** 31}, "sort_order"),
    ({"image_url": URL, "id": 5}, "id"),
    ({"image_url": URL, "date_modified": "2024-01-01T00:00:00+00:00"}, "date_modified"),
    ({"image_url": URL, "url_zoom": URL}, "url_zoom"),
    ({"image_url": URL, "product_id": 1}, "product_id"),          # another product
])
def test_image_validation(api, body, field):
    p = api.product()
    r = api.post(images(p["id"]), json=body)
    assert r.status_code == 422, r.text
    assert field in r.json()["errors"]
    assert api.get(images(p["id"])).json()["data"] == []


def test_a_file_upload_is_refused_with_422(api):
    p = api.product()
    r = api.post(images(p["id"]), files={"image_file": ("a.jpg", b"\xff\xd8\xff", "image/jpeg")})
    assert r.status_code == 422 and "image_file" in r.json()["errors"]
    r = api.post(images(p["id"]), data="image_url=x", headers={"Content-Type": "text/plain"})
    assert r.status_code == 415


def test_one_thumbnail_per_product(api):
    p = api.product()
    base = images(p["id"])
    first = api.post(base, json={"image_url": URL}).json()["data"]
    second = api.post(base, json={"image_url": URL + "?2", "is_thumbnail": False}).json()["data"]
    assert (first["is_thumbnail"], second["is_thumbnail"]) == (True, False)
    assert api.put(f"{base}/{second['id']}", json={"is_thumbnail": True}).json()["data"]["is_thumbnail"]
    assert [i["is_thumbnail"] for i in api.get(base).json()["data"]] == [False, True]
    api.delete(f"{base}/{second['id']}")
    assert [i["is_thumbnail"] for i in api.get(base).json()["data"]] == [True]   # the only one again


def test_images_in_product_bodies_and_include(api):
    body = {"name": "Tie", "type": "physical", "price": 5, "weight": 1, "sku": "T-1",
            "images": [{"image_url": URL, "is_thumbnail": True, "description": "front"},
                       {"image_url": URL + "?back", "sort_order": 1}]}
    r = api.post(PRODUCTS, json=body)
    assert r.status_code == 200, r.text
    pid = r.json()["data"]["id"]
    front, back = api.get(images(pid)).json()["data"]
    assert (front["is_thumbnail"], back["is_thumbnail"], back["sort_order"]) == (True, False, 1)
    shown = api.get(f"{PRODUCTS}/{pid}", params={"include": "images"}).json()["data"]
    assert shown["images"] == [front, back]
    listed = api.get(PRODUCTS, params={"include": "images", "id:in": pid}).json()["data"]
    assert listed[0]["images"] == [front, back]
    r = api.put(f"{PRODUCTS}/{pid}", json={"images": [{"id": back["id"], "description": "back"},
                                                       {"image_url": URL + "?side"}]})
    assert r.status_code == 200, r.text
    assert [i["description"] for i in api.get(images(pid)).json()["data"]] == ["front", "back", ""]
    r = api.put(f"{PRODUCTS}/{pid}", json={"images": [{"id": 999999, "description": "x"}]})
    assert r.status_code == 422
    r = api.put(f"{PRODUCTS}/{pid}", json={"images": [{"description": "no url"}]})
    assert r.status_code == 422 and "image_url" in r.json()["errors"]
    for bad in ([{"image_url": URL, "is_thumbnail": True}, {"image_url": URL, "is_thumbnail": True}],
                [{"image_url": URL, "url_zoom": URL}], [{"image_url": "nope"}], [{"id": 1, "image_url": URL}]):
        r = api.post(PRODUCTS, json={**body, "name": "Tie 2", "sku": "T-2", "images": bad})
        assert r.status_code == 422, (bad, r.text)
    assert api.get(PRODUCTS, params={"name": "Tie 2"}).json()["data"] == []
    assert api.delete(f"{PRODUCTS}/{pid}").status_code == 204
    assert api.get(images(pid)).status_code == 404


def test_a_product_takes_1000_images(api, sandbox):
    p = api.product()
    sandbox.seed({"products": [{"sku": "MANY", "name": "Many", "type": "physical", "price": 1, "weight": 1,
                                "images": [{"image_url": f"{URL}?{i}"} for i in range(1000)]}]})
    [many] = api.get(PRODUCTS, params={"sku": "MANY"}).json()["data"]
    r = api.post(images(many["id"]), json={"image_url": URL})
    assert r.status_code == 422 and "images" in r.json()["errors"]
    assert api.post(images(p["id"]), json={"image_url": URL}).status_code == 200


def test_images_are_in_the_dump_and_seed_back(api, sandbox):
    p = api.product(images=[{"image_url": URL, "description": "front"}, {"image_url": URL + "?b", "sort_order": 3}])
    plain = api.product(2)
    dump = sandbox.dump()
    by_sku = {item["sku"]: item for item in dump["products"]}
    assert by_sku[p["sku"]]["images"] == [
        {"image_url": URL, "description": "front", "is_thumbnail": False, "sort_order": 0},
        {"image_url": URL + "?b", "description": "", "is_thumbnail": False, "sort_order": 3}]
    assert "images" not in by_sku[plain["sku"]]
    sandbox.reset(data=dump)
    assert sandbox.dump() == dump


def test_include_images_from_kept_views_equals_a_fresh_render(api, sandbox):
    p = api.product(images=[{"image_url": URL}])
    base = images(p["id"])
    reads = [(PRODUCTS, {"include": "images"}), (f"{PRODUCTS}/{p['id']}", {"include": "images,bulk_pricing_rules"})]
    for write in (lambda: api.post(base, json={"image_url": URL + "?2", "is_thumbnail": True}),
                  lambda: api.put(f"{base}/{api.get(base).json()['data'][0]['id']}", json={"description": "d"}),
                  lambda: api.delete(f"{base}/{api.get(base).json()['data'][1]['id']}")):
        assert write().status_code in (200, 204)
        kept = [api.get(path, params=params).json() for path, params in reads]
        sandbox.state.forget_views()
        assert [api.get(path, params=params).json() for path, params in reads] == kept
