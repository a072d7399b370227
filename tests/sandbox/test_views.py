"""Kept views (``sandbox/core/views.py``): pages joined from stored JSON text answer exactly
what rendering the bodies answers, before and after every kind of write."""

from __future__ import annotations

import json
import sqlite3
from decimal import Decimal

import pytest

from reconciler.sandbox.core import views
from reconciler.sandbox.core.cursors import Listed, paginate_ordered
from reconciler.sandbox.core.query import Query, shape, shape_sets
from reconciler.sandbox.core.validation import normalize_number
from reconciler.sandbox.pricelists.records import _ListRecords
from reconciler.sandbox.store import StoreState

PRODUCT_READ = {"include": "variants,custom_fields,channels",
                "include_fields": "sku,name,price,sale_price,weight,categories,brand_id,date_modified",
                "limit": 250}


@pytest.mark.parametrize("obj", [
    {}, {"id": 1}, {"a": "é ☃ \x1f \x1e \" \\ \n", "b": None, "c": True, "d": False, "e": -3, "f": 10 ** 30,
                    "g": 0.1 + 0.2, "h": 2.0, "i": float("nan"), "j": float("-inf"), "k": Decimal("2.50"),
                    "l": Decimal("3"), "m": [], "n": {}, "o": [1, {"p": ["x", None]}], "\x1f": 1},
])
def test_a_view_is_json_dumps_byte_for_byte(obj):
    assert views.splice(views.encode(obj)) == json.dumps(obj, default=normalize_number)


def test_shaping_a_view_is_shape_then_assignment():
    obj = {"id": 7, "name": "Tie", "sku": "T-1", "variants": "old", "price": 1.5}
    view = views.encode(obj)
    for args in ({}, {"include_fields": "sku"}, {"include_fields": "sku,variants"}, {"exclude_fields": "id,name"},
                 {"include_fields": "", "exclude_fields": "price"}, {"include_fields": "nope"}):
        q = Query(args, ("include_fields", "exclude_fields"))
        expected = shape(obj, q, always=("price",))
        expected["variants"], expected["channels"] = [1], []
        keep, drop = shape_sets(q, always=("price",))
        text = views.splice_many([view], keep, drop, ("variants", "channels"), [["[1]", "[]"]])[0]
        assert text == json.dumps(expected), args


READS = [("/v3/catalog/products", PRODUCT_READ),
         ("/v3/catalog/products", {"include": "variants,options", "limit": 2, "page": 2}),
         ("/v3/pricelists/1/records", {"include": "sku,bulk_pricing_tiers"}),
         ("/v3/pricelists/1/records", {"limit": 2, "page": 2})]


def same_as_fresh(api, sandbox, reads=READS):
    """Every read answered from the kept views equals the answer rendered from the
    bodies (every view forgotten first). Afterwards every view is kept again, so the
    next write must make stale exactly the views that show what it wrote."""
    kept = [api.get(path, params=params) for path, params in reads]
    assert all(r.status_code == 200 for r in kept), [r.text for r in kept]
    sandbox.state.forget_views()
    rendered = [api.get(path, params=params) for path, params in reads]
    sandbox.state.refresh_views()
    assert [r.content for r in kept] == [r.content for r in rendered]
    return [r.json()["data"] for r in kept]


def seed(sandbox):
    sandbox.configure(quota=100_000)  # these tests read every page after every write
    sandbox.reset(data={
        "brands": [{"name": "GTSE Pro"}],
        "products": [{"sku": f"P{p}", "name": f"P{p}", "type": "physical", "price": 1 + p, "weight": 1,
                      "brand": "GTSE Pro", "custom_fields": {"Material": "Nylon", "Pack": "100"},
                      "variants": [{"sku": f"P{p}-{w}", "options": {"Width": f"{w}mm"}} for w in (1, 2, 3)]}
                     for p in range(4)]
                    + [{"sku": "SIMPLE", "name": "Simple", "type": "physical", "price": 3, "weight": 1}],
        "price_lists": [{"name": "Trade GBP", "records": [{"sku": s, "currency": "GBP", "price": 2}
                                                           for s in ("P0-1", "P0-2", "P1-3", "SIMPLE")]}]})
    return {p["sku"]: p for p in sandbox.state.all("product")}


