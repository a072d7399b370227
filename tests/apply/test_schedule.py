"""compile_plan(): the Plan compiled into ordered steps. Pure: no store, no HTTP."""

from __future__ import annotations

from reconciler.apply import writers
from reconciler.apply.batching import rank_batches
from reconciler.apply.schedule import compile_plan
from reconciler.plan.model import Action, Plan, ResourceChange
from reconciler.resources import REGISTRY
from reconciler.resources import channel_assignment, price_record, product


def change(kind: str, key: str, action: Action, parent: str | None = None, **after) -> ResourceChange:
    return ResourceChange(kind, key, action, after=after, live_id=None if action is Action.CREATE else 1,
                          parent=parent)


def shape(plan: Plan) -> list[tuple[str, str, list[str]]]:
    return [(s.kind.name, s.action, [c.key for c in s.changes]) for s in compile_plan(plan)]


def test_deletes_go_children_first_then_creates_and_updates_parents_first():
    plan = Plan(changes=[
        change("brand", "Acme", Action.CREATE, name="Acme"),
        change("brand", "Old", Action.DELETE),
        change("product", "P-1", Action.UPDATE, price=1),
        change("product", "P-2", Action.DELETE),
        change("variant", "V-1", Action.DELETE, parent="product['P-1']"),
        change("category", "Tools", Action.CREATE),
    ])
    assert shape(plan) == [
        ("variant", "delete", ["V-1"]), ("product", "delete", ["P-2"]), ("brand", "delete", ["Old"]),
        ("brand", "create", ["Acme"]), ("category", "create", ["Tools"]), ("product", "update", ["P-1"]),
    ]


def test_the_order_follows_the_registry_not_a_table_of_its_own():
    kinds = [k.name for k in REGISTRY.ordered()]
    plan = Plan(changes=[change(k.name, f"{k.name}-x", Action.DELETE, parent=f"{k.parent}['p']" if k.parent else None)
                         for k in REGISTRY.ordered()])
    assert [s.kind.name for s in compile_plan(plan)] == list(reversed(kinds))


def test_a_product_create_owns_the_children_its_post_makes():
    plan = Plan(changes=[
        change("product", "NEW", Action.CREATE, name="New"),
        change("option", "NEW/Width", Action.CREATE, parent="product['NEW']", name="Width"),
        change("variant", "NEW-1", Action.CREATE, parent="product['NEW']", sku="NEW-1"),
        change("custom_field", "NEW/Colour", Action.CREATE, parent="product['NEW']", name="Colour", value="red"),
        change("variant", "OLD-2", Action.CREATE, parent="product['OLD']", sku="OLD-2"),   # existing product
    ])
    steps = list(compile_plan(plan))
    assert [(s.kind.name, s.action, [c.key for c in s.changes]) for s in steps] == [
        ("product", "create", ["NEW"]), ("variant", "create", ["OLD-2"]),
    ]
    assert [c.key for c in steps[0].owned["NEW"]] == ["NEW/Width", "NEW-1", "NEW/Colour"]
    assert steps[0].writer is product.create


def test_new_products_channel_assignments_stay_a_step_and_are_related_to_the_product_create():
    plan = Plan(changes=[
        change("product", "NEW", Action.CREATE, name="New"),
        change("channel_assignment", "NEW@uk", Action.CREATE, parent="product['NEW']", channel="uk"),
        change("channel_assignment", "OLD@uk", Action.CREATE, parent="product['OLD']", channel="uk"),
    ])
    steps = list(compile_plan(plan))
    assert [c.key for c in steps[0].related["channel_assignment"]] == ["NEW@uk"]
    assert (steps[1].kind.name, [c.key for c in steps[1].changes]) == ("channel_assignment", ["NEW@uk", "OLD@uk"])
    assert steps[1].writer is channel_assignment.assign and not steps[1].generic


def test_price_record_creates_and_updates_are_one_upsert_step():
    plan = Plan(changes=[
        change("price_record", "Trade:A:GBP", Action.CREATE, parent="price_list['Trade']", price=1),
        change("price_record", "Trade:B:GBP", Action.UPDATE, parent="price_list['Trade']", price=2),
        change("price_record", "Trade:C:GBP", Action.DELETE, parent="price_list['Trade']"),
    ])
    steps = list(compile_plan(plan))
    assert [(s.kind.name, s.action, len(s.changes)) for s in steps] == [
        ("price_record", "delete", 1), ("price_record", "upsert", 2)]
    assert steps[1].writer is price_record.upsert


def test_upsert_batches_are_one_list_each_at_the_declared_size():
    kind = REGISTRY["price_record"]
    records = [change("price_record", f"{lst}:S{i}:GBP", Action.UPDATE, parent=f"price_list[{lst!r}]")
               for lst, n in (("A", 600), ("B", 1200)) for i in range(n)]
    batches = [b for rank in rank_batches(kind, records, "upsert") for b in rank]
    assert [len(b) for b in batches] == [600, kind.update_batch_size, 200]
    assert all(len({c.parent for c in b}) == 1 for b in batches)


def test_kinds_without_a_writer_of_their_own_get_the_generic_one():
    plan = Plan(changes=[change("brand", "Acme", Action.CREATE), change("brand", "B", Action.UPDATE),
                         change("brand", "C", Action.DELETE)])
    steps = {s.action: s for s in compile_plan(plan)}
    assert (steps["create"].writer, steps["update"].writer, steps["delete"].writer) == \
        (writers.create, writers.update, writers.delete)
    assert all(s.generic for s in steps.values())


def test_noops_and_empty_plans_compile_to_no_steps():
    assert len(compile_plan(Plan())) == 0
    assert len(compile_plan(Plan(changes=[change("brand", "Acme", Action.NOOP)]))) == 0


def test_every_batch_size_a_writer_uses_is_declared_on_its_kind():
    assert channel_assignment.CHANNEL_ASSIGNMENT.delete_batch_size    # unlisting new products
    assert REGISTRY["price_record"].update_batch_size                  # the upsert
    for kind in REGISTRY.ordered():
        if kind.upsert_writer:
            assert kind.update_batch_size, kind.name
