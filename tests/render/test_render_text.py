from __future__ import annotations

from .render_cases import CASES

from reconciler.plan.model import Action, Plan, ResourceChange
from reconciler.plan.render_text import render_text


def test_deletes_come_first_and_loud():
    text = render_text(CASES["mixed"]())
    assert "WARNING: this plan DELETES 1 object from the store (1 product):" in text
    assert text.index('- product "CT-OLD9"') < text.index('+ product "CT-NAT300"') < text.index('~ product "CT-BLK100"')


def test_create_lists_key_field_first_then_sorted_fields():
    text = render_text(CASES["create_many_fields"]())
    block = text.split('+ product "CT-BLK100"')[1]
    paths = [line.split()[1].rstrip(":") for line in block.splitlines()[1:] if line.startswith("      + ")]
    assert paths[0] == "sku"
    assert paths[1:] == sorted(paths[1:])


def test_update_shows_before_and_after():
    text = render_text(CASES["update_decimals"]())
    assert "~ price:        12.99 -> 12.50" in text
    assert "+ sale_price:   9.50" in text
    assert "- retail_price: 19.99 -> null" in text
    assert "CT-BLK200" not in text      # noop changes are not shown


def test_set_like_lists_show_added_and_removed_items():
    text = render_text(CASES["categories_change"]())
    assert '~ categories: +"Tools/Crimping" -"Tools"' in text
    assert '~ meta_keywords: ["crimp"] -> ["crimp", "tool"]' in text   # not a set field: whole lists


def test_unmanaged_lists_ten_keys_then_a_count():
    text = render_text(CASES["unmanaged_15"]())
    assert ("15 products in the store are not in the catalog (unmanaged; never changed): "
            "CT-OLD1, CT-OLD2, CT-OLD3, CT-OLD4, CT-OLD5, CT-OLD6, CT-OLD7, CT-OLD8, CT-OLD9, CT-OLD10, and 5 more") in text
    assert "1 brand in the store is not in the catalog" in text
    assert text.endswith("No changes. The store matches the catalog.\n")


def test_empty_plan():
    assert render_text(CASES["empty"]()) == "No changes. The store matches the catalog.\n"


def test_summary_is_the_last_line():
    assert render_text(CASES["large_1000"]()).endswith("Plan: 50 to create, 930 to update, 20 to delete.\n")


def test_unknown_kind_still_renders():
    plan = Plan(changes=[ResourceChange("gift_card", "GC-1", Action.CREATE, after={"code": "GC-1", "amount": 5})],
                unmanaged={"gift_card": ["GC-0", "GC-9"]})
    text = render_text(plan)
    assert '+ gift_card "GC-1"' in text and "+ amount: 5" in text
    assert "2 gift_cards in the store are not in the catalog" in text