def test_pages_follow_every_write_to_what_they_show(api, sandbox):
    products = seed(sandbox)
    p0, p1, p2, simple = (products[k]["id"] for k in ("P0", "P1", "P2", "SIMPLE"))
    page = same_as_fresh(api, sandbox)[0]
    assert [v["sku"] for v in page[0]["variants"]] == ["P0-1", "P0-2", "P0-3"]
    variants = {v["sku"]: v for v in page[0]["variants"] + page[1]["variants"]}
    options = api.get(f"/v3/catalog/products/{p0}/options").json()["data"]
    fields = api.get(f"/v3/catalog/products/{p1}/custom-fields").json()["data"]
    writes = [
        # the product's own fields, and the ones its variants inherit (price, weight)
        lambda: api.put(f"/v3/catalog/products/{p0}", json={"price": 9.5, "weight": 2, "name": "Renamed"}),
        lambda: api.put("/v3/catalog/products", json=[{"id": p1, "sale_price": 0.5}]),
        # a variant, over both endpoints; a base variant's SKU is its product's
        lambda: api.put(f"/v3/catalog/products/{p0}/variants/{variants['P0-1']['id']}", json={"price": 4}),
        lambda: api.put("/v3/catalog/variants", json=[{"id": variants["P1-2"]["id"], "sku": "P1-TWO"}]),
        lambda: api.put(f"/v3/catalog/products/{simple}", json={"sku": "SIMPLE-2"}),
        # option and value names show on every variant
        lambda: api.put(f"/v3/catalog/products/{p0}/options/{options[0]['id']}", json={"display_name": "Breite"}),
        lambda: api.put(f"/v3/catalog/products/{p0}/options/{options[0]['id']}/values/"
                        f"{options[0]['option_values'][1]['id']}", json={"label": "Wide", "sort_order": 1}),
        # custom fields and channels
        lambda: api.put(f"/v3/catalog/products/{p1}/custom-fields/{fields[0]['id']}", json={"value": "Steel"}),
        lambda: api.delete(f"/v3/catalog/products/{p1}/custom-fields/{fields[1]['id']}"),
        lambda: api.post(f"/v3/catalog/products/{p2}/custom-fields", json={"name": "New", "value": "x"}),
        lambda: api.put("/v3/catalog/products/channel-assignments", json=[{"product_id": p2, "channel_id": 2}]),
        lambda: api.delete("/v3/catalog/products/channel-assignments",
                           params={"product_id:in": str(p0), "channel_id:in": "1"}),
        # deletes and creates
        lambda: api.delete(f"/v3/catalog/products/{p0}/variants/{variants['P0-3']['id']}"),
        lambda: api.delete(f"/v3/catalog/products/{p2}"),
        lambda: api.post("/v3/catalog/products", json={
            "name": "New", "type": "physical", "price": 1, "weight": 1, "sku": "N",
            "custom_fields": [{"name": "A", "value": "b"}],
            "variants": [{"sku": "N-1", "option_values": [{"option_display_name": "W", "label": "1"}]}]}),
    ]
    for i, write in enumerate(writes):
        r = write()
        assert r.status_code in (200, 204), (i, r.text)
        same_as_fresh(api, sandbox)
    page, _, records, _ = same_as_fresh(api, sandbox)
    first = page[0]
    assert first["name"] == "Renamed" and first["channels"] == []
    assert [(v["sku"], v["price"], v["calculated_price"]) for v in first["variants"]] == [
        ("P0-1", 4, 4), ("P0-2", None, 9.5)]
    assert first["variants"][1]["option_values"][0] == {
        "id": options[0]["option_values"][1]["id"], "label": "Wide", "option_id": options[0]["id"],
        "option_display_name": "Breite"}
    assert [r["sku"] for r in records] == ["P0-1", "P0-2", "P1-3", "SIMPLE-2"]


def test_views_follow_what_they_show_without_the_product_being_touched(api, sandbox):
    """The API's sub-resource writes also touch the product; the kept views do not rely
    on that: a write to an option or variant alone makes the views showing it stale."""
    products = seed(sandbox)
    st, p0, simple = sandbox.state, products["P0"]["id"], products["SIMPLE"]["id"]
    same_as_fresh(api, sandbox)
    option = st.children("option", [p0])[0]
    option["option_values"][0]["label"] = "Narrow"
    st.save("option", option["id"], {**option, "display_name": "Breite"})
    variant = st.children("variant", [p0])[0]
    st.save("variant", variant["id"], {**variant, "sku": "P0-ONE"})
    page, _, records, _ = same_as_fresh(api, sandbox)
    assert page[0]["variants"][0]["option_values"][0]["option_display_name"] == "Breite"
    assert records[0]["sku"] == "P0-ONE"
    st.remove("variant", variant["id"])
    assert "sku" not in same_as_fresh(api, sandbox)[2][0]
    # A variant filed under another kind and back is rendered again.
    second = st.children("variant", [p0])[0]
    st.move("variant", second["id"], "base_variant")
    st.save("product", p0, {**st.get("product", p0), "price": 77})
    st.move("base_variant", second["id"], "variant")
    assert same_as_fresh(api, sandbox)[0][0]["variants"][0]["calculated_price"] == 77
    base = st.get("product", simple)["base_variant_id"]
    st.move("variant", base, "base_variant")
    same_as_fresh(api, sandbox)


