"""A hypothesis RuleBasedStateMachine for issue 11 ("any store state converges").

One sandbox over real HTTP; a model catalog (plain dicts) written as YAML to a tmp dir
before each plan; the real library (load_desired -> read_live -> build_plan ->
apply_saved_plan, as `catalog apply --auto-approve` runs it). Other writers edit the
store with plain `requests` calls, as an admin or another app would.

Rules: YAML edits, direct API edits, faults (seeded 5xx / drop / drop_after / partial /
429 bursts from /__sandbox/faults) during an apply, killed applies, fault-free applies.

Killed applies: the apply is stopped after N finished changes by a hook raising a
BaseException (Killed) out of the executor, in process. A real SIGKILL of a
subprocess costs ~1 s of interpreter start per step; the in-process kill leaves the
store in the same kind of state (some writes done, the rest never sent), so the
machine can afford hundreds of them. tests/e2e/test_crash.py covers the real signal.

Invariants after each fault-free apply (`check_next_plan`):
- the next plan is empty, or every change it still holds is blocked (a guardrail) or
  failed in that apply MUST_FIX (a 409: another writer holds the name/SKU; the failure
  names the object and the store's reason) or DEPENDENT on such an owner; a 422/404/207
  (CLIENT) or a 5xx (OTHER) is never acceptable (see `failure_class`);
- then a second fault-free apply, nothing edited, must not fail but MUST_FIX: a change
  that fails on every apply ("fails forever") is caught;
- with no store edit since the last fault-free apply, no change is called drift against
  the last-applied state (recorded after every apply, as `catalog apply` does);
- no duplicate SKUs in the store (case-insensitive, products and variants);
- objects outside the YAML (products, price lists, customer groups the catalog does
  not name) are byte-identical in /__sandbox/dump before and after the apply;
- inventory never written: every product's and variant's inventory_level is what the
  seed gave it (0 for objects created since): the catalog never manages inventory.
  (The sandbox's request log keeps no bodies; the stored outcome is what matters.)
The last three also hold after faulted and killed applies.

KNOWN_OPEN: rules that hit open bugs (by finding), off unless MODEL_ENABLE names them;
MODEL_ENABLE=name,name or MODEL_ENABLE=all turns them on. Empty now: every rule runs.
"""

from __future__ import annotations

import copy
import json
import os
import re
from decimal import Decimal

import requests
import yaml
from hypothesis import note
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from reconciler import apply_saved_plan, build_plan, load_desired, read_live
from reconciler.apply import last_applied
from reconciler.core.address import Address
from reconciler.core.errors import ReconcilerError
from reconciler.plan.model import Action

# Findings 2-8 and 10-15 are merged on main: their rules (group name case, 429 bursts,
# price-record deletes, brands, comma SKUs, ...) always run.
KNOWN_OPEN: dict[str, object] = {
    # Empty: every rule is on. The rules for issue 11 findings 1 (api_delete_variant,
    # api_remove_option_value, api_rename_option_value), 9 (yaml_rename_width) and the
    # price list renamed in case (yaml_price_list_case) passed `MODEL_ENABLE=all make fuzz
    # FUZZ_STEPS=2000 FUZZ_SEED=20261203` (2,963 steps) once those were fixed. A rule that
    # meets an open bug goes here with its finding until the bug is fixed.
}
_ENABLED = {n.strip() for n in os.environ.get("MODEL_ENABLE", "").split(",") if n.strip()}


def enabled(name: str) -> bool:
    return name not in KNOWN_OPEN or "all" in _ENABLED or name in _ENABLED


STEPS = {"count": 0, "applies": 0, "faulted": 0, "killed": 0, "api_edits": 0, "yaml_edits": 0,
         "faults_injected": 0, "second_applies": 0, "drift_checks": 0}

# How a failed change's message classifies it (the status the store answered, as the
# executor writes it: "BigCommerce 409 Conflict: ..." or "409 <item message>").
#   MUST_FIX: the store refused it for a reason only the YAML can fix: 409, another
#     writer holds the name/SKU. Acceptable in the next plan, once named.
#   CLIENT:   our client's fault: 400/404/405/413/422 (a body we built, an id we should
#     have known), a 207 item refusal. Never acceptable after a fault-free apply.
#   DEPENDENT: never sent because the object it hangs on failed (UnresolvedReference);
#     acceptable when that owner failed MUST_FIX.
#   OTHER:    a 5xx / no answer: a fault-free apply has none, so not acceptable either.
MUST_FIX, CLIENT, DEPENDENT, OTHER = "must_fix", "client", "dependent", "other"
_STATUS = re.compile(r"(?:^|BigCommerce )([1-5]\d\d)\b")


