"""``reconciler.webhooks`` against the sandbox over real HTTP: register, idempotence,
reactivation, local destination checks, masked headers."""

from __future__ import annotations

import pytest

from reconciler.core.errors import ConfigError
from reconciler.webhooks import (
    DRIFT_SCOPES,
    DestinationError,
    RegisterError,
    list_hooks,
    parse_headers,
    plan_hooks,
    redact,
    register_hooks,
    render_hooks,
)

DEST = "https://drift.example.com/bc"
SECRET = "s3cret-value"


def posts(sandbox):
    return [e for e in sandbox.requests() if e["method"] == "POST"]


def test_register_creates_every_drift_scope_once(sandbox, client):
    result = register_hooks(client, DEST)
    assert sorted(h["scope"] for h in result.created) == sorted(DRIFT_SCOPES)
    assert result.changed and not result.reactivated and not result.already
    assert len(posts(sandbox)) == len(DRIFT_SCOPES)  # one hook per request
    hooks = list_hooks(client)
    assert sorted(h["scope"] for h in hooks) == sorted(DRIFT_SCOPES)
    assert all(h["destination"] == DEST and h["is_active"] and h["headers"] is None for h in hooks)
    assert result.summary() == f"Webhooks for {DEST}: {len(DRIFT_SCOPES)} created, 0 reactivated, 0 already registered."


def test_a_second_run_creates_nothing(sandbox, client):
    register_hooks(client, DEST)
    seen = len(sandbox.requests())
    again = register_hooks(client, DEST)
    assert not again.changed and len(again.already) == len(DRIFT_SCOPES)
    assert [(e["method"], e["route"]) for e in sandbox.requests()[seen:]] == [("GET", "/v3/hooks")]
    assert len(list_hooks(client)) == len(DRIFT_SCOPES)


def test_an_inactive_hook_is_reactivated_and_others_are_left_alone(sandbox, client):
    sandbox.reset(data={"hooks": [
        {"scope": "store/sku/updated", "destination": DEST, "is_active": False},
        {"scope": "store/product/updated", "destination": DEST},
        {"scope": "store/product/updated", "destination": "https://other.example.com/"},
        {"scope": "store/order/created", "destination": DEST}]})
    result = register_hooks(client, DEST)
    assert [h["scope"] for h in result.reactivated] == ["store/sku/updated"]
    assert result.reactivated[0]["is_active"] is True
    assert [h["scope"] for h in result.already] == ["store/product/updated"]
    assert len(result.created) == len(DRIFT_SCOPES) - 2
    assert [h["scope"] for h in result.hooks] == sorted(DRIFT_SCOPES)
    assert len(list_hooks(client)) == len(DRIFT_SCOPES) + 2
    assert all(h["is_active"] for h in list_hooks(client))


@pytest.mark.parametrize("destination", ["http://drift.example.com/bc", "https://drift.example.com:8443/bc",
                                         "drift.example.com/bc", ""])
def test_a_bad_destination_is_refused_before_any_request(sandbox, client, destination):
    before = sandbox.requests()
    with pytest.raises(DestinationError, match="https://|port 443") as info:
        register_hooks(client, destination)
    assert isinstance(info.value, ConfigError)
    assert sandbox.requests() == before


def test_headers_are_sent_but_never_shown(sandbox, client):
    result = register_hooks(client, DEST, headers=parse_headers([f"X-Drift-Secret={SECRET}"]))
    assert all(h["headers"] == {"X-Drift-Secret": SECRET} for h in list_hooks(client))
    table = render_hooks(list_hooks(client))
    assert SECRET not in table and "X-Drift-Secret: ***" in table
    assert SECRET not in repr(result) and SECRET not in str(redact(result.created[0]))
    lines = table.splitlines()
    assert lines[0].split() == ["ID", "SCOPE", "DESTINATION", "ACTIVE", "HEADERS"]
    assert len(lines) == 1 + len(DRIFT_SCOPES)
    # new headers (a rotated secret) are put on the existing hooks; nothing is created
    rotated = register_hooks(client, DEST, headers={"X-Drift-Secret": "rotated"})
    assert not rotated.created and len(rotated.reactivated) == len(DRIFT_SCOPES)
    assert {h["headers"]["X-Drift-Secret"] for h in list_hooks(client)} == {"rotated"}


def test_bad_headers_are_refused_without_echoing_values(sandbox, client):
    before = sandbox.requests()
    with pytest.raises(ConfigError) as info:
        parse_headers([SECRET])
    assert SECRET not in str(info.value)
    with pytest.raises(ConfigError, match="X-N"):
        register_hooks(client, DEST, headers={"X-N": 5})
    assert sandbox.requests() == before


def test_a_failure_part_way_reports_what_was_done(sandbox, client):
    # two of the scopes are already at the store's limit of 10 hooks per scope
    full = ["store/priceList/records/created", "store/priceList/records/updated"]
    sandbox.reset(data={"hooks": [{"scope": scope, "destination": f"https://r{n}.example.com/"}
                                  for scope in full for n in range(10)]})
    with pytest.raises(RegisterError) as info:
        register_hooks(client, DEST)
    done = info.value.result
    assert len(done.created) == DRIFT_SCOPES.index(full[0]) and "Run again" in str(info.value)
    assert "store/priceList/records/created" in str(info.value)


def test_plan_hooks_is_pure_and_matches_on_scope_and_destination():
    existing = [
        {"id": 1, "scope": "store/sku/created", "destination": DEST, "is_active": True, "headers": None},
        {"id": 2, "scope": "store/sku/updated", "destination": DEST, "is_active": False, "headers": None},
        {"id": 3, "scope": "store/sku/deleted", "destination": "https://other/", "is_active": True},
    ]
    plan = plan_hooks(existing, DEST, scopes=["store/sku/created", "store/sku/updated", "store/sku/deleted"])
    to_create, to_reactivate, already = plan
    assert to_create == ["store/sku/deleted"]
    assert [h["id"] for h in to_reactivate] == [2] and [h["id"] for h in already] == [1]
    plan = plan_hooks(existing, DEST, headers={"X-K": "v"}, scopes=["store/sku/created"])
    assert [h["id"] for h in plan.to_reactivate] == [1]  # other headers: put back with these


def test_render_hooks_table():
    assert render_hooks([]) == "No webhooks."
    assert render_hooks([{"id": 7, "scope": "store/sku/created", "destination": "https://d/",
                          "is_active": False, "headers": {"X-Key": "s3cret"}}]) == (
        "ID  SCOPE              DESTINATION  ACTIVE  HEADERS\n"
        "7   store/sku/created  https://d/   no      X-Key: ***")
