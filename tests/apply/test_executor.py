"""The executor over real HTTP: it announces and ends every change itself, keeps the ids
it learns in its own map, and the session refuses a plan made for another store."""

from __future__ import annotations

import pytest

from reconciler import build_plan, load_desired, read_live
from reconciler.apply.executor import apply_plan
from reconciler.apply.session import ApplySession
from reconciler.core import errors
from reconciler.plan.model import Action

from tests.e2e.conftest import write_catalog


class Recorder:
    def __init__(self) -> None:
        self.pre: list = []
        self.post: list = []

    def pre_apply(self, change) -> None:
        assert id(change) not in {id(c) for c in self.pre}, f"{change.address} announced twice"
        self.pre.append(change)

    def post_apply(self, outcome) -> None:
        self.post.append(outcome)


@pytest.fixture
def planned(seeded, client, tmp_path, catalog_files):
    desired = load_desired(write_catalog(tmp_path / "catalog", catalog_files))
    live = read_live(client, desired.store)
    return build_plan(desired, live), live, desired


def test_every_change_ends_once_and_new_ids_stay_out_of_the_live_state(planned, client):
    plan, live, desired = planned
    creates = [c for c in plan.changes if c.action is Action.CREATE and not c.parent]
    assert creates, "the small catalog creates something"
    hooks = Recorder()
    result = apply_plan(plan, client, live, settings=desired.store, hooks=hooks)
    assert not result.failed
    applied = [c for c in plan.changes if c.action is not Action.NOOP]
    assert sorted(id(o.change) for o in hooks.post) == sorted(id(c) for c in applied)
    assert {id(c) for c in hooks.pre} <= {id(c) for c in applied}
    for c in creates:
        assert not live.refs.has(c.kind, c.key), f"{c.address}: its new id was written into the live state"
    assert all(o.id for o in result.outcomes if o.change in creates)


def test_a_session_refuses_a_plan_made_for_another_store(planned, client):
    plan, _, desired = planned
    plan.store = {"store_hash": "elsewhere"}
    with pytest.raises(errors.PlanError, match="this plan was made for store 'elsewhere'"):
        ApplySession(client, desired.store).run(plan)


def test_a_session_journals_and_records_the_last_applied_state(planned, client, tmp_path):
    from reconciler.apply import last_applied
    from reconciler.apply.journal import confirmed

    plan, _, desired = planned
    session = ApplySession(client, desired.store, desired=desired, journal_dir=tmp_path / "journal",
                           state=tmp_path / "state.json")
    result = session.run(plan)
    assert len(confirmed(session.journal_path)) == len(result.outcomes)
    state = last_applied.load(tmp_path / "state.json")
    assert state is not None and state.get("product", "CT-BLK100") is not None
