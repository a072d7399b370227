"""A product's ``custom_url`` (FACTS §5.3, P ``customUrl_Full``): ``{url, is_customized}``
on every product, generated from the name when not given, accepted on POST and PUT
(``create_redirect`` too), unique across products (409 naming ``custom_url``)."""

from __future__ import annotations

import pytest

PRODUCTS = "/v3/catalog/products"
BODY = {"type": "physical", "price": 1.5, "weight": 0.1}


def create(api, name, **fields):
    return api.post(PRODUCTS, json={"name": name, **BODY, **fields})


def test_generated_from_the_name_when_not_given(api):
    r = create(api, "Black Cable Ties 100mm")
    assert r.status_code == 200, r.text
    assert r.json()["data"]["custom_url"] == {"url": "/black-cable-ties-100mm/", "is_customized": False}
    # a generated URL that is taken gets a number; the name itself differs (names are unique)
    r = create(api, "Black Cable-Ties 100mm!")
    assert r.json()["data"]["custom_url"] == {"url": "/black-cable-ties-100mm-2/", "is_customized": False}


def test_answered_on_every_read(api):
    pid = create(api, "Tie", sku="T-1").json()["data"]["id"]
    expected = {"url": "/tie/", "is_customized": False}
    assert api.get(f"{PRODUCTS}/{pid}").json()["data"]["custom_url"] == expected
    assert api.get(PRODUCTS).json()["data"][0]["custom_url"] == expected
    r = api.put(PRODUCTS, json=[{"id": pid, "price": 2}])
    assert r.json()["data"][0]["custom_url"] == expected


def test_given_on_post_and_put_with_create_redirect(api):
    r = create(api, "Tie", custom_url={"url": "/ties/black/", "is_customized": True})
    assert r.status_code == 200, r.text
    product = r.json()["data"]
    assert product["custom_url"] == {"url": "/ties/black/", "is_customized": True}
    r = api.put(f"{PRODUCTS}/{product['id']}",
                json={"custom_url": {"url": "/ties/jet-black/", "is_customized": True, "create_redirect": True}})
    assert r.status_code == 200, r.text
    assert r.json()["data"]["custom_url"] == {"url": "/ties/jet-black/", "is_customized": True}   # not echoed
    r = api.put(PRODUCTS, json=[{"id": product["id"], "custom_url": {"url": "/t/", "is_customized": True}}])
    assert r.status_code == 200 and r.json()["data"][0]["custom_url"]["url"] == "/t/"
    assert api.get(f"{PRODUCTS}/{product['id']}").json()["data"]["custom_url"] == {"url": "/t/", "is_customized": True}


def test_the_old_url_is_free_after_a_change(api):
    a = create(api, "A", custom_url={"url": "/a/", "is_customized": True}).json()["data"]
    api.put(f"{PRODUCTS}/{a['id']}", json={"custom_url": {"url": "/a-new/", "is_customized": True}})
    assert create(api, "B", custom_url={"url": "/a/", "is_customized": True}).status_code == 200


def test_unique_across_products_409_naming_custom_url(api):
    a = create(api, "A", custom_url={"url": "/ties/", "is_customized": True}).json()["data"]
    b = create(api, "B").json()["data"]
    for r in (create(api, "C", custom_url={"url": "/TIES/", "is_customized": True}),    # case-insensitive
              api.put(f"{PRODUCTS}/{b['id']}", json={"custom_url": {"url": "/ties/", "is_customized": True}}),
              api.put(PRODUCTS, json=[{"id": b["id"], "custom_url": {"url": "/ties/", "is_customized": True}}]),
              api.put(PRODUCTS, json=[{"id": a["id"], "custom_url": {"url": "/x/", "is_customized": True}},
                                      {"id": b["id"], "custom_url": {"url": "/x/", "is_customized": True}}])):
        assert r.status_code == 409, r.text
        assert "custom_url" in r.json()["errors"]
    assert [p["custom_url"]["url"] for p in api.get(PRODUCTS).json()["data"]] == ["/ties/", "/b/"]
    # writing a product's own URL again is no clash
    assert api.put(f"{PRODUCTS}/{a['id']}", json={"custom_url": {"url": "/Ties/", "is_customized": True}}).status_code == 200


@pytest.mark.parametrize("custom_url, field", [
    ({"url": "/x/"}, "custom_url"),                                    # is_customized is required
    ({"is_customized": True}, "custom_url"),                           # url is required
    ({"url": "", "is_customized": True}, "custom_url"),
    ({"url": "/" + "x" * 255, "is_customized": True}, "custom_url"),   # 255 at most
    ({"url": "/x/", "is_customized": "yes"}, "custom_url"),
    ({"url": "/x/", "is_customized": True, "other": 1}, "custom_url"),
    ("/x/", "custom_url"),
])
def test_custom_url_validation(api, custom_url, field):
    r = create(api, "Tie", custom_url=custom_url)
    assert r.status_code == 422, r.text
    assert any(k.startswith(field) for k in r.json()["errors"]), r.json()["errors"]
    assert api.get(PRODUCTS).json()["data"] == []


def test_include_and_exclude_fields(api):
    pid = create(api, "Tie", sku="T-1").json()["data"]["id"]
    only = api.get(f"{PRODUCTS}/{pid}", params={"include_fields": "custom_url"}).json()["data"]
    assert only["custom_url"] == {"url": "/tie/", "is_customized": False} and "sku" not in only
    assert "custom_url" not in api.get(f"{PRODUCTS}/{pid}", params={"include_fields": "sku"}).json()["data"]
    assert "custom_url" not in api.get(PRODUCTS, params={"exclude_fields": "custom_url"}).json()["data"][0]


def test_in_the_dump_and_seed_back(api, sandbox):
    create(api, "A", sku="A", custom_url={"url": "/a-custom/", "is_customized": True})
    create(api, "B", sku="B")
    dump = sandbox.dump()
    assert [p["custom_url"] for p in dump["products"]] == [{"url": "/a-custom/", "is_customized": True},
                                                           {"url": "/b/", "is_customized": False}]
    sandbox.reset(data=dump)
    assert sandbox.dump() == dump
    [a] = api.get(PRODUCTS, params={"sku": "A"}).json()["data"]
    assert a["custom_url"] == {"url": "/a-custom/", "is_customized": True}
