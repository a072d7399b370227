"""What a simple integration does: one request per object, one at a time.

The baseline the benchmark compares catalog-reconciler with. It is written the way
the API docs' first examples read, not as a strawman:

* it reads the YAML catalog with PyYAML (no validation, money as floats);
* to find what changed it looks every product up by SKU
  (``GET /v3/catalog/products?sku=…&include=variants``), one request per product,
  then reads each price list's records page by page (250 a page) – not one request
  per record, so the comparison is, if anything, kind to the naive client;
* it writes each changed variant (``PUT …/products/{id}/variants/{id}``) and each
  changed price record (``PUT /v3/pricelists/{id}/records/{variant_id}/{currency}``)
  on its own;
* into an empty store it reads the category tree once, POSTs each brand, missing
  category and customer group, then per
  product: the product (custom fields in its body), its option, each variant, a
  channel assignment when it is listed on a second channel, and each price record;
* on 429 it sleeps a fixed second and tries again (the docs' simplest retry: a
  blind sleep, not the X-Rate-Limit-* headers). Retries are bounded.

It never runs requests in parallel.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import requests
import yaml

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class NaiveError(RuntimeError):
    pass


class NaiveClient:
    def __init__(self, api_base: str, token: str, *, retry_sleep_s: float = 1.0, max_tries: int = 60) -> None:
        self.base = api_base.rstrip("/")
        self.session = requests.Session()
        self.session.headers.update({"X-Auth-Token": token, "Accept": "application/json",
                                     "Content-Type": "application/json"})
        self.retry_sleep_s = retry_sleep_s
        self.max_tries = max_tries
        self.sent = 0
        self.by_status: dict[int, int] = {}
        self.slept_s = 0.0

    def request(self, method: str, path: str, params: dict | None = None, body: Any = None) -> Any:
        for _ in range(self.max_tries):
            resp = self.session.request(method, self.base + path, params=params, json=body, timeout=60)
            self.sent += 1
            self.by_status[resp.status_code] = self.by_status.get(resp.status_code, 0) + 1
            if resp.status_code == 429:
                time.sleep(self.retry_sleep_s)
                self.slept_s += self.retry_sleep_s
                continue
            if resp.status_code >= 400:
                raise NaiveError(f"{method} {path}: {resp.status_code} {resp.text[:300]}")
            return resp.json() if resp.content else None
        raise NaiveError(f"{method} {path}: still 429 after {self.max_tries} tries")

    def close(self) -> None:
        self.session.close()


# -- the catalog, read the simple way -------------------------------------------------------------

def read_catalog(folder: str | Path) -> dict[str, Any]:
    out: dict[str, Any] = {"store": {}}
    for path in sorted(Path(folder).rglob("*.yaml")):
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader) or {}
        for key, value in doc.items():
            if key == "store":
                out["store"] = value
            elif isinstance(value, list):
                out.setdefault(key, []).extend(value)
    return out


PRODUCT_FIELDS = ("name", "type", "price", "cost_price", "weight", "is_visible")
VARIANT_FIELDS = ("price", "cost_price", "weight")


def _differs(want: dict, have: dict, fields: tuple[str, ...]) -> dict:
    return {f: want[f] for f in fields if f in want and want[f] != have.get(f)}


def _price_list_ids(client: NaiveClient, catalog: dict) -> dict[str, int]:
    ids = {}
    for pl in catalog.get("price_lists", []):
        rows = client.request("GET", "/v3/pricelists", {"name": pl["name"]})["data"]
        if not rows:
            raise NaiveError(f"price list {pl['name']!r} not found")
        ids[pl["name"]] = rows[0]["id"]
    return ids


def sync_existing(client: NaiveClient, catalog: dict, *, write: bool) -> dict[str, int]:
    """Compare every product, variant and price record with the store, one product at a
    time; with ``write`` PUT each difference on its own. Returns counts."""
    list_ids = _price_list_ids(client, catalog)
    variant_ids: dict[str, int] = {}
    counts = {"products": 0, "product_changes": 0, "variant_changes": 0, "record_changes": 0, "missing": 0}
    for p in catalog.get("products", []):
        rows = client.request("GET", "/v3/catalog/products", {"sku": p["sku"], "include": "variants"})["data"]
        counts["products"] += 1
        if not rows:
            counts["missing"] += 1
            continue
        live = rows[0]
        change = _differs(p, live, PRODUCT_FIELDS)
        if change:
            counts["product_changes"] += 1
            if write:
                client.request("PUT", f"/v3/catalog/products/{live['id']}", body=change)
        live_variants = {v["sku"]: v for v in live.get("variants") or []}
        for v in p.get("variants") or []:
            have = live_variants.get(v["sku"])
            if have is None:
                counts["missing"] += 1
                continue
            variant_ids[v["sku"]] = have["id"]
            change = _differs(v, have, VARIANT_FIELDS)
            if change:
                counts["variant_changes"] += 1
                if write:
                    client.request("PUT", f"/v3/catalog/products/{live['id']}/variants/{have['id']}", body=change)
    for name, plid in list_ids.items():
        have = {}
        for page in range(1, 10_000):
            data = client.request("GET", f"/v3/pricelists/{plid}/records",
                                  {"page": page, "limit": 250, "include": "sku"})
            have.update({(r.get("sku"), str(r.get("currency")).upper()): r for r in data["data"]})
            if page >= data["meta"]["pagination"]["total_pages"]:
                break
        for pl in (x for x in catalog.get("price_lists", []) if x["name"] == name):
            for r in pl.get("records", []):
                current = have.get((r["sku"], pl["currency"].upper()))
                if current is not None and current.get("price") == r["price"]:
                    continue
                counts["record_changes"] += 1
                if write:
                    vid = current["variant_id"] if current else variant_ids[r["sku"]]
                    client.request("PUT", f"/v3/pricelists/{plid}/records/{vid}/{pl['currency'].lower()}",
                                   body={"price": r["price"]})
    return counts


def create_all(client: NaiveClient, catalog: dict) -> dict[str, int]:
    """Create the whole catalog in an empty store, one object per request."""
    store = catalog.get("store", {})
    channels = store.get("channels", {"uk-main": 1})
    tree = store.get("category_tree_id", 1)
    brand_ids = {}
    for b in catalog.get("brands", []):
        brand_ids[b["name"]] = client.request("POST", "/v3/catalog/brands", body=b)["data"]["id"]
    # One look at the tree first: categories the store already has are used as they are.
    rows = client.request("GET", "/v3/catalog/trees/categories", {"tree_id:in": tree, "limit": 250})["data"]
    names = {r["category_id"]: r for r in rows}
    category_ids: dict[str, int] = {}
    for r in rows:
        path, parent = r["name"], r.get("parent_id")
        while parent in names:
            path, parent = f"{names[parent]['name']}/{path}", names[parent].get("parent_id")
        category_ids[path] = r["category_id"]
    for c in sorted(catalog.get("categories", []), key=lambda c: c["path"].count("/")):
        if c["path"] in category_ids:
            continue
        parent, _, name = c["path"].rpartition("/")
        body = {k: v for k, v in c.items() if k != "path"}
        body.update({"name": name, "tree_id": tree, "parent_id": category_ids.get(parent, 0)})
        row = client.request("POST", "/v3/catalog/trees/categories", body=[body])["data"][0]
        category_ids[c["path"]] = row.get("category_id") or row.get("id")
    group_ids = {}
    for g in catalog.get("customer_groups", []):
        group_ids[g["name"]] = client.request("POST", "/v2/customer_groups", body=g)["id"]
    counts = {"products": 0, "variants": 0, "records": 0}
    variant_ids: dict[str, int] = {}
    for p in catalog.get("products", []):
        body = {k: p[k] for k in PRODUCT_FIELDS + ("sku",) if k in p}
        if p.get("brand"):
            body["brand_id"] = brand_ids[p["brand"]]
        body["categories"] = [category_ids[c] for c in p.get("categories", [])]
        body["custom_fields"] = [{"name": k, "value": str(v)} for k, v in (p.get("custom_fields") or {}).items()]
        pid = client.request("POST", "/v3/catalog/products", body=body)["data"]["id"]
        counts["products"] += 1
        value_ids = {}
        for name, labels in (p.get("options") or {}).items():
            option = client.request("POST", f"/v3/catalog/products/{pid}/options", body={
                "display_name": name, "type": "rectangles",
                "option_values": [{"label": str(label), "sort_order": i} for i, label in enumerate(labels)]})["data"]
            for value in option["option_values"]:
                value_ids[(name, value["label"])] = (option["id"], value["id"])
        for v in p.get("variants") or []:
            vbody = {k: v[k] for k in VARIANT_FIELDS + ("sku",) if k in v}
            vbody["option_values"] = [{"option_id": value_ids[(n, str(label))][0], "id": value_ids[(n, str(label))][1]}
                                      for n, label in v["options"].items()]
            variant_ids[v["sku"]] = client.request("POST", f"/v3/catalog/products/{pid}/variants", body=vbody)["data"]["id"]
            counts["variants"] += 1
        extra = [channels[c] for c in p.get("channels", []) if channels[c] != 1]
        if extra:
            client.request("PUT", "/v3/catalog/products/channel-assignments",
                           body=[{"product_id": pid, "channel_id": c} for c in extra])
    for pl in catalog.get("price_lists", []):
        plid = client.request("POST", "/v3/pricelists", body={"name": pl["name"], "active": pl.get("active", True)})["data"]["id"]
        for r in pl.get("records", []):
            client.request("PUT", f"/v3/pricelists/{plid}/records/{variant_ids[r['sku']]}/{pl['currency'].lower()}",
                           body={"price": r["price"]})
            counts["records"] += 1
        assignments = [{"price_list_id": plid, "customer_group_id": group_ids[a["customer_group"]],
                        "channel_id": channels[a["channel"]]} for a in pl.get("assignments", [])]
        if assignments:
            client.request("POST", "/v3/pricelists/assignments", body=assignments)
    return counts
