"""The JSON Schemas, one per kind: where they are, loaded once, validators built once.

The schemas live in the repository's top-level ``schemas/`` folder and ship inside
the installed package as ``reconciler/schemas`` (pyproject force-include).
"""

from __future__ import annotations

import importlib.resources
import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import referencing
import referencing.jsonschema

# -- schemas ---------------------------------------------------------------------------

def schema_dir() -> Path:
    """The folder holding ``<kind>.schema.json``.

    Installed from a wheel the schemas sit inside the package (pyproject.toml
    force-includes ``schemas`` as ``reconciler/schemas``); in a source checkout
    or editable install they are the repository's top-level ``schemas/``.
    """
    packaged = importlib.resources.files("reconciler") / "schemas"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "schemas"


@cache
def load_schema(name: str) -> dict[str, Any]:
    return json.loads((schema_dir() / name).read_text(encoding="utf-8"))


@cache
def schema_registry() -> referencing.Registry:
    """Every schema file, registered under its file name.

    The files carry no ``$id``, so a relative ``"$ref": "category.schema.json"``
    resolves here by name and in an editor against the file's own folder.
    """
    resources = [
        (p.name, referencing.jsonschema.DRAFT7.create_resource(load_schema(p.name)))
        for p in sorted(schema_dir().glob("*.schema.json"))
    ]
    return referencing.Registry().with_resources(resources).crawl()


@cache
def validator_for(schema_name: str) -> jsonschema.Draft7Validator:
    """One compiled validator per schema, built once per process."""
    return jsonschema.Draft7Validator(load_schema(schema_name), registry=schema_registry())