def test_a_rolled_back_write_leaves_the_kept_views_as_they_were(api, sandbox):
    products = seed(sandbox)
    before = same_as_fresh(api, sandbox)
    # The first item is written, then the second's duplicate custom field is a 409:
    # the whole request rolls back, NULLed views included.
    r = api.put("/v3/catalog/products", json=[
        {"id": products["P0"]["id"], "price": 50},
        {"id": products["P1"]["id"], "custom_fields": [{"name": "X", "value": "1"}, {"name": "x", "value": "1"}]}])
    assert r.status_code == 409, r.text
    assert same_as_fresh(api, sandbox) == before


def test_single_record_lookups_by_index_answer_as_a_scan_would(api, sandbox):
    seed(sandbox)
    records = api.get("/v3/pricelists/1/records", params={"include": "sku"}).json()["data"]
    state = sandbox.state
    for rec in records:
        for currency in ("gbp", "GBP", "usd"):
            found = state.price_records._find(1, rec["variant_id"], currency)
            scanned = [r for r in state.children("price_record", [1], "price_list_id")
                       if r["variant_id"] == rec["variant_id"] and r["currency"] == currency.lower()]
            assert found == (scanned[0] if scanned else None)
        one = api.get(f"/v3/pricelists/1/records/{rec['variant_id']}/GBP", params={"include": "sku"}).json()
        assert one["data"] == rec
    assert api.get(f"/v3/pricelists/1/records/{records[0]['variant_id']}/usd").status_code == 404
    assert api.get("/v3/pricelists/2/records/1/gbp").status_code == 404
    r = api.put(f"/v3/pricelists/1/records/{records[0]['variant_id']}/eur", json={"price": 3})
    assert r.status_code == 200, r.text
    both = api.get(f"/v3/pricelists/1/records/{records[0]['variant_id']}").json()["data"]
    assert [x["currency"] for x in both] == ["gbp", "eur"]


@pytest.mark.parametrize("extra", [{}, {"currency": "gbp"}, {"currency": "usd"}, {"limit": "1", "page": "2"},
                                   {"include": "sku", "price:min": "2"}, {"sku:in": "P0-2,SIMPLE"}])
def test_records_by_variant_id_are_the_list_filtered(api, sandbox, extra):
    """variant_id:in narrows by the (list, variant, currency) index: the same records, in
    the same order and pages, as filtering the whole list (duplicates, unknown ids too)."""
    seed(sandbox)
    everything = api.get("/v3/pricelists/1/records", params={"include": "sku"}).json()["data"]
    vids = [r["variant_id"] for r in everything]
    asked = [vids[3], vids[0], vids[3], 999999, vids[1]]
    got = api.get("/v3/pricelists/1/records", params={"variant_id:in": ",".join(map(str, asked)), **extra})
    assert got.status_code == 200, got.text
    sandbox.state.price_records.s = _Scanning(sandbox.state)   # the same request answered by a scan
    try:
        scanned = api.get("/v3/pricelists/1/records", params={"variant_id:in": ",".join(map(str, asked)), **extra})
    finally:
        sandbox.state.price_records.s = sandbox.state
    assert got.content == scanned.content
    if not extra:
        assert [r["variant_id"] for r in got.json()["data"]] == sorted({vids[0], vids[1], vids[3]})


class _Scanning:
    """The state, but ``match`` finds records by scanning the list's children."""

    def __init__(self, state):
        self._state = state

    def __getattr__(self, name):
        return getattr(self._state, name)

    def match(self, kind, **fields):
        return [r for r in self._state.children(kind, [fields["price_list_id"]], "price_list_id")
                if all(r.get(k) == v for k, v in fields.items())]


@pytest.mark.parametrize("params", [
    {}, {"limit": "3"}, {"limit": "3", "page": "2"}, {"limit": "2", "page": "99"},
    {"limit": "2", "after": "MA=="}, {"limit": "2", "after": "Mw=="}, {"limit": "2", "after": "OTk5"},
    {"limit": "2", "before": "Mw=="}, {"limit": "2", "before": "MQ=="}, {"limit": "2", "before": "OTk5"},
    {"limit": "2", "after": "OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5"}, {"page": "100000000000000000000000"},
])
def test_paging_records_by_the_index_is_paging_the_list(sandbox, params):
    seed(sandbox)
    state = sandbox.state
    q = Query(params, ("page", "limit", "before", "after"))
    ids = state.child_ids("price_record", 1, "price_list_id")
    assert paginate_ordered(_ListRecords(state, 1), q) == paginate_ordered(Listed(ids, lambda i: i), q)


