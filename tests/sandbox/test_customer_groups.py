"""Customer groups over v2: bare JSON, v2 errors, discount rules (FACTS §1, §2.2, §3.4, §9)."""

from __future__ import annotations

import re

import requests

GROUPS = "/v2/customer_groups"
ERROR_TYPE = "/api-docs/getting-started/api-status-codes"
V2_DATE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")


def group(api, **body):
    r = api.post(GROUPS, json=body)
    assert r.status_code == 200, r.text
    return r.json()


def v2_error(r, status):
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"errors"} and isinstance(body["errors"], list) and body["errors"]
    assert all(set(e) == {"status", "title", "type"} and e["status"] == status and e["type"] == ERROR_TYPE
               for e in body["errors"])
    return [e["title"] for e in body["errors"]]


def test_bare_json_create_get_list_count(api):
    g = group(api, name="Trade")
    assert list(g) == ["id", "name", "is_default", "category_access", "discount_rules", "date_created",
                       "date_modified", "is_group_for_guests"]
    assert g["name"] == "Trade" and g["is_default"] is False and g["is_group_for_guests"] is False
    assert g["category_access"] == {"type": "all"} and g["discount_rules"] == []
    assert V2_DATE.match(g["date_created"]) and g["date_modified"] == g["date_created"]
    assert api.get(f"{GROUPS}/{g['id']}").json() == g
    assert api.get(GROUPS).json() == [g]
    r = api.get(f"{GROUPS}/count")
    assert r.status_code == 200 and r.json() == {"count": 1}


def test_list_filters_paging_and_empty_page(api):
    a = group(api, name="Retail", is_default=True)
    b = group(api, name="Trade Plus")
    c = group(api, name="Trade", is_group_for_guests=True)
    assert [g["id"] for g in api.get(GROUPS).json()] == [a["id"], b["id"], c["id"]]  # id order
    assert [g["name"] for g in api.get(GROUPS, params={"name": "Trade"}).json()] == ["Trade"]
    assert [g["name"] for g in api.get(GROUPS, params={"name:like": "trade"}).json()] == ["Trade Plus", "Trade"]
    assert [g["name"] for g in api.get(GROUPS, params={"is_default": "true"}).json()] == ["Retail"]
    assert [g["name"] for g in api.get(GROUPS, params={"is_group_for_guests": "true"}).json()] == ["Trade"]
    assert [g["name"] for g in api.get(GROUPS, params={"date_created:min": a["date_created"]}).json()] == \
        ["Retail", "Trade Plus", "Trade"]
    assert [g["name"] for g in api.get(GROUPS, params={"limit": 2, "page": 2}).json()] == ["Trade"]
    r = api.get(GROUPS, params={"page": 3, "limit": 2})
    assert r.status_code == 200 and r.json() == []  # getCustomerGroups lists only 200
    assert api.get(GROUPS, params={"limit": 250}).status_code == 200
    v2_error(api.get(GROUPS, params={"limit": 251}), 400)
    v2_error(api.get(GROUPS, params={"page": "x"}), 400)
    v2_error(api.get(GROUPS, params={"colour": "red"}), 400)


def test_v2_errors_404_422_409(api):
    for method in ("GET", "PUT", "DELETE"):
        titles = v2_error(api.request(method, f"{GROUPS}/999", json={}), 404)
        assert titles[0] == "The requested resource was not found."
    titles = v2_error(api.post(GROUPS, json={"is_default": True}), 422)
    assert titles == ["Missing Required Fields", "name: Please provide a name."]
    v2_error(api.post(GROUPS, json={"name": "x", "id": 5}), 422)
    v2_error(api.post(GROUPS, json=[{"name": "x"}]), 422)
    g = group(api, name="Trade")
    titles = v2_error(api.post(GROUPS, json={"name": "TRADE"}), 409)
    assert "already used by group" in titles[1]
    other = group(api, name="Retail")
    v2_error(api.put(f"{GROUPS}/{other['id']}", json={"name": "trade"}), 409)
    assert api.put(f"{GROUPS}/{g['id']}", json={"name": "Trade"}).status_code == 200  # its own name
    v2_error(api.request("PATCH", GROUPS), 405)