def failure_class(message: str) -> str:
    m = _STATUS.search(message or "")
    status = int(m.group(1)) if m else 0
    if status == 409:
        return MUST_FIX
    if status in (207, 400, 404, 405, 413, 422):
        return CLIENT
    if not status and "does not exist in the store" in (message or ""):
        return DEPENDENT
    return OTHER


def owner_of(key: str) -> str:
    """'CT-A-2.5', 'CT-A/Width', 'CT-A@uk-main' -> their product's key prefix 'CT-A'."""
    return re.split(r"[/@]", key)[0]

STORE = {"store": {"name": "Model store", "currency": "GBP", "channels": {"uk-main": 1, "us-trade": 2}}}
CHANNEL_IDS = STORE["store"]["channels"]
WIDTHS = ["2.5mm", "3.6mm", "4.8mm"]
INVENTORY = 250
UNMANAGED = {"sku": "CT-OLD99", "name": "Discontinued ties", "type": "physical", "price": 9.99,
             "weight": 1, "categories": ["Cable Ties"], "inventory_level": 7,
             "inventory_tracking": "product"}
FAULTS = ["500", "502", "503", "drop", "drop_after", "500_after", "partial"]
BRANDS = ["GTSE Pro", "FixRight"]
TITLES = ["GTSE Pro cable ties", "Ties by GTSE", ""]
money = st.integers(min_value=100, max_value=900).map(lambda c: Decimal(c) / 100)


def product(code: str, widths=("2.5mm", "3.6mm"), price=Decimal("2.00")) -> dict:
    sku = f"CT-{code}"
    return {"sku": sku, "name": f"Cable Ties {code}", "price": price, "channels": ["uk-main"], "brand": BRANDS[0],
            "widths": {w: price for w in widths}, "custom_fields": {"Material": "Nylon"}}


def variant_sku(sku: str, width: str) -> str:
    """The SKU ignores a space in the label: "2.5mm" and its renamed "2.5 mm" are one variant."""
    return f"{sku}-{width.replace(' ', '').removesuffix('mm')}"


class Killed(BaseException):
    """Raised by a hook: the apply stops as a killed process would (no clean-up)."""


class KillAfter:
    """Stops the apply as the (n+1)-th change is about to be sent: n changes started."""

    def __init__(self, n: int):
        self.left = n

    def pre_apply(self, change) -> None:
        if self.left <= 0:
            raise Killed()
        self.left -= 1

    def post_apply(self, outcome) -> None:
        pass


class Other:
    """Another writer: plain requests to the sandbox's API (not our client)."""

    def __init__(self, server):
        self.base = server.api_base
        self.root = server.url
        self.headers = {"X-Auth-Token": server.token, "Accept": "application/json",
                        "Content-Type": "application/json"}

    def call(self, method: str, path: str, body=None, **params):
        r = requests.request(method, self.base + path, json=body, params=params or None,
                             headers=self.headers, timeout=10)
        return r.status_code, (r.json() if r.content and r.headers.get("Content-Type", "").startswith(
            "application/json") else None)

    def product(self, sku: str) -> dict | None:
        _, body = self.call("GET", "/v3/catalog/products", sku=sku, include="variants,options")
        rows = (body or {}).get("data") or []
        return rows[0] if rows else None

    def control(self, method: str, name: str, body=None):
        r = requests.request(method, f"{self.root}/__sandbox/{name}", json=body, timeout=10)
        r.raise_for_status()
        return r.json()


