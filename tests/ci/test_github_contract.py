"""The GitHub-facing code against GitHub's published REST description, over real HTTP on
127.0.0.1: every public method of ``reconciler.ci.github.GitHub`` and of the drift receiver's
``Dispatcher`` is run against the suite's double (tests/ci/github_double.py), which checks
each request and each answer against tests/ci/github_rest/. The list of methods comes from
the classes, so a method added without a scenario here fails ``test_every_method``; and
together the scenarios must use every vendored operation (an operation nothing calls any
more is dead weight in the description to keep current).

The second half shows the checker can fail: requests and answers that break the
description are reported, and ``assert_no_violations`` then fails."""

from __future__ import annotations

import inspect
import io
import zipfile

import pytest
import requests

from reconciler.ci.github import Env, GitHub
from reconciler.webhooks.receiver import EVENT_TYPE, Dispatcher, ReceiverSettings
from tests.ci.github_double import CONTRACT, GitHubDouble, to_json_schema

TOKEN = "ghs_contract-token-77a1"
PR = 7
MARKER = "<!-- catalog-reconciler:test -->"
FAMILY = ("catalog: changes", "catalog: blocked", "catalog: no changes")


@pytest.fixture
def github():
    gh = GitHubDouble(token=TOKEN).start()
    yield gh
    gh.stop()
    gh.assert_no_violations()


def client(gh: GitHubDouble) -> GitHub:
    return GitHub(gh.repo, TOKEN, gh.api_url)


def public_methods(cls: type) -> list[str]:
    return sorted(f"{cls.__name__}.{name}" for name, member in vars(cls).items()
                  if not name.startswith("_") and (inspect.isfunction(member) or isinstance(member, classmethod)))


METHODS = public_methods(GitHub) + public_methods(Dispatcher)


# ---- one scenario per method: what it sends, what it makes of GitHub's answers --------------

