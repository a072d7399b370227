"""The one local double of the GitHub REST endpoints catalog-reconciler calls, on 127.0.0.1,
checked against GitHub's published REST description (the subset vendored in github_rest/).

    >>> gh = GitHubDouble(token="ghs_x").start()
    >>> gh.add_pull("abc", number=7, head_sha="def")          # PR 7 merged as commit abc
    >>> gh.add_artifact("catalog-plan-def", {"plan.json": text})
    >>> gh.api_url                                            # GITHUB_API_URL for the command
    >>> gh.comments[7], gh.labels[7], gh.issues, gh.dispatches, gh.requests
    >>> gh.stop(); gh.assert_no_violations()                  # what a fixture does at teardown

Every request is matched to an operation of the description (method and path), its query
parameters must be ones the operation declares (values valid for their schemas), its JSON
body valid for the operation's requestBody; every answer the double gives must be a status
the operation lists, with a body valid for that status's schema. Each miss is recorded in
``violations`` and ``assert_no_violations`` fails the test that caused it; a request that
breaks the description is answered 422 "Validation Failed" (as GitHub would refuse it) and
changes nothing.

Not checked, on purpose: the 401 the double answers to a wrong token and the statuses a test
queues in ``fail`` (injected faults: GitHub can answer 5xx anywhere, its description lists
them on few operations). Both are recorded in ``requests`` like any other answer.

State is in memory and shaped as GitHub's objects are (issue, issue-comment, label,
pull-request-simple, artifact with every required field), so a client reading a field
GitHub really sends finds it here, and one reading a field GitHub does not send does not.
Artifact downloads answer 302 to a second local server (another port: "storage"), as GitHub
redirects to its blob storage; ``storage_requests`` shows what reached it.
"""

from __future__ import annotations

import io
import itertools
import json
import re
import threading
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable
from urllib.parse import parse_qsl, unquote

import jsonschema
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

SPEC_PATH = Path(__file__).resolve().parent / "github_rest" / "api.github.com.subset.json"
SPEC: dict = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
METHODS = ("get", "put", "post", "delete", "patch")


# ---- the description as a checker ----------------------------------------------------------

def _pointer(spec: dict, ref: str) -> Any:
    if not ref.startswith("#/"):
        raise ValueError(f"only local $refs are vendored, not {ref}")
    node: Any = spec
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def resolve(spec: dict, node: Any) -> Any:
    """``node`` with every ``$ref`` replaced by what it points at."""
    if isinstance(node, list):
        return [resolve(spec, n) for n in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return resolve(spec, _pointer(spec, node["$ref"]))
    return {k: resolve(spec, v) for k, v in node.items()}


def to_json_schema(node: Any) -> Any:
    """An OpenAPI 3.0 schema as JSON Schema: ``nullable: true`` becomes ``anyOf [..., null]``
    (jsonschema would ignore the keyword, and an answer of null would fail the type)."""
    if isinstance(node, list):
        return [to_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: to_json_schema(v) for k, v in node.items() if not (k == "nullable" and isinstance(v, bool))}
    if node.get("nullable") is True:
        return {"anyOf": [out, {"type": "null"}]}
    return out


def _errors(schema: Any, value: Any) -> list[str]:
    validator = jsonschema.Draft202012Validator(to_json_schema(schema))
    return [f"{e.message} (at {e.json_path})" for e in sorted(validator.iter_errors(value), key=lambda e: e.json_path)]


def _coerce(schema: dict, raw: str) -> Any:
    """A query or path parameter's text as the type its schema declares."""
    kind = schema.get("type")
    if kind == "integer":
        return int(raw)
    if kind == "number":
        return float(raw)
    if kind == "boolean":
        return {"true": True, "false": False}[raw]
    return raw


@dataclass
class Operation:
    method: str
    template: str
    spec: dict
    regex: re.Pattern = field(init=False)

    def __post_init__(self) -> None:
        pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(self.template))
        self.regex = re.compile(f"^{pattern}$")

    @property
    def id(self) -> str:
        return self.spec["operationId"]

    def parameters(self, where: str) -> dict[str, dict]:
        return {p["name"]: p for p in self.spec.get("parameters", []) if p["in"] == where}


