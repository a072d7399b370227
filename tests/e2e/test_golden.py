"""Golden plans: tests/golden/<case>/{live.json, catalog/, plan.txt, plan.md, plan.json}.

Each case seeds the sandbox with live.json, plans catalog/ against it over HTTP
and compares the three renderings byte for byte. After an intended change of
output, regenerate with `pytest --update-golden tests/e2e/test_golden.py` and
review the diff.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reconciler import build_plan, load_desired, read_live
from reconciler.plan.render_json import render_json
from reconciler.plan.render_markdown import render_markdown
from reconciler.plan.render_text import render_text

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
CASES = sorted(p.name for p in GOLDEN.iterdir() if (p / "live.json").is_file())
RENDERERS = {"plan.txt": render_text, "plan.md": render_markdown, "plan.json": render_json}


@pytest.mark.parametrize("case", CASES)
def test_golden_plan(case, sandbox, client, monkeypatch, update_golden):
    folder = GOLDEN / case
    sandbox.reset(data=json.loads((folder / "live.json").read_text()))
    monkeypatch.chdir(folder)  # sources read "catalog/...", wherever pytest runs
    desired = load_desired(Path("catalog"))
    plan = build_plan(desired, read_live(client, desired.store),
                      store={"api_url": "http://sandbox.invalid", "store_hash": "gtse"})
    plan.created_at = "2026-01-01T00:00:00+00:00"
    for change in plan.changes:  # the store's date_modified is real time
        change.fingerprint = "<fingerprint>" if change.fingerprint else None
        change.live_modified = "<date_modified>" if change.live_modified else None
    mismatched = []
    for name, render in RENDERERS.items():
        got = render(plan)
        path = folder / name
        if update_golden:
            path.write_text(got, encoding="utf-8")
        elif not path.is_file() or path.read_text(encoding="utf-8") != got:
            mismatched.append(name)
    assert not mismatched, f"{case}: {mismatched} differ from golden (rerun with --update-golden and review)"
