from __future__ import annotations

import re

from .render_cases import CASES

from reconciler.plan.model import Action, FieldChange, Plan, ResourceChange
from reconciler.plan.render_markdown import JSON_HINT, TRUNCATED, render_markdown


def _cells(row: str) -> int:
    """Columns of a GFM table row: pipes not escaped with a backslash."""
    return len(re.findall(r"(?<!\\)\|", row)) - 1


def test_summary_table_and_deletes_first():
    md = render_markdown(CASES["mixed"]())
    assert "### Catalog plan: 1 to create, 1 to update, 1 to delete" in md
    assert "| product | 1 | 1 | 1 | 3 |" in md
    assert md.index("> [!CAUTION]") < md.index("#### Deletes") < md.index("<details>")


def test_values_with_pipes_and_backticks_keep_the_table_intact():
    md = render_markdown(CASES["create_many_fields"]())
    tables = re.findall(r"(?:^\|.*\n)+", md, re.M)
    assert len(tables) == 4
    for table in tables:
        widths = {_cells(row) for row in table.splitlines()}
        assert len(widths) == 1, table
    assert "| + | `Acme \\| Tools` | `name` |  | `\"Acme \\| Tools\"` |" in md
    assert "``\"Acme `Tools`\"``" in md          # fence one backtick longer than the value's


def test_html_in_values_stays_inside_code_spans():
    md = render_markdown(CASES["create_many_fields"]())
    line = next(line for line in md.splitlines() if "<b>zip</b>" in line)
    assert "`\"tie\\nwrap <b>zip</b>\"`" in line


def test_no_changes():
    md = render_markdown(CASES["empty"]())
    assert "### Catalog plan: no changes" in md
    assert "The store matches the catalog." in md
    assert "<details>" not in md


def test_unmanaged_only_shows_counts_and_keys():
    md = render_markdown(CASES["unmanaged_15"]())
    assert "| product | 0 | 0 | 0 | 15 |" in md
    assert "15 products in the store are not in the catalog" in md
    assert "`CT-OLD15`" in md


def test_1000_changes_stay_readable_and_postable():
    md = render_markdown(CASES["large_1000"]())
    assert len(md) < 60_000
    assert "### Catalog plan: 50 to create, 930 to update, 20 to delete" in md
    assert "| product | 0 | 780 | 20 | 0 |" in md
    assert "| **total** | **50** | **930** | **20** | **0** |" in md
    assert "… and 100 more change rows not shown." in md          # categories: 300 rows, 200 shown
    assert JSON_HINT in md
    for rows in re.findall(r"\| --- \| --- \| --- \| --- \| --- \|\n(.*?)\n\n", md, re.S):
        assert len(rows.splitlines()) <= 200


def test_size_cap_names_what_was_cut():
    md = render_markdown(CASES["large_1000"](), max_chars=8_000)
    assert len(md) < 8_000
    assert TRUNCATED in md
    assert "### Catalog plan: 50 to create, 930 to update, 20 to delete" in md   # the summary always survives


def test_update_with_many_changes_is_capped_per_kind():
    changes = [FieldChange(f"f{i:03d}", i, i + 1) for i in range(250)]
    plan = Plan(changes=[ResourceChange("product", "P-1", Action.UPDATE, changes=changes)])
    md = render_markdown(plan)
    assert "`f199`" in md and "`f200`" not in md
    assert "… and 50 more change rows not shown." in md


def test_default_cap_holds_with_long_keys():
    changes = [
        ResourceChange(kind, f"{kind}-{i:03d}-" + "k" * 240, Action.UPDATE,
                       changes=[FieldChange("description", "x" * 70, "y" * 70)])
        for kind in ("brand", "category", "product") for i in range(200)
    ]
    md = render_markdown(Plan(changes=changes))
    assert len(md) < 60_000
    assert TRUNCATED in md
    assert "### Catalog plan: 0 to create, 600 to update, 0 to delete" in md
    assert "<b>product</b>: 200 to update (200 rows): 200 change rows not shown (comment size limit)." in md


# -- sub-resources ---------------------------------------------------------------------

