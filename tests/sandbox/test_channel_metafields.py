"""Channel metafields ``/v3/channels/{id}/metafields`` (CH): envelopes, the 409 for a
second (namespace, key) on one channel, validation, 404s, the filters the lock uses."""

from __future__ import annotations

import threading

import requests

MF = "/v3/channels/1/metafields"
LEASE = {"namespace": "catalog-reconciler", "key": "apply-lock", "value": '{"holder": "a"}',
         "permission_set": "app_only"}


def test_create_get_update_delete(api):
    r = api.post(MF, json=LEASE)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["meta"] == {}
    m = body["data"]
    assert {k: m[k] for k in LEASE} == LEASE
    assert m["resource_type"] == "channel" and m["resource_id"] == 1 and isinstance(m["id"], int)
    assert m["date_created"].endswith(".000Z") and m["owner_client_id"]
    assert api.get(f"{MF}/{m['id']}").json() == {"data": m, "meta": {}}
    listed = api.get(MF, params={"namespace": "catalog-reconciler", "key": "apply-lock"}).json()
    assert listed["data"] == [m] and listed["meta"]["pagination"]["total"] == 1
    assert api.get(MF, params={"key": "other"}).json()["data"] == []
    r = api.put(f"{MF}/{m['id']}", json={"value": '{"holder": "b"}'})
    assert r.status_code == 200 and r.json()["data"]["value"] == '{"holder": "b"}'
    assert r.json()["data"]["date_modified"] > m["date_modified"]
    assert api.delete(f"{MF}/{m['id']}").status_code == 204
    assert api.get(f"{MF}/{m['id']}").status_code == 404
    assert api.delete(f"{MF}/{m['id']}").status_code == 404


def test_a_second_namespace_key_on_one_channel_is_409(api):
    assert api.post(MF, json=LEASE).status_code == 200
    r = api.post(MF, json={**LEASE, "value": "other"})
    assert r.status_code == 409
    assert r.json()["status"] == 409 and "already exists" in r.json()["title"]
    assert api.post("/v3/channels/2/metafields", json=LEASE).status_code == 200   # another channel
    assert api.post(MF, json={**LEASE, "key": "other"}).status_code == 200


def test_of_many_posts_at_once_exactly_one_wins(sandbox):
    url = f"{sandbox.api_base}{MF}"
    statuses: list[int] = []

    def post():
        statuses.append(requests.post(url, json=LEASE, headers={"X-Auth-Token": sandbox.token},
                                      timeout=10).status_code)

    threads = [threading.Thread(target=post) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200] + [409] * 7


def test_validation_and_unknown_channel(api):
    r = api.post(MF, json={"namespace": "", "key": "k", "value": "v"})
    assert r.status_code == 422
    assert {"namespace", "permission_set"} <= set(r.json()["errors"])
    r = api.post(MF, json={**LEASE, "permission_set": "everyone", "resource_id": 3})
    assert r.status_code == 422 and {"permission_set", "resource_id"} <= set(r.json()["errors"])
    assert api.post("/v3/channels/99/metafields", json=LEASE).status_code == 404
    assert api.get("/v3/channels/99/metafields").status_code == 404
