"""An independent check of request bodies against the official OpenAPI files.

The sandbox validates bodies with tables transcribed from the specs
(the schemas.py of each service in reconciler/sandbox/); this module deliberately does not use them: it reads
/work/shared/bigcommerce-api/specs itself, so a transcription mistake on either side
of the contract shows up as a disagreement.

``SpecChecker.check(method, path, body)`` -> a list of messages (empty: valid).
``path`` is the path after ``/stores/{hash}`` (``/v3/catalog/products``, ``/v2/customer_groups/4``).
Translation of OpenAPI 3.0 to JSON Schema (draft 7):
- ``$ref`` to ``#/...`` resolved in the same file (inlined, cycles cut at depth 40);
- ``nullable: true`` / ``x-nullable: true`` -> null added to ``type`` (and to an ``enum``);
- ``x-required: [post, put]`` on a property -> the property is in its object's
  ``required`` for those methods (the specs' way of saying "required in POST/PUT");
- ``format`` is not checked (``double``, ``ISO-4217`` ... are descriptive), ``readOnly``
  is not enforced, ``example``/``discriminator``/``xml`` are dropped.
"""

from __future__ import annotations

import json
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)   # libyaml: the specs are ~2 MB of YAML
_DROP = {"example", "examples", "discriminator", "xml", "externalDocs", "readOnly", "writeOnly",
         "deprecated", "nullable", "x-nullable", "x-required", "format", "title"}


def specs_dir() -> Path:
    """The specs as the repository reaches them: ../shared from the project root
    (CI has shared/ beside the clone), else $BIGCOMMERCE_SPECS, else /work/shared."""
    env = os.environ.get("BIGCOMMERCE_SPECS")
    root = Path(__file__).resolve().parents[2]
    for cand in ([Path(env)] if env else []) + [root.parent / "shared" / "bigcommerce-api" / "specs",
                                                 Path("/work/shared/bigcommerce-api/specs")]:
        if cand.is_dir():
            return cand
    raise FileNotFoundError("official specs not found (shared/bigcommerce-api/specs beside the clone)")