def test_sub_resource_rows_follow_their_product_and_deletes_come_first():
    md = render_markdown(CASES["nested_children"]())
    for row in ("| option | 0 | 1 | 0 | 0 |", "| variant | 2 | 2 | 2 | 0 |", "| custom field | 1 | 2 | 1 | 0 |",
                "| channel assignment | 2 | 0 | 1 | 0 |", "| **total** | **5** | **6** | **4** | **0** |"):
        assert row in md
    assert "This plan **deletes 4 objects** from the store (2 variants, 1 custom field, 1 channel assignment)" in md
    assert ("| - | variant | `CT-BLK100` › `CT-BLK100-9.0` | 9001 | "
            "`absent_from_desired` (not in the product's variants) |") in md
    assert "| - | variant | `CT-BLK100` › `CT-BLK100-2.5` | 9002 | `replace:options` |" in md
    rows = md.split("| --- | --- | --- | --- | --- |\n")[2].split("\n\n")[0].splitlines()
    assert rows[:3] == [
        "| ~ | `CT-BLK100` | `price` | `12.99` | `12.50` (-3.8%) |",
        '| ~ | ↳ option `Width` | `values` | `-"2.5 mm" -"9.0mm"` | `+"2.5mm" +"7.6mm"` |',
        "| -/+ | ↳ variant `CT-BLK100-2.5` | *replaced: options changed* |  |  |",
    ]
    assert "| - | ↳ variant `CT-BLK100-9.0` | *removed: not in the product's variants* |  |  |" in rows
    assert rows[rows.index("| = | `CT-WHT100` |  |  |  |") + 1:] == [
        '| ~ | ↳ custom field `Material` | `value` | `"Nylon"` | `"Nylon 6.6"` |',
        "| + | ↳ channel assignment `us-trade` |  |  |  |",
    ]
    for row in rows:
        assert _cells(row) == 5, row


def test_details_summary_names_the_sub_resource_counts():
    md = render_markdown(CASES["variants_120"]())
    assert ("<summary><b>product</b>: 40 changed only in their parts; <b>variant</b>: 120 to update (160 rows)"
            "</summary>") in md
    assert len(md) < 60_000 and "not shown" not in md


def test_a_product_is_not_cut_from_its_children():
    md = render_markdown(CASES["variants_120"](), max_rows=10)
    rows = md.split("| --- | --- | --- | --- | --- |\n")[1].split("\n\n")[0].splitlines()
    assert len(rows) == 8 and rows[-4] == "| = | `CT-001` |  |  |  |"       # 2 whole products of 4 rows
    assert "… and 152 more change rows not shown." in md
    small = render_markdown(CASES["variants_120"](), max_chars=3_000)
    assert len(small) < 3_000 and TRUNCATED in small
    rows = small.split("| --- | --- | --- | --- | --- |\n")[1].split("\n\n")[0].splitlines()
    assert len(rows) % 4 == 0 and rows[-4].startswith("| = |")


# -- prices: blocked changes, price impact, price lists ----------------------------------

IMPACT_HEADER = "| customer group | channel | variants changing price | smallest | median | largest | sum of change | blocked |"


def test_price_change_shows_the_impact_table_per_group_and_channel():
    md = render_markdown(CASES["price_change_1500"]())
    assert len(md) < 60_000
    assert "### Catalog plan: 0 to create, 1500 to update, 0 to delete, 1 blocked" in md
    assert md.index("| kind | create |") < md.index("#### Price impact") < md.index("> [!WARNING]")
    assert md.index("> [!WARNING]") < md.index("#### Blocked changes") < md.index("<details>")
    table = md.split(IMPACT_HEADER + "\n")[1].split("\n\n")[0].splitlines()
    assert table == ["| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
                     "| Trade | uk-main | 1500 | -50.0% | -3.0% | +2.2% | -77.59 GBP | **1** |",
                     "| Wholesale | uk-main | 1500 | -50.0% | -3.0% | +2.2% | -77.59 GBP | **1** |"]
    # the typo that halves a price leads the movers, with its old and new price and the amount
    assert ("- Trade on uk-main: `CT-P123-4.8` 1.90 -\\> 0.95 (-0.95 GBP), `CT-P003-4.8` 1.85 -\\> 1.79 (-0.06 GBP), "
            "`CT-P004-3.6` 1.85 -\\> 1.79 (-0.06 GBP)") in md
    assert "| ~ | ↳ `CT-P000-2.5` GBP | `price` | `1.60` | `1.55` (-3.1%) |" in md
    assert "… and 1301 more change rows not shown." in md          # the 200-row cap still holds


def test_blocked_changes_come_before_the_deletes_with_how_to_acknowledge():
    plan = CASES["price_drop_blocked"]()
    plan.changes += CASES["records_removed_10"]().changes
    md = render_markdown(plan)
    assert md.index("> [!WARNING]") < md.index("#### Blocked changes") < md.index("> [!CAUTION]")
    how = "add `acknowledge: [price_drop]` to the object in YAML (the reviewer sees it in the PR), or pass `--allow-price-drop`"
    assert f"> **Apply refuses 2 changes** until acknowledged (listed below). To apply them: {how}." in md
    assert ("| ~ | `price_record['Trade GBP:CT-BLK100-2.5:GBP']` | `catalog/prices.yaml:14:9` | "
            f"price drops 50.0% (1.60 -\\> 0.80; limit 30%); to go ahead: {how} |") in md
    assert ("| ~ | ↳ `CT-BLK100-2.5` GBP **BLOCKED:** price drops 50.0% (1.60 -\\> 0.80; limit 30%) | `price` | "
            "`1.60` | `0.80` (-50.0%) |") in md
    assert "| *(catalog price)* | us-trade | 1 | -50.0% | -50.0% | -50.0% | -1.60 GBP | **1** |" in md