def seed_data(products: list[dict], records: dict[str, Decimal], rules: list[dict]) -> dict:
    out = []
    for p in products:
        out.append({"sku": p["sku"], "name": p["name"], "type": "physical", "price": float(p["price"]),
                    "weight": 0.05, "categories": ["Cable Ties"], "brand": p["brand"],
                    "channels": [CHANNEL_IDS[c] for c in p["channels"]],
                    "custom_fields": dict(p["custom_fields"]),
                    "inventory_level": INVENTORY, "inventory_tracking": "product",
                    "variants": [{"sku": variant_sku(p["sku"], w), "options": {"Width": w},
                                  "price": float(v), "inventory_level": INVENTORY}
                                 for w, v in p["widths"].items()]})
    out.append(dict(UNMANAGED))
    return {"brands": [{"name": b} for b in BRANDS], "categories": [{"path": "Cable Ties"}], "products": out,
            "customer_groups": [{"name": "Retail", "is_default": True, "id": 1},
                                {"name": "Trade", "id": 2},
                                {"name": "Staff", "id": 3},
                                {"name": "Wholesale", "id": 4, "discount_rules": copy.deepcopy(rules)}],
            "price_lists": [{"name": "Trade GBP", "active": True,
                             "records": [{"sku": s, "price": float(v), "currency": "GBP"}
                                         for s, v in records.items()],
                             "assignments": [{"customer_group": "Trade", "channel": 1}]},
                            {"name": "Old list", "active": False, "records": [], "assignments": []}]}


