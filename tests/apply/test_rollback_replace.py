"""Rollback of a replaced object (deleted, then created again under the same key, as a
variant whose options changed): the plan deletes the new object and creates the old one
from the journal, not just the delete of what the apply created."""

from __future__ import annotations

import json

from reconciler.apply.rollback import rollback_plan
from reconciler.core.live import LiveObject, LiveState
from reconciler.plan.model import Action


def _journal(tmp_path, records):
    path = tmp_path / "apply.jsonl"
    path.write_text("".join(json.dumps({"event": "done", "outcome": "ok", "parent": "product['CT-A']", **r}) + "\n"
                            for r in records), encoding="utf-8")
    return path


def test_a_replace_is_undone_by_delete_and_create_of_the_first_state(tmp_path):
    journal = _journal(tmp_path, [
        {"kind": "variant", "key": "CT-A-1", "action": "delete", "id": 7,
         "before": {"sku": "CT-A-1", "options": {"Width": "2.5mm"}, "price": "1.95"}, "after": {}},
        {"kind": "variant", "key": "CT-A-1", "action": "create", "id": 9,
         "before": {}, "after": {"sku": "CT-A-1", "options": {"Width": "3.6mm"}}},
    ])
    live = LiveState()
    live.add(LiveObject("variant", "CT-A-1", 9, {"sku": "CT-A-1", "options": {"Width": "3.6mm"}}, parent="CT-A"))
    plan = rollback_plan(journal, live)
    assert [(c.action, c.key, c.live_id) for c in plan.changes] == [
        (Action.DELETE, "CT-A-1", 9), (Action.CREATE, "CT-A-1", None)]
    assert plan.changes[1].after == {"sku": "CT-A-1", "options": {"Width": "2.5mm"}, "price": "1.95"}
    assert str(plan.changes[1].parent) == "product['CT-A']"


def test_a_replace_whose_new_object_is_gone_still_creates_the_first_state(tmp_path):
    journal = _journal(tmp_path, [
        {"kind": "variant", "key": "CT-A-1", "action": "delete", "before": {"sku": "CT-A-1"}, "after": {}},
        {"kind": "variant", "key": "CT-A-1", "action": "create", "before": {}, "after": {"sku": "CT-A-1"}},
    ])
    plan = rollback_plan(journal, LiveState())
    assert [(c.action, c.key) for c in plan.changes] == [(Action.CREATE, "CT-A-1")]


def test_an_object_updated_twice_is_undone_once_to_its_last_change_before(tmp_path):
    journal = _journal(tmp_path, [
        {"kind": "variant", "key": "CT-A-1", "action": "update", "before": {"price": "1.00"}, "after": {}},
        {"kind": "variant", "key": "CT-A-1", "action": "update", "before": {"price": "2.00"}, "after": {}},
    ])
    live = LiveState()
    live.add(LiveObject("variant", "CT-A-1", 9, {"sku": "CT-A-1", "price": "3.00"}, parent="CT-A"))
    plan = rollback_plan(journal, live)
    assert [(c.action, c.after) for c in plan.changes] == [(Action.UPDATE, {"price": "2.00"})]


def test_such_a_plans_create_is_not_stale_because_the_object_it_deletes_first_is_there(tmp_path):
    from reconciler.apply.stale import find_stale

    journal = _journal(tmp_path, [
        {"kind": "variant", "key": "CT-A-1", "action": "delete", "before": {"sku": "CT-A-1"}, "after": {}},
        {"kind": "variant", "key": "CT-A-1", "action": "create", "before": {}, "after": {"sku": "CT-A-1"}},
    ])
    live = LiveState()
    live.add(LiveObject("variant", "CT-A-1", 9, {"sku": "CT-A-1"}, parent="CT-A"))
    plan = rollback_plan(journal, live)
    assert find_stale(plan, live) == []
    create = plan.changes[1]
    plan.changes = [create]          # a create alone meets an object that appeared since: stale
    assert [c.action for c, _ in find_stale(plan, live)] == [Action.CREATE]
