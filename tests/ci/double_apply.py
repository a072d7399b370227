"""A minimal local double of the GitHub REST endpoints `catalog ci apply` calls, on 127.0.0.1.

Written for tests/ci/test_apply.py while the shared double (tests/ci/double.py, branch ghci)
was not there yet; state in memory, every request recorded with its headers and body.

    >>> gh = GitHubDouble(token="ghs_x").start()
    >>> gh.add_pull("abc", number=7, head_sha="def")          # PR 7 merged as commit abc
    >>> gh.add_artifact("catalog-plan-def", {"plan.json": text})
    >>> gh.api_url                                            # GITHUB_API_URL for the command
    >>> gh.comments[7], gh.issues, gh.requests

Shapes follow GitHub's REST description (api.github.com.json, 2022-11-28) for the fields
the client reads and writes: pull-request-simple (number, merged_at, merge_commit_sha,
head.sha), artifact (id, name, expired, created_at), issue-comment, issue.
"""

from __future__ import annotations

import io
import json
import re
import threading
import zipfile
from dataclasses import dataclass, field

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response


@dataclass
class Seen:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: str


@dataclass
class GitHubDouble:
    token: str
    repo: str = "gtse/catalog"
    pulls: dict[str, list[dict]] = field(default_factory=dict)          # commit sha -> PRs
    artifacts: list[dict] = field(default_factory=list)
    zips: dict[int, bytes] = field(default_factory=dict)
    comments: dict[int, list[dict]] = field(default_factory=dict)       # issue/PR number -> comments
    issues: list[dict] = field(default_factory=list)
    requests: list[Seen] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._ids = iter(range(1000, 10**9))
        self._lock = threading.Lock()
        self._server = None

    # -- seeding -------------------------------------------------------------------

    def add_pull(self, sha: str, number: int, head_sha: str, merged: bool = True) -> dict:
        pull = {"number": number, "state": "closed" if merged else "open",
                "merged_at": "2026-12-04T12:00:00Z" if merged else None,
                "merge_commit_sha": sha, "head": {"sha": head_sha, "ref": f"pr-{number}"},
                "base": {"ref": "main"}, "html_url": f"https://github.com/{self.repo}/pull/{number}"}
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
        self.artifacts.append({"id": artifact_id, "name": name, "size_in_bytes": len(buf.getvalue()),
                               "expired": expired, "created_at": created_at,
                               "archive_download_url": f"{self.api_url}/repos/{self.repo}/actions/artifacts/"
                                                       f"{artifact_id}/zip"})
        return artifact_id

    def add_issue(self, title: str, labels: list[str]) -> dict:
        issue = {"id": next(self._ids), "number": next(self._ids), "title": title, "body": "", "state": "open",
                 "labels": [{"name": n} for n in labels]}
        self.issues.append(issue)
        self.comments.setdefault(issue["number"], [])
        return issue

    # -- serving -------------------------------------------------------------------

    def start(self) -> "GitHubDouble":
        self._server = make_server("127.0.0.1", 0, self._app, threaded=True)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def bodies(self) -> str:
        """Everything sent to us: every body, query and header but Authorization."""
        return "\n".join(f"{r.query}\n{r.body}\n" + "\n".join(f"{k}: {v}" for k, v in r.headers.items()
                                                             if k.lower() != "authorization")
                         for r in self.requests)

    def _app(self, environ, start_response):
        request = Request(environ)
        body = request.get_data(as_text=True)
        with self._lock:
            self.requests.append(Seen(request.method, request.path, request.query_string.decode(),
                                      dict(request.headers), body))
            if request.headers.get("Authorization") != f"Bearer {self.token}":
                resp = _json({"message": "Bad credentials"}, 401)
            else:
                resp = self._route(request, json.loads(body) if body else None)
        return resp(environ, start_response)

    def _route(self, request: Request, body) -> Response:
        prefix = f"/repos/{self.repo}"
        if not request.path.startswith(prefix + "/"):
            return _json({"message": "Not Found"}, 404)
        path, m = request.path[len(prefix):], request.method
        page = int(request.args.get("page", 1))
        per = int(request.args.get("per_page", 30))

        def paged(items: list) -> list:
            return items[(page - 1) * per: page * per]

        if m == "GET" and (g := re.fullmatch(r"/commits/([0-9a-f]+)/pulls", path)):
            return _json(paged(self.pulls.get(g[1], [])))
        if m == "GET" and path == "/actions/artifacts":
            found = [a for a in self.artifacts if a["name"] == request.args.get("name", a["name"])]
            return _json({"total_count": len(found), "artifacts": paged(found)})
        if m == "GET" and (g := re.fullmatch(r"/actions/artifacts/(\d+)/zip", path)):
            data = self.zips.get(int(g[1]))
            return Response(data, 200, content_type="application/zip") if data else _json({"message": "Not Found"}, 404)
        if (g := re.fullmatch(r"/issues/(\d+)/comments", path)) and m in ("GET", "POST"):
            comments = self.comments.setdefault(int(g[1]), [])
            if m == "GET":
                return _json(paged(comments))
            comment = {"id": next(self._ids), "body": body["body"]}
            comments.append(comment)
            return _json(comment, 201)
        if (g := re.fullmatch(r"/issues/comments/(\d+)", path)) and m in ("PATCH", "DELETE"):
            for comments in self.comments.values():
                for c in comments:
                    if c["id"] == int(g[1]):
                        if m == "DELETE":
                            comments.remove(c)
                            return Response(status=204)
                        c["body"] = body["body"]
                        return _json(c)
            return _json({"message": "Not Found"}, 404)
        if path == "/issues" and m == "GET":
            label, state = request.args.get("labels"), request.args.get("state", "open")
            found = [i for i in self.issues if i["state"] == state
                     and (label is None or label in {lb["name"] for lb in i["labels"]})]
            return _json(paged(found))
        if path == "/issues" and m == "POST":
            issue = self.add_issue(body["title"], body.get("labels", []))
            issue["body"] = body.get("body", "")
            return _json(issue, 201)
        if m == "PATCH" and (g := re.fullmatch(r"/issues/(\d+)", path)):
            for issue in self.issues:
                if issue["number"] == int(g[1]):
                    issue.update({k: v for k, v in body.items() if k in ("title", "body", "state", "state_reason")})
                    return _json(issue)
            return _json({"message": "Not Found"}, 404)
        return _json({"message": f"the double has no {m} {path}"}, 404)


def _json(data, status: int = 200) -> Response:
    return Response(json.dumps(data), status, content_type="application/json")
