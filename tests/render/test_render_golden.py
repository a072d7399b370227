"""Every case rendered in every format, compared with tests/render/golden/."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
from .render_cases import CASES, SMALL, TEXT

from reconciler.plan.model import Plan
from reconciler.plan.render_json import render_json
from reconciler.plan.render_markdown import MARKER, render_markdown
from reconciler.plan.render_text import render_text

SCHEMA = json.loads((Path(__file__).parents[2] / "schemas" / "plan.schema.json").read_text(encoding="utf-8"))
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.mark.parametrize("case", TEXT)
def test_text_golden(case, golden):
    golden.check(f"{case}.txt", render_text(CASES[case]()))


@pytest.mark.parametrize("case", list(CASES))
def test_markdown_golden(case, golden):
    golden.check(f"{case}.md", render_markdown(CASES[case]()))


@pytest.mark.parametrize("case", SMALL)
def test_json_golden(case, golden):
    golden.check(f"{case}.json", render_json(CASES[case]()))


@pytest.mark.parametrize("case", list(CASES))
def test_json_matches_schema(case):
    jsonschema.Draft7Validator(SCHEMA).validate(json.loads(render_json(CASES[case]())))


@pytest.mark.parametrize("case", list(CASES))
def test_json_round_trips(case):
    plan = CASES[case]()
    again = Plan.from_json(render_json(plan))
    assert again.to_dict() == plan.to_dict()
    assert render_text(again) == render_text(plan)


@pytest.mark.parametrize("case", list(CASES))
def test_color_differs_from_plain_only_by_ansi_codes(case):
    plan = CASES[case]()
    colored = render_text(plan, color=True)
    assert ANSI.sub("", colored) == render_text(plan)
    assert colored != render_text(plan)     # the summary line at least is bold


@pytest.mark.parametrize("case", list(CASES))
def test_markdown_starts_with_marker_and_fits_a_comment(case):
    text = render_markdown(CASES[case]())
    assert text.startswith(MARKER + "\n")
    assert text.count(MARKER) == 1
    assert len(text) < 60_000


@pytest.mark.parametrize("case", list(CASES))
def test_no_credentials_anywhere(case):
    plan = CASES[case]()
    assert set(plan.to_dict()["store"]) <= {"api_url", "store_hash"}
    for out in (render_text(plan), render_markdown(plan), render_json(plan)):
        assert "token" not in out.lower()


def test_schema_refuses_a_token_in_store():
    data = CASES["mixed"]().to_dict()
    data["store"]["access_token"] = "secret"
    with pytest.raises(jsonschema.ValidationError, match="access_token"):
        jsonschema.Draft7Validator(SCHEMA).validate(data)


def test_schema_is_closed_and_versioned():
    validator = jsonschema.Draft7Validator(SCHEMA)
    jsonschema.Draft7Validator.check_schema(SCHEMA)
    data = CASES["mixed"]().to_dict()
    for broken in (
        {**data, "format_version": "1"},
        {**data, "format_version": "3"},
        {**data, "extra": 1},
        {**data, "resource_changes": [{**data["resource_changes"][0], "action": "replace"}]},
        {**data, "resource_changes": [{**data["resource_changes"][0], "after": {"price": {"$decimal": 12.5}}}]},
    ):
        assert not validator.is_valid(broken)


def test_schema_describes_blocked_and_impact():
    validator = jsonschema.Draft7Validator(SCHEMA)
    data = json.loads(render_json(CASES["price_drop_blocked"]()))
    assert data["impact"][0]["min_pct"] == {"$decimal": "-50.0"}
    assert data["resource_changes"][0]["blocked"].startswith("price drops 50.0%")
    row = data["impact"][0]
    for broken in ({**row, "changed": -1}, {**row, "min_pct": -50.0}, {**row, "extra": 1},
                   {k: v for k, v in row.items() if k != "blocked"}):
        assert not validator.is_valid({**data, "impact": [broken]})
    assert not validator.is_valid({**data, "resource_changes": [{**data["resource_changes"][0], "blocked": 1}]})


def test_plans_written_before_guardrails_still_validate_and_load():
    data = json.loads(render_json(CASES["mixed"]()))
    del data["impact"]
    for change in data["resource_changes"]:
        del change["blocked"]
    jsonschema.Draft7Validator(SCHEMA).validate(data)
    plan = Plan.from_dict(data)
    assert plan.impact == [] and plan.blocked == []
