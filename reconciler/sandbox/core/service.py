"""What a service brings to the store (moto: one backend per service).

A ``Service`` is a name, its URL table (``<service>/urls.py``) and its models, each
given as (attribute on the storage, model class): ``Service("hooks", ROUTES,
(("hooks", Hooks),))`` makes ``storage.hooks`` a ``Hooks(storage)``. A model class
may declare, and the core reads nothing else about it:

    KEYS        key columns its bodies are found by (``storage.Key``)
    MATCHES     ``storage.Match`` indexes for ``storage.match``
    FIRST_IDS   {kind: first id} for the kinds it allocates ids for
    BATCHES     {(method, route pattern): partial.Batch}: its partial-failure shapes
    SEED        (seed section, phase) with a ``seed_all(items)`` method
    install()   recreates its fixed objects on reset
    dump()      its sections of the SEED FORMAT ({section: [items]})
    OUTBOX      a class whose instance sends webhook callbacks after writes
                (``configure``, ``clear``, ``log``, ``events``, ``emit``, ``WRITES``, ``KIND``)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from .urls import Route


@dataclass(frozen=True)
class Service:
    name: str
    routes: tuple[Route, ...]
    models: tuple[tuple[str, type], ...]


def routes_of(services: Iterable[Service]) -> list[Route]:
    return [route for service in services for route in service.routes]


def batches_of(services: Iterable[Service]) -> dict[tuple[str, str], Any]:
    """Every model's partial-failure shapes, by (method, route pattern)."""
    return {key: batch for service in services for _, model in service.models
            for key, batch in getattr(model, "BATCHES", {}).items()}


def outbox_of(services: Iterable[Service]) -> Any:
    """The one model's ``OUTBOX`` class (webhook callbacks), or None."""
    return next((model.OUTBOX for service in services for _, model in service.models
                 if hasattr(model, "OUTBOX")), None)