def _all_blocked(n: int) -> Plan:
    plan = CASES["price_change_1500"]()
    for c in plan.changes[:n]:
        c.blocked = "price drops 50.0% (1.60 -> 0.80; limit 30%)"
    return plan


def test_blocked_list_and_impact_table_are_never_cut_by_the_row_cap():
    md = render_markdown(_all_blocked(400), max_rows=50)
    rows = md.split("#### Blocked changes")[1].split("\n\n")[1].splitlines()
    assert len(rows) == 2 + 400
    assert IMPACT_HEADER in md and "| Wholesale | uk-main | 1500 |" in md
    assert len(md) < 60_000


def test_blocked_list_too_big_for_a_comment_says_how_many_are_not_shown():
    md = render_markdown(_all_blocked(1500))
    assert len(md) < 60_000
    assert "> **Apply refuses 1500 changes** until acknowledged" in md          # the count is always whole
    assert "| Trade | uk-main | 1500 |" in md
    assert re.search(r"_… and \d+ more blocked changes not shown\. ", md)
    assert "<b>price for a group</b>: 1500 to update (1501 rows): 1501 change rows not shown (comment size limit)" in md


def test_customer_group_and_assignment_rows():
    md = render_markdown(CASES["new_customer_group"]())
    assert "| + | ↳ assignment `Wholesale` on `uk-main` |  |  |  |" in md
    assert '| + |  | `discount_rules` |  | `[{type: price_list, price_list: "Wholesale GBP"}]` |' in md
    assert "| Wholesale | uk-main | 5 | -30.0% | -30.0% | -30.0% | -3.00 GBP | 0 |" in md
    assert "[!WARNING]" not in md


def test_removed_records_show_what_they_held():
    md = render_markdown(CASES["records_removed_10"]())
    assert "| - | ↳ `CT-P000-2.5` GBP | *removed: not in the price list's records* | `price 1.60` |  |" in md
    assert md.index("#### Price impact") < md.index("> [!CAUTION]")


def test_no_markdown_escape_inside_html_and_kinds_in_a_merchandisers_words():
    """Issue 15: `\\_` shows literally inside <summary> (GitHub parses no markdown there); kinds read
    as words ("custom field", "price for a group"), never as snake_case identifiers."""
    for case in CASES.values():
        md = render_markdown(case())
        for summary in re.findall(r"<summary>(.*?)</summary>", md):
            assert "\\" not in summary and "_" not in summary.replace("<b>", "").replace("</b>", ""), summary
    md = render_markdown(CASES["price_change_1500"]())
    assert "| price for a group | 0 | 1500 | 0 | 0 |" in md


def test_the_comment_links_the_run_and_its_artifacts():
    url = "https://github.example/acme/catalog/actions/runs/42"
    md = render_markdown(CASES["price_change_1500"](), max_rows=50, run_url=url)
    assert f"[`plan.json` in this run's artifacts]({url}#artifacts)" in md
    assert f'<a href="{url}">CI run</a>' in md
    assert "(`plan.json`)." not in md                  # every hint links, none is left bare


def test_many_deletions_are_grouped_per_kind_with_every_row_in_a_nested_details():
    from reconciler.core.errors import GO_AHEAD
    from reconciler.plan.guardrails import deletes_how
    from reconciler.plan.model import Action, ResourceChange

    why = f"mass deletion: 724 product deletions exceed the limit of 10 (store.deletion){GO_AHEAD}{deletes_how(724, None)}"
    plan = Plan(changes=[ResourceChange("product", f"SKU-{i:03d}", Action.DELETE, live_id=i, reason="absent_from_desired",
                                        blocked=why) for i in range(724)])
    md = render_markdown(plan)
    summary = md.split("#### Deletes")[1].split("<details>")[0]
    assert "| - | products | 724 | **724** | `SKU-000`, `SKU-001`," in summary
    assert "`SKU-009`, … and 714 more |" in summary
    assert len(summary.strip().splitlines()) == 3            # header, rule, one row per kind
    assert "<details><summary>All 724 deletions</summary>" in md
    assert "| - | product | `SKU-199` |" in md and "… and 524 more deletes not shown" in md   # the row cap
    blocked = md.split("#### Blocked changes")[1].split("#### Deletes")[0]
    assert "| - | 724 products: `SKU-000`," in blocked and "… and 714 more (all under Deletes) |" in blocked
    assert blocked.count("\n| - |") == 1                        # one row, not 724
    # the hint names the YAML confirmation first, in the header and the blocked rows alike
    assert "To apply them: confirm the number in store.yaml with `deletion: {confirm: 724}`" in md
    assert "acknowledge: [price_drop]" not in md
    small = render_markdown(Plan(changes=plan.changes[:20]))
    assert "All 20 deletions" not in small and "#### Deletes\n\n| | kind | key |" in small
