"""The drift receiver (`catalog webhooks serve`, reconciler/webhooks/receiver.py) end to
end: hooks registered by `catalog webhooks` in the sandbox, an admin edit over plain
HTTP, the sandbox's callback to the receiver, and the dispatch the receiver sends to a
local double of GitHub's ``POST /repos/{owner}/{repo}/dispatches``. Every host is
127.0.0.1. The double is the suite's GitHub double (tests/ci/github_double.py): the dispatch
request and its answer are checked against GitHub's REST description vendored in
tests/ci/github_rest/, and the fixture fails a test whose requests break it."""

from __future__ import annotations

import json
import threading
import time

import jsonschema
import pytest
import requests
from werkzeug.serving import make_server

from reconciler.core.errors import ConfigError
from reconciler.webhooks.receiver import EVENT_TYPE, Receiver, ReceiverSettings
from tests.ci.github_double import SPEC, GitHubDouble

DEST = "https://drift.example.com/bc"
SECRET = "drift-shared-s3cret"
GH_TOKEN = "ghp_test_token_never_shown"
REPO = "gtse/catalog"
OPERATION = SPEC["paths"]["/repos/{owner}/{repo}/dispatches"]["post"]


def serve_receiver(settings: ReceiverSettings):
    receiver = Receiver(settings)
    server = make_server("127.0.0.1", 0, receiver, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return receiver, server, f"http://127.0.0.1:{server.server_port}/bc"


@pytest.fixture
def github():
    double = GitHubDouble(token=GH_TOKEN, repo=REPO).start()
    yield double
    double.stop()
    double.assert_no_violations()


def settings_for(github: GitHubDouble, **overrides) -> ReceiverSettings:
    values = dict(repository=REPO, header="X-Drift-Secret", secret=SECRET, token=GH_TOKEN, api_url=github.url,
                  quiet=0.4, max_wait=3.0, backoff=0.01)
    return ReceiverSettings(**{**values, **overrides})


@pytest.fixture
def receiver(github):
    receiver, server, url = serve_receiver(settings_for(github))
    yield receiver, url
    server.shutdown()
    server.server_close()


def wait_for(check, timeout=8.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check():
            return True
        time.sleep(0.05)
    return False


def product_id(sandbox, sku: str) -> int:
    answer = requests.get(f"{sandbox.api_base}/v3/catalog/products", params={"sku": sku},
                          headers={"X-Auth-Token": sandbox.token}, timeout=10)
    return answer.json()["data"][0]["id"]


def admin_edit(sandbox, pid: int, price: float) -> None:
    """What a merchandiser's edit in the admin panel does: a plain PUT, not our client."""
    answer = requests.put(f"{sandbox.api_base}/v3/catalog/products/{pid}", json={"price": price},
                          headers={"X-Auth-Token": sandbox.token, "User-Agent": "admin-panel"}, timeout=10)
    assert answer.status_code == 200, answer.text


def register(run_cli, sandbox, receiver_url, secret=SECRET):
    done = run_cli("webhooks", "--destination", DEST, "--header", f"X-Drift-Secret={secret}")
    assert done.exit_code == 0, done.output
    assert secret not in done.output
    sandbox.deliver_hooks({DEST: receiver_url})


def check_against_github(request: dict) -> dict:
    """The dispatch request as GitHub's REST description says it must be."""
    assert request["method"] == "POST" and request["path"] == f"/repos/{REPO}/dispatches"
    assert request["headers"]["Content-Type"].startswith("application/json")
    body = json.loads(request["body"])
    schema = OPERATION["requestBody"]["content"]["application/json"]["schema"]
    jsonschema.validate(body, schema)
    assert len(request["body"].encode()) < 64 * 1024      # "must be less than 64KB"
    return body


def test_an_admin_edit_reaches_the_drift_workflow_as_one_dispatch(seeded, run_cli, receiver, github):
    rec, url = receiver
    register(run_cli, seeded, url)
    admin_edit(seeded, product_id(seeded, "CT-BLK100"), 1.99)
    assert wait_for(lambda: len(github.requests) == 1)
    body = check_against_github(github.requests[0])
    assert body["event_type"] == EVENT_TYPE == "catalog-drift"
    payload = body["client_payload"]
    assert payload["events"] == 1 and payload["scopes"] == {"store/product/updated": 1}
    assert payload["refresh"] == "incremental"
    headers = github.requests[0]["headers"]
    assert headers["Authorization"] == f"Bearer {GH_TOKEN}"
    assert headers["Accept"] == "application/vnd.github+json" and headers["X-Github-Api-Version"] == "2022-11-28"
    assert SECRET not in github.requests[0]["body"] and GH_TOKEN not in github.requests[0]["body"]
    assert "204" in OPERATION["responses"]                   # what the double answered
    callbacks = seeded.callbacks()
    assert [(c["scope"], c["status"]) for c in callbacks] == [("store/product/updated", 200)]
    assert wait_for(lambda: rec.counts["dispatched"] == 1)


def test_a_burst_of_20_edits_is_one_dispatch(seeded, run_cli, receiver, github):
    rec, url = receiver
    register(run_cli, seeded, url)
    pid = product_id(seeded, "CT-BLK100")
    for n in range(20):
        admin_edit(seeded, pid, 2.00 + n / 100)
    assert wait_for(lambda: len(github.requests) >= 1)
    time.sleep(1.0)                                         # more than the quiet window: nothing more comes
    assert len(github.requests) == 1
    payload = check_against_github(github.requests[0])["client_payload"]
    assert payload["events"] == 20 and payload["scopes"] == {"store/product/updated": 20}
    assert payload["distinct"] == 1                          # one product, edited 20 times
    assert len([c for c in seeded.callbacks() if c["status"] == 200]) == 20


def test_a_wrong_shared_header_is_refused_and_nothing_is_dispatched(seeded, run_cli, receiver, github):
    rec, url = receiver
    register(run_cli, seeded, url, secret="not-the-secret")
    admin_edit(seeded, product_id(seeded, "CT-BLK100"), 1.49)
    assert wait_for(lambda: seeded.callbacks() and seeded.callbacks()[0]["status"] is not None)
    assert [c["status"] for c in seeded.callbacks()] == [401]
    time.sleep(0.8)                                         # past the quiet window
    assert github.requests == [] and rec.counts["refused"] == 1 and rec.counts["accepted"] == 0
    # no header at all: 401 too
    assert requests.post(url, json={"scope": "store/product/updated", "data": {}}, timeout=5).status_code == 401


def test_a_deletion_asks_for_a_full_read(seeded, run_cli, receiver, github):
    rec, url = receiver
    register(run_cli, seeded, url)
    pid = product_id(seeded, "FX-OLD1")
    assert requests.delete(f"{seeded.api_base}/v3/catalog/products/{pid}",
                           headers={"X-Auth-Token": seeded.token}, timeout=10).status_code in (200, 204)
    assert wait_for(lambda: len(github.requests) == 1)
    payload = check_against_github(github.requests[0])["client_payload"]
    assert payload["scopes"] == {"store/product/deleted": 1} and payload["refresh"] == "full"


# ---- the receiver alone (callbacks posted directly) -----------------------------------------

def callback(url, scope="store/sku/updated", secret=SECRET, **extra):
    body = {"scope": scope, "store_id": "1", "data": {"type": "sku", "id": 7}, "created_at": 1700000000,
            "producer": "stores/gtse", **extra}
    return requests.post(url, json=body, headers={"X-Drift-Secret": secret}, timeout=5)


def test_not_a_bigcommerce_payload_is_400(receiver, github):
    rec, url = receiver
    assert requests.post(url, data=b"[1, 2]", headers={"X-Drift-Secret": SECRET}, timeout=5).status_code == 400
    assert requests.post(url, json={"scope": "nope", "data": {}}, headers={"X-Drift-Secret": SECRET},
                         timeout=5).status_code == 400
    assert requests.get(url, timeout=5).status_code == 405
    health = requests.get(url.rsplit("/", 1)[0] + "/healthz", timeout=5).json()
    assert health["invalid"] == 2 and SECRET not in json.dumps(health)
    time.sleep(0.6)
    assert github.requests == []


def test_resent_events_count_once_as_distinct(receiver, github):
    rec, url = receiver
    for _ in range(3):
        assert callback(url, hash="abc").status_code == 200
    assert callback(url, scope="store/priceList/records/updated", hash="def").status_code == 200
    assert wait_for(lambda: len(github.requests) == 1)
    payload = check_against_github(github.requests[0])["client_payload"]
    assert payload["events"] == 4 and payload["distinct"] == 2
    assert payload["scopes"] == {"store/priceList/records/updated": 1, "store/sku/updated": 3}


def test_events_that_never_stop_still_dispatch_every_max_wait(github):
    receiver, server, url = serve_receiver(settings_for(github, quiet=0.3, max_wait=0.6))
    try:
        start = time.monotonic()
        while time.monotonic() - start < 1.5:                # always within the quiet window
            callback(url)
            time.sleep(0.1)
        assert wait_for(lambda: len(github.requests) >= 2, timeout=3)
        assert 2 <= len(github.requests) <= 4                 # ~1.5 s / 0.6 s, not one per event
    finally:
        server.shutdown()
        server.server_close()


def test_a_failed_dispatch_is_retried_and_a_refused_one_is_not(github):
    receiver, server, url = serve_receiver(settings_for(github))
    try:
        github.fail = [502, 503]
        callback(url)
        assert wait_for(lambda: receiver.counts["dispatched"] == 1)
        assert len(github.requests) == 3                     # 502, 503, then 204
        github.requests.clear()
        github.fail = [401]
        callback(url)
        assert wait_for(lambda: receiver.counts["dispatch_failed"] == 1)
        time.sleep(0.2)
        assert len(github.requests) == 1                     # a bad token does not get better
    finally:
        server.shutdown()
        server.server_close()


def test_settings_come_from_the_environment_and_secrets_only_from_there():
    env = {"CATALOG_WEBHOOK_SECRET": SECRET, "GITHUB_TOKEN": GH_TOKEN, "GITHUB_REPOSITORY": REPO,
           "CATALOG_WEBHOOK_QUIET": "30"}
    s = ReceiverSettings.from_env(env, max_wait=120)
    assert (s.repository, s.header, s.quiet, s.max_wait, s.api_url) == (
        REPO, "X-Drift-Secret", 30.0, 120.0, "https://api.github.com")
    assert SECRET not in repr(s) and GH_TOKEN not in repr(s)
    with pytest.raises(ConfigError, match="CATALOG_WEBHOOK_SECRET, GITHUB_TOKEN") as info:
        ReceiverSettings.from_env({"GITHUB_REPOSITORY": REPO})
    with pytest.raises(ConfigError, match="OWNER/NAME"):
        ReceiverSettings.from_env({**env, "GITHUB_REPOSITORY": "just-a-name"})
    assert SECRET not in str(info.value)


def test_the_sandbox_sends_callbacks_only_to_local_routes(sandbox):
    with pytest.raises(ValueError, match="local http URL"):
        sandbox.deliver_hooks({DEST: "https://drift.example.com/bc"})
