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


# -- sub-resources ---------------------------------------------------------------------

def _block(text: str, head: str) -> list[str]:
    """The lines of one top-level block: its head line and everything indented under it."""
    lines = text.splitlines()
    i = next(n for n, line in enumerate(lines) if line.startswith(head))
    end = next((n for n in range(i + 1, len(lines)) if not lines[n].startswith("      ")), len(lines))
    return lines[i:end]


def test_sub_resources_nest_under_their_product_grouped_by_kind():
    block = _block(render_text(CASES["nested_children"]()), '  ~ product "CT-BLK100"')
    assert block[1] == "      ~ price: 12.99 -> 12.50 (-3.8%)"
    kinds = [line.split()[1] for line in block[2:] if line.startswith("      ") and not line.startswith("          ")]
    assert kinds == ["option"] + ["variant"] * 4 + ["custom_field"] * 3 + ["channel_assignment"] * 2
    assert '      ~ option "Width": values +"2.5mm" +"7.6mm" -"2.5 mm" -"9.0mm"' in block
    assert '      + custom_field "Pack Size": value "100"' in block
    assert '      ~ custom_field "Material": value "Nylon" -> "Nylon 6.6"' in block
    assert '      + channel_assignment "uk-main"' in block
    i = block.index('      ~ variant "CT-BLK100-4.8" (catalog/products/cable-ties.yaml:30:9)')
    assert block[i + 1:i + 3] == ["          ~ price:      2.10 -> 2.25 (+7.1%)", "          + sale_price: 1.99"]


def test_sub_resource_deletes_are_red_counted_and_listed_in_the_warning():
    text = render_text(CASES["nested_children"]())
    assert ("WARNING: this plan DELETES 4 objects from the store "
            "(2 variants, 1 custom field, 1 channel assignment):") in text
    warning = text.split("WARNING")[1].split('~ product "CT-BLK100"')[0]
    assert ('  - variant "CT-BLK100-9.0" of product "CT-BLK100" '
            "(catalog/products/cable-ties.yaml:19:9; store id 9001; "
            "removed: not in the product's variants)") in warning
    assert '  - custom_field "Colour" of product "CT-BLK100"' in warning
    assert ('      - variant "CT-BLK100-9.0" (catalog/products/cable-ties.yaml:19:9; store id 9001; '
            "removed: not in the product's variants)") in text
    assert '      - channel_assignment "us-trade" (store id 2; removed: not in the product\'s channels)' in text
    colored = render_text(CASES["nested_children"](), color=True)
    assert '      \x1b[31m-\x1b[0m variant "CT-BLK100-9.0"' in colored


def test_replacement_is_one_entry_with_what_changed():
    text = render_text(CASES["nested_children"]())
    assert "-/+ replace (delete, then create again)" in text
    body = text.split('~ product "CT-BLK100"')[1]
    assert body.count('"CT-BLK100-2.5"') == 1
    assert ('      -/+ variant "CT-BLK100-2.5" (catalog/products/cable-ties.yaml:20:9; store id 9002; '
            "replaced: options changed)\n"
            '          ~ options: {"Width": "2.5 mm"} -> {"Width": "2.5mm"}\n'
            "          + price:   1.95\n") in body


def test_owner_without_a_change_gets_a_neutral_head():
    text = render_text(CASES["nested_children"]())
    assert "  = unchanged itself; changes to its parts are listed under it" in text
    head = _block(text, '  = product "CT-BLK200"')[0]
    assert head == '  = product "CT-BLK200" (catalog/products/cable-ties.yaml:60:5)'
    assert _block(text, '  = product "CT-WHT100"') == [      # not in the plan at all
        '  = product "CT-WHT100"',
        '      ~ custom_field "Material": value "Nylon" -> "Nylon 6.6"',
        '      + channel_assignment "us-trade"',
    ]
    assert "  = " not in render_text(CASES["mixed"]())        # legend line only when used


