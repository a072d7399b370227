"""Issue 14 (gap A of the rename in place, finding 7): `catalog rollback` of an apply that
renamed an object in place (``renamed_from``: its journal names the OLD key) renames it
back: ONE update of the key field on the same id, found by its new key. Over real HTTP to
the sandbox: rename -> apply -> rollback -> apply -> the store has the old key on that id."""

from __future__ import annotations

from .conftest import write_catalog


def newest(folder):
    return max(folder.glob("apply-*.jsonl"), key=lambda p: p.name)


def product(client, sku):
    rows = client.get("/v3/catalog/products", {"sku": sku, "include": "variants"}).data["data"]
    return rows[0] if rows else None


def renamed(files, old, new):
    """The catalog with product ``old`` renamed in place to ``new``."""
    files = dict(files)
    files["products/cable-ties.yaml"] = files["products/cable-ties.yaml"].replace(
        f"- sku: {old}\n", f"- sku: {new}\n            renamed_from: {old}\n")
    return files


def apply_and_roll_back(run_cli, tmp_path, catalog):
    journals = tmp_path / "journal"
    done = run_cli("apply", "--catalog", catalog, "--auto-approve", "--journal-dir", journals)
    assert done.exit_code == 0, done.output
    undo = run_cli("rollback", newest(journals), "--catalog", catalog, "--out", tmp_path / "undo.json")
    assert undo.exit_code == 0, undo.output
    back = run_cli("apply", tmp_path / "undo.json", "--catalog", catalog, "--journal-dir", journals)
    assert back.exit_code == 0, back.output
    return undo


def test_rollback_of_a_product_renamed_in_place_renames_it_back_on_the_same_id(
        seeded, run_cli, client, tmp_path, catalog_files):
    catalog = write_catalog(tmp_path, catalog_files)
    assert run_cli("apply", "--catalog", catalog, "--auto-approve").exit_code == 0
    before = product(client, "CT-NAT200")
    catalog = write_catalog(tmp_path, renamed(catalog_files, "CT-NAT200", "CT-NAT250"))
    undo = apply_and_roll_back(run_cli, tmp_path, catalog)
    assert "Plan: 0 to create, 1 to update, 0 to delete." in undo.stdout, undo.output
    assert '"CT-NAT200" (renamed from "CT-NAT250")' in undo.stdout, undo.output
    after = product(client, "CT-NAT200")
    assert after is not None and product(client, "CT-NAT250") is None
    assert (after["id"], after["inventory_level"], after["date_created"]) == (
        before["id"], before["inventory_level"], before["date_created"])


def roll_back_renames(sandbox, client, tmp_path, items, listed, groups=None):
    """Apply the catalog (its renames) with a journal, then the rollback of that journal."""
    from reconciler import build_plan, load_desired, read_live
    from reconciler.apply.rollback import rollback_plan, touched_by
    from reconciler.apply.session import ApplySession
    from reconciler.store.read import read_touched

    from .test_rename import GROUPS, catalog

    desired = load_desired(catalog(tmp_path, items, listed, groups=groups or GROUPS))
    session = ApplySession(client, desired.store, desired=desired, journal_dir=tmp_path / "journal")
    assert not session.run(build_plan(desired, read_live(client, desired.store))).failed
    undo = rollback_plan(session.journal_path, read_touched(client, touched_by(session.journal_path), desired.store))
    result = ApplySession(client, desired.store).run(undo)
    assert not result.failed, [(o.change.address, o.message) for o in result.failed]
    return undo


def test_rollback_of_a_variant_and_a_price_list_renamed_in_place_renames_both_back(sandbox, client, tmp_path):
    from .test_rename import store

    items, listed = store(sandbox, tmp_path)
    ids = {v["sku"]: v["id"] for v in product(client, "CT-P000")["variants"]}
    list_id = client.list_all("/v3/pricelists")[0]["id"]
    variants = [{**v, "sku": "CT-P000-W25", "renamed_from": v["sku"]} if v["sku"] == "CT-P000-2.5" else v
                for v in items[0]["variants"]]
    records = [{**r, "sku": "CT-P000-W25"} if r["sku"] == "CT-P000-2.5" else r for r in listed["records"]]
    undo = roll_back_renames(sandbox, client, tmp_path, [{**items[0], "variants": variants}],
                             {**listed, "name": "Trade Sterling", "renamed_from": "Trade GBP", "records": records})
    assert sorted((c.action.verb, c.kind, c.key, c.reason) for c in undo.changes) == [
        ("update", "price_list", "Trade Sterling", "renamed"), ("update", "variant", "CT-P000-W25", "renamed")]
    assert {v["sku"]: v["id"] for v in product(client, "CT-P000")["variants"]} == ids
    assert [(pl["id"], pl["name"]) for pl in client.list_all("/v3/pricelists")] == [(list_id, "Trade GBP")]


def test_rollback_of_a_customer_group_renamed_in_place_renames_it_back(sandbox, client, tmp_path):
    from .test_rename import GROUPS, store

    items, listed = store(sandbox, tmp_path)
    staff = [g["id"] for g in client.get("/v2/customer_groups").data if g["name"] == "Staff"]
    groups = (GROUPS[0], GROUPS[1], {"name": "Staff Members", "renamed_from": "Staff"})
    undo = roll_back_renames(sandbox, client, tmp_path, items, listed, groups=groups)
    assert [(c.key, [(f.path, f.before, f.after) for f in c.changes]) for c in undo.changes] == [
        ("Staff Members", [("name", "Staff Members", "Staff")])]
    assert [g["id"] for g in client.get("/v2/customer_groups").data if g["name"] == "Staff"] == staff
