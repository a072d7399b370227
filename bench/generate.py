"""Synthetic stores of any size, for benchmarks and scale tests.

``generate_store`` makes a store in the SEED FORMAT (see ``reconciler.sandbox.seeds``):
brands, categories (a path per category), products with options, variants, custom
fields and channels, the customer groups "Retail" (id 1, default) and "Trade" (id 2),
and price lists with one record per variant – the first, "Trade GBP", assigned to
Trade on channel 1. ``write_catalog`` writes the same catalog as YAML files, the way
a team would keep it in git, optionally with a fraction of the prices changed:

    >>> data = generate_store(2, variants_per_product=2)
    >>> [p["sku"] for p in data["products"]], [v["sku"] for v in data["products"][0]["variants"]]
    (['CT-P00001', 'FX-P00002'], ['CT-P00001-2.5', 'CT-P00001-3.6'])

SKUs follow the house convention: ``{CODE}-P{n}`` for products, the code naming
the product's top category (CT Cable Ties, FX Fixings, TL Tools, EL Electrical),
and ``{product SKU}-{width}`` for variants. Everything is drawn from
``random.Random(seed)``: the same arguments give the same store.

It lives in ``bench/``, not in the package: nothing at runtime needs it. Like the
sandbox it imports nothing from the client side of the package (the sandbox is a
second store, not built from our own mapping); the YAML it writes only has to be
what a person would write by hand.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path
from typing import Any

# (code, top category, its subcategories, brands that sell there)
TOPS = (
    ("CT", "Cable Ties", ("Nylon", "Stainless Steel", "Releasable", "Mounts"), ("GTSE Pro", "TieMaster")),
    ("FX", "Fixings", ("Wall Plugs", "Screws", "Anchors", "Brackets"), ("FixRight", "GTSE Pro")),
    ("TL", "Tools", ("Crimpers", "Cutters", "Strippers", "Testers"), ("ToolForge", "ProGrip")),
    ("EL", "Electrical", ("Connectors", "Terminals", "Heat Shrink", "Junction Boxes"), ("VoltLine", "Sparkwell")),
)
WIDTHS = ("2.5", "3.6", "4.8", "7.6", "9.0", "12.7", "15.0", "20.0", "25.0", "30.0")
MATERIALS = ("Nylon 6.6", "Stainless 316", "Polypropylene", "Zinc plated steel", "Brass", "PVC")
COLOURS = ("Black", "Natural", "Red", "Blue", "Yellow", "Grey")
PACKS = ("10", "25", "50", "100", "250", "500")
CHANNEL_NAMES = {1: "uk-main", 2: "us-trade"}
# Price lists: the first is GTSE's Trade GBP list; more are extra contract lists.
# (name, currency, channel of its Trade assignment, price as a share of the catalog price)
LISTS = (("Trade GBP", "GBP", 1, 0.80), ("Trade USD", "USD", 2, 1.00))
GROUPS = ({"name": "Retail", "id": 1, "is_default": True, "category_access": {"type": "all"}},
          {"name": "Trade", "id": 2, "is_default": False, "category_access": {"type": "all"}})
PRODUCTS_PER_FILE = 1000


def _money(pence: int) -> float:
    """Pence as a float that prints back as the same two-decimal text (195 -> 1.95)."""
    return round(pence / 100, 2)


def _pence(value: float) -> int:
    return int(round(value * 100))


def generate_store(products: int, variants_per_product: int = 3, price_lists: int = 1,
                   seed: int = 0) -> dict[str, Any]:
    """A store of ``products`` products with ``variants_per_product`` variants each (0: plain
    products) and ``price_lists`` price lists with one record per variant, in the SEED FORMAT."""
    if products < 0 or not 0 <= variants_per_product <= len(WIDTHS) or price_lists < 0:
        raise ValueError(f"products >= 0, 0 <= variants_per_product <= {len(WIDTHS)}, price_lists >= 0")
    rng = random.Random(seed)
    width = max(5, len(str(products)))
    brands = sorted({b for *_, names in TOPS for b in names})
    categories: list[dict[str, Any]] = []
    for t, (_, top, subs, _) in enumerate(TOPS):
        categories.append({"path": top, "is_visible": True, "sort_order": 10 * (t + 1)})
        categories += [{"path": f"{top}/{s}", "is_visible": True, "sort_order": 10 * (k + 1)}
                       for k, s in enumerate(subs)]

    items: list[dict[str, Any]] = []
    costs: dict[str, int] = {}          # SKU -> cost in pence, for the price lists
    prices: dict[str, int] = {}         # SKU -> catalog price in pence
    for i in range(1, products + 1):
        code, top, subs, names = TOPS[(i - 1) % len(TOPS)]
        sub = rng.choice(subs)
        sku = f"{code}-P{i:0{width}d}"
        base, step = rng.randint(95, 4995), rng.randint(20, 150)
        grams = rng.randint(20, 900)
        product: dict[str, Any] = {
            "sku": sku, "name": f"{sub} {top} {rng.choice(COLOURS)} No. {i}", "type": "physical",
            "brand": rng.choice(names), "categories": [f"{top}/{sub}"],
            "price": _money(base), "cost_price": _money(base * 2 // 5), "weight": grams / 1000,
            "is_visible": True,
            "custom_fields": {"Material": rng.choice(MATERIALS), "Pack Size": rng.choice(PACKS)},
            "channels": [1, 2] if rng.random() < 0.3 else [1],
            # Store-only fields (the warehouse's, never in YAML): the catalog leaves them alone.
            "inventory_level": rng.randint(0, 900), "inventory_tracking": "product",
        }
        if variants_per_product:
            variants = []
            for k in range(variants_per_product):
                pence = base + k * step
                vsku = f"{sku}-{WIDTHS[k]}"
                variants.append({"sku": vsku, "options": {"Width": f"{WIDTHS[k]}mm"}, "price": _money(pence),
                                 "cost_price": _money(pence * 2 // 5), "weight": (grams + 10 * k) / 1000})
                costs[vsku], prices[vsku] = pence * 2 // 5, pence
            product["variants"] = variants
        else:
            costs[sku], prices[sku] = base * 2 // 5, base
        items.append(product)

    lists = []
    for n in range(price_lists):
        name, currency, channel, rate = LISTS[n] if n < len(LISTS) else (f"Contract {n + 1}", "GBP", None, 0.90)
        records = [{"sku": s, "currency": currency,
                    "price": _money(max(int(round(pence * rate)), costs[s] + 1))}
                   for s, pence in prices.items()]
        assignments = [{"customer_group": "Trade", "channel": channel}] if channel else []
        lists.append({"name": name, "active": True, "records": records, "assignments": assignments})

    return {"brands": [{"name": b} for b in brands], "categories": categories, "products": items,
            "customer_groups": [dict(g) for g in GROUPS], "price_lists": lists}


# -- the same store as YAML -----------------------------------------------------------------------

# Writing goes through a small emitter of our own: PyYAML's representer is pure Python and
# took seconds for 10,000 products. The output is plain block YAML with flow-style leaves
# (what ``yaml.dump(default_flow_style=None)`` writes); tests/bench checks it loads back equal.
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 ._/()+&'-]*[A-Za-z0-9.)]|[A-Za-z]|[0-9]+(\.[0-9]+)?(mm|cm|kg|g|m)")
_RESERVED = frozenset("y yes n no true false on off null".split())


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    text = str(value)
    if _PLAIN.fullmatch(text) and text.lower() not in _RESERVED:
        return text
    return json.dumps(text, ensure_ascii=False)   # a JSON string is a YAML double-quoted scalar


def _is_leaf(value: Any) -> bool:
    if isinstance(value, dict):
        return not any(isinstance(v, (dict, list)) for v in value.values())
    if isinstance(value, list):
        return not any(isinstance(v, (dict, list)) for v in value)
    return True


def _flow(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_scalar(k)}: {_scalar(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    return _scalar(value)


def _block(value: Any, pad: str, out: list[str]) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            if _is_leaf(v):
                out.append(f"{pad}{_scalar(k)}: {_flow(v)}")
            else:
                out.append(f"{pad}{_scalar(k)}:")
                _block(v, pad + "  ", out)
    else:
        for item in value:
            if _is_leaf(item):
                out.append(f"{pad}- {_flow(item)}")
            else:
                start = len(out)
                _block(item, pad + "  ", out)
                out[start] = f"{pad}- {out[start][len(pad) + 2:]}"


def to_yaml(body: dict[str, Any]) -> str:
    """``body`` (plain dicts, lists, str, int, float, bool, None) as YAML text."""
    out: list[str] = []
    _block(body, "", out)
    return "\n".join(out) + "\n"


def _nudge(rng: random.Random, pence: int, floor: int) -> int:
    """A small, realistic price change: -5 % .. +8 %, never to or below ``floor`` (the cost),
    and never zero (at least a penny)."""
    for _ in range(20):
        pct = rng.choice((-5, -4, -3, -2, -1, 1, 2, 3, 4, 5, 6, 7, 8))
        new = int(round(pence * (100 + pct) / 100))
        if new != pence and new > floor:
            return new
    return pence + 1


def _dump(path: Path, header: str, body: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"# {header}\n{to_yaml(body)}", encoding="utf-8")


def _product_yaml(p: dict[str, Any], changed: dict[str, int]) -> dict[str, Any]:
    out = {k: p[k] for k in ("sku", "name", "type", "brand", "categories", "price", "cost_price", "weight",
                             "is_visible", "custom_fields") if k in p}
    if p["sku"] in changed:
        out["price"] = _money(changed[p["sku"]])
    if p.get("variants"):
        options: dict[str, list[str]] = {}
        for v in p["variants"]:
            for name, label in v["options"].items():
                if label not in options.setdefault(name, []):
                    options[name].append(label)
        out["options"] = options
        out["variants"] = [{**v, "price": _money(changed[v["sku"]])} if v["sku"] in changed else dict(v)
                           for v in p["variants"]]
    out["channels"] = [CHANNEL_NAMES[c] for c in p.get("channels", [1])]
    return out


def write_catalog(data: dict[str, Any], folder: str | Path, *, changed_fraction: float = 0.0,
                  seed: int = 0) -> dict[str, int]:
    """Write ``data`` (SEED FORMAT, as from ``generate_store``) as a YAML catalog under ``folder``:
    store.yaml, brands.yaml, categories.yaml, products/products-NNNN.yaml (at most 1,000
    products a file), customer-groups.yaml, price-lists/<name>.yaml.

    ``changed_fraction`` of the variant prices (the product price for a product without
    variants) and, chosen independently, of the price-record prices are changed by a small
    amount (-5 % .. +8 %, never below cost), so the catalog plans to that many updates and
    no guardrail blocks it. Returns ``{"changed_variants": n, "changed_records": m}``."""
    if not 0.0 <= changed_fraction <= 1.0:
        raise ValueError("changed_fraction must be between 0 and 1")
    root = Path(folder)
    if root.exists() and any(root.rglob("*.yaml")):
        raise FileExistsError(f"{root} already holds YAML files; write the catalog to an empty folder")
    rng = random.Random(seed)
    products = data.get("products", [])
    lists = data.get("price_lists", [])

    # What changes: a sample of the SKU-level prices, and of the price records.
    priced = [(v["sku"], _pence(v["price"]), _pence(v.get("cost_price") or 0))
              for p in products for v in (p.get("variants") or [p])]
    cost = {sku: c for sku, _, c in priced}
    changed: dict[str, int] = {}
    for sku, pence, floor in rng.sample(priced, round(changed_fraction * len(priced))):
        changed[sku] = _nudge(rng, pence, floor)
    records = [(n, r) for n, pl in enumerate(lists) for r in pl.get("records", [])]
    changed_records = {id(r): _nudge(rng, _pence(r["price"]), cost.get(r["sku"], 0))
                       for _, r in rng.sample(records, round(changed_fraction * len(records)))}

    conventions = {code: top for code, top, *_ in TOPS}
    _dump(root / "store.yaml", "Generated by bench.generate: a synthetic GTSE-like store.", {
        "store": {"name": "GTSE (generated)", "currency": "GBP", "category_tree_id": 1,
                  "channels": {name: cid for cid, name in CHANNEL_NAMES.items()},
                  "sku_convention": {"enabled": True, "categories": conventions},
                  "guardrails": {"max_price_drop_percent": 30}}})
    _dump(root / "brands.yaml", "Brands.", {"brands": [dict(b) for b in data.get("brands", [])]})
    _dump(root / "categories.yaml", "Categories by path.",
          {"categories": [dict(c) for c in data.get("categories", [])]})
    for start in range(0, len(products), PRODUCTS_PER_FILE):
        chunk = products[start:start + PRODUCTS_PER_FILE]
        _dump(root / "products" / f"products-{start // PRODUCTS_PER_FILE + 1:04d}.yaml",
              f"Products {start + 1} to {start + len(chunk)}.",
              {"products": [_product_yaml(p, changed) for p in chunk]})
    groups = []
    for g in data.get("customer_groups", []):
        out = {"name": g["name"]}
        if g.get("is_default"):
            out["is_default"] = True
        out.update({k: v for k, v in g.items() if k not in ("name", "id", "is_default")})
        groups.append(out)
    if groups:
        _dump(root / "customer-groups.yaml", "Customer groups, adopted by name.", {"customer_groups": groups})
    for pl in lists:
        recs = pl.get("records", [])
        currency = str(recs[0].get("currency", "GBP")).upper() if recs else "GBP"
        body: dict[str, Any] = {"name": pl["name"], "active": pl.get("active", True), "currency": currency}
        body["assignments"] = [{"customer_group": a["customer_group"], "channel": CHANNEL_NAMES[a["channel"]]}
                               for a in pl.get("assignments", [])]
        body["records"] = []
        for r in recs:
            rec = {k: v for k, v in r.items() if k != "currency" or str(v).upper() != currency}
            if id(r) in changed_records:
                rec["price"] = _money(changed_records[id(r)])
            body["records"].append(rec)
        slug = "-".join(pl["name"].lower().split())
        _dump(root / "price-lists" / f"{slug}.yaml", f"Price list {pl['name']}.", {"price_lists": [body]})
    return {"changed_variants": len(changed), "changed_records": len(changed_records)}
