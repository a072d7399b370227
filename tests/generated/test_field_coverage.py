"""Generated coverage (issue 11): every kind x every field a schema lets YAML manage x
each step, plan -> apply -> plan "No changes" over HTTP against the sandbox, and every
request body valid per the official specs (tests/contract/spec_checker.py).

Cases come from reconciler.resources.REGISTRY and schemas/*.schema.json (cases.py): a
field added to a schema is a new case without a line here. For speed, each step is ONE
catalog in which every case has an object of its own, ONE plan, ONE apply and ONE plan
again (the ``runs`` fixture); each case's test then reads its own part of that result
(changes and failures whose key carries the case's token, request bodies naming it or
its ids), so a case passes or fails on its own. Test ids: ``kind-field-step``.
"""

from __future__ import annotations

import json
import traceback
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from reconciler import apply_saved_plan, build_plan, connect, load_desired, read_live
from reconciler.plan.model import Action
from reconciler.store.config import StoreConfig

from ..contract.spec_checker import checker, invalid_writes
from .cases import CASES, EXCLUDED, GROUPS, LIST_STEPS, STEPS, catalog, excluded_fields, load
from reconciler.resources import REGISTRY

ORDER = STEPS + LIST_STEPS
HEADER = "# yaml-language-server: $schema=../schemas/catalog.schema.json\n"


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(Decimal, lambda d, v: d.represent_scalar("tag:yaml.org,2002:float", str(v)))


def _write(root: Path, step: str, group: str) -> Path:
    base = root / step / group
    base.mkdir(parents=True)
    text = yaml.dump(catalog(step, group), Dumper=_Dumper, sort_keys=False)
    (base / "catalog.yaml").write_text(HEADER.replace("../", "../../") + text,
                                       encoding="utf-8")
    return base


def _pending(plan) -> list:
    return [c for c in plan.changes if c.action is not Action.NOOP]


def _run_step(client, config, root: Path, step: str, group: str, server) -> dict:
    out: dict = {"error": None, "before": [], "failed": [], "after": [], "log": [], "ids": {}}
    start = len(server.requests())
    try:
        desired = load_desired(_write(root, step, group))
        live = read_live(client, desired.store)
        plan = build_plan(desired, live, store=config.public())
        out["before"] = _pending(plan)
        result = apply_saved_plan(plan, client, desired.store, check_stale=False, live=live,
                                  allow_price_drop=True)
        out["failed"] = [(o.change.kind, o.change.key, o.message) for o in result.failed]
        out["log"] = server.requests()[start:]
        live = read_live(client, desired.store)
        out["after"] = _pending(build_plan(desired, live, store=config.public()))
        out["ids"] = {(o.kind, o.id): o.key for kind in live.objects.values() for o in kind.values()}
    except Exception as exc:   # a step that cannot run fails every case of it, with the cause
        out["error"] = "".join(traceback.format_exception_only(exc)).strip()
        out["log"] = out["log"] or server.requests()[start:]
    return out


@pytest.fixture(scope="module")
def runs(sandbox_server, tmp_path_factory):
    sandbox_server.reset(seed="empty")
    sandbox_server.configure(quota=100000, window_ms=30000, latency_ms=0)
    config = StoreConfig(api_url=sandbox_server.url, store_hash=sandbox_server.store_hash,
                         token=sandbox_server.token)
    root = tmp_path_factory.mktemp("generated")
    with connect(config, parallelism=4) as client:
        results = {(step, group): _run_step(client, config, root, step, group, sandbox_server)
                   for step in ORDER for group in GROUPS}
    sandbox_server.reset(seed="empty")
    return results


def _mine(case, change) -> bool:
    return case.token in change.key or case.token in str(change.parent or "")


def _describe(changes) -> list[str]:
    return [f"{c.action.verb} {c.kind} {c.key!r}: " + ", ".join(
        f"{f.path} {f.before!r} -> {f.after!r}" for f in c.changes) for c in changes]