# The tables and indexes as they were before kept views and key columns.
OLD_SCHEMA = """
CREATE TABLE objects (kind TEXT NOT NULL, id INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY (kind, id));
CREATE TABLE sequences (kind TEXT PRIMARY KEY, last_id INTEGER NOT NULL);
CREATE TABLE links (kind TEXT NOT NULL, a INTEGER NOT NULL, b INTEGER NOT NULL, PRIMARY KEY (kind, a, b));
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE INDEX objects_parent ON objects (kind, json_extract(body, '$.product_id'), id);
CREATE INDEX objects_price_list ON objects (kind, json_extract(body, '$.price_list_id'), id);
CREATE INDEX objects_sku ON objects (kind, casefold(json_extract(body, '$.sku')));
CREATE INDEX objects_name ON objects (kind, casefold(json_extract(body, '$.name')));
CREATE INDEX objects_custom_url ON objects (kind, casefold(json_extract(body, '$.custom_url.url')));
"""


def test_a_db_file_from_before_views_and_key_columns_opens_as_it_was(tmp_path):
    new = StoreState(":memory:")
    new.reset({"products": [{"sku": "A", "name": "Alpha", "type": "physical", "price": 1, "weight": 1,
                             "variants": [{"sku": "A-1", "options": {"W": "1"}}]}],
               "price_lists": [{"name": "Trade", "records": [{"sku": "A-1", "currency": "GBP", "price": 2}]}]})
    q = Query({"include": "variants,custom_fields,channels"}, ("include",))
    expected = new.products.render_json([111], q)
    path = str(tmp_path / "old.db")
    old = sqlite3.connect(path)
    old.create_function("casefold", 1, lambda v: v.casefold() if isinstance(v, str) else v, deterministic=True)
    old.executescript(OLD_SCHEMA)
    for table, columns in (("objects", "kind, id, body"), ("sequences", "*"), ("links", "*"), ("meta", "*")):
        rows = new._conn.execute(f"SELECT {columns} FROM {table}").fetchall()
        old.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * len(rows[0]))})", rows)
    old.commit()
    old.close()
    again = StoreState(path)
    assert again.initialized
    assert again.products.render_json([111], q) == expected
    assert again.lookup(("product", "variant"), "sku", "a-1") == [("variant", 302)]
    assert again.lookup(("product",), "name", "ALPHA") == [("product", 111)]
    assert again.lookup(("product",), "custom_url", "/alpha/") == [("product", 111)]
    assert again.price_records._find(1, 302, "GBP")["price"] == 2
    assert [v["id"] for v in again.children("variant", [111])] == [302]
    assert again.products.create({"name": "B", "type": "physical", "price": 1, "weight": 1, "sku": "B"})["id"] == 112
    again.close()


def test_concurrent_writers_and_readers_leave_no_stale_view(api, sandbox):
    """Readers keep views while writers make them stale, side by side over HTTP; in the
    end every page equals the one rendered from the bodies."""
    import threading

    import requests

    products = seed(sandbox)
    variants = {v["sku"]: v["id"] for v in api.get("/v3/catalog/variants").json()["data"]}
    pids = [products[f"P{p}"]["id"] for p in range(4)]
    failures: list[str] = []

    def session() -> requests.Session:
        s = requests.Session()
        s.headers["X-Auth-Token"] = sandbox.token
        return s

    def writer(n: int) -> None:
        s = session()
        for i in range(15):
            for method, path, body in (
                    ("PUT", "/v3/catalog/products", [{"id": pids[(n + i) % 4], "price": 10 + i, "sale_price": i % 3}]),
                    ("PUT", "/v3/catalog/variants", [{"id": variants[f"P{(n + i) % 4}-{1 + i % 3}"], "price": i or None}]),
                    ("PUT", "/v3/pricelists/1/records", [{"sku": "P0-1", "currency": "GBP", "price": 1 + i + n}])):
                r = s.request(method, sandbox.api_base + path, json=body, timeout=10)
                if r.status_code not in (200, 429):  # 429: the endpoint's concurrency limit
                    failures.append(f"{method} {path}: {r.status_code} {r.text[:200]}")

    def reader() -> None:
        s = session()
        for _ in range(15):
            for path, params in READS:
                r = s.get(sandbox.api_base + path, params=params, timeout=10)
                if r.status_code != 200:
                    failures.append(f"GET {path}: {r.status_code}")

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(3)] + \
              [threading.Thread(target=reader) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    same_as_fresh(api, sandbox)