def from_env(gh, monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    made = GitHub.from_env(Env(repository=gh.repo, api_url=gh.api_url + "/"))
    assert made.comments(PR) == []
    assert gh.requests[-1].headers["Authorization"] == f"Bearer {TOKEN}"
    assert gh.requests[-1].path == f"/repos/{gh.repo}/issues/{PR}/comments"


def comments(gh, monkeypatch):
    for n in range(101):                                  # more than one page of 100
        gh.add_comment(PR, f"comment {n}")
    got = client(gh).comments(PR)
    assert [c["body"] for c in got] == [f"comment {n}" for n in range(101)]
    assert [r.query for r in gh.requests] == ["per_page=100&page=1", "per_page=100&page=2"]


def upsert_comment(gh, monkeypatch):
    gh.add_comment(PR, "a reviewer's comment")
    first = client(gh).upsert_comment(PR, MARKER, "plan one")
    again = client(gh).upsert_comment(PR, MARKER, "plan two")
    assert again["id"] == first["id"] and again["body"] == f"{MARKER}\nplan two"
    gh.add_comment(PR, f"{MARKER}\na racing run's comment")
    client(gh).upsert_comment(PR, MARKER, "plan three")
    assert [c["body"] for c in gh.comments[PR]] == ["a reviewer's comment", f"{MARKER}\nplan three"]


def set_label(gh, monkeypatch):
    gh.labels[PR] = ["merch", "catalog: blocked"]
    client(gh).set_label(PR, "catalog: changes", FAMILY)
    assert gh.labels[PR] == ["merch", "catalog: changes"]
    client(gh).set_label(PR, "catalog: changes", FAMILY)          # already so: nothing to change
    assert [r.method for r in gh.requests[-1:]] == ["GET"]


def upsert_issue(gh, monkeypatch):
    opened = client(gh).upsert_issue("catalog-apply-failed", "Catalog apply failed", "first")
    again = client(gh).upsert_issue("catalog-apply-failed", "Catalog apply failed again", "second")
    assert again["number"] == opened["number"] and len(gh.issues) == 1
    assert (gh.issues[0]["title"], gh.issues[0]["body"]) == ("Catalog apply failed again", "second")
    assert [lb["name"] for lb in gh.issues[0]["labels"]] == ["catalog-apply-failed"]


def pulls_of_commit(gh, monkeypatch):
    gh.add_pull("a" * 40, PR, head_sha="b" * 40)
    [pull] = client(gh).pulls_of_commit("a" * 40)
    assert (pull["number"], pull["merge_commit_sha"], pull["head"]["sha"]) == (PR, "a" * 40, "b" * 40)
    assert pull["merged_at"] and client(gh).pulls_of_commit("c" * 40) == []


def artifacts(gh, monkeypatch):
    old = gh.add_artifact("catalog-plan-x", {"plan.json": "{}"}, created_at="2026-12-01T00:00:00Z")
    new = gh.add_artifact("catalog-plan-x", {"plan.json": "{}"}, created_at="2026-12-03T00:00:00Z")
    gh.add_artifact("catalog-plan-x", {"plan.json": "{}"}, created_at="2026-12-04T00:00:00Z", expired=True)
    gh.add_artifact("catalog-plan-y", {"plan.json": "{}"})
    assert [a["id"] for a in client(gh).artifacts("catalog-plan-x")] == [new, old]


def download_artifact(gh, monkeypatch):
    artifact_id = gh.add_artifact("catalog-plan-x", {"plan.json": '{"format_version": 1}'})
    data = client(gh).download_artifact(artifact_id)
    assert zipfile.ZipFile(io.BytesIO(data)).read("plan.json") == b'{"format_version": 1}'
    assert gh.requests[-1].status == 302                    # GitHub's answer: a redirect to storage
    [blob] = gh.storage_requests
    assert "Authorization" not in blob.headers             # the token stays with api.github.com


def open_issues(gh, monkeypatch):
    mine = gh.add_issue("Catalog apply failed", ["catalog-apply-failed"])
    gh.add_issue("a PR with the label", ["catalog-apply-failed"], pull_request=True)
    gh.add_issue("another label", ["bug"])
    gh.add_issue("closed", ["catalog-apply-failed"])["state"] = "closed"
    assert [i["number"] for i in client(gh).open_issues("catalog-apply-failed")] == [mine["number"]]


def close_issues(gh, monkeypatch):
    a = gh.add_issue("one", ["catalog-apply-failed"])
    b = gh.add_issue("two", ["catalog-apply-failed"])
    assert client(gh).close_issues("catalog-apply-failed", "apply succeeded") == [a["number"], b["number"]]
    for issue in (a, b):
        assert (issue["state"], issue["state_reason"]) == ("closed", "completed") and issue["closed_at"]
        assert [c["body"] for c in gh.comments[issue["number"]]] == ["apply succeeded"]


def dispatch(gh, monkeypatch):
    settings = ReceiverSettings(repository=gh.repo, header="X-Drift-Secret", secret="s", token=TOKEN,
                                api_url=gh.api_url, retries=0)
    payload = {"events": 2, "distinct": 1, "scopes": {"store/product/updated": 2}, "refresh": "incremental"}
    assert Dispatcher(settings, sleep=lambda s: None).dispatch(payload) is True
    assert gh.dispatches == [{"event_type": EVENT_TYPE, "client_payload": payload}]


SCENARIOS = {f"GitHub.{f.__name__}": f for f in (from_env, comments, upsert_comment, set_label, upsert_issue,
                                                  pulls_of_commit, artifacts, download_artifact, open_issues,
                                                  close_issues)}
SCENARIOS["Dispatcher.dispatch"] = dispatch


def github_dispatch(gh, monkeypatch):
    client(gh).dispatch(EVENT_TYPE, {"events": 1, "refresh": "full"})
    assert gh.dispatches == [{"event_type": EVENT_TYPE, "client_payload": {"events": 1, "refresh": "full"}}]


if hasattr(GitHub, "dispatch"):          # GitHub.dispatch comes with branch ciapply
    SCENARIOS["GitHub.dispatch"] = github_dispatch


@pytest.mark.parametrize("method", METHODS)
def test_every_method(method, github, monkeypatch):
    assert method in SCENARIOS, f"{method} has no scenario in {__name__}: add one"
    SCENARIOS[method](github, monkeypatch)
    assert github.requests, f"{method}'s scenario sent nothing to the double"


def test_the_scenarios_use_every_vendored_operation(monkeypatch):
    seen: set[str] = set()
    for name, scenario in SCENARIOS.items():
        gh = GitHubDouble(token=TOKEN).start()
        try:
            scenario(gh, monkeypatch)
        finally:
            gh.stop()
        gh.assert_no_violations()
        seen |= gh.operations_seen()
    assert seen == CONTRACT.operation_ids, (f"called but not vendored: {sorted(seen - CONTRACT.operation_ids)}; "
                                            f"vendored but never called: {sorted(CONTRACT.operation_ids - seen)}")
    assert set(SCENARIOS) == set(METHODS)                    # no scenario for a method that is gone


# ---- the checker fails when it should -----------------------------------------------------

def send(gh, method, path, **kw):
    return requests.request(method, f"{gh.api_url}/repos/{gh.repo}{path}", timeout=10,
                            headers={"Authorization": f"Bearer {TOKEN}"}, **kw)


def test_a_wrong_request_body_is_reported_refused_and_fails_the_check():
    gh = GitHubDouble(token=TOKEN).start()
    try:
        answer = send(gh, "POST", f"/issues/{PR}/comments", json={"text": "the field is called body"})
    finally:
        gh.stop()
    assert answer.status_code == 422 and gh.comments.get(PR, []) == []
    assert gh.violations == [f"POST /repos/{gh.repo}/issues/{PR}/comments (issues/create-comment): "
                             "request body: 'body' is a required property (at $)"]
    with pytest.raises(AssertionError, match="'body' is a required property"):
        gh.assert_no_violations()


@pytest.mark.parametrize("method, path, kw, expected", [
    ("GET", "/issues", {"params": {"state": "opened"}}, "query parameter state: 'opened' is not one of"),
    ("GET", "/issues", {"params": {"per_page": "lots"}}, "query parameter per_page='lots' is not of type integer"),
    ("GET", "/actions/artifacts", {"params": {"label": "x"}}, "query parameter 'label' is not one the operation"),
    ("PATCH", "/issues/12", {"json": {"state": "done"}}, "request body: 'done' is not one of ['open', 'closed']"),
    ("PATCH", "/issues/12", {"data": "state=closed", "headers": {"Content-Type": "application/x-www-form-urlencoded",
                                                                 "Authorization": f"Bearer {TOKEN}"}},
     "the body's Content-Type is 'application/x-www-form-urlencoded'"),
    ("POST", f"/issues/{PR}/labels", {"json": {"labels": []}}, "request body: {'labels': []} is not valid under any"),
    ("DELETE", "/issues/comments/5", {"json": {"body": "x"}}, "a body was sent; the operation takes none"),
    ("POST", "/dispatches", {}, "the operation requires a body; none was sent"),
    ("POST", "/dispatches", {"json": {"event_type": "x" * 101}}, "request body: 'xxxx"),
    ("GET", "/issues/not-a-number/comments", {}, "path parameter issue_number='not-a-number' is not of type integer"),
    ("PUT", f"/issues/{PR}/labels", {"json": {"labels": ["a"]}}, "no operation of the description has this method"),
])
def test_requests_outside_the_description_are_reported(method, path, kw, expected):
    gh = GitHubDouble(token=TOKEN).start()
    try:
        if "headers" in kw:
            answer = requests.request(method, f"{gh.api_url}/repos/{gh.repo}{path}", timeout=10, **kw)
        else:
            answer = send(gh, method, path, **kw)
    finally:
        gh.stop()
    assert answer.status_code in (404, 422)
    assert any(expected in v for v in gh.violations), gh.violations


def test_another_repository_is_not_found():
    gh = GitHubDouble(token=TOKEN).start()
    try:
        answer = requests.post(f"{gh.api_url}/repos/gtse/elsewhere/dispatches", json={"event_type": "x"},
                               headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
    finally:
        gh.stop()
    assert answer.status_code == 404 and gh.dispatches == []
    gh.assert_no_violations()                                # 404 is one of the operation's answers


def test_an_answer_outside_the_description_is_reported():
    """The double's own state is checked too: a seeded artifact without GitHub's required
    fields, a comment whose body is null (not nullable in issue-comment)."""
    gh = GitHubDouble(token=TOKEN).start()
    try:
        gh.artifacts.append({"id": 1, "name": "catalog-plan-x"})
        gh.add_comment(PR, None)
        client(gh).artifacts("catalog-plan-x")
        client(gh).comments(PR)
    finally:
        gh.stop()
    assert any("response 200: 'node_id' is a required property (at $.artifacts[0])" in v for v in gh.violations)
    assert any("response 200: None is not of type 'string' (at $[0].body)" in v for v in gh.violations)


def test_nullable_means_null_or_the_type():
    schema = to_json_schema({"type": "object", "properties": {"body": {"type": "string", "nullable": True}}})
    import jsonschema
    jsonschema.validate({"body": None}, schema)
    jsonschema.validate({"body": "text"}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"body": 3}, schema)


def test_set_label_reads_every_page_of_the_pr_s_labels(github):
    """list-labels-on-issue pages at 30 by default (its per-page parameter): a family label
    after the 30th must still be seen, and taken away."""
    github.labels[PR] = [f"team-{n}" for n in range(30)] + ["catalog: blocked"]
    client(github).set_label(PR, "catalog: changes", FAMILY)
    assert "catalog: blocked" not in github.labels[PR] and "catalog: changes" in github.labels[PR]
