"""Reading the store page by page into the LiveState (store/build.py, store/read.py):
pages are translated as they arrive, in any order, and the LiveState is the one a
sequential read gives."""

from __future__ import annotations

import gc
from decimal import Decimal

import pytest

from reconciler import build_plan, connect, load_desired
from reconciler.core.settings import StoreSettings
from reconciler.plan.model import Action
from reconciler.resources import REGISTRY
from bench.generate import generate_store, write_catalog
from reconciler.store.build import LiveBuilder
from reconciler.store.config import StoreConfig
from reconciler.core import gcpause
from reconciler.store.read import RowCollector, _read_all, build_live, read_live


def brand(i, name):
    return {"id": i, "name": name}


def product(i, sku, brand_id, categories):
    return {"id": i, "sku": sku, "name": sku, "price": Decimal("1.50"), "brand_id": brand_id,
            "categories": categories, "variants": [], "custom_fields": [], "channels": [1]}


CATEGORIES = [{"category_id": 5, "parent_id": 0, "name": "Ties"}, {"category_id": 6, "parent_id": 5, "name": "Nylon"}]


def test_a_product_page_before_the_brands_waits_for_them_then_pages_keep_their_order():
    builder = LiveBuilder(StoreSettings(channels={"uk-main": 1}))
    builder.add("product", [product(3, "B-3", 8, [6]), product(4, "B-4", 7, [5])], page=2)
    builder.add("product", [product(1, "A-1", 7, [6])], page=1)
    builder.done("product")
    assert builder._waiting and not builder._out       # no brand names yet: nothing translated
    builder.add("brand", [brand(7, "GTSE Pro"), brand(8, "FixRight")])
    builder.done("brand")
    builder.add("category", CATEGORIES)
    assert builder._waiting                              # a path needs the whole tree
    builder.done("category")
    assert not builder._waiting
    live = builder.finish()
    assert list(live.of("product")) == ["a-1", "b-3", "b-4"]            # page order, not arrival order
    assert live.get("product", "B-3").fields["brand"] == "FixRight"
    assert live.get("product", "A-1").fields["categories"] == ["Ties/Nylon"]
    assert live.get("channel_assignment", "B-4@uk-main").extra == {"product_id": 4, "channel_id": 1}


def test_a_kind_the_builder_does_not_know_waits_for_the_whole_read():
    builder = LiveBuilder()
    builder.add("customer_group", [{"id": 2, "name": "Trade", "discount_rules": [
        {"type": "product", "product_id": 1, "method": "percent", "amount": "5.0000"}]}])
    builder.done("customer_group")
    assert builder._waiting                              # its rules name products: not read yet
    builder.add("product", [product(1, "A-1", 0, [])])
    live = builder.finish()
    assert live.get("customer_group", "Trade").fields["discount_rules"][0]["product"] == "A-1"


def test_equal_small_values_are_one_object():
    builder = LiveBuilder(StoreSettings(channels={"uk-main": 1}))
    for k in ("brand", "category"):
        builder.done(k)
    variants = [{"id": 10 + i, "sku": f"A-1-{i}", "price": Decimal("2"),
                 "option_values": [{"id": 100 + i, "label": f"{i}mm", "option_id": 50, "option_display_name": "W"}]}
                for i in range(3)]
    builder.add("product", [{**product(1, "A-1", 0, []), "variants": variants}, product(2, "A-2", 0, [])])
    live = builder.finish()
    v = [live.get("variant", f"A-1-{i}") for i in range(3)]
    assert v[0].extra == {"product_id": 1} and v[0].extra is v[1].extra is v[2].extra
    ca1, ca2 = live.get("channel_assignment", "A-1@uk-main"), live.get("channel_assignment", "A-2@uk-main")
    assert ca1.fields == {"channel": "uk-main"} and ca1.fields is ca2.fields
    assert live.get("option", "A-1/W").extra["value_ids"] == {"0mm": 100, "1mm": 101, "2mm": 102}


@pytest.fixture(scope="module")
def big(sandbox_server):
    """3 product pages, 2 price lists of 7 record pages each, seeded once for the
    tests below, which only read it."""
    data = generate_store(510, variants_per_product=3, price_lists=2, seed=5)
    sandbox_server.reset(seed=None, data=data)
    sandbox_server.configure(quota=10_000, window_ms=30000, latency_ms=0)   # no test here is about the quota
    return data


