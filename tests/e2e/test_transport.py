"""Transport rules over real HTTP (issue 11, findings 4, 5 and 8):

- a DELETE resent after a lost answer or a 5xx that meets 404 has succeeded, for every kind;
- 429s are pacing: they do not spend the 5xx retry budget (and the other way round);
- keys the ``:in`` syntax cannot carry (a SKU with a comma) are read one exact filter at a time.
"""

from __future__ import annotations

import copy

import pytest
import yaml

from reconciler import apply_saved_plan, build_plan, load_desired, read_live
from reconciler.plan.model import Action

STORE = {"store": {"name": "GTSE test", "currency": "GBP", "channels": {"uk-main": 1, "us-trade": 2},
                   "prune": ["product"]}}
GROUPS = [{"name": "Retail", "is_default": True}, {"name": "Trade"}]


def tie(sku: str, widths: dict[str, float], **extra) -> dict:
    product = {"sku": sku, "name": f"Cable Ties {sku}", "type": "physical", "price": 2.00, "weight": 0.05,
               "categories": ["Cable Ties"], "options": {"Width": list(widths)},
               "variants": [{"sku": f"{sku}-{w}", "options": {"Width": w}, "price": p} for w, p in widths.items()]}
    product.update(extra)
    return product


def seed(items: list[dict], records: list[dict]) -> dict:
    ids = STORE["store"]["channels"]
    products = []
    for p in items:
        q = {k: v for k, v in p.items() if k != "options"}
        q["channels"] = [ids[c] for c in p.get("channels", ["uk-main"])]
        products.append(q)
    return {"categories": [{"path": "Cable Ties"}], "products": products,
            "customer_groups": [{"name": "Retail", "is_default": True, "id": 1}, {"name": "Trade", "id": 2}],
            "price_lists": [{"name": "Trade GBP", "active": True, "assignments": [],
                             "records": [{**r, "currency": "GBP"} for r in records]}]}


def write(tmp_path, items: list[dict], records: list[dict]):
    folder = tmp_path / "catalog"
    folder.mkdir(exist_ok=True)
    (folder / "store.yaml").write_text(yaml.safe_dump(STORE, sort_keys=False))
    (folder / "categories.yaml").write_text("categories:\n  - path: Cable Ties\n")
    (folder / "products.yaml").write_text(yaml.safe_dump({"products": items}, sort_keys=False))
    (folder / "groups.yaml").write_text(yaml.safe_dump({"customer_groups": GROUPS}, sort_keys=False))
    (folder / "prices.yaml").write_text(yaml.safe_dump({"price_lists": [
        {"name": "Trade GBP", "active": True, "currency": "GBP", "records": records}]}, sort_keys=False))
    return folder


def plan_for(client, folder):
    desired = load_desired(folder)
    return build_plan(desired, read_live(client, desired.store)), desired


def summary(plan) -> list[tuple[str, str, str]]:
    return sorted((c.action.verb, c.kind, c.key) for c in plan.changes if c.action is not Action.NOOP)


# -- finding 4: a DELETE resent after a lost answer that meets 404 has succeeded ----------------

LIVE = [tie("CT-A", {"2.5": 1.0, "3.6": 1.5, "4.8": 2.0}, channels=["uk-main", "us-trade"],
            custom_fields={"Material": "Nylon", "Colour": "Black"}),
        tie("CT-B", {"2.5": 1.0})]
LIVE_RECORDS = [{"sku": "CT-A-2.5", "price": 0.9}, {"sku": "CT-A-3.6", "price": 1.4}]
# CT-A loses its 4.8 width (variant and option value), its Colour field and us-trade;
# the Trade list loses CT-A-3.6's record; CT-B is pruned.
WANTED = [tie("CT-A", {"2.5": 1.0, "3.6": 1.5}, channels=["uk-main"], custom_fields={"Material": "Nylon"})]
WANTED_RECORDS = [{"sku": "CT-A-2.5", "price": 0.9}]

DELETE_ROUTES = {
    "option_value": "/v3/catalog/products/{id}/options/{option_id}/values/{value_id}",
    "variant": "/v3/catalog/products/{id}/variants/{variant_id}",
    "product": "/v3/catalog/products",
    "custom_field": "/v3/catalog/products/{id}/custom-fields/{custom_field_id}",
    "price_record": "/v3/pricelists/{id}/records",
    "channel_assignment": "/v3/catalog/products/channel-assignments",
}