class CatalogMachine(RuleBasedStateMachine):
    """Subclassed per test with ``server`` and ``folder`` set (see test_model.py)."""

    server = None
    folder = None
    client = None

    @initialize()
    def start(self):
        # B's SKU holds a comma (finding 8: a `sku:in` filter splits on commas).
        self.products = {p["sku"]: p for p in (product("A"), product("B,2", ("3.6mm", "4.8mm")))}
        self.records = {variant_sku("CT-A", "2.5mm"): Decimal("1.60")}
        self.assignments = [{"customer_group": "Trade", "channel": "uk-main"}]
        self.rules = [{"type": "all", "method": "percent", "amount": Decimal("5")}]
        self.next_code = 0
        self.brands = {b: None for b in BRANDS}          # name -> page_title (None: not in the YAML)
        self.list_name, self.list_active, self.trade_name = "Trade GBP", True, "Trade"
        self.state = self.folder.parent / "last-applied.json"
        self.state.unlink(missing_ok=True)
        self.dirty = True            # the store may differ from last-applied (admin edit, fault, kill)
        self.unsettled: set[str] = set()     # keys (folded) that failed in the last apply
        self.other = Other(self.server)
        self.other.control("POST", "reset", {"data": _jsonable(seed_data(
            list(self.products.values()), self.records, self.rules))})
        self.other.control("POST", "config", {"quota": 10000, "window_ms": 1000, "latency_ms": 0})
        self.created_inventory: set[str] = set()
        self.apply(fault_free=True)

    # ---- the catalog as YAML --------------------------------------------------------

    def write_yaml(self) -> None:
        items = []
        for p in self.products.values():
            items.append({"sku": p["sku"], "name": p["name"], "type": "physical", "price": p["price"],
                          "weight": Decimal("0.05"), "categories": ["Cable Ties"],
                          "options": {"Width": list(p["widths"])},
                          "variants": [{"sku": variant_sku(p["sku"], w), "options": {"Width": w}, "price": v}
                                       for w, v in p["widths"].items()], "brand": p["brand"],
                          "channels": list(p["channels"]), "custom_fields": dict(p["custom_fields"])})
        groups = [{"name": "Retail", "is_default": True}, {"name": self.trade_name},
                  {"name": "Wholesale", "discount_rules": self.rules}]
        assignments = [dict(a, customer_group=self.trade_name) for a in self.assignments]
        lists = [{"name": self.list_name, "active": self.list_active, "currency": "GBP", "assignments": assignments,
                  "records": [{"sku": s, "price": v} for s, v in self.records.items()]}]
        brands = [{"name": b} if t is None else {"name": b, "page_title": t} for b, t in self.brands.items()]
        files = {"store.yaml": STORE, "categories.yaml": {"categories": [{"path": "Cable Ties"}]},
                 "brands.yaml": {"brands": brands},
                 "products.yaml": {"products": items}, "groups.yaml": {"customer_groups": groups},
                 "prices.yaml": {"price_lists": lists}}
        self.folder.mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            (self.folder / name).write_text(yaml.safe_dump(_yamlable(data), sort_keys=False))

    def yaml_skus(self) -> set[str]:
        out = set()
        for p in self.products.values():
            out.add(p["sku"].casefold())
            out |= {variant_sku(p["sku"], w).casefold() for w in p["widths"]}
        return out

    # ---- plan / apply ---------------------------------------------------------------

    def plan(self):
        self.write_yaml()
        desired = load_desired(self.folder)
        live = read_live(self.client, desired.store)
        plan = build_plan(desired, live, last_applied=last_applied.load(self.state))
        self.check_origins(plan)
        return plan, desired, live

    def check_origins(self, plan) -> None:
        """Drift is an edit made in the store since the last apply: with none since a
        fault-free apply (only YAML edits), no change may be called drift (finding 9)."""
        if self.dirty:
            return
        STEPS["drift_checks"] += 1
        drift = [(str(c.address), c.origin) for c in plan.changes
                 if c.origin in ("drift", "yaml+drift") and not any(
                     c.key.casefold().startswith(k) for k in self.unsettled)]
        assert not drift, f"YAML-only edits reported as drift against the last-applied state: {drift}"

    def apply(self, fault_free: bool, kill_after: int | None = None, faults: dict | None = None):
        failed = self.apply_once(fault_free, kill_after, faults)
        if fault_free:
            self.check_next_plan(failed)

    def apply_once(self, fault_free: bool, kill_after: int | None = None, faults: dict | None = None):
        """One apply as `catalog apply --auto-approve` runs it (last-applied recorded
        after it); the store invariants checked; the failed changes' messages returned."""
        STEPS["applies"] += 1
        plan, desired, live = self.plan()
        before = self.server.dump()
        if faults:
            self.other.control("POST", "faults", faults)
        hooks = KillAfter(kill_after) if kill_after is not None else None
        failed: dict[str, str] = {}
        try:
            result = apply_saved_plan(plan, self.client, desired.store, check_stale=False, live=live,
                                      allow_price_drop=True, hooks=hooks)
            failed = {str(o.change.address): o.message for o in result.failed}
            last_applied.record(self.state, plan, result.outcomes, desired)
            self.unsettled = {o.change.key.casefold() for o in result.failed}
        except Killed:
            note(f"apply killed after {kill_after} changes")
        except ReconcilerError as exc:
            assert not fault_free, f"a fault-free apply raised {type(exc).__name__}: {exc}"
        finally:
            if faults:
                injected = sum(self.other.control("GET", "faults")["injected"].values())
                STEPS["faults_injected"] += injected
                note(f"faulted apply of {len(plan.changes)} changes: {injected} faults injected")
                self.other.control("DELETE", "faults")
        self.dirty = not fault_free
        after = self.server.dump()
        self.check_store(before, after)
        return failed

    def check_next_plan(self, failed: dict[str, str], second: bool = False) -> None:
        """After a fault-free apply the next plan is empty but for changes the store
        refused for a reason the YAML must fix (MUST_FIX, named with its message, or
        DEPENDENT on such an owner) or a guardrail blocks; then a second fault-free
        apply, nothing edited in between, must not fail with an error our client
        caused: "fails forever" is a failure (see failure_class)."""
        again, _, _ = self.plan()
        left = [c for c in again.changes if c.action is not Action.NOOP and not c.blocked]
        must_fix = [_key(a) for a, m in failed.items() if failure_class(m) == MUST_FIX]

        def acceptable(address: str, message: str | None) -> bool:
            kind = failure_class(message) if message else None
            return kind == MUST_FIX or kind == DEPENDENT and any(
                _key(address).casefold().startswith(k.casefold()) for k in must_fix)

        bad = [(c.action.verb, str(c.address), [f.path for f in c.changes], failed.get(c.address)) for c in left
               if not acceptable(c.address, failed.get(c.address))]
        assert not bad, (f"plan after a fault-free apply still changes, not named as the YAML's to fix "
                         f"(verb, address, fields, last failure): {bad}; failed: {failed}")
        if left and not second:
            STEPS["second_applies"] += 1
            again_failed = self.apply_once(fault_free=True)
            forever = {a: m for a, m in again_failed.items() if not acceptable(a, m)}
            assert not forever, f"fails forever: a second fault-free apply fails again with: {forever}"
            self.check_next_plan(again_failed, second=True)

    def check_store(self, before: dict, after: dict) -> None:
        skus = []
        for p in after["products"]:
            skus.append(p["sku"].casefold())
            skus += [v["sku"].casefold() for v in p.get("variants") or []]
        dups = sorted({s for s in skus if skus.count(s) > 1})
        assert not dups, f"duplicate SKUs in the store: {dups}"
        mine = self.yaml_skus()
        for kind, key, names in (("products", "sku", mine), ("price_lists", "name", {"trade gbp"}),
                                 ("customer_groups", "name", {"retail", "trade", "wholesale"})):
            was = {o[key].casefold(): o for o in before[kind] if o[key].casefold() not in names}
            now = {o[key].casefold(): o for o in after[kind] if o[key].casefold() not in names}
            for k in set(was) | set(now):
                assert _canon(was.get(k)) == _canon(now.get(k)), \
                    f"{kind} {k!r} outside the YAML changed: {was.get(k)} -> {now.get(k)}"
        for p in after["products"]:
            for row in [p] + list(p.get("variants") or []):
                if row["sku"].casefold() in self.created_inventory:
                    continue
                seeded = INVENTORY if row["sku"] != UNMANAGED["sku"] else UNMANAGED["inventory_level"]
                level = row.get("inventory_level", 0)
                assert level in (seeded, 0), f"inventory of {row['sku']} written: {level}"

    # ---- rules: apply ---------------------------------------------------------------

    def step(self, kind: str | None = None) -> None:
        STEPS["count"] += 1
        if kind:
            STEPS[kind] += 1
        if kind == "api_edits":
            self.dirty = True

    @rule()
    def fault_free_apply(self):
        self.step()
        self.apply(fault_free=True)

    @rule(seed=st.integers(0, 2**31 - 1), kinds=st.lists(st.sampled_from(FAULTS), min_size=1, max_size=3),
          rate=st.sampled_from([0.2, 0.35, 0.5]), burst=st.integers(0, 3), price=money)
    def faulted_apply(self, seed, kinds, rate, burst, price):
        """Faults during a larger plan (every product's price set, so several batches
        and PUTs are sent): rates high enough that they reach the wire (counted)."""
        self.step("faulted")
        for p in self.products.values():
            p["price"] = price
        queue = [{"fault": "429", "count": burst}] if burst else []
        self.client.transport.backoff_s = 0.01
        kinds = sorted(set(kinds))              # the sandbox takes rates adding up to at most 1
        self.apply(fault_free=False, faults={"seed": seed, "rates": {k: rate / len(kinds) for k in kinds},
                                             "queue": queue})

    @rule(n=st.integers(0, 15))
    def killed_apply(self, n):
        self.step("killed")
        self.apply(fault_free=False, kill_after=n)

    # ---- rules: YAML edits ----------------------------------------------------------

    @rule(data=st.data(), price=money)
    def yaml_variant_price(self, data, price):
        self.step("yaml_edits")
        p = data.draw(st.sampled_from(sorted(self.products)))
        w = data.draw(st.sampled_from(sorted(self.products[p]["widths"])))
        self.products[p]["widths"][w] = price

    @rule(data=st.data(), price=money)
    def yaml_product_price(self, data, price):
        self.step("yaml_edits")
        self.products[data.draw(st.sampled_from(sorted(self.products)))]["price"] = price

    @rule(data=st.data())
    def yaml_toggle_channel(self, data):
        self.step("yaml_edits")
        p = self.products[data.draw(st.sampled_from(sorted(self.products)))]
        p["channels"] = ["uk-main"] if "us-trade" in p["channels"] else ["uk-main", "us-trade"]

    @rule(data=st.data(), value=st.sampled_from(["Nylon", "Steel", "Nylon 6.6"]))
    def yaml_custom_field(self, data, value):
        self.step("yaml_edits")
        self.products[data.draw(st.sampled_from(sorted(self.products)))]["custom_fields"]["Material"] = value

    @precondition(lambda self: enabled("yaml_toggle_width"))
    @rule(data=st.data(), width=st.sampled_from(WIDTHS))
    def yaml_toggle_width(self, data, width):
        self.step("yaml_edits")
        p = self.products[data.draw(st.sampled_from(sorted(self.products)))]
        width = next((w for w in p["widths"] if variant_sku("", w) == variant_sku("", width)), width)  # renamed
        if width in p["widths"] and len(p["widths"]) > 1:
            del p["widths"][width]
            self.records.pop(variant_sku(p["sku"], width), None)
        elif width not in p["widths"]:
            p["widths"][width] = p["price"]

    @precondition(lambda self: enabled("yaml_rename_width"))
    @rule(data=st.data())
    def yaml_rename_width(self, data):
        """Rename one option value ("2.5mm" <-> "2.5 mm"): same variant SKU, new label."""
        self.step("yaml_edits")
        p = self.products[data.draw(st.sampled_from(sorted(self.products)))]
        old = data.draw(st.sampled_from(sorted(p["widths"])))
        new = old.replace(" ", "") if " " in old else old.replace("mm", " mm")
        if new not in p["widths"]:
            p["widths"] = {new if w == old else w: v for w, v in p["widths"].items()}

    @precondition(lambda self: self.next_code < 3)
    @rule()
    def yaml_add_product(self):
        self.step("yaml_edits")
        code = f"N{self.next_code}"
        self.next_code += 1
        new = product(code, ("2.5mm",))
        self.products[new["sku"]] = new
        self.created_inventory |= {new["sku"].casefold(), variant_sku(new["sku"], "2.5mm").casefold()}

    @rule(data=st.data(), price=st.one_of(st.none(), money))
    def yaml_record(self, data, price):
        """Set, change or remove one Trade GBP record."""
        self.step("yaml_edits")
        p = self.products[data.draw(st.sampled_from(sorted(self.products)))]
        sku = variant_sku(p["sku"], data.draw(st.sampled_from(sorted(p["widths"]))))
        if price is None:
            self.records.pop(sku, None)
        else:
            self.records[sku] = price

    @rule(channels=st.sets(st.sampled_from(sorted(CHANNEL_IDS))))
    def yaml_assignments(self, channels):
        self.step("yaml_edits")
        self.assignments = [{"customer_group": "Trade", "channel": c} for c in sorted(channels)]

    @rule(amount=st.one_of(st.none(), st.integers(1, 30)))
    def yaml_group_rules(self, amount):
        self.step("yaml_edits")
        self.rules = [] if amount is None else [{"type": "all", "method": "percent", "amount": Decimal(amount)}]

    # ---- rules: another writer ------------------------------------------------------

    def pick_live(self, data) -> dict | None:
        return self.other.product(data.draw(st.sampled_from(sorted(self.products))))

    @rule(data=st.data(), price=money)
    def api_change_price(self, data, price):
        self.step("api_edits")
        p = self.pick_live(data)
        if p and p["variants"] and data.draw(st.booleans()):
            v = data.draw(st.sampled_from(p["variants"]))
            self.other.call("PUT", f"/v3/catalog/products/{p['id']}/variants/{v['id']}", {"price": float(price)})
        elif p:
            self.other.call("PUT", f"/v3/catalog/products/{p['id']}", {"price": float(price)})

    @rule(data=st.data())
    def api_change_name_case(self, data):
        self.step("api_edits")
        p = self.pick_live(data)
        if p:
            self.other.call("PUT", f"/v3/catalog/products/{p['id']}", {"name": p["name"].swapcase()})

    @rule(data=st.data())
    def api_delete_product(self, data):
        self.step("api_edits")
        p = self.pick_live(data)
        if p:
            self.other.call("DELETE", f"/v3/catalog/products/{p['id']}")

    @precondition(lambda self: enabled("api_delete_variant"))
    @rule(data=st.data())
    def api_delete_variant(self, data):
        self.step("api_edits")
        p = self.pick_live(data)
        if p and len(p["variants"]) > 1:
            v = data.draw(st.sampled_from(p["variants"]))
            self.other.call("DELETE", f"/v3/catalog/products/{p['id']}/variants/{v['id']}")

    @precondition(lambda self: enabled("api_remove_option_value"))
    @rule(data=st.data(), label=st.sampled_from(WIDTHS + ["6.0mm"]))
    def api_add_option_value(self, data, label):
        self.step("api_edits")
        p = self.pick_live(data)
        if p and p.get("options"):
            o = p["options"][0]
            self.other.call("POST", f"/v3/catalog/products/{p['id']}/options/{o['id']}/values",
                            {"label": label, "sort_order": 9})

    @precondition(lambda self: enabled("api_remove_option_value"))
    @rule(data=st.data())
    def api_remove_option_value(self, data):
        self.step("api_edits")
        p = self.pick_live(data)
        if p and p.get("options") and p["options"][0].get("option_values"):
            o = p["options"][0]
            val = data.draw(st.sampled_from(o["option_values"]))
            self.other.call("DELETE", f"/v3/catalog/products/{p['id']}/options/{o['id']}/values/{val['id']}")

    @precondition(lambda self: enabled("api_rename_option_value"))
    @rule(data=st.data())
    def api_rename_option_value(self, data):
        self.step("api_edits")
        p = self.pick_live(data)
        if p and p.get("options") and p["options"][0].get("option_values"):
            o = p["options"][0]
            val = data.draw(st.sampled_from(o["option_values"]))
            self.other.call("PUT", f"/v3/catalog/products/{p['id']}/options/{o['id']}/values/{val['id']}",
                            {"label": val["label"] + "x"})

    @rule(data=st.data())
    def api_channel(self, data):
        """List or unlist a product on a channel."""
        self.step("api_edits")
        p = self.pick_live(data)
        if not p:
            return
        channel = data.draw(st.sampled_from(sorted(CHANNEL_IDS.values())))
        if data.draw(st.booleans()):
            self.other.call("PUT", "/v3/catalog/products/channel-assignments",
                            [{"product_id": p["id"], "channel_id": channel}])
        else:
            self.other.call("DELETE", "/v3/catalog/products/channel-assignments",
                            **{"product_id:in": p["id"], "channel_id:in": channel})

    def price_list_id(self) -> int | None:
        _, body = self.other.call("GET", "/v3/pricelists", limit=250)
        rows = [r for r in (body or {}).get("data") or [] if r["name"].casefold() == "trade gbp"]
        return rows[0]["id"] if rows else None

    @rule(data=st.data(), price=money)
    def api_change_record(self, data, price):
        self.step("api_edits")
        pl = self.price_list_id()
        if pl is None or not self.records:
            return
        sku = data.draw(st.sampled_from(sorted(self.records)))
        self.other.call("PUT", f"/v3/pricelists/{pl}/records",
                        [{"sku": sku, "currency": "GBP", "price": float(price)}])

    @rule(data=st.data())
    def api_delete_price_record(self, data):
        self.step("api_edits")
        pl = self.price_list_id()
        _, body = self.other.call("GET", f"/v3/pricelists/{pl}/records") if pl else (0, None)
        rows = (body or {}).get("data") or []
        if rows:
            row = data.draw(st.sampled_from(rows))
            self.other.call("DELETE", f"/v3/pricelists/{pl}/records", **{"variant_id:in": row["variant_id"]})

    @rule(data=st.data())
    def api_delete_assignment(self, data):
        self.step("api_edits")
        pl = self.price_list_id()
        _, body = self.other.call("GET", "/v3/pricelists/assignments", price_list_id=pl) if pl else (0, None)
        rows = (body or {}).get("data") or []
        if rows:
            row = data.draw(st.sampled_from(rows))
            self.other.call("DELETE", "/v3/pricelists/assignments", id=row["id"])

    @rule(amount=st.integers(1, 50))
    def api_group_rules(self, amount):
        self.step("api_edits")
        self.other.call("PUT", "/v2/customer_groups/4",
                        {"discount_rules": [{"type": "all", "method": "percent", "amount": str(amount)}]})

    @rule()
    def api_group_name_case(self):
        self.step("api_edits")
        _, g = self.other.call("GET", "/v2/customer_groups/4")
        if g:
            self.other.call("PUT", "/v2/customer_groups/4", {"name": g["name"].swapcase()})

    @rule(data=st.data(), same_sku=st.booleans())
    def api_colliding_product(self, data, same_sku):
        """Another app creates a product whose SKU or name collides with the YAML's."""
        self.step("api_edits")
        p = self.products[data.draw(st.sampled_from(sorted(self.products)))]
        n = STEPS["count"]
        body = {"type": "physical", "weight": 1, "price": 5.0, "categories": [],
                "sku": p["sku"].lower() if same_sku else f"OTHER-{n}",
                "name": p["name"].upper() if not same_sku else f"Other app product {n}"}
        status, _ = self.other.call("POST", "/v3/catalog/products", body)
        note(f"colliding product {body['sku']!r}/{body['name']!r}: {status}")

    # ---- rules: brands, price list, group case ----------------------------------------

    @rule(brand=st.sampled_from(BRANDS), title=st.sampled_from(TITLES + [None]))
    def yaml_brand_title(self, brand, title):
        self.step("yaml_edits")
        self.brands[brand] = title

    @rule(data=st.data(), brand=st.sampled_from(BRANDS))
    def yaml_product_brand(self, data, brand):
        self.step("yaml_edits")
        self.products[data.draw(st.sampled_from(sorted(self.products)))]["brand"] = brand

    @rule(data=st.data(), title=st.sampled_from(TITLES + ["Admin title"]))
    def api_brand_title(self, data, title):
        self.step("api_edits")
        _, body = self.other.call("GET", "/v3/catalog/brands", name=data.draw(st.sampled_from(BRANDS)))
        rows = (body or {}).get("data") or []
        if rows:
            self.other.call("PUT", f"/v3/catalog/brands/{rows[0]['id']}", {"name": rows[0]["name"], "page_title": title})

    @rule(name=st.sampled_from(["Trade GBP", "TRADE GBP", "trade gbp"]), active=st.booleans())
    def yaml_price_list(self, name, active):
        """The list's name in another case, or switched off/on."""
        self.step("yaml_edits")
        if not enabled("yaml_price_list_case"):
            name = "Trade GBP"
        self.list_name, self.list_active = name, active

    @rule(data=st.data())
    def api_price_list(self, data):
        self.step("api_edits")
        pl = self.price_list_id()
        if pl is None:
            return
        _, body = self.other.call("GET", f"/v3/pricelists/{pl}")
        row = (body or {}).get("data") or {}
        if data.draw(st.booleans()):
            self.other.call("PUT", f"/v3/pricelists/{pl}", {"name": row["name"], "active": not row["active"]})
        else:
            self.other.call("PUT", f"/v3/pricelists/{pl}", {"name": row["name"].swapcase()})

    @rule(name=st.sampled_from(["Trade", "TRADE", "trade"]))
    def yaml_group_name_case(self, name):
        self.step("yaml_edits")
        self.trade_name = name

    @invariant()
    def counted(self):
        pass