@pytest.fixture
def client(big, sandbox_server):
    config = StoreConfig(api_url=sandbox_server.url, store_hash=sandbox_server.store_hash, token=sandbox_server.token)
    with connect(config, parallelism=4) as c:
        yield c


def test_a_streamed_read_is_the_sequential_read_and_plans_no_changes(big, client, tmp_path):
    settings = load_desired(write_catalog(big, tmp_path / "c") and tmp_path / "c").store
    live = read_live(client, settings)
    collector = RowCollector()
    _read_all(client, collector, settings, REGISTRY)
    reference = build_live(collector.finish(), settings)
    assert {k: len(v) for k, v in live.objects.items()} == {k: len(v) for k, v in reference.objects.items()}
    assert len(live.of("price_record")) == 3060 and len(live.of("variant")) == 1530
    for kind, objects in reference.objects.items():
        assert list(live.of(kind)) == list(objects), kind        # same objects, same order
        assert [o.fingerprint for o in live.of(kind).values()] == [o.fingerprint for o in objects.values()]
        assert [(o.id, o.extra, o.parent) for o in live.of(kind).values()] == \
            [(o.id, o.extra, o.parent) for o in objects.values()]
    plan = build_plan(load_desired(tmp_path / "c"), live)
    assert [c.address for c in plan.changes if c.action is not Action.NOOP] == []


class Watching(LiveBuilder):
    """Notes which pages had to wait for other kinds."""

    def __init__(self, *args):
        super().__init__(*args)
        self.waited: list[str] = []
        self.pages = 0

    def _offer(self, order, needs, translate):
        self.pages += 1
        if not self._ready(needs):
            self.waited.append(REGISTRY.ordered()[order[0]].name)
        super()._offer(order, needs, translate)


def test_record_pages_are_translated_as_they_arrive(big, client):
    sink = Watching(StoreSettings(), REGISTRY)
    _read_all(client, sink, StoreSettings(), REGISTRY)
    assert sink.pages >= 3 + 14 and "price_record" not in sink.waited
    assert sink.waited.count("product") <= 3     # only until the brands and categories are in
    assert len(sink.finish().of("price_record")) == 3060


def test_equal_prices_read_from_the_store_are_one_decimal(big, client):
    live = read_live(client)
    prices = [r.fields["price"] for r in live.of("variant").values()]
    prices = [p for p in prices if p.as_tuple().exponent < 0]   # those that were JSON floats
    assert len({id(p) for p in prices}) == len({(p, str(p)) for p in prices}) < len(prices)


@pytest.mark.parametrize("enabled", [True, False])
def test_the_read_leaves_the_garbage_collector_as_it_found_it(big, client, enabled, monkeypatch):
    monkeypatch.setattr(gcpause, "FREEZE_AFTER", 1_000)   # this store leaves ~3,700 new containers
    (gc.enable if enabled else gc.disable)()
    frozen = gc.get_freeze_count()
    try:
        read_live(client)
        assert gc.isenabled() is enabled
        young = gc.get_count()[0]
        if enabled:   # what the read built is frozen at once: later collections skip it
            assert young < 1_000 and gc.get_freeze_count() - frozen > 3_000
        else:         # paused by the caller: left as the caller wants it
            assert young > 1_000 and gc.get_freeze_count() <= frozen
    finally:
        gc.enable()


def test_list_all_keeps_page_order(big, client):
    one_by_one = []
    for page in range(1, 12):
        params = {"limit": 50, "page": page, "include_fields": "sku"}
        one_by_one += client.get("/v3/catalog/products", params).data["data"]
    got = client.list_all("/v3/catalog/products", {"include_fields": "sku"}, page_size=50)
    assert len(got) == 510 and [p["id"] for p in got] == [p["id"] for p in one_by_one]


def test_a_kinds_live_extra_is_kept_beside_its_fields():
    import dataclasses

    from reconciler.resources.registry import Registry

    registry = Registry()
    registry.register(dataclasses.replace(REGISTRY["brand"], live_extra=lambda row: {"seen": row["id"] * 2}))
    builder = LiveBuilder(StoreSettings(), registry)
    builder.add("brand", [brand(4, "Acme")])
    builder.done("brand")
    live = builder.finish()
    assert live.get("brand", "Acme").extra == {"seen": 8}
    assert LiveBuilder(StoreSettings()).live.of("brand") == {}