@pytest.mark.parametrize("fault", ["drop_after", "500_after"])
@pytest.mark.parametrize("what", sorted(DELETE_ROUTES))
def test_a_delete_whose_answer_was_lost_and_whose_resend_meets_404_has_succeeded(what, fault, sandbox, client,
                                                                                  tmp_path):
    sandbox.reset(data=seed(copy.deepcopy(LIVE), LIVE_RECORDS))
    folder = write(tmp_path, copy.deepcopy(WANTED), WANTED_RECORDS)
    plan, desired = plan_for(client, folder)
    assert summary(plan) == [
        ("delete", "channel_assignment", "CT-A@us-trade"), ("delete", "custom_field", "CT-A/Colour"),
        ("delete", "price_record", "Trade GBP:CT-A-3.6:GBP"), ("delete", "product", "CT-B"),
        ("delete", "variant", "CT-A-4.8"), ("update", "option", "CT-A/Width")]
    client.transport.backoff_s = 0.01
    route = DELETE_ROUTES[what]
    sandbox.faults(queue=[{"fault": fault, "count": 1, "method": "DELETE", "route": route}])
    result = apply_saved_plan(plan, client, desired.store)
    injected = sandbox.faults()["injected"]
    sandbox.clear_faults()

    assert injected == {fault: 1}
    assert not result.failed, [(o.change.address, o.message) for o in result.failed]
    deletes = [r for r in sandbox.requests() if r["method"] == "DELETE" and r["route"] == route]
    assert len(deletes) >= 2          # the lost one and its resend
    again, _ = plan_for(client, folder)
    assert not again.has_changes, summary(again)


# -- finding 5: 429s are pacing, not failures; 5xx retries have their own budget -----------------

@pytest.fixture
def quick_backoff(monkeypatch):
    from reconciler.store import transport

    monkeypatch.setattr(transport, "BACKOFF_S", 0.01)   # the same retries, shorter sleeps


def test_five_429s_then_a_502_on_a_get_do_not_end_the_plan(quick_backoff, sandbox, client, tmp_path):
    sandbox.reset(data=seed(copy.deepcopy(LIVE), LIVE_RECORDS))
    folder = write(tmp_path, copy.deepcopy(LIVE), LIVE_RECORDS)
    sandbox.configure(window_ms=1000)   # a 429 waits the announced reset: keep it short
    route = "/v3/catalog/products"
    sandbox.faults(queue=[{"fault": "429", "count": 5, "method": "GET", "route": route},
                          {"fault": "502", "count": 1, "method": "GET", "route": route}])
    plan, _ = plan_for(client, folder)
    injected = sandbox.faults()["injected"]
    sandbox.clear_faults()
    assert injected == {"429": 5, "502": 1}
    assert not plan.has_changes, summary(plan)


def test_429s_do_not_spend_the_5xx_budget_on_a_delete(quick_backoff, sandbox, client, tmp_path):
    """Within one request: five 5xx (the whole budget) around 429s still succeed."""
    sandbox.reset(data=seed(copy.deepcopy(LIVE), LIVE_RECORDS))
    folder = write(tmp_path, copy.deepcopy(WANTED), WANTED_RECORDS)
    plan, desired = plan_for(client, folder)
    sandbox.configure(window_ms=1000)
    route = DELETE_ROUTES["custom_field"]
    queue = [{"fault": f, "count": 1, "method": "DELETE", "route": route}
             for f in ("500", "429", "502", "429", "503", "429", "500", "500")]
    sandbox.faults(queue=queue)
    result = apply_saved_plan(plan, client, desired.store)
    injected = sandbox.faults()["injected"]
    sandbox.clear_faults()
    assert injected == {"429": 3, "500": 3, "502": 1, "503": 1}
    assert not result.failed, [(o.change.address, o.message) for o in result.failed]


def test_a_run_of_only_5xx_ends_the_plan_with_an_error_naming_the_request(quick_backoff, sandbox, run_cli,
                                                                         tmp_path):
    sandbox.reset(data=seed(copy.deepcopy(LIVE), LIVE_RECORDS))
    folder = write(tmp_path, copy.deepcopy(LIVE), LIVE_RECORDS)
    sandbox.faults(queue=[{"fault": "502", "count": 6, "method": "GET", "route": "/v3/catalog/products"}])
    result = run_cli("plan", "--catalog", folder)     # catch_exceptions=False: a traceback fails the test
    injected = sandbox.faults()["injected"]
    sandbox.clear_faults()
    assert injected == {"502": 6}, result.output
    assert result.exit_code == 4
    assert "GET /v3/catalog/products: BigCommerce 502 BAD GATEWAY (gave up after 6 attempts)" in result.output
    assert "Traceback" not in result.output and "<html>" not in result.output


# -- finding 8: keys the `:in` syntax cannot carry are read by an exact filter ------------------

COMMA_LIVE = [tie("CT-A,B", {"2.5": 1.0, "3.6": 1.5}), tie("CT-C", {"2.5": 1.0})]
COMMA_RECORDS = [{"sku": "CT-A,B-2.5", "price": 0.9}, {"sku": "CT-C-2.5", "price": 0.9}]


