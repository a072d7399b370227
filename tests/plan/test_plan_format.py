"""Plan files, format_version 2: addresses and parents as JSON objects; version-1 files
(addresses as text) still read when their checksum verifies; any other version refused."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from reconciler.core.address import Address
from reconciler.core.errors import PlanError
from reconciler.plan.model import FORMAT_VERSION, Action, Plan, ResourceChange, checksum
from tests.render.render_cases import CASES

SCHEMA = json.loads((Path(__file__).parents[2] / "schemas" / "plan.schema.json").read_text(encoding="utf-8"))
WITH_CHILDREN = ["nested_children", "new_product_children", "records_removed_10", "price_drop_blocked"]


def as_version_1(data: dict) -> dict:
    """What version 1 wrote for the same plan: addresses and parents as text."""
    old = json.loads(json.dumps(data))
    old.pop("checksum", None)
    old["format_version"] = "1"
    for c in old["resource_changes"]:
        c["address"] = str(Address.from_json(c["address"]))
        c["parent"] = str(Address.from_json(c["parent"])) if c["parent"] else None
    return {**old, "checksum": checksum(old)}


def signed(data: dict) -> str:
    body = {k: v for k, v in data.items() if k != "checksum"}
    return json.dumps({**body, "checksum": checksum(body)})


def parents(plan: Plan) -> list:
    return [(c.kind, c.key, c.parent.kind, c.parent.key) for c in plan.changes if c.parent]


@pytest.mark.parametrize("case", WITH_CHILDREN)
def test_version_2_writes_addresses_as_objects_and_round_trips(case):
    plan = CASES[case]()
    data = json.loads(plan.to_json())
    assert data["format_version"] == FORMAT_VERSION == "2"
    jsonschema.Draft7Validator(SCHEMA).validate(data)
    for c, rc in zip(data["resource_changes"], plan.changes):
        assert c["address"] == {"kind": rc.kind, "key": rc.key, "parent": c["parent"]}
        assert c["parent"] == (rc.parent.to_json() if rc.parent else None)
    again = Plan.from_json(plan.to_json())
    assert again.to_dict() == plan.to_dict() and parents(again) == parents(plan) != []
    assert all(isinstance(c.parent, Address) for c in again.changes if c.parent)


@pytest.mark.parametrize("case", WITH_CHILDREN)
def test_a_version_1_file_is_read_when_its_checksum_verifies(case):
    plan = CASES[case]()
    old = as_version_1(json.loads(plan.to_json()))
    assert isinstance(next(c["parent"] for c in old["resource_changes"] if c["parent"]), str)
    read = Plan.from_json(json.dumps(old))
    assert parents(read) == parents(plan)
    assert [c.address for c in read.changes] == [c.address for c in plan.changes]
    assert read.to_dict() == plan.to_dict()   # held, and written again, as version 2
    assert read.format_version == FORMAT_VERSION


def test_a_version_1_file_changed_by_hand_is_refused_naming_its_version():
    old = as_version_1(json.loads(CASES["nested_children"]().to_json()))
    old["resource_changes"][0]["after"] = {"price": {"$decimal": "0.01"}}
    with pytest.raises(PlanError, match=r"checksum does not match, and a format_version '1' plan is read only as"):
        Plan.from_json(json.dumps(old))


def test_a_version_1_parent_that_is_not_an_address_is_malformed():
    old = as_version_1(json.loads(CASES["nested_children"]().to_json()))
    child = next(c for c in old["resource_changes"] if c["parent"])
    child["parent"] = "CT-1"
    with pytest.raises(PlanError, match="malformed: not an address kind\\['key'\\]: 'CT-1'"):
        Plan.from_json(signed(old))


@pytest.mark.parametrize("version", ["3", "0", 2, None, "2.0"])
def test_any_other_version_is_refused_clearly(version):
    data = json.loads(CASES["mixed"]().to_json())
    data["format_version"] = version
    with pytest.raises(PlanError) as info:
        Plan.from_json(signed(data))
    assert str(info.value).startswith(f"unsupported plan format_version {version!r}: this tool writes '2' "
                                      "and reads '1' and '2'")


def test_a_version_2_address_that_disagrees_with_kind_key_or_parent_is_malformed():
    data = json.loads(CASES["nested_children"]().to_json())
    child = next(c for c in data["resource_changes"] if c["parent"])
    for broken in ({**child, "key": "other"}, {**child, "parent": None},
                   {**child, "address": {**child["address"], "parent": None}},
                   {**child, "parent": "product['CT-1']"}):
        bad = {**data, "resource_changes": [broken]}
        with pytest.raises(PlanError, match="malformed"):
            Plan.from_json(signed(bad))


def test_the_schema_takes_version_2_objects_and_no_longer_text():
    validator = jsonschema.Draft7Validator(SCHEMA)
    data = json.loads(CASES["nested_children"]().to_json())
    validator.validate(data)
    assert not validator.is_valid(as_version_1(data))
    child = next(c for c in data["resource_changes"] if c["parent"])
    for broken in ({**child, "parent": str(Address.from_json(child["parent"]))},
                   {**child, "address": {"kind": child["kind"], "key": child["key"]}},
                   {**child, "address": {**child["address"], "extra": 1}},
                   {**child, "address": {**child["address"], "kind": "Not A Kind"}}):
        assert not validator.is_valid({**data, "resource_changes": [broken]})


def test_a_change_made_with_address_text_holds_an_address():
    change = ResourceChange("variant", "CT-1-2.5", Action.CREATE, parent="product['CT-1']")
    assert change.parent == Address("product", "CT-1") and change.parent.key == "CT-1"
    assert change.address.parent == change.parent and str(change.address) == "variant['CT-1-2.5']"
    assert ResourceChange("brand", "X", Action.CREATE).address == Address("brand", "X", None)


def test_what_a_targeted_read_did_not_reread_is_in_the_schema_and_round_trips():
    unread = {"channel_assignment": {"parents": 9975, "parent_kind": "product", "since": "2026-12-04T20:54:18+00:00"}}
    data = json.loads(Plan(unread=unread).to_json())
    jsonschema.validate(data, SCHEMA)
    assert data["unread"] == unread and Plan.from_json(json.dumps(data)).unread == unread
    assert "unread" not in Plan().to_dict()          # plans of full reads are unchanged
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**data, "unread": {"channel_assignment": {"parents": 0}}}, SCHEMA)
