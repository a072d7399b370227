"""A child kind the importer has never seen (here: a product's ``pictures``, keyed by
URL, with no import hooks at all) is written inside its parent under its
``owner_field``, and reads back through its own ``from_parent`` as the same objects."""

from __future__ import annotations

from decimal import Decimal

import yaml

from reconciler.core.live import LiveObject, LiveState
from reconciler.core.objects import DesiredObject
from reconciler.core.settings import StoreSettings
from reconciler.importer import import_catalog
from reconciler.resources import REGISTRY, Registry
from reconciler.resources.base import ResourceKind

FIELDS = ("url", "caption", "is_thumbnail", "sort_order")


def from_parent(product: DesiredObject, settings) -> list[DesiredObject]:
    return [DesiredObject(kind="picture", key=f"{product.key}#{p['url']}", fields=dict(p), source=product.source,
                          parent=product.key)
            for p in product.fields.get("pictures") or []]


PICTURE = ResourceKind(
    name="picture", plural="pictures", schema="product.schema.json", key="url",
    endpoint="/v3/catalog/products/{parent_id}/pictures", depends_on=("product",),
    parent="product", owner_field="pictures", from_parent=from_parent,
    from_live=lambda obj, refs: {f: obj[f] for f in FIELDS if f in obj},
    import_unset={"is_thumbnail": False, "sort_order": 0},
)


def registry_with_pictures() -> Registry:
    registry = Registry()
    for kind in REGISTRY:
        registry.register(kind)
    registry.register(PICTURE)
    return registry


def store() -> LiveState:
    live = LiveState()
    live.add(LiveObject("product", "CT-BLK100", 1, {"sku": "CT-BLK100", "name": "Ties", "type": "physical",
                                                    "price": Decimal("2.5"), "weight": Decimal("0.1")}))
    pictures = [("https://cdn.example/b.jpg", "Side", False, 2), ("https://cdn.example/a.jpg", "Front", True, 0)]
    for i, (url, caption, thumbnail, order) in enumerate(pictures):
        fields = {"url": url, "caption": caption, "is_thumbnail": thumbnail, "sort_order": order}
        live.add(LiveObject("picture", f"CT-BLK100#{url}", 10 + i, fields, parent="CT-BLK100"))
    return live


def test_a_new_child_kind_is_written_inside_its_parent_and_reads_back(tmp_path):
    live = store()
    summary = import_catalog(live, StoreSettings(channels={"uk-main": 1}), tmp_path / "catalog",
                             registry=registry_with_pictures())
    assert summary.counts["picture"] == 2
    text = (tmp_path / "catalog/products/uncategorised.yaml").read_text(encoding="utf-8")
    product = yaml.safe_load(text)["products"][0]
    assert product["pictures"] == [                 # by key; nobody-set values left out
        {"url": "https://cdn.example/a.jpg", "caption": "Front", "is_thumbnail": True},
        {"url": "https://cdn.example/b.jpg", "caption": "Side", "sort_order": 2},
    ]
    assert "- {url: 'https://cdn.example/a.jpg', caption: Front, is_thumbnail: true}\n" in text   # one line

    back = from_parent(DesiredObject("product", product["sku"], product, None), StoreSettings())
    unset = PICTURE.import_unset
    assert {o.key: {**unset, **o.fields} for o in back} == {o.key: o.fields for o in live.of("picture").values()}