def test_summary_adds_sub_resource_counts_on_one_line():
    assert render_text(CASES["nested_children"]()).splitlines()[-1] == (
        "Plan: 5 to create, 6 to update, 4 to delete "
        "(options: ~1; variants: +2 ~2 -2; custom_fields: +1 ~2 -1; channel_assignments: +2 -1).")
    assert render_text(CASES["variants_120"]()).endswith(
        "Plan: 0 to create, 120 to update, 0 to delete (variants: ~120).\n")
    assert render_text(CASES["mixed"]()).endswith("Plan: 1 to create, 1 to update, 1 to delete.\n")


def test_new_product_lists_its_parts_nested_not_as_fields():
    block = _block(render_text(CASES["new_product_children"]()), '  + product "CT-RED100"')
    own = [line.split()[1] for line in block[1:] if line.startswith("      + ") and line.split()[1].endswith(":")]
    assert own == ["sku:", "name:", "price:", "type:", "weight:"]     # options and channels are children
    assert sum(line.startswith('      + variant "CT-RED100-') for line in block) == 4
    assert '      + option "Width": values ["2.5mm", "3.6mm", "4.8mm", "7.6mm"]' in block
    assert '      + channel_assignment "us-trade"' in block
    assert not any("sku:" in line for line in block[6:])          # a variant's sku is its label


def test_120_variant_updates_under_40_products():
    text = render_text(CASES["variants_120"]())
    assert text.count("\n  = product ") == 40
    assert text.count("\n      ~ variant ") == 120


def test_children_of_a_deleted_product_are_only_in_the_warning():
    plan = Plan(changes=[
        ResourceChange("product", "CT-OLD9", Action.DELETE, live_id=812, reason="absent_from_desired"),
        ResourceChange("variant", "CT-OLD9-1", Action.DELETE, live_id=8121, reason="absent_from_desired",
                       parent="product['CT-OLD9']"),
    ])
    text = render_text(plan)
    assert "DELETES 2 objects from the store (1 product, 1 variant)" in text
    assert '  - variant "CT-OLD9-1" of product "CT-OLD9"' in text
    assert text.count("CT-OLD9-1") == 1
    assert text.endswith("Plan: 0 to create, 0 to update, 2 to delete (variants: -1).\n")


def test_parent_written_as_a_bare_key_or_unknown_kinds_still_nest():
    plan = Plan(changes=[
        ResourceChange("custom_field", "CT-1/Size", Action.CREATE, after={"name": "Size", "value": "M"},
                       parent="CT-1"),
        ResourceChange("engraving", "CT-1#front", Action.CREATE, after={"text": "Hi"}, parent="product['CT-1']"),
    ])
    text = render_text(plan)
    assert ('  = product "CT-1"\n'
            '      + custom_field "Size": value "M"\n'
            '      + engraving "CT-1#front"\n'
            '          + text: "Hi"\n') in text


# -- prices: blocked changes, price impact, price lists ----------------------------------

def test_blocked_changes_come_first_with_how_to_acknowledge():
    text = render_text(CASES["price_drop_blocked"]())
    assert "BLOCKED: 2 changes need acknowledgement before apply:" in text
    assert ("  ~ price_record['Trade GBP:CT-BLK100-2.5:GBP'] (catalog/prices.yaml:14:9): "
            "price drops 50.0% (1.60 -> 0.80; limit 30%)") in text
    assert ("To apply them: add `acknowledge: [price_drop]` to the object in YAML (the reviewer sees it in the PR), "
            "or pass `--allow-price-drop`.") in text
    assert text.index("BLOCKED:") < text.index("Price impact") < text.index('= price_list "Trade GBP"')
    assert text.endswith("2 BLOCKED until acknowledged (listed at the top).\n")
    colored = render_text(CASES["price_drop_blocked"](), color=True)
    assert "\x1b[1m\x1b[31mBLOCKED: 2 changes" in colored