class Contract:
    """The vendored operations, each with its $refs resolved."""

    def __init__(self, spec: dict = SPEC) -> None:
        self.operations = [Operation(method.upper(), template, resolve(spec, op))
                           for template, item in spec["paths"].items()
                           for method, op in item.items() if method in METHODS]
        # fewer parameters first, so a literal segment wins over a parameter in the same place
        self.operations.sort(key=lambda op: op.template.count("{"))

    @property
    def operation_ids(self) -> set[str]:
        return {op.id for op in self.operations}

    def match(self, method: str, raw_path: str) -> tuple[Operation | None, dict[str, str]]:
        for op in self.operations:
            found = op.regex.match(raw_path)
            if found and op.method == method:
                return op, {k: unquote(v) for k, v in found.groupdict().items()}
        return None, {}

    def check_request(self, op: Operation, path_params: dict[str, str], query: list[tuple[str, str]],
                      content_type: str, raw_body: bytes) -> list[str]:
        problems = []
        for name, param in op.parameters("path").items():
            try:
                value = _coerce(param["schema"], path_params[name])
            except (KeyError, ValueError):
                problems.append(f"path parameter {name}={path_params.get(name)!r} is not of type {param['schema'].get('type')}")
                continue
            problems += [f"path parameter {name}: {e}" for e in _errors(param["schema"], value)]
        declared = op.parameters("query")
        for name, raw in query:
            if name not in declared:
                problems.append(f"query parameter {name!r} is not one the operation declares ({sorted(declared)})")
                continue
            try:
                value = _coerce(declared[name]["schema"], raw)
            except (KeyError, ValueError):
                problems.append(f"query parameter {name}={raw!r} is not of type {declared[name]['schema'].get('type')}")
                continue
            problems += [f"query parameter {name}: {e}" for e in _errors(declared[name]["schema"], value)]
        given = {name for name, _ in query}
        problems += [f"required query parameter {name!r} is missing" for name, p in declared.items()
                     if p.get("required") and name not in given]
        declared_body = op.spec.get("requestBody")
        if raw_body:
            if declared_body is None:
                problems.append("a body was sent; the operation takes none")
            elif not content_type.startswith("application/json"):
                problems.append(f"the body's Content-Type is {content_type!r}, not application/json")
            else:
                try:
                    body = json.loads(raw_body)
                except ValueError:
                    problems.append("the body is not JSON")
                else:
                    schema = declared_body["content"]["application/json"]["schema"]
                    problems += [f"request body: {e}" for e in _errors(schema, body)]
        elif declared_body and declared_body.get("required"):
            problems.append("the operation requires a body; none was sent")
        return problems

    def check_response(self, op: Operation, status: int, content_type: str, raw_body: bytes) -> list[str]:
        declared = op.spec.get("responses", {})
        if str(status) not in declared:
            return [f"answered {status}; the operation's responses are {sorted(declared)}"]
        content = declared[str(status)].get("content")
        if not content:
            return [f"answered {status} with a body; the description gives that status none"] if raw_body else []
        if not content_type.startswith("application/json"):
            return [f"answered {status} as {content_type!r}, not application/json"]
        try:
            body = json.loads(raw_body)
        except ValueError:
            return [f"answered {status} with a body that is not JSON"]
        return [f"response {status}: {e}" for e in _errors(content["application/json"]["schema"], body)]


CONTRACT = Contract()


# ---- the double ------------------------------------------------------------------------------

