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
    with pytest.raises(AssertionError, match=r"unnamed: \[\('create', \"product\['CT-Q'\]\""):
        state.check_next_plan({})
    state.check_next_plan({"product['CT-Q']": "409 name taken", "option['CT-Q/Width']": "x",
                           "variant['CT-Q-2.5']": "x", "variant['CT-Q-3.6']": "x",
                           "custom_field['CT-Q/Material']": "x", "channel_assignment['CT-Q@uk-main']": "x"})


def test_a_killed_apply_leaves_the_rest_undone(started):
    state, _ = started
    for code in "XYZ":
        new = m.product(code)
        state.products[new["sku"]] = new
    state.apply(fault_free=False, kill_after=1)
    plan, _, _ = state.plan()
    assert "product['CT-X']" in {c.address for c in plan.changes if c.action.verb == "create"}