def test_blocked_come_above_the_deletes():
    plan = CASES["price_drop_blocked"]()
    plan.changes += CASES["records_removed_10"]().changes
    text = render_text(plan)
    assert text.index("BLOCKED: 2 changes") < text.index("WARNING: this plan DELETES 10") < text.index("Price impact")


def test_blocked_changes_are_marked_where_they_are_listed():
    text = render_text(CASES["price_drop_blocked"]())
    assert ('      ~ variant "CT-BLK100-2.5" (catalog/products/cable-ties.yaml:20:9) '
            "[BLOCKED: price drops 50.0% (3.20 -> 1.60; limit 30%)]") in text
    assert ("      ~ CT-BLK100-2.5 GBP: price 1.60 -> 0.80 (-50.0%) "
            "[BLOCKED: price drops 50.0% (1.60 -> 0.80; limit 30%)]") in text
    assert "      ~ CT-BLK100-4.8 GBP: price 2.10 -> 2.03 (-3.3%)\n" in text


def test_impact_table_has_signed_percentages_in_the_planners_order():
    lines = render_text(CASES["price_drop_blocked"]()).split("Price impact")[1].splitlines()
    assert lines[2].split() == ["customer", "group", "channel", "variants", "changing", "price", "smallest",
                                "median", "largest", "sum", "of", "change", "blocked"]
    assert lines[3].split() == ["Trade", "uk-main", "2", "-50.0%", "-26.6%", "-3.3%", "-0.87", "GBP", "1"]
    assert lines[4].split() == ["(catalog", "price)", "uk-main", "1", "-50.0%", "-50.0%", "-50.0%", "-1.60", "GBP", "1"]
    assert lines[5].split()[2] == "us-trade"
    assert len({len(line) for line in lines[2:5]}) == 1      # columns line up
    assert lines[7:9] == ["  Biggest movers (old -> new price):",
                          "    Trade on uk-main: CT-BLK100-2.5 1.60 -> 0.80 (-0.80 GBP), CT-BLK100-4.8 2.10 -> 2.03 (-0.07 GBP)"]
    assert "Price impact" not in render_text(CASES["nested_children"]())


def test_1500_records_one_line_each_under_their_price_list():
    text = render_text(CASES["price_change_1500"]())
    block = _block(text, '  = price_list "Trade GBP"')
    assert len(block) == 1 + 1500
    assert block[1] == "      ~ CT-P000-2.5 GBP: price 1.60 -> 1.55 (-3.1%)"
    assert text.endswith("Plan: 0 to create, 1500 to update, 0 to delete (price_records: ~1500). "
                         "1 BLOCKED until acknowledged (listed at the top).\n")


def test_new_customer_group_with_its_own_price_list():
    text = render_text(CASES["new_customer_group"]())
    block = _block(text, '  + price_list "Wholesale GBP"')
    assert block[3] == "      + assignment Wholesale on uk-main"
    assert block[4] == ("      + CT-BLK100-2.5 GBP: price 1.40, "
                        "bulk_pricing_tiers [{quantity_min: 10, quantity_max: null, type: price, amount: 1.30}]")
    assert '      + discount_rules:  [{type: price_list, price_list: "Wholesale GBP"}]' in text
    assert "      + category_access: {type: all}" in text


def test_removed_records_say_what_they_held():
    text = render_text(CASES["records_removed_10"]())
    assert "DELETES 10 objects from the store (10 prices for a group)" in text
    assert ("      - CT-P000-2.5 GBP: price 1.60 (catalog/prices.yaml:6:5; store id 30000; "
            "removed: not in the price list's records)") in text
    assert "  Trade           uk-main                       10    +25.0%  +25.0%   +25.0%      +4.00 GBP        0" in text


def test_a_blocked_delete_is_marked_in_the_warning():
    plan = CASES["records_removed_10"]()
    plan.changes[0].blocked = "guardrail"
    warning = render_text(plan).split("Price impact")[0]
    assert "removed: not in the price list's records) [BLOCKED: guardrail]" in warning