def test_a_saved_plan_on_skus_with_a_comma_applies_and_converges(sandbox, client, run_cli, tmp_path):
    sandbox.reset(data=seed(copy.deepcopy(COMMA_LIVE), COMMA_RECORDS))
    # The store takes such SKUs and finds them by the exact filter, as BigCommerce does.
    [row] = client.get("/v3/catalog/products", {"sku": "ct-a,b"}).data["data"]
    assert row["sku"] == "CT-A,B"
    assert client.get("/v3/catalog/products", {"sku:in": "CT-A,B"}).data["data"] == []   # split on the comma
    wanted = copy.deepcopy(COMMA_LIVE)
    wanted[0]["price"] = 2.10                       # the product
    wanted[0]["variants"][0]["price"] = 1.10        # a variant with a comma in its SKU
    wanted.append(tie("CT,NEW", {"2.5": 1.0}))      # a create: checked absent by key
    records = [{"sku": "CT-A,B-2.5", "price": 0.8},   # an update, read by variant id
               {"sku": "CT-A,B-3.6", "price": 1.3},   # a create, read by SKU
               {"sku": "CT-C-2.5", "price": 0.9}]
    folder = write(tmp_path, wanted, records)
    out = tmp_path / "plan.json"
    made = run_cli("plan", "--catalog", folder, "--out", out)
    assert made.exit_code == 0, made.output

    applied = run_cli("apply", out, "--catalog", folder)
    assert applied.exit_code == 0, applied.output
    assert "after the plan was made" not in applied.output
    again = run_cli("plan", "--catalog", folder)
    assert again.exit_code == 0 and "No changes" in again.output, again.output
    skus = sorted(p["sku"] for p in sandbox.dump()["products"])
    assert skus == ["CT,NEW", "CT-A,B", "CT-C"]


def test_429s_past_the_pacing_allowance_end_with_an_error_naming_the_request(sandbox, client):
    from reconciler.core import errors

    sandbox.configure(window_ms=1000)
    client.transport.pacing_s = 1.5      # the sandbox's 429 says X-Retry-After: 1
    sandbox.faults(queue=[{"fault": "429", "count": 20, "method": "GET", "route": "/v3/catalog/brands"}])
    with pytest.raises(errors.RateLimited) as info:
        client.list_all("/v3/catalog/brands")
    injected = sandbox.faults()["injected"]
    sandbox.clear_faults()
    assert injected == {"429": 2}          # waited once, then the next wait would pass 1.5 s
    assert str(info.value).startswith("GET /v3/catalog/brands: BigCommerce 429")
    assert "still rate-limited after 1 wait(s)" in str(info.value)


def test_a_first_delete_meeting_404_is_still_an_error_and_one_after_a_5xx_is_done(quick_backoff, sandbox, client):
    """Only a resend may take 404 as done: the first attempt's 404 is the caller's to judge."""
    from reconciler.core import errors

    sandbox.reset(data=seed(copy.deepcopy(LIVE), LIVE_RECORDS))
    sandbox.configure(window_ms=1000)   # a 429 waits the announced reset: keep it short
    pid = client.get("/v3/catalog/products", {"sku": "CT-A"}).data["data"][0]["id"]
    path = f"/v3/catalog/products/{pid}/custom-fields/999999"
    with pytest.raises(errors.NotFound):
        client.delete(path)
    sandbox.faults(queue=[{"fault": "429", "count": 1, "method": "DELETE"}])
    with pytest.raises(errors.NotFound):       # a 429 was not processed: still a first attempt
        client.delete(path)
    sandbox.faults(queue=[{"fault": "500", "count": 1, "method": "DELETE"}])
    assert client.delete(path).status == 404    # the 500 may have hidden a delete: done
    sandbox.clear_faults()


def test_a_saved_change_to_a_discount_rule_on_a_sku_with_a_comma_applies(sandbox, client, tmp_path):
    """The products a customer group's rules name are looked up by SKU: one with a comma by
    ``sku=``. A rule the plan adds on an untouched product needs that product's id."""
    from reconciler.plan.model import Plan

    products = [{"sku": sku, "name": f"Ties {sku}", "type": "physical", "price": 2.5, "weight": 0.1}
                for sku in ("CT-A,B", "CT-C,D")]
    rule = {"type": "product", "product": "CT-A,B", "method": "percent", "amount": 5}
    sandbox.reset(seed=None, data={"products": [dict(p) for p in products],
                                   "customer_groups": [{"name": "Staff", "discount_rules": [dict(rule)]}]})
    folder = tmp_path / "catalog"
    folder.mkdir()
    (folder / "store.yaml").write_text("store:\n  name: GTSE test\n")
    (folder / "products.yaml").write_text(yaml.safe_dump({"products": products}, sort_keys=False))
    (folder / "groups.yaml").write_text(yaml.safe_dump(
        {"customer_groups": [{"name": "Staff", "discount_rules": [{**rule, "amount": 7.5},
                                                                  {**rule, "product": "CT-C,D"}]}]},
        sort_keys=False))
    plan, desired = plan_for(client, folder)
    assert summary(plan) == [("update", "customer_group", "Staff")]
    result = apply_saved_plan(Plan.from_json(plan.to_json()), client, desired.store)
    assert not result.failed, [(o.change.address, o.message) for o in result.failed]
    again, _ = plan_for(client, folder)
    assert not again.has_changes, summary(again)
    sku_reads = [r["query"] for r in sandbox.requests() if r["route"] == "/v3/catalog/products" and "sku" in r["query"]]
    assert sku_reads and {q["sku"] for q in sku_reads} == {"CT-A,B", "CT-C,D"}
