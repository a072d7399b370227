"""The model's invariants can fail: each check fires on a store that breaks it, and a
killed apply really leaves work undone (a checker that cannot fail is a defect)."""

from __future__ import annotations

import copy

import pytest

from reconciler import connect
from reconciler.store.config import StoreConfig

from . import machine as m


@pytest.fixture
def started(sandbox, tmp_path, monkeypatch):
    monkeypatch.setattr(m, "note", lambda text: None)   # hypothesis's note needs a running test
    config = StoreConfig(api_url=sandbox.url, store_hash=sandbox.store_hash, token=sandbox.token)
    with connect(config, parallelism=4) as client:
        class Machine(m.CatalogMachine):
            pass

        Machine.server, Machine.client, Machine.folder = sandbox, client, tmp_path / "catalog"
        state = Machine()
        state.start()
        yield state, sandbox.dump()


def test_outside_the_yaml_changed_is_caught(started):
    state, before = started
    after = copy.deepcopy(before)
    next(p for p in after["products"] if p["sku"] == "CT-OLD99")["price"] = 1.23
    with pytest.raises(AssertionError, match="outside the YAML changed"):
        state.check_store(before, after)


def test_inventory_written_is_caught(started):
    state, before = started
    after = copy.deepcopy(before)
    after["products"][0]["inventory_level"] = 3
    with pytest.raises(AssertionError, match="inventory of CT-A written"):
        state.check_store(before, after)


def test_a_duplicate_sku_in_another_case_is_caught(started):
    state, before = started
    after = copy.deepcopy(before)
    after["products"].append(dict(after["products"][0], sku="ct-a"))
    with pytest.raises(AssertionError, match="duplicate SKUs"):
        state.check_store(before, after)


def test_an_unnamed_change_left_in_the_next_plan_is_caught(started):
    state, _ = started
    state.check_next_plan({})                       # converged after start()
    state.products["CT-Q"] = m.product("Q")         # in the YAML, never applied, no failure
    with pytest.raises(AssertionError, match=r"not named as the YAML's to fix .*\('create', \"product\['CT-Q'\]\""):
        state.check_next_plan({}, second=True)
    gone = "product 'CT-Q' does not exist in the store"
    state.check_next_plan({"product['CT-Q']": "409 name taken", "option['CT-Q/Width']": gone,
                           "variant['CT-Q-2.5']": gone, "variant['CT-Q-3.6']": gone,
                           "custom_field['CT-Q/Material']": gone, "channel_assignment['CT-Q@uk-main']": gone},
                          second=True)


def test_a_client_error_is_not_a_reason_the_yaml_must_fix(started):
    state, _ = started
    state.products["CT-Q"] = m.product("Q")
    with pytest.raises(AssertionError, match="not named as the YAML's to fix"):
        state.check_next_plan({"product['CT-Q']": "BigCommerce 422 Unprocessable Entity: bad body"}, second=True)


def test_the_failure_classes():
    assert m.failure_class("BigCommerce 409 Conflict: name taken") == m.MUST_FIX
    assert m.failure_class("409 The product name is a duplicate") == m.MUST_FIX
    assert m.failure_class("BigCommerce 422 Unprocessable Entity: x") == m.CLIENT
    assert m.failure_class("PUT /v3/x: BigCommerce 404 Not Found") == m.CLIENT
    assert m.failure_class("BigCommerce 207 Multi-Status: this update was not applied: x") == m.CLIENT
    assert m.failure_class("product 'CT-Q' does not exist in the store") == m.DEPENDENT
    assert m.failure_class("PUT /x: the store could not be reached (timeout)") == m.OTHER


def test_fails_forever_is_caught(started, monkeypatch):
    """A change the store refuses MUST_FIX after the first apply, but whose second,
    unedited apply fails with a client error: the second apply is made and caught."""
    state, _ = started
    state.products["CT-Q"] = m.product("Q")
    answers = iter([{"product['CT-Q']": "BigCommerce 422 Unprocessable Entity: bad body"}])
    monkeypatch.setattr(state, "apply_once", lambda fault_free=True: next(answers))
    with pytest.raises(AssertionError, match="fails forever"):
        state.check_next_plan({"product['CT-Q']": "BigCommerce 409 Conflict: taken",
                               **{a: "product 'CT-Q' does not exist in the store" for a in (
                                   "option['CT-Q/Width']", "variant['CT-Q-2.5']", "variant['CT-Q-3.6']",
                                   "custom_field['CT-Q/Material']", "channel_assignment['CT-Q@uk-main']")}})


def test_yaml_only_edits_called_drift_are_caught(started):
    state, _ = started
    assert not state.dirty
    state.products["CT-A"]["price"] = m.Decimal("7.77")
    plan, _, _ = state.plan()
    change = next(c for c in plan.changes if c.key == "CT-A" and c.kind == "product")
    assert change.origin == "yaml"
    change.origin = "drift"
    with pytest.raises(AssertionError, match="YAML-only edits reported as drift"):
        state.check_origins(plan)


def test_a_killed_apply_leaves_the_rest_undone(started):
    state, _ = started
    for code in "XYZ":
        new = m.product(code)
        state.products[new["sku"]] = new
    state.apply(fault_free=False, kill_after=1)
    plan, _, _ = state.plan()
    assert "product['CT-X']" in {c.address for c in plan.changes if c.action.verb == "create"}