@dataclass
class Seen:
    """One request as the double saw it; ``seen["headers"]`` works as ``seen.headers``."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: str
    operation: str | None = None
    status: int | None = None

    def __getitem__(self, key: str) -> Any:
        return getattr(self, key)


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _json(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data), status, content_type="application/json; charset=utf-8")


class _Answer(Exception):
    def __init__(self, response: Response) -> None:
        self.response = response


class GitHubDouble:
    def __init__(self, token: str, repo: str = "gtse/catalog", contract: Contract = CONTRACT) -> None:
        self.token = token
        self.repo = repo
        self.contract = contract
        self.pulls: dict[str, list[dict]] = {}          # commit sha -> pull-request-simple objects
        self.artifacts: list[dict] = []                 # artifact objects
        self.zips: dict[int, bytes] = {}
        self.comments: dict[int, list[dict]] = {}       # issue/PR number -> issue-comment objects
        self.labels: dict[int, list[str]] = {}          # issue/PR number -> label names
        self.issues: list[dict] = []                    # issue objects
        self.dispatches: list[dict] = []                # request bodies of repository dispatches
        self.requests: list[Seen] = []
        self.storage_requests: list[Seen] = []
        self.fail: list[int] = []                       # statuses to answer next, whatever is asked
        self.violations: list[str] = []
        self._ids = itertools.count(1000)
        self._label_ids: dict[str, int] = {}
        self._lock = threading.RLock()
        self._server = self._storage = None
        self.owner_user = self._user(repo.split("/")[0])
        self.repository = self._repository()

    # -- serving -----------------------------------------------------------------------------

    def start(self) -> "GitHubDouble":
        self._server = make_server("127.0.0.1", 0, self._app, threaded=True)
        self._storage = make_server("127.0.0.1", 0, self._storage_app, threaded=True)
        for server in (self._server, self._storage):
            threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        for server in (self._server, self._storage):
            if server:
                server.shutdown()
                server.server_close()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    url = api_url

    @property
    def storage_url(self) -> str:
        return f"http://127.0.0.1:{self._storage.server_port}"

    def assert_no_violations(self) -> None:
        assert not self.violations, ("requests or answers outside GitHub's REST description "
                                     f"({SPEC_PATH.name}):\n  " + "\n  ".join(self.violations))

    def operations_seen(self) -> set[str]:
        return {r.operation for r in self.requests if r.operation}

    def bodies(self) -> str:
        """Everything sent to us: every body, query and header but Authorization."""
        return "\n".join(f"{r.query}\n{r.body}\n" + "\n".join(f"{k}: {v}" for k, v in r.headers.items()
                                                             if k.lower() != "authorization")
                         for r in self.requests + self.storage_requests)

    # -- seeding (what GitHub already holds) ---------------------------------------------------

    def add_pull(self, sha: str, number: int, head_sha: str, merged: bool = True) -> dict:
        api, html = self._api_base, f"https://github.com/{self.repo}"
        when = "2026-12-04T12:00:00Z"
        side = lambda ref, commit: {"label": f"{self.repo.split('/')[0]}:{ref}", "ref": ref, "sha": commit,
                                    "repo": self.repository, "user": self.owner_user}
        pull = {"url": f"{api}/pulls/{number}", "id": next(self._ids), "node_id": f"PR_{number}",
                "html_url": f"{html}/pull/{number}", "diff_url": f"{html}/pull/{number}.diff",
                "patch_url": f"{html}/pull/{number}.patch", "issue_url": f"{api}/issues/{number}",
                "commits_url": f"{api}/pulls/{number}/commits", "review_comments_url": f"{api}/pulls/{number}/comments",
                "review_comment_url": f"{api}/pulls/comments{{/number}}",
                "comments_url": f"{api}/issues/{number}/comments", "statuses_url": f"{api}/statuses/{head_sha}",
                "number": number, "state": "closed" if merged else "open", "locked": False,
                "title": f"Catalog change #{number}", "user": self.owner_user, "body": None, "labels": [],
                "milestone": None, "active_lock_reason": None, "created_at": "2026-12-04T10:00:00Z",
                "updated_at": when, "closed_at": when if merged else None, "merged_at": when if merged else None,
                "merge_commit_sha": sha, "assignee": None, "assignees": [], "requested_reviewers": [],
                "requested_teams": [], "head": side(f"pr-{number}", head_sha), "base": side("main", sha),
                "_links": {k: {"href": f"{api}/pulls/{number}"} for k in
                           ("comments", "commits", "statuses", "html", "issue", "review_comments", "review_comment",
                            "self")},
                "author_association": "MEMBER", "auto_merge": None, "draft": False}
        self.pulls.setdefault(sha, []).append(pull)
        self.comments.setdefault(number, [])
        return pull

    def add_artifact(self, name: str, files: dict[str, str | bytes], created_at: str = "2026-12-04T11:00:00Z",
                     expired: bool = False) -> int:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            for path, content in files.items():
                zf.writestr(path, content)
        artifact_id = next(self._ids)
        self.zips[artifact_id] = buf.getvalue()
        self.artifacts.append({"id": artifact_id, "node_id": f"MDg6QXJ0aWZhY3Q{artifact_id}", "name": name,
                               "size_in_bytes": len(buf.getvalue()),
                               "url": f"{self._api_base}/actions/artifacts/{artifact_id}",
                               "archive_download_url": f"{self._api_base}/actions/artifacts/{artifact_id}/zip",
                               "expired": expired, "created_at": created_at, "expires_at": "2027-03-04T11:00:00Z",
                               "updated_at": created_at, "digest": None,
                               "workflow_run": {"id": 4242, "repository_id": self.repository["id"],
                                                "head_repository_id": self.repository["id"], "head_branch": "pr",
                                                "head_sha": "0" * 40}})
        return artifact_id

    def add_issue(self, title: str, labels: list[str], body: str | None = "", pull_request: bool = False) -> dict:
        """An open issue; with ``pull_request`` the issue side of a PR (GitHub lists both)."""
        number = next(self._ids)
        api, html = self._api_base, f"https://github.com/{self.repo}"
        when = _now()
        issue = {"id": next(self._ids), "node_id": f"I_{number}", "url": f"{api}/issues/{number}",
                 "repository_url": api, "labels_url": f"{api}/issues/{number}/labels{{/name}}",
                 "comments_url": f"{api}/issues/{number}/comments", "events_url": f"{api}/issues/{number}/events",
                 "html_url": f"{html}/issues/{number}", "number": number, "state": "open", "state_reason": None,
                 "title": title, "body": body, "user": self.owner_user,
                 "labels": [self._label(n) for n in labels], "assignee": None, "assignees": [], "milestone": None,
                 "locked": False, "active_lock_reason": None, "comments": 0, "closed_at": None,
                 "created_at": when, "updated_at": when, "author_association": "MEMBER"}
        if pull_request:
            issue["pull_request"] = {"merged_at": None, "diff_url": f"{html}/pull/{number}.diff",
                                     "html_url": f"{html}/pull/{number}", "patch_url": f"{html}/pull/{number}.patch",
                                     "url": f"{api}/pulls/{number}"}
        self.issues.append(issue)
        self.comments.setdefault(number, [])
        return issue

    def add_comment(self, number: int, body: str) -> dict:
        comment = self._comment(number, body)
        self.comments.setdefault(number, []).append(comment)
        return comment

    # -- GitHub's objects --------------------------------------------------------------------

    @property
    def _api_base(self) -> str:
        return f"https://api.github.com/repos/{self.repo}"

    def _user(self, login: str) -> dict:
        api, html = f"https://api.github.com/users/{login}", f"https://github.com/{login}"
        return {"login": login, "id": 4242, "node_id": "MDQ6VXNlcjQyNDI=",
                "avatar_url": "https://avatars.githubusercontent.com/u/4242", "gravatar_id": "", "url": api,
                "html_url": html, "followers_url": f"{api}/followers", "following_url": f"{api}/following{{/other_user}}",
                "gists_url": f"{api}/gists{{/gist_id}}", "starred_url": f"{api}/starred{{/owner}}{{/repo}}",
                "subscriptions_url": f"{api}/subscriptions", "organizations_url": f"{api}/orgs",
                "repos_url": f"{api}/repos", "events_url": f"{api}/events{{/privacy}}",
                "received_events_url": f"{api}/received_events", "type": "Organization", "site_admin": False}

    def _repository(self) -> dict:
        api, html = self._api_base, f"https://github.com/{self.repo}"
        urls = {f"{k}_url": f"{api}/{k.replace('_', '/')}{{/x}}" for k in (
            "archive", "assignees", "blobs", "branches", "collaborators", "comments", "commits", "compare",
            "contents", "git_commits", "git_refs", "git_tags", "issue_comment", "issue_events", "issues", "keys",
            "labels", "milestones", "notifications", "pulls", "releases", "statuses", "trees")}
        urls.update({f"{k}_url": f"{api}/{k}" for k in (
            "contributors", "deployments", "downloads", "events", "forks", "languages", "merges", "stargazers",
            "subscribers", "subscription", "tags", "teams", "hooks")})
        return {"id": 1296269, "node_id": "R_kgDOcatalog", "name": self.repo.split("/")[1], "full_name": self.repo,
                "license": None, "forks": 0, "owner": self.owner_user, "private": True, "html_url": html,
                "description": "catalog as code", "fork": False, "url": api, **urls,
                "git_url": f"git://github.com/{self.repo}.git", "ssh_url": f"git@github.com:{self.repo}.git",
                "clone_url": f"{html}.git", "svn_url": html, "mirror_url": None, "homepage": None, "language": None,
                "forks_count": 0, "stargazers_count": 0, "watchers_count": 0, "size": 120, "default_branch": "main",
                "open_issues_count": 0, "open_issues": 0, "watchers": 0, "has_issues": True, "has_projects": False,
                "has_wiki": False, "has_pages": False, "has_downloads": False, "archived": False, "disabled": False,
                "pushed_at": "2026-12-04T12:00:00Z", "created_at": "2026-01-01T00:00:00Z",
                "updated_at": "2026-12-04T12:00:00Z"}

    def _label(self, name: str) -> dict:
        label_id = self._label_ids.setdefault(name, next(self._ids))
        return {"id": label_id, "node_id": f"LA_{label_id}", "name": name, "description": None, "color": "ededed",
                "url": f"{self._api_base}/labels/{name}", "default": False}

    def _comment(self, number: int, text: str) -> dict:
        comment_id, when = next(self._ids), _now()
        return {"id": comment_id, "node_id": f"IC_{comment_id}", "url": f"{self._api_base}/issues/comments/{comment_id}",
                "html_url": f"https://github.com/{self.repo}/issues/{number}#issuecomment-{comment_id}",
                "body": text, "user": self.owner_user, "created_at": when, "updated_at": when,
                "issue_url": f"{self._api_base}/issues/{number}", "author_association": "MEMBER"}

    # -- WSGI --------------------------------------------------------------------------------

    def _app(self, environ, start_response):
        request = Request(environ)
        raw = request.get_data()
        raw_path = (environ.get("RAW_URI") or environ.get("REQUEST_URI") or request.path).split("?", 1)[0]
        query = parse_qsl(request.query_string.decode(), keep_blank_values=True)
        seen = Seen(request.method, request.path, request.query_string.decode(), dict(request.headers),
                    raw.decode("utf-8", "replace"))
        with self._lock:
            self.requests.append(seen)
            op, params = self.contract.match(request.method, raw_path)
            seen.operation = op.id if op else None
            where = f"{request.method} {raw_path}"
            if op is None:
                self.violations.append(f"{where}: no operation of the description has this method and path")
                refused = []
            else:
                refused = self.contract.check_request(op, params, query, request.content_type or "", raw)
                self.violations += [f"{where} ({op.id}): {p}" for p in refused]
            checked = True
            if refused:          # as GitHub refuses a request it cannot take; not run, not checked
                response, checked = _json({"message": "Validation Failed", "errors": refused}, 422), False
            elif self.fail:
                response, checked = _json({"message": "injected fault"}, self.fail.pop(0)), False
            elif request.headers.get("Authorization") != f"Bearer {self.token}":
                response, checked = _json({"message": "Bad credentials"}, 401), False
            elif op is None or f"{params['owner']}/{params['repo']}" != self.repo:
                response = _json({"message": "Not Found"}, 404)       # as for a repository the token cannot see
            else:
                try:
                    response = self._handle(op, params, dict(query), json.loads(raw) if raw else None)
                except _Answer as answer:
                    response = answer.response
            seen.status = response.status_code
            if op is not None and checked:
                self.violations += [f"{where} ({op.id}): {p}" for p in self.contract.check_response(
                    op, response.status_code, response.content_type or "", response.get_data())]
        return response(environ, start_response)

    def _storage_app(self, environ, start_response):
        request = Request(environ)
        with self._lock:
            self.storage_requests.append(Seen(request.method, request.path, request.query_string.decode(),
                                              dict(request.headers), ""))
            found = re.fullmatch(r"/blobs/(\d+)\.zip", request.path)
            data = self.zips.get(int(found[1])) if found else None
        response = Response(data, 200, content_type="application/zip") if data else Response("no such blob", 404)
        return response(environ, start_response)

    # -- the operations ------------------------------------------------------------------------

    def _handle(self, op: Operation, params: dict[str, str], query: dict[str, str], body: Any) -> Response:
        handler: Callable = getattr(self, "_op_" + re.sub(r"\W", "_", op.id))
        return handler(params, query, body)

    @staticmethod
    def _page(items: list, query: dict[str, str]) -> list:
        page, per = int(query.get("page", 1)), int(query.get("per_page", 30))
        return items[(page - 1) * per: page * per]

    def _issue(self, number: int) -> dict:
        for issue in self.issues:
            if issue["number"] == number:
                return issue
        raise _Answer(_json({"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}, 404))

    def _op_actions_list_artifacts_for_repo(self, params, query, body):
        found = [a for a in self.artifacts if a["name"] == query.get("name", a["name"])]
        return _json({"total_count": len(found), "artifacts": self._page(found, query)})

    def _op_actions_download_artifact(self, params, query, body):
        artifact = next((a for a in self.artifacts if a["id"] == int(params["artifact_id"])), None)
        if artifact is None or params["archive_format"] != "zip":
            return _json({"message": "Not Found"}, 404)
        if artifact["expired"]:
            return _json({"message": "Artifact has expired"}, 410)
        return Response(status=302, headers={"Location": f"{self.storage_url}/blobs/{artifact['id']}.zip?sig=x"})

    def _op_repos_list_pull_requests_associated_with_commit(self, params, query, body):
        return _json(self._page(self.pulls.get(params["commit_sha"], []), query))

    def _op_repos_create_dispatch_event(self, params, query, body):
        self.dispatches.append(body)
        return Response(status=204)

    def _op_issues_list_for_repo(self, params, query, body):
        state = query.get("state", "open")
        wanted = set(filter(None, query.get("labels", "").split(",")))
        found = [i for i in self.issues if state in ("all", i["state"])
                 and wanted <= {lb["name"] for lb in i["labels"]}]
        return _json(self._page(found, query))

    def _op_issues_create(self, params, query, body):
        names = [lb if isinstance(lb, str) else lb["name"] for lb in body.get("labels", [])]
        return _json(self.add_issue(str(body["title"]), names, body.get("body")), 201)

    def _op_issues_update(self, params, query, body):
        issue = self._issue(int(params["issue_number"]))
        issue.update({k: v for k, v in (body or {}).items() if k in ("title", "body", "state", "state_reason")})
        issue["closed_at"] = _now() if issue["state"] == "closed" else None
        issue["updated_at"] = _now()
        return _json(issue)

    def _op_issues_list_comments(self, params, query, body):
        return _json(self._page(self.comments.setdefault(int(params["issue_number"]), []), query))

    def _op_issues_create_comment(self, params, query, body):
        number = int(params["issue_number"])
        comment = self.add_comment(number, body["body"])
        for issue in self.issues:
            if issue["number"] == number:
                issue["comments"] += 1
        return _json(comment, 201)

    def _find_comment(self, comment_id: int) -> tuple[list, dict]:
        for comments in self.comments.values():
            for comment in comments:
                if comment["id"] == comment_id:
                    return comments, comment
        raise _Answer(_json({"message": "Not Found"}, 404))

    def _op_issues_update_comment(self, params, query, body):
        _, comment = self._find_comment(int(params["comment_id"]))
        comment.update(body=body["body"], updated_at=_now())
        return _json(comment)

    def _op_issues_delete_comment(self, params, query, body):
        comments, comment = self._find_comment(int(params["comment_id"]))
        comments.remove(comment)
        return Response(status=204)

    def _labels_of(self, params) -> list[str]:
        return self.labels.setdefault(int(params["issue_number"]), [])

    def _op_issues_list_labels_on_issue(self, params, query, body):
        return _json(self._page([self._label(n) for n in self._labels_of(params)], query))

    def _op_issues_add_labels(self, params, query, body):
        have = self._labels_of(params)
        given = body.get("labels", []) if isinstance(body, dict) else body or []
        have.extend(n for n in (lb if isinstance(lb, str) else lb["name"] for lb in given) if n not in have)
        return _json([self._label(n) for n in have])

    def _op_issues_remove_label(self, params, query, body):
        have = self._labels_of(params)
        if params["name"] not in have:
            return _json({"message": "Label does not exist",
                          "documentation_url": "https://docs.github.com/rest/issues/labels"}, 404)
        have.remove(params["name"])
        return _json([self._label(n) for n in have])