def test_bad_token_is_401_json(sandbox):
    r = requests.get(sandbox.api_base + GROUPS, headers={"X-Auth-Token": "nope"}, timeout=5)
    assert r.status_code == 401 and r.json()["status"] == 401


def test_discount_rules_write_and_read_forms(api):
    cat = api.post("/v3/catalog/trees/categories", json=[{"name": "Cable Ties", "tree_id": 1}]).json()["data"][0]
    product = api.product()
    pl = api.post("/v3/pricelists", json={"name": "Trade GBP"}).json()["data"]
    g = group(api, name="Trade", discount_rules=[
        {"type": "category", "method": "percent", "amount": 5, "category_id": cat["category_id"]},
        {"type": "product", "method": "fixed", "amount": "1.5", "product_id": product["id"]},
        {"type": "all", "method": "price", "amount": 2.25}])
    assert g["discount_rules"] == [
        {"type": "category", "method": "percent", "amount": "5.0000", "category_id": cat["category_id"]},
        {"type": "product", "method": "fixed", "amount": "1.5000", "product_id": product["id"]},
        {"type": "all", "method": "price", "amount": "2.2500"}]
    # "Discount rules are treated in bulk": a PUT replaces the whole set.
    r = api.put(f"{GROUPS}/{g['id']}", json={"discount_rules": [{"type": "price_list", "price_list_id": pl["id"]}]})
    assert r.status_code == 200, r.text
    assert r.json()["discount_rules"] == [{"type": "price_list", "price_list_id": pl["id"]}]  # no method/amount
    assert r.json()["date_modified"] > g["date_modified"]
    # A PUT without discount_rules keeps them.
    assert api.put(f"{GROUPS}/{g['id']}", json={"is_default": True}).json()["discount_rules"] == \
        [{"type": "price_list", "price_list_id": pl["id"]}]


def test_discount_rule_refusals(api):
    pl = api.post("/v3/pricelists", json={"name": "Trade GBP"}).json()["data"]
    cases = {
        "price list with another rule": [{"type": "price_list", "price_list_id": pl["id"]},
                                         {"type": "all", "method": "percent", "amount": "5"}],
        "two all rules": [{"type": "all", "method": "percent", "amount": "5"},
                          {"type": "all", "method": "fixed", "amount": "1"}],
        "unknown price list": [{"type": "price_list", "price_list_id": 999}],
        "price_list instead of price_list_id": [{"type": "price_list", "price_list": pl["id"]}],
        "unknown category": [{"type": "category", "method": "percent", "amount": "5", "category_id": 999}],
        "all without amount": [{"type": "all", "method": "percent"}],
        "bad method": [{"type": "all", "method": "half", "amount": "5"}],
        "percent over 100": [{"type": "all", "method": "percent", "amount": "150"}],
        "amount not a number": [{"type": "all", "method": "fixed", "amount": "lots"}],
        "bad type": [{"type": "brand", "method": "fixed", "amount": "1"}],
    }
    for case, rules in cases.items():
        r = api.post(GROUPS, json={"name": case, "discount_rules": rules})
        assert r.status_code == 422, (case, r.text)
        v2_error(r, 422)
    assert api.get(f"{GROUPS}/count").json() == {"count": 0}


def test_one_default_and_one_guest_group(api):
    a = group(api, name="Retail", is_default=True, is_group_for_guests=True)
    b = group(api, name="Trade", is_default=True)
    assert api.get(f"{GROUPS}/{a['id']}").json()["is_default"] is False
    assert api.get(f"{GROUPS}/{a['id']}").json()["is_group_for_guests"] is True
    api.put(f"{GROUPS}/{b['id']}", json={"is_group_for_guests": True})
    assert [(g["name"], g["is_default"], g["is_group_for_guests"]) for g in api.get(GROUPS).json()] == [
        ("Retail", False, False), ("Trade", True, True)]