def _resolve(doc: dict, ref: str) -> Any:
    node: Any = doc
    for part in ref.lstrip("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def translate(node: Any, doc: dict, method: str, depth: int = 0) -> Any:
    """OpenAPI 3.0 schema -> JSON Schema for a request with ``method`` (lower case)."""
    if depth > 40:
        return {}
    if isinstance(node, list):
        return [translate(n, doc, method, depth + 1) for n in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return translate(_resolve(doc, node["$ref"]), doc, method, depth + 1)
    out = {k: translate(v, doc, method, depth + 1) for k, v in node.items()
           if k not in _DROP and k != "properties"}
    if "properties" in node:
        props = node["properties"]
        out["properties"] = {k: translate(v, doc, method, depth + 1) for k, v in props.items()}
        must = [k for k, v in props.items() if isinstance(v, dict) and method in (v.get("x-required") or [])]
        if must:
            out["required"] = sorted(set(out.get("required", [])) | set(must))
    if node.get("nullable") or node.get("x-nullable"):
        if "type" in out:
            out["type"] = sorted({*([out["type"]] if isinstance(out["type"], str) else out["type"]), "null"})
        if "enum" in out and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
    return out


# Spec defects FACTS.md flags (⚠) where the stricter reading cannot be followed: each
# entry drops required properties at one place of one operation's body schema.
# (method, path template, JSON path of the object in the body schema) -> names, reason.
SPEC_DEFECTS = {
    ("POST", "/v3/catalog/products", ("properties", "variants", "items")): (
        {"id", "product_id"},
        # FACTS §5.8: "⚠ Spec types variants[] items as productVariant_Full, which marks id,
        # product_id, sku required" — ids the store assigns on this very create cannot be sent.
        "FACTS 5.8"),
    # P product_Base_POST bulk_pricing_rules items: {id} (required, "Read-Only") + the rule;
    # ids the store assigns on this very create cannot be sent (sandbox catalog/schemas.py).
    ("POST", "/v3/catalog/products", ("properties", "bulk_pricing_rules", "items", "allOf", 0)): (
        {"id"}, "P product_Base_POST"),
    # P updateBulkPricingRule's text: "Required Fields: none", "Read-Only Fields: id", and each
    # field's description "Required in /POST."; its body schema marks them required (allOf:
    # {id} + bulkPricingRule_Full). The sandbox (catalog/bulk_pricing_rules.py) takes the text:
    # an update sends what changed, and an id in the body is refused.
    ("PUT", "/v3/catalog/products/{product_id}/bulk-pricing-rules/{bulk_pricing_rule_id}", ("allOf", 0)): (
        {"id"}, "P updateBulkPricingRule"),
    ("PUT", "/v3/catalog/products/{product_id}/bulk-pricing-rules/{bulk_pricing_rule_id}", ("allOf", 1)): (
        {"quantity_min", "quantity_max", "type", "amount"}, "P updateBulkPricingRule"),
}


def _patch(schema: dict, method: str, template: str) -> dict:
    for (m, t, where), (names, _) in SPEC_DEFECTS.items():
        if (m, t) == (method, template):
            node = schema
            for part in where:
                node = node[part]
            node["required"] = [r for r in node.get("required", []) if r not in names]
    return schema


def _base(doc: dict) -> str:
    """'/v3' from 'https://api.bigcommerce.com/stores/{store_hash}/v3'."""
    url = doc.get("servers", [{}])[0].get("url", "")
    return url.split("{store_hash}", 1)[-1].rstrip("/")


def _pattern(template: str) -> re.Pattern:
    parts = [re.escape(p) if not p.startswith("{") else "[^/]+" for p in re.split(r"(\{[^}]+\})", template) if p]
    return re.compile("^" + "".join(parts) + "/?$")


class SpecChecker:
    def __init__(self, directory: Path | None = None) -> None:
        self.routes: list[tuple[int, str, re.Pattern, str, dict, dict]] = []
        for file in sorted((directory or specs_dir()).glob("*.yml")):
            doc = yaml.load(file.read_text(encoding="utf-8"), Loader=_LOADER)
            base = _base(doc)
            for template, ops in doc.get("paths", {}).items():
                for method, op in ops.items():
                    if isinstance(op, dict) and "requestBody" in op:
                        full = base + template
                        # Literal segments win over {templates}: /catalog/products/channel-assignments
                        # before /catalog/products/{product_id}.
                        self.routes.append((full.count("{"), full, _pattern(full), method.upper(), op, doc))
        self.routes.sort(key=lambda r: r[0])

    def operation(self, method: str, path: str) -> tuple[str, dict, dict] | None:
        for _, template, pattern, m, op, doc in self.routes:
            if m == method.upper() and pattern.match(path):
                return template, op, doc
        return None

    @lru_cache(maxsize=None)
    def _validator(self, method: str, template: str) -> jsonschema.Draft7Validator:
        op, doc = next((o, d) for _, t, _, m, o, d in self.routes if (m, t) == (method, template))
        body = op["requestBody"]
        if "$ref" in body:
            body = _resolve(doc, body["$ref"])
        media = body.get("content", {}).get("application/json")
        if media is None:
            raise KeyError(f"{method} {template}: no application/json request body in the spec")
        schema = translate(media.get("schema", {}), doc, method.lower())
        return jsonschema.Draft7Validator(_patch(schema, method, template))

    def errors(self, method: str, path: str, body: Any) -> list[tuple[tuple, str]]:
        """(path in the body, message) for each error; () for a route or JSON problem."""
        found = self.operation(method, path)
        if found is None:
            return [((), f"{method} {path}: no operation with a request body in the official specs")]
        template = found[0]
        if isinstance(body, (str, bytes)):
            try:
                body = json.loads(body)
            except ValueError as exc:
                return [((), f"{method} {path}: body is not JSON ({exc})")]
        validator = self._validator(method.upper(), template)
        return [(tuple(e.absolute_path),
                 f"{method} {path} (spec: {method} {template}): "
                 f"{'/'.join(str(p) for p in e.absolute_path) or '<body>'}: {e.message}")
                for e in sorted(validator.iter_errors(body), key=lambda e: list(map(str, e.absolute_path)))]

    def check(self, method: str, path: str, body: Any) -> list[str]:
        """Messages naming each invalid field (empty when the body is valid per the spec)."""
        return [m for _, m in self.errors(method, path, body)]


@lru_cache(maxsize=1)
def checker() -> SpecChecker:
    return SpecChecker()


OUR_AGENT = "catalog-reconciler/"


def invalid_writes(log: list[dict], agent: str | None = None) -> list[str]:
    """Every message for the POST/PUT bodies in a sandbox request log (``/__sandbox/requests``)
    that the official specs refuse. Entries without a body (none sent, or over the log's
    bound) are not checked. ``agent``: only requests whose User-Agent starts with it (our
    client's, ``OUR_AGENT``: a test's own admin edits may be as loose as the store allows)."""
    out: list[str] = []
    for entry in log:
        if agent is not None and not str(entry.get("agent", "")).startswith(agent):
            continue
        if entry["method"] in ("POST", "PUT") and entry.get("body") is not None:
            out += checker().check(entry["method"], entry["path"], entry["body"])
    return out
