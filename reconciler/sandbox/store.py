"""The sandbox store: the core bound to every service.

    from reconciler.sandbox.store import SandboxServer
    srv = SandboxServer(port=0).start()      # srv.url is the BIGCOMMERCE_API_URL

``StoreState`` is the storage with every service's models (``StoreState(":memory:")``
for tests that need no HTTP). Adding a service: a folder with urls.py, responses.py,
its models and service.py (``SERVICE``), named here.
"""

from __future__ import annotations

from .catalog.service import SERVICE as CATALOG
from .channels.service import SERVICE as CHANNELS
from .core import server
from .core.storage import Storage
from .customer_groups.service import SERVICE as CUSTOMER_GROUPS
from .hooks.service import SERVICE as HOOKS
from .pricelists.service import SERVICE as PRICELISTS

# Order matters for the dump's sections and for seeding within a phase.
SERVICES = (CATALOG, CHANNELS, PRICELISTS, CUSTOMER_GROUPS, HOOKS)


class StoreState(Storage):
    SERVICES = SERVICES


class SandboxServer(server.SandboxServer):
    SERVICES = SERVICES