def test_category_access(api):
    cats = api.post("/v3/catalog/trees/categories", json=[{"name": "A", "tree_id": 1},
                                                          {"name": "B", "tree_id": 1}]).json()["data"]
    ids = [c["category_id"] for c in cats]
    g = group(api, name="Trade", category_access={"type": "specific", "categories": ids})
    assert g["category_access"] == {"type": "specific", "categories": ids}
    for access in ({"type": "specific", "categories": [999]}, {"type": "all", "categories": ids},
                   {"type": "specific"}, {"type": "some"}):
        v2_error(api.put(f"{GROUPS}/{g['id']}", json={"category_access": access}), 422)
    assert api.put(f"{GROUPS}/{g['id']}", json={"category_access": {"type": "none"}}).json()["category_access"] == \
        {"type": "none"}


def test_deleting_referenced_objects_drops_the_references(api):
    cat = api.post("/v3/catalog/trees/categories", json=[{"name": "A", "tree_id": 1}]).json()["data"][0]
    product = api.product()
    g = group(api, name="Trade", category_access={"type": "specific", "categories": [cat["category_id"]]},
              discount_rules=[{"type": "category", "method": "percent", "amount": "5", "category_id": cat["category_id"]},
                              {"type": "product", "method": "percent", "amount": "5", "product_id": product["id"]}])
    assert api.delete(f"/v3/catalog/products/{product['id']}").status_code == 204
    assert [r["type"] for r in api.get(f"{GROUPS}/{g['id']}").json()["discount_rules"]] == ["category"]
    assert api.delete("/v3/catalog/trees/categories", params={"category_id:in": cat["category_id"]}).status_code == 202
    after = api.get(f"{GROUPS}/{g['id']}").json()
    assert after["discount_rules"] == [] and after["category_access"] == {"type": "specific", "categories": []}


def test_delete_is_204_and_removes_assignments(api):
    g = group(api, name="Trade")
    pl = api.post("/v3/pricelists", json={"name": "Trade GBP"}).json()["data"]
    assert api.post("/v3/pricelists/assignments", json=[{"price_list_id": pl["id"], "customer_group_id": g["id"]}]
                    ).status_code == 200
    r = api.delete(f"{GROUPS}/{g['id']}")
    assert r.status_code == 204 and r.content == b""
    assert api.get("/v3/pricelists/assignments").json()["data"] == []
    v2_error(api.get(f"{GROUPS}/{g['id']}"), 404)


def test_seed_groups_with_fixed_id_and_named_references(api, sandbox):
    sandbox.reset(data={
        "categories": [{"path": "Cable Ties"}],
        "products": [{"sku": "CT-1", "name": "Tie", "type": "physical", "price": 1, "weight": 1}],
        "price_lists": [{"name": "Trade GBP", "records": [{"sku": "CT-1", "currency": "GBP", "price": 0.9}],
                         "assignments": [{"customer_group": "Trade", "channel": 1}]}],
        "customer_groups": [
            {"name": "Retail", "is_default": True},
            {"name": "Trade", "id": 2, "discount_rules": [{"type": "price_list", "price_list": "Trade GBP"}]},
            {"name": "Installers", "category_access": {"type": "specific", "categories": ["Cable Ties"]},
             "discount_rules": [{"type": "category", "category": "Cable Ties", "method": "percent", "amount": 5},
                                {"type": "product", "product": "CT-1", "method": "fixed", "amount": "1"}]}]})
    groups = {g["name"]: g for g in api.get(GROUPS).json()}
    assert {n: g["id"] for n, g in groups.items()} == {"Retail": 1, "Trade": 2, "Installers": 3}
    pl = api.get("/v3/pricelists").json()["data"][0]
    assert groups["Trade"]["discount_rules"] == [{"type": "price_list", "price_list_id": pl["id"]}]
    assert groups["Installers"]["discount_rules"][0]["amount"] == "5.0000"
    assert api.get("/v3/pricelists/assignments").json()["data"] == [
        {"id": 1, "price_list_id": pl["id"], "customer_group_id": 2, "channel_id": 1}]
    assert group(api, name="New")["id"] == 4
    sandbox.reset(data={"customer_groups": [{"name": "Trade", "id": 2}, {"name": "A"}, {"name": "B"}]})
    assert [(g["name"], g["id"]) for g in api.get(GROUPS).json()] == [("A", 1), ("Trade", 2), ("B", 3)]
