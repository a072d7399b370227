"""Building blocks of the request-body schemas each service transcribes from the
official OpenAPI files (``<service>/schemas.py``)."""

from __future__ import annotations


def string(max_len: int | None = None, min_len: int = 0) -> dict:
    out = {"type": "string", "minLength": min_len}
    if max_len is not None:
        out["maxLength"] = max_len
    return out


def number(minimum: float | None = 0, maximum: float | None = None) -> dict:
    out: dict = {"type": "number"}
    if minimum is not None:
        out["minimum"] = minimum
    if maximum is not None:
        out["maximum"] = maximum
    return out


def integer(minimum: int | None = 0, maximum: int | None = None) -> dict:
    out: dict = {"type": "integer"}
    if minimum is not None:
        out["minimum"] = minimum
    if maximum is not None:
        out["maximum"] = maximum
    return out


def enum(*values: str) -> dict:
    return {"type": "string", "enum": list(values)}


BOOL = {"type": "boolean"}
INTS = {"type": "array", "items": {"type": "integer"}}
STRS = {"type": "array", "items": {"type": "string"}}
DIM = number(0, 9999999999)
INV = integer(0, None)  # inventory above 2147483647 is clamped, not refused (P inventory_level)

NULLNUM = {"type": ["number", "null"], "minimum": 0}


def nullable_string(max_len: int | None = None) -> dict:
    return {**string(max_len), "type": ["string", "null"]}