def _key(address: str) -> str:
    """"variant['CT-A-2.5']" -> "CT-A-2.5"."""
    return Address.parse(str(address)).key


def _canon(obj) -> str:
    return json.dumps(obj, sort_keys=True, default=str)


def _jsonable(data):
    return json.loads(json.dumps(data, default=float))


def _yamlable(data):
    """Decimals as YAML numbers (the loader reads floats as Decimals)."""
    if isinstance(data, Decimal):
        return float(data) if data != data.to_integral() else int(data)
    if isinstance(data, dict):
        return {k: _yamlable(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_yamlable(v) for v in data]
    return data


def run_machine(base: type, server, examples: int, steps: int, fuzz: bool, database=None) -> None:
    """Run a machine class against ``server`` over HTTP (a client of its own, a tmp catalog)."""
    from contextlib import ExitStack
    from pathlib import Path
    import tempfile

    from hypothesis import HealthCheck, settings

    from reconciler import connect
    from reconciler.store.config import StoreConfig

    config = StoreConfig(api_url=server.url, store_hash=server.store_hash, token=server.token)
    with ExitStack() as stack:
        client = stack.enter_context(connect(config, parallelism=4))
        tmp = stack.enter_context(tempfile.TemporaryDirectory())
        client.transport.backoff_s = 0.01
        machine = type("Machine", (base,), {"server": server, "client": client, "folder": Path(tmp) / "catalog"})
        run = machine.TestCase
        run.settings = settings(max_examples=examples, stateful_step_count=steps, deadline=None,
                                suppress_health_check=list(HealthCheck), derandomize=not fuzz, database=database)
        run("runTest").runTest()