_ROUTE_KINDS = {"/v3/catalog/brands": "brand", "/v3/catalog/trees/categories": "category",
                "/v3/catalog/variants": "variant", "/v3/catalog/products": "product",
                "/v3/pricelists": "price_list", "/v2/customer_groups": "customer_group"}
_ITEM_IDS = {"product_id": "product", "variant_id": "variant"}


def _named_ids(entry: dict) -> set[tuple[str, int]]:
    """(kind, id) the request's path names: ``{brand_id}`` in the spec's template -> brand."""
    template = checker().operation(entry["method"], entry["path"])[0]
    return {(param[1:-4], int(seg)) for param, seg in zip(template.split("/"), entry["path"].split("/"))
            if param.endswith("_id}") and seg.isdigit()}


def _item_ids(entry: dict, item) -> set[tuple[str, int]]:
    if not isinstance(item, dict):
        return set()
    kind = next((k for prefix, k in _ROUTE_KINDS.items() if entry["path"] == prefix), None)
    out = {(kind, item["id"])} if kind and "id" in item else set()
    return out | {(k, item[f]) for f, k in _ITEM_IDS.items() if f in item}


def _bad_writes(case, log: list[dict], ids: dict) -> list[str]:
    """Spec errors of the bodies that carry the case's token or name its objects' ids
    (by kind: a brand id in a brand's path, a product id in a batch item's product_id)."""
    mine = {(kind, i) for (kind, i), key in ids.items() if case.token in key}
    out = []
    for entry in log:
        if entry["method"] not in ("POST", "PUT") or entry.get("body") is None:
            continue
        errors = checker().errors(entry["method"], entry["path"], entry["body"])
        if not errors:
            continue
        body = json.loads(entry["body"])
        whole = case.token in entry["body"] or bool(_named_ids(entry) & mine)
        for where, message in errors:
            item = body[where[0]] if where and isinstance(body, list) else None
            if whole or (item is not None and (case.token in json.dumps(item) or _item_ids(entry, item) & mine)):
                out.append(message)
    return out


PARAMS = [pytest.param(case, step, id=f"{case.id}-{step}") for step in ORDER for case in CASES
          if step in case.steps]


@pytest.mark.parametrize(("case", "step"), PARAMS)
def test_field_round_trips(runs, case, step):
    run = runs[step, case.owner]
    assert run["error"] is None, f"step {step} of the {case.owner} catalog could not run: {run['error']}"
    failed = [f for f in run["failed"] if case.token in f[1]]
    assert not failed, f"apply failed: {failed}"
    before = [c for c in run["before"] if _mine(case, c)]
    if step == "unset":
        # Left out of YAML: unmanaged from now on, so the plan shows nothing for it.
        assert not before, f"plan after removing {case.field} from YAML: {_describe(before)}"
    else:
        assert before, f"the {step} step planned nothing for {case.field}: the case does not exercise it"
    after = [c for c in run["after"] if _mine(case, c)]
    assert not after, f"plan after apply is not 'No changes': {_describe(after)}"
    bad = _bad_writes(case, run["log"], run["ids"])
    assert not bad, "request bodies the official spec refuses:\n" + "\n".join(bad)


@pytest.mark.parametrize("step", ORDER)
def test_every_write_of_the_step_is_valid_per_spec(runs, step):
    assert [m for g in GROUPS for m in invalid_writes(runs[step, g]["log"])] == []


def test_every_kind_has_a_case():
    assert {k.name for k in REGISTRY} == {c.kind for c in CASES}


def test_every_schema_field_is_covered_or_excluded():
    covered = {(c.owner if c.kind == c.owner or c.is_list else c.owner, c.field) for c in CASES}
    covered |= {(c.kind, c.field) for c in CASES}
    missing = []
    for kind in REGISTRY:
        if kind.parent is None:
            for name in load(kind.schema)["properties"]:
                if (kind.name, name) not in covered and (kind.name, name) not in excluded_fields():
                    missing.append(f"{kind.name}.{name}")
    assert not missing, f"schema fields neither covered nor in EXCLUDED: {missing}"
    assert all(reason for reason in EXCLUDED.values())
