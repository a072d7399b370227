"""The few GitHub REST calls the CI commands make, over plain ``requests``.

    >>> gh = GitHub.from_env()                       # GITHUB_TOKEN, GITHUB_API_URL, GITHUB_REPOSITORY
    >>> gh.upsert_comment(12, MARKER, "body")        # our one comment on PR 12, created or replaced
    >>> gh.set_label(12, "catalog: changes", OUTCOME_LABELS)

Plain requests rather than a client library (PyGithub, ghapi): eleven endpoints, and a
library would add its own retries, paging and logging in which a token can surface.
The token is only ever in the Authorization header of the session: never in a URL,
a body, a log line or an error (errors name the method, path and status only).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any, Iterator

import requests

from reconciler.core import errors

API = "https://api.github.com"
PER_PAGE = 100
TIMEOUT_S = 30


class GitHubError(errors.ReconcilerError):
    """GitHub answered with an error, or could not be reached. Never holds the token."""

    exit_code = 1

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Env:
    """What a workflow run tells us about itself (GitHub's default environment variables)."""

    repository: str = ""
    api_url: str = API
    server_url: str = "https://github.com"
    run_id: str = ""
    sha: str = ""
    event: dict | None = None

    @classmethod
    def read(cls, environ: dict[str, str] | None = None) -> "Env":
        env = os.environ if environ is None else environ
        event = None
        path = env.get("GITHUB_EVENT_PATH")
        if path:
            try:
                with open(path, encoding="utf-8") as fh:
                    event = json.load(fh)
            except (OSError, ValueError) as exc:
                raise GitHubError(f"cannot read the workflow event GITHUB_EVENT_PATH={path}: {exc}") from None
        return cls(repository=env.get("GITHUB_REPOSITORY", ""), api_url=env.get("GITHUB_API_URL") or API,
                   server_url=env.get("GITHUB_SERVER_URL") or "https://github.com",
                   run_id=env.get("GITHUB_RUN_ID", ""), sha=env.get("GITHUB_SHA", ""), event=event)

    @property
    def run_url(self) -> str:
        return f"{self.server_url}/{self.repository}/actions/runs/{self.run_id}" if self.run_id else ""

    def blob_url(self, sha: str, path: str, line: int | None = None) -> str:
        anchor = f"#L{line}" if line else ""
        return f"{self.server_url}/{self.repository}/blob/{sha}/{path}{anchor}"

    def pull_request(self) -> tuple[int | None, str | None]:
        """(number, head sha) of the event's pull request; (None, None) outside one."""
        pr = (self.event or {}).get("pull_request") or {}
        return pr.get("number"), (pr.get("head") or {}).get("sha")


class GitHub:
    def __init__(self, repository: str, token: str, api_url: str = API, session: requests.Session | None = None):
        if "/" not in repository:
            raise GitHubError(f"GITHUB_REPOSITORY must be OWNER/NAME, not {repository!r}")
        if not token:
            raise GitHubError("GITHUB_TOKEN is not set: the workflow must pass it (permissions: "
                              "pull-requests: write, issues: write, actions: read)")
        self.repo = repository
        self.api = api_url.rstrip("/")
        self.session = session or requests.Session()
        self.session.headers.update({
            "Authorization": f"Bearer {token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
            "User-Agent": "catalog-reconciler-ci",
        })

    @classmethod
    def from_env(cls, env: Env | None = None) -> "GitHub":
        env = env or Env.read()
        return cls(env.repository, os.environ.get("GITHUB_TOKEN", ""), env.api_url)

    # -- transport -----------------------------------------------------------------

    def _call(self, method: str, path: str, *, body: Any = None, params: dict | None = None,
              ok_missing: bool = False) -> requests.Response | None:
        url = f"{self.api}/repos/{self.repo}{path}"
        try:
            resp = self.session.request(method, url, json=body, params=params, timeout=TIMEOUT_S)
        except requests.RequestException as exc:
            raise GitHubError(f"GitHub {method} {path}: cannot reach {self.api} ({type(exc).__name__})") from None
        if ok_missing and resp.status_code == 404:
            return None
        if resp.status_code >= 400:
            try:
                message = resp.json().get("message", "")
            except ValueError:
                message = ""
            raise GitHubError(f"GitHub {method} {path}: {resp.status_code} {message}".rstrip(), resp.status_code)
        return resp

    def _json(self, method: str, path: str, **kw) -> Any:
        resp = self._call(method, path, **kw)
        return resp.json() if resp is not None and resp.content else None

    def _pages(self, path: str, params: dict | None = None, key: str | None = None) -> Iterator[dict]:
        page = 1
        while True:
            data = self._json("GET", path, params={**(params or {}), "per_page": PER_PAGE, "page": page})
            items = data.get(key, []) if key else data
            yield from items
            if len(items) < PER_PAGE:
                return
            page += 1

    # -- comments ------------------------------------------------------------------

    def comments(self, number: int) -> list[dict]:
        return list(self._pages(f"/issues/{number}/comments"))

    def upsert_comment(self, number: int, marker: str, body: str) -> dict:
        """Our one comment on the PR or issue, found by its hidden ``marker``: replaced
        in place when it is there (one comment, always current), created otherwise.
        A second marked comment (two runs racing) is deleted."""
        text = f"{marker}\n{body}"
        ours = [c for c in self.comments(number) if marker in (c.get("body") or "")]
        for extra in ours[1:]:
            self._call("DELETE", f"/issues/comments/{extra['id']}", ok_missing=True)
        if ours:
            return self._json("PATCH", f"/issues/comments/{ours[0]['id']}", body={"body": text})
        return self._json("POST", f"/issues/{number}/comments", body={"body": text})

    # -- labels --------------------------------------------------------------------

    def set_label(self, number: int, label: str, family: tuple[str, ...]) -> None:
        """Give the PR ``label`` and take away the others of its ``family``."""
        have = {lb["name"] for lb in self._pages(f"/issues/{number}/labels")}
        for other in family:
            if other != label and other in have:
                self._call("DELETE", f"/issues/{number}/labels/{requests.utils.quote(other, safe='')}",
                           ok_missing=True)
        if label not in have:
            self._json("POST", f"/issues/{number}/labels", body={"labels": [label]})

    # -- issues --------------------------------------------------------------------

    def upsert_issue(self, label: str, title: str, body: str) -> dict:
        """ONE open issue with ``label``: its title and body replaced, or opened."""
        found = self.open_issues(label)
        if found:
            return self._json("PATCH", f"/issues/{found[0]['number']}", body={"title": title, "body": body})
        return self._json("POST", "/issues", body={"title": title, "body": body, "labels": [label]})

    # -- pulls and artifacts -------------------------------------------------------

    def pulls_of_commit(self, sha: str) -> list[dict]:
        return list(self._pages(f"/commits/{sha}/pulls"))

    def artifacts(self, name: str) -> list[dict]:
        """Artifacts of the repository with exactly this name, newest first, unexpired."""
        found = [a for a in self._pages("/actions/artifacts", {"name": name}, key="artifacts")
                 if a.get("name") == name and not a.get("expired")]
        return sorted(found, key=lambda a: a.get("created_at") or "", reverse=True)

    def download_artifact(self, artifact_id: int) -> bytes:
        """The artifact's zip. GitHub answers with a redirect to storage: followed, and the
        token is not sent there (requests drops Authorization on a redirect to another host)."""
        resp = self._call("GET", f"/actions/artifacts/{artifact_id}/zip")
        return resp.content

    # -- repository_dispatch -------------------------------------------------------

    def dispatch(self, event_type: str, payload: dict | None = None) -> None:
        """``POST /dispatches``: a ``repository_dispatch`` event ``event_type`` (1 to 100
        characters) whose ``client_payload`` is ``payload`` (at most 10 top-level keys,
        under 64 KB), as GitHub's REST description limits them; GitHub answers 204. One
        attempt: retrying is the caller's choice. Needs a token with contents: write."""
        body = {"event_type": event_type, "client_payload": payload or {}}
        if not 1 <= len(event_type) <= 100:
            raise GitHubError(f"a dispatch event_type is 1 to 100 characters, not {len(event_type)}")
        if len(body["client_payload"]) > 10:
            raise GitHubError(f"a dispatch client_payload has at most 10 top-level keys, not {len(payload)}")
        if len(json.dumps(body["client_payload"]).encode()) >= 64 * 1024:
            raise GitHubError("a dispatch client_payload must be under 64 KB")
        self._call("POST", "/dispatches", body=body)

    def open_issues(self, label: str) -> list[dict]:
        """Open issues (not pull requests) with ``label``."""
        return [i for i in self._pages("/issues", {"labels": label, "state": "open"}) if "pull_request" not in i]

    def close_issues(self, label: str, comment: str) -> list[int]:
        """Comment on and close every open issue with ``label``; their numbers."""
        found = self.open_issues(label)
        for issue in found:
            self._json("POST", f"/issues/{issue['number']}/comments", body={"body": comment})
            self._json("PATCH", f"/issues/{issue['number']}", body={"state": "closed", "state_reason": "completed"})
        return [i["number"] for i in found]
